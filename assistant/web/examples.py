"""What the chat says about its corpus: example questions, the placeholder, the title and the one-line description.

Everything is drawn from the indexed articles, so a district paper and a national broadcast archive each get questions
their own news can answer: a person the articles name with a title (or a reporter from the bylines), a topic quoted in
a headline (“红色园区”), a place the articles keep coming back to, and the busiest day.  Only the most recent
``SAMPLE`` articles are read, so a 100,000-article archive costs what a few pages cost and its examples are about its
latest news.  Pure functions of the articles: no Gradio, no model.
The web app passes ``ask``: each candidate question is asked, and kept only when its answer is about what it asks
(``fits``: a day's question cites that day's reports, a person's names the person, …; a refusal never fits); a kind
is asked in a second phrasing when the first does not fit, so the page shows no example that is refused or answered
with other news.
Left out: named-entity recognition (the patterns below find names with titles and places with administrative
suffixes; a name without a title is not found), and judging an answer beyond what its citations are about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from ..answer.conversation import people_in
from ..index.catalog import outlet_counts
from ..text import ROLES
from ..types import Answer, Article, Citation
from .dates import format_date, format_month

SAMPLE = 2000  # most recent articles read for examples
MAX_TRIES = 8  # example questions asked at most, when they are checked by asking them
DEFAULT_TITLE = "新闻问答助手"

_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,12})[”\"」]")
# A place: two to six CJK characters ending in an administrative or civic suffix, right after a word that introduces
# a place (在/到/赴 …) or a punctuation mark.  Longer runs are usually a phrase that merely ends in 区 or 村.
_PLACE = re.compile(r"(?:(?<=[在到赴于至,，、。；：\s])|(?<=来到)|(?<=走进)|(?<=深入)|(?<=位于))"
                    r"([\u4e00-\u9fff]{2,6}?(街道|社区|村|镇|乡|县|区|市|州|省))"
                    r"(?=[\u4e00-\u9fff]{0,2}[,，、。；“的开举召成有是在])")


NAMED_SHARE = 0.8  # the outlets (or sections) a title names must hold this share of the articles between them
NAMED_MOST = 3  # and be at most this many


@dataclass(frozen=True)
class CorpusFacts:
    """The corpus in a line: how many articles, which days they span, what the archive is."""

    articles: int
    first: str | None  # ISO date of the earliest dated article
    last: str | None
    names: tuple[str, ...] = ()  # the outlets (or else sections) that make up the archive, most articles first

    def period(self) -> str:
        """"2021年6月16日至6月18日", "2022年9月至2026年8月" for spans of more than two months, "" when undated."""
        if not self.first or not self.last:
            return ""
        if self.first == self.last:
            return format_date(self.first)
        if self.first[:4] != self.last[:4]:
            months = (int(self.last[:4]) - int(self.first[:4])) * 12 + int(self.last[5:7]) - int(self.first[5:7])
            if months > 2:
                return f"{format_month(self.first)}至{format_month(self.last)}"
            return f"{format_date(self.first)}至{format_date(self.last)}"
        return f"{format_date(self.first)}至{format_date(self.last, year=False)}"


def archive_names(counts: Counter, total: int) -> tuple[str, ...]:
    """The few names that hold most of ``total`` articles between them, most first; () when the archive is too
    mixed (or too much of it unnamed) for a few names to say what it is.

    {"tv.cctv.com": 57, "guancheng": 43} of 100 -> ("tv.cctv.com", "guancheng"); {"tv.cctv.com": 57} of 100 -> ().
    """
    named, covered = [], 0
    for name, n in counts.most_common(NAMED_MOST):
        named.append(name)
        covered += n
        if covered >= NAMED_SHARE * total:
            return tuple(named)
    return ()


def corpus_facts(articles: Iterable[Article]) -> CorpusFacts:
    articles = list(articles)
    # full dates only: an article dated 07-15 (no year known) has no place on the archive's time line
    dates = sorted(a.date for a in articles if a.date and len(a.date) == 10)
    names = archive_names(outlet_counts(articles), len(articles)) or archive_names(
        Counter(a.section.strip() for a in articles if a.section and a.section.strip()), len(articles))
    return CorpusFacts(len(articles), dates[0] if dates else None, dates[-1] if dates else None, names)


def title(configured: str | None, facts: CorpusFacts) -> str:
    """The configured title (--title / ASSISTANT_TITLE), else "新闻问答助手" after the outlets or sections that make
    up the archive ("news.example.cn · 新闻问答助手", "tv.cctv.com、guancheng · 新闻问答助手")."""
    if configured and configured.strip():
        return configured.strip()
    return f"{'、'.join(facts.names)} · {DEFAULT_TITLE}" if facts.names else DEFAULT_TITLE


def description(facts: CorpusFacts) -> str:
    """"根据 5 篇新闻报道（2021年6月16日至6月18日）回答问题。…"."""
    if not facts.articles:
        return "还没有可以查询的报道：请把新闻文件放进新闻目录，再更新索引。"
    span = f"（{facts.period()}）" if facts.period() else ""
    return (f"根据 {facts.articles:,} 篇新闻报道{span}回答问题。回答里每句话后面的编号 [n] 是它的出处，"
            "点击编号可以查看整篇报道和被引用的原句。")


# -- example questions -------------------------------------------------------------------------------------------------

def _recent(articles: Iterable[Article], n: int = SAMPLE) -> list[Article]:
    """The ``n`` most recent articles (undated ones after dated ones), in a stable order."""
    ordered = sorted(articles, key=lambda a: (a.date or "", a.source, a.page or 0, a.ordinal), reverse=True)
    return ordered[:n]


def _word_tag(word: str) -> str | None:
    """jieba's part of speech for a dictionary word ("表示" -> "v", "北京市" -> "ns"); None when it is no word."""
    import jieba.posseg  # loaded by the lexical index already; imported here so that rendering tests stay light

    return jieba.posseg.dt.word_tag_tab.get(word)


def _words(text: str) -> list[str]:
    import jieba

    return list(jieba.cut(text, HMM=False))


def _is_name(word: str) -> bool:
    """A found "name" that starts with a dictionary word of another kind (了解到: 了解 v) or with a function word
    (本网: pronoun, 等职: particle) is a phrase, not a name.  (This loses the few surnames that are also prepositions
    or conjunctions, such as 于; an example question needs one good name, not all of them.)"""
    tag = _word_tag(word)
    if tag is not None:
        return tag.startswith("nr")
    if (_word_tag(word[0]) or "x")[0] in "rupc":
        return False
    first = _words(word)[0]  # a surname stands alone (周|明远); 了解|到 starts with a word
    return len(first) < 2 or (_word_tag(first) or "nr").startswith("nr")


def _credited_only(name: str, text: str) -> bool:
    """True when every mention of ``name`` follows a byline role (记者 …, 通讯员 …): a reporter, not a newsmaker."""
    start = text.find(name)
    while start >= 0:
        if not text[max(0, start - 6):start].rstrip().endswith(ROLES):
            return False
        start = text.find(name, start + 1)
    return True


def _people(articles: Sequence[Article]) -> tuple[str | None, str | None]:
    """(the person named with a title in the most articles, the reporter with the most bylines)."""
    reporters = Counter(r.split()[-1] for a in articles for r in dict.fromkeys(a.reporters))
    named: Counter = Counter()
    for a in articles:
        named.update(n for n in people_in([a]) if n not in reporters and not _credited_only(n, a.text))
    official = max((n for n in named if _is_name(n)), key=lambda n: (named[n], n), default=None)
    reporter = max(reporters, key=lambda n: (reporters[n], n), default=None)
    return official, reporter


def _topic(articles: Sequence[Article]) -> str | None:
    """A term quoted in the most headlines (“红色园区”), ties to the most recent."""
    terms: Counter = Counter()
    first_seen: dict[str, int] = {}
    for i, a in enumerate(articles):
        for m in _QUOTED.finditer(a.title):
            term = " ".join(m.group(1).split())
            terms[term] += 1
            first_seen.setdefault(term, i)
    if not terms:
        return None
    return max(terms, key=lambda t: (terms[t], -first_seen[t]))


def _is_place(name: str, suffix: str) -> bool:
    """A phrase that happens to end in 村 or 区 (助力乡村, 日本首相高市) is no place: the words before the suffix must
    be place or proper names (杭州亚运村, 紫荆山路街道), or unknown to the dictionary (毕河村)."""
    tag = _word_tag(name)
    if tag is not None:
        return tag == "ns"
    if (_word_tag(name[0]) or "x")[0] in "rupcd":  # 本辖区, 各乡镇
        return False
    tail = _word_tag(name[-len(suffix) - 1:])
    if tail is not None and tail != "ns":  # 老旧小区, 风貌片区: a common noun ending in 区
        return False
    words = _words(name[: len(name) - len(suffix)])
    return all(len(w) < 2 or (_word_tag(w) or "ns")[:2] in ("ns", "nr", "nz") for w in words)


def _place(articles: Sequence[Article]) -> str | None:
    """The place named in the most articles (at least two, when there are several articles)."""
    places: Counter = Counter()
    for a in articles:
        places.update({(m.group(1), m.group(2)) for m in _PLACE.finditer(a.text)})
    ranked = sorted(places.items(), key=lambda kv: (-kv[1], -len(kv[0][0]), kv[0]))
    (place, _), n = next((kv for kv in ranked if _is_place(*kv[0])), ((None, ""), 0))
    return place if place and (n >= 2 or len(articles) < 10) else None


def _busiest_day(articles: Sequence[Article]) -> str | None:
    """The ISO day most articles were published on (``Article.date``; ties to the latest).  Only full dates count: an
    article dated "07-15" (no year known) is on no day a question can name."""
    days = Counter(a.date for a in articles if a.date and len(a.date) == 10)
    if not days:
        return None
    return max(days, key=lambda d: (days[d], d))


@dataclass(frozen=True)
class Example:
    """One kind of example question: what it asks about, and its phrasings, tried in order.

    ``kind`` is "person" (a newsmaker's name), "topic" (a term quoted in headlines), "place", "day" (an ISO date),
    "reporter" (a name in bylines) or "headline" (an article's title); ``subject`` is that name, term, place, date or
    title."""

    kind: str
    subject: str
    phrasings: tuple[str, ...]


def candidates(articles: Iterable[Article], limit: int = 4) -> list[Example]:
    """The example questions this corpus suggests, one ``Example`` per kind, in the order the page prefers them."""
    sample = _recent(articles)
    if not sample:
        return []
    official, reporter = _people(sample)
    topic, place, day = _topic(sample), _place(sample), _busiest_day(sample)
    out: list[Example] = []
    if official:
        out.append(Example("person", official, (f"{official}做了哪些工作？", f"关于{official}的报道有哪些？")))
    if topic:
        out.append(Example("topic", topic, (f"“{topic}”是怎么回事？",)))
    if place:
        out.append(Example("place", place, (f"{place}有什么新闻？",)))
    if day:
        # "6月18日" when the sample is one year's: the time parser reads a yearless day in the archive's latest year
        when = format_date(day, year=len({a.date[:4] for a in sample if a.date and len(a.date) == 10}) > 1)
        out.append(Example("day", day, (f"{when}有哪些新闻？",)))
    if reporter:
        out.append(Example("reporter", reporter, (f"{reporter}报道了哪些新闻？",)))
    # a corpus with none of the above: ask about its latest headlines
    out += [Example("headline", a.title.strip(), (f"《{a.title.strip()}》讲了什么？",))
            for a in sample[:limit] if 4 <= len(a.title.strip()) <= 30]
    return out


def _mentions(article: Article | None, citation: Citation, words: Sequence[str]) -> bool:
    """Whether the cited article (its headline and text; the cited passage when the article is not at hand) holds
    every one of ``words``."""
    text = f"{article.title}\n{article.text}" if article is not None else f"{citation.title}\n{citation.text}"
    text = "".join(text.split())
    return all("".join(w.split()) in text for w in words)


def _topic_words(topic: str) -> list[str]:
    """The words a topic's reports must hold: the term itself when short, else its words of two or more characters
    ("城市书房" -> ["城市书房"]; "smart city pilot" -> ["smart", "city", "pilot"])."""
    words = [w for w in _words(topic) if len(w.strip()) > 1]
    return [topic] if len(topic) <= 6 or not words else words


def fits(example: Example, answer: Answer | None, articles: Mapping[str, Article]) -> bool:
    """Whether ``answer`` answers what ``example`` asks, judged from what it cites (``articles``: by id).

    Not refused, at least one citation, and every cited article is about the subject: it names the person, the place,
    or the topic's words; it credits the reporter; it is the headline's article; it was published (or filed) on the
    day, and the answer was restricted to that day.  An answer to 「8月18日有哪些新闻？」 that lists reports of
    7月28日 is no example."""
    if answer is None or answer.refused or not answer.citations:
        return False
    cited = [(articles.get(c.article_id), c) for c in answer.citations]
    if example.kind == "day":
        return (answer.period == (example.subject, example.subject)
                and all(example.subject in (c.date, c.filed, a.date if a else None, a.filed if a else None)
                        for a, c in cited))
    if example.kind == "reporter":
        return all(any(r.split()[-1] == example.subject for r in (a.reporters if a else c.reporters) if r.split())
                   or (a is not None and example.subject in a.byline) for a, c in cited)
    if example.kind == "headline":
        return all(" ".join(c.title.split()) == " ".join(example.subject.split()) for _, c in cited)
    words = _topic_words(example.subject) if example.kind == "topic" else [example.subject]
    return all(_mentions(a, c, words) for a, c in cited)


def example_questions(articles: Iterable[Article], limit: int = 4,
                      ask: Callable[[str], Answer | None] | None = None) -> list[str]:
    """Up to ``limit`` questions about this corpus, e.g. for the seed page:
    ["虎强做了哪些工作？", "“红色园区”是怎么回事？", "毕河村有什么新闻？", "6月18日有哪些新闻？"].

    With ``ask`` (question -> the assistant's answer, None when asking failed), each kind of question is asked in its
    phrasings until one is answered as it asks (``fits``), and a kind none of whose phrasings is answered so is left
    out.  At most ``MAX_TRIES`` questions are asked.
    """
    articles = list(articles)
    by_id = {a.article_id: a for a in articles} if ask is not None else {}
    out: list[str] = []
    tries = 0
    for example in candidates(articles, limit):
        for question in example.phrasings:
            if len(out) >= limit or question in out:
                break
            if ask is None:
                out.append(question)
                break
            if tries >= MAX_TRIES:
                return out
            tries += 1
            if fits(example, ask(question), by_id):
                out.append(question)
                break
    return out


@dataclass(frozen=True)
class Face:
    """What the page says about its corpus: title, description, example questions, the question box's placeholder."""

    title: str
    description: str
    examples: tuple[str, ...]

    @property
    def placeholder(self) -> str:
        return f"例如：{self.examples[0]}" if self.examples else "请输入问题"

    def hint(self) -> str:
        """Added to the empty-question message: an example to start from."""
        return f"可以试试：「{self.examples[0]}」" if self.examples else ""


def face(articles: Iterable[Article], configured_title: str | None = None,
         ask: Callable[[str], Answer | None] | None = None) -> Face:
    """The page's wording for these articles (``ask``: see ``example_questions``)."""
    articles = list(articles)
    facts = corpus_facts(articles)
    return Face(title(configured_title, facts), description(facts),
                tuple(example_questions(articles, ask=ask)))
