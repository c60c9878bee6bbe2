"""Build and query time of the two stores in one run: local files (FAISS + bm25s) against embedded milvus-lite.

The corpus is real news from ../shared/archive written as JSONL exports (``scale.write_exports``).  Passage and query
vectors are stand-ins (hashed unit vectors, ``Hashed`` below): on two CPU cores the real model embeds ~16 chunks/s,
which would make the embedding, identical for both stores, hours of every row.  So "build" is everything but the
model (ingest, split, chunk, BM25 tokens, the vector cache, then the store's own write: FAISS + bm25s files, or
Milvus inserts, its BM25 analyzer and index), and "query" is one hybrid retrieval (dense + BM25 + fusion) with the
query vector given, as ``retrieve`` runs it for every question, with and without a one-month period filter.  Each
store of each size runs in a fresh child process, so its peak RSS is its own (milvus-lite 3.x serves in-process, so
the Milvus row's peak includes the database) and one row's memory is gone before the next starts.

    .venv/bin/python bench/milvus.py [--sizes 1000 10000 100000] [--queries 100] [--keep /tmp/milvus-bench]

100,000 articles is the archive twice (``scale.records``: the second pass marked so nothing is a duplicate), ~250,000
chunks: Milvus then indexes the vectors with HNSW instead of FLAT (``assistant/index/milvus.py``), and the local store
keeps exact FAISS search (the default ``--dense-index flat``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402
from scale import ARCHIVE, QUESTIONS, write_exports  # noqa: E402

DIM = 384


class Hashed:
    """A stand-in embedder: unit vectors drawn from a hash of the text (deterministic, microseconds)."""

    model_id, dim, device, batch_size = "stand-in-hash-384", DIM, "cpu", 256

    def _encode(self, texts):
        import numpy as np

        seeds = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts]
        v = np.stack([np.random.default_rng(s).standard_normal(DIM, dtype=np.float32) for s in seeds])
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def encode_passages(self, texts, *, progress=False):
        return self._encode(texts)

    def encode_queries(self, texts):
        return self._encode(texts)


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_store(store: str, corpus: Path, workdir: Path, queries: int) -> dict:
    """Build, open and query one store over ``corpus`` (call it in a child process: the row's peak RSS is its own)."""
    from assistant.answer.retrieve import retrieve
    from assistant.config import Settings
    from assistant.index.build import build_index
    from assistant.index.stores import open_index

    index_dir = workdir / f"index-{store}-{corpus.name}"
    uri = workdir / f"milvus-{corpus.name}.db"
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.rmtree(uri, ignore_errors=True)
    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=index_dir, store=store,
                                 milvus_uri=str(uri) if store == "milvus" else None)
    embedder = Hashed()
    _say(f"{store} {corpus.name}: building")
    t0 = time.perf_counter()
    report = build_index(settings, embedder, progress=False, log=lambda m: None)
    build_s = time.perf_counter() - t0
    build_rss = common.peak_rss_mb()
    _say(f"{store} {corpus.name}: built in {build_s:.1f} s ({report.chunks:,} chunks); opening")
    t0 = time.perf_counter()
    index = open_index(settings)
    open_s = time.perf_counter() - t0
    row = {"store": store, "articles": report.articles, "chunks": report.chunks, "build_s": build_s, "open_s": open_s,
           "build_peak_rss_mb": build_rss}
    qs = list(itertools.islice(itertools.cycle(QUESTIONS), queries))
    qv = embedder.encode_queries(qs)
    for label, period in (("all", None), ("period", (20230701, 20230731))):
        for q, v in zip(qs[:3], qv):  # warm-up
            retrieve(index, embedder, q, settings, query_vector=v, period=period)
        times = []
        for q, v in zip(qs, qv):
            t0 = time.perf_counter()
            retrieve(index, embedder, q, settings, query_vector=v, period=period)
            times.append(time.perf_counter() - t0)
        row.update({f"{label}_{k}": v for k, v in common.percentiles(times).items()})
        _say(f"{store} {corpus.name}: {label} queries p50 {row[f'{label}_p50_ms']:.1f} ms")
    row["peak_rss_mb"] = common.peak_rss_mb()
    return row


def run_store_apart(store: str, corpus: Path, workdir: Path, queries: int) -> dict:
    """``run_store`` in a fresh process (spawned: nothing of the parent's or the last row's memory)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(run_store, (store, corpus, workdir, queries))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/milvus.json.")
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = p.parse_args(argv)
    if not (ARCHIVE / "xwlb.jsonl").exists():
        print(f"needs the archive at {ARCHIVE}", file=sys.stderr)
        return 1
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="milvus-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    before = common.machine()
    rows = []
    for size in args.sizes:
        corpus = workdir / f"corpus-{size}"
        if not corpus.exists():
            _say(f"writing {size:,} articles to {corpus}")
            write_exports(corpus, size)
        for store in ("local", "milvus"):
            rows.append(run_store_apart(store, corpus, workdir, args.queries))
            print(rows[-1], file=sys.stderr)
            common.save("milvus", {"machine": before, "queries": args.queries, "rows": rows})  # a stopped run keeps rows
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print("Local files against milvus-lite — real archive articles, stand-in vectors (build = all but the model)")
    print(common.table(
        ["articles", "chunks", "store", "build s", "open s", "query p50/p95 ms", "with a period p50/p95 ms",
         "peak RSS MB (build / all)"],
        [[f"{r['articles']:,}", f"{r['chunks']:,}", r["store"], f"{r['build_s']:.1f}", f"{r['open_s']:.2f}",
          f"{r['all_p50_ms']:.1f} / {r['all_p95_ms']:.1f}", f"{r['period_p50_ms']:.1f} / {r['period_p95_ms']:.1f}",
          f"{r['build_peak_rss_mb']:,.0f} / {r['peak_rss_mb']:,.0f}"]
         for r in rows]))
    print(common.machine_line(before))
    print(f"{args.queries} queries a row; each row in its own process")
    common.save("milvus", {"machine": before, "queries": args.queries, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
