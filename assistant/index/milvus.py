"""The Milvus store: the index as collections in a Milvus server or cluster (``http://host:19530``) or in embedded
milvus-lite (a path ending in ``.db``, a folder), with the same client calls for both.

Collections, reached by the names below (prefix ``news`` for the corpus index, ``eval`` for eval's); all but meta
are aliases of ``<name>_g<stamp>`` collections, so a full build swaps them in one step::

    <prefix>_chunks    a row per chunk: chunk_id (primary key), article_id, date and filed (INT64 yyyymmdd, 0 when
                       unknown, for range filters), source, title, reporters, start, end, ordinal; ``lexical`` (the
                       project's own BM25 tokens of the chunk, joined by spaces, which Milvus' whitespace analyzer
                       -- ``standard`` in milvus-lite, which has none: its word pattern keeps a space-separated
                       token whole -- splits back into the same tokens; a BM25 function turns them into ``sparse``);
                       ``vector`` (unit norm, inner product; FLAT, or HNSW from 10^5 chunks or with --dense-index ivf)
    <prefix>_articles  a row per article (or per 16,000-character part of a long one): the Article as JSON
    <prefix>_terms     document frequency of every token of the project's tokenizer, for the composer's IDF weights
    <prefix>_meta      the manifest (model, settings, corpus file hashes, counts) as JSON parts, and the live stamp

A full build fills new collections and swaps the aliases to them (readers never see half an index), then drops the
old ones; an update deletes and inserts only the changed articles' rows in place.  The live stamp is written last,
and loading checks the collections' counts against the manifest, so an update killed half-way is refused (and the
next build starts over) rather than answered from.  Every collection carries a 2-d ``_v`` field because Milvus
refuses a collection without a vector field.

What milvus-lite lacks and this code avoids: partitions by key and several processes on one ``.db`` (one process
at a time; a server for several app servers), GPU and DiskANN indexes, and the STL_SORT scalar index (INVERTED
serves the date filters).  Left out: a lock shared between build machines (the build lock is a file in --index-dir)
and fusion (retrieve.py fuses both stores' results the same way).  Longer than the ~300 lines of most modules: the
schema, the reading and the writing of one store belong together (a field added is added in all three).
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable

import numpy as np

from ..config import Settings, milvus_token
from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from ..types import Article, Chunk
from .lexical import tokenize
from .search import Dated, Period, period_of
from .store import Manifest, FORMAT_VERSION

PREFIX = "news"
_PART = 16_000  # characters of JSON per VARCHAR(65535) row: at most 4 bytes a character
_HNSW_FROM = 100_000  # chunks: exact search below, a graph index above (bench/ann.py: ~15 ms exact at 10^5)
_BATCH = 1_000
# what the chunks' ``lexical`` field holds: a database whose meta says otherwise (an older one, analysed by Milvus'
# jieba) ranks other tokens than this code queries with, and is rebuilt
LEXICAL = "project-tokens"


def _hint(settings: Settings) -> str:
    return f"run `python -m assistant index --rebuild --store milvus --milvus-uri {settings.milvus_uri}`"


def connect(settings: Settings):
    """A client for ``settings.milvus_uri``; the token is read from the environment now and kept nowhere else."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - installed with the project
        raise IndexMissingError("--store milvus needs pymilvus and milvus-lite: pip install -e '.[milvus]' "
                                "(pymilvus==3.0.2, milvus-lite==3.2.2).") from exc
    # milvus-lite's query iterator warns on every scan that it uses client-side timestamps: not for users
    logging.getLogger("pymilvus").setLevel(logging.ERROR)
    token = milvus_token()
    # milvus-lite: a channel of its own.  pymilvus shares one channel per address and, after 30 s idle, checks and
    # "recovers" it, which fails against milvus-lite's in-process server (a build embedding for minutes, then writing).
    return MilvusClient(uri=settings.milvus_uri, dedicated=settings.milvus_uri.endswith(".db"),
                        **({"token": token} if token else {}))


def _bytes_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (VARCHAR lengths are bytes), on a character boundary."""
    raw = text.encode()
    return text if len(raw) <= limit else raw[:limit].decode(errors="ignore")


def _filter(period: Period | None) -> str:
    """The Milvus expression for a period: a chunk matches if its article's publication or filed date is in it."""
    if period is None:
        return ""
    a, b = int(period[0]), int(period[1])
    return f"(date >= {a} and date <= {b}) or (filed >= {a} and filed <= {b})"


def _in(field_: str, values: list[str]) -> str:
    return f"{field_} in {json.dumps(values, ensure_ascii=False)}"


def _scan(client, collection: str, fields: list[str]) -> Iterable[dict]:
    it = client.query_iterator(collection, batch_size=4096, filter="", output_fields=fields)
    while batch := it.next():
        yield from batch
    it.close()


class _Terms:
    """BM25 IDF of the project's tokenizer, from the terms collection (the same formula as ``LexicalIndex.idf``)."""

    def __init__(self, client, collection: str, n_docs: int):
        self._client, self._collection, self._n = client, collection, n_docs
        self._df: dict[str, int] = {}  # terms asked before (a question's terms are few)

    def idf(self, terms: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(terms) if t not in self._df and len(t.encode()) <= 512]
        if todo:
            found = {r["term"]: int(r["df"]) for r in self._client.query(
                self._collection, ids=todo, output_fields=["term", "df"])}
            self._df.update({t: found.get(t, 0) for t in todo})
        n = self._n
        return np.array([math.log(1.0 + (n - self._df.get(t, 0) + 0.5) / (self._df.get(t, 0) + 0.5)) for t in terms],
                        dtype=np.float32)


@dataclass
class MilvusIndex(Dated):
    """An index in Milvus: articles and chunk metadata in memory (for citations and rows), search in Milvus."""

    client: object
    prefix: str
    manifest: Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    generation: str
    dense_kind: str = "flat"
    rows: dict[str, int] = field(init=False, repr=False)
    lexical: _Terms = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rows = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.lexical = _Terms(self.client, f"{self.prefix}_terms", len(self.chunks))

    @property
    def _collection(self) -> str:
        return f"{self.prefix}_chunks"

    def _hits(self, result, sign: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        # ids a concurrent rebuild added after this index was loaded are dropped; the next load has them
        hits = [(self.rows[h["chunk_id"]], sign * h["distance"]) for h in result[0] if h["chunk_id"] in self.rows]
        return (np.array([r for r, _ in hits], dtype=np.int64),
                np.array([s for _, s in hits], dtype=np.float32))

    def search_dense(self, query_vector: np.ndarray, k: int,
                     period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows by cosine to ``query_vector`` (1, dim), best first: (rows int64, cosines float32)."""
        if not self.chunks or k < 1:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        result = self.client.search(
            self._collection, data=[np.asarray(query_vector[0], dtype=np.float32).tolist()], anns_field="vector",
            limit=min(k, 16_384), filter=_filter(period), output_fields=["chunk_id"],
            search_params={"metric_type": "IP", "params": {"ef": max(k, 64)}})
        return self._hits(result)

    def search_lexical(self, query: str, k: int, period: Period | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk rows by BM25 over the project's tokens (as the local store ranks) with a positive score, best
        first."""
        tokens = " ".join(tokenize(query, self.manifest.lexical_tokenizer))
        if not self.chunks or k < 1 or not tokens:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        result = self.client.search(
            self._collection, data=[tokens], anns_field="sparse", limit=min(k, 16_384), filter=_filter(period),
            output_fields=["chunk_id"], search_params={"metric_type": "BM25"})
        rows, scores = self._hits(result)
        scores = np.abs(scores)  # milvus-lite reports BM25 as a negated distance, a server as the score
        keep = scores > 0
        return rows[keep], scores[keep]

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), dim) float32 unit vectors of these rows, fetched by chunk id."""
        ids = [self.chunks[int(r)].chunk_id for r in rows]
        if not ids:
            return np.zeros((0, self.manifest.dim), np.float32)
        got = {r["chunk_id"]: r["vector"] for r in self.client.query(self._collection, ids=ids,
                                                                     output_fields=["chunk_id", "vector"])}
        return np.array([got[i] for i in ids], dtype=np.float32)


# -- reading ---------------------------------------------------------------------------------------------------------

def _load(client, name: str) -> None:
    """Load a collection for search (a new process or a restarted server starts with them released)."""
    from pymilvus.client.types import LoadState

    if client.get_load_state(name)["state"] != LoadState.Loaded:
        client.load_collection(name)


def _meta(client, prefix: str, key: str) -> str | None:
    rows = client.query(f"{prefix}_meta", ids=[key], output_fields=["value"])
    return rows[0]["value"] if rows else None


def live_generation(settings: Settings, prefix: str = PREFIX, client=None) -> str | None:
    """The stamp of the live index in the database; None when none was written."""
    own = client is None
    client = client or connect(settings)
    try:
        if not client.has_collection(f"{prefix}_meta"):
            return None
        _load(client, f"{prefix}_meta")
        return _meta(client, prefix, "live")
    finally:
        if own:
            client.close()


def open_milvus(settings: Settings, prefix: str = PREFIX, client=None) -> MilvusIndex:
    """The live index in ``settings.milvus_uri``, with its manifest and counts checked."""
    client = client or connect(settings)
    try:
        return _open(client, settings, prefix)
    except BaseException:
        client.close()
        raise


def _open(client, settings: Settings, prefix: str) -> MilvusIndex:
    stamp = live_generation(settings, prefix, client)
    if stamp is None:
        raise IndexMissingError(f"no index in the Milvus database {settings.milvus_uri}; build it with "
                                f"`python -m assistant index --store milvus --milvus-uri {settings.milvus_uri}`.")
    for kind in ("chunks", "articles", "terms"):
        _load(client, f"{prefix}_{kind}")
    parts = client.query(f"{prefix}_meta", filter=f'key like "manifest/{stamp}/%"', output_fields=["key", "value"])
    try:
        raw = json.loads("".join(p["value"] for p in sorted(parts, key=lambda p: p["key"])))
        version = raw.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexMismatchError(f"the index in the Milvus database {settings.milvus_uri} has format version "
                                     f"{version!r}, this program reads {FORMAT_VERSION}; {_hint(settings)}.")
        manifest = Manifest.from_json(raw)
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"the manifest in the Milvus database {settings.milvus_uri} is damaged ({exc}); "
                                f"{_hint(settings)}.") from exc
    records: dict[str, list[tuple[int, str]]] = {}
    for r in _scan(client, f"{prefix}_articles", ["article_id", "part", "record"]):
        records.setdefault(r["article_id"], []).append((r["part"], r["record"]))
    articles = {}
    for aid, recs in records.items():
        d = json.loads("".join(text for _, text in sorted(recs)))
        articles[aid] = Article(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})
    by_article: dict[str, list[Chunk]] = {}
    for r in _scan(client, f"{prefix}_chunks", ["chunk_id", "article_id", "start", "end", "ordinal"]):
        a = articles.get(r["article_id"])
        if a is None:
            raise IndexCorruptError(f"a chunk of the Milvus database {settings.milvus_uri} refers to article "
                                    f"{r['article_id']}, which it does not hold; {_hint(settings)}.")
        by_article.setdefault(a.article_id, []).append(
            Chunk(r["chunk_id"], a.article_id, r["start"], r["end"], a.text[r["start"]:r["end"]], r["ordinal"]))
    # rows in the build's order (files, then articles in page order, then chunks): ties rank as in the local store
    order = [aid for entry in manifest.files.values() for aid in entry.articles]
    chunks = [c for aid in dict.fromkeys(order + sorted(by_article))
              for c in sorted(by_article.get(aid, ()), key=lambda c: c.ordinal)]
    problems = [f"{n} {what}, manifest says {manifest.counts.get(what)}" for what, n in
                (("articles", len(articles)), ("chunks", len(chunks))) if n != manifest.counts.get(what)]
    if problems:
        raise IndexCorruptError(f"the index in the Milvus database {settings.milvus_uri} is out of sync "
                                f"({'; '.join(problems)}): an update was interrupted; {_hint(settings)}.")
    if _meta(client, prefix, "lexical") != LEXICAL:
        raise IndexMismatchError(f"the index in the Milvus database {settings.milvus_uri} was built by an earlier "
                                 f"version, whose BM25 ranked Milvus' own jieba words; {_hint(settings)}.")
    return MilvusIndex(client, prefix, manifest, articles, chunks, stamp, _meta(client, prefix, "dense_kind") or "flat")


# -- writing ---------------------------------------------------------------------------------------------------------

def _create(client, name: str, kind: str, dim: int, index_type: str, lite: bool = False) -> None:
    if kind != "chunks":
        return _create_as(client, name, kind, dim, index_type, "")
    if lite:  # milvus-lite 3.2 has no whitespace tokenizer; its standard one keeps a space-separated token whole
        return _create_as(client, name, kind, dim, index_type, "standard")
    from pymilvus.exceptions import MilvusException

    quiet = logging.getLogger("pymilvus")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # pymilvus logs the refusal below as an error before raising it
    try:
        _create_as(client, name, kind, dim, index_type, "whitespace")
    except MilvusException as exc:  # a server without it: "unknown tokenizer type: 'whitespace' ..."
        if "whitespace" not in str(exc):
            raise
        _create_as(client, name, kind, dim, index_type, "standard")
    finally:
        quiet.setLevel(level)


def _create_as(client, name: str, kind: str, dim: int, index_type: str, tokenizer: str) -> None:
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False)
    ip = client.prepare_index_params()
    if kind == "chunks":
        s.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=64)
        s.add_field("article_id", DataType.VARCHAR, max_length=64)
        s.add_field("date", DataType.INT64)
        s.add_field("filed", DataType.INT64)
        s.add_field("source", DataType.VARCHAR, max_length=2048)
        s.add_field("title", DataType.VARCHAR, max_length=2048)
        s.add_field("reporters", DataType.VARCHAR, max_length=2048)
        for name_ in ("start", "end", "ordinal"):
            s.add_field(name_, DataType.INT64)
        s.add_field("lexical", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                    analyzer_params={"tokenizer": tokenizer})
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["lexical"],
                                output_field_names=["sparse"]))
        # k1 and b as bm25s uses them (the local store), so the two rank alike
        ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                     params={"bm25_k1": 1.5, "bm25_b": 0.75})
        ip.add_index("vector", index_type=index_type, metric_type="IP",
                     params={"M": 16, "efConstruction": 200} if index_type == "HNSW" else {})
        ip.add_index("date", index_type="INVERTED")  # milvus-lite has no STL_SORT; both have INVERTED
        ip.add_index("filed", index_type="INVERTED")
    else:
        key = {"articles": "key", "terms": "term", "meta": "key"}[kind]
        s.add_field(key, DataType.VARCHAR, is_primary=True, max_length=600)
        if kind == "articles":
            s.add_field("article_id", DataType.VARCHAR, max_length=64)
            s.add_field("part", DataType.INT64)
            s.add_field("record", DataType.VARCHAR, max_length=65_535)
        elif kind == "terms":
            s.add_field("df", DataType.INT64)
        else:
            s.add_field("value", DataType.VARCHAR, max_length=65_535)
        s.add_field("_v", DataType.FLOAT_VECTOR, dim=2)
        ip.add_index("_v", index_type="FLAT", metric_type="L2")
    client.create_collection(name, schema=s, index_params=ip)


def _point(client, alias: str, collection: str) -> None:
    """Make ``alias`` name ``collection`` (one atomic step for readers), then drop what it named before."""
    before = client.describe_alias(alias)["collection_name"] if client.has_collection(alias) else None
    if before is None:
        client.create_alias(collection, alias)
    elif before != collection:
        client.alter_alias(collection, alias)
        client.drop_collection(before)


def _insert(client, collection: str, rows: Iterable[dict]) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            client.insert(collection, batch)
            batch = []
    if batch:
        client.insert(collection, batch)


def _parts(text: str) -> list[str]:
    return [text[i:i + _PART] for i in range(0, len(text), _PART)] or [""]


def _article_rows(articles: Iterable[Article]) -> Iterable[dict]:
    for a in articles:
        for i, part in enumerate(_parts(json.dumps(asdict(a), ensure_ascii=False))):
            yield {"key": f"{a.article_id}/{i}", "article_id": a.article_id, "part": i, "record": part,
                   "_v": [0.0, 0.0]}


def _chunk_rows(chunks: list[Chunk], touched: set[str], articles: dict[str, Article], vectors: np.ndarray,
                token_lists: Iterable[list[str]], df: Counter) -> Iterable[dict]:
    """The rows of the chunks of ``touched`` articles; counts every chunk's tokens into ``df`` on the way (one pass
    over the token lists, which at 10^5 articles do not fit in memory at once)."""
    for r, (c, tokens) in enumerate(zip(chunks, token_lists)):
        df.update(set(tokens))
        if c.article_id not in touched:
            continue
        a = articles[c.article_id]
        date, filed = period_of(a)
        yield {"chunk_id": c.chunk_id, "article_id": c.article_id, "date": date, "filed": filed,
               "source": _bytes_cut(a.source, 2048), "title": _bytes_cut(a.title, 2048),
               "reporters": _bytes_cut("、".join(a.reporters), 2048), "start": c.start, "end": c.end,
               "ordinal": c.ordinal, "lexical": _bytes_cut(" ".join(t for t in tokens if t), 65_535),
               "vector": vectors[r].tolist()}


def write_milvus(settings: Settings, old, manifest: Manifest, articles: list[Article], chunks: list[Chunk],
                 vectors: np.ndarray, token_lists: Iterable[list[str]], prefix: str = PREFIX) -> str:
    """Make ``articles``/``chunks`` (``vectors`` (n_chunks, dim) float32, unit norm) the live index; returns its stamp.

    With ``old`` (the live MilvusIndex, same model and settings) only changed, added and removed articles' rows are
    touched; otherwise new collections are filled and swapped in.  ``token_lists`` are the chunks' tokens under the
    project's tokenizer, for the document frequencies.
    """
    client = connect(settings)
    try:
        return _write(client, settings, old, manifest, articles, chunks, vectors, token_lists, prefix)
    finally:
        client.close()


def _write(client, settings, old, manifest, articles, chunks, vectors, token_lists, prefix) -> str:
    stamp = f"g{time.strftime('%Y%m%d%H%M%S')}{secrets.token_hex(3)}"
    by_id = {a.article_id: a for a in articles}
    if not client.has_collection(f"{prefix}_meta"):
        _create(client, f"{prefix}_meta", "meta", 2, "")
    index_type = "HNSW" if settings.dense_index == "ivf" or len(chunks) >= _HNSW_FROM else "FLAT"
    full = not isinstance(old, MilvusIndex) or old.prefix != prefix
    if full:
        target = {kind: f"{prefix}_{kind}_{stamp}" for kind in ("chunks", "articles")}
        _create(client, target["chunks"], "chunks", vectors.shape[1], index_type, settings.milvus_uri.endswith(".db"))
        _create(client, target["articles"], "articles", 2, "")
        touched = set(by_id)
    else:
        target = {kind: f"{prefix}_{kind}" for kind in ("chunks", "articles")}
        touched = {aid for aid, a in by_id.items() if old.articles.get(aid) != a}
        stale = sorted((touched | set(old.articles) - set(by_id)) & set(old.articles))
        for i in range(0, len(stale), 500):
            client.delete(target["chunks"], filter=_in("article_id", stale[i:i + 500]))
            client.delete(target["articles"], filter=_in("article_id", stale[i:i + 500]))
    df: Counter = Counter()
    _insert(client, target["chunks"], _chunk_rows(chunks, touched, by_id, vectors, token_lists, df))
    _insert(client, target["articles"], _article_rows(by_id[aid] for aid in by_id if aid in touched))

    terms = f"{prefix}_terms_{stamp}"
    _create(client, terms, "terms", 2, "")
    _insert(client, terms, ({"term": t, "df": n, "_v": [0.0, 0.0]} for t, n in df.items()
                            if t and len(t.encode()) <= 512))
    # sealed, indexed segments: milvus-lite searches rows still in its write-ahead log by brute force (a 1k-article
    # BM25 query took ~0.8 s before, ~10 ms after), and on a server compaction reclaims the deleted rows
    for name in (*target.values(), terms):
        client.flush(name)
        client.compact(name)
    if full:
        for kind in ("chunks", "articles"):
            _point(client, f"{prefix}_{kind}", target[kind])
    _point(client, f"{prefix}_terms", terms)

    meta = [{"key": f"manifest/{stamp}/{i:05d}", "value": part, "_v": [0.0, 0.0]}
            for i, part in enumerate(_parts(json.dumps(manifest.to_json(), ensure_ascii=False)))]
    meta.append({"key": "dense_kind", "value": settings.dense_index, "_v": [0.0, 0.0]})
    meta.append({"key": "lexical", "value": LEXICAL, "_v": [0.0, 0.0]})
    client.upsert(f"{prefix}_meta", meta)
    client.upsert(f"{prefix}_meta", [{"key": "live", "value": stamp, "_v": [0.0, 0.0]}])  # last: the swap
    client.delete(f"{prefix}_meta", filter=f'key like "manifest/%" and not (key like "manifest/{stamp}/%")')
    return stamp


def drop_milvus(settings: Settings, prefix: str) -> None:
    """Remove every collection of ``prefix`` (eval's throwaway index)."""
    client = connect(settings)
    for name in client.list_collections():
        if name.startswith(f"{prefix}_"):
            for alias in client.list_aliases(name).get("aliases", []):
                client.drop_alias(alias)
            client.drop_collection(name)
