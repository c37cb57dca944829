"""A question in parts (issue 21): what reading a question that opens with context and then asks in its parts moves,
on our Wikinews questions of that kind (`type` "quiz" in datasets/wikinews-qa), over an index made beforehand.

    newsbot eval --keep-index DIR --docs datasets/wikinews/docs.jsonl \
        --questions datasets/wikinews-qa/all/questions.jsonl
    NEWSBOT_THREADS=1 OMP_NUM_THREADS=1 python -m bench.experiments.question_parts DIR [--rounds 2]

It prints P@1 by split (train / validation) for ways of combining the parts: the whole question alone (newsbot
before), the ask alone, the two hit lists fused by rank, the whole question's first story with the ask's best hit in
it, and what `ask` answers now (`Answerer._ask_chooses`); then the shipped step on and off on one engine, paired
(wins and losses), with the median milliseconds a quiz question takes each way, rounds alternating."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

QUESTIONS = Path("datasets/wikinews-qa/all/questions.jsonl")
RRF_K = 60

Hit = tuple[str, str]  # (doc_id, sentence)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.experiments.question_parts", description=__doc__)
    p.add_argument("data", type=Path, help="an index of datasets/wikinews/docs.jsonl made beforehand")
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument("--rounds", type=int, default=2, help="rounds of the paired on/off timing")
    args = p.parse_args(argv)

    from dataclasses import replace

    import index.answering as answering
    from index.engine import Engine
    from index.evaluation.dataset import Question, answer_forms, is_correct
    from index.questions import quiz_parts
    from index.settings import Settings

    asked: list[tuple[Question, str, str]] = []  # (question, split, ask)
    for line in args.questions.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        parts = quiz_parts(r["question"])
        if r.get("type") == "quiz" and r.get("answers") and parts is not None:
            asked.append((Question(r["id"], r["question"], r["doc_id"], answer_forms(r["answers"])), r["split"],
                          parts[1]))
    engine = Engine.open(replace(Settings(), data_dir=args.data))

    def right(q: Question, hits: Sequence[Hit]) -> bool:
        return bool(hits) and is_correct(hits[0][0], hits[0][1], q)

    def report(name: str, picked: Sequence[Sequence[Hit]]) -> None:
        counts = {s: [0, 0] for s in ("train", "validation")}
        for (q, split, _), hits in zip(asked, picked, strict=True):
            counts[split][0] += 1
            counts[split][1] += right(q, hits)
        print(f"{name:<58} " + "  ".join(f"{s} {r}/{n}" for s, (n, r) in counts.items()))

    def hit_lists(texts: list[str]) -> list[list[Hit]]:
        return [[(h.source.doc_id, h.sentence) for h in a.hits] for a in engine.answers(texts, k=10)]

    real = answering.quiz_parts
    answering.quiz_parts = lambda _q: None  # type: ignore[assignment]  # newsbot before: no parts
    try:
        whole = hit_lists([q.question for q, _, _ in asked])
        asks = hit_lists([ask for _, _, ask in asked])
    finally:
        answering.quiz_parts = real
    now = hit_lists([q.question for q, _, _ in asked])
    report("the whole question (before)", whole)
    report("the ask alone", asks)
    report("rank fusion of the two", [_fused(a, b) for a, b in zip(whole, asks, strict=True)])
    report("the whole's first story, the ask's best hit in it",
           [[next((h for h in b if h[0] == a[0][0]), a[0])] if a else [] for a, b in zip(whole, asks, strict=True)])
    report("what ask answers now", now)

    def timed(on: bool) -> tuple[list[bool], float]:
        answering.quiz_parts = real if on else (lambda _q: None)  # type: ignore[assignment]
        rights, ms = [], []
        try:
            for q, _, _ in asked:
                t0 = time.perf_counter()
                answer = engine.answer(q.question, k=5)
                ms.append((time.perf_counter() - t0) * 1000)
                rights.append(right(q, [(h.source.doc_id, h.sentence) for h in answer.hits]))
        finally:
            answering.quiz_parts = real
        return rights, statistics.median(ms)

    engine.answer(asked[0][0].question)  # warm
    runs: dict[bool, list[tuple[list[bool], float]]] = {False: [], True: []}
    for _ in range(args.rounds):
        for on in (False, True):
            runs[on].append(timed(on))
    off, on = runs[False][0][0], runs[True][0][0]
    for split in ("train", "validation"):
        idx = [i for i, (_, s, _) in enumerate(asked) if s == split]
        wins = sum(on[i] and not off[i] for i in idx)
        losses = sum(off[i] and not on[i] for i in idx)
        print(f"paired, {split}: off {sum(off[i] for i in idx)}, on {sum(on[i] for i in idx)} of {len(idx)}; "
              f"{wins} wins, {losses} losses")
    _times("median ms a quiz question, off", runs[False])
    _times("median ms a quiz question, on", runs[True])
    engine.close()
    return 0


def _fused(a: Sequence[Hit], b: Sequence[Hit]) -> list[Hit]:
    """Return the hits of two lists ordered by reciprocal rank fusion."""
    score: dict[Hit, float] = {}
    for hits in (a, b):
        for rank, h in enumerate(hits):
            score[h] = score.get(h, 0.0) + 1 / (RRF_K + rank + 1)
    return sorted(score, key=lambda h: -score[h])


def _times(name: str, runs: Sequence[tuple[object, float]]) -> None:
    """Print each round's median milliseconds."""
    print(f"{name}: " + ", ".join(f"{ms:.1f}" for _, ms in runs))


if __name__ == "__main__":
    raise SystemExit(main())
