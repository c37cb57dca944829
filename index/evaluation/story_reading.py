"""Reading inside the best story (issue 21): what the reader gains when it also reads sentences of the article the
ranker put first, not only the ranker's best story groups.

Three steps, each a subcommand of `python -m index.evaluation.story_reading`:

- `cache`: for each gathered question (`index.evaluation.reader gather`), the shipped reader's logit of each of its
  top candidates and of the sentences of its top candidate's article (the `--keep` closest to the question by
  cosine and the first three; all with `--keep 0`), with each sentence's cosine, position and whether it is right,
  saved as JSON lines.
- `simulate`: P@1 of reading policies over that cache, and the pairs each reads: the ranker's best `n` groups at
  their scores, plus `m` sentences of the top article (closest first) read at the top candidate's score.
- `cost`: what reading adds to a warm answer, before and now, interleaved on one thread.
- `paired`: through the answer path (`Engine.answer`) over a kept index, each question answered by the shipped
  reading-6 order and by the reader as it ships now, on one engine: P@1, R@5, answerable refused, and the paired
  difference with its bootstrap interval.

Lab code: it imports the engine; the engine never imports it."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.evaluation.dataset import first_correct, is_correct, read_questions
from index.evaluation.reader import load_gathered, open_kept_index
from index.evaluation.report import bootstrap_interval, per_question, resample_indices, wilson

LEAD = 3  # the article's first sentences always scored by `cache`, whatever their cosine
SHIPPED_READ = 6  # the reader as it shipped before it read inside the story: the ranker's best 6 groups


def cache_scores(gathered: Path, index_dir: Path, split: str, out: Path, keep: int = 12) -> int:
    """Write (appending to what `out` already holds) each gathered question's cache record; return how many."""
    from index.encoder import build_encoder
    from index.ranking.reader import load_reader
    from index.settings import Settings

    items = [g for g in load_gathered(gathered) if split == "all" or g.split == split]
    done = {json.loads(line)["id"] for line in out.read_text().splitlines()} if out.exists() else set()
    db = sqlite3.connect(f"file:{index_dir / 'newsbot.sqlite3'}?mode=ro", uri=True)
    encoder = build_encoder(replace(Settings.from_env(), data_dir=index_dir, progress=False, threads=1))
    reader = load_reader(threads=1)
    written = 0
    with out.open("a", encoding="utf-8") as f:
        for g in items:
            if g.id in done:
                continue
            q, top = g.as_question(), g.candidates[0].doc_id
            rows = db.execute("SELECT s.id, s.position, s.text, s.vector FROM sentences s JOIN articles a ON "
                              "a.id = s.article_id WHERE a.doc_id = ? ORDER BY s.position", (top,)).fetchall()
            qvec = np.asarray(encoder.encode([g.question], "query"), dtype=np.float32)[0]
            cos = np.stack([np.frombuffer(r[3], dtype=np.float32) for r in rows]) @ qvec
            texts = [str(r[2]) for r in rows]
            wanted = range(len(texts)) if keep <= 0 else sorted(
                set(np.argsort(-cos)[:keep].tolist()) | set(range(min(LEAD, len(texts)))))
            logits: dict[str, float] = {}
            todo = sorted({texts[i] for i in wanted} | {c.text for c in g.candidates}, key=len)
            for i in range(0, len(todo), 8):  # similar lengths together: little padding
                logits.update(zip(todo[i : i + 8], reader.scores(g.question, todo[i : i + 8]).tolist(), strict=True))
            record = {
                "id": g.id, "qtype": g.qtype, "relevant": g.relevant, "top_doc": top, "right_doc": g.doc_id,
                "cands": [{"id": c.id, "doc": c.doc_id, "pos": c.position, "right": c.right, "score": s,
                           "logit": round(logits[c.text], 4)} for c, s in zip(g.candidates, g.scores, strict=True)],
                "article": [{"id": r[0], "pos": r[1], "right": is_correct(top, t, q), "cos": round(float(x), 5),
                             "logit": round(logits[t], 4) if t in logits else None}
                            for r, t, x in zip(rows, texts, cos, strict=True)],
            }
            f.write(json.dumps(record) + "\n")
            written += 1
    return written


@dataclass(frozen=True)
class Policy:
    """What the reader reads: the ranker's best `groups`, and `story` more sentences of the top candidate's
    article (closest to the question first; with `by` "position", first in the article; "score", the ranker's
    best among the top 20 first, then the closest), read at the top
    candidate's score; with `lift`, the read groups of that article too (the reader chooses within the story)."""

    groups: int
    story: int = 0
    by: str = "cos"
    lift: bool = True

    @property
    def name(self) -> str:
        """Return the policy as a row label."""
        if not self.story:
            return f"best {self.groups} groups (ranker's score)"
        return (f"best {self.groups} + {self.story} of the top article by {self.by}"
                + ("" if self.lift else ", its groups at their own score"))


def chosen(record: dict[str, Any], policy: Policy) -> tuple[bool, int]:
    """Return whether the policy's first answer is right (and let through) and how many pairs it reads."""
    cands = record["cands"]
    top_score, top_doc = cands[0]["score"], record["top_doc"]
    read = {c["id"]: (c["score"], c["logit"], c["right"]) for c in cands[: policy.groups]}
    if policy.story:
        rest = [a for a in record["article"] if a["id"] not in read and a["logit"] is not None]
        scored = {c["id"]: c["score"] for c in cands}
        keys = {"cos": lambda a: (-a["cos"],), "position": lambda a: (a["pos"],),
                "score": lambda a: (a["id"] not in scored, -scored.get(a["id"], 0.0), -a["cos"])}
        rest.sort(key=keys[policy.by])
        read.update({a["id"]: (top_score, a["logit"], a["right"]) for a in rest[: policy.story]})
        if policy.lift:
            read.update({c["id"]: (top_score, c["logit"], c["right"]) for c in cands[: policy.groups]
                         if c["doc"] == top_doc})
    if len(read) < 2:
        return bool(cands[0]["right"] and record["relevant"]), 0
    from index.ranking.reader import WEIGHT

    values = list(read.values())
    best = int(np.argmax([s + WEIGHT * x for s, x, _ in values]))
    return bool(values[best][2] and record["relevant"]), len(read)


POLICIES: tuple[Policy, ...] = (
    Policy(6), Policy(10),
    *(Policy(n, m) for n in (1, 2, 3, 6) for m in (2, 3, 4, 5, 6, 10)),
    Policy(1, 5, "position"), Policy(2, 4, "position"),
    *(Policy(n, m, "score") for n, m in ((1, 5), (2, 4), (3, 3), (3, 4), (6, 3))),
    Policy(2, 4, lift=False), Policy(6, 4, lift=False),
)


def simulate(caches: dict[str, list[dict[str, Any]]]) -> str:
    """Return a table: for each policy and question set, P@1, pairs read a question, and wins/losses against
    the shipped reading-6 order."""
    base = {name: [chosen(r, Policy(SHIPPED_READ))[0] for r in recs] for name, recs in caches.items()}
    lines = [f"{'policy':<52}" + "".join(f"{name:>30}" for name in caches)]
    for policy in POLICIES:
        line = f"{policy.name:<52}"
        for name, recs in caches.items():
            got = [chosen(r, policy) for r in recs]
            right = [a for a, _ in got]
            wins = sum(a and not b for a, b in zip(right, base[name], strict=True))
            losses = sum(b and not a for a, b in zip(right, base[name], strict=True))
            line += f"{np.mean(right):>11.3f}{np.mean([p for _, p in got]):>7.1f} pr{wins:>5}/{losses:<4}"
        lines.append(line)
    return "\n".join(lines)


def paired(index_dir: Path, questions: Path, unanswerable: Path | None = None, k: int = 10) -> dict[str, Any]:
    """Return P@1, R@5 and answerable refused for the reader reading the best SHIPPED_READ groups alone and as it
    ships now, each question answered both ways through `Engine.answer` on one engine, with the paired difference
    (now less before) and its 95 % bootstrap interval."""
    asked = read_questions(questions)
    with open_kept_index(index_dir) as engine:
        reader = engine.answerer.reader
        if reader is None:
            raise SystemExit("the engine has no reader: nothing to compare")
        shipped = replace_reader(reader, read=SHIPPED_READ, story=0)
        ranks: dict[str, list[int | None]] = {"before": [], "now": []}
        refused = {"before": 0, "now": 0}
        for q in asked:
            for name, r in (("before", shipped), ("now", reader)):
                engine.answerer.reader = r
                answer = engine.answer(q.question, k=k)
                refused[name] += answer.no_answer
                ranks[name].append(first_correct([is_correct(h.source.doc_id, h.sentence, q) for h in answer.hits]))
        engine.answerer.reader = reader
        declined = 0
        gone = read_questions(unanswerable, answerable=False) if unanswerable else []
        for q in gone:
            declined += engine.answer(q.question, k=1).no_answer
    n = len(asked)
    idx = resample_indices(n)
    terms = {name: per_question(r) for name, r in ranks.items()}
    out: dict[str, Any] = {"questions": n, "read": reader.read, "story": reader.story}
    for name in ranks:
        out[name] = {key: round(float(v.mean()), 4) for key, v in terms[name].items()}
        out[name]["answerable_refused"] = round(refused[name] / max(n, 1), 4)
    out["now_minus_before"] = {
        key: {"mean": round(float((terms["now"][key] - terms["before"][key]).mean()), 4),
              "ci": bootstrap_interval(terms["now"][key] - terms["before"][key], idx)}
        for key in ("p_at_1", "r_at_5")}
    p_now, p_before = terms["now"]["p_at_1"], terms["before"]["p_at_1"]
    out["wins_losses"] = [int(((p_now == 1) & (p_before == 0)).sum()), int(((p_now == 0) & (p_before == 1)).sum())]
    if gone:
        out["unanswerable_declined"] = {"rate": round(declined / len(gone), 4), "ci": wilson(declined, len(gone))}
    return out


def cost(index_dir: Path, questions: Sequence[str], repeats: int = 3) -> dict[str, Any]:
    """Return what reading adds to a warm answer on one thread, before (the best SHIPPED_READ groups) and now, each
    question answered without the reader, before and now in turn (the order rotating), `repeats` times; medians and
    p90 in ms."""
    import os
    import statistics
    import time

    from index.evaluation.reader import one_thread
    from index.settings import Settings

    one_thread()
    from index.engine import Engine

    settings = replace(Settings.from_env(), data_dir=index_dir, progress=False, threads=1)
    with Engine.open(settings) as engine:
        now = engine.answerer.reader
        if now is None:
            raise SystemExit("the engine has no reader: nothing to time")
        ways = {"without": None, "before": replace_reader(now, read=SHIPPED_READ, story=0), "now": now}
        for q in questions[:5]:  # warm: the sessions, the caches
            engine.answer(q)
        timed: dict[str, list[float]] = {name: [] for name in ways}
        for r in range(repeats):
            for i, q in enumerate(questions):
                names = list(ways)
                names = names[(i + r) % 3 :] + names[: (i + r) % 3]
                for name in names:
                    engine.answerer.reader = ways[name]
                    t0 = time.perf_counter()
                    engine.answer(q)
                    timed[name].append((time.perf_counter() - t0) * 1000)
    out: dict[str, Any] = {"questions": len(questions), "repeats": repeats, "load_1m": round(os.getloadavg()[0], 2)}
    for name in ("before", "now"):
        added = [w - wo for w, wo in zip(timed[name], timed["without"], strict=True)]
        out[f"added_{name}"] = {"p50": round(statistics.median(added), 1),
                                "p90": round(sorted(added)[int(0.9 * len(added))], 1)}
    out["without_p50"] = round(statistics.median(timed["without"]), 1)
    return out


def replace_reader(reader: Any, read: int, story: int) -> Any:
    """Return a copy of the reader (sharing its session) that reads `read` groups and `story` story sentences."""
    import copy

    other = copy.copy(reader)
    other.read, other.story = read, story
    return other


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step (cache, simulate, paired); return the exit code."""
    p = argparse.ArgumentParser(prog="python -m index.evaluation.story_reading", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="step", required=True)
    c = sub.add_parser("cache", help="the shipped reader's logits of the top candidates and the top article")
    c.add_argument("--gathered", type=Path, required=True, help="`index.evaluation.reader gather`'s output")
    c.add_argument("--index", type=Path, required=True, help="the index it was gathered over (read only)")
    c.add_argument("--split", default="validation", help='the split cached ("all": every question)')
    c.add_argument("--keep", type=int, default=12, help="article sentences scored, closest first (0: all)")
    c.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("simulate", help="P@1 and pairs read of reading policies over caches")
    s.add_argument("caches", type=Path, nargs="+")
    r = sub.add_parser("paired", help="the shipped reading-6 order against the reader as it ships, one engine")
    r.add_argument("--index", type=Path, required=True, help="a folder kept by `newsbot eval --keep-index`")
    r.add_argument("--questions", type=Path, required=True)
    r.add_argument("--unanswerable", type=Path)
    t = sub.add_parser("cost", help="what reading adds to a warm answer, before and now, one thread, interleaved")
    t.add_argument("--index", type=Path, required=True, help="a folder kept by `newsbot eval --keep-index`")
    t.add_argument("--questions", type=Path, required=True)
    t.add_argument("-n", type=int, default=60, help="questions timed")
    t.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    if args.step == "cache":
        print(f"{cache_scores(args.gathered, args.index, args.split, args.out, args.keep)} questions cached")
    elif args.step == "cost":
        asked = [q.question for q in read_questions(args.questions, args.n)]
        print(json.dumps(cost(args.index, asked, args.repeats), indent=2))
    elif args.step == "simulate":
        caches = {path.stem: [json.loads(line) for line in path.read_text().splitlines()] for path in args.caches}
        print(simulate(caches))
    else:
        print(json.dumps(paired(args.index, args.questions, args.unanswerable), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
