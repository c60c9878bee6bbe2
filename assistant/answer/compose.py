"""Hits -> Answer: an extractive, grounded answer whose every statement is a corpus sentence followed by ``[n]``.

Nothing is generated: each line of an answer is a sentence copied from an article (with at most a short frame such as
the headline and date), and each ``[n]`` names a ``Citation`` whose offsets satisfy ``article.text[start:end] == text``.

How sentences are chosen (all arrays over the candidate sentences, a few dozen at most):

* coverage  — the IDF-weighted share of the question's content words found in the sentence (a word the corpus never
  saw counts with the highest IDF, so 「郑州明天会下雨吗」 is not "covered" by a sentence that merely names 郑州);
* closeness — the cosine between the question and the sentence from the same embedding model, scaled to [0, 1];
* score     = 0.6 * coverage + 0.4 * closeness, plus a little for the article's retrieval rank.

Whether the corpus answers at all is a linear rule over ``Evidence.features`` (``answerable``): the best coverage,
how much closer the best passage is to the question than everyday news from elsewhere (data/background.txt: a
question about the weather is closer to a weather report than to any district news), and how much the best passage
stands out from the other hits.  Its weights are fitted on the dev sets by bench/calibrate.py.  A question
that asks for a list (哪些, 哪几, 几篇…) lists every article whose best sentence scores near the best one, each with its
headline and date; a question about one article may take the enumerated sentences that follow its best sentence
(要…。要…。) when it asks for several things.
Left out: generative rewriting (no language model is available offline here), cross-article de-duplication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..config import Settings
from .crosslingual import is_crosslingual
from ..model import Embedder
from ..model.calibration import Calibration, estimate, load_calibration
from ..index.lexical import LexicalIndex, query_terms
from .lists import cite, frame
from .retrieve import group_by_article
from ..text import CJK, sentence_spans
from ..types import Answer, Article, Citation, Hit

NO_ANSWER = "抱歉，新闻库中没有找到能回答这个问题的内容。您可以换个说法，或询问本地新闻报道过的人物、活动和工作。"

_LIST_QUESTION = re.compile(r"哪些|哪几|几篇|哪篇|有几|都有|列出|所有|分别|多少篇|哪些人|which|list", re.IGNORECASE)
_DETAIL_QUESTION = re.compile(r"什么|怎样|怎么|如何|要求|措施|哪里|哪儿|何处|where|what|how", re.IGNORECASE)
_ENUMERATION = re.compile(r"^(要|一是|二是|三是|四是|五是|同时|此外|另外|并|还要|其次|最后|第[一二三四五六七八九十])")
_MAX_ARTICLES = 8  # candidate articles examined
_MAX_SENTENCES = 12  # candidate sentences embedded at question time
_CACHE_LIMIT = 50_000  # sentence vectors kept between questions (~75 MB at 384-d)
_MAX_SENTENCE_CHARS = 160  # a sentence is cut to this before embedding: enough to judge it, cheap to encode


@dataclass(frozen=True)
class _Sentence:
    article: Article
    article_rank: int
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]


def is_list_question(question: str) -> bool:
    return bool(_LIST_QUESTION.search(question))


def _candidates(hits: list[Hit]) -> list[_Sentence]:
    """Sentences of the retrieved chunks, best articles first, no sentence twice."""
    out: list[_Sentence] = []
    seen: set[tuple[str, int]] = set()
    for rank, group in enumerate(group_by_article(hits)[:_MAX_ARTICLES]):
        article = group.article
        for hit in group.hits:
            for s, e in sentence_spans(article.text, hit.chunk.start, hit.chunk.end):
                if (article.article_id, s) not in seen:
                    seen.add((article.article_id, s))
                    out.append(_Sentence(article, rank, s, e))
    return out


def _coverage(terms: list[str], weights: np.ndarray, texts: list[str]) -> np.ndarray:
    """(len(texts),) IDF-weighted share of ``terms`` found in each text."""
    if not terms or weights.sum() <= 0:
        return np.zeros(len(texts), dtype=np.float32)
    present = np.array([[t in text.lower() for t in terms] for text in texts], dtype=np.float32).reshape(len(texts), -1)
    return present @ weights / weights.sum()


@dataclass(frozen=True)
class Evidence:
    """What the composer knows about the candidate sentences; ``answerable`` turns it into a yes/no."""

    sentences: tuple[_Sentence, ...]
    score: np.ndarray  # (n_sentences,) combined score
    coverage: np.ndarray  # (n_sentences,) IDF-weighted share of question words present
    cosine: np.ndarray  # (n_sentences,) question-sentence cosine (0 where not embedded)
    top_dense: float  # best question-chunk cosine among the hits
    margin: float  # top_dense minus the mean cosine of the hits: how much the best passage stands out
    background: float  # best cosine between the question and everyday news from elsewhere (data/background.txt)
    crosslingual: bool  # the question is not written in Chinese: its words cannot be found in the corpus as such

    @property
    def best(self) -> int:
        return int(np.argmax(self.score))

    @property
    def features(self) -> np.ndarray:
        """(5,) what the answerability rule weighs: coverage, closeness beyond the background, margin, cosine, and
        whether the question is cross-lingual (then coverage is 0 by construction and the rule leans on closeness)."""
        return np.array([self.coverage.max(), self.top_dense - self.background, self.margin, self.top_dense,
                         float(self.crosslingual)])


def _sentence_vectors(sentences: list[_Sentence], embedder: Embedder, cache: dict | None) -> np.ndarray:
    """(len(sentences), dim) passage vectors, from ``cache`` where a sentence was embedded before.

    The cache is shared by the server's threads: read it once into a local dict, so a concurrent clear cannot bite.
    """
    cache = {} if cache is None else cache
    keys = [(s.article.article_id, s.start, s.end) for s in sentences]
    found = {k: cache.get(k) for k in keys}
    todo = [i for i, k in enumerate(keys) if found[k] is None]
    if todo:
        fresh = embedder.encode_passages([sentences[i].text[:_MAX_SENTENCE_CHARS] for i in todo])
        new = {keys[i]: v for i, v in zip(todo, fresh)}
        found.update(new)
        if len(cache) + len(new) > _CACHE_LIMIT:
            cache.clear()  # crude but bounded: a long-running server must not grow without limit
        cache.update(new)
    return np.stack([found[k] for k in keys])


def background_passages() -> list[str]:
    """Everyday news from far outside any one local corpus: what an unanswerable question tends to be close to."""
    text = resources.files("assistant").joinpath("data/background.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


_background: dict[str, np.ndarray] = {}


def background_vectors(embedder: Embedder) -> np.ndarray:
    """(n, dim) passage vectors of ``background_passages()``, embedded once per model in this process."""
    if embedder.model_id not in _background:
        _background[embedder.model_id] = embedder.encode_passages(background_passages())
    return _background[embedder.model_id]


_calibrations: dict[str, Calibration] = {}


def calibration_for(embedder: Embedder) -> Calibration:
    """The model's stored calibration, or one measured from the model on the background passages (once a process)."""
    if embedder.model_id not in _calibrations:
        found = load_calibration(getattr(embedder, "name", embedder.model_id), getattr(embedder, "folder", None))
        if found is None:
            texts = background_passages()
            found = estimate(embedder.encode_queries(texts), background_vectors(embedder))
        _calibrations[embedder.model_id] = found
    return _calibrations[embedder.model_id]


def assess(question: str, hits: list[Hit], lexical: LexicalIndex, embedder: Embedder, calibration: Calibration,
           query_vector: np.ndarray | None = None, cache: dict | None = None,
           background: np.ndarray | None = None) -> Evidence | None:
    """Score the sentences of the retrieved chunks against ``question``; None when nothing was retrieved."""
    sentences = _candidates(hits)
    if not sentences:
        return None
    crosslingual = is_crosslingual(question)
    terms = query_terms(question)
    if crosslingual:  # only the glossary's Chinese words can be found in the corpus
        terms = [t for t in terms if CJK.match(t)]
    # single characters match almost anywhere as substrings: they count for little
    weights = lexical.idf(terms) * np.array([1.0 if len(t) > 1 else 0.3 for t in terms], dtype=np.float32)
    texts = [s.text for s in sentences]
    coverage = _coverage(terms, weights, texts)
    title_cov = _coverage(terms, weights, [s.article.title for s in sentences])
    qv = embedder.encode_queries([question]) if query_vector is None else query_vector.reshape(1, -1)
    # Embedding sentences costs time at question time: only the most promising few, by coverage then retrieval rank.
    promise = coverage + np.array([0.1 / (1 + s.article_rank) for s in sentences], dtype=np.float32)
    order = np.argsort(-promise, kind="stable")[:_MAX_SENTENCES]
    cosine = np.zeros(len(sentences), dtype=np.float32)
    cosine[order] = _sentence_vectors([sentences[i] for i in order], embedder, cache) @ qv[0]
    closeness = np.clip((cosine - calibration.cos_floor) / calibration.cos_span, 0.0, 1.0)
    rank_bonus = np.array([0.05 / (1 + s.article_rank) for s in sentences], dtype=np.float32)
    lexical_part = np.maximum(coverage, 0.5 * coverage + 0.5 * title_cov * (coverage > 0))
    score = 0.6 * lexical_part + 0.4 * closeness + rank_bonus
    dense = np.array([h.dense_score or 0.0 for h in hits], dtype=np.float32)
    bg = float((background @ qv[0]).max()) if background is not None and len(background) else 0.0
    return Evidence(tuple(sentences), score, coverage, cosine, float(dense.max()), float(dense.max() - dense.mean()),
                    bg, crosslingual)


def answerable(e: Evidence, calibration: Calibration) -> bool:
    """``answer_bias + answer_weights . features >= 0``, fitted on the dev sets (bench/calibrate.py prints the fit).

    In words: the corpus answers when the question's own words are found together in a sentence, or when a passage
    is closer in meaning to the question than everyday news from elsewhere is, and stands out from the other hits.
    """
    z = calibration.answer_bias + float(np.dot(calibration.answer_weights, e.features))
    return z >= 0.0


def compose(question: str, hits: list[Hit], lexical: LexicalIndex, embedder: Embedder, settings: Settings,
            calibration: Calibration,
            *, query_vector: np.ndarray | None = None, cache: dict | None = None,
            background: np.ndarray | None = None, force: bool = False) -> Answer:
    """Build the answer to ``question`` (already resolved against the conversation) from ``hits``.

    ``force`` skips the answerability rule: the caller has already found the article that answers (the newest or
    oldest relevant report) and only the sentence is still to choose.

    ``cache`` maps (article_id, start, end) to sentence vectors across questions; pass one dict per index.
    ``background`` holds the passage vectors of ``background_passages()`` (embed them once per model).
    """
    e = assess(question, hits, lexical, embedder, calibration, query_vector, cache, background)
    if e is None or not (force or answerable(e, calibration)):
        return Answer(question=question, text=NO_ANSWER, refused=True, hits=tuple(hits))
    return _render(question, _choose(question, e), hits, settings)


def _choose(question: str, e: Evidence) -> list[list[_Sentence]]:
    """Groups of sentences to cite, one group per article, best article first."""
    sentences, score, coverage, best = e.sentences, e.score, e.coverage, e.best
    top = score[best]
    per_article: dict[str, int] = {}
    for i in np.argsort(-score, kind="stable"):
        per_article.setdefault(sentences[i].article.article_id, int(i))
    if is_list_question(question):
        # another article joins the list when its best sentence is nearly as good and covers nearly as much
        picked = [i for i in per_article.values()
                  if score[i] >= 0.85 * top and coverage[i] >= 0.85 * coverage[best] and coverage[i] > 0]
        if len(picked) > 1:
            return [[sentences[i]] for i in picked]
    first = sentences[best]
    group = [first]
    if is_list_question(question) or _DETAIL_QUESTION.search(question):
        group += _enumeration_after(first)
        if len(group) == 1 and first.start == _first_sentence_start(first.article):
            # a news lead announces what happened; the details the question asks for follow it
            group += _next_sentence(first)
    return [group]


def _first_sentence_start(article: Article) -> int:
    spans = sentence_spans(article.text, 0, min(len(article.text), 400))
    return spans[0][0] if spans else 0


def _next_sentence(first: _Sentence) -> list[_Sentence]:
    spans = sentence_spans(first.article.text, first.end, min(len(first.article.text), first.end + 400))
    return [_Sentence(first.article, first.article_rank, *spans[0])] if spans else []


def _enumeration_after(first: _Sentence, limit: int = 4) -> list[_Sentence]:
    """Sentences of the same paragraph that continue an enumeration begun by ``first`` (要…。…。要…。)."""
    text = first.article.text
    para_end = text.find("\n", first.end)
    para_end = len(text) if para_end < 0 else para_end
    out = []
    for s, e in sentence_spans(text, first.end, para_end):
        if len(out) >= limit:
            break
        if _ENUMERATION.match(text[s:e]):  # the items; the sentences that elaborate on one item are skipped
            out.append(_Sentence(first.article, first.article_rank, s, e))
    return out


def _render(question: str, groups: list[list[_Sentence]], hits: list[Hit], settings: Settings) -> Answer:
    citations: list[Citation] = []
    lines: list[str] = []
    for group in groups:
        if len(citations) >= settings.max_citations:
            break
        parts = []
        for s in group[: settings.max_citations - len(citations)]:
            citations.append(cite(len(citations) + 1, s.article, s.start, s.end))
            parts.append(f"{s.text}[{len(citations)}]")
        lines.append((parts, group[0].article))
    if len(lines) > 1:
        body = [f"共找到 {len(lines)} 篇相关报道："]
        body += [f"{i}. {frame(a)}：{''.join(parts)}" for i, (parts, a) in enumerate(lines, 1)]
        text = "\n".join(body)
    else:
        parts, a = lines[0]
        text = f"据{frame(a)}报道：" + "".join(parts)
    return Answer(question=question, text=text, refused=False, citations=tuple(citations), hits=tuple(hits))
