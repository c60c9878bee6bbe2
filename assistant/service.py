"""The assistant as one object: the CLI and the UI call this and nothing deeper.

``Assistant`` owns the loaded index and the embedder.  ``ask`` cleans and caps the question, resolves it against the
conversation, retrieves, and composes.  The index is swapped, never mutated: a rebuild (here or in another process)
writes a new generation, and the next question picks it up, so questions keep being answered during a rebuild.
Left out: multi-user session storage (each UI session holds its own ``Conversation``).
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from typing import Callable, Sequence

from .answer.conversation import Conversation, people_in
from .answer.pipeline import Answerer, answer
from .answer.query import clean_question
from .config import Settings
from .errors import AssistantError, IndexMismatchError, IndexMissingError, QuestionError
from .index.build import BuildReport, build_index
from .index.catalog import (ArticleQuery, ArticleRecord, ChangeTracker, IndexStatus, index_status,
                            list_articles)
from .index.search import SearchIndex
from .index.store import check_compatible
from .index.stores import live_generation, location, open_index
from .model import Embedder, load_embedder
from .types import Answer, Article


class Assistant:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self._embedder = embedder
        self._index: SearchIndex | None = None
        self._people: frozenset[str] = frozenset()
        self._lock = threading.Lock()  # guards loading and swapping, not answering
        self._unreadable: str | None = None  # a generation that failed to load: not retried on every question
        self._building = threading.Event()
        self._answerer: Answerer | None = None
        self._rebuild_thread: threading.Thread | None = None
        self.rebuild_log: deque[str] = deque(maxlen=12)  # the last lines of the latest rebuild, for the staff view
        self.rebuild_error: str | None = None
        self._changes = ChangeTracker()  # corpus vs index, re-read only when a corpus file moves

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

    def _load(self, generation: str | None = None) -> SearchIndex:
        """Load the live generation.  With ``generation``: unless another thread has loaded that one meanwhile."""
        with self._lock:
            if generation is not None and self._index is not None and self._index.generation == generation:
                return self._index
            index = open_index(self.settings)
            why = check_compatible(index.manifest, self.settings)
            if why:
                raise IndexMismatchError(f"the index in {location(self.settings)} cannot serve these settings: {why}; "
                                         "run `python -m assistant index` to rebuild it.")
            self._people = people_in(index.articles.values())
            self._index = index
            return index

    @property
    def index(self) -> SearchIndex:
        """The live index; reloaded when another process has swapped in a new generation."""
        index = self._index
        if index is None:
            return self._load()
        try:
            live = live_generation(self.settings)
        except AssistantError:
            return index  # a damaged CURRENT: keep answering from the index we have
        if live is not None and live not in (index.generation, self._unreadable):
            try:
                index = self._load(live)
            except AssistantError:
                # a damaged or incompatible new generation: keep answering from the one we have, and do not try
                # to load it again until CURRENT names another
                self._unreadable = live
        return index

    # -- answering -------------------------------------------------------------------------------------------------
    def conversation(self) -> Conversation:
        index = self.index
        return Conversation(people=self._people, lexical=index.lexical)

    def ask(self, question: str, conversation: Conversation | None = None, *, history: Sequence[str] = ()) -> Answer:
        """Answer one question.  Pass a ``Conversation`` (or earlier questions as ``history``) for follow-ups."""
        answerer = self.answerer
        if conversation is None:
            conversation = Conversation(people=self._people, lexical=answerer.index.lexical)
            for q in history:
                try:
                    earlier = clean_question(q, self.settings.max_question_chars)
                except QuestionError:
                    continue  # a blank earlier turn says nothing about this question
                conversation.record(earlier, conversation.resolve(earlier), Answer(earlier, "", True))
        return answer(question, answerer, conversation)

    @property
    def answerer(self) -> Answerer:
        """The answer pipeline's inputs for the live index (one per generation: its sentence cache goes with it)."""
        index = self.index
        answerer = self._answerer
        if answerer is None or answerer.index is not index:
            answerer = self._answerer = Answerer(index, self.embedder, self.settings)
        return answerer

    def article(self, article_id: str) -> Article:
        try:
            return self.index.articles[article_id]
        except KeyError:
            raise AssistantError(f"no article with id {article_id!r} in the index; it may have been removed by a "
                                 "rebuild — ask the question again.") from None

    # -- staff -----------------------------------------------------------------------------------------------------
    def status(self, *, check_corpus: bool = True) -> IndexStatus:
        """What the live index holds and, with ``check_corpus``, what changed in the corpus since it was built."""
        index = self.index
        changes, problem = None, None
        if check_corpus:
            try:
                changes = self._changes.changes(index, self.settings)
            except AssistantError as exc:  # a missing corpus folder: the index still answers, the status says why
                problem = str(exc)
        return index_status(index, self.settings, changes, problem, building=self._building.is_set())

    def articles(self, query: ArticleQuery = ArticleQuery()) -> list[ArticleRecord]:
        """The indexed articles ``query`` keeps, in date order."""
        return list_articles(self.index.articles.values(), query)

    @property
    def rebuilding(self) -> bool:
        return self._building.is_set()

    def start_rebuild(self, *, log: Callable[[str], None] = print) -> bool:
        """Rebuild in a background thread (the web app's 「更新索引」); False when a rebuild is already running.

        Its last lines go to ``rebuild_log`` and a failure to ``rebuild_error``, for the staff view.
        """
        with self._lock:
            if self._building.is_set():
                return False
            self._building.set()  # set here, not in the thread: a second click must see it at once
        self.rebuild_log.clear()
        self.rebuild_error = None

        def record(line: str) -> None:
            log(line)
            self.rebuild_log.append(line)

        def run() -> None:
            try:
                report = self.rebuild(progress=False, log=record, _claimed=True)
                record(report.summary())
            except AssistantError as exc:
                self.rebuild_error = str(exc)
                record(f"更新索引失败：{exc}")
            except Exception:  # a bug: keep the traceback on the console, show one line to staff
                traceback.print_exc()
                self.rebuild_error = "更新索引时出错，详细信息已记录在服务器日志中。"
                record(self.rebuild_error)

        record("开始更新索引…")
        self._rebuild_thread = threading.Thread(target=run, name="index-rebuild", daemon=True)
        self._rebuild_thread.start()
        return True

    def rebuild(self, *, full: bool = False, progress: bool = True, log: Callable[[str], None] = print,
                _claimed: bool = False) -> BuildReport:
        """Update the index from the corpus beside the live one, then swap it in.  Questions go on meanwhile."""
        self._building.set()  # (already set when start_rebuild claimed it)
        try:
            report = build_index(self.settings, self.embedder, rebuild=full, progress=progress, log=log)
        finally:
            self._building.clear()
        self._load()
        return report
