"""Frozen dataclasses that flow one way through the pipeline.

Page -> Article -> Chunk -> Hit -> Answer (with Citation).  Every stage takes one of these and returns the next; nothing
mutates its input (use ``dataclasses.replace``).  Offsets are half-open string indices into ``Article.text`` and the
invariant ``article.text[chunk.start:chunk.end] == chunk.text`` holds for every chunk and citation.

This module holds data only: no I/O, no model, no logic beyond small derived properties and JSON conversion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Page:
    """One decoded corpus file (or one URL) before it is split into articles.

    ``text`` has ``\\n`` line ends and no BOM.  ``page_breaks`` holds the offsets in ``text`` where a new physical page
    starts (PDF only), so an article can name the page it came from.
    """

    source: str  # path relative to the corpus folder (posix), or a URL for web pages
    text: str
    encoding: str  # e.g. "utf-8", "gb18030", "big5", "pdf", "html"
    sha256: str  # of the raw bytes: the manifest's change detector
    page_breaks: tuple[int, ...] = ()
    trimmed: int = 0  # lines of web boilerplate (返回搜狐, 责任编辑：…) removed at ingestion, for the build summary
    title: str | None = None  # set by formats that carry a headline outside the text (HTML)
    date: str | None = None  # ISO date carried by the format itself (HTML metadata, an export's date field)
    # The corpus file the page came from, when it is not ``source``: a CMS export holds one record per page, and its
    # records' sources are their URLs or "export.csv#12".  The index tracks files, so it groups pages by ``file``.
    file: str = ""
    section: str | None = None  # the export's column/channel (栏目), when it has one
    reporters: tuple[str, ...] = ()  # from an export's author field, as "记者 张三" pairs when the role is known
    row: int | None = None  # 1-based record number inside an export file; such a page is one article, never split
    outlet: str | None = None  # the export's source/来源 field (the outlet that published the record)

    @property
    def path(self) -> str:
        """The corpus file (posix, relative to the corpus folder) this page was read from."""
        return self.file or self.source


@dataclass(frozen=True)
class Article:
    """One news brief: headline, lead (dateline, date), body and byline.

    ``text`` is the article as printed below the headline: lead and body paragraphs, then the byline line, joined by
    ``\\n``.  Citations point into it; the headline is kept apart so that it can be prepended for embedding only.
    """

    article_id: str  # content hash of (source, title, text): unchanged text keeps its id
    source: str
    title: str
    text: str
    date: str | None = None  # ISO "2021-06-18": when it was published (record, page metadata, header, path, else lead)
    dateline: str | None = None  # "本报讯" and the like
    byline: str = ""  # the byline line as printed, e.g. "记者 柴琳琳 通讯员 姜璞 文/图"
    reporters: tuple[str, ...] = ()  # role-qualified names, e.g. ("记者 柴琳琳", "通讯员 姜璞")
    page: int | None = None  # 1-based physical page (PDF) where the article starts
    ordinal: int = 0  # position of the article on its page
    section: str | None = None  # 栏目 / channel, when the source names one
    # The day its dateline names (本报北京8月16日电: filed on the 16th), only where that differs from ``date`` (published
    # on the 17th): the dispatch's day is still what "8月16日" in the story means.
    filed: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``text == article.text[start:end]``."""

    chunk_id: str
    article_id: str
    start: int
    end: int
    text: str
    ordinal: int = 0  # position of the chunk in its article


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks it had in each retriever (``None`` = not retrieved)."""

    chunk: Chunk
    article: Article
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_score: float | None = None


@dataclass(frozen=True)
class Citation:
    """An exact passage an answer statement rests on: ``article.text[start:end] == text``."""

    n: int
    article_id: str
    title: str
    date: str | None
    reporters: tuple[str, ...]
    source: str
    start: int
    end: int
    text: str
    page: int | None = None
    filed: str | None = None  # the article's dateline date, where it differs from ``date`` (see Article.filed)

    def to_json(self) -> dict:
        d = asdict(self)
        d["reporters"] = list(self.reporters)
        return d


@dataclass(frozen=True)
class Answer:
    """A grounded answer: every statement in ``text`` ends with ``[n]`` naming one of ``citations``."""

    question: str
    text: str
    refused: bool  # True when the corpus holds no answer; then ``citations`` is empty
    citations: tuple[Citation, ...] = ()
    resolved_question: str | None = None  # the follow-up rewritten against earlier turns, when that happened
    notice: str | None = None  # e.g. which period the answer was drawn from
    period: tuple[str, str] | None = None  # ISO first and last day the answer was restricted to, when the question named one
    related: tuple[Citation, ...] = ()  # reports shown beside a refusal as related, never as the answer
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)

    def to_json(self) -> dict:
        """The stable JSON interface shared by ``ask --json``, ``chat --json`` and the UI's ``/ask`` endpoint."""
        out = {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
        }
        if self.resolved_question and self.resolved_question != self.question:
            out["resolved_question"] = self.resolved_question
        if self.notice:
            out["notice"] = self.notice
        if self.period:
            out["period"] = list(self.period)
        if self.related:
            out["related"] = [c.to_json() for c in self.related]
        return out
