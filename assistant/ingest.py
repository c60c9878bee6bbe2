"""Files -> Page: find the corpus files, decode them, and hand back clean text.

``discover`` walks the corpus folder (recursively, sorted, hidden entries skipped, symlinked folders followed once so
a link loop cannot trap the walk).  ``read_page`` reads one file and dispatches on its suffix: ``.txt``/``.md`` are
decoded here, ``.pdf`` goes to :mod:`assistant.pdf`, ``.html``/``.htm`` to :mod:`assistant.html`.  ``load_pages`` reads
the whole folder; a file that cannot be read is reported through ``on_error`` and skipped, so one bad file never stops
a build.

Text decoding, in order (the first that fits wins):

1. a BOM: UTF-8, UTF-32 or UTF-16 (UTF-16/32 *without* a BOM is refused: its NUL bytes look binary);
2. NUL bytes -> a binary file, refused;
3. strict UTF-8; then damaged UTF-8, with a warning logged: a file cut off inside its last character loses that partial
   character, and a few bad bytes (at most one per 1,000 characters, amid plenty of valid UTF-8) become U+FFFD;
4. GB18030 (a superset of GBK and GB2312) against Big5, each strictly.  When both decode, the one whose Chinese
   characters are mostly in its own "frequent" table wins (GB2312 level 1 for GB18030, Big5's frequent block A440-C67E
   for Big5), ties going to GB18030.  charset-normalizer is not asked here: on short Chinese text it is often wrong
   (it calls four GBK characters cp949);
5. charset-normalizer as a last resort, accepted only for a few encodings it recognises reliably and only when the
   result looks like text; anything else is an ``IngestError`` naming the file and what was expected.

Every text (also from PDF and HTML, via :func:`normalize_text`) gets ``\\n`` line ends, no BOM or zero-width
characters, and plain spaces for NBSP, ideographic (full-width) and other typographic spaces.  Chinese punctuation is
kept as printed: no NFKC, which would turn "，" into ",".

Left out: OCR, Office formats, archives, and guessing encodings of files that are not text.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import warnings
from pathlib import Path
from typing import Callable

from .errors import CorpusError, IngestError
from .types import Page

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024  # a newspaper page is a few hundred KB; anything this big is not one
TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | HTML_SUFFIXES

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
    """Read one corpus file into a :class:`Page`; raises :class:`IngestError` naming the file on any failure."""
    path = Path(path)
    source = _relative(path, Path(corpus_dir))
    suffix = path.suffix.lower()
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
        from .pdf import read_pdf  # imported here: pypdf is only needed when the corpus holds PDFs

        return read_pdf(raw, source)
    if suffix in HTML_SUFFIXES:
        from .html import read_html  # trafilatura takes a second to import

        return read_html(raw, source)
    text, encoding = decode_text(raw, source)
    return Page(source=source, text=text, encoding=encoding, sha256=hashlib.sha256(raw).hexdigest())


def _warn(source: str, error: IngestError) -> None:
    warnings.warn(f"skipped {error}", IngestWarning, stacklevel=3)  # the message starts with the file's name


def load_pages(corpus_dir: str | os.PathLike, *, on_error: OnError | None = None) -> list[Page]:
    """Read every file of the corpus.  A file that fails is passed to ``on_error(source, error)`` and skipped.

    The default ``on_error`` issues an :class:`IngestWarning` (shown on stderr).  Every error message already starts
    with the file's source, so a callback can print ``str(error)`` as it is.  Byte-identical copies are all returned
    (each has its own source); spotting them by ``Page.sha256`` is the indexer's call.  Raises :class:`CorpusError`
    when the folder is missing, holds no files, or none of its files could be read.
    """
    root = Path(corpus_dir)
    report = on_error or _warn
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
    pages: list[Page] = []
    for path in paths:
        try:
            pages.append(read_page(path, root))
        except IngestError as exc:
            report(_relative(path, root), exc)
    if not pages:
        raise CorpusError(
            f"none of the {len(paths)} files in corpus folder {str(root)!r} could be read (see the messages above); "
            "fix or replace them and run the command again."
        )
    return pages


# ------------------------------------------------------------------------------------------------------------- decoding

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# charset-normalizer answers we trust enough to use; it calls random bytes "johab" with zero chaos.
_FALLBACK_OK = frozenset({"shift_jis", "cp932", "euc_jp", "cp1252", "latin_1", "iso8859_15", "ascii"})
_SINGLE_BYTE = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii"})


def decode_text(raw: bytes, source: str) -> tuple[str, str]:
    """Decode the bytes of a text file; returns ``(normalised text, encoding name)``.  See the module docstring."""
    if not raw.strip():
        raise IngestError(f"{source}: the file is empty; expected news text. Remove it or fill it.")
    text = encoding = None
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                text, encoding = raw.decode(codec), name
            except UnicodeDecodeError as exc:
                raise IngestError(f"{source}: starts with a {name} byte-order mark but is not valid {name} "
                                  f"({exc.reason} at byte {exc.start}); re-save it as UTF-8.") from None
            break
    if text is None:
        if b"\x00" in raw:
            raise IngestError(f"{source}: contains NUL bytes, so it looks like a binary file, not text; expected "
                              "UTF-8, GB18030/GBK or Big5 text (UTF-16 needs a byte-order mark).")
        text, encoding = _decode_without_bom(raw, source)
    text = _drop_controls(text, source)
    text = normalize_text(text)
    if not text.strip():
        raise IngestError(f"{source}: holds only blank space; expected news text. Remove it or fill it.")
    return text, encoding


def _decode_without_bom(raw: bytes, source: str) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(raw) - 3:
            try:
                head = raw[: exc.start].decode("utf-8")
            except UnicodeDecodeError:
                head = ""
            if any(ord(ch) > 0x7F for ch in head):  # real UTF-8 text, cut off inside its last character
                log.warning("%s: ends inside a UTF-8 character (truncated file); the partial character is dropped",
                            source)
                return head, "utf-8"
    loose = raw.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    valid = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
    # A few bad bytes inside plenty of valid multi-byte UTF-8 is a damaged UTF-8 file; GBK or Big5 bytes read as
    # UTF-8 give mostly errors and hardly any valid sequences.
    if bad <= len(loose) // 1000 and valid >= 20 * bad:
        log.warning("%s: %d invalid UTF-8 sequence(s) (damaged file) shown as U+FFFD", source, bad)
        return loose, "utf-8"
    readings = []
    for codec in ("gb18030", "big5"):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((_frequent_share(text, codec), text, codec))
    if readings:
        # max keeps the first of equal scores, and gb18030 comes first: a mainland corpus is the likelier case.
        _, text, codec = max(readings, key=lambda r: r[0])
        return text, codec
    return _charset_normalizer_guess(raw, source)


def _frequent_share(text: str, codec: str) -> float:
    """Share of the CJK characters in ``text`` that are frequent characters of ``codec``'s own repertoire.

    Decoding GBK bytes as Big5 (or the reverse) mostly yields rare characters, kana, bopomofo or private-use code
    points, so the right reading scores near 1 and the wrong one far lower.  Non-CJK characters do not count either way.
    """
    frequent = cjk = 0
    for ch in text[:20_000]:  # plenty to decide, and keeps a 20 MB file from costing seconds
        if ord(ch) < 0x2E80:
            continue
        cjk += 1
        try:
            b = ch.encode("gb2312" if codec == "gb18030" else "big5")
        except UnicodeEncodeError:
            continue
        if len(b) != 2:
            continue
        if codec == "gb18030":
            # GB2312 level 1 (B0A1-D7F9): the 3,755 most used simplified characters; A1-A3: punctuation, full-width.
            frequent += 0xB0 <= b[0] <= 0xD7 or (0xA1 <= b[0] <= 0xA3)
        else:
            # Big5 A440-C67E: the 5,401 frequently used traditional characters; A140-A373: punctuation, symbols.
            frequent += 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E or 0xA140 <= (b[0] << 8 | b[1]) <= 0xA373
    return frequent / cjk if cjk else 0.0


def _charset_normalizer_guess(raw: bytes, source: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding in _FALLBACK_OK and best.chaos <= 0.1:
        text = str(best)
        high = sum(b >= 0x80 for b in raw)
        # Western text is mostly ASCII; bytes that are mostly high are not text in a single-byte code page.
        if best.encoding not in _SINGLE_BYTE or high <= 0.3 * len(raw):
            return text, best.encoding
    raise IngestError(
        f"{source}: cannot be decoded as text; expected UTF-8, GB18030/GBK, Big5, or UTF-16 with a byte-order mark. "
        "If it is text, re-save it as UTF-8; if it is not, move it out of the corpus folder."
    )


def _drop_controls(text: str, source: str) -> str:
    """Remove stray control characters; many of them mean the "text" is binary data that happened to decode."""
    text = text.rstrip("\x1a")  # DOS end-of-file marker, common at the end of old GBK files
    n = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f\v")
    if n == 0:
        return text
    if n > max(2, len(text) // 100):
        raise IngestError(f"{source}: {n} control characters in {len(text)} characters, so it looks like a binary "
                          "file; expected news text.")
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n\r\f\v")


# ---------------------------------------------------------------------------------------------------------- normalising

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
