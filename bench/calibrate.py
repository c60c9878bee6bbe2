"""Fit the no-answer rule (``Calibration.answer_weights`` / ``answer_bias``) on one split, report it on another.

The rule is linear over ``evidence.Evidence.features`` (coverage, standing above the archive's passages,
margin, top cosine, cross-lingual): the archive answers when ``bias + weights . features >= 0``.  Two sources of
labelled questions, each cut into a ``calib`` half (fitted on) and a ``report`` half (only reported):

* the archive dev set (bench/data/archive_dev.jsonl, its own ``split`` field) over the dev index built as
  bench/data/README.md says: factoid, temporal and English items must be answered, no-answer items refused
  (list, byline and follow-up items take other paths and are left out);
* CMRC 2018 trial (CC BY-SA 4.0, Cui et al., EMNLP 2019) with every 4th paragraph left out of the index: questions of
  indexed paragraphs are answerable, questions of left-out paragraphs are not (same style, passage missing);
  paragraphs 0-3, 8-11, … are ``calib``, 4-7, 12-15, … ``report`` (each half has left-out paragraphs).

Every feature is computed by the answer pipeline's own ``read`` and ``evidence_for``, so what is fitted is what
answers.  The fit (``fit``) is a balanced logistic regression with non-negative weights (more support never turns an
answer into a refusal).  ``--write`` stores it as the shipped calibration of the model
(assistant/data/calibration/<model>.json), keeping its cosine scale.

    .venv/bin/python bench/calibrate.py --index-dir /tmp/devindex [--cmrc-questions 300] [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from devset_score import load_devset  # noqa: E402

from assistant.answer.pipeline import Answerer, evidence_for, read  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation.squad import index_in_memory, load_squad  # noqa: E402
from assistant.model import load_embedder  # noqa: E402
from assistant.model.calibration import Calibration, shipped_path  # noqa: E402
from assistant.service import Assistant  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
DEVSET = ROOT / "bench" / "data" / "archive_dev.jsonl"
NAMES = ("coverage", "standing_z", "margin", "top_dense", "crosslingual")
RULE_KINDS = {"factoid", "temporal", "english", "noanswer"}


def features(answerer: Answerer, question: str) -> np.ndarray | None:
    _, e = evidence_for(read(answerer.expand(question), answerer), answerer)
    return None if e is None else e.features


def dev_rows(settings: Settings) -> list[tuple[str, str, bool, np.ndarray]]:
    """(source, split, answerable, features) for the dev set's items that the no-answer rule decides."""
    assistant = Assistant.open(settings, build_if_missing=False, progress=False, log=lambda m: None)
    assistant.ask("预热")
    answerer = assistant.answerer
    out = []
    for item in load_devset(DEVSET):
        if item["kind"] in RULE_KINDS:
            f = features(answerer, item["question"])
            if f is not None:
                out.append(("dev", item["split"], item["kind"] != "noanswer", f))
    return out


def cmrc_rows(settings: Settings, embedder, n_questions: int) -> list[tuple[str, str, bool, np.ndarray]]:
    articles, questions = load_squad(SHARED / "cmrc2018_trial.json")
    order = {a.article_id: i for i, a in enumerate(articles)}
    held = {a.article_id for i, a in enumerate(articles) if i % 4 == 0}
    index = index_in_memory([a for a in articles if a.article_id not in held], settings, embedder)
    answerer = Answerer(index, embedder, settings)
    rng = np.random.default_rng(0)
    out = []
    for i in rng.choice(len(questions), size=min(n_questions, len(questions)), replace=False).tolist():
        q, aid, _ = questions[i]
        f = features(answerer, q)
        if f is not None:
            out.append(("cmrc", "calib" if order[aid] // 4 % 2 == 0 else "report", aid not in held, f))
    return out


def groups(rows, split: str) -> dict[str, np.ndarray]:
    out: dict[str, list] = {}
    for source, s, ok, f in rows:
        if s == split:
            out.setdefault(f"{source} {'answerable' if ok else 'no-answer'}", []).append(f)
    return {g: np.array(v).reshape(-1, len(NAMES)) for g, v in sorted(out.items())}


def shares(feats: dict[str, np.ndarray], weights: np.ndarray, bias: float) -> dict[str, float]:
    """Answered share of each group under the rule."""
    return {g: float(np.mean(bias + a @ weights >= 0)) for g, a in feats.items()}


def accuracy(rates: dict[str, float]) -> float:
    return float(np.mean([v if "answerable" in g else 1 - v for g, v in rates.items()]))


FITTED = (0, 1, 2, 4)  # coverage, standing, margin, cross-lingual (the top cosine is in the standing already)
L2 = 0.01  # ridge on the standardised weights: a conventional small value, not tuned


def fit(feats: dict[str, np.ndarray]) -> tuple[np.ndarray, float, float]:
    """Balanced logistic regression: every group (CMRC answerable, CMRC no-answer, dev answerable, dev no-answer)
    weighs the same whatever its size, weights kept non-negative (more support never turns an answer into a refusal),
    features standardised with a small ridge.  Answer when ``bias + weights . features >= 0`` (p >= 0.5), scaled so
    coverage weighs 1.  A smooth fit of the margins, where a grid search over accuracy put the boundary on the edge of
    a four-question group and did worse on the report split than on calib."""
    x, y, w = [], [], []
    for g, a in feats.items():
        x.append(a[:, FITTED])
        y += [1.0 if "answerable" in g else 0.0] * len(a)
        w += [1.0 / len(a)] * len(a)
    x, y, w = np.vstack(x), np.array(y), np.array(w) / sum(w)
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    beta, b = np.zeros(z.shape[1]), 0.0
    for _ in range(20_000):  # projected gradient descent: a few hundred rows, converges well before this
        p = 1.0 / (1.0 + np.exp(-(z @ beta + b)))
        beta = np.maximum(beta - 0.5 * (z.T @ (w * (p - y)) + L2 * beta), 0.0)
        b -= 0.5 * float(np.sum(w * (p - y)))
    weights = np.zeros(len(NAMES))
    weights[list(FITTED)] = beta / sd
    bias = b - float(np.sum(beta * mu / sd))
    scale = weights[0] if weights[0] > 0 else 1.0
    weights, bias = weights / scale, bias / scale
    return weights.round(3), round(bias, 3), accuracy(shares(feats, weights.round(3), round(bias, 3)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path, default=Path("/tmp/devindex"), help="the dev index (bench/data/README.md)")
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/devcorpus"))
    ap.add_argument("--cmrc-questions", type=int, default=300, help="CMRC questions sampled (0: dev set only)")
    ap.add_argument("--refit", action="store_true", help="fit again from the features the last run saved")
    ap.add_argument("--write", action="store_true", help="store the fit as the model's shipped calibration")
    args = ap.parse_args(argv)
    settings = Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir, default_year=2023)
    embedder = load_embedder(settings)
    saved = ROOT / "bench" / "results" / "calibration_features.json"
    if args.refit:
        rows = [(a, b, c, np.array(f)) for a, b, c, f in json.loads(saved.read_text(encoding="utf-8"))]
    else:
        rows = dev_rows(settings)
        if args.cmrc_questions:
            rows += cmrc_rows(settings, embedder, args.cmrc_questions)
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps([(a, b, c, f.tolist()) for a, b, c, f in rows]), encoding="utf-8")
    calib, report = groups(rows, "calib"), groups(rows, "report")
    print(f"{'split / group':<26}{'n':>5}  " + "  ".join(f"{n + ' p10/p50/p90':>28}" for n in NAMES))
    for split, feats in (("calib", calib), ("report", report)):
        for g, a in feats.items():
            cells = ["{:8.3f}{:8.3f}{:8.3f}".format(*np.percentile(a[:, j], [10, 50, 90])) for j in range(len(NAMES))]
            print(f"{split + ': ' + g:<26}{len(a):>5}  " + "  ".join(f"{c:>28}" for c in cells))

    weights, bias, acc = fit(calib)
    shipped = shipped_path(settings.model)
    current = (Calibration.from_json(json.loads(shipped.read_text(encoding="utf-8")), str(shipped))
               if shipped.is_file() else None)
    print(f"\nfitted on calib: answer_weights={tuple(weights.round(2))} answer_bias={bias} (calib mean accuracy {acc:.3f})")
    for name, w, b in (("fitted", weights, bias),) + (
            (("shipped", np.array(current.answer_weights), current.answer_bias),) if current else ()):
        for split, feats in (("calib", calib), ("report", report)):
            rates = shares(feats, w, b)
            print(f"  {name:8s}{split:7s} mean accuracy {accuracy(rates):.3f}  answered: "
                  + "  ".join(f"{g} {v:.2f} (n={len(feats[g])})" for g, v in rates.items()))
    if args.write:
        floor, span = (current.cos_floor, current.cos_span) if current else (0.75, 0.15)
        new = Calibration(floor, span, tuple(float(x) for x in weights), bias)
        shipped.write_text(json.dumps(new.to_json()) + "\n", encoding="utf-8")
        print(f"written: {shipped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
