"""Question latency (p50/p95/p99) in-process and through the Gradio ``/ask`` API, at 5, 1,000 and 10,000 articles.

Corpora: the shipped page (5 real articles), then synthetic replicas of it (district, people and amounts substituted
per copy; bench/common.py).  Only the 5-article index is embedded with the model.  For the larger ones, embedding
every replica would take hours at ~5–15 chunks/s, so each replica chunk gets the real vector of the most similar real
chunk (character bigrams) plus small Gaussian noise (cosine ~0.97 to it): the index has the real size, layout and
score distribution for the speed measurement, but its answers mean nothing.  Questions are always embedded with the
real model.  Questions: the dev questions (../shared/eval/seed_questions.jsonl, tests/data/extra_questions.jsonl),
each in a fresh conversation, cycled up to ``--asks``.

Through the API, ``app.py`` is started on 127.0.0.1 in a subprocess and asked with gradio_client, one request at a
time; its peak RSS (VmHWM) is read from /proc after the questions.  The baseline for the API row is the in-process row.

    .venv/bin/python bench/latency.py [--sizes 5 1000 10000] [--asks 60] [--api-asks 30] [--backend torch]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402

NOISE = 0.0125  # per-dimension std of the noise added to a real 384-d unit vector: cosine to it ~0.97
START_TIMEOUT = 600


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class ReplicaEmbedder:
    """An ``Embedder`` whose passage vectors are borrowed from the real chunks (see the module docstring)."""

    def __init__(self, real, originals: list[str]):
        self.real, self.dim, self.model_id = real, real.dim, real.model_id  # same id: the app accepts the index
        self.originals = [_bigrams(t) for t in originals]
        self.vectors = real.encode_passages(originals)  # (n_originals, dim)

    def encode_queries(self, texts):
        return self.real.encode_queries(texts)

    def encode_passages(self, texts, *, progress: bool = False):
        out = np.empty((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            grams = _bigrams(text)
            best = max(range(len(self.originals)),
                       key=lambda j: len(grams & self.originals[j]) / (len(grams | self.originals[j]) or 1))
            rng = np.random.default_rng(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little"))
            v = self.vectors[best] + rng.normal(0, NOISE, self.dim)
            out[i] = v / np.linalg.norm(v)
        return out


def questions() -> list[str]:
    qs = []
    for path in (common.SEED_QUESTIONS, common.ROOT / "tests" / "data" / "extra_questions.jsonl"):
        if path.exists():
            qs += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return qs


def _vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB -> MB
    return float("nan")


def through_api(settings, qs: list[str], asks: int, log: Path) -> dict:
    from gradio_client import Client

    port = common.free_port()
    cmd = [sys.executable, str(common.ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
           "--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir), "--backend", settings.backend]
    env = {**os.environ, "ASSISTANT_MODEL_CACHE": str(settings.model_cache_dir)}
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=common.ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        common.wait_until_up(url, proc, START_TIMEOUT, log)
        start_s = time.perf_counter() - t0
        client = Client(url, verbose=False)
        for q in qs[:3]:
            client.predict(q, api_name="/ask")  # warm-up
        samples = []
        for i in range(asks):
            t = time.perf_counter()
            client.predict(qs[i % len(qs)], api_name="/ask")
            samples.append(time.perf_counter() - t)
        return {**common.percentiles(samples), "start_s": start_s, "peak_rss_mb": _vm(proc.pid, "VmHWM"),
                "rss_mb": _vm(proc.pid, "VmRSS")}  # fmt: skip
    finally:
        common.stop(proc)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/latency.json.")  # fmt: skip
    p.add_argument("--sizes", type=int, nargs="+", default=[5, 1000, 10000], help="articles per corpus")
    p.add_argument("--asks", type=int, default=60, help="timed questions in-process per size (default: 60)")
    p.add_argument("--api-asks", type=int, default=30, help="timed questions through /ask per size; 0 skips the API")
    p.add_argument("--backend", default="torch", choices=["torch", "onnx-int8"])
    args = p.parse_args(argv)

    from assistant.articles import split_articles
    from assistant.index.chunking import chunk_article, embedding_text
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.index.build import build_index
    from assistant.ingest import load_pages
    from assistant.service import Assistant

    before = common.machine()
    qs = questions()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings.from_env(env={}, backend=args.backend, default_year=2021,
                                 model_cache_dir=Settings.from_env().model_cache_dir)  # fmt: skip
        real = load_embedder(base)
        originals = [embedding_text(a, c) for page in load_pages(common.CORPUS)
                     for a in split_articles(page, default_year=2021)
                     for c in chunk_article(a, base.chunk_size, base.chunk_overlap)]  # fmt: skip
        replicas = ReplicaEmbedder(real, originals)
        for size in args.sizes:
            root = Path(tmp) / str(size)
            settings = base.with_(corpus_dir=root / "corpus", index_dir=root / "index")
            common.write_replica_corpus(settings.corpus_dir, size)
            t0 = time.perf_counter()
            report = build_index(settings, real if size <= 5 else replicas, progress=False, log=lambda m: None)
            build_s = time.perf_counter() - t0
            assistant = Assistant.open(settings, embedder=real, build_if_missing=False, log=lambda m: None)
            for q in qs[:3]:
                assistant.ask(q)  # warm-up
            samples = []
            for i in range(args.asks):
                t = time.perf_counter()
                assistant.ask(qs[i % len(qs)])
                samples.append(time.perf_counter() - t)
            vectors = "model" if size <= 5 else "real+noise"
            row = {"articles": report.articles, "chunks": report.chunks, "vectors": vectors, "build_s": build_s,
                   "in_process": common.percentiles(samples)}  # fmt: skip
            if args.api_asks:
                row["api"] = through_api(settings, qs, args.api_asks, root / "app.log")
            rows.append(row)
            print(f"  {size} articles done", file=sys.stderr, flush=True)
    after = common.machine()

    print(f"Question latency, backend {args.backend}: corpora of replicas of the shipped page (names/places/amounts "
          "varied); above 5 articles the passage vectors are real vectors + noise, not embedded (see --help)")
    body = []
    for r in rows:
        body.append([f"{r['articles']:,}", f"{r['chunks']:,}", r["vectors"], "in-process", r["in_process"]["n"],
                     f"{r['in_process']['p50_ms']:.0f}", f"{r['in_process']['p95_ms']:.0f}",
                     f"{r['in_process']['p99_ms']:.0f}", "-", f"{r['build_s']:.1f}"])  # fmt: skip
        if "api" in r:
            a = r["api"]
            body.append(["", "", "", "Gradio /ask", a["n"], f"{a['p50_ms']:.0f}", f"{a['p95_ms']:.0f}",
                         f"{a['p99_ms']:.0f}", f"{a['peak_rss_mb']:.0f}", f"start {a['start_s']:.0f}"])  # fmt: skip
    print(common.table(["articles", "chunks", "vectors", "path", "asks", "p50 ms", "p95 ms", "p99 ms",
                        "server peak RSS MB", "index build s"], body))  # fmt: skip
    print(common.machine_line(before))
    print(f"load average after: {after['load_1m']}")
    common.save("latency", {"machine_before": before, "machine_after": after, "backend": args.backend, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
