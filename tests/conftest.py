"""Shared fixtures: an isolated environment, the real model loaded once, a deterministic fake encoder for tests
where the model is not the point, and engines over real SQLite and FAISS files in tmp_path."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from index.encoder import Encoder, TextKind
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "derna.txt"
SHARED = ROOT.parent / "shared"
SQUAD = SHARED / "eval" / "squad-dev-a"



def pytest_configure(config: pytest.Config) -> None:
    """Register the `shared` marker: `@pytest.mark.shared("eval/squad-dev-a")` for a test that reads ../shared."""
    config.addinivalue_line(
        "markers", "shared(path): reads ../shared/PATH beside the checkout; skipped with the reason when absent"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked `shared(path)`, saying what is missing, when ../shared/path is not beside the checkout."""
    for mark in item.iter_markers("shared"):
        path = SHARED / mark.args[0]
        if not path.exists():
            pytest.skip(f"needs the team's data at {path} (../shared/{mark.args[0]} beside the checkout)")


os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder every test's ONNX export of the model goes to (made once, at its first use), so that
    each data folder in tmp_path does not export the model again."""
    return tmp_path_factory.mktemp("onnx-export")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, onnx_dir: Path) -> None:
    """Keep the operator's NEWSBOT_* and TELEGRAM_* settings out of every test; share one ONNX export."""
    for key in list(os.environ):
        if key.startswith(("NEWSBOT_", "TELEGRAM_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NEWSBOT_ONNX_DIR", str(onnx_dir))


class FakeEncoder(Encoder):
    """A deterministic bag-of-words hashing encoder: fast, no model, similar texts get similar vectors."""

    model_id = "fake-hashing-encoder"
    dimension = 64

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return unit vectors from hashed lowercase words."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dimension] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        return out


@pytest.fixture(scope="session")
def minilm(onnx_dir: Path) -> Encoder:
    """Return the real all-MiniLM-L6-v2 encoder as users run it (ONNX), loaded once per test session."""
    from index.encoder import MiniLMEncoder

    return MiniLMEncoder(runtime="onnx", export_dir=onnx_dir)


@pytest.fixture(scope="session")
def minilm_torch() -> Encoder:
    """Return the real all-MiniLM-L6-v2 encoder run by sentence-transformers (torch), the reference."""
    from index.encoder import MiniLMEncoder

    return MiniLMEncoder(runtime="torch")


@pytest.fixture
def fake_encoder() -> Encoder:
    """Return the deterministic fake encoder."""
    return FakeEncoder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Return settings with the data folder in tmp_path."""
    return Settings(data_dir=tmp_path / "data", progress=False)


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    """Return a corpus folder holding a copy of the seed article."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "derna.txt").write_bytes(SEED.read_bytes())
    return corpus


@pytest.fixture
def fake_engine(settings: Settings, fake_encoder: Encoder, seed_corpus: Path) -> Iterator:  # -> Engine
    """Return an engine over the seed article with the fake encoder and the shipped ranker."""
    from index.engine import Engine

    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([seed_corpus])
    yield engine
    engine.close()


@pytest.fixture
def seed_engine(settings: Settings, minilm: Encoder, seed_corpus: Path) -> Iterator:
    """Return a real engine (real model, SQLite, FAISS in tmp_path) over the seed article."""
    from index.engine import Engine

    engine = Engine.open(settings, encoder=minilm)
    engine.index_paths([seed_corpus])
    yield engine
    engine.close()


@pytest.fixture
def ranker_copy(tmp_path: Path) -> Path:
    """Return a folder holding a copy of the shipped ranker files."""
    from index.ranking.learned import META_FILE, MODEL_FILE, RANKER_DIR

    return copied(RANKER_DIR, (MODEL_FILE, META_FILE), tmp_path / "ranker")


def copied(source: Path, names: Sequence[str], folder: Path) -> Path:
    """Return `folder`, made, holding a copy of each named file of `source` (a shipped model's files)."""
    folder.mkdir()
    for name in names:
        shutil.copy(source / name, folder / name)
    return folder


def store_at_schema(path: Path, version: int) -> sqlite3.Connection:
    """Return a connection to a new store file at `path` made as newsbot made it at schema `version` (the first
    `version` migrations), for a test to fill as such a newsbot would have; the caller commits and closes it."""
    from index.dates import published_timestamp
    from index.migrations import MIGRATIONS

    db = sqlite3.connect(path)
    db.create_function("newsbot_published_ts", 1, published_timestamp, deterministic=True)  # migration 7 reads it
    for n in range(version):
        db.executescript(f"BEGIN; {MIGRATIONS[n]}; PRAGMA user_version={n + 1}; COMMIT;")
    return db
