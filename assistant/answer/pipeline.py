"""The one answer pipeline: question -> resolved -> time and kind -> hits -> answer.

``answer`` is the only path from a question to an ``Answer``: the service (CLI and web), ``eval`` and every bench call
it, so what is measured is what users get.  After the conversation has resolved the question:

* its time is read (``timeexpr.parse_time``) against the reference day: ``settings.today`` (default the real today),
  or the archive's newest day when the archive ends earlier — the archive's "now" is its last day; a number asked
  about a week or longer is also looked for in the reports after it (``_figure_of``);
* a question about a reporter's work (``bylines``) is answered by an exact scan of the credits;
* a list question (``lists``) lists every relevant article in the period, counted and in date order; one whose
  only topic is its period (「6月5日有哪些新闻？」) lists every article of the period;
* 最近一次/最新 and 第一次/头一回 answer from the newest or oldest relevant article;
* anything else is retrieved (restricted to the period when the question names one), weighed (``evidence``: refused
  when the no-answer rule says the archive does not answer) and composed (``compose``: the answering sentences).
When the period holds nothing relevant, the answer says so and lists the nearest reports outside it as ``related``.

``Answerer`` holds what answering needs besides the question: an index, the embedder, the settings, and the caches that
go with that index (sentence vectors, the archive's typical passages, the calibration, the credits scan, the dates).
Left out: loading indexes and reacting to rebuilds (``service``), formatting (the shells).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace

import numpy as np

from ..config import Settings
from ..index.lexical import query_terms
from ..index.search import Period, SearchIndex
from ..model import Embedder
from ..model.calibration import Calibration, estimate, fitted_shape, load_calibration
from ..timeexpr import Order, TimeAsk, describe, iso_period, parse_time
from ..types import Answer, Hit
from .bylines import Credits, byline_answer
from .asks import Want, analyse, unheld
from .compose import NO_ANSWER, compose, near_miss, refusal
from .evidence import POOL, Background, Evidence, SentenceVectors, answerable, assess
from .conversation import Conversation
from .crosslingual import NEIGHBOURS, expand, is_crosslingual
from .lists import articles_in, cite, frame, is_list_question, list_answer, relevant_articles
from .query import clean_question
from .retrieve import retrieve

FIGURE_LAG = 45  # days after a period in which its figures are published (monthly statistics: mid next month)
_YEARS_BACK = 3  # a yearless 7月28日 is looked for in up to this many earlier years when the latest one holds nothing
_RELATED = 3  # nearest reports shown beside an empty period
# IDF-weighted share of the question's words that a report must hold to be a near answer: inside a named period
# (answered from even when the no-answer rule hesitates: a period's few reports are all alike, nothing stands out),
# or outside it (listed as the nearest reports)
_NEAR_COVERAGE = 0.5


@dataclass
class Answerer:
    """Everything a question is answered against.  Cheap to make; the caches fill as questions come."""

    index: SearchIndex
    embedder: Embedder
    settings: Settings

    @functools.cached_property
    def sentence_vectors(self) -> SentenceVectors:
        """Sentence vectors kept across questions: sentences come up again."""
        return SentenceVectors(self.embedder)

    @functools.cached_property
    def background(self) -> Background:
        """A fixed sample of this index's passages: what the no-answer rule compares a question's best passage with."""
        return Background(self.index)

    @functools.cached_property
    def calibration(self) -> Calibration:
        """The model's stored calibration, or one measured on this archive's own passages."""
        found = load_calibration(getattr(self.embedder, "name", self.embedder.model_id),
                                 getattr(self.embedder, "folder", None))
        if found is None and len(self.background.vectors) > 1:
            found = estimate(self.background.vectors, self.background.vectors)
        return found or fitted_shape(0.75, 0.15, "default: e5's scale")  # an archive of one passage: nothing to measure

    def evidence(self, question: str, hits: list[Hit], query_vector: np.ndarray,
                 pool: list[Hit] | None = None) -> Evidence | None:
        """What ``hits`` say about ``question`` (``evidence.assess``) with this index's caches."""
        return assess(analyse(question), hits, self.index.lexical, self.embedder, self.calibration, query_vector,
                      self.sentence_vectors, self.background, pool)

    def expand(self, question: str) -> str:
        """``question`` with the Chinese terms of its English phrases (``crosslingual.expand``), each sense chosen by
        the passages the question retrieves in this index."""
        def neighbours(query: str) -> list[str]:
            return [h.chunk.text for h in retrieve(self.index, self.embedder, query, self.settings, k=NEIGHBOURS)]

        return expand(question, neighbours, self.background.texts)

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
    dated = [r for r in found if r.article.date and len(r.article.date) == 10 and r.coverage >= _NEAR_COVERAGE]

    def distance(r) -> int:
        d = dt.date.fromisoformat(r.article.date)
        return 0 if first <= d <= last else min(abs((d - first).days), abs((d - last).days))

    nearest = sorted((r for r in dated if distance(r) > 0), key=distance)[:_RELATED]
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
    query = answerer.expand(resolved)  # an English question also carries Chinese words for its terms
    result = _answer(query, answerer)
    result = replace(result, question=question, resolved_question=resolved if resolved != text else None)
    if conversation is not None:
        conversation.record(text, resolved, result)
    return result


@dataclass(frozen=True)
class Reading:
    """A question read for retrieval: its time ask, the period to search, the topic left once time is taken out,
    the topic's query vector (shared by retrieval and composition), and whether the question named the period."""

    ask: TimeAsk
    period: Period | None
    topic: str
    query_vector: np.ndarray  # (1, dim), unit norm
    named: bool


def read(query: str, answerer: Answerer) -> Reading:
    # an archive without a single date cannot be searched by period: 「今年以来…」 is then part of the topic
    ask = (_fit_year(parse_time(query, answerer.reference), answerer.index) if answerer.newest is not None
           else TimeAsk(None, Order.ANY, query))
    topic = ask.rest if ask.period is not None or ask.order is not Order.ANY else query
    if ask.period is not None and ask.order is Order.ANY and analyse(query).want is Want.NUMBER:
        ask, topic = _figure_of(ask, answerer), query
    named = ask.period is not None and ask.period[0].year > 1900  # the question named the period (not only "so far")
    return Reading(ask, _period(ask), topic, answerer.embedder.encode_queries([topic]), named)


def _figure_of(ask: TimeAsk, answerer: Answerer) -> TimeAsk:
    """A figure of a period is published after it: 「4月份的指数」 comes out in May, 「截至2023年底的党员人数」 in 2024.

    A question asking for a number about a week or longer is searched from the period's start to ``FIGURE_LAG`` days
    after its end (at most to the reference day), with the period's words kept in the topic so that reports naming the
    period rank first; 「截至…」 (a period "so far") is not restricted at all.  A single day (「7月31日…几人死亡」)
    keeps its day.
    """
    first, last = ask.period
    if first.year <= 1900:
        return replace(ask, period=None)
    if (last - first).days < 6:
        return ask
    return replace(ask, period=(first, min(last + dt.timedelta(days=FIGURE_LAG), max(last, answerer.reference))))


def evidence_for(reading: Reading, answerer: Answerer) -> tuple[list[Hit], Evidence | None]:
    """The hybrid hits for a question's topic in its period, and what they say about it (bench/calibrate.py fits the
    no-answer rule on exactly these)."""
    settings = answerer.settings
    hits = retrieve(answerer.index, answerer.embedder, reading.topic, settings, k=max(settings.top_k * 4, POOL),
                    query_vector=reading.query_vector, period=reading.period)
    # the rule's cosine statistics come from the same number of hits whatever --top-k says
    return hits, answerer.evidence(reading.topic, hits[: settings.top_k * 2], reading.query_vector, hits[:POOL])


def _answer(query: str, answerer: Answerer) -> Answer:
    name = answerer.credits.reporter_in(query)
    if name is not None:
        return byline_answer(query, name, answerer.credits, answerer.index.articles)
    reading = read(query, answerer)
    if reading.named and is_list_question(query) and not query_terms(reading.topic):
        return _day_list(query, reading, answerer)  # 「6月5日有哪些新闻？」: the period is the topic
    if is_list_question(query, period=reading.named) or reading.ask.order is not Order.ANY:
        found = _reports(query, reading, answerer)
        if found is not None:
            return found
    return _composed(query, reading, answerer)


def _notice(reading: Reading) -> dict:
    """What an answer says about the period it was answered from, when the question named one."""
    return dict(notice=f"按{describe(reading.ask.period)}的报道回答", period=iso_period(reading.ask.period)) \
        if reading.named else {}


def _day_list(query: str, reading: Reading, answerer: Answerer) -> Answer:
    found = articles_in(answerer.index, reading.period)
    if not found:
        return Answer(question=query, text=f"{describe(reading.ask.period)}没有报道。", refused=True, **_notice(reading))
    return replace(list_answer(query, found, what=f"{describe(reading.ask.period)}的报道"), **_notice(reading))


def _reports(query: str, reading: Reading, answerer: Answerer) -> Answer | None:
    """Every relevant report in the period: listed, or the newest/oldest one answering; None when at most one report
    is relevant to a list question (then the question is composed like any other)."""
    ask, topic, qv = reading.ask, reading.topic, reading.query_vector
    found = relevant_articles(answerer.index, topic, qv, reading.period, strict=ask.order is not Order.ANY)
    missing = unheld(analyse(topic).entities, (r.article for r in found)) if found else []
    if missing:  # the reports have the topic but none names what the question takes for granted
        return near_miss(query, missing, [(r.article, r.start, r.end) for r in found])
    if not found and reading.named:
        return _outside(query, topic, ask, answerer, qv)
    if ask.order is not Order.ANY and found:
        pick = max if ask.order is Order.NEWEST else min
        best = pick((r for r in found if r.article.date and len(r.article.date) == 10), key=lambda r: r.article.date,
                    default=found[0])
        result = _from_article(topic, best.article.article_id, answerer, qv)
        which = "最新" if ask.order is Order.NEWEST else "最早"
        return replace(result, notice=f"{which}的相关报道：{frame(best.article)}",
                       **({"period": iso_period(ask.period)} if reading.named else {}))
    if len(found) > 1:
        return replace(list_answer(query, found), **_notice(reading))
    return None


def _from_article(topic: str, article_id: str, answerer: Answerer, qv: np.ndarray) -> Answer:
    """The answer composed from one article already chosen (no rule to pass: the caller found it relevant)."""
    hits = _article_hits(answerer, article_id, qv)[: answerer.settings.top_k]
    evidence = answerer.evidence(topic, hits, qv)
    return compose(topic, evidence, answerer.settings) if evidence is not None else refusal(topic, hits)


def _composed(query: str, reading: Reading, answerer: Answerer) -> Answer:
    """Retrieve, weigh, and compose; in a named period, answer from its most relevant report when the rule hesitates
    (a period's few reports are all alike: none stands out), or say that the period has none."""
    topic, qv = reading.topic, reading.query_vector
    hits, evidence = evidence_for(reading, answerer)
    if evidence is None or not answerable(evidence, answerer.calibration):
        result = refusal(topic, hits)
    else:
        result = compose(topic, evidence, answerer.settings)
    if result.refused and reading.named:
        # (not for a cross-lingual question: its few dictionary words are too loose to pick a report by)
        within = [] if is_crosslingual(query) else [
            r for r in relevant_articles(answerer.index, topic, qv, reading.period, strict=True)
            if r.coverage >= _NEAR_COVERAGE]
        if not within:
            return _outside(query, topic, reading.ask, answerer, qv)
        result = _from_article(topic, within[0].article.article_id, answerer, qv)
    return replace(result, **_notice(reading))
