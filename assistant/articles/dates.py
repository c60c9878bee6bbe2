"""Where an article's date comes from, when its lead does not print a full one.

Sources, nearest first (:func:`page_anchor` picks the first that exists):

1. the page's own date: an export record's date field or the HTML page's publication date (``Page.date``);
2. a page header: a full date printed in a short line before the first article (``新闻联播文字版 2024年3月5日``,
   ``2021年6月18日 星期五``);
3. the path: a full date in a folder or file name (``2023/07/28/``, ``2023-07-28``, ``20230728_``,
   ``xwlb-20230728-01``), else a year (``news_2021-06.txt``, ``2021/``);
4. the year setting (``--year``).

An article's date is the day it was published: the anchor's full date when there is one; else its dateline's date
(``新华社北京6月18日电``, ``吉林日报8月16日讯``, or a story opening ``今天（6月18日）``); else a date opening the story
(``本报讯 6月16日下午``: the event's day, which runs a day or more before the article's wherever both are known).  The
anchor wins over the dateline because a dateline says when a dispatch was *filed*: a paper prints 本报北京8月16日电 in
its issue of 8月17日, and a site files it under ``2023/08/17/`` (69 of 600 regional articles of one month).  The
dateline's date is kept apart as ``filed`` (:func:`article_dates`) where it differs, since "16日" in the story means
the 16th.  A month and day without a year take the year that puts them nearest the anchor's full date (a 12月31日 lead
on a page of 2024-01-01 is 2023-12-31), or the anchor's year.  ISO ``YYYY-MM-DD`` when a year is known, ``MM-DD`` when
only the lead's month and day are, ``None`` when nothing dates it.
Left out: dates in words (六月十八日), relative dates (昨天) without a printed date, time zones (a date is read as
printed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse

from ..text import FULLWIDTH_DIGITS
from ..timeexpr import FULL_CN as _FULL_CN, FULL_ISO as _FULL_ISO, PATH_DATE as _PATH_DATE

_PATH_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?=[-_./]?(?:0[1-9]|1[0-2])(?![0-9]{3})|[-_/.]|$)")
HEADER_MAX = 40  # characters: a page-header line is short


@dataclass(frozen=True)
class Anchor:
    """The nearest date source of a page: a full date, or only a year, or nothing."""

    date: dt.date | None = None
    year: int | None = None
    source: str = ""  # "page", "header", "path", "setting": for messages and tests

    def iso(self) -> str | None:
        return self.date.isoformat() if self.date else None


def make_date(year: int | None, month: int, day: int) -> str | None:
    """(2021, 6, 18) -> "2021-06-18"; (None, 6, 18) -> "06-18"; (2021, 2, 29) -> None (no such day)."""
    try:
        dt.date(year if year is not None else 2000, month, day)  # 2000 is a leap year: 02-29 stays valid without a year
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year is not None else f"{month:02d}-{day:02d}"


def resolve(lead_date: tuple[int | None, int, int] | None, anchor: Anchor, days_after: int = 0,
            event: bool = False) -> str | None:
    """The article's date from its lead's (year?, month, day) and the page's anchor; see the module docstring.

    ``days_after`` moves the lead's date forward (a lead about 昨天（9月30日） dates an article of 10-01); an ``event``
    date (one opening the story) yields to the anchor's full date.
    """
    if lead_date is None or (event and anchor.date is not None):
        return anchor.iso()
    year, month, day = lead_date
    if year is None and anchor.date is not None:
        best = None
        for y in (anchor.date.year, anchor.date.year - 1, anchor.date.year + 1):
            iso = make_date(y, month, day)
            if iso is None:
                continue
            gap = abs((dt.date.fromisoformat(iso) - anchor.date).days)
            if best is None or gap < best[0]:
                best = (gap, iso)
        if best is None:
            return None
        year = int(best[1][:4])
    elif year is None:
        year = anchor.year
    iso = make_date(year, month, day)
    if iso is None or not days_after:
        return iso
    later = dt.date(year if year is not None else 2001, month, day) + dt.timedelta(days=days_after)
    return later.isoformat() if year is not None else later.strftime("%m-%d")  # 2001: no 29 February to step over


def article_dates(lead_date: tuple[int | None, int, int] | None, anchor: Anchor, days_after: int = 0,
                  event: bool = False) -> tuple[str | None, str | None]:
    """(published, filed) of an article: the anchor's full date, else the lead's; ``filed`` is the dateline's date
    where it differs from the published one, else ``None``.

    ``((None, 8, 16), Anchor(2023-08-17))`` -> ``("2023-08-17", "2023-08-16")``; ``((None, 8, 16), Anchor(year=2023))``
    -> ``("2023-08-16", None)``; an ``event`` date is never a filing date.
    """
    filed = resolve(lead_date, anchor, days_after) if lead_date is not None and not event else None
    if anchor.date is not None:
        published = anchor.iso()
    elif filed is not None:
        published = filed
    else:
        published = resolve(lead_date, anchor, days_after, event)
    return published, filed if filed != published else None


def page_anchor(page_date: str | None, header: list[str], paths: list[str], default_year: int | None) -> Anchor:
    """The first date source that exists, in the order of the module docstring.

    ``header`` is the lines printed before the first article; ``paths`` the page's file path and source (a URL's
    path counts too).
    """
    if page_date:
        try:
            return Anchor(dt.date.fromisoformat(page_date[:10]), int(page_date[:4]), "page")
        except ValueError:
            pass
    found = header_date(header)
    if found:
        return Anchor(found, found.year, "header")
    year = None
    for path in paths:
        found, path_year = path_date(path)
        if found:
            return Anchor(found, found.year, "path")
        year = year or path_year
    if year:
        return Anchor(None, year, "path")
    return Anchor(None, default_year, "setting") if default_year else Anchor()


def header_date(header: list[str]) -> dt.date | None:
    """The first full date printed in a short header line (``新闻联播文字版 2024年3月5日``, ``2021年6月18日 星期五``).

    Only the header counts: a dated weekday inside an article (a photo caption's ``2023年8月16日星期三``) is not the page's.
    """
    for line in header:
        if len(line) <= HEADER_MAX:
            found = full_date(line)
            if found:
                return found
    return None


def full_date(text: str) -> dt.date | None:
    """The first full date in ``text``: "2024年3月5日", "2024-03-05", "2024/3/5"; None when there is none."""
    text = text.translate(FULLWIDTH_DIGITS)
    m = _FULL_CN.search(text)
    if m:
        return _date(m.group(1), m.group(2), m.group(3))
    m = _FULL_ISO.search(text)
    return _date(m.group(1), m.group(3), m.group(4)) if m else None


def path_date(path: str) -> tuple[dt.date | None, int | None]:
    """(full date, year) printed in a file's path; the last full date wins (the file name is the most specific)."""
    if "://" in path:
        path = urlparse(path).path
    path = PurePosixPath(path).as_posix()
    found = None
    for m in _PATH_DATE.finditer(path):
        found = _date(m.group(1), m.group(3), m.group(4)) or found
    if found:
        return found, found.year
    m = _PATH_YEAR.search(path)
    return None, int(m.group(1)) if m else None


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
