"""PDF and HTML pages made from the seed page must give the same five articles as the text file.

The files are made here, not stored: the PDF with reportlab's built-in CID font STSong-Light, laid out like a newspaper
page (a banner headline over both columns, then two columns of headlines, indented paragraphs and right-aligned bylines
flowing over two physical pages); the HTML as one news page per article and as one page of <article>/<h2> sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from assistant.articles import split_articles
from assistant.errors import IngestError
from assistant.ingest import load_pages, read_page

SEED = Path(__file__).resolve().parents[1] / "corpus" / "guancheng_news_2021-06_page1.txt"
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def seed_articles():
    page = read_page(SEED, SEED.parent)
    articles = split_articles(page, default_year=2021)
    assert len(articles) == 5
    return articles


# ----------------------------------------------------------------------------------------------------------- the PDF


@dataclass
class Layout:
    path: Path
    pages_of_articles: list[int]  # 1-based page where each headline was drawn
    n_pages: int


def _wrap(text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
    """Greedy character wrap (Chinese breaks anywhere); a space that would open a line is dropped."""
    lines, current, limit = [], "", width - indent
    for ch in text:
        if pdfmetrics.stringWidth(current + ch, FONT, size) > limit:
            lines.append(current)
            current, limit = ("" if ch == " " else ch), width
        else:
            current += ch
    return lines + [current] if current else lines


def make_newspaper_pdf(path: Path, articles, per_char: bool = False) -> Layout:
    """Lay the articles out in two columns; ``per_char`` draws every character on its own, as many real PDFs do."""
    w, h = 595.27, 841.89
    margin, gutter, body, leading = 50.0, 24.0, 11.0, 16.0
    col_w = (w - 2 * margin - gutter) / 2
    c = canvas.Canvas(str(path), pagesize=(w, h))
    state = {"page": 1, "col": 0, "y": h - margin}
    pages_of_articles = []

    def advance(step: float) -> None:
        if state["y"] - step < margin:
            if state["col"] == 0:
                state["col"], state["y"] = 1, state["top"]
            else:
                c.showPage()
                state.update(page=state["page"] + 1, col=0, y=h - margin, top=h - margin)
        state["y"] -= step

    def x_left() -> float:
        return margin + state["col"] * (col_w + gutter)

    def draw(x: float, y: float, text: str, size: float) -> None:
        c.setFont(FONT, size)
        if not per_char:
            c.drawString(x, y, text)
            return
        for ch in text:
            c.drawString(x, y, ch)
            x += pdfmetrics.stringWidth(ch, FONT, size)

    # Banner: the first headline, centred over both columns.
    c.setFont(FONT, 18)
    for line in _wrap(articles[0].title, 18, w - 2 * margin):
        state["y"] -= 24
        c.drawCentredString(w / 2, state["y"], line)
    state["y"] -= 12
    state["top"] = state["y"]
    for n, article in enumerate(articles):
        *paragraphs, byline = article.text.split("\n")
        if n:
            advance(10)  # white space above a headline
            for line in _wrap(article.title, 15, col_w):
                advance(21)
                if len(pages_of_articles) == n:  # the headline's first line names the article's page
                    pages_of_articles.append(state["page"])
                draw(x_left(), state["y"], line, 15)
        else:
            pages_of_articles.append(1)
        for paragraph in paragraphs:
            for k, line in enumerate(_wrap(paragraph, body, col_w, indent=2 * body)):
                advance(leading)
                draw(x_left() + (2 * body if k == 0 else 0), state["y"], line, body)
        advance(leading)
        draw(x_left() + col_w - pdfmetrics.stringWidth(byline, FONT, body), state["y"], byline, body)  # right-aligned
    c.save()
    return Layout(path, pages_of_articles, state["page"])


@pytest.fixture(scope="module", params=["whole-lines", "per-character"])
def newspaper_pdf(request, tmp_path_factory, seed_articles) -> Layout:
    folder = tmp_path_factory.mktemp(request.param)
    return make_newspaper_pdf(folder / "page1.pdf", seed_articles, per_char=request.param == "per-character")


def test_pdf_gives_the_same_articles_as_the_text_file(newspaper_pdf, seed_articles):
    assert newspaper_pdf.n_pages >= 2
    page = read_page(newspaper_pdf.path, newspaper_pdf.path.parent)
    assert page.encoding == "pdf" and page.source == "page1.pdf"
    got = split_articles(page, default_year=2021)
    assert [squash(a.title) for a in got] == [squash(a.title) for a in seed_articles]
    for pdf_article, txt_article in zip(got, seed_articles):
        assert squash(pdf_article.text) == squash(txt_article.text)
        assert pdf_article.text.count("\n") == txt_article.text.count("\n")  # paragraphs rebuilt, not just characters
        assert pdf_article.date == txt_article.date
        assert (pdf_article.byline, pdf_article.reporters) == (txt_article.byline, txt_article.reporters)


def test_pdf_articles_name_their_page(newspaper_pdf):
    page = read_page(newspaper_pdf.path, newspaper_pdf.path.parent)
    assert len(page.page_breaks) == newspaper_pdf.n_pages and page.page_breaks[0] == 0
    assert list(page.page_breaks) == sorted(page.page_breaks)
    got = split_articles(page)
    assert [a.page for a in got] == newspaper_pdf.pages_of_articles
    assert got[-1].page >= 2


def test_pdf_reading_order_goes_down_the_left_column_first(tmp_path):
    # Lines on the same baseline in two columns must not be interleaved.
    path = tmp_path / "cols.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont(FONT, 12)
    left = [f"左栏第{n}行文字内容" for n in range(1, 9)]
    right = [f"右栏第{n}行文字内容" for n in range(1, 9)]
    for n, (a, b) in enumerate(zip(left, right)):
        c.drawString(50, 780 - 18 * n, a + "。")
        c.drawString(320, 780 - 18 * n, b + "。")
    c.save()
    text = read_page(path, tmp_path).text
    assert text.index("左栏第8行") < text.index("右栏第1行")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ngarbage", "broken.pdf"),
        ("notpdf.pdf", b"hello, I am not a PDF at all", "notpdf.pdf"),
    ],
)
def test_unreadable_pdf_is_an_ingest_error(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(IngestError, match=message):
        read_page(tmp_path / name, tmp_path)


def test_encrypted_pdf_is_an_ingest_error(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", canPrint=0))
    c.setFont(FONT, 12)
    c.drawString(50, 780, "本报讯 加密的页面。")
    c.save()
    with pytest.raises(IngestError, match="locked.pdf.*(encrypted|password)"):
        read_page(path, tmp_path)


def test_pdf_without_text_layer_is_an_ingest_error(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)  # stands in for a scanned image: marks on the page, no text
    c.save()
    with pytest.raises(IngestError, match="scan.pdf.*no text layer"):
        read_page(path, tmp_path)


# ---------------------------------------------------------------------------------------------------------- the HTML


def _html_page(article, n: int, charset: str = "utf-8") -> str:
    *paragraphs, byline = article.text.split("\n")
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{article.title} - 管城新闻网</title>
<link rel="canonical" href="https://news.example.cn/2021/06/{n}.html">
<meta property="og:url" content="https://news.example.cn/og/{n}.html">
<script>var tracker = "<p>不是正文</p>";</script><style>p {{ line-height: 2 }}</style>
</head><body>
<nav><a href="/">首页</a> <a href="/yw">要闻</a> <a href="/sz">时政</a> <a href="/sh">社会</a></nav>
<div class="content"><article>
<h1>{article.title}</h1>
<div class="meta">来源：管城新闻网</div>
{body}
<p class="author">{byline}</p>
</article></div>
<footer><p>版权所有 管城新闻网 豫ICP备00000000号</p></footer>
</body></html>"""


def test_one_html_page_per_article(tmp_path, seed_articles):
    for n, article in enumerate(seed_articles, 1):
        (tmp_path / f"{n}.html").write_text(_html_page(article, n), encoding="utf-8")
    pages = load_pages(tmp_path)
    assert [p.source for p in pages] == [f"https://news.example.cn/2021/06/{n}.html" for n in range(1, 6)]
    for page, expected in zip(pages, seed_articles):
        got = split_articles(page, default_year=2021)
        assert len(got) == 1
        assert squash(got[0].title) == squash(expected.title)
        assert squash(got[0].text) == squash(expected.text)
        assert got[0].reporters == expected.reporters and got[0].dateline == "本报讯"
        assert "不是正文" not in got[0].text and "版权所有" not in got[0].text and "首页" not in got[0].text


def test_html_page_of_sections(tmp_path, seed_articles):
    sections = []
    for article in seed_articles:
        paragraphs = "".join(f"<p>{p}</p>\n" for p in article.text.split("\n"))
        sections.append(f"<article>\n<h2>{article.title}</h2>\n{paragraphs}</article>")
    html = ("<html><head><meta charset='utf-8'><title>管城新闻 第1版</title></head><body><nav><a href='/'>首页</a>"
            "</nav><main>" + "\n".join(sections) + "</main><footer>版权所有</footer></body></html>")
    (tmp_path / "all.html").write_text(html, encoding="utf-8")
    got = split_articles(read_page(tmp_path / "all.html", tmp_path), default_year=2021)
    assert [squash(a.title) for a in got] == [squash(a.title) for a in seed_articles]
    assert [squash(a.text) for a in got] == [squash(a.text) for a in seed_articles]
    assert [a.date for a in got] == [a.date for a in seed_articles]


def test_html_text_is_data_and_gbk_declared_pages_decode(tmp_path, seed_articles):
    article = seed_articles[1]
    html = _html_page(article, 2, charset="gb2312").replace(
        "<p class=\"author\">", "<p>页面里写着 &lt;script&gt;alert(1)&lt;/script&gt; 这样的文字。</p><p class=\"author\">")
    (tmp_path / "gbk.htm").write_bytes(html.encode("gb18030"))
    page = read_page(tmp_path / "gbk.htm", tmp_path)
    assert page.title == article.title
    got = split_articles(page)[0]
    assert "<script>alert(1)</script>" in got.text  # the characters as printed, not markup
    assert got.text.startswith("本报讯 近日")
    assert got.byline == article.byline


def test_html_without_an_article_is_an_ingest_error(tmp_path):
    (tmp_path / "empty.html").write_text("<html><head><title>x</title></head><body><nav>首页</nav></body></html>")
    with pytest.raises(IngestError, match="empty.html"):
        read_page(tmp_path / "empty.html", tmp_path)


# ------------------------------------------------------------------------------------------------- unsupported types


def test_unsupported_files_are_skipped_with_a_message_naming_them(tmp_path):
    (tmp_path / "page.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64)
    skipped: list[tuple[str, str]] = []
    pages = load_pages(tmp_path, on_error=lambda source, error: skipped.append((source, str(error))))
    assert [p.source for p in pages] == ["page.txt"]
    assert sorted(s for s, _ in skipped) == ["photo.jpg", "report.docx"]
    for source, message in skipped:
        assert source in message and "unsupported file type" in message
