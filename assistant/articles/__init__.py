"""Stage 2, Page -> Article: split a page into news briefs (headline, dateline, date, body, byline).

Left out: anything about files or encodings (the ingest stage) and anything about chunks (the index stage).
"""

from .split import split_articles

__all__ = ["split_articles"]
