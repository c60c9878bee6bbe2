"""The chat in a real browser: Debian's Chromium, driven by Playwright, against ``python app.py`` on loopback.

Two servers: one over a copy of the shipped page plus a page whose headline and text hold HTML and markdown (they
must show as typed and never become elements or fire dialogs), and one over a small second corpus written here (web
pages of another district, with long canonical URLs), so that the examples and title can be compared.  Screenshots at
1400×1000 and 390×844 go to tests/artifacts/ (git-ignored).  Waits are for elements after ``domcontentloaded``, never
for network idle (the page never gets there offline).
"""

from __future__ import annotations

import re
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
WIDE = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
START_TIMEOUT = 600  # seconds: the first start builds the index
ANSWER_TIMEOUT = 180_000  # ms: answers take seconds, more on a busy two-core machine
# Three questions about three different articles of the shipped page.
QUESTIONS = ("区人大常委会主任是谁？", "“红色园区”示范基地包含哪些部分？", "赵吉平带领督导了什么？")
FOLLOW_UP = ("虎强督导了哪些工作？", "他在毕河村安庄查看了什么？")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
XSS_PAGE = f"""社区举办网络安全讲座 提醒居民警惕{IMG}恶意代码

本报讯 6月20日上午,城东路街道在社区活动中心举办网络安全知识讲座。讲师提醒居民,网页中出现{SCRIPT}这样的代码可能是恶意脚本,\
不要随意点击陌生链接。讲师还演示了{IMG}这种图片标签攻击的例子,以及**加粗**和[链接](javascript:alert(1))这样的标记。

记者 王小明
"""
# A long article: its panel must scroll inside a 1000-px-high window rather than run past it.
LONG_PAGE = ("城东路街道推进老旧小区改造 惠及居民两千余户\n\n"
             "本报讯 6月22日,记者从城东路街道获悉,今年以来该街道共启动老旧小区改造项目12个,惠及居民2360户。\n\n"
             + "".join(f"第{i}个改造小区的工程包括更换供水管道、粉刷楼道墙面、增设电动车充电桩和修整小区道路,"
                       f"施工队在{i}号楼前设立了公示牌,居民可以随时了解工程进度。\n\n" for i in range(1, 41))
             + "记者 赵六\n")
LONG_QUESTION = "城东路街道老旧小区改造惠及多少户居民？"
SORTING = Path(__file__).resolve().parent / "data" / "sorting"
TOUCH = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple HIG)
# The second corpus: news pages of another district, each with a long canonical URL (the source link must wrap).
OTHER_PAGES = [
    ("smart-community", "2023-08-10", "滨江区“智慧社区”建设推进会召开",
     ["本报讯 8月10日上午，滨江区在长河街道召开“智慧社区”建设推进会。区长周明远出席会议并讲话。",
      "周明远表示，要加快推进社区数字化改造，让居民办事少跑腿、好办事。会议通报了长河街道等5个街道的试点进展，"
      "长河街道已建成社区服务平台3个。", "会上，长河街道、西兴街道作了交流发言。", "记者 陈晓雨"]),
    ("flood-drill", "2023-08-12", "滨江区开展夏季防汛应急演练",
     ["本报讯 8月12日，滨江区在长河街道江边公园开展夏季防汛应急演练。副区长孙立华带队检查防汛物资储备情况。",
      "孙立华要求，各街道要落实防汛责任，备足沙袋、水泵等物资，确保汛期安全。演练模拟了暴雨导致道路积水的情形，"
      "消防、城管等部门参加。", "记者 陈晓雨 通讯员 林舟"]),
    ("city-library", "2023-08-15", "西兴街道“城市书房”正式开放",
     ["本报讯 8月15日，位于西兴街道的“城市书房”正式向市民开放。书房藏书1万余册，每天开放到晚上10点。",
      "区长周明远在开放仪式上表示，要让更多居民在家门口享受阅读服务。", "记者 王一凡"]),
]


def other_page(slug: str, date: str, title: str, paragraphs: list[str]) -> str:
    url = f"https://news.example.cn/binjiang/2023/08/{slug}/detail-{'0123456789abcdef' * 3}.html"
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{url}">'
            f'<meta property="article:published_time" content="{date}T09:00:00+08:00">'
            f"</head><body><article><h1>{title}</h1>{body}</article></body></html>")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root: Path, corpus: Path, *extra: str):
    """Start ``python app.py`` over ``corpus`` (its first start builds the index); return (process, url, log)."""
    port = free_port()
    log = root / "app.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--corpus", str(corpus), "--index-dir", str(root / "index"),
                                 "--port", str(port), *extra], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "gradio_api/info", timeout=5):
                return proc, url, log
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"app.py did not answer:\n{log.read_text(encoding='utf-8')[-3000:]}") from None
            time.sleep(1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python app.py`` over a copy of the shipped page plus the XSS page."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "xss_page.txt").write_text(XSS_PAGE, encoding="utf-8")
    (corpus / "long_page.txt").write_text(LONG_PAGE, encoding="utf-8")
    proc, url, log = serve(root, corpus, "--year", "2021")
    yield {"url": url, "corpus": corpus, "log": log}
    stop(proc)


@pytest.fixture(scope="module")
def other_server(tmp_path_factory):
    """``python app.py`` over the second corpus: three web pages of another district."""
    root = tmp_path_factory.mktemp("other")
    corpus = root / "corpus"
    corpus.mkdir()
    for slug, date, title, paragraphs in OTHER_PAGES:
        (corpus / f"{slug}.html").write_text(other_page(slug, date, title, paragraphs), encoding="utf-8")
    proc, url, log = serve(root, corpus)
    yield {"url": url}
    stop(proc)


@pytest.fixture(scope="module")
def sorting_server(tmp_path_factory):
    """``python app.py`` over tests/data/sorting: 18 dated district reports, one file each, 14 of them on 垃圾分类."""
    root = tmp_path_factory.mktemp("sorting")
    corpus = root / "corpus"
    shutil.copytree(SORTING, corpus)
    proc, url, log = serve(root, corpus)
    yield {"url": url, "corpus": corpus}
    stop(proc)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url: str, viewport: dict = WIDE) -> Page:
    """A fresh tab on the app; every dialog it opens is recorded (and dismissed) in ``page.dialogs``."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(url, wait_until="domcontentloaded")
    pg.locator("#question textarea").wait_for(timeout=60_000)
    expect(pg.locator("#examples .example").first).to_be_visible(timeout=60_000)
    return pg


@pytest.fixture
def page(browser, server):
    pg = open_page(browser, server["url"])
    yield pg
    pg.context.close()


@pytest.fixture
def phone(browser, server):
    pg = open_page(browser, server["url"], PHONE)
    yield pg
    pg.context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def ask(page: Page, question: str, *, press_enter: bool = False) -> None:
    """Type a question, send it and wait until its answer has finished streaming."""
    turns = page.locator("#chat .turn")
    before = turns.count()
    box = page.locator("#question textarea")
    box.fill(question)
    if press_enter:
        box.press("Enter")
    else:
        page.locator("#send").click()
    expect(turns).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    expect(turns.nth(before).locator(".msg-pending")).to_have_count(0, timeout=ANSWER_TIMEOUT)


def answer(page: Page, msg: int):
    return page.locator(f"#chat .msg-answer[data-msg='{msg}']")


def cited(page: Page, msg: int, n: int) -> tuple[str, str]:
    """(headline, sentence) the sources list of answer ``msg`` gives for its citation ``n``."""
    src = answer(page, msg).locator(".src", has=page.locator(f".src-cite[data-cite='{n}']"))
    sentence = src.locator(f".src-cite[data-cite='{n}']").inner_text().removeprefix(f"[{n}]").strip()
    return src.locator(".src-title").inner_text().strip("《》"), sentence


def highlighted(page: Page) -> str:
    page.locator("#article mark.cite-active").first.wait_for(timeout=60_000)
    return "".join(page.locator("#article mark.cite-active").all_inner_texts())


def test_earlier_citations_open_their_own_article_and_the_chat_stays_put(page, server):
    from gradio_client import Client

    expected = Client(server["url"], verbose=False).predict(QUESTIONS[0], api_name="/ask")
    page.evaluate("""() => {
        window.seenAnswers = new Set();
        new MutationObserver(() => {
            const a = [...document.querySelectorAll('#chat .msg-answer')].pop();
            if (a) window.seenAnswers.add(a.innerText);
        }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
    }""")
    ask(page, QUESTIONS[0])
    first = answer(page, 0)
    expect(first.locator(".cite-ref").first).to_have_text("[1]")
    partial = [s for s in page.evaluate("() => [...window.seenAnswers]") if s != first.inner_text() and s.strip()]
    assert len(partial) >= 3  # the answer was streamed: the chat showed it growing
    ask(page, QUESTIONS[1])
    # the reader scrolls back up; the next question and its answer are still brought into view
    page.evaluate("() => { document.querySelector('#chat .chat-scroll').scrollTop = 0; }")
    expect(page.locator("#chat .msg-question").first).to_be_in_viewport()
    ask(page, QUESTIONS[2], press_enter=True)
    expect(page.locator("#chat .msg-question").last).to_be_in_viewport(timeout=10_000)

    titles = [cited(page, i, 1)[0] for i in range(3)]
    assert titles[0] == expected["citations"][0]["title"]
    assert len(set(titles)) == 3, titles  # three answers, three different first sources

    chat_box = page.locator("#chat").bounding_box()
    scroll_y = page.evaluate("window.scrollY")
    for msg in (0, 2, 1, 0):  # the first answer's [1] still opens the first answer's source after three questions
        title, sentence = cited(page, msg, 1)
        answer(page, msg).locator(".cite-ref[data-cite='1']").first.click()
        expect(page.locator("#article .article-title")).to_have_text(title, timeout=60_000)
        assert highlighted(page) == sentence
        expect(page.locator("#article .article-cited")).to_contain_text(f"第 {msg + 1} 个回答")
        # the article opens beside the chat: the chat does not move and the page does not scroll
        assert page.locator("#chat").bounding_box() == chat_box
        assert page.evaluate("window.scrollY") == scroll_y
        expect(page.locator("#article mark.cite-active").first).to_be_in_viewport(timeout=10_000)
    expect(page.locator("#chat .cite-on")).not_to_have_count(0)  # the open citation is lit in its answer
    shot(page, "wide_citations.png")

    # the markers are buttons: Tab-reachable, Enter and Space open them, Escape closes the panel
    answer(page, 2).locator(".cite-ref[data-cite='1']").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#article .article-title")).to_have_text(cited(page, 2, 1)[0], timeout=60_000)
    answer(page, 1).locator(".src-cite[data-cite='1']").focus()
    page.keyboard.press("Space")
    expect(page.locator("#article .article-title")).to_have_text(cited(page, 1, 1)[0], timeout=60_000)
    page.keyboard.press("Escape")
    expect(page.locator("#article .article-empty")).to_be_visible(timeout=30_000)

    # one date format for people: no ISO date anywhere on the page
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}", page.locator("body").inner_text())
    font = page.evaluate("() => getComputedStyle(document.querySelector('#chat .msg-answer')).fontFamily")
    assert "Noto Sans CJK SC" in font
    assert page.dialogs == []


def test_a_follow_up_is_understood_and_its_sources_are_its_own(page):
    ask(page, FOLLOW_UP[0])
    ask(page, FOLLOW_UP[1])
    follow = answer(page, 1)
    expect(follow).to_contain_text("用电安全")
    expect(follow).to_contain_text("虎强在毕河村安庄查看了什么")  # the question as it was understood
    follow.locator(".cite-ref[data-cite='1']").first.click()
    assert "用电安全" in highlighted(page)


def test_on_a_phone_the_source_opens_as_a_sheet_over_a_chat_that_stays_put(phone):
    shot(phone, "phone_start.png")
    ask(phone, QUESTIONS[0])
    shot(phone, "phone_chat.png")
    expect(phone.locator("#source-col")).to_be_hidden()
    chat_box = phone.locator("#chat").bounding_box()
    title, sentence = cited(phone, 0, 1)
    answer(phone, 0).locator(".cite-ref[data-cite='1']").first.click()
    expect(phone.locator("#article .article-title")).to_have_text(title, timeout=60_000)
    assert highlighted(phone) == sentence
    sheet = phone.locator("#source-col").bounding_box()
    assert sheet["width"] == PHONE["width"] and abs(sheet["y"] + sheet["height"] - PHONE["height"]) <= 1
    assert phone.locator("#chat").bounding_box() == chat_box
    expect(phone.locator("#article mark.cite-active").first).to_be_in_viewport(timeout=10_000)
    shot(phone, "phone_source.png")
    phone.locator("#article .article-close").click()
    expect(phone.locator("#source-col")).to_be_hidden(timeout=30_000)
    # nothing runs past the screen's width
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# The extent of the area that hits one [n] button, through its centre: up, down, left and right, one pixel at a time.
HIT_AREA = """(b) => {
    b.scrollIntoView({block: 'center'});
    const r = b.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const hits = (x, y) => { const e = document.elementFromPoint(x, y); return !!e && e.closest('.cite-ref') === b; };
    const reach = (dx, dy) => {
        let d = 0;
        while (d < 80 && hits(cx + dx * (d + 1), cy + dy * (d + 1))) d++;
        return d;
    };
    return {width: reach(-1, 0) + reach(1, 0) + 1, height: reach(0, -1) + reach(0, 1) + 1, seen: r.height};
}"""


def test_on_a_phone_citation_buttons_are_touch_sized(phone):
    ask(phone, FOLLOW_UP[0])
    refs = answer(phone, 0).locator(".cite-ref")
    # markers printed side by side ([1][2]) share the space between them; measure those with text on both sides
    alone = [r for r in refs.all() if r.evaluate(
        "b => ![b.previousSibling, b.nextSibling].some(n => n && n.nodeType === 1 && n.matches('.cite-ref'))")]
    assert alone, "no citation marker found"
    for ref in alone[:3]:
        area = ref.evaluate(HIT_AREA)
        assert area["width"] >= TOUCH and area["height"] >= TOUCH, area
    alone[0].click()
    expect(phone.locator("#article .article-title")).to_be_visible(timeout=60_000)


def test_the_article_panel_fits_a_1000_px_window(page):
    ask(page, LONG_QUESTION)
    first = answer(page, 0)
    expect(first).to_contain_text("2360")
    first.locator(".cite-ref[data-cite='1']").first.click()
    expect(page.locator("#article .article-title")).to_contain_text("老旧小区改造", timeout=60_000)
    view = page.locator("#article .article-view")
    box = view.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= WIDE["height"], box  # all of it on screen, close button too
    assert page.evaluate("window.scrollY") == 0
    body = page.locator("#article .article-body")
    assert body.evaluate("b => b.scrollHeight > b.clientHeight + 100")  # the long text scrolls inside the panel
    expect(page.locator("#article mark.cite-active").first).to_be_in_viewport(timeout=10_000)
    expect(page.locator("#article .article-close")).to_be_in_viewport()
    shot(page, "wide_long_article.png")


def test_examples_title_and_links_come_from_each_corpus(page, browser, other_server):
    seed_examples = page.locator("#examples .example").all_inner_texts()
    assert any("虎强" in q for q in seed_examples), seed_examples
    expect(page.locator("#app-header")).to_contain_text("2021年6月")
    other = open_page(browser, other_server["url"])
    try:
        other_examples = other.locator("#examples .example").all_inner_texts()
        assert any("周明远" in q for q in other_examples), other_examples
        assert not set(seed_examples) & set(other_examples)
        assert "周明远" in other.locator("#question textarea").get_attribute("placeholder")
        expect(other.locator("#app-header h1")).to_have_text("news.example.cn · 新闻问答助手")
        expect(other.locator("#app-header")).to_contain_text("2023年8月10日至8月15日")
        assert other.title() == "news.example.cn · 新闻问答助手"

        other.locator("#examples .example").filter(has_text="周明远").click()  # an example asks itself
        expect(other.locator("#chat .msg-question").first).to_have_text(
            next(q for q in other_examples if "周明远" in q), timeout=60_000)
        first = answer(other, 0)
        expect(first.locator(".msg-pending")).to_have_count(0, timeout=ANSWER_TIMEOUT)
        link = first.locator(".src a.src-link").first
        assert link.get_attribute("href").startswith("https://news.example.cn/binjiang/2023/08/")
        assert link.get_attribute("rel") == "noopener noreferrer"
        card, box = first.locator(".src").first.bounding_box(), link.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"] + 1  # the long URL wraps inside its card
        shot(other, "wide_other_corpus.png")
    finally:
        other.context.close()


def test_a_long_list_shows_ten_reports_until_show_all_is_clicked(browser, sorting_server):
    texts = [f.read_text(encoding="utf-8") for f in sorting_server["corpus"].glob("*.txt")]
    reports = {t.splitlines()[0] for t in texts if "垃圾分类" in t}  # the headlines of the reports on the topic
    assert len(reports) == 14 < len(texts)  # the list must hold every one of them, more than the ten shown
    pg = open_page(browser, sorting_server["url"])
    try:
        ask(pg, "关于垃圾分类有哪些报道？")
        first = answer(pg, 0)
        expect(first).to_contain_text(f"共找到 {len(reports)} 篇相关报道")
        items, sources = first.locator("ol.answer-list > li"), first.locator(".src-list > li.src")
        button = first.locator("button.show-all")
        expect(items).to_have_count(len(reports))
        expect(first.locator("ol.answer-list > li:visible")).to_have_count(10)
        expect(first.locator(".src-list > li.src:visible")).to_have_count(10)
        expect(items.nth(10)).to_be_hidden()
        expect(button).to_have_text(f"显示全部 {len(reports)} 篇")
        expect(button).to_have_attribute("aria-expanded", "false")

        button.click()
        expect(first.locator("ol.answer-list > li:visible")).to_have_count(len(reports))
        expect(first.locator(".src-list > li.src:visible")).to_have_count(len(reports))
        expect(button).to_have_text("只显示前 10 篇")
        expect(button).to_have_attribute("aria-expanded", "true")
        items.last.scroll_into_view_if_needed()
        expect(items.last).to_be_in_viewport()
        # the list is the corpus's reports on the topic, each once, and nothing else
        titles = [t.strip("《》") for t in sources.locator(".src-title").all_inner_texts()]
        assert sorted(titles) == sorted(reports)
        shot(pg, "wide_list_expanded.png")

        button.click()
        expect(first.locator("ol.answer-list > li:visible")).to_have_count(10)
        expect(first.locator(".src-list > li.src:visible")).to_have_count(10)
        expect(button).to_have_text(f"显示全部 {len(reports)} 篇")
        expect(button).to_have_attribute("aria-expanded", "false")
        # each cited report of the list opens in the panel, the hidden ones included once shown
        button.click()
        first.locator(f".cite-ref[data-cite='{len(reports)}']").first.click()
        expect(pg.locator("#article .article-title")).to_have_text(cited(pg, 0, len(reports))[0], timeout=60_000)
        assert "垃圾分类" in highlighted(pg)
    finally:
        pg.context.close()


def test_an_over_long_question_is_refused_before_and_after_sending(page):
    question = "请问" + "这是一段很长的背景说明。" * 250 + "虎强督导了哪些工作？"
    box = page.locator("#question textarea")
    box.fill(question)
    meter = page.locator("#question-meter")
    expect(meter).to_contain_text("超出", timeout=10_000)  # visible before sending
    expect(meter).to_contain_text("/ 500 字")
    page.locator("#send").click()
    notice = page.locator("#notice .notice-error")
    expect(notice).to_contain_text("问题太长", timeout=60_000)
    expect(notice).to_contain_text("500")
    expect(page.locator("#chat .turn")).to_have_count(0)  # never silently cut and answered
    assert box.input_value() == question  # kept, to be shortened
    shot(page, "wide_too_long.png")
    box.fill("甲" * 450)
    expect(meter).to_contain_text("450 / 500 字", timeout=10_000)
    expect(meter).not_to_contain_text("超出")


def test_errors_are_shown_once_and_cleared_by_an_answer(page):
    for _ in range(3):
        page.locator("#send").click()
        time.sleep(0.5)
    notice = page.locator("#notice .notice-error")
    expect(notice).to_have_count(1, timeout=60_000)
    expect(notice).to_contain_text("问题是空的")
    expect(notice).to_contain_text("可以试试")  # with an example drawn from the corpus
    page.locator("#question textarea").fill("长" * 600)
    page.locator("#send").click()
    expect(notice).to_contain_text("问题太长", timeout=60_000)
    expect(page.locator(".notice-error")).to_have_count(1)
    expect(page.locator("#chat .turn")).to_have_count(0)
    ask(page, QUESTIONS[0])
    expect(page.locator(".notice-error")).to_have_count(0)


def test_html_in_questions_and_corpus_stays_text(page):
    question = f"{IMG}{SCRIPT}**讲师**演示了什么攻击的例子？"
    ask(page, question)
    expect(page.locator("#chat .msg-question").last).to_have_text(question)
    last = answer(page, 0)
    expect(last).to_contain_text(IMG)
    expect(last).to_contain_text("**加粗**和[链接](javascript:alert(1))")
    last.locator(".cite-ref[data-cite='1']").first.click()
    article = page.locator("#article")
    expect(article.locator(".article-title")).to_contain_text(IMG, timeout=60_000)
    expect(article).to_contain_text(SCRIPT)
    expect(last.locator(".src-title").first).to_contain_text(IMG)
    time.sleep(1)  # give any injected handler the chance to fire before we look
    shot(page, "wide_xss_as_text.png")
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
    ask(page, FOLLOW_UP[0])
    answer(page, 0).locator(".cite-ref").first.click()
    expect(page.locator("#article .article-view")).to_be_visible(timeout=60_000)
    page.locator("#new-chat").click()
    expect(page.locator("#chat .turn")).to_have_count(0, timeout=30_000)
    expect(page.locator("#article .article-view")).to_have_count(0)
    ask(page, FOLLOW_UP[1])  # without the earlier turn there is no one for 他 to stand for
    expect(answer(page, 0).locator(".msg-note")).to_have_count(0)


def test_staff_view_confirms_a_rebuild_and_shows_its_progress(page, server):
    page.get_by_text("索引状态（工作人员）").click()
    status = page.locator("#index-status")
    expect(status).to_contain_text("intfloat/multilingual-e5-small", timeout=30_000)
    expect(status).to_contain_text("python -m assistant index")
    expect(status).to_contain_text("建立时间")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\+0000", status.inner_text())  # people's dates, local time
    articles_before = int(re.search(r"([\d,]+) 篇文章", status.inner_text()).group(1).replace(",", ""))

    expect(status).to_contain_text("2021年6月16日 至 2021年6月22日")
    expect(status).to_contain_text("没有变化")

    (server["corpus"] / "new_page.txt").write_text(
        "社区开展垃圾分类宣传活动\n\n本报讯 6月21日,紫荆山路街道开展垃圾分类宣传活动,志愿者向居民发放宣传册。\n\n记者 李四\n",
        encoding="utf-8")
    page.locator("#refresh-status").click()
    expect(status).to_contain_text("新增 1 个：new_page.txt", timeout=30_000)
    page.locator("#rebuild").click()  # asks first, saying what the rebuild will read
    confirm = status.locator(".status-confirm")
    expect(confirm).to_contain_text("确定要更新索引吗", timeout=30_000)
    expect(confirm).to_contain_text("新增 1 个：new_page.txt")
    page.locator("#rebuild-cancel").click()
    expect(status).not_to_contain_text("确定要更新索引吗", timeout=30_000)
    expect(page.locator("#rebuild-confirm")).to_be_hidden()

    page.locator("#rebuild").click()
    page.locator("#rebuild-confirm").click()
    ask(page, QUESTIONS[0])  # answered while the index is being updated
    expect(answer(page, 0).locator(".cite-ref").first).to_be_visible()
    expect(status).to_contain_text("索引更新完成", timeout=ANSWER_TIMEOUT)
    expect(status).to_contain_text(f"{articles_before + 1} 篇文章", timeout=30_000)
    expect(status).to_contain_text("没有变化")
    page.locator("#staff").scroll_into_view_if_needed()
    shot(page, "wide_staff.png")
    ask(page, "垃圾分类宣传活动向居民发放了什么？")
    expect(answer(page, 1)).to_contain_text("宣传册")
