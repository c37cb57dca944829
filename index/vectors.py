"""The FAISS vector index behind a narrow interface (index, append, delete, search, save, load), ids being
sentence ids, saved with a manifest that describes it."""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexMismatchError

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

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        """Return the stored vectors of these ids."""
        with self._lock:
            return (
                np.vstack([self._index.reconstruct(int(i)) for i in ids])
                if ids
                else np.zeros((0, self.dimension), dtype=np.float32)
            )

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
        }

    def save(self, path: Path) -> None:
        """Write the index and its manifest, each to a temporary file renamed into place."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            _atomic_write(path, faiss.serialize_index(self._index).tobytes())
            _atomic_write(manifest_path(path), json.dumps(self.manifest(), indent=2).encode())

    @classmethod
    def load(cls, path: Path, dimension: int, model_id: str) -> VectorIndex:
        """Return the saved index; raise IndexMismatchError when it was built for another model or format."""
        path = Path(path)
        try:
            manifest = json.loads(manifest_path(path).read_text())
        except (OSError, ValueError) as e:
            raise IndexMismatchError(
                f"the index manifest beside {path} is unreadable ({e}); rebuild with: newsbot index --rebuild"
            ) from None
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
            raw = faiss.deserialize_index(np.frombuffer(path.read_bytes(), dtype=np.uint8))
        except (OSError, RuntimeError) as e:
            raise IndexMismatchError(
                f"the index at {path} is unreadable ({e}); rebuild it with: newsbot index --rebuild"
            ) from None
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
        vi = cls(dimension, model_id)
        vi._index = raw
        return vi


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
