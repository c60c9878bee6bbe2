"""A headline for an article printed without one: the opening of its first sentence, never a file name.

``"中新网西宁7月24日电 (记者 李江宁)24日，“出发吧·西宁”2023美好生活文旅短视频大赛赛程过半，截至目前，…"``
-> ``"“出发吧·西宁”2023美好生活文旅短视频大赛赛程过半"``:

1. the lead's dateline and bracketed byline are dropped (the caller passes where the story starts), then a ``原标题：``
   label and a date or time phrase opening the sentence (``24日，``, ``8月5日晚，``, ``今天（5月29日），``);
2. the first sentence is kept (up to 。！？; or a line end);
3. a sentence longer than :data:`MAX_CHARS` is cut at its first clause boundary (，、； or a space between Chinese
   phrases) that leaves at least :data:`MIN_CHARS`, within the limit (or :data:`SLACK` past it); else at the limit (not
   inside a Latin word), with an ellipsis.  A first sentence shorter than that (``1950？``) takes the next one along.

Left out: summarising (no model here), picking a later sentence when the first is weak.
"""

from __future__ import annotations

import re

MAX_CHARS = 30
MIN_CHARS = 12
SLACK = 6  # a clause that ends a few characters past the limit is kept whole rather than cut
_LABEL = re.compile(r"^(?:原标题|标题|题目)\s*[：:]\s*")
_DAY = r"(?:(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月)?\s*\d{1,2}\s*日|今天|今日|昨天|昨日|当天|近日|日前|近期|目前)"
_WHEN = re.compile(
    rf"^(?:(?:当地时间|北京时间)\s*{_DAY}?|{_DAY})"  # 24日 / 当地时间27日 / 近日
    r"(?:\s*[（(][^（()）]{1,16}[)）])?"  # 今天（5月29日）
    r"(?:\s*(?:上午|下午|中午|晚上|晚间|晚|早上|早间|凌晨|夜间|傍晚|\d{1,2}\s*[时点:：](?:\s*\d{1,2}\s*分?)?))*"
    r"\s*[，,]\s*"
)
_SENTENCE = re.compile(r"[。！？!?；;\n]")
_BOUNDARY = re.compile(r"[，,、；; ]")  # not a colon: 「专家：…」 keeps who said it with what
_TRIM = " \t，,、：:；;—-·"


def derive_headline(text: str) -> str:
    """The first sentence of ``text`` (the story after its dateline), shortened; ``""`` when it holds no words."""
    s = text.strip()
    s = _LABEL.sub("", s, count=1)
    s = _WHEN.sub("", s, count=1)
    end = 0
    while True:  # a first "sentence" of a few characters (1950？1940？…) is no headline: take the next one too
        m = _SENTENCE.search(s, end)
        end = m.end() if m else len(s)
        if end >= len(s) or len(s[:end].strip(_TRIM)) >= MIN_CHARS:
            break
    sentence = re.sub(r"\s+", " ", s[:end]).strip().rstrip("。；;").strip(_TRIM)
    if len(sentence) <= MAX_CHARS:
        return sentence
    cuts = [b.start() for b in _BOUNDARY.finditer(sentence, 0, MAX_CHARS + SLACK + 1)
            if b.start() >= MIN_CHARS and (b.group() != " " or _between_cjk(sentence, b.start()))]
    if cuts:  # the first clause: a headline states one thing
        return sentence[: cuts[0]].strip(_TRIM)
    cut = MAX_CHARS
    while 0 < cut < len(sentence) and _inside_word(sentence, cut):
        cut -= 1  # not inside a Latin word or a number
    return sentence[: cut or MAX_CHARS].rstrip(_TRIM) + "…"


def _between_cjk(s: str, i: int) -> bool:
    """A space between two Chinese phrases separates them (学党史 悟思想); one beside Latin text is a word space."""
    return 0 < i < len(s) - 1 and not s[i - 1].isascii() and not s[i + 1].isascii()


def _inside_word(s: str, i: int) -> bool:
    return s[i - 1].isascii() and s[i].isascii() and s[i].isalnum()
