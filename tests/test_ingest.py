"""Files -> Page with real files under tmp_path: encodings, damaged and binary files, folder walking, size cap."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest import decode as ingest
from assistant.errors import CorpusError, IngestError
from assistant.ingest.files import MAX_FILE_BYTES
from assistant.ingest import IngestWarning, discover, load_pages, read_page
from assistant.text import normalize_text

SEED = Path(__file__).resolve().parents[1] / "corpus" / "guancheng_news_2021-06_page1.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
TRADITIONAL = "本報訊 近日，管城回族區委書記虎強帶領相關部門負責人，實地督導國家衛生城市複審工作。\n\n記者 柴琳琳 通訊員 姜璞"


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "data, text, encoding",
    [
        (SEED_TEXT.encode("utf-8"), SEED_TEXT, "utf-8"),
        (codecs.BOM_UTF8 + SEED_TEXT.encode("utf-8"), SEED_TEXT, "utf-8"),
        (SEED_TEXT.encode("gbk"), SEED_TEXT, "gb18030"),
        ((SEED_TEXT + "𠮷野家€").encode("gb18030"), SEED_TEXT + "𠮷野家€", "gb18030"),  # four-byte GB18030 sequences
        (TRADITIONAL.encode("big5"), TRADITIONAL, "big5"),
        (SEED_TEXT.encode("utf-16"), SEED_TEXT, "utf-16"),  # with a BOM (little-endian here)
        (codecs.BOM_UTF16_BE + SEED_TEXT.encode("utf-16-be"), SEED_TEXT, "utf-16"),
        ("你好世界".encode("gbk"), "你好世界", "gb18030"),  # short strings: charset-normalizer gets these wrong
        ("管城回族区".encode("gbk"), "管城回族区", "gb18030"),
        ("新闻".encode("gbk"), "新闻", "gb18030"),
        ("中".encode("gbk"), "中", "gb18030"),
        ("你好世界".encode("big5"), "你好世界", "big5"),
        ("新聞".encode("big5"), "新聞", "big5"),
        ("臺灣".encode("big5"), "臺灣", "big5"),
        ("本報訊".encode("big5"), "本報訊", "big5"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "big5", "utf-16-le-bom", "utf-16-be-bom", "short-gbk-1",
         "short-gbk-2", "short-gbk-3", "one-gbk-char", "short-big5-1", "short-big5-2", "short-big5-3", "short-big5-4"],
)
def test_encodings(tmp_path, data, text, encoding):
    page = read_page(write(tmp_path, "page.txt", data), tmp_path)
    assert page.text == text and page.encoding == encoding
    assert page.sha256 == hashlib.sha256(data).hexdigest()
    assert page.source == "page.txt" and page.page_breaks == () and page.title is None


def test_newlines_and_spaces_are_normalised(tmp_path):
    data = "\ufeff标题\r\n\r\n\u3000\u3000本报讯\u00a0近日,会议召开。\r记者 张三\u200b\t \n".encode("utf-8")
    page = read_page(write(tmp_path, "a.md", data), tmp_path)
    assert page.text == "标题\n\n  本报讯 近日,会议召开。\n记者 张三\n"
    assert normalize_text("，。“”") == "，。“”"  # Chinese punctuation is kept as printed


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("本报讯近日管城回族区会议召开，。“”、记者 ABCxyz0123\n")), min_size=1),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_unicode_files_round_trip(text, codec):
    if not text.strip():
        return
    decoded, _ = ingest.decode_text(text.encode(codec), "x.txt")
    assert decoded == normalize_text(text)


# -------------------------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \n\r\n\t ", "empty"),
        ("\u3000\u3000\n".encode("utf-8"), "only blank space"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "NUL bytes"),
        (bytes(b | 0x80 for b in random.Random(7).randbytes(4096)), "cannot be decoded"),  # high bytes, no NUL
        (b"abc\x01\x02\x03\x04\x05\x06\x07\x08def\x0e\x0f\x10\x11\x12\x13\x14", "control characters"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "byte-order mark"),  # a lone surrogate: not valid UTF-16
    ],
    ids=["empty", "blank", "ideographic-blank", "binary-nul", "garbage", "controls", "bad-utf-16"],
)
def test_bad_text_files_raise_ingest_error_naming_the_file(tmp_path, data, message):
    with pytest.raises(IngestError, match=rf"^bad\.txt: .*{message}"):
        read_page(write(tmp_path, "bad.txt", data), tmp_path)


def test_truncated_utf8_keeps_what_is_there(tmp_path, caplog):
    data = SEED_TEXT.encode("utf-8")[:-2]  # cut inside the last character, 图
    with caplog.at_level(logging.WARNING, logger="assistant.ingest"):
        page = read_page(write(tmp_path, "cut.txt", data), tmp_path)
    assert page.encoding == "utf-8" and page.text == SEED_TEXT[:-1]
    assert "cut.txt" in caplog.text and "truncated" in caplog.text


def test_damaged_utf8_keeps_the_rest(tmp_path):
    raw = bytearray(SEED_TEXT.encode("utf-8"))
    raw[3000] = 0xFF  # one bad byte in the middle
    page = read_page(write(tmp_path, "hole.txt", bytes(raw)), tmp_path)
    assert page.encoding == "utf-8" and page.text.count("\ufffd") >= 1
    assert page.text.startswith(SEED_TEXT[:500]) and page.text.endswith(SEED_TEXT[-500:])


def test_stray_control_characters_are_dropped(tmp_path):
    page = read_page(write(tmp_path, "dos.txt", "本报讯 近日,\x07会议召开。\x1a".encode("gbk")), tmp_path)
    assert page.text == "本报讯 近日,会议召开。"


def test_oversize_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(IngestError, match=r"^huge\.txt: file too large"):
        read_page(path, tmp_path)


def test_unsupported_suffix_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match=r"^notes\.docx: unsupported file type '\.docx'"):
        read_page(write(tmp_path, "notes.docx", b"PK\x03\x04"), tmp_path)


# --------------------------------------------------------------------------------------------------- walking a corpus


def test_bad_file_among_good_ones_is_skipped_with_a_warning(tmp_path):
    write(tmp_path, "a.txt", SEED_TEXT.encode("utf-8"))
    write(tmp_path, "b_binary.txt", b"\x00\x01\x02" * 100)
    write(tmp_path, "c.txt", TRADITIONAL.encode("big5"))
    with pytest.warns(IngestWarning, match=r"skipped b_binary\.txt: contains NUL bytes"):
        pages = load_pages(tmp_path)
    assert [p.source for p in pages] == ["a.txt", "c.txt"]
    seen = []
    load_pages(tmp_path, on_error=lambda source, error: seen.append((source, type(error))))
    assert seen == [("b_binary.txt", IngestError)]


def test_deep_folders_are_walked_and_sources_are_relative_posix(tmp_path):
    deep = "a/b/c/d/e/f/g/page.txt"
    write(tmp_path, deep, SEED_TEXT.encode("gbk"))
    write(tmp_path, "top.md", "标题\n\n正文。".encode("utf-8"))
    assert [p.source for p in load_pages(tmp_path)] == [deep, "top.md"]
    assert discover(tmp_path) == [tmp_path / deep, tmp_path / "top.md"]


def test_symlink_loop_ends_the_walk(tmp_path):
    write(tmp_path, "sub/page.txt", SEED_TEXT.encode("utf-8"))
    os.symlink(tmp_path, tmp_path / "sub" / "loop")  # sub/loop -> the corpus root
    os.symlink(tmp_path / "sub", tmp_path / "sub" / "self")  # sub/self -> sub
    assert discover(tmp_path) == [tmp_path / "sub" / "page.txt"]


def test_symlinked_folder_is_followed_once(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "x.txt", "本报讯 近日,会议召开。".encode("utf-8"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.symlink(outside, corpus / "linked")
    os.symlink(outside, corpus / "linked_again")
    assert [p.source for p in load_pages(corpus)] == ["linked/x.txt"]


def test_hidden_files_and_folders_are_skipped(tmp_path):
    write(tmp_path, "page.txt", SEED_TEXT.encode("utf-8"))
    write(tmp_path, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(tmp_path, ".git/HEAD.txt", b"ref: refs/heads/main")
    write(tmp_path, "sub/.hidden.txt", "秘密".encode("utf-8"))
    assert discover(tmp_path) == [tmp_path / "page.txt"]


def test_duplicate_pages_are_all_returned_with_equal_hashes(tmp_path):
    write(tmp_path, "a.txt", SEED_TEXT.encode("utf-8"))
    write(tmp_path, "copy/a.txt", SEED_TEXT.encode("utf-8"))
    pages = load_pages(tmp_path, on_error=lambda source, error: pytest.fail(str(error)))
    assert [p.source for p in pages] == ["a.txt", "copy/a.txt"]
    assert pages[0].sha256 == pages[1].sha256 and pages[0].text == pages[1].text


def test_missing_empty_and_unreadable_corpus_folders(tmp_path):
    with pytest.raises(CorpusError, match="does not exist.*create it"):
        load_pages(tmp_path / "nope")
    with pytest.raises(CorpusError, match="is not a folder"):
        load_pages(write(tmp_path, "file.txt", b"x"))
    (tmp_path / "empty").mkdir()
    write(tmp_path, "empty/.hidden", b"x")
    with pytest.raises(CorpusError, match="holds no files"):
        load_pages(tmp_path / "empty")
    write(tmp_path, "bad/only.txt", b"")
    with pytest.raises(CorpusError, match="none of the 1 files"):
        load_pages(tmp_path / "bad", on_error=lambda source, error: None)


def test_the_real_corpus_loads(tmp_path):
    [page] = load_pages(SEED.parent)
    assert page.source == SEED.name and page.text == SEED_TEXT and page.encoding == "utf-8"


# ------------------------------------------------------------------------------------------------ web leftovers


@pytest.mark.parametrize("text, kept, removed", [
    ("会议召开。返回搜狐，查看更多责任编辑：", "会议召开。", 2),
    ("会议召开。\n\n返回搜狐，查看更多\n责任编辑：张三\n点击查看更多\n分享到：\n【纠错】\n扫一扫在手机打开当前页\n", "会议召开。\n", 6),
    ("会议召开。(完)  【编辑:周洁】 更多精彩内容请进入体育频道", "会议召开。(完)", 2),
    ("会议召开。(责任编辑：王五 CN070)", "会议召开。", 1),
    ("会议召开。来源：城南日报编辑：杨楠责编：李雪终审：李猛", "会议召开。来源：城南日报", 1),  # editors only
    ("会议召开。分享让更多人看到", "会议召开。", 1),
    ("会议召开。下一篇：夜市新添便民摊位", "会议召开。", 1),
    ("会议召开。编辑：房宽记者：覃广华、黄凯莹", "会议召开。编辑：房宽记者：覃广华、黄凯莹", 0),  # reporters stay
    ("showPlayer({id:\"/v/1.xml\",width:600,autoplay:0}); 会议召开。", "会议召开。", 1),
    ("会议召开。.pic{display:inline-block;position:relative;}.pic img{margin:0;}会后合影。", "会议召开。会后合影。", 1),
    ("$(function(){ var u = 1; if(u){ $(\".a\").css(\"display\",\"block\"); } });\n会议召开。", "会议召开。", 1),
    ("页面写着 <script>alert(1)</script> 这样的文字。", "页面写着 <script>alert(1)</script> 这样的文字。", 0),
    ("One; two (three); done.", "One; two (three); done.", 0),
    ("他说：“要加强审核 资料", "他说：“要加强审核 资料", 0),  # 审核 without a colon is a word
    ("责任编辑要把好关口。", "责任编辑要把好关口。", 0),  # a sentence, not a credit
])
def test_web_leftovers_are_trimmed(text, kept, removed):
    from assistant.ingest.boilerplate import trim

    assert trim(text) == (kept, removed)


def test_text_and_html_pages_count_what_was_trimmed(tmp_path):
    write(tmp_path, "a.txt", "本报讯 近日，会议召开。返回搜狐，查看更多责任编辑：".encode("utf-8"))
    html = ("<html><head><meta charset='utf-8'><title>会议召开</title>"
            "<link rel='canonical' href='https://news.example.cn/2024/03/05/1.shtml'></head><body><article>"
            "<h1>会议召开</h1><p>本报讯 近日，城南街道召开会议，部署夏季防汛工作。</p><p>会议要求各社区做好准备。</p>"
            "<p>责任编辑：张三</p><p>点击查看更多</p></article></body></html>")
    write(tmp_path, "b.html", html.encode("utf-8"))
    a, b = load_pages(tmp_path)
    assert (a.text, a.trimmed, a.file, a.path) == ("本报讯 近日，会议召开。", 2, "", "a.txt")
    assert b.trimmed == 2 and "责任编辑" not in b.text and "点击查看更多" not in b.text
    assert (b.source, b.file, b.path) == ("https://news.example.cn/2024/03/05/1.shtml", "b.html", "b.html")


def test_a_file_of_furniture_only_is_skipped(tmp_path):
    write(tmp_path, "a.txt", "返回搜狐，查看更多\n责任编辑：张三".encode("utf-8"))
    write(tmp_path, "b.txt", "本报讯 近日，会议召开。".encode("utf-8"))
    seen = []
    assert [p.source for p in load_pages(tmp_path, on_error=lambda s, e: seen.append((s, str(e))))] == ["b.txt"]
    assert seen[0][0] == "a.txt" and "only web page furniture" in seen[0][1]


def test_iter_pages_streams_and_load_pages_is_its_list(tmp_path):
    from assistant.ingest import iter_pages

    write(tmp_path, "a.txt", SEED_TEXT.encode("utf-8"))
    write(tmp_path, "b.csv", "标题,正文\n会议召开,本报讯 近日，会议召开。\n".encode("utf-8"))
    pages = iter_pages(tmp_path)
    assert not isinstance(pages, list) and next(pages).source == "a.txt"
    assert [p.source for p in load_pages(tmp_path)] == ["a.txt", "b.csv#1"]
