"""Time questions (issue 22, part 2, the target): are "latest" and windowed questions answered from the right period?

`python -m index.evaluation.time_questions --index DIR --questions datasets/time-questions/questions.jsonl` opens a
kept Wikinews index (made by `newsbot eval --keep-index DIR`), asks every Wikinews question of the set through
`Engine.answer` (the path `newsbot ask` and the bot take, the shipped ranker included) and prints the share right by
kind and a line per miss. `--seed` indexes corpus/derna.txt (undated) into a temporary folder with the real model
and asks the seed questions instead.

Right (datasets/time-questions/README.md):
- `latest`: the first answer's article is dated within LATEST_DAYS of the newest of the topic's articles
  (`topic_doc_ids`);
- `window`: the first answer's article is dated inside the window (`since` and `until` both days included); a
  "Nothing dated" answer is wrong unless none of the topic's articles lies in the window;
- over the seed (`corpus: seed`): the first answer is the same sentence as the plain question's (`plain`, the
  question without its time words), since an undated corpus must not let time words hide its answer.

Lab code: it imports the engine; the engine never imports it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.engine import Engine
from index.model import Answer
from index.settings import PROJECT_ROOT, Settings

LATEST_DAYS = 30  # a "latest" answer is right when its article is at most this much older than the topic's newest
_DAY = 86_400.0


@dataclass(frozen=True)
class TimeQuestion:
    """One question of the set (see the module's docstring for what each field means)."""

    id: str
    question: str
    kind: str  # "latest" | "window"
    topic_doc_ids: tuple[str, ...]
    since: str | None  # YYYY-MM-DD, included
    until: str | None  # YYYY-MM-DD, included
    corpus: str = "wikinews"  # or "seed"
    plain: str | None = None  # seed questions: the question without its time words


@dataclass(frozen=True)
class Outcome:
    """How one question was answered and whether that is right."""

    question: TimeQuestion
    right: bool
    first_doc: str | None  # the first answer's article (None: no answer)
    first_date: str | None  # its date, YYYY-MM-DD (None: undated or no answer)
    why: str  # for a miss, what went wrong


def read_questions(path: Path) -> list[TimeQuestion]:
    """Return the questions of a JSONL file."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(TimeQuestion(r["id"], r["question"], r["kind"], tuple(r.get("topic_doc_ids") or ()),
                                    r.get("since"), r.get("until"), r.get("corpus", "wikinews"), r.get("plain")))
    return out


def _ts(day: str) -> float:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()


def _day(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC).date().isoformat()


def in_window(q: TimeQuestion, ts: float | None) -> bool:
    """Return whether a date (UTC epoch seconds) lies in the question's window, its two days included."""
    if ts is None:
        return False
    return (q.since is None or ts >= _ts(q.since)) and (q.until is None or ts < _ts(q.until) + _DAY)


def judge(
    q: TimeQuestion, answer: Answer, dated: Callable[[str], float | None], plain: Answer | None = None
) -> Outcome:
    """Return whether `answer` is right for `q` (see the module's docstring); `dated(doc_id)` gives an article's
    date, `plain` is the answer to the seed question's plain form."""
    first = answer.hits[0] if answer.hits else None
    doc = first.source.doc_id if first else None
    ts = first.source.published_ts if first else None
    day = _day(ts)
    if q.corpus == "seed":
        base = plain.hits[0] if plain is not None and plain.hits else None
        same = first is not None and base is not None and first.sentence_id == base.sentence_id
        why = "" if same else f"first hit differs from “{q.plain}”'s: {first.sentence if first else 'no answer'!r}"
        return Outcome(q, same, doc, day, why)
    if q.kind == "latest":
        newest = max((t for t in map(dated, q.topic_doc_ids) if t is not None), default=None)
        if first is None:
            return Outcome(q, False, None, None, "no answer")
        if newest is None:
            return Outcome(q, False, doc, day, "no dated topic article")
        right = ts is not None and ts >= newest - LATEST_DAYS * _DAY
        return Outcome(q, right, doc, day, "" if right else f"{day or 'undated'}, the topic's newest is {_day(newest)}")
    if first is None:
        empty = not any(in_window(q, dated(d)) for d in q.topic_doc_ids)
        return Outcome(q, empty and answer.nothing_dated, None, None,
                       "" if empty else "“Nothing dated” though a topic article lies in the window"
                       if answer.nothing_dated else "no answer")
    right = in_window(q, ts)
    return Outcome(q, right, doc, day, "" if right else f"{day or 'undated'} is outside {q.since}..{q.until}")


def evaluate(engine: Engine, questions: Sequence[TimeQuestion]) -> list[Outcome]:
    """Return each question's outcome, asked through `Engine.answer`."""

    def dated(doc_id: str) -> float | None:
        found = engine.store.article(doc_id)
        return found[0].published_ts if found else None

    out = []
    for q in questions:
        plain = engine.answer(q.plain) if q.corpus == "seed" and q.plain else None
        out.append(judge(q, engine.answer(q.question), dated, plain))
    return out


def report(outcomes: Sequence[Outcome]) -> str:
    """Return the share right by kind and over all, the share whose first answer is a topic article, and a line
    per miss."""
    by: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by[o.question.kind].append(o)
    lines = []
    for kind, group in [*sorted(by.items()), ("all", list(outcomes))]:
        right = sum(o.right for o in group)
        lines.append(f"{kind:7} {right}/{len(group)} right = {right / len(group):.1%}" if group else f"{kind}: none")
    topical = [o for o in outcomes if o.question.topic_doc_ids]
    if topical:
        on = sum(o.first_doc in o.question.topic_doc_ids for o in topical)
        lines.append(f"first answer from one of the topic's listed articles: {on}/{len(topical)} (not scored)")
    for o in outcomes:
        if not o.right:
            lines.append(f"MISS {o.question.id} {o.question.question!r}: {o.first_doc} {o.why}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m index.evaluation.time_questions", description=__doc__.split("\n")[0])
    p.add_argument("--questions", type=Path, default=PROJECT_ROOT / "datasets/time-questions/questions.jsonl")
    p.add_argument("--index", type=Path, help="a kept Wikinews index (newsbot eval --keep-index DIR)")
    p.add_argument("--seed", action="store_true",
                   help="index corpus/derna.txt in a temporary folder; ask the seed questions")
    p.add_argument("--onnx-dir", type=Path, help="where the model's ONNX export is (default: the index's folder)")
    args = p.parse_args(argv)
    questions = read_questions(args.questions)
    if args.seed:
        questions = [q for q in questions if q.corpus == "seed"]
        with tempfile.TemporaryDirectory(prefix="newsbot-time-seed-") as tmp:
            settings = replace(Settings(progress=False), data_dir=Path(tmp), onnx_dir=args.onnx_dir or args.index)
            engine = Engine.open(settings)
            engine.index_paths([PROJECT_ROOT / "corpus" / "derna.txt"])
            outcomes = evaluate(engine, questions)
            engine.close()
    else:
        if args.index is None:
            p.error("--index DIR (or --seed)")
        questions = [q for q in questions if q.corpus != "seed"]
        engine = Engine.open(replace(Settings(progress=False), data_dir=args.index, onnx_dir=args.onnx_dir))
        outcomes = evaluate(engine, questions)
        engine.close()
    print(report(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
