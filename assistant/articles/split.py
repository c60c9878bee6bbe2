"""Page -> list[Article]: split a news page into articles (headline, dateline, date, body, reporters), mend lines.

A "line" is a non-blank line of ``Page.text``, stripped; a "block" is a run of lines with no blank line between them.

* **Article starts.**  A *strong* lead (:mod:`.leads`: ``本报讯``, ``XX日报讯``, ``新华社北京6月18日电``,
  ``央视网消息（新闻联播）：`` …) starts an article wherever it opens a line.  A *weak* lead (``据XX报道``, ``记者从…获悉``)
  starts one only right after a headline line that follows the end of a paragraph, and neither in a page whose format
  names its headline (``Page.title``: an HTML article) nor in a page of blocks (below): there the briefs of a roundup
  under one headline stay one article.  In a page whose paragraphs are
  separated by single line breaks (some block holds two finished paragraphs: a day's broadcast page, a text export), a
  blank line is an article boundary too: a line standing alone between blank lines that reads like a headline (no 。,
  no trailing comma or colon, <= 120 characters), followed by prose or a strong lead, starts an article whatever
  its first words.
* **Headline**: the one or two short headline lines right before a lead (<= 64 characters, no sentence punctuation,
  not ending a paragraph, not a byline, lead or page furniture), joined with a space; a quotation closed in the line
  (``分类运输车辆全部更新 杜绝垃圾“先分后混”``) does not end a paragraph; the headline line of a blank-line boundary; else
  ``Page.title`` (HTML, export records); else a ``原标题：`` opening the text, or a headline printed before a dateline
  inside the first line; else one made from the text (:mod:`.headline`), never the file name.
* **Page header**: lines before the first article that are all short (<= 40 characters, no sentence end) and include a
  full date or an edition mark (``新闻联播文字版 2024年3月5日``, ``2021年6月18日 星期五``, ``第1版``) are the page's masthead:
  they date the page and belong to no article.  Any other text before the first article (the end of an article
  continued from another page) becomes an article of its own.
* **Date** (:mod:`.dates`): when it was published: the first full date of the page's date (export record or HTML),
  its header and its path; else the dateline's own date, the month and day taking their year from the nearest of
  those and the year setting; else a date opening the story (``本报讯 6月16日下午``).  A dateline's date that differs
  from the published one is kept as ``Article.filed``.
* **Byline**: the last line of an article made only of roles and names (:func:`assistant.text.parse_byline`); else a
  bracketed credit in the lead (``本报讯（记者 张三）``, ``【环球网报道 记者 朱嘉琪】``) or closing the last paragraph
  (``（记者 王五）``); reporters also from credits glued after the last sentence (``编辑：房宽记者：覃广华、黄凯莹``, read
  by :mod:`.credits`; the credit stays in the text) and, for export records, the author field (``Page.reporters``).
* **Broken lines** (PDF extraction breaks a paragraph mid-sentence across blank lines): outside a page of blocks (where
  a line break ends a paragraph), a line is joined to the previous one, without a space (a space only between two
  Latin words), unless the previous line ends a sentence (。！？!?…；;：:”’」』)）) or is the headline or byline, or both
  lines are short (<= 16 characters: list items).
* **No lead**: a page without article starts is split after each byline line if there are several, else it is one
  article.  An export record (``Page.row``) is always exactly one article.

No text is dropped except a page header and an original headline (``原标题：…`` opening an article, which becomes its
headline unless one is printed; :func:`.headline.original_title`): every other character of the page is in some article's title or text, in
page order.  ``Article.text`` is lead and body paragraphs, then the byline, then anything printed after the byline (a
caption), joined by single ``\\n``.  ``page`` comes from ``Page.page_breaks`` (PDF); ``ordinal`` counts articles from 0.

Left out: sub-headings inside an article (in paragraph-per-line pages a sub-heading between blank lines reads as a
headline), photo captions between articles (they become part of the next headline if short), jump lines ("下转第二版").
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, replace

from ..text import FULLWIDTH_DIGITS, SENTENCE_PUNCT, ends_paragraph, join_fragments, parse_byline
from ..timeexpr import STANDALONE_DATE
from ..types import Article, Page
from .credits import closing_credits, parse_credits
from .dates import HEADER_MAX, Anchor, article_dates, page_anchor
from .headline import MAX_CHARS, derive_headline, original_title, story_start
from .leads import STRONG, Lead, parse_lead

MAX_HEADLINE = 64
MAX_BLOCK_HEADLINE = 120  # a broadcast page's headlines run longer than a newspaper's
SHORT_LINE = 16  # characters; see _repair
_EDITION = re.compile(r"(?:^|\s)第\s*[0-9一二三四五六七八九十]+\s*版(?:$|\s|[：:])")  # 第1版, not 试行第十版
_FINISHED = re.compile(r"[。！？!?…][”’」』)）]*$")
_TRAILING_PAREN = re.compile(r"[（(]([^（()）]{2,60})[)）]\s*$")
_QUOTES = {"”": "“", "’": "‘", "」": "「", "』": "『"}  # closer -> opener


@dataclass(frozen=True)
class _Line:
    text: str  # stripped
    start: int  # offset of its first character in Page.text
    block: int  # index of its block (lines separated by no blank line share one)


def split_articles(page: Page, *, default_year: int | None = None) -> list[Article]:
    """Split one page into its articles (rules in the module docstring).

    Returns ``[]`` only for a page without text; otherwise every character of the page, except a page header, ends up
    in some article.
    """
    lines = _lines(page.text)
    if not lines:
        return []
    paths = [p for p in dict.fromkeys((page.path, page.source)) if p]
    if page.row is not None:
        anchor = page_anchor(page.date, [], paths, default_year)
        return [_article(page, [], lines, anchor, 0, single=True, blocks=_block_layout(lines))]
    blocks = _block_layout(lines)
    starts = _starts(lines, blocks, weak=page.title is None)
    first = starts[0][0] if starts else 0
    header: list[_Line] = []
    parts: list[tuple[list[_Line], list[_Line]]] = []  # (headline lines, body lines)
    if starts:
        k = _header_end(lines[:first])
        header = lines[:k]
        if k < first:  # the end of an article continued from another page, or lines the page header cannot hold
            parts.append(_untitled(lines[k:first]))
        for n, (head, lead) in enumerate(starts):
            end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
            parts.append((lines[head:lead], lines[lead:end]))
    else:
        k = _header_end(lines[:-1])
        header, rest = lines[:k], lines[k:]
        cuts = [0] + [i + 1 for i, line in enumerate(rest[:-1]) if parse_byline(line.text) is not None]
        for a, b in zip(cuts, cuts[1:] + [len(rest)]):
            parts.append(_untitled(rest[a:b]))
    anchor = page_anchor(page.date, [line.text for line in header], paths, default_year)
    return [_article(page, head, body, anchor, ordinal, single=len(parts) == 1, blocks=blocks)
            for ordinal, (head, body) in enumerate(parts)]


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    block, prev_end = 0, None
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip()
        if not stripped:
            continue
        if prev_end is not None and text.count("\n", prev_end, m.start()) >= 2:
            block += 1
        out.append(_Line(stripped, m.start() + len(m.group()) - len(m.group().lstrip()), block))
        prev_end = m.end()
    return out


# --------------------------------------------------------------------------------------------------- article starts


def _starts(lines: list[_Line], blocks: bool, weak: bool) -> list[tuple[int, int]]:
    """(first headline line, lead line) of every article start, in page order.

    ``blocks``: the page is a page of blocks (blank lines are boundaries); ``weak``: weak leads may start an article.
    """
    forced: dict[int, int | None] = {}  # lead line -> headline line fixed by a blank-line boundary (else found below)
    heads: set[int] = set()  # the headline lines of blank-line boundaries
    for i, line in enumerate(lines):
        lead = parse_lead(line.text)
        if lead is not None and lead.strong:
            if not (blocks and _under_block_headlines(lines, i, forced)):
                forced.setdefault(i, None)
        elif lead is not None and weak and not blocks and i > 0 and _is_headline(lines[i - 1].text) and (
                i == 1 or ends_paragraph(lines[i - 2].text) or parse_byline(lines[i - 2].text) is not None):
            forced.setdefault(i, None)
        if (blocks and i + 1 < len(lines) and _alone(lines, i) and i - 1 not in heads
                and _is_block_headline(line.text) and _opens_story(lines, i + 1)):
            forced[i + 1] = i
            heads.add(i)
    starts: list[tuple[int, int]] = []
    floor = 0
    for lead in sorted(forced):
        head = forced[lead]
        if head is None or head < floor:
            head = lead
            while head > floor and lead - head < 2 and _is_headline(lines[head - 1].text):
                head -= 1
        starts.append((head, lead))
        floor = lead + 1
    return starts


def _block_layout(lines: list[_Line]) -> bool:
    """Whether paragraphs are separated by single line breaks: some block holds a finished paragraph and more."""
    return any(a.block == b.block and _FINISHED.search(a.text) for a, b in zip(lines, lines[1:]))


def _alone(lines: list[_Line], i: int) -> bool:
    before = i == 0 or lines[i - 1].block != lines[i].block
    return before and lines[i + 1].block != lines[i].block


def _opens_story(lines: list[_Line], j: int) -> bool:
    """Whether the block at line ``j`` opens a story: prose or a strong lead, after at most three headline lines."""
    for k in range(j, min(j + 4, len(lines))):
        if lines[k].block != lines[j].block:
            return False
        if _is_prose(lines[k].text) or STRONG.match(lines[k].text):
            return True
        if not _is_block_headline(lines[k].text):
            return False
    return False


def _under_block_headlines(lines: list[_Line], i: int, forced: dict[int, int | None]) -> bool:
    """A lead inside a block that a blank-line boundary already opened, below that story's sub-headlines only."""
    j = i
    while j > 0 and i - j < 4 and lines[j - 1].block == lines[i].block:  # _opens_story allows three headline lines
        j -= 1
    return (j < i and j in forced and (j == 0 or lines[j - 1].block != lines[i].block)
            and all(_is_block_headline(line.text) for line in lines[j:i]))


def _is_block_headline(text: str) -> bool:
    return (len(text) <= MAX_BLOCK_HEADLINE and "。" not in text and not text.endswith(tuple("，,、；;：:"))
            and parse_byline(text) is None and not STRONG.match(text) and not _is_furniture(text))


def _is_prose(text: str) -> bool:
    return bool(SENTENCE_PUNCT.search(text)) or len(text) > MAX_BLOCK_HEADLINE


def _is_headline(text: str) -> bool:
    return (len(text) <= MAX_HEADLINE and not _ends_paragraph(text) and not SENTENCE_PUNCT.search(text)
            and parse_lead(text) is None and not _is_furniture(text) and parse_byline(text) is None)


def _ends_paragraph(text: str) -> bool:
    """:func:`ends_paragraph` for a line that may be a headline: a closing quotation mark whose quotation opens in the
    same line closes a quoted phrase (``杜绝垃圾“先分后混”``), not a paragraph; what comes before it decides.

    A closer without its opener in the line (the end of a quotation broken across lines) still ends a paragraph.
    """
    while text and text[-1] in _QUOTES and text.count(_QUOTES[text[-1]]) >= text.count(text[-1]):
        text = text[:-1].rstrip()
    return bool(text) and ends_paragraph(text)


def _is_furniture(text: str) -> bool:
    """A masthead line: a full date standing as its own word (``新闻联播文字版 2024年3月5日``, ``2021年6月18日 星期五``) or
    an edition mark (``第2版``); a date glued to words (``2025年1月1日起我国调整部分商品关税``) is a headline's."""
    return bool(STANDALONE_DATE.search(text.translate(FULLWIDTH_DIGITS))) or bool(_EDITION.search(text))


def _header_end(lines: list[_Line]) -> int:
    """How many of the leading ``lines`` are a page header: short lines, no sentence, up to the last dated or
    edition line (``新闻联播文字版 2024年3月5日``, ``第1版``)."""
    end = 0
    for k, line in enumerate(lines):
        if len(line.text) > HEADER_MAX or SENTENCE_PUNCT.search(line.text):
            break
        if _is_furniture(line.text):
            end = k + 1
    return end


def _untitled(lines: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """A stretch without a lead: its first line is its headline when it looks like one and more text follows.

    With no lead to confirm it, a line with a comma is taken for the first piece of a broken paragraph instead.
    """
    if len(lines) > 1 and _is_headline(lines[0].text) and not re.search(r"[,，]", lines[0].text):
        return lines[:1], lines[1:]
    return [], lines


# -------------------------------------------------------------------------------------------------------- one article


def _article(page: Page, head: list[_Line], body: list[_Line], anchor: Anchor, ordinal: int, single: bool,
             blocks: bool) -> Article:
    title = " ".join(line.text for line in head)
    if not title and page.title and (single or ordinal == 0):
        title = page.title
        if len(body) > 1 and body[0].text == page.title:  # the headline repeated as the first line
            head, body = body[:1], body[1:]
    if body and (found := original_title(body[0].text)) is not None:
        # 原标题：… opening the text: the original headline (the article's, unless one is printed) leaves the text.
        original, at = found
        rest = body[0].text[at:].strip()
        if rest or len(body) > 1:
            body = ([replace(body[0], text=rest, start=body[0].start + at)] if rest else []) + body[1:]
            title = title or original
    lead = parse_lead(body[0].text) if body else None
    date, filed = article_dates(lead.date, anchor, lead.days_after, lead.event) if lead else (anchor.iso(), None)

    byline_at = next((i for i in range(len(body) - 1, 0, -1) if parse_byline(body[i].text) is not None), None)
    kept = body[:byline_at] if byline_at is not None else body
    # In a page of blocks a line break ends a paragraph; elsewhere a line may be half of one that extraction broke.
    paragraphs = [line.text for line in kept] if blocks else _repair(kept)
    byline, trailing = "", []
    if byline_at is not None:
        byline, trailing = body[byline_at].text, [line.text for line in body[byline_at + 1:]]
        reporters = parse_byline(byline) or ()
    else:
        reporters, byline = _inline_byline(paragraphs, lead)
    if not reporters and paragraphs:
        reporters = closing_credits(paragraphs[-1])
    text = "\n".join(paragraphs + ([byline] if byline_at is not None else []) + trailing)
    if not title:
        story = paragraphs[0] if paragraphs else text
        if lead and lead.strong and paragraphs:
            story = story[lead.end:]
        elif paragraphs:  # a dateline after a printed headline or a photo caption (…（资料图）海外网8月17日电)
            printed, at = story_start(story)
            title, story = printed, story[at:]
        title = title or derive_headline(story) or derive_headline(text) or text[:MAX_CHARS].strip()

    first = (head or body)[0].start
    number = bisect_right(page.page_breaks, first) if page.page_breaks else None
    digest = hashlib.sha256(f"{page.source}\x1f{title}\x1f{text}".encode("utf-8")).hexdigest()[:16]
    return Article(article_id=digest, source=page.source, title=title, text=text, date=date,
                   dateline=lead.dateline if lead and lead.strong else None, byline=byline,
                   reporters=tuple(dict.fromkeys((*page.reporters, *reporters))), page=number or None,
                   ordinal=ordinal, section=page.section, filed=filed)


def _inline_byline(paragraphs: list[str], lead: Lead | None) -> tuple[tuple[str, ...], str]:
    """Reporters printed inside the text: ``本报讯（记者 张三）…`` or a paragraph ending in ``（记者 张三）``."""
    candidates = []
    if lead is not None and lead.credit:
        candidates.append(lead.credit)
    if paragraphs:
        tail = _TRAILING_PAREN.search(paragraphs[-1])
        if tail:
            candidates.append(tail.group(1).strip())
    for candidate in candidates:
        reporters = parse_byline(candidate) or parse_credits(candidate)
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
