"""The engine's settings, built once at the edge (CLI, bot start-up) from flags and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import ConfigError

if TYPE_CHECKING:
    from index.fetching import FetchPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "all-MiniLM-L6-v2"
MPNET_MODEL = "all-mpnet-base-v2"
# NEWSBOT_MODEL's values and the embedding model each names; minilm is the default.
MODEL_CHOICES = {"minilm": DEFAULT_MODEL, "mpnet": MPNET_MODEL}
# NEWSBOT_ENCODER's values: what runs the model. onnx (the default) exports it once into the data folder and runs it
# with onnxruntime; torch runs sentence-transformers, the reference; onnx-int8 quantises the export's weights.
ENCODER_CHOICES = ("onnx", "torch", "onnx-int8")


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how retrieval behaves."""

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    model: str = DEFAULT_MODEL  # NEWSBOT_MODEL: the embedding model `Engine.open` builds (MODEL_CHOICES' values)
    encoder: str = "onnx"  # NEWSBOT_ENCODER: what runs the model (ENCODER_CHOICES)
    onnx_dir: Path | None = None  # NEWSBOT_ONNX_DIR: where the ONNX export lives, if not in the data folder
    threads: int = 0  # NEWSBOT_THREADS: threads the model uses to embed batches of sentences; 0: every core
    batch_size: int = 64
    candidates: int = 50  # per retriever, before fusion and ranking
    max_question_chars: int = 1000
    progress: bool = True  # progress bars while embedding
    ranker: str = "learned"  # NEWSBOT_RANKER: a name of index.ranking.choice.RANKERS (learned: fusion when unusable)
    reader: bool = True  # NEWSBOT_READER: the reader rereads the learned ranker's best candidates (off: it does not)
    fetch_allow: str = ""  # NEWSBOT_FETCH_ALLOW: private hosts and networks `/add URL` may fetch
    fetch_deadline: float = 30.0  # NEWSBOT_FETCH_DEADLINE: seconds a whole `/add URL` fetch may take
    vector_index: str = "auto"  # NEWSBOT_VECTOR_INDEX: auto (exact; ivf from 25,000; ivf8 from 200,000) or one

    @property
    def db_path(self) -> Path:
        """Return the SQLite store's path."""
        return self.data_dir / "newsbot.sqlite3"

    @property
    def vectors_path(self) -> Path:
        """Return the FAISS index file's path (its manifest sits beside it)."""
        return self.data_dir / "sentences.faiss"

    def fetch_policy(self) -> FetchPolicy:
        """Return what `/add` and followed feeds may fetch (NEWSBOT_FETCH_ALLOW, NEWSBOT_FETCH_DEADLINE)."""
        from index.fetching import FetchPolicy

        return FetchPolicy.parse_allow(self.fetch_allow, deadline=self.fetch_deadline)

    @property
    def export_dir(self) -> Path:
        """Return the folder holding the model's ONNX export: NEWSBOT_ONNX_DIR, else the data folder."""
        return self.onnx_dir if self.onnx_dir is not None else self.data_dir

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Return settings from NEWSBOT_* variables, then explicit overrides (flags) on top."""
        env = os.environ if env is None else env
        s = cls()
        if env.get("NEWSBOT_DATA"):
            s = replace(s, data_dir=Path(env["NEWSBOT_DATA"]).expanduser())
        if env.get("NEWSBOT_CORPUS"):
            s = replace(s, corpus_dir=Path(env["NEWSBOT_CORPUS"]).expanduser())
        if choice := _choice(env, "NEWSBOT_MODEL", tuple(MODEL_CHOICES), "minilm"):
            s = replace(s, model=MODEL_CHOICES[choice])
        if runtime := _choice(env, "NEWSBOT_ENCODER", ENCODER_CHOICES, "onnx"):
            s = replace(s, encoder=runtime)
        if env.get("NEWSBOT_ONNX_DIR", "").strip():
            s = replace(s, onnx_dir=Path(env["NEWSBOT_ONNX_DIR"].strip()).expanduser())
        if env.get("NEWSBOT_RANKER", "").strip():
            from index.ranking.choice import RANKERS

            value = env["NEWSBOT_RANKER"].strip().lower()
            value = "fusion" if value in {"0", "off", "false", "no"} else value  # the switch it was before
            s = replace(s, ranker=_choice({"NEWSBOT_RANKER": value}, "NEWSBOT_RANKER", RANKERS, "learned") or "learned")
        if env.get("NEWSBOT_READER", "").lower() in {"0", "off", "false", "no"}:
            s = replace(s, reader=False)
        if env.get("NEWSBOT_PROGRESS", "").lower() in {"0", "off", "false", "no"}:
            s = replace(s, progress=False)
        if env.get("NEWSBOT_CANDIDATES"):
            try:
                s = replace(s, candidates=int(env["NEWSBOT_CANDIDATES"]))
            except ValueError:
                raise ConfigError("NEWSBOT_CANDIDATES must be a whole number") from None
        if env.get("NEWSBOT_THREADS", "").strip():
            try:
                s = replace(s, threads=int(env["NEWSBOT_THREADS"]))
            except ValueError:
                raise ConfigError("NEWSBOT_THREADS must be a whole number (0: every core)") from None
            if s.threads < 0:
                raise ConfigError("NEWSBOT_THREADS must be 0 (every core) or more")
        if env.get("NEWSBOT_FETCH_ALLOW", "").strip():
            from index.fetching import FetchPolicy

            FetchPolicy.parse_allow(env["NEWSBOT_FETCH_ALLOW"])  # a wrong entry is refused at start-up
            s = replace(s, fetch_allow=env["NEWSBOT_FETCH_ALLOW"].strip())
        if env.get("NEWSBOT_FETCH_DEADLINE", "").strip():
            try:
                s = replace(s, fetch_deadline=float(env["NEWSBOT_FETCH_DEADLINE"]))
            except ValueError:
                raise ConfigError("NEWSBOT_FETCH_DEADLINE must be a number of seconds") from None
            if not 0 < s.fetch_deadline <= 3600:
                raise ConfigError("NEWSBOT_FETCH_DEADLINE must be between 0 and 3600 seconds")
        if env.get("NEWSBOT_VECTOR_INDEX", "").strip():
            from index.vectors import KINDS

            if kind := _choice(env, "NEWSBOT_VECTOR_INDEX", KINDS, "auto"):
                s = replace(s, vector_index=kind)
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(s, **clean)  # type: ignore[arg-type]


def _choice(env: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str | None:
    """Return the environment's choice for `name` in lower case (None when unset or blank); raise ConfigError,
    naming the choices, when it is not one of them."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if value.lower() not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)} ({default} is the default), not {value!r}")
    return value.lower()
