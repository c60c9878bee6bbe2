"""Quality measurement: retrieval hit@k / MRR@10 on SQuAD-format sets, pass/fail on seed-question JSONL sets.

SQuAD-format (e.g. CMRC 2018, CC BY-SA 4.0, Cui et al., EMNLP 2019): every paragraph becomes one article, chunked
like the news, indexed in memory (vectors cached on disk by content hash, so a re-run with the same model and
settings embeds nothing); every question is asked.  A hit at k is a top-k chunk from the question's own paragraph
that contains a gold answer string.  Dense-only, BM25-only and hybrid are measured in the same run, with the same
query vectors.  ``answers=True`` also composes each answer and counts those whose text contains a gold answer.

Seed-question JSONL (``../shared/eval/seed_questions.jsonl``): each question is asked of the corpus index in a fresh
conversation; it passes when the cited headlines, the answer phrases and the refusal match the expectations.
Left out: generating answers with a language model; judging answer fluency.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm import tqdm

from .chunking import chunk_article, embedding_text, lexical_text
from .compose import background_vectors, compose
from .config import Settings
from .dense import DenseIndex
from .embedding import Embedder
from .errors import AssistantError
from .lexical import LexicalIndex
from .retriever import MODES, retrieve
from .store import FileEntry, LoadedIndex, Manifest
from .types import Article

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
    """(articles, [(question, article_id, gold answers)]) from a SQuAD-format file."""
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
                if golds:
                    questions.append((qa["question"], aid, golds))
    return articles, questions


def index_in_memory(articles: list[Article], settings: Settings, embedder: Embedder, cache_dir: Path | None,
                    progress: bool = True) -> LoadedIndex:
    """Chunk, embed (or read cached vectors) and index ``articles`` without touching the corpus index."""
    chunks = [c for a in articles for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)]
    by_id = {a.article_id: a for a in articles}
    texts = [embedding_text(by_id[c.article_id], c) for c in chunks]
    key = hashlib.sha256(json.dumps([embedder.model_id, texts], ensure_ascii=False).encode()).hexdigest()[:20]
    cached = cache_dir / f"{key}.npy" if cache_dir else None
    if cached and cached.exists():
        vectors = np.load(cached)
    else:
        vectors = embedder.encode_passages(texts, progress=progress)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            np.save(cached, vectors)
    lexical = LexicalIndex.build([lexical_text(by_id[c.article_id], c) for c in chunks], settings.lexical_tokenizer)
    manifest = Manifest(model=settings.model, model_id=embedder.model_id, dim=embedder.dim,
                        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                        lexical_tokenizer=settings.lexical_tokenizer, built_at="",
                        files={a.source: FileEntry("", "", (a.article_id,)) for a in articles},
                        counts={"pages": len(articles), "articles": len(articles), "chunks": len(chunks)})
    return LoadedIndex(Path("<memory>"), manifest, by_id, chunks, DenseIndex.build(vectors), lexical)


def evaluate_squad(path: Path, settings: Settings, embedder: Embedder, *, limit: int | None = None,
                   answers: bool = False, cache_dir: Path | None = None, progress: bool = True) -> RetrievalReport:
    articles, questions = load_squad(path)
    questions = questions[:limit] if limit else questions
    index = index_in_memory(articles, settings, embedder, cache_dir, progress)
    qvecs = embedder.encode_queries([q for q, _, _ in questions])  # (n_questions, dim)
    ranks = {m: np.zeros(len(questions), dtype=np.int64) for m in MODES}  # 0 = no hit in the top 10
    n_gold = n_refused = 0
    sentence_cache: dict = {}  # paragraphs come up again and again across questions
    background = background_vectors(embedder) if answers else None
    it = tqdm(questions, desc="questions", disable=not progress, leave=False)
    for i, (q, aid, golds) in enumerate(it):
        for mode in MODES:
            hits = retrieve(index, embedder, q, settings, mode=mode, k=max(KS), query_vector=qvecs[i])
            for r, h in enumerate(hits, 1):
                if h.chunk.article_id == aid and any(g in h.chunk.text for g in golds):
                    ranks[mode][i] = r
                    break
        if answers:
            hits = retrieve(index, embedder, q, settings, k=settings.top_k * 4, query_vector=qvecs[i])
            ans = compose(q, hits[: settings.top_k * 2], index.lexical, embedder, settings, query_vector=qvecs[i],
                          cache=sentence_cache, background=background)
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


# -- seed questions ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeedResult:
    id: str
    question: str
    passed: bool
    reasons: tuple[str, ...]
    answer: dict = field(compare=False)


def judge(item: dict, answer: dict) -> list[str]:
    """Why ``answer`` (Answer.to_json()) fails ``item``'s expectations; empty when it passes."""
    reasons = []
    if item.get("expect_no_answer"):
        if not answer["refused"]:
            reasons.append("expected a refusal, got an answer")
        return reasons
    if answer["refused"]:
        return ["refused, but the corpus holds the answer"]
    titles = [c["title"] for c in answer["citations"]]
    wanted = item.get("expect_titles", [])
    found = [w for w in wanted if any(w in t for t in titles)]
    if wanted and (not found if item.get("match") == "any" else len(found) < len(wanted)):
        reasons.append(f"cited {titles}, expected {'one of' if item.get('match') == 'any' else 'all of'} {wanted}")
    for phrase in item.get("expect_phrases", []):
        if phrase not in answer["answer"]:
            reasons.append(f"answer lacks 「{phrase}」")
    return reasons


def evaluate_seed(path: Path, ask: Callable[[str], dict]) -> list[SeedResult]:
    """``ask`` takes a question and returns ``Answer.to_json()`` (a fresh conversation each time)."""
    results = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}:{n} is not a JSON line ({exc}).") from exc
        answer = ask(item["question"])
        reasons = judge(item, answer)
        results.append(SeedResult(item.get("id", str(n)), item["question"], not reasons, tuple(reasons), answer))
    return results
