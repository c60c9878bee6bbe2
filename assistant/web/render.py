"""HTML for the web chat (app.py): answers, sources, whole articles with the cited sentences marked, index status.

Every string that comes from a user or from the corpus passes through ``esc`` (``html.escape`` with quotes) before it
is placed in markup, so a question or an article holding ``<script>`` or ``<img onerror=…>`` shows as those characters
and never as elements.  The chat component is told not to render markdown (app.py), so ``**`` or ``[x](y)`` in a
question also stay as typed.  Everything here is a pure function of its arguments: no Gradio, no model, no index.
Left out: retrieval and answer logic (assistant.service), page layout and events (app.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from ..types import Article, Citation

# Fonts installed on the machine; the page never asks for web fonts.
FONT_STACK = ('"Noto Sans CJK SC"', '"Source Han Sans SC"', '"PingFang SC"', '"Microsoft YaHei"',
              '"WenQuanYi Micro Hei"', "sans-serif")
MONO_STACK = ('"Noto Sans Mono CJK SC"', "ui-monospace", "Consolas", "monospace")

SEED_QUESTION = "虎强督导了哪些工作？"
CLI_INDEX_COMMAND = "python -m assistant index"

_MARKER = re.compile(r"\[(\d{1,3})\]")
_QUOTED = re.compile(r"“([^”]{2,16})”")


def esc(text: object) -> str:
    """Text -> HTML that shows exactly that text."""
    return html.escape("" if text is None else str(text), quote=True)


def format_date(date: str | None) -> str:
    """"2021-06-18" -> "2021年6月18日"; "06-18" -> "6月18日"; anything else as given."""
    if not date:
        return ""
    m = re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", date)
    if not m:
        return date
    year, month, day = m.groups()
    return (f"{year}年" if year else "") + f"{int(month)}月{int(day)}日"


def source_label(source: str, page: int | None) -> str:
    return source + (f" 第{page}页" if page else "")


# -- chat messages -----------------------------------------------------------------------------------------------------

def question_html(question: str) -> str:
    """The user's question as a chat message: shown exactly as typed."""
    return f'<div class="msg-question">{esc(question)}</div>'


def _marked_line(line: str) -> str:
    """One answer line, escaped, with each ``[n]`` made a visible citation marker."""
    out, pos = [], 0
    for m in _MARKER.finditer(line):
        out.append(esc(line[pos:m.start()]))
        out.append(f'<span class="cite-ref" data-cite="{m.group(1)}" title="来源 {m.group(1)}">[{m.group(1)}]</span>')
        pos = m.end()
    out.append(esc(line[pos:]))
    return "".join(out)


def answer_html(text: str, *, refused: bool = False, notice: str | None = None, resolved_question: str | None = None,
                pending: bool = False) -> str:
    """An answer as a chat message: one paragraph per line, ``[n]`` markers styled, notes above it."""
    parts = []
    if resolved_question:
        parts.append(f'<p class="msg-note">按「{esc(resolved_question)}」理解并查找</p>')
    if notice:
        parts.append(f'<p class="msg-note">{esc(notice)}</p>')
    parts += [f"<p>{_marked_line(line)}</p>" for line in text.split("\n") if line.strip()]
    if pending:
        parts.append('<p class="msg-pending">…</p>')
    cls = "msg-answer msg-refused" if refused else "msg-answer"
    return f'<div class="{cls}">{"".join(parts)}</div>'


def searching_html() -> str:
    return '<div class="msg-answer"><p class="msg-pending">正在查找相关报道…</p></div>'


def error_html(message: str) -> str:
    """A user-facing error (an ``AssistantError`` message) as a chat message; never a traceback."""
    return f'<div class="msg-answer msg-error"><p>{esc(message)}</p></div>'


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


# -- sources -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _SourceGroup:
    article_id: str
    first: Citation
    citations: tuple[Citation, ...]


def _groups(citations: Sequence[Citation]) -> list[_SourceGroup]:
    order: dict[str, list[Citation]] = {}
    for c in citations:
        order.setdefault(c.article_id, []).append(c)
    return [_SourceGroup(aid, cs[0], tuple(cs)) for aid, cs in order.items()]


def _meta_line(date: str | None, reporters: Iterable[str], source: str, page: int | None) -> str:
    bits = []
    if date:
        bits.append(f'<span class="meta-date">{esc(format_date(date))}</span>')
    reporters = list(reporters)
    if reporters:
        bits.append(f'<span class="meta-byline">{esc("、".join(reporters))}</span>')
    bits.append(f'<span class="meta-source">来源文件：{esc(source_label(source, page))}</span>')
    return '<span class="meta-sep"> · </span>'.join(bits)


def sources_html(citations: Sequence[Citation], active: int | None = None) -> str:
    """The sources panel: each cited article once (headline, date, reporters, source file/page) with a button per
    citation ``[n]`` and the sentence it cites.  Buttons carry ``data-cite="n"`` for app.py's click handler."""
    if not citations:
        return '<div class="sources-empty">提问后，这里会列出回答引用的报道。点击编号可查看原文。</div>'
    items = []
    for g in _groups(citations):
        c = g.first
        buttons = "".join(
            f'<button type="button" class="cite-btn{" cite-btn-active" if x.n == active else ""}" data-cite="{x.n}">'
            f'<span class="cite-num">[{x.n}]</span><span class="cite-text">{esc(x.text)}</span></button>'
            for x in g.citations)
        items.append(f'<li class="source"><div class="source-title">《{esc(c.title)}》</div>'
                     f'<div class="source-meta">{_meta_line(c.date, c.reporters, c.source, c.page)}</div>'
                     f'<div class="source-cites">{buttons}</div></li>')
    return ('<div class="sources"><p class="sources-hint">点击编号查看整篇报道，引用的句子会高亮显示。</p>'
            f'<ol class="source-list">{"".join(items)}</ol></div>')


def citation_choices(citations: Sequence[Citation]) -> list[tuple[str, str]]:
    """(label, value) pairs for a radio of citations: ("[1] 《标题》", "1")."""
    return [(f"[{c.n}] 《{c.title}》", str(c.n)) for c in citations]


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


def article_html(article: Article, citations: Sequence[Citation] = (), active: int | None = None) -> str:
    """A whole article: headline, date, byline, source, then the full text with the cited sentences marked.

    The citation numbered ``active`` is ``<mark class="cite-active">`` (the first piece has ``id="cite-active"`` so it
    can be scrolled into view); other citations of the same article are ``<mark class="cite-other">``.
    """
    marks = [(c.start, c.end, c.n == active) for c in citations
             if c.article_id == article.article_id and 0 <= c.start < c.end <= len(article.text)]
    seen_active = [False]
    paragraphs = []
    for m in re.finditer(r"[^\n]+", article.text):
        if m.group().strip():
            paragraphs.append(f"<p>{_spans_html(article.text, m.start(), m.end(), marks, seen_active)}</p>")
    # the byline as printed (记者 … 通讯员 … 文/图); the text itself ends with it too, as in the paper
    meta = _meta_line(article.date, [article.byline] if article.byline else article.reporters, article.source,
                      article.page)
    numbers = sorted(c.n for c in citations if c.article_id == article.article_id)
    cited = ("<div class=\"article-cited\">本文被引用："
             + " ".join(f"[{n}]" for n in numbers) + "</div>") if numbers else ""
    return (f'<article class="article-view" data-article="{esc(article.article_id)}">'
            f'<h3 class="article-title">{esc(article.title)}</h3>'
            f'<div class="article-meta">{meta}</div>{cited}'
            f'<div class="article-body">{"".join(paragraphs)}</div></article>')


def article_placeholder_html() -> str:
    return '<div class="article-empty">在上方选择一个引用编号，这里会显示整篇报道，并高亮被引用的句子。</div>'


# -- staff: index status -----------------------------------------------------------------------------------------------

def status_html(status: dict | None, job: str | None = None, error: str | None = None) -> str:
    """The index status panel from ``IndexStatus.to_json()``, plus the state of a rebuild started from the page."""
    rows = []
    if status:
        built = str(status.get("built_at") or "").replace("T", " ")
        for label, value in (("模型", status.get("model")), ("页面（文件）", status.get("pages")),
                             ("文章", status.get("articles")), ("文本块", status.get("chunks")),
                             ("建立时间", built), ("索引目录", status.get("index_dir")),
                             ("新闻目录", status.get("corpus_dir"))):
            rows.append(f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>")
        state = "正在更新索引…（期间仍可正常提问）" if status.get("building") else "就绪"
        rows.append(f"<tr><th>状态</th><td>{esc(state)}</td></tr>")
    parts = [f'<table class="status-table">{"".join(rows)}</table>'] if rows else []
    if error:
        parts.append(f'<p class="status-error">{esc(error)}</p>')
    if job:
        parts.append(f'<pre class="status-log">{esc(job)}</pre>')
    parts.append(f'<p class="status-cli">也可以在命令行更新索引：<code>{esc(CLI_INDEX_COMMAND)}</code></p>')
    return f'<div class="status">{"".join(parts)}</div>'


# -- example questions -------------------------------------------------------------------------------------------------

def example_questions(articles: Iterable[Article], limit: int = 4) -> list[str]:
    """Example questions drawn from the corpus: the seed question, then one per article topic.

    A topic is the first quoted term of a headline (“红色园区”), else of the article's lead; articles are taken in
    page order, so the examples follow the paper.
    """
    out = [SEED_QUESTION]
    ordered = sorted(articles, key=lambda a: (a.source, a.page or 0, a.ordinal))
    for a in ordered:
        if len(out) >= limit:
            break
        lead = a.text.split("\n", 1)[0]
        m = _QUOTED.search(a.title) or _QUOTED.search(lead)
        if not m:
            continue
        question = f"“{m.group(1)}”是怎么回事？"
        if question not in out:
            out.append(question)
    return out


# -- page style --------------------------------------------------------------------------------------------------------

PAGE_CSS = """
:root, .gradio-container, .gradio-container * { font-family: __FONTS__ !important; }
.gradio-container code, .gradio-container pre { font-family: __MONO__ !important; }
.gradio-container { max-width: 1320px !important; margin: 0 auto; }
#app-header h1 { font-size: 1.6rem; margin: 0.2rem 0; }
#app-header p { color: var(--body-text-color-subdued); margin: 0; font-size: 0.95rem; }
.msg-question, .msg-answer { font-size: 1.02rem; line-height: 1.75; white-space: normal; }
.msg-answer p { margin: 0 0 0.45em 0; }
.msg-note { color: var(--body-text-color-subdued); font-size: 0.88rem; }
.msg-refused p, .msg-error p { color: #8a5a00; }
.msg-pending { color: var(--body-text-color-subdued); }
.cite-ref { display: inline-block; color: #1d4ed8; font-weight: 600; font-size: 0.85em; margin: 0 1px;
  vertical-align: super; line-height: 1; }
.sources-hint, .sources-empty, .article-empty { color: var(--body-text-color-subdued); font-size: 0.9rem;
  margin: 0.2rem 0 0.6rem; }
.source-list { list-style: none; padding: 0; margin: 0; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6rem 0.75rem;
  margin-bottom: 0.6rem; background: var(--background-fill-primary); }
.source-title { font-weight: 700; font-size: 1rem; margin-bottom: 0.15rem; }
.source-meta, .article-meta { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.source-cites { margin-top: 0.35rem; display: flex; flex-direction: column; gap: 0.3rem; }
.cite-btn { display: flex; gap: 0.45rem; align-items: baseline; text-align: left; width: 100%; cursor: pointer;
  border: 1px solid #c7d2fe; background: #eef2ff; color: inherit; border-radius: 6px; padding: 0.3rem 0.5rem;
  font-size: 0.9rem; line-height: 1.55; }
.cite-btn:hover, .cite-btn-active { background: #e0e7ff; border-color: #6366f1; }
.cite-num { color: #1d4ed8; font-weight: 700; white-space: nowrap; }
.cite-text { font-weight: 400; }
.article-view { padding: 0.2rem 0.2rem; }
.article-title { font-size: 1.2rem; font-weight: 700; margin: 0.1rem 0 0.3rem; line-height: 1.5; }
.article-cited { font-size: 0.85rem; color: #1d4ed8; margin-top: 0.1rem; }
.article-body { margin-top: 0.6rem; max-height: 520px; overflow-y: auto; padding-right: 0.4rem; }
.article-body p { text-indent: 2em; line-height: 1.9; margin: 0 0 0.6em; font-size: 1rem; }
mark.cite-active { background: #fde68a; color: inherit; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px #f59e0b55; }
mark.cite-other { background: #fef3c7; color: inherit; }
.status-table { border-collapse: collapse; font-size: 0.92rem; border: none !important; margin: 0.2rem 0 0.4rem; }
.status-table tr, .status-table th, .status-table td { border: none !important; background: none !important; }
.status-table th { text-align: left; padding: 0.2rem 1rem 0.2rem 0; color: var(--body-text-color-subdued);
  font-weight: 500; white-space: nowrap; }
.status-table td { padding: 0.2rem 0; word-break: break-all; }
.status-log { font-size: 0.82rem; white-space: pre-wrap; max-height: 160px; overflow-y: auto;
  background: var(--background-fill-secondary); padding: 0.4rem 0.6rem; border-radius: 6px; }
.status-error { color: #b91c1c; }
.status-cli { font-size: 0.88rem; color: var(--body-text-color-subdued); }
""".replace("__FONTS__", ", ".join(FONT_STACK)).replace("__MONO__", ", ".join(MONO_STACK))
