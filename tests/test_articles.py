"""Page -> Article on the real seed page, plus edge inputs and a no-text-lost property."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.articles import split_articles
from assistant.text import parse_byline
from assistant.ingest import read_page
from assistant.types import Page

SEED = Path(__file__).resolve().parents[1] / "corpus" / "guancheng_news_2021-06_page1.txt"

TITLES = [
    "学党史献礼建党百年 强党建赋能企业发展 管城回族区“红色园区”示范基地揭牌",
    "区人大常委会 督导“三项工程 一项管理”工作",
    "区政协 督导“六街六片区” 协同风貌区建设工作",
    "抓实抓细安全教育 严格落实安全生产责任 管城回族区时刻紧绷安全生产这根弦",
    "管城回族区领导督导国家卫生城市复审工作 促进城市管理水平提升 持续提升城市品质",
]
BYLINES = [
    "记者 柴琳琳 通讯员 姜璞 文/图",
    "记者 柴琳琳 通讯员 黄帅",
    "记者 柴琳琳 通讯员 刘博闻",
    "记者 柴琳琳 通讯员 姜璞",
    "记者 柴琳琳 通讯员 姜璞 文/图",
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_of(text: str, source: str = "note.txt", **kw) -> Page:
    return Page(source=source, text=text, encoding="utf-8", sha256="0" * 64, **kw)


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@pytest.fixture(scope="module")
def seed_page() -> Page:
    return read_page(SEED, SEED.parent)


@pytest.fixture(scope="module")
def seed(seed_page):
    return split_articles(seed_page, default_year=2021)


# ----------------------------------------------------------------------------------------------------- the seed page


def test_seed_has_five_articles_with_their_headlines(seed):
    assert [a.title for a in seed] == TITLES
    assert [a.ordinal for a in seed] == [0, 1, 2, 3, 4]
    assert all(a.source == "guancheng_news_2021-06_page1.txt" and a.page is None for a in seed)


def test_seed_dates_and_datelines(seed, seed_page):
    assert [a.date for a in seed] == ["2021-06-18", None, "2021-06-16", None, None]
    assert [a.dateline for a in seed] == ["本报讯"] * 5
    # The file name carries the year (guancheng_news_2021-06_page1.txt): a page-level setting.
    assert [a.date for a in split_articles(seed_page)] == ["2021-06-18", None, "2021-06-16", None, None]
    # Without a year anywhere the month and day are kept, not guessed.
    anonymous = dataclasses.replace(seed_page, source="page1.txt")
    assert [a.date for a in split_articles(anonymous)] == ["06-18", None, "06-16", None, None]


def test_seed_bylines_and_reporters(seed):
    assert [a.byline for a in seed] == BYLINES
    assert [a.reporters for a in seed] == [
        ("记者 柴琳琳", "通讯员 姜璞"),
        ("记者 柴琳琳", "通讯员 黄帅"),
        ("记者 柴琳琳", "通讯员 刘博闻"),
        ("记者 柴琳琳", "通讯员 姜璞"),
        ("记者 柴琳琳", "通讯员 姜璞"),
    ]


def test_seed_text_is_lead_body_then_byline(seed):
    for article in seed:
        lines = article.text.split("\n")
        assert lines[0].startswith("本报讯 ") and lines[-1] == article.byline
        assert all(line.strip() == line and line for line in lines)  # single \n, no blank or padded lines
        assert article.title not in article.text.split("\n")
    # Paragraph counts after repair: lead + body paragraphs + byline.
    assert [a.text.count("\n") + 1 for a in seed] == [5, 3, 4, 4, 4]


@pytest.mark.parametrize(
    "article, repaired",
    [(0, "着力构建“一二三四”工作模式"), (0, "先后建立非公党建学院,创办"), (3, "物流产业园项目"), (3, "相结合,加快"),
     (4, "立行立改,建立"), (4, "不断巩固扩大创建成果")],
)
def test_seed_broken_lines_are_repaired(seed, article, repaired):
    assert repaired in seed[article].text


def test_seed_loses_no_text(seed, seed_page):
    assert squash("".join(a.title + a.text for a in seed)) == squash(seed_page.text)


def test_article_ids_are_content_hashes(seed, seed_page):
    assert all(re.fullmatch(r"[0-9a-f]{16}", a.article_id) for a in seed)
    assert len({a.article_id for a in seed}) == 5
    assert [a.article_id for a in split_articles(seed_page, default_year=2021)] == [a.article_id for a in seed]
    edited = page_of(seed_page.text.replace("6000平方米", "7000平方米"), source=seed_page.source)
    changed = [a.article_id for a in split_articles(edited)]
    assert changed[0] != seed[0].article_id and changed[1:] == [a.article_id for a in seed[1:]]


# ------------------------------------------------------------------------------------------------------- edge inputs


def test_one_paragraph_page_is_one_article():
    text = "管城回族区今年新建口袋公园十二处,方便市民就近休闲。各街道将持续做好绿化养护工作。"
    [article] = split_articles(page_of(text, source="notes/brief.txt"))
    # No headline printed: one made from the first sentence, never the file name.
    assert article.title == "管城回族区今年新建口袋公园十二处,方便市民就近休闲"
    assert article.text == text and article.date is None and article.byline == ""


@pytest.mark.parametrize(
    "text, title, body",
    [
        ("你好", "你好", "你好"),  # one word: its own headline
        ("  \n\n  ", None, None),  # blank page: nothing to split
        ("通知\n\n明天上午九点开会。", "通知", "明天上午九点开会。"),
        ("第一行没有句号\n第二行也没有句号\n第三行", "第一行没有句号", "第二行也没有句号\n第三行"),
        ("New\n\nYork is a city.", "New", "York is a city."),
        ("市民反映路灯不亮的问题得到了妥善解决,相关部门连夜组织New\n\nYork工程队抢修。", "市民反映路灯不亮的问题得到了妥善解决",
         "市民反映路灯不亮的问题得到了妥善解决,相关部门连夜组织New York工程队抢修。"),
    ],
)
def test_edge_pages(text, title, body):
    got = split_articles(page_of(text))
    if title is None:
        assert got == []
        return
    assert [(a.title, a.text) for a in got] == [(title, body)]


@pytest.mark.parametrize(
    "lead, default_year, date, dateline",
    [
        ("本报讯 2020年3月5日上午,会议召开。", 2021, "2020-03-05", "本报讯"),  # the lead's own year wins
        ("本报讯 3月5日上午,会议召开。", None, "03-05", "本报讯"),
        ("本报讯 ３月５日上午,会议召开。", 2021, "2021-03-05", "本报讯"),  # full-width digits
        ("本报讯 13月40日,会议召开。", 2021, None, "本报讯"),  # not a date
        ("本报讯 2月29日,会议召开。", 2021, None, "本报讯"),  # 2021 has no 29 February
        ("本报讯 2月29日,会议召开。", None, "02-29", "本报讯"),
        ("本报讯 近日,会议召开。据悉,6月1日起施行。", 2021, None, "本报讯"),  # a later date is not the dateline's
        ("新华社北京6月18日电 会议召开。", 2021, "2021-06-18", "新华社北京6月18日电"),
        ("本报讯（记者 张三）6月1日,会议召开。", 2021, "2021-06-01", "本报讯"),
    ],
)
def test_dates_and_datelines(lead, default_year, date, dateline):
    [article] = split_articles(page_of(f"会议召开\n\n{lead}"), default_year=default_year)
    assert (article.title, article.date, article.dateline) == ("会议召开", date, dateline)


def test_year_printed_on_the_page_beats_the_default():
    text = "管城报 2022年1月3日 星期一\n\n新年第一会\n\n本报讯 1月2日,会议召开。\n\n记者 张三"
    [got] = split_articles(page_of(text), default_year=2021)  # the masthead dates the page and is no article
    assert got.title == "新年第一会" and got.date == "2022-01-03" and "管城报" not in got.text
    # Without the masthead the lead's 1月2日 (the event's day) dates it, with the year setting's year.
    assert split_articles(page_of(text.split("\n\n", 1)[1]), default_year=2021)[0].date == "2021-01-02"


def test_page_date_and_title_from_html_metadata():
    page = page_of("本报讯 近日,会议召开。\n\n记者 张三", source="https://news.example.cn/1.html",
                   title="会议召开", date="2021-06-20")
    [article] = split_articles(page)
    assert (article.title, article.date, article.source) == ("会议召开", "2021-06-20", "https://news.example.cn/1.html")
    # The page's publication date wins; the dateline's (the day the dispatch was filed) is kept apart.
    [filed] = split_articles(page_of("新华社北京6月2日电 会议。", date="2021-06-20"))
    assert (filed.date, filed.filed) == ("2021-06-20", "2021-06-02")
    assert split_articles(page_of("本报讯 6月2日,会议。", date="2021-06-20"))[0].date == "2021-06-20"


@pytest.mark.parametrize(
    "line, reporters",
    [
        ("记者 柴琳琳 通讯员 姜璞 文/图", ("记者 柴琳琳", "通讯员 姜璞")),
        ("本报记者 张三 李四 摄", ("本报记者 张三", "本报记者 李四")),
        ("记者 张三、李四 实习生 王五", ("记者 张三", "记者 李四", "实习生 王五")),
        ("图/文 记者 赵六", ("记者 赵六",)),
        ("摄影 孙七", ("摄影 孙七",)),
        ("记者柴琳琳 通讯员姜璞", ("记者 柴琳琳", "通讯员 姜璞")),
        ("本报记者 阿依古丽·买买提", ("本报记者 阿依古丽·买买提",)),
        ("记者节座谈会召开", None),
        ("记者 表示,要做好工作。", None),
        ("文/图", None),
        ("张三 李四", None),
    ],
)
def test_parse_byline(line, reporters):
    assert parse_byline(line) == reporters


def test_inline_bylines():
    lead = "本报讯（记者 张三 通讯员 李四）6月1日,会议召开。"
    [a] = split_articles(page_of(f"会议召开\n\n{lead}"))
    assert a.reporters == ("记者 张三", "通讯员 李四") and a.byline == "记者 张三 通讯员 李四" and a.text == lead
    tail = "本报讯 近日,会议召开。会议要求抓好落实。（记者 王五）"
    [b] = split_articles(page_of(f"会议召开\n\n{tail}"))
    assert b.reporters == ("记者 王五",) and b.text == tail


def test_two_line_headline_and_caption_after_byline():
    text = "学党史 悟思想\n管城回族区举办专题读书班\n\n本报讯 近日,读书班开班。\n\n记者 张三\n\n图为开班现场。\n\n下一篇\n\n本报讯 近日,又一事。"
    got = split_articles(page_of(text))
    assert got[0].title == "学党史 悟思想 管城回族区举办专题读书班"
    assert got[0].text == "本报讯 近日,读书班开班。\n记者 张三\n图为开班现场。"  # the caption stays, after the byline
    assert got[1].title == "下一篇" and got[1].text == "本报讯 近日,又一事。"


TRUCKS = ("本报讯 7月14日,区环卫部门新购置的40辆垃圾分类运输车投入使用,车身按可回收物、厨余垃圾、有害垃圾和其他垃圾分色标识。\n\n"
          "环卫部门表示,今后将做到分类收集、分类运输,杜绝垃圾“先分后混”。\n\n记者 赵静\n")


@pytest.mark.parametrize("headline", ["分类运输车辆全部更新 杜绝垃圾“先分后混”", "40辆垃圾分类运输车投入使用 杜绝“先分后混”",
                                      "“先分后混”怎么破", "杜绝「先分后混」", "垃圾分类运输车辆全部更新"])
def test_headline_ending_in_a_closed_quotation_is_one_articles_headline(tmp_path, headline):
    # A .txt file of one article whose headline (two clauses set off by a space) ends in a quotation closed in the
    # same line: the closing mark is no paragraph end, so the line is the lead's headline, not an article of its own
    # with the lead's first clause made the next one's title.
    path = tmp_path / "trucks.txt"
    path.write_text(f"{headline}\n\n{TRUCKS}", encoding="utf-8")
    [article] = split_articles(read_page(path, tmp_path), default_year=2021)
    assert article.title == headline
    assert article.text == TRUCKS.strip().replace("\n\n", "\n")
    assert article.dateline == "本报讯" and article.date == "2021-07-14" and article.reporters == ("记者 赵静",)


def test_quotation_closed_on_a_later_line_still_ends_a_paragraph():
    # “我们要 / 继续努力”: the closer of a quotation broken across lines ends a paragraph, so the piece is the end of
    # the article before, not the next one's headline.
    text = "会议召开\n\n本报讯 会议召开,他说:“我们要\n继续努力”\n本报讯 7月14日,又一事。"
    got = split_articles(page_of(text))
    assert [(a.title, a.text) for a in got] == [("会议召开", "本报讯 会议召开,他说:“我们要\n继续努力”"),
                                                ("又一事", "本报讯 7月14日,又一事。")]


def test_short_lines_are_not_glued_together():
    text = "工作要点\n\n本报讯 近日,会议部署三项工作:\n\n一是抓安全\n\n二是抓环境\n\n三是抓民生\n\n记者 张三"
    [a] = split_articles(page_of(text))
    assert a.text.split("\n") == ["本报讯 近日,会议部署三项工作:", "一是抓安全", "二是抓环境", "三是抓民生", "记者 张三"]


def test_pages_without_leads_split_after_bylines():
    text = "第一条消息\n\n内容一。\n\n记者 张三\n\n第二条消息\n\n内容二。\n\n记者 李四"
    got = split_articles(page_of(text))
    assert [(a.title, a.reporters) for a in got] == [("第一条消息", ("记者 张三",)), ("第二条消息", ("记者 李四",))]


def test_article_page_comes_from_page_breaks():
    first = "标题一\n\n本报讯 近日,事一。\n\n"
    second = "标题二\n\n本报讯 近日,事二。"
    page = page_of(first + second, page_breaks=(0, len(first)))
    assert [a.page for a in split_articles(page)] == [1, 2]


# ---------------------------------------------------------------------------------------------------------- property

_PIECES = st.sampled_from(["本报讯 ", "近日,", "会议召开。", "记者 张三", "通讯员 李四", "\n", "\n\n", " ", "标题", "6月18日",
                           "“一二三", "四”", "New", "York", "。", "学院", "(记者 王五)"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.sampled_from([None, 2021]))
def test_no_text_is_ever_lost(pieces, year):
    text = "".join(pieces)
    got = split_articles(page_of(text), default_year=year)
    assert bool(got) == bool(text.strip())
    assert is_subsequence(squash(text), squash("".join(a.title + a.text for a in got)))
    for a in got:
        assert "\n\n" not in a.text and a.title.strip() == a.title
        assert a.date is None or re.fullmatch(r"(\d{4}-)?\d{2}-\d{2}", a.date)
