"""A damaged index is refused at load with a message that says how to fix it, and `index` rebuilds it.

Each test damages a private copy of the session index (missing, truncated, foreign or edited files; a manifest from
another model or format version; records out of sync with the vectors) and checks that ``load_index``,
``Assistant.open`` and the CLI refuse it with an ``AssistantError`` naming `python -m assistant index`: never a
traceback, never a silent wrong answer.
"""

from __future__ import annotations

import json
import shutil

import faiss
import numpy as np
import pytest

from assistant.errors import IndexCorruptError, IndexMismatchError
from assistant.index.build import build_index
from assistant.service import Assistant
from assistant.index.store import current_generation, load_index
from test_cli import run

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # conftest: in-process questions and builds

QUESTION = "虎强督导了哪些工作？"
FIX = "python -m assistant index"


@pytest.fixture
def copy(tmp_path, base_settings, seed_assistant):
    """A private copy of the session corpus and of its built index."""
    shutil.copytree(base_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(base_settings.index_dir, tmp_path / "index")
    return base_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


# -- damages: each takes the live generation folder ------------------------------------------------------------------

def truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def edit_lines(path, edit):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8")


def edit_manifest(gen, **changes):
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    (gen / "manifest.json").write_text(json.dumps({**manifest, **changes}), encoding="utf-8")


def foreign_vectors(gen):
    """A valid FAISS file with the right count and dimension, but other vectors: FAISS reads it happily."""
    old = faiss.read_index(str(gen / "vectors.faiss"))
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((old.ntotal, old.d)).astype(np.float32)  # (n_chunks, dim)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss.IndexFlatIP(old.d)
    index.add(vectors)
    faiss.write_index(index, str(gen / "vectors.faiss"))


def swap_lines(lines):
    lines[0], lines[1] = lines[1], lines[0]
    return lines


def shift_offsets(lines):
    first = json.loads(lines[0])
    first.update(start=first["start"] + 2, end=first["end"] + 2)
    return [json.dumps(first, ensure_ascii=False) + "\n", *lines[1:]]


DAMAGES = {  # name -> (damage, error type, word the message must contain)
    "vectors truncated": (lambda g: truncate(g / "vectors.faiss"), IndexCorruptError, "vectors.faiss"),
    "vectors empty": (lambda g: truncate(g / "vectors.faiss", 0), IndexCorruptError, "vectors.faiss"),
    "vectors missing": (lambda g: (g / "vectors.faiss").unlink(), IndexCorruptError, "vectors.faiss"),
    "vectors foreign": (foreign_vectors, IndexCorruptError, "vectors.faiss"),
    "chunks missing": (lambda g: (g / "chunks.jsonl").unlink(), IndexCorruptError, "chunks.jsonl"),
    "chunks garbled": (lambda g: (g / "chunks.jsonl").write_bytes(b"\xff\xfe{{{\x00garbage"), IndexCorruptError,
                       "chunks.jsonl"),
    "chunk line deleted": (lambda g: edit_lines(g / "chunks.jsonl", lambda ls: ls[1:]), IndexCorruptError,
                           "chunks.jsonl"),
    "chunk lines swapped": (lambda g: edit_lines(g / "chunks.jsonl", swap_lines), IndexCorruptError, "chunks.jsonl"),
    "chunk offsets edited": (lambda g: edit_lines(g / "chunks.jsonl", shift_offsets), IndexCorruptError,
                             "chunks.jsonl"),
    "articles missing": (lambda g: (g / "articles.jsonl").unlink(), IndexCorruptError, "articles.jsonl"),
    "bm25 folder missing": (lambda g: shutil.rmtree(g / "bm25"), IndexCorruptError, "bm25"),
    "bm25 array truncated": (lambda g: truncate(next((g / "bm25").glob("data*.npy"))), IndexCorruptError, "bm25"),
    "manifest not JSON": (lambda g: (g / "manifest.json").write_text("{not json", encoding="utf-8"),
                          IndexCorruptError, "manifest.json"),
    "manifest missing": (lambda g: (g / "manifest.json").unlink(), IndexCorruptError, "manifest.json"),
    "manifest fields of wrong type": (lambda g: edit_manifest(g, counts="many", files=[]), IndexCorruptError,
                                      "manifest.json"),
    "manifest of format version 2": (lambda g: edit_manifest(g, format_version=2), IndexMismatchError,
                                     "format version 2"),
    "CURRENT names a missing generation": (lambda g: (g.parent / "CURRENT").write_text("gen-gone\n"),
                                           IndexCorruptError, "gen-gone"),
    "CURRENT garbage": (lambda g: (g.parent / "CURRENT").write_bytes(b"\xff\xfe\x00\x01"), IndexCorruptError,
                        "CURRENT"),
    "CURRENT points outside": (lambda g: (g.parent / "CURRENT").write_text("../..\n"), IndexCorruptError,
                               "CURRENT"),
}


def damage(settings, name):
    fn, _, _ = DAMAGES[name]
    fn(current_generation(settings.index_dir))


@pytest.mark.parametrize("name", list(DAMAGES))
def test_damaged_index_is_refused_at_load_with_the_fix(copy, embedder, name):
    _, error, word = DAMAGES[name]
    damage(copy, name)
    with pytest.raises(error) as caught:
        load_index(copy.index_dir)
    message = str(caught.value)
    assert FIX in message and word in message
    with pytest.raises(error, match="python -m assistant index"):
        Assistant.open(copy, build_if_missing=False, embedder=embedder)


def strip_checksums(gen):
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    del manifest["checksums"]
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


LEGACY = {  # an index written before checksums: the structural checks behind them still hold
    "chunk line deleted": "out of sync",
    "vectors truncated": "vectors.faiss",
    "vectors missing": "vectors.faiss",
    "chunks garbled": "damaged",
    "chunks not objects": "damaged",
    "bm25 folder missing": "bm25",
    "bm25 array truncated": "bm25",
}


@pytest.mark.parametrize("name", list(LEGACY))
def test_index_without_checksums_is_still_checked(copy, name):
    gen = current_generation(copy.index_dir)
    strip_checksums(gen)
    assert load_index(copy.index_dir).manifest.checksums == {}  # old indexes load
    if name == "chunks not objects":
        edit_lines(gen / "chunks.jsonl", lambda ls: ["[1, 2]\n", *ls[1:]])
    else:
        damage(copy, name)
    with pytest.raises(IndexCorruptError) as caught:
        load_index(copy.index_dir)
    assert FIX in str(caught.value) and LEGACY[name] in str(caught.value)


@pytest.mark.parametrize("changes, words", [
    ({"model": "BAAI/bge-small-zh-v1.5"}, ["BAAI/bge-small-zh-v1.5", "intfloat/multilingual-e5-small"]),
    ({"chunk_size": 200, "chunk_overlap": 20}, ["200/20", "300/60"]),
    ({"lexical_tokenizer": "bigram"}, ["'bigram'"]),
])
def test_index_built_with_other_settings_is_refused(copy, embedder, changes, words):
    edit_manifest(current_generation(copy.index_dir), **changes)
    with pytest.raises(IndexMismatchError) as caught:
        Assistant.open(copy, build_if_missing=False, embedder=embedder)
    assert FIX in str(caught.value) and all(w in str(caught.value) for w in words)


def test_an_open_assistant_keeps_its_index_when_files_are_damaged_under_it(copy, embedder, seed_assistant):
    assistant = Assistant.open(copy, build_if_missing=False, embedder=embedder)
    damage(copy, "chunk lines swapped")  # same generation, so nothing to reload: the loaded copy stays in use
    assert assistant.ask(QUESTION).to_json() == seed_assistant.ask(QUESTION).to_json()
    with pytest.raises(IndexCorruptError):
        Assistant.open(copy, build_if_missing=False, embedder=embedder)


# -- the CLI ----------------------------------------------------------------------------------------------------------

def assert_one_error_line(out):
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout == ""  # no answer at all rather than a wrong one
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), out.stderr
    assert FIX in lines[0] and "Traceback" not in out.stderr


@pytest.mark.parametrize("name", ["vectors truncated", "chunk line deleted", "bm25 folder missing",
                                  "manifest not JSON", "CURRENT garbage"])
def test_cli_ask_on_a_damaged_index_is_one_error_line(copy, name):
    damage(copy, name)
    assert_one_error_line(run("ask", QUESTION, settings=copy))


def test_cli_status_and_verify_on_a_mismatched_index(copy):
    damage(copy, "manifest of format version 2")
    assert_one_error_line(run("status", settings=copy))
    assert_one_error_line(run("index", "--verify", settings=copy))


def assert_same_as_seed(settings, seed_assistant):
    """The rebuilt index holds what the session index holds: same articles, same chunks in order, same vectors."""
    fixed, seed = load_index(settings.index_dir), seed_assistant.index
    assert fixed.articles == seed.articles
    assert [c.chunk_id for c in fixed.chunks] == [c.chunk_id for c in seed.chunks]
    np.testing.assert_allclose(fixed.dense.vectors(), seed.dense.vectors(), atol=1e-4)


def test_cli_index_rebuilds_a_damaged_index_and_says_why(copy, seed_assistant):
    damage(copy, "vectors truncated")
    out = run("index", "--quiet", settings=copy)
    assert out.returncode == 0, out.stderr
    assert "cannot be reused" in out.stderr and "vectors.faiss" in out.stderr
    assert "indexed: 1 pages, 5 articles" in out.stdout
    assert_same_as_seed(copy, seed_assistant)


@pytest.mark.parametrize("name", ["CURRENT garbage", "manifest not JSON", "chunk lines swapped",
                                  "manifest of format version 2"])
def test_build_index_rebuilds_a_damaged_index(copy, embedder, seed_assistant, name):
    damage(copy, name)
    logs = []
    report = build_index(copy, embedder, progress=False, log=logs.append)
    # the generation is rebuilt; its vectors come from the build's cache, which the damage did not touch
    assert report.path is not None and report.embedded == 0 and report.reused == report.chunks
    assert any("cannot be reused" in line for line in logs)
    assert_same_as_seed(copy, seed_assistant)
