"""Headlines for articles printed without one, and the clean text under them: an original headline (原标题) becomes the
headline and leaves the text, ads (广告 … ×) leave the text, and both are counted in ``Page.trimmed``; a made headline
is a clause that names the event, never a lead, a credit, a caption or a fragment.  Every text here is written for
this project."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.articles import split_articles
from assistant.articles.headline import MAX_CHARS, SLACK, derive_headline, original_title, story_start
from assistant.ingest import iter_pages
from assistant.ingest.boilerplate import trim
from assistant.types import Page


def page_of(text: str, source: str = "2023/08/17/a.txt") -> Page:
    return Page(source=source, text=text, encoding="utf-8", sha256="")


@pytest.mark.parametrize("text, headline", [
    # a lead that is no dateline: the outlet's 消息，
    ("某某之家 7 月 31 日消息，城北科技园新建的数据中心正式投入运行，首批入驻企业二十家。",
     "城北科技园新建的数据中心正式投入运行，首批入驻企业二十家"),  # a sentence this short is kept whole
    # a run of credits, then a date
    ("某经记者 柳青 某经编辑 程远 8月10日，城南地产公司公告称旗下两个项目已恢复施工，预计年底交付。",
     "城南地产公司公告称旗下两个项目已恢复施工，预计年底交付"),
    # an attribution and a date phrase
    ("当地时间8月12日，据当地电视台报道，岛上山火现已全部扑灭，疏散居民陆续返回家园。", "岛上山火现已全部扑灭，疏散居民陆续返回家园"),
    # a quotation opening the story: the news is what follows it
    ("“这个活动室开得太及时了，孩子们放假有地方去了！”7月27日上午，城西社区新开的少儿活动室迎来第一批小读者，馆内藏书三千余册，全部免费借阅。",
     "城西社区新开的少儿活动室迎来第一批小读者"),
    # a photo caption closed by its credit
    ("发布会现场。某某新闻记者 林木 图8月16日，城东区举行电影周新闻发布会，介绍今年展映的影片、场次和购票方式等具体安排。",
     "城东区举行电影周新闻发布会"),
    # a short clause without its verb is a fragment (目前): the clause before it is the headline
    ("8月4日，北支洪水进入下游城区，目前，河道仍持续高水位运行，堤防加高加固工作正在进行。", "北支洪水进入下游城区"),
    # a headline glued to the date that opens its story
    ("城南商会赴山区考察并开展结对帮扶行动7月30日，城南商会考察组一行赴山区考察并与三个村签订帮扶协议。",
     "城南商会赴山区考察并开展结对帮扶行动"),
    # an aside in brackets is no headline's; a list is not cut at 、
    ("城北科技（600000）索赔提示：时效剩不足四个月，投资者可在期限内提出索赔申请并准备好相关材料。", "城北科技索赔提示：时效剩不足四个月"),
])
def test_made_headlines_name_the_event(text, headline):
    assert derive_headline(text) == headline


def test_made_headline_is_a_complete_clause_or_cut_at_a_word():
    text = "城南街道、城北街道、城东街道、城西街道和开发区管委会联合组织开展了丰富多样的暑期青少年实践活动下面一起来看看吧。"
    headline = derive_headline(text)
    assert len(headline) <= MAX_CHARS + SLACK + 1
    assert not headline.endswith("、") and "街道、城" in headline  # never cut at the list's 、


@pytest.mark.parametrize("paragraph, title, story", [
    ("原标题：城南社区食堂开门迎客 老人就餐享优惠中新网8月1日电 (记者 柳青)城南街道第一家社区食堂1日正式营业。",
     "城南社区食堂开门迎客 老人就餐享优惠", "中新网8月1日电"),
    ("原标题：夜市新添便民摊位7月30日，城南夜市新增修鞋、配钥匙等便民摊位。", "夜市新添便民摊位", "7月30日，"),
    ("原标题：江畔绿道全线贯通！市民骑行更方便 据城南发布消息，江畔绿道最后一段完工。", "江畔绿道全线贯通！市民骑行更方便", "据城南发布"),
    ("原标题：城南晚报评论：别让好政策停在纸面上城南晚报评论：别让好政策停在纸面上。近日……", "城南晚报评论：别让好政策停在纸面上",
     "城南晚报评论"),  # the story restates the headline
])
def test_original_title_ends_where_its_story_starts(paragraph, title, story):
    got, at = original_title(paragraph)
    assert got == title and paragraph[at:].startswith(story)


def test_original_title_without_a_visible_end_only_loses_its_label():
    paragraph = "原标题：网络骂街一时爽，双双违法被拘留当今网络飞速发展，让人足不出户就能发表观点。"
    assert original_title(paragraph) == ("", len("原标题："))
    assert original_title("城南社区食堂开门迎客。") is None


def test_headline_or_caption_before_a_dateline():
    assert story_start("城南社区食堂开门迎客 中新网8月1日电 (记者 柳青)食堂1日营业。")[0] == "城南社区食堂开门迎客"
    caption, at = story_start("民众在纪念碑前献花（资料图）某某网8月17日电 据报道，当地举行纪念活动。")
    assert caption == "" and "据报道" in "民众在纪念碑前献花（资料图）某某网8月17日电 据报道，当地举行纪念活动。"[at:]


def test_ads_and_original_titles_leave_the_text_and_are_counted(tmp_path: Path):
    text = ("原标题：城南社区食堂开门迎客 老人就餐享优惠中新网8月1日电 (记者 柳青)城南街道第一家社区食堂1日正式营业。"
            "广告 美女秀场 真人直播 >>进入直播间与主播亲密互动 ×老人凭卡就餐可享受优惠，每餐三荤两素。\n"
            "广告 三步学会做账，零基础也能行！ ×\n")
    path = tmp_path / "2023/08/01/meal.txt"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    [page] = list(iter_pages(tmp_path))
    assert page.trimmed == 3  # two ads, one original headline
    [article] = split_articles(page)
    assert article.title == "城南社区食堂开门迎客 老人就餐享优惠"
    assert article.text.startswith("中新网8月1日电") and "原标题" not in article.text and "广告" not in article.text
    assert article.dateline == "中新网8月1日电" and article.reporters == ("记者 柳青",)
    assert article.text.endswith("每餐三荤两素。")


@pytest.mark.parametrize("text", [
    "本报讯 城南的广告 牌将在月底前拆除，拆除后的位置 × 号标出。",  # no ad: 广告 inside a sentence, × far off
    "会议召开。3×4的展板已经就位。",
])
def test_prose_about_ads_stays(text):
    assert trim(text) == (text, 0)


def test_original_title_under_a_printed_headline_leaves_the_text():
    page = Page(source="https://news.example.cn/1.html", text="原标题：城南食堂开门 中新网8月1日电 食堂1日营业。",
                encoding="html", sha256="", title="城南社区食堂开门迎客")
    [article] = split_articles(page)
    assert article.title == "城南社区食堂开门迎客" and article.text == "中新网8月1日电 食堂1日营业。"
