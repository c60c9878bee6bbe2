"""HTML for the staff view: what the archive holds and whether the index is current, from ``Assistant.status()``.

Shows exactly the facts of ``IndexStatus`` (assistant/index/catalog.py): counts, the date range, articles per month
(a small CSS bar chart), undated articles, formats, outlets and sections, files the build could not read with the
reason, what changed in the corpus since the build, model, device and build time, and the state of a rebuild started
from the page; the confirmation asked before a rebuild says what it will read.  Dates as people read them
(2024年3月5日), the build time in the server's local time.  Every name and reason from the corpus is escaped.
Left out: computing any of these facts (assistant.index.catalog), the buttons and timer (app.py).
"""

from __future__ import annotations

import re
from typing import Sequence

from ..index.catalog import Changes, IndexStatus
from .dates import format_date, format_month, format_time
from .render import esc

CLI_INDEX_COMMAND = "python -m assistant index"
LISTED = 12  # files named per list (skipped, added …) before 「等 N 个」

_SOURCE_TYPES = {"txt": "文本", "md": "文本", "text": "文本", "pdf": "PDF", "html": "网页", "htm": "网页",
                 "jsonl": "导出记录", "ndjson": "导出记录", "csv": "导出记录", "tsv": "导出记录", "json": "导出记录",
                 "export": "导出记录"}


def _row(label: str, value: str) -> str:
    """A table row; ``value`` is HTML already."""
    return f"<tr><th>{esc(label)}</th><td>{value}</td></tr>"


def _files(items: Sequence, limit: int = LISTED) -> str:
    names = [str(x) for x in items]
    shown = "、".join(esc(n) for n in names[:limit])
    return shown + (f" 等 {len(names):,} 个" if len(names) > limit else "")


def month_chart_html(per_month: dict[str, int]) -> str:
    """Articles per month as bars; every month between the first and the last gets a bar, empty ones at zero."""
    if not per_month:
        return ""
    months = sorted(k for k in per_month if re.fullmatch(r"\d{4}-\d{2}", k))
    if not months:
        return ""
    y, m = int(months[0][:4]), int(months[0][5:])
    last = (int(months[-1][:4]), int(months[-1][5:]))
    span = []
    while (y, m) <= last and len(span) < 600:  # 50 years: a bad key cannot make the page endless
        span.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    top = max(per_month.values()) or 1
    bars = []
    for key in span:
        n = per_month.get(key, 0)
        height = 0 if n == 0 else max(2, round(100 * n / top))
        year_start = key.endswith("-01") or key == span[0]
        label = f'<span class="bar-label">{esc(key[:4])}</span>' if year_start else ""
        bars.append(f'<div class="bar{" bar-year" if year_start else ""}" title="{esc(format_month(key))}：{n:,} 篇">'
                    f'<div class="bar-fill" style="height:{height}%"></div>{label}</div>')
    width = min(760, max(160, 24 * len(span)))  # a few months get narrow bars, not one slab across the panel
    return (f'<div class="month-chart" style="max-width:{width}px" role="img" '
            f'aria-label="每月文章数，{esc(format_month(span[0]))}至'
            f'{esc(format_month(span[-1]))}，最多的一个月 {top:,} 篇">'
            f'<div class="bars">{"".join(bars)}</div>'
            f'<div class="chart-axis"><span>{esc(format_month(span[0]))}</span><span>最多 {top:,} 篇/月</span>'
            f'<span>{esc(format_month(span[-1]))}</span></div></div>')


_CHANGE_LABELS = (("added", "新增"), ("changed", "修改"), ("removed", "删除"))


def _change_lines(changes: Changes) -> str:
    return "".join(f"<li>{esc(label)} {len(items):,} 个：{_files(items)}</li>"
                   for label, items in ((label, getattr(changes, key)) for key, label in _CHANGE_LABELS) if items)


def _changes_html(status: IndexStatus) -> str:
    if status.changes is None:
        return (f'<p class="status-warn">无法与新闻目录比较：{esc(status.corpus_problem)}</p>'
                if status.corpus_problem else "")
    if not status.changes:
        return '<p class="status-ok">新闻目录自上次建立索引后没有变化。</p>'
    return (f'<div class="status-changed"><p>新闻目录自上次建立索引后有变化，点击「更新索引」让回答用上它们：</p>'
            f"<ul>{_change_lines(status.changes)}</ul></div>")


def confirm_html(status: IndexStatus | None) -> str:
    """The question asked before a rebuild, with what it will read (or that nothing changed)."""
    changes = status.changes if status is not None else None
    if changes is None:
        what = "<p>会重新读取新闻目录中新增和修改的文件（只为变化的部分计算向量）。</p>"
    elif not changes:
        what = "<p>新闻目录自上次建立索引后没有变化，更新后索引不会改变。</p>"
    else:
        what = f"<p>更新会处理这些变化（只为变化的部分计算向量）：</p><ul>{_change_lines(changes)}</ul>"
    return (f'<div class="status-confirm" role="alertdialog"><p><strong>确定要更新索引吗？</strong>期间仍可正常提问。'
            f"</p>{what}</div>")


def _skipped_html(skipped: dict[str, str]) -> str:
    if not skipped:
        return ""
    rows = "".join(f"<li><code>{esc(f)}</code>：{esc(why)}</li>" for f, why in list(skipped.items())[:LISTED])
    more = f"<li>等 {len(skipped):,} 个</li>" if len(skipped) > LISTED else ""
    return (f'<div class="status-skipped"><p>未能读取的文件（{len(skipped):,} 个，其余文件照常建立索引）：</p>'
            f"<ul>{rows}{more}</ul></div>")


def _counts_html(counts: dict[str, int], labels: dict[str, str] | None = None) -> str:
    merged: dict[str, int] = {}
    for key, n in counts.items():
        label = (labels or {}).get(str(key).lower(), str(key))
        merged[label] = merged.get(label, 0) + n
    return "、".join(f"{esc(label)} {n:,} 篇" for label, n in sorted(merged.items(), key=lambda kv: -kv[1]))


def status_html(status: IndexStatus | None, *, log: Sequence[str] = (), error: str | None = None,
                building: bool = False, elapsed: float | None = None, confirming: bool = False) -> str:
    """The staff panel from ``Assistant.status()`` (None when the index cannot be read), the last lines of a
    rebuild started from the page, its error, and the confirmation asked before one starts."""
    building = building or bool(status and status.building)
    rows = []
    if status is not None:
        rows.append(_row("规模", f"{status.articles:,} 篇文章，来自 {status.pages:,} 个页面/文件，"
                                 f"{status.chunks:,} 个文本块"))
        if status.first:
            rows.append(_row("时间范围", f"{esc(format_date(status.first))} 至 {esc(format_date(status.last))}"))
        dated = status.articles - status.undated
        rows.append(_row("日期", f"{dated:,} 篇有日期，" + (
            f'<span class="status-warn">{status.undated:,} 篇没有日期</span>（按日期提问时找不到它们）'
            if status.undated else "全部有日期")))
        if status.formats:
            rows.append(_row("格式", _counts_html(status.formats, _SOURCE_TYPES)))
        if status.outlets:
            rows.append(_row("来源", _counts_html(status.outlets)))
        if status.sections:
            rows.append(_row("栏目", _counts_html(status.sections)))
        rows.append(_row("建立时间", esc(format_time(status.built_at))))
        extra = "，".join(esc(x) for x in (status.backend, status.device) if x)
        rows.append(_row("模型", esc(status.model) + (f"（{extra}）" if extra else "")))
        rows.append(_row("索引目录", f"<code>{esc(status.index_dir)}</code>"))
        rows.append(_row("新闻目录", f"<code>{esc(status.corpus_dir)}</code>"))
    state = "正在更新索引…（期间仍可正常提问）" if building else ("就绪" if status is not None else "索引无法读取")
    rows.append(_row("状态", esc(state)))

    parts = [f'<table class="status-table">{"".join(rows)}</table>']
    if status is not None:
        chart = month_chart_html(status.per_month)
        if chart:
            parts.append(f'<div class="status-block"><div class="status-label">每月文章数</div>{chart}</div>')
        parts.append(_changes_html(status))
        parts.append(_skipped_html(status.skipped))
    if confirming and not building:
        parts.append(confirm_html(status))
    if building:
        took = f"，已用 {int(elapsed)} 秒" if elapsed is not None else ""
        parts.append(f'<div class="status-progress"><span class="spinner" aria-hidden="true"></span>'
                     f"正在更新索引{esc(took)}…</div>")
    elif log and not error:
        parts.append('<p class="status-ok">索引更新完成。</p>')
    if error:
        parts.append(f'<p class="status-error">{esc(error)}</p>')
    if log:
        parts.append(f'<pre class="status-log">{esc(chr(10).join(log))}</pre>')
    parts.append(f'<p class="status-cli">也可以在命令行更新索引：<code>{esc(CLI_INDEX_COMMAND)}</code></p>')
    return f'<div class="status">{"".join(p for p in parts if p)}</div>'
