"""The local store's search side: an index read from a generation folder into memory (FAISS + bm25s).

``LoadedIndex`` implements ``search.SearchIndex``; ``store.load_index`` makes one from the files.  A period search
scores only the chunks in the period (array arithmetic over their rows), so a narrow period costs little.
Left out: the on-disk format, its checks and writing it (``store.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .dense import DenseIndex
from .lexical import LexicalIndex
from .search import Dated, Period, topk
from ..types import Article, Chunk

if TYPE_CHECKING:
    from .store import Manifest


@dataclass
class LoadedIndex(Dated):
    """An index read into memory. Immutable by convention: a rebuild makes a new one.

    Retrieval asks it through ``search_dense`` and ``search_lexical`` (the store interface: the Milvus store answers
    the same two calls), each optionally limited to a period of article dates.
    """

    path: Path
    manifest: "Manifest"
    articles: dict[str, Article]
    chunks: list[Chunk]
    dense: DenseIndex
    lexical: LexicalIndex
    generation: str = ""
    loaded_at: float = field(default_factory=time.time)

    @property
    def dense_kind(self) -> str:
        return self.dense.kind

    def search_dense(self, query_vector: np.ndarray, k: int,
                     period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows by cosine to ``query_vector`` (1, dim), best first: (rows int64, cosines float32)."""
        rows = self.rows_in(period)
        if rows is None:
            scores, ids = self.dense.search(query_vector, k)
            keep = ids[0] >= 0
            return ids[0][keep].astype(np.int64), scores[0][keep]
        if 2 * len(rows) > len(self.chunks):
            # most of the archive (最新: everything up to today): search it all and drop the rows outside, rather than
            # copy most of the vectors out of the index; when too few of the widened top remain, copy after all
            inside = np.zeros(len(self.chunks), dtype=bool)
            inside[rows] = True
            wide = min(len(self.chunks), 4 * k)
            scores, ids = self.dense.search(query_vector, wide)
            keep = (ids[0] >= 0) & inside[np.maximum(ids[0], 0)]
            if keep.sum() >= min(k, len(rows)) or wide == len(self.chunks):
                return ids[0][keep][:k].astype(np.int64), scores[0][keep][:k]
        found = self.dense.search_rows(query_vector, k, rows)
        if found is not None:
            return found
        cos = self.dense.reconstruct(rows) @ query_vector[0]  # (len(rows),): IVF, exact over the period's rows
        top, best = topk(cos, k)
        return rows[top], best.astype(np.float32)

    def search_lexical(self, query: str, k: int, period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows by BM25 with a positive score, best first: (rows int64, scores float32)."""
        rows = self.rows_in(period)
        if rows is None:
            return self.lexical.search(query, k)
        top, best = topk(self.lexical.scores(query)[rows], k, positive=True)
        return rows[top], best.astype(np.float32)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), dim) float32 unit vectors of these rows."""
        return self.dense.reconstruct(rows)
