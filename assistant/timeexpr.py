"""Dates written in Chinese text: the shared patterns, and the time a question names as a period of days.

The patterns (``ISO_DATE``, ``FULL_CN``, ``FULL_ISO``, ``MONTH_DAY``, ``YMD_LOOSE``, ``PATH_DATE``,
``STANDALONE_DATE``) are the one definition that the readers of articles (articles/dates.py, leads.py, split.py,
ingest/records.py) and the web chat's date wording (web/dates.py) import.

``parse_time(question, reference)`` reads the question's time against a reference day (today, or the archive's newest
day when the archive ends earlier):

* absolute: 2024年4月3日, 4月3日/4月3号, 2023年7月, 7月/7月份, 7月上旬/中旬/下旬/中下旬, 4月初/月底, 2023年 — a date
  without a year is the latest such day on or before the reference (``years_back`` gives the earlier ones, for an
  archive that holds that day only in an earlier year);
* seasons: 春季/春天 (March–May), 夏季 (June–August), 秋季 (September–November), 冬季 (December to February), of
  2023年, 今年 or 去年 (a season alone is too often part of a name: 夏季达沃斯);
* relative: 今天, 昨天, 前天, 本周/上周, 本月/上个月, 今年/去年, 最近/近期 (the 30 days up to the reference);
* order: 最近一次/最新/最后一次 ask for the newest report, 第一次/头一回/最早 for the oldest; both are bounded by the
  reference day (nothing after "today" has been reported yet).

``TimeAsk.rest`` is the question with the time words removed, for retrieval: an article rarely repeats the words
"5月上旬" that a question uses to name its days.
Left out: a figure's own period (截至2023年底, 一季度, 上半年, 2023年度: reported after it ends, so not the
report's period), dates in words (六月三日), ranges written with 至/到 between two dates, lunar dates, weekdays (上周三).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass, replace

# -- shared patterns for dates printed in articles, pages and paths ------------------------------------------------
FULL_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")  # how the records and the JSON write a day
FULL_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
MONTH_DAY = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")  # year optional: groups (y?, m, d)
YMD_LOOSE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})")  # 2023年7-28 too
# In a path: 2023/07/28, 2023-07-28, 2023_07_28, 20230728 — each bounded by non-digits so ids do not match.
PATH_DATE = re.compile(r"(?<![0-9])((?:19|20)\d{2})([-_/.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?![0-9])")

# A date standing alone on a page line (a page header's 2024年3月5日 星期二), not inside a sentence.
STANDALONE_DATE = re.compile(r"(?:^|\s)(?:19|20)\d{2}\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})"
                             r"(?=$|\s|[（(]?(?:星期|周|礼拜))")

Day = dt.date
Span = tuple[Day, Day]  # inclusive first and last day

_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十一": 11, "十二": 12}
_NUM = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_YEAR = r"(?:((?:19|20)\d{2})\s*年\s*)?"
_DAY_RE = re.compile(_YEAR + _NUM + r"\s*月\s*(\d{1,2})\s*[日号]")
_MONTH_RE = re.compile(_YEAR + _NUM + r"\s*月(?:份)?(上旬|中旬|下旬|中下旬|上中旬|初|底|末|上半月|下半月)?(?![\d日号])")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年份?(?![度底末初]|\s*\d{1,2}\s*月)")
# the meteorological seasons of China's weather service: 春季 is March to May, 冬季 December to February
# (only after a year, 今年 or 去年: alone, 夏季 and 冬季 name things as often as times — 夏季达沃斯, 冬季运动; and a
# season's games, 冬季奥运会, are named by it, not held in it)
_SEASON_RE = re.compile(r"(?:((?:19|20)\d{2})\s*年|(今年|去年))\s*(春|夏|秋|冬)(?:季|天)(?!奥|运动)")
_SEASON_START = {"春": 3, "夏": 6, "秋": 9, "冬": 12}
# 截至2023年底, 到6月: the time of a figure, not of the report, which comes after it (so are 一季度, 上半年, 2023年度:
# statistics and awards are reported once their period is over, so they are not read as the report's period)
_AS_OF = re.compile(r"(?:截至|截止|到)\s*$")
_RELATIVE = re.compile(r"今天|今日|昨天|昨日|前天|本周|这周|这一周|上周|上一周|本月|这个月|上个月|上月|今年|去年|近期|最近|近来")
_NEWEST = re.compile(r"最近一次|最近的一次|最后一次|最新一期|最新的|最新")
_OLDEST = re.compile(r"第一次|头一回|头一次|最早")
_LEFTOVER = re.compile(r"^(?:那天|当天|那时|那阵子|的|[，,、\s])+")  # what a cut time phrase leaves dangling
RECENT_DAYS = 30  # 最近/近期: the month up to the reference day


class Order(enum.Enum):
    """Which report of a topic the question asks for: any relevant one, the newest, or the oldest."""

    ANY = "any"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class TimeAsk:
    """The time a question names: a period (None = any time), an order, and the question without its time words."""

    period: Span | None
    order: Order
    rest: str
    label: str = ""  # the words that named the period, e.g. "5月上旬"
    yearless: bool = False  # the period came from a date printed without a year (see ``years_back``)

    def years_back(self, n: int) -> "TimeAsk":
        """The same days ``n`` years earlier (a yearless 7月28日 in an archive that ends before the next 28 July)."""
        if self.period is None or n == 0:
            return self
        return replace(self, period=(_minus_years(self.period[0], n), _minus_years(self.period[1], n)))


def _minus_years(d: Day, n: int) -> Day:
    y = d.year - n
    return d.replace(year=y, day=min(d.day, calendar.monthrange(y, d.month)[1]))


def _num(s: str) -> int:
    return int(s) if s.isdigit() else _CN_NUM[s]


def _month_span(year: int, month: int, part: str | None) -> Span | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = {None: (1, last), "上旬": (1, 10), "初": (1, 10), "中旬": (11, 20),
                           "下旬": (21, last), "底": (21, last), "末": (21, last), "中下旬": (11, last),
                           "上中旬": (1, 20), "上半月": (1, 15), "下半月": (16, last)}[part]
    return dt.date(year, month, first_day), dt.date(year, month, last_day)


def _latest_year(reference: Day, month: int, day: int = 1) -> int:
    """The year that puts (month, day) latest on or before ``reference``."""
    try:
        return reference.year if dt.date(reference.year, month, day) <= reference else reference.year - 1
    except ValueError:  # 2月29日 in a year without one
        return reference.year - 1


def _season(m: re.Match, reference: Day) -> Span:
    """The season ``_SEASON_RE`` matched, of the year written or of 今年/去年."""
    first = _SEASON_START[m.group(3)]
    year = int(m.group(1)) if m.group(1) else reference.year - (m.group(2) == "去年")
    start = dt.date(year, first, 1)
    end_month = (first + 2 - 1) % 12 + 1
    end_year = year + (end_month < first)
    return start, dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def _relative(word: str, ref: Day) -> Span:
    if word in ("今天", "今日"):
        return ref, ref
    if word in ("昨天", "昨日"):
        return ref - dt.timedelta(1), ref - dt.timedelta(1)
    if word == "前天":
        return ref - dt.timedelta(2), ref - dt.timedelta(2)
    monday = ref - dt.timedelta(ref.weekday())
    if word in ("本周", "这周", "这一周"):
        return monday, ref
    if word in ("上周", "上一周"):
        return monday - dt.timedelta(7), monday - dt.timedelta(1)
    if word in ("本月", "这个月"):
        return ref.replace(day=1), ref
    if word in ("上个月", "上月"):
        last = ref.replace(day=1) - dt.timedelta(1)
        return last.replace(day=1), last
    if word == "今年":
        return dt.date(ref.year, 1, 1), ref
    if word == "去年":
        return dt.date(ref.year - 1, 1, 1), dt.date(ref.year - 1, 12, 31)
    return ref - dt.timedelta(RECENT_DAYS - 1), ref  # 最近, 近期, 近来


def parse_time(question: str, reference: Day) -> TimeAsk:
    """The period and order ``question`` names, read against ``reference``.

    ``parse_time("5月上旬习近平出访了哪几个国家？", date(2025, 1, 1))`` -> period 2024-05-01..2024-05-10,
    rest "习近平出访了哪几个国家？"; ``parse_time("最新一期公布的外汇储备是多少？", d)`` -> order NEWEST, period up to d.
    """
    text = question.translate(_DIGITS)
    cut: list[tuple[int, int]] = []
    period: Span | None = None
    label = ""
    yearless = False

    m = _DAY_RE.search(text)
    if m:
        month, day = _num(m.group(2)), int(m.group(3))
        year = int(m.group(1)) if m.group(1) else _latest_year(reference, month, day)
        try:
            period = (dt.date(year, month, day),) * 2
            yearless = not m.group(1)
        except ValueError:
            period = None
        cut.append(m.span())
    if period is None:
        m = _MONTH_RE.search(text)
        if m and not (m.group(1) is None and m.group(3) is None and _num(m.group(2)) > 12):
            month = _num(m.group(2))
            year = int(m.group(1)) if m.group(1) else _latest_year(reference, month)
            period = _month_span(year, month, m.group(3))
            yearless = not m.group(1)
            if period:
                cut.append(m.span())
    if period is None:
        m = _SEASON_RE.search(text)
        if m:
            period = _season(m, reference)
            cut.append(m.span())
    if period is None:
        m = _YEAR_RE.search(text)
        if m:
            year = int(m.group(1))
            period = (dt.date(year, 1, 1), dt.date(year, 12, 31))
            cut.append(m.span())
    if period is not None and _AS_OF.search(text[:cut[-1][0]]):
        period, yearless, cut = None, False, []

    order = Order.ANY
    m = _NEWEST.search(text)
    o = _OLDEST.search(text)
    if m:
        order = Order.NEWEST
        cut.append(m.span())
    elif o:
        order = Order.OLDEST
        cut.append(o.span())
    if period is None:
        m = _RELATIVE.search(text)
        if m and not any(a <= m.start() < b for a, b in cut):
            if order is Order.ANY or m.group() not in ("最近", "近期", "近来"):
                period = _relative(m.group(), reference)
            cut.append(m.span())
    if period is None and order is not Order.ANY:
        period = (dt.date(1900, 1, 1), reference)  # the newest/oldest report so far: nothing after the reference
    if period is not None and period[0] <= reference < period[1]:
        period = (period[0], reference)  # 今年, 本月: only the days so far
    label = "".join(text[a:b] for a, b in sorted(cut))
    rest = text
    for a, b in sorted(cut, reverse=True):
        rest = rest[:a] + rest[b:]
    rest = _LEFTOVER.sub("", rest).strip() or text
    return TimeAsk(period, order, rest, label, yearless)


def iso_period(period: Span) -> tuple[str, str]:
    return period[0].isoformat(), period[1].isoformat()


def describe(period: Span) -> str:
    """A period in words: 2024年5月1日至2024年5月10日, or one day."""
    a, b = period
    if a.year <= 1900:
        return f"截至{b.year}年{b.month}月{b.day}日"
    if a == b:
        return f"{a.year}年{a.month}月{a.day}日"
    return f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日"
