"""The saved vector index kept in step with the store: opened (and healed from the store's vectors when it is
missing, damaged or of another kind), saved (a full disk is a warning, not an error), and the temporary files
killed processes left beside it."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

import numpy as np

from index.errors import IndexDamagedError, IndexMismatchError, WriteError
from index.indexer import IndexReport, store_vectors, sync_vectors
from index.settings import Settings
from index.sharing import clear_leftovers, leftovers
from index.store import Store
from index.vectors import VectorIndex, manifest_signature, read_manifest

log = logging.getLogger(__name__)

# A vector index that could not be saved (a full disk) is tried again at a question at most this often, and only
# when the data folder has room for its vectors and SAVE_ROOM more.
SAVE_RETRY = 60.0
SAVE_ROOM = 1 << 20


class LiveVectors:
    """The vector index an engine answers from, kept in step with the one saved at `path`: a newer save by
    another process is swapped in whole, and an index that could not be saved (a full disk) is saved later. The
    caller holds `lock` (one writer in this process) around `latest`, `swap_in`, `save_unsaved` and `indexed`."""

    def __init__(self, store: Store, vectors: VectorIndex, path: Path, data_dir: Path,
                 seen: tuple[int, int, int] | None = None, saved: bool = True) -> None:
        self.store = store
        self.vectors = vectors
        self.path = path
        self.data_dir = data_dir
        # the saved index's manifest as last seen; None: not known, look at the next question
        self.seen = seen
        # when a save of self.vectors last failed (a full disk); None: what it holds is saved
        self.unsaved_since: float | None = None if saved else time.monotonic()
        self.lock = threading.Lock()  # held while this process writes the store and the index

    def refresh(self) -> bool:
        """Swap in the vector index another process (`newsbot index`) saved since this one was loaded; return
        whether it did. Costs one stat of the manifest when nothing changed. An index that could not be saved (a
        full disk) is saved here once there is room again, tried at most every SAVE_RETRY seconds."""
        seen = manifest_signature(self.path)
        changed = seen is not None and seen != self.seen
        if not changed and not self.save_due():
            return False
        if not self.lock.acquire(blocking=False):
            return False  # this process is writing (and saves its own index); look again at the next question
        try:
            if changed and seen is not None:
                return self.swap_in(seen)
            self.save_unsaved()
            return False
        finally:
            self.lock.release()

    def latest(self) -> VectorIndex:
        """Return the vector index to write over: the newest saved one, swapped in first when another process
        saved it since (not a stale one)."""
        seen = manifest_signature(self.path)
        if seen is not None and seen != self.seen:
            self.swap_in(seen)
        return self.vectors

    def save_due(self) -> bool:
        """Return whether an index that could not be saved should be tried again now: SAVE_RETRY seconds
        since the last try, and the data folder has room for it (one statvfs)."""
        if self.unsaved_since is None or time.monotonic() - self.unsaved_since < SAVE_RETRY:
            return False
        try:
            free = shutil.disk_usage(self.data_dir).free
        except OSError:
            return False
        return free > self.vectors.count * (self.vectors.dimension * 4 + 16) + SAVE_ROOM

    def save_unsaved(self) -> None:
        """Save the index that could not be saved before; on failure, try again later."""
        if save_vectors(self.vectors, self.path):
            self.unsaved_since = None
            self.seen = manifest_signature(self.path)
            log.warning("saved the vector index at %s: it holds every stored sentence again", self.path)
        else:
            self.unsaved_since = time.monotonic()

    def swap_in(self, seen: tuple[int, int, int]) -> bool:
        """Load the saved index when it is not the one held, check it against the store and replace
        self.vectors in one assignment (answers under way keep the one they started with); return whether it did."""
        path = self.path
        held = self.vectors
        manifest = read_manifest(path)
        if manifest is not None and held.checksum is not None and manifest.get("checksum") == held.checksum:
            self.seen = seen  # this engine's own save
            return False
        try:
            fresh = VectorIndex.load(path, held.dimension, held.model_id, held.wanted,
                                     exact_vectors=held.exact_vectors)
        except IndexDamagedError as e:  # damaged, or read between another process's two renames
            log.warning("%s; rebuilt it in memory from the store's vectors", e.problem)
            fresh = VectorIndex(held.dimension, held.model_id, held.wanted, exact_vectors=held.exact_vectors)
        except IndexMismatchError as e:
            log.warning("%s; keeping the index loaded at start", e)
            self.seen = seen
            return False
        sync_vectors(self.store, fresh)
        self.vectors = fresh
        self.seen = seen
        self.unsaved_since = None  # another process saved the index: what this one failed to save is moot
        log.info("swapped in the vector index saved at %s (%d sentences)", path, fresh.count)
        return True

    def indexed(self, report: IndexReport) -> None:
        """Take note of an indexing run: when its own save failed (a full disk), warn once; the store holds the
        run's articles and the index in memory answers until a save succeeds (a run that saved, the next start,
        or `Engine.refresh`). A run with nothing to write saves an index still unsaved."""
        if report.unsaved is not None:
            log.warning("%s; the articles are stored, and the index in memory answers until it can be saved",
                        report.unsaved)
            self.unsaved_since = time.monotonic()
        elif report.changed:
            self.unsaved_since = None
        elif self.save_due():
            self.save_unsaved()


def data_leftovers(settings: Settings, clear: bool = False) -> list[Path]:
    """Return (or, with clear, remove and return) the temporary files and folders that processes which are gone
    left in the data folder (a FAISS index or manifest being saved, a model export) and beside the model's export
    (NEWSBOT_ONNX_DIR)."""
    found = leftovers if not clear else clear_leftovers
    left = found(settings.data_dir, [settings.vectors_path.name, "*.onnx"])
    if settings.export_dir.resolve() != settings.data_dir.resolve():
        left += found(settings.export_dir, ["*.onnx"])
    return left


def open_vectors(store: Store, path: Path, dimension: int, model_id: str, kind: str = "auto"
                 ) -> tuple[VectorIndex, bool]:
    """Return the vector index saved at `path`, made to hold exactly the store's sentences, and whether it is
    saved: a missing index, a missing manifest or bytes that fail their checksum are rebuilt from the store's
    vectors (with a warning) and saved; an index built for another model or format raises IndexMismatchError. An
    index of another kind than `kind` (NEWSBOT_VECTOR_INDEX) and its size call for is rebuilt as that kind and
    saved. A save that fails (a full disk) is one warning, not an error: the index in memory answers, and
    `save_vectors` saves it later. The index reads full vectors from the store (an ivf8 index re-scores its
    candidates with them)."""
    healed: str | None = None  # why it was rebuilt: said once, with how its save went
    exact = store_vectors(store, dimension)
    if path.exists():
        try:
            vectors = VectorIndex.load(path, dimension, model_id, kind, exact_vectors=exact)
        except IndexDamagedError as e:
            healed = e.problem
            vectors = VectorIndex(dimension, model_id, kind, exact_vectors=exact)
    else:
        vectors = VectorIndex(dimension, model_id, kind, exact_vectors=exact)
    try:
        if sync_vectors(store, vectors):
            healed = healed or "the vector index did not match the store"
        elif vectors.checksum is None and vectors.count and not _holds_stored_vectors(store, vectors):
            healed = f"the vector index at {path} is damaged (its vectors differ from the store's)"
            vectors.index(*store.all_vectors(dimension))
    except ValueError as e:  # a stored vector of another length: the store was filled by another model
        raise IndexMismatchError(
            f"the store's vectors do not fit the model {model_id} (dimension {dimension}: {e}); "
            "rebuild it with: newsbot index --rebuild"
        ) from None
    refit = vectors.fit()
    if not (healed or refit or (vectors.checksum is None and vectors.count)):
        return vectors, True
    # an index saved before manifests carried a checksum gets one
    saved = save_vectors(vectors, path, f"{healed}; rebuilt it from the store's vectors" if healed else None)
    return vectors, saved


def save_vectors(vectors: VectorIndex, path: Path, done: str | None = None) -> bool:
    """Return whether the vector index could be saved at `path`. `done` (what was done to it) is logged as one
    warning, with the failure when there is one: a full disk loses nothing, since the store holds every sentence
    and the index in memory answers until a later save (the next start, or `Engine.refresh`) writes it."""
    try:
        vectors.save(path)
    except WriteError as e:
        log.warning("%s%s; answering from the index in memory until it can be saved", f"{done} in memory, but " if
                    done else "", e)
        return False
    if done:
        log.warning("%s", done)
    return True


def _holds_stored_vectors(store: Store, vectors: VectorIndex) -> bool:
    """Return whether the index's vectors equal the store's (for an index saved without a checksum)."""
    ids, stored = store.all_vectors(vectors.dimension)
    found, held, missing = vectors.lookup(ids.tolist())
    return not missing and bool(np.allclose(held, stored, atol=1e-6))
