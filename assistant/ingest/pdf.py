"""PDF -> Page: text in reading order across columns, paragraphs rebuilt, physical page starts recorded.

pypdf's plain ``extract_text`` reads a two-column newspaper line by line straight across both columns.  Instead, a
visitor collects every text fragment with its position and font size, and the layout is rebuilt:

1. fragments on one baseline that touch are merged into lines (a gap wider than ~1 em is a column gutter, not a space);
2. gutters are x ranges that (almost) no line crosses; a line that does cross one (a banner headline over two columns)
   is "spanning" and cuts the page into horizontal bands;
3. reading order: band by band from the top; in a band, column by column from the left, each top to bottom;
4. lines are joined into paragraphs (no space between Chinese characters).  A new paragraph starts where the font size
   changes (headline -> lead), the line is indented (first-line indent, a right-aligned byline), the previous line stops
   well short of its column's right edge, or a vertical gap opens.  A paragraph that runs from the bottom of one column
   (or page) to the top of the next is continued, not broken.

Paragraphs are separated by a blank line, like the text files, so :mod:`assistant.articles` reads both the same way.
``Page.page_breaks[i]`` is the offset in ``Page.text`` where physical page ``i + 1`` starts (so it begins with 0), and
``bisect_right(page_breaks, offset)`` is the 1-based page of any offset.

Widths are estimated (1 em for CJK/full-width characters, 0.5 em otherwise) because font metrics are often missing for
the built-in CJK fonts; the thresholds above allow for that.  Left out: rotated text, more than one level of spanning
elements (a headline over two of three columns cuts all three), running headers and footers (kept as text where they
are printed), tables, images, OCR of scanned pages.
"""

from __future__ import annotations

import hashlib
import io
import math
import statistics
import unicodedata
from dataclasses import dataclass

from ..errors import IngestError
from ..text import join_fragments, normalize_text
from ..types import Page


@dataclass
class _Line:
    page: int  # 0-based
    x0: float
    x1: float  # estimated
    y: float  # baseline, PDF user space (grows upwards)
    size: float
    text: str
    spanning: bool = False
    column: int = 0


def read_pdf(raw: bytes, source: str) -> Page:
    """Decode a PDF file's bytes into a :class:`Page`; :class:`IngestError` when it cannot be read."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError
    except ImportError:  # pragma: no cover - pypdf is a declared dependency
        raise IngestError(f"{source}: reading PDF needs pypdf; install it with `pip install pypdf`.") from None
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):  # many PDFs carry an empty user password
            raise IngestError(f"{source}: the PDF is encrypted with a password; save an unencrypted copy.")
        pages = [_page_lines(page, i) for i, page in enumerate(reader.pages)]
    except IngestError:
        raise
    except DependencyError as exc:
        raise IngestError(f"{source}: the PDF is encrypted and pypdf cannot decrypt it ({exc}); "
                          "`pip install cryptography` or save an unencrypted copy.") from None
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError...) on damaged files
        raise IngestError(f"{source}: not a readable PDF ({type(exc).__name__}: {exc}); expected a PDF with a text "
                          "layer. Re-export or replace the file.") from None
    text, breaks = _assemble(pages)
    if not text.strip():
        raise IngestError(f"{source}: the PDF has no text layer (a scanned image?); run OCR on it first or add the "
                          "text as a .txt file.")
    return Page(source=source, text=text, encoding="pdf", sha256=hashlib.sha256(raw).hexdigest(),
                page_breaks=tuple(breaks))


# ------------------------------------------------------------------------------------------------------- one page


def _width(text: str, size: float) -> float:
    return size * sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _page_lines(page, index: int) -> list[_Line]:
    fragments: list[_Line] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text or not text.strip():
            return
        # Text space -> device space: the text matrix times the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = abs(font_size) * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]) or 1.0
        for k, piece in enumerate(text.strip("\n").split("\n")):
            piece = normalize_text(piece)
            if piece.strip():
                fragments.append(_Line(index, x, x + _width(piece, size), y - 1.2 * size * k, size, piece))

    page.extract_text(visitor_text=visit)
    lines = _merge_fragments(fragments)
    _assign_columns(lines)
    return _reading_order(lines)


def _merge_fragments(fragments: list[_Line]) -> list[_Line]:
    """Fragments on one baseline whose ends (nearly) touch become one line; a wider gap is a gutter."""
    rows: list[list[_Line]] = []  # fragments sharing a baseline (within a third of the font size)
    for f in sorted(fragments, key=lambda f: -f.y):
        if rows and abs(rows[-1][0].y - f.y) <= 0.3 * f.size:
            rows[-1].append(f)
        else:
            rows.append([f])
    lines: list[_Line] = []
    for row in rows:
        current = None
        for f in sorted(row, key=lambda f: f.x0):
            gap = f.x0 - current.x1 if current is not None else None
            if gap is not None and -0.5 * f.size <= gap <= 0.8 * f.size:
                # A space drawn on its own is not reported by pypdf; the gap it leaves (~0.2 em) stands for it.
                spaced = gap >= 0.15 * f.size and not current.text.endswith(" ") and not f.text.startswith(" ")
                current.text += (" " if spaced else "") + f.text
                current.x1 = f.x1
            else:
                current = _Line(f.page, f.x0, f.x1, f.y, f.size, f.text)
                lines.append(current)
    return lines


def _assign_columns(lines: list[_Line]) -> None:
    """Find gutters (x ranges at most a tenth of the lines cross); give each line its column or mark it spanning."""
    if len(lines) < 4:
        return
    left = math.floor(min(l.x0 for l in lines))
    right = math.ceil(max(l.x1 for l in lines))
    cover = [0] * (right - left + 1)  # lines covering each 1-pt slot of the page width
    for l in lines:
        for i in range(int(l.x0) - left, int(l.x1) - left + 1):
            cover[i] += 1
    allowed = max(1, len(lines) // 10)
    min_gap = 0.5 * statistics.median(l.size for l in lines)
    gutters: list[tuple[int, int]] = []
    start = None
    for i, n in enumerate(cover):
        if n <= allowed and start is None:
            start = i
        elif n > allowed and start is not None:
            if start > 0 and i - start >= min_gap:  # interior runs only: the page margins are not gutters
                gutters.append((left + start, left + i))
            start = None
    for l in lines:
        crossed = [g for g in gutters if l.x0 < g[0] and l.x1 > g[1]]
        l.spanning = bool(crossed)
        l.column = sum(1 for g in gutters if (g[0] + g[1]) / 2 < l.x0)


def _reading_order(lines: list[_Line]) -> list[_Line]:
    """Band by band (bands are cut by spanning lines), column by column, top to bottom."""
    spans = sorted((l.y for l in lines if l.spanning), reverse=True)

    def key(l: _Line):
        above = sum(1 for y in spans if y > l.y + 0.1)  # spanning lines above this one
        if l.spanning:
            return (above + 1, 0, 0, -l.y, l.x0)  # opens the band below it
        return (above, 1, l.column, -l.y, l.x0)

    return sorted(lines, key=key)


# ------------------------------------------------------------------------------------------------------- whole file


def _assemble(pages: list[list[_Line]]) -> tuple[str, list[int]]:
    """Join the ordered lines of all pages into paragraphs; return the text and each page's start offset."""
    # Each column's left edge and its usual right edge: the median end of the lines ending within 3 em of the
    # rightmost one (full lines), so that neither short last lines nor one overestimated line move it.
    edges: dict[tuple[int, int, bool], tuple[float, float]] = {}
    groups: dict[tuple[int, int, bool], list[_Line]] = {}
    for lines in pages:
        for l in lines:
            groups.setdefault((l.page, l.column, l.spanning), []).append(l)
    for k, group in groups.items():
        ends = [l.x1 for l in group]
        reach = 3 * statistics.median(l.size for l in group)
        edges[k] = (min(l.x0 for l in group), statistics.median(x for x in ends if x >= max(ends) - reach))

    parts: list[str] = []
    length = 0
    breaks: list[int] = []
    prev: _Line | None = None
    for lines in pages:
        page_start = None
        for line in lines:
            text = line.text.strip()
            if prev is None:
                sep = ""
            elif _starts_paragraph(prev, line, edges):
                sep = "\n\n"
            else:
                last, first = prev.text.strip()[-1:], text[:1]
                between_words = join_fragments(last, first) != last + first
                # A space the PDF printed at a line end (a headline wrapped between two phrases) is kept.
                printed_space = prev.text.endswith(" ") or line.text.startswith(" ")
                sep = " " if between_words or printed_space else ""
            if page_start is None:
                page_start = length + len(sep)
            parts.append(sep + text)
            length += len(sep) + len(text)
            prev = line
        breaks.append(length if page_start is None else page_start)
    # A page with no text starts where the next text starts (or at the end): fix the earlier guesses from the back.
    for i in range(len(pages) - 2, -1, -1):
        if not pages[i]:
            breaks[i] = breaks[i + 1]
    return "".join(parts), breaks


def _starts_paragraph(prev: _Line, line: _Line, edges) -> bool:
    if abs(prev.size - line.size) > 0.1 * max(prev.size, line.size):
        return True  # headline <-> body
    left, _ = edges[(line.page, line.column, line.spanning)]
    if not line.spanning and line.x0 > left + 0.8 * line.size:
        return True  # first-line indent, or a right-aligned byline
    _, right = edges[(prev.page, prev.column, prev.spanning)]
    if not prev.spanning and prev.x1 < right - 2 * prev.size:
        return True  # the previous line stopped short: its paragraph ended there
    same_column = (prev.page, prev.column, prev.spanning) == (line.page, line.column, line.spanning)
    return same_column and prev.y - line.y > 2.0 * max(prev.size, line.size)
