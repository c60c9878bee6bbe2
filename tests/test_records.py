"""CMS exports -> one Page (and one Article) per record: CSV (UTF-8 with BOM, GBK), TSV, JSON arrays, JSON Lines;
field names in English and Chinese and mapped by the user; bad rows and records without text skipped with a message;
large files read as a stream.  Every export here is written by the test from text written for this project."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from assistant.articles import split_articles
from assistant.errors import ConfigError, IngestError
from assistant.ingest import iter_pages, load_pages
from assistant.ingest import records
from assistant.ingest.records import parse_date

HEADER = ["标题", "发布时间", "栏目", "正文", "链接"]
ROWS = [
    ["城南社区食堂开门迎客", "2024-03-05 19:00:00", "民生", "本报讯（记者 张晓明）近日，城南街道第一家社区食堂正式营业。\n老人凭卡就餐可享受优惠。",
     "https://news.example.cn/2024/03/05/1.shtml"],
    ["夜市新添便民摊位", "2024年3月6日", "民生", "城南夜市新增修鞋、配钥匙等便民摊位，方便居民晚间办事。", ""],
    ["河道治理进入收尾阶段", "2024/3/7", "城建", "城南日报讯 3月6日，河道治理工程进入收尾阶段。返回搜狐，查看更多责任编辑：",
     "https://news.example.cn/2024/03/07/3.shtml"],
]


def csv_bytes(header, rows, *, encoding="utf-8-sig", delimiter=",") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode(encoding)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def collect(folder: Path, **kw):
    errors: list[tuple[str, str]] = []
    pages = load_pages(folder, on_error=lambda src, err: errors.append((src, str(err))), **kw)
    return pages, errors


# --------------------------------------------------------------------------------------------------------------- CSV


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16"])
def test_csv_export_gives_one_page_per_record(tmp_path, encoding):
    write(tmp_path, "exports/export.csv", csv_bytes(HEADER, ROWS, encoding=encoding))
    pages, errors = collect(tmp_path)
    assert errors == []
    assert [p.source for p in pages] == ["https://news.example.cn/2024/03/05/1.shtml", "exports/export.csv#2",
                                         "https://news.example.cn/2024/03/07/3.shtml"]
    assert [p.path for p in pages] == ["exports/export.csv"] * 3 and [p.row for p in pages] == [1, 2, 3]
    assert [p.title for p in pages] == [r[0] for r in ROWS]
    assert [p.date for p in pages] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert [p.section for p in pages] == ["民生", "民生", "城建"]
    assert pages[0].text == ROWS[0][3] and pages[2].trimmed == 2 and "返回搜狐" not in pages[2].text


def test_each_record_is_one_article_with_its_fields(tmp_path):
    write(tmp_path, "export.csv", csv_bytes(HEADER, ROWS))
    articles = [a for p in load_pages(tmp_path) for a in split_articles(p)]
    assert [a.title for a in articles] == [r[0] for r in ROWS]
    # 3月6日 opening a record of 3月7日 is the event's day: the record's date stands.
    assert [a.date for a in articles] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert articles[0].reporters == ("记者 张晓明",) and articles[0].section == "民生"
    assert articles[0].text == "本报讯（记者 张晓明）近日，城南街道第一家社区食堂正式营业。\n老人凭卡就餐可享受优惠。"
    assert articles[1].source == "export.csv#2" and articles[2].dateline == "城南日报讯"


def test_tsv_and_other_delimiters(tmp_path):
    write(tmp_path, "a.tsv", csv_bytes(HEADER, ROWS, encoding="utf-8", delimiter="\t"))
    write(tmp_path, "b.csv", csv_bytes(HEADER, ROWS[:1], encoding="utf-8", delimiter=";"))
    pages, errors = collect(tmp_path)
    assert errors == [] and [p.path for p in pages] == ["a.tsv"] * 3 + ["b.csv"]
    assert pages[3].title == ROWS[0][0]


def test_bad_rows_and_records_without_text_are_skipped_and_named(tmp_path):
    rows = [ROWS[0], ["只有标题", "2024-03-05", "民生", "", ""], ROWS[1] + ["多出来的", "一格"], ROWS[2]]
    write(tmp_path, "export.csv", csv_bytes(HEADER, rows))
    pages, errors = collect(tmp_path)
    assert [p.row for p in pages] == [1, 4]
    assert errors[0] == ("export.csv#2", "export.csv row 2: no text field (looked for text/content/body/正文/内容/"
                                         "articletext/…); skipped")
    assert errors[1][0] == "export.csv#3" and "row 3: 7 cells but the header has 5 columns" in errors[1][1]


def test_an_export_without_any_text_column_is_one_message(tmp_path):
    write(tmp_path, "page.txt", "标题\n\n本报讯 近日，会议召开。")
    write(tmp_path, "_truth.jsonl", "".join(json.dumps({"id": f"x-{i}", "date": "2024-01-01"}) + "\n"
                                            for i in range(30)))
    write(tmp_path, "meta.json", json.dumps([{"id": 1}, {"id": 2}]))
    pages, errors = collect(tmp_path)
    assert [p.path for p in pages] == ["page.txt"]
    assert [src for src, _ in errors] == ["_truth.jsonl", "meta.json"]
    assert "none of its first 20 records has a text field" in errors[0][1] and "it has id, date" in errors[0][1]
    assert "none of its first 2 records" in errors[1][1] and "--field-map NAME=text" in errors[1][1]


def test_field_map_names_other_columns(tmp_path):
    header = ["稿件标题", "发文时间", "稿件正文", "署名"]
    write(tmp_path, "cms.csv", csv_bytes(header, [["会议召开", "20240305", "本报讯 近日，会议召开。", "张三、李四"]]))
    pages, errors = collect(tmp_path, field_map=(("稿件标题", "title"), ("发文时间", "date"), ("稿件正文", "text"),
                                                 ("署名", "author")))
    assert errors == [] and len(pages) == 1
    assert (pages[0].title, pages[0].date, pages[0].reporters) == ("会议召开", "2024-03-05", ("张三", "李四"))
    with pytest.raises(ConfigError, match=r"'body' is not a field; use one of author, date, section, source, text"):
        load_pages(tmp_path, field_map=(("稿件正文", "body"),))


def test_author_columns_give_reporters(tmp_path):
    header = ["title", "content", "记者", "source"]
    write(tmp_path, "a.csv", csv_bytes(header, [["t", "本报讯 近日，会议召开。", "张三 李四", "城南日报"]]))
    header = ["Title", "Body", "Byline"]
    write(tmp_path, "b.csv", csv_bytes(header, [["t", "本报讯 近日，会议召开。", "记者 王五 通讯员 赵六"]]))
    # Two columns for one field: the preferred name wins, whatever the column order (作者 before 责任编辑, 发布时间 before 日期).
    header = ["日期", "责任编辑", "正文", "作者", "发布时间"]
    write(tmp_path, "c.csv", csv_bytes(header, [["2024-01-01", "编辑甲", "本报讯 近日，会议召开。", "张三", "2024-03-05 08:00"]]))
    a, b, c = load_pages(tmp_path)
    assert a.reporters == ("记者 张三", "记者 李四") and a.outlet == "城南日报"
    assert b.reporters == ("记者 王五", "通讯员 赵六")
    assert c.reporters == ("张三",) and c.date == "2024-03-05"


def test_record_hashes_follow_the_record_not_the_file(tmp_path):
    write(tmp_path, "export.csv", csv_bytes(HEADER, ROWS))
    before = [p.sha256 for p in load_pages(tmp_path)]
    changed = [ROWS[0], ROWS[1][:3] + ["城南夜市新增修鞋摊位。", ""], ROWS[2]]
    write(tmp_path, "export.csv", csv_bytes(HEADER, changed))
    after = [p.sha256 for p in load_pages(tmp_path)]
    assert after[0] == before[0] and after[2] == before[2] and after[1] != before[1]


# -------------------------------------------------------------------------------------------------------------- JSON


def test_json_lines_export_with_a_bad_line(tmp_path):
    lines = [json.dumps({"title": "会议召开", "published_at": "2024-03-05T19:00:00+08:00", "content": "本报讯 近日，会议召开。",
                         "url": "https://news.example.cn/1", "category": "要闻"}, ensure_ascii=False),
             '{"title": "断了的一行", "content": ',
             "[1, 2]",
             "",
             json.dumps({"Title": "第二条", "PubDate": 1709636400, "Content": "<p>第一段。</p><p>第二段&amp;结尾。</p>"},
                        ensure_ascii=False)]
    write(tmp_path, "export.jsonl", "\n".join(lines) + "\n")
    pages, errors = collect(tmp_path)
    assert [p.title for p in pages] == ["会议召开", "第二条"]
    assert pages[0].date == "2024-03-05" and pages[0].section == "要闻" and pages[0].source == "https://news.example.cn/1"
    assert pages[1].date == "2024-03-05" and pages[1].text == "第一段。\n第二段&结尾。"  # markup made plain
    assert pages[1].source == "export.jsonl#4" and pages[1].row == 4
    assert [src for src, _ in errors] == ["export.jsonl#2", "export.jsonl#3"]
    assert "line 2: not valid JSON" in errors[0][1] and "line 3: a JSON list, expected an object" in errors[1][1]


@pytest.mark.parametrize("data", [
    [{"标题": "会议召开", "日期": "2024-03-05", "内容": "本报讯 近日，会议召开。"}],
    {"data": [{"标题": "会议召开", "日期": "2024-03-05", "内容": "本报讯 近日，会议召开。"}], "total": 1},
])
def test_json_array_export(tmp_path, data):
    write(tmp_path, "export.json", json.dumps(data, ensure_ascii=False, indent=2))
    pages, errors = collect(tmp_path)
    assert errors == [] and [(p.title, p.date, p.source) for p in pages] == [("会议召开", "2024-03-05", "export.json#1")]


def test_large_json_array_is_refused_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "MAX_JSON_BYTES", 100)
    write(tmp_path, "export.json", json.dumps([{"text": "本报讯 近日，会议召开。" * 20}], ensure_ascii=False))
    write(tmp_path, "page.txt", "本报讯 近日，会议召开。")
    pages, errors = collect(tmp_path)
    assert [p.path for p in pages] == ["page.txt"]
    assert errors[0][0] == "export.json" and "export it as JSON Lines" in errors[0][1]


def test_large_exports_stream(tmp_path):
    # Latin text: str.translate (normalisation) allocates per CJK character, which tracemalloc makes slow to watch.
    body = "The council met today and agreed the plan. " * 700  # 30,000 characters a record
    n = 600  # 18 MB of JSON Lines, 18 MB of CSV
    with (tmp_path / "big.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"title": f"Item {i}", "date": "2024-03-05", "text": body}) + "\n")
    with (tmp_path / "big.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "date", "text"])
        for i in range(n):
            w.writerow([f"Item {i}", "2024-03-05", body])
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_pages(tmp_path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2 * n
    assert peak < 2 * 1024 * 1024, f"peak {peak:,} bytes for 36 MB of exports: they were held in memory"


@pytest.mark.parametrize("value, date", [
    ("2024-03-05 19:00:00", "2024-03-05"), ("2024-03-05T19:00:00+08:00", "2024-03-05"), ("2024年3月5日", "2024-03-05"),
    ("2024/3/5", "2024-03-05"), ("2024.03.05", "2024-03-05"), ("20240305", "2024-03-05"),
    ("1709636400", "2024-03-05"), ("1709636400000", "2024-03-05"), ("1709571600", "2024-03-05"),  # 01:00 in Beijing
    ("昨天", None), ("2024-13-05", None), ("", None),
])
def test_parse_date(value, date):
    assert parse_date(value) == date


def test_read_page_refuses_exports(tmp_path):
    from assistant.ingest import read_page

    with pytest.raises(IngestError, match="holds many pages; read it with iter_pages"):
        read_page(write(tmp_path, "export.csv", csv_bytes(HEADER, ROWS)), tmp_path)
