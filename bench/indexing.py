"""Indexing throughput: the whole pipeline (``build_index``) against raw ``model.encode`` of the same chunks, per backend.

The corpus is N synthetic replicas of the shipped page's articles (district, people and amounts substituted per copy;
see bench/common.py), so the chunks look like the real ones (~180 tokens).  Each backend runs in its own process (a
fair peak RSS, no shared thread pools): load the model, build the index from scratch, then encode the same chunk texts
with ``SentenceTransformer.encode_document`` alone, alternately, keeping the best of ``--repeats`` runs of each; the
pipeline's overhead is the extra time over encoding alone (ingest, chunking, BM25, FAISS, writing files).
The baseline is the torch fp32 backend measured in the same run.

    .venv/bin/python bench/indexing.py [--articles 60] [--backends torch onnx-int8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402


def measure(backend: str, articles: int, repeats: int) -> dict:
    """Runs in the child process."""
    import numpy as np

    from assistant.index.chunking import embedding_text
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.index.build import build_index
    from assistant.model.resolve import cpu_threads
    from assistant.index.store import load_index

    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        pages = common.write_replica_corpus(corpus, articles)
        settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=index_dir, backend=backend,
                                     model_cache_dir=Settings.from_env().model_cache_dir)  # fmt: skip
        t0 = time.perf_counter()
        embedder = load_embedder(settings)
        load_s = time.perf_counter() - t0
        embedder.encode_passages(["预热：第一次调用要分配内存。"] * 4)  # warm-up, not timed

        model = embedder.model
        build_s = encode_s = float("inf")
        for _ in range(repeats):  # alternate, keep the best of each: other processes only ever slow a run down
            t0 = time.perf_counter()
            report = build_index(settings, embedder, rebuild=True, progress=False, log=lambda m: None)
            build_s = min(build_s, time.perf_counter() - t0)
            index = load_index(index_dir)
            texts = [embedding_text(index.articles[c.article_id], c) for c in index.chunks]
            t0 = time.perf_counter()
            model.encode_document(texts, batch_size=settings.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True)  # fmt: skip
            encode_s = min(encode_s, time.perf_counter() - t0)
        tokens = [len(ids) for ids in model.tokenizer(["passage: " + t for t in texts])["input_ids"]]
        return {"backend": backend, "pages": pages, "articles": report.articles, "chunks": report.chunks,
                "tokens_per_chunk": float(np.mean(tokens)), "max_seq_length": settings.max_seq_length,
                "batch_size": settings.batch_size, "threads": settings.threads or cpu_threads(), "repeats": repeats,
                "model_load_s": load_s, "build_s": build_s, "encode_s": encode_s,
                "build_chunks_per_s": report.chunks / build_s, "encode_chunks_per_s": len(texts) / encode_s,
                "overhead_pct": 100 * (build_s - encode_s) / encode_s, "peak_rss_mb": common.peak_rss_mb()}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/indexing.json.")  # fmt: skip
    p.add_argument("--articles", type=int, default=60, help="synthetic articles to index (default: 60, ~190 chunks)")
    p.add_argument("--backends", nargs="+", default=["torch", "onnx-int8"], choices=["torch", "onnx-int8"])
    p.add_argument("--repeats", type=int, default=2, help="timed runs of each; the best is kept (default: 2)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.articles, args.repeats)))
        return 0

    before = common.machine()
    rows = []
    for backend in args.backends:
        out = subprocess.run([sys.executable, __file__, "--child", backend, "--articles", str(args.articles),
                              "--repeats", str(args.repeats)], capture_output=True, text=True)  # fmt: skip
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    after = common.machine()
    base = next((r for r in rows if r["backend"] == "torch"), rows[0])
    print(f"Indexing throughput — {rows[0]['articles']} synthetic articles ({rows[0]['pages']} replicas of the shipped "
          f"page, names/places/amounts varied), {rows[0]['chunks']} chunks of ~{rows[0]['tokens_per_chunk']:.0f} "
          f"tokens; batch {rows[0]['batch_size']}, {rows[0]['threads']} threads, token cap {rows[0]['max_seq_length']}; "
          f"best of {args.repeats} runs each")
    print(table_of(rows, base))
    print(common.machine_line(before))
    print(f"load average after: {after['load_1m']}")
    common.save("indexing", {"machine_before": before, "machine_after": after, "rows": rows})
    return 0


def table_of(rows: list[dict], base: dict) -> str:
    return common.table(
        ["backend", "model.encode chunks/s", "build_index chunks/s", "vs torch", "pipeline overhead",
         "peak RSS MB", "model load s"],
        [[r["backend"], f"{r['encode_chunks_per_s']:.1f}", f"{r['build_chunks_per_s']:.1f}",
          f"{r['build_chunks_per_s'] / base['build_chunks_per_s']:.2f}x", f"{r['overhead_pct']:+.0f}%",
          f"{r['peak_rss_mb']:.0f}", f"{r['model_load_s']:.1f}"] for r in rows],
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
