"""What the chat says about its corpus: example questions, the placeholder, the title and the one-line description.

Everything is drawn from the indexed articles, so a district paper and a national broadcast archive each get questions
their own news can answer: a person the articles name with a title (or a reporter from the bylines), a topic quoted in
a headline (“红色园区”), a place the articles keep coming back to, and the busiest day.  Only the most recent
``SAMPLE`` articles are read, so a 100,000-article archive costs what a few pages cost and its examples are about its
latest news.  Pure functions of the articles: no Gradio, no model.
The web app passes a check that asks each candidate question and keeps those the assistant answers (a person is
asked about in a second phrasing when the first is refused), so a corpus shows no example that it then refuses.
Left out: named-entity recognition (the patterns below find names with titles and places with administrative
suffixes; a name without a title is not found), and judging how good an answer to an example is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..answer.conversation import people_in
from ..index.catalog import outlet_counts
from ..text import ROLES
from ..types import Article
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
    days = Counter(a.date for a in articles if a.date)
    if not days:
        return None
    return max(days, key=lambda d: (days[d], d))


def example_questions(articles: Iterable[Article], limit: int = 4,
                      answered: Callable[[str], bool] | None = None) -> list[str]:
    """Up to ``limit`` questions about this corpus, e.g. for the seed page:
    ["虎强做了哪些工作？", "“红色园区”是怎么回事？", "毕河村有什么新闻？", "6月18日有哪些新闻？"].

    With ``answered`` (question -> whether the assistant answers it rather than refuses), each kind of question is
    tried in its phrasings until one is answered, and a kind none of whose phrasings is answered is left out.  At most
    ``MAX_TRIES`` questions are tried.
    """
    sample = _recent(articles)
    if not sample:
        return []
    official, reporter = _people(sample)
    topic, place, day = _topic(sample), _place(sample), _busiest_day(sample)
    years = {a.date[:4] for a in sample if a.date}
    kinds = [
        [f"{official}做了哪些工作？", f"关于{official}的报道有哪些？"] if official else [],
        [f"“{topic}”是怎么回事？"] if topic else [],
        [f"{place}有什么新闻？"] if place else [],
        [f"{format_date(day, year=len(years) > 1)}有哪些新闻？"] if day else [],
        [f"{reporter}报道了哪些新闻？"] if reporter else [],
    ]
    # a corpus with none of the above: ask about its latest headlines
    kinds += [[f"《{a.title.strip()}》讲了什么？"] for a in sample[:limit] if 4 <= len(a.title.strip()) <= 30]
    out: list[str] = []
    tries = 0
    for phrasings in kinds:
        for question in phrasings:
            if len(out) >= limit or question in out:
                break
            if answered is None:
                out.append(question)
                break
            if tries >= MAX_TRIES:
                return out
            tries += 1
            if answered(question):
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
         answered: Callable[[str], bool] | None = None) -> Face:
    """The page's wording for these articles (``answered``: see ``example_questions``)."""
    articles = list(articles)
    facts = corpus_facts(articles)
    return Face(title(configured_title, facts), description(facts),
                tuple(example_questions(articles, answered=answered)))
