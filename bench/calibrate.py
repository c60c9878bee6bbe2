"""Fit the no-answer decision (Settings.answer_weights / answer_bias): a linear rule over Evidence.features.

Two kinds of evidence, printed side by side:
* the news dev sets (../shared/eval/seed_questions.jsonl and tests/data/extra_questions.jsonl) against the shipped
  corpus: answerable questions and questions the corpus cannot answer;
* CMRC 2018 trial (CC BY-SA 4.0, Cui et al., EMNLP 2019) with every 4th paragraph held out of the index: questions
  of indexed paragraphs are answerable, questions of held-out paragraphs are not (a realistic no-answer set: same
  style, same domain mix, but the passage is missing).

For each group it prints the features' percentiles, grid-searches a small monotone linear rule, and
prints the answered share of each group under the best and the current settings.  ``--refit`` fits again from
the features saved by the last run.

    .venv/bin/python bench/calibrate.py [--cmrc-questions 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.compose import answerable, assess, background_passages  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.answer.crosslingual import expand  # noqa: E402
from assistant.index.dense import DenseIndex  # noqa: E402
from assistant.model import load_embedder  # noqa: E402
from assistant.evaluation.squad import index_in_memory, load_squad  # noqa: E402
from assistant.index.lexical import LexicalIndex  # noqa: E402
from assistant.index.chunking import lexical_text  # noqa: E402
from assistant.answer.retrieve import retrieve  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.index.store import LoadedIndex  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
CACHE: dict = {}  # sentence vectors, shared across questions as the service does
BACKGROUND = None


def features(index, embedder, settings, question):
    question = expand(question)  # as the service does
    qv = embedder.encode_queries([question])
    hits = retrieve(index, embedder, question, settings, k=settings.top_k * 4, query_vector=qv)
    e = assess(question, hits[: settings.top_k * 2], index.lexical, embedder, qv, CACHE, BACKGROUND)
    return None if e is None else e


def news_features(settings, embedder):
    rows = {"news answerable": [], "news no-answer": []}
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.with_(index_dir=Path(tmp) / "index")
        assistant = Assistant.open(s, embedder=embedder, progress=False, log=lambda m: None)
        for path in (SHARED / "seed_questions.jsonl", ROOT / "tests" / "data" / "extra_questions.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                f = features(assistant.index, embedder, s, item["question"])
                rows["news no-answer" if item.get("expect_no_answer") else "news answerable"].append(f)
    return rows


def subset(index: LoadedIndex, keep_articles: set[str], settings) -> LoadedIndex:
    rows = [i for i, c in enumerate(index.chunks) if c.article_id in keep_articles]
    chunks = [index.chunks[i] for i in rows]
    vectors = index.dense.reconstruct(np.array(rows))
    articles = {a: index.articles[a] for a in keep_articles}
    lexical = LexicalIndex.build([lexical_text(articles[c.article_id], c) for c in chunks], settings.lexical_tokenizer)
    return LoadedIndex(index.path, index.manifest, articles, chunks, DenseIndex.build(vectors), lexical)


def cmrc_features(settings, embedder, n_questions):
    articles, questions = load_squad(SHARED / "cmrc2018_trial.json")
    full = index_in_memory(articles, settings, embedder, settings.model_cache_dir.parent / "eval-cache")
    held = {a.article_id for i, a in enumerate(articles) if i % 4 == 0}
    index = subset(full, {a.article_id for a in articles} - held, settings)
    rng = np.random.default_rng(0)
    picked = rng.choice(len(questions), size=min(n_questions, len(questions)), replace=False)
    rows = {"cmrc answerable": [], "cmrc held-out": []}
    for i in picked:
        q, aid, _ = questions[i]
        rows["cmrc held-out" if aid in held else "cmrc answerable"].append(features(index, embedder, settings, q))
    return rows


def main() -> None:
    global BACKGROUND
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmrc-questions", type=int, default=400)
    ap.add_argument("--refit", action="store_true", help="fit again from the saved features, embedding nothing")
    args = ap.parse_args()
    settings = Settings.from_env(default_year=2021)
    if args.refit:
        saved = json.loads((ROOT / "bench" / "results" / "calibration_features.json").read_text(encoding="utf-8"))
        return fit({g: np.array(v).reshape(-1, 5) for g, v in saved.items()}, settings)
    embedder = load_embedder(settings)
    BACKGROUND = embedder.encode_passages(background_passages())
    groups = {**news_features(settings, embedder), **cmrc_features(settings, embedder, args.cmrc_questions)}
    groups = {g: [e for e in rows if e is not None] for g, rows in groups.items()}
    names = ("coverage", "beyond_bg", "margin", "top_dense", "crosslingual")
    print(f"{'group':<18}{'n':>5}  " + "  ".join(f"{n + ' p10/p50/p90':>26}" for n in names))
    feats = {g: np.array([e.features for e in rows]).reshape(-1, 5) for g, rows in groups.items()}
    for g, a in feats.items():
        cells = ["{:8.3f}{:8.3f}{:8.3f}".format(*np.percentile(a[:, j], [10, 50, 90])) for j in range(5)]
        print(f"{g:<18}{len(a):>5}  " + "  ".join(f"{c:>26}" for c in cells))

    out = ROOT / "bench" / "results" / "calibration_features.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({g: a.tolist() for g, a in feats.items()}), encoding="utf-8")
    fit(feats, settings)


def fit(feats: dict[str, np.ndarray], settings: Settings) -> None:
    """Grid search of z = coverage + wb * beyond_bg + wc * crosslingual + bias (answer when z >= 0), maximising the
    mean accuracy over the groups while every answerable news question stays answered.  The family is small and
    monotone on purpose: more support never turns an answer into a refusal."""
    results = []
    for wb in (0, 5, 10, 15, 20, 30):
        for wc in np.arange(0.0, 1.01, 0.02):
            for bias in np.arange(-0.9, 0.01, 0.05):
                w = np.array([1.0, wb, 0.0, 0.0, wc])
                rates = {g: float(np.mean(bias + a @ w >= 0)) for g, a in feats.items()}
                bal = np.mean([v if "answerable" in g else 1 - v for g, v in rates.items()])
                results.append((rates["news answerable"] == 1.0, round(bal, 3), -abs(wc - 0.5), tuple(w.round(2)),
                                round(float(bias), 2), rates))
    ok, bal, _, w, bias, rates = max(results, key=lambda r: r[:3])
    print(f"\nbest: answer_weights={w} answer_bias={bias}  (all news answered: {ok}, mean accuracy {bal:.3f})")
    print("  answered share: " + "  ".join(f"{g} {v:.2f}" for g, v in rates.items()))
    cur = np.array(settings.answer_weights)
    rates = {g: float(np.mean(settings.answer_bias + a @ cur >= 0)) for g, a in feats.items()}
    print("current: " + "  ".join(f"{g} {v:.2f}" for g, v in rates.items()))


if __name__ == "__main__":
    main()
