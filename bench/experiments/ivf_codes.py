"""`python -m bench.experiments.ivf_codes`: at a million sentences, what an IVF index's lists cost to search when they
hold full vectors (IVF-Flat, what newsbot ships), fp16 codes or 8-bit codes, at each nprobe: recall of the 50 dense
candidates against exact search on real MiniLM question vectors, and the median time of one question's search on one
thread. For the codes, also the recall after re-scoring the best 100 exactly (from full vectors, as the store keeps
them).

The sentences are bench/scale.py's synthetic ones (each a real sentence vector mixed with another and a little
noise); the lists are trained once (spherical k-means, 40 vectors a list, 10 rounds, as newsbot trains) and shared
by the three kinds, so they differ only in what the lists hold. A measurement, not a product path: newsbot's index
is IVF-Flat (index/vectors.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import faiss
import numpy as np

from bench.scale import DEFAULT_QUESTIONS, DEFAULT_SENTENCES, real_vectors, synthetic_sentences

DEPTH = 50
CODES = {"flat": None, "fp16": faiss.ScalarQuantizer.QT_fp16, "sq8": faiss.ScalarQuantizer.QT_8bit}


def main(argv: list[str] | None = None) -> None:
    """Build the three kinds over one set of lists and print a Markdown table."""
    p = argparse.ArgumentParser(prog="python -m bench.experiments.ivf_codes", description=__doc__)
    p.add_argument("--sentences", type=Path, default=DEFAULT_SENTENCES, help=".npy of real sentence vectors")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help=".npy of real question vectors")
    p.add_argument("-n", type=int, default=1_000_000, help="synthetic sentences (default 1,000,000)")
    p.add_argument("--nlist", type=int, default=4000, help="lists (default 4,000: newsbot's 4 sqrt(n) at 1M)")
    p.add_argument("--nprobes", default="40,80,120,160,240", help="lists searched, comma-separated")
    a = p.parse_args(argv)
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(7)
    base, qs, source = real_vectors(a.sentences, a.questions, rng)
    X = synthetic_sentences(base, a.n, rng)
    d = X.shape[1]
    exact = faiss.IndexFlatIP(d)
    exact.add(X)
    _, truth = exact.search(qs, DEPTH)
    del exact
    train = X[rng.choice(a.n, 40 * a.nlist, replace=False)]
    kmeans = faiss.Kmeans(d, a.nlist, niter=10, spherical=True, seed=1)
    kmeans.train(train)

    def recall(ids: np.ndarray) -> float:
        return float(np.mean([len(set(r) & set(t)) / DEPTH for r, t in zip(ids, truth, strict=True)]))

    print(f"IVF list contents at {a.n:,} synthetic sentences ({source}), {a.nlist} lists, {len(qs)} questions, "
          "one thread\n")
    print("| lists hold | nprobe | recall@50 | search p50 (ms) | recall@50 after re-scoring the best 100 exactly |")
    print("|---|---:|---:|---:|---:|")
    for kind, code in CODES.items():
        quantizer = faiss.IndexFlatIP(d)
        quantizer.add(kmeans.centroids)
        if code is None:
            index = faiss.IndexIVFFlat(quantizer, d, a.nlist, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFScalarQuantizer(quantizer, d, a.nlist, code, faiss.METRIC_INNER_PRODUCT)
            index.train(train)  # the codes' ranges; the lists stay the shared ones
        index.is_trained = True
        index.add(X)
        for nprobe in (int(x) for x in a.nprobes.split(",")):
            index.nprobe = nprobe
            _, ids = index.search(qs, DEPTH)
            times = []
            for _ in range(3):
                for q in qs:
                    t = time.perf_counter()
                    index.search(q[None], DEPTH)
                    times.append(time.perf_counter() - t)
            rescored = "-"
            if code is not None:
                _, deep = index.search(qs, 2 * DEPTH)
                best = [row[np.argsort(-(X[row] @ q))][:DEPTH] for row, q in zip(deep, qs, strict=True)]
                rescored = f"{recall(np.asarray(best)):.3f}"
            print(f"| {kind} | {nprobe} | {recall(ids):.3f} | {1000 * statistics.median(times):.2f} | {rescored} |",
                  flush=True)
        del index, quantizer


if __name__ == "__main__":
    main()
