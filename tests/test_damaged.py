"""Damaged files: a vector index whose bytes were changed, or whose manifest is gone, is healed from the store's
vectors with a warning; a damaged SQLite store says what to do instead of a traceback."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.encoder import Encoder
from index.engine import Engine
from index.errors import IndexMismatchError, StoreError
from index.settings import Settings
from index.store import Store
from index.vectors import manifest_path
from tests.conftest import FakeEncoder

FLOODS = (
    "The river flooded the town of Derna after the two dams broke in the night.\n\n"
    "Officials counted the damage to the harbour and the roads on Monday."
)
CONCERT = "The Vienna orchestra performed a new symphony by the composer Clara Weiss on Sunday."


@pytest.fixture
def data(tmp_path: Path) -> Settings:
    """Return settings over a data folder already indexed (two articles), the engine closed again."""
    settings = Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "floods.txt").write_text(FLOODS)
    (corpus / "concert.txt").write_text(CONCERT)
    engine = Engine.open(settings, encoder=FakeEncoder())
    engine.index_paths([corpus])
    engine.close()
    return settings


def _overwrite_root_page(db_path: Path, name: str) -> None:
    """Overwrite the root page of the table or index `name` in the store's file with garbage."""
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    db.close()
    raw = bytearray(db_path.read_bytes())
    start = (root - 1) * page_size
    raw[start : start + page_size] = b"\xa5" * page_size
    db_path.write_bytes(bytes(raw))


def _index_seed(settings: Settings, encoder: Encoder, corpus: Path) -> None:
    """Index the seed corpus into the settings' data folder with the real model, the engine closed again."""
    with Engine.open(settings, encoder=encoder) as engine:
        engine.index_paths([corpus])


def _stored(settings: Settings, dimension: int = FakeEncoder.dimension) -> tuple[np.ndarray, np.ndarray]:
    store = Store(settings.db_path)
    try:
        return store.all_vectors(dimension)
    finally:
        store.close()


def test_flipped_bytes_in_the_vectors_are_healed_from_the_store(
    data: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    ids, vecs = _stored(data)
    raw = bytearray(data.vectors_path.read_bytes())
    for v in vecs:  # every vector's bytes, in the FAISS file: negate them (flip the sign bits)
        at = bytes(raw).find(v.tobytes())
        assert at > 0
        raw[at : at + v.nbytes] = (-v).tobytes()
    data.vectors_path.write_bytes(bytes(raw))

    with caplog.at_level(logging.WARNING):
        engine = Engine.open(data, encoder=FakeEncoder())
    try:
        assert any("damaged" in r.getMessage() for r in caplog.records), caplog.text
        assert np.allclose(engine.vectors.lookup(ids.tolist())[1], vecs)
        answer = engine.answer("Which orchestra performed the symphony?")
        assert "Vienna orchestra" in answer.hits[0].sentence and answer.hits[0].score > 0
    finally:
        engine.close()
    manifest = json.loads(manifest_path(data.vectors_path).read_text())
    assert manifest["checksum"].startswith("sha256:")
    # Healed on disk too: the next open is quiet.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Engine.open(data, encoder=FakeEncoder()).close()
    assert not caplog.records


def test_a_missing_manifest_beside_a_good_index_is_rebuilt(data: Settings) -> None:
    manifest_path(data.vectors_path).unlink()
    engine = Engine.open(data, encoder=FakeEncoder())  # refused with IndexMismatchError before
    try:
        assert engine.answer("Which orchestra performed the symphony?").hits
        sentences = engine.library.summary(0).sentences
    finally:
        engine.close()
    manifest = json.loads(manifest_path(data.vectors_path).read_text())
    assert manifest["model"] == FakeEncoder.model_id and manifest["count"] == sentences


def test_an_index_for_another_model_still_refuses(data: Settings) -> None:
    path = manifest_path(data.vectors_path)
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "model": "another-model"}))
    with pytest.raises(IndexMismatchError, match="newsbot index --rebuild"):
        Engine.open(data, encoder=FakeEncoder())


def test_a_garbage_store_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    path.write_bytes(b"this is not a database, just some garbage bytes " * 200)
    with pytest.raises(StoreError, match=r"damaged.*move it away and re-index, or restore it from a backup"):
        Store(path)


def test_a_damaged_store_page_says_what_to_do(data: Settings) -> None:
    _overwrite_root_page(data.db_path, "sentences")

    with pytest.raises(StoreError, match=r"damaged.*move it away and re-index, or restore it from a backup"):
        engine = Engine.open(data, encoder=FakeEncoder())
        engine.answer("Which orchestra performed the symphony?")


@pytest.mark.slow
def test_the_cli_heals_a_damaged_index_with_one_warning_line(
    settings: Settings, minilm: Encoder, seed_corpus: Path
) -> None:
    _index_seed(settings, minilm, seed_corpus)
    ids, vecs = _stored(settings, minilm.dimension)
    raw = bytearray(settings.vectors_path.read_bytes())
    for v in vecs:
        at = bytes(raw).find(v.tobytes())
        raw[at : at + v.nbytes] = (-v).tobytes()
    settings.vectors_path.write_bytes(bytes(raw))

    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "how far is Derna from Crete", "--data", str(settings.data_dir)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1. Crete, Greece's most populous island")
    warned = [line for line in run.stderr.splitlines() if "damaged" in line]
    assert len(warned) == 1 and warned[0].startswith("WARNING"), run.stderr
    assert "Traceback" not in run.stderr


def _rot(path: Path, share: float = 0.1) -> None:
    """Flip the bits of `share` of the file's bytes past its header, in place, as a failing disk does: the size and
    the modification time are left as they were, so nothing but the bytes tells."""
    st = path.stat()
    raw = bytearray(path.read_bytes())
    rng = np.random.default_rng(7)
    for at in rng.choice(np.arange(64, len(raw)), size=int(len(raw) * share), replace=False):
        raw[at] ^= 0xFF
    with open(path, "r+b") as f:  # in place: the same inode, as bit rot leaves it
        f.write(bytes(raw))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_bit_rot_with_the_time_kept_is_found_on_open_and_healed(
    data: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    ids, vecs = _stored(data)
    _rot(data.vectors_path)
    with caplog.at_level(logging.WARNING):
        engine = Engine.open(data, encoder=FakeEncoder())
    try:
        assert [r for r in caplog.records if "damaged" in r.getMessage()], caplog.text
        assert np.allclose(engine.vectors.lookup(ids.tolist())[1], vecs)
        answer = engine.answer("Which orchestra performed the symphony?")
        assert "Vienna orchestra" in answer.hits[0].sentence
    finally:
        engine.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING):  # healed on disk: the next open is quiet
        Engine.open(data, encoder=FakeEncoder()).close()
    assert not caplog.records


def test_every_open_reads_the_whole_file_to_check_it(data: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.vectors

    hashed: list[str] = []
    real = index.vectors.file_checksum

    def counting(f):  # type: ignore[no-untyped-def]
        hashed.append(f.name)
        return real(f)

    monkeypatch.setattr(index.vectors, "file_checksum", counting)  # where the load looks it up (index.vector_files)
    Engine.open(data, encoder=FakeEncoder()).close()
    Engine.open(data, encoder=FakeEncoder()).close()
    assert hashed == [str(data.vectors_path)] * 2  # unchanged size and time are no proof the bytes are


@pytest.mark.slow
def test_the_cli_index_finds_bit_rot_instead_of_nothing_to_do(
    settings: Settings, minilm: Encoder, seed_corpus: Path
) -> None:
    _index_seed(settings, minilm, seed_corpus)
    _rot(settings.vectors_path)
    cli = [sys.executable, "-m", "bot.cli"]
    run = subprocess.run([*cli, "index", str(seed_corpus), "--data", str(settings.data_dir)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if "damaged" in line], run.stderr
    assert "Traceback" not in run.stderr
    run = subprocess.run([*cli, "ask", "how far is Derna from Crete", "--data", str(settings.data_dir)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.startswith("1. Crete, Greece's most populous island"), run.stdout
    assert "damaged" not in run.stderr  # healed by the index run


def test_index_on_a_damaged_store_says_so_before_anything_else(
    data: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import index.encoder
    from bot.cli import main

    _overwrite_root_page(data.db_path, "sentences_by_article")  # an index of the sentences only counting reads
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())

    corpus = data.data_dir.parent / "corpus"
    assert main(["index", str(corpus), "--data", str(data.data_dir)]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # not "Nothing to do" first
    assert err.startswith("newsbot: the store at") and "is damaged" in err and len(err.splitlines()) == 1
