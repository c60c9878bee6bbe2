"""Pass/fail on seed-question JSONL sets: each question asked of the corpus index in a fresh conversation.

An item passes when the cited headlines, the answer phrases and the refusal match its expectations (``judge``).  The
project's own copy of the seed set is ``tests/data/seed_questions.jsonl``.
Left out: judging fluency; the archive development set (``devset``) scores lists and periods too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import AssistantError


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
