"""How the vector index scales: build time, search time (one thread), recall of the dense candidates against
exact search, size on disk and memory after loading, at sizes well beyond the shipped corpus.

    .venv/bin/python -m bench.scale --sizes 100000,1000000

The sentences are synthetic but shaped like real ones: each mixes two real MiniLM sentence vectors with a little
noise (uniform random vectors have no clusters, which makes an IVF index's recall meaningless). The questions are
real MiniLM question vectors, none of them in the index. Both come from .npy caches (--sentences, --questions);
when they are missing, `--build` (the default) makes them first: squad-dev-a's sentences ("title. sentence", as
newsbot stores them) and questions encoded by newsbot's own encoder (a few minutes on one core). Only with
`--no-build` (or a build that fails, said on stderr) does a clustered Gaussian mixture stand in, and the table's
note then says that its vectors are synthetic. Each index is loaded and searched in its own process, so
that its memory is its own. Prints a Markdown table; the machine may be shared, so figures are medians.

The kind column says what each size got and the policy asked (auto: exact, ivf or ivf8 by size, as newsbot picks).
An ivf8 index re-scores its candidates from full vectors, which newsbot reads from its store: here from an SQLite
table of (id, vector) rows read with the store's query, so its search time includes that read.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"
DEFAULT_SENTENCES = ROOT / "bench" / "out" / "scale" / "minilm_sentences.npy"
DEFAULT_QUESTIONS = ROOT / "bench" / "out" / "scale" / "minilm_questions.npy"
DIMENSION = 384
MODEL = "bench"


def _unit(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def build_vectors(sentences: Path, questions: Path, docs: Path = SQUAD / "docs.jsonl",
                  asked: Path = SQUAD / "questions.jsonl") -> None:
    """Write the .npy caches: the docs' sentences as newsbot stores them and the questions, encoded by newsbot's
    own encoder (its ONNX export, in a temporary folder)."""
    from bench.txtai_bench import stored_sentences
    from index.encoder import build_encoder
    from index.settings import Settings

    texts = [f"{r['title']}. {r['text']}" if r["title"] else r["text"] for r in stored_sentences(docs)]
    with open(asked, encoding="utf-8") as f:
        qs = [json.loads(line)["question"] for line in f if line.strip()]
    with tempfile.TemporaryDirectory(prefix="newsbot-scale-model-") as tmp:
        encoder = build_encoder(Settings.from_env(dict(os.environ), data_dir=Path(tmp), progress=False))
        sentences.parent.mkdir(parents=True, exist_ok=True)
        questions.parent.mkdir(parents=True, exist_ok=True)
        np.save(sentences, np.asarray(encoder.encode(texts, "document"), dtype=np.float32))
        np.save(questions, np.asarray(encoder.encode(qs, "query"), dtype=np.float32))


def real_vectors(sentences: Path, questions: Path, rng: np.random.Generator, build: bool = True
                 ) -> tuple[np.ndarray, np.ndarray, str]:
    """Return (base sentence vectors, question vectors, where they came from): the caches (built first when
    `build` and they are missing), or a clustered Gaussian mixture standing in for them, said on stderr."""
    if build and not (sentences.exists() and questions.exists()):
        try:
            build_vectors(sentences, questions)
        except Exception as e:  # noqa: BLE001 - any failure: say it, and measure on synthetic vectors
            print(f"bench.scale: could not build the real vectors ({e}); using synthetic ones", file=sys.stderr)
    if sentences.exists() and questions.exists():
        return _unit(np.load(sentences)), _unit(np.load(questions)), f"real MiniLM vectors ({sentences.name})"
    print("bench.scale: SYNTHETIC vectors (a clustered Gaussian mixture): no real vectors at "
          f"{sentences} and {questions}", file=sys.stderr)
    centres = rng.standard_normal((300, DIMENSION)).astype(np.float32)
    base = centres[rng.integers(0, 300, 30_000)] + 0.8 * rng.standard_normal((30_000, DIMENSION)).astype(np.float32)
    qs = centres[rng.integers(0, 300, 200)] + 0.8 * rng.standard_normal((200, DIMENSION)).astype(np.float32)
    return _unit(base), _unit(qs), "SYNTHETIC vectors, a clustered Gaussian mixture (no real vectors found or built)"


def synthetic_sentences(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return n unit vectors, each a real sentence vector mixed with another one and a little noise."""
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        c = min(100_000, n - start)
        x = base[rng.integers(0, len(base), c)] + 0.35 * base[rng.integers(0, len(base), c)]
        x += rng.standard_normal(x.shape).astype(np.float32) * (0.35 / np.sqrt(base.shape[1]))
        out[start : start + c] = _unit(x)
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_full_vectors(path: Path, ids: np.ndarray, vecs: np.ndarray) -> None:
    """Write the full vectors into an SQLite table of (id, vector) rows, as newsbot's store keeps them."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE sentences (id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")
    for start in range(0, len(ids), 100_000):
        db.executemany("INSERT INTO sentences VALUES (?, ?)", zip(
            ids[start : start + 100_000].tolist(), (v.tobytes() for v in vecs[start : start + 100_000]), strict=True))
    db.commit()
    db.close()


def full_vectors(path: Path) -> Callable[[Sequence[int]], dict[int, np.ndarray]]:
    """Return an exact_vectors hook reading the table `write_full_vectors` wrote, with the store's query."""
    db = sqlite3.connect(path, check_same_thread=False)

    def exact_vectors(ids: Sequence[int]) -> dict[int, np.ndarray]:
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"SELECT id, vector FROM sentences WHERE id IN ({marks})", list(ids)).fetchall()
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    return exact_vectors


def measure_loaded(path: Path, questions: Path, truth: Path, depth: int, full: Path | None = None) -> dict[str, float]:
    """Load the index at `path` (an ivf8 one re-scoring from the full vectors at `full`) and search each question
    once (one thread); return times, recall and RSS."""
    from index.vectors import VectorIndex

    qs = np.load(questions)
    exact = np.load(truth)
    before = _rss_mb()
    t = time.perf_counter()  # the checksum is verified on every open: a read of the whole file
    vi = VectorIndex.load(path, DIMENSION, MODEL, exact_vectors=full_vectors(full) if full else None)
    opened = (time.perf_counter() - t) * 1000
    loaded = _rss_mb()
    cold, times, cpu, recalls = [], [], [], []
    for q in qs:  # first pass: a mapped index's pages come in from the page cache (or the disk)
        t = time.perf_counter()
        vi.search(q, depth)
        cold.append((time.perf_counter() - t) * 1000)
    for q, want in zip(qs, exact, strict=True):  # second pass: warm, as in a bot serving for a while
        t, c = time.perf_counter(), time.thread_time()
        got = vi.search(q, depth)
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
        recalls.append(len({i for i, _ in got} & set(want.tolist())) / len(want))
    return {
        "open": opened,
        "cold": float(np.percentile(cold, 50)),
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
        "cpu": float(np.percentile(cpu, 50)),
        "recall": float(np.mean(recalls)),
        "rss_base": before,
        "rss_load": loaded,
        "rss_searched": _rss_mb(),
        "count": vi.count,
    }


def run(sizes: list[int], kinds: list[str], depth: int, sentences: Path, questions: Path, build: bool = True
        ) -> str:
    """Return the Markdown table of every size and kind."""
    import faiss

    from index.vectors import IVF_KINDS, RESCORE, VectorIndex

    rng = np.random.default_rng(0)
    base, qs, origin = real_vectors(sentences, questions, rng, build)
    rows = [
        "| sentences | kind | parameters | build s | open ms (checksum verified) | search p50 ms, cold | "
        f"warm p50 ms | warm p95 ms | warm CPU p50 ms | recall@{depth} | disk MB | "
        "RSS after load MB (+ over the bare process) | RSS after searches MB | "
        "bytes a sentence beyond the vectors |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="newsbot-scale-") as tmp:
        qpath = Path(tmp) / "questions.npy"
        np.save(qpath, qs)
        for n in sizes:
            vecs = synthetic_sentences(base, n, rng)
            ids = np.arange(1, n + 1, dtype=np.int64)
            _, rows_found = faiss.knn(qs, vecs, depth, metric=faiss.METRIC_INNER_PRODUCT)
            truth = Path(tmp) / f"truth-{n}.npy"
            np.save(truth, ids[rows_found])
            full = Path(tmp) / f"full-{n}.db"
            for kind in kinds:
                vi = VectorIndex(DIMENSION, MODEL, kind)
                t = time.perf_counter()
                vi.index(ids, vecs)
                built = time.perf_counter() - t
                path = Path(tmp) / f"{kind}-{n}.faiss"
                vi.save(path)
                manifest = vi.manifest()
                params = (
                    f"nlist {manifest['nlist']}, nprobe {manifest['nprobe']}" if vi.kind in IVF_KINDS else "-"
                )
                if vi.kind == "ivf8":
                    params += f", re-scores {RESCORE * depth} from the full vectors"
                    if not full.exists():
                        write_full_vectors(full, ids, vecs)
                del vi
                out = subprocess.run(
                    [sys.executable, "-m", "bench.scale", "--measure", str(path), str(qpath), str(truth), str(depth),
                     str(full) if manifest["kind"] == "ivf8" else ""],
                    check=True, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
                )
                m = json.loads(out.stdout.strip().splitlines()[-1])
                held = DIMENSION if manifest["kind"] == "ivf8" else 4 * DIMENSION  # ivf8: codes, a byte a dimension
                beyond = (m["rss_searched"] - m["rss_base"]) * 2**20 / n - held
                rows.append(
                    f"| {n:,} | {manifest['kind']} ({kind}) | {params} | {built:.1f} | {m['open']:.0f} | "
                    f"{m['cold']:.2f} | "
                    f"{m['p50']:.2f} | {m['p95']:.2f} | {m['cpu']:.2f} | {m['recall']:.3f} | "
                    f"{path.stat().st_size / 2**20:.0f} | "
                    f"{m['rss_load']:.0f} (+{m['rss_load'] - m['rss_base']:.0f}) | {m['rss_searched']:.0f} | "
                    f"{beyond:.0f} |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
                path.unlink()
            full.unlink(missing_ok=True)
            del vecs
    note = (
        f"\n{len(qs)} questions (real, held out), sentences synthetic from {origin}; one search thread "
        "(CPU: its own time, as the machine may be busy); "
        f"vectors alone are {4 * DIMENSION} bytes a sentence, ivf8's codes {DIMENSION} (its full vectors are read "
        "from the SQLite table, outside the index)."
    )
    return "\n".join(rows) + "\n" + note


def main(argv: list[str] | None = None) -> None:
    """Print the table for the sizes asked (or, internally, measure one saved index)."""
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "--measure":
        path, questions, truth, depth = argv[1:5]
        full = Path(argv[5]) if len(argv) > 5 and argv[5] else None
        print(json.dumps(measure_loaded(Path(path), Path(questions), Path(truth), int(depth), full)))
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100000", help="comma-separated numbers of sentences")
    p.add_argument("--kinds", default="auto,exact", help="comma-separated kinds: auto, exact, ivf, ivf8")
    p.add_argument("--depth", type=int, default=50, help="dense candidates per question (Settings.candidates)")
    p.add_argument("--sentences", type=Path, default=DEFAULT_SENTENCES, help=".npy of real sentence vectors")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help=".npy of real question vectors")
    p.add_argument("--no-build", dest="build", action="store_false",
                   help="do not encode the real vectors when their .npy files are missing (synthetic ones stand in)")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    print(run(sizes, [k.strip() for k in a.kinds.split(",")], a.depth, a.sentences, a.questions, a.build))


if __name__ == "__main__":
    main()
