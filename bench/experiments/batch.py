"""`python -m bench.experiments.batch`: questions a second answered one at a time (`Engine.answer` in a loop) against
answered together (`Engine.answers`, one encoder and one FAISS call a batch), on a small slice of squad-dev-a (its
first articles and the questions about them), with the shipped ranker. Prints a Markdown table.

Both ways run in one process over one index, alternately, and the figures are medians over repeats; the machine is
shared, so compare the two columns of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQUAD = ROOT.parent / "shared" / "eval" / "squad-dev-a"


def _slice(docs: Path, questions: Path, articles: int, n: int, out: Path) -> list[str]:
    """Write the first `articles` docs to `out`; return up to n questions about them."""
    with open(docs, encoding="utf-8") as f:
        kept = [line for line in f if line.strip()][:articles]
    out.write_text("".join(kept), encoding="utf-8")
    ids = {json.loads(line)["doc_id"] for line in kept}
    with open(questions, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["question"] for r in rows if r["doc_id"] in ids][:n]


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print its table."""
    p = argparse.ArgumentParser(prog="python -m bench.experiments.batch", description=__doc__)
    p.add_argument("--docs", type=Path, default=SQUAD / "docs.jsonl")
    p.add_argument("--questions", type=Path, default=SQUAD / "questions.jsonl")
    p.add_argument("--articles", type=int, default=40, help="articles of the slice (default 40)")
    p.add_argument("-n", type=int, default=200, help="questions asked (default 200)")
    p.add_argument("--batch", type=int, default=16, help="questions answers encodes together (default 16)")
    p.add_argument("--repeats", type=int, default=3, help="repeats (default 3; medians reported)")
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from index.engine import Engine
    from index.evaluation.evaluate import build_engine
    from index.settings import Settings

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-batch-") as tmp:
        docs = Path(tmp) / "docs.jsonl"
        questions = _slice(a.docs, a.questions, a.articles, a.n, docs)
        data = Path(tmp) / "data"
        build_engine(docs, data).close()
        engine = Engine.open(Settings(data_dir=data, progress=False))  # the shipped ranker, as `ask` ranks
        try:
            engine.answer(questions[0])  # warm: the model's first run
            serial: list[float] = []
            batched: list[float] = []
            same = True
            for _ in range(a.repeats):
                t = time.perf_counter()
                one = [engine.answer(q) for q in questions]
                serial.append(len(questions) / (time.perf_counter() - t))
                t = time.perf_counter()
                many = list(engine.answers(questions, batch=a.batch))
                batched.append(len(questions) / (time.perf_counter() - t))
                same = same and [x.to_json() for x in one] == [x.to_json() for x in many]
                print(f"repeat done: {serial[-1]:.1f} / {batched[-1]:.1f} questions a second", file=sys.stderr)
            stats = engine.library.summary(0)
            ranker = engine.answerer.ranker.name
        finally:
            engine.close()
    s, b = statistics.median(serial), statistics.median(batched)
    print(f"newsbot batch bench: {a.articles} articles of {a.docs.parent.name} ({stats.sentences} sentences), "
          f"{len(questions)} questions, batches of {a.batch}, ranker: {ranker}, median of {a.repeats} runs, "
          f"{os.cpu_count()} cores (shared machine); answers identical: {'yes' if same else 'NO'}\n")
    print("| figure | one at a time (`answer`) | together (`answers`) | together / one at a time |")
    print("|---|---:|---:|---:|")
    print(f"| questions a second | {s:.1f} | {b:.1f} | {b / s:.2f}× |")
    print(f"| ms a question | {1000 / s:.1f} | {1000 / b:.1f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
