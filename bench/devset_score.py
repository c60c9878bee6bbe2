"""Score the assistant's answers on the archive development set (bench/data/archive_dev.jsonl). Stdlib only.

Pure functions: nothing here runs the assistant.  A caller asks every item's question (for ``followup`` items: each
of ``turns`` in one conversation, scoring the answer to the last turn), keeps the answer JSON that ``ask --json`` /
``/ask`` returns, and passes it to :func:`score_item`::

    items = load_devset("bench/data/archive_dev.jsonl")
    results = [score_item(item, answers[item["id"]]) for item in items if item["split"] == "report"]
    print(format_table(summarise(results)))

Rules (bench/data/README.md explains the set):

* a citation cites a gold article when the gold record id is a component of ``citation["source"]`` (a folder name, the
  file name, or the file stem, so ``2024/04/xwlb-20240405-03.html`` and ``regional/2023/07/28/crud-p10-05322.txt``
  match), the stem ends in ``_{id}`` (``20230728_crud-p10-05322.txt``), or ``citation["article_id"]`` is the id;
* ``noanswer``: passes iff the answer is refused;
* every other kind fails when refused;
* ``factoid``, ``temporal``, ``english``, ``followup``: pass when the gold is cited (``match`` "any": at least one gold
  id; "all": every gold id) and every expected phrase is in the answer text (compared after NFKC normalisation with
  white space removed, so full-width digits or a space in 「500 万元」 do not matter);
* ``list``, ``byline``: recall = gold articles cited / gold articles; precision = cited articles that are gold /
  distinct cited articles; pass when recall >= 0.8 and precision >= 0.5 (and any expected phrase is present).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

KINDS = ("factoid", "list", "temporal", "byline", "followup", "noanswer", "english")
LIST_KINDS = ("list", "byline")
RECALL_MIN = 0.8
PRECISION_MIN = 0.5
_REQUIRED = ("id", "kind", "question", "gold_ids", "match", "expect_phrases", "expect_no_answer", "split")


def load_devset(path: str | Path) -> list[dict]:
    """The items of a development-set JSONL file, checked for the fields the scorer needs."""
    items = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            item = json.loads(line)
            missing = [k for k in _REQUIRED if k not in item]
            if missing:
                raise ValueError(f"{path}:{n}: item lacks {', '.join(missing)}")
            if item["kind"] not in KINDS:
                raise ValueError(f"{path}:{n}: unknown kind {item['kind']!r}")
            if item["match"] not in ("any", "all"):
                raise ValueError(f"{path}:{n}: match must be 'any' or 'all'")
            if item["kind"] == "followup" and not item.get("turns"):
                raise ValueError(f"{path}:{n}: a followup item needs turns")
            if item["id"] in seen:
                raise ValueError(f"{path}:{n}: duplicate id {item['id']}")
            seen.add(item["id"])
            items.append(item)
    return items


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _components(source: str) -> list[str]:
    parts = [p for p in re.split(r"[/\\]", source or "") if p]
    out = list(parts)
    if parts:
        name = parts[-1]
        stem = name
        while "." in stem:  # x.html, x.txt, x.tar.gz
            stem = stem.rsplit(".", 1)[0]
        out.append(stem)
    return out


def cites(citation: dict, gold_id: str) -> bool:
    """Whether one citation points at the article with record id ``gold_id``."""
    if citation.get("article_id") == gold_id:
        return True
    for comp in _components(str(citation.get("source") or "")):
        if comp == gold_id or comp.endswith("_" + gold_id):
            return True
    return False


def _article_key(citation: dict) -> str:
    """One key per distinct cited article: its id when given, else its source (passages of one article collapse)."""
    return str(citation.get("article_id") or citation.get("source") or citation.get("n"))


def score_item(item: dict, answer_json: dict | None) -> dict:
    """Pass/fail of one answer; ``recall`` and ``precision`` for list and byline items."""
    answer_json = answer_json or {}
    kind = item["kind"]
    refused = bool(answer_json.get("refused"))
    citations = [c for c in (answer_json.get("citations") or []) if isinstance(c, dict)]
    text = answer_json.get("answer") or ""
    result: dict = {"id": item["id"], "kind": kind, "split": item.get("split"), "passed": False, "reasons": []}
    reasons = result["reasons"]
    gold = list(item.get("gold_ids") or [])

    if kind == "noanswer" or item.get("expect_no_answer"):
        result["passed"] = refused
        if not refused:
            reasons.append("answered, but the archive has no answer: should have refused")
        if kind in LIST_KINDS:
            result["recall"] = None
        return result

    cited_gold = [g for g in gold if any(cites(c, g) for c in citations)]
    missing_phrases = [p for p in item.get("expect_phrases") or [] if _norm(p) not in _norm(text)]

    if kind in LIST_KINDS:
        keys = {}
        for c in citations:
            keys.setdefault(_article_key(c), []).append(c)
        gold_keys = sum(1 for cs in keys.values() if any(cites(c, g) for c in cs for g in gold))
        recall = len(cited_gold) / len(gold) if gold else 0.0
        precision = gold_keys / len(keys) if keys else 0.0
        result["recall"] = round(recall, 4)
        result["precision"] = round(precision, 4)
        if refused:
            reasons.append("refused, but the archive has the answer")
        if recall < RECALL_MIN:
            reasons.append(f"recall {recall:.2f} < {RECALL_MIN}: cited {len(cited_gold)} of {len(gold)} gold articles"
                           f" (missing {', '.join(g for g in gold if g not in cited_gold)})")  # fmt: skip
        if precision < PRECISION_MIN:
            reasons.append(f"precision {precision:.2f} < {PRECISION_MIN}: "
                           f"{gold_keys} of {len(keys)} cited articles are gold")
        if missing_phrases:
            reasons.append("answer lacks " + ", ".join(repr(p) for p in missing_phrases))
        result["passed"] = not reasons
        return result

    if refused:
        reasons.append("refused, but the archive has the answer")
    if item.get("match") == "all":
        if len(cited_gold) < len(gold):
            reasons.append("does not cite " + ", ".join(g for g in gold if g not in cited_gold))
    elif not cited_gold:
        reasons.append("cites none of the gold articles " + ", ".join(gold))
    if missing_phrases:
        reasons.append("answer lacks " + ", ".join(repr(p) for p in missing_phrases))
    result["passed"] = not reasons
    return result


def summarise(results: list[dict]) -> dict:
    """Per-kind and overall pass counts, mean list/byline recall, and the same per split when results carry one."""

    def block(rs: list[dict]) -> dict:
        kinds = {}
        for k in KINDS:
            rk = [r for r in rs if r["kind"] == k]
            if rk:
                recalls = [r["recall"] for r in rk if r.get("recall") is not None]
                kinds[k] = {"passed": sum(r["passed"] for r in rk), "total": len(rk),
                            "mean_recall": round(sum(recalls) / len(recalls), 4) if recalls else None}  # fmt: skip
        recalls = [r["recall"] for r in rs if r["kind"] in LIST_KINDS and r.get("recall") is not None]
        return {"kinds": kinds, "passed": sum(r["passed"] for r in rs), "total": len(rs),
                "pass_rate": round(sum(r["passed"] for r in rs) / len(rs), 4) if rs else None,
                "mean_list_recall": round(sum(recalls) / len(recalls), 4) if recalls else None}  # fmt: skip

    summary = block(results)
    splits = sorted({r.get("split") for r in results if r.get("split")})
    if len(splits) > 1:
        summary["by_split"] = {s: block([r for r in results if r.get("split") == s]) for s in splits}
    summary["failed"] = [r["id"] for r in results if not r["passed"]]
    return summary


def format_table(summary: dict) -> str:
    """A plain-text table: one row per kind, then the total."""

    def rows(block: dict, label: str) -> list[list[str]]:
        out = []
        for k, v in block["kinds"].items():
            rate = v["passed"] / v["total"] if v["total"] else 0.0
            rec = "" if v["mean_recall"] is None else f"{v['mean_recall']:.2f}"
            out.append([f"{label}{k}", str(v["passed"]), str(v["total"]), f"{rate:.2f}", rec])
        rec = "" if block["mean_list_recall"] is None else f"{block['mean_list_recall']:.2f}"
        rate = "" if block["pass_rate"] is None else f"{block['pass_rate']:.2f}"
        out.append([f"{label}all", str(block["passed"]), str(block["total"]), rate, rec])
        return out

    headers = ["kind", "passed", "total", "rate", "mean recall (list, byline)"]
    body = rows(summary, "")
    for s, block in (summary.get("by_split") or {}).items():
        body += rows(block, f"{s}: ")
    widths = [max(len(r[i]) for r in [headers] + body) for i in range(len(headers))]

    def fmt(r):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    lines = [fmt(headers), "  ".join("-" * w for w in widths)] + [fmt(r) for r in body]
    if summary.get("failed"):
        lines.append("failed: " + " ".join(summary["failed"]))
    return "\n".join(lines)


def _self_test() -> None:
    def cite(source, n=1, article_id=None):
        return {"n": n, "article_id": article_id or f"a{n}", "title": "", "date": "", "reporters": [],
                "source": source, "start": 0, "end": 1, "text": "…"}  # fmt: skip

    factoid = {"id": "f", "kind": "factoid", "question": "?", "gold_ids": ["xwlb-20240407-05"], "match": "any",
               "expect_phrases": ["1.19亿"], "expect_no_answer": False, "split": "report"}  # fmt: skip
    good = {"answer": "据报道，清明假期全国国内旅游出游１.１９亿人次。[1]", "refused": False,
            "citations": [cite("xwlb/2024/04/xwlb-20240407-05.html")]}  # fmt: skip
    assert score_item(factoid, good)["passed"], score_item(factoid, good)
    wrong_article = dict(good, citations=[cite("xwlb/2024/04/xwlb-20240407-050.html")])
    assert not score_item(factoid, wrong_article)["passed"]
    no_phrase = dict(good, answer="清明假期出游人数创新高。[1]")
    r = score_item(factoid, no_phrase)
    assert not r["passed"] and "lacks" in r["reasons"][0]
    assert not score_item(factoid, dict(good, refused=True))["passed"]
    prefix = dict(good, citations=[cite("20240407_xwlb-20240407-05.txt")])
    assert score_item(factoid, prefix)["passed"]
    spaced = {**factoid, "expect_phrases": ["500 万元"]}
    assert score_item(spaced, dict(good, answer="捐赠500万元现金"))["passed"]

    both = dict(factoid, gold_ids=["crud-p01-00001", "crud-p01-00002"], match="all", expect_phrases=[])
    one = {"answer": "…", "refused": False, "citations": [cite("regional/2023/07/28/crud-p01-00001.txt")]}
    assert not score_item(both, one)["passed"]
    assert score_item(dict(both, match="any"), one)["passed"]

    lst = {"id": "l", "kind": "list", "question": "?", "gold_ids": [f"g{i}" for i in range(5)], "match": "all",
           "expect_phrases": [], "expect_no_answer": False, "split": "calib"}  # fmt: skip
    four = {"answer": "…", "refused": False,
            "citations": [cite(f"x/g{i}.html", i, f"g{i}") for i in range(4)] + [cite("x/other.html", 9, "o")]}
    r = score_item(lst, four)
    assert r["passed"] and r["recall"] == 0.8 and r["precision"] == 0.8, r
    three = dict(four, citations=four["citations"][:3])
    r3 = score_item(lst, three)
    assert not r3["passed"] and r3["recall"] == 0.6
    noisy = dict(four, citations=four["citations"] + [cite(f"x/n{i}.html", 20 + i, f"n{i}") for i in range(5)])
    rn = score_item(lst, noisy)
    assert not rn["passed"] and rn["precision"] == 0.4, rn
    # two passages of one article count once for precision
    dup = dict(four, citations=four["citations"] + [cite("x/g0.html", 30, "g0")])
    assert score_item(lst, dup)["precision"] == 0.8

    na = {"id": "n", "kind": "noanswer", "question": "?", "gold_ids": [], "match": "any", "expect_phrases": [],
          "expect_no_answer": True, "split": "report"}  # fmt: skip
    assert score_item(na, {"answer": "", "refused": True, "citations": []})["passed"]
    assert not score_item(na, good)["passed"]

    results = [score_item(factoid, good), score_item(factoid, no_phrase), r, r3, score_item(na, good)]
    summary = summarise(results)
    assert summary["passed"] == 2 and summary["total"] == 5
    assert summary["kinds"]["list"]["mean_recall"] == 0.7
    assert summary["mean_list_recall"] == 0.7
    assert set(summary["by_split"]) == {"calib", "report"}
    table = format_table(summary)
    assert "factoid" in table and "calib: list" in table
    print(table)
    print("self-test passed")


if __name__ == "__main__":
    _self_test()
    here = Path(__file__).resolve().parent / "data" / "archive_dev.jsonl"
    if here.is_file():
        items = load_devset(here)
        counts: dict[tuple[str, str], int] = {}
        for it in items:
            counts[(it["kind"], it["split"])] = counts.get((it["kind"], it["split"]), 0) + 1
        print(f"{here.name}: {len(items)} items; " + ", ".join(f"{k}/{s} {n}" for (k, s), n in sorted(counts.items())))
