"""Files -> Page: find the corpus files, decode them, and hand back clean text.

``discover`` walks the corpus folder (recursively, sorted, hidden entries skipped, symlinked folders followed once so
a link loop cannot trap the walk).  ``read_page`` reads one single-page file and dispatches on its suffix:
``.txt``/``.md`` are decoded here, ``.pdf`` goes to :mod:`.pdf`, ``.html``/``.htm`` to :mod:`.html`.  Exports of
article records (``.jsonl``, ``.ndjson``, ``.json``, ``.csv``, ``.tsv``) give one Page per record (:mod:`.records`).
``iter_pages`` streams the whole folder, a page at a time (a 1 GB export is never held in memory); ``load_pages`` is
the same as a list.  A file or record that cannot be read is reported through ``on_error`` and skipped, so one bad
file never stops a build.

Text is decoded by :mod:`.decode`; web furniture trailing a text file's or web page's text (``返回搜狐，查看更多``,
``责任编辑：…``) and leaked script fragments are removed by :mod:`.boilerplate` and counted in ``Page.trimmed``.
``Page.file`` is the corpus file's path whenever ``Page.source`` is something else (a web page's URL, a record's URL or
``export.csv#12``).

Left out: OCR, Office formats, archives, and guessing encodings of files that are not text.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..errors import CorpusError, IngestError
from ..types import Page
from .boilerplate import trim
from .decode import decode_text
from .html import read_html
from .pdf import read_pdf
from .records import RECORD_SUFFIXES, iter_records, resolve_fields

MAX_FILE_BYTES = 20 * 1024 * 1024  # a newspaper page is a few hundred KB; anything this big is not one
TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PAGE_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | HTML_SUFFIXES
SUPPORTED_SUFFIXES = PAGE_SUFFIXES | RECORD_SUFFIXES

OnError = Callable[[str, IngestError], None]


class IngestWarning(UserWarning):
    """A corpus file was skipped (the default ``on_error`` of :func:`load_pages`)."""


# ---------------------------------------------------------------------------------------------------------------- files


def discover(corpus_dir: str | os.PathLike) -> list[Path]:
    """Every non-hidden file under ``corpus_dir``, sorted by relative path.

    Symlinked folders are followed, but each real folder is entered once, so a link back to a parent ends the descent
    instead of looping.  Unsupported suffixes are listed too: :func:`load_pages` reports them rather than hiding them.
    """
    root = Path(corpus_dir)
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        st = os.stat(dirpath)
        if (st.st_dev, st.st_ino) in seen_dirs:
            dirnames[:] = []  # reached again through a link: its files are already listed
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / f for f in filenames if not f.startswith("."))
    return sorted(found, key=lambda p: _relative(p, root))


def _relative(path: Path, corpus_dir: Path) -> str:
    # Not resolved: a symlinked file keeps the name it has inside the corpus.
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(corpus_dir))
    if rel.startswith(".."):
        return Path(os.path.abspath(path)).as_posix()
    return Path(rel).as_posix()


def read_page(path: str | os.PathLike, corpus_dir: str | os.PathLike) -> Page:
    """Read one single-page corpus file into a :class:`Page`; :class:`IngestError` naming the file on any failure.

    Exports of records hold many pages: read them with :func:`iter_pages`.
    """
    path = Path(path)
    source = _relative(path, Path(corpus_dir))
    suffix = path.suffix.lower()
    if suffix in RECORD_SUFFIXES:
        raise IngestError(f"{source}: an export of records ({suffix}) holds many pages; read it with iter_pages.")
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{source}: unsupported file type {suffix or '(no suffix)'!r}; expected one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}. Convert it or move it out of the corpus folder."
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(
                f"{source}: file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes per file). "
                "Split it into pages or remove it from the corpus."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{source}: cannot be read ({exc.strerror or exc}); check that it exists and is readable.")
    if suffix in PDF_SUFFIXES:
        return read_pdf(raw, source)  # printed pages carry no web furniture, and trimming would shift page_breaks
    if suffix in HTML_SUFFIXES:
        page = read_html(raw, source)
    else:
        text, encoding = decode_text(raw, source)
        page = Page(source=source, text=text, encoding=encoding, sha256=hashlib.sha256(raw).hexdigest())
    text, trimmed = trim(page.text)
    if not text.strip():
        raise IngestError(f"{source}: holds only web page furniture (返回…, 责任编辑…, scripts); no article text.")
    return replace(page, text=text, trimmed=trimmed, file=source if page.source != source else "")


def _read(path: Path, root: Path, names: dict[str, str], report: OnError) -> Iterator[Page]:
    """The pages of one corpus file: one for a page file, one per record for an export."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        yield from iter_records(path, _relative(path, root), names, report)
    else:
        yield read_page(path, root)


def _warn(source: str, error: IngestError) -> None:
    warnings.warn(f"skipped {error}", IngestWarning, stacklevel=3)  # the message starts with the file's name


def iter_pages(corpus_dir: str | os.PathLike, *, on_error: OnError | None = None,
               field_map: Iterable[tuple[str, str]] = ()) -> Iterator[Page]:
    """Every page of the corpus, a file (or an export's record) at a time.

    A file or record that fails is passed to ``on_error(source, error)`` and skipped; the default issues an
    :class:`IngestWarning` (shown on stderr).  Every error message already starts with the file's path, so a callback
    can print ``str(error)`` as it is.  Byte-identical copies are all returned (each has its own source); spotting them
    by ``Page.sha256`` is the indexer's call.  ``field_map`` adds column names of exports (``(("发文时间", "date"),)``).
    Raises :class:`CorpusError` when the folder is missing or holds no files, or (at the end) when none of its files
    could be read; :class:`ConfigError` for a ``field_map`` naming a field that does not exist.
    """
    root = Path(corpus_dir)
    report = on_error or _warn
    names = resolve_fields(field_map)
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        raise CorpusError(
            f"corpus folder {str(root)!r} {what}; create it and put news pages in it "
            f"({', '.join(sorted(SUPPORTED_SUFFIXES))}), or point --corpus / ASSISTANT_CORPUS at one."
        )
    paths = discover(root)
    if not paths:
        raise CorpusError(
            f"corpus folder {str(root)!r} holds no files; put news pages in it "
            f"({', '.join(sorted(SUPPORTED_SUFFIXES))}) and run the command again."
        )
    found = 0
    for path in paths:
        try:
            for page in _read(path, root, names, report):
                found += 1
                yield page
        except IngestError as exc:
            report(_relative(path, root), exc)
    if not found:
        raise CorpusError(
            f"none of the {len(paths)} files in corpus folder {str(root)!r} could be read (see the messages above); "
            "fix or replace them and run the command again."
        )


def load_pages(corpus_dir: str | os.PathLike, *, on_error: OnError | None = None,
               field_map: Iterable[tuple[str, str]] = ()) -> list[Page]:
    """:func:`iter_pages` as a list (the whole corpus in memory: fine for pages, not for a 1 GB export)."""
    return list(iter_pages(corpus_dir, on_error=on_error, field_map=field_map))
