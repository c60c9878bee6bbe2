"""HTML news page -> Page, with trafilatura doing the boilerplate removal.

trafilatura finds the article body (dropping navigation, footers, scripts, comments) and its metadata (headline, date,
URL).  We ask for its XML output so that headings stay apart from paragraphs, and turn it into the same plain-text
layout as the text files: one paragraph per block, blocks separated by a blank line, list items and ``<br>`` lines each
on their own line.  Text from HTML is data: entities are decoded once (``&lt;script&gt;`` becomes the characters
``<script>``), nothing is rendered or evaluated, and no markup survives.

* A page with one headline (the common case): the heading leaves the text and becomes ``Page.title``; short metadata
  lines right under it (``来源：…``, ``发布时间：…``) are dropped as page furniture.  trafilatura drops bylines marked
  ``class="author"``; the last element whose whole text is a byline is put back as the last paragraph.
* A page with several ``<h2>`` sections (a page of briefs): the headings stay in the text, where
  :mod:`assistant.articles` finds them before each ``本报讯`` lead; ``Page.title`` is the page's own title.
* ``Page.date`` is trafilatura's ISO publication date; ``Page.source`` is the page's canonical URL (``<link
  rel="canonical">``, else ``og:url``) when it declares an absolute one, else the file path.

Encoding: a ``<meta charset>`` (or http-equiv) declaration is honoured, GB2312/GBK read as GB18030; without one, or
when it is wrong, the bytes go through :func:`assistant.ingest.decode.decode_text`.

Left out: fetching URLs, JavaScript-rendered pages, comments, images and their captions; on a page of several
sections, a ``class="author"`` byline that trafilatura drops is only put back for the last section.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re

from ..errors import IngestError
from ..text import normalize_text, parse_byline
from ..types import Page
from .decode import decode_text

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "utf8": "utf-8"}
_META_LINE = re.compile(r"^(?:来源|稿源|发布时间|发布日期|时间|日期|浏览|浏览次数|点击|阅读|字号|分享到?)\s*[:：]")
_CANONICAL = re.compile(r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.I)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.I)
_BLOCKS = ("head", "p", "item", "quote", "row", "code")


def read_html(raw: bytes, source: str) -> Page:
    """Decode an HTML file's bytes and extract its article(s) into a :class:`Page`."""
    try:
        import trafilatura
        from lxml import etree
    except ImportError:  # pragma: no cover - trafilatura is a declared dependency
        raise IngestError(f"{source}: reading HTML needs trafilatura; `pip install trafilatura`.") from None
    html = _decode(raw, source)
    xml = trafilatura.extract(html, output_format="xml", with_metadata=True, include_comments=False,
                              include_tables=True, include_images=False, deduplicate=False, config=_config())
    if not xml:
        raise IngestError(f"{source}: no article text found in this HTML page; expected a news page with paragraphs.")
    try:
        doc = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:  # trafilatura's own output; should not happen, but it is third-party text
        raise IngestError(f"{source}: the extracted article could not be parsed ({exc}); save it as text.") from None
    main = doc.find("main")
    blocks = _blocks(main) if main is not None else []
    if not blocks:
        raise IngestError(f"{source}: no article text found in this HTML page; expected a news page with paragraphs.")

    page_title = _clean(doc.get("title") or "") or None
    headings = [text for is_head, text in blocks if is_head]
    title = page_title
    if blocks[0][0] and (len(headings) == 1 or blocks[0][1] == page_title):
        title = blocks[0][1]  # the article's own headline: kept out of the text, like a printed headline
        blocks = blocks[1:]
        while blocks and not blocks[0][0] and _META_LINE.match(blocks[0][1]) and len(blocks[0][1]) <= 60:
            blocks = blocks[1:]
    byline = _byline(html)
    if byline and not any(_squash(byline) in _squash(text) for _, text in blocks):
        blocks.append((False, byline))  # trafilatura drops class="author" blocks; the byline belongs to the article
    text = "\n\n".join(text for _, text in blocks)
    if not text.strip():
        raise IngestError(f"{source}: the HTML page has a headline but no article text.")
    date = doc.get("date")
    date = date if date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None
    return Page(source=_canonical(html) or _absolute(doc.get("url")) or source, text=text, encoding="html",
                sha256=hashlib.sha256(raw).hexdigest(), title=title, date=date)


@functools.lru_cache(maxsize=1)
def _config():
    from trafilatura.settings import use_config

    config = use_config()
    # (favor_recall is left off: with it, a page of several <article> sections keeps only the first.)
    # Below this many characters trafilatura falls back to a baseline extractor that flattens the page into one
    # paragraph, headline and all; a one-brief news page is often that short.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "10")
    return config


def _byline(html: str) -> str | None:
    """The last element of the page whose whole text is a byline (``记者 张三 通讯员 李四``), outside nav/header/footer."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    found = None
    for el in root.iter("p", "div", "span", "em", "strong", "address", "li", "td", "font"):
        if any(a.tag in ("nav", "header", "footer", "aside") for a in el.iterancestors()):
            continue
        text = _clean(el.text_content())
        if 0 < len(text) <= 80 and parse_byline(text):
            found = text
    return found


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _decode(raw: bytes, source: str) -> str:
    declared = _CHARSET.search(raw[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        name = _ALIASES.get(name, name)
        try:
            codecs.lookup(name)
            return normalize_text(raw.decode("utf-8-sig" if name == "utf-8" else name))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    return decode_text(raw, source)[0]


def _blocks(main) -> list[tuple[bool, str]]:
    """(is_heading, text) for each block of trafilatura's XML, in document order; ``<lb/>`` becomes a line break."""
    out: list[tuple[bool, str]] = []
    for el in main.iter(*_BLOCKS):
        if any(parent.tag in _BLOCKS for parent in el.iterancestors()):
            continue  # a <p> inside a <quote> or an <item>: already read with its parent
        for lb in el.iter("lb"):
            lb.tail = "\n" + (lb.tail or "")
        if el.tag == "row":
            text = " ".join(_clean("".join(cell.itertext())) for cell in el)
        else:
            text = "\n".join(line for line in (_clean(s) for s in "".join(el.itertext()).split("\n")) if line)
        if text:
            out.append((el.tag == "head", text))
    return out


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", normalize_text(text).replace("\n", " ")).strip()


def _canonical(html: str) -> str | None:
    for tag in _CANONICAL.findall(html[:200_000]):
        href = _HREF.search(tag)
        if href and _absolute(href.group(1)):
            return href.group(1).strip()
    return None


def _absolute(url: str | None) -> str | None:
    return url.strip() if url and re.match(r"https?://\S+$", url.strip()) else None
