"""Rebuilds are atomic: `kill -9` mid-build loses nothing, a second builder is refused at once, readers follow swaps.

Builds run as users run them, `python -m assistant index` in a subprocess, over a private copy of the session index and
corpus; the corpus grows by 40 generated articles when a build has to last long enough to be interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from assistant.index.build import build_index
from assistant.index.chunking import embedding_text
from assistant.service import Assistant
from assistant.index.store import current_generation, load_index
from conftest import ROOT
from test_cli import run

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # conftest: in-process questions and builds

QUESTIONS = ["虎强督导了哪些工作？", "区人大常委会主任是谁？"]
NEW_ARTICLE = """市场监管局开展节前食品安全检查

本报讯 6月20日上午，管城回族区市场监管局对辖区商超开展节前食品安全专项检查，重点查看粽子等节令食品的进货查验记录。

检查组要求，各经营单位要严格落实食品安全主体责任。

记者 王小明 通讯员 李华
"""

_DEPARTMENTS = ["市场监管局", "应急管理局", "城市管理局", "卫生健康委", "教育局", "住房和城乡建设局", "交通运输局",
                "生态环境分局", "民政局", "文化广电和旅游局"]
_STREETS = ["南关街道", "紫荆山南路街道", "东大街街道", "北下街街道"]
_TOPICS = ["食品安全", "消防安全", "燃气安全", "校园安全", "防汛准备", "垃圾分类", "文明创建", "疫情防控"]


def generated_article(i: int) -> str:
    """A distinct, plausible brief of about 700 characters (three or four chunks)."""
    dept, street, topic = _DEPARTMENTS[i % 10], _STREETS[i % 4], _TOPICS[i % 8]
    day = 1 + i % 28
    return f"""{dept}在{street}开展{topic}工作第{i + 1}次专项督查

本报讯 6月{day}日上午，管城回族区{dept}负责同志带队深入{street}，对辖区{topic}工作开展第{i + 1}次专项督查，\
先后查看了社区服务中心、沿街商铺和居民小区，详细了解{topic}各项措施的落实情况，并与一线工作人员进行了交流。

督查组指出，{topic}工作事关群众切身利益，各单位要提高政治站位，压实属地责任、部门监管责任和主体责任，\
对照问题清单逐项整改，做到发现一处、整改一处、销号一处，确保第{i + 1}批问题在月底前全部整改到位。

督查组要求，{street}要建立健全长效工作机制，加强日常巡查和宣传引导，充分发动志愿者和网格员力量，\
形成全员参与、齐抓共管的良好局面；{dept}要加强业务指导，定期开展回头看，推动{topic}工作常态长效。

据了解，今年以来{street}共组织{topic}培训{i + 3}场次，排查整改各类隐患{10 * i + 7}处，\
辖区群众满意度持续提升。下一步，{street}将以此次督查为契机，查漏补缺，持续巩固工作成果。

记者 张{"一二三四五六七八九十"[i % 10]} 通讯员 刘{"甲乙丙丁戊己庚辛壬癸"[i % 10]}
"""


def add_generated(corpus, n=40):
    folder = corpus / "generated"
    folder.mkdir()
    for i in range(n):
        (folder / f"brief_{i:02d}.txt").write_text(generated_article(i), encoding="utf-8")
    return folder


@pytest.fixture
def copy(tmp_path, base_settings, seed_assistant):
    """A private copy of the session corpus and of its built index."""
    shutil.copytree(base_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(base_settings.index_dir, tmp_path / "index")
    return base_settings.with_(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


def env_for(settings):
    return {**os.environ, "ASSISTANT_CORPUS": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
            "ASSISTANT_MODEL_CACHE": str(settings.model_cache_dir), "ASSISTANT_YEAR": "2021"}


class Build:
    """`python -m assistant index ARGS` running in the background; its stderr is collected line by line."""

    def __init__(self, settings, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", "--quiet", *args], cwd=ROOT,
                                     env=env_for(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self._reader.start()

    def wait_for(self, condition, what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(f"the build ended (exit {self.proc.returncode}) before {what}: {''.join(self.lines)}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout} s: {''.join(self.lines)}")
            time.sleep(0.05)

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=5)
        self.proc.stdout.close()
        return self.proc.returncode


def answers(assistant):
    return [assistant.ask(q).to_json() for q in QUESTIONS]


def test_kill_9_mid_rebuild_keeps_the_old_index_and_the_next_build_cleans_up(copy, embedder, seed_assistant):
    live = current_generation(copy.index_dir)
    generations = sorted(p.name for p in copy.index_dir.iterdir())
    generated = add_generated(copy.corpus_dir)

    build = Build(copy, "--rebuild")
    try:
        build.wait_for(lambda: any(line.startswith("embedding ") for line in build.lines), "embedding")
        time.sleep(0.5)
        assert build.proc.poll() is None, "the build finished before it could be killed; make the corpus bigger"
    finally:
        assert build.kill() == -signal.SIGKILL

    # the old index is live, loadable and answers exactly as before
    assert current_generation(copy.index_dir) == live
    assert sorted(p.name for p in copy.index_dir.iterdir()) == generations
    assert load_index(copy.index_dir).generation == live.name
    assert answers(Assistant.open(copy, build_if_missing=False, embedder=embedder)) == answers(seed_assistant)

    # what a kill while writing the new generation leaves behind: a half-written folder and a pointer never swapped
    leftover = copy.index_dir / ".tmp-gen-20990101T000000-dead00"
    shutil.copytree(live, leftover, ignore=shutil.ignore_patterns("manifest.json", "bm25"))
    (copy.index_dir / ".CURRENT.gen-20990101T000000-dead00").write_text("gen-20990101T000000-dead00\n")
    assert load_index(copy.index_dir).generation == live.name  # readers never look at them

    # the lock died with the build; the next build runs, finds nothing changed, and removes the leftovers
    shutil.rmtree(generated)
    report = build_index(copy, embedder, progress=False, log=lambda m: None)
    assert report.path is None and "up to date" in report.summary()
    assert not list(copy.index_dir.glob(".tmp-*")) and not list(copy.index_dir.glob(".CURRENT.*"))
    assert current_generation(copy.index_dir) == live


def test_a_second_build_is_refused_at_once_and_questions_go_on(copy, embedder, seed_assistant):
    add_generated(copy.corpus_dir)
    assistant = Assistant.open(copy, build_if_missing=False, embedder=embedder)
    first = Build(copy)
    try:
        first.wait_for(lambda: (copy.index_dir / ".lock").read_text() == f"pid {first.proc.pid}", "lock held")
        second = run("index", "--quiet", settings=copy)
        assert first.proc.poll() is None  # the second did not wait for the first to finish
        assert second.returncode == 1 and second.stdout == ""
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:"), second.stderr
        assert f"is being built by pid {first.proc.pid}" in lines[0] and "try again" in lines[0]
        assert answers(assistant) == answers(seed_assistant)  # answering goes on during the build
    finally:
        first.kill()


def test_verify_names_a_missing_file_then_says_ok(copy, embedder):
    out = run("index", "--verify", settings=copy)
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout + out.stderr

    (copy.corpus_dir / "sub").mkdir()
    (copy.corpus_dir / "sub" / "food_check.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    out = run("index", "--verify", settings=copy)
    assert out.returncode == 1 and out.stdout.startswith("NOT UP TO DATE")
    assert "missing from the index: sub/food_check.txt" in out.stdout
    assert "python -m assistant index" in out.stdout

    build_index(copy, embedder, progress=False, log=lambda m: None)
    out = run("index", "--verify", settings=copy)
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stdout


def test_an_answering_assistant_follows_rebuilds_by_another_process(copy, embedder):
    assistant = Assistant.open(copy, build_if_missing=False, embedder=embedder)
    question = "市场监管局检查了什么？"
    assert not any(c.title == "市场监管局开展节前食品安全检查" for c in assistant.ask(question).citations)
    old_generation = assistant.status().generation

    # questions keep coming while another process adds an article and swaps a new generation in
    (copy.corpus_dir / "food_check.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    problems, asked = [], []
    build = Build(copy)

    def keep_asking():
        while build.proc.poll() is None:
            try:
                answer = assistant.ask(QUESTIONS[0])
                assert not answer.refused
                asked.append(answer)
            except Exception as exc:  # noqa: BLE001 - any failure at all is what this test is looking for
                problems.append(exc)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    build.proc.wait(timeout=300)
    asker.join()
    assert build.kill() == 0, "".join(build.lines)
    assert not problems and asked

    answer = assistant.ask(question)  # the next question sees the new generation
    assert answer.citations[0].title == "市场监管局开展节前食品安全检查"
    new_generation = current_generation(copy.index_dir)
    assert assistant.status().generation == new_generation.name != old_generation

    # a newer generation that cannot be read (truncated vectors): keep answering from the one in memory
    broken = copy.index_dir / "gen-29991231T235959-bad000"
    shutil.copytree(new_generation, broken)
    (broken / "vectors.faiss").write_bytes((broken / "vectors.faiss").read_bytes()[:100])
    pointer = copy.index_dir / ".CURRENT.tmp"
    pointer.write_text(broken.name + "\n")
    os.replace(pointer, copy.index_dir / "CURRENT")
    assert assistant.ask(question).to_json() == answer.to_json()
    assert assistant.status().generation == new_generation.name

    # nor does a garbled CURRENT stop it
    (copy.index_dir / "CURRENT").write_bytes(b"\xff\xfe\x00")
    assert assistant.ask(question).to_json() == answer.to_json()

    # and once CURRENT names a good generation again, it is used
    pointer.write_text(old_generation + "\n")
    os.replace(pointer, copy.index_dir / "CURRENT")
    assert assistant.status().generation == old_generation


def test_a_build_killed_mid_embedding_resumes_from_its_saved_vectors(copy, embedder):
    """Vectors are saved a few batches at a time (fsynced); after `kill -9` the next build embeds only the rest."""
    add_generated(copy.corpus_dir)
    saved = lambda: sum(f.stat().st_size for f in (copy.index_dir / "cache").glob("vectors-*.bin"))  # noqa: E731
    before = saved()
    build = Build(copy)
    try:
        build.wait_for(lambda: saved() > before, "a saved batch of vectors")
    finally:
        build.kill()
    report = build_index(copy, embedder, progress=False, log=lambda m: None)
    assert report.path is not None and len(report.added) == 40 and report.embedded > 0
    index = load_index(copy.index_dir)
    generated = [c for c in index.chunks if index.articles[c.article_id].source.startswith("generated/")]
    # some chunks of the 40 new articles were embedded before the kill and are not embedded again …
    assert report.embedded < len(generated)
    # … and the vectors kept across the kill are the model's vectors of those chunks
    rows = np.array([index.chunks.index(c) for c in generated])
    expected = embedder.encode_passages([embedding_text(index.articles[c.article_id], c) for c in generated])
    assert np.abs(index.dense.reconstruct(rows) - expected).max() < 1e-4
