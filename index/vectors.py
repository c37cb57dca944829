"""The FAISS vector index behind a narrow interface (index, append, delete, search, save, load), ids being
sentence ids, saved with a manifest that describes it.

Three kinds, chosen by size when the index is saved or rebuilt (never in the middle of a question), and recorded
in the manifest so that a loaded index is searched as it was built:

- ``exact``: IndexIDMap2(IndexFlatIP), brute force; below EXACT_LIMIT sentences it costs at most a few ms.
- ``ivf``: IndexIVFFlat (inner product) over nlist ~ 4 sqrt(n) lists trained on a sample (index.ivf), its ids the
  sentence ids (a hashtable direct map, so add, remove and reconstruct by id work); nprobe is calibrated when it is
  built so that the candidates found agree with exact search (CALIBRATION_RECALL at CALIBRATION_DEPTH). It stores
  full vectors, so its scores are exact cosines. A saved one is loaded memory-mapped (read-only) and copied
  into memory on its first change. It is re-trained when it has grown (or shrunk) REGROW times past the size
  it was trained for.
- ``ivf8``: IndexIVFScalarQuantizer, the same lists (trained the same way, on the same sample) holding 8-bit codes
  of the vectors instead of the vectors: a quarter of the bytes to scan. A search asks the codes for RESCORE times
  the candidates wanted, then re-scores them exactly from the full vectors, which the store keeps and hands over
  through the `exact_vectors` hook (set by whoever opens the index over a store), and returns the best by exact
  cosine; `lookup` and `reconstruct` read the hook too. Without a hook its scores are the codes' approximations.
  Its nprobe is calibrated on the recall after the re-score.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.errors import ConfigError, IndexDamagedError, IndexMismatchError, write_error
from index.ivf import RESCORE, lists_for, trained_ivf
from index.vector_files import (
    file_checksum,
    manifest_path,
    manifest_signature,
    read_manifest,
    saved_generation,
    temp_file,
    write_index,
)

# what callers import from here; the files' helpers live in index.vector_files, the IVF kinds' in index.ivf
__all__ = [
    "EXACT_LIMIT", "IVF8_LIMIT", "IVF_KINDS", "KINDS", "RESCORE", "ExactVectors", "VectorIndex", "kind_for",
    "lists_for", "manifest_path", "manifest_signature", "read_manifest", "saved_generation",
]

log = logging.getLogger(__name__)

# One query at a time: FAISS's OpenMP threads cost more than they give (on a busy 2-core machine, 8 ms against
# 0.4 ms for a flat search over 5,000 sentences).
faiss.omp_set_num_threads(1)

FORMAT_VERSION = 1
METRIC = "inner_product"
# NEWSBOT_VECTOR_INDEX's values; auto: exact below EXACT_LIMIT, ivf up to IVF8_LIMIT, ivf8 from there
KINDS = ("auto", "exact", "ivf", "ivf8")
IVF_KINDS = ("ivf", "ivf8")
# Exact search costs ~0.15 ms per 1,000 sentences and question (one thread): 25,000 sentences ~ 4 ms.
EXACT_LIMIT = 25_000
# IVF-Flat scans a fixed share of the sentences (nprobe/nlist stays ~4 %), so its cost grows with n: 10.4 ms a
# question at a million on a quiet machine (bench/RESULTS.md), so ~2 ms at 200,000 and past 5 ms near 500,000.
# ivf8 scans a quarter of the bytes but adds a store read of the candidates' vectors to every question; below
# 200,000 sentences that buys nothing (IVF-Flat is well inside 5 ms and its lists under 300 MB), above it ivf8
# keeps a million sentences near 4.8 ms (recall 0.991 after the re-score) where IVF-Flat takes 10.4 ms.
IVF8_LIMIT = 200_000
REGROW = 4  # re-train an ivf index once it holds REGROW times more (or fewer) sentences than it was trained on
INDEX_TYPES = {"exact": "IndexIDMap2(IndexFlatIP)", "ivf": "IndexIVFFlat", "ivf8": "IndexIVFScalarQuantizer"}
HOOK_BATCH = 10_000  # ids per exact_vectors call when every vector is wanted (SQLite's limit on parameters)

# Returns the full vectors of the ids it knows (the store's `vectors`); ids it does not know are left out.
ExactVectors = Callable[[Sequence[int]], dict[int, np.ndarray]]


def kind_for(count: int, wanted: str, current: str | None = None) -> str:
    """Return the kind of index (exact, ivf or ivf8) that `count` sentences get under the wanted policy; an auto
    index stays of its kind until it shrinks below half that kind's limit, so a size near a limit does not flip
    each save."""
    if wanted != "auto":
        return wanted
    if count >= IVF8_LIMIT or (current == "ivf8" and count >= IVF8_LIMIT // 2):
        return "ivf8"
    if count >= EXACT_LIMIT or (current in IVF_KINDS and count >= EXACT_LIMIT // 2):
        return "ivf"
    return "exact"


class VectorIndex:
    """Inner-product search over unit vectors (cosine), keyed by sentence id: exact, IVF or IVF over 8-bit codes
    re-scored exactly (see the module)."""

    def __init__(self, dimension: int, model_id: str, kind: str = "auto", *,
                 exact_vectors: ExactVectors | None = None) -> None:
        if kind not in KINDS:
            raise ConfigError(f"NEWSBOT_VECTOR_INDEX must be one of {', '.join(KINDS)}, not {kind!r}")
        self.dimension = dimension
        self.model_id = model_id
        self.wanted = kind  # the policy; self.kind is what the index is
        self.kind = "exact"
        self.nprobe = 0  # ivf kinds only: lists searched per question
        self.trained_for = 0  # ivf kinds only: how many sentences it was trained for
        # ivf8: where the full vectors come from (the store); called from any thread, outside this index's lock
        self.exact_vectors = exact_vectors
        self._index: Any = _exact_index(dimension)  # faiss.IndexIDMap2, IndexIVFFlat or IndexIVFScalarQuantizer
        self._mapped = False  # a loaded ivf index whose lists are still the read-only file mapping
        self._changes = 0  # grows with every write, so that `fit` sees one made while it was building
        self._lock = threading.RLock()
        self.generation = 0  # how many times this index has been saved (read from its manifest)
        self.checksum: str | None = None  # of the bytes last saved or loaded; verified on every load

    @property
    def count(self) -> int:
        """Return how many vectors the index holds."""
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """Return the ids held, as int64."""
        with self._lock:
            if self.kind == "exact":
                return faiss.vector_to_array(self._index.id_map).astype(np.int64)
            return self._contents(vectors=False)[0]

    def index(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the whole content with these vectors, in the kind of index their number calls for."""
        vecs = self._checked(vectors)
        ids = np.asarray(ids, dtype=np.int64)
        with self._lock:
            self._build(ids, vecs, kind_for(len(ids), self.wanted))

    def append(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given ids."""
        if len(ids) == 0:
            return
        vecs = self._checked(vectors)
        with self._lock:
            self._own()
            self._index.add_with_ids(vecs, np.asarray(ids, dtype=np.int64))
            self._changes += 1

    def delete(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove these ids; return how many were removed."""
        if len(ids) == 0:
            return 0
        with self._lock:
            self._own()
            self._changes += 1
            return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Return up to k (id, cosine) pairs, best first, for one query vector."""
        return self.search_many(np.asarray(query).reshape(1, -1), k)[0]

    def search_many(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Return, for each row of `queries`, what `search` returns for it, in one FAISS call."""
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        if self.count == 0 or k <= 0:
            return [[] for _ in range(len(q))]
        with self._lock:
            hook = self.exact_vectors if self.kind == "ivf8" else None
            scores, ids = self._index.search(q, min(k * RESCORE if hook else k, self.count))
        if hook is not None:
            return self._rescored(q, ids, k, hook)
        return [[(int(i), float(s)) for i, s in zip(row_ids, row, strict=True) if i != -1][:k]
                for row_ids, row in zip(ids, scores, strict=True)]

    def _rescored(self, q: np.ndarray, ids: np.ndarray, k: int, hook: ExactVectors) -> list[list[tuple[int, float]]]:
        """Return, for each query, the best k of its candidates by exact cosine with their full vectors (the hook
        asked once for the whole batch); candidates the hook does not know (gone from the store) are left out."""
        known = self._known(hook, sorted(set(ids.ravel().tolist()) - {-1}))
        out: list[list[tuple[int, float]]] = []
        for qv, row in zip(q, ids, strict=True):
            cand = [i for i in dict.fromkeys(row.tolist()) if i in known]
            if not cand:
                out.append([])
                continue
            scores = np.array([known[i] for i in cand]) @ qv
            best = np.argsort(-scores, kind="stable")[:k]
            out.append([(cand[j], float(scores[j])) for j in best])
        return out

    def _known(self, hook: ExactVectors, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """Return the hook's vectors of these ids, those of this index's dimension only (asked HOOK_BATCH ids at
        a time: a batch of questions, or a rebuild, may want more than SQLite takes in one query)."""
        known: dict[int, np.ndarray] = {}
        for start in range(0, len(ids), HOOK_BATCH):
            for i, v in hook(ids[start : start + HOOK_BATCH]).items():
                vec = np.asarray(v, dtype=np.float32)
                if vec.shape == (self.dimension,):
                    known[int(i)] = vec
        return known

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        """Return the stored vectors of these ids (ivf8: the full vectors, through the exact_vectors hook)."""
        if self.kind == "ivf8" and self.exact_vectors is not None:
            _, vecs, missing = self.lookup(ids)
            if missing:
                raise RuntimeError(f"key {missing[0]} not found")
            return vecs
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
        hook = self.exact_vectors if self.kind == "ivf8" else None
        if hook is not None:  # the codes are approximations: the full vectors of the ids held, from the hook
            with self._lock:
                held = [int(i) for i in ids if self._holds(int(i))]
            known = self._known(hook, held)
            for i in ids:
                if int(i) in known:
                    found.append(int(i))
                    rows.append(known[int(i)])
                else:
                    missing.append(int(i))
            return found, np.vstack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32), missing
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

    def _holds(self, sid: int) -> bool:
        """Return whether the index holds this id (hold the lock)."""
        try:
            self._index.reconstruct(sid)
        except RuntimeError:  # FAISS: "key N not found"
            return False
        return True

    def manifest(self) -> dict[str, object]:
        """Return the self-description saved beside the index."""
        described: dict[str, object] = {
            "format_version": FORMAT_VERSION,
            "model": self.model_id,
            "dimension": self.dimension,
            "metric": METRIC,
            "index_type": INDEX_TYPES[self.kind],
            "kind": self.kind,
            "count": self.count,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "generation": self.generation,
            "checksum": self.checksum,
        }
        if self.kind in IVF_KINDS:
            described.update(nlist=int(self._index.nlist), nprobe=self.nprobe, trained_for=self.trained_for)
        return described

    def fit(self) -> bool:
        """Rebuild the index into the kind its size now calls for (exact below EXACT_LIMIT, ivf below IVF8_LIMIT,
        else ivf8; an ivf kind re-trained once it has grown or shrunk REGROW times past what it was trained for);
        return whether it did. `save` calls it, so the kind changes at save time, never in the middle of a
        question: the new index is built beside the one in use, which answers questions meanwhile, and swapped in
        at the end."""
        with self._lock:
            n = self.count
            kind = kind_for(n, self.wanted, self.kind)
            stale = kind in IVF_KINDS and kind == self.kind and not (
                self.trained_for / REGROW <= n <= self.trained_for * REGROW
            )
            if kind == self.kind and not stale:
                return False
            log.info(
                "rebuilding the vector index of %d sentences as %s (it was %s%s)", n, kind, self.kind,
                f" trained for {self.trained_for}" if self.kind in IVF_KINDS else "",
            )
            changes = self._changes
            ids, vecs = self._contents()
        fresh = self._new_index(ids, vecs, kind)
        with self._lock:
            if self._changes != changes:  # written meanwhile (not by newsbot's one writer): build from what it holds
                fresh = self._new_index(*self._contents(), kind)
            self._install(fresh, kind)
        return True

    def save(self, path: Path) -> None:
        """Fit the index to its size (see `fit`), then write it and its manifest (with the index's checksum and
        the next generation), each to a temporary file renamed into place once both are written; raise WriteError
        (DiskFullError when the disk is full) when they cannot be, the index saved before left as it was and no
        temporary file behind."""
        path = Path(path)
        self.fit()
        with self._lock:
            self._own()  # a mapped index's lists name the file they map; write the lists themselves
            before = self.generation, self.checksum
            temps: list[str] = []
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.generation = max(self.generation, saved_generation(path)) + 1
                temps.append(temp_file(path))
                write_index(self._index, temps[0])  # straight to the file: no second copy in memory
                with open(temps[0], "rb") as f:
                    self.checksum = file_checksum(f)
                temps.append(temp_file(manifest_path(path), json.dumps(self.manifest(), indent=2).encode()))
                os.replace(temps[0], path)
                os.replace(temps[1], manifest_path(path))
            except BaseException as e:
                for tmp in temps:
                    Path(tmp).unlink(missing_ok=True)
                self.generation, self.checksum = before
                if isinstance(e, OSError):
                    raise write_error(f"cannot save the vector index {path}", e,
                                      "the index saved before is kept as it was") from None
                raise

    @classmethod
    def load(cls, path: Path, dimension: int, model_id: str, kind: str = "auto", *,
             exact_vectors: ExactVectors | None = None) -> VectorIndex:
        """Return the saved index, of the kind and with the parameters its manifest records (`kind` is the
        policy for its next save); raise IndexMismatchError when it was built for another model or format, and
        IndexDamagedError (a kind of it) when its manifest is missing or unreadable or its bytes fail their
        checksum, which the store's vectors can heal. `exact_vectors`: see the module (ivf8)."""
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
        built = manifest.get("kind", "exact")  # manifests written before there were kinds: exact
        if built not in INDEX_TYPES:
            wrong["kind"] = built
            expected["kind"] = " or ".join(INDEX_TYPES)
        if wrong:
            said = ", ".join(f"{k}={v!r} (expected {expected[k]!r})" for k, v in wrong.items())
            raise IndexMismatchError(
                f"the index at {path} was built with {said}; rebuild it with: newsbot index --rebuild"
            )
        vi = cls(dimension, model_id, kind, exact_vectors=exact_vectors)
        vi.kind = str(built)
        if built in IVF_KINDS:
            try:
                vi.nprobe = int(manifest["nprobe"])
                vi.trained_for = int(manifest["trained_for"])
            except (KeyError, TypeError, ValueError):
                raise IndexDamagedError(f"the index manifest beside {path} lacks the {built} index's nprobe") from None
        sealed = manifest.get("checksum")
        vi._index = _read(path, sealed, dimension, str(built))
        if built in IVF_KINDS:
            vi._index.nprobe = vi.nprobe
            vi._mapped = True
        vi.generation = int(manifest.get("generation") or 0)
        vi.checksum = sealed
        return vi

    # -- inside ----------------------------------------------------------------------------------------

    def _checked(self, vectors: np.ndarray) -> np.ndarray:
        """Return the vectors as contiguous float32 rows; raise ValueError when they are of another dimension."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[1] != self.dimension:
            raise ValueError(f"expected vectors of dimension {self.dimension}, got shape {vecs.shape}")
        return vecs

    def _build(self, ids: np.ndarray, vecs: np.ndarray, kind: str) -> None:
        """Replace the index by a new one of this kind holding these vectors (an ivf kind trained on them)."""
        self._install(self._new_index(ids, vecs, kind), kind)

    def _new_index(self, ids: np.ndarray, vecs: np.ndarray, kind: str) -> Any:
        """Return a new FAISS index of this kind holding these vectors (an ivf kind trained on them, its lists and,
        for ivf8, its codes on the same sample; its nprobe calibrated)."""
        if kind == "exact":
            exact = _exact_index(self.dimension)
            if len(ids):
                exact.add_with_ids(vecs, ids)
            return exact
        return trained_ivf(ids, vecs, kind, self.dimension)

    def _install(self, index: Any, kind: str) -> None:
        """Make this FAISS index of this kind the one searched."""
        with self._lock:
            self._index, self.kind, self._mapped = index, kind, False
            self.nprobe = int(index.nprobe) if kind in IVF_KINDS else 0
            self.trained_for = int(index.ntotal) if kind in IVF_KINDS else 0
            self._changes += 1

    def _contents(self, vectors: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Return the ids held and (when asked) their vectors, in the index's order (ivf8: the full vectors from
        the hook, the codes' approximations of those it does not know)."""
        if self.kind == "exact":
            ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            vecs = self._index.index.reconstruct_n(0, len(ids)) if vectors else np.zeros((0, self.dimension))
            return ids, np.asarray(vecs, dtype=np.float32).reshape(-1, self.dimension)
        lists = self._index.invlists
        id_parts: list[np.ndarray] = []
        vec_parts: list[np.ndarray] = []
        for no in range(self._index.nlist):
            size = lists.list_size(no)
            if not size:
                continue
            id_parts.append(faiss.rev_swig_ptr(lists.get_ids(no), size).copy())
            if vectors:
                codes = faiss.rev_swig_ptr(lists.get_codes(no), size * lists.code_size).copy()
                if self.kind == "ivf8":
                    decoded = self._index.sq.decode(codes.reshape(size, lists.code_size))
                    if self._index.by_residual:
                        decoded += self._index.quantizer.reconstruct(no)
                    vec_parts.append(np.asarray(decoded, dtype=np.float32))
                else:
                    vec_parts.append(codes.view(np.float32).reshape(size, self.dimension))
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64)
        vecs = np.vstack(vec_parts) if vec_parts else np.zeros((0, self.dimension), dtype=np.float32)
        if vectors and self.kind == "ivf8" and self.exact_vectors is not None:
            for start in range(0, len(ids), HOOK_BATCH):  # not all at once: at a million sentences, 1.5 GB twice
                chunk = ids[start : start + HOOK_BATCH].tolist()
                known = self._known(self.exact_vectors, chunk)
                for row, sid in enumerate(chunk, start):
                    if sid in known:
                        vecs[row] = known[sid]
        return ids.astype(np.int64), vecs

    def _own(self) -> None:
        """Copy a memory-mapped (read-only) ivf kind's lists into memory, so that it can change."""
        if not self._mapped:
            return
        mapped = self._index.invlists
        owned = faiss.ArrayInvertedLists(self._index.nlist, mapped.code_size)
        for no in range(self._index.nlist):
            size = mapped.list_size(no)
            if size:
                owned.add_entries(no, size, mapped.get_ids(no), mapped.get_codes(no))
        self._index.replace_invlists(owned, True)
        owned.this.disown()  # type: ignore[attr-defined]  # the index owns it now
        self._mapped = False


def _exact_index(dimension: int) -> faiss.IndexIDMap2:
    """Return an empty exact index whose ids are sentence ids."""
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def _read(path: Path, sealed: object, dimension: int, kind: str) -> faiss.Index:
    """Return the FAISS index saved at `path` (an ivf kind memory-mapped), its bytes checked against the
    manifest's checksum on every load, whatever the file's size and time say (a failing disk keeps both); raise
    IndexDamagedError or IndexMismatchError when it is not one of ours. The check reads the whole file, which an
    ivf index's memory map then finds in the page cache: about 0.3 s at a million sentences (bench/RESULTS.md)."""
    try:
        with open(path, "rb") as f:
            inode = os.fstat(f.fileno()).st_ino
            if sealed is not None and sealed != file_checksum(f):
                raise IndexDamagedError(
                    f"the index at {path} is damaged (its bytes do not match the checksum in its manifest)"
                )
            raw = faiss.read_index(str(path), faiss.IO_FLAG_MMAP if kind in IVF_KINDS else 0)
            if os.stat(path).st_ino != inode:  # replaced between the check and the read
                raise IndexDamagedError(f"the index at {path} changed while it was read")
    except OSError as e:
        raise IndexDamagedError(f"the index at {path} is unreadable ({e})") from None
    except RuntimeError as e:
        raise IndexDamagedError(f"the index at {path} is unreadable ({str(e).strip()})") from None
    if raw.d != dimension:
        raise IndexMismatchError(
            f"the index at {path} has dimension {raw.d}, expected {dimension}; "
            "rebuild it with: newsbot index --rebuild"
        )
    wanted = {"exact": faiss.IndexIDMap2, "ivf": faiss.IndexIVFFlat, "ivf8": faiss.IndexIVFScalarQuantizer}[kind]
    if not isinstance(raw, wanted):
        raise IndexMismatchError(
            f"the index at {path} is a {type(raw).__name__}, not {INDEX_TYPES[kind]}; "
            "rebuild it with: newsbot index --rebuild"
        )
    if kind in IVF_KINDS and raw.metric_type != faiss.METRIC_INNER_PRODUCT:
        raise IndexMismatchError(f"the index at {path} is not an inner-product index; "
                                 "rebuild it with: newsbot index --rebuild")
    return raw
