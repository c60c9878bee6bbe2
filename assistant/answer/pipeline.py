"""The one answer pipeline: question -> resolved -> time and kind -> hits -> answer.

``answer`` is the only path from a question to an ``Answer``: the service (CLI and web), ``eval`` and every bench call
it, so what is measured is what users get.  After the conversation has resolved the question:

* its time is read (``timeexpr.parse_time``) against the reference day: ``settings.today`` (default the real today),
  or the archive's newest day when the archive ends earlier — the archive's "now" is its last day;
* a question about a reporter's work (``bylines``) is answered by an exact scan of the credits;
* a list question (``lists``) lists every relevant article in the period, counted and in date order;
* 最近一次/最新 and 第一次/头一回 answer from the newest or oldest relevant article;
* anything else is retrieved (restricted to the period when the question names one) and composed.
When the period holds nothing relevant, the answer says so and lists the nearest reports outside it as ``related``.

``Answerer`` holds what answering needs besides the question: an index, the embedder, the settings, and the caches that
go with that index (sentence vectors, the credits scan, the archive's dates).
Left out: loading indexes and reacting to rebuilds (``service``), formatting (the shells).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace

import numpy as np

from ..config import Settings
from ..index.search import Period, SearchIndex
from ..model import Embedder
from ..model.calibration import Calibration
from ..timeexpr import Order, TimeAsk, describe, iso_period, parse_time
from ..types import Answer, Hit
from .bylines import Credits, byline_answer
from .compose import NO_ANSWER, background_vectors, calibration_for, compose
from .conversation import Conversation
from .crosslingual import expand
from .lists import cite, frame, is_list_question, list_answer, relevant_articles
from .query import clean_question
from .retrieve import retrieve

_YEARS_BACK = 3  # a yearless 7月28日 is looked for in up to this many earlier years when the latest one holds nothing
_RELATED = 3  # nearest reports shown beside an empty period
_OUTSIDE_COVERAGE = 0.5  # IDF-weighted share of the question's words a report outside the period must hold


@dataclass
class Answerer:
    """Everything a question is answered against.  Cheap to make; the caches fill as questions come."""

    index: SearchIndex
    embedder: Embedder
    settings: Settings
    # (article_id, start, end) -> sentence vector: sentences come up again across questions
    sentence_cache: dict = field(default_factory=dict)

    def background(self) -> np.ndarray:
        return background_vectors(self.embedder)

    @property
    def calibration(self) -> Calibration:
        return calibration_for(self.embedder)

    @functools.cached_property
    def credits(self) -> Credits:
        return Credits.scan(self.index.articles)

    @functools.cached_property
    def article_rows(self) -> dict[str, np.ndarray]:
        """article id -> its chunk rows, int64."""
        rows: dict[str, list[int]] = {}
        for i, c in enumerate(self.index.chunks):
            rows.setdefault(c.article_id, []).append(i)
        return {k: np.array(v, dtype=np.int64) for k, v in rows.items()}

    @functools.cached_property
    def newest(self) -> dt.date | None:
        """The archive's newest publication day."""
        days = self.index.chunk_dates[:, 0] if len(self.index.chunks) else np.zeros(0, np.int64)
        top = int(days.max()) if len(days) else 0
        return dt.date(top // 10000, top // 100 % 100, top % 100) if top else None

    @property
    def reference(self) -> dt.date:
        """The day relative expressions count from: today, or the archive's newest day when it ends earlier."""
        today = dt.date.fromisoformat(self.settings.today) if self.settings.today else dt.date.today()
        return min(today, self.newest) if self.newest else today


def _period(ask: TimeAsk) -> Period | None:
    if ask.period is None:
        return None
    a, b = ask.period
    return int(a.strftime("%Y%m%d")), int(b.strftime("%Y%m%d"))


def _fit_year(ask: TimeAsk, index: SearchIndex) -> TimeAsk:
    """A yearless date that the archive does not hold in its latest year moves back a year at a time, while one holds it."""
    if not ask.yearless:
        return ask
    for n in range(_YEARS_BACK + 1):
        moved = ask.years_back(n)
        if len(index.rows_in(_period(moved))):
            return moved
    return ask


def _outside(question: str, query: str, ask: TimeAsk, answerer: Answerer, qv: np.ndarray) -> Answer:
    """The period holds nothing that answers: say so, and list the nearest relevant reports outside it as related."""
    found = relevant_articles(answerer.index, query, qv, None)
    first, last = ask.period
    # outside the period only reports that hold most of the question's words: a near miss, not any mention
    # full dates only: a report dated 07-21 (no year known) is at no distance from the period
    dated = [r for r in found if r.article.date and len(r.article.date) == 10 and r.coverage >= _OUTSIDE_COVERAGE]

    def distance(r) -> int:
        d = dt.date.fromisoformat(r.article.date)
        return 0 if first <= d <= last else min(abs((d - first).days), abs((d - last).days))

    nearest = sorted(dated, key=distance)[:_RELATED]
    if nearest:
        text = (f"{describe(ask.period)}的新闻中没有找到与这个问题相关的报道。时间范围之外最接近的报道"
                "（不在所问时间内，仅供参考）：" + "；".join(frame(r.article) for r in nearest))
    else:
        text = NO_ANSWER  # nothing near it at any time either
    related = tuple(cite(i, r.article, r.start, r.end) for i, r in enumerate(nearest, 1))
    return Answer(question=question, text=text, refused=True, related=related,
                  notice=f"只查找了{describe(ask.period)}的报道", period=iso_period(ask.period))


def _article_hits(answerer: Answerer, article_id: str, qv: np.ndarray) -> list[Hit]:
    """Every chunk of one article as hits, closest to the question first."""
    index = answerer.index
    rows = answerer.article_rows[article_id]
    cos = index.vectors(rows) @ qv[0]  # (len(rows),)
    order = np.argsort(-cos, kind="stable")
    article = index.articles[article_id]
    return [Hit(chunk=index.chunks[int(rows[i])], article=article, score=float(cos[i]), dense_rank=r + 1,
                dense_score=float(cos[i])) for r, i in enumerate(order.tolist())]


def answer(question: str, answerer: Answerer, conversation: Conversation | None = None) -> Answer:
    """Answer ``question``; with a ``conversation``, resolve it against earlier turns and record this turn."""
    settings = answerer.settings
    text = clean_question(question, settings.max_question_chars)
    resolved = conversation.resolve(text) if conversation is not None else text
    query = expand(resolved)  # an English question also carries Chinese words for its terms
    result = _answer(query, answerer)
    result = replace(result, question=question, resolved_question=resolved if resolved != text else None)
    if conversation is not None:
        conversation.record(text, resolved, result)
    return result


def _answer(query: str, answerer: Answerer) -> Answer:
    settings, index = answerer.settings, answerer.index
    name = answerer.credits.reporter_in(query)
    if name is not None:
        return byline_answer(query, name, answerer.credits, index.articles)
    # an archive without a single date cannot be searched by period: 「今年以来…」 is then part of the topic
    ask = (_fit_year(parse_time(query, answerer.reference), index) if answerer.newest is not None
           else TimeAsk(None, Order.ANY, query))
    period = _period(ask)
    topic = ask.rest if ask.period is not None or ask.order is not Order.ANY else query
    qv = answerer.embedder.encode_queries([topic])  # (1, dim), unit norm: shared by retrieval and composition
    named = ask.period is not None and ask.period[0].year > 1900  # the question named the period (not only "so far")
    notice = dict(notice=f"按{describe(ask.period)}的报道回答", period=iso_period(ask.period)) if named else {}

    if is_list_question(query) or ask.order is not Order.ANY:
        found = relevant_articles(index, topic, qv, period, strict=ask.order is not Order.ANY)
        if not found and named:
            return _outside(query, topic, ask, answerer, qv)
        if ask.order is not Order.ANY and found:
            pick = max if ask.order is Order.NEWEST else min
            best = pick((r for r in found if r.article.date and len(r.article.date) == 10), key=lambda r: r.article.date,
                        default=found[0])
            hits = _article_hits(answerer, best.article.article_id, qv)
            result = compose(topic, hits[: settings.top_k], index.lexical, answerer.embedder, settings,
                             answerer.calibration, query_vector=qv, cache=answerer.sentence_cache,
                             background=answerer.background(), force=True)
            which = "最新" if ask.order is Order.NEWEST else "最早"
            return replace(result, notice=f"{which}的相关报道：{frame(best.article)}", **(
                {"period": iso_period(ask.period)} if named else {}))
        if len(found) > 1:
            return replace(list_answer(query, found), **notice)

    hits = retrieve(index, answerer.embedder, topic, settings, k=settings.top_k * 4, query_vector=qv, period=period)
    result = compose(topic, hits[: settings.top_k * 2], index.lexical, answerer.embedder, settings,
                     answerer.calibration, query_vector=qv, cache=answerer.sentence_cache,
                     background=answerer.background())
    if result.refused and named:
        return _outside(query, topic, ask, answerer, qv)
    return replace(result, **notice)
