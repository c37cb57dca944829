"""What a change of the attribution rules costs, paired in one process: `attribute` of this tree and of another
checkout of newsbot (an older commit's worktree) over the same sentences, in rounds alternating which goes first.
Attribution is the only step of reading the rules change; the sentences are split once, by this tree.

    git worktree add /tmp/rules-before da38322
    python -m bench.experiments.attribution_paired ../shared/eval/polnear-train/docs.jsonl /tmp/rules-before --rounds 9
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path, help="JSONL with a 'text' per article")
    parser.add_argument("other", type=Path, help="the checkout whose rules are compared with this tree's")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    import index.reading.attribution as mine
    from index.reading import repair_text, split_sentences

    with args.docs.open(encoding="utf-8") as f:
        articles = [split_sentences(repair_text(json.loads(line)["text"])) for line in f if line.strip()]
    for name in [m for m in sys.modules if m == "index" or m.startswith("index.")]:
        del sys.modules[name]  # import the other checkout's package under the same name
    sys.path.insert(0, str(args.other.resolve()))
    theirs = importlib.import_module("index.reading.attribution")
    labels = {"other": f"rules {theirs.RULES_VERSION} ({args.other})",
              "this": f"rules {mine.RULES_VERSION} (this tree)"}
    modules: dict[str, Any] = {"other": theirs, "this": mine}
    times: dict[str, list[float]] = {"other": [], "this": []}
    for rnd in range(args.rounds):
        for key in ("other", "this") if rnd % 2 == 0 else ("this", "other"):
            start = time.perf_counter()
            for sentences in articles:
                modules[key].attribute(sentences)
            times[key].append(time.perf_counter() - start)
    n = sum(len(a) for a in articles)
    for key in ("other", "this"):
        runs = ", ".join(f"{t:.2f}" for t in times[key])
        print(f"{labels[key]}: median {statistics.median(times[key]):.2f} s, {len(articles)} articles, {n} sentences"
              f" (runs {runs})")
    print(f"this / other: {statistics.median(times['this']) / statistics.median(times['other']):.3f}")


if __name__ == "__main__":
    main()
