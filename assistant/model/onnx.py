"""The ``onnx-int8`` backend: the model's transformer exported once to ONNX, its weights quantised to int8, run by
onnxruntime inside an otherwise ordinary ``SentenceTransformer``.

Export recipe (``export_int8``): trace the transformers model with eager attention (``torch.onnx.export``, TorchScript
exporter) → fuse attention, LayerNorm and GELU with onnxruntime's BERT optimizer (BERT/RoBERTa/XLM-R only) → dynamic
int8 quantisation (``onnxruntime.quantization.quantize_dynamic``: int8 weights per output channel, symmetric;
activations quantised per batch at run time).  The result is written once, atomically, to
``<model folder>/onnx/model_qint8.onnx`` (+ ``export.json`` saying how it was made).

At load time ``OrtTransformer`` replaces the transformers module inside the ``SentenceTransformer``: tokenising,
prompts, length-sorted batching, truncation at ``max_seq_length``, pooling and normalisation stay sentence-transformers'
own, so the two backends differ only in the transformer's arithmetic.

Why not sentence-transformers' own ``backend="onnx"``: it loads through optimum-onnx, whose releases (0.1.0) pin
``transformers<4.58`` while sentence-transformers 6 needs ``transformers>=5``; pip cannot install both.
Imported only when the backend is used (it imports torch).
Left out: GPU execution providers, static (calibrated) quantisation, architectures other than encoder-only ones.
"""

from __future__ import annotations

import importlib

import json
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers.modeling_outputs import BaseModelOutput

from ..errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

SUBFOLDER = "onnx"
FILE_NAME = "model_qint8.onnx"
RECIPE = "eager-trace, bert-fusion, dynamic int8 (QInt8 weights, per-channel, symmetric)"
INSTALL_HINT = "pip install onnxruntime==1.32.0 onnx==1.23.2 (or `pip install -e '.[onnx]'`)"
STALE_SECONDS = 3600  # an export takes well under a minute: an older temporary folder is a killed one
_FUSABLE = ("bert", "roberta", "xlm-roberta")  # model types onnxruntime's BERT optimizer fuses
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_file(folder: Path) -> Path:
    """Where the quantised model of the model in ``folder`` lives (it may not exist yet)."""
    return Path(folder) / SUBFOLDER / FILE_NAME


def require_onnxruntime() -> None:
    try:
        for package in ("onnx", "onnxruntime"):
            importlib.import_module(package)  # importable is all that is asked here
    except ImportError as exc:
        raise ModelError(f"the onnx-int8 backend needs onnxruntime and onnx ({exc}): {INSTALL_HINT}; or set "
                         "ASSISTANT_BACKEND=torch.") from exc  # fmt: skip


def export_int8(model: SentenceTransformer, folder: Path, *, progress: bool = True) -> Path:
    """Export ``model``'s transformer (loaded with the torch backend) to ``onnx_file(folder)``; returns that path.

    Everything is written into a temporary folder beside the target and moved into place in one rename, so a killed
    export leaves no half-written model (only a ``.export-*`` folder, removed by a later export once it is stale).
    """
    require_onnxruntime()
    import onnx
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    transformer = model[0].model
    config = transformer.config
    dest = onnx_file(folder)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        for stale in dest.parent.glob(".export-*"):
            if time.time() - stale.stat().st_mtime > STALE_SECONDS:  # younger ones may be another process's export
                shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=dest.parent))
    except OSError as exc:
        raise ModelError(f"cannot write the ONNX export into {dest.parent} ({exc}); make the model folder writable, "
                         "or set ASSISTANT_BACKEND=torch.") from exc  # fmt: skip
    if progress:
        print(f"[model] exporting {folder.name} to ONNX int8 into {dest.parent} (one-time, ~30 s)", file=sys.stderr,
              flush=True)
    try:
        sample = model.tokenizer(["passage: 你好", "passage: 郑州市今年将新建城市道路"], padding=True, return_tensors="pt")
        names = [n for n in _INPUTS if n in sample]
        previous = config._attn_implementation
        # Eager attention traces to the MatMul/Softmax pattern that onnxruntime's optimizer fuses into one op.
        transformer.set_attn_implementation("eager")
        try:
            with torch.no_grad(), warnings.catch_warnings():
                # the tracer warns that shape checks become constants: true, and harmless for an encoder whose
                # inputs all share one (batch, tokens) shape
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _LastHiddenState(transformer, names), tuple(sample[n] for n in names), str(tmp / "model.onnx"),
                    input_names=names, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                    dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                )  # fmt: skip
        finally:
            transformer.set_attn_implementation(previous)
        source = tmp / "model.onnx"
        if config.model_type in _FUSABLE:
            from onnxruntime.transformers.optimizer import optimize_model

            fused = optimize_model(str(source), model_type="bert", num_heads=config.num_attention_heads,
                                   hidden_size=config.hidden_size, opt_level=1)  # fmt: skip
            source = tmp / "fused.onnx"
            fused.save_model_to_file(str(source))
        logging.disable(logging.WARNING)  # onnxruntime logs advice on pre-processing to the root logger
        try:
            quantize_dynamic(
                source, tmp / FILE_NAME, weight_type=QuantType.QInt8, per_channel=True,
                # DefaultTensorType: fused contrib ops have no inferred output types, the quantiser needs one
                extra_options={"WeightSymmetric": True, "DefaultTensorType": onnx.TensorProto.FLOAT},
            )  # fmt: skip
        finally:
            logging.disable(logging.NOTSET)
        provenance = {"recipe": RECIPE, "file": FILE_NAME, "inputs": names, "torch": torch.__version__,
                      "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__}  # fmt: skip
        (tmp / "export.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp / "export.json", dest.parent / "export.json")
        os.replace(tmp / FILE_NAME, dest)  # last: the model file's presence means the export is complete
    except Exception as exc:  # noqa: BLE001 - tracing, fusion and quantisation raise many types; one message
        raise ModelError(f"exporting {folder} to ONNX failed ({type(exc).__name__}: {exc}); set "
                         "ASSISTANT_BACKEND=torch, or report the model name.") from exc  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def use_onnx(model: SentenceTransformer, path: Path, threads: int) -> None:
    """Replace ``model``'s transformers module by ``OrtTransformer`` over ``path``; the torch weights are freed."""
    model[0].model = OrtTransformer(path, model[0].model.config, threads)


class _LastHiddenState(torch.nn.Module):
    """What is exported: positional inputs in, the last hidden state out (no pooler, no cache flags)."""

    def __init__(self, transformer: torch.nn.Module, names: list[str]):
        super().__init__()
        self.transformer, self.names = transformer, names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.transformer(**dict(zip(self.names, inputs)), return_dict=True).last_hidden_state


class OrtTransformer(torch.nn.Module):
    """Stands in for the transformers model inside a ``SentenceTransformer``: same inputs, same output field."""

    device = torch.device("cpu")  # sentence-transformers asks its model where to put the batches

    def __init__(self, path: Path, config, threads: int):
        super().__init__()
        require_onnxruntime()
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # one per core
        options.inter_op_num_threads = 1  # the graph is one chain: nothing to run side by side
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise ModelError(f"onnxruntime cannot load {path} ({exc}); delete {path.parent} to export it again, "
                             "or set ASSISTANT_BACKEND=torch.") from exc  # fmt: skip
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.config = config

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_ignored) -> BaseModelOutput:
        given = {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}
        feeds = {name: given[name].numpy() for name in self.inputs}  # each (batch, tokens) int64
        (hidden,) = self.session.run(["last_hidden_state"], feeds)  # (batch, tokens, dim) float32
        return BaseModelOutput(last_hidden_state=torch.from_numpy(hidden))
