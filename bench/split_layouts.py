"""How well ingestion and splitting read the layouts newsrooms keep: articles found, dates right, headlines made.

    python bench/archive_layouts.py regional-folders /tmp/x/folders --limit 600     # writes /tmp/x/folders_truth.jsonl
    python bench/split_layouts.py /tmp/x/folders [/tmp/x/csv …] [--year 2023] [--show 5]

For each corpus folder (made by ``bench/archive_layouts.py``, its truth file beside it) this runs
``assistant.ingest.iter_pages`` and ``assistant.articles.split_articles`` (no model, no index) and compares with the
truth: articles found (a truth article counts when an article of its file matches it: by headline where the truth has
one, else by position when the file holds as many articles as the truth says), extra articles, the share of the
dated truth articles given exactly their date, and the share of found articles whose headline is not a file or record
id.  ``--show N`` prints N examples of each kind of miss.  Stdlib and the assistant only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.articles import split_articles  # noqa: E402
from assistant.ingest import iter_pages  # noqa: E402


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def score(corpus: Path, year: int | None, show: int, exclude: set[str] = frozenset()) -> dict:
    truth_path = corpus.parent / f"{corpus.name}_truth.jsonl"
    truth = [json.loads(line) for line in truth_path.open(encoding="utf-8")]
    dropped = {r["file"] for r in truth if r["id"] in exclude}  # files holding a development article: not scored
    truth = [r for r in truth if r["file"] not in dropped or r["file"].endswith((".csv", ".jsonl"))]
    by_file: dict[str, list[dict]] = defaultdict(list)
    for row in truth:
        by_file[row["file"]].append(row)
    for rows in by_file.values():
        rows.sort(key=lambda r: r["ordinal"] or 0)
    got: dict[str, list] = defaultdict(list)
    errors: list[str] = []
    trimmed = 0
    t0 = time.perf_counter()
    for page in iter_pages(corpus, on_error=lambda src, err: errors.append(str(err))):
        trimmed += page.trimmed
        got[page.path].extend(split_articles(page, default_year=year))
    seconds = time.perf_counter() - t0
    found = extra = dated = dated_right = undated_truth = headline_ok = 0
    misses: dict[str, list[str]] = defaultdict(list)
    for file, rows in by_file.items():
        arts = got.get(file, [])
        pairs = _align(rows, arts)
        extra += max(0, len(arts) - len(pairs))
        if exclude:
            pairs = [(r, a) for r, a in pairs if r["id"] not in exclude]
            rows = [r for r in rows if r["id"] not in exclude]
        found += len(pairs)
        if len(pairs) < len(rows):
            misses["missing"].append(f"{file}: {len(rows)} in truth, {len(arts)} found, {len(pairs)} matched")
        ids = {r["id"] for r in rows} | {PurePosixPath(file).stem}
        for row, art in pairs:
            if row["date"]:
                dated += 1
                if art.date == row["date"]:
                    dated_right += 1
                else:
                    misses["date"].append(f"{file}: {art.date} != {row['date']}  {art.text[:60]!r}")
            else:
                undated_truth += 1
            if art.title and art.title not in ids and not re.fullmatch(r"[A-Za-z0-9_.\-#/]+", art.title):
                headline_ok += 1
            else:
                misses["headline"].append(f"{file}: {art.title!r}")
    for kind, items in misses.items():
        for item in items[:show]:
            print(f"  [{kind}] {item}", file=sys.stderr)
    scored = sum(1 for rows in by_file.values() for r in rows if r["id"] not in exclude)
    return {"layout": corpus.name, "truth": scored, "found": found, "extra": extra, "errors": len(errors),
            "dated_truth": dated, "date_right": dated_right, "undated_truth": undated_truth,
            "headline_ok": headline_ok, "trimmed": trimmed, "seconds": round(seconds, 1)}


def _align(rows: list[dict], arts: list) -> list[tuple[dict, object]]:
    """Truth rows paired with articles: by headline when the truth has them, else by position on equal counts."""
    if all(r["title"] for r in rows):
        pairs, j = [], 0
        for row in rows:
            k = next((k for k in range(j, len(arts)) if squash(arts[k].title) == squash(row["title"])), None)
            if k is not None:
                pairs.append((row, arts[k]))
                j = k + 1
        return pairs
    return list(zip(rows, arts)) if len(rows) == len(arts) else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="+", type=Path)
    ap.add_argument("--year", type=int, help="the year setting (default: none)")
    ap.add_argument("--show", type=int, default=0, help="print N examples of each kind of miss")
    ap.add_argument("--exclude", type=Path, action="append", default=[],
                    help="a truth file of development articles: they are left out of the scores (held-out runs)")
    a = ap.parse_args(argv)
    exclude = {json.loads(line)["id"] for path in a.exclude for line in path.open(encoding="utf-8")}
    print("| layout | truth | found | extra | skipped | dated right | headline not an id | trimmed | s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for corpus in a.corpora:
        s = score(corpus, a.year, a.show, exclude)
        share = lambda n, d: f"{n}/{d} ({100 * n / d:.1f}%)" if d else "–"  # noqa: E731
        print(f"| {s['layout']} | {s['truth']} | {share(s['found'], s['truth'])} | {s['extra']} | {s['errors']} | "
              f"{share(s['date_right'], s['dated_truth'])} | {share(s['headline_ok'], s['found'])} | {s['trimmed']} | "
              f"{s['seconds']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
