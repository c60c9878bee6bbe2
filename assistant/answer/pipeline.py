"""The one answer pipeline: question -> resolved -> query -> hits -> answer.

``answer`` is the only path from a question to an ``Answer``: the service (CLI and web), ``eval`` and every bench call
it, so what is measured is what users get.  ``Answerer`` holds what answering needs besides the question: an index,
the embedder, the settings, and two caches (sentence vectors per index, background vectors per model).
Left out: loading indexes and reacting to rebuilds (``service``), formatting (the shells).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..config import Settings
from ..index.search import SearchIndex
from ..model import Embedder
from ..types import Answer
from ..model.calibration import Calibration
from .compose import background_vectors, calibration_for, compose
from .conversation import Conversation
from .crosslingual import expand
from .query import clean_question
from .retrieve import retrieve


@dataclass
class Answerer:
    """Everything a question is answered against.  Cheap to make; the caches fill as questions come."""

    index: SearchIndex
    embedder: Embedder
    settings: Settings
    # (article_id, start, end) -> sentence vector: sentences come up again across questions
    sentence_cache: dict = field(default_factory=dict)

    def background(self) -> np.ndarray:
        return background_vectors(self.embedder)

    @property
    def calibration(self) -> Calibration:
        return calibration_for(self.embedder)


def answer(question: str, answerer: Answerer, conversation: Conversation | None = None) -> Answer:
    """Answer ``question``; with a ``conversation``, resolve it against earlier turns and record this turn."""
    settings = answerer.settings
    text = clean_question(question, settings.max_question_chars)
    resolved = conversation.resolve(text) if conversation is not None else text
    query = expand(resolved)  # an English question also carries Chinese words for its terms
    qv = answerer.embedder.encode_queries([query])  # (1, dim), unit norm: shared by retrieval and composition
    hits = retrieve(answerer.index, answerer.embedder, query, settings, k=settings.top_k * 4, query_vector=qv)
    result = compose(query, hits[: settings.top_k * 2], answerer.index.lexical, answerer.embedder, settings,
                     answerer.calibration, query_vector=qv, cache=answerer.sentence_cache, background=answerer.background())
    result = replace(result, question=question, resolved_question=resolved if resolved != text else None)
    if conversation is not None:
        conversation.record(text, resolved, result)
    return result
