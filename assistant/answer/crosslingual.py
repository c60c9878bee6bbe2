"""Questions in English about Chinese news: add the Chinese words a small glossary gives for the question's words.

The multilingual embedder links English and Chinese only loosely (an English question sits about as close to every
district article as to any other), and BM25 cannot match across scripts at all.  Dictionary-based query translation
is the classic remedy: ``expand`` appends the Chinese terms of every glossary phrase found in the question (longest
phrases first), so both retrievers and the answer composer see Chinese words.  The glossary (data/glossary_en_zh.tsv)
covers local-government news vocabulary, dates and common places; a word it lacks is simply not translated.
Left out: names (there is no general pinyin-to-character mapping), grammar, translating answers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ..text import cjk_share



def is_crosslingual(question: str) -> bool:
    """Fewer than 30% of the question's visible characters are Chinese."""
    return cjk_share(question) < 0.3


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern, dict[str, list[str]]]:
    text = resources.files("assistant").joinpath("data/glossary_en_zh.tsv").read_text(encoding="utf-8")
    entries: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            en, zh = line.split("\t")
            entries.setdefault(en.strip().lower(), []).extend(t for t in zh.strip().split("|") if t)
    phrases = sorted(entries, key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")
    return pattern, entries


def chinese_terms(question: str) -> list[str]:
    """The glossary's Chinese terms for the English phrases in ``question``, in order, without repeats."""
    pattern, entries = _glossary()
    out: dict[str, None] = {}
    for m in pattern.finditer(question.lower().replace("’", "'")):
        for term in entries[m.group(1)]:
            out.setdefault(term, None)
    return list(out)


def expand(question: str) -> str:
    """``question`` followed by its Chinese terms when it is not written in Chinese; otherwise unchanged."""
    if not is_crosslingual(question):
        return question
    terms = chinese_terms(question)
    return f"{question} {' '.join(terms)}" if terms else question
