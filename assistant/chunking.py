"""Article -> list[Chunk]: passages cut on Chinese sentence boundaries, with offsets into ``Article.text``.

The cutting is langchain-text-splitters' ``RecursiveCharacterTextSplitter`` with separators ordered from paragraph to
sentence to clause, so a chunk ends at 。！？ (or a clause mark) whenever it can.  The splitter returns strings only;
offsets are recovered by searching forward from the previous chunk, which is exact because every chunk is a substring
of the article and chunks come in article order.

Also here: ``sentence_spans``, the sentence splitter the answer composer cites from (same boundaries, no size limit),
and ``embedding_text``, which prepends the headline for the embedder only (it never enters ``Chunk.text``).
Left out: token-based sizing (chunk size is in characters, kept well under the model's 512-token window).
"""

from __future__ import annotations

import hashlib
import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .types import Article, Chunk

# Paragraph, then sentence ends (full- and half-width), then clause marks, then anything.
SEPARATORS = ["\n", "。", "！", "？", "!", "?", "；", ";", "…", "，", ",", "、", ""]

# A sentence ends at 。！？!?；; (with any closing quotes/brackets that follow) or at a line end.
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)》\"']*|\n")


def make_splitter(chunk_size: int, chunk_overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",  # a sentence keeps its own 。
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        strip_whitespace=True,
    )


def chunk_article(article: Article, chunk_size: int = 300, chunk_overlap: int = 60) -> list[Chunk]:
    """Split one article; every chunk satisfies ``article.text[c.start:c.end] == c.text``."""
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(article.text):
        # A chunk overlaps its predecessor by at most chunk_overlap characters, so it cannot start earlier than
        # prev_end - chunk_overlap; searching from there (not from 0) keeps repeated text from matching too early.
        start = article.text.find(piece, cursor)
        if start < 0:
            raise AssertionError(f"splitter produced text not in article {article.article_id}")
        end = start + len(piece)
        digest = hashlib.sha256(f"{article.article_id}\0{start}\0{piece}".encode()).hexdigest()[:16]
        chunks.append(
            Chunk(chunk_id=digest, article_id=article.article_id, start=start, end=end, text=piece, ordinal=len(chunks))
        )
        cursor = max(start + 1, end - chunk_overlap)
    return chunks


def chunk_articles(articles: list[Article], chunk_size: int = 300, chunk_overlap: int = 60) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, chunk_size, chunk_overlap)]


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What the embedder sees: the headline gives a short passage its topic."""
    return f"{article.title}\n{chunk.text}"


def lexical_text(article: Article, chunk: Chunk) -> str:
    """What BM25 indexes: headline and byline make 「柴琳琳写了哪些报道」 findable from every chunk."""
    return f"{article.title}\n{chunk.text}\n{article.byline}"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Half-open spans of the sentences in ``text[start:end]``, stripped of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
