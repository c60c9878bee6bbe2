"""Evidence -> Answer: choose the sentences that answer and word the answer around them.

Nothing is generated: each line of an answer is a sentence copied from an article (with at most a short frame such as
the headline and date), and each ``[n]`` names a ``Citation`` whose offsets satisfy ``article.text[start:end] == text``.

Choosing (``_choose``):
* the best-scoring sentence (``evidence``: coverage, closeness, and whether it holds the kind of fact asked for);
* for a two-part question, the best sentence for each further part too (「在哪座城市举行，有多少个国家参加？」);
* the next sentence when the best one does not hold the kind of fact asked for and the next one does (the answer
  depends on it), or when the best one is the article's lead and the question asks for details;
* the items of an enumeration that the best sentence begins (要…。要…。);
* for a question that asks 哪些/哪几 without naming reports, every article whose best sentence is nearly as good.

Refusing: the rule of ``evidence.answerable``; and a near miss — the reports found have the topic but never name one of
the people, places or titles the question takes for granted (``asks.entities``).  Then the answer is refused, says which
name no report holds, and lists what the reports do say as ``related``.
Left out: generative rewriting (no language model is available offline here), cross-article de-duplication.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..config import Settings
from ..text import sentence_spans
from ..types import Answer, Article, Citation
from .asks import Want, sentence_has, unheld
from .evidence import Evidence, Sentence
from .lists import cite, frame, lead

NO_ANSWER = "抱歉，新闻库中没有找到能回答这个问题的内容。您可以换个说法，或询问本地新闻报道过的人物、活动和工作。"

_LIST_QUESTION = re.compile(r"哪些|哪几|哪[两二三四五六七八九十]|几篇|哪篇|几条|都有|列出|所有|分别|多少篇|哪些人|which|list", re.IGNORECASE)
_DETAIL_QUESTION = re.compile(r"什么|怎样|怎么|如何|要求|措施|哪里|哪儿|何处|where|what|how", re.IGNORECASE)
_ENUMERATION = re.compile(r"^(要|一是|二是|三是|四是|五是|同时|此外|另外|并|还要|其次|最后|第[一二三四五六七八九十])")
_RELATED = 3  # reports listed beside a near-miss refusal


def asks_for_several(question: str) -> bool:
    """哪些, 哪几, 分别 …: the question may be answered by several articles or several sentences of one."""
    return bool(_LIST_QUESTION.search(question))


def refusal(question: str, hits=()) -> Answer:
    return Answer(question=question, text=NO_ANSWER, refused=True, hits=tuple(hits))


def compose(question: str, e: Evidence, settings: Settings) -> Answer:
    """The answer to ``question`` (already resolved against the conversation) from evidence the caller has judged
    answerable (or chosen to answer from, e.g. the newest relevant report)."""
    groups = _choose(question, e)
    missing = unheld(e.asked.entities, (g[0].article for g in groups)) if not e.crosslingual else []
    if missing:
        return _near_miss(question, missing, groups, e)
    return _render(question, groups, e, settings)


def _near_miss(question: str, missing: list[str], groups: list[list[Sentence]], e: Evidence) -> Answer:
    answer = near_miss(question, missing, [(g[0].article, g[0].start, g[0].end) for g in groups])
    return replace(answer, hits=e.hits)


def near_miss(question: str, missing: list[str], found: list[tuple[Article, int, int]]) -> Answer:
    """The reports have the topic but not what the question takes for granted: say so, and what they do say
    (``found``: article, sentence start and end, best first)."""
    shown = found[:_RELATED]
    related = tuple(cite(i, a, s, e) for i, (a, s, e) in enumerate(shown, 1))
    names = "、".join(f"“{m}”" for m in missing)
    text = (f"新闻库中没有提到{names}的相关报道，无法回答这个问题。找到的相关报道说的是（仅供参考）："
            + "；".join(f"{frame(a)}：{a.text[s:e]}" for a, s, e in shown))
    return Answer(question=question, text=text, refused=True, related=related)


def _choose(question: str, e: Evidence) -> list[list[Sentence]]:
    """Groups of sentences to cite, one group per article, best article first."""
    sentences, score, cov, best = e.sentences, e.score, e.coverage, e.best
    top = score[best]
    per_article: dict[str, int] = {}
    for i in np.argsort(-score, kind="stable"):
        per_article.setdefault(sentences[i].article.article_id, int(i))
    if asks_for_several(question):
        # another article joins the list when its best sentence is nearly as good and covers nearly as much
        picked = [i for i in per_article.values()
                  if score[i] >= 0.85 * top and cov[i] >= 0.85 * cov[best] and cov[i] > 0]
        if len(picked) > 1:
            return [[sentences[i]] for i in picked]
    first = sentences[best]
    group = [first]
    for want in e.asked.wants[1:]:  # a two-part question: the best sentence for each further part
        part = _best_for(want, e, near=0.7 * top)
        if part is not None and sentences[part] not in group:
            group.append(sentences[part])
    following = first.next()
    if (e.asked.want is not Want.ANY and following is not None and following not in group
            and not sentence_has(e.asked.want, first.text, question)
            and sentence_has(e.asked.want, following.text, question)):
        group.append(following)  # the fact asked for is in the sentence the best one leads into
    if asks_for_several(question) or _DETAIL_QUESTION.search(question):
        group += [s for s in _enumeration_after(first) if s not in group]
        if len(group) == 1 and first.start == lead(first.article)[0] and following is not None:
            group.append(following)  # a news lead announces what happened; the details follow it
    group.sort(key=lambda s: (s.article.article_id != first.article.article_id, s.start))
    return _by_article(group)


def _best_for(want: Want, e: Evidence, near: float) -> int | None:
    """The best sentence scoring at least ``near`` that holds a fact of the kind ``want``."""
    for i in np.argsort(-e.score, kind="stable").tolist():
        if e.score[i] < near:
            return None
        if e.fits(i, want):
            return i
    return None


def _by_article(sentences: list[Sentence]) -> list[list[Sentence]]:
    groups: dict[str, list[Sentence]] = {}
    for s in sentences:
        groups.setdefault(s.article.article_id, []).append(s)
    return list(groups.values())


def _enumeration_after(first: Sentence, limit: int = 4) -> list[Sentence]:
    """Sentences of the same paragraph that continue an enumeration begun by ``first`` (要…。…。要…。)."""
    text = first.article.text
    para_end = text.find("\n", first.end)
    para_end = len(text) if para_end < 0 else para_end
    out = []
    for s, e in sentence_spans(text, first.end, para_end):
        if len(out) >= limit:
            break
        if _ENUMERATION.match(text[s:e]):  # the items; the sentences that elaborate on one item are skipped
            out.append(Sentence(first.article, first.article_rank, s, e))
    return out


def _render(question: str, groups: list[list[Sentence]], e: Evidence, settings: Settings) -> Answer:
    citations: list[Citation] = []
    lines: list[tuple[list[str], Article]] = []
    for group in groups:
        if len(citations) >= settings.max_citations:
            break
        parts = []
        for s in group[: settings.max_citations - len(citations)]:
            citations.append(cite(len(citations) + 1, s.article, s.start, s.end))
            parts.append(f"{s.text}[{len(citations)}]")
        lines.append((parts, group[0].article))
    if len(lines) > 1 and asks_for_several(question):
        body = [f"共找到 {len(lines)} 篇相关报道："]
        body += [f"{i}. {frame(a)}：{''.join(parts)}" for i, (parts, a) in enumerate(lines, 1)]
        text = "\n".join(body)
    else:
        text = "\n".join(f"据{frame(a)}报道：" + "".join(parts) for parts, a in lines)
    return Answer(question=question, text=text, refused=False, citations=tuple(citations), hits=e.hits)
