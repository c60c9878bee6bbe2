"""Bytes of a text file -> normalised text, with the encoding detected.

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
"""

from __future__ import annotations

import codecs
import logging

from ..errors import IngestError
from ..text import normalize_text

log = logging.getLogger(__name__)

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


