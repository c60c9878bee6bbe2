"""Which store holds the index (``settings.store``): open it, ask for its live generation, write a build into it.

``local``: a generation folder of files in --index-dir (``store.py``, searched by ``local.py``).  ``milvus``:
collections in the database at --milvus-uri (``milvus.py``, imported only when asked for).  Both open as a
``search.SearchIndex``; build.py, service.py and eval call these three functions and nothing store-specific.
Left out: copying an index from one store to the other (a build into the other store reuses the vector cache).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Protocol

import numpy as np

from ..config import Settings
from ..types import Article, Chunk
from .dense import DenseIndex
from .lexical import LexicalIndex
from .search import SearchIndex
from .store import Manifest, current_generation, load_index, prune_generations, write_generation


class Computed(Protocol):
    """What a build has computed for its chunks (``build._Embedding``)."""

    def vectors(self, chunks: list[Chunk]) -> np.ndarray: ...  # (n_chunks, dim) float32, unit norm
    def lexical(self) -> LexicalIndex: ...
    def token_lists(self) -> Iterable[list[str]]: ...


def open_index(settings: Settings) -> SearchIndex:
    """The live index of ``settings.store``.  IndexMissingError when none was built."""
    if settings.store == "milvus":
        from .milvus import open_milvus
        return open_milvus(settings)
    return load_index(settings.index_dir)


def location(settings: Settings) -> str:
    """Where the index of ``settings`` lives, for messages: the index folder or the Milvus URI."""
    return f"the Milvus database {settings.milvus_uri}" if settings.store == "milvus" else str(settings.index_dir)


def live_generation(settings: Settings) -> str | None:
    """The name of the live generation (cheap: the service asks before each question); None when none."""
    if settings.store == "milvus":
        from .milvus import live_generation as milvus_live
        return milvus_live(settings)
    gen = current_generation(settings.index_dir)
    return gen.name if gen is not None else None


def write_index(settings: Settings, old: SearchIndex | None, manifest: Manifest, articles: list[Article],
                chunks: list[Chunk], computed: Computed) -> Path:
    """Make a build live in ``settings.store``; returns where it went (a generation folder, or the Milvus URI)."""
    if settings.store == "milvus":
        from .milvus import write_milvus
        write_milvus(settings, old, manifest, articles, chunks, computed.vectors(chunks), computed.token_lists())
        return Path(settings.milvus_uri)
    dense = DenseIndex.build(computed.vectors(chunks), approximate=settings.dense_index == "ivf")
    gen = write_generation(settings.index_dir, manifest, articles, chunks, dense, computed.lexical())
    prune_generations(settings.index_dir)
    return gen
