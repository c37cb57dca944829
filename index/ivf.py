"""The IVF kinds of the vector index (ivf, ivf8): how many lists, trained on a sample, and how many of them a
question searches (nprobe), calibrated so that the candidates agree with exact search."""

from __future__ import annotations

import math

import faiss
import numpy as np

RESCORE = 2  # ivf8: candidates asked of the codes per one returned (2 x 50: recall 0.991 at 1M, bench.ivf_codes)
CALIBRATION_DEPTH = 50  # Settings.candidates: the dense candidates the ranker sees
CALIBRATION_RECALL = 0.98  # on synthetic questions, which are harder than real ones (bench/scale.py)
TRAINING_PER_LIST = 40  # training sample: this many vectors per list (FAISS warns below 39)
TRAINING_ROUNDS = 10  # k-means rounds (FAISS's default, 25, costs 2.5 times as much for little recall)


def lists_for(count: int) -> int:
    """Return the number of IVF lists for `count` sentences: 4 sqrt(n), fewer when too few train them."""
    return max(1, min(int(4 * math.sqrt(max(count, 1))), count // TRAINING_PER_LIST))


def trained_ivf(ids: np.ndarray, vecs: np.ndarray, kind: str, dimension: int) -> faiss.IndexIVF:
    """Return a new IVF index of this kind (ivf: full vectors; ivf8: 8-bit codes) holding these vectors, its lists
    (and ivf8's codes) trained on a sample of them and its nprobe calibrated."""
    n = len(ids)
    nlist = lists_for(n)
    ivf: faiss.IndexIVF
    if kind == "ivf8":
        ivf = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dimension), dimension, nlist,
                                            faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    else:
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist,
                                 faiss.METRIC_INNER_PRODUCT)
    ivf.cp.niter = TRAINING_ROUNDS
    rng = np.random.default_rng(n)
    sample = vecs if n <= TRAINING_PER_LIST * nlist else vecs[
        np.sort(rng.choice(n, TRAINING_PER_LIST * nlist, replace=False))]
    if n:
        ivf.train(sample)
    else:  # nothing to learn lists from: one list around the origin
        ivf.train(np.zeros((1, dimension), dtype=np.float32))
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    ivf.add_with_ids(vecs, ids)
    ivf.nprobe = _calibrated_nprobe(ivf, ids, vecs, rng, rescore=kind == "ivf8")
    return ivf


def _calibrated_nprobe(
    index: faiss.IndexIVF, ids: np.ndarray, vecs: np.ndarray, rng: np.random.Generator, rescore: bool = False
) -> int:
    """Return the fewest lists to search for CALIBRATION_RECALL of the exact CALIBRATION_DEPTH candidates, on
    synthetic questions: two stored sentences mixed, with noise (a question is near, not on, a sentence; on
    MiniLM such questions need a few more lists than real ones for the same recall). `rescore` (ivf8): recall
    after re-scoring RESCORE times the candidates exactly, as a search does, from the vectors being indexed
    (the same the store keeps, and in hand even when the index has no exact_vectors hook yet)."""
    n, nlist = len(vecs), int(index.nlist)
    if n == 0 or nlist == 1:
        return 1
    m = min(100, n)
    pairs = rng.integers(0, n, size=(m, 2))
    q = vecs[pairs[:, 0]] + vecs[pairs[:, 1]]
    q += rng.standard_normal(q.shape).astype(np.float32) / math.sqrt(vecs.shape[1])
    q = np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)
    k = min(CALIBRATION_DEPTH, n)
    _, rows = faiss.knn(q, vecs, k, metric=faiss.METRIC_INNER_PRODUCT)
    exact = ids[rows]
    order = np.argsort(ids)

    def recall(nprobe: int) -> float:
        index.nprobe = nprobe
        if not rescore:
            _, got = index.search(q, k)
        else:
            _, deep = index.search(q, min(RESCORE * k, n))
            pos = order[np.searchsorted(ids, deep, sorter=order).clip(0, n - 1)]
            scores = np.where(deep != -1, np.einsum("qd,qkd->qk", q, vecs[pos]), -np.inf)
            best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            got = np.where(np.take_along_axis(deep, best, axis=1) != -1, ids[np.take_along_axis(pos, best, axis=1)], -1)
        return sum(len(set(g.tolist()) & set(e.tolist())) for g, e in zip(got, exact, strict=True)) / exact.size

    low, high = 0, 1
    while high < nlist and recall(high) < CALIBRATION_RECALL:
        low, high = high, min(2 * high, nlist)
    while high - low > max(1, high // 8):  # to within an eighth
        mid = (low + high) // 2
        if recall(mid) >= CALIBRATION_RECALL:
            high = mid
        else:
            low = mid
    return high

