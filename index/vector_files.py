"""The vector index's files: the manifest beside the FAISS file (read, its generation, a cheap signature of it),
checksums of the bytes, and the temporary files a save writes and renames into place."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import faiss

from index.sharing import temporary_prefix


def file_checksum(f: BinaryIO) -> str:
    """Return the checksum of an open file's bytes from its start, read a chunk at a time."""
    f.seek(0)
    digest = hashlib.sha256()
    while chunk := f.read(1 << 20):
        digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def checksum(data: bytes) -> str:
    """Return the checksum the manifest keeps of a serialized index ("sha256:<hex>")."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def read_manifest(path: Path) -> dict[str, object] | None:
    """Return the manifest saved beside the index at `path`, or None when it is missing or unreadable."""
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def saved_generation(path: Path) -> int:
    """Return the generation of the index saved at `path` (0 when there is none)."""
    manifest = read_manifest(path) or {}
    try:
        return int(manifest.get("generation") or 0)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def manifest_signature(path: Path) -> tuple[int, int, int] | None:
    """Return (inode, size, mtime in ns) of the manifest beside the index at `path`, None when it is missing: a
    cheap way to notice that some process has saved the index since (each save renames a new manifest in)."""
    try:
        st = os.stat(manifest_path(path))
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def manifest_path(path: Path) -> Path:
    """Return where the manifest of the index at `path` lives."""
    return Path(str(path) + ".json")


def temp_file(path: Path, data: bytes = b"") -> str:
    """Return the name of a new temporary file beside `path` holding `data`, written and synced (removed again
    when that fails)."""
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_index(index: Any, tmp: str) -> None:
    """Write a FAISS index into the file `tmp`, synced, through Python's own writes: FAISS's own file writer can
    lose a failed write of its last bytes when it closes the file, leaving a cut index whose checksum matches."""
    with open(tmp, "wb") as f:
        writer = faiss.PyCallbackIOWriter(f.write)  # type: ignore[attr-defined]
        try:
            faiss.write_index(index, writer)
        finally:
            del writer
        f.flush()
        os.fsync(f.fileno())
