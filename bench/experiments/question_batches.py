"""What batching buys the encoder on this CPU (issue 24): questions encoded a second by newsbot's ONNX fp32 export on
one thread, one at a time and in batches of 8, 32 and 64, rounds interleaved. It bounds batched answering: however
little else an answer costs, a batch cannot be answered faster than its questions are encoded.

    python -m bench.experiments.question_batches [--questions ../shared/eval/squad-dev-a/questions.jsonl]
        [-n 256] [--repeats 3] [--runtime onnx]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

BATCHES = (1, 8, 32, 64)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.experiments.question_batches", description=__doc__)
    p.add_argument("--questions", type=Path, default=Path("../shared/eval/squad-dev-a/questions.jsonl"))
    p.add_argument("-n", type=int, default=256, help="questions encoded in each round")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--runtime", default="onnx", choices=("onnx", "onnx-int8", "torch"))
    args = p.parse_args(argv)

    from index.encoder import MiniLMEncoder

    lines = args.questions.read_text(encoding="utf-8").splitlines()[: args.n]
    asked = [json.loads(line)["question"] for line in lines]
    rates: dict[int, list[float]] = {b: [] for b in BATCHES}
    with tempfile.TemporaryDirectory() as export:
        encoder = MiniLMEncoder(threads=1, runtime=args.runtime, export_dir=Path(export))
        encoder.encode(asked[:8], "query")  # load, export, warm
        for _ in range(args.repeats):
            for b in BATCHES:
                start = time.perf_counter()
                for i in range(0, len(asked), b):
                    encoder.encode(asked[i : i + b], "query")
                rates[b].append(len(asked) / (time.perf_counter() - start))
    print(f"{len(asked)} questions, {args.runtime}, one thread, {args.repeats} interleaved rounds "
          "(median, lowest-highest)\n")
    print("| batch | questions encoded a second |")
    print("|---:|---:|")
    for b in BATCHES:
        r = rates[b]
        print(f"| {b} | {statistics.median(r):.0f} ({min(r):.0f}-{max(r):.0f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
