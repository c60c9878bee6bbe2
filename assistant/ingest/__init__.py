"""Stage 1, files -> Page: find corpus files, decode them (text encodings, PDF, HTML), hand back clean text.

``files`` walks the corpus and dispatches on the suffix; ``decode`` detects text encodings; ``pdf`` and ``html`` read
those formats; ``records`` reads CMS exports (JSON Lines, JSON, CSV, TSV), one page per record; ``boilerplate`` strips
web furniture trailing a text.  Nothing here knows what an article is: splitting pages is the next stage
(:mod:`assistant.articles`).
"""

from .decode import decode_text
from .files import SUPPORTED_SUFFIXES, IngestWarning, discover, iter_pages, load_pages, read_page

__all__ = ["SUPPORTED_SUFFIXES", "IngestWarning", "decode_text", "discover", "iter_pages", "load_pages", "read_page"]
