"""Retrieval quality and build time: this pipeline against the recipe a user would copy, BM25-only and dense-only.

Data: CMRC 2018 trial set (CC BY-SA 4.0; Cui et al., EMNLP 2019).  Every paragraph is one article; every question is
asked against all of them.  A hit at k is a top-k chunk from the question's own paragraph that contains a gold answer
string (``assistant.evaluation``), the same rule for every row.  Rows:

* this pipeline, hybrid / dense-only / BM25-only (``evaluate_squad``), with the torch fp32 and the onnx-int8 backend;
* the LangChain recipe: ``RecursiveCharacterTextSplitter()`` with its defaults (4,000 characters, overlap 200),
  ``langchain_community`` ``HuggingFaceEmbeddings`` on the same local model folder, and LangChain's ``FAISS`` store
  (``similarity_search(k=10)``);
* the same recipe with the model's prompts (``query: `` / ``passage: ``) through a thin LangChain ``Embeddings``.

Build time is chunking + embedding + indexing of all paragraphs, from nothing (no vector cache).  Larger chunks make
"the chunk contains the answer" easier, so the table gives characters per chunk too.

    .venv/bin/python bench/quality.py [--limit N]   (needs `pip install -e '.[bench]'`)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402

KS = (1, 5, 10)
MRR_BAR = 0.005  # onnx-int8 dense MRR@10 must be within this of torch fp32


def ours(backend: str, articles, questions, limit) -> list[dict]:
    from assistant.config import Settings
    from assistant.model import load_embedder
    from assistant.evaluation.squad import evaluate_squad, index_in_memory

    settings = Settings.from_env(env={}, backend=backend, model_cache_dir=Settings.from_env().model_cache_dir)
    embedder = load_embedder(settings)
    t0 = time.perf_counter()
    index = index_in_memory(articles, settings, embedder, progress=False)
    build_s = time.perf_counter() - t0
    report = evaluate_squad(common.CMRC, settings, embedder, limit=limit, progress=False)
    chars = float(np.mean([len(c.text) for c in index.chunks]))
    rows = []
    for m in report.modes:
        name = {"hybrid": "this pipeline, hybrid", "dense": "this pipeline, dense only",
                "lexical": "BM25 only (jieba+bigram)"}[m.mode]  # fmt: skip
        if m.mode == "lexical" and backend != "torch":
            continue  # BM25 does not depend on the backend
        rows.append({"system": name, "backend": "-" if m.mode == "lexical" else backend, "chunks": len(index.chunks),
                     "chars_per_chunk": chars, "build_s": build_s if m.mode == "hybrid" else None,
                     "mrr10": m.mrr10, **{f"hit@{k}": m.hit[k] for k in KS}})  # fmt: skip
    return rows


def langchain(articles, questions, prompts: bool) -> dict:
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # langchain-community announces its own sunset on import
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS

    from assistant.config import Settings
    from assistant.model.resolve import fetch_model

    folder = str(fetch_model(Settings.from_env(env={}, backend="torch",
                                               model_cache_dir=Settings.from_env().model_cache_dir)))  # fmt: skip

    class Prompted(Embeddings):
        """The model's own query/passage prompts, which the stock wrapper does not apply."""

        def __init__(self):
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(folder, device="cpu")

        def embed_documents(self, texts):
            return self.model.encode_document(texts, normalize_embeddings=True).tolist()

        def embed_query(self, text):
            return self.model.encode_query([text], normalize_embeddings=True)[0].tolist()

    t0 = time.perf_counter()
    docs = RecursiveCharacterTextSplitter().split_documents(
        [Document(page_content=a.text, metadata={"article_id": a.article_id}) for a in articles])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embeddings = Prompted() if prompts else HuggingFaceEmbeddings(model_name=folder)
    store = FAISS.from_documents(docs, embeddings)
    build_s = time.perf_counter() - t0
    ranks = np.zeros(len(questions), dtype=np.int64)  # 0 = no hit in the top 10
    for i, (q, aid, golds) in enumerate(questions):
        for r, doc in enumerate(store.similarity_search(q, k=max(KS)), 1):
            if doc.metadata["article_id"] == aid and any(g in doc.page_content for g in golds):
                ranks[i] = r
                break
    return {"system": "LangChain recipe" + (" + e5 prompts" if prompts else " (defaults)"), "backend": "torch",
            "chunks": len(docs), "chars_per_chunk": float(np.mean([len(d.page_content) for d in docs])),
            "build_s": build_s, "mrr10": float(np.mean(np.where(ranks > 0, 1.0 / np.maximum(ranks, 1), 0.0))),
            **{f"hit@{k}": float(np.mean((ranks > 0) & (ranks <= k))) for k in KS}}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=f"Data: {common.CMRC_CREDIT}. Results also go to bench/results/quality.json.")  # fmt: skip
    p.add_argument("--limit", type=int, help="ask only the first N questions (default: all)")
    p.add_argument("--backends", nargs="+", default=["torch", "onnx-int8"], choices=["torch", "onnx-int8"])
    p.add_argument("--no-langchain", action="store_true", help="skip the LangChain rows")
    args = p.parse_args(argv)

    from assistant.evaluation.squad import load_squad

    before = common.machine()
    articles, questions = load_squad(common.CMRC)
    questions = questions[: args.limit] if args.limit else questions
    rows = [row for backend in args.backends for row in ours(backend, articles, questions, args.limit)]
    if not args.no_langchain:
        try:
            rows += [langchain(articles, questions, prompts=False), langchain(articles, questions, prompts=True)]
        except ImportError as exc:
            print(f"LangChain rows skipped ({exc}); install them with `pip install -e '.[bench]'`.", file=sys.stderr)
    print(f"Retrieval quality on the {common.CMRC_CREDIT}: {len(questions)} questions over {len(articles)} "
          "paragraphs; a hit is a top-k chunk of the question's own paragraph containing a gold answer")
    print(common.table(
        ["system", "backend", "chunks", "chars/chunk", "MRR@10", "hit@1", "hit@5", "hit@10", "build s"],
        [[r["system"], r["backend"], r["chunks"], f"{r['chars_per_chunk']:.0f}", f"{r['mrr10']:.3f}",
          f"{r['hit@1']:.3f}", f"{r['hit@5']:.3f}", f"{r['hit@10']:.3f}",
          "-" if r["build_s"] is None else f"{r['build_s']:.0f}"] for r in rows]))  # fmt: skip
    dense = {r["backend"]: r["mrr10"] for r in rows if r["system"] == "this pipeline, dense only"}
    verdict = None
    if {"torch", "onnx-int8"} <= dense.keys():
        diff = dense["onnx-int8"] - dense["torch"]
        verdict = abs(diff) <= MRR_BAR
        print(f"dense MRR@10, onnx-int8 minus torch fp32: {diff:+.4f} (bar: within {MRR_BAR}) -> "
              f"{'within' if verdict else 'OUTSIDE'} the bar")
    print("build s: the hybrid row's build covers BM25 and FAISS both; LangChain's covers FAISS only")
    print(common.machine_line(before))
    common.save("quality", {"machine": before, "data": common.CMRC_CREDIT, "rows": rows, "dense_mrr_within_bar": verdict})
    return 0


if __name__ == "__main__":
    sys.exit(main())
