"""Hits -> Answer: an extractive, grounded answer whose every statement is a corpus sentence followed by ``[n]``.

Nothing is generated: each line of an answer is a sentence copied from an article (with at most a short frame such as
the headline and date), and each ``[n]`` names a ``Citation`` whose offsets satisfy ``article.text[start:end] == text``.

How sentences are chosen (all arrays over the candidate sentences, a few dozen at most):

* coverage  — the IDF-weighted share of the question's content words found in the sentence (a word the corpus never
  saw counts with the highest IDF, so 「郑州明天会下雨吗」 is not "covered" by a sentence that merely names 郑州);
* closeness — the cosine between the question and the sentence from the same embedding model, scaled to [0, 1];
* score     = 0.6 * coverage + 0.4 * closeness, plus a little for the article's retrieval rank.

The corpus is judged to hold no answer when neither the best coverage nor the best cosine reaches its threshold
(``Settings.min_support`` / ``Settings.min_dense_score``, calibrated on the dev sets; bench/calibrate.py).  A question
that asks for a list (哪些, 哪几, 几篇…) lists every article whose best sentence scores near the best one, each with its
headline and date; a question about one article may take the enumerated sentences that follow its best sentence
(要…。要…。) when it asks for several things.
Left out: generative rewriting (no language model is available offline here), cross-article de-duplication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .chunking import sentence_spans
from .config import Settings
from .embedding import Embedder
from .lexical import LexicalIndex, query_terms
from .retriever import group_by_article
from .types import Answer, Article, Citation, Hit

NO_ANSWER = "抱歉，新闻库中没有找到能回答这个问题的内容。您可以换个说法，或询问本地新闻报道过的人物、活动和工作。"

_LIST_QUESTION = re.compile(r"哪些|哪几|几篇|哪篇|有几|都有|列出|所有|分别|多少篇|哪些人|which|list", re.IGNORECASE)
_ENUMERATION = re.compile(r"^(要|一是|二是|三是|四是|五是|同时|此外|另外|并|还要|其次|最后|第[一二三四五六七八九十])")
_MAX_ARTICLES = 8  # candidate articles examined
_MAX_SENTENCES = 48  # candidate sentences embedded at question time
_COS_FLOOR, _COS_SPAN = 0.75, 0.15  # e5 cosines of unrelated/related text sit around 0.75 / 0.90


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


def compose(question: str, hits: list[Hit], lexical: LexicalIndex, embedder: Embedder, settings: Settings,
            *, query_vector: np.ndarray | None = None) -> Answer:
    """Build the answer to ``question`` (already resolved against the conversation) from ``hits``."""
    sentences = _candidates(hits)
    if not sentences:
        return Answer(question=question, text=NO_ANSWER, refused=True, hits=tuple(hits))
    terms = query_terms(question)
    # single characters match almost anywhere as substrings: they count for little
    weights = lexical.idf(terms) * np.array([1.0 if len(t) > 1 else 0.3 for t in terms], dtype=np.float32)
    texts = [s.text for s in sentences]
    coverage = _coverage(terms, weights, texts)
    title_cov = _coverage(terms, weights, [s.article.title for s in sentences])
    qv = embedder.encode_queries([question]) if query_vector is None else query_vector.reshape(1, -1)
    order = np.argsort(-coverage, kind="stable")[:_MAX_SENTENCES]  # embed only the most promising sentences
    cosine = np.zeros(len(sentences), dtype=np.float32)
    cosine[order] = embedder.encode_passages([texts[i] for i in order]) @ qv[0]
    closeness = np.clip((cosine - _COS_FLOOR) / _COS_SPAN, 0.0, 1.0)
    rank_bonus = np.array([0.05 / (1 + s.article_rank) for s in sentences], dtype=np.float32)
    score = 0.6 * np.maximum(coverage, 0.5 * coverage + 0.5 * title_cov * (coverage > 0)) + 0.4 * closeness + rank_bonus

    top_dense = max((h.dense_score or 0.0) for h in hits)
    best = int(np.argmax(score))
    if coverage.max() < settings.min_support and top_dense < settings.min_dense_score:
        return Answer(question=question, text=NO_ANSWER, refused=True, hits=tuple(hits))

    chosen = _choose(question, sentences, score, coverage, best)
    return _render(question, chosen, hits, settings)


def _choose(question: str, sentences: list[_Sentence], score: np.ndarray, coverage: np.ndarray,
            best: int) -> list[list[_Sentence]]:
    """Groups of sentences to cite, one group per article, best article first."""
    top = score[best]
    per_article: dict[str, int] = {}
    for i in np.argsort(-score, kind="stable"):
        per_article.setdefault(sentences[i].article.article_id, int(i))
    if is_list_question(question):
        picked = [i for i in per_article.values() if score[i] >= 0.8 * top and coverage[i] > 0]
        if len(picked) > 1:
            return [[sentences[i]] for i in picked]
    first = sentences[best]
    group = [first]
    if is_list_question(question) or re.search(r"什么|怎样|如何|要求|措施", question):
        group += _enumeration_after(first)
    return [group]


def _enumeration_after(first: _Sentence, limit: int = 4) -> list[_Sentence]:
    """Sentences of the same paragraph that continue an enumeration begun by ``first`` (要…。要…。)."""
    text = first.article.text
    para_end = text.find("\n", first.end)
    para_end = len(text) if para_end < 0 else para_end
    out = []
    for s, e in sentence_spans(text, first.end, para_end):
        if len(out) >= limit or not _ENUMERATION.match(text[s:e]):
            break
        out.append(_Sentence(first.article, first.article_rank, s, e))
    return out


def _frame(article: Article) -> str:
    return f"《{article.title}》" + (f"（{article.date}）" if article.date else "")


def _render(question: str, groups: list[list[_Sentence]], hits: list[Hit], settings: Settings) -> Answer:
    citations: list[Citation] = []
    lines: list[str] = []
    for group in groups:
        if len(citations) >= settings.max_citations:
            break
        parts = []
        for s in group[: settings.max_citations - len(citations)]:
            a = s.article
            citations.append(Citation(n=len(citations) + 1, article_id=a.article_id, title=a.title, date=a.date,
                                      reporters=a.reporters, source=a.source, start=s.start, end=s.end, text=s.text,
                                      page=a.page))
            parts.append(f"{s.text}[{len(citations)}]")
        lines.append((parts, group[0].article))
    if len(lines) > 1:
        body = [f"共找到 {len(lines)} 篇相关报道："]
        body += [f"{i}. {_frame(a)}：{''.join(parts)}" for i, (parts, a) in enumerate(lines, 1)]
        text = "\n".join(body)
    else:
        parts, a = lines[0]
        text = f"据{_frame(a)}报道：" + "".join(parts)
    return Answer(question=question, text=text, refused=False, citations=tuple(citations), hits=tuple(hits))
