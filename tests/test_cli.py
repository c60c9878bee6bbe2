"""The command line as users run it: `python -m assistant ...` in a subprocess, exit codes and output."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from assistant.index.store import load_index
from conftest import ROOT, SEED_QUESTIONS


def run(*args, settings=None, stdin=None, timeout=600, env=None):
    env = {**os.environ, **(env or {})}
    if settings is not None:
        env.update(ASSISTANT_CORPUS=str(settings.corpus_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir),
                   ASSISTANT_MODEL_CACHE=str(settings.model_cache_dir), ASSISTANT_YEAR="2021")
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_help_teaches():
    out = run("--help")
    assert out.returncode == 0
    for word in ("index", "ask", "chat", "eval", "model", "虎强督导了哪些工作"):
        assert word in out.stdout
    ask = run("ask", "--help")
    assert "--json" in ask.stdout and "--corpus" in ask.stdout and "--index-dir" in ask.stdout


def test_index_ask_and_json(base_settings, seed_assistant):
    # seed_assistant has built the session index; `index` finds it up to date
    out = run("index", "--quiet", settings=base_settings)
    assert out.returncode == 0, out.stderr
    assert "up to date" in out.stdout

    out = run("ask", "--json", "虎强督导了哪些工作？", settings=base_settings)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert set(answer) >= {"question", "answer", "refused", "citations"}
    assert not answer["refused"] and answer["citations"]
    index = seed_assistant.index
    for c in answer["citations"]:
        assert set(c) >= {"n", "article_id", "title", "date", "reporters", "source", "start", "end", "text"}
        assert index.articles[c["article_id"]].text[c["start"]:c["end"]] == c["text"]
        assert f"[{c['n']}]" in answer["answer"]

    out = run("ask", "虎强督导了哪些工作？", settings=base_settings)
    assert out.returncode == 0 and "[1]" in out.stdout and "《" in out.stdout


def test_index_with_the_approximate_vector_index(fresh_settings):
    out = run("index", "--quiet", "--dense-index", "ivf", settings=fresh_settings)
    assert out.returncode == 0, out.stderr
    assert load_index(fresh_settings.index_dir).dense.kind == "ivf"
    out = run("ask", "虎强督导了哪些工作？", settings=fresh_settings)
    assert out.returncode == 0 and "[1]" in out.stdout and "安全生产" in out.stdout


def test_seed_questions_are_scored_through_the_cli(base_settings, seed_assistant, tmp_path):
    """`eval` asks every question, prints PASS/FAIL per item and the count, and exits 1 when any fails."""
    items = [json.loads(line) for line in SEED_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = run("eval", str(SEED_QUESTIONS), settings=base_settings)
    lines = out.stdout.strip().splitlines()
    passed = sum(line.startswith("PASS") for line in lines)
    assert sum(line.startswith(("PASS", "FAIL")) for line in lines) == len(items)
    assert lines[-1] == f"{passed}/{len(items)} passed" and passed >= len(items) // 2
    assert out.returncode == (0 if passed == len(items) else 1), out.stderr
    # one question the page answers, scored alone: it passes and eval exits 0
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(items[0], ensure_ascii=False) + "\n", encoding="utf-8")
    alone = run("eval", str(one), settings=base_settings)
    assert alone.returncode == 0 and alone.stdout.strip().endswith("1/1 passed"), alone.stdout + alone.stderr


def test_chat_resolves_follow_ups(base_settings, seed_assistant):
    out = run("chat", "--json", settings=base_settings, stdin="虎强督导了哪些工作？\n\n他在毕河村安庄查看了什么？\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 3 and "error" in lines[1]  # the blank line gets a message, the conversation goes on
    follow = lines[2]
    assert follow["resolved_question"].startswith("虎强")
    assert "用电安全" in follow["answer"]


def test_errors_are_one_line_with_a_fix(tmp_path, base_settings):
    missing = base_settings.with_(corpus_dir=tmp_path / "nope", index_dir=tmp_path / "idx")
    out = run("ask", "虎强督导了哪些工作？", settings=missing)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and out.stderr.strip().splitlines()[-1].startswith("error:")
    out = run("ask", "   ", settings=base_settings)
    assert out.returncode == 1 and "问题是空的" in out.stderr and "Traceback" not in out.stderr
    out = run("status", settings=missing)
    assert out.returncode == 1 and "python -m assistant index" in out.stderr
    out = run("eval", str(tmp_path / "none.json"), settings=base_settings)
    assert out.returncode == 1 and "does not exist" in out.stderr


def test_eval_on_a_squad_file(base_settings):
    out = run("eval", "--json", str(ROOT / "tests" / "data" / "squad_mini.json"), settings=base_settings)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["questions"] == 4 and report["paragraphs"] == 3
    assert report["modes"]["hybrid"]["hit@5"] == 1.0  # three short paragraphs: every answer is within reach
    assert report["answer_contains_gold"] >= 0.75


def test_device_cuda_without_a_gpu_is_one_clear_error(fresh_settings):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    out = run("index", "--quiet", "--device", "cuda", settings=fresh_settings)
    assert out.returncode == 1
    assert out.stderr.startswith("error: --device cuda asks for a GPU") and "--device cpu" in out.stderr
    assert out.stderr.count("\n") == 1 and not (fresh_settings.index_dir / "CURRENT").exists()


def test_device_cpu_builds_and_status_says_where_the_model_ran(fresh_settings):
    out = run("index", "--quiet", "--device", "cpu", settings=fresh_settings)
    assert out.returncode == 0, out.stderr
    assert load_index(fresh_settings.index_dir).manifest.device == "cpu"
    # the build ends with one line of counts, never a list of files
    assert out.stdout.count("\n") == 1 and "5 articles (" in out.stdout and "1 added" in out.stdout


EXPORT = "稿件标题,发文时间,稿件正文\n" + "".join(
    f"区图书馆开展第{i}期阅读分享会,2024-03-0{i},本报讯 3月{i}日，区图书馆举办第{i}期阅读分享会，{20 + i}名读者参加。\n"
    for i in range(1, 4))


def test_field_map_names_the_columns_of_an_unknown_export(tmp_path, base_settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cms.csv").write_text(EXPORT, encoding="utf-8")
    settings = base_settings.with_(corpus_dir=corpus, index_dir=tmp_path / "index")
    out = run("index", "--quiet", settings=settings)
    assert out.returncode == 1 and "error:" in out.stderr  # no column it knows holds the text
    mapping = "稿件标题=title,发文时间=date,稿件正文=text"
    out = run("index", "--quiet", "--field-map", mapping, settings=settings)
    assert out.returncode == 0, out.stderr
    index = load_index(settings.index_dir)
    assert sorted(a.date for a in index.articles.values()) == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert {a.title for a in index.articles.values()} == {f"区图书馆开展第{i}期阅读分享会" for i in range(1, 4)}
    # the same mapping from the environment, through a command that builds a missing index
    shutil.rmtree(settings.index_dir)
    out = run("ask", "第2期阅读分享会有多少名读者参加？", settings=settings,
              env={"ASSISTANT_FIELD_MAP": mapping})
    assert out.returncode == 0, out.stderr
    assert "22名读者" in out.stdout


def flags(*command):
    return set(re.findall(r"--[a-z][a-z-]+", run(*command, "--help").stdout))


def test_each_command_offers_only_the_settings_it_acts_on():
    builds = {"--corpus", "--index-dir", "--model", "--model-cache", "--backend", "--device", "--year",
              "--dense-index", "--field-map"}
    assert flags("index") >= builds and not flags("index") & {"--top-k", "--today"}
    for command in ("ask", "chat", "eval"):  # these build a missing index first, then answer
        assert flags(command) >= builds | {"--top-k", "--today"}
    # status compares the index with the corpus; articles reads the index alone; model fetch/check the model alone
    assert flags("status") >= {"--corpus", "--index-dir", "--model", "--backend", "--field-map"}
    assert not flags("status") & {"--device", "--model-cache", "--year", "--top-k", "--today", "--dense-index"}
    assert not flags("articles") & {"--corpus", "--device", "--year", "--field-map", "--top-k"}
    assert flags("model", "fetch") >= {"--model", "--model-cache", "--backend", "--device"}
    assert not flags("model", "fetch") & {"--corpus", "--index-dir", "--year"}
    for command in ("index", "ask", "chat", "eval", "status", "articles"):  # each opens an index, wherever it is
        assert flags(command) >= {"--store", "--milvus-uri"}


def test_top_k_limits_the_passages_an_answer_draws_on(base_settings, seed_assistant):
    def cited_articles(*flags):
        out = run("ask", "--json", *flags, "虎强督导了哪些工作？", settings=base_settings)
        assert out.returncode == 0, out.stderr
        return {c["article_id"] for c in json.loads(out.stdout)["citations"]}

    # 虎强 led two inspections, two articles: the default finds both, one passage pair (top-k 1) only one
    assert len(cited_articles()) == 2 and len(cited_articles("--top-k", "1")) == 1
    assert "--top-k" not in run("index", "--help").stdout  # a build takes no answer settings


def test_squad_questions_without_text_are_left_out(tmp_path):
    from assistant.evaluation.squad import load_squad

    data = {"data": [{"title": "t", "paragraphs": [{"context": "区人大常委会主任是张三。", "qas": [
        {"id": "1", "question": "区人大常委会主任是谁？", "answers": [{"text": "张三", "answer_start": 8}]},
        {"id": "2", "question": "", "answers": [{"text": "张三", "answer_start": 8}]},
        {"id": "3", "question": "主任是谁？", "answers": [{"text": " ", "answer_start": 0}]}]}]}]}
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    articles, questions = load_squad(path)
    assert len(articles) == 1 and [q for q, _, _ in questions] == ["区人大常委会主任是谁？"]
