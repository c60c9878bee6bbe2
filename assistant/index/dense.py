"""FAISS inner-product search over unit-norm float32 vectors: build, search, save, load.

``IndexFlatIP`` is exact and answers in ~15 ms per question at 10^5 chunks (~160 ms at 10^6), so it is the default.
``approximate=True`` builds an inverted-file index (IVF, 4·sqrt(n) lists, 64 probed) for large archives: bench/ann.py
measured recall@10 0.995 at 1M vectors in 2 ms, where HNSW (M=32) needed efSearch 1024 for 0.93.

Row i of the index is chunk i of ``chunks.jsonl``: the index stores no ids of its own.
Left out: GPU indexes, product quantisation.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from ..errors import IndexCorruptError


IVF_NPROBE = 64  # lists searched per question: recall@10 0.995 at 1M vectors, 0.99 at 100k (bench/ann.py)


class DenseIndex:
    def __init__(self, index: faiss.Index):
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, *, approximate: bool = False, nprobe: int = IVF_NPROBE) -> "DenseIndex":
        """``vectors``: (n, dim) float32, unit norm (the embedder normalises)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        if not approximate:
            index = faiss.IndexFlatIP(dim)
            index.add(vectors)
            return cls(index)
        # 4·sqrt(n) lists is faiss's rule of thumb; k-means wants >= 39 points a list, so small sets get fewer lists
        # (one list for n < 78: exact search through the IVF code path).
        nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        if n:
            sample = np.random.default_rng(0).choice(n, min(n, 50 * nlist), replace=False)  # same input, same index
            index.train(vectors[np.sort(sample)])
            index.add(vectors)
        index.nprobe = nprobe
        index.make_direct_map()  # reconstruct(): cosines of hits and vectors for incremental rebuilds
        return cls(index)

    @property
    def kind(self) -> str:
        """"ivf" or "flat": the ``dense_index`` setting this index was built with."""
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    @property
    def dim(self) -> int:
        return self._index.d

    def __len__(self) -> int:
        return self._index.ntotal

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k'), best first; k' = min(k, len). Cosine scores for unit vectors."""
        k = min(k, len(self))
        if k == 0:
            empty = np.empty((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids

    def search_rows(self, query: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Exact top-k among ``rows`` only, for one (1, dim) query: (ids int64, scores float32), best first; None for
        an IVF index (its probed lists could miss rows of the period: the caller scores the rows itself).

        A bitmap selector lets FAISS skip every other row inside its own scan: no vector is copied out, which at 250k
        chunks and a period of 40% of them is half the time of copying the period's vectors and scoring them."""
        if self.kind != "flat":
            return None
        k = min(k, len(rows))
        if k == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        inside = np.zeros(len(self), dtype=bool)
        inside[rows] = True
        bitmap = np.packbits(inside, bitorder="little")  # kept alive here for the duration of the search
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(bitmap))
        scores, ids = self._index.search(np.ascontiguousarray(query, dtype=np.float32), k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), dim) float32: the stored vectors of these rows."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.empty((0, self.dim), np.float32)
        return self._index.reconstruct_batch(ids)

    def vectors(self) -> np.ndarray:
        """(n, dim) float32 copy of the stored vectors, for incremental rebuilds."""
        if len(self) == 0:
            return np.empty((0, self.dim), np.float32)
        return self._index.reconstruct_n(0, len(self))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        try:
            index = faiss.read_index(str(path))
            if isinstance(index, faiss.IndexIVF) and index.direct_map.type == faiss.DirectMap.NoMap:
                index.make_direct_map()
            return cls(index)
        except RuntimeError as exc:  # faiss raises RuntimeError on truncated/foreign files
            raise IndexCorruptError(
                f"the vector file {path} cannot be read ({str(exc).splitlines()[0][:120]}); "
                "rebuild it with `python -m assistant index --rebuild`."
            ) from exc
