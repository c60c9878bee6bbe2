"""Article -> list[Chunk]: passages cut on Chinese sentence boundaries, with offsets into ``Article.text``.

The cutting is langchain-text-splitters' ``RecursiveCharacterTextSplitter`` with separators ordered from paragraph to
sentence to clause, so a chunk ends at 。！？ (or a clause mark) whenever it can.  The splitter returns strings only;
offsets are recovered by searching forward from the previous chunk, which is exact because every chunk is a substring
of the article and chunks come in article order.

The sentence ends are ``text.SENTENCE_ENDS``, the same ones the answer composer cites by.  Also here:
``embedding_text``, which prepends the headline for the embedder only (it never enters ``Chunk.text``).
Left out: token-based sizing (chunk size is in characters, kept well under the model's 512-token window).
"""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ..text import SENTENCE_ENDS
from ..types import Article, Chunk

# Paragraph, then sentence ends (full- and half-width), then clause marks, then anything.
SEPARATORS = ["\n", *SENTENCE_ENDS, "，", ",", "、", ""]



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


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What the embedder sees: the headline gives a short passage its topic."""
    return f"{article.title}\n{chunk.text}"


def lexical_text(article: Article, chunk: Chunk) -> str:
    """What BM25 indexes: headline and byline make 「柴琳琳写了哪些报道」 findable from every chunk."""
    return f"{article.title}\n{chunk.text}\n{article.byline}"


