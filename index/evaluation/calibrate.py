"""Tune the "nothing relevant" threshold for news (issue 11): the shipped no-answer model was fitted on SQuAD,
whose questions copy their paragraph's words; readers' questions about news paraphrase, and at SQuAD's threshold
it turned down 4.4 % of the polnear-qa questions their article answers while catching 3.4 % of those it does not.
This finds the highest threshold that turns down at most `budget` of a set of answerable news questions, asked
through the answer path over an index of their articles, and writes it into the ranker's meta.json beside SQuAD's
(which stays for questions that name something the corpus never mentions). Only the number is kept: no model is
fitted to the news questions. `make train-ranker` tunes it on our own questions (issue 21: the train split of
datasets/wikinews-qa, which we may ship), so that polnear-qa, measure-only, checks it:

    python -m index.evaluation.calibrate --docs datasets/wikinews/docs.jsonl \\
        --questions datasets/wikinews-qa/all/questions.jsonl \\
        --unanswerable datasets/wikinews-qa/all/unanswerable.jsonl --split train [--data DIR] [--budget 0.02]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.engine import Engine
from index.evaluation.collect import with_ranker
from index.evaluation.dataset import Question, read_questions
from index.evaluation.train import open_corpus
from index.ranking.features import CorpusView
from index.ranking.learned import META_FILE, RANKER_DIR, LearnedRanker, load_ranker
from index.settings import Settings

NEWS_BUDGET = 0.02  # issue 11: at most 2 % of answerable news questions turned down


@dataclass(frozen=True)
class Evidence:
    """What the no-answer decision sees of one question: the probability that it is answered, and whether it
    names something the corpus never mentions (then SQuAD's stricter threshold applies)."""

    p: float
    unseen_names: bool


def evidence(engine: Engine, questions: Sequence[Question]) -> list[Evidence]:
    """Return each question's no-answer evidence as the answer path computes it (`Engine.answerer.ranked`)."""
    out = []
    for q in questions:
        cands, _, _ = engine.answerer.ranked(engine.answerer.check_question(q.question))
        scored = next((c.features for c in cands if "p_answerable" in c.features), None)
        if scored is None:  # no candidate, or a ranker without the no-answer model: nothing to turn down
            out.append(Evidence(1.0, False))
        else:
            out.append(Evidence(scored["p_answerable"], scored.get("q_unseen_names", 0.0) > 0))
    return out


def refused(items: Sequence[Evidence], threshold: float, strict: float) -> int:
    """Return how many questions the decision turns down at `threshold` (`strict` for unseen names)."""
    return sum(e.p < (strict if e.unseen_names else threshold) for e in items)


def news_threshold(answerable: Sequence[Evidence], strict: float, budget: float = NEWS_BUDGET) -> float:
    """Return the highest threshold, at most `strict`, that turns down at most `budget` of the answerable
    questions (counting as turned down every question the model refuses, even one the answer path then answers
    as a broad question about the corpus)."""
    allowed = int(budget * len(answerable) + 1e-9)
    best = 0.0
    for t in sorted({e.p for e in answerable if e.p < strict} | {strict}):
        if refused(answerable, t, strict) <= allowed:
            best = t
        else:
            break
    return best


def calibrate(engine: Engine, ranker: LearnedRanker, answerable: Sequence[Question],
              unanswerable: Sequence[Question], budget: float = NEWS_BUDGET) -> dict[str, Any]:
    """Return the news threshold of `ranker` over the engine's corpus and what it does on these questions (the
    meta.json entry)."""
    strict = ranker.no_answer.threshold
    engine = with_ranker(engine, ranker)
    a = evidence(engine, answerable)
    u = evidence(engine, unanswerable)
    t = news_threshold(a, strict, budget)
    return {
        "value": round(t, 6),
        "budget": budget,
        "answerable_questions": len(a),
        "answerable_refused": round(refused(a, t, strict) / max(len(a), 1), 4),
        "unanswerable_questions": len(u),
        "unanswerable_caught": round(refused(u, t, strict) / max(len(u), 1), 4) if u else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: write the news threshold into the ranker's meta.json."""
    p = argparse.ArgumentParser(prog="python -m index.evaluation.calibrate", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", required=True, type=Path, help="news docs.jsonl: doc_id, title, text")
    p.add_argument("--questions", required=True, type=Path, help="answerable questions over them")
    p.add_argument("--unanswerable", type=Path, help="questions their article does not answer (reported only)")
    p.add_argument("--data", type=Path, help="index into (or reuse) this data folder instead of a temporary one")
    p.add_argument("--budget", type=float, default=NEWS_BUDGET, help="share of answerable questions it may refuse")
    p.add_argument("--meta", type=Path, default=RANKER_DIR / META_FILE, help="the meta.json to write it into")
    p.add_argument("--split", help='only the questions whose "split" is this one (datasets/wikinews-qa: train)')
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.data and args.data.resolve() == Settings.from_env().data_dir.resolve():
        p.error(f"--data {args.data} is the bot's data folder; give an evaluation folder")
    answerable = read_questions(args.questions, split=args.split)
    unanswerable = read_questions(args.unanswerable, answerable=False, split=args.split) if args.unanswerable else []
    with tempfile.TemporaryDirectory(prefix="newsbot-calibrate-") as tmp:
        engine = open_corpus(args.docs, args.data or Path(tmp))
        try:
            ranker = load_ranker(CorpusView(engine.store, engine.encoder.dimension), args.meta.parent)
            entry = calibrate(engine, ranker, answerable, unanswerable, args.budget)
        finally:
            engine.close()
    given = argv if argv is not None else sys.argv[1:]
    entry["command"] = "python -m index.evaluation.calibrate " + " ".join(shlex.quote(a) for a in given)
    entry["how"] = ("the highest probability threshold that turns down at most `budget` of the answerable "
                    "questions, asked through the answer path; tuned, not trained: only this number is kept")
    meta = json.loads(args.meta.read_text(encoding="utf-8"))
    meta["no_answer"]["news_threshold"] = entry
    tmp_meta = args.meta.with_suffix(".json.tmp")
    tmp_meta.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp_meta, args.meta)
    print(f"news threshold {entry['value']:.4f}: refuses {entry['answerable_refused']:.1%} of "
          f"{entry['answerable_questions']} answerable questions, catches "
          f"{entry['unanswerable_caught'] if entry['unanswerable_caught'] is not None else 'n/a'} of unanswerable")
    print(f"wrote {args.meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
