"""What a question asks for and takes for granted (asks.py), and how the composer and the conversation use it."""

from assistant.answer.asks import Want, analyse, entities, fit, persons, sentence_has
from assistant.answer.compose import asks_for_several, compose
from assistant.answer.conversation import Conversation
from assistant.answer.pipeline import evidence_for, read
from assistant.types import Answer, Citation


def test_the_interrogative_names_the_kind_of_fact_asked_for():
    assert analyse("深中通道是哪天正式通车的？").wants == (Want.DATE,)
    assert analyse("管城回族区委书记是谁？").wants == (Want.PERSON,)
    assert analyse("交流会邀请了几位专家做主题演讲？").wants == (Want.NUMBER,)
    assert analyse("揭牌仪式在哪里举行？").wants == (Want.PLACE,)
    assert analyse("为什么要推进垃圾分类？").wants == (Want.CAUSE,)
    assert analyse("“红色园区”是怎么回事？").wants == (Want.ANY,)
    # 哪几个/哪几位 asks which ones, not how many (a number question is searched past its period: FIGURE_LAG)
    assert analyse("5月上旬习近平出访了哪几个国家？").wants == (Want.PLACE,)
    assert analyse("哪几位专家做了演讲？").wants == (Want.PERSON,)
    assert analyse("有几个国家参加？").wants == (Want.NUMBER,)
    assert analyse("大选定在哪一天投票？").wants == (Want.DATE,)  # 在哪一天 asks when, not where
    assert analyse("会议在哪举行？").wants == (Want.PLACE,)
    assert analyse("会议在什么地方举行？").wants == (Want.PLACE,)


def test_a_two_part_question_has_a_part_for_each_interrogative():
    asked = analyse("锦标赛在哪座城市举行，有多少个国家和地区参加？")
    assert asked.wants == (Want.PLACE, Want.NUMBER) and asked.two_part


def test_entities_are_the_names_a_question_takes_for_granted_not_its_interrogative():
    assert "新加坡" in entities("李强6月访问新加坡时同新加坡总理谈了什么？")
    assert "城市" not in entities("锦标赛在哪座城市举行？")  # 哪座城市 asks for a place, it names none
    assert "红色园区" in entities("“红色园区”示范基地包括哪两部分？")


def test_a_sentence_holds_the_kind_of_fact_asked_for():
    assert sentence_has(Want.NUMBER, "全国国内旅游出游1.19亿人次。")
    assert not sentence_has(Want.NUMBER, "出游人次创历史新高。")
    assert not sentence_has(Want.NUMBER, "7月底，学校通知女生们搬宿舍。")  # a date is not an amount
    assert sentence_has(Want.NUMBER, "学校要求713名女生搬出宿舍。")
    assert sentence_has(Want.DATE, "深中通道于6月30日通车。")
    # a person other than the ones the question names
    assert not sentence_has(Want.PERSON, "虎强督导安全生产工作。", "虎强是谁？")
    assert persons("记者王坚报道") == ["王坚"]
    # a place jieba does not know, introduced by a locative word and ending in a place noun's suffix
    q = "示范基地在哪里揭牌？"
    assert sentence_has(Want.PLACE, "示范基地揭牌仪式在金岱产业集聚区举行。", q)
    assert sentence_has(Want.PLACE, "督导组一行到毕河村查看防汛工作。", q)
    assert not sentence_has(Want.PLACE, "示范基地包含展馆和服务中心两大部分。", q)
    assert not sentence_has(Want.PLACE, "会议在市政府举行。", "市政府的会议在哪里举行？")  # the place it names


def test_a_fact_in_the_form_asked_for_fits_better_than_one_of_the_same_kind():
    q = "事故造成了几人死亡？"
    assert fit(Want.NUMBER, "事故造成2人死亡。", q) > fit(Want.NUMBER, "降雨量达到176.9毫米。", q) > 0
    assert fit(Want.NUMBER, "降雨量达到176.9毫米。", "降雨量是多少？") == 1.0  # nothing counted: any amount
    q = "第四届消博会是在哪个省办的？"
    assert (fit(Want.PLACE, "正在海南举行的第四届消博会上，展品丰富。", q)
            > fit(Want.PLACE, "第四届中国国际消费品博览会今天落幕。", q) > 0)


def test_which_two_asks_for_several_and_how_many_levels_does_not():
    assert asks_for_several("国家最高科学技术奖颁给了哪两位科学家？")
    assert not asks_for_several("台风登陆时最大风力有几级？")


def test_the_answering_sentence_is_the_one_holding_the_number(seed_assistant):
    answer = seed_assistant.ask("红色园区示范基地总面积是多少？")
    assert not answer.refused
    assert any(ch.isdigit() for ch in answer.citations[0].text)


def test_a_near_miss_is_refused_and_says_which_name_no_report_holds(seed_assistant):
    """The reports are about 虎强's 督导 but none names 上海: the answer must not pretend they do."""
    question = "虎强在上海督导了哪些工作？"
    answerer = seed_assistant.answerer
    reading = read(question, answerer)
    _, evidence = evidence_for(reading, answerer)
    answer = compose(reading.topic, evidence, seed_assistant.settings)
    assert answer.refused and "“上海”" in answer.text and answer.related and not answer.citations
    assert all("上海" not in c.text for c in answer.related)


def test_he_after_a_who_question_is_the_person_the_answer_names():
    conversation = Conversation()
    cited = Citation(n=1, article_id="a", title="t", date="2024-04-24", reporters=(), source="s", start=0, end=20,
                     text="神舟十八号乘组由叶光富担任指令长。")
    conversation.record("神舟十八号的指令长是谁？", "神舟十八号的指令长是谁？",
                        Answer(question="神舟十八号的指令长是谁？", text="…", refused=False, citations=(cited,)))
    assert conversation.resolve("他以前执行过哪次任务？") == "叶光富以前执行过哪次任务？"


def test_a_demonstrative_is_never_a_name():
    assert "那阵子" not in entities("韩国那阵子的无差别行凶和网上“杀人预告”，都有哪些报道？")
    assert entities("这段时间新闻里报道过哪些火山喷发？") == ()
    assert persons("那阵子他很忙") == []
