"""Typed exceptions.  Each message names the bad value, what was expected, and what to do next.

The CLI and UI turn an ``AssistantError`` into one clear line; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for errors a user can act on."""


class ConfigError(AssistantError):
    """A setting has a value that cannot work."""


class CorpusError(AssistantError):
    """The corpus folder is missing or holds nothing that can be read."""


class IngestError(AssistantError):
    """One file could not be read or decoded; the build skips it and goes on."""


class ModelError(AssistantError):
    """The embedding model cannot be found, fetched, converted or loaded."""


class IndexMissingError(AssistantError):
    """No index has been built in the index folder yet."""


class IndexCorruptError(AssistantError):
    """The index folder is damaged or does not match its manifest."""


class IndexMismatchError(AssistantError):
    """The index was built with another model, settings or format version."""


class IndexBusyError(AssistantError):
    """Another process is building this index right now."""


class QuestionError(AssistantError):
    """The question cannot be answered as given (e.g. it is empty)."""
