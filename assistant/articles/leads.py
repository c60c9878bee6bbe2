"""The lead of a news article: its dateline (``本报讯``, ``新华社北京6月18日电``, ``央视网消息（新闻联播）：``), the byline
printed in brackets right after it, and the date that opens it.

Datelines are recognised by their grammar, not by a list of outlets: an outlet name is a short run of characters that
ends in an outlet word (报, 网, 社, 台, 刊, 客户端, 新闻; ``荆楚网（湖北日报网）`` and ``三秦都市报-三秦网`` included), and
the dateline is that name followed by

* ``讯``, optionally after a date: ``本报讯``, ``郑州日报讯``, ``扬子晚报网8月2日讯``;
* ``电`` after a place and a date: ``新华社北京6月18日电``, ``中新网西宁7月24日电``, ``光明日报仰光8月17日电`` (or straight
  after a news agency, ``新华社电``);
* ``消息`` with a colon, bracket or space after it: ``央视网消息（新闻联播）：``, ``央广网北京7月28日消息``;
* a bracketed report line: ``【环球网报道 记者 朱嘉琪】``.

These *strong* leads start an article wherever they open a line.  *Weak* leads are ordinary sentence openings that
also open many paragraphs inside an article: ``据美国媒体报道，``, ``记者从水利部获悉，``, ``记者今天（10月9日）从…获悉``.
They date an article and, after a headline, start one; on their own they do not split a page.

The date of a lead is the date inside its dateline (``新华社北京6月18日电``: the day it was filed), else a
``[YYYY年]M月D日`` opening the text right after the dateline and its bracketed byline.  Such an opening date
(``本报讯 6月16日下午，…``) is when the reported event happened (``Lead.event``): it dates the article only when nothing
else does (:mod:`.dates`), unless it is stated from the article's own day: ``今天（6月16日）``, or ``昨天（9月30日）``, which
dates the article the day after (10-01; ``前天（…）`` two days after).  A date later in the sentence is about something
else.  A weak lead's date is the cited report's (``据美国媒体7月31日报道``), not the article's: only
``记者今天（10月9日）从…获悉`` counts.
Left out: Chinese-numeral dates (六月十八日), day-only dates (``24日``, their month is not printed), leads buried after
a ``原标题：`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import FULLWIDTH_DIGITS
from ..timeexpr import MONTH_DAY

_CJK = "\u3400-\u9fff"
# An outlet: up to 12 characters ending in an outlet word, with an alias in brackets or a second name after a dash.
_NAME = rf"[{_CJK}A-Za-z·]{{0,12}}?(?:报|网|社|台|刊|客户端|新闻)"
OUTLET = rf"{_NAME}(?:[（(]{_NAME}[)）])?(?:[-—]{_NAME})?"
_MD = r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日"
_PLACE = rf"[{_CJK}·]{{0,12}}?"
_BRACKET = r"[（(][^（()）\n]{1,40}[)）]"

STRONG = re.compile(
    rf"^(?:"
    # 本报讯, 吉林日报8月16日讯, 本报7日讯, 新京报贝壳财经讯 (a desk's name after the outlet's); not 通讯, 资讯, 讯息
    rf"{OUTLET}[{_CJK}]{{0,6}}?\s*(?:{_PLACE}\s*(?:{_MD}|\d{{1,2}}\s*日))?\s*(?<![通资])讯(?!息|号|员)"
    rf"|{OUTLET}\s*{_PLACE}\s*{_MD}\s*电"  # 新华社北京6月18日电
    rf"|[{_CJK}]{{0,6}}?社电"  # 新华社电, 中新社电: a news agency needs no place or date
    rf"|{OUTLET}\s*(?:{_PLACE}\s*{_MD})?\s*消息(?:{_BRACKET}(?=\s*[：:]))?(?=\s*[：:\s（(])\s*[：:]?"  # 央视网消息（新闻联播）：
    rf"|【{OUTLET}\s*(?:{_PLACE}\s*{_MD})?\s*(?:综合)?(?:报道|讯|消息|电)[^】\n]{{0,30}}】"  # 【环球网报道 记者 朱嘉琪】
    rf")"
)
WEAK = re.compile(
    rf"^(?:"
    rf"据[^，,。；;！？\n]{{1,24}}?(?:报道|消息)(?=[，,：:\s])"  # 据美国媒体报道，
    rf"|(?:本报|本台)?记者(?:今天|今日|昨天|昨日|近日|日前|{_MD}|\d{{1,2}}日)?(?:{_BRACKET})?从[^，,。；;\n]{{1,40}}?"
    r"(?:获悉|了解到|得知)"
    rf")"
)
_LEAD_DATE = re.compile(r"^(?:(今天|今日)|(昨天|昨日)|(前天|前日))?\s*[（(]?\s*" + MONTH_DAY.pattern)
_TODAY = re.compile(r"(?:今天|今日)\s*[（(]\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_IN = MONTH_DAY
_PAREN = re.compile(r"\s*[（(]([^（()）]{2,60})[)）]")


@dataclass(frozen=True)
class Lead:
    """What the opening of a paragraph says about its article."""

    dateline: str  # as printed: "新华社北京6月18日电", "央视网消息（新闻联播）：" without the trailing colon/space
    end: int  # offset in the paragraph where the story text starts (after the dateline and a bracketed byline)
    strong: bool
    credit: str | None = None  # the byline printed in brackets after (or inside) the dateline: "记者 张三"
    date: tuple[int | None, int, int] | None = None  # (year or None, month, day)
    days_after: int = 0  # the article is this many days after ``date``: 1 for 昨天（9月30日）, 2 for 前天（…）
    event: bool = False  # the date opens the story (本报讯 6月16日下午，…): when it happened, not the article's day


def parse_lead(paragraph: str) -> Lead | None:
    """``"新华社北京6月18日电（记者 张三）会议召开。"`` -> Lead("新华社北京6月18日电", …, credit="记者 张三", date=(None, 6, 18)).

    ``None`` when the paragraph does not open with a dateline or a weak lead.
    """
    m = STRONG.match(paragraph)
    strong = m is not None
    if m is None:
        m = WEAK.match(paragraph)
        strong = False
    if m is None:
        return None
    dateline = m.group().rstrip("：: ")
    credit = None
    if dateline.startswith("【"):
        inside = dateline[1:-1]
        cut = re.search(r"(?:报道|讯|消息|电)", inside)
        credit = inside[cut.end():].strip() or None if cut else None
    end = m.end()
    paren = _PAREN.match(paragraph, end)
    if paren and not strong:
        paren = None  # a weak lead is a sentence; a bracket after it is part of the sentence
    if paren:
        credit = credit or paren.group(1).strip()
        end = paren.end()
    while end < len(paragraph) and paragraph[end] in " ：:":
        end += 1
    date, days_after, event = _date_of(dateline, paragraph[end:end + 24], strong)
    return Lead(dateline=dateline, end=end, strong=strong, credit=credit, date=date, days_after=days_after,
                event=event)


def _date_of(dateline: str, after: str, strong: bool) -> tuple[tuple[int | None, int, int] | None, int, bool]:
    """(date, days_after, event) of a lead; see :class:`Lead`."""
    dateline = dateline.translate(FULLWIDTH_DIGITS)
    if not strong:  # 据美国媒体7月31日报道: the cited report's day; only 记者今天（10月9日）从… names the article's
        m = _TODAY.search(dateline)
        return ((None, int(m.group(1)), int(m.group(2))), 0, False) if m else (None, 0, False)
    m = _DATE_IN.search(dateline)
    if m is not None:
        return (int(m.group(1)) if m.group(1) else None, int(m.group(2)), int(m.group(3))), 0, False
    m = _LEAD_DATE.match(after.translate(FULLWIDTH_DIGITS))
    if m is None:
        return None, 0, False
    days_after = 1 if m.group(2) else 2 if m.group(3) else 0
    relative = bool(m.group(1) or m.group(2) or m.group(3))  # 今天/昨天（…）: stated from the article's own day
    return (int(m.group(4)) if m.group(4) else None, int(m.group(5)), int(m.group(6))), days_after, not relative
