"""What the index holds, as facts: the article list (``python -m assistant articles``) and the archive's status
(``status``, the web app's staff view).

``list_articles`` filters and orders the indexed articles into ``ArticleRecord``s.  ``index_status`` sums up one
loaded index (counts, date range, articles per month, formats, outlets, sections, skipped files, model, device) and
says what changed in the corpus since it was built (``corpus_changes``: the comparison ``verify_index`` makes, by
content hash, against the index already in memory).  ``ChangeTracker`` remembers that comparison until a corpus file's
size or modification time moves, so a page that asks for the status every few seconds costs a folder walk, not a
re-read of every file.
Left out: wording for people (the CLI and assistant/web format these), and checking the index's own files (store.py).
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date as Date
from pathlib import Path, PurePosixPath
from typing import Iterable
from urllib.parse import urlsplit

from ..config import Settings
from ..errors import AssistantError, ConfigError
from ..ingest.files import discover, load_pages
from ..types import Article
from .store import LoadedIndex

TOP = 10  # outlets and sections listed in a status, most articles first


# -- one article -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleRecord:
    """An indexed article as ``articles --json`` prints it (the text itself stays in the index)."""

    article_id: str
    title: str
    date: str | None  # ISO publication date
    filed: str | None  # the dateline's own date, where it differs from ``date``
    source: str  # corpus file or URL
    section: str | None
    reporters: tuple[str, ...]
    chars: int  # length of the article text

    @classmethod
    def of(cls, a: Article) -> "ArticleRecord":
        filed = getattr(a, "filed", None)  # (Article gains ``filed`` in another branch; absent before it)
        return cls(a.article_id, a.title, a.date, filed if filed != a.date else None, a.source, a.section,
                   tuple(a.reporters), len(a.text))

    def to_json(self) -> dict:
        return {**asdict(self), "reporters": list(self.reporters)}


def parse_day(text: str) -> str:
    """"2024-04-01" -> "2024-04-01"; ConfigError naming the value for anything that is not a real YYYY-MM-DD day."""
    value = text.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"{text!r} is not a date; expected YYYY-MM-DD, e.g. 2024-04-01.") from None


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles to list: publication dates inclusive (ISO), a substring of the source, or only undated ones."""

    since: str | None = None
    until: str | None = None
    source: str | None = None
    undated: bool = False

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ConfigError(f"since {self.since} is after until {self.until}; no day is in between.")

    def keeps(self, a: Article) -> bool:
        if self.source is not None and self.source not in a.source:
            return False
        if self.undated:
            return not a.date
        if self.since is None and self.until is None:
            return True
        # an undated article is in no period; a month-only date ("2024-04") is compared on what it has
        day = (a.date or "")[:10]
        return bool(day) and (self.since is None or day >= self.since[:len(day)]) and (
            self.until is None or day <= self.until[:len(day)])


def _in_order(a: Article) -> tuple:
    # dated articles by day, undated ones after them; then as they stood in the corpus
    return (a.date is None, a.date or "", a.source, a.page or 0, a.ordinal)


def list_articles(articles: Iterable[Article], query: ArticleQuery = ArticleQuery()) -> list[ArticleRecord]:
    """The articles ``query`` keeps, in date order (undated last)."""
    return [ArticleRecord.of(a) for a in sorted((a for a in articles if query.keeps(a)), key=_in_order)]


# -- where articles come from ------------------------------------------------------------------------------------------

def outlet_of(a: Article) -> str | None:
    """The outlet an article names (an export's 来源), else its web host ("news.cctv.com"; www. dropped), else the
    top folder of its corpus file ("guancheng/p1.txt" -> "guancheng"); None for a file at the corpus's top level."""
    named = getattr(a, "outlet", None)
    if named:
        return named
    source = a.source
    if source.startswith(("http://", "https://")):
        try:
            host = urlsplit(source).hostname or ""
        except ValueError:
            return None
        return host.removeprefix("www.") or None
    parts = PurePosixPath(source.split("#", 1)[0]).parts
    return parts[0] if len(parts) > 1 and not parts[0].startswith("/") else None


def outlet_counts(articles: Iterable[Article]) -> Counter:
    """Articles per outlet (``outlet_of``); articles with none are not counted."""
    return Counter(o for o in map(outlet_of, articles) if o)


def _format(source: str, encoding: str) -> str:
    """The format a corpus entry was read from: "txt", "md", "pdf", "html", an export's suffix ("jsonl", "csv"), or
    "export" for a record whose source is its URL (the manifest does not keep which export file held it)."""
    if encoding in ("html", "pdf"):
        return encoding
    if encoding == "record":
        if source.startswith(("http://", "https://")):
            return "export"
        return PurePosixPath(source.split("#", 1)[0]).suffix.lstrip(".").lower() or "export"
    return PurePosixPath(source).suffix.lstrip(".").lower() or "text"


# -- what changed since the build --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Changes:
    """Corpus entries (files, web pages by URL, export records) against the index: what a rebuild would read."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def to_json(self) -> dict:
        return {"added": list(self.added), "changed": list(self.changed), "removed": list(self.removed)}


def corpus_changes(index: LoadedIndex, settings: Settings) -> Changes:
    """Read the corpus as a build would and compare content hashes with the manifest (``verify_index``'s comparison,
    made against an index already loaded; files that cannot be read are left to ``skipped``).  CorpusError when the
    corpus folder is missing."""
    pages = load_pages(settings.corpus_dir, on_error=lambda src, err: None, field_map=settings.field_map)
    files = index.manifest.files
    now = {p.source: p.sha256 for p in pages}
    return Changes(added=tuple(s for s in now if s not in files),
                   changed=tuple(s for s in now if s in files and files[s].sha256 != now[s]),
                   removed=tuple(sorted(set(files) - set(now))))


def _signature(corpus_dir: Path) -> tuple:
    """Every corpus file's (path, size, mtime): when none of them moved, the last comparison still holds."""
    out = []
    for path in discover(corpus_dir):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


class ChangeTracker:
    """``corpus_changes`` remembered per (index generation, corpus signature)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._changes: Changes | None = None

    def changes(self, index: LoadedIndex, settings: Settings) -> Changes:
        if not Path(settings.corpus_dir).is_dir():
            raise AssistantError(f"the corpus folder {settings.corpus_dir} does not exist; the index cannot be "
                                 "compared with it.")
        key = (index.generation, str(settings.corpus_dir), _signature(Path(settings.corpus_dir)))
        with self._lock:
            if key != self._key or self._changes is None:
                self._changes = corpus_changes(index, settings)
                self._key = key
            return self._changes


# -- the status --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexStatus:
    """What the live index holds and how it was built; ``to_json`` is ``status --json``."""

    articles: int
    pages: int
    chunks: int
    first: str | None  # earliest publication date (ISO)
    last: str | None
    per_month: dict[str, int]  # "2024-04" -> articles, months in order; undated articles are not in it
    undated: int
    formats: dict[str, int]  # articles by the format they were read from ("html", "txt", "pdf", "jsonl", …)
    outlets: dict[str, int]  # the TOP outlets (``outlet_of``) by articles
    sections: dict[str, int]  # the TOP sections (栏目) by articles
    skipped: dict[str, str]  # corpus file -> why the build could not read it
    changes: Changes | None  # None when the corpus could not be compared (``corpus_problem`` says why)
    model: str
    backend: str
    device: str
    built_at: str
    index_dir: str
    corpus_dir: str
    generation: str
    corpus_problem: str | None = None
    building: bool = False

    def to_json(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("first", "last", "changes")}
        return {**d, "date_range": {"first": self.first, "last": self.last},
                "changed_since_build": self.changes.to_json() if self.changes is not None else None}


def index_status(index: LoadedIndex, settings: Settings, changes: Changes | None = None,
                 corpus_problem: str | None = None, building: bool = False) -> IndexStatus:
    """The facts of ``index`` (``changes``: from ``corpus_changes`` or a ``ChangeTracker``)."""
    m = index.manifest
    articles = index.articles
    dates = sorted(a.date for a in articles.values() if a.date and len(a.date) == 10)  # 07-15: no year known
    months = Counter(a.date[:7] for a in articles.values() if a.date and re.match(r"\d{4}-\d{2}", a.date))
    formats: Counter = Counter()
    for source, entry in m.files.items():
        formats[_format(source, entry.encoding)] += sum(1 for a in entry.articles if a in articles)
    sections = Counter(a.section.strip() for a in articles.values() if a.section and a.section.strip())
    return IndexStatus(
        articles=len(articles), pages=m.counts.get("pages", 0), chunks=len(index.chunks),
        first=dates[0] if dates else None, last=dates[-1] if dates else None,
        per_month=dict(sorted(months.items())), undated=sum(1 for a in articles.values() if not a.date),
        formats=dict(formats.most_common()), outlets=dict(outlet_counts(articles.values()).most_common(TOP)),
        sections=dict(sections.most_common(TOP)), skipped=dict(m.skipped), changes=changes,
        model=m.model, backend=m.backend, device=m.device, built_at=m.built_at,
        index_dir=os.fspath(settings.index_dir), corpus_dir=os.fspath(settings.corpus_dir),
        generation=index.generation, corpus_problem=corpus_problem, building=building)
