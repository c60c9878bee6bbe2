"""The Milvus store against a real embedded milvus-lite (no mock): build, ask, update by article, periods, manifest
checks, and the CLI flags.  The corpus is the repository's own (``corpus/``); the model is the real one."""

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from assistant.config import Settings  # noqa: E402
from assistant.errors import ConfigError, IndexMismatchError, IndexMissingError  # noqa: E402
from assistant.index.build import build_index  # noqa: E402
from assistant.index.milvus import MilvusIndex, open_milvus  # noqa: E402
from assistant.index.search import topk  # noqa: E402
from assistant.index.store import load_index  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from conftest import CORPUS, SEED_QUESTIONS  # noqa: E402
from test_cli import run  # noqa: E402

QUESTION = "虎强督导了哪些工作？"


@pytest.fixture(scope="module")
def milvus_settings(tmp_path_factory, base_settings):
    root = tmp_path_factory.mktemp("milvus")
    shutil.copytree(CORPUS, root / "corpus")
    return base_settings.with_(corpus_dir=root / "corpus", index_dir=root / "index", store="milvus",
                               milvus_uri=str(root / "news.db"))


@pytest.fixture(scope="module")
def milvus_assistant(milvus_settings, embedder):
    return Assistant.open(milvus_settings, embedder=embedder, progress=False, log=lambda m: None)


def test_topk_matches_a_full_sort():
    rng = np.random.default_rng(0)
    scores = rng.random(1000).astype(np.float32)
    idx, vals = topk(scores, 10)
    assert idx.tolist() == np.argsort(-scores, kind="stable")[:10].tolist()
    assert np.array_equal(vals, scores[idx])
    assert topk(np.array([0.0, 2.0, 0.0, 1.0]), 10, positive=True)[0].tolist() == [1, 3]
    assert len(topk(scores, 0)[0]) == 0


def test_settings_need_a_uri_for_milvus():
    with pytest.raises(ConfigError, match="--milvus-uri"):
        Settings(store="milvus")
    with pytest.raises(ConfigError, match=".db"):
        Settings(store="milvus", milvus_uri="news")
    assert Settings(store="milvus", milvus_uri="http://localhost:19530").store == "milvus"


def test_build_writes_milvus_only_and_answers_like_local(milvus_settings, milvus_assistant, seed_assistant):
    index = milvus_assistant.index
    assert isinstance(index, MilvusIndex)
    assert not list(milvus_settings.index_dir.rglob("*.faiss")) and not list(milvus_settings.index_dir.glob("gen-*"))
    local = seed_assistant.index
    assert set(index.articles) == set(local.articles)
    assert sorted(c.chunk_id for c in index.chunks) == sorted(c.chunk_id for c in local.chunks)
    for c in index.chunks:
        assert index.articles[c.article_id].text[c.start:c.end] == c.text
    # the same vectors: dense search agrees with the local exact search, scores included
    qv = seed_assistant.embedder.encode_queries([QUESTION])
    rows, cos = index.search_dense(qv, 5)
    lrows, lcos = local.search_dense(qv, 5)
    assert [index.chunks[r].chunk_id for r in rows] == [local.chunks[r].chunk_id for r in lrows]
    assert np.allclose(cos, lcos, atol=1e-4)
    assert np.allclose(index.vectors(rows) @ qv[0], cos, atol=1e-4)
    # BM25 in Milvus ranks the project's own tokens (jieba words and character bigrams): the local ranking, scores
    # in proportion, and the article that names him first
    for query in ("虎强 安全生产", QUESTION, "管城回族区政协委员视察", "督导"):
        rows, scores = index.search_lexical(query, 10)
        lrows, lscores = local.search_lexical(query, 10)
        assert [index.chunks[r].chunk_id for r in rows] == [local.chunks[r].chunk_id for r in lrows], query
        # Milvus' BM25 keeps the (k1 + 1) factor that bm25s' "lucene" variant drops: scores in proportion
        assert np.allclose(scores / scores[0], lscores / lscores[0], rtol=1e-3), query
    rows, scores = index.search_lexical("虎强 安全生产", 5)
    assert len(rows) and (scores > 0).all() and (np.diff(scores) <= 0).all()
    assert "虎强" in index.articles[index.chunks[rows[0]].article_id].text
    # IDF from the terms collection equals the local one
    terms = ["虎强", "安全生产", "从未出现的词"]
    assert np.allclose(index.lexical.idf(terms), local.lexical.idf(terms), atol=1e-5)

    a, b = milvus_assistant.ask(QUESTION), seed_assistant.ask(QUESTION)
    assert not a.refused and not b.refused
    assert {c.article_id for c in a.citations} == {c.article_id for c in b.citations}
    for c in a.citations:
        assert index.articles[c.article_id].text[c.start:c.end] == c.text


def test_period_filter_is_in_the_query(milvus_assistant, seed_assistant):
    index, local = milvus_assistant.index, seed_assistant.index
    dated = sorted({a.date for a in index.articles.values() if a.date})
    assert dated, "the seed corpus has dated articles"
    day = int(dated[0].replace("-", ""))
    qv = seed_assistant.embedder.encode_queries([QUESTION])
    for period in ((day, day), (19000101, 19000102)):
        rows, _ = index.search_dense(qv, 50, period)
        lrows, _ = local.search_dense(qv, 50, period)
        assert sorted(index.chunks[r].chunk_id for r in rows) == sorted(local.chunks[r].chunk_id for r in lrows)
        lexical, _ = index.search_lexical("管城回族区", 50, period)
        assert len(lexical) == 0 or period[0] == day
        for r in (*rows, *lexical):
            a = index.articles[index.chunks[r].article_id]
            days = [int(d.replace("-", "")) for d in (a.date, a.filed) if d]
            assert any(period[0] <= d <= period[1] for d in days)
    assert len(index.search_dense(qv, 50, (19000101, 19000102))[0]) == 0


def test_update_adds_and_removes_by_article(tmp_path, base_settings, embedder):
    settings = base_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", store="milvus",
                                   milvus_uri=str(tmp_path / "news.db"))
    shutil.copytree(CORPUS, settings.corpus_dir)
    build_index(settings, embedder, progress=False, log=lambda m: None)
    before = open_milvus(settings)
    page = next(settings.corpus_dir.glob("*.txt")).read_text(encoding="utf-8")
    # every article differs from the original (a duplicate article would be indexed once, under one file)
    copy = page.replace("虎强", "王五").replace("的", "之")
    (settings.corpus_dir / "zz_copy_2021-06-20.txt").write_text(copy, encoding="utf-8")

    report = build_index(settings, embedder, progress=False, log=lambda m: None)
    assert report.added == ("zz_copy_2021-06-20.txt",) and report.embedded > 0
    after = open_milvus(settings)
    assert after.generation != before.generation
    assert len(after.articles) > len(before.articles) and len(after.chunks) > len(before.chunks)
    rows, _ = after.search_lexical("王五", 5)
    assert len(rows) and after.articles[after.chunks[rows[0]].article_id].source == "zz_copy_2021-06-20.txt"

    (settings.corpus_dir / "zz_copy_2021-06-20.txt").unlink()
    report = build_index(settings, embedder, progress=False, log=lambda m: None)
    assert report.removed == ("zz_copy_2021-06-20.txt",) and report.embedded == 0
    gone = open_milvus(settings)
    assert set(gone.articles) == set(before.articles)
    assert sorted(c.chunk_id for c in gone.chunks) == sorted(c.chunk_id for c in before.chunks)
    assert len(gone.search_lexical("王五", 5)[0]) == 0  # the removed file's chunks vanished from BM25 too
    assert gone.client.query("news_chunks", filter='source == "zz_copy_2021-06-20.txt"', output_fields=["chunk_id"]) == []
    # nothing changed: nothing written
    assert build_index(settings, embedder, progress=False, log=lambda m: None).path is None


def test_manifest_mismatch_is_refused(milvus_settings, milvus_assistant, embedder):
    other = milvus_settings.with_(chunk_size=200, chunk_overlap=40)
    with pytest.raises(IndexMismatchError, match="chunks of 300/60"):
        Assistant.open(other, embedder=embedder, build_if_missing=False)
    manifest = open_milvus(milvus_settings).manifest
    assert manifest.model == milvus_settings.model and manifest.files  # kept in the database, with file hashes


def test_cli_index_and_ask_with_milvus(tmp_path, base_settings, seed_assistant):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = base_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    uri = str(tmp_path / "news.db")
    out = run("index", "--quiet", "--store", "milvus", "--milvus-uri", uri, settings=settings)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "news.db").is_dir()
    assert not list(tmp_path.rglob("*.faiss")) and not list(tmp_path.rglob("vectors.faiss"))
    with pytest.raises(IndexMissingError):
        load_index(settings.index_dir)  # no local generation was written

    out = run("ask", "--json", "--store", "milvus", "--milvus-uri", uri, QUESTION, settings=settings)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert not answer["refused"] and answer["citations"]

    # parity: the seed questions pass and fail item for item as they do on the local store
    out = run("eval", str(SEED_QUESTIONS), "--store", "milvus", "--milvus-uri", uri, settings=settings)
    local = run("eval", str(SEED_QUESTIONS), settings=base_settings)
    verdicts = [line.split(" — ")[0] for line in out.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert verdicts == [line.split(" — ")[0] for line in local.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert out.returncode == local.returncode and len(verdicts) == 9, out.stdout + out.stderr

    out = run("ask", "--store", "milvus", QUESTION, settings=settings)
    assert out.returncode != 0 and "--milvus-uri" in out.stderr
    assert "--store" in run("index", "--help").stdout
