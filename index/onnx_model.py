"""The sentence-transformers model run by onnxruntime: exported once from the bundled weights into the data folder,
checked against sentence-transformers on fixed probe sentences, described by a JSON file beside it, and run with
the model's own tokenizer (`tokenizers`), so answering a question never imports torch or transformers.

The graph holds the whole model: the transformer, mean pooling over the attention mask and L2 normalisation; its
inputs are the tokenizer's ids, attention mask (and token type ids where the model takes them) with dynamic batch
and sequence axes, its one output the unit vectors. Only exporting needs torch, sentence-transformers and onnx.

The weights sit in a second file beside the graph (ONNX external data, `<name>.onnx.data`): onnxruntime maps it
instead of parsing and copying it, so a session opens in half the time and a process answering holds the weights
once (about 100 MB less resident for MiniLM).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ModelError
from index.sharing import clear_leftovers, temporary_path, temporary_prefix

log = logging.getLogger(__name__)

FORMAT = 2  # of the export and its JSON; a new format is exported again (2: the weights in their own file)
MIN_COSINE = 0.9999  # every probe, export against sentence-transformers
# int8 weights are an approximation (MiniLM per-channel: 0.97 at worst on the probes, the other scripts): a looser
# floor that still refuses a broken quantisation
MIN_COSINE_INT8 = 0.95
# A fixed probe set: short and long, a question, punctuation, digits, other scripts, and one past max_seq_length
# (truncation must match). Encoded both as one padded batch and one by one.
PROBES = (
    "hi",
    "How far is Derna from Crete?",
    "The Islamic State (ISIS) is now in control of a city in Libya that lies a little more than 200 miles from Greece.",
    "Gen. Martin Dempsey said last week ground troops are \"still on the table\".",
    "Le président a déclaré à Paris que l'accord était « historique ».",
    "Москва, 3 марта — министр заявил, что переговоры продолжатся.",
    "東京都は23日、新しい計画を発表した。",
    "GDP grew 3.2% in Q4 2024, up from 2.9%; unemployment fell to 4.1%.",
    "   leading and trailing spaces   ",
    " ".join(["The council met again on Tuesday and said the budget would be cut by ten per cent."] * 30),
)


def export_paths(export_dir: Path, model_name: str, int8: bool = False) -> tuple[Path, Path]:
    """Return the .onnx file of a model's export in the data folder and the JSON that describes it."""
    onnx = Path(export_dir) / f"{model_name}{'.int8' if int8 else ''}.onnx"
    return onnx, onnx.with_name(onnx.name + ".json")


def weights_file(onnx: Path) -> Path:
    """Return the file that holds an export's weights (its external data), beside the graph `onnx`."""
    return onnx.with_name(onnx.name + ".data")


def missing_runtime() -> str | None:
    """Return the name of a package the ONNX path needs to run and cannot import, or None when all are there."""
    import importlib.util

    for name in ("onnxruntime", "tokenizers"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _version(package: str) -> str | None:
    from importlib import metadata  # only an export records versions; answering never needs it

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def read_description(path: Path) -> dict[str, Any] | None:
    """Return the JSON describing an export, or None when it is missing or unreadable."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def usable_export(onnx: Path, described: Path, model_id: str, weights_sha256: str, int8: bool,
                  verify: bool = True) -> bool:
    """Return whether the export at `onnx` was made by this format from these weights and passed its probe check;
    the bytes of its graph and its weights are hashed only when their size or time differ from those recorded (a
    copy, or another file)."""
    d = read_description(described)
    weights = weights_file(onnx)
    if d is None or not onnx.is_file() or not weights.is_file():
        return False
    if (d.get("format"), d.get("model_id"), d.get("weights_sha256"), d.get("int8")) != (
        FORMAT, model_id, weights_sha256, int8
    ):
        return False
    floor = MIN_COSINE_INT8 if int8 else MIN_COSINE
    if not isinstance(d.get("probe_min_cosine"), float) or d["probe_min_cosine"] < floor:
        return False
    if d.get("stat") == _stat(onnx) and d.get("weights_stat") == _stat(weights):
        return True
    recorded = (d.get("onnx_sha256"), d.get("weights_file_sha256"))
    return not verify or (sha256_file(onnx), sha256_file(weights)) == recorded


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file (the weights' and the export's checks; index.encoder and the reader use it
    too)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _with_weights_beside(source: Path, graph: Path) -> None:
    """Write the model at `source` to `graph`, its weights in weights_file(graph) (ONNX external data)."""
    import onnx as onnx_lib

    model = onnx_lib.load(str(source))
    onnx_lib.save_model(model, str(graph), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=weights_file(graph).name, size_threshold=1024)


def export(st_model: Any, model_dir: Path, onnx: Path, described: Path, model_id: str, weights_sha256: str,
           int8: bool = False) -> dict[str, Any]:
    """Export a loaded SentenceTransformer to `onnx` (int8: then quantise its weights), check it against the model
    on the probe set and write it and its JSON atomically; return the description. A probe below the floor is
    refused with a ModelError and nothing is left behind."""
    import torch

    onnx.parent.mkdir(parents=True, exist_ok=True)
    # made in a folder of its own beside the export (graph, weights and the unquantised graph): moved into place
    # only once checked, and removed whatever happens; one left by a process killed mid-export goes too
    clear_leftovers(onnx.parent, [onnx.name])
    work = Path(tempfile.mkdtemp(prefix=temporary_prefix(onnx, "export"), suffix=".tmp", dir=onnx.parent))
    tmp = work / onnx.name
    fp32 = work / "fp32.onnx"
    try:
        _export_graph(st_model, fp32)
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            logging.disable(logging.WARNING)  # its advice to pre-process first, on the root logger
            try:
                quantize_dynamic(str(fp32), str(work / "int8.onnx"), per_channel=True, weight_type=QuantType.QInt8)
            finally:
                logging.disable(logging.NOTSET)
        _with_weights_beside(work / "int8.onnx" if int8 else fp32, tmp)
        runner = OnnxModel(tmp, model_dir)
        reference = st_model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
        batch = runner.encode(list(PROBES), threads=1)
        one_by_one = np.vstack([runner.encode([p], threads=1) for p in PROBES])
        cosine = float(min((batch * reference).sum(axis=1).min(), (one_by_one * reference).sum(axis=1).min()))
        floor = MIN_COSINE_INT8 if int8 else MIN_COSINE
        if not cosine >= floor:
            raise ModelError(
                f"the ONNX export of {model_id} does not match sentence-transformers (probe cosine {cosine:.6f}, "
                f"needs {floor}); it was not used. Run with NEWSBOT_ENCODER=torch"
            )
        description = {
            "format": FORMAT,
            "model_id": model_id,
            "weights_sha256": weights_sha256,
            "int8": int8,
            "max_seq_length": runner.max_seq_length,
            "pooling": "mean over the attention mask, then L2 normalisation, inside the graph",
            "inputs": runner.inputs,
            "onnx_sha256": sha256_file(tmp),
            "weights_file": weights_file(onnx).name,
            "weights_file_sha256": sha256_file(weights_file(tmp)),
            "onnxruntime": _version("onnxruntime"),
            "torch": torch.__version__,
            "sentence_transformers": _version("sentence-transformers"),
            "probes": len(PROBES),
            "probe_min_cosine": cosine,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        del runner
        # the weights, then the graph, then the JSON: a crash in between leaves a description that no longer fits
        os.replace(weights_file(tmp), weights_file(onnx))
        os.replace(tmp, onnx)
        description["stat"] = _stat(onnx)
        description["weights_stat"] = _stat(weights_file(onnx))
        tmp_json = temporary_path(described)
        try:
            tmp_json.write_text(json.dumps(description, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp_json, described)
        finally:
            tmp_json.unlink(missing_ok=True)  # a write that did not fit (a full disk) leaves no stray file
        return description
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export_graph(st_model: Any, path: Path) -> None:
    """Write the transformer with mean pooling and normalisation as one ONNX graph with dynamic axes."""
    import inspect

    import torch

    transformer = st_model[0].auto_model
    takes_types = "token_type_ids" in inspect.signature(transformer.forward).parameters
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(**dict(zip(names, inputs, strict=True)))[0]
            weights = inputs[1].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    # The example batch is padded (texts of two lengths): a batch without padding would let transformers drop
    # the attention mask while tracing, and the graph would then ignore it.
    features = st_model.tokenizer(
        ["a short one", "a longer sentence, so that the first is padded"], padding=True, return_tensors="pt"
    )
    example = tuple(features[n] for n in names)
    assert bool((example[1] == 0).any())
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python branches it fixed (none depends on data)
        torch.onnx.export(
            Pooled().eval(),
            example,
            str(path),
            dynamo=False,
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names}, "embedding": {0: "batch"}},
            opset_version=17,
        )


def cpu_session_options(threads: int) -> Any:
    """Return the onnxruntime options every newsbot session runs with (the encoder's and the reader's): `threads`
    intra-op threads, full graph optimisation, quiet, and no memory plan kept per input shape (questions and
    sentences come in many lengths, so each new shape's plan held more arena; off, the answering peak is lower at
    the same speed: bench/RESULTS.md, "The answering peak under 0.6× again")."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.enable_mem_pattern = False
    return options


class OnnxModel:
    """An exported model and its tokenizer: one onnxruntime session per thread count, made once and kept."""

    def __init__(self, onnx: Path, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        self.path = Path(onnx)
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_seq_length = int(config["max_seq_length"])
        self.lower_case = bool(config.get("do_lower_case", False))
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # sentence-transformers truncates at max_seq_length and pads to the longest text of each batch.
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad = tokenizer.padding or {}
        pad_token = pad.get("pad_token") or "[PAD]"
        pad_id = pad.get("pad_id", tokenizer.token_to_id(pad_token) or 0)
        tokenizer.enable_padding(pad_id=pad_id, pad_type_id=pad.get("pad_type_id", 0), pad_token=pad_token,
                                 direction=pad.get("direction", "right"))
        self._tokenizer = tokenizer
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()
        self.inputs = [i.name for i in self._session(1).get_inputs()]

    def _session(self, threads: int) -> Any:
        """Return the session that runs on `threads` intra-op threads, made on first use."""
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime as ort

                try:
                    self._sessions[threads] = ort.InferenceSession(
                        str(self.path), cpu_session_options(threads), providers=["CPUExecutionProvider"]
                    )
                except Exception as e:  # noqa: BLE001 - an unreadable graph is a model problem for the user
                    raise ModelError(f"cannot load the ONNX model {self.path}: {e}") from None
            return self._sessions[threads]

    def encode(self, texts: Sequence[str], threads: int, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Return an (n, dimension) float32 array of unit vectors, batched by length like sentence-transformers."""
        session = self._session(threads)
        cleaned = [str(t).strip() for t in texts]
        if self.lower_case:
            cleaned = [t.lower() for t in cleaned]
        order = sorted(range(len(cleaned)), key=lambda i: -len(cleaned[i]))
        out: np.ndarray | None = None
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches")
        for start in starts:
            rows = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([cleaned[i] for i in rows])
            columns = {
                "input_ids": [e.ids for e in encodings],
                "attention_mask": [e.attention_mask for e in encodings],
                "token_type_ids": [e.type_ids for e in encodings],
            }
            feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self.inputs}
            vectors = session.run(None, feed)[0]
            if out is None:
                out = np.empty((len(cleaned), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        assert out is not None
        return out
