"""Page -> list[Article]: split a news page into briefs (headline, dateline, date, body, byline); mend broken lines.

Heuristics, in the order they run (a "line" is a non-blank line of ``Page.text``, stripped):

* **Lead**: a line that opens with a dateline, ``本报讯`` (or ``本报…电``, ``新华社…电``, ``中新网…电``).  Every lead starts
  an article.  The date is the ``[YYYY年]M月D日`` right after the dateline (``本报讯 6月16日下午`` -> 06-16; ``本报讯 近日``
  -> no date); a ``(记者 …)`` in parentheses after the dateline is read as the byline when no byline line follows.
* **Headline**: the one or two lines right before a lead that are short (<= 64 characters), end without sentence
  punctuation and are neither a byline, a lead nor page furniture (a full date like 2021年6月18日, 第1版).  Two lines
  are joined with a space (main and sub headline).  Without such lines the headline is ``Page.title`` (HTML) or else
  the file name's stem.
* **Byline**: the last line of an article made only of roles (记者, 本报记者, 通讯员, 实习生, 摄影, …), names (2-5 Chinese
  characters, longer with a middle dot, separated by spaces or 、) and credit marks (文/图, 图/文, 摄).  ``byline``
  keeps it as printed; ``reporters`` holds "role name" pairs; credit marks are not reporters.  A ``（记者 张三）``
  closing the last paragraph counts too.
* **Broken lines** (PDF extraction breaks a paragraph mid-sentence across blank lines): a line is joined to the previous
  one, without a space (a space only between two Latin words), unless the previous line ends a sentence
  (。！？!?…；;：:”’」』)）) or is the headline or byline, or both lines are short (<= 16 characters: list items).
* **Year**: from the lead's own date if it has one, else from the page (its HTML date, or a full date printed in the
  lines before the first article or next to 星期/周), else ``default_year``.  ``date`` is ISO ``"2021-06-18"`` when a
  year is known and ``"06-18"`` (month-day only) when not.  An article without its own date takes the HTML page date.
* **No structure**: a page without leads still yields articles: split after each byline line if there are several,
  else one article titled by ``Page.title``, its first short line (without a comma: here nothing confirms it is a
  headline), or the file stem.  Lines before the first headline (page furniture) become an article of their own.
  No text is dropped: every character of the page is in some article's title or text, in page order.

``Article.text`` is lead and body paragraphs, then the byline, then anything printed after the byline (a caption),
joined by single ``\\n``.  ``page`` comes from ``Page.page_breaks`` (PDF); ``ordinal`` counts articles from 0.

Left out: sub-headings inside an article (a short line without punctuation is joined to the next paragraph), photo
captions between articles (they become part of the next headline if short), Chinese-numeral dates (六月十八日), and
jump lines ("下转第二版").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlparse

from ..text import FULLWIDTH_DIGITS, SENTENCE_PUNCT, ends_paragraph, join_fragments, parse_byline
from ..types import Article, Page

MAX_HEADLINE = 64
SHORT_LINE = 16  # characters; see _repair
_DATELINE = re.compile(r"^(?:本报讯|本报[^\s，,。]{1,12}?电|(?:新华社|中新社|中新网|人民网)[^\s，,。]{0,16}?电)")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_WEEKDAY_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天]")
_PAREN = re.compile(r"^\s*[（(]([^（()）]{2,60})[)）]")
_TRAILING_PAREN = re.compile(r"[（(]([^（()）]{2,60})[)）]\s*$")

_FURNITURE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|第\s*[0-9一二三四五六七八九十]+\s*版")


@dataclass(frozen=True)
class _Line:
    text: str  # stripped
    start: int  # offset of its first character in Page.text


def split_articles(page: Page, *, default_year: int | None = None) -> list[Article]:
    """Split one page into its articles (rules in the module docstring).

    Returns ``[]`` only for a page without text; otherwise every character of the page ends up in some article.
    """
    lines = [_Line(m.group().strip(), m.start() + len(m.group()) - len(m.group().lstrip()))
             for m in re.finditer(r"[^\n]+", page.text) if m.group().strip()]
    if not lines:
        return []
    leads = [i for i, line in enumerate(lines) if _DATELINE.match(line.text)]
    year = _page_year(page, lines[: leads[0]] if leads else [])
    year = year if year is not None else default_year
    parts: list[tuple[list[_Line], list[_Line]]] = []  # (headline lines, body lines)
    if leads:
        starts = []
        for n, lead in enumerate(leads):
            floor = leads[n - 1] + 1 if n else 0
            head = lead
            while head > floor and lead - head < 2 and _is_headline(lines[head - 1].text):
                head -= 1
            starts.append((head, lead))
        if starts[0][0] > 0:  # page furniture, or the end of an article continued from another page
            parts.append(_untitled(lines[: starts[0][0]]))
        for n, (head, lead) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
            parts.append((lines[head:lead], lines[lead:end]))
    else:
        cuts = [0] + [i + 1 for i, line in enumerate(lines[:-1]) if parse_byline(line.text) is not None]
        for a, b in zip(cuts, cuts[1:] + [len(lines)]):
            parts.append(_untitled(lines[a:b]))
    articles = []
    for ordinal, (head, body) in enumerate(parts):
        articles.append(_article(page, head, body, year, ordinal, single=len(parts) == 1))
    return articles


def _untitled(lines: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """A stretch without a lead: its first line is its headline when it looks like one and more text follows.

    With no lead to confirm it, a line with a comma is taken for the first piece of a broken paragraph instead.
    """
    if len(lines) > 1 and _is_headline(lines[0].text) and not re.search(r"[,，]", lines[0].text):
        return lines[:1], lines[1:]
    return [], lines


def _article(page: Page, head: list[_Line], body: list[_Line], year: int | None, ordinal: int, single: bool) -> Article:
    if head:
        title = " ".join(line.text for line in head)
    elif page.title and (single or ordinal == 0):
        title = page.title
        if body and len(body) > 1 and body[0].text == page.title:  # the headline repeated as the first line
            head, body = body[:1], body[1:]
    else:
        title = _stem(page.source)

    dateline = date = lead_paren = None
    match = _DATELINE.match(body[0].text) if body else None
    if match:
        dateline = match.group()
        rest = body[0].text[match.end():]
        lead_paren = _PAREN.match(rest)
        # The date is in the dateline (新华社北京6月18日电) or opens the lead (本报讯 6月18日上午); a date later in the
        # sentence is about something else.
        if _DATE.search(dateline):
            date = _parse_date(dateline.translate(FULLWIDTH_DIGITS), year)
        else:
            after = (rest[lead_paren.end():] if lead_paren else rest).lstrip()
            date = _parse_date(after[:16].translate(FULLWIDTH_DIGITS), year, anchored=True)
    if date is None and page.date:
        date = page.date

    byline_at = next((i for i in range(len(body) - 1, 0, -1) if parse_byline(body[i].text) is not None), None)
    paragraphs = _repair(body[:byline_at] if byline_at is not None else body)
    byline, trailing = "", []
    if byline_at is not None:
        byline, trailing = body[byline_at].text, [line.text for line in body[byline_at + 1:]]
        reporters = parse_byline(byline) or ()
    else:
        reporters, byline = _inline_byline(paragraphs, lead_paren)
    text = "\n".join(paragraphs + ([byline] if byline_at is not None else []) + trailing)

    first = (head or body)[0].start
    number = bisect_right(page.page_breaks, first) if page.page_breaks else None
    digest = hashlib.sha256(f"{page.source}\x1f{title}\x1f{text}".encode("utf-8")).hexdigest()[:16]
    return Article(article_id=digest, source=page.source, title=title, text=text, date=date, dateline=dateline,
                   byline=byline, reporters=tuple(reporters), page=number or None, ordinal=ordinal)


def _inline_byline(paragraphs: list[str], lead_paren) -> tuple[tuple[str, ...], str]:
    """Reporters printed inside the text: ``本报讯（记者 张三）…`` or a paragraph ending in ``（记者 张三）``."""
    candidates = []
    if lead_paren:
        candidates.append(lead_paren.group(1).strip())
    if paragraphs:
        tail = _TRAILING_PAREN.search(paragraphs[-1])
        if tail:
            candidates.append(tail.group(1).strip())
    for candidate in candidates:
        reporters = parse_byline(candidate)
        if reporters:
            return reporters, candidate
    return (), ""


def _repair(lines: list[_Line]) -> list[str]:
    """Join the pieces of paragraphs that extraction broke mid-sentence."""
    paragraphs: list[str] = []
    for line in lines:
        # Two short lines in a row are list items or sub-heads, not halves of one broken paragraph.
        both_short = paragraphs and len(paragraphs[-1]) <= SHORT_LINE and len(line.text) <= SHORT_LINE
        if paragraphs and not both_short and not ends_paragraph(paragraphs[-1]):
            paragraphs[-1] = join_fragments(paragraphs[-1], line.text)
        else:
            paragraphs.append(line.text)
    return paragraphs


def _is_headline(text: str) -> bool:
    return (len(text) <= MAX_HEADLINE and not ends_paragraph(text) and not SENTENCE_PUNCT.search(text)
            and not _DATELINE.match(text) and not _FURNITURE.search(text) and parse_byline(text) is None)


def _parse_date(window: str, year: int | None, anchored: bool = False) -> str | None:
    m = _DATE.match(window) if anchored else _DATE.search(window)
    if not m:
        return None
    y = int(m.group(1)) if m.group(1) else year
    month, day = int(m.group(2)), int(m.group(3))
    try:
        dt.date(y if y is not None else 2000, month, day)  # 2000 is a leap year: 02-29 stays valid without a year
    except ValueError:
        return None
    return f"{y:04d}-{month:02d}-{day:02d}" if y is not None else f"{month:02d}-{day:02d}"


_PATH_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?=[-_./]?(?:0[1-9]|1[0-2])(?![0-9]{3})|[-_/.]|$)")


def _page_year(page: Page, before_first: list[_Line]) -> int | None:
    if page.date and re.match(r"\d{4}-", page.date):
        return int(page.date[:4])
    for line in before_first:
        m = _FULL_DATE.search(line.text.translate(FULLWIDTH_DIGITS))
        if m:
            return int(m.group(1))
    m = _WEEKDAY_DATE.search(page.text.translate(FULLWIDTH_DIGITS))
    if m:
        return int(m.group(1))
    # Newsrooms file pages by issue date (news_2021-06-18.txt, 2021/06/page1.pdf): the path is a page-level setting.
    m = _PATH_YEAR.search(page.source)
    return int(m.group(1)) if m else None


def _stem(source: str) -> str:
    path = urlparse(source).path if "://" in source else source
    return PurePosixPath(path).stem or source
