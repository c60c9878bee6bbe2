"""Settings: every default lives here, and this is the only module that reads the environment.

CLI flags, UI controls and environment variables all produce one ``Settings``; library code receives it as an argument.
Environment variables (each overrides the default, and a CLI flag overrides the variable):

    ASSISTANT_CORPUS        corpus folder                      (default: corpus)
    ASSISTANT_INDEX_DIR     index folder                       (default: index)
    ASSISTANT_MODEL         sentence-transformers model name or local folder
                                                               (default: intfloat/multilingual-e5-small)
    ASSISTANT_MODEL_CACHE   where converted/fetched models live (default: $XDG_CACHE_HOME/news-assistant/models)
    ASSISTANT_BACKEND       embedding backend: torch | onnx-int8 (default: torch)
    ASSISTANT_DENSE_INDEX   vector index: flat (exact) | ivf (approximate, for very large archives) (default: flat)
    ASSISTANT_YEAR          year for pages whose dates give only month and day (default: none)
    HF_ENDPOINT / HF_HUB_OFFLINE are honoured by the model resolver through huggingface_hub itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

DEFAULT_MODEL = "intfloat/multilingual-e5-small"


def _default_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-assistant" / "models"


@dataclass(frozen=True)
class Settings:
    # Where things are.
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")

    # The embedding model (issue: model).  Prompts of None mean "the ones the model's own config declares".
    model: str = DEFAULT_MODEL
    model_cache_dir: Path = Path.home() / ".cache" / "news-assistant" / "models"
    backend: str = "torch"
    batch_size: int = 16
    max_seq_length: int = 512
    # torch threads: None = every core the process may use.
    threads: int | None = None

    # Articles.
    default_year: int | None = None

    # Chunking (measured on the dev sets; see README "Quality").
    chunk_size: int = 300  # characters
    chunk_overlap: int = 60

    # Retrieval.
    lexical_tokenizer: str = "jieba+bigram"  # "jieba" | "bigram" | "jieba+bigram"
    candidates: int = 50  # per retriever, before fusion
    rrf_k: int = 10  # k and the weights: bench/sweep.py on CMRC trial (README "Quality")
    dense_weight: float = 1.0
    lexical_weight: float = 1.5
    # Exact search takes ~15 ms a question at 10^5 chunks, ~160 ms at 10^6; "ivf" (~2 ms, recall@10 0.995) pays off
    # beyond ~10^5 (bench/ann.py).
    dense_index: str = "flat"
    top_k: int = 5  # chunks handed to the answer composer

    # Answers.
    max_question_chars: int = 500
    max_citations: int = 6
    # The no-answer decision: a linear rule over Evidence.features = (coverage, cosine beyond the background, margin,
    # cosine, cross-lingual), fitted on the dev sets by bench/calibrate.py: the corpus is said to hold no answer when
    # answer_bias + answer_weights . features < 0; that is, it answers when coverage + 10 * beyond_background >= 0.5.
    # (An English question is first given Chinese words by crosslingual.py, so the same rule serves it.)
    answer_weights: tuple[float, ...] = (1.0, 10.0, 0.0, 0.0, 0.0)
    answer_bias: float = -0.5

    def __post_init__(self) -> None:
        if self.chunk_overlap >= self.chunk_size:
            raise ConfigError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size}); "
                "lower --chunk-overlap or raise --chunk-size."
            )
        if self.backend not in ("torch", "onnx-int8"):
            raise ConfigError(f"backend {self.backend!r} (--backend or ASSISTANT_BACKEND) is not known; "
                              "use 'torch' or 'onnx-int8'.")
        if self.dense_index not in ("flat", "ivf"):
            raise ConfigError(f"dense index {self.dense_index!r} (--dense-index or ASSISTANT_DENSE_INDEX) is not "
                              "known; use 'flat' or 'ivf'.")
        if self.lexical_tokenizer not in ("jieba", "bigram", "jieba+bigram"):
            raise ConfigError(
                f"lexical_tokenizer {self.lexical_tokenizer!r} is not known; use 'jieba', 'bigram' or 'jieba+bigram'."
            )
        if self.batch_size < 1 or self.top_k < 1 or self.candidates < 1:
            raise ConfigError("batch_size, top_k and candidates must be at least 1.")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then environment variables, then explicit overrides (``None`` overrides are ignored)."""
        env = os.environ if env is None else env
        values: dict = {"model_cache_dir": _default_cache_dir(env)}
        simple = {
            "ASSISTANT_CORPUS": ("corpus_dir", Path),
            "ASSISTANT_INDEX_DIR": ("index_dir", Path),
            "ASSISTANT_MODEL": ("model", str),
            "ASSISTANT_MODEL_CACHE": ("model_cache_dir", Path),
            "ASSISTANT_BACKEND": ("backend", str),
            "ASSISTANT_YEAR": ("default_year", int),
            "ASSISTANT_DENSE_INDEX": ("dense_index", str),
        }
        for var, (name, conv) in simple.items():
            if env.get(var):
                try:
                    values[name] = conv(env[var])
                except ValueError as exc:
                    raise ConfigError(f"environment variable {var}={env[var]!r} is not valid: {exc}") from exc
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
