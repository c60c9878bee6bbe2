"""Noise robustness, RGB-style: answer accuracy as the share of distracting articles beside the answering ones grows.

    .venv/bin/python bench/noise.py [--split report|calib|all] [--ratios 0,0.4,0.8] [--limit N]

After Chen et al., 2024 ("Benchmarking Large Language Models in Retrieval-Augmented Generation", AAAI; the RGB
noise-robustness test).  Questions: the answerable ``factoid``, ``temporal`` and ``english`` items of the archive dev
set (bench/data/archive_dev.jsonl) that have expected phrases, ``report`` split by default.  For every question and
every noise ratio an archive of at most ``TOTAL`` (5) candidate articles plus one fixed background of ``BACKGROUND``
(40) unrelated articles is indexed in memory (``assistant.evaluation.squad.index_in_memory``) and the question is
answered by the one answer pipeline (``assistant.answer.pipeline.answer``), with
``Settings.from_env(default_year=2023)`` as for the dev set.

* **Positives**: the question's gold articles (``gold_ids``), read from ``../shared/archive`` (xwlb.jsonl,
  regional_2023.jsonl); each record becomes one ``Article`` the way an export record does (text normalised and
  trimmed of boilerplate, then ``split_articles`` on a one-record page), cited as ``xwlb/{id}`` / ``regional/{id}``.
* **Noise**: archive articles close to the question that do not answer it.  One BM25 index (the project's
  ``LexicalIndex``, same tokenizer as the assistant) over a fixed random sample (seed 0) of ``SAMPLE`` (20,000)
  archive articles dated inside the dev corpus's span (2023-07-20 .. 2024-06-30) plus every gold article of the dev
  set; the question (English ones with their CC-CEDICT Chinese terms, as the assistant expands them) ranks it, and the
  best-ranked articles that are not gold and contain none of the expected phrases (NFKC, white space removed, in
  headline or text) are the question's noise, in rank order.  The span keeps distractors from moving the archive's
  "now" beyond the dev corpus's last day, so 今年/最近 mean what they mean in the dev set.
* **Background**: ``BACKGROUND`` (40) articles drawn once (seed 1) from the same date-span sample, leaving out every
  gold article of the dev set's factoid, temporal and English items (all splits) and every article that holds any of
  their expected phrases; the same articles are in every question's archive at every ratio, and are never a
  question's noise (the noise ranking skips them).  They give each archive well over the no-answer rule's
  ``MIN_BACKGROUND`` (32) passages, so the no-answer rule a real archive gets applies (the fitted logistic rule, whose
  "standing" compares the best passage with the median and spread of the question's cosines with the archive's
  passages), not the small-archive rule; the header gives the smallest archive's passages and the line under the
  table says whether any archive fell under the small-archive rule.  Being unrelated to the questions they are easy
  distractors: the noise ratio controls only the near ones.
* **Mixing**: ratio r gives round(r × 5) noise articles (0, 2, 4 for the default ratios; the best-ranked first, so a
  higher ratio adds to a lower one's noise) and min(gold available, 5 − noise) gold articles, at least one (gold in
  ``gold_ids`` order).  A question with fewer gold articles than the free places gets a smaller archive rather than
  more noise, so the number of noise articles is exact at every ratio but the share can be higher than r (1 gold + 2
  noise is 0.67): the table gives the actual mean share beside r.  The share counts the 5 candidate articles only, not
  the background.
* **Score**: an answer is right when it is not refused and every expected phrase is in its text (the dev set's
  normalisation); refusals are counted apart.  Whether it cites a gold article is saved in the JSON, not scored.
  Seconds are the in-process wall time of ``answer`` only (the in-memory index is built before; its time is printed
  apart), after one warm-up answer, on one thread (``torch.set_num_threads(1)``) of this machine's shared cores.
  Passage vectors are computed once per distinct text and reused across archives (``MemoEmbedder``); the vectors
  are the model's own, so only time is saved.

Writes bench/results/noise.json.  Left out: list, byline, follow-up and no-answer items; RGB's other tests (negative
rejection, information integration, counterfactual robustness); distractors that do contain an expected phrase but
answer another question (the phrase filter excludes them, and also excludes a few that would be fair noise);
archives of real size (thousands of articles: the background is 40, enough for the no-answer rule's statistics and
small enough to index 3 × 32 archives quickly); generation by a language model (the assistant composes answers from
the articles' sentences).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import common  # noqa: E402
from archive_layouts import read_archive  # noqa: E402
from devset_score import _norm, cites, load_devset  # noqa: E402

from assistant.answer.crosslingual import expand  # noqa: E402
from assistant.answer.evidence import MIN_BACKGROUND  # noqa: E402
from assistant.answer.pipeline import Answerer, answer  # noqa: E402
from assistant.articles.split import split_articles  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation.squad import index_in_memory  # noqa: E402
from assistant.index.chunking import chunk_article  # noqa: E402
from assistant.index.lexical import LexicalIndex  # noqa: E402
from assistant.ingest.boilerplate import trim  # noqa: E402
from assistant.model import load_embedder  # noqa: E402
from assistant.text import normalize_text  # noqa: E402
from assistant.types import Article, Page  # noqa: E402

DEVSET = Path(__file__).resolve().parent / "data" / "archive_dev.jsonl"
ARCHIVE = common.SHARED / "archive"
FILES = {"xwlb": "xwlb.jsonl", "regional": "regional_2023.jsonl"}
KINDS = ("factoid", "temporal", "english")
RATIOS = (0.0, 0.4, 0.8)
TOTAL = 5  # articles per question's archive
SAMPLE = 20_000  # archive articles the distractors are ranked among (plus every gold article)
SPAN = ("2023-07-20", "2024-06-30")  # the dev corpus's first and last day
SEED = 0
BACKGROUND = 40  # unrelated archive articles in every question's archive, so it has more than MIN_BACKGROUND passages
BACKGROUND_SEED = 1
DEPTH = 200  # BM25 hits looked at for a question's distractors
DEFAULT_YEAR = 2023


def load_archive(folder: Path = ARCHIVE) -> dict[str, dict]:
    """Every record of both archive files by id, each tagged with the file it came from (``_archive``)."""
    return {rec["id"]: {**rec, "_archive": name}
            for name, file in FILES.items() for rec in read_archive(folder / file, None, None, None)}


def clean(rec: dict) -> str:
    """The record's text as the assistant reads an export record: normalised, boilerplate trimmed, lines stripped."""
    text, _ = trim(normalize_text(rec.get("text") or ""))
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def to_article(rec: dict, default_year: int = DEFAULT_YEAR) -> Article:
    """One record -> one ``Article``, as a CMS export record becomes one (``Page.row`` set: never split)."""
    text = clean(rec)
    source = f"{rec['_archive']}/{rec['id']}"
    page = Page(source=source, text=text, encoding="record", sha256=hashlib.sha256(text.encode()).hexdigest(),
                title=(rec.get("title") or None), date=rec.get("date"), section=rec.get("section"), row=1)
    return split_articles(page, default_year=default_year)[0]


def select(items: list[dict], split: str) -> list[dict]:
    """The answerable factoid / temporal / English items with expected phrases, of one split (or all)."""
    return [i for i in items if i["kind"] in KINDS and i["expect_phrases"] and not i["expect_no_answer"]
            and (split == "all" or i["split"] == split)]


class MemoEmbedder:
    """The real embedder with ``encode_passages`` memoised per text (the same background passages are in every
    archive); every other attribute (``encode_queries``, ``model_id``, ``dim``, ``name``, ``folder``, ...) is the
    real one's."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self.computed = self.reused = 0

    def encode_passages(self, texts, *, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            fresh = self._embedder.encode_passages(todo, progress=progress)
            self._vectors.update(zip(todo, fresh))
        self.computed += len(todo)
        self.reused += len(texts) - len(todo)
        if not texts:
            return np.zeros((0, self._embedder.dim), np.float32)
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32, copy=False)

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)


def in_span_sample(records: dict[str, dict]) -> list[str]:
    """The fixed random sample (seed 0) of ``SAMPLE`` archive articles dated inside ``SPAN``."""
    in_span = sorted(r for r, rec in records.items() if rec.get("date") and SPAN[0] <= rec["date"][:10] <= SPAN[1])
    return random.Random(SEED).sample(in_span, min(SAMPLE, len(in_span)))


def background(sample: list[str], records: dict[str, dict], gold_pool: set[str], phrases: set[str],
               size: int = BACKGROUND) -> list[str]:
    """``size`` ids drawn (seed ``BACKGROUND_SEED``) from ``sample``, none gold and none holding any phrase."""
    order = sorted(set(sample) - gold_pool)
    random.Random(BACKGROUND_SEED).shuffle(order)
    chosen = []
    for rid in order:
        text = _norm((records[rid].get("title") or "") + "\n" + clean(records[rid]))
        if text and not any(p in text for p in phrases):
            chosen.append(rid)
            if len(chosen) == size:
                break
    return chosen


def distractors(questions: list[dict], gold_pool: set[str], records: dict[str, dict], scheme: str,
                wanted: int, sample: list[str], skip: set[str]) -> tuple[dict[str, list[str]], int]:
    """(question id -> ids of its best-ranked BM25 neighbours that are not gold, not in ``skip`` (the background) and
    hold none of its expected phrases, number of articles ranked)."""
    pool = sorted(set(sample) | (gold_pool & records.keys()))
    texts = [(records[r].get("title") or "") + "\n" + clean(records[r]) for r in pool]
    lexical = LexicalIndex.build(texts, scheme)
    out = {}
    for item in questions:
        gold, phrases = set(item["gold_ids"]), [_norm(p) for p in item["expect_phrases"]]
        rows, _ = lexical.search(expand(item["question"]), DEPTH)
        chosen = []
        for row in rows:
            rid = pool[int(row)]
            if rid in gold or rid in skip or any(p in _norm(texts[int(row)]) for p in phrases):
                continue
            chosen.append(rid)
            if len(chosen) == wanted:
                break
        out[item["id"]] = chosen
    return out, len(pool)


def mix(gold: list[str], noise: list[str], ratio: float) -> tuple[list[str], list[str]]:
    """(gold ids, noise ids) of one question's archive at ``ratio`` (the rule in the module docstring)."""
    n_noise = min(round(ratio * TOTAL), TOTAL - 1, len(noise))
    n_gold = max(1, min(len(gold), TOTAL - n_noise))
    return gold[:n_gold], noise[:n_noise]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", choices=("report", "calib", "all"), default="report")
    p.add_argument("--ratios", default=",".join(str(r) for r in RATIOS), help="comma-separated noise ratios in [0, 1)")
    p.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    p.add_argument("--devset", type=Path, default=DEVSET)
    p.add_argument("--archive", type=Path, default=ARCHIVE)
    args = p.parse_args(argv)
    ratios = [float(r) for r in args.ratios.split(",") if r.strip()]
    import torch

    torch.set_num_threads(1)  # one core: the machine is shared

    t_start = time.perf_counter()
    settings = Settings.from_env(default_year=DEFAULT_YEAR)
    items = load_devset(args.devset)
    questions = select(items, args.split)[: args.limit]
    records = load_archive(args.archive)
    gold_pool = {g for i in select(items, "all") for g in i["gold_ids"]}
    all_phrases = {_norm(p) for i in select(items, "all") for p in i["expect_phrases"]} - {""}
    missing = sorted(g for i in questions for g in i["gold_ids"] if g not in records)
    if missing:
        raise SystemExit(f"gold articles not in {args.archive}: {', '.join(missing)}")
    t0 = time.perf_counter()
    wanted = max(round(r * TOTAL) for r in ratios) if ratios else 0
    sample = in_span_sample(records)
    back = background(sample, records, gold_pool, all_phrases)
    noise, pool_size = distractors(questions, gold_pool, records, settings.lexical_tokenizer, wanted, sample,
                                   set(back))
    ranking_s = time.perf_counter() - t0
    embedder = MemoEmbedder(load_embedder(settings))
    articles: dict[str, Article] = {}

    def article(rid: str) -> Article:
        if rid not in articles:
            articles[rid] = to_article(records[rid], DEFAULT_YEAR)
        return articles[rid]

    def ask(item: dict, ratio: float) -> dict:
        gold, extra = mix(item["gold_ids"], noise[item["id"]], ratio)
        t0 = time.perf_counter()
        index = index_in_memory([article(r) for r in gold + extra + back], settings, embedder, progress=False)
        answerer = Answerer(index, embedder, settings)
        t1 = time.perf_counter()
        ans = answer(item["question"], answerer)
        seconds = time.perf_counter() - t1
        missing_phrases = [ph for ph in item["expect_phrases"] if _norm(ph) not in _norm(ans.text)]
        payload = ans.to_json()
        cited_gold = any(cites(c, g) for c in payload.get("citations") or [] for g in item["gold_ids"])
        return {"id": item["id"], "kind": item["kind"], "ratio": ratio, "gold": gold, "noise": extra,
                "noise_share": len(extra) / (len(gold) + len(extra)), "refused": bool(ans.refused),
                "correct": (not ans.refused) and not missing_phrases, "missing_phrases": missing_phrases,
                "cites_gold": cited_gold, "chunks": len(index.chunks),
                "small_archive": len(index.chunks) < MIN_BACKGROUND, "index_s": round(t1 - t0, 4),
                "seconds": round(seconds, 4),
                "question": item["question"], "answer": ans.text}

    if questions:
        ask(questions[0], ratios[0])  # warm-up: loads the model's kernels and the answer stage's caches
    results = [ask(item, r) for item in questions for r in ratios]

    rows, summary = [], []
    for r in ratios:
        rs = [x for x in results if x["ratio"] == r]
        n = max(len(rs), 1)
        row = {"ratio": r, "questions": len(rs), "noise_share": sum(x["noise_share"] for x in rs) / n,
               "correct": sum(x["correct"] for x in rs) / n, "refused": sum(x["refused"] for x in rs) / n,
               "cites_gold": sum(x["cites_gold"] for x in rs) / n, "seconds": sum(x["seconds"] for x in rs) / n,
               "index_s": sum(x["index_s"] for x in rs) / n}
        summary.append(row)
        rows.append([f"{r:.1f}" + (" (baseline)" if r == 0 else ""), row["questions"], f"{row['noise_share']:.2f}",
                     f"{row['correct']:.3f} ({sum(x['correct'] for x in rs)}/{len(rs)})",
                     f"{row['refused']:.3f} ({sum(x['refused'] for x in rs)}/{len(rs)})", f"{row['seconds']:.2f}"])
    facts = common.machine()
    kinds = ", ".join(f"{k} {sum(q['kind'] == k for q in questions)}" for k in KINDS)
    smallest = min((x["chunks"] for x in results), default=0)
    back_chunks = sum(len(chunk_article(article(r), settings.chunk_size, settings.chunk_overlap)) for r in back)
    print(f"noise robustness (RGB-style), dev set split {args.split}: {len(questions)} questions "
          f"({kinds}), "
          f"{TOTAL} candidate articles per question at most, plus the same {len(back)} unrelated background articles "
          f"({back_chunks} passages) in every archive; smallest archive {smallest} passages; "
          f"distractors ranked among {pool_size:,} archive articles")
    print(common.table(["noise ratio", "questions", "noise share", "all expected phrases", "refused",
                        "s/question"], rows))
    mean_index = sum(x["index_s"] for x in results) / max(len(results), 1)
    print(f"s/question: in-process answer time; building each in-memory index took {mean_index:.2f} s on average "
          f"(not included; passage vectors computed once per text: {embedder.computed} computed, "
          f"{embedder.reused} reused); distractor ranking {ranking_s:.0f} s; total "
          f"{time.perf_counter() - t_start:.0f} s")
    small = sum(x["small_archive"] for x in results)
    print(f"{small} of {len(results)} archives had fewer than {MIN_BACKGROUND} passages (chunks), i.e. fell under the "
          "no-answer rule's small-archive rule" + ("" if small else "; every archive got the fitted rule"))
    print(common.machine_line(facts))
    path = common.save("noise", {"split": args.split, "ratios": ratios, "total": TOTAL, "sample": SAMPLE,
                                 "background": back, "background_passages": back_chunks,
                                 "smallest_archive": smallest, "small_archives": small,
                                 "span": SPAN, "seed": SEED, "pool": pool_size, "machine": facts,
                                 "summary": summary, "results": results,
                                 "ranking_s": round(ranking_s, 2), "total_s": round(time.perf_counter() - t_start, 2)})
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
