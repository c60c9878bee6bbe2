"""HTML for the web chat (app.py): the conversation with each answer's own sources, and one article with its cited
sentences marked.

Every string that comes from a user or from the corpus passes through ``esc`` (``html.escape`` with quotes) before it
is placed in markup, so a question or an article holding ``<script>`` or ``<img onerror=…>`` shows as those characters
and never as elements; a source becomes a link only when it is an http(s) URL.  Each ``[n]`` is a ``<button>`` carrying
``data-msg`` (the answer's place in the conversation) and ``data-cite`` (n), so a citation of any answer, old or new,
opens that answer's n-th source.  Everything here is a pure function of its arguments: no Gradio, no model, no index.
Left out: retrieval and answer logic (assistant.service), page layout and events (app.py), the staff view (staff.py),
styles and scripts (style.py), example questions (examples.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from ..types import Answer, Article, Citation
from .dates import dates_in_text, format_date

LIST_SHOWN = 10  # items of a list answer shown before 「显示全部 N 篇」

_MARKER = re.compile(r"\[(\d{1,3})\]")
_LIST_ITEM = re.compile(r"^(\d{1,3})\.\s*(.*)$")


def esc(text: object) -> str:
    """Text -> HTML that shows exactly that text."""
    return html.escape("" if text is None else str(text), quote=True)


@dataclass(frozen=True)
class Turn:
    """One question and its answer as the chat shows them.  ``answer`` is None while it is being looked up; ``shown``
    is the part of the answer's text streamed so far (None = all of it, with its sources)."""

    question: str
    answer: Answer | None = None
    shown: str | None = None


def citation_of(turns: Sequence[Turn], msg: int, n: int, kind: str = "answer") -> Citation | None:
    """The ``n``-th source of the answer at ``msg`` (``kind="related"``: of the reports shown beside a refusal)."""
    if not 0 <= msg < len(turns) or turns[msg].answer is None:
        return None
    answer = turns[msg].answer
    pool = answer.related if kind == "related" else answer.citations
    return next((c for c in pool if c.n == n), None)


# -- pieces ------------------------------------------------------------------------------------------------------------

def _is_url(source: str) -> bool:
    try:
        parts = urlsplit(source)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def source_html(source: str, page: int | None = None) -> str:
    """Where an article came from: a link when it is a web address, else the corpus file (and page)."""
    if _is_url(source):
        return (f'<a class="src-link" href="{esc(source)}" target="_blank" rel="noopener noreferrer">'
                f'{esc(source)}</a>')
    return f'<span class="src-file">{esc(source)}{f" 第{page}页" if page else ""}</span>'


def meta_html(date: str | None, reporters: Iterable[str], source: str, page: int | None) -> str:
    """"2021年6月18日 · 记者 柴琳琳 · 来源 file.txt" for a source card or an article."""
    bits = []
    if date:
        bits.append(f'<span class="meta-date">{esc(format_date(date))}</span>')
    reporters = [r for r in reporters if r]
    if reporters:
        bits.append(f'<span class="meta-byline">{esc("、".join(reporters))}</span>')
    bits.append(f'<span class="meta-source">来源：{source_html(source, page)}</span>')
    return '<span class="meta-sep"> · </span>'.join(bits)


def _cite_button(msg: int, n: int, kind: str, title: str, label: str | None = None) -> str:
    kind_attr = f' data-kind="{kind}"' if kind != "answer" else ""
    return (f'<button type="button" class="cite-ref" data-msg="{msg}" data-cite="{n}"{kind_attr} '
            f'title="查看来源 {n}：《{esc(title)}》" aria-label="查看来源 {n}：《{esc(title)}》">'
            f'{esc(label or f"[{n}]")}</button>')


def _marked(text: str, msg: int, titles: dict[int, str]) -> str:
    """Answer text, escaped, ISO dates as people read them, each known ``[n]`` a button opening source n."""
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in titles:
            continue  # not a citation of this answer: leave the characters as they are
        out.append(esc(dates_in_text(text[pos:m.start()])))
        out.append(_cite_button(msg, n, "answer", titles[n]))
        pos = m.end()
    out.append(esc(dates_in_text(text[pos:])))
    return "".join(out)


def _groups(citations: Sequence[Citation]) -> list[list[Citation]]:
    """Citations grouped by article, in order of first citation: an article cited twice is listed once."""
    order: dict[str, list[Citation]] = {}
    for c in citations:
        order.setdefault(c.article_id, []).append(c)
    return list(order.values())


def sources_list_html(citations: Sequence[Citation], msg: int, *, kind: str = "answer", heading: str = "来源",
                      shown: int | None = None) -> str:
    """The compact list under an answer: each cited article once (headline, date, byline, source) with a button per
    citation showing its sentence.  Articles after the first ``shown`` are hidden until 「显示全部」."""
    if not citations:
        return ""
    kind_attr = f' data-kind="{kind}"' if kind != "answer" else ""
    items = []
    for i, group in enumerate(_groups(citations)):
        c = group[0]
        numbers = "".join(_cite_button(msg, x.n, kind, x.title) for x in group)
        sentences = "".join(
            f'<button type="button" class="src-cite" data-msg="{msg}" data-cite="{x.n}"{kind_attr}>'
            f'<span class="src-cite-n">[{x.n}]</span> {esc(x.text)}</button>' for x in group)
        more = " more" if shown is not None and i >= shown else ""
        items.append(f'<li class="src{more}" data-article="{esc(c.article_id)}">'
                     f'<div class="src-head">{numbers}<span class="src-title">《{esc(c.title)}》</span></div>'
                     f'<div class="src-meta">{meta_html(c.date, c.reporters, c.source, c.page)}</div>'
                     f'<div class="src-cites">{sentences}</div></li>')
    return (f'<div class="answer-sources answer-sources-{kind}"><div class="sources-head">{esc(heading)}</div>'
            f'<ol class="src-list">{"".join(items)}</ol></div>')


# -- the conversation --------------------------------------------------------------------------------------------------

def question_html(question: str) -> str:
    """The user's question as a chat bubble: shown exactly as typed."""
    return f'<div class="msg msg-question">{esc(question)}</div>'


def answer_html(answer: Answer, msg: int, shown: str | None = None) -> str:
    """An answer bubble: notes, the text (a list answer as a list, the first ten shown), and its sources.

    While ``shown`` is a prefix of the text (streaming), the sources are not listed yet.
    """
    text = answer.text if shown is None else shown
    titles = {c.n: c.title for c in answer.citations}
    parts = []
    if answer.resolved_question:
        parts.append(f'<p class="msg-note">按「{esc(answer.resolved_question)}」理解并查找</p>')
    if answer.notice:
        parts.append(f'<p class="msg-note">{esc(dates_in_text(answer.notice))}</p>')
    items, total = [], 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        m = _LIST_ITEM.match(line)
        if m:
            total += 1
            more = ' class="more"' if total > LIST_SHOWN else ""
            items.append(f'<li value="{m.group(1)}"{more}>{_marked(m.group(2), msg, titles)}</li>')
            continue
        if items:
            parts.append(f'<ol class="answer-list">{"".join(items)}</ol>')
            items = []
        parts.append(f"<p>{_marked(line, msg, titles)}</p>")
    if items:
        parts.append(f'<ol class="answer-list">{"".join(items)}</ol>')
    complete = shown is None or shown == answer.text
    if total > LIST_SHOWN and complete:
        parts.append(f'<button type="button" class="show-all" data-expand="{msg}" '
                     f'data-more="显示全部 {total} 篇" data-less="只显示前 {LIST_SHOWN} 篇">显示全部 {total} 篇</button>')
    if not complete:
        parts.append('<p class="msg-pending" aria-live="polite">…</p>')
    elif answer.citations:
        parts.append(sources_list_html(answer.citations, msg, shown=LIST_SHOWN if total > LIST_SHOWN else None))
    elif answer.related:
        parts.append(sources_list_html(answer.related, msg, kind="related", heading="可能相关的报道（不是答案）"))
    cls = "msg msg-answer msg-refused" if answer.refused else "msg msg-answer"
    return f'<div class="{cls}" data-msg="{msg}">{"".join(parts)}</div>'


def searching_html() -> str:
    return '<div class="msg msg-answer"><p class="msg-pending" aria-live="polite">正在查找相关报道…</p></div>'


def chat_html(turns: Sequence[Turn], placeholder: str = "") -> str:
    """The whole conversation, one ``<section class="turn" data-msg=i>`` per question, inside the scrolling box."""
    sections = []
    for i, t in enumerate(turns):
        body = searching_html() if t.answer is None else answer_html(t.answer, i, t.shown)
        sections.append(f'<section class="turn" data-msg="{i}">{question_html(t.question)}{body}</section>')
    if not turns:
        sections.append(f'<div class="chat-empty">{esc(placeholder)}</div>')
    return f'<div class="chat-scroll" role="log" aria-label="对话">{"".join(sections)}</div>'


def notice_html(message: str | None) -> str:
    """The one message line under the question box (an error replaces the previous one; None clears it)."""
    if not message:
        return '<div class="notice notice-empty"></div>'
    return f'<div class="notice notice-error" role="alert">{esc(message)}</div>'


def stream_prefixes(text: str, steps: int = 24) -> Iterator[str]:
    """Growing prefixes of ``text`` ending with ``text`` itself, for showing an answer as it is "typed".

    Cuts are never inside a ``[n]`` marker, so a half-drawn marker never flashes on screen.
    """
    if not text:
        yield text
        return
    inside = set()
    for m in _MARKER.finditer(text):
        inside.update(range(m.start() + 1, m.end()))
    step = max(1, -(-len(text) // max(1, steps)))
    cut = 0
    while cut < len(text):
        cut = min(len(text), cut + step)
        while cut in inside:
            cut += 1
        yield text[:cut]


# -- one article -------------------------------------------------------------------------------------------------------

def _spans_html(text: str, start: int, end: int, marks: list[tuple[int, int, bool]], seen_active: list[bool]) -> str:
    """``text[start:end]`` escaped, with the parts covered by ``marks`` (start, end, active) inside ``<mark>``."""
    cuts = {start, end}
    for s, e, _ in marks:
        cuts.update(x for x in (s, e) if start < x < end)
    cuts = sorted(cuts)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [act for s, e, act in marks if s <= a and b <= e]
        piece = esc(text[a:b])
        if not covering:
            out.append(piece)
        elif any(covering):
            anchor = "" if seen_active[0] else ' id="cite-active"'
            seen_active[0] = True
            out.append(f'<mark class="cite-active"{anchor}>{piece}</mark>')
        else:
            out.append(f'<mark class="cite-other">{piece}</mark>')
    return "".join(out)


def article_html(article: Article, citations: Sequence[Citation] = (), active: int | None = None, *,
                 msg: int | None = None, opened: int = 0) -> str:
    """A whole article: headline, date, byline, source, then the full text with the cited sentences marked.

    ``citations`` are the answer's; those of this article are marked, the one numbered ``active`` as
    ``<mark class="cite-active">`` (its first piece has ``id="cite-active"`` so it can be scrolled to), the others as
    ``<mark class="cite-other">``.  ``msg`` names the answer (shown as 「第 k 个回答」); ``opened`` changes on every
    opening, so opening the same source again after closing the panel redraws it.
    """
    mine = [c for c in citations if c.article_id == article.article_id]
    marks = [(c.start, c.end, c.n == active) for c in mine if 0 <= c.start < c.end <= len(article.text)]
    seen_active = [False]
    paragraphs = []
    for m in re.finditer(r"[^\n]+", article.text):
        if m.group().strip():
            paragraphs.append(f"<p>{_spans_html(article.text, m.start(), m.end(), marks, seen_active)}</p>")
    # the byline as printed (记者 … 通讯员 … 文/图); the text itself ends with it too, as in the paper
    meta = meta_html(article.date, [article.byline] if article.byline else article.reporters, article.source,
                     article.page)
    numbers = sorted(c.n for c in mine)
    which = f"第 {msg + 1} 个回答" if msg is not None else "回答"
    cited = (f'<div class="article-cited">{esc(which)}引用了本文：'
             + " ".join(f'<span class="{"cited-active" if n == active else "cited"}">[{n}]</span>' for n in numbers)
             + "</div>") if numbers else ""
    return (f'<article class="article-view" data-article="{esc(article.article_id)}" data-opened="{opened}" '
            f'tabindex="-1" aria-label="原文：{esc(article.title)}">'
            '<div class="article-bar"><span class="article-kicker">原文</span>'
            '<button type="button" class="article-close" aria-label="关闭原文">关闭 ✕</button></div>'
            f'<h3 class="article-title">{esc(article.title)}</h3>'
            f'<div class="article-meta">{meta}</div>{cited}'
            f'<div class="article-body">{"".join(paragraphs)}</div></article>')


def article_placeholder_html() -> str:
    return ('<div class="article-empty">点击回答中的编号 [n] 或下方来源里的句子，这里会显示整篇报道，'
            "并高亮被引用的句子。</div>")


def article_error_html(message: str) -> str:
    return (f'<div class="article-view article-missing" tabindex="-1"><div class="article-bar">'
            '<span class="article-kicker">原文</span><button type="button" class="article-close" '
            f'aria-label="关闭原文">关闭 ✕</button></div><p class="notice-error">{esc(message)}</p></div>')


# -- the page around the chat ------------------------------------------------------------------------------------------

def header_html(title: str, description: str) -> str:
    return f"<h1>{esc(title)}</h1><p>{esc(description)}</p>"


def examples_html(questions: Sequence[str]) -> str:
    """Example questions as buttons (``data-q``: app.py asks the question on click)."""
    if not questions:
        return ""
    buttons = "".join(f'<button type="button" class="example" data-q="{esc(q)}">{esc(q)}</button>' for q in questions)
    return f'<div class="examples"><span class="examples-label">可以这样问：</span>{buttons}</div>'
