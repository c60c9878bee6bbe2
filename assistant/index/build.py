"""Build or update the index from the corpus folder, incrementally, under a lock, swapping atomically.

A file whose bytes hash as before keeps its articles, chunks and vectors; a changed or new file is split and embedded;
a removed file's articles vanish.  Vectors and BM25 tokens are kept in ``index/cache`` by a hash of the text they
were computed from (``cache.py``), so a text is never embedded twice, even when its file changed or moved, and a
killed build resumes.  A changed model, chunking or tokenizer setting forces a full rebuild, and says so.  Also here:
``assemble`` (the in-memory index of ``eval``) and ``verify_index`` (is every corpus article in the index?).
Left out: deleting vectors in place (each build writes a complete new generation; at newsroom scale that is cheap).
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from ..articles import split_articles
from .chunking import chunk_article, embedding_text, lexical_text
from ..config import Settings
from .dense import DenseIndex
from ..model import Embedder, load_embedder
from ..errors import AssistantError, CorpusError, IndexMissingError
from ..ingest import iter_pages, load_pages
from .cache import TokenCache, VectorCache
from .lexical import LexicalIndex, tokenize
from .search import SearchIndex
from .store import FileEntry, Manifest, build_lock, check_compatible, prune_generations
from .stores import open_index, write_index
from ..types import Article, Chunk, Page

Log = Callable[[str], None]
SKIPS_SHOWN = 10  # unreadable files named one by one while a build runs


@dataclass(frozen=True)
class BuildReport:
    path: Path | None  # the generation written; None when the index was already up to date
    pages: int
    articles: int
    chunks: int
    embedded: int  # chunks sent to the model in this build
    reused: int  # chunks whose vectors came from the cache or the previous index
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # "file: reason"
    full_rebuild_reason: str | None = None
    seconds: float = 0.0
    dated: int = 0  # articles with a full date
    duplicates: int = 0  # articles found twice (the same headline and text in two files), indexed once

    def summary(self) -> str:
        """One line of counts: an archive of 10^4 files must not print 10^4 names (``--json`` has them all)."""
        head = "index is up to date" if self.path is None else "indexed"
        files = ", ".join(f"{len(items)} {label}" for label, items in
                          (("added", self.added), ("changed", self.changed), ("removed", self.removed)) if items)
        return (f"{head}: {self.pages} pages, {self.articles} articles ({self.dated} dated, "
                f"{self.articles - self.dated} undated), {self.chunks} chunks ({self.embedded} embedded, "
                f"{self.reused} reused), {len(self.skipped)} files skipped"
                + (f", {self.duplicates} duplicate articles" if self.duplicates else "")
                + (f"; files {files}" if files else "") + f"; {self.seconds:.1f} s")


def _previous(settings: Settings, embedder: Embedder, log: Log, rebuild: bool) -> tuple[SearchIndex | None, str | None]:
    """The live index if it can be reused, else (None, why a full rebuild happens)."""
    if rebuild:
        return None, "a full rebuild was asked for"
    try:
        old = open_index(settings)
    except IndexMissingError:
        return None, None
    except AssistantError as exc:
        log(f"the existing index cannot be reused ({exc}); rebuilding it from scratch")
        return None, "the existing index could not be read"
    why = check_compatible(old.manifest, settings, model_id=embedder.model_id)
    if why:
        log(f"full rebuild: {why}")
        return None, why
    return old, None


def _is_dated(article: Article) -> bool:
    return bool(article.date) and len(article.date) == 10


def text_key(text: str) -> str:
    """The cache key of a text: a vector or a token list depends on the text it was computed from and nothing else,
    so a file moved or an article re-identified (a better headline changes the id) keeps what was computed."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Embedding:
    """Chunk vectors and tokens as the build streams: from the cache or the old index, else computed in batches.

    Computed vectors are appended to the on-disk cache a batch at a time, so memory holds one batch of texts and a
    killed build loses at most that batch.  ``vectors()`` at the end gathers every chunk's row.
    """

    def __init__(self, settings: Settings, embedder: Embedder, old: SearchIndex | None, progress: bool, rebuild: bool,
                 log: Log):
        folder = settings.index_dir / "cache"
        if rebuild:
            shutil.rmtree(folder, ignore_errors=True)  # --rebuild: nothing computed before is trusted
        self.vectors_cache = VectorCache(folder, embedder.model_id, embedder.dim)
        self.tokens_cache = TokenCache(folder, settings.lexical_tokenizer)
        self.settings, self.embedder, self.old = settings, embedder, old
        self._old_rows = {c.chunk_id: i for i, c in enumerate(old.chunks)} if old else {}
        self._texts: dict[str, str] = {}  # key -> embedding text, waiting for the model
        self._vector_keys: list[str] = []  # per chunk of the build, in order
        self._token_keys: list[str] = []
        # a few model batches per flush: each flush is one fsync, and a kill loses at most one flush of work
        self._flush_at = 4 * getattr(embedder, "batch_size", settings.batch_size)
        self._log = log
        self.embedded = 0
        self._bar = tqdm(desc="embedding", unit=" chunks", disable=not progress, dynamic_ncols=True)

    def add(self, article: Article, chunks: list[Chunk]) -> None:
        new_tokens = {}
        for c in chunks:
            text = embedding_text(article, c)
            key = text_key(text)
            self._vector_keys.append(key)
            if key not in self.vectors_cache and c.chunk_id not in self._old_rows:
                self._texts[key] = text
            lexical = lexical_text(article, c)
            key = text_key(lexical)
            self._token_keys.append(key)
            if key not in self.tokens_cache:
                new_tokens[key] = tokenize(lexical, self.settings.lexical_tokenizer)
        if new_tokens:
            self.tokens_cache.add(list(new_tokens.items()))
        if len(self._texts) >= self._flush_at:
            self.flush()

    def flush(self) -> None:
        if not self._texts:
            return
        keys, texts = list(self._texts), list(self._texts.values())
        self._texts = {}
        if not self.embedded:
            self._log(f"embedding new chunks with {self.settings.model} on {getattr(self.embedder, 'device', 'cpu')}, "
                      f"saved every {self._flush_at} to {self.vectors_cache.path.parent} (a stopped build resumes)")
        self.vectors_cache.add(keys, self.embedder.encode_passages(texts))
        self.embedded += len(keys)
        self._bar.update(len(keys))

    def close(self) -> None:
        self.flush()
        self._bar.close()

    def vectors(self, chunks: list[Chunk]) -> np.ndarray:
        """(n_chunks, dim) float32, unit norm, row i for chunk i (``chunks`` as added)."""
        out = np.empty((len(chunks), self.embedder.dim), dtype=np.float32)
        in_cache = np.fromiter((k in self.vectors_cache for k in self._vector_keys), bool, len(self._vector_keys))
        cached, rest = np.flatnonzero(in_cache), np.flatnonzero(~in_cache)
        out[cached] = self.vectors_cache.get([self._vector_keys[i] for i in cached])
        if len(rest):  # an index built before the cache existed: its vectors serve until the cache has them
            out[rest] = self.old.vectors(np.array([self._old_rows[chunks[i].chunk_id] for i in rest]))
        return out

    def token_lists(self):
        """Each chunk's BM25 tokens (``chunks`` as added), from the cache."""
        return (self.tokens_cache.get(k) for k in self._token_keys)

    def lexical(self) -> LexicalIndex:
        return LexicalIndex.from_tokens(self.token_lists(), self.settings.lexical_tokenizer)

    def compact(self) -> None:
        self.vectors_cache.compact(set(self._vector_keys))
        self.tokens_cache.compact(set(self._token_keys))


def build_index(settings: Settings, embedder: Embedder | None = None, *, rebuild: bool = False,
                progress: bool = True, log: Log = print) -> BuildReport:
    """Bring ``settings.index_dir`` up to date with ``settings.corpus_dir``.  Raises IndexBusyError if another build runs.

    The corpus is read as a stream, a file (or an export record) at a time; new chunks are embedded in batches into
    the on-disk cache, so a build killed at any point resumes from its last batch when run again.
    """
    t0 = time.perf_counter()
    with build_lock(settings.index_dir):
        prune_generations(settings.index_dir)  # leftovers of a build that was killed, even if nothing changed since
        embedder = embedder or load_embedder(settings)  # first: `--device cuda` without a GPU fails before any work
        old, full_reason = _previous(settings, embedder, log, rebuild)
        old_files = old.manifest.files if old else {}
        skipped: dict[str, str] = {}

        def skip(source: str, error: Exception) -> None:
            skipped[source] = str(error)
            # say so as it goes, but a folder of 10^4 bad files must not print 10^4 lines (--json lists them all)
            if len(skipped) <= SKIPS_SHOWN:
                log(f"skipped {error}")
            elif len(skipped) == SKIPS_SHOWN + 1:
                log("more files skipped; the last line counts them and `index --json` or `status` names them")

        pages = iter_pages(settings.corpus_dir, on_error=skip, field_map=settings.field_map)

        embedding = _Embedding(settings, embedder, old, progress, rebuild, log)
        old_chunks: dict[str, list[Chunk]] = {}
        for c in old.chunks if old else ():
            old_chunks.setdefault(c.article_id, []).append(c)
        articles: list[Article] = []
        chunks: list[Chunk] = []
        files: dict[str, FileEntry] = {}
        added, changed = [], []
        seen_text: set[bytes] = set()
        n_pages = duplicates = 0
        try:
            for page in pages:
                n_pages += 1
                prev = old_files.get(page.source)
                same = prev is not None and prev.sha256 == page.sha256
                unchanged = same and not prev.duplicates and all(a in old.articles for a in prev.articles)
                if unchanged:
                    page_articles = [old.articles[a] for a in prev.articles]
                else:
                    if not same:
                        (changed if prev is not None else added).append(page.source)
                    page_articles = split_articles(page, default_year=settings.default_year)
                kept = []
                for a in page_articles:
                    key = hashlib.sha256(f"{a.title}\0{a.text}".encode()).digest()
                    if key in seen_text:  # the same article in two files: index it once
                        duplicates += 1
                        continue
                    seen_text.add(key)
                    kept.append(a)
                    # an unchanged file's chunks are the old index's (same settings): no need to split them again
                    article_chunks = (old_chunks.get(a.article_id) if unchanged else None) or chunk_article(
                        a, settings.chunk_size, settings.chunk_overlap)
                    embedding.add(a, article_chunks)
                    chunks.extend(article_chunks)
                articles.extend(kept)
                files[page.source] = FileEntry(page.sha256, page.encoding, tuple(a.article_id for a in kept),
                                               len(page_articles) - len(kept))
        finally:
            embedding.close()  # what was embedded is in the cache even when reading the corpus failed
        removed = sorted(set(old_files) - set(files))

        if not articles:
            raise CorpusError(
                f"no articles found in {settings.corpus_dir}"
                + (f" ({len(skipped)} file(s) skipped)" if skipped else "")
                + "; add news pages (.txt, .md, .pdf, .html) to it and run `python -m assistant index` again."
            )
        report = functools.partial(
            BuildReport, pages=n_pages, articles=len(articles), chunks=len(chunks), skipped=tuple(skipped.values()),
            dated=sum(map(_is_dated, articles)), duplicates=duplicates)
        # a changed dense_index setting alone still writes a generation: same vectors, another FAISS index
        if (old is not None and not (added or changed or removed) and len(old.chunks) > 0
                and old.dense_kind == settings.dense_index):
            return report(None, embedded=0, reused=len(old.chunks), seconds=time.perf_counter() - t0)

        manifest = Manifest(
            model=settings.model, model_id=embedder.model_id, dim=embedder.dim, backend=settings.backend,
            chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
            lexical_tokenizer=settings.lexical_tokenizer, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            files=files, counts={"pages": n_pages, "articles": len(articles), "chunks": len(chunks)},
            skipped=skipped, device=getattr(embedder, "device", "cpu"),
        )
        gen = write_index(settings, old, manifest, articles, chunks, embedding)  # the store settings.store names
        embedding.compact()
        return report(gen, embedded=embedding.embedded, reused=len(chunks) - embedding.embedded,
                      added=tuple(added), changed=tuple(changed), removed=tuple(removed),
                      full_rebuild_reason=full_reason, seconds=time.perf_counter() - t0)


@dataclass(frozen=True)
class Assembled:
    """The searchable parts made from a list of articles: what a generation (or an in-memory index) holds."""

    chunks: list[Chunk]
    dense: DenseIndex
    lexical: LexicalIndex


def assemble(articles: list[Article], settings: Settings, embedder: Embedder, *, progress: bool = True) -> Assembled:
    """Chunk, embed and index ``articles`` in memory, with nothing on disk (``eval`` on a SQuAD file)."""
    chunks = [c for a in articles for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)]
    by_id = {a.article_id: a for a in articles}
    vectors = embedder.encode_passages([embedding_text(by_id[c.article_id], c) for c in chunks], progress=progress)
    lexical = LexicalIndex.build([lexical_text(by_id[c.article_id], c) for c in chunks], settings.lexical_tokenizer)
    dense = DenseIndex.build(vectors, approximate=settings.dense_index == "ivf")  # (n_chunks, dim) float32 unit rows
    return Assembled(chunks, dense, lexical)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    corpus_files: int
    indexed_files: int
    missing: tuple[str, ...] = ()  # in the corpus, not in the index
    stale: tuple[str, ...] = ()  # in both, but the file changed since it was indexed
    extra: tuple[str, ...] = ()  # in the index, no longer in the corpus
    skipped: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        lines = [f"{'OK' if self.ok else 'NOT UP TO DATE'}: {self.corpus_files} readable corpus file(s), "
                 f"{self.indexed_files} in the index"]
        for label, items in (("missing from the index", self.missing), ("changed since indexed", self.stale),
                             ("indexed but gone from the corpus", self.extra), ("unreadable", self.skipped),
                             ("problems", self.problems)):
            if items:
                lines.append(f"{label}: " + ", ".join(items))
        if not self.ok:
            lines.append("run `python -m assistant index` to update it.")
        return "\n".join(lines)


def verify_index(settings: Settings) -> VerifyReport:
    """Compare corpus files (by content hash) and their articles with what the live index holds."""
    index = open_index(settings)
    skipped: list[str] = []
    pages: list[Page] = load_pages(settings.corpus_dir, on_error=lambda src, err: skipped.append(str(err)))
    files = index.manifest.files
    missing = [p.source for p in pages if p.source not in files]
    stale = [p.source for p in pages if p.source in files and files[p.source].sha256 != p.sha256]
    extra = sorted(set(files) - {p.source for p in pages})
    problems = [f"{src}: article {a} has no record" for src, e in files.items() for a in e.articles
                if a not in index.articles]
    chunked = {c.article_id for c in index.chunks}
    problems += [f"article {a} has no chunks" for a in index.articles if a not in chunked]
    ok = not (missing or stale or extra or problems)
    return VerifyReport(ok, len(pages), len(files), tuple(missing), tuple(stale), tuple(extra), tuple(skipped),
                        tuple(problems))
