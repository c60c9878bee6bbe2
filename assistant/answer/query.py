"""The question as asked -> the question fit to answer: cleaned, capped, checked.

Control characters go, white space folds, and an empty question is refused with a ``QuestionError`` that says what to
do.  A question longer than the limit is refused too (never silently cut: its real question may be at its end).
Left out: spelling correction, traditional/simplified folding.
"""

from __future__ import annotations

import unicodedata

from ..errors import QuestionError


def clean_question(question: str, max_chars: int) -> str:
    """The question with control characters removed and white space folded.

    Raises ``QuestionError`` for a question with nothing in it or one longer than ``max_chars``.
    """
    if not isinstance(question, str):
        raise QuestionError("the question must be text.")
    # control characters (except line breaks/tabs, folded to spaces) carry no meaning and upset tokenizers
    text = "".join(" " if ch in "\t\r\n" else ch for ch in question
                   if unicodedata.category(ch)[0] != "C" or ch in "\t\r\n")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("问题是空的，请输入一个问题。")
    if len(text) > max_chars:
        raise QuestionError(f"问题太长（{len(text)} 字，上限 {max_chars} 字）。请把问题缩短到 {max_chars} 字以内再发送，"
                            "例如只保留真正要问的那一句。")
    return text
