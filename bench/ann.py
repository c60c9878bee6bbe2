"""Exact FAISS search against approximate indexes (HNSW, IVF) at 100k and 1M synthetic vectors: latency and recall@10.

Vectors: synthetic, built from real ones so that they have the model's geometry (e5 vectors crowd into a narrow cone,
cosine 0.7–0.9 between unrelated passages, which is what makes approximate search miss): every database vector is a
random blend of two real CMRC chunk vectors plus a little noise, normalised; the queries are the real CMRC questions
embedded by the model.  Uniform random vectors, or well-separated clusters, would make every index look perfect.
Recall@10 is the share of the exact top-10 that the approximate index returns in its top-10.  Latency is one query at a
time (what an ``ask`` does), on all cores; the baseline row is ``IndexFlatIP`` (the project's default) in the same run.

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

from assistant.index.dense import IVF_NPROBE, DenseIndex  # noqa: E402

NOISE = 0.15  # norm of the noise added to a blend of two unit vectors


def real_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(chunk vectors, question vectors) of CMRC trial, default settings; chunks are embedded once per run."""
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.evaluation.squad import index_in_memory, load_squad

    settings = Settings.from_env()
    embedder = load_embedder(settings)
    articles, questions = load_squad(common.CMRC)
    index = index_in_memory(articles, settings, embedder, progress=False)
    return index.dense.vectors(), embedder.encode_queries([q for q, _, _ in questions])


def synthetic(n: int, real: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, dim) float32 unit vectors: blends of two real vectors plus noise; generated in blocks to bound memory."""
    dim = real.shape[1]
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):
        m = min(n, start + 100_000) - start
        w = rng.random((m, 1), dtype=np.float32)
        block = w * real[rng.integers(0, len(real), m)] + (1 - w) * real[rng.integers(0, len(real), m)]
        block += rng.standard_normal(block.shape, dtype=np.float32) * (NOISE / np.sqrt(dim))
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
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


def measure(n: int, real: np.ndarray, queries: np.ndarray, k: int, rng: np.random.Generator) -> list[dict]:
    base = synthetic(n, real, rng)
    dim = base.shape[1]

    def hnsw():
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.add(base)
        return index

    def ivf():  # the project's own approximate index (assistant/dense.py, `--dense-index ivf`)
        return DenseIndex.build(base, approximate=True)._index

    def set_ef(index, ef):
        index.hnsw.efSearch = ef

    def set_nprobe(index, nprobe):
        index.nprobe = nprobe

    # (name, build, [(search-time setting label, how to apply it)]): one build, several search-time trade-offs
    plans = [("exact (IndexFlatIP)", lambda: DenseIndex.build(base)._index, [("", None)]),
             ("HNSW32", hnsw, [(f"efSearch {ef}", lambda i, ef=ef: set_ef(i, ef)) for ef in (64, 256, 1024)]),
             ("IVF 4√n", ivf, [(f"nprobe {p}" + (" (ivf)" if p == IVF_NPROBE else ""), lambda i, p=p: set_nprobe(i, p))
                               for p in (16, IVF_NPROBE)])]  # fmt: skip
    rows, truth = [], None
    for name, make, variants in plans:
        t0 = time.perf_counter()
        index = make()
        build_s = time.perf_counter() - t0
        size_mb = faiss.serialize_index(index).nbytes / 2**20
        for label, apply in variants:
            if apply:
                apply(index)
            ids, times = one_at_a_time(index, queries, k)
            if truth is None:
                truth = ids
            stats = common.percentiles(times)
            rows.append({"vectors": n, "index": f"{name} {label}".strip(), "build_s": build_s,
                         "recall_at_10": recall(ids, truth), "index_mb": size_mb, **stats})  # fmt: skip
            print(f"  {n:>9,}  {rows[-1]['index']:<22} build {build_s:6.1f} s  p50 {stats['p50_ms']:7.2f} ms  "
                  f"recall@10 {rows[-1]['recall_at_10']:.3f}", file=sys.stderr, flush=True)  # fmt: skip
        del index
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/ann.json.")  # fmt: skip
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="database sizes")
    p.add_argument("--queries", type=int, default=300, help="CMRC questions asked per size (default: 300)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    before = common.machine()
    real, questions = real_vectors()
    queries = questions[rng.choice(len(questions), min(args.queries, len(questions)), replace=False)]
    rows = [row for n in args.sizes for row in measure(n, real, queries, 10, rng)]
    print(f"Exact vs approximate search — synthetic vectors (blends of {len(real)} real CMRC chunk vectors + noise), "
          f"{len(queries)} real CMRC questions asked one at a time; faiss {faiss.__version__}, "
          f"{faiss.omp_get_max_threads()} threads")
    exact = {r["vectors"]: r for r in rows if r["index"].startswith("exact")}
    print(common.table(
        ["vectors", "index", "build s", "p50 ms", "p95 ms", "p99 ms", "speed-up vs exact (p50)", "recall@10", "index MB"],
        [[f"{r['vectors']:,}", r["index"], f"{r['build_s']:.1f}", f"{r['p50_ms']:.2f}", f"{r['p95_ms']:.2f}",
          f"{r['p99_ms']:.2f}", f"{exact[r['vectors']]['p50_ms'] / r['p50_ms']:.1f}x",
          f"{r['recall_at_10']:.3f}", f"{r['index_mb']:.0f}"] for r in rows],
    ))  # fmt: skip
    print(common.machine_line(before))
    common.save("ann", {"machine": before, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
