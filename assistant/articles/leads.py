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

The date of a lead is the date inside its dateline, else a ``[YYYY年]M月D日`` (optionally ``今天（M月D日）``) opening the
text right after the dateline and its bracketed byline; a date later in the sentence is about something else.
Left out: Chinese-numeral dates (六月十八日), day-only dates (``24日``, their month is not printed), leads buried after
a ``原标题：`` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import FULLWIDTH_DIGITS

_CJK = "\u3400-\u9fff"
# An outlet: up to 12 characters ending in an outlet word, with an alias in brackets or a second name after a dash.
_NAME = rf"[{_CJK}A-Za-z·]{{0,12}}?(?:报|网|社|台|刊|客户端|新闻)"
OUTLET = rf"{_NAME}(?:[（(]{_NAME}[)）])?(?:[-—]{_NAME})?"
_MD = r"\d{1,2}\s*月\s*\d{1,2}\s*日"
_PLACE = rf"[{_CJK}·]{{0,12}}?"
_BRACKET = r"[（(][^（()）\n]{1,40}[)）]"

STRONG = re.compile(
    rf"^(?:"
    rf"{OUTLET}\s*(?:{_PLACE}\s*{_MD})?\s*讯(?!息|号)"  # 本报讯, 吉林日报8月16日讯
    rf"|{OUTLET}\s*{_PLACE}\s*{_MD}\s*电"  # 新华社北京6月18日电
    rf"|[{_CJK}]{{0,6}}?社电"  # 新华社电, 中新社电: a news agency needs no place or date
    rf"|{OUTLET}\s*(?:{_PLACE}\s*{_MD})?\s*消息(?:{_BRACKET})?(?=\s*[：:\s（(])\s*[：:]?"  # 央视网消息（新闻联播）：
    rf"|【{OUTLET}\s*(?:{_PLACE}\s*{_MD})?\s*(?:综合)?(?:报道|讯|消息|电)[^】\n]{{0,30}}】"  # 【环球网报道 记者 朱嘉琪】
    rf")"
)
WEAK = re.compile(
    rf"^(?:"
    rf"据[^，,。；;！？\n]{{1,24}}?(?:报道|消息)(?=[，,：:\s])"  # 据美国媒体报道，
    rf"|(?:本报|本台)?记者(?:今天|今日|昨天|昨日|近日|日前)?(?:{_BRACKET})?从[^，,。；;\n]{{1,40}}?(?:获悉|了解到|得知)"
    rf")"
)
_LEAD_DATE = re.compile(rf"^(?:今天|今日|昨天|昨日|当天)?\s*[（(]?\s*(?:(\d{{4}})\s*年\s*)?(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")
_DATE_IN = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_PAREN = re.compile(r"\s*[（(]([^（()）]{2,60})[)）]")


@dataclass(frozen=True)
class Lead:
    """What the opening of a paragraph says about its article."""

    dateline: str  # as printed: "新华社北京6月18日电", "央视网消息（新闻联播）：" without the trailing colon/space
    end: int  # offset in the paragraph where the story text starts (after the dateline and a bracketed byline)
    strong: bool
    credit: str | None = None  # the byline printed in brackets after (or inside) the dateline: "记者 张三"
    date: tuple[int | None, int, int] | None = None  # (year or None, month, day)


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
    date = _date_of(dateline, paragraph[end:end + 24], strong)
    return Lead(dateline=dateline, end=end, strong=strong, credit=credit, date=date)


def _date_of(dateline: str, after: str, strong: bool) -> tuple[int | None, int, int] | None:
    m = _DATE_IN.search(dateline.translate(FULLWIDTH_DIGITS))
    if m is None and strong:
        m = _LEAD_DATE.match(after.translate(FULLWIDTH_DIGITS))
    if m is None:
        return None
    return (int(m.group(1)) if m.group(1) else None, int(m.group(2)), int(m.group(3)))
