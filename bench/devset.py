"""Ask the archive dev set (bench/data/archive_dev.jsonl) through the one answer pipeline and score it.

    python bench/devset.py --index-dir /tmp/devindex --corpus /tmp/devcorpus --split report --out /tmp/dev.json

Opens ``assistant.service.Assistant`` on a built index (never builds one: build the dev corpus and its index as
bench/data/README.md says), asks every item (a follow-up item's turns in one conversation, scored on the last), scores
each answer with ``devset_score.score_item``, prints the per-kind table for the split asked for, the in-process time
per kind (p50/p95 of each question's wall time, last turn only for follow-ups), and saves answers and scores as JSON.
Left out: building the corpus or the index; timings on other machines (the machine's cores are shared, say so).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devset_score import format_table, load_devset, score_item, summarise  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.service import Assistant  # noqa: E402

DEVSET = Path(__file__).resolve().parent / "data" / "archive_dev.jsonl"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run(assistant: Assistant, items: list[dict]) -> list[dict]:
    """One record per item: its answer JSON, its score and the seconds its (last) question took."""
    out = []
    for item in items:
        conversation = assistant.conversation()
        turns = item.get("turns") or [item["question"]]
        for question in turns:
            t0 = time.perf_counter()
            answer = assistant.ask(question, conversation)
            seconds = time.perf_counter() - t0
        payload = answer.to_json()
        score = score_item(item, payload)
        out.append({**score, "split": item["split"], "kind": item["kind"], "id": item["id"],
                    "question": item["question"], "seconds": round(seconds, 4), "answer": payload})
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index-dir", type=Path, default=Path("/tmp/devindex"))
    p.add_argument("--corpus", type=Path, default=Path("/tmp/devcorpus"))
    p.add_argument("--devset", type=Path, default=DEVSET)
    p.add_argument("--split", choices=("report", "calib", "all"), default="report")
    p.add_argument("--kinds", default="", help="comma-separated kinds to ask (default: all)")
    p.add_argument("--today", default=None, help="reference date (ISO), as --today of the CLI")
    p.add_argument("--out", type=Path, default=None, help="write answers and scores here (JSON)")
    args = p.parse_args(argv)

    overrides = {"corpus_dir": args.corpus, "index_dir": args.index_dir, "default_year": 2023}
    if args.today:
        overrides["today"] = args.today
    settings = Settings.from_env(**overrides)
    assistant = Assistant.open(settings, build_if_missing=False, progress=False, log=lambda m: None)
    items = load_devset(args.devset)
    if args.split != "all":
        items = [i for i in items if i["split"] == args.split]
    if args.kinds:
        wanted = set(args.kinds.split(","))
        items = [i for i in items if i["kind"] in wanted]
    assistant.ask("预热")  # the first question loads the model's kernels and caches: not a user's wait
    results = run(assistant, items)
    print(format_table(summarise(results)))
    print("\nin-process seconds per question (this machine, shared cores):")
    for kind in sorted({r["kind"] for r in results}):
        secs = [r["seconds"] for r in results if r["kind"] == kind]
        print(f"  {kind:9s} n={len(secs):2d}  p50 {_percentile(secs, 0.5) * 1000:6.0f} ms  "
              f"p95 {_percentile(secs, 0.95) * 1000:6.0f} ms  max {max(secs) * 1000:6.0f} ms")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"answers and scores: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
