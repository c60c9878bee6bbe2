"""BM25 over Chinese text: a tokenizer (jieba words and/or CJK character bigrams) and a bm25s index.

jieba alone splits unseen names (虎强 -> 虎 / 强) and fuses compounds the question phrases differently; character
bigrams alone lose word boundaries.  ``jieba+bigram`` (the default, chosen by measurement: README "Quality") indexes
both, so a name matches through its bigram and a word through jieba.  Query and document go through the same function.

Also here: IDF weights of query terms, which the answer composer uses to judge whether a sentence covers a question.
Left out: stemming, synonyms, traditional/simplified folding.
"""

from __future__ import annotations

import json
import logging
import math
import re
from functools import lru_cache
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .search import topk
from ..text import CJK, CJK_CLASS

BM25_K1, BM25_B = 1.5, 0.75  # bm25s' defaults (the Milvus store sets its BM25 function to the same)
_WORD = re.compile(f"[{CJK_CLASS}]+|" r"[a-z0-9]+(?:\.[0-9]+)?", re.IGNORECASE)

# Words that shape a question but say nothing about its topic.  Dropped from queries (not from documents).
QUESTION_WORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 是 在 有 和 与 及 或 对 把 被 从 向 于 为 以 就 都 也 还 又 这 那 其 之 个 些 上 中 下
    什么 哪些 哪个 哪里 哪儿 哪位 哪篇 哪天 哪年 哪 谁 几 几位 几个 多少 怎么 怎样 如何 为什么 是否 是不是 请问 请 告诉 我
    你 他 她 它 他们 她们 我们 报道 报导 文章 新闻 消息 写 写了 提到 提及 关于 有关 一下 哪些人 分别 主要 内容 情况
    what which who whom when where why how did does do is are was were the a an of in on at to for by with about
    """.split()
)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for users
    jieba.initialize()
    return jieba


def tokenize(text: str, scheme: str = "jieba+bigram") -> list[str]:
    """Lower-cased tokens of ``text``: jieba search-mode words, CJK character bigrams, or both."""
    tokens: list[str] = []
    runs = _WORD.findall(text.lower())
    if "jieba" in scheme:
        jb = _jieba()
        for run in runs:
            if CJK.match(run):
                tokens.extend(w for w in jb.lcut_for_search(run) if w.strip())
            else:
                tokens.append(run)
    if "bigram" in scheme:
        for run in runs:
            if CJK.match(run):
                if len(run) == 1:
                    if "jieba" not in scheme:
                        tokens.append(run)
                else:
                    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            elif "jieba" not in scheme:
                tokens.append(run)
    return tokens


# Parts of speech that shape a question but never name its topic: pronouns (哪些, 什么), prepositions (给, 在),
# particles (的, 了, 过), conjunctions, modal particles, interjections, onomatopoeia and adverbs (都, 一共, 最终).
_FUNCTION_TAGS = ("r", "p", "u", "c", "y", "e", "o", "d")
_HOW_MUCH = frozenset("多大 多高 多长 多远 多重 多久 多深 多宽 多厚 多快 多老".split())
ASPECT = ("过", "了", "着")  # 回过信 is 回信 with an aspect particle inside: the article writes 回信
# a demonstrative points at a thing, it does not name it: 这/那届, 该次, 那阵子
DEMONSTRATIVES = ("这", "那", "该", "此", "本", "某")


def query_terms(question: str) -> list[str]:
    """Content words of a question, in order, without repeats.

    jieba's part-of-speech tags drop function words (``_FUNCTION_TAGS``) and ``QUESTION_WORDS`` drops the scaffolding
    of a question; a verb split from its object by an aspect particle is joined again when the joined word is in
    jieba's dictionary (回过信 -> 回信, 复过信 -> 复信; 通过决议 stays as it is).
    """
    jb = _jieba()
    tags = posseg().dt.word_tag_tab  # the dictionary's tag of each word; words jieba found by itself (虎强) have none
    seen: dict[str, None] = {}
    for run in _WORD.findall(question.lower()):
        if not CJK.match(run):
            if run not in QUESTION_WORDS:
                seen.setdefault(run, None)
            continue
        words = jb.lcut(run)
        i = 0
        while i < len(words):
            w, f = words[i], tags.get(words[i], "")
            nxt = words[i + 1] if i + 1 < len(words) else ""
            joined = (len(w) == 2 and w[1] in ASPECT and (f.startswith("v") or not f)
                      and tags.get(nxt, "").startswith("n") and jb.get_FREQ(w[0] + nxt))
            i += 2 if joined else 1
            # a localizer before a verb is an adverbial of time or place (以前执行过, 之后举行): the report says
            # when, not 以前; one after a noun or before one stays (四川东部, 沿海城市)
            no_topic = f == "f" and not joined and tags.get(nxt, "").startswith("v") and (
                i == 1 or not tags.get(words[i - 2], "").startswith("n"))
            # 多 + an adjective that ends a clause asks how much (有多重？ 多远？); inside one it is a word (多重保障)
            no_topic = no_topic or (not nxt and w in _HOW_MUCH)
            for w in [w[0] + nxt] if joined else _unglued(w, jb, tags):
                f = "v" if joined else tags.get(w, "")
                if w.strip() and w not in QUESTION_WORDS and not f.startswith(_FUNCTION_TAGS) and not no_topic:
                    seen.setdefault(w, None)
    return list(seen)


_GLUE_TAGS = ("u", "y")  # particles (的, 了, 过) and modal particles (吗, 呢): never inside a name or a term


def _unglued(word: str, jb, tags: dict) -> list[str]:
    """A word jieba's HMM made up (not in its dictionary) that glues a character to a particle or the copula
    (指令长是谁 -> 指令 / 长是 / 谁), or a demonstrative to what it counts (那届 -> 那 / 届), is cut again by the
    dictionary alone; a made-up name (虎强) or abbreviation (深中通道 -> 深中) holds none of them and stays."""
    if len(word) < 2 or word in tags or not CJK.match(word):
        return [word]
    pieces = jb.lcut(word, HMM=False)
    glued = any(p == "是" or tags.get(p, "").startswith(_GLUE_TAGS) for p in pieces) or pieces[0] in DEMONSTRATIVES
    return pieces if glued and len(pieces) > 1 else [word]


def presence(term: str, text: str) -> float:
    """How much of ``term`` is in ``text``: 1 when it is, else for a word of three or more characters the share of
    its character pairs that are (共产党员 is all there in 共产党党员, 降雨量 half there in 降雨), else 0."""
    if term in text:
        return 1.0
    if len(term) < 3:
        return 0.0
    pairs = [term[i:i + 2] for i in range(len(term) - 1)]
    return sum(p in text for p in pairs) / len(pairs)


@lru_cache(maxsize=1)
def posseg():
    """jieba's part-of-speech tagger (its dictionary loaded once, quietly)."""
    _jieba()
    import jieba.posseg

    return jieba.posseg


def term_weights(terms: list[str], lexical: "LexicalIndex") -> np.ndarray:
    """(len(terms),) how much each query term counts when a text is said to cover a question: its IDF, and a third of
    it for a single character (which matches almost anywhere as a substring)."""
    return lexical.idf(terms) * np.array([1.0 if len(t) > 1 else 0.3 for t in terms], dtype=np.float32)


class LexicalIndex:
    """A bm25s index over chunk texts; row i is chunk i of the index."""

    FILE = "tokenizer.json"

    def __init__(self, bm25, scheme: str):
        self._bm25 = bm25
        self.scheme = scheme
        indptr = np.asarray(bm25.scores["indptr"])
        self._n_docs = int(bm25.scores["num_docs"])
        # document frequency per vocabulary id: the CSC matrix stores one column per token
        self._df = np.diff(indptr)

    @classmethod
    def build(cls, texts: list[str], scheme: str = "jieba+bigram") -> "LexicalIndex":
        return cls.from_tokens([tokenize(t, scheme) for t in texts], scheme)

    @classmethod
    def from_tokens(cls, corpus_tokens: Iterable[list[str]], scheme: str) -> "LexicalIndex":
        """The index over texts already tokenized by ``tokenize(text, scheme)`` (the build caches those).

        bm25s' own ``index`` holds every document as a Python list of tokens and then of ids (~36 bytes a token):
        at 10^5 articles, 10^8 tokens, gigabytes.  Here each document becomes an int32 id array as it streams in and
        the score matrix is array arithmetic, with bm25s' formula (BM25 "lucene": idf log(1 + (N - df + .5) / (df +
        .5)), k1 1.5, b 0.75) and its CSC layout (columns = vocabulary ids), so bm25s searches, saves and loads it.
        """
        import bm25s

        vocab: dict[str, int] = {}
        parts: list[np.ndarray] = []
        lengths: list[int] = []
        for tokens in corpus_tokens:
            tokens = tokens or [""]  # bm25s' convention: an empty document holds the empty token
            parts.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), np.int64, len(tokens)))
            lengths.append(len(tokens))
        n_docs, n_vocab = len(lengths), len(vocab)
        ids = np.concatenate(parts) if parts else np.zeros(0, np.int64)  # (n_tokens,) vocabulary id of each token
        del parts
        doc_len = np.asarray(lengths, dtype=np.float64)  # (n_docs,)
        # one key per (term, document) occurrence, term-major: sorted keys are the CSC order, their counts the tf
        keys, tf = np.unique(ids * n_docs + np.repeat(np.arange(n_docs, dtype=np.int64), lengths), return_counts=True)
        del ids
        term, doc = np.divmod(keys, n_docs)
        df = np.bincount(term, minlength=n_vocab)  # (n_vocab,) documents holding each term
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        k1, b = BM25_K1, BM25_B
        norm = k1 * ((1 - b) + b * doc_len / doc_len.mean()) if n_docs else doc_len
        data = (idf[term] * tf / (norm[doc] + tf)).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        bm25.scores = {"data": data, "indices": doc.astype(np.int32), "indptr": indptr, "num_docs": n_docs}
        bm25.vocab_dict = vocab
        bm25.unique_token_ids_set = set(vocab.values())
        bm25.nonoccurrence_array = None  # only BM25L and BM25+ use one
        return cls(bm25, scheme)

    def __len__(self) -> int:
        return self._n_docs

    def scores(self, query: str) -> np.ndarray:
        """(n_docs,) float32 BM25 scores of ``query`` against every chunk."""
        ids = self._bm25.get_tokens_ids(tokenize(query, self.scheme))
        if not ids:
            return np.zeros(self._n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows with a positive score, best first: (ids int64, scores float32)."""
        return topk(self.scores(query), k, positive=True)

    def idf(self, terms: list[str]) -> np.ndarray:
        """BM25 IDF of each term; a term the corpus never saw gets the highest IDF (it is the most specific)."""
        vocab = self._bm25.vocab_dict
        n = self._n_docs
        out = np.empty(len(terms), dtype=np.float32)
        for i, t in enumerate(terms):
            df = int(self._df[vocab[t]]) if t in vocab else 0
            out[i] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return out

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(folder), show_progress=False)
        (folder / self.FILE).write_text(json.dumps({"scheme": self.scheme}), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        scheme = json.loads((folder / cls.FILE).read_text(encoding="utf-8"))["scheme"]
        bm25 = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(bm25, scheme)
