"""What retrieval asks of an index, whichever store holds it: the ``SearchIndex`` protocol, and the one ``topk``.

Both stores implement ``SearchIndex``: ``local.LoadedIndex`` (FAISS + bm25s files in a generation folder) and
``milvus.MilvusIndex`` (collections in Milvus or milvus-lite).  Rows are positions in ``chunks``; a search returns
rows and scores best first.  A ``period`` keeps chunks whose article was published (``date``) or filed (``filed``) on
a day inside it.  Nothing above this module (answer/, service.py, web/) knows which store it talks to.
Left out: how either store writes or loads itself (``store.py``, ``milvus.py``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..types import Article, Chunk

if TYPE_CHECKING:  # store imports this module: the manifest's type is needed for annotations only
    from .store import Manifest

Period = tuple[int, int]  # inclusive article dates as yyyymmdd integers, e.g. (20240301, 20240331)


def topk(scores: np.ndarray, k: int, *, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest ``scores``, best first; ties keep index order.

    ``positive`` drops scores <= 0 (BM25: no query term in the chunk).  argpartition then a sort of the k only:
    O(n + k log k).  [0.1, 0.9, 0.5], k=2 -> ([1, 2], [0.9, 0.5]).
    """
    scores = np.asarray(scores)
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, np.int64), scores[:0]
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    top = top[np.lexsort((top, -scores[top]))]  # by score, then by index: the same order as a stable sort
    if positive:
        top = top[scores[top] > 0]
    return top.astype(np.int64), scores[top]


def period_of(article: Article) -> tuple[int, int]:
    """(date, filed) of an article as yyyymmdd ints, 0 where it has no full date: "2021-06-18" -> 20210618."""
    def day(iso: str | None) -> int:
        return int(iso.replace("-", "")) if iso and len(iso) == 10 else 0
    return day(article.date), day(getattr(article, "filed", None))


class Dated:
    """Period arithmetic for an index that holds its articles and chunks in memory (both stores do).

    Used by retrieval's period filter on the local store and by the answer stage on either store (the archive's newest
    day, whether a period holds anything); Milvus applies the same rule inside its own queries.
    """

    articles: dict[str, Article]
    chunks: list[Chunk]

    @functools.cached_property
    def chunk_dates(self) -> np.ndarray:
        """(n_chunks, 2) int64 yyyymmdd of each chunk's article: publication date, filed date; 0 where not known."""
        days = {aid: period_of(a) for aid, a in self.articles.items()}
        out = np.zeros((len(self.chunks), 2), dtype=np.int64)
        for i, c in enumerate(self.chunks):
            out[i] = days[c.article_id]
        return out

    def rows_in(self, period: Period | None) -> np.ndarray | None:
        """Chunk rows whose article was published or filed in ``period`` (inclusive yyyymmdd ints); None = all.

        Either date counts: a dispatch filed on the 16th and printed on the 17th is news of both days."""
        if period is None:
            return None
        dates = self.chunk_dates
        return np.flatnonzero(((dates >= period[0]) & (dates <= period[1])).any(axis=1))


class TermWeights(Protocol):
    def idf(self, terms: list[str]) -> np.ndarray:
        """(len(terms),) float32 BM25 IDF of each term under the project's tokenizer (unseen: the highest)."""


class SearchIndex(Protocol):
    """An index as retrieval and the answer composer see it (the local files and Milvus both provide it)."""

    manifest: Manifest  # model, settings, corpus file hashes, counts
    articles: dict[str, Article]
    chunks: list[Chunk]  # row i is chunk i
    generation: str  # changes whenever a build changes the index
    lexical: TermWeights

    @property
    def dense_kind(self) -> str:
        """The dense index setting it was built with ("flat" or "ivf")."""

    def search_dense(self, query_vector: np.ndarray, k: int,
                     period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows by cosine to ``query_vector`` (1, dim), best first: (rows int64, cosines float32)."""

    def search_lexical(self, query: str, k: int, period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows by BM25 with a positive score, best first: (rows int64, scores float32)."""

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), dim) float32 unit vectors of these rows."""

    @property
    def chunk_dates(self) -> np.ndarray:
        """(n_chunks, 2) int64 yyyymmdd publication and filed date of each chunk's article (``Dated``)."""

    def rows_in(self, period: Period | None) -> np.ndarray | None:
        """Chunk rows inside ``period`` by either date (``Dated``); None = no restriction."""
