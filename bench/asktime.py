"""In-process time of list and time questions on a big index: p50/p95 per kind, against plain questions in one run.

    python bench/asktime.py --index-dir /tmp/scale/index-100000 [--rounds 5]

Opens the index ``bench/scale.py`` built (100,000 real archive articles; its passage vectors are stand-ins, which does
not change the work a question does) with the real model for questions, and asks each question of each kind
``--rounds`` times through the one answer pipeline (``Assistant.ask``), after one warm-up round.  The baseline is the
plain kind: questions with neither a period nor a list.  The questions are written for the archive's own months
(July–August 2023, April–June 2024), not taken from any dev set.
Left out: the web layer (bench/load.py), building the index (bench/scale.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.service import Assistant  # noqa: E402

KINDS = {
    "plain": ["暑期旅游市场情况如何？", "防汛救灾工作有什么部署？", "高温天气对电力供应有什么影响？"],
    "time": ["2023年7月28日台风登陆在哪里？", "2024年5月上旬国务院常务会议研究了什么？", "最近一次报道防汛是什么时候？",
             "第一次报道大运会是哪天？", "去年8月的暴雨造成了什么损失？"],
    "list": ["有哪些关于防汛的报道？", "2024年6月有哪些关于高考的报道？", "新闻里报过哪些台风？",
             "2023年7月28日有哪些新闻？", "哪些报道提到了暑期旅游？"],
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index-dir", type=Path, default=Path("/tmp/scale/index-100000"))
    p.add_argument("--corpus", type=Path, default=Path("/tmp/scale/corpus-100000"))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--today", default="2024-07-01", help="reference day of relative time (default: after the archive)")
    args = p.parse_args(argv)
    settings = Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir, today=args.today)
    t0 = time.perf_counter()
    assistant = Assistant.open(settings, build_if_missing=False, progress=False, log=lambda m: None)
    print(f"opened {len(assistant.index.articles):,} articles in {time.perf_counter() - t0:.1f} s")
    for questions in KINDS.values():  # warm-up: model kernels, caches of the credits and dates
        for q in questions:
            assistant.ask(q)
    print(f"{'kind':6s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    for kind, questions in KINDS.items():
        times = []
        for _ in range(args.rounds):
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q)
                times.append(time.perf_counter() - t)
        pct = common.percentiles(times)
        print(f"{kind:6s} {len(times):4d} {pct['p50_ms']:8.0f} {pct['p95_ms']:8.0f} {max(times) * 1000:8.0f}")
    print(f"peak RSS {common.peak_rss_mb():,.0f} MB; {common.machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
