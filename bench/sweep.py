"""Measure the retrieval settings the defaults come from: chunk size/overlap, BM25 tokenizer, fusion weights.

Runs ``assistant.evaluation.evaluate_squad`` (retrieval only) on CMRC 2018 trial (CC BY-SA 4.0, Cui et al., EMNLP
2019) for each setting and prints hit@1/5/10 and MRR@10 of dense, BM25 and hybrid retrieval.  Each setting embeds
its chunks afresh (minutes a setting on two cores).

    .venv/bin/python bench/sweep.py [--what chunks|tokenizer|fusion|all] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.model import load_embedder  # noqa: E402
from assistant.evaluation.squad import evaluate_squad  # noqa: E402



def row(label: str, report) -> str:
    cells = []
    for m in report.modes:
        cells.append(f"{m.mode} {m.hit[1]:.3f}/{m.hit[5]:.3f}/{m.hit[10]:.3f} mrr {m.mrr10:.3f}")
    return f"{label:<34} chunks {report.chunks:>4}  " + "   ".join(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--what", default="all", choices=("chunks", "tokenizer", "fusion", "all"))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rrf-k", type=int, nargs="+", default=[10, 30, 60], help="fusion k values to try")
    ap.add_argument("--lexical-weights", type=float, nargs="+", default=[0.5, 0.75, 1.0, 1.25, 1.5, 2.0])
    args = ap.parse_args()
    base = Settings.from_env()
    embedder = load_embedder(base)
    print(f"CMRC 2018 trial, hit@1/5/10 and MRR@10; model {base.model} ({base.backend})")

    def run(label, settings):
        t = time.perf_counter()
        report = evaluate_squad(common.CMRC, settings, embedder, limit=args.limit, progress=False)
        print(row(label, report) + f"  ({time.perf_counter() - t:.0f} s)", flush=True)

    if args.what in ("chunks", "all"):
        for size, overlap in ((150, 30), (200, 40), (300, 0), (300, 60), (400, 80), (500, 100)):
            run(f"chunk {size}/{overlap}", base.with_(chunk_size=size, chunk_overlap=overlap))
    if args.what in ("tokenizer", "all"):
        for scheme in ("jieba", "bigram", "jieba+bigram"):
            run(f"tokenizer {scheme}", base.with_(lexical_tokenizer=scheme))
    if args.what in ("fusion", "all"):
        for k in args.rrf_k:
            for wl in args.lexical_weights:
                run(f"rrf k={k} lexical weight {wl}", base.with_(rrf_k=k, lexical_weight=wl))


if __name__ == "__main__":
    main()
