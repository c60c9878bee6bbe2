"""BM25 with a Chinese tokenizer: agrees with a reference BM25, finds names through bigrams, saves and loads."""

import math

import numpy as np
import pytest

from assistant.index.lexical import LexicalIndex, presence, query_terms, tokenize

DOCS = [
    "管城回族区委书记虎强带领相关部门负责人,实地督导安全生产工作。",
    "管城回族区人大常委会主任魏建民带队督导辖区“三项工程、一项管理”工作进展情况。",
    "管城回族区政协主席赵吉平带领班子成员督导“六街六片区”协同风貌区建设情况。",
    "记者 柴琳琳 通讯员 刘博闻",
    "虎强一行先后来到新郑路167号院、邮电局家属院,实地督导国家卫生城市复审工作。",
]


def reference_bm25(docs_tokens, query_tokens, k1=1.5, b=0.75):
    """BM25 as bm25s computes it by default ("lucene": Lucene's IDF, no (k1 + 1) factor), written out plainly."""
    n = len(docs_tokens)
    avgdl = sum(map(len, docs_tokens)) / n
    scores = np.zeros(n)
    for t in query_tokens:  # a repeated query token counts again, as in bm25s
        df = sum(t in d for d in docs_tokens)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs_tokens):
            tf = d.count(t)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
    return scores


@pytest.mark.parametrize("scheme", ["jieba", "bigram", "jieba+bigram"])
@pytest.mark.parametrize("query", ["虎强督导了哪些工作", "魏建民", "柴琳琳写了哪些报道", "国家卫生城市"])
def test_scores_agree_with_reference(scheme, query):
    index = LexicalIndex.build(DOCS, scheme)
    ref = reference_bm25([tokenize(d, scheme) for d in DOCS], tokenize(query, scheme))
    np.testing.assert_allclose(index.scores(query), ref, rtol=1e-4, atol=1e-4)


def test_names_are_found_through_bigrams():
    index = LexicalIndex.build(DOCS)
    ids, scores = index.search("虎强", 5)
    assert set(ids.tolist()) == {0, 4}
    assert index.search("通讯员刘博闻", 1)[0].tolist() == [3]


def test_unknown_and_empty_queries_return_nothing():
    index = LexicalIndex.build(DOCS)
    for q in ["", "   ", "zzzz qqqq", "😀"]:
        ids, scores = index.search(q, 5)
        assert len(ids) == 0


def test_save_load_roundtrip(tmp_path):
    index = LexicalIndex.build(DOCS)
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for q in ["虎强督导", "政协", "柴琳琳"]:
        np.testing.assert_array_equal(index.scores(q), loaded.scores(q))
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "bm25").iterdir())


def test_idf_is_highest_for_unseen_terms():
    index = LexicalIndex.build(DOCS)
    idf = index.idf(["督导", "虎强", "下雨"])
    assert idf[2] > idf[1] > idf[0]


def test_query_terms_drop_question_scaffolding():
    assert query_terms("虎强督导了哪些工作？") == ["虎强", "督导", "工作"]
    assert query_terms("柴琳琳写了哪些报道") == ["柴琳琳"]
    assert "what" not in query_terms("What did the district CPPCC inspect in June?")


def test_a_word_jieba_glued_to_a_particle_or_the_copula_is_cut_again():
    terms = query_terms("神舟十八号这次的指令长是谁？")
    assert "长是" not in terms and "指令" in terms
    assert "深中" in query_terms("深中通道是哪天通车的？")  # a made-up abbreviation holds no particle: it stays
    assert query_terms("那届广交会在哪里举行？") == ["广交会", "举行"]  # 那届 points at the fair, it names nothing
    assert query_terms("习近平给哪些人回过信、复过信？")[-2:] == ["回信", "复信"]


def test_a_localizer_used_as_an_adverbial_is_no_topic_word():
    assert "以前" not in query_terms("叶光富以前执行过哪次载人飞行任务？")  # the report gives the mission, not 以前
    assert "东部" in query_terms("四川东部发生了什么？")  # a localizer after a noun names a place
    assert "沿海" in query_terms("沿海城市有哪些？")


def test_how_much_at_the_end_of_a_clause_is_the_interrogative_not_a_word():
    assert query_terms("嫦娥六号带回来的样品有多重？")[-1] == "样品"  # 多重 asks how heavy
    assert "多重" in query_terms("多重保障有哪些？")  # inside a clause it is the word "multiple"


def test_a_long_word_is_present_in_part_by_its_character_pairs():
    assert presence("共产党员", "中国共产党党员总数为9918.5万名") == 1.0
    assert presence("降雨量", "全区平均降雨320.8毫米") == 0.5
    assert presence("降雨", "全区平均降水") == 0.0  # a two-character word is there or it is not


def test_the_array_built_index_scores_exactly_as_bm25s_own_index():
    """LexicalIndex builds bm25s' score matrix with numpy (memory: 8 bytes a token, not Python lists): same scores."""
    import bm25s

    texts = ["管城回族区开展安全生产督导", "区人大常委会主任带队督导三项工程", "", "卫生城市复审工作推进会召开",
             "安全生产 安全生产 督导", "市场监管局开展食品安全检查，检查组查看了进货记录"]
    tokens = [tokenize(t) for t in texts]
    ours = LexicalIndex.from_tokens(iter(tokens), "jieba+bigram")
    theirs = bm25s.BM25()
    theirs.index([t or [""] for t in tokens], show_progress=False)
    for query in ["安全生产督导", "食品安全", "卫生城市复审", "督导", "没有的词"]:
        ids = theirs.get_tokens_ids(tokenize(query))
        expected = np.asarray(theirs.get_scores_from_ids(ids)) if ids else np.zeros(len(texts))
        np.testing.assert_allclose(ours.scores(query), expected, rtol=1e-6, atol=1e-6)
    assert len(ours) == len(texts)
