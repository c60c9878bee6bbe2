"""The web app: ``python app.py`` as a real server on loopback, with the real model and an index it builds itself.

The server runs as a subprocess over a private copy of the corpus (so its first start builds the index, with progress
on the console); ``gradio_client`` talks to ``/ask``.  The page's pieces (assistant.web: render, staff, examples,
dates) are tested here too, without a server.  Browser tests are in test_browser.py.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.types import Answer, Article, Citation
from assistant.web import dates, staff
from assistant.web import examples as ex
from assistant.web import render as ui

ROOT = Path(__file__).resolve().parents[1]
SORTING = ROOT / "tests" / "data" / "sorting"  # 18 dated district reports, 14 of them on 垃圾分类
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
    assert "indexed: 1 pages, 5 articles" in log
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
        assert set(c) == {"n", "article_id", "title", "date", "filed", "reporters", "source", "start", "end", "text",
                          "page"}
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
    assert "新闻问答助手" in config and "新对话" in config and "更新索引" in config
    assert "根据 5 篇新闻报道（2021年6月16日至6月18日）" in config  # the description is drawn from the corpus
    assert "本地新闻" not in config
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


# -- render: HTML that shows text as text, [n] that opens its own answer's source ----------------------------------

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
       "**粗** [a](javascript:x)"]


def _article(text: str, title: str = "标题", source: str = "p.txt", article_id: str = "a1") -> Article:
    return Article(article_id=article_id, source=source, title=title, text=text, date="2021-06-18",
                   byline="记者 张三", reporters=("记者 张三",))


def _citation(article: Article, n: int, sentence: str) -> Citation:
    start = article.text.index(sentence)
    return Citation(n=n, article_id=article.article_id, title=article.title, date=article.date,
                    reporters=article.reporters, source=article.source, start=start, end=start + len(sentence),
                    text=sentence, page=None)


def _answer(text: str, citations: list[Citation], **kw) -> Answer:
    return Answer(question="问题", text=text, refused=False, citations=tuple(citations), **kw)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, base_settings, embedder):
    """An Assistant over test_catalog's small mixed corpus (text in a folder, web pages, an export, an unreadable
    file), its index built with the real model."""
    from assistant.service import Assistant
    from test_catalog import build_archive

    return Assistant(build_archive(tmp_path_factory.mktemp("archive"), base_settings, embedder), embedder)


@pytest.mark.parametrize("payload", XSS)
def test_user_and_corpus_text_never_becomes_markup(payload, archive):
    from assistant.index.catalog import Changes

    # the real status, with corpus-made names (file names, outlets, sections, reasons) replaced by the payload
    real = archive.status()
    status = replace(real, model=payload, skipped={payload: payload}, outlets={payload: 1}, sections={payload: 2},
                     formats={payload: 3}, changes=Changes(added=(payload,), removed=(payload,)),
                     corpus_dir=payload)
    art = _article(f"第一句{payload}。\n第二句。\n记者 张三", title=f"标题{payload}", source=f"p{payload}.txt")
    cite = _citation(art, 1, f"第一句{payload}。")
    answer = _answer(f"据《{payload}》报道：{payload}[1]", [cite], notice=payload, resolved_question=payload)
    turns = [ui.Turn(payload, answer)]
    rendered = [ui.question_html(payload), ui.answer_html(answer, 0), ui.chat_html(turns), ui.notice_html(payload),
                ui.sources_list_html([cite], 0), ui.article_html(art, [cite], 1), ui.examples_html([payload]),
                ui.header_html(payload, payload), ui.article_error_html(payload),
                staff.status_html(status, log=[payload], error=payload, confirming=True),
                staff.status_html(replace(real, changes=None, corpus_problem=payload))]
    for html in rendered:
        assert "<script" not in html and "<img" not in html and "<svg" not in html and 'href="javascript' not in html
        assert ui.esc(payload) in html


def test_a_source_is_a_link_only_when_it_is_a_web_address():
    url = "https://news.example.cn/2023/08/10/a-very-long-path/detail.html?id=1&x=<b>"
    assert ui.source_html(url).startswith('<a class="src-link" href="https://news.example.cn/2023/08/10/')
    assert 'rel="noopener noreferrer"' in ui.source_html(url) and "&amp;x=&lt;b&gt;" in ui.source_html(url)
    for not_a_link in ("javascript:alert(1)", "guancheng/page1.txt", "data:text/html,x", "https://"):
        assert "<a " not in ui.source_html(not_a_link)
    assert ui.source_html("page.pdf", 3).endswith("page.pdf 第3页</span>")


def test_each_marker_is_a_button_that_names_its_answer_and_citation():
    art = _article("甲做了一件事。乙说了一句话。\n记者 张三")
    c1, c2 = _citation(art, 1, "甲做了一件事。"), _citation(art, 2, "乙说了一句话。")
    html = ui.answer_html(_answer("据《标题》（2021-06-18）报道：甲做了一件事。[1]乙说了一句话。[2]还有[9]。", [c1, c2]), 3)
    assert html.count('<button type="button" class="cite-ref" data-msg="3" data-cite="2"') == 2  # text and sources
    assert "（2021年6月18日）" in html and "2021-06-18" not in html  # one date format for people
    assert "还有[9]" in html  # not a citation of this answer: left as text
    # the article cited twice is listed once, with both citations and their sentences
    sources = ui.sources_list_html([c1, c2], 3)
    assert sources.count('class="src"') == 1 and sources.count('class="src-cite"') == 2
    assert "2021年6月18日" in sources and "来源：" in sources


def test_citations_are_kept_per_answer():
    a, b = _article("甲句。\n记者 张三", article_id="a"), _article("乙句。\n记者 张三", article_id="b", title="乙")
    turns = [ui.Turn("一", _answer("甲句。[1]", [_citation(a, 1, "甲句。")])),
             ui.Turn("二", _answer("乙句。[1]", [_citation(b, 1, "乙句。")])), ui.Turn("三")]
    assert ui.citation_of(turns, 0, 1).article_id == "a"
    assert ui.citation_of(turns, 1, 1).article_id == "b"
    assert ui.citation_of(turns, 2, 1) is None and ui.citation_of(turns, 5, 1) is None
    assert ui.citation_of(turns, 0, 2) is None and ui.citation_of(turns, 0, 1, "related") is None
    html = ui.chat_html(turns)
    assert html.count('<section class="turn"') == 3 and 'data-msg="1" data-cite="1"' in html
    assert "正在查找" in html  # the third is still being looked up


def test_a_long_list_answer_shows_ten_items_and_a_show_all_button():
    art = _article("。".join(f"第{i}句" for i in range(1, 18)) + "。\n记者 张三")
    cites = [_citation(art, i, f"第{i}句。") for i in range(1, 18)]
    text = "共找到 17 篇相关报道：\n" + "\n".join(f"{i}. 《标题》：第{i}句。[{i}]" for i in range(1, 18))
    html = ui.answer_html(_answer(text, cites), 0)
    assert html.count("<li value=") == 17 and html.count('<li value="11" class="more">') == 1
    assert html.count('class="more"') == 7
    assert 'data-expand="0"' in html and ">显示全部 17 篇</button>" in html
    short = ui.answer_html(_answer("共找到 2 篇相关报道：\n1. 《甲》：句一。[1]\n2. 《乙》：句二。[2]", cites[:2]), 0)
    assert "show-all" not in short and 'class="more"' not in short
    # while streaming: no sources and no button yet
    streaming = ui.answer_html(_answer(text, cites), 0, shown=text[:60])
    assert "show-all" not in streaming and "answer-sources" not in streaming and "msg-pending" in streaming


def test_a_refusal_lists_related_reports_apart_from_the_answer():
    art = _article("甲句。\n记者 张三")
    refused = Answer("问题", "没有找到。", True, related=(_citation(art, 1, "甲句。"),))
    html = ui.answer_html(refused, 2)
    assert "msg-refused" in html and "不是答案" in html and 'data-kind="related"' in html
    turns = [ui.Turn("a"), ui.Turn("b"), ui.Turn("问题", refused)]
    assert ui.citation_of(turns, 2, 1, "related").article_id == "a1"
    assert ui.citation_of(turns, 2, 1) is None


def test_article_marks_the_chosen_citation_and_the_others_softly():
    art = _article("本报讯 甲做了一件事。乙说了一句话。\n丙又说了一句。\n记者 张三")
    c1, c2 = _citation(art, 1, "甲做了一件事。"), _citation(art, 2, "丙又说了一句。")
    html = ui.article_html(art, [c1, c2], active=2, msg=1, opened=7)
    assert '<mark class="cite-active" id="cite-active">丙又说了一句。</mark>' in html
    assert '<mark class="cite-other">甲做了一件事。</mark>' in html
    assert html.count("<p>") == 3 and "第 2 个回答引用了本文" in html and 'data-opened="7"' in html
    assert "2021年6月18日" in html and "article-close" in html


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


def test_one_error_line_replaces_the_last():
    assert ui.notice_html(None).count("notice-error") == 0
    assert ui.notice_html("问题太长").count('role="alert"') == 1


# -- dates as people read them ---------------------------------------------------------------------------------------

def test_dates_read_as_chinese_and_build_times_in_local_time(monkeypatch):
    assert dates.format_date("2024-03-05") == "2024年3月5日"
    assert dates.format_date("2024-03-05", year=False) == "3月5日"
    assert dates.format_date("06-18") == "6月18日" and dates.format_date(None) == ""
    assert dates.format_month("2023-07") == "2023年7月"
    assert dates.dates_in_text("《甲》（2021-06-18）：6月18日。2021-6-1") == "《甲》（2021年6月18日）：6月18日。2021年6月1日"
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert dates.format_time("2021-06-18T10:00:00+0000") == "2021年6月18日 18:00"
        assert dates.format_time("2021-06-18T10:00:00Z") == "2021年6月18日 18:00"
        assert dates.format_time("2021-06-18T10:00:00") == "2021年6月18日 10:00"  # no offset: already local
        assert dates.format_time("soon") == "soon"
    finally:
        monkeypatch.undo()
        time.tzset()


# -- the staff view ----------------------------------------------------------------------------------------------------

def test_staff_view_renders_the_real_status(archive):
    status = archive.status()
    html = staff.status_html(status)
    for text in ("9 篇文章，来自 5 个页面/文件", f"{status.chunks} 个文本块", "2021年6月16日 至 2024年4月2日",
                 f"{status.undated} 篇没有日期", "文本 5 篇", "网页 2 篇", "导出记录 2 篇", "guancheng 5 篇",
                 "news.example.cn 2 篇", "时政 1 篇", "民生 1 篇", "scan.pdf", ui.esc(status.skipped["scan.pdf"]),
                 "没有变化", f"{status.model}（torch，cpu）", dates.format_time(status.built_at),
                 str(archive.settings.corpus_dir), "就绪", "python -m assistant index"):
        assert text in html, text
    # one bar a month from June 2021 to April 2024, the empty months at zero, heights relative to the busiest month
    assert len(re.findall(r'class="bar[ "]', html)) == 35
    assert "height:100%" in html and "height:0%" in html and 'title="2022年1月：0 篇"' in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", "", html))  # people's dates only
    assert "索引更新完成" in staff.status_html(status, log=["indexed 1 pages"])
    building = staff.status_html(status, log=["log <i>"], building=True, elapsed=12.5)
    assert "正在更新索引" in building and "已用 12 秒" in building and "log &lt;i&gt;" in building
    assert "索引无法读取" in staff.status_html(None, error="no index")


def test_the_rebuild_confirmation_says_what_will_change(tmp_path, base_settings, embedder):
    from assistant.service import Assistant
    from test_catalog import PAGE_URL, build_archive

    assistant = Assistant(build_archive(tmp_path, base_settings, embedder), embedder)
    unchanged = staff.status_html(assistant.status(), confirming=True)
    assert "确定要更新索引吗" in unchanged and "没有变化，更新后索引不会改变" in unchanged
    corpus = assistant.settings.corpus_dir
    (corpus / "guancheng" / "page2.txt").write_text("社区活动\n\n本报讯 6月21日,社区开展活动。\n\n记者 李四\n",
                                                   encoding="utf-8")
    (corpus / "web" / "flood-drill.html").unlink()
    html = staff.status_html(assistant.status(), confirming=True)
    confirm = html[html.index("status-confirm"):]
    assert "新增 1 个：guancheng/page2.txt" in confirm and f"删除 1 个：{PAGE_URL.format(slug='flood-drill')}" in confirm
    assert "修改" not in confirm
    assert "确定要更新索引吗" not in staff.status_html(assistant.status())


# -- examples and wording from the corpus ------------------------------------------------------------------------------

SEED_LIKE = [
    Article("a", "p.txt", "管城回族区“红色园区”示范基地揭牌", "本报讯 6月18日上午,揭牌仪式在园区举行。区委书记虎强出席。\n记者 柴琳琳",
            date="2021-06-18", reporters=("记者 柴琳琳",)),
    Article("b", "p.txt", "区领导督导安全生产工作", "本报讯 近日,区委书记虎强带队督导。当天,虎强一行来到毕河村安庄,查看用电安全。\n记者 柴琳琳",
            reporters=("记者 柴琳琳",), ordinal=1),
]
OTHER = [
    Article("c", "https://news.example.cn/a.html", "西兴街道“城市书房”正式开放",
            "本报讯 8月15日，位于西兴街道的“城市书房”正式开放。区长周明远在仪式上表示，要让居民享受阅读服务。\n记者 王一凡",
            date="2023-08-15", reporters=("记者 王一凡",)),
    Article("d", "https://news.example.cn/b.html", "滨江区开展防汛演练",
            "本报讯 8月12日，滨江区在长河街道开展防汛演练。区长周明远要求落实防汛责任。\n记者 陈晓雨",
            date="2023-08-12", reporters=("记者 陈晓雨",)),
]


def test_examples_come_from_the_corpus_people_topics_places_and_days():
    seed = ex.example_questions(SEED_LIKE)
    assert seed[:2] == ["虎强做了哪些工作？", "“红色园区”是怎么回事？"]
    assert "毕河村有什么新闻？" in seed and "6月18日有哪些新闻？" in seed
    other = ex.example_questions(OTHER)
    assert other[:2] == ["周明远做了哪些工作？", "“城市书房”是怎么回事？"]
    assert not set(seed) & set(other)
    assert ex.example_questions([]) == []
    # reporters are not the newsmakers; a headline is the fallback when nothing else is found
    plain = [Article("e", "x.txt", "Weather report for today", "Sunny.")]
    assert ex.example_questions(plain) == ["《Weather report for today》讲了什么？"]


def test_title_and_description_default_from_the_corpus_and_yield_to_the_setting():
    seed, other = ex.face(SEED_LIKE), ex.face(OTHER)
    assert seed.title == "新闻问答助手" and "根据 2 篇新闻报道（2021年6月18日）" in seed.description
    assert other.title == "news.example.cn · 新闻问答助手"
    assert "2023年8月12日至8月15日" in other.description
    assert ex.face(OTHER, "滨江新闻问答").title == "滨江新闻问答"
    assert seed.placeholder == "例如：虎强做了哪些工作？" and "虎强做了哪些工作？" in seed.hint()
    assert ex.CorpusFacts(9, "2022-09-24", "2026-08-22").period() == "2022年9月至2026年8月"


def test_the_title_names_what_the_archive_is_not_its_biggest_domain(archive):
    from collections import Counter

    # 57% from one web host and 43% regional text: not named after the host alone
    assert ex.archive_names(Counter({"tv.cctv.com": 57}), 100) == ()
    assert ex.archive_names(Counter({"tv.cctv.com": 57, "guancheng": 43}), 100) == ("tv.cctv.com", "guancheng")
    assert ex.archive_names(Counter({f"s{i}": 10 for i in range(10)}), 100) == ()  # too mixed for a few names
    cctv = [replace(OTHER[0], article_id=f"v{i}", source=f"https://tv.cctv.com/2024/{i}.shtml") for i in range(4)]
    regional = [replace(a, article_id=f"r{a.article_id}", source="page1.txt") for a in SEED_LIKE + SEED_LIKE[:1]]
    assert ex.face(cctv + regional).title == "新闻问答助手"
    in_folder = [replace(a, source="guancheng/page1.txt") for a in regional]
    assert ex.face(cctv + in_folder).title == "tv.cctv.com、guancheng · 新闻问答助手"
    sections = [replace(a, section="时政") for a in regional] + [replace(a, section="民生") for a in cctv]
    assert ex.face(sections).title == "民生、时政 · 新闻问答助手"  # no outlet holds most: the sections say it
    # the real mixed archive: folder, web host and top-level export together
    status = archive.status()
    names = ex.corpus_facts(archive.index.articles.values()).names
    assert names == ex.archive_names(Counter(status.outlets), status.articles)


def test_no_question_is_hard_coded_in_the_web_package():
    web = ROOT / "assistant" / "web"
    for path in web.glob("*.py"):
        assert "虎强督导了哪些工作" not in path.read_text(encoding="utf-8"), path


def _cites(question: str, *articles: Article, period: tuple[str, str] | None = None) -> Answer:
    """An answer to ``question`` citing the first sentence of each of ``articles``."""
    cites = [_citation(a, i, a.text.split("。")[0] + "。") for i, a in enumerate(articles, 1)]
    return Answer(question, "".join(f"{c.text}[{c.n}]" for c in cites), False, tuple(cites), period=period)


def test_examples_the_assistant_refuses_are_rephrased_or_left_out():
    asked = []
    c, d = OTHER

    def ask(question: str) -> Answer:
        asked.append(question)
        if "做了哪些工作" in question or "有哪些新闻" in question:
            return Answer(question, "没有找到。", True)
        return _cites(question, d if "防汛" in question else c, d)

    examples = ex.example_questions(OTHER, ask=ask)
    assert examples[0] == "关于周明远的报道有哪些？"  # the second phrasing, after the first was refused
    assert not any("有哪些新闻" in q for q in examples)  # the busiest day is left out
    assert len(asked) <= ex.MAX_TRIES
    assert ex.example_questions(OTHER, ask=lambda q: Answer(q, "没有找到。", True)) == []
    assert ex.example_questions(OTHER, ask=lambda q: None) == []  # asking failed


def test_an_example_is_kept_only_when_its_answer_is_about_what_it_asks():
    c, d = OTHER  # 8月15日 城市书房 in 西兴街道 (王一凡); 8月12日 防汛 in 长河街道 (陈晓雨); both name 周明远
    by_id = {a.article_id: a for a in OTHER}
    other_day = replace(d, article_id="e", date="2023-07-28", title="七月的报道")
    by_id["e"] = other_day
    day = next(e for e in ex.candidates(OTHER) if e.kind == "day")
    assert day.subject == "2023-08-15" and day.phrasings == ("8月15日有哪些新闻？",)
    # the tester's case: 「…8月18日有哪些新闻？」 answered, not refused, with reports of other days
    assert not ex.fits(day, _cites(day.phrasings[0], other_day, d), by_id)
    assert not ex.fits(day, _cites(day.phrasings[0], c, d, period=("2023-08-15", "2023-08-15")), by_id)
    assert not ex.fits(day, _cites(day.phrasings[0], c), by_id)  # right report, but not restricted to the day
    assert ex.fits(day, _cites(day.phrasings[0], c, period=("2023-08-15", "2023-08-15")), by_id)
    filed = replace(other_day, filed="2023-08-15")  # dispatched on the 15th, printed later: news of the 15th too
    assert ex.fits(day, _cites(day.phrasings[0], filed, c, period=("2023-08-15", "2023-08-15")), {"e": filed})
    assert not ex.fits(day, Answer(day.phrasings[0], "没有找到。", True, period=("2023-08-15",) * 2), by_id)

    person, place = ex.Example("person", "周明远", ()), ex.Example("place", "西兴街道", ())
    stranger = replace(other_day, text="本报讯 7月28日，社区举办纳凉晚会。\n记者 王一凡", reporters=("记者 王一凡",))
    by_id["e"] = stranger
    assert ex.fits(person, _cites("周明远做了哪些工作？", c, d), by_id)
    assert not ex.fits(person, _cites("周明远做了哪些工作？", c, stranger), by_id)
    assert ex.fits(place, _cites("西兴街道有什么新闻？", c), by_id)
    assert not ex.fits(place, _cites("西兴街道有什么新闻？", c, d), by_id)  # 长河街道's drill is not 西兴街道's news
    assert ex.fits(ex.Example("topic", "城市书房", ()), _cites("“城市书房”是怎么回事？", c), by_id)
    assert not ex.fits(ex.Example("topic", "城市书房", ()), _cites("“城市书房”是怎么回事？", d), by_id)
    reporter = ex.Example("reporter", "王一凡", ())
    assert ex.fits(reporter, _cites("王一凡报道了哪些新闻？", c, stranger), by_id)
    assert not ex.fits(reporter, _cites("王一凡报道了哪些新闻？", c, d), by_id)
    headline = ex.Example("headline", c.title, ())
    assert ex.fits(headline, _cites(f"《{c.title}》讲了什么？", c), by_id)
    assert not ex.fits(headline, _cites(f"《{c.title}》讲了什么？", d), by_id)
    # without the article at hand, the cited passage is read
    said = _citation(c, 1, "区长周明远在仪式上表示，要让居民享受阅读服务。")
    assert ex.fits(person, Answer("周明远做了哪些工作？", "…[1]", False, (said,)), {})
    assert not ex.fits(person, _cites("周明远做了哪些工作？", c), {})
    assert ex.face(OTHER).examples == tuple(ex.example_questions(OTHER))  # no judge: the candidates' first phrasings


@pytest.fixture(scope="module")
def sorting(tmp_path_factory, base_settings, embedder):
    """An Assistant over tests/data/sorting (18 dated district reports, 14 of them on 垃圾分类; three on 6月5日),
    its index built with the real model."""
    from assistant.service import Assistant

    root = tmp_path_factory.mktemp("sorting")
    shutil.copytree(SORTING, root / "corpus")
    settings = base_settings.with_(corpus_dir=root / "corpus", index_dir=root / "index")
    return Assistant.open(settings, embedder=embedder, progress=False, log=lambda m: None)


def test_on_a_built_corpus_the_examples_are_answered_about_what_they_ask(sorting):
    import datetime as dt

    from assistant.timeexpr import parse_time
    from assistant.web.app import Handlers

    articles = sorting.index.articles
    found = {e.kind: e for e in ex.candidates(articles.values())}
    day = found["day"]
    assert day.subject == "2023-06-05"  # the publication date most articles have
    assert parse_time(day.phrasings[0], dt.date(2023, 7, 25)).period == (dt.date(2023, 6, 5),) * 2
    # a list of that day's reports fits the day's example; the same topic over all days does not
    on_the_day = sorting.ask("6月5日有哪些垃圾分类的报道？")
    assert {c.date for c in on_the_day.citations} == {"2023-06-05"} and ex.fits(day, on_the_day, articles)
    assert not ex.fits(day, sorting.ask("关于垃圾分类有哪些报道？"), articles)

    asked: dict[str, Answer] = {}
    handlers = Handlers(sorting)
    real = handlers.example_answer
    handlers.example_answer = lambda q: asked.setdefault(q, real(q))
    shown = handlers.face().examples
    assert shown and any("王建国" in q for q in shown), shown
    for question in shown:  # every example the page shows is answered, from reports about what it asks
        answer = asked[question]
        assert not answer.refused and answer.citations, question
        example = next(e for e in found.values() if question in e.phrasings)
        for c in answer.citations:
            article = articles[c.article_id]
            if example.kind == "day":
                assert day.subject in (article.date, article.filed), (question, c.title)
            elif example.kind == "reporter":
                assert example.subject in article.byline, (question, c.title)
            else:
                assert example.subject in article.title + article.text, (question, c.title)
    if day.phrasings[0] not in shown:  # left out only because its answer is not that day's news
        assert not ex.fits(day, asked[day.phrasings[0]], articles)


def test_the_start_page_describes_an_archive_with_dates_that_lack_a_year():
    """A regional record printed as 7月15日 with nothing giving the year is dated "07-15": no place on the time line."""
    from assistant.types import Article
    from assistant.web.examples import corpus_facts, description

    articles = [Article(f"a{i}", f"2023/{d}.txt", "标题", "正文。", date=d)
                for i, d in enumerate(["2022-09-24", "07-15", "2026-08-22", None])]
    facts = corpus_facts(articles)
    assert (facts.first, facts.last) == ("2022-09-24", "2026-08-22")
    assert "2022年9月至2026年8月" in description(facts)


def test_a_day_question_lists_every_report_of_that_day(sorting):
    """「6月5日有哪些新闻？」 has no topic but its day: every report of the day, and nothing else."""
    answer = sorting.ask("6月5日有哪些新闻？")
    on_day = {a.article_id for a in sorting.index.articles.values() if "2023-06-05" in (a.date, a.filed)}
    assert not answer.refused and answer.period == ("2023-06-05", "2023-06-05")
    assert {c.article_id for c in answer.citations} == on_day and len(on_day) == 3
    assert answer.text.startswith("共找到 3 篇2023年6月5日的报道")
