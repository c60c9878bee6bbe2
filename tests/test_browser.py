"""The chat in a real browser: Debian's Chromium, driven by Playwright, against ``python app.py`` on loopback.

The server runs over a copy of the corpus plus one page whose headline and text hold HTML and markdown; they must show
as typed and never become elements or fire dialogs.  Screenshots go to tests/artifacts/ (git-ignored).
Waits are for elements after ``domcontentloaded``, never for network idle (the page never gets there offline).
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

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)",
                allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 600  # seconds: the first start builds the index
ANSWER_TIMEOUT = 180_000  # ms: answers take seconds, more on a busy two-core machine
SEED = "虎强督导了哪些工作？"
FOLLOW_UP = "他在毕河村安庄查看了什么？"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
XSS_PAGE = f"""社区举办网络安全讲座 提醒居民警惕{IMG}恶意代码

本报讯 6月20日上午,城东路街道在社区活动中心举办网络安全知识讲座。讲师提醒居民,网页中出现{SCRIPT}这样的代码可能是恶意脚本,\
不要随意点击陌生链接。讲师还演示了{IMG}这种图片标签攻击的例子,以及**加粗**和[链接](javascript:alert(1))这样的标记。

记者 王小明
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python app.py`` over a corpus copy plus the XSS page; its first start builds the index."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "xss_page.txt").write_text(XSS_PAGE, encoding="utf-8")
    port = free_port()
    log = root / "app.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--corpus", str(corpus), "--index-dir", str(root / "index"),
                                 "--year", "2021", "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "gradio_api/info", timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"app.py did not answer:\n{log.read_text(encoding='utf-8')[-3000:]}") from None
            time.sleep(1)
    yield {"url": url, "corpus": corpus, "log": log}
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab on the app; every dialog it opens is recorded (and dismissed) in ``page.dialogs``."""
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(server["url"], wait_until="domcontentloaded")
    pg.locator("#question textarea").wait_for(timeout=60_000)
    yield pg
    context.close()


def ask(page: Page, question: str, *, press_enter: bool = False) -> None:
    """Type a question, send it and wait until its answer has finished streaming (its sources are listed)."""
    answers = page.locator("#chat .msg-answer")
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    if press_enter:
        box.press("Enter")
    else:
        page.locator("#send").click()
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    expect(answers.nth(before).locator(".msg-pending")).to_have_count(0, timeout=ANSWER_TIMEOUT)


def last_answer(page: Page):
    return page.locator("#chat .msg-answer").last


def open_citation(page: Page, n: int) -> str:
    """Click ``[n]`` in the sources panel; return the text of the highlighted sentence in the article view."""
    page.locator(f"#sources .cite-btn[data-cite='{n}']").click()
    mark = page.locator("#article mark.cite-active").first
    mark.wait_for(timeout=60_000)
    expect(page.locator(f"#sources .cite-btn-active[data-cite='{n}']")).to_have_count(1, timeout=60_000)
    return "".join(page.locator("#article mark.cite-active").all_inner_texts())


def test_ask_open_a_citation_and_follow_up(page, server):
    from gradio_client import Client

    expected = Client(server["url"], verbose=False).predict(SEED, api_name="/ask")
    assert expected["citations"]

    page.evaluate("""() => {
        window.seenAnswers = new Set();
        new MutationObserver(() => {
            const a = [...document.querySelectorAll('#chat .msg-answer')].pop();
            if (a) window.seenAnswers.add(a.innerText);
        }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
    }""")
    ask(page, SEED)
    answer = last_answer(page)
    expect(answer.locator(".cite-ref").first).to_have_text("[1]")
    # the answer was streamed: the chat showed it growing before it was complete
    seen = page.evaluate("() => [...window.seenAnswers]")
    partial = [s for s in seen if s != answer.inner_text() and "正在查找" not in s and s.strip()]
    assert len(partial) >= 3, seen
    assert "虎强" in answer.inner_text()
    # the sources panel lists each cited article with headline, date/reporters and source file
    first = expected["citations"][0]
    sources = page.locator("#sources")
    expect(sources).to_contain_text(first["title"])
    expect(sources).to_contain_text(first["source"])
    expect(sources).to_contain_text(first["reporters"][0].split()[-1])

    highlighted = open_citation(page, 1)
    assert highlighted == first["text"]
    article = page.locator("#article")
    expect(article.locator(".article-title")).to_have_text(first["title"])
    expect(article).to_contain_text("记者 柴琳琳")
    expect(page.locator("#article mark.cite-active").first).to_be_in_viewport(timeout=10_000)

    # the radio of citations opens the other one
    if len(expected["citations"]) > 1:
        second = expected["citations"][1]
        page.locator("#cite-pick label").filter(has_text="[2]").click()
        expect(page.locator("#article mark.cite-active").first).to_have_text(second["text"], timeout=60_000)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat_citation.png"), full_page=True)

    ask(page, FOLLOW_UP, press_enter=True)
    follow = last_answer(page)
    expect(follow).to_contain_text("用电安全")
    expect(follow).to_contain_text("虎强在毕河村安庄查看了什么")  # the question as it was understood
    expect(follow.locator(".cite-ref").first).to_be_visible()
    assert "用电安全" in open_citation(page, 1)
    page.screenshot(path=str(ARTIFACTS / "chat_follow_up.png"), full_page=True)

    # the page uses the local CJK fonts
    font = page.evaluate("() => getComputedStyle(document.querySelector('#chat .msg-answer')).fontFamily")
    assert "Noto Sans CJK SC" in font
    assert page.dialogs == []


def test_html_in_questions_and_corpus_stays_text(page):
    question = f"{IMG}{SCRIPT}**讲师**演示了什么攻击的例子？"
    ask(page, question)
    user = page.locator("#chat .msg-question").last
    expect(user).to_have_text(question)
    answer = last_answer(page)
    expect(answer).to_contain_text(IMG)
    expect(answer).to_contain_text("**加粗**和[链接](javascript:alert(1))")
    open_citation(page, 1)
    article = page.locator("#article")
    expect(article.locator(".article-title")).to_contain_text(IMG)
    expect(article).to_contain_text(SCRIPT)
    expect(article).to_contain_text(IMG)
    expect(page.locator("#sources")).to_contain_text(IMG)
    time.sleep(1)  # give any injected handler the chance to fire before we look
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "xss_as_text.png"), full_page=True)

    found = page.evaluate("""() => ({
        imgX: [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length,
        onerror: document.querySelectorAll('[onerror]').length,
        scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length,
        jsLinks: document.querySelectorAll('a[href^="javascript"]').length,
        bold: [...document.querySelectorAll('#chat strong, #chat b, #article strong, #article b')].length,
    })""")
    assert found == {"imgX": 0, "onerror": 0, "scripts": 0, "jsLinks": 0, "bold": 0}
    assert page.dialogs == []


def test_new_conversation_clears_chat_sources_and_context(page):
    ask(page, SEED)
    expect(page.locator("#sources .cite-btn").first).to_be_visible()
    page.locator("#new-chat").click()
    expect(page.locator("#chat .msg-answer")).to_have_count(0, timeout=30_000)
    expect(page.locator("#sources .cite-btn")).to_have_count(0)
    ask(page, FOLLOW_UP)  # without the earlier turn there is no one for 他 to stand for
    expect(last_answer(page).locator(".msg-note")).to_have_count(0)


def test_example_questions_come_from_the_corpus_and_ask_on_click(page):
    examples = page.locator("#examples")
    expect(examples).to_contain_text(SEED)
    expect(examples).to_contain_text("“红色园区”是怎么回事？")
    examples.get_by_text(SEED).click()
    expect(page.locator("#chat .msg-question").first).to_have_text(SEED, timeout=60_000)
    expect(last_answer(page).locator(".cite-ref").first).to_be_visible(timeout=ANSWER_TIMEOUT)


def test_empty_question_is_explained_in_the_chat(page):
    page.locator("#send").click()
    expect(last_answer(page)).to_contain_text("问题是空的", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat .msg-question")).to_have_count(0)


def test_staff_rebuild_runs_in_the_background_while_questions_are_answered(page, server):
    page.get_by_text("索引状态（工作人员）").click()
    status = page.locator("#index-status")
    expect(status).to_contain_text("intfloat/multilingual-e5-small", timeout=30_000)
    expect(status).to_contain_text("python -m assistant index")
    articles_before = int(status.locator("tr", has_text="文章").locator("td").inner_text())

    (server["corpus"] / "new_page.txt").write_text(
        "社区开展垃圾分类宣传活动\n\n本报讯 6月21日,紫荆山路街道开展垃圾分类宣传活动,志愿者向居民发放宣传册。\n\n记者 李四\n",
        encoding="utf-8")
    page.locator("#rebuild").click()
    ask(page, SEED)  # answered while the index is being updated
    expect(last_answer(page).locator(".cite-ref").first).to_be_visible()
    expect(status).to_contain_text("索引更新完成", timeout=ANSWER_TIMEOUT)
    expect(status.locator("tr", has_text="文章").locator("td")).to_have_text(str(articles_before + 1),
                                                                            timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "staff_status.png"), full_page=True)
    ask(page, "垃圾分类宣传活动向居民发放了什么？")
    expect(last_answer(page)).to_contain_text("宣传册")
