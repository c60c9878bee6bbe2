"""English questions get Chinese terms from CC-CEDICT (read backwards): what a user asking in English relies on."""

import json

from assistant.answer.crosslingual import chinese_terms, choose_senses, expand, is_crosslingual, phrases
from test_cli import run


def test_an_english_word_gets_its_chinese_word():
    assert "地震" in chinese_terms("Was there an earthquake in Sichuan?")
    assert "上海" in chinese_terms("flights from Beijing to Shanghai")


def test_plurals_and_verb_endings_are_looked_up_by_their_stem():
    assert "地震" in chinese_terms("How many earthquakes were reported?")
    assert "村" in chinese_terms("Which villages were hit?")
    assert "死" in chinese_terms("How many people died?")


def test_irregular_forms_and_phrasal_verbs_are_looked_up_by_their_lemmas():
    assert "成为" in chinese_terms("Who became the new mayor?")  # become, not "became" + suffix rules
    assert "接管" in chinese_terms("Who took over the company?")  # took over -> take over: the particle ends the phrase
    assert "接管" not in chinese_terms("Who took the report over to the office?")


def test_longer_phrases_win_over_their_words():
    terms = chinese_terms("Who became prime minister?")
    assert "总理" in terms
    assert not {"首", "部长"} & set(terms[:1])  # "prime" and "minister" are not translated one by one


def test_names_and_acronyms_the_dictionary_holds():
    assert "新加坡" in chinese_terms("Singapore's new cabinet")
    assert "李显龙" in chinese_terms("When did Lee Hsien Loong resign?")
    assert "政协" in chinese_terms("What did the district CPPCC inspect?")
    assert "世界卫生组织" in chinese_terms("What did the WHO say?")


def test_the_month_may_but_not_the_modal_verb():
    # "may" is an English function word: only a capitalised "May" inside the question is taken for a proper noun
    # (the month), never at the start ("May I ...") and never in lower case ("what may happen")
    terms = chinese_terms("What happened in May?")
    assert "五月" in terms and "5月" in terms  # news write months with Arabic digits
    assert "6月" in chinese_terms("What did the district CPPCC inspect in June?")
    for question in ("May I ask what may happen next?", "what may happen next?"):
        assert not {"五月", "5月"} & set(chinese_terms(question))


def test_case_tells_a_proper_noun_from_a_function_word():
    assert "美国" in chinese_terms("floods in the US")
    assert "美国" not in chinese_terms("tell us about the floods")


def test_unknown_words_add_nothing():
    assert chinese_terms("xyzzy blorf") == []
    assert expand("xyzzy blorf?") == "xyzzy blorf?"


def test_a_chinese_question_is_unchanged():
    question = "地震造成多少人死亡？"
    assert not is_crosslingual(question)
    assert expand(question) == question


def test_expand_keeps_the_question_and_adds_the_terms():
    expanded = expand("Where did the earthquake happen?")
    assert expanded.startswith("Where did the earthquake happen? ")
    assert "地震" in expanded.split()


def test_an_english_question_is_answered_from_the_chinese_report(base_settings, seed_assistant):
    out = run("ask", "--json", "What did the district CPPCC inspect in June?", settings=base_settings)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert not answer["refused"]
    assert any("六街六片区" in c["title"] or "六街六片区" in c["text"] for c in answer["citations"])


def test_a_sense_is_chosen_by_what_the_question_retrieves():
    # "land": 土地 (ground) is the dictionary's first sense; passages about a lander hold 着陆, typical ones 土地
    options = [["土地", "地", "着陆"], ["嫦娥"]]
    neighbours = ["嫦娥六号着陆器成功着陆在月球背面预选着陆区。", "返回器安全着陆在内蒙古四子王旗。", "土地流转面积扩大。"]
    background = ["全市土地出让收入增长。", "耕地和土地整治。", "市民在地铁站排队。", "图书馆举办讲座。"]
    assert choose_senses(options, neighbours, background) == ["着陆", "嫦娥"]
    # nothing retrieved, or nothing that favours another sense: the dictionary's first
    assert choose_senses(options, [], background) == ["土地", "嫦娥"]
    assert choose_senses(options, ["图书馆举办讲座。"], background) == ["土地", "嫦娥"]
    # a word as common in the archive as around the question says nothing; a single character counts 0.3
    assert choose_senses([["人们", "人"]], ["人们说。", "一人"], ["有人", "人们"]) == ["人们"]


def test_an_inflected_word_offers_its_lemmas_senses_too():
    options = phrases("Who won the race?")[0]
    assert options[0] == "韩元"  # "won", the currency, as written first
    assert "赢得" in options  # then "win"


LANDING = {
    "2024/06/02/a1.txt": "本报讯 火星探测器的着陆器今天成功着陆在乌托邦平原南部的预选着陆区，随后展开太阳翼。",
    "2024/06/03/a2.txt": "本报讯 市自然资源局公布今年土地出让计划，全市拟出让土地两千亩，其中工业用地八百亩。",
    "2024/06/04/a3.txt": "本报讯 县里完成高标准农田建设，新增耕地和土地整治面积三千亩，土地流转率提高。",
    "2024/06/05/a4.txt": "本报讯 市图书馆暑期阅读季启动，推出少儿绘本展和周末亲子讲座。",
}


def test_an_english_verb_is_translated_in_the_sense_the_archive_uses(tmp_path, base_settings, embedder):
    from test_lists import open_archive

    answer = open_archive(tmp_path, LANDING, base_settings, embedder).ask("Where did the Mars probe land?")
    assert not answer.refused
    assert answer.citations[0].source.endswith("a1.txt") and "乌托邦平原" in answer.text
