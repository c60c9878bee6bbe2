"""Reporters named in running text: a bracketed lead credit ``（王珏 记者姜辉）`` or a credit run closing an article
``编辑：房宽记者：覃广华、黄凯莹``.

:func:`assistant.text.parse_byline` reads a byline *line* (tokens separated by spaces).  Web articles glue their
credits to the text and to each other, so here roles are found anywhere in the run and the names are what lies
between them: ``记者：彭扬 黄一灵 齐金钊`` -> 记者 彭扬, 记者 黄一灵, 记者 齐金钊.  Only people who reported count as
reporters (记者, 通讯员, 实习生, 摄影, 撰文, 作者, …); editors, proof-readers and approvers (编辑, 责编, 校对, 终审)
are read past but not kept.

Left out: names without any role word (``（孙佳妮）``): nothing says they are reporters.
"""

from __future__ import annotations

import re

from ..text import SENTENCE_PUNCT

_REPORTING = ("本报记者", "首席记者", "全媒体记者", "融媒体记者", "融媒记者", "见习记者", "实习记者", "特约记者", "主任记者",
              "记者", "本报通讯员", "通讯员", "实习生", "摄影记者", "摄影", "摄像", "撰文", "采写", "作者", "文字")
_EDITING = ("责任编辑", "流程编辑", "编辑", "责编", "校对", "终审", "审核", "审校", "监制", "制作", "出品")
_ROLE = re.compile("|".join(sorted(map(re.escape, _REPORTING + _EDITING), key=len, reverse=True)))
_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]+[·•][\u4e00-\u9fff·•]+)$")
_OUTLETISH = re.compile(r"(?:报|网|社|台|刊|新闻|中心|频道)$")
_SOURCE = re.compile(r"^\s*(?:来源|稿源|转自)\s*[：:][^：:]*?(?=$|[\s、，,]|(?:" + "|".join(_REPORTING + _EDITING) + "))")
_SEPARATORS = re.compile(r"[\s、，,；;：:|丨/]+")
MAX_CREDIT = 80  # characters; a longer run without a sentence end is prose, not credits


def parse_credits(run: str) -> tuple[str, ...]:
    """``"编辑：房宽记者：覃广华、黄凯莹"`` -> ``("记者 覃广华", "记者 黄凯莹")``; ``()`` when no reporter is named.

    ``run`` must be credits only: any token between roles that is not a name (a 2-4 character Chinese name, or one
    with a middle dot) makes the whole run not a credit line, so prose is never mined for names.
    """
    run = run.strip()
    if not run or len(run) > MAX_CREDIT or SENTENCE_PUNCT.search(run):
        return ()
    marks = list(_ROLE.finditer(run))
    if not marks:
        return ()
    reporters: list[str] = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(run)
        role = mark.group()
        names = [t for t in _SEPARATORS.split(run[mark.end():end]) if t and t not in ("文", "图", "摄", "报道")]
        for name in names:
            if _OUTLETISH.search(name):
                continue  # 采写：南都·湾财社记者 王文妍 — the outlet before the role
            if name.endswith("摄") and len(name) > 3:
                name = name[:-1]  # 张三摄: the photo credit glued to the name
            if not _NAME.match(name):
                return ()
            if role in _REPORTING:
                reporters.append(f"{role} {name}")
    before = _SOURCE.sub("", run[: marks[0].start()]).strip(" ：:（(")
    if before and not all(_NAME.match(t) or _OUTLETISH.search(t) for t in _SEPARATORS.split(before) if t):
        return ()
    return tuple(dict.fromkeys(reporters))


_CLOSING = re.compile(r"[。！？!?…”」』]")


def closing_credits(paragraph: str) -> tuple[str, ...]:
    """Reporters credited after the last sentence of an article's last paragraph (``…保障。记者：覃广华、黄凯莹``)."""
    tail_at = max((m.end() for m in _CLOSING.finditer(paragraph)), default=0)
    tail = paragraph[tail_at:]
    for opener, closer in (("（", "）"), ("(", ")")):
        tail = tail.replace(opener, " ").replace(closer, " ")
    return parse_credits(tail) if tail.strip() else ()
