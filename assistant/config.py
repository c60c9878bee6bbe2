"""Settings: every setting is declared once here, and this is the only module that reads the environment.

``OPTIONS`` declares each user-facing setting with its command-line flag, environment variable, type, choices and
help.  The CLI (``assistant.cli``) and the web app (``assistant.web.app``) both build their flags from it with
``add_arguments`` and read them back with ``from_args``; ``Settings.from_env`` reads the same variables.  A flag wins
over its variable, a variable over the default.  Library code receives a ``Settings``; nothing deeper reads the
environment.  (``HF_ENDPOINT`` / ``HF_HUB_OFFLINE`` are honoured by huggingface_hub itself when a hub is reachable.)
Left out: configuration files (flags and variables cover a one-machine tool).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import ConfigError

DEFAULT_MODEL = "intfloat/multilingual-e5-small"


def _default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-assistant" / "models"


def _field_map(value: str) -> tuple[tuple[str, str], ...]:
    """"发文时间=date,稿件正文=text" -> (("发文时间", "date"), ("稿件正文", "text"))."""
    pairs = []
    for item in filter(None, (p.strip() for p in value.split(","))):
        name, sep, field_ = item.partition("=")
        if not sep or not name.strip() or not field_.strip():
            raise ValueError(f"{item!r} is not NAME=FIELD (e.g. 发文时间=date)")
        pairs.append((name.strip(), field_.strip()))
    return tuple(pairs)


def _iso_day(value: str) -> str:
    """"2024-05-15" -> "2024-05-15"; anything that is not a real ISO day raises ValueError naming the form."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a day written YYYY-MM-DD (e.g. 2024-05-15)") from None


@dataclass(frozen=True)
class Option:
    """One user-facing setting: the ``Settings`` field it sets, its flag, variable, type, choices and help."""

    field: str
    flag: str
    env: str | None
    type: Callable[[str], Any]
    help: str
    choices: tuple[str, ...] | None = None
    # Which commands take it: "where" (the index folder), "corpus" (the news folder), "model" (which vectors: an index must match it),
    # "run" (where the model is loaded from and runs), "build" (how an index is made), "read" (how corpus files are
    # read), "answer" (how questions are answered), "web" (the app only).  A command offers only the groups it acts
    # on (cli.py), so no flag is accepted and then ignored.
    group: str = "where"


OPTIONS: tuple[Option, ...] = (
    Option("corpus_dir", "--corpus", "ASSISTANT_CORPUS", Path, "folder of news files (default: corpus)",
           group="corpus"),
    Option("index_dir", "--index-dir", "ASSISTANT_INDEX_DIR", Path, "folder of the built index (default: index)"),
    Option("model", "--model", "ASSISTANT_MODEL", str,
           f"sentence-transformers model name or local folder (default: {DEFAULT_MODEL})", group="model"),
    Option("model_cache_dir", "--model-cache", "ASSISTANT_MODEL_CACHE", Path,
           "where converted or fetched models live (default: ~/.cache/news-assistant/models)", group="run"),
    Option("backend", "--backend", "ASSISTANT_BACKEND", str, "embedding backend (default: torch)",
           ("torch", "onnx-int8"), group="model"),
    Option("device", "--device", "ASSISTANT_DEVICE", str,
           "where the model runs: auto = a GPU when torch sees one (half precision), else the CPU (default: auto)",
           ("auto", "cpu", "cuda"), group="run"),
    Option("default_year", "--year", "ASSISTANT_YEAR", int,
           "year for dates printed without one (6月18日) when nothing else gives it", group="build"),
    Option("today", "--today", "ASSISTANT_TODAY", _iso_day,
           "the day 今天/昨天/最近/最新 count from, YYYY-MM-DD (default: the real today; when the archive ends "
           "earlier, its newest day)", group="answer"),
    Option("top_k", "--top-k", None, int, "passages handed to the answer composer (default: 5)", group="answer"),
    Option("dense_index", "--dense-index", "ASSISTANT_DENSE_INDEX", str,
           "vector index: flat = exact (default), ivf = approximate, for archives beyond ~10^5 chunks",
           ("flat", "ivf"), group="build"),
    Option("field_map", "--field-map", "ASSISTANT_FIELD_MAP", _field_map,
           "extra column names of CMS exports, NAME=FIELD[,…] with FIELD one of title, date, text, author, url, "
           "section, source (e.g. 发文时间=date,稿件正文=text)", group="read"),
    Option("store", "--store", "ASSISTANT_STORE", str,
           "where the index lives: local = files in --index-dir (default), milvus = a Milvus database (--milvus-uri)",
           ("local", "milvus")),
    Option("milvus_uri", "--milvus-uri", "ASSISTANT_MILVUS_URI", str,
           "the Milvus database of --store milvus: a path ending in .db (embedded milvus-lite, a folder) or "
           "http://host:19530 (a server or cluster; its token, if any, from $ASSISTANT_MILVUS_TOKEN)"),
    Option("title", "--title", "ASSISTANT_TITLE", str,
           "the chat's title (default: drawn from the corpus)", group="web"),
)
_BY_FIELD = {o.field: o for o in OPTIONS}


@dataclass(frozen=True)
class Settings:
    # Where things are.
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")

    # The embedding model.
    model: str = DEFAULT_MODEL
    model_cache_dir: Path = Path.home() / ".cache" / "news-assistant" / "models"
    backend: str = "torch"
    device: str = "auto"
    batch_size: int = 16  # on the CPU; on a GPU the batch is sized to the card (model.embed)
    max_seq_length: int = 512
    threads: int | None = None  # torch threads: None = every core the process may use

    # Articles.
    default_year: int | None = None
    field_map: tuple[tuple[str, str], ...] = ()

    # Chunking (measured on the dev sets; see README "Quality").
    chunk_size: int = 300  # characters
    chunk_overlap: int = 60

    # Retrieval.
    lexical_tokenizer: str = "jieba+bigram"  # "jieba" | "bigram" | "jieba+bigram"
    candidates: int = 50  # per retriever, before fusion
    rrf_k: int = 10  # k and the weights: bench/sweep.py on CMRC trial (README "Quality")
    dense_weight: float = 1.0
    lexical_weight: float = 1.5
    # Exact search takes ~15 ms a question at 10^5 chunks, ~160 ms at 10^6; "ivf" (~2 ms, recall@10 0.99) pays off
    # beyond ~10^5 (bench/ann.py).
    dense_index: str = "flat"
    top_k: int = 5  # chunks handed to the answer composer

    # Answers.
    max_question_chars: int = 500
    max_citations: int = 6  # a list answer cites every article it lists (answer/lists.py)
    today: str | None = None  # ISO day relative dates count from; None = the real today (answer/pipeline.py)

    # Where the index lives: "local" files in index_dir, or "milvus" at milvus_uri (vectors cache stays in index_dir).
    store: str = "local"
    milvus_uri: str | None = None

    # The web app.
    title: str | None = None

    def __post_init__(self) -> None:
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size}); "
                "lower --chunk-overlap or raise --chunk-size."
            )
        for option in OPTIONS:
            value = getattr(self, option.field)
            if option.choices and value not in option.choices:
                where = " or ".join(filter(None, (option.flag, option.env)))
                raise ConfigError(f"{option.field} {value!r} ({where}) is not known; use one of "
                                  f"{', '.join(option.choices)}.")
        if self.lexical_tokenizer not in ("jieba", "bigram", "jieba+bigram"):
            raise ConfigError(
                f"lexical_tokenizer {self.lexical_tokenizer!r} is not known; use 'jieba', 'bigram' or 'jieba+bigram'."
            )
        if self.store == "milvus":
            uri = self.milvus_uri or ""
            if not uri:
                raise ConfigError("--store milvus needs --milvus-uri (or $ASSISTANT_MILVUS_URI): a path ending in .db "
                                  "for an embedded milvus-lite database, or http://host:19530 for a server.")
            if not (uri.endswith(".db") or uri.split("://")[0] in ("http", "https", "tcp", "unix")):
                raise ConfigError(f"--milvus-uri {uri!r} is neither a milvus-lite path ending in .db nor a server "
                                  "address (http://host:19530); use one of those.")
        if self.batch_size < 1 or self.top_k < 1 or self.candidates < 1:
            raise ConfigError("batch_size, top_k and candidates must be at least 1.")
        if self.today is not None:
            try:
                _iso_day(self.today)
            except ValueError as exc:
                raise ConfigError(f"today (--today or ASSISTANT_TODAY): {exc}.") from None
        if self.max_question_chars < 1:
            raise ConfigError("max_question_chars must be at least 1.")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then environment variables (``OPTIONS``), then explicit overrides (``None`` is ignored)."""
        env = os.environ if env is None else env
        values: dict = {"model_cache_dir": _default_cache_dir(env)}
        for option in OPTIONS:
            raw = env.get(option.env) if option.env else None
            if raw:
                try:
                    values[option.field] = option.type(raw)
                except ValueError as exc:
                    raise ConfigError(f"environment variable {option.env}={raw!r} is not valid: {exc}") from exc
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise ConfigError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = value
        for name in ("corpus_dir", "index_dir", "model_cache_dir"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


def milvus_token(env: Mapping[str, str] | None = None) -> str:
    """The Milvus server's token ("user:password" or an API key) from $ASSISTANT_MILVUS_TOKEN, read when connecting
    and never kept in ``Settings`` (which is printed by ``status --json``); "" when none is set."""
    return (os.environ if env is None else env).get("ASSISTANT_MILVUS_TOKEN", "")


GROUPS = ("where", "corpus", "model", "run", "build", "read", "answer", "web")


def add_arguments(parser: argparse.ArgumentParser, groups: tuple[str, ...] = GROUPS,
                  title: str = "settings") -> None:
    """Add the flags of ``OPTIONS`` in ``groups`` to ``parser``; ``from_args`` reads them back."""
    g = parser.add_argument_group(title)
    for option in OPTIONS:
        if option.group in groups:
            env = f" (or ${option.env})" if option.env else ""
            g.add_argument(option.flag, dest=option.field, type=option.type, choices=option.choices,
                           help=option.help + env, default=None)


def from_args(args: argparse.Namespace, **overrides) -> Settings:
    """``Settings`` from parsed flags (absent ones fall back to the environment, then the defaults)."""
    values = {o.field: getattr(args, o.field, None) for o in OPTIONS}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings.from_env(**values)


def environment_help() -> str:
    """One line naming every environment variable, for ``--help`` epilogs."""
    names = ", ".join(o.env for o in OPTIONS if o.env)
    return f"settings can also come from the environment: {names} (a flag wins over the variable)."
