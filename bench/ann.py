"""Exact FAISS search against approximate indexes (HNSW, IVF) at 100k and 1M synthetic vectors: latency and recall@10.

Vectors: synthetic, 384-d, unit norm — a mixture of 2,000 Gaussian clusters (news chunks cluster by topic; uniform
random vectors would make every approximate index look worse than it is on real embeddings).  Queries are database
vectors moved off their point by noise of the same scale, so each has near neighbours but no exact copy.  Recall@10 is
the share of the exact top-10 that the approximate index returns in its top-10.  Latency is one query at a time (what
an ``ask`` does), on the configured threads; the baseline row is ``IndexFlatIP`` (the project's default) in the same run.

    .venv/bin/python bench/ann.py [--sizes 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402

from assistant.dense import DenseIndex  # noqa: E402

DIM = 384
CLUSTERS = 2000
SPREAD = 0.6  # noise relative to a cluster centre: cosine to the centre ~0.85, like chunks of one topic


def synthetic(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, DIM) float32 unit vectors drawn around CLUSTERS random centres; generated in blocks to bound memory."""
    centres = rng.standard_normal((CLUSTERS, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, DIM), np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        block = centres[rng.integers(0, CLUSTERS, stop - start)]
        block += rng.standard_normal(block.shape, dtype=np.float32) * (SPREAD / np.sqrt(DIM))
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def one_at_a_time(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    ids = np.empty((len(queries), k), np.int64)
    times = []
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        _, ids[i] = index.search(q[None, :], k)
        times.append(time.perf_counter() - t0)
    return ids, times


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def measure(n: int, n_queries: int, k: int, rng: np.random.Generator) -> list[dict]:
    base = synthetic(n, rng)
    picks = rng.integers(0, n, n_queries)
    queries = base[picks] + rng.standard_normal((n_queries, DIM), dtype=np.float32) * (SPREAD / np.sqrt(DIM))
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    def hnsw():  # the project's own approximate index (assistant/dense.py)
        return DenseIndex.build(base, approximate=True)._index

    def ivf():
        nlist = int(4 * np.sqrt(n))  # faiss's rule of thumb: 4–16 × sqrt(n) lists
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(base[rng.choice(n, min(n, 50 * nlist), replace=False)])
        index.add(base)
        index.nprobe = 16
        return index

    rows, truth = [], None
    for name, make in [("exact (IndexFlatIP)", lambda: DenseIndex.build(base)._index),
                       ("HNSW32 efSearch 64", hnsw), ("IVF 4√n nprobe 16", ivf)]:  # fmt: skip
        t0 = time.perf_counter()
        index = make()
        build_s = time.perf_counter() - t0
        ids, times = one_at_a_time(index, queries, k)
        if truth is None:
            truth = ids
        stats = common.percentiles(times)
        rows.append({"vectors": n, "index": name, "build_s": build_s, "recall_at_10": recall(ids, truth),
                     "index_mb": faiss.serialize_index(index).nbytes / 2**20, **stats})  # fmt: skip
        print(f"  {n:>9,}  {name:<22} build {build_s:6.1f} s  p50 {stats['p50_ms']:7.2f} ms  "
              f"recall@10 {rows[-1]['recall_at_10']:.3f}", file=sys.stderr, flush=True)  # fmt: skip
        del index
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/ann.json.")  # fmt: skip
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="database sizes")
    p.add_argument("--queries", type=int, default=200, help="queries per size (default: 200)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    before = common.machine()
    rows = [row for n in args.sizes for row in measure(n, args.queries, 10, rng)]
    print(f"Exact vs approximate search — synthetic {DIM}-d unit vectors ({CLUSTERS} clusters), {args.queries} "
          f"single queries per size, faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads")
    exact = {r["vectors"]: r for r in rows if r["index"].startswith("exact")}
    print(common.table(
        ["vectors", "index", "build s", "p50 ms", "p95 ms", "p99 ms", "vs exact p50", "recall@10", "index MB"],
        [[f"{r['vectors']:,}", r["index"], f"{r['build_s']:.1f}", f"{r['p50_ms']:.2f}", f"{r['p95_ms']:.2f}",
          f"{r['p99_ms']:.2f}", f"{exact[r['vectors']]['p50_ms'] / r['p50_ms']:.1f}x faster",
          f"{r['recall_at_10']:.3f}", f"{r['index_mb']:.0f}"] for r in rows],
    ))  # fmt: skip
    print(common.machine_line(before))
    common.save("ann", {"machine": before, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
