"""Conversation state: follow-up questions resolved against earlier turns.

「他在毕河村安庄查看了什么？」 after 「虎强督导了哪些工作？」 becomes 「虎强在毕河村安庄查看了什么？」.  The rule is small and
predictable, which matters more here than cleverness: a personal pronoun is replaced by the person the conversation is
about, a demonstrative (该/此/这项…) by the topic, a question that only names another period (「那4月份的呢？」) is the
previous question with that period instead of its own, and an elliptical question borrows the previous question: with
another person (「那魏建民呢？」) or another thing (「那杭州亚运会呢？」) it is the previous question asked about that one,
otherwise (「还有吗」) it gets the previous question's focus; a report counted by its classifier (「最新的一篇说了什么？」)
is one of the previous topic's reports; a bare predicate (「查看了什么？」) continues the last person, a question naming
its own topic (「石川县有什么新闻？」) does not.  The person is the one a 谁-question's answer named, or the last one named
in an earlier question (names come from the index — bylines and the titles people hold in articles — and from jieba's
person-name tags); when the 谁-question went unanswered, 他 stands for its description (「神舟十八号的指令长」).  The
topic is the previous question's most specific content word with the content words written next to it (深中通道).
Left out: coreference across answers other than the answer to 谁, more than one entity per pronoun.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

from ..index.lexical import ASPECT, LexicalIndex, query_terms
from .asks import Want, analyse, entities, persons
from .lists import asks_for_reports
from ..timeexpr import parse_time
from ..types import Answer, Article

# Resolving only moves time words between questions; the day they count from is the answer pipeline's concern.
_ANY_DAY = dt.date(2100, 1, 1)

MAX_TOPIC = 8  # characters of the previous question's topic a 它/该 stands for
_PERSON_PRONOUN = re.compile(r"他们|她们|他|她")
# a report counted with its classifier 篇 and no noun (一篇, 第一篇, 这篇) refers back to the reports just listed
# (条 and 则 count rivers and measures too)
_REPORT_REFERENCE = re.compile(r"(?:[这那哪一两二三四五六七八九十\d]|第[一二三四五六七八九十\d]+)篇(?!报道|新闻|文章|消息)")
_THING_PRONOUN = re.compile(r"该(?:项|次|活动|工作|会议|项目|单位)?|此次|这次|这项|那项|这个|那个|它|其")
_ELLIPSIS_LEAD = "那么|那|还有|另外|然后"
_ELLIPSIS = re.compile(rf"^(?:{_ELLIPSIS_LEAD})|呢[？?]?$")
# what an elliptical question says besides asking the last question again (那…呢？)
_ELLIPSIS_MARKS = re.compile(rf"^(?:{_ELLIPSIS_LEAD})|(?:的)?呢?[？?。！!\s]*$")
# 「X是谁？」/「谁是X？」: X describes the person asked about (the subject of 是, not an object of another verb)
_WHO_IS = re.compile(r"^(?P<x>[^，,。？?]{2,}?)(?:到底|究竟)?是谁[？?。！!]*$|^谁是(?P<y>[^，,。？?]{2,}?)[？?。！!]*$")
_TITLES = "书记|副书记|主任|副主任|主席|副主席|区长|副区长|市长|副市长|县长|局长|部长|处长|镇长|校长|院长|所长|董事长|总经理|经理|委员|代表|记者|通讯员|实习生|队长|支书"
_NAME_AFTER_TITLE = re.compile(rf"(?:{_TITLES})\s?([\u4e00-\u9fff]{{2,3}}?)(?=带领|带队|表示|要求|指出|强调|一行|主持|出席|参加|介绍|说|先后|认真|仔细|在|对|[,，、。\s])")


def people_in(articles: Iterable[Article]) -> frozenset[str]:
    """Names the corpus gives with a title or in a byline (虎强, 魏建民, 柴琳琳 …)."""
    names: set[str] = set()
    for a in articles:
        for r in a.reporters:
            names.add(r.split()[-1])
        names.update(m.group(1) for m in _NAME_AFTER_TITLE.finditer(a.text))
    return frozenset(n for n in names if 2 <= len(n) <= 4)


def _described(question: str) -> str | None:
    """The description a 谁-question gives of the person it asks about (「神舟十八号的指令长是谁？」 → 神舟十八号的指令长)."""
    m = _WHO_IS.match(question.strip())
    described = (m.group("x") or m.group("y")).strip() if m else None
    return None if described is None or _PERSON_PRONOUN.fullmatch(described) else described


def _noun_phrase(question: str, word: str, terms: list[str]) -> str:
    """``word`` extended by the content words written right before or after it in ``question``, up to
    ``MAX_TOPIC`` characters: a run of content words with no particle, copula or interrogative between them names one
    thing in a question (深中 + 通道, 成都 + 大运会, 中国 + 快递 + 发展 + 指数); a last word followed by an aspect
    particle is the predicate, not part of the thing (暴雨降了 → 暴雨, 虎强督导了 → 虎强).  (jieba's dictionary tags
    cannot say which words are nouns: it tags 通道 and 快递 as verbs.)"""
    start = question.find(word)
    if start < 0:
        return word
    end = start + len(word)
    grown = True
    while grown:
        grown = False
        for t in terms:
            if question.startswith(t, end) and end + len(t) - start <= MAX_TOPIC:
                end, grown = end + len(t), True
            elif question[:start].endswith(t) and end - start + len(t) <= MAX_TOPIC:
                start, grown = start - len(t), True
    if question[end:end + 1] in ASPECT:
        last = next((t for t in terms if question.endswith(t, start, end) and end - len(t) >= start + len(word)), None)
        if last:
            end -= len(last)
    return question[start:end]


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer


@dataclass
class Conversation:
    """The turns so far.  ``resolve`` is pure: it reads the turns and returns the rewritten question."""

    people: frozenset[str] = frozenset()
    lexical: LexicalIndex | None = None
    turns: list[Turn] = field(default_factory=list)

    def _last_person(self) -> str | None:
        """The person a 他/她 refers to: the one the latest 谁-question's answer names, else the first person named
        in the latest question that names one (a name the index knows, or one tagged as a person's name)."""
        for turn in reversed(self.turns):
            if analyse(turn.resolved).want is Want.PERSON and not turn.answer.refused and turn.answer.citations:
                named = persons(turn.answer.citations[0].text, exclude=turn.resolved)
                if named:
                    return named[0]  # 「指令长是谁？」 then 「他以前…」: 他 is the answer, not the question's subject
            found = [(turn.resolved.find(p), p) for p in self.people if p in turn.resolved]
            found += [(turn.resolved.find(p), p) for p in persons(turn.resolved)]
            if found:
                return min(found)[1]  # the first-named person of the latest question that names one
            described = _described(turn.resolved)
            if described:
                return described  # the answer named no one: 他 is still 「神舟十八号的指令长」, the one asked about
        return None

    def _last_topic(self) -> str | None:
        """The previous question's most specific content word (highest IDF), with the nouns written next to it:
        「深中通道是哪天通车的？」 gives 深中通道, not 深中; 「成都大运会…」 gives 成都大运会."""
        if not self.turns:
            return None
        question = parse_time(self.turns[-1].resolved, _ANY_DAY).rest  # a period is no thing 它 can stand for
        terms = query_terms(question)
        if not terms:
            return None
        if self.lexical is None:
            return max(terms, key=len)
        best = terms[int(self.lexical.idf(terms).argmax())]
        return _noun_phrase(question, best, terms)

    def resolve(self, question: str) -> str:
        if not self.turns:
            return question
        moved = self._new_period(question)
        if moved:
            return moved
        person = self._last_person()
        if person and _PERSON_PRONOUN.search(question):
            return _PERSON_PRONOUN.sub(person, question, count=1)
        topic = self._last_topic()
        if _THING_PRONOUN.search(question) and topic and topic not in question:
            return _THING_PRONOUN.sub(topic, question, count=1)
        if _REPORT_REFERENCE.search(question) and topic and topic not in question:
            return f"{topic} {question}"  # 「最新的一篇说了什么？」 after a list: one of the reports of that topic
        if _ELLIPSIS.search(question.strip()):
            named = [p for p in self.people if p in question]
            previous = self.turns[-1].resolved
            if named and person and person in previous:
                return previous.replace(person, named[0])  # 「那魏建民呢？」 asks the last question about someone else
            other = _ELLIPSIS_MARKS.sub("", question.strip())
            if other and query_terms(other) and topic and topic in previous and topic not in question:
                return previous.replace(topic, other, 1)  # 「那杭州亚运会呢？」 asks it about another thing
            focus = person or topic
            if focus and focus not in question:
                return f"{focus} {question}"
        if person and not any(p in question for p in self.people) and _PERSON_PRONOUN.search(question) is None \
                and len(query_terms(question)) <= 1 and not entities(question) and not asks_for_reports(question):
            # 「查看了什么？」: a bare predicate continues the last subject; 「石川县有什么新闻？」 names its own
            return f"{person} {question}"
        return question

    def _new_period(self, question: str) -> str | None:
        """「那4月份的呢？」 after 「5月份…多少？」: the previous question with its period replaced by the new one."""
        if not _ELLIPSIS.search(question.strip()):
            return None
        ask = parse_time(question, _ANY_DAY)
        if ask.period is None or len(query_terms(ask.rest)) > 1:
            return None  # no period, or the question says more than a period: not only a change of time
        previous = parse_time(self.turns[-1].resolved, _ANY_DAY)
        return f"{ask.label}{previous.rest}"

    def record(self, question: str, resolved: str, answer: Answer) -> None:
        self.turns.append(Turn(question, resolved, answer))

    def reset(self) -> None:
        self.turns.clear()
