"""HTML for the staff view: what the archive holds and whether the index is current, from ``status().to_json()``.

Shows the date range, articles per month (a small CSS bar chart), sources by type, skipped files with the reason,
undated articles, what changed in the corpus since the last build, and the state of a rebuild started from the page.
Each of those keys is drawn only when the status carries it, so an older status (counts and build time only) still
renders.  Dates as people read them (2024年3月5日), the build time in the server's local time.
Left out: computing any of these facts (assistant.service / index), the buttons and timer (app.py).
"""

from __future__ import annotations

import re
from typing import Sequence

from .dates import format_date, format_month, format_time
from .render import esc

CLI_INDEX_COMMAND = "python -m assistant index"
LISTED = 12  # files named per list (skipped, added …) before 「等 N 个」

_SOURCE_TYPES = {"txt": "文本", "md": "文本", "pdf": "PDF", "html": "网页", "htm": "网页", "jsonl": "导出记录",
                 "csv": "导出记录", "json": "导出记录", "url": "网址"}


def _row(label: str, value: str) -> str:
    """A table row; ``value`` is HTML already."""
    return f"<tr><th>{esc(label)}</th><td>{value}</td></tr>"


def _count(n: object) -> str:
    return f"{n:,}" if isinstance(n, int) else esc(n)


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
    return (f'<div class="month-chart" role="img" aria-label="每月文章数，{esc(format_month(span[0]))}至'
            f'{esc(format_month(span[-1]))}，最多的一个月 {top:,} 篇">'
            f'<div class="bars">{"".join(bars)}</div>'
            f'<div class="chart-axis"><span>{esc(format_month(span[0]))}</span><span>最多 {top:,} 篇/月</span>'
            f'<span>{esc(format_month(span[-1]))}</span></div></div>')


def _changes_html(changed: dict | None) -> str:
    if changed is None:
        return ""
    parts = [(label, changed.get(key) or []) for key, label in (("added", "新增"), ("changed", "修改"),
                                                               ("removed", "删除"))]
    if not any(items for _, items in parts):
        return '<p class="status-ok">新闻目录自上次建立索引后没有变化。</p>'
    lines = "".join(f"<li>{esc(label)} {len(items):,} 个：{_files(items)}</li>" for label, items in parts if items)
    return (f'<div class="status-changed"><p>新闻目录自上次建立索引后有变化，点击「更新索引」让回答用上它们：</p>'
            f"<ul>{lines}</ul></div>")


def _skipped_html(skipped: Sequence) -> str:
    if not skipped:
        return ""
    rows = []
    for item in list(skipped)[:LISTED]:
        if isinstance(item, dict):
            rows.append(f"<li><code>{esc(item.get('file', ''))}</code>：{esc(item.get('reason', ''))}</li>")
        else:
            rows.append(f"<li>{esc(item)}</li>")
    more = f"<li>等 {len(skipped):,} 个</li>" if len(skipped) > LISTED else ""
    return (f'<div class="status-skipped"><p>未能读取的文件（{len(skipped):,} 个，其余文件照常建立索引）：</p>'
            f'<ul>{"".join(rows)}{more}</ul></div>')


def _sources_html(sources: dict) -> str:
    merged: dict[str, int] = {}
    for kind, n in sources.items():
        label = _SOURCE_TYPES.get(str(kind).lower().lstrip("."), str(kind))
        merged[label] = merged.get(label, 0) + int(n or 0)
    return "、".join(f"{esc(label)} {n:,}" for label, n in sorted(merged.items(), key=lambda kv: -kv[1]))


def status_html(status: dict | None, *, log: Sequence[str] = (), error: str | None = None, building: bool = False,
                elapsed: float | None = None, confirming: bool = False) -> str:
    """The staff panel from ``IndexStatus.to_json()`` (None when the index cannot be read), the last lines of a
    rebuild started from the page, its error, and the confirmation asked before one starts."""
    status = status or {}
    building = building or bool(status.get("building"))
    rows = []
    if "articles" in status:
        counts = f"{_count(status.get('articles'))} 篇文章"
        if "pages" in status:
            counts += f"，来自 {_count(status.get('pages'))} 个页面/文件"
        if "chunks" in status:
            counts += f"，{_count(status.get('chunks'))} 个文本块"
        rows.append(_row("规模", counts))
    first, last = (list(status.get("date_range") or []) + [None, None])[:2]
    if first or last:
        rows.append(_row("时间范围", f"{esc(format_date(first))} 至 {esc(format_date(last))}"))
    if "dated" in status or "undated" in status:
        undated = status.get("undated") or 0
        rows.append(_row("日期", f"{_count(status.get('dated', 0))} 篇有日期，" +
                         (f'<span class="status-warn">{_count(undated)} 篇没有日期</span>（按日期提问时找不到它们）'
                          if undated else "全部有日期")))
    if status.get("sources"):
        rows.append(_row("来源类型", _sources_html(status["sources"])))
    if status.get("built_at"):
        rows.append(_row("建立时间", esc(format_time(status["built_at"]))))
    model = status.get("model")
    if model:
        extra = "，".join(esc(status[k]) for k in ("backend", "device") if status.get(k))
        rows.append(_row("模型", esc(model) + (f"（{extra}）" if extra else "")))
    if status.get("store"):
        rows.append(_row("存储", esc(status["store"])))
    for key, label in (("index_dir", "索引目录"), ("corpus_dir", "新闻目录")):
        if status.get(key):
            rows.append(_row(label, f"<code>{esc(status[key])}</code>"))
    state = "正在更新索引…（期间仍可正常提问）" if building else ("就绪" if status else "索引无法读取")
    rows.append(_row("状态", esc(state)))

    parts = [f'<table class="status-table">{"".join(rows)}</table>']
    chart = month_chart_html(status.get("per_month") or {})
    if chart:
        parts.append(f'<div class="status-block"><div class="status-label">每月文章数</div>{chart}</div>')
    parts.append(_changes_html(status.get("changed_since_build")))
    parts.append(_skipped_html(status.get("skipped") or []))
    if confirming and not building:
        parts.append('<div class="status-confirm" role="alertdialog">确定要更新索引吗？会重新读取新闻目录中新增和修改的'
                     "文件（只为变化的部分计算向量），期间仍可正常提问。</div>")
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
