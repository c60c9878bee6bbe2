"""Stage 1, files -> Page: find corpus files, decode them (text encodings, PDF, HTML), hand back clean text.

``files`` walks the corpus and dispatches on the suffix; ``decode`` detects text encodings; ``pdf`` and ``html`` read
those formats.  Nothing here knows what an article is: splitting pages is the next stage (:mod:`assistant.articles`).
"""

from .decode import decode_text
from .files import SUPPORTED_SUFFIXES, IngestWarning, discover, load_pages, read_page

__all__ = ["SUPPORTED_SUFFIXES", "IngestWarning", "decode_text", "discover", "load_pages", "read_page"]
