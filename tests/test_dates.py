"""An article's date is when it was published (export record, page metadata, page header, path); the dateline's own
date (本报北京8月16日电) is kept apart as ``filed`` where it differs, and dates the article only when nothing else does.
Every file here is written by the test from text written for this project."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assistant.articles import split_articles
from assistant.articles.dates import Anchor, article_dates
from assistant.ingest import iter_pages
from assistant.types import Citation, Page


def articles_under(folder: Path, **kw):
    return [a for page in iter_pages(folder, on_error=lambda src, err: None) for a in split_articles(page, **kw)]


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_regional_folder_date_is_publication_and_dateline_is_filed(tmp_path):
    # A dispatch filed on the 16th that the site published in its folder of the 17th.
    write(tmp_path, "2023/08/17/x.txt", "本报北京8月16日电 （记者 柳青）城南新建的三座过街天桥16日通车，附近居民过马路不再绕行。")
    [article] = articles_under(tmp_path)
    assert (article.date, article.filed, article.dateline) == ("2023-08-17", "2023-08-16", "本报北京8月16日电")


def test_same_day_dateline_has_no_filed(tmp_path):
    write(tmp_path, "2023/08/17/y.txt", "中新网南宁8月17日电 (记者 林木)南宁市第二座跨江步行桥今天合龙。")
    [article] = articles_under(tmp_path)
    assert (article.date, article.filed) == ("2023-08-17", None)


def test_export_record_date_over_dateline(tmp_path):
    record = {"title": "江畔绿道全线贯通", "published_at": "2023-08-21 08:30:00",
              "content": "新华社杭州8月19日电（记者 程远）江畔绿道最后一段19日完工，全长四十二公里的绿道全线贯通。",
              "url": "https://news.example.cn/2023/08/21/5.shtml"}
    write(tmp_path, "export.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    [article] = articles_under(tmp_path)
    assert (article.title, article.date, article.filed) == ("江畔绿道全线贯通", "2023-08-21", "2023-08-19")


def test_only_a_dateline_dates_the_article(tmp_path):
    write(tmp_path, "notes/dispatch.txt", "新华社成都8月6日电（记者 何川）城北体育馆6日起免费开放，市民可预约入场。")
    [article] = articles_under(tmp_path, default_year=2023)
    assert (article.date, article.filed) == ("2023-08-06", None)


def test_an_event_date_is_not_a_filing_date(tmp_path):
    # 本报讯 6月16日下午: the event's day; the path dates the article and nothing was filed on the 16th.
    write(tmp_path, "2021/06/18/a.txt", "本报讯 6月16日下午，城东社区举办纳凉晚会，数百名居民参加。")
    [article] = articles_under(tmp_path)
    assert (article.date, article.filed) == ("2021-06-18", None)


def test_page_header_over_dateline():
    text = "城南日报 2023年8月17日 星期四\n\n过街天桥通车\n\n本报北京8月16日电 三座过街天桥通车。"
    [article] = split_articles(Page(source="page.txt", text=text, encoding="utf-8", sha256=""))
    assert (article.title, article.date, article.filed) == ("过街天桥通车", "2023-08-17", "2023-08-16")


@pytest.mark.parametrize("lead_date, anchor, event, expected", [
    ((None, 8, 16), Anchor(dt.date(2023, 8, 17), 2023), False, ("2023-08-17", "2023-08-16")),
    ((None, 8, 17), Anchor(dt.date(2023, 8, 17), 2023), False, ("2023-08-17", None)),
    ((None, 8, 16), Anchor(None, 2023), False, ("2023-08-16", None)),  # only the dateline dates it
    ((None, 8, 16), Anchor(dt.date(2023, 8, 17), 2023), True, ("2023-08-17", None)),  # an event's day
    ((None, 8, 16), Anchor(None, 2023), True, ("2023-08-16", None)),  # the event's day when nothing else
    ((None, 12, 31), Anchor(dt.date(2024, 1, 1), 2024), False, ("2024-01-01", "2023-12-31")),  # the nearest year
    (None, Anchor(dt.date(2024, 1, 1), 2024), False, ("2024-01-01", None)),
    (None, Anchor(), False, (None, None)),
])
def test_article_dates(lead_date, anchor, event, expected):
    assert article_dates(lead_date, anchor, event=event) == expected


def test_citation_json_carries_filed():
    citation = Citation(n=1, article_id="a", title="t", date="2023-08-17", reporters=(), source="s", start=0, end=1,
                        text="x", filed="2023-08-16")
    assert citation.to_json()["filed"] == "2023-08-16"
