"""Dates as people read them: the one format the web chat shows (2024年3月5日), and build times in local time.

ISO stays in the JSON (``/ask``, ``status --json``); only what is drawn on the page goes through here.
Left out: time zones other than the server's own (the staff who read build times sit beside the server).
"""

from __future__ import annotations

import datetime as dt
import re

from ..timeexpr import ISO_DATE


def format_date(date: str | None, *, year: bool = True) -> str:
    """"2021-06-18" -> "2021年6月18日" ("6月18日" with ``year=False``); "06-18" -> "6月18日"; else as given."""
    if not date:
        return ""
    m = re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", date.strip())
    if not m:
        return date
    y, month, day = m.groups()
    return (f"{y}年" if y and year else "") + f"{int(month)}月{int(day)}日"


def format_month(month: str) -> str:
    """"2023-07" or "2023-07-21" -> "2023年7月"."""
    m = re.match(r"(\d{4})-(\d{1,2})", month or "")
    return f"{m.group(1)}年{int(m.group(2))}月" if m else (month or "")


def dates_in_text(text: str) -> str:
    """Every ISO date inside running text as people read it: "《甲》（2021-06-18）" -> "《甲》（2021年6月18日）"."""
    return ISO_DATE.sub(lambda m: f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日", text)


def format_time(stamp: str | None) -> str:
    """An ISO time with or without offset ("2021-06-18T10:00:00+0000") -> "2021年6月18日 18:00" in local time.

    A time without an offset is taken as local already; anything unparseable is shown as given.
    """
    if not stamp:
        return ""
    text = stamp.strip()
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # "+0000" (strftime %z) -> "+00:00"
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone()  # the server's local zone
    return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"
