"""Numbers fitted to one embedding model: its cosine scale and the no-answer rule.

Cosines mean different things for different models (e5 puts unrelated Chinese text near 0.75, other models near 0),
so nothing in the answer code hard-codes them.  A ``Calibration`` is found, in order: ``calibration.json`` in the
model's own folder; the file the project ships for that model name (``assistant/data/calibration/``, written by
``bench/calibrate.py`` on the calibration split of the dev sets, never the split it reports on); else it is measured
from the model itself on a sample of the archive's own passages (``estimate``), which needs no labelled data.
Left out: re-fitting at run time on a user's own questions.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Calibration:
    cos_floor: float  # cosine of a question and unrelated news: closeness 0 below it
    cos_span: float  # from there to closeness 1
    # The no-answer rule: the archive is said to answer when bias + weights . Evidence.features >= 0.
    answer_weights: tuple[float, ...]
    answer_bias: float
    source: str = ""  # where these numbers came from, for `status` and the eval report

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "source"}

    @classmethod
    def from_json(cls, d: dict, source: str) -> "Calibration":
        return cls(float(d["cos_floor"]), float(d["cos_span"]), tuple(float(x) for x in d["answer_weights"]),
                   float(d["answer_bias"]), source)


def slug(model: str) -> str:
    """"intfloat/multilingual-e5-small" -> "intfloat__multilingual-e5-small"."""
    return model.strip("/").replace("/", "__")


def shipped_path(model: str) -> Path:
    return Path(str(resources.files("assistant").joinpath(f"data/calibration/{slug(model)}.json")))


def load_calibration(model: str, folder: Path | None) -> Calibration | None:
    """The stored calibration of ``model`` (its folder first, then the shipped one), or None."""
    candidates = ([folder / "calibration.json"] if folder else []) + [shipped_path(model)]
    for path in candidates:
        if path.is_file():
            return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")), str(path))
    return None


def estimate(query_vectors: np.ndarray, passage_vectors: np.ndarray) -> Calibration:
    """A calibration measured from a model alone: unrelated pairs set the floor, the spread above it the span.

    ``query_vectors`` and ``passage_vectors`` are unit vectors of texts about different things (a sample of the
    archive's passages as both, the diagonal dropped).  The no-answer rule keeps the shape bench/calibrate.py fitted for
    e5 (coverage, the z-score standing and the cross-lingual allowance are free of a model's cosine scale); only the
    margin, a difference of cosines, is rescaled by this model's span (``fitted_shape``).
    """
    sims = query_vectors @ passage_vectors.T  # (n, n)
    off = sims[~np.eye(len(sims), dtype=bool)] if sims.shape[0] == sims.shape[1] else sims.ravel()
    floor = float(np.quantile(off, 0.5))
    span = max(float(np.quantile(off, 0.99)) - floor, 1e-3) * 1.5
    return fitted_shape(floor, span, "estimated from the model")


REFERENCE_MODEL = "intfloat/multilingual-e5-small"  # the model bench/calibrate.py fits the rule's shape on


def fitted_shape(floor: float, span: float, source: str) -> Calibration:
    """The rule bench/calibrate.py fitted for e5 (its shipped file), on a model whose cosines sit at ``floor`` and
    spread over ``span``: the margin, a difference of cosines, is rescaled by the span; the rest is scale-free."""
    e5 = load_calibration(REFERENCE_MODEL, None)
    weights = list(e5.answer_weights)
    weights[2] *= e5.cos_span / span
    return Calibration(floor, span, tuple(weights), e5.answer_bias, source)
