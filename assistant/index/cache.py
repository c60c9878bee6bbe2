"""What a build has already computed per chunk, kept on disk so that a killed build resumes where it stopped.

Two append-only files under ``index/cache/``, each keyed by a 16-hex-digit hash of the text the value was computed
from (``index.build.text_key``), so a key names one text for ever:

- ``vectors-<model>.bin``: fixed-size records, 16 ASCII bytes of key then ``dim`` float32 (unit norm).  A
  record is complete or it is not there: after ``kill -9`` the file is cut back to whole records.
- ``tokens-<scheme>.tsv``: ``key<TAB>token token …`` lines (tokens never hold whitespace); a last line without
  its newline is dropped the same way.

Every append is flushed and fsynced before the build goes on, so what was embedded survives a crash or power loss.
``compact`` rewrites a file with only the live chunks (write aside, then ``os.replace``) once dead records dominate.
Left out: sharing one cache between index folders, and locking (the build lock already serialises writers).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

ID_BYTES = 16  # keys are 16 hex characters


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _replace(path: Path, data_parts: Iterable[bytes]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        for part in data_parts:
            f.write(part)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class VectorCache:
    """text key -> (dim,) float32 vector of one model (``model_id``), on disk."""

    def __init__(self, folder: Path, model_id: str, dim: int):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"vectors-{_key(model_id)}.bin"
        self.dim = dim
        self._dtype = np.dtype([("id", f"S{ID_BYTES}"), ("v", "<f4", (dim,))])
        size = self.path.stat().st_size if self.path.exists() else 0
        whole = size - size % self._dtype.itemsize
        if whole != size:  # a record cut by a crash: drop it
            os.truncate(self.path, whole)
        self._rows: dict[str, int] = {}
        if whole:
            ids = np.fromfile(self.path, dtype=self._dtype)["id"]
            self._rows = {i.decode(): r for r, i in enumerate(ids)}
        self._n = whole // self._dtype.itemsize

    def __len__(self) -> int:
        return self._n

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def get(self, keys: Sequence[str]) -> np.ndarray:
        """(len(keys), dim) float32 of keys that are all in the cache."""
        if not keys:
            return np.zeros((0, self.dim), np.float32)
        records = np.memmap(self.path, dtype=self._dtype, mode="r", shape=(self._n,))
        return np.asarray(records["v"][[self._rows[c] for c in keys]], dtype=np.float32)

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Append (and fsync) ``vectors`` (len(keys), dim) float32 under their keys."""
        records = np.empty(len(keys), dtype=self._dtype)
        records["id"] = [c.encode() for c in keys]
        records["v"] = vectors
        _append(self.path, records.tobytes())
        for c in keys:
            self._rows[c] = self._n
            self._n += 1

    def compact(self, live: set[str]) -> None:
        """Keep only ``live`` ids when the file holds more than twice as many records (and at least 1,000 dead)."""
        if self._n - len(live) < max(1000, len(live)):
            return
        records = np.fromfile(self.path, dtype=self._dtype)
        keep = np.fromiter((i.decode() in live for i in records["id"]), dtype=bool, count=len(records))
        # the last record of an id wins (an id re-added after a crash holds the same vector anyway)
        _replace(self.path, [records[keep].tobytes()])
        self._reload()

    def _reload(self) -> None:
        records = np.fromfile(self.path, dtype=self._dtype)
        self._rows = {i.decode(): r for r, i in enumerate(records["id"])}
        self._n = len(records)


class TokenCache:
    """text key -> BM25 tokens under one tokenizer scheme, on disk."""

    def __init__(self, folder: Path, scheme: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"tokens-{_key(scheme)}.tsv"
        self._lines: dict[str, str] = {}
        if self.path.exists():
            data = self.path.read_bytes()
            end = data.rfind(b"\n") + 1
            if end != len(data):  # a line cut by a crash: drop it
                os.truncate(self.path, end)
            for line in data[:end].decode("utf-8").splitlines():
                key, _, tokens = line.partition("\t")
                self._lines[key] = tokens

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, key: str) -> bool:
        return key in self._lines

    def get(self, key: str) -> list[str]:
        tokens = self._lines[key]
        return tokens.split(" ") if tokens else []

    def add(self, items: Sequence[tuple[str, list[str]]]) -> None:
        lines = [(c, " ".join(t)) for c, t in items]
        _append(self.path, "".join(f"{c}\t{t}\n" for c, t in lines).encode("utf-8"))
        self._lines.update(lines)

    def compact(self, live: set[str]) -> None:
        if len(self._lines) - len(live) < max(1000, len(live)):
            return
        self._lines = {c: t for c, t in self._lines.items() if c in live}
        _replace(self.path, [f"{c}\t{t}\n".encode("utf-8") for c, t in self._lines.items()])
