"""The onnx-int8 backend against torch fp32: the same vectors (nearly), an index that notices the switch, one export.

All on the real converted model.  The export test works on a private folder that links to the cached weights, so the
user's cache keeps its own export and the test sees the first export happen.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from assistant.model import onnx as onnx_backend
from assistant.model import check
from assistant.model import resolve as models
from assistant.model import SentenceTransformerEmbedder, load_embedder, model_fingerprint
from assistant.errors import ModelError
from assistant.index.build import build_index

MEAN_COSINE_BAR = 0.98  # onnx-int8 vs torch fp32, over every probe as query and as passage


@pytest.fixture(scope="module")
def torch_embedder(base_settings):
    return load_embedder(base_settings.with_(backend="torch"))


@pytest.fixture(scope="module")
def onnx_embedder(base_settings):
    return load_embedder(base_settings.with_(backend="onnx-int8"))


def test_onnx_int8_matches_torch_on_the_fidelity_probes(base_settings, torch_embedder, onnx_embedder):
    probes = check.fidelity_probes(base_settings.corpus_dir)
    cosines = np.concatenate([
        (torch_embedder.encode_queries(probes) * onnx_embedder.encode_queries(probes)).sum(axis=1),
        (torch_embedder.encode_passages(probes) * onnx_embedder.encode_passages(probes)).sum(axis=1),
    ])  # (2 * n_probes,)
    print(f"onnx-int8 vs torch on {len(probes)} probes x 2 prompts: mean cosine {cosines.mean():.5f}, "
          f"min {cosines.min():.5f}")
    assert cosines.mean() >= MEAN_COSINE_BAR
    assert onnx_embedder.dim == torch_embedder.dim


def test_model_ids_tell_the_backends_apart(torch_embedder, onnx_embedder):
    assert "+torch+" in torch_embedder.model_id and "+onnx-int8+" in onnx_embedder.model_id
    assert torch_embedder.model_id.split("+")[0] == onnx_embedder.model_id.split("+")[0]


def test_switching_backend_rebuilds_the_index_with_a_message(fresh_settings, torch_embedder, onnx_embedder):
    lines: list[str] = []
    first = build_index(fresh_settings.with_(backend="torch"), torch_embedder, progress=False, log=lines.append)
    assert first.full_rebuild_reason is None

    lines.clear()
    switched = build_index(fresh_settings.with_(backend="onnx-int8"), onnx_embedder, progress=False,
                           log=lines.append)  # fmt: skip
    assert switched.embedded == switched.chunks == first.chunks and switched.reused == 0
    assert "onnx-int8" in switched.full_rebuild_reason and "torch" in switched.full_rebuild_reason
    assert any(line.startswith("full rebuild:") and "onnx-int8" in line for line in lines)

    # back to torch: a full rebuild again, but the torch vectors are still in the build's cache (one file per model
    # and backend), so nothing is embedded twice and nothing of the other backend is mixed in
    back = build_index(fresh_settings.with_(backend="torch"), torch_embedder, progress=False, log=lambda m: None)
    assert back.full_rebuild_reason and back.embedded == 0 and back.reused == back.chunks


def test_export_happens_once_and_leaves_the_torch_fingerprint_alone(tmp_path, base_settings):
    cached = models.cache_folder(base_settings)
    models.fetch_model(base_settings.with_(backend="torch"), progress=False)
    folder = tmp_path / "e5"
    folder.mkdir()
    for item in cached.iterdir():  # links, not copies: 470 MB of weights stay where they are
        if item.name != onnx_backend.SUBFOLDER:
            (folder / item.name).symlink_to(item)
    stale = folder / onnx_backend.SUBFOLDER / ".export-killed"
    stale.mkdir(parents=True)
    (stale / "model.onnx").write_bytes(b"half-written")
    old = time.time() - 2 * onnx_backend.STALE_SECONDS
    os.utime(stale, (old, old))
    torch_print = model_fingerprint(folder)
    settings = base_settings.with_(model=str(folder), backend="onnx-int8")

    first = SentenceTransformerEmbedder(settings)  # not load_embedder: no process-wide cache
    exported = onnx_backend.onnx_file(folder)
    assert exported.is_file() and (exported.parent / "export.json").is_file()
    assert not stale.exists()  # a killed export's leftovers are cleared
    assert [p.name for p in exported.parent.iterdir() if p.name.startswith(".")] == []
    stamp = exported.stat().st_mtime_ns

    second = SentenceTransformerEmbedder(settings)
    models.fetch_model(settings, progress=False)
    assert exported.stat().st_mtime_ns == stamp  # loaded and fetched again: not exported again
    texts = ["郑州市今年将新建改建城市道路100条。", "国务院常务会议部署进一步做好稳就业工作。"]
    assert np.array_equal(first.encode_passages(texts), second.encode_passages(texts))
    assert model_fingerprint(folder) == torch_print  # an index built with torch is still valid for torch
    assert first.model_id == second.model_id != f"{settings.model}+torch+{torch_print}"


def test_missing_onnxruntime_names_the_install_command(monkeypatch, base_settings):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` raise ImportError
    with pytest.raises(ModelError, match="pip install onnxruntime"):
        models.load_sentence_transformer(base_settings.with_(backend="onnx-int8"))
