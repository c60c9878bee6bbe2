"""The local store on disk: plain files in a generation folder, swapped in atomically, read back with checks.

Layout of ``index/``::

    CURRENT                 name of the live generation (replaced with os.replace: readers see old or new, never half)
    .lock                   held (flock) by the one process building
    gen-<time>-<rand>/      one complete index
        manifest.json       format version, model, dimension, settings, corpus file hashes, counts, and the
                            sha256 of every other file of the generation (checked at load)
        articles.jsonl      one Article a line
        chunks.jsonl        one Chunk a line; line i is row i of vectors.faiss and of the BM25 matrix
        vectors.faiss       FAISS index
        bm25/               bm25s files (numpy arrays + JSON; no pickle)

A build writes a new generation beside the live one and swaps ``CURRENT`` last, so ``kill -9`` mid-build leaves the old
index working.  Loading reads the manifest first and refuses a foreign format, model or settings with a message that
says how to rebuild; then it checks every file against its recorded sha256, so a file damaged, replaced or edited
after the build (a record deleted or two swapped, which would pair chunks with the wrong vectors) is refused rather
than answered from.  Hashing costs one extra read of the index per load.
Searching a loaded index is ``local.py``'s job; the Milvus store is ``milvus.py``.
Left out: concurrent writers (the lock refuses them) and remote storage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .dense import DenseIndex
from ..config import Settings
from ..errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexMissingError
from .lexical import LexicalIndex
from .local import LoadedIndex
from ..types import Article, Chunk

FORMAT_VERSION = 1
REBUILD_HINT = "run `python -m assistant index --rebuild`"
_GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z-]+")


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    encoding: str
    articles: tuple[str, ...]  # article ids from this file, in page order
    # articles of this file indexed under another file (the same headline and text): such a file is split again at
    # every build, so that its copy takes over when the other file goes
    duplicates: int = 0


@dataclass(frozen=True)
class Manifest:
    model: str  # the model setting (name or folder)
    model_id: str  # what the embedder reports: identifies weights and backend
    dim: int
    chunk_size: int
    chunk_overlap: int
    lexical_tokenizer: str
    built_at: str
    files: dict[str, FileEntry]
    counts: dict[str, int]
    format_version: int = FORMAT_VERSION
    backend: str = "torch"  # the embedding backend the vectors came from (indexes from before it was recorded: torch)
    # sha256 of each file of the generation but the manifest, by posix path inside it; empty in indexes built before
    # checksums were recorded (those load unchecked)
    checksums: dict[str, str] = field(default_factory=dict)
    # corpus files the build could not read, file -> reason (for `status` and the staff view)
    skipped: dict[str, str] = field(default_factory=dict)
    device: str = "cpu"  # where the model ran for this build ("cpu", "cuda:0")

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["files"] = {k: {**dataclasses.asdict(v), "articles": list(v.articles)} for k, v in self.files.items()}
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Manifest":
        files = {k: FileEntry(v["sha256"], v["encoding"], tuple(v["articles"]), v.get("duplicates", 0))
                 for k, v in d["files"].items()}
        return cls(**{**d, "files": files})


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's folder; None when none was made live.  IndexCorruptError when CURRENT is damaged."""
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{pointer} cannot be read ({exc}); {REBUILD_HINT}.") from exc
    if name and not _GENERATION_NAME.fullmatch(name):
        raise IndexCorruptError(f"{pointer} holds {name[:60]!r}, not the name of a generation folder (gen-…); "
                                f"{REBUILD_HINT}.")
    return index_dir / name if name else None


def _read_jsonl(path: Path, cls):
    with path.open(encoding="utf-8") as f:
        return [cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(line).items()}) for line in f]


def read_manifest(gen: Path) -> Manifest:
    try:
        raw = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{gen} has no manifest.json; {REBUILD_HINT}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{gen / 'manifest.json'} is not valid JSON ({exc}); {REBUILD_HINT}.") from exc
    if not isinstance(raw, dict) or raw.get("format_version") != FORMAT_VERSION:
        version = raw.get("format_version") if isinstance(raw, dict) else None
        raise IndexMismatchError(
            f"the index in {gen} has format version {version!r}, this program reads version {FORMAT_VERSION}; "
            f"{REBUILD_HINT}."
        )
    try:
        manifest = Manifest.from_json(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(
            f"{gen / 'manifest.json'} lacks a field or has a wrong one ({exc}); {REBUILD_HINT}.") from exc
    if not all(isinstance(v, t) for v, t in ((manifest.counts, dict), (manifest.checksums, dict), (manifest.dim, int))):
        raise IndexCorruptError(
            f"{gen / 'manifest.json'} has counts, checksums or dim of the wrong type; {REBUILD_HINT}.")
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(gen: Path) -> dict[str, str]:
    return {p.relative_to(gen).as_posix(): _sha256(p) for p in sorted(gen.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def _check_files(gen: Path, manifest: Manifest) -> None:
    """Raise IndexCorruptError naming every file that is missing or differs from its recorded sha256."""
    missing, changed = [], []
    for rel, expected in manifest.checksums.items():
        try:
            if _sha256(gen / rel) != expected:
                changed.append(rel)
        except OSError:
            missing.append(rel)
    if missing or changed:
        what = "; ".join(x for x in (missing and f"missing: {', '.join(missing)}",
                                     changed and f"changed or damaged since the build: {', '.join(changed)}") if x)
        raise IndexCorruptError(f"the index in {gen} is damaged ({what}); {REBUILD_HINT}.")


def check_compatible(manifest: Manifest, settings: Settings, model_id: str | None = None) -> str | None:
    """Why this index cannot serve these settings, or None when it can.

    The backend counts: torch and onnx-int8 vectors of one model differ slightly, and a question embedded by one must
    not be searched against the other's vectors.
    """
    model, backend = settings.model, settings.backend
    chunk_size, chunk_overlap, lexical_tokenizer = settings.chunk_size, settings.chunk_overlap, settings.lexical_tokenizer
    if manifest.model != model:
        return f"it was built with model {manifest.model!r}, the settings ask for {model!r}"
    if model_id is not None and manifest.model_id != model_id:
        return f"it was built with model weights/backend {manifest.model_id!r}, now {model_id!r}"
    if manifest.backend != backend:
        return f"it was built with the {manifest.backend!r} backend, the settings ask for {backend!r}"
    if (manifest.chunk_size, manifest.chunk_overlap) != (chunk_size, chunk_overlap):
        return (f"it was built with chunks of {manifest.chunk_size}/{manifest.chunk_overlap} characters, "
                f"the settings ask for {chunk_size}/{chunk_overlap}")
    if manifest.lexical_tokenizer != lexical_tokenizer:
        return f"it was built with the {manifest.lexical_tokenizer!r} tokenizer, the settings ask for {lexical_tokenizer!r}"
    return None


def load_index(index_dir: Path) -> LoadedIndex:
    """Read the live generation; every file is checked against the manifest."""
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexMissingError(f"no index in {index_dir}; build it with `python -m assistant index`.")
    if not gen.is_dir():
        raise IndexCorruptError(f"{index_dir / 'CURRENT'} names {gen.name}, which does not exist; {REBUILD_HINT}.")
    manifest = read_manifest(gen)
    _check_files(gen, manifest)
    try:
        articles = {a.article_id: a for a in _read_jsonl(gen / "articles.jsonl", Article)}
        chunks = _read_jsonl(gen / "chunks.jsonl", Chunk)
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"{exc.filename} is missing; {REBUILD_HINT}.") from exc
    except (json.JSONDecodeError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"the records in {gen} are damaged ({exc}); {REBUILD_HINT}.") from exc
    dense = DenseIndex.load(gen / "vectors.faiss")
    try:
        lexical = LexicalIndex.load(gen / "bm25")
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"the BM25 files in {gen / 'bm25'} cannot be read ({exc}); {REBUILD_HINT}.") from exc
    problems = []
    if len(chunks) != manifest.counts.get("chunks"):
        problems.append(f"{len(chunks)} chunk records, manifest says {manifest.counts.get('chunks')}")
    if len(articles) != manifest.counts.get("articles"):
        problems.append(f"{len(articles)} article records, manifest says {manifest.counts.get('articles')}")
    if len(dense) != len(chunks) or (len(chunks) and dense.dim != manifest.dim):
        problems.append(f"{len(dense)} vectors of dimension {dense.dim} for {len(chunks)} chunks of dimension {manifest.dim}")
    if len(lexical) != len(chunks):
        problems.append(f"{len(lexical)} BM25 rows for {len(chunks)} chunks")
    if any(c.article_id not in articles for c in chunks):
        problems.append("chunks refer to articles that are not in articles.jsonl")
    if problems:
        raise IndexCorruptError(f"the index in {gen} is out of sync: {'; '.join(problems)}; {REBUILD_HINT}.")
    return LoadedIndex(gen, manifest, articles, chunks, dense, lexical, generation=gen.name)


def write_generation(index_dir: Path, manifest: Manifest, articles: list[Article], chunks: list[Chunk],
                     dense: DenseIndex, lexical: LexicalIndex) -> Path:
    """Write a complete generation beside the live one and make it live.  Returns its folder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    with (tmp / "articles.jsonl").open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(dataclasses.asdict(a), ensure_ascii=False) + "\n")
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(dataclasses.asdict(c), ensure_ascii=False) + "\n")
    dense.save(tmp / "vectors.faiss")
    lexical.save(tmp / "bm25")
    manifest = dataclasses.replace(manifest, checksums=_checksums(tmp))
    # The manifest is written last: a generation without one is unfinished by definition.
    (tmp / "manifest.json").write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(tmp)
    gen = index_dir / name
    os.rename(tmp, gen)
    pointer = index_dir / f".CURRENT.{name}"
    pointer.write_text(name + "\n", encoding="utf-8")
    with pointer.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(pointer, index_dir / "CURRENT")  # the atomic swap
    _fsync_dir(index_dir)
    return gen


def prune_generations(index_dir: Path, keep: int = 2) -> None:
    """Remove unfinished builds and all but the newest ``keep`` generations (the live one is always kept).

    The previous generation is kept so that a reader that read CURRENT just before the swap can still open it.
    Call only while holding the build lock.
    """
    try:
        live = current_generation(index_dir)
    except IndexCorruptError:
        live = None  # a damaged pointer protects nothing; the newest generations are kept all the same
    gens = sorted((p for p in index_dir.glob("gen-*") if p.is_dir()), key=lambda p: p.name, reverse=True)
    keepers = {live} | set(gens[:keep])
    for p in gens:
        if p not in keepers:
            shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(".tmp-gen-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(".CURRENT.*"):
        p.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """Serialise builds: a second builder gets IndexBusyError at once instead of waiting silently."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / ".lock"
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise IndexBusyError(
                f"the index in {index_dir} is being built by {holder}; wait for that build to finish and try again."
            ) from exc
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
