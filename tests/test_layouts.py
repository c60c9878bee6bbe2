"""The layouts newsrooms keep, read end to end (files -> pages -> articles) from fixtures written for this project
(tests/data/layouts: a day's broadcast page, a dated newspaper page, regional articles filed by date folder or file
name prefix), plus each lead form and each source of a date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from assistant.articles import split_articles
from assistant.articles.credits import parse_credits
from assistant.articles.dates import Anchor, path_date, resolve
from assistant.articles.headline import MAX_CHARS, SLACK, derive_headline
from assistant.articles.leads import parse_lead
from assistant.ingest import iter_pages
from assistant.types import Page

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"


def page_of(text: str, source: str = "note.txt", **kw) -> Page:
    return Page(source=source, text=text, encoding="utf-8", sha256="0" * 64, **kw)


def articles_of(folder: str, year: int | None = None) -> dict[str, list]:
    return {p.path: split_articles(p, default_year=year) for p in iter_pages(LAYOUTS / folder)}


# ------------------------------------------------------------------------------------------- a day's broadcast page


@pytest.fixture(scope="module")
def broadcast():
    return articles_of("daypage")["xwlb_20240305.txt"]


def test_broadcast_page_splits_at_headline_blank_line_text(broadcast):
    assert [a.title for a in broadcast] == ["【两会时间】代表委员热议科技创新", "春耕备耕有序推进", "国内联播快讯",
                                            "全国冬小麦长势总体良好", "多国举行活动庆祝传统节日"]
    # Items without a dateline (据…, a date) are split by the blank-line layout alone.
    assert broadcast[3].text.startswith("据农业农村部监测") and broadcast[3].dateline is None


def test_broadcast_page_header_dates_every_item_and_is_no_article(broadcast):
    assert all("新闻联播文字版" not in a.title + a.text for a in broadcast)
    # 昨天（3月4日） after a dateline: the day after, the broadcast day.  3月3日 opening a brief without a dateline is
    # what the brief is about, not when it was aired.
    assert [a.date for a in broadcast] == ["2024-03-05"] * 5


def test_roundup_keeps_its_briefs_as_paragraphs_of_one_article(broadcast):
    roundup = broadcast[2]
    assert roundup.text.split("\n")[:3] == ["央视网消息（新闻联播）：", "城市公园新增健身步道",
                                            "记者从住房城乡建设部了解到，今年各地计划新建和改造健身步道一千公里。"]


def test_newspaper_page_with_dated_weekday_masthead():
    got = articles_of("daypage")["weekday_page.txt"]
    assert [a.title for a in got] == ["社区食堂开门迎客", "夜市新添便民摊位", "河道治理进入收尾阶段"]
    # 6月17日上午 opening the first story is when it happened; the masthead dates the articles.
    assert [a.date for a in got] == ["2021-06-18", "2021-06-18", "2021-06-18"]
    assert [a.dateline for a in got] == ["本报讯", "本报讯", "城南日报讯"]
    assert got[0].reporters == ("记者 张晓明", "通讯员 李红") and got[1].reporters == ("记者 王小川",)
    assert all("城南报" not in a.text for a in got)


# ------------------------------------------------------------------------------------------------ regional articles


@pytest.fixture(scope="module")
def regional():
    return {path: arts for path, arts in articles_of("regional").items()}


def test_regional_articles_are_one_each_with_a_headline_from_the_text(regional):
    assert all(len(arts) == 1 for arts in regional.values())
    titles = {path: arts[0].title for path, arts in regional.items()}
    assert titles["2023/07/28/c-0001.txt"] == "一场中德青年交流活动在柏林举行"  # dateline, byline and 当地时间27日 dropped
    assert titles["20230729_c-0002.txt"] == "某市启动老旧小区加装电梯工作"
    for path, title in titles.items():
        assert title and Path(path).stem not in title and len(title) <= MAX_CHARS + SLACK + 1


@pytest.mark.parametrize("path, date", [
    ("2023/07/28/c-0001.txt", "2023-07-28"),  # dateline 7月28日, year from the folders
    ("20230729_c-0002.txt", "2023-07-29"),  # no dateline: the file name's date
    ("2023-07-30-c-0003.txt", "2023-07-30"),
    ("undated/c-0004.txt", "07-24"),  # a dateline and no year anywhere: month and day only
    ("undated/c-0005.txt", None),  # nothing dates it
])
def test_regional_dates(regional, path, date):
    assert regional[path][0].date == date


def test_year_setting_is_the_last_source(regional):
    got = articles_of("regional", year=2022)
    assert got["undated/c-0004.txt"][0].date == "2022-07-24"
    assert got["2023/07/28/c-0001.txt"][0].date == "2023-07-28"  # the path is nearer than the setting


def test_regional_reporters_from_lead_brackets_and_closing_credits(regional):
    assert regional["2023/07/28/c-0001.txt"][0].reporters == ("记者 刘仲华", "记者 张慧中")
    assert regional["2023-07-30-c-0003.txt"][0].reporters == ("记者 马兰",)
    got = regional["20230729_c-0002.txt"][0]
    assert got.reporters == ("记者 覃广华", "记者 黄凯莹")  # editor 房宽 is not a reporter
    assert got.text.endswith("编辑：房宽记者：覃广华、黄凯莹")  # the credit stays in the text


def test_regional_web_leftovers_are_gone(regional):
    text = "\n".join(arts[0].text for arts in regional.values())
    for leftover in ("返回搜狐", "责任编辑", "showPlayer", "更多精彩内容", "【编辑"):
        assert leftover not in text
    pages = {p.path: p for p in iter_pages(LAYOUTS / "regional")}
    assert pages["2023/07/28/c-0001.txt"].trimmed == 2 and pages["2023-07-30-c-0003.txt"].trimmed == 2
    assert pages["20230729_c-0002.txt"].trimmed == 1  # the player script
    assert regional["2023-07-30-c-0003.txt"][0].text.endswith("(完)")


# ------------------------------------------------------------------------------------------------------- lead forms


@pytest.mark.parametrize("line, dateline, date, credit", [
    ("本报讯（记者 张三）6月1日，会议召开。", "本报讯", (None, 6, 1), "记者 张三"),
    ("郑州日报讯 近日，会议召开。", "郑州日报讯", None, None),
    ("扬子晚报讯（通讯员 李四 记者 王五）近日，会议召开。", "扬子晚报讯", None, "通讯员 李四 记者 王五"),
    ("吉林日报8月16日讯(记者李明)按照部署，会议召开。", "吉林日报8月16日讯", (None, 8, 16), "记者李明"),
    ("荆楚网（湖北日报网）讯（记者 林琳）炎炎夏日，会议召开。", "荆楚网（湖北日报网）讯", None, "记者 林琳"),
    ("新京报贝壳财经讯（记者张三）近日，会议召开。", "新京报贝壳财经讯", None, "记者张三"),
    ("本报7日讯（记者郭一）按照部署，会议召开。", "本报7日讯", None, "记者郭一"),  # a day without its month: no date
    ("深圳新闻网2023年7月28日讯（记者 王茜）会议召开。", "深圳新闻网2023年7月28日讯", (2023, 7, 28), "记者 王茜"),
    ("新华社北京6月18日电 会议召开。", "新华社北京6月18日电", (None, 6, 18), None),
    ("新华社电 会议召开。", "新华社电", None, None),
    ("中新社北京7月28日电（记者 赵六）会议召开。", "中新社北京7月28日电", (None, 7, 28), "记者 赵六"),
    ("人民网柏林7月28日电 （记者刘仲华、张慧中）会议召开。", "人民网柏林7月28日电", (None, 7, 28), "记者刘仲华、张慧中"),
    ("中新网西宁7月24日电 (记者 李江宁)24日，会议召开。", "中新网西宁7月24日电", (None, 7, 24), "记者 李江宁"),
    ("央视网消息（新闻联播）：3月5日，会议召开。", "央视网消息（新闻联播）", (None, 3, 5), None),
    ("央广网北京7月28日消息（记者 孙七）会议召开。", "央广网北京7月28日消息", (None, 7, 28), "记者 孙七"),
    ("【环球网报道 记者 朱八】据报道，会议召开。", "【环球网报道 记者 朱八】", None, "记者 朱八"),
    ("据美国媒体报道，会议召开。", "据美国媒体报道", None, None),
    ("记者从水利部获悉，会议召开。", "记者从水利部获悉", None, None),
    ("记者今天（10月9日）从国家知识产权局获悉，会议召开。", "记者今天（10月9日）从国家知识产权局获悉", (None, 10, 9), None),
])
def test_lead_forms(line, dateline, date, credit):
    lead = parse_lead(line)
    assert (lead.dateline, lead.date, lead.credit) == (dateline, date, credit)
    assert lead.strong == (not line.startswith(("据", "记者")))


@pytest.mark.parametrize("line", ["会议召开。", "举报讯息显示，会议召开。", "国家电网公司供电所，会议召开。", "最新消息：会议召开。",
                                  "据悉，会议召开。", "据报社通讯员介绍，会议召开。", "某某网资讯：会议召开。"])
def test_not_leads(line):
    assert parse_lead(line) is None


@pytest.mark.parametrize("lead", ["城南日报讯 近日，会议召开。", "中新网北京6月1日电 会议召开。",
                                  "央视网消息（新闻联播）：近日，会议召开。"])
def test_each_strong_lead_starts_an_article(lead):
    text = f"标题一\n\n本报讯 近日，事一。\n\n标题二\n\n{lead}"
    assert [a.title for a in split_articles(page_of(text))] == ["标题一", "标题二"]


def test_weak_leads_start_an_article_only_after_a_headline():
    text = "标题一\n\n本报讯 近日，事一。\n\n据新华社报道，事一的后续。\n\n标题二\n\n据美国媒体报道，事二。"
    got = split_articles(page_of(text))
    assert [a.title for a in got] == ["标题一", "标题二"]
    assert "据新华社报道" in got[0].text and got[1].text == "据美国媒体报道，事二。"


def test_byline_in_lead_brackets_of_a_record():
    page = page_of("中新网北京7月1日电(记者 张三)会议召开。", source="https://example.cn/1", row=1, title="会议")
    [a] = split_articles(page)
    assert a.reporters == ("记者 张三",) and a.title == "会议" and a.date == "07-01"


# ------------------------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize("path, date, year", [
    ("2023/07/28/a.txt", dt.date(2023, 7, 28), 2023),
    ("archive/2023-07-28.txt", dt.date(2023, 7, 28), 2023),
    ("20230728_a.txt", dt.date(2023, 7, 28), 2023),
    ("2023_07_28/a.txt", dt.date(2023, 7, 28), 2023),
    ("2022/09/xwlb-20220924-01.html", dt.date(2022, 9, 24), 2022),  # the file name beats the folder
    ("https://news.example.cn/2023/07/28/a.shtml", dt.date(2023, 7, 28), 2023),
    ("news_2021-06_page1.txt", None, 2021),
    ("2023/07/a.txt", None, 2023),
    ("crud-p04-05306.txt", None, None),
    ("id-2023072812.txt", None, None),  # ten digits: an id, not a date
    ("20231399_a.txt", None, None),
])
def test_path_dates(path, date, year):
    assert path_date(path) == (date, year)


@pytest.mark.parametrize("lead_date, anchor, days_after, date", [
    ((None, 12, 31), Anchor(dt.date(2024, 1, 1), 2024), 0, "2023-12-31"),  # the nearest year, not the anchor's
    ((None, 1, 2), Anchor(dt.date(2023, 12, 30), 2023), 0, "2024-01-02"),
    ((None, 6, 18), Anchor(None, 2021), 0, "2021-06-18"),
    ((None, 6, 18), Anchor(), 0, "06-18"),
    ((2020, 6, 18), Anchor(dt.date(2024, 1, 1), 2024), 0, "2020-06-18"),  # a printed year wins
    ((None, 9, 30), Anchor(dt.date(2022, 10, 1), 2022), 1, "2022-10-01"),  # 昨天（9月30日）
    ((None, 2, 29), Anchor(None, 2021), 0, None),
    (None, Anchor(dt.date(2024, 3, 5), 2024), 0, "2024-03-05"),
    (None, Anchor(None, 2024), 0, None),  # a year alone dates nothing
])
def test_resolve(lead_date, anchor, days_after, date):
    assert resolve(lead_date, anchor, days_after) == date


def test_date_sources_in_order():
    lead = "标题\n\n本报讯 近日，会议召开。"
    header = "2024年3月5日 星期二\n\n" + lead
    assert split_articles(page_of(header, source="2023/07/28/p.txt"))[0].date == "2024-03-05"  # header over path
    assert split_articles(page_of(header, date="2024-03-09"))[0].date == "2024-03-09"  # page metadata over header
    own = "标题\n\n新华社北京3月4日电 会议召开。"
    # Publication over the dateline: the dateline's day is when the dispatch was filed, kept as ``filed``.
    [filed] = split_articles(page_of(own, date="2024-03-09"))
    assert (filed.date, filed.filed) == ("2024-03-09", "2024-03-04")
    assert split_articles(page_of(own, source="p.txt"), default_year=2024)[0].date == "2024-03-04"  # dateline alone
    today = "标题\n\n本报讯 今天（3月4日），会议召开。"
    assert split_articles(page_of(today, source="p.txt"), default_year=2024)[0].date == "2024-03-04"  # its own day
    event = "标题\n\n本报讯 3月4日，会议召开。"
    assert split_articles(page_of(event, date="2024-03-09"))[0].date == "2024-03-09"  # the event's day yields
    assert split_articles(page_of(event, source="p.txt"), default_year=2024)[0].date == "2024-03-04"  # unless alone
    weak = "标题\n\n据外媒3月1日报道，会议召开。"
    assert split_articles(page_of(weak, date="2024-03-09"))[0].date == "2024-03-09"  # the cited report's day
    # A dated weekday inside an article (a photo caption) is not the page's date.
    caption = "本报讯 近日，会议召开。图为2023年8月16日星期三的会场。"
    assert split_articles(page_of(caption, source="20230817_x.txt"))[0].date == "2023-08-17"


# ---------------------------------------------------------------------------------------------- headlines, credits


@pytest.mark.parametrize("text, headline", [
    ("24日，“出发吧·西宁”短视频大赛赛程过半，截至目前，大赛投稿作品数量达100余幅。", "“出发吧·西宁”短视频大赛赛程过半"),
    ("今天（5月29日），上海合作组织减贫和可持续发展论坛在陕西杨凌开幕。", "上海合作组织减贫和可持续发展论坛在陕西杨凌开幕"),
    ("原标题：某地推出便民新举措 群众办事更方便某地推出便民新举措。", "某地推出便民新举措 群众办事更方便某地推出便民新举措"),
    ("1950？1940？现在还真别小瞧这种跌幅，因为不管是上涨还是下跌。", "1950？1940？现在还真别小瞧这种跌幅"),
    ("ChinaJoy 2023已于今日在上海新国际博览中心正式开幕，展会首日人员络绎不绝。", "ChinaJoy 2023已于今日在上海新国际博览中心正式开幕"),
    # A whole sentence up to MAX_CHARS + SLACK is kept; a longer one without a clause boundary is cut at a word.
    ("这是一个非常非常长而且中间完全没有任何标点符号可以用来断开的句子一直写到很后面才结束。",
     "这是一个非常非常长而且中间完全没有任何标点符号可以用来断开的句子一直写到很后面才结束"),
    ("这是一个非常非常长而且中间完全没有任何标点符号可以用来断开的句子一直写到了很后面很后面才算结束。",
     "这是一个非常非常长而且中间完全没有任何标点符号可以用来断开的…"),  # a word within the limit, an ellipsis
])
def test_derived_headlines(text, headline):
    assert derive_headline(text) == headline


@pytest.mark.parametrize("run, reporters", [
    ("编辑：房宽记者：覃广华、黄凯莹", ("记者 覃广华", "记者 黄凯莹")),
    ("记者：彭扬 黄一灵", ("记者 彭扬", "记者 黄一灵")),
    ("红星新闻记者 付垚 实习生 任彤彤 编辑 张莉", ("记者 付垚", "实习生 任彤彤")),
    ("王珏 记者姜辉", ("记者 姜辉",)),
    ("来源：泸水边境管理大队通讯员：乔玉芳", ("通讯员 乔玉芳",)),  # a source credit before the roles
    ("编辑 陈静 校对 赵琳", ()),
    ("记者 表示要做好工作", ()),
    ("记者从水利部获悉，会议召开。", ()),
])
def test_parse_credits(run, reporters):
    assert parse_credits(run) == reporters


def test_every_fixture_article_is_dated_and_titled():
    for folder in ("daypage", "regional"):
        for path, arts in articles_of(folder, year=2023).items():
            for a in arts:
                if path == "undated/c-0005.txt":  # nothing but the year setting: a year alone dates nothing
                    assert a.date is None
                    continue
                assert a.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.date), (path, a.title)
                assert a.title and a.title != Path(path).stem


def test_a_headline_with_a_date_is_no_masthead():
    text = ("新闻联播文字版 2025年1月1日\n\n2025年1月1日起我国调整部分商品关税\n\n央视网消息（新闻联播）：调整方案今天公布。\n\n"
            "人大常委会会议闭幕 决定明年会议2025年3月5日召开\n\n央视网消息（新闻联播）：会议今天闭幕。\n内容一。")
    got = split_articles(page_of(text))
    assert [a.title for a in got] == ["2025年1月1日起我国调整部分商品关税", "人大常委会会议闭幕 决定明年会议2025年3月5日召开"]
    assert [a.date for a in got] == ["2025-01-01", "2025-01-01"]
