"""Hits -> Evidence: which retrieved sentences support the question, and whether the archive answers it at all.

Per candidate sentence (the sentences of the retrieved chunks, a few dozen at most; arrays over them):

* coverage  — the IDF-weighted share of the question's content words found in the sentence (a word the archive never
  saw counts with the highest IDF, so 「郑州明天会下雨吗」 is not "covered" by a sentence that merely names 郑州);
* closeness — the cosine between the question and the sentence from the same embedding model, scaled to [0, 1] by
  the model's calibration;
* fits      — whether the sentence holds the kind of fact the question asks for (a number for 多少, a person for 谁:
  ``asks.sentence_has``);
* score     = 0.6 * coverage (a word only the article's headline holds counting half: a sentence leaves out what its
  headline names) + 0.4 * closeness + a little for the article's retrieval rank + ``FIT_BONUS`` times how well it fits
  (``asks.fit``).

Whether the archive answers at all is a linear rule over ``Evidence.features`` (``answerable``): the best coverage,
how far the best passage stands above the archive's own passages in closeness to the question (a z-score against
``Background``, a fixed sample of the index's own chunk vectors: drawn from the data, written by no one), how much
the best passage stands out from the other hits, and whether the question is cross-lingual.  The weights are fitted by
bench/calibrate.py on the calib split of the dev set and stored per model (``model.calibration``).
Left out: cross-encoder scoring (no such model offline), entailment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index.lexical import LexicalIndex, presence, query_terms, term_weights
from ..index.search import SearchIndex
from ..model import Embedder
from ..model.calibration import Calibration
from ..text import CJK, sentence_spans
from ..types import Article, Hit
from .asks import Asked, Want, fit, sentence_has
from .crosslingual import is_crosslingual
from .retrieve import group_by_article

MAX_ARTICLES = 8  # candidate articles examined
MAX_SENTENCES = 12  # candidate sentences embedded at question time
CACHE_LIMIT = 50_000  # sentence vectors kept between questions (~75 MB at 384-d)
MAX_SENTENCE_CHARS = 160  # a sentence is cut to this before embedding: enough to judge it, cheap to encode
FIT_BONUS = 0.15  # a sentence holding the kind of fact asked for beats one that only repeats the question's words
BACKGROUND_SAMPLE = 512  # chunk vectors of the archive that stand for "a typical passage" of it
# Below this many passages an archive cannot say what is typical of it (a median and a spread need a sample; 30 is the
# usual "large sample"): the rule then answers when a sentence holds most of the question's words, as ``lists`` does.
MIN_BACKGROUND = 32
SMALL_ARCHIVE_COVERAGE = 0.5
MAD_TO_SD = 1.4826  # median absolute deviation -> standard deviation, for normally distributed values
POOL = 10  # hits the cosine statistics (best, margin) are taken over


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, by its offsets; ``article_rank`` is its article's place among the hits."""

    article: Article
    article_rank: int
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]

    def next(self) -> "Sentence | None":
        spans = sentence_spans(self.article.text, self.end, min(len(self.article.text), self.end + 400))
        return Sentence(self.article, self.article_rank, *spans[0]) if spans else None


class Background:
    """A fixed, evenly spaced sample of an index's chunks (vectors and texts): what a typical passage of this archive
    looks like."""

    def __init__(self, index: SearchIndex, size: int = BACKGROUND_SAMPLE):
        n = self.size = len(index.chunks)
        rows = np.unique(np.linspace(0, n - 1, num=min(size, n)).astype(np.int64)) if n else np.zeros(0, np.int64)
        self.vectors = index.vectors(rows) if len(rows) else np.zeros((0, 1), np.float32)
        self.texts = [index.chunks[r].text for r in rows.tolist()]

    @property
    def too_small(self) -> bool:
        return self.size < MIN_BACKGROUND

    def standing(self, cosine: float, query_vector: np.ndarray) -> float:
        """How far ``cosine`` stands above the question's cosines with the archive's passages, in their spread
        (a robust z-score: a one-district archive, where every passage is close to every question, and a nation-wide
        one give comparable numbers); 0 for an archive of fewer than two passages.

        The spread is the median absolute deviation (scaled to a standard deviation), not the standard deviation:
        the passages on the question's own topic are outliers of the archive, and where they are many (a well-covered
        topic, a small archive) they would widen a standard deviation and make the best passage look ordinary."""
        if len(self.vectors) < 2:
            return 0.0
        sims = self.vectors @ query_vector
        middle = float(np.median(sims))
        spread = MAD_TO_SD * float(np.median(np.abs(sims - middle)))
        return float((cosine - middle) / max(spread, 1e-3))


class SentenceVectors:
    """Sentence vectors kept across questions, keyed by (article id, start, end); bounded, safe across threads."""

    def __init__(self, embedder: Embedder, limit: int = CACHE_LIMIT):
        self.embedder, self.limit, self._cache = embedder, limit, {}

    def __call__(self, sentences: list[Sentence]) -> np.ndarray:
        cache = self._cache  # read once: a concurrent clear replaces nothing under our feet
        keys = [(s.article.article_id, s.start, s.end) for s in sentences]
        found = {k: cache.get(k) for k in keys}
        todo = [i for i, k in enumerate(keys) if found[k] is None]
        if todo:
            fresh = self.embedder.encode_passages([sentences[i].text[:MAX_SENTENCE_CHARS] for i in todo])
            new = {keys[i]: v for i, v in zip(todo, fresh)}
            found.update(new)
            if len(cache) + len(new) > self.limit:
                cache.clear()  # crude but bounded: a long-running server must not grow without limit
            cache.update(new)
        return np.stack([found[k] for k in keys])


def candidates(hits: list[Hit]) -> list[Sentence]:
    """Sentences of the retrieved chunks, best articles first, no sentence twice."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for rank, group in enumerate(group_by_article(hits)[:MAX_ARTICLES]):
        article = group.article
        for hit in group.hits:
            for s, e in sentence_spans(article.text, hit.chunk.start, hit.chunk.end):
                if (article.article_id, s) not in seen:
                    seen.add((article.article_id, s))
                    out.append(Sentence(article, rank, s, e))
    return out


def coverage(terms: list[str], weights: np.ndarray, texts: list[str]) -> np.ndarray:
    """(len(texts),) IDF-weighted share of ``terms`` found in each text (a long word partly, ``lexical.presence``)."""
    if not terms or weights.sum() <= 0:
        return np.zeros(len(texts), dtype=np.float32)
    present = np.array([[presence(t, text.lower()) for t in terms] for text in texts],
                       dtype=np.float32).reshape(len(texts), -1)
    return present @ weights / weights.sum()


@dataclass(frozen=True)
class Evidence:
    """What is known about the candidate sentences; ``answerable`` turns it into a yes/no."""

    asked: Asked
    hits: tuple[Hit, ...]
    sentences: tuple[Sentence, ...]
    score: np.ndarray  # (n_sentences,) combined score
    coverage: np.ndarray  # (n_sentences,) IDF-weighted share of question words present
    cosine: np.ndarray  # (n_sentences,) question-sentence cosine (0 where not embedded)
    top_dense: float  # best question-chunk cosine among the hits
    margin: float  # top_dense minus the mean cosine of the hits: how much the best passage stands out
    standing: float  # how far top_dense stands above the archive's own passages, in standard deviations (``Background``)
    crosslingual: bool  # the question is not written in Chinese: its words cannot be found in the archive as such
    small_archive: bool = False  # too few passages to say what is typical (``MIN_BACKGROUND``)

    @property
    def best(self) -> int:
        return int(np.argmax(self.score))

    @property
    def features(self) -> np.ndarray:
        """(5,) what the answerability rule weighs: coverage, standing above the archive's passages, margin,
        cosine, and whether the question is cross-lingual (then coverage is 0 by construction)."""
        return np.array([self.coverage.max(), self.standing, self.margin, self.top_dense,
                         float(self.crosslingual)])

    def fits(self, i: int, want: Want) -> bool:
        return sentence_has(want, self.sentences[i].text, self.asked.question)


def assess(asked: Asked, hits: list[Hit], lexical: LexicalIndex, embedder: Embedder, calibration: Calibration,
           query_vector: np.ndarray, vectors: SentenceVectors, background: Background | None,
           pool: list[Hit] | None = None) -> Evidence | None:
    """Score the sentences of the retrieved chunks against the question; None when nothing was retrieved.

    ``pool`` (default ``hits``): the hits whose cosines give the best cosine and the margin."""
    sentences = candidates(hits)
    if not sentences:
        return None
    question = asked.question
    crosslingual = is_crosslingual(question)
    terms = query_terms(question)
    if crosslingual:  # only the dictionary's Chinese words can be found in the archive
        terms = [t for t in terms if CJK.match(t)]
    weights = term_weights(terms, lexical)
    texts = [s.text for s in sentences]
    cov = coverage(terms, weights, texts)
    # the sentence read with its headline: a word only the headline holds (the sentence leaves out the country its
    # headline names) counts half
    with_title = coverage(terms, weights, [f"{s.article.title}\n{s.text}" for s in sentences])
    qv = query_vector.reshape(-1)
    # Embedding sentences costs time at question time: only the most promising few, by coverage then retrieval rank.
    promise = cov + np.array([0.1 / (1 + s.article_rank) for s in sentences], dtype=np.float32)
    order = np.argsort(-promise, kind="stable")[:MAX_SENTENCES]
    cosine = np.zeros(len(sentences), dtype=np.float32)
    cosine[order] = vectors([sentences[i] for i in order]) @ qv
    closeness = np.clip((cosine - calibration.cos_floor) / calibration.cos_span, 0.0, 1.0)
    rank_bonus = np.array([0.05 / (1 + s.article_rank) for s in sentences], dtype=np.float32)
    lexical_part = cov + 0.5 * (with_title - cov) * (cov > 0)
    score = 0.6 * lexical_part + 0.4 * closeness + rank_bonus
    # the kind of fact asked for, judged on the promising sentences only (tagging costs a little per sentence)
    if asked.want is not Want.ANY:
        for i in np.argsort(-score, kind="stable")[:MAX_SENTENCES].tolist():
            score[i] += FIT_BONUS * fit(asked.want, texts[i], question)
    dense = np.array([h.dense_score or 0.0 for h in (pool or hits)], dtype=np.float32)
    standing = background.standing(float(dense.max()), qv) if background is not None else 0.0
    return Evidence(asked, tuple(hits), tuple(sentences), score, cov, cosine, float(dense.max()),
                    float(dense.max() - dense.mean()), standing, crosslingual,
                    background is None or background.too_small)


def answerable(e: Evidence, calibration: Calibration) -> bool:
    """``answer_bias + answer_weights . features >= 0`` (bench/calibrate.py fits it on the calib split).

    In words: the archive answers when the question's own words are found together in a sentence, or when a passage
    is much closer in meaning to the question than the archive's typical passage is.  An archive of fewer than
    ``MIN_BACKGROUND`` passages has no typical passage: there a sentence must hold most of the question's words.
    """
    if e.small_archive:
        # coverage alone; a cross-lingual question's coverage counts only the words the dictionary could give for it
        # (many English words have none), so half the bar
        bar = SMALL_ARCHIVE_COVERAGE / 2 if e.crosslingual else SMALL_ARCHIVE_COVERAGE
        return float(e.coverage.max()) >= bar
    z = calibration.answer_bias + float(np.dot(calibration.answer_weights, e.features))
    return z >= 0.0
