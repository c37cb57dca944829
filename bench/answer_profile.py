"""Where a warm answer's time and memory go (issue 24): the resident memory by stage (imports, the engine open,
the first answer, answers without and with the reader, the batched answers) and a cProfile of warm answers
without the reader, on one thread, over an index made beforehand.

    newsbot index --data /tmp/p300 first-300-docs.jsonl
    NEWSBOT_THREADS=1 OMP_NUM_THREADS=1 python -m bench.answer_profile /tmp/p300 --docs first-300-docs.jsonl

The questions are bench.run's: squad-dev-a's, about the docs given, spread over the file."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path


def _rss_mb() -> float:
    """Return this process's resident memory now (Linux), in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", type=Path, help="an index folder made beforehand (newsbot index --data DIR ...)")
    p.add_argument("--docs", type=Path, required=True, help="the docs that were indexed (to pick their questions)")
    p.add_argument("-n", type=int, default=150, help="questions (default 150)")
    p.add_argument("--top", type=int, default=30, help="profile rows printed (default 30)")
    a = p.parse_args(argv)
    stages = [("python", _rss_mb())]
    from bench import run
    from index.engine import Engine

    stages.append(("imports", _rss_mb()))
    engine = Engine.open(run._settings(a.data, None))
    stages.append(("engine open (reader loaded)", _rss_mb()))
    questions = run._questions(run.SQUAD / "questions.jsonl", a.n, a.docs)
    reader = engine.answerer.reader
    engine.answerer.reader = None
    engine.answer(questions[0])
    stages.append(("first answer (encoder loaded)", _rss_mb()))
    for q in questions:
        engine.answer(q)
    stages.append((f"{len(questions)} answers without the reader", _rss_mb()))
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for q in questions:
        engine.answer(q)
    profile.disable()
    warm_ms = (time.perf_counter() - started) / len(questions) * 1000
    engine.answerer.reader = reader
    for q in questions:
        engine.answer(q)
    stages.append((f"{len(questions)} answers with the reader", _rss_mb()))
    list(engine.answers(questions))
    stages.append(("batched answers", _rss_mb()))
    engine.close()
    print("| stage | resident MB |\n|---|---:|")
    for name, mb in stages:
        print(f"| {name} | {mb:.0f} |")
    print(f"\nwarm answer without the reader, under the profiler: {warm_ms:.1f} ms a question\n")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(a.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
