"""The embedding model behind a small protocol: texts in, (n, dim) float32 unit-norm vectors out.

Queries and passages get the prompts the model declares (``query: `` / ``passage: `` for e5) through
sentence-transformers' ``encode_query`` / ``encode_document``; those sort inputs by length before batching, so this
module does not.  ``load_embedder`` keeps one loaded model per process; nothing is loaded at import time.

Left out: finding or converting the model (``models.py``), and indexes (``dense.py``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..config import Settings
from .resolve import load_sentence_transformer, pick_device, resolve_model


class Embedder(Protocol):
    model_id: str  # stable id of model + backend, written into the index manifest
    dim: int
    device: str  # where it runs ("cpu", "cuda:0"), recorded in the manifest for `status`

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, unit norm, with the model's query prompt."""
        ...

    def encode_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """(len(texts), dim) float32, unit norm, with the model's passage prompt."""
        ...


EXPORT_FOLDERS = ("onnx", "openvino")  # derived from the weights by a backend; the torch backend never reads them


def model_fingerprint(folder: Path, *, exports: bool = False) -> str:
    """Short hash of a model folder: file names and sizes, plus the content of small config files (prompts live there).

    Cheap to compute on every start (no weight hashing) yet changes whenever the model is rebuilt differently.
    ``exports``: include the backend exports (``onnx/``), for the backend that runs them; without it an export
    appearing in the folder leaves the torch fingerprint, and so torch-built indexes, unchanged.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = path.relative_to(folder).as_posix()
        if rel == "conversion.json" or rel.startswith("README"):
            continue  # provenance and docs do not change the vectors
        if rel.split("/")[0] in EXPORT_FOLDERS and not (exports and path.name != "export.json" and "/." not in rel):
            continue  # export.json holds versions, which do not change the vectors; .export-* is one in progress
        size = path.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        if path.suffix == ".json" and size < 65536 and path.name != "tokenizer.json":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class SentenceTransformerEmbedder:
    """An ``Embedder`` over a sentence-transformers model, on the CPU or a GPU (``Settings.device``)."""

    def __init__(self, settings: Settings) -> None:
        resolved = resolve_model(settings)
        placement = pick_device(settings)  # before loading: `--device cuda` without a GPU fails fast
        self._model = load_sentence_transformer(settings, resolved)
        self.batch_size: int = placement.batch_size  # sized to the card on a GPU
        self.device: str = placement.device
        self.dim: int = int(self._model.get_embedding_dimension())
        folder = Path(resolved)
        self.name: str = settings.model
        self.folder: Path | None = folder if folder.is_dir() else None  # where a model's own calibration.json lives
        # The user-facing name, not the resolved path, so an index moves between machines; the hash tells builds apart.
        suffix = f"+{model_fingerprint(folder, exports=settings.backend != 'torch')}" if folder.is_dir() else ""
        self.model_id: str = f"{settings.model}+{settings.backend}{suffix}"

    @property
    def model(self):
        """The underlying ``SentenceTransformer`` (e.g. for its tokenizer)."""
        return self._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(self._model.encode_query, texts, progress=False)

    def encode_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(self._model.encode_document, texts, progress=progress)

    def _encode(self, encode: Callable, texts: Sequence[str], *, progress: bool) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = encode(texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                         show_progress_bar=progress)  # fmt: skip
        return np.ascontiguousarray(vectors, dtype=np.float32)  # (n, dim) float32, unit norm


_cache: dict[tuple[str, str, str, str], SentenceTransformerEmbedder] = {}
_lock = threading.Lock()  # the UI serves requests from several threads; load once


def load_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for (model, backend, cache folder, device), loaded on first use."""
    key = (settings.model, settings.backend, str(settings.model_cache_dir), settings.device)
    with _lock:
        if key not in _cache:
            _cache[key] = SentenceTransformerEmbedder(settings)
        return _cache[key]
