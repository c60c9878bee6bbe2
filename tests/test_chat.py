"""Follow-up questions are rewritten against the conversation, predictably."""

import pytest

from assistant.answer.conversation import Conversation, people_in
from assistant.index.lexical import LexicalIndex
from assistant.types import Answer, Article


def conversation(*questions, people=("虎强", "赵吉平", "魏建民")):
    c = Conversation(people=frozenset(people))
    for q in questions:
        c.record(q, c.resolve(q), Answer(q, "", False))
    return c


@pytest.mark.parametrize("earlier,question,expected", [
    (["虎强督导了哪些工作？"], "他在毕河村安庄查看了什么？", "虎强在毕河村安庄查看了什么？"),
    (["虎强督导了哪些工作？"], "她提出了哪些要求？", "虎强提出了哪些要求？"),
    (["赵吉平带领谁督导？", "那些片区在哪里？"], "他还说了什么？", "赵吉平还说了什么？"),
    (["虎强督导了哪些工作？", "魏建民带队去了哪里？"], "他提出了什么要求？", "魏建民提出了什么要求？"),
    (["虎强督导了哪些工作？"], "查看了什么？", "虎强 查看了什么？"),
    # a question that names its own topic is not a bare predicate (a clicked example after another question)
    (["虎强督导了哪些工作？"], "石川县有什么新闻？", "石川县有什么新闻？"),
    (["虎强督导了哪些工作？"], "防汛有什么新闻？", "防汛有什么新闻？"),
    (["虎强督导了哪些工作？"], "那魏建民呢？", "魏建民督导了哪些工作？"),
    ([], "他在毕河村安庄查看了什么？", "他在毕河村安庄查看了什么？"),
    (["虎强督导了哪些工作？"], "赵吉平督导了什么？", "赵吉平督导了什么？"),
    # a new period replaces the old one; the topic stays
    (["2021年6月管城区督导了哪些工作？"], "那5月份的呢？", "5月份管城区督导了哪些工作？"),
    (["6月上旬的暴雨降了多少毫米？"], "那7月下旬呢？", "7月下旬暴雨降了多少毫米？"),
])
def test_resolve(earlier, question, expected):
    assert conversation(*earlier).resolve(question) == expected


def test_he_after_an_unanswered_who_question_is_the_person_it_described():
    """The archive could not say who commands 神舟十八号; the follow-up still asks about that commander."""
    assert conversation("神舟十八号的指令长是谁？").resolve("他以前执行过哪次任务？") == "神舟十八号的指令长以前执行过哪次任务？"
    assert conversation("谁是新加坡总理？").resolve("他哪天就职？") == "新加坡总理哪天就职？"
    # 谁 as an object describes nobody: the person named stays the subject
    assert conversation("赵吉平带领谁督导？").resolve("他还说了什么？") == "赵吉平还说了什么？"


def test_it_stands_for_the_whole_name_of_the_previous_topic():
    """The most specific word of 「深中通道是哪天正式通车的？」 is 深中; 它 stands for the thing, 深中通道."""
    lexical = LexicalIndex.build(["深中通道6月30日正式通车。", "广州地铁新线开通。", "暴雨来袭。", "气温下降。", "价格降了。",
                                  "降雨12毫米。", "水位降低。"])
    c = Conversation(lexical=lexical)
    c.record("深中通道是哪天正式通车的？", "深中通道是哪天正式通车的？", Answer("深中通道是哪天正式通车的？", "", False))
    assert c.resolve("那它全长多少公里？") == "那深中通道全长多少公里？"
    c.record("6月上旬的暴雨降了多少毫米？", "6月上旬的暴雨降了多少毫米？", Answer("…", "", False))
    assert c.resolve("它持续了几天？") == "暴雨持续了几天？"  # 降了 is what the rain did, not its name


def test_that_x_then_asks_the_last_question_about_another_thing():
    """「那杭州亚运会呢？」 after 「成都大运会有哪些报道？」 is that question about 杭州亚运会, not both glued together."""
    c = Conversation(lexical=LexicalIndex.build(["成都大运会开幕。", "杭州亚运会闭幕。", "深中通道通车。"]))
    c.record("成都大运会有哪些报道？", "成都大运会有哪些报道？", Answer("成都大运会有哪些报道？", "", False))
    assert c.resolve("那杭州亚运会呢？") == "杭州亚运会有哪些报道？"
    assert c.resolve("还有吗？") == "成都大运会 还有吗？"  # nothing new named: the topic carries
    # one of the reports just listed, by its classifier: 「最新的一篇」 is the newest report of the same topic
    assert c.resolve("最新的一篇说了什么？") == "成都大运会 最新的一篇说了什么？"
    assert c.resolve("三条措施是什么？") == "三条措施是什么？"  # 条 counts other things too


def test_reset_forgets_the_subject():
    c = conversation("虎强督导了哪些工作？")
    c.reset()
    assert c.resolve("他在毕河村安庄查看了什么？") == "他在毕河村安庄查看了什么？"


def test_people_come_from_titles_and_bylines():
    a = Article(article_id="x", source="s", title="t",
                text="本报讯 近日,管城回族区委书记虎强带领相关部门负责人督导。区政协主席赵吉平表示,要加强。\n记者 柴琳琳",
                reporters=("记者 柴琳琳", "通讯员 姜璞"))
    assert people_in([a]) >= {"虎强", "赵吉平", "柴琳琳", "姜璞"}
