"""Retrieval hit@k / MRR@10 on SQuAD-format sets, and the share of answers that contain a gold answer.

SQuAD-format (e.g. CMRC 2018, CC BY-SA 4.0, Cui et al., EMNLP 2019): every paragraph becomes one article, chunked
like the news, indexed in memory (vectors cached on disk by content hash, so a re-run with the same model and
settings embeds nothing); every question is asked.  A hit at k is a top-k chunk from the question's own paragraph
that contains a gold answer string.  Dense-only, BM25-only and hybrid are measured in the same run, with the same
query vectors.  ``answers=True`` also composes each answer and counts those whose text contains a gold answer.

Left out: generating answers with a language model; judging answer fluency.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..answer.pipeline import Answerer, answer
from ..answer.retrieve import MODES, retrieve
from ..config import Settings
from ..errors import AssistantError
from ..index.build import assemble
from ..index.chunking import lexical_text
from ..index.lexical import tokenize
from ..index.search import SearchIndex
from ..index.store import FileEntry, LoadedIndex, Manifest
from ..model import Embedder
from ..types import Article

KS = (1, 5, 10)


@dataclass(frozen=True)
class ModeScores:
    mode: str
    hit: dict[int, float]  # k -> share of questions with a hit in the top k
    mrr10: float


@dataclass(frozen=True)
class RetrievalReport:
    dataset: str
    questions: int
    paragraphs: int
    chunks: int
    modes: tuple[ModeScores, ...]
    answer_contains_gold: float | None = None
    refused: float | None = None

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "questions": self.questions, "paragraphs": self.paragraphs,
                "chunks": self.chunks, "answer_contains_gold": self.answer_contains_gold, "refused": self.refused,
                "modes": {m.mode: {**{f"hit@{k}": v for k, v in m.hit.items()}, "mrr@10": m.mrr10} for m in self.modes}}

    def format(self) -> str:
        lines = [f"{self.dataset}: {self.questions} questions, {self.paragraphs} paragraphs, {self.chunks} chunks",
                 f"{'mode':<8} " + " ".join(f"{'hit@' + str(k):>7}" for k in KS) + f" {'MRR@10':>7}"]
        for m in self.modes:
            lines.append(f"{m.mode:<8} " + " ".join(f"{m.hit[k]:7.3f}" for k in KS) + f" {m.mrr10:7.3f}")
        if self.answer_contains_gold is not None:
            lines.append(f"answers containing a gold answer: {self.answer_contains_gold:.3f} "
                         f"(refused: {self.refused:.3f})")
        return "\n".join(lines)


def load_squad(path: Path) -> tuple[list[Article], list[tuple[str, str, list[str]]]]:
    """(articles, [(question, article_id, gold answers)]) from a SQuAD-format file; questions without text or without a
    gold answer are left out."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise AssistantError(f"{path} is not a SQuAD-format JSON file ({exc}); expected {{'data': [...]}}.") from exc
    articles, questions = [], []
    for doc in data:
        for para in doc["paragraphs"]:
            aid = hashlib.sha256(para["context"].encode()).hexdigest()[:16]
            articles.append(Article(article_id=aid, source=f"{Path(path).name}#{para.get('id', aid)}",
                                    title=doc.get("title", ""), text=para["context"]))
            for qa in para["qas"]:
                golds = [a["text"] for a in qa["answers"] if a["text"].strip()]
                # a question without text (CMRC 2018 trial has two) or without an answer measures nothing
                if golds and qa.get("question", "").strip():
                    questions.append((qa["question"], aid, golds))
    return articles, questions


def index_in_memory(articles: list[Article], settings: Settings, embedder: Embedder,
                    progress: bool = True) -> SearchIndex:
    """Chunk, embed and index ``articles`` exactly as a build does, without touching the corpus index.

    With ``settings.store == "milvus"`` the index goes into the Milvus database under its own prefix ("eval"),
    replaced on every run, so eval measures the store users get.
    """
    parts = assemble(articles, settings, embedder, progress=progress)
    manifest = Manifest(model=settings.model, model_id=embedder.model_id, dim=embedder.dim, backend=settings.backend,
                        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                        lexical_tokenizer=settings.lexical_tokenizer, built_at="",
                        files={a.source: FileEntry("", "", (a.article_id,)) for a in articles},
                        counts={"pages": len(articles), "articles": len(articles), "chunks": len(parts.chunks)})
    if settings.store == "milvus":
        from ..index.milvus import open_milvus, write_milvus
        by_id = {a.article_id: a for a in articles}
        tokens = (tokenize(lexical_text(by_id[c.article_id], c), settings.lexical_tokenizer) for c in parts.chunks)
        write_milvus(settings, None, manifest, articles, parts.chunks, parts.dense.vectors(), tokens, prefix="eval")
        return open_milvus(settings, prefix="eval")
    return LoadedIndex(Path("<memory>"), manifest, {a.article_id: a for a in articles}, parts.chunks, parts.dense,
                       parts.lexical, generation="memory")


def evaluate_squad(path: Path, settings: Settings, embedder: Embedder, *, limit: int | None = None,
                   answers: bool = False, progress: bool = True) -> RetrievalReport:
    articles, questions = load_squad(path)
    questions = questions[:limit] if limit else questions
    index = index_in_memory(articles, settings, embedder, progress)
    answerer = Answerer(index, embedder, settings)
    qvecs = embedder.encode_queries([q for q, _, _ in questions])  # (n_questions, dim)
    ranks = {m: np.zeros(len(questions), dtype=np.int64) for m in MODES}  # 0 = no hit in the top 10
    n_gold = n_refused = 0
    it = tqdm(questions, desc="questions", disable=not progress, leave=False)
    for i, (q, aid, golds) in enumerate(it):
        for mode in MODES:
            hits = retrieve(index, embedder, q, settings, mode=mode, k=max(KS), query_vector=qvecs[i])
            for r, h in enumerate(hits, 1):
                if h.chunk.article_id == aid and any(g in h.chunk.text for g in golds):
                    ranks[mode][i] = r
                    break
        if answers:
            ans = answer(q, answerer)  # the same pipeline users get
            n_refused += ans.refused
            n_gold += (not ans.refused) and any(g in ans.text for g in golds)
    modes = []
    for mode in ("dense", "lexical", "hybrid"):
        r = ranks[mode]
        hit = {k: float(np.mean((r > 0) & (r <= k))) for k in KS}
        mrr = float(np.mean(np.where(r > 0, 1.0 / np.maximum(r, 1), 0.0)))
        modes.append(ModeScores(mode, hit, mrr))
    n = max(len(questions), 1)
    return RetrievalReport(Path(path).name, len(questions), len(articles), len(index.chunks), tuple(modes),
                           n_gold / n if answers else None, n_refused / n if answers else None)
