"""Stage 3, Article -> Chunk -> the index on disk: chunking, dense vectors (FAISS), BM25 (bm25s), the store, the build.

``build`` is the one entry point that writes an index; ``store`` reads it back (``load_index``) with its checks.
"""
