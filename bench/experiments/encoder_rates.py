"""What each way of running the model costs on this CPU, one thread: sentences encoded a second (as indexing
encodes them: "title. sentence", batches of 64 sorted by length) and one question's encode time (median), for
the ONNX export in fp32 (newsbot's default), its int8 weights (`NEWSBOT_ENCODER=onnx-int8`) and torch
(sentence-transformers, what txtai runs). Rounds are interleaved so that the machine's load falls on each alike.

    python -m bench.experiments.encoder_rates [--docs ../shared/eval/squad-dev-a/docs.jsonl] [--sentences 1500]
        [--questions 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNTIMES = ("onnx", "onnx-int8", "torch")


def sentences(docs: Path, limit: int) -> list[str]:
    """Return the first `limit` sentences of the docs as indexing embeds them ("title. sentence")."""
    from index.encoder import document_text
    from index.reading.sentences import split_sentences

    out: list[str] = []
    for line in docs.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        out += [document_text(s.text, doc.get("title")) for s in split_sentences(doc["text"])]
        if len(out) >= limit:
            break
    return out[:limit]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.experiments.encoder_rates", description=__doc__)
    p.add_argument("--docs", type=Path, default=Path("../shared/eval/squad-dev-a/docs.jsonl"))
    p.add_argument("--questions", type=Path, help="questions.jsonl (default: the docs' folder's)")
    p.add_argument("--sentences", type=int, default=1500)
    p.add_argument("-n", type=int, default=200, help="questions encoded one at a time")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)

    from index.encoder import MiniLMEncoder

    texts = sentences(args.docs, args.sentences)
    qfile = args.questions or args.docs.parent / "questions.jsonl"
    asked = [json.loads(line)["question"] for line in qfile.read_text(encoding="utf-8").splitlines()[: args.n]]
    rates: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    ms: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    with tempfile.TemporaryDirectory() as export:
        encoders = {r: MiniLMEncoder(threads=1, runtime=r, export_dir=Path(export)) for r in RUNTIMES}  # type: ignore[arg-type]
        for e in encoders.values():  # load, export, warm
            e.encode(texts[:64], "document")
            e.encode(asked[:5], "query")
        for _ in range(args.repeats):
            for r, e in encoders.items():
                start = time.perf_counter()
                e.encode(texts, "document")
                rates[r].append(len(texts) / (time.perf_counter() - start))
                one = []
                for q in asked:
                    start = time.perf_counter()
                    e.encode([q], "query")
                    one.append(time.perf_counter() - start)
                ms[r].append(1000 * statistics.median(one))
    print(f"{len(texts)} sentences, {len(asked)} questions, one thread, {args.repeats} interleaved rounds "
          "(median, lowest-highest)\n")
    print("| runtime | sentences a second | one question (ms, median) |")
    print("|---|---:|---:|")
    for r in RUNTIMES:
        print(f"| {r} | {statistics.median(rates[r]):.1f} ({min(rates[r]):.1f}-{max(rates[r]):.1f}) | "
              f"{statistics.median(ms[r]):.2f} ({min(ms[r]):.2f}-{max(ms[r]):.2f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
