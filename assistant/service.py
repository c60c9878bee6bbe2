"""The assistant as one object: the CLI and the UI call this and nothing deeper.

``Assistant`` owns the loaded index and the embedder.  ``ask`` cleans and caps the question, resolves it against the
conversation, retrieves, and composes.  The index is swapped, never mutated: a rebuild (here or in another process)
writes a new generation, and the next question picks it up, so questions keep being answered during a rebuild.
Left out: multi-user session storage (each UI session holds its own ``Conversation``).
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from .chat import Conversation, people_in
from .compose import background_vectors, compose
from .config import Settings
from .crosslingual import expand
from .embedding import Embedder, load_embedder
from .errors import AssistantError, IndexMismatchError, IndexMissingError, QuestionError
from .indexing import BuildReport, build_index
from .retriever import retrieve
from .store import LoadedIndex, check_compatible, current_generation, load_index
from .types import Answer, Article


@dataclass(frozen=True)
class IndexStatus:
    model: str
    backend: str
    pages: int
    articles: int
    chunks: int
    built_at: str
    index_dir: str
    corpus_dir: str
    generation: str
    building: bool = False

    def to_json(self) -> dict:
        return self.__dict__.copy()


def clean_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """(question fit to answer, notice or None).  Raises QuestionError for a question with nothing in it."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text.")
    # control characters (except line breaks/tabs, folded to spaces) carry no meaning and upset tokenizers
    text = "".join(" " if ch in "\t\r\n" else ch for ch in question if unicodedata.category(ch)[0] != "C" or ch in "\t\r\n")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("问题是空的，请输入一个问题，例如「虎强督导了哪些工作？」。")
    notice = None
    if len(text) > max_chars:
        text = text[:max_chars]
        notice = f"问题过长，只使用了前 {max_chars} 个字。"
    return text, notice


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self._index: LoadedIndex | None = None
        self._people: frozenset[str] = frozenset()
        self._lock = threading.Lock()  # guards loading and swapping, not answering
        self._unreadable: str | None = None  # a generation that failed to load: not retried on every question
        self._building = threading.Event()
        self._sentence_cache: dict[str, dict] = {}

    # -- opening ---------------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, settings: Settings, *, build_if_missing: bool = True, progress: bool = True,
             log: Callable[[str], None] = print, embedder: Embedder | None = None) -> "Assistant":
        """Load the index, building it first when there is none (and ``build_if_missing``)."""
        assistant = cls(settings, embedder)
        try:
            assistant._load()
        except (IndexMissingError, IndexMismatchError):
            if not build_if_missing:
                raise
            log(f"building the index in {settings.index_dir} from {settings.corpus_dir} …")
            report = assistant.rebuild(progress=progress, log=log)
            log(report.summary())
        return assistant

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    def _load(self, generation: str | None = None) -> LoadedIndex:
        """Load the live generation.  With ``generation``: unless another thread has loaded that one meanwhile."""
        with self._lock:
            if generation is not None and self._index is not None and self._index.generation == generation:
                return self._index
            index = load_index(self.settings.index_dir)
            why = check_compatible(index.manifest, model=self.settings.model, chunk_size=self.settings.chunk_size,
                                   chunk_overlap=self.settings.chunk_overlap,
                                   lexical_tokenizer=self.settings.lexical_tokenizer)
            if why:
                raise IndexMismatchError(f"the index in {self.settings.index_dir} cannot serve these settings: {why}; "
                                         "run `python -m assistant index` to rebuild it.")
            self._people = people_in(index.articles.values())
            self._sentence_cache = {index.generation: self._sentence_cache.get(index.generation, {})}
            self._index = index
            return index

    @property
    def index(self) -> LoadedIndex:
        """The live index; reloaded when another process has swapped in a new generation."""
        index = self._index
        if index is None:
            return self._load()
        try:
            live = current_generation(self.settings.index_dir)
        except AssistantError:
            return index  # a damaged CURRENT: keep answering from the index we have
        if live is not None and live.name not in (index.generation, self._unreadable):
            try:
                index = self._load(live.name)
            except AssistantError:
                # a damaged or incompatible new generation: keep answering from the one we have, and do not try
                # to load it again until CURRENT names another
                self._unreadable = live.name
        return index

    # -- answering -------------------------------------------------------------------------------------------------
    def conversation(self) -> Conversation:
        index = self.index
        return Conversation(people=self._people, lexical=index.lexical)

    def ask(self, question: str, conversation: Conversation | None = None, *, history: Sequence[str] = ()) -> Answer:
        """Answer one question.  Pass a ``Conversation`` (or earlier questions as ``history``) for follow-ups."""
        text, notice = clean_question(question, self.settings.max_question_chars)
        index = self.index
        if conversation is None:
            conversation = Conversation(people=self._people, lexical=index.lexical)
            for q in history:
                try:
                    earlier, _ = clean_question(q, self.settings.max_question_chars)
                except QuestionError:
                    continue  # a blank earlier turn says nothing about this question
                conversation.record(earlier, conversation.resolve(earlier), Answer(earlier, "", True))
        resolved = conversation.resolve(text)
        query = expand(resolved)  # an English question also carries the Chinese words a glossary gives for it
        qv = self.embedder.encode_queries([query])
        hits = retrieve(index, self.embedder, query, self.settings, k=self.settings.top_k * 4, query_vector=qv)
        # sentence vectors are cached per index generation: a new generation may cut sentences differently
        cache = self._sentence_cache.setdefault(index.generation, {})
        answer = compose(query, hits[: self.settings.top_k * 2], index.lexical, self.embedder, self.settings,
                         query_vector=qv, cache=cache, background=background_vectors(self.embedder))
        answer = replace(answer, question=question, resolved_question=resolved if resolved != text else None,
                         notice=notice)
        conversation.record(text, resolved, answer)
        return answer

    def article(self, article_id: str) -> Article:
        try:
            return self.index.articles[article_id]
        except KeyError:
            raise AssistantError(f"no article with id {article_id!r} in the index; it may have been removed by a "
                                 "rebuild — ask the question again.") from None

    # -- staff -----------------------------------------------------------------------------------------------------
    def status(self) -> IndexStatus:
        index = self.index
        m = index.manifest
        return IndexStatus(model=m.model, backend=self.settings.backend, pages=m.counts.get("pages", 0),
                           articles=m.counts.get("articles", 0), chunks=m.counts.get("chunks", 0),
                           built_at=m.built_at, index_dir=str(self.settings.index_dir),
                           corpus_dir=str(self.settings.corpus_dir), generation=index.generation,
                           building=self._building.is_set())

    def rebuild(self, *, full: bool = False, progress: bool = True, log: Callable[[str], None] = print) -> BuildReport:
        """Update the index from the corpus beside the live one, then swap it in.  Questions go on meanwhile."""
        self._building.set()
        try:
            report = build_index(self.settings, self.embedder, rebuild=full, progress=progress, log=log)
        finally:
            self._building.clear()
        self._load()
        return report
