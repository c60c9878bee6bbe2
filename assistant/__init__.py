"""Question answering with citations over local Chinese news pages.

The pipeline, one module a stage: ingest (files -> Page), articles (Page -> Article), chunking (Article -> Chunk),
embedding + dense + lexical (indexes), store + indexing (the index on disk), retriever (-> Hit), compose (-> Answer),
chat (follow-ups), service (the one object the CLI and UI use).
"""

__version__ = "0.1.0"
