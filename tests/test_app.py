"""The web app: ``python app.py`` as a real server on loopback, with the real model and an index it builds itself.

The server runs as a subprocess over a private copy of the corpus (so its first start builds the index, with progress
on the console); ``gradio_client`` talks to ``/ask``.  The HTML helpers of ``assistant.ui_render`` are tested here too,
without a server.  Browser tests are in test_browser.py.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.web import render as ui
from assistant.types import Article, Citation

ROOT = Path(__file__).resolve().parents[1]
SEED = "虎强督导了哪些工作？"
START_TIMEOUT = 600  # seconds: first start converts the model (once per machine) and builds the index


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(corpus: Path, index: Path, log: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Run ``python app.py`` on a free loopback port; return the process and its URL once it answers HTTP."""
    port = free_port()
    cmd = [sys.executable, "app.py", "--corpus", str(corpus), "--index-dir", str(index), "--year", "2021",
           "--port", str(port), *extra]
    out = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "gradio_api/info", timeout=5) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError(f"app.py did not answer within {START_TIMEOUT} s:\n{log.read_text(encoding='utf-8')[-3000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    log = root / "app.log"
    proc, url = start_app(corpus, root / "index", log)
    yield {"url": url, "index": root / "index", "log": log}
    stop_app(proc)


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server["url"], verbose=False)


def articles_of(index_dir: Path) -> dict[str, Article]:
    from assistant.index.store import load_index

    return load_index(index_dir).articles


# -- the server --------------------------------------------------------------------------------------------------------

def test_first_start_builds_the_index_with_progress_and_binds_loopback(server):
    log = server["log"].read_text(encoding="utf-8")
    assert "building the index" in log
    assert "indexed 1 pages, 5 articles" in log
    assert "http://127.0.0.1:" in log
    assert "site-packages/gradio/" not in log, log  # Gradio warns at startup about handlers it cannot wire


def test_ask_endpoint_returns_the_answer_json_with_exact_citations(server, client):
    result = client.predict(SEED, api_name="/ask")
    assert set(result) >= {"question", "answer", "refused", "citations"}
    assert result["question"] == SEED
    assert result["refused"] is False
    assert "[1]" in result["answer"]
    assert result["citations"], result
    articles = articles_of(server["index"])
    for c in result["citations"]:
        assert set(c) == {"n", "article_id", "title", "date", "reporters", "source", "start", "end", "text", "page"}
        assert f"[{c['n']}]" in result["answer"]
        assert articles[c["article_id"]].text[c["start"]:c["end"]] == c["text"]
        assert "虎强" in articles[c["article_id"]].text
    assert any("安全生产" in c["text"] or "卫生城市" in c["text"] for c in result["citations"])


@pytest.mark.parametrize("question", ["", "   \n  "])
def test_ask_endpoint_explains_an_empty_question_and_keeps_serving(client, question):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="问题是空的"):
        client.predict(question, api_name="/ask")
    assert client.predict(SEED, api_name="/ask")["citations"]


def test_ask_endpoint_refuses_what_the_news_does_not_hold(client):
    result = client.predict("郑州明天会下雨吗？", api_name="/ask")
    assert result["refused"] is True
    assert result["citations"] == []


def test_only_ask_is_offered_to_api_clients(client):
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(named) == ["/ask"]


def test_page_is_served_in_chinese_without_web_fonts(server):
    with urllib.request.urlopen(server["url"] + "config", timeout=10) as r:
        config = r.read().decode("utf-8")
    assert "本地新闻问答助手" in config and "新对话" in config and "更新索引" in config
    assert "fonts.googleapis.com" not in config and "GoogleFont" not in config
    assert "Noto Sans CJK SC" in config


def test_help_teaches_the_flags():
    out = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for flag in ("--host", "--port", "--index-dir", "--corpus", "--model", "--backend", "127.0.0.1", "7860",
                 "python -m assistant index", 'api_name="/ask"'):
        assert flag in out.stdout


def test_a_bad_setting_is_one_line_not_a_traceback(tmp_path):
    out = subprocess.run([sys.executable, "app.py", "--corpus", str(tmp_path / "missing"), "--index-dir",
                          str(tmp_path / "index"), "--port", str(free_port())], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "missing" in last


# -- ui_render: HTML that shows text as text ---------------------------------------------------------------------------

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
       "**粗** [a](javascript:x)"]


def _article(text: str, title: str = "标题") -> Article:
    return Article(article_id="a1", source="p.txt", title=title, text=text, date="2021-06-18", byline="记者 张三",
                   reporters=("记者 张三",))


def _citation(article: Article, n: int, sentence: str) -> Citation:
    start = article.text.index(sentence)
    return Citation(n=n, article_id=article.article_id, title=article.title, date=article.date,
                    reporters=article.reporters, source=article.source, start=start, end=start + len(sentence),
                    text=sentence, page=None)


@pytest.mark.parametrize("payload", XSS)
def test_user_and_corpus_text_never_becomes_markup(payload):
    art = _article(f"第一句{payload}。\n第二句。\n记者 张三", title=f"标题{payload}")
    cite = _citation(art, 1, f"第一句{payload}。")
    rendered = [ui.question_html(payload), ui.answer_html(f"据《{payload}》报道：{payload}[1]"), ui.error_html(payload),
                ui.sources_html([cite]), ui.article_html(art, [cite], 1)]
    for html in rendered:
        assert "<script" not in html and "<img" not in html and "<svg" not in html
        assert ui.esc(payload) in html


def test_answer_markers_are_styled_and_lines_kept():
    html = ui.answer_html("共找到 2 篇相关报道：\n1. 《甲》：句一。[1]\n2. 《乙》：句二。[2]")
    assert html.count("<p>") == 3
    assert '<span class="cite-ref" data-cite="2" title="来源 2">[2]</span>' in html


def test_article_marks_the_chosen_citation_and_the_others_softly():
    art = _article("本报讯 甲做了一件事。乙说了一句话。\n丙又说了一句。\n记者 张三")
    c1, c2 = _citation(art, 1, "甲做了一件事。"), _citation(art, 2, "丙又说了一句。")
    html = ui.article_html(art, [c1, c2], active=2)
    assert '<mark class="cite-active" id="cite-active">丙又说了一句。</mark>' in html
    assert '<mark class="cite-other">甲做了一件事。</mark>' in html
    assert html.count("<p>") == 3


def test_a_citation_across_paragraphs_is_marked_in_each_with_one_anchor():
    art = _article("甲。乙在\n丙处。\n记者 张三")
    cite = _citation(art, 1, "乙在\n丙处。")
    html = ui.article_html(art, [cite], active=1)
    assert html.count('class="cite-active"') == 2 and html.count('id="cite-active"') == 1


def test_stream_prefixes_grow_to_the_answer_and_never_split_a_marker():
    text = "据《甲》报道：一二三四五六七八九十。[1]十一十二。[12]"
    prefixes = list(ui.stream_prefixes(text, steps=40))
    assert prefixes[-1] == text
    assert all(a != b and b.startswith(a) for a, b in zip(prefixes, prefixes[1:]))
    assert not any(p.endswith(("[", "[1", "[12")) for p in prefixes)
    assert list(ui.stream_prefixes("")) == [""]


def test_example_questions_start_with_the_seed_and_follow_the_headlines():
    arts = [Article("a", "p.txt", "区政协 督导“六街六片区” 协同风貌区建设工作", "本报讯 …", ordinal=1),
            Article("b", "p.txt", "管城回族区“红色园区”示范基地揭牌", "本报讯 …", ordinal=0),
            Article("c", "p.txt", "没有引号的标题", "本报讯 没有引号。", ordinal=2)]
    assert ui.example_questions(arts) == [ui.SEED_QUESTION, "“红色园区”是怎么回事？", "“六街六片区”是怎么回事？"]


def test_status_panel_names_every_count_and_the_cli_command():
    html = ui.status_html({"model": "m<b>", "pages": 1, "articles": 5, "chunks": 17, "built_at": "2021-06-18T10:00:00",
                           "index_dir": "index", "corpus_dir": "corpus", "building": True}, job="log <i>", error=None)
    for text in ("模型", "m&lt;b&gt;", "文章", ">5<", "文本块", ">17<", "2021-06-18 10:00:00", "正在更新索引",
                 "log &lt;i&gt;", "python -m assistant index"):
        assert text in html
