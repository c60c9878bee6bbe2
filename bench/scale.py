"""The archive build at newsroom scale: 1k, 10k and 100k real articles, build time, memory, updates and questions.

The corpus is real news from ../shared/archive (新闻联播 items and regional articles, both files interleaved), written
as JSON Lines CMS exports of 1,000 records each, the layout a newsroom's CMS hands over.  100k articles is the archive
twice: the second pass gets a 「（续）」 headline and its copy number in the text, so no article is a duplicate.

On two CPU cores the model embeds ~16 chunks/s, so 250k chunks would take over four hours.  Each size therefore runs in
its own process (a fair peak RSS) in one of two ways, both printed:

- ``model``: the real model end to end (1k).  Overhead = build time over raw ``encode_document`` of the same chunks.
- ``stand-in vectors`` (10k, 100k): the whole pipeline runs (streaming ingest, splitting, chunking, BM25 tokens, the
  vector cache, FAISS, the generation on disk), but passage vectors come from a hash in microseconds.  The pipeline's
  own time is then measured exactly, and the build time a real model would take is that time plus the chunks divided
  by the encode rate measured in the 1k row of the same run.

At 100k it also adds 100 new articles to the index (the incremental build: only those are embedded, by the real model)
and asks questions in-process.  The stand-in index carries the real model's id, so every model call at question time
(the question, the candidate sentences) is the real model's; only the stored passage vectors are stand-ins, which
changes what is retrieved but not what it costs.

    .venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--asks 40] [--keep /tmp/scale]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402

ARCHIVE = common.SHARED / "archive"
QUESTIONS = ["国务院常务会议研究部署了哪些工作？", "暑期旅游市场情况如何？", "防汛救灾工作有什么部署？",
             "2023年7月28日有哪些新闻？", "哪些地方遭遇了强降雨？", "记者从哪里获悉了消息？"]


def records(n: int, offset: int = 0):
    """``n`` archive records (as export rows) from position ``offset``, the two archive files interleaved."""
    files = [ARCHIVE / "xwlb.jsonl", ARCHIVE / "regional_2023.jsonl"]
    total = 0
    for copy in itertools.count():
        handles = [f.open(encoding="utf-8") for f in files]
        for pair in itertools.zip_longest(*handles):
            for line in filter(None, pair):
                if total >= offset + n:
                    return
                total += 1
                if total <= offset:
                    continue
                r = json.loads(line)
                row = {"id": f"{r['id']}-{copy}", "title": r.get("title"), "date": r.get("date"), "text": r["text"],
                       "section": r.get("section")}
                if copy:
                    row["title"] = (row["title"] or r["text"][:20]) + "（续）"
                    row["text"] = f"（第{copy + 1}次刊发）" + row["text"]
                yield row
        for h in handles:
            h.close()


def write_exports(folder: Path, n: int, offset: int = 0, per_file: int = 1000) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = records(n, offset)
    for i in itertools.count():
        chunk = list(itertools.islice(rows, per_file))
        if not chunk:
            return
        (folder / f"export_{offset + i * per_file:06d}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk), encoding="utf-8")


class StandIn:
    """The real embedder for questions; hashed unit vectors for passages (see the module docstring)."""

    def __init__(self, real):
        self.real, self.model_id, self.dim, self.device = real, real.model_id, real.dim, real.device
        self.batch_size, self.building = 256, True
        self.model, self.folder, self.name = real.model, getattr(real, "folder", None), real.name

    def encode_queries(self, texts):
        return self.real.encode_queries(texts)

    def encode_passages(self, texts, *, progress=False):
        import numpy as np

        if not self.building:
            return self.real.encode_passages(texts, progress=progress)
        seeds = [int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in texts]
        v = np.stack([np.random.default_rng(s).standard_normal(self.dim, dtype=np.float32) for s in seeds])
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def measure(size: int, mode: str, workdir: Path, asks: int, encode_rate: float | None) -> dict:
    """Runs in a child process."""
    from assistant.config import Settings
    from assistant.index.build import build_index
    from assistant.index.chunking import embedding_text
    from assistant.index.store import load_index
    from assistant.model import load_embedder
    from assistant.service import Assistant

    corpus, index_dir = workdir / f"corpus-{size}", workdir / f"index-{size}"
    shutil.rmtree(index_dir, ignore_errors=True)
    if not corpus.exists():
        write_exports(corpus, size)
    settings = Settings.from_env(env={}, corpus_dir=corpus, index_dir=index_dir, device="cpu",
                                 model_cache_dir=Settings.from_env().model_cache_dir)
    real = load_embedder(settings)
    real.encode_passages(["预热"] * 4)
    embedder = real if mode == "model" else StandIn(real)
    t0 = time.perf_counter()
    report = build_index(settings, embedder, progress=False, log=lambda m: None)
    build_s = time.perf_counter() - t0
    row = {"articles": report.articles, "mode": mode, "chunks": report.chunks, "build_s": build_s}
    if mode == "model":
        index = load_index(index_dir)
        texts = [embedding_text(index.articles[c.article_id], c) for c in index.chunks]
        t0 = time.perf_counter()
        real.model.encode_document(texts, batch_size=settings.batch_size, normalize_embeddings=True)
        encode_s = time.perf_counter() - t0
        row.update(encode_s=encode_s, encode_rate=len(texts) / encode_s, pipeline_s=build_s - encode_s)
    else:
        encode_s = report.chunks / encode_rate
        row.update(encode_s=encode_s, encode_rate=encode_rate, pipeline_s=build_s, projected_build_s=build_s + encode_s)
    row["overhead_pct"] = 100 * row["pipeline_s"] / encode_s
    row["peak_rss_mb"] = common.peak_rss_mb()

    if mode != "model":  # the incremental add and questions, on the big index
        embedder.building = False  # from here on every model call is the real model's
        write_exports(corpus / "added", 100, offset=size)
        t0 = time.perf_counter()
        added = build_index(settings, embedder, progress=False, log=lambda m: None)
        row.update(add100_s=time.perf_counter() - t0, add100_embedded=added.embedded)
        assistant = Assistant.open(settings, build_if_missing=False, embedder=embedder)
        for q in QUESTIONS[:2]:
            assistant.ask(q)  # warm-up
        times = []
        for q in itertools.islice(itertools.cycle(QUESTIONS), asks):
            t0 = time.perf_counter()
            assistant.ask(q)
            times.append(time.perf_counter() - t0)
        row.update({f"ask_{k}": v for k, v in common.percentiles(times).items()})
        row["peak_rss_mb"] = common.peak_rss_mb()
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Results also go to bench/results/scale.json.")
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    p.add_argument("--model-size", type=int, default=1000, help="the size built with the real model (default: 1000)")
    p.add_argument("--asks", type=int, default=40, help="timed questions at the largest size (default: 40)")
    p.add_argument("--keep", type=Path, help="work in this folder and keep it (corpora, indexes)")
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        size, mode, workdir, rate = args.child
        print(json.dumps(measure(int(size), mode, Path(workdir), args.asks, float(rate) if rate != "-" else None)))
        return 0
    if not (ARCHIVE / "xwlb.jsonl").exists():
        print(f"needs the archive at {ARCHIVE}", file=sys.stderr)
        return 1
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    before = common.machine()
    rows, rate = [], "-"
    plan = [(args.model_size, "model")] + [(s, "stand-in vectors") for s in args.sizes if s != args.model_size]
    for size, mode in plan:
        out = subprocess.run([sys.executable, __file__, "--asks", str(args.asks), "--child", str(size), mode,
                              str(workdir), str(rate)], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if mode == "model":
            rate = f"{rows[-1]['encode_rate']:.3f}"
        print(json.dumps(rows[-1]), file=sys.stderr)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Archive build at scale — real articles as JSONL exports; encode rate measured at {args.model_size} "
          f"articles with the real model, the baseline of every other row")
    print(common.table(
        ["articles", "vectors", "chunks", "build s", "of which pipeline s", "encode s", "overhead", "peak RSS MB",
         "add 100 s", "ask p50/p95 ms"],
        [[f"{r['articles']:,}", r["mode"], f"{r['chunks']:,}",
          f"{r['build_s']:.0f}" if r["mode"] == "model" else f"{r['projected_build_s']:.0f} (projected)",
          f"{r['pipeline_s']:.1f}", f"{r['encode_s']:.0f}", f"{r['overhead_pct']:.1f}%", f"{r['peak_rss_mb']:.0f}",
          f"{r['add100_s']:.1f}" if "add100_s" in r else "",
          f"{r['ask_p50_ms']:.0f} / {r['ask_p95_ms']:.0f}" if "ask_p50_ms" in r else ""] for r in rows]))
    print(common.machine_line(before))
    common.save("scale", {"machine": before, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
