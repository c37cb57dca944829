"""What the answering peak's two settings cost in time (issue 24), paired in one process over an index made
beforehand: warm answers with onnxruntime's memory-pattern planning on and off (a second session of each model,
swapped in question by question, alternating which goes first), and `Engine.answers` with batches of 16, 8 and 4
(rounds alternating the order). The memory by stage is `bench.answer_profile`'s.

    newsbot index --data /tmp/p300 first-300-docs.jsonl
    NEWSBOT_THREADS=1 OMP_NUM_THREADS=1 python -m bench.experiments.answer_memory /tmp/p300 --docs first-300-docs.jsonl
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _session(path: Path, pattern: bool) -> Any:
    """Return a one-thread session of the model at `path`, as newsbot makes them, with memory patterns on or off."""
    import onnxruntime as ort

    from index.onnx_model import cpu_session_options

    options = cpu_session_options(1)
    options.enable_mem_pattern = pattern
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.experiments.answer_memory", description=__doc__)
    p.add_argument("data", type=Path, help="an index folder made beforehand (newsbot index --data DIR ...)")
    p.add_argument("--docs", type=Path, required=True, help="the docs that were indexed (to pick their questions)")
    p.add_argument("-n", type=int, default=150, help="questions (default 150)")
    p.add_argument("--rounds", type=int, default=4, help="rounds of the batch sizes (default 4)")
    a = p.parse_args(argv)
    from bench import run
    from index.engine import Engine

    engine = Engine.open(run._settings(a.data, None))
    questions = run._questions(run.SQUAD / "questions.jsonl", a.n, a.docs)
    answerer = engine.answerer
    reader = answerer.reader
    answerer.reader = None
    engine.answer(questions[0])  # loads the encoder's session
    model = answerer.encoder._onnx  # type: ignore[attr-defined]
    if model is None or reader is None:
        print("this needs the ONNX encoder and the reader (the defaults)", file=sys.stderr)
        return 2
    key = next(iter(model._sessions))
    encoder_sessions = {True: _session(model.path, True), False: _session(model.path, False)}
    reader_sessions = {True: _session(reader.path, True), False: _session(reader.path, False)}
    times: dict[tuple[bool, bool], list[float]] = {(r, m): [] for r in (False, True) for m in (True, False)}
    for i, q in enumerate(questions):
        for pattern in ((True, False) if i % 2 else (False, True)):
            model._sessions[key] = encoder_sessions[pattern]
            reader._session = reader_sessions[pattern]
            for with_reader in (False, True):
                answerer.reader = reader if with_reader else None
                start = time.perf_counter()
                engine.answer(q)
                times[(with_reader, pattern)].append((time.perf_counter() - start) * 1000)
    print(f"{len(questions)} questions, one process, paired\n\n| reader | memory patterns | warm answer p50 (ms) |")
    print("|---|---|---:|")
    for (with_reader, pattern), ms in times.items():
        print(f"| {'on' if with_reader else 'off'} | {'on' if pattern else 'off'} | {statistics.median(ms):.2f} |")
    answerer.reader = None
    rates: dict[int, list[float]] = {16: [], 8: [], 4: []}
    list(engine.answers(questions))
    for r in range(a.rounds):
        for batch in ([16, 8, 4] if r % 2 == 0 else [4, 8, 16]):
            start = time.perf_counter()
            list(engine.answers(questions, batch=batch))
            rates[batch].append(len(questions) / (time.perf_counter() - start))
    print("\n| batch | answers a second, without the reader (median, lowest-highest) |\n|---:|---:|")
    for batch, rs in rates.items():
        print(f"| {batch} | {statistics.median(rs):.1f} ({min(rs):.1f}-{max(rs):.1f}) |")
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
