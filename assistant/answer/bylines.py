"""「记者X写了哪些报道」: every article that credits X, found by an exact scan of the credits, not by retrieval.

An article credits X when X is among its ``reporters`` (the byline line, parsed at ingestion), in a bracketed credit
run at its start or end (``（记者 王坚）``, ``（包永婷）``), or right after a reporting role in its lead or its closing
lines (``中新网记者王坚报道``).  ``Credits`` holds name -> article ids for one index, built once on first use
(a pass over the heads and tails of the articles: about a second per 100,000 articles).

The reporter is read from the question as the Chinese run before a verb of writing (写/报道/采写/发), trimmed from
the left until it is a credited name: 「环球网的詹慧娟都报道了什么」 -> 詹慧娟.
Left out: names credited only in the middle of a long article; pen names that differ from the byline.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..articles.credits import parse_credits
from ..text import sentence_spans
from ..types import Answer, Article
from .lists import Relevant, list_answer

_EDGE = 300  # characters at an article's start and end where credits are printed (a web lead may follow a long title)
_ROLE_NAME = re.compile(r"(?:记者|通讯员|实习生|撰稿人?|摄影)[\s：:]*([\u4e00-\u9fff]{2,3})")
_BRACKETED = re.compile(r"[（(]([^（）()\n]{2,40})[)）]")
_CLOSING_NAME = re.compile(r"[（(]\s*([\u4e00-\u9fff]{2,3})\s*[)）]\s*$")
_ASKS_WORKS = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:都|又|还|一共|共|最近|曾)?(?:写|报道|采写|发过|发了|撰写|参与)")


@dataclass(frozen=True)
class Credits:
    """Reporter name -> ids of the articles crediting them."""

    by_name: dict[str, tuple[str, ...]]

    @classmethod
    def scan(cls, articles: dict[str, Article]) -> "Credits":
        found: dict[str, set[str]] = defaultdict(set)
        for aid, a in articles.items():
            for name in credited(a):
                found[name].add(aid)
        return cls({k: tuple(sorted(v)) for k, v in found.items()})

    def reporter_in(self, question: str) -> str | None:
        """The credited name the question asks about, or None (not a byline question)."""
        for m in _ASKS_WORKS.finditer(question):
            run = m.group(1)
            for i in range(len(run) - 1):
                if run[i:] in self.by_name:
                    return run[i:]
        return None


def credited(a: Article) -> set[str]:
    """The names an article's credits give (see the module docstring)."""
    names = {r.split()[-1] for r in a.reporters}
    for edge in (a.text[:_EDGE], a.text[-_EDGE:]):
        for m in _ROLE_NAME.finditer(edge):
            name = m.group(1)
            names.update((name, name[:2]))  # 记者王坚报道: the name is 2 or 3 characters, the text does not say
        for m in _BRACKETED.finditer(edge):
            names.update(r.split()[-1] for r in parse_credits(m.group(1)))
    m = _CLOSING_NAME.search(a.text[-_EDGE:])
    if m:
        names.add(m.group(1))
    return names


def byline_answer(question: str, name: str, credits: Credits, articles: dict[str, Article]) -> Answer:
    """Every article crediting ``name``, counted and in date order, each cited by its first sentence."""
    found = []
    for aid in credits.by_name[name]:
        a = articles[aid]
        spans = sentence_spans(a.text, 0, min(len(a.text), 400)) or [(0, min(len(a.text), 120))]
        found.append(Relevant(a, *spans[0], 1.0))
    return list_answer(question, found, what=f"署名{name}的报道")
