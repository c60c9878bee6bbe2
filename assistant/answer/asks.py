"""What a question asks for and what it takes for granted, read from its grammar (jieba part-of-speech tags).

* ``wants`` — the kind of fact each part of the question asks for: a number or amount (多少, 几, 多大 …), a person
  (谁, 哪位, 叫什么名字), a place (哪里, 哪个省/市/国家), a date (哪天, 几号, 什么时候), a cause (为什么, 为何, 原因);
  ``ANY`` when the interrogative names no kind (什么, 怎样).  A two-part question (「在哪座城市举行，有多少个国家参加？」)
  has one part per interrogative clause, and an answer must hold both.
* ``entities`` — the names the question presupposes: people, places, organisations and other proper nouns by their
  tags (nr, ns, nt, nz), and 《…》/“…” titles.  An archive that reports the topic but never names one of them has not
  reported what the question asks about (李强 visited 新西兰 and 澳大利亚; the question asks about 新加坡).

``sentence_has`` says whether a sentence holds a fact of the kind wanted, by the same tags and the number and date
patterns of ``timeexpr``; the composer prefers such sentences.  Everything here is general Chinese grammar: the
interrogatives and the tags, never words taken from questions of the dev sets.
Left out: semantic roles (who did what to whom); the question 「X是谁作的」 is answered by any sentence naming a person
next to X's words, not by parsing the agent.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from collections.abc import Iterable
from functools import lru_cache

from ..index.lexical import DEMONSTRATIVES, QUESTION_WORDS, posseg
from ..text import CJK
from ..types import Article


class Want(enum.Enum):
    ANY = "any"
    NUMBER = "number"
    PERSON = "person"
    PLACE = "place"
    DATE = "date"
    CAUSE = "cause"


# interrogatives by the kind of answer they ask for (order matters: 哪天 before 哪, 几号 before 几)
_ASKS: tuple[tuple[Want, re.Pattern], ...] = (
    (Want.DATE, re.compile(r"哪一?天|几月几[日号]|几号|什么时[候间]|何时|哪一?年|哪个月|\bwhen\b", re.I)),
    (Want.PERSON, re.compile(r"谁|哪一?位|哪[两三四五六七八九十几]位|哪些人|哪个人|叫什么|什么名字|姓名|\bwho(m|se)?\b", re.I)),
    (Want.PLACE, re.compile(r"哪里|哪儿|何处|何地|什么地[方点]|在?哪[几两三四五六七八九十]?[个座些一]?(?:省|市|县|区|国家?|城市|地方|地区|州|岛|镇|村)|在哪(?!一?[天年月日号]|个月)|\bwhere\b", re.I)),
    (Want.CAUSE, re.compile(r"为什么|为何|什么原因|原因是|\bwhy\b", re.I)),
    # 哪几个/哪几位 asks which ones, not how many
    (Want.NUMBER, re.compile(r"多少|(?<!哪)几[个名人位次级岁年天件起辆所家万亿千百十%]?|多[大高长远重久深宽]|百分之几|"
                             r"\bhow (many|much|long|far|old|big|high)\b|\bwhat (percent|percentage|number)\b", re.I)),
)
# a sentence holds a number when it has digits or Chinese numerals, followed by what is counted or measured
# (a date or a time of day is not an amount: 7月底, 2024年, 20时 are left to DATE)
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?(?![0-9０-９.．]|\s*[年月日号时点分秒])|"
                     r"[一二两三四五六七八九十百千万亿]+[个名人位次级岁年天件起辆所家万亿千百%米元吨亩公里毫米度倍]")
_DATE = re.compile(r"[0-9０-９一二三四五六七八九十]{1,4}[年月日号]|[今昨明前]天|今年|去年|本月|上旬|中旬|下旬")
_CAUSE = re.compile(r"因为|由于|原因|导致|因此|所以|致使|造成|为了|因")
_CLAUSE = re.compile(r"[，,；;？?]\s*")
_QUOTED = re.compile(r"《([^》]{2,30})》|“([^”]{2,20})”|\"([^\"]{2,20})\"")
_ENTITY_TAGS = ("nr", "ns", "nt", "nz")


@lru_cache(maxsize=4096)
def _tagged(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((w, f) for w, f in posseg().lcut(text))


def want_of(clause: str) -> Want:
    """The kind of fact ``clause`` asks for (the first interrogative that names one)."""
    found = [(m.start(), want) for want, p in _ASKS for m in [p.search(clause)] if m]
    return min(found, key=lambda t: t[0])[1] if found else Want.ANY


@dataclass(frozen=True)
class Asked:
    """One question, read: the kind of fact each of its parts asks for, and the names it takes for granted."""

    question: str
    wants: tuple[Want, ...]
    entities: tuple[str, ...]

    @property
    def want(self) -> Want:
        return self.wants[0] if self.wants else Want.ANY

    @property
    def two_part(self) -> bool:
        return len(self.wants) > 1


def analyse(question: str) -> Asked:
    """What ``question`` asks for (one ``Want`` per interrogative clause) and the entities it presupposes."""
    clauses = [c for c in _CLAUSE.split(question) if c.strip()]
    wants = []
    for clause in clauses:
        w = want_of(clause)
        if w is not Want.ANY or _has_interrogative(clause):
            wants.append(w)
    return Asked(question, tuple(dict.fromkeys(wants)) or (Want.ANY,), entities(question))


def _has_interrogative(clause: str) -> bool:
    return bool(re.search(r"什么|怎么|怎样|如何|哪|吗|呢|\b(what|how|which)\b", clause, re.I))


def entities(question: str) -> tuple[str, ...]:
    """Proper nouns and quoted titles in ``question`` (at least two characters), in order, without repeats."""
    out: dict[str, None] = {}
    for m in _QUOTED.finditer(question):
        out.setdefault(next(g for g in m.groups() if g), None)
    if CJK.search(question):
        # the interrogative phrases go first: 「哪座城市」 asks for a place, it does not presuppose one named 城市
        question = without_interrogatives(question)
        previous = ""
        for word, flag in _tagged(question):
            # 这段时间, 那阵子: a demonstrative and what follows it point at something, they do not name it
            if (flag.startswith(_ENTITY_TAGS) and len(word) >= 2 and word not in QUESTION_WORDS and CJK.match(word)
                    and not word.startswith(DEMONSTRATIVES) and not previous.endswith(DEMONSTRATIVES)):
                out.setdefault(word, None)
            previous = word
    return tuple(out)


def without_interrogatives(question: str) -> str:
    """``question`` with its interrogative phrases (什么时候, 哪座城市, 多少) cut out: what is left names the topic."""
    for _, pattern in _ASKS:
        question = pattern.sub("，", question)
    return question


def unheld(names: tuple[str, ...], articles: Iterable[Article]) -> list[str]:
    """The names that no one of ``articles`` holds in its headline or text (what a near miss lacks)."""
    texts = [f"{a.title}\n{a.text}" for a in articles]
    return [name for name in names if not any(name in t for t in texts)]


def persons(text: str, exclude: str = "") -> list[str]:
    """Person names in ``text`` by jieba's tags (two to four characters), in order, without those in ``exclude``."""
    found = [w for w, f in _tagged(text) if f.startswith("nr") and 2 <= len(w) <= 4 and CJK.match(w) and w not in exclude
             and not w.startswith(DEMONSTRATIVES)]
    return list(dict.fromkeys(found))


def sentence_has(want: Want, sentence: str, question: str = "") -> bool:
    """Whether ``sentence`` holds a fact of the kind ``want`` (a person or place not already named in ``question``)."""
    return fit(want, sentence, question) > 0


# the character after 多少/几 that says what is counted (多少名, 几人, 几级, 多少吨); not a particle or punctuation
_COUNTED = re.compile(r"(?:多少|几)([\u4e00-\u9fff])")
_NOT_COUNTED = frozenset("的了呢吗啊呀？?，,")
# a place is the answer to "where" when a locative word introduces it (在海南举行, 于汉德洛瓦, 赴法国): 中国 in
# 「第四届中国国际消费品博览会」 names the fair, it does not say where it is
_LOCATIVE = ("在", "于", "到", "赴", "至", "往", "抵", "自")
# a place jieba does not know (金岱产业集聚区, 毕河村) is still a place when a locative word introduces a phrase that
# ends in a place noun's suffix (在金岱产业集聚区举行, 到毕河村); not after 往 or 自, which also begin words
# (往年, 自主研发中心)
_PLACE_PHRASE = re.compile(r"(?:在|于|到|赴|至|抵)([\u4e00-\u9fff]{1,12}?(?:省|市|区|县|镇|乡|村|街道|社区|路|街|园|馆|"
                           r"中心|广场|港|站|岛|湖|山))")
WEAK_FIT = 0.5  # the kind asked for, but not in the form the question asks it (a number of something else)


def fit(want: Want, sentence: str, question: str = "") -> float:
    """How well ``sentence`` holds a fact of the kind ``want``: 1 in the form the question asks for (a number
    followed by what the question counts — 多少名 by …名; a place introduced by a locative word), ``WEAK_FIT`` for
    the kind in another form (a number, a place named in passing), 0 for none."""
    if want is Want.NUMBER:
        numbers = list(_NUMBER.finditer(sentence))
        if not numbers:
            return 0.0
        counted = {m.group(1) for m in _COUNTED.finditer(question)} - _NOT_COUNTED
        if not counted:
            return 1.0
        after = {sentence[m.end():m.end() + 1] for m in numbers} | {m.group()[-1] for m in numbers}
        return 1.0 if counted & after else WEAK_FIT
    if want is Want.PLACE:
        if any(m.group(1) not in question for m in _PLACE_PHRASE.finditer(sentence)):
            return 1.0
        places = [(i, w) for i, (w, f) in _offsets(sentence) if f.startswith("ns") and len(w) >= 2 and w not in question]
        if not places:
            return 0.0
        return 1.0 if any(sentence[max(0, i - 1):i] in _LOCATIVE for i, _ in places) else WEAK_FIT
    if want is Want.DATE:
        return 1.0 if _DATE.search(sentence) else 0.0
    if want is Want.CAUSE:
        return 1.0 if _CAUSE.search(sentence) else 0.0
    if want is Want.PERSON:
        return 1.0 if any(f.startswith("nr") and len(w) >= 2 and w not in question for w, f in _tagged(sentence)) else 0.0
    return 1.0


def _offsets(sentence: str) -> list[tuple[int, tuple[str, str]]]:
    out, i = [], 0
    for w, f in _tagged(sentence):
        out.append((i, (w, f)))
        i += len(w)
    return out
