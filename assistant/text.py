"""Text helpers every stage shares: normalisation, sentence ends, CJK classes, bylines.

One definition of each: the ingesters normalise with ``normalize_text`` and mend broken lines with ``join_fragments``;
the article splitter, the chunker and the answer composer all cut sentences with ``SENTENCE_ENDS``; ``is_cjk`` and
``CJK_RUN`` are the one CJK character class; ``parse_byline`` says which lines are bylines (the HTML reader and the
article splitter both ask).  Pure functions of strings, nothing else.
Left out: traditional/simplified conversion, word segmentation (jieba lives with BM25 in ``index.lexical``).
"""

from __future__ import annotations

import re

# The CJK ideographs (unified, extension A, compatibility).
CJK_CLASS = "\u3400-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CLASS}]")
CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# A sentence ends at one of these, with any closing quotes or brackets that follow it.
SENTENCE_ENDS = "。！？!?；;…"
CLOSERS = "”’」』）)》\"'"
_SENTENCE_END = re.compile(f"[{SENTENCE_ENDS}]+[{CLOSERS}]*|\n")
SENTENCE_PUNCT = re.compile(r"[。！？!?]")  # the strong ends: a line with one of these is prose, not a headline
# A line ending so is a finished paragraph: a sentence end, a closer, or a colon that introduces what follows.
PARAGRAPH_ENDS = tuple(SENTENCE_ENDS + "：:”’」』)）")


def is_cjk(ch: str) -> bool:
    """"虎" -> True; "a" -> False."""
    return bool(CJK.match(ch))


def cjk_share(text: str) -> float:
    """Share of the visible characters that are CJK ideographs: "Who is 虎强?" -> 0.2."""
    visible = re.sub(r"\s", "", text)
    return len(CJK.findall(visible)) / max(1, len(visible))


def ends_paragraph(line: str) -> bool:
    """"…工作。" -> True; "区委书记虎强" -> False: whether a broken line may continue on the next one."""
    return line.endswith(PARAGRAPH_ENDS)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Half-open spans of the sentences in ``text[start:end]``, stripped of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


_SPACES = {c: " " for c in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B))}
_TRANSLATE = {**_SPACES, 0x200B: None, 0xFEFF: None, 0x2028: "\n", 0x2029: "\n", 0x0C: "\n", 0x0B: "\n"}


def normalize_text(text: str) -> str:
    """``\\n`` line ends, no BOM/zero-width characters, plain spaces, no trailing blanks on lines.

    Line structure is kept (blank lines separate paragraphs and are what :mod:`assistant.articles` reads), so the
    length of a text changes only at removed characters; PDF page offsets are computed after this runs.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    return "\n".join(line.rstrip(" \t") for line in text.split("\n"))


def join_fragments(left: str, right: str) -> str:
    """Join two pieces of one broken paragraph: no space between Chinese, one between two Latin words."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalpha():
        return f"{left} {right}"
    return left + right


# ------------------------------------------------------------------------------------------------------------ bylines

# Longest first, so that 本报记者 is not read as 本报 + 记者.
ROLES = ("本报通讯员", "本报记者", "作者", "见习记者", "特约记者", "实习记者", "融媒记者", "记者", "通讯员", "实习生", "摄影",
         "摄像", "责任编辑", "编辑", "责编")
CREDIT_MARKS = frozenset({"文/图", "图/文", "文图", "图文", "摄", "文", "图", "/摄", "报道"})
_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]+[·•][\u4e00-\u9fff·•]+)$")  # 2-5, or with a middle dot
_GLUED_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")  # "记者柴琳琳": shorter, so "记者节座谈会召开" is no byline


def parse_byline(text: str) -> tuple[str, ...] | None:
    """``"记者 柴琳琳 通讯员 姜璞 文/图"`` -> ``("记者 柴琳琳", "通讯员 姜璞")``; ``None`` when ``text`` is not a byline."""
    if not text or len(text) > 80 or SENTENCE_PUNCT.search(text):
        return None
    role = None
    reporters: list[str] = []
    for token in re.split(r"[\s、，,；;：:]+", text.strip()):
        if not token or token in CREDIT_MARKS:
            continue
        glued = False
        for candidate in ROLES:
            if token.startswith(candidate):
                role, token, glued = candidate, token[len(candidate):], len(token) > len(candidate)
                break
        if not token:
            continue
        for mark in ("文/图", "图/文", "/摄", "摄"):  # "张三摄": a credit mark glued to the name
            if token.endswith(mark) and len(token) > len(mark) + 1:
                token = token[: -len(mark)]
                break
        if role is None or not (_GLUED_NAME if glued else _NAME).match(token):
            return None
        reporters.append(f"{role} {token}")
    return tuple(reporters) or None
