"""Hybrid retrieval: BM25 and dense search fused by weighted reciprocal-rank fusion, then grouped by article.

Fusion (Cormack et al., 2009, with per-retriever weights)::

    score(chunk) = w_dense / (k + rank_dense(chunk)) + w_lexical / (k + rank_lexical(chunk))

with ranks starting at 1 and a retriever that did not return the chunk contributing 0.  RRF needs no score
calibration between BM25 (unbounded) and cosine (bounded), which is why it is used rather than a weighted sum; ``k``
and the weights are settings tuned on the dev sets (README "Quality").  Every hit also carries its cosine similarity
to the query, which the answer composer uses to decide whether the corpus answers at all.

All scoring is array arithmetic over the candidate rows; no Python loop runs over the corpus.
Left out: cross-encoder re-ranking (no such model is available offline here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Settings
from ..model import Embedder
from ..index.search import Period, SearchIndex
from ..types import Article, Hit

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class ArticleHits:
    """One article and its hits, best first; ``score`` is its best hit's fused score."""

    article: Article
    hits: tuple[Hit, ...]

    @property
    def score(self) -> float:
        return self.hits[0].score


def retrieve(index: SearchIndex, embedder: Embedder, query: str, settings: Settings, *, mode: str = "hybrid",
             k: int | None = None, query_vector: np.ndarray | None = None, period: Period | None = None) -> list[Hit]:
    """The best ``k`` (default ``settings.candidates``) chunks for ``query``, best first; only articles dated in
    ``period`` when one is given."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    n = len(index.chunks)
    k = min(k or settings.candidates, n)
    if k == 0 or not query.strip():
        return []
    fused = np.zeros(n, dtype=np.float64)
    dense_rank = np.zeros(n, dtype=np.int64)  # 0 = not retrieved
    lexical_rank = np.zeros(n, dtype=np.int64)
    qv = None if query_vector is None else query_vector.reshape(1, -1)  # lexical mode needs it for the cosines too
    if mode in ("hybrid", "dense"):
        qv = embedder.encode_queries([query]) if qv is None else qv
        ids, _ = index.search_dense(qv, settings.candidates, period)
        dense_rank[ids] = np.arange(1, len(ids) + 1)
        fused[ids] += settings.dense_weight / (settings.rrf_k + dense_rank[ids])
    if mode in ("hybrid", "lexical"):
        ids, _ = index.search_lexical(query, settings.candidates, period)
        lexical_rank[ids] = np.arange(1, len(ids) + 1)
        fused[ids] += settings.lexical_weight / (settings.rrf_k + lexical_rank[ids])
    candidates = np.flatnonzero(fused > 0)
    if len(candidates) == 0:
        return []
    top = candidates[np.argsort(-fused[candidates], kind="stable")][:k]
    if qv is None:
        qv = embedder.encode_queries([query])
    cosines = index.vectors(top) @ qv[0]  # (len(top),) cosine, vectors are unit norm
    hits = []
    for row, cos in zip(top.tolist(), cosines.tolist()):
        chunk = index.chunks[row]
        hits.append(Hit(
            chunk=chunk, article=index.articles[chunk.article_id], score=float(fused[row]),
            lexical_rank=int(lexical_rank[row]) or None, dense_rank=int(dense_rank[row]) or None,
            dense_score=float(cos),
        ))
    return hits


def group_by_article(hits: list[Hit]) -> list[ArticleHits]:
    """Hits gathered under their article, articles ordered by their best hit."""
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.article.article_id, []).append(h)
    return [ArticleHits(hs[0].article, tuple(hs)) for hs in groups.values()]
