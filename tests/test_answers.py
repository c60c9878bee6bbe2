"""Grounded answers on the real seed page: citations are exact passages, lists are complete, no answer is invented."""

import json
import re
from pathlib import Path

import pytest

from assistant.answer.compose import NO_ANSWER, compose
from assistant.answer.crosslingual import is_crosslingual
from assistant.answer.pipeline import evidence_for, read
from assistant.errors import QuestionError
from assistant.evaluation.seed import evaluate_seed
from conftest import SEED_QUESTIONS

EXTRA_QUESTIONS = Path(__file__).parent / "data" / "extra_questions.jsonl"


def check_citations(assistant, answer):
    """Every [n] in the text names a citation, every citation is used, and each is an exact passage."""
    used = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert used == {c.n for c in answer.citations}
    for c in answer.citations:
        article = assistant.article(c.article_id)
        assert article.text[c.start:c.end] == c.text
        assert (c.title, c.source, c.reporters) == (article.title, article.source, article.reporters)


def statements(text):
    """The answer's statements: each line, minus a leading frame that ends in a colon."""
    for line in text.splitlines():
        body = re.split(r"[：:]", line, maxsplit=1)[-1].strip()
        if body:
            yield body


@pytest.mark.parametrize("path", [SEED_QUESTIONS, EXTRA_QUESTIONS], ids=["seed", "extra"])
def test_on_the_seed_sets_an_answer_is_right_or_refused(seed_assistant, path):
    """Half of these sets is part of what bench/calibrate.py fits the no-answer rule on, so passing them all is not
    required (the README quotes how many pass).  What must hold whatever the fit: a Chinese question that is answered
    is answered right (its article cited, its facts in the text), a question the page cannot answer is refused, and
    the rule does not refuse everything."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    chinese = {i["id"] for i in items if not is_crosslingual(i["question"])}
    results = [r for r in evaluate_seed(path, lambda q: seed_assistant.ask(q).to_json()) if r.id in chinese]
    wrong = [f"{r.id} {r.question}: {'; '.join(r.reasons)}" for r in results
             if not r.passed and not all(reason.startswith("refused, but") for reason in r.reasons)]
    assert not wrong, "\n".join(wrong)
    answerable = [r for r in results if not any(i["id"] == r.id and i.get("expect_no_answer") for i in items)]
    assert sum(r.passed for r in answerable) >= len(answerable) / 2


@pytest.mark.parametrize("question", ["虎强督导了哪些工作？", "区政协是哪天督导“六街六片区”建设的？", "柴琳琳写了哪些报道"])
def test_every_statement_is_cited_from_an_exact_passage(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert not answer.refused
    check_citations(seed_assistant, answer)
    for s in statements(answer.text):
        assert re.search(r"\[\d+\]$", s), f"uncited statement: {s}"
        # the cited text is copied, not paraphrased
        for sentence in re.split(r"\[\d+\]", s):
            if sentence.strip():
                assert any(sentence.strip() in c.text or c.text in sentence for c in answer.citations)


def test_list_question_lists_every_matching_article(seed_assistant):
    answer = seed_assistant.ask("虎强督导了哪些工作？")
    titles = [c.title for c in answer.citations]
    assert any("安全生产" in t for t in titles) and any("国家卫生城市复审" in t for t in titles)
    assert not any("三项工程" in t or "六街六片区" in t for t in titles)  # 督导 by others, not by 虎强
    assert "督导安全生产工作" in answer.text and "督导国家卫生城市复审工作" in answer.text
    assert answer.text.splitlines()[1].startswith("1. 《")


def test_requirements_question_gives_the_enumerated_requirements(seed_assistant):
    """The composer takes the items of the enumeration its best sentence begins (whether the no-answer rule lets
    this question through is the calibration's business, tested apart)."""
    question = "在安全生产督导中，虎强对下一步工作提出了哪些要求？"
    answerer = seed_assistant.answerer
    reading = read(question, answerer)
    _, evidence = evidence_for(reading, answerer)
    answer = compose(reading.topic, evidence, seed_assistant.settings)
    assert {c.title for c in answer.citations} == {next(c.title for c in answer.citations if "安全生产" in c.title)}
    for phrase in ("扛牢压实责任", "健全完善机制", "强化应急值守", "加强督导检查"):
        assert phrase in answer.text


def test_byline_questions(seed_assistant):
    answer = seed_assistant.ask("柴琳琳写了哪些报道")
    assert len({c.article_id for c in answer.citations}) == 5
    answer = seed_assistant.ask("通讯员刘博闻参与了哪篇报道？")
    assert [c.title for c in answer.citations][0].startswith("区政协")


@pytest.mark.parametrize("question", ["郑州明天会下雨吗？", "今年高考分数线是多少？", "What is the price of gold today?"])
def test_no_answer_says_so_without_citations(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.refused and answer.text == NO_ANSWER and answer.citations == ()


def test_follow_up_questions_resolve_against_the_conversation(seed_assistant):
    conversation = seed_assistant.conversation()
    first = seed_assistant.ask("虎强督导了哪些工作？", conversation)
    assert not first.refused
    follow = seed_assistant.ask("他在毕河村安庄查看了什么？", conversation)
    assert follow.resolved_question == "虎强在毕河村安庄查看了什么？"
    assert "用电安全" in follow.text and any("安全生产" in c.title for c in follow.citations)
    check_citations(seed_assistant, follow)
    # a new conversation does not carry the subject over
    alone = seed_assistant.ask("他在毕河村安庄查看了什么？")
    assert alone.resolved_question is None


def test_history_argument_works_like_a_conversation(seed_assistant):
    answer = seed_assistant.ask("他在毕河村安庄查看了什么？", history=["虎强督导了哪些工作？"])
    assert answer.resolved_question == "虎强在毕河村安庄查看了什么？"


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_question_is_a_clear_error(seed_assistant, question):
    with pytest.raises(QuestionError, match="问题是空的"):
        seed_assistant.ask(question)


def test_overlong_question_is_refused_not_cut(seed_assistant):
    # cutting would drop the real question when it stands at the end: the user is told the limit instead
    with pytest.raises(QuestionError, match="问题太长.*500"):
        seed_assistant.ask("背景介绍。" * 200 + "虎强督导了哪些工作？")


def test_a_model_without_a_fitted_rule_gets_one_measured_on_the_archive():
    """``estimate`` (used for a model the project ships no calibration for): a question whose words one sentence holds
    and whose best passage stands far above the archive's is answered; a loose one is not."""
    import numpy as np

    from assistant.model.calibration import estimate

    vectors = np.random.default_rng(0).standard_normal((64, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cal = estimate(vectors, vectors)
    w = np.array(cal.answer_weights)
    supported = np.array([1.0, 5.0, 0.06, 0.0, 0.0])  # coverage, standing (z), margin, -, cross-lingual
    loose = np.array([0.2, 1.5, 0.01, 0.0, 0.0])
    assert cal.answer_bias + w @ supported >= 0 > cal.answer_bias + w @ loose


SUCCESSION = {
    "2024/05/14/a1.txt": "青山市市长王海递交辞呈\n本报讯 据青山市政府网站消息，青山市市长王海13日向市人大常委会主任刘东递交辞呈。"
                         "根据任免名单，李明接任市长后将继续分管财政工作。",
    "2024/05/15/a2.txt": "白河县举办夏季运动会\n本报讯 白河县第十届运动会今天开幕，全县两千名运动员参加田径、游泳等项目比赛。",
    "2024/05/16/a3.txt": "市图书馆暑期阅读季启动\n本报讯 市图书馆暑期阅读季启动，推出少儿绘本展和周末亲子讲座。",
}


def test_a_sentence_is_read_with_its_headline(tmp_path, base_settings, embedder):
    # the sentence that answers leaves out the city its headline names; the one that names it does not answer
    from test_lists import open_archive

    answer = open_archive(tmp_path, SUCCESSION, base_settings, embedder).ask("谁接任了青山市市长？")
    assert not answer.refused and "李明" in answer.text
