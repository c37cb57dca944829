"""The store's SQLite file, shared by the store's parts (index.store, index.lexical, index.feedback): opened (read-only
on a disk too full for WAL), one transaction at a time behind one lock, and a damaged file or a full disk raised as
newsbot's errors (StoreError, DiskFullError)."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from index.dates import published_timestamp
from index.errors import DiskFullError, NewsbotError, StoreError
from index.identity import speaker_key

log = logging.getLogger(__name__)


def now_iso() -> str:
    """Return the current UTC time as an ISO-8601 string with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Connected:
    """The SQLite file behind one connection; safe to share between threads (one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.read_only = False  # True on a disk too full to open the store for writing (see _read_only)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, factory=DamageAwareConnection
            )
            self._db.store_path = self.path
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as e:
            if not _no_room(self.path):
                raise StoreError(f"cannot open the store {self.path}: {e}") from None
            # WAL's shared memory file cannot be made (SQLite says "disk I/O error"): read the file as it is
            self._db = self._read_only(e)
        self._db.create_function("newsbot_published_ts", 1, published_timestamp, deterministic=True)
        self._db.create_function("newsbot_speaker_key", 2, speaker_key, deterministic=True)
        self._lock = threading.RLock()

    def _read_only(self, error: sqlite3.DatabaseError) -> DamageAwareConnection:
        """Return a read-only connection to the store on a disk too full for WAL's shared memory file, with one
        warning, so that questions are still answered; raise DiskFullError when the file cannot be read so (a
        write-ahead log still holds what the file lacks)."""
        full = DiskFullError("the disk is full", f"cannot open the store {self.path}", str(error),
                             "nothing was changed; free some room")
        wal = Path(f"{self.path}-wal")
        if not self.path.exists() or (wal.exists() and wal.stat().st_size > 0):
            raise full from None
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True, check_same_thread=False,
                                 isolation_level=None, factory=DamageAwareConnection)
            assert isinstance(db, DamageAwareConnection)
            db.store_path = self.path
            db.execute("PRAGMA query_only=ON")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError:
            raise full from None
        log.warning("the disk is full: the store %s is open read-only; questions are answered, nothing can be "
                    "added or remembered until there is room", self.path)
        self.read_only = True
        return db

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Yield the connection inside one transaction: all of it is written, or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._roll_back()
                raise

    def _roll_back(self) -> None:
        """Roll back the open transaction unless SQLite already has: on a full disk or an I/O error it may roll
        back by itself, and a second ROLLBACK's "no transaction is active" must not hide the error that did it."""
        if not self._db.in_transaction:
            return
        with suppress(sqlite3.Error, NewsbotError):  # the error being raised is the one to report
            self._db.execute("ROLLBACK")


# SQLite's primary result codes for a damaged file: SQLITE_CORRUPT ("database disk image is malformed", also FTS5's
# "corrupt structure") and SQLITE_NOTADB ("file is not a database").
_DAMAGE_CODES = frozenset({11, 26})
_FULL_CODE = 13  # SQLITE_FULL: "database or disk is full"
_READONLY_CODE = 8  # SQLITE_READONLY: a write to the store opened read-only on a full disk


NO_ROOM = 64 << 10  # free bytes below which a store that cannot be opened is blamed on a full disk


def _no_room(path: Path) -> bool:
    """Return whether the folder of `path` has less than NO_ROOM bytes free (False when that cannot be known)."""
    try:
        return shutil.disk_usage(path.parent).free < NO_ROOM
    except OSError:
        return False


def _translated(path: Path | None, error: sqlite3.DatabaseError) -> Exception:
    """Return a StoreError that says what to do when `error` means the file is damaged, a DiskFullError when the
    disk is full (the statement, or its transaction, then changed nothing), else `error` itself."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF == _FULL_CODE or (code & 0xFF == _READONLY_CODE and path is not None
                                                            and _no_room(path))):
        return DiskFullError("the disk is full", f"cannot write the store {path}", str(error), "nothing was changed")
    if code is None or (code & 0xFF) not in _DAMAGE_CODES:
        return error
    return StoreError(
        f"the store at {path} is damaged ({error}); move it away and re-index, or restore it from a backup"
    )


class DamageAwareCursor(sqlite3.Cursor):
    """A cursor whose reads and writes raise StoreError, with advice, when the file turns out to be damaged."""

    def _damaged(self, error: sqlite3.DatabaseError) -> Exception:
        return _translated(getattr(self.connection, "store_path", None), error)

    def execute(self, sql: str, parameters: object = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        """Run one statement; raise StoreError when the file is damaged."""
        try:
            return super().execute(sql, parameters)  # type: ignore[arg-type]
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        """Run a script; raise StoreError when the file is damaged."""
        try:
            return super().executescript(sql_script)
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def fetchone(self) -> object:
        """Return the next row; raise StoreError when the file is damaged."""
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def fetchall(self) -> list[object]:
        """Return the remaining rows; raise StoreError when the file is damaged."""
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def __next__(self) -> object:
        """Return the next row; raise StoreError when the file is damaged."""
        try:
            return super().__next__()
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None


class DamageAwareConnection(sqlite3.Connection):
    """The store's connection: every statement runs on a DamageAwareCursor."""

    store_path: Path | None = None

    def cursor(self, factory: object = DamageAwareCursor) -> sqlite3.Cursor:  # type: ignore[override]
        """Return a cursor that reports a damaged file as a StoreError."""
        return super().cursor(factory)  # type: ignore[call-overload, no-any-return]

    def execute(self, sql: str, parameters: object = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        """Run one statement on a new damage-aware cursor."""
        return self.cursor().execute(sql, parameters)  # type: ignore[arg-type]

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        """Run a script on a new damage-aware cursor."""
        return self.cursor().executescript(sql_script)

