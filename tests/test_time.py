"""The time a question names: absolute and relative expressions read against a reference day (assistant/timeexpr.py).

Pure functions, so these are exact; the retrieval side (a period restricting both retrievers, 最近 moving with
``--today``) is tested with a real index in tests/test_lists.py and tests/test_cli.py.
"""

import datetime as dt

import pytest

from assistant.timeexpr import Order, describe, parse_time

REF = dt.date(2024, 6, 30)
D = dt.date


@pytest.mark.parametrize("question, period", [
    ("2024年4月3日发生了什么", (D(2024, 4, 3), D(2024, 4, 3))),
    ("4月3号有什么消息", (D(2024, 4, 3), D(2024, 4, 3))),
    ("7月28日的台风", (D(2023, 7, 28), D(2023, 7, 28))),  # no year: the latest 28 July on or before the reference
    ("2023年7月的暴雨", (D(2023, 7, 1), D(2023, 7, 31))),
    ("5月份的访谈", (D(2024, 5, 1), D(2024, 5, 31))),
    ("7月下旬的演习", (D(2023, 7, 21), D(2023, 7, 31))),
    ("6月上旬的发射", (D(2024, 6, 1), D(2024, 6, 10))),
    ("5月中旬的会议", (D(2024, 5, 11), D(2024, 5, 20))),
    ("6月中下旬的考察", (D(2024, 6, 11), D(2024, 6, 30))),
    ("4月初的地震", (D(2024, 4, 1), D(2024, 4, 10))),
    ("2月底的会议", (D(2024, 2, 21), D(2024, 2, 29))),
    ("2023年的报道", (D(2023, 1, 1), D(2023, 12, 31))),
    ("今天有什么新闻", (REF, REF)),
    ("昨天的新闻", (D(2024, 6, 29), D(2024, 6, 29))),
    ("上周的新闻", (D(2024, 6, 17), D(2024, 6, 23))),  # 2024-06-30 is a Sunday
    ("本月的新闻", (D(2024, 6, 1), REF)),
    ("上个月的新闻", (D(2024, 5, 1), D(2024, 5, 31))),
    ("最近有什么新闻", (D(2024, 6, 1), REF)),
    ("今年有哪些报道", (D(2024, 1, 1), REF)),
    # seasons, after a year: 春季 March–May, 冬季 December to February
    ("今年春季那届广交会是从哪天开到哪天的？", (D(2024, 3, 1), D(2024, 5, 31))),
    ("去年冬季的降雪有多少？", (D(2023, 12, 1), D(2024, 2, 29))),
    ("2023年秋季开学", (D(2023, 9, 1), D(2023, 11, 30))),
])
def test_periods(question, period):
    assert parse_time(question, REF).period == period


@pytest.mark.parametrize("question", [
    "截至2023年底全国共有多少名共产党员？",  # the figure's date, reported later
    "一季度国内生产总值增长了多少？",
    "2023年度国家最高科学技术奖颁给了谁？",
    "区人大常委会主任是谁？",
    "7月中国经济怎么样",  # 月中 would be a part of the month; here 中 starts 中国
    "夏季达沃斯论坛在哪里举行？",  # a season alone is often part of a name
])
def test_no_period_where_the_date_is_not_the_reports(question):
    ask = parse_time(question, REF)
    assert ask.period is None or ask.period == (D(2023, 7, 1), D(2023, 7, 31)), ask
    assert ask.order is Order.ANY


def test_order_and_rest():
    newest = parse_time("最近一次报道神舟十八号乘组，说的是什么？", REF)
    assert newest.order is Order.NEWEST and newest.period[1] == REF
    assert newest.rest == "报道神舟十八号乘组，说的是什么？"
    oldest = parse_time("新闻联播头一回提到深中通道是什么时候？", REF)
    assert oldest.order is Order.OLDEST and "深中通道" in oldest.rest and "头一回" not in oldest.rest
    assert parse_time("最新一期公布的外汇储备是多少？", REF).order is Order.NEWEST
    day = parse_time("5月7日那天普京有什么新闻？", REF)
    assert day.rest == "普京有什么新闻？" and day.label == "5月7日"


def test_today_moves_relative_expressions():
    assert parse_time("最新的消息", D(2024, 5, 15)).period[1] == D(2024, 5, 15)
    assert parse_time("昨天的新闻", D(2024, 3, 1)).period == (D(2024, 2, 29), D(2024, 2, 29))


def test_years_back_and_describe():
    ask = parse_time("2月29日的新闻", D(2025, 6, 1))  # 2025 has no 29 February: the latest one is 2024's
    assert ask.period == (D(2024, 2, 29), D(2024, 2, 29)) and ask.yearless
    july = parse_time("7月28日的台风", REF)
    assert july.years_back(1).period == (D(2022, 7, 28), D(2022, 7, 28))
    assert describe((D(2024, 5, 1), D(2024, 5, 10))) == "2024年5月1日至2024年5月10日"
    assert describe((D(2024, 5, 7), D(2024, 5, 7))) == "2024年5月7日"


def test_lists_and_nearest_reports_keep_articles_whose_date_lacks_a_year():
    """07-21 (a month and day, no year known) sorts after full dates and is never compared as one."""
    from assistant.answer.lists import by_date
    from assistant.answer.lists import Relevant
    from assistant.types import Article

    def rel(d):
        return Relevant(Article(d or "none", "x.txt", "标题", "正文。", date=d), 0, 3, 1.0)

    found = [rel("07-21"), rel("2023-07-20"), rel(None), rel("2023-07-28")]
    assert [r.article.date for r in by_date(found)] == ["2023-07-28", "2023-07-20", "07-21", None]


def test_a_figure_of_a_period_is_looked_for_in_the_reports_after_it(seed_assistant):
    """「5月份…多少」 is published in June: a number asked about a month is searched up to 45 days after it, the
    month's words kept in the topic; a single day keeps its day; 「截至…」 is not restricted; other questions keep the
    month."""
    from assistant.answer.pipeline import read

    answerer = seed_assistant.answerer  # the seed page's newest day is 2021-06-18
    figure = read("2021年5月份区里新增了多少家企业？", answerer)
    assert figure.period == (20210501, 20210618) and "5月份" in figure.topic  # 45 days on, at most to "now"
    assert read("2021年6月16日督导了几个片区？", answerer).period == (20210616, 20210616)
    assert read("截至2021年5月底全区共有多少家企业？", answerer).period is None
    assert read("2021年5月区里开展了什么活动？", answerer).period == (20210501, 20210531)
