"""Web leftovers removed from an article's text at ingestion: page furniture trailing the text, and script fragments.

Pages saved from news sites (and the archives made from them) carry the site's furniture into the text, glued to the
last sentence or on lines of their own: ``返回搜狐，查看更多``, ``责任编辑：张三``, ``【编辑:于晓】``, ``更多精彩内容请进入国内新闻``,
``点击查看更多``, ``分享到：``, ``【纠错】``, ``扫一扫在手机打开当前页``, ``上一篇：…`` / ``下一页``, and a closing run of editors
only (``编辑：杨楠责编：李雪终审：李猛``).  :func:`trim` strips such pieces from the *end* of a text, one after the other,
until none is left there: a phrase in the middle of an article is never touched.  Credits that name reporters
(``记者：覃广华、黄凯莹``) are part of the article and stay: the article stage reads the reporters from them.

Script and style fragments that leaked into the text (``showPlayer({id:"…",width:600});``, ``$(function(){ … });``,
``.imgisgif{display:inline-block;…}``) are removed wherever they are: a run of ASCII characters with code punctuation
(braces with ``:`` or ``;`` inside, or ``function(``).  ``<script>alert(1)</script>`` written as text in an
article has no braces or statements and stays.

Ads that the sites inserted into the text are removed wherever they are: a ``广告`` label opening a segment (at a line
start, after a sentence end, a closer or a space), a short run of ad copy and the ad's close button ``×``
(``广告 美女秀场 真人直播 >>进入直播间与主播亲密互动 ×``): the button is what tells ad copy from a sentence about 广告.

Each removed piece counts one in ``Page.trimmed``.  So does each ``原标题：…`` label that opens a line: the article
stage (:mod:`assistant.articles.headline`) takes that original headline out of the text, because only it can tell where
a headline glued to its story ends (at the story's dateline or date); it is counted here so that the build summary
reports every piece of furniture in one figure.  Left out: furniture at the top of a text (bread crumbs, 来源 lines:
the HTML reader drops those), furniture between two articles of one page, and ad copy without its ``×``.
"""

from __future__ import annotations

import re

_NAME = r"[\u4e00-\u9fffA-Za-z0-9·]{0,12}?(?:[ 、，,]+[\u4e00-\u9fff·]{2,4})*"  # 张三 / 张霓、刘强 / U022
_EDITORS = r"(?:责任编辑|流程编辑|实习编辑|值班编辑|编辑|责编|校对|终审|审核|审校)"
# Each is matched at the very end of the text (after stripping white space).
_TAIL = [re.compile(f"(?:{p})\\s*$") for p in (
    r"返回搜狐[，,]?\s*查看更多",
    rf"[（(【\[]\s*{_EDITORS}\s*[:：]\s*{_NAME}(?:\s+[A-Z]{{0,4}}\d{{0,6}})?\s*[)）】\]]",  # (责任编辑：卢其龙 CN070)
    rf"(?:{_EDITORS}\s*[:：/]?\s*{_NAME}\s*)+{_EDITORS}\s*[:：/]?\s*{_NAME}",  # 编辑：杨楠责编：李雪终审：李猛
    rf"{_EDITORS}\s*[:：/]\s*{_NAME}",  # 责任编辑：张三 / 责任编辑： / 编辑/谭卫平
    rf"(?:责任编辑|实习编辑|编辑|责编|校对) {_NAME}",  # 校对 盛媛媛 (审核 and the like need a colon: they are words)
    r"更多精彩内容请(?:进入|关注|点击)[\u4e00-\u9fffA-Za-z]{0,12}",
    r"点击(?:这里|此处)?(?:查看|阅读|进入)?(?:更多|全文|原文|详情)[\u4e00-\u9fff]{0,8}",
    r"(?:分享|转发)(?:到|至)\s*[:：]?(?:\s*(?:微信|微博|朋友圈|QQ|QQ空间|空间|好友)[、，,\s]*)*",
    r"分享让更多人(?:看到|知道)",
    r"【纠错】|\[纠错\]",
    r"扫一扫在手机(?:上)?(?:打开|浏览|阅读)当前页",
    r"(?:上一篇|下一篇|上一页|下一页|首页|尾页)(?:\s*[:：][^\n]{0,60})?",
    r"(?:打开|下载)[\u4e00-\u9fffA-Za-z]{1,10}(?:客户端|APP|App)[\u4e00-\u9fff，,]{0,16}",
)]
_AD = re.compile(r"(?:(?<=^)|(?<=[\s。！？!?”」）)]))广告\s[^×\n]{1,80}?×[ \t]*", re.M)
_ORIGINAL_TITLE = re.compile(r"^\s*原标题\s*[：:]", re.M)
TAIL_WINDOW = 600  # characters at the end of a text that trailing furniture can occupy
_ASCII_RUN = re.compile(r"[\x20-\x7e\t]{12,}")
_CODE = re.compile(r"\{[^{}]*[:;][^{}]*\}|function\s*\(")  # a block of declarations or statements; a function


def trim(text: str) -> tuple[str, int]:
    """``text`` without trailing web furniture and script fragments, and how many pieces were removed.

    ``"会议召开。返回搜狐，查看更多责任编辑："`` -> ``("会议召开。", 2)``.  Line structure is kept; a line emptied by a
    removal goes with it.
    """
    text, scripts = _strip_scripts(text)
    text, ads = _strip_ads(text)
    anywhere = scripts + ads + len(_ORIGINAL_TITLE.findall(text))  # pieces removed from anywhere in the text
    removed = anywhere
    body = text.rstrip()
    cut = max(0, len(body) - TAIL_WINDOW)  # the patterns only look at the end: a long text costs no more
    head, tail = body[:cut], body[cut:]
    while tail:
        for pattern in _TAIL:
            m = pattern.search(tail)
            if m and m.group().strip():
                tail = tail[: m.start()].rstrip()
                removed += 1
                break
        else:
            break
    if removed == anywhere:  # nothing trailing: keep the text exactly as it was
        return text, removed
    body = (head + tail).rstrip()
    return body + ("\n" if text.endswith("\n") and body else ""), removed


def _strip_ads(text: str) -> tuple[str, int]:
    """``"会议召开。广告 美女秀场 >>进入直播间 ×据报道，…"`` -> ``("会议召开。据报道，…", 1)``; a line left empty goes."""
    if "广告" not in text:  # the common case: nothing to look at
        return text, 0
    kept, n = _AD.subn("", text)
    if not n:
        return text, 0
    lines = [line for line, old in zip(kept.split("\n"), text.split("\n")) if line.strip() or not old.strip()]
    return "\n".join(lines), n


def _strip_scripts(text: str) -> tuple[str, int]:
    if "{" not in text and ");" not in text:  # the common case: nothing to look at
        return text, 0
    n = 0

    def cut(m: re.Match) -> str:
        nonlocal n
        run = m.group()
        if not _CODE.search(run) or sum(run.count(c) for c in "{};") < 2:
            return run
        n += 1
        return " " if run[:1] == " " and run[-1:] == " " else ""

    lines = []
    for line in text.split("\n"):
        kept = _ASCII_RUN.sub(cut, line)
        if kept.strip() or not line.strip():  # a line that held only a script goes with it
            lines.append(kept.rstrip() if kept is not line else line)
    return "\n".join(lines), n
