"""FAISS search agrees with NumPy brute force; save then load gives identical results."""

import numpy as np
import pytest

from assistant.index.dense import DenseIndex
from assistant.errors import IndexCorruptError


def unit(rng, n, d=32):
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute_force(vectors, queries, k):
    scores = queries @ vectors.T
    ids = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, ids, axis=1), ids


def test_search_among_rows_equals_numpy_over_those_rows():
    rng = np.random.default_rng(1)
    vectors, query = unit(rng, 3000), unit(rng, 1)
    index = DenseIndex.build(vectors)
    for share in (0.01, 0.3, 0.9):
        rows = np.sort(rng.choice(len(vectors), int(share * len(vectors)), replace=False))
        ids, scores = index.search_rows(query, 10, rows)
        ref = rows[np.argsort(-(vectors[rows] @ query[0]), kind="stable")[:10]]
        assert set(ids.tolist()) == set(ref.tolist()) and set(ids.tolist()) <= set(rows.tolist())
        np.testing.assert_allclose(scores, vectors[ids] @ query[0], rtol=1e-5, atol=1e-5)
    ids, _ = index.search_rows(query, 10, rows[:3])
    assert sorted(ids.tolist()) == sorted(rows[:3].tolist())  # fewer rows than k: all of them
    assert DenseIndex.build(vectors, approximate=True).search_rows(query, 10, rows) is None  # IVF: caller scores


def test_exact_topk_equals_numpy():
    rng = np.random.default_rng(0)
    vectors, queries = unit(rng, 2000), unit(rng, 25)
    index = DenseIndex.build(vectors)
    scores, ids = index.search(queries, 10)
    ref_scores, ref_ids = brute_force(vectors, queries, 10)
    np.testing.assert_allclose(scores, ref_scores, rtol=1e-5, atol=1e-5)
    assert (ids == ref_ids).mean() > 0.99  # ties aside, the same rows


def test_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(1)
    vectors, queries = unit(rng, 300), unit(rng, 5)
    index = DenseIndex.build(vectors)
    index.save(tmp_path / "v.faiss")
    loaded = DenseIndex.load(tmp_path / "v.faiss")
    a, b = index.search(queries, 7), loaded.search(queries, 7)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(loaded.vectors(), vectors)
    np.testing.assert_array_equal(loaded.reconstruct(np.array([5, 0])), vectors[[5, 0]])


def test_ivf_recall_against_exact():
    rng = np.random.default_rng(2)
    vectors, queries = unit(rng, 5000), unit(rng, 50)
    _, exact = DenseIndex.build(vectors).search(queries, 10)
    approx_index = DenseIndex.build(vectors, approximate=True)
    _, approx = approx_index.search(queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
    assert approx_index.kind == "ivf" and recall >= 0.9


def test_ivf_save_load_keeps_vectors_and_hits(tmp_path):
    rng = np.random.default_rng(4)
    vectors, queries = unit(rng, 1000), unit(rng, 5)
    index = DenseIndex.build(vectors, approximate=True)
    index.save(tmp_path / "v.faiss")
    loaded = DenseIndex.load(tmp_path / "v.faiss")
    assert loaded.kind == "ivf"
    np.testing.assert_array_equal(index.search(queries, 7)[1], loaded.search(queries, 7)[1])
    np.testing.assert_array_equal(loaded.vectors(), vectors)  # incremental rebuilds read them back
    np.testing.assert_array_equal(loaded.reconstruct(np.array([9, 2])), vectors[[9, 2]])


@pytest.mark.parametrize("n", [0, 1, 3, 77])
def test_ivf_on_tiny_sets_is_exact(n):
    rng = np.random.default_rng(5)
    vectors, queries = unit(rng, n), unit(rng, 3)
    approx = DenseIndex.build(vectors, approximate=True)
    assert len(approx) == n
    np.testing.assert_array_equal(approx.search(queries, 5)[1], DenseIndex.build(vectors).search(queries, 5)[1])


def test_k_larger_than_index_and_empty_index():
    rng = np.random.default_rng(3)
    index = DenseIndex.build(unit(rng, 3))
    scores, ids = index.search(unit(rng, 1), 10)
    assert ids.shape == (1, 3)
    empty = DenseIndex.build(np.empty((0, 32), np.float32))
    assert empty.search(unit(rng, 2), 5)[1].shape == (2, 0)


@pytest.mark.parametrize("content", [b"", b"not a faiss file at all", b"\x00" * 100])
def test_damaged_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "v.faiss"
    path.write_bytes(content)
    with pytest.raises(IndexCorruptError, match="rebuild"):
        DenseIndex.load(path)
