"""Processes sharing one data folder: a second `newsbot index` waits for the first (a lock file, released when its
process dies) and embeds nothing the first embedded; what a killed process left behind (a FAISS save's or a
manifest's temporary file, a half-made ONNX export folder) is removed by the next run and by `newsbot reset`,
while a live process's is kept. Real processes, real files in tmp_path; the model is the fake encoder, put in by a
driver script as in tests/test_crash.py."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FakeEncoder

import index.encoder
from bot.cli import main
from index.engine import Engine
from index.settings import Settings
from index.sharing import temporary_prefix

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# The CLI with the fake encoder. With NEWSBOT_TEST_HOLD set, its first embedding call makes the file named there
# and then waits until a file of that name + ".go" exists: the run is stopped inside its work, holding the lock.
DRIVER = f"""
import os, sys, time
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
from conftest import FakeEncoder

class Held(FakeEncoder):
    def encode(self, texts, kind, progress=False):
        hold = os.environ.get("NEWSBOT_TEST_HOLD")
        if hold and not Path(hold).exists():
            Path(hold).touch()
            while not Path(hold + ".go").exists():
                time.sleep(0.02)
        return super().encode(texts, kind, progress)

import index.encoder
index.encoder.MiniLMEncoder = lambda **_: Held()
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""
DEADLINE = 120  # seconds: a liveness bound for waiting on another process, never a speed assertion


def _newsbot(args: list[str], hold: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSBOT_PROGRESS": "0", "PYTHONPATH": str(ROOT)}
    env.pop("NEWSBOT_TEST_HOLD", None)
    if hold is not None:
        env["NEWSBOT_TEST_HOLD"] = str(hold)
    return subprocess.Popen([sys.executable, "-c", DRIVER, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Return once `path` exists; fail if the process ended first."""
    import time

    start = time.monotonic()
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the first run ended before it embedded: {process.communicate()}")
        if time.monotonic() - start > DEADLINE:
            pytest.fail("the first run never started embedding")
        time.sleep(0.02)


def test_a_second_index_run_waits_for_the_first_and_embeds_nothing_again(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        (corpus / f"town{i}.txt").write_text(f"The harbour of Town{i} reopened on day {i}, the mayor said.\n")
    data = ["--data", str(tmp_path / "data")]
    hold = tmp_path / "first-is-embedding"
    first = _newsbot(["index", str(corpus), *data], hold=hold)
    second = None
    try:
        _wait_for(hold, first)  # the first run holds the lock, stopped inside its first batch
        second = _newsbot(["index", str(corpus), *data])
        assert second.stderr is not None
        said = second.stderr.readline()  # blocks until the second run says something or ends
        assert "another newsbot process is indexing into" in said and "waiting" in said, said
        assert second.poll() is None  # still waiting
        (tmp_path / "first-is-embedding.go").touch()
        out1, err1 = first.communicate(timeout=DEADLINE)
        out2, err2 = second.communicate(timeout=DEADLINE)
    finally:
        (tmp_path / "first-is-embedding.go").touch()
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "Indexed 6 new" in out1
    assert out2.startswith("Nothing to do: 6 articles unchanged"), out2


def test_a_run_that_holds_the_lock_and_is_killed_leaves_no_stale_lock(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "town.txt").write_text("The harbour of Town reopened, the mayor said.\n")
    data = ["--data", str(tmp_path / "data")]
    hold = tmp_path / "first-is-embedding"
    first = _newsbot(["index", str(corpus), *data], hold=hold)
    try:
        _wait_for(hold, first)
    finally:
        first.kill()  # SIGKILL while holding the lock
        first.wait()
    second = _newsbot(["index", str(corpus), *data])
    out, err = second.communicate(timeout=DEADLINE)
    assert second.returncode == 0, err
    assert "waiting" not in err and "Indexed 1 new" in out


def test_a_thread_holding_the_lock_may_index_again_without_deadlock(settings: Settings, tmp_path: Path) -> None:
    from index.sharing import index_lock

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "town.txt").write_text("The harbour of Town reopened, the mayor said.\n")
    with index_lock(settings.data_dir), Engine.open(settings, encoder=FakeEncoder()) as engine:
        assert engine.index_paths([corpus]).articles_added == 1


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


LEFT_BEHIND = """
import os, sys, tempfile
from pathlib import Path
from index.sharing import temporary_path, temporary_prefix
data = Path(sys.argv[1])
vectors, onnx = data / "sentences.faiss", data / "all-MiniLM-L6-v2.onnx"
tempfile.mkstemp(prefix=temporary_prefix(vectors), suffix=".tmp", dir=data)  # a FAISS save under way
tempfile.mkstemp(prefix=temporary_prefix(Path(str(vectors) + ".json")), suffix=".tmp", dir=data)  # its manifest
work = Path(tempfile.mkdtemp(prefix=temporary_prefix(onnx, "export"), suffix=".tmp", dir=data))  # an export
(work / "fp32.onnx").write_bytes(b"x" * 1000)
temporary_path(Path(str(onnx) + ".json")).write_text("{}")
os._exit(0)  # as a killed process: nothing cleaned up
"""


def _leave_behind(data: Path) -> list[Path]:
    """Return what a process that died while saving and exporting left in `data` (made by newsbot's own naming)."""
    before = set(data.iterdir())
    done = subprocess.run([sys.executable, "-c", LEFT_BEHIND, str(data)], cwd=ROOT, env={
        **os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    left = sorted(set(data.iterdir()) - before)
    assert len(left) == 4
    return left


def test_leftovers_of_a_dead_process_go_at_the_next_run_and_a_live_ones_stay(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = settings.data_dir
    data.mkdir(parents=True)
    dead = _leave_behind(data)
    fd, live_file = tempfile.mkstemp(prefix=temporary_prefix(settings.vectors_path), suffix=".tmp", dir=data)
    os.close(fd)
    live_export = Path(tempfile.mkdtemp(prefix=temporary_prefix(data / "m.onnx", "export"), suffix=".tmp", dir=data))
    old = data / "sentences.faiss.ab12cd34.tmp"  # named before names carried their process: by its age
    old.write_bytes(b"x")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    recent = data / "sentences.faiss.ef56gh78.tmp"
    recent.write_bytes(b"x")
    unrelated = data / "notes.tmp"
    unrelated.write_text("mine")

    Engine.open(settings, encoder=FakeEncoder()).close()
    assert not any(p.exists() for p in [*dead, old])
    assert all(p.exists() for p in [Path(live_file), live_export, recent, unrelated])

    dead = _leave_behind(data)  # and `newsbot reset` removes them too
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    assert main(["reset", "--yes", "--data", str(data)]) == 0
    assert "Deleted" in capsys.readouterr().out
    assert not any(p.exists() for p in dead)
    assert all(p.exists() for p in [Path(live_file), live_export, recent, unrelated])


def test_leftovers_of_another_process_that_lives_are_kept(settings: Settings) -> None:
    data = settings.data_dir
    data.mkdir(parents=True)
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        host = temporary_prefix(data).split("@", 1)[1]
        theirs = data / f"sentences.faiss.pid{alive.pid}@{host}abc.tmp"
        theirs.write_bytes(b"x")
        gone = data / f"sentences.faiss.pid{_dead_pid()}@{host}abc.tmp"
        gone.write_bytes(b"x")
        Engine.open(settings, encoder=FakeEncoder()).close()
        assert theirs.exists() and not gone.exists()
    finally:
        alive.kill()
        alive.wait()
