"""The engine's exceptions. Each carries a message fit for the person who caused it; the CLI turns one into a
single line and exit code 1, the bot into a polite reply.

    NewsbotError
    ├── ConfigError           a setting is missing or wrong
    ├── ReadError             an article (file, upload, URL, JSONL line) cannot be read
    ├── ModelError            the embedding model cannot be loaded or fails its checksum
    ├── IndexMismatchError    the saved index was built for another model or format: rebuild it
    │   └── IndexDamagedError the saved index's bytes or manifest are damaged (the engine heals it from the store)
    ├── StoreError            the SQLite store is unreadable or of a newer schema
    ├── WriteError            a file of the data folder cannot be written; the message names the cause
    │   └── DiskFullError     ... because the disk (or the quota) is full
    ├── RankerError           the ranker file is missing or does not fit (the engine falls back to fusion)
    ├── ArticleNotFoundError  no stored article, or several, fit the name a person gave
    ├── QuestionError         a question is empty or too long
    └── ClusterError          Ray (`newsbot index --ray`) is not installed, cannot be reached or its workers fail
"""

from __future__ import annotations

import errno


class NewsbotError(Exception):
    """Base of every error newsbot raises on purpose; `str(error)` is a message for a user."""


class ConfigError(NewsbotError):
    """A setting is missing or has a wrong value."""


class ReadError(NewsbotError):
    """An article cannot be read; `name` says which (file, line, URL) and the message says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class ModelError(NewsbotError):
    """The embedding model cannot be loaded or its weights fail their checksum."""


class IndexMismatchError(NewsbotError):
    """The saved vector index does not match the configured model, dimension or format."""


class IndexDamagedError(IndexMismatchError):
    """The saved vector index fails its checksum or has lost its manifest; the store's vectors can rebuild it.
    `problem` says what is wrong, without the advice."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}; rebuild it with: newsbot index --rebuild")
        self.problem = problem


class StoreError(NewsbotError):
    """The SQLite store cannot be opened or has an unknown schema."""


class WriteError(NewsbotError):
    """A file of the data folder cannot be written: `cause` names why (the disk is full, ...), the message also
    says what could not be written and what was kept."""

    def __init__(self, cause: str, what: str, detail: str, kept: str) -> None:
        super().__init__(f"{cause}: {what} ({detail}); {kept}")
        self.cause = cause


class DiskFullError(WriteError):
    """A write failed because the disk (or the user's quota) is full."""


# errno values of a full disk: no space left, and the quota exceeded
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_CAUSES = {errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
           errno.EPERM: "permission denied", errno.EIO: "the disk failed (input/output error)"}


def write_error(what: str, error: OSError, kept: str) -> WriteError:
    """Return the WriteError (a DiskFullError when the disk is full) for an OSError met writing `what`, its
    message naming the cause first."""
    detail = error.strerror or str(error)
    if error.errno in _FULL:
        return DiskFullError("the disk is full", what, detail, kept)
    return WriteError(_CAUSES.get(error.errno or 0, "a write failed"), what, detail, kept)


class RankerError(NewsbotError):
    """The ranker file is missing, unreadable or made for other features."""


class QuestionError(NewsbotError):
    """A question is empty or too long to answer."""


class ArticleNotFoundError(NewsbotError):
    """No stored article fits the name a person gave (a doc_id, title or file name), or several do."""


class ClusterError(NewsbotError):
    """Ray, which `newsbot index --ray` embeds on, is not installed, cannot be started or reached, or a worker
    failed; nothing was written for the sentences it did not embed."""
