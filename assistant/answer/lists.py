"""Every article that answers a question, not the top few chunks: for list questions and for 最近一次/第一次.

``relevant_articles`` takes generous candidates from both retrievers (``CANDIDATES`` chunks each, restricted to the
period), then keeps an article only when the question's topic is *in* it: the IDF-weighted share of the question's
content words found in the article's headline and text must reach ``RELATIVE_COVERAGE`` of the second-best candidate's share
(of the best one's when one article is to be picked by its date, leaving the question's verbs out: the
newest report *of* the reserves need not say 公布)
(relative, because a question's own scaffolding — 这段时间, 那阵子 — is in no article and must not fail them all).
The threshold is fitted on the calib split of bench/data/archive_dev.jsonl (bench/devset.py).  Each kept article
carries its supporting sentence: the sentence covering most of the question's words, earliest on ties.

``list_answer`` renders them counted and in date order (newest first), each with headline, date, sentence and ``[n]``;
every article is cited, whatever ``max_citations`` says (a list that stops at six is not the list asked for).
Left out: de-duplicating the same story from two outlets (both are reports, both are listed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .asks import without_interrogatives
from ..index.lexical import posseg, presence, query_terms, term_weights
from ..index.search import Period, SearchIndex
from ..text import sentence_spans
from ..types import Answer, Article, Citation

CANDIDATES = 300  # chunks per retriever: the longest dev list has 10 articles, a newsroom's rarely more than 50
# fitted on the calib split: at 0.75 three of its four lists pass (0.8 two, 0.7 and below pull in too many others)
RELATIVE_COVERAGE = 0.75
LIST_LIMIT = 200  # articles listed at most: beyond that a list is no longer read, the count still says how many
_LIST_ASK = re.compile(r"哪些|哪几|几篇|多少篇|几条|列出|所有|which|list", re.IGNORECASE)
# what a list of reports is asked with; 「…提出了哪些要求」 asks what one report says, and compose answers that
_REPORTS = re.compile(r"报道|新闻|消息|文章|稿|报过|播过|播了|提到|提及|reports?|news|articles?", re.IGNORECASE)


def asks_for_reports(question: str) -> bool:
    """Whether ``question`` asks for reports or news (「…有什么新闻？」, 「报道过…」): then it names its own topic."""
    return bool(_REPORTS.search(question))


def is_list_question(question: str, period: bool = False) -> bool:
    """Whether ``question`` asks for the reports of something (「…有哪些报道」, 「新闻里报过哪些…」); with ``period``
    (the question names one), any 哪些/哪几 does: 「6月份习近平给哪些人回过信？」 is answered by each report of the month."""
    return bool(_LIST_ASK.search(question)) and (period or asks_for_reports(question))


@dataclass(frozen=True)
class Relevant:
    """An article that answers, the sentence that shows it, and how much of the question it covers."""

    article: Article
    start: int
    end: int
    coverage: float


def _best_sentence(article: Article, terms: list[str], weights: np.ndarray) -> tuple[int, int, float]:
    best = (0, 0, -1.0)
    for s, e in sentence_spans(article.text):
        text = article.text[s:e].lower()
        score = float(sum(w * presence(t, text) for t, w in zip(terms, weights)))
        if score > best[2]:
            best = (s, e, score)
    return best


def relevant_articles(index: SearchIndex, query: str, query_vector: np.ndarray, period: Period | None,
                      relative: float = RELATIVE_COVERAGE, strict: bool = False) -> list[Relevant]:
    """Articles (in ``period``) whose headline and text hold the question's topic, best coverage first."""
    # the newest/oldest report *of* something (``strict``): the thing is named by the question's topic words, not by
    # what it asks about the report (「…是什么时候？当时说了什么？」: 时候, 当时) nor by its verbs (below)
    terms = query_terms(without_interrogatives(query) if strict else query)
    tags = posseg().dt.word_tag_tab
    if strict:
        terms = [t for t in terms if tags.get(t, "") != "t"] or terms
    if not terms:
        return []
    dense_rows, _ = index.search_dense(query_vector, CANDIDATES, period)
    lexical_rows, _ = index.search_lexical(query, CANDIDATES, period)
    ids = dict.fromkeys(index.chunks[r].article_id for r in np.concatenate([lexical_rows, dense_rows]).tolist())
    if not ids:
        return []
    weights = term_weights(terms, index.lexical)
    if strict:
        # the newest/oldest report *of* something: what it is about is said by the question's nouns; its verbs
        # (「最新一期公布的外汇储备」: 公布) describe the reporting, which a report of the thing may word otherwise
        verb = np.array([tags.get(t, "").startswith("v") and tags.get(t, "") != "vn" for t in terms])
        if not verb.all():
            weights = np.where(verb, 0.0, weights).astype(np.float32)
    total = float(weights.sum()) or 1.0
    articles = [index.articles[a] for a in ids]
    # (n_articles, n_terms) presence of each term in headline + text, a long word by its share of character pairs:
    # 枪击案 is half present in a report of a 枪击事件, which is still a report of a shooting
    present = np.array([[presence(t, f"{a.title}\n{a.text}".lower()) for t in terms] for a in articles],
                       dtype=np.float32)
    coverage = present @ weights / total
    # For a list the bar is set by the second-best candidate: one report that happens to repeat the question's exact
    # wording (枪击案 where the others say 枪击) must not raise it above every other report of the same thing.  For
    # the newest/oldest report (``strict``) by the best: one loose match picked for its date is a wrong answer.
    top = float(coverage.max())
    if not strict and len(coverage) > 1:
        top = float(np.sort(coverage)[-2]) or top  # (one candidate alone covers anything: its share is the bar)
    if top <= 0:
        return []
    keep = np.flatnonzero(coverage >= relative * top)
    keep = keep[np.argsort(-coverage[keep], kind="stable")]
    out = []
    for i in keep.tolist():
        s, e, _ = _best_sentence(articles[i], terms, weights)
        out.append(Relevant(articles[i], s, e, float(coverage[i])))
    return out


def articles_in(index: SearchIndex, period: Period) -> list[Relevant]:
    """Every article published or filed in ``period``, each with its lead sentence: the answer to 「6月5日有哪些新闻」,
    a question with a period and no topic."""
    rows = index.rows_in(period)
    ids = dict.fromkeys(index.chunks[r].article_id for r in rows.tolist())
    return [Relevant(index.articles[a], *lead(index.articles[a]), 1.0) for a in ids]


def lead(article: Article) -> tuple[int, int]:
    """The offsets of an article's first sentence (its first 80 characters when no sentence ends in its first 400)."""
    spans = sentence_spans(article.text, 0, min(len(article.text), 400))
    return spans[0] if spans else (0, min(len(article.text), 80))


def by_date(found: list[Relevant], newest_first: bool = True) -> list[Relevant]:
    """Date order (articles without a full date, e.g. 07-21 with no year known, last), ties by coverage."""
    full = [r.article.date is not None and len(r.article.date) == 10 for r in found]
    dated = sorted((r for r, f in zip(found, full) if f), key=lambda r: (r.article.date, r.coverage),
                   reverse=newest_first)
    return dated + [r for r, f in zip(found, full) if not f]


def cite(n: int, article: Article, start: int, end: int) -> Citation:
    return Citation(n=n, article_id=article.article_id, title=article.title, date=article.date,
                    reporters=article.reporters, source=article.source, start=start, end=end,
                    text=article.text[start:end], page=article.page, filed=article.filed)


def frame(article: Article) -> str:
    return f"《{article.title}》" + (f"（{cn_date(article.date)}）" if article.date else "")


def cn_date(iso: str) -> str:
    """"2024-06-02" -> "2024年6月2日" (how the question and the reader write a day); anything else unchanged."""
    parts = iso.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[0])}年{int(parts[1])}月{int(parts[2])}日"
    return iso


def list_answer(question: str, found: list[Relevant], what: str = "相关报道") -> Answer:
    """「共 N 篇…，按时间排列（新的在前）：」 then one numbered line per article, each ending in its ``[n]``."""
    found = by_date(found)[:LIST_LIMIT]
    citations = tuple(cite(i, r.article, r.start, r.end) for i, r in enumerate(found, 1))
    lines = [f"共找到 {len(found)} 篇{what}，按时间排列（新的在前）："]
    lines += [f"{c.n}. {frame(r.article)}：{c.text}[{c.n}]" for c, r in zip(citations, found)]
    return Answer(question=question, text="\n".join(lines), refused=False, citations=citations)
