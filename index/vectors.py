"""The FAISS vector index behind a narrow interface (index, append, delete, search, save, load), ids being
sentence ids, saved with a manifest that describes it."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexDamagedError, IndexMismatchError

# One query at a time: FAISS's OpenMP threads cost more than they give (on a busy 2-core machine, 8 ms against
# 0.4 ms for a flat search over 5,000 sentences).
faiss.omp_set_num_threads(1)

FORMAT_VERSION = 1
METRIC = "inner_product"


class VectorIndex:
    """Exact inner-product search over unit vectors (cosine), keyed by sentence id (IndexIDMap2)."""

    def __init__(self, dimension: int, model_id: str) -> None:
        self.dimension = dimension
        self.model_id = model_id
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self._lock = threading.RLock()
        self.generation = 0  # how many times this index has been saved (read from its manifest)
        self.checksum: str | None = None  # of the bytes last saved or loaded

    @property
    def count(self) -> int:
        """Return how many vectors the index holds."""
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """Return the ids held, as int64."""
        with self._lock:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def index(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the whole content with these vectors."""
        with self._lock:
            self._index.reset()
            self.append(ids, vectors)

    def append(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given ids."""
        if len(ids) == 0:
            return
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[1] != self.dimension:
            raise ValueError(f"expected vectors of dimension {self.dimension}, got shape {vecs.shape}")
        with self._lock:
            self._index.add_with_ids(vecs, np.asarray(ids, dtype=np.int64))

    def delete(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove these ids; return how many were removed."""
        if len(ids) == 0:
            return 0
        with self._lock:
            return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))  # type: ignore[arg-type]

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Return up to k (id, cosine) pairs, best first, for one query vector."""
        if self.count == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        with self._lock:
            scores, ids = self._index.search(q, min(k, self.count))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Return, for each row of `queries`, what `search` returns for it, in one FAISS call."""
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        if self.count == 0 or k <= 0:
            return [[] for _ in range(len(q))]
        with self._lock:
            scores, ids = self._index.search(q, min(k, self.count))
        return [[(int(i), float(s)) for i, s in zip(row_ids, row, strict=True) if i != -1]
                for row_ids, row in zip(ids, scores, strict=True)]

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        """Return the stored vectors of these ids."""
        with self._lock:
            return (
                np.vstack([self._index.reconstruct(int(i)) for i in ids])
                if ids
                else np.zeros((0, self.dimension), dtype=np.float32)
            )

    def lookup(self, ids: Sequence[int]) -> tuple[list[int], np.ndarray, list[int]]:
        """Return (the ids held, in the order asked, their vectors, the ids not held) instead of raising for
        ids the index does not hold (a sentence indexed by another process since this index was loaded)."""
        found: list[int] = []
        rows: list[np.ndarray] = []
        missing: list[int] = []
        with self._lock:
            for i in ids:
                try:
                    rows.append(np.asarray(self._index.reconstruct(int(i)), dtype=np.float32))
                except RuntimeError:  # FAISS: "key N not found"
                    missing.append(int(i))
                else:
                    found.append(int(i))
        vecs = np.vstack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)
        return found, vecs, missing

    def manifest(self) -> dict[str, object]:
        """Return the self-description saved beside the index."""
        return {
            "format_version": FORMAT_VERSION,
            "model": self.model_id,
            "dimension": self.dimension,
            "metric": METRIC,
            "index_type": "IndexIDMap2(IndexFlatIP)",
            "count": self.count,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "generation": self.generation,
            "checksum": self.checksum,
        }

    def save(self, path: Path) -> None:
        """Write the index, then its manifest (with the index's checksum and the next generation), each to a
        temporary file renamed into place."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            data = faiss.serialize_index(self._index).tobytes()
            self.generation = max(self.generation, saved_generation(path)) + 1
            self.checksum = checksum(data)
            _atomic_write(path, data)
            _atomic_write(manifest_path(path), json.dumps(self.manifest(), indent=2).encode())

    @classmethod
    def load(cls, path: Path, dimension: int, model_id: str) -> VectorIndex:
        """Return the saved index; raise IndexMismatchError when it was built for another model or format, and
        IndexDamagedError (a kind of it) when its manifest is missing or unreadable or its bytes fail their
        checksum, which the store's vectors can heal."""
        path = Path(path)
        try:
            manifest = json.loads(manifest_path(path).read_text())
            if not isinstance(manifest, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            raise IndexDamagedError(f"the index manifest beside {path} is missing or unreadable ({e})") from None
        expected = {
            "format_version": FORMAT_VERSION,
            "model": model_id,
            "dimension": dimension,
            "metric": METRIC,
        }
        wrong = {k: manifest.get(k) for k, v in expected.items() if manifest.get(k) != v}
        if wrong:
            said = ", ".join(f"{k}={v!r} (expected {expected[k]!r})" for k, v in wrong.items())
            raise IndexMismatchError(
                f"the index at {path} was built with {said}; rebuild it with: newsbot index --rebuild"
            )
        try:
            data = path.read_bytes()
        except OSError as e:
            raise IndexDamagedError(f"the index at {path} is unreadable ({e})") from None
        sealed = manifest.get("checksum")
        if sealed is not None and sealed != checksum(data):
            raise IndexDamagedError(
                f"the index at {path} is damaged (its bytes do not match the checksum in its manifest)"
            )
        vi = cls(dimension, model_id)
        vi._index = _deserialize(path, data, dimension)
        vi.generation = int(manifest.get("generation") or 0)
        vi.checksum = sealed
        return vi


def _deserialize(path: Path, data: bytes, dimension: int) -> faiss.IndexIDMap2:
    """Return the FAISS index in `data`; raise IndexDamagedError or IndexMismatchError when it is not one of ours."""
    try:
        raw = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except RuntimeError as e:
        raise IndexDamagedError(f"the index at {path} is unreadable ({str(e).strip()})") from None
    if raw.d != dimension:
        raise IndexMismatchError(
            f"the index at {path} has dimension {raw.d}, expected {dimension}; "
            "rebuild it with: newsbot index --rebuild"
        )
    if not isinstance(raw, faiss.IndexIDMap2):
        raise IndexMismatchError(
            f"the index at {path} is a {type(raw).__name__}, not IndexIDMap2; "
            "rebuild it with: newsbot index --rebuild"
        )
    return raw


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


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
