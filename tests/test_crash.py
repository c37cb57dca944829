"""Crash safety: `newsbot index` killed with SIGKILL at random points, again and again. After each kill the index
loads, the FAISS ids are the stored sentence ids, no article is lost, duplicated or half written, and a final
rerun converges to exactly a clean run's content.

The runs are the real CLI in a real process; only the model is the fake encoder (slowed a little, so that kills
land inside the work), put in by a small driver script rather than by any hook in newsbot itself."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder

from index.engine import Engine
from index.settings import Settings

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
DRIVER = f"""
import sys, time
sys.path.insert(0, {str(TESTS)!r})
from conftest import FakeEncoder

class SlowFake(FakeEncoder):
    def encode(self, texts, kind, progress=False):
        time.sleep(0.05)
        return super().encode(texts, kind, progress)

import index.encoder, index.indexer
index.encoder.MiniLMEncoder = lambda **_: SlowFake()
index.indexer.BATCH_SENTENCES = 40
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""
KILLS = 10


def article(i: int, version: int) -> str:
    lines = [
        f"Report {i}, version {version}: the harbour of Town{i} handled {100 * i + version} ships this year.",
        *(f"Sentence {j} of report {i} says the quay number {j} was rebuilt by crew {version}." for j in range(8)),
    ]
    return "\n\n".join(lines) + "\n"


def write_corpus(folder: Path, version: int) -> None:
    """Version 1: reports 0-39. Version 2: 0-9 removed, 10-19 changed, 20-39 unchanged, 40-59 new."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = range(40) if version == 1 else range(10, 60)
    for p in folder.glob("*.txt"):
        p.unlink()
    for i in numbers:
        (folder / f"report{i:02d}.txt").write_text(article(i, 2 if version == 2 and i < 20 else 1))


def content(settings: Settings) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Return doc_id -> (content hash, sentence texts) after checking that the index loads and agrees."""
    engine = Engine.open(settings, encoder=FakeEncoder())
    try:
        ids, _ = engine.store.all_vectors(engine.vectors.dimension)
        assert np.array_equal(np.sort(engine.vectors.ids()), ids), "FAISS ids differ from the stored ids"
        hashes = engine.store.article_hashes()
        rows = engine.store.article_files()
        assert len(rows) == len(hashes) == len({r[0] for r in rows})
        return {d: (h, tuple(engine.store.article_sentence_texts(d))) for d, h in hashes.items()}
    finally:
        engine.close()


def clean_content(tmp_path: Path, version: int) -> dict[str, tuple[str, tuple[str, ...]]]:
    corpus = tmp_path / f"ref{version}" / "corpus"
    write_corpus(corpus, version)
    settings = Settings(data_dir=tmp_path / f"ref{version}" / "data", progress=False, ranker="fusion")
    engine = Engine.open(settings, encoder=FakeEncoder())
    engine.index_paths([corpus])
    engine.add_document("upload.txt", b"An uploaded note on the port of Sirte.\n")
    engine.close()
    return content(settings)


def test_index_survives_kill_9_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(8)
    v1, v2 = clean_content(tmp_path, 1), clean_content(tmp_path, 2)
    corpus = tmp_path / "corpus"
    data = tmp_path / "data"
    settings = Settings(data_dir=data, progress=False, ranker="fusion")
    env = {**os.environ, "NEWSBOT_RANKER": "0", "NEWSBOT_PROGRESS": "1"}
    command = [sys.executable, "-c", DRIVER, "index", str(corpus), "--data", str(data)]

    def start() -> tuple[subprocess.Popen, Path]:
        err = tmp_path / "stderr.txt"
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err.open("w")), err

    # how long the indexing part of a whole run takes, from its progress bar's first line to the end
    write_corpus(corpus, 2)
    proc, err = start()
    while proc.poll() is None and "indexing" not in err.read_text():
        time.sleep(0.02)
    began = time.monotonic()
    assert proc.wait(120) == 0, err.read_text()
    span = max(time.monotonic() - began, 0.2)

    killed = attempts = 0
    while killed < KILLS and attempts < 3 * KILLS:
        attempts += 1
        for p in data.iterdir():  # back to the first version's clean index, upload included
            p.unlink()
        write_corpus(corpus, 1)
        engine = Engine.open(replace(settings), encoder=FakeEncoder())
        engine.index_paths([corpus])
        engine.add_document("upload.txt", b"An uploaded note on the port of Sirte.\n")
        engine.close()
        write_corpus(corpus, 2)
        proc, err = start()
        while proc.poll() is None and "indexing" not in err.read_text():
            time.sleep(0.02)
        time.sleep(rng.uniform(0, span))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(60)

        now = content(settings)
        assert now["uploads/upload.txt"] == v1["uploads/upload.txt"], "the upload was lost"
        for doc_id, held in now.items():
            assert held in (v1.get(doc_id), v2.get(doc_id)), f"{doc_id} is half written or unknown"
        for doc_id in set(v1) & set(v2):
            assert doc_id in now, f"{doc_id} was lost"

    assert killed >= KILLS, f"only {killed} of {attempts} runs were still running when killed"
    proc, err = start()
    assert proc.wait(120) == 0, err.read_text()
    assert content(settings) == v2
