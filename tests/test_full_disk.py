"""A full disk, for real: the data folder on a small tmpfs filled by a filler file. Opening an index whose FAISS
file lacks stored sentences answers from the index rebuilt in memory with one warning, and saves it once there is
room; indexing on the full disk fails with "the disk is full" and loses nothing; no temporary file is left."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import index.engine
import index.vector_sync
from index.engine import Engine
from index.settings import Settings
from index.store import Store
from index.vectors import VectorIndex, manifest_path, read_manifest
from tests.conftest import ROOT, FakeEncoder

DISK = 2 << 20  # the tmpfs: room for the store and the index of a few hundred sentences, a few times over
ROOM = 96 << 10  # left free by a nearly full disk: the store opens (its -shm takes 32 KB), the index does not fit
QUESTION = "Which orchestra performed the symphony by Clara Weiss?"

# `newsbot` itself, with the fast fake encoder in place of the model (which is not the point here).
CLI_WITH_FAKE_ENCODER = """
import sys
import index.encoder, index.engine
from tests.conftest import FakeEncoder
fake = FakeEncoder()
index.encoder.build_encoder = index.engine.build_encoder = lambda settings: fake
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _article(topic: str, sentences: int) -> str:
    """Return an article of this many distinct sentences about a topic."""
    return " ".join(f"Report {i} on the {topic} counted {i * 7} items in district {i % 13}." for i in range(sentences))


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """Return the mount point of a DISK-byte tmpfs, unmounted after the test; skip where mounting is refused."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (a real full disk) needs root")
    point = tmp_path / "disk"
    point.mkdir()
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK // 1024}k", "tmpfs", str(point)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {run.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk with a filler file, leaving about `leave` bytes free; return the filler."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def _temp_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.data_dir.iterdir() if p.name.endswith(".tmp"))


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSBOT_RANKER": "off", "NEWSBOT_PROGRESS": "off"}
    return subprocess.run([sys.executable, "-c", CLI_WITH_FAKE_ENCODER, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


@pytest.fixture
def lagging(disk: Path, tmp_path: Path) -> tuple[Settings, bytes]:
    """Return settings over a data folder on the disk whose store holds the concert article but whose FAISS file
    (as a crash between the store's commit and the index's save leaves it) does not, and that file's bytes."""
    settings = Settings(data_dir=disk / "data", progress=False, ranker="fusion")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "floods.txt").write_text(_article("floods in Derna", 300))
    (second / "concert.txt").write_text(
        "The Vienna orchestra performed a new symphony by the composer Clara Weiss on Sunday. "
        + _article("concert season", 200)
    )
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([first])
    index_file, manifest = settings.vectors_path, manifest_path(settings.vectors_path)
    saved = index_file.read_bytes(), manifest.read_bytes()
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([second])
    index_file.write_bytes(saved[0])  # the index as it was before the concert article was stored
    manifest.write_bytes(saved[1])
    return settings, saved[0]


def test_a_nearly_full_disk_answers_from_memory_with_one_warning_then_saves_when_there_is_room(
    lagging: tuple[Settings, bytes], disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, before = lagging
    filler = _fill(disk, leave=ROOM)

    with caplog.at_level(logging.WARNING), Engine.open(settings, encoder=FakeEncoder()) as engine:
        answer = engine.answer(QUESTION)
    assert "Vienna orchestra" in answer.hits[0].sentence
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "the disk is full" in warnings[0] and "did not match the store" in warnings[0], warnings
    assert settings.vectors_path.read_bytes() == before  # the index saved before is kept as it was
    assert _temp_files(settings) == []

    filler.unlink()  # room again: the next open saves the index, quietly
    caplog.clear()
    with caplog.at_level(logging.WARNING), Engine.open(settings, encoder=FakeEncoder()) as engine:
        stored = engine.library.summary(0).sentences
        assert "Vienna orchestra" in engine.answer(QUESTION).hits[0].sentence
    assert [r for r in caplog.records if "disk is full" in r.getMessage()] == []
    assert (read_manifest(settings.vectors_path) or {})["count"] == stored
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Engine.open(settings, encoder=FakeEncoder()).close()
    assert not caplog.records  # saved: nothing left to heal
    assert _temp_files(settings) == []


def test_ask_on_a_nearly_full_disk_answers_with_one_warning_line(lagging: tuple[Settings, bytes], disk: Path) -> None:
    settings, before = lagging
    _fill(disk, leave=ROOM)
    run = _run_cli("ask", QUESTION, "--data", str(settings.data_dir))
    assert run.returncode == 0, run.stderr
    assert "Vienna orchestra" in run.stdout.splitlines()[0]
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("WARNING") and "the disk is full" in lines[0], run.stderr
    assert settings.vectors_path.read_bytes() == before
    assert _temp_files(settings) == []


def test_a_serving_engine_saves_its_index_once_there_is_room(
    lagging: tuple[Settings, bytes], disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = lagging
    filler = _fill(disk, leave=ROOM)
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.answer(QUESTION)  # tried again at each question only every SAVE_RETRY seconds: not yet
        assert settings.vectors_path.stat().st_size < engine.vectors.count * 256
        filler.unlink()
        monkeypatch.setattr(index.vector_sync, "SAVE_RETRY", 0.0)
        assert "Vienna orchestra" in engine.answer(QUESTION).hits[0].sentence  # saved before this answer
        count = engine.vectors.count
    assert (read_manifest(settings.vectors_path) or {})["count"] == count == Store(settings.db_path).counts()[1]
    assert _temp_files(settings) == []


def test_indexing_on_a_full_disk_says_so_and_keeps_what_was_stored(disk: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=disk / "data", progress=False, ranker="fusion")
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "concert.txt").write_text(
        "The Vienna orchestra performed a new symphony by the composer Clara Weiss on Sunday. "
        + _article("concert season", 50)
    )
    (new / "floods.txt").write_text(_article("floods in Derna", 1500))
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([old])
        held = engine.library.summary(0)
    filler = _fill(disk, leave=ROOM)

    run = _run_cli("index", str(new), "--data", str(settings.data_dir))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the disk is full" in run.stderr and "nothing was changed" in run.stderr, run.stderr
    assert "cannot rollback" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert _temp_files(settings) == []

    filler.unlink()
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        assert engine.library.summary(0) == held
        assert "Vienna orchestra" in engine.answer(QUESTION).hits[0].sentence


def test_a_save_that_does_not_fit_leaves_the_saved_index_and_no_temporary_file(disk: Path) -> None:
    from index.errors import DiskFullError  # imported here: the module is collected on code without it too

    path = disk / "v.faiss"
    small = VectorIndex(64, "m")
    small.append([1], FakeEncoder().encode(["one"], "document"))
    small.save(path)
    saved = path.read_bytes(), manifest_path(path).read_bytes()
    big = VectorIndex(64, "m")
    big.append(list(range(8000)), FakeEncoder().encode([f"sentence {i}" for i in range(8000)], "document"))
    with pytest.raises(DiskFullError, match=r"^the disk is full: cannot save the vector index .*kept as it was"):
        big.save(path)
    assert (path.read_bytes(), manifest_path(path).read_bytes()) == saved
    assert sorted(p.name for p in disk.iterdir()) == ["v.faiss", "v.faiss.json"]
    assert big.generation == 0 and big.checksum is None


def test_a_transaction_sqlite_already_rolled_back_raises_its_own_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    try:
        with pytest.raises(ValueError, match="the real cause"), store.transaction() as db:
            db.execute("ROLLBACK")  # as SQLite does by itself on a full disk or an I/O error
            raise ValueError("the real cause")
        with store.transaction() as db:  # and the store goes on working
            db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert store.meta("k") == "v"
    finally:
        store.close()


def test_a_store_that_cannot_open_on_a_full_disk_says_the_disk_is_full(disk: Path) -> None:
    from index.errors import DiskFullError

    Store(disk / "s.sqlite3").close()
    Path(f"{disk / 's.sqlite3'}-wal").write_bytes(b"\0" * 4096)  # a log the file lacks: it cannot be read alone
    _fill(disk)
    with pytest.raises(DiskFullError, match=r"^the disk is full: cannot open the store"):
        Store(disk / "s.sqlite3")


def test_ask_on_a_completely_full_disk_answers_from_the_store_read_only(
    lagging: tuple[Settings, bytes], disk: Path
) -> None:
    settings, before = lagging
    filler = _fill(disk)  # not a byte left: not even WAL's shared memory file can be made
    run = _run_cli("ask", QUESTION, "--data", str(settings.data_dir))
    assert run.returncode == 0, run.stderr
    assert "Vienna orchestra" in run.stdout.splitlines()[0]
    lines = run.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("WARNING") and "the disk is full" in line for line in lines), lines
    assert "read-only" in lines[0] and "Traceback" not in run.stderr
    assert settings.vectors_path.read_bytes() == before and _temp_files(settings) == []

    from index.errors import DiskFullError

    store = Store(settings.db_path)  # a write on it says why it cannot be made
    try:
        assert store.read_only
        with pytest.raises(DiskFullError, match="^the disk is full"), store.transaction() as db:
            db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    finally:
        store.close()
    filler.unlink()
    with Engine.open(settings, encoder=FakeEncoder()) as engine:  # room again: writable, and the index saved
        assert not engine.store.read_only
        assert "Vienna orchestra" in engine.answer(QUESTION).hits[0].sentence
    assert (read_manifest(settings.vectors_path) or {})["count"] == Store(settings.db_path).counts()[1]
