"""Whether a change moved any answer: each question's answer over a kept index (`newsbot eval --keep-index DIR`),
written one JSON line a question (the hits' sentence ids and scores, 'nothing relevant', the outlets of each
card), then two such files compared question by question.

    python -m bench.same_answers dump --data DIR --questions F [--limit N] --out before.jsonl   # on the old code
    python -m bench.same_answers dump --data DIR --questions F [--limit N] --out after.jsonl    # on the new code
    python -m bench.same_answers compare before.jsonl after.jsonl

The questions go through `Engine.answers` (the batched path, as `eval` asks them) with k=5; work on a copy of an
index that matters (opening one may rewrite its manifest).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

K = 5


def dump(data: Path, questions: Path, limit: int | None, out: Path) -> int:
    """Write each question's answer as one JSON line; return how many."""
    from index.engine import Engine
    from index.settings import Settings

    with open(questions, encoding="utf-8") as f:
        asked = [json.loads(line)["question"] for line in f if line.strip()][:limit]
    settings = Settings.from_env(dict(os.environ), data_dir=data, progress=False)
    with Engine.open(settings) as engine, open(out, "w", encoding="utf-8") as f:
        for q, a in zip(asked, engine.answers(asked, k=K), strict=True):
            row = {
                "q": q,
                "no": a.no_answer,
                "ids": [h.sentence_id for h in a.hits],
                "scores": [round(h.score, 4) for h in a.hits],
                "reported_by": [[r.source.doc_id for r in h.reported_by] for h in a.hits],
                "also_in": [[s.doc_id for s in h.also_in] for h in a.hits],
            }
            f.write(json.dumps(row) + "\n")
    return len(asked)


def differences(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, int]:
    """Return how many questions differ in each part of their answers (and in the first hit)."""
    counts = {"questions": len(before), "nothing_relevant": 0, "first_hit": 0, "hits": 0, "scores": 0,
              "reported_by": 0, "also_in": 0}
    for b, a in zip(before, after, strict=True):
        counts["nothing_relevant"] += b["no"] != a["no"]
        counts["first_hit"] += b["ids"][:1] != a["ids"][:1]
        counts["hits"] += b["ids"] != a["ids"]
        counts["scores"] += b["scores"] != a["scores"]
        counts["reported_by"] += b["reported_by"] != a["reported_by"]
        counts["also_in"] += b["also_in"] != a["also_in"]
    return counts


def _read(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv: list[str] | None = None) -> int:
    """Dump or compare; `compare` exits 1 when any answer differs."""
    p = argparse.ArgumentParser(prog="python -m bench.same_answers", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="step", required=True)
    d = sub.add_parser("dump", help="write each question's answer")
    d.add_argument("--data", type=Path, required=True, help="a kept index (a copy)")
    d.add_argument("--questions", type=Path, required=True, help="questions.jsonl")
    d.add_argument("--limit", type=int, help="only the first N questions")
    d.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare", help="compare two dumps question by question")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    a = p.parse_args(argv)
    if a.step == "dump":
        print(f"{dump(a.data, a.questions, a.limit, a.out)} answers written to {a.out}")
        return 0
    before, after = _read(a.before), _read(a.after)
    if [r["q"] for r in before] != [r["q"] for r in after]:
        print("the two files hold different questions", file=sys.stderr)
        return 1
    counts = differences(before, after)
    print(json.dumps(counts))
    return 0 if all(v == 0 for k, v in counts.items() if k != "questions") else 1


if __name__ == "__main__":
    sys.exit(main())
