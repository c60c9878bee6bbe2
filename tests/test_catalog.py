"""What the index holds, as `status` and `articles` report it: a real index built with the real model from a small
mixed corpus written here (a text page in a folder, web pages with canonical URLs, a JSON Lines export with sections
and an undated record, a file that cannot be read), read back through ``Assistant.status`` and the CLI.

``build_archive`` is shared with test_app.py, whose staff-view tests render the same real status.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.index.build import build_index
from assistant.index.catalog import ArticleQuery, list_articles, outlet_of, parse_day
from assistant.service import Assistant
from conftest import CORPUS
from test_cli import run

PAGE_URL = "https://news.example.cn/binjiang/2023/08/{slug}.html"
WEB_PAGES = [("smart-community", "2023-08-10", "滨江区“智慧社区”建设推进会召开",
              "本报讯 8月10日上午，滨江区在长河街道召开“智慧社区”建设推进会。区长周明远出席会议并讲话。"),
             ("flood-drill", "2023-08-12", "滨江区开展夏季防汛应急演练",
              "本报讯 8月12日，滨江区在长河街道江边公园开展夏季防汛应急演练。副区长孙立华带队检查防汛物资。")]
RECORDS = [{"title": "市政府召开常务会议", "date": "2024-04-02", "section": "时政",
            "text": "4月2日，市政府召开常务会议，研究部署春季农业生产和防汛备汛工作。会议要求各地抓好落实。"},
           {"title": "社区食堂开张 老人吃饭不再难", "section": "民生",
            "text": "社区长者食堂近日开张，每天为辖区内的老年人提供午餐和晚餐，价格实惠，很受欢迎。"}]


def web_page(slug: str, date: str, title: str, text: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{PAGE_URL.format(slug=slug)}">'
            f'<meta property="article:published_time" content="{date}T09:00:00+08:00"></head>'
            f"<body><article><h1>{title}</h1><p>{text}</p><p>记者 陈晓雨</p></article></body></html>")


def write_corpus(corpus: Path) -> None:
    (corpus / "guancheng").mkdir(parents=True)
    shutil.copy(next(CORPUS.glob("*.txt")), corpus / "guancheng" / "page1.txt")
    (corpus / "web").mkdir()
    for slug, date, title, text in WEB_PAGES:
        (corpus / "web" / f"{slug}.html").write_text(web_page(slug, date, title, text), encoding="utf-8")
    (corpus / "export.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS),
                                         encoding="utf-8")
    (corpus / "scan.pdf").write_bytes(b"not a pdf at all")


def build_archive(root: Path, base_settings, embedder):
    """Settings over a freshly written mixed corpus in ``root`` and its real index."""
    settings = base_settings.with_(corpus_dir=root / "corpus", index_dir=root / "index")
    write_corpus(settings.corpus_dir)
    build_index(settings, embedder, progress=False, log=lambda m: None)
    return settings


@pytest.fixture(scope="module")
def archive(tmp_path_factory, base_settings, embedder):
    settings = build_archive(tmp_path_factory.mktemp("archive"), base_settings, embedder)
    return Assistant(settings, embedder)


def test_status_sums_up_what_the_index_holds(archive):
    s = archive.status()
    assert s.articles == len(archive.index.articles) == 5 + 2 + 2
    assert s.pages == 1 + 2 + 2 and s.chunks == len(archive.index.chunks)
    assert s.formats == {"txt": 5, "html": 2, "jsonl": 2}
    assert s.first == "2021-06-16" and s.last == "2024-04-02"
    assert s.per_month["2023-08"] == 2 and s.per_month["2024-04"] == 1 and list(s.per_month) == sorted(s.per_month)
    undated = [a for a in archive.index.articles.values() if not a.date]
    assert s.undated == len(undated) >= 1 and sum(s.per_month.values()) == s.articles - s.undated
    assert s.outlets == {"guancheng": 5, "news.example.cn": 2}  # the export's records sit at the corpus's top level
    assert s.sections == {"时政": 1, "民生": 1}
    assert list(s.skipped) == ["scan.pdf"] and s.skipped["scan.pdf"]
    assert s.changes is not None and not s.changes and s.corpus_problem is None
    assert s.model == archive.settings.model and s.device == "cpu" and s.built_at
    assert s.index_dir == str(archive.settings.index_dir) and s.corpus_dir == str(archive.settings.corpus_dir)
    d = s.to_json()
    assert d["date_range"] == {"first": "2021-06-16", "last": "2024-04-02"}
    assert d["changed_since_build"] == {"added": [], "changed": [], "removed": []}
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_status_says_what_changed_in_the_corpus_since_the_build(tmp_path, base_settings, embedder):
    settings = build_archive(tmp_path, base_settings, embedder)
    assistant = Assistant(settings, embedder)
    assert not assistant.status().changes
    corpus = settings.corpus_dir
    (corpus / "guancheng" / "page2.txt").write_text(
        "社区开展垃圾分类宣传活动\n\n本报讯 6月21日,紫荆山路街道开展垃圾分类宣传活动。\n\n记者 李四\n", encoding="utf-8")
    page = corpus / "guancheng" / "page1.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n补记。\n", encoding="utf-8")
    (corpus / "web" / "flood-drill.html").unlink()
    changes = assistant.status().changes
    assert changes.added == ("guancheng/page2.txt",) and changes.changed == ("guancheng/page1.txt",)
    assert changes.removed == (PAGE_URL.format(slug="flood-drill"),)  # a web page is indexed under its URL
    shutil.rmtree(corpus)
    gone = assistant.status()
    assert gone.changes is None and str(corpus) in gone.corpus_problem and gone.articles == 9


def test_articles_are_listed_in_date_order_and_filtered(archive):
    everything = archive.articles()
    assert len(everything) == 9
    dated = [r.date for r in everything if r.date]
    assert dated == sorted(dated) and all(r.date is None for r in everything[len(dated):])  # undated last
    by_id = archive.index.articles
    for r in everything:
        a = by_id[r.article_id]
        assert (r.title, r.source, r.section, r.chars) == (a.title, a.source, a.section, len(a.text))
    august = archive.articles(ArticleQuery(since="2023-08-01", until="2023-08-12"))
    assert [r.title for r in august] == [p[2] for p in WEB_PAGES]
    assert [r.date for r in archive.articles(ArticleQuery(since="2023-08-12"))] == ["2023-08-12", "2024-04-02"]
    assert {r.source for r in archive.articles(ArticleQuery(source="news.example.cn"))} == {
        PAGE_URL.format(slug=s) for s, *_ in WEB_PAGES}
    assert all(r.date is None for r in archive.articles(ArticleQuery(undated=True)))
    assert [r.title for r in archive.articles(ArticleQuery(undated=True, source="export"))] == [RECORDS[1]["title"]]
    assert list_articles([], ArticleQuery(since="2020-01-01")) == []


def test_a_bad_day_or_period_names_the_value():
    assert parse_day(" 2024-02-29 ") == "2024-02-29"
    for bad in ("2023-02-29", "2024-4-1", "yesterday", ""):
        with pytest.raises(ConfigError, match="YYYY-MM-DD"):
            parse_day(bad)
    with pytest.raises(ConfigError, match="2024-05-01 is after"):
        ArticleQuery(since="2024-05-01", until="2024-04-01")


def test_outlets_are_named_sources_web_hosts_or_top_folders(archive):
    seen = {a.source: outlet_of(a) for a in archive.index.articles.values()}
    assert seen["guancheng/page1.txt"] == "guancheng"
    assert seen[PAGE_URL.format(slug="flood-drill")] == "news.example.cn"
    assert seen["export.jsonl#1"] is None


# -- the CLI -----------------------------------------------------------------------------------------------------------

def test_articles_command_lists_counts_and_filters(archive):
    settings = archive.settings
    out = run("articles", settings=settings)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "9 article(s)" and len(lines) == 10
    assert lines[0].startswith("2021-06-16") and "guancheng/page1.txt" in lines[0]
    assert lines[-2].startswith("undated")  # undated articles last
    assert any(line.startswith("undated") and RECORDS[1]["title"] in line for line in lines)

    out = run("articles", "--json", "--since", "2023-08-01", "--until", "2023-12-31", settings=settings)
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["title"] for r in records] == [p[2] for p in WEB_PAGES]
    assert set(records[0]) == {"article_id", "title", "date", "filed", "source", "section", "reporters", "chars"}

    out = run("articles", "--undated", "--source", "export", settings=settings)
    assert out.returncode == 0 and out.stdout.splitlines()[-1] == "1 article(s) of 9"


def test_articles_command_errors_are_one_line(archive, tmp_path):
    out = run("articles", "--since", "2024-02-30", settings=archive.settings)
    assert out.returncode == 2 and "'2024-02-30' is not a date; expected YYYY-MM-DD" in out.stderr
    out = run("articles", "--since", "2024-05-01", "--until", "2024-04-01", settings=archive.settings)
    assert out.returncode == 1 and out.stderr.strip().startswith("error:") and "Traceback" not in out.stderr
    missing = archive.settings.with_(index_dir=tmp_path / "none")
    out = run("articles", settings=missing)
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1
    assert "python -m assistant index" in out.stderr
    help_text = run("articles", "--help").stdout
    for flag in ("--since", "--until", "--source", "--undated", "--json", "YYYY-MM-DD"):
        assert flag in help_text


def test_status_command_json_and_plain(archive):
    out = run("status", "--json", settings=archive.settings)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d == {**archive.status().to_json(), "generation": d["generation"]}
    plain = run("status", settings=archive.settings)
    assert plain.returncode == 0, plain.stderr
    text = plain.stdout
    for fact in (f"9 ({archive.status().undated} undated)", "2021-06-16 .. 2024-04-02", "txt 5", "html 2",
                 "jsonl 2", "guancheng 5", "时政 1", "skipped     1 file(s): scan.pdf", "nothing since the build",
                 "on cpu", str(archive.settings.index_dir)):
        assert fact in text, fact
    assert len(text.splitlines()) <= 14
