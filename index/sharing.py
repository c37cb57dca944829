"""How processes share one data folder: the index lock that lets one writer index at a time, and the temporary
files and folders a writer makes beside the real ones, named after the process that made them, so that what a
killed process left behind is recognised and removed by the next run (and by `newsbot reset`) while a live
process's are kept.

The lock is `fcntl.flock` on a file in the data folder: the operating system releases it when its process ends,
however it ends, so a `kill -9` never leaves a stale lock. Readers (answering) never take it."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = "newsbot.index.lock"  # in the data folder; never deleted (a new file would not be the one locked)
# A temporary name without an owner (made before names carried one) older than this was left by a dead process.
LEGACY_STALE_SECONDS = 3600
_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32]
# name.<what>.pid<pid>@<host>-<random>.tmp; the random part is tempfile's (letters, digits, underscore)
_OWNED = re.compile(r"\.pid(\d+)@([A-Za-z0-9]*)-\w*\.tmp$")


def temporary_prefix(path: Path, what: str = "") -> str:
    """Return the name prefix for `tempfile.mkstemp` or `mkdtemp` of a temporary beside `path` (`what` says what it
    is, e.g. "export"), carrying this process's id and host; pass suffix=".tmp"."""
    return f"{path.name}.{what + '.' if what else ''}pid{os.getpid()}@{_HOST}-"


def temporary_path(path: Path) -> Path:
    """Return a temporary file's path beside `path`, owned by this process and thread."""
    return path.with_name(f"{temporary_prefix(path)}{threading.get_ident()}.tmp")


def _alive(pid: int) -> bool:
    """Return whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process
        return True
    return True


def _stale(path: Path) -> bool:
    """Return whether a temporary file or folder was left by a process that is gone."""
    owned = _OWNED.search(path.name)
    if owned is not None and owned.group(2) == _HOST:
        return not _alive(int(owned.group(1)))
    try:  # made on another machine sharing the folder, or before names carried their owner: by its age
        return time.time() - path.lstat().st_mtime > LEGACY_STALE_SECONDS
    except OSError:
        return False


def leftovers(folder: Path, names: Sequence[str]) -> list[Path]:
    """Return the temporary files and folders beside the named files in `folder` (glob patterns allowed, e.g.
    "*.onnx") whose process is gone, sorted."""
    if not folder.is_dir():
        return []
    found = {p for name in names for p in folder.glob(f"{name}.*.tmp")}
    return sorted(p for p in found if _stale(p))


def clear_leftovers(folder: Path, names: Sequence[str]) -> list[Path]:
    """Remove what `leftovers` finds (a folder with all it holds); return what was removed. One that cannot be
    removed (a read-only folder) is left, never an error: it is only space."""
    gone: list[Path] = []
    for p in leftovers(folder, names):
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
        except OSError as e:
            log.info("could not remove %s, left by a killed process: %s", p, e)
            continue
        gone.append(p)
    if gone:
        log.info("removed %d leftovers of killed processes in %s", len(gone), folder)
    return gone


@dataclass
class _Holding:
    """This process's hold on one lock file: the thread lock that serialises its threads, the locked file's
    descriptor while held, and how deeply the holding thread has taken it."""

    threads: threading.RLock
    fd: int | None = None
    depth: int = 0


_holdings: dict[str, _Holding] = {}
_holdings_lock = threading.Lock()


@contextmanager
def index_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's index lock while the block runs: one writer at a time across processes (a second
    waits, saying so in one warning) and threads; a thread already holding it takes it again at once."""
    path = os.path.abspath(data_dir / LOCK_NAME)
    with _holdings_lock:
        holding = _holdings.setdefault(path, _Holding(threading.RLock()))
    with holding.threads:
        if holding.depth == 0:
            holding.fd = _locked(Path(path), data_dir)
        holding.depth += 1
        try:
            yield
        finally:
            holding.depth -= 1
            if holding.depth == 0 and holding.fd is not None:
                os.close(holding.fd)  # releases the flock
                holding.fd = None


def _locked(path: Path, data_dir: Path) -> int:
    """Return a descriptor of the lock file holding an exclusive flock, waiting for another process's."""
    try:
        import fcntl
    except ImportError:  # not POSIX: threads are still serialised
        return os.open(os.devnull, os.O_RDONLY)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another newsbot process is indexing into %s; waiting for it to finish", data_dir)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for a person looking
    except BaseException:
        os.close(fd)
        raise
    return fd
