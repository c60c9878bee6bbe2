"""The build's on-disk cache of chunk vectors and tokens: what a crash leaves is cut back to whole records."""

import numpy as np

from assistant.index.cache import TokenCache, VectorCache


def unit(n, dim=8, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_vectors_survive_reopening_and_a_torn_last_record(tmp_path):
    cache = VectorCache(tmp_path, "model-a", 8)
    ids = [f"{i:016x}" for i in range(5)]
    vectors = unit(5)
    cache.add(ids[:3], vectors[:3])
    cache.add(ids[3:], vectors[3:])
    with cache.path.open("ab") as f:  # a kill in the middle of the next append
        f.write(b"0123456789abcdef" + b"\0" * 7)
    again = VectorCache(tmp_path, "model-a", 8)
    assert len(again) == 5 and all(i in again for i in ids)
    assert np.array_equal(again.get(ids[::-1]), vectors[::-1])
    assert cache.path.stat().st_size == 5 * (16 + 8 * 4)
    assert len(VectorCache(tmp_path, "model-b", 8)) == 0  # another model's vectors are never mixed in


def test_compaction_keeps_only_live_chunks_once_dead_ones_dominate(tmp_path):
    cache = VectorCache(tmp_path, "m", 8)
    ids = [f"{i:016x}" for i in range(3000)]
    vectors = unit(3000)
    cache.add(ids, vectors)
    cache.compact(set(ids[:2500]))  # 500 dead: not worth a rewrite
    assert len(cache) == 3000
    cache.compact(set(ids[:10]))
    assert len(cache) == 10 and len(VectorCache(tmp_path, "m", 8)) == 10
    assert np.array_equal(cache.get(ids[:10]), vectors[:10])


def test_tokens_survive_reopening_and_a_torn_last_line(tmp_path):
    cache = TokenCache(tmp_path, "jieba+bigram")
    cache.add([("a" * 16, ["管城", "回族", "区"]), ("b" * 16, [])])
    with cache.path.open("ab") as f:
        f.write(("c" * 16 + "\t半行").encode())
    again = TokenCache(tmp_path, "jieba+bigram")
    assert again.get("a" * 16) == ["管城", "回族", "区"] and again.get("b" * 16) == []
    assert "c" * 16 not in again and len(again) == 2
    assert len(TokenCache(tmp_path, "bigram")) == 0
