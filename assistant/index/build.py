"""Build or update the index from the corpus folder, incrementally, under a lock, swapping atomically.

A file whose bytes hash as before keeps its articles, chunks and vectors; a changed or new file is split and embedded;
a removed file's articles vanish.  A chunk whose id (a hash of its article and text) already has a vector is not
embedded again even when its file changed around it.  A changed model, chunking or tokenizer setting forces a full
rebuild, and says so.  Also here: ``verify_index``, which checks that every article of the corpus is in the index.
Left out: deleting vectors in place (each build writes a complete new generation; at newsroom scale that is cheap).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..articles import split_articles
from .chunking import chunk_article, embedding_text, lexical_text
from ..config import Settings
from .dense import DenseIndex
from ..model import Embedder, load_embedder
from ..errors import AssistantError, CorpusError, IndexMissingError
from ..ingest import load_pages
from .lexical import LexicalIndex
from .store import (FileEntry, LoadedIndex, Manifest, build_lock, check_compatible, load_index, prune_generations,
                    write_generation)
from ..types import Article, Chunk, Page

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    path: Path | None  # the generation written; None when the index was already up to date
    pages: int
    articles: int
    chunks: int
    embedded: int  # chunks sent to the model in this build
    reused: int  # chunks whose vectors came from the previous index
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # "file: reason"
    full_rebuild_reason: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        if self.path is None:
            head = "index is up to date"
        else:
            head = f"indexed {self.pages} pages, {self.articles} articles, {self.chunks} chunks"
        parts = [f"{head} ({self.embedded} embedded, {self.reused} reused, {self.seconds:.1f} s)"]
        for label, items in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if items:
                parts.append(f"{label}: {', '.join(items)}")
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)} file(s): " + "; ".join(self.skipped))
        return "\n".join(parts)


def _previous(settings: Settings, embedder: Embedder, log: Log, rebuild: bool) -> tuple[LoadedIndex | None, str | None]:
    """The live index if it can be reused, else (None, why a full rebuild happens)."""
    if rebuild:
        return None, "a full rebuild was asked for"
    try:
        old = load_index(settings.index_dir)
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


def build_index(settings: Settings, embedder: Embedder | None = None, *, rebuild: bool = False,
                progress: bool = True, log: Log = print) -> BuildReport:
    """Bring ``settings.index_dir`` up to date with ``settings.corpus_dir``.  Raises IndexBusyError if another build runs."""
    t0 = time.perf_counter()
    with build_lock(settings.index_dir):
        prune_generations(settings.index_dir)  # leftovers of a build that was killed, even if nothing changed since
        skipped_by_file: dict[str, str] = {}
        pages = load_pages(settings.corpus_dir, on_error=lambda src, err: skipped_by_file.__setitem__(src, str(err)),
                           field_map=settings.field_map)
        skipped = list(skipped_by_file.values())
        embedder = embedder or load_embedder(settings)
        old, full_reason = _previous(settings, embedder, log, rebuild)
        old_files = old.manifest.files if old else {}

        articles: list[Article] = []
        files: dict[str, FileEntry] = {}
        added, changed = [], []
        seen_text: dict[tuple[str, str], str] = {}
        for page in pages:
            prev = old_files.get(page.source)
            if prev is not None and prev.sha256 == page.sha256 and all(a in old.articles for a in prev.articles):
                page_articles = [old.articles[a] for a in prev.articles]
            else:
                (changed if prev is not None else added).append(page.source)
                page_articles = split_articles(page, default_year=settings.default_year)
            kept = []
            for a in page_articles:
                key = (a.title, a.text)
                if key in seen_text:  # the same article in two files: index it once
                    log(f"{page.source}: article 「{a.title[:30]}」 duplicates one in {seen_text[key]}; indexed once")
                    continue
                seen_text[key] = page.source
                kept.append(a)
            articles.extend(kept)
            files[page.source] = FileEntry(page.sha256, page.encoding, tuple(a.article_id for a in kept))
        removed = sorted(set(old_files) - set(files))

        if not articles:
            raise CorpusError(
                f"no articles found in {settings.corpus_dir}"
                + (f" ({len(skipped)} file(s) skipped)" if skipped else "")
                + "; add news pages (.txt, .md, .pdf, .html) to it and run `python -m assistant index` again."
            )
        # a changed dense_index setting alone still writes a generation: same vectors, another FAISS index
        if (old is not None and not (added or changed or removed) and len(old.chunks) > 0
                and old.dense.kind == settings.dense_index):
            return BuildReport(None, len(pages), len(old.articles), len(old.chunks), 0, len(old.chunks),
                               skipped=tuple(skipped), seconds=time.perf_counter() - t0)

        parts = assemble(articles, settings, embedder, old=old, progress=progress, log=log)
        chunks, n_embedded = parts.chunks, parts.embedded
        manifest = Manifest(
            model=settings.model, model_id=embedder.model_id, dim=embedder.dim, backend=settings.backend,
            chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
            lexical_tokenizer=settings.lexical_tokenizer, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            files=files, counts={"pages": len(pages), "articles": len(articles), "chunks": len(chunks)},
            skipped=skipped_by_file, device=getattr(embedder, "device", "cpu"),
        )
        gen = write_generation(settings.index_dir, manifest, articles, chunks, parts.dense, parts.lexical)
        prune_generations(settings.index_dir)
        return BuildReport(gen, len(pages), len(articles), len(chunks), n_embedded, len(chunks) - n_embedded,
                           tuple(added), tuple(changed), tuple(removed), tuple(skipped), full_reason,
                           time.perf_counter() - t0)


@dataclass(frozen=True)
class Assembled:
    """The searchable parts made from a list of articles: what a generation (or an in-memory index) holds."""

    chunks: list[Chunk]
    dense: DenseIndex
    lexical: LexicalIndex
    embedded: int  # chunks sent to the model (the rest came from ``old``)


def assemble(articles: list[Article], settings: Settings, embedder: Embedder, *, old: LoadedIndex | None = None,
             progress: bool = True, log: Log = print) -> Assembled:
    """Chunk, embed and index ``articles``: the one place chunks become vectors and BM25 rows.

    A chunk whose id has a vector in ``old`` is not embedded again.
    """
    chunks = [c for a in articles for c in chunk_article(a, settings.chunk_size, settings.chunk_overlap)]
    by_id = {a.article_id: a for a in articles}
    old_rows = {c.chunk_id: i for i, c in enumerate(old.chunks)} if old else {}
    reuse = np.array([old_rows.get(c.chunk_id, -1) for c in chunks], dtype=np.int64)
    todo = np.flatnonzero(reuse < 0)
    vectors = np.empty((len(chunks), embedder.dim), dtype=np.float32)  # (n_chunks, dim) float32, unit norm
    if old is not None and (reuse >= 0).any():
        vectors[reuse >= 0] = old.dense.vectors()[reuse[reuse >= 0]]
    if len(todo):
        log(f"embedding {len(todo)} chunk(s) with {settings.model}")
        texts = [embedding_text(by_id[chunks[i].article_id], chunks[i]) for i in todo]
        vectors[todo] = embedder.encode_passages(texts, progress=progress)
    lexical = LexicalIndex.build([lexical_text(by_id[c.article_id], c) for c in chunks], settings.lexical_tokenizer)
    dense = DenseIndex.build(vectors, approximate=settings.dense_index == "ivf")
    return Assembled(chunks, dense, lexical, int(len(todo)))


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
    index = load_index(settings.index_dir)
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
