"""Chunks cut on Chinese sentence boundaries, with exact offsets into the article text."""

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from assistant.index.chunking import chunk_article, embedding_text, lexical_text
from assistant.text import sentence_spans
from assistant.types import Article

SEED_BODY = (
    "本报讯 近日,管城回族区委书记虎强带领相关部门负责人,实地督导安全生产工作。当天,虎强一行来到毕河村安庄,"
    "详细查看村民用电安全、沿街商铺食品安全及消防措施等情况。\n"
    "针对下一步全区安全生产工作,虎强要求,要扛牢压实责任。要健全完善机制。要强化应急值守。要加强督导检查。\n"
    "记者 柴琳琳 通讯员 姜璞"
)


def article(text: str, title: str = "标题") -> Article:
    return Article(article_id="a1", source="x.txt", title=title, text=text, byline="记者 柴琳琳")


@pytest.mark.parametrize("size,overlap", [(40, 0), (60, 10), (120, 30), (300, 60), (1000, 100)])
def test_chunks_are_exact_slices_and_cover_the_article(size, overlap):
    a = article(SEED_BODY * 3)
    chunks = chunk_article(a, size, overlap)
    assert chunks
    for c in chunks:
        assert a.text[c.start:c.end] == c.text
        assert len(c.text) <= size
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    # every non-space character is in some chunk: nothing is lost between chunks
    assert all(i in covered for i, ch in enumerate(a.text) if not ch.isspace())
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunks_end_on_sentence_boundaries_when_they_can():
    chunks = chunk_article(article(SEED_BODY), 80, 0)
    ends = [c.text[-1] for c in chunks]
    assert sum(e in "。\n" or c.end == len(SEED_BODY) for e, c in zip(ends, chunks)) >= len(chunks) - 1


def test_chunk_ids_are_stable_content_hashes():
    a = article(SEED_BODY)
    assert [c.chunk_id for c in chunk_article(a)] == [c.chunk_id for c in chunk_article(a)]


def test_headline_is_for_embedding_only():
    a = article(SEED_BODY, title="抓实抓细安全教育")
    c = chunk_article(a)[0]
    assert "抓实抓细安全教育" not in c.text
    assert embedding_text(a, c).startswith("抓实抓细安全教育")
    assert "柴琳琳" in lexical_text(a, c)


def test_one_word_and_empty_articles():
    assert [c.text for c in chunk_article(article("短"))] == ["短"]
    assert chunk_article(article("")) == []


def test_sentence_spans():
    text = "第一句。第二句！“第三句？”\n第四句"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["第一句。", "第二句！", "“第三句？”", "第四句"]


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet="管城区虎强督导。，,！？\n ab1", min_size=0, max_size=400),
       st.integers(min_value=20, max_value=200))
def test_offsets_hold_for_any_text(text, size):
    a = article(text)
    for c in chunk_article(a, size, size // 5):
        assert a.text[c.start:c.end] == c.text
    for s, e in sentence_spans(text):
        assert text[s:e].strip() == text[s:e] and text[s:e]
