"""A serving engine and `newsbot index` in another process: the engine notices the newer index and swaps it in,
and never crashes on a sentence the store holds but its vectors do not."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.engine import Engine
from index.settings import Settings
from index.vectors import VectorIndex
from tests.conftest import ROOT, FakeEncoder

FLOODS = (
    "The river flooded the town of Derna after the two dams broke in the night.\n\n"
    "Officials counted the damage to the harbour and the roads on Monday."
)
CONCERT = (
    "The Vienna orchestra performed a new symphony by the composer Clara Weiss on Sunday.\n\n"
    '"It was the best night of my life," Clara Weiss said.'
)
QUESTION = "Which orchestra performed the symphony by Clara Weiss?"

# The second process: the same engine code and the same deterministic encoder, writing the same data folder.
INDEX_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from index.engine import Engine
from index.settings import Settings
from tests.conftest import FakeEncoder
engine = Engine.open(Settings(data_dir=Path(sys.argv[1]), progress=False, ranker="fusion"), encoder=FakeEncoder())
print(engine.index_paths([Path(sys.argv[2])]).summary())
engine.close()
"""


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    """Return settings over a data folder in tmp_path, fusion ranking (the fake vectors are not MiniLM's)."""
    return Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion")


@pytest.fixture
def engine(fake_settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    """Return an engine over a corpus holding the floods article only."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "floods.txt").write_text(FLOODS)
    e = Engine.open(fake_settings, encoder=FakeEncoder())
    e.index_paths([corpus])
    yield e
    e.close()


def _index_in_another_process(data_dir: Path, corpus: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", INDEX_IN_ANOTHER_PROCESS, str(data_dir), str(corpus)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_engine_swaps_in_the_index_another_process_wrote(engine: Engine, tmp_path: Path) -> None:
    assert engine.answer("Where did the river flood?").hits  # the serving engine has answered before
    (tmp_path / "corpus" / "concert.txt").write_text(CONCERT)
    out = _index_in_another_process(engine.settings.data_dir, tmp_path / "corpus")
    assert "Indexed 1 new" in out

    answer = engine.answer(QUESTION)  # crashed with "IndexIDMap2 ... reconstruct ... key N not found"

    assert not answer.no_answer
    assert "Vienna orchestra" in answer.hits[0].sentence
    _, stored = engine.library.summary(0).articles, engine.library.summary(0).sentences
    held = set(engine.vectors.ids().tolist())
    assert answer.hits[0].sentence_id in held, "the newer index was swapped in"
    assert len(held) == stored
    # A dense-only match (no shared word with the question would do) is found too: the vectors are the new ones.
    qvec = engine.encoder.encode([CONCERT.split("\n\n")[0]], "query")[0]
    assert engine.vectors.search(qvec, 1)[0][0] == answer.hits[0].sentence_id


def test_refresh_is_a_no_op_when_nothing_changed(engine: Engine) -> None:
    before = engine.vectors
    assert engine.refresh() is False
    engine.answer("Where did the river flood?")
    assert engine.vectors is before
    # The engine's own writes do not count as another process's: no reload of what it already holds.
    engine.add_document("concert.txt", CONCERT.encode())
    after = engine.vectors
    assert engine.refresh() is False and engine.vectors is after


def test_candidates_the_vectors_do_not_hold_take_the_stored_vectors(engine: Engine, tmp_path: Path) -> None:
    engine.add_document("concert.txt", CONCERT.encode())
    concert_ids = [sid for sid, _ in engine.store.lexical("Vienna orchestra Clara Weiss", 10)]
    assert concert_ids
    engine.vectors.delete(concert_ids)  # as between another process's store commit and its index save

    answer = engine.answer(QUESTION)
    assert not answer.no_answer and "Vienna orchestra" in answer.hits[0].sentence
    assert answer.hits[0].score > 0
    said = engine.answer("What did Clara Weiss say?")  # the speaker's sentences join the candidates
    assert said.hits and said.hits[0].attribution.speaker == "Clara Weiss"


def test_lookup_tells_the_ids_it_does_not_hold() -> None:
    vi = VectorIndex(4, "m")
    vi.append([10, 20], np.eye(4, dtype=np.float32)[:2])
    found, vecs, missing = vi.lookup([20, 99, 10])
    assert found == [20, 10] and missing == [99]
    assert np.allclose(vecs, np.eye(4)[[1, 0]])
    assert vi.lookup([])[1].shape == (0, 4)
