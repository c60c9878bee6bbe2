"""CMS exports -> one Page per record: JSON Lines (``.jsonl``, ``.ndjson``), JSON arrays (``.json``), CSV and TSV.

Fields are found by name, case-insensitively and ignoring ``_``, ``-`` and spaces, in English and Chinese
(:data:`FIELDS`, first name with a value wins); ``field_map`` adds names (``(("发文时间", "date"),)``, from
``--field-map``) and is looked at first.  Of a record:

* ``text`` (正文/content/…) is required: a record without it is reported through ``on_error`` and skipped; so is a row
  that cannot be parsed (bad JSON, a CSV row with more cells than the header).  The rest of the file goes on.  A file
  whose first :data:`NO_TEXT_FILE` records (or all, if fewer) have no text is one error for the file, not one a row.
  HTML markup in a text field (``<p>…</p>``) becomes plain paragraphs.
* ``Page.source`` is the record's URL when it has one, else ``"export.csv#12"`` (file and 1-based record number);
  ``Page.file`` the export's path, ``Page.row`` the record number; ``Page.sha256`` hashes the record's fields, so an
  unchanged record keeps its articles' ids when others change.
* ``title``, ``section``, ``source`` (the outlet) go to the Page; ``date`` is read as printed (``2024-03-05 19:00:00``,
  ``2024-03-05T19:00:00+08:00``, ``2024年3月5日``, ``2024/3/5``, ``20240305``, or a Unix time in seconds or milliseconds,
  taken in China Standard Time) and becomes ISO ``Page.date``; ``author`` becomes ``Page.reporters`` (``记者 张三`` when
  the text or the column names the role).

Large files stream: CSV through :mod:`csv` over the open file, JSON Lines line by line; a JSON array is parsed whole,
so it is refused above :data:`MAX_JSON_BYTES` with a message asking for JSON Lines.  The encoding of a CSV or JSON
Lines file is detected from its first 64 KB like a text file's (BOM, UTF-8, GB18030, Big5: :mod:`.decode`); a CSV's
delimiter is the one of ``,`` ``;`` ``|`` tab that its header line uses most (tab for ``.tsv``).

Left out: nested fields (``{"meta": {"date": …}}``), Excel files, several records' texts spread over rows.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import ConfigError, IngestError
from ..text import normalize_text, parse_byline
from ..timeexpr import YMD_LOOSE
from ..types import Page
from .boilerplate import trim
from .decode import decode_text

RECORD_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json", ".csv", ".tsv"})
MAX_JSON_BYTES = 50 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
NO_TEXT_FILE = 20  # this many records in a row without a text, from the first: the file is no export of articles
FIELDS: dict[str, tuple[str, ...]] = {  # first name with a value wins
    "text": ("text", "content", "body", "正文", "内容", "articletext", "article", "fulltext", "新闻内容", "文章内容"),
    "title": ("title", "headline", "标题", "题目", "新闻标题", "文章标题"),
    "date": ("date", "publishedat", "pubdate", "publishtime", "publishdate", "published", "datetime", "time",
             "发布时间", "发布日期", "发表时间", "日期", "时间"),
    "author": ("author", "byline", "authors", "reporter", "作者", "记者", "责任编辑"),
    "url": ("url", "link", "href", "permalink", "链接", "网址", "原文链接"),
    "section": ("section", "category", "channel", "column", "栏目", "频道", "分类", "版面"),
    "source": ("source", "来源", "媒体", "publisher"),
}
_ROLE_OF_COLUMN = {"记者": "记者", "责任编辑": "责任编辑"}  # a column that names its people's role
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/li|/tr)\s*/?\s*>", re.I)
_DATE = YMD_LOOSE
_COMPACT_DATE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})(?:\D|$)")
_CST = dt.timezone(dt.timedelta(hours=8))

OnError = Callable[[str, IngestError], None]


def resolve_fields(field_map: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Normalised column name -> field, in order of preference: the user's names first, then :data:`FIELDS`'s.

    ConfigError for a field that does not exist.
    """
    names: dict[str, str] = {}
    for name, field in field_map:
        if field not in FIELDS:
            raise ConfigError(f"field map {name}={field}: {field!r} is not a field; use one of "
                              f"{', '.join(sorted(FIELDS))} (e.g. --field-map 发文时间=date).")
        names.setdefault(_key(name), field)
    for field, aliases in FIELDS.items():
        for alias in aliases:
            names.setdefault(_key(alias), field)
    return names


def iter_records(path: Path, rel: str, names: dict[str, str], on_error: OnError) -> Iterator[Page]:
    """The records of one export file as Pages.  A bad record goes to ``on_error``; a file that cannot be read at all
    raises :class:`IngestError`."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        rows = _csv_rows(path, rel, "\t" if suffix == ".tsv" else None)
    else:
        rows = _json_rows(path, rel)
    pending: list[tuple[str, IngestError]] = []  # "no text" messages held while no record so far has a text
    seen_text = False
    n = 0
    for n, row in rows:
        if isinstance(row, IngestError):
            on_error(f"{rel}#{n}", row)
            continue
        page = _page(row, names, rel, n)
        if page is None:
            pending.append((f"{rel}#{n}", IngestError(f"{rel} {_unit(rel)} {n}: no text field (looked for "
                                                      f"{_looked_for(names)}); skipped")))
            if not seen_text and len(pending) >= NO_TEXT_FILE:
                raise _no_text_at_all(rel, names, row, len(pending))
            if seen_text:
                on_error(*pending.pop())
            continue
        seen_text = True
        for item in pending:
            on_error(*item)
        pending.clear()
        yield page
    if pending and not seen_text:
        raise _no_text_at_all(rel, names, None, len(pending))


def _no_text_at_all(rel: str, names: dict[str, str], row: dict | None, n: int) -> IngestError:
    """One message for an export none of whose first records has a text (a data file, or an unmapped column)."""
    fields = f"; it has {', '.join(map(str, row)) or 'no fields'}" if row is not None else ""
    return IngestError(f"{rel}: none of its first {n} records has a text field (looked for {_looked_for(names)}"
                       f"{fields}); skipped. Map the text column with --field-map NAME=text.")


def _unit(rel: str) -> str:
    return "row" if rel.lower().endswith((".csv", ".tsv")) else "record"


def _looked_for(names: dict[str, str]) -> str:
    return "/".join([n for n, f in names.items() if f == "text"][:6]) + "/…"


def _key(name: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).lower().lstrip("\ufeff")


# --------------------------------------------------------------------------------------------------------------- CSV


def _csv_rows(path: Path, rel: str, delimiter: str | None) -> Iterator[tuple[int, dict | IngestError]]:
    encoding = _sniff_encoding(path, rel)
    csv.field_size_limit(64 * 1024 * 1024)  # a news text is far longer than csv's default cell limit of 128 KB
    with path.open(encoding=encoding, newline="") as f:
        header_line = f.readline()
        if not header_line.strip():
            raise IngestError(f"{rel}: the first line is empty; expected a header row naming the columns "
                              "(标题,发布时间,正文,…).")
        if delimiter is None:
            delimiter = max(",;|\t", key=header_line.count)
        header = next(csv.reader([header_line], delimiter=delimiter))
        reader = csv.reader(f, delimiter=delimiter)
        n = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                n += 1
                yield n, IngestError(f"{rel} row {n}: malformed CSV ({exc}); skipped")
                continue
            except UnicodeDecodeError as exc:
                raise IngestError(f"{rel}: row {n + 1} is not valid {encoding} ({exc.reason}); the rest of the file "
                                  "is skipped. Re-save the export as UTF-8.") from None
            if not any(c.strip() for c in cells):
                continue  # a blank line between records
            n += 1
            if len(cells) > len(header):
                yield n, IngestError(f"{rel} row {n}: {len(cells)} cells but the header has {len(header)} columns "
                                     "(an unquoted delimiter in a cell?); skipped")
                continue
            yield n, dict(zip(header, cells))


def _sniff_encoding(path: Path, rel: str) -> str:
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return codec
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # whole lines: no character cut in two
    return decode_text(sample, rel)[1] if sample.strip() else "utf-8"


# -------------------------------------------------------------------------------------------------------------- JSON


def _json_rows(path: Path, rel: str) -> Iterator[tuple[int, dict | IngestError]]:
    with path.open("rb") as f:
        head = f.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"["):
        yield from _json_array(path, rel)
        return
    encoding = _sniff_encoding(path, rel)
    with path.open(encoding=encoding) as f:
        n = 0
        lines = iter(f)
        while True:
            try:
                line = next(lines)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise IngestError(f"{rel}: line {n + 1} is not valid {encoding} ({exc.reason}); the rest of the file "
                                  "is skipped. Re-save the export as UTF-8.") from None
            if not line.strip():
                continue
            n += 1
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                if n == 1 and path.suffix.lower() == ".json":  # one object over many lines, not JSON Lines
                    yield from _json_array(path, rel)
                    return
                yield n, IngestError(f"{rel} line {n}: not valid JSON ({exc.msg} at column {exc.colno}); skipped")
                continue
            if not isinstance(row, dict):
                yield n, IngestError(f"{rel} line {n}: a JSON {type(row).__name__}, expected an object with fields "
                                     "(title, date, text, …); skipped")
                continue
            yield n, row


def _json_array(path: Path, rel: str) -> Iterator[tuple[int, dict | IngestError]]:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise IngestError(f"{rel}: a JSON file of {size:,} bytes is read whole, and the limit is {MAX_JSON_BYTES:,}; "
                          "export it as JSON Lines (.jsonl, one record a line), which streams.")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"{rel}: not valid UTF-8 JSON ({exc}); expected an array of records "
                          "[{\"title\": …, \"text\": …}, …] or JSON Lines.") from None
    if isinstance(data, dict):  # {"data": [...]} or {"articles": [...]}: the one list of objects inside
        lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
        data = lists[0] if len(lists) == 1 else [data]
    if not isinstance(data, list):
        raise IngestError(f"{rel}: the JSON holds a {type(data).__name__}; expected an array of records.")
    for n, row in enumerate(data, 1):
        if isinstance(row, dict):
            yield n, row
        else:
            yield n, IngestError(f"{rel} record {n}: a JSON {type(row).__name__}, expected an object; skipped")


# ------------------------------------------------------------------------------------------------------------ a record


def _page(row: dict, names: dict[str, str], rel: str, n: int) -> Page | None:
    values: dict[str, str] = {}
    rank: dict[str, int] = {}  # field -> preference of the column its value came from (作者 before 责任编辑)
    role = None
    order = {key: i for i, key in enumerate(names)}
    for column, value in row.items():
        key = _key(column)
        field = names.get(key)
        if field is None or value is None or isinstance(value, (dict, list)):
            continue
        if rank.get(field, len(order)) < order[key]:
            continue  # a preferred column already gave this field
        value = str(value).strip()
        if value:
            values[field], rank[field] = value, order[key]
            if field == "author":
                role = _ROLE_OF_COLUMN.get(str(column).strip())
    text = values.get("text", "")
    if _TAG.search(text):
        text = html.unescape(_TAG.sub("", _BREAK.sub("\n", text)))
    text, trimmed = trim(normalize_text(text))
    text = "\n".join(line.strip() for line in text.split("\n")).strip()
    if not text:
        return None
    digest = hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    url = values.get("url")
    return Page(source=url or f"{rel}#{n}", text=text, encoding="record", sha256=digest, trimmed=trimmed,
                title=normalize_text(values["title"]).strip() if "title" in values else None,
                date=parse_date(values.get("date")), file=rel, section=values.get("section"),
                reporters=_reporters(values.get("author"), role), row=n, outlet=values.get("source"))


def parse_date(value: str | None) -> str | None:
    """``"2024-03-05 19:00:00"`` -> ``"2024-03-05"``; ``"2024年3月5日"``, ``"20240305"``, ``"1709636400"`` likewise."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{10}|\d{13}", value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return dt.datetime.fromtimestamp(seconds, _CST).date().isoformat()
    m = _DATE.search(value) or _COMPACT_DATE.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _reporters(author: str | None, role: str | None) -> tuple[str, ...]:
    """``"记者 张三 李四"`` -> ("记者 张三", "记者 李四"); ``"张三, 李四"`` in a 记者 column likewise; else the names."""
    if not author:
        return ()
    parsed = parse_byline(author)
    if parsed:
        return parsed
    names = [n for n in re.split(r"[\s、，,；;/|]+", author) if n]
    return tuple(f"{role} {n}" if role else n for n in names)
