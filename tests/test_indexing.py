"""Building and updating the index through the real model, FAISS and files."""

import json

import pytest

from assistant.errors import CorpusError, IndexBusyError
from assistant.index.build import build_index, verify_index
from assistant.index.chunking import embedding_text
from assistant.service import Assistant
from assistant.index.store import build_lock, load_index

NEW_ARTICLE = """市场监管局开展节前食品安全检查

本报讯 6月20日上午,管城回族区市场监管局对辖区商超开展节前食品安全专项检查,重点查看粽子等节令食品的进货查验记录。

检查组要求,各经营单位要严格落实食品安全主体责任。

记者 王小明 通讯员 李华
"""


def quiet(settings, embedder, **kw):
    return build_index(settings, embedder, progress=False, log=lambda m: None, **kw)


def test_build_writes_plain_files_and_a_manifest(fresh_settings, embedder):
    report = quiet(fresh_settings, embedder)
    assert (report.pages, report.articles) == (1, 5)
    assert report.embedded == report.chunks > 0
    gen = report.path
    assert {p.name for p in gen.iterdir()} == {"manifest.json", "articles.jsonl", "chunks.jsonl", "vectors.faiss", "bm25"}
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == fresh_settings.model and manifest["dim"] == embedder.dim
    assert manifest["counts"] == {"pages": 1, "articles": 5, "chunks": report.chunks}
    (src, entry), = manifest["files"].items()
    assert len(entry["sha256"]) == 64 and len(entry["articles"]) == 5
    assert not list(fresh_settings.index_dir.rglob("*.pkl"))


def test_offsets_invariant_in_the_built_index(seed_assistant):
    index = seed_assistant.index
    for c in index.chunks:
        assert index.articles[c.article_id].text[c.start:c.end] == c.text


def test_unchanged_corpus_embeds_nothing(fresh_settings, embedder):
    first = quiet(fresh_settings, embedder)
    again = quiet(fresh_settings, embedder)
    assert again.path is None and again.embedded == 0 and again.reused == first.chunks
    assert load_index(fresh_settings.index_dir).generation == first.path.name


def test_switching_to_ivf_reuses_the_vectors_and_answers_the_same(fresh_settings, embedder):
    first = quiet(fresh_settings, embedder)
    flat = Assistant.open(fresh_settings, embedder=embedder, log=lambda m: None).ask("虎强督导了哪些工作？")
    ivf_settings = fresh_settings.with_(dense_index="ivf")
    switched = quiet(ivf_settings, embedder)
    assert switched.path is not None and switched.embedded == 0 and switched.reused == first.chunks
    assert load_index(fresh_settings.index_dir).dense.kind == "ivf"
    assert quiet(ivf_settings, embedder).path is None  # and then it is up to date
    ivf = Assistant.open(ivf_settings, embedder=embedder, log=lambda m: None).ask("虎强督导了哪些工作？")
    assert not ivf.refused and ivf.text == flat.text  # a handful of chunks: one list, every neighbour found


def test_add_change_remove_files(fresh_settings, embedder):
    first = quiet(fresh_settings, embedder)
    corpus = fresh_settings.corpus_dir
    # add, in GBK: detected, indexed, answerable
    (corpus / "sub").mkdir()
    (corpus / "sub" / "food_check.txt").write_bytes(NEW_ARTICLE.encode("gbk"))
    added = quiet(fresh_settings, embedder)
    assert added.added == ("sub/food_check.txt",)
    assert 0 < added.embedded < first.chunks and added.articles == 6
    answer = Assistant.open(fresh_settings, embedder=embedder, log=lambda m: None).ask("市场监管局检查了什么？")
    assert not answer.refused and any("食品安全" in c.title for c in answer.citations)

    # change one sentence of the seed page: only the chunks around it are embedded again
    seed = next(corpus.glob("*.txt"))
    text = seed.read_text(encoding="utf-8").replace("总面积达6000平方米", "总面积达8000平方米")
    seed.write_text(text, encoding="utf-8")
    changed = quiet(fresh_settings, embedder)
    assert changed.changed == (seed.name,)
    assert 0 < changed.embedded <= 3
    index = load_index(fresh_settings.index_dir)
    assert any("8000平方米" in a.text for a in index.articles.values())
    assert not any("6000平方米" in a.text for a in index.articles.values())

    # remove: its articles vanish from results
    (corpus / "sub" / "food_check.txt").unlink()
    removed = quiet(fresh_settings, embedder)
    assert removed.removed == ("sub/food_check.txt",) and removed.articles == 5
    answer = Assistant.open(fresh_settings, embedder=embedder, log=lambda m: None).ask("市场监管局检查了什么？")
    assert not any("食品安全检查" in c.title for c in answer.citations)


def test_changed_setting_forces_full_rebuild(fresh_settings, embedder):
    quiet(fresh_settings, embedder)
    old = load_index(fresh_settings.index_dir)
    before = {embedding_text(old.articles[c.article_id], c) for c in old.chunks}
    messages = []
    other = fresh_settings.with_(chunk_size=200, chunk_overlap=40)
    report = build_index(other, embedder, progress=False, log=messages.append)
    assert "chunks of 300/60" in report.full_rebuild_reason
    assert any("full rebuild" in m for m in messages)
    # every article is chunked again at the new size; only a chunk whose text is the same as before keeps its
    # cached vector, since a vector depends on its text alone
    index = load_index(other.index_dir)
    assert all(len(c.text) <= 200 for c in index.chunks) and report.embedded > 0
    assert report.reused == sum(embedding_text(index.articles[c.article_id], c) in before for c in index.chunks)


def test_duplicate_pages_are_indexed_once(fresh_settings, embedder):
    seed = next(fresh_settings.corpus_dir.glob("*.txt"))
    (fresh_settings.corpus_dir / "copy_of_seed.txt").write_bytes(seed.read_bytes())
    report = quiet(fresh_settings, embedder)
    assert report.pages == 2 and report.articles == 5 and report.duplicates == 5
    assert "up to date" in quiet(fresh_settings, embedder).summary()
    # the copy sorts first and holds the five; when it goes, the original's articles take over (no article is lost
    # until a full rebuild), and nothing is embedded again: the vectors are kept by text
    (fresh_settings.corpus_dir / "copy_of_seed.txt").unlink()
    report = quiet(fresh_settings, embedder)
    assert report.removed == ("copy_of_seed.txt",) and report.articles == 5 and report.embedded == 0
    assert {a.source for a in load_index(fresh_settings.index_dir).articles.values()} == {seed.name}


def test_empty_corpus_is_a_clear_error(tmp_path, base_settings, embedder):
    (tmp_path / "corpus").mkdir()
    settings = base_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    with pytest.raises(CorpusError, match="corpus"):
        quiet(settings, embedder)


def test_concurrent_builds_are_refused_with_a_clear_message(fresh_settings, embedder):
    with build_lock(fresh_settings.index_dir):
        with pytest.raises(IndexBusyError, match="being built"):
            quiet(fresh_settings, embedder)


def test_verify_reports_missing_and_stale_files(fresh_settings, embedder):
    quiet(fresh_settings, embedder)
    assert verify_index(fresh_settings).ok
    (fresh_settings.corpus_dir / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    report = verify_index(fresh_settings)
    assert not report.ok and report.missing == ("new.txt",)
    assert "python -m assistant index" in report.summary()
