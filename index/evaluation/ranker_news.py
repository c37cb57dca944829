"""The learned ranker retrained on our own news questions, measured side by side (issue 21, part 2): every
question's candidates and features are gathered once through the answer path (`collect`, as the trainer gathers
them), then each ranking orders the same candidates: the fixed ones (dense, BM25, RRF), the shipped trees, and
trees trained here on SQuAD, on SQuAD + the Wikinews train split, and on the Wikinews train split alone. Each row
has P@1, R@5 and MRR@10 with 95 % bootstrap intervals, and its paired wins and losses at rank 1 against the
shipped trees. `--check` asks the questions through `Engine.answers` (what `newsbot eval --compare` measures) with
the shipped ranker and with a candidate folder, to show the gathered figures are the answer path's.

    python -m index.evaluation.ranker_news --squad-cache FILE --train-cache FILE \\
        --set wikinews-val:DOCS:QUESTIONS:SPLIT:DATA:CACHE --set polnear-qa:DOCS:QUESTIONS::DATA:CACHE \\
        [--ranker NAME=FOLDER] [--train NAME=squad+wikinews] [--pair A=B] [--check --candidate FOLDER] [--json OUT]

The findings and the exact commands are in index/evaluation/RANKER_NEWS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.evaluation.collect import Collected
from index.evaluation.compare import compare_rankings
from index.evaluation.crossval import ranked_correct, train_booster
from index.evaluation.dataset import Question, first_correct, is_correct, read_questions
from index.evaluation.report import bootstrap_interval, metrics, per_question, resample_indices
from index.evaluation.train import collected_questions, open_corpus
from index.model import Answer
from index.ranking import baseline_scores
from index.ranking.features import FEATURE_INDEX, RANKER_FEATURES, CorpusView
from index.ranking.learned import RANKER_DIR, combined_scores, load_ranker
from index.ranking.trees import TreeEnsemble

FIXED = ("dense", "bm25", "rrf")  # the plain rankings, for reference
REFERENCE = "shipped"  # the row every other is paired against


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class EvalSet:
    """A measured question set: its name, docs, questions (only `split` when given), index folder and cache."""

    name: str
    docs: Path
    questions: Path
    split: str | None
    data: Path
    cache: Path

    @classmethod
    def parse(cls, spec: str) -> EvalSet:
        """Return the set `NAME:DOCS:QUESTIONS:SPLIT:DATA:CACHE` names (SPLIT may be empty)."""
        name, docs, questions, split, data, cache = spec.split(":")
        return cls(name, Path(docs), Path(questions), split or None, Path(data), Path(cache))


Scorer = Callable[[Collected], np.ndarray]


def tree_scorer(predict: Callable[[np.ndarray], np.ndarray], features: Sequence[str]) -> Scorer:
    """Return the scores trees give the candidates (the shortlist theirs, the rest below in fusion order), as
    LearnedRanker.score gives them."""
    cols = [FEATURE_INDEX[f] for f in features]

    def scores(it: Collected) -> np.ndarray:
        return combined_scores(it.fusion, it.short, np.asarray(predict(it.X[:, cols]), dtype=np.float64))

    return scores


def fixed_scorer(name: str) -> Scorer:
    """Return the scores of a fixed ranking (BASELINES)."""
    return lambda it: baseline_scores(name, it.cos, it.bm25, it.dense_rank, it.bm25_rank)


def first_right_ranks(items: Sequence[Collected], scores_of: Scorer) -> tuple[list[int | None], list[bool]]:
    """Return each answerable question's first right rank (copies collapsed) and whether a candidate is right."""
    ranks: list[int | None] = []
    found: list[bool] = []
    for it in items:
        if not it.answerable:
            continue
        ok = len(it.correct) > 0 and len(it.short) > 0 and not it.small_talk
        ranks.append(first_correct(ranked_correct(it, scores_of(it))) if ok else None)
        found.append(bool(it.correct.any()))
    return ranks, found


def row(ranks: Sequence[int | None], found: Sequence[bool], reference: Sequence[int | None],
        idx: np.ndarray) -> dict[str, Any]:
    """Return one ranking's figures with intervals, and its paired wins and losses at rank 1 against
    `reference` (same questions, same resamples)."""
    out: dict[str, Any] = {k: round(v, 4) for k, v in metrics(ranks, found).items()}
    terms, ref = per_question(ranks), per_question(reference)
    for k, v in terms.items():
        out[f"{k}_ci"] = bootstrap_interval(v, idx)
    diff = terms["p_at_1"] - ref["p_at_1"]
    out["wins"] = int((diff > 0).sum())
    out["losses"] = int((diff < 0).sum())
    out["p_at_1_minus_ref"] = round(float(diff.mean()), 4) if len(diff) else 0.0
    out["p_at_1_minus_ref_ci"] = bootstrap_interval(diff, idx)
    out["r_at_5_minus_ref_ci"] = bootstrap_interval(terms["r_at_5"] - ref["r_at_5"], idx)
    return out


def question_kinds(path: Path) -> dict[str, str]:
    """Return question id -> the type its writer gave it (wikinews-qa's `type`), where it has one."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                if "type" in r:
                    out[str(r["id"])] = str(r["type"])
    return out


def measure(
    sets: dict[str, list[Collected]], scorers: dict[str, Scorer], kinds: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Return, for each set, every ranking's row (and by question type where the set has types)."""
    report: dict[str, Any] = {}
    for name, items in sets.items():
        answerable = [it for it in items if it.answerable]
        idx = resample_indices(len(answerable))
        ranked = {r: first_right_ranks(answerable, s) for r, s in scorers.items()}
        ref = ranked[REFERENCE][0]
        rows = {r: row(ranks, found, ref, idx) for r, (ranks, found) in ranked.items()}
        by_type: dict[str, dict[str, Any]] = {}
        types = [kinds.get(name, {}).get(it.question.id) or it.qtype for it in answerable]
        for t in sorted(set(types)):
            sel = [i for i, x in enumerate(types) if x == t]
            sub_idx = resample_indices(len(sel))
            sub_ref = [ref[i] for i in sel]
            by_type[t] = {
                r: row([ranks[i] for i in sel], [found[i] for i in sel], sub_ref, sub_idx)
                for r, (ranks, found) in ranked.items()
            }
        report[name] = {"questions": len(answerable), "rows": rows, "by_type": by_type,
                        "ids": [it.question.id for it in answerable],
                        "ranks": {r: v[0] for r, v in ranked.items()}}
    return report


def table(report: dict[str, Any]) -> str:
    """Return the side-by-side tables (Markdown): each set's rows, then P@1 by question type."""
    lines: list[str] = []
    for name, rep in report.items():
        lines += [f"### {name} ({rep['questions']} answerable questions)", "",
                  "| ranking | P@1 [95 % CI] | R@5 [95 % CI] | MRR@10 | wins / losses vs shipped | ΔP@1 vs shipped "
                  "[paired 95 % CI] |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for r, m in rep["rows"].items():
            d = m["p_at_1_minus_ref_ci"]
            lines.append(
                f"| {r} | {m['p_at_1']:.3f} [{m['p_at_1_ci'][0]:.3f}, {m['p_at_1_ci'][1]:.3f}] | "
                f"{m['r_at_5']:.3f} [{m['r_at_5_ci'][0]:.3f}, {m['r_at_5_ci'][1]:.3f}] | {m['mrr_at_10']:.3f} | "
                f"{m['wins']} / {m['losses']} | {m['p_at_1_minus_ref']:+.3f} [{d[0]:+.3f}, {d[1]:+.3f}] |")
        for pair, m in rep.get("pairs", {}).items():
            d, d5 = m["p_at_1_minus_ref_ci"], m["r_at_5_minus_ref_ci"]
            lines.append(f"\npaired, {pair}: wins / losses at rank 1 {m['wins']} / {m['losses']}, ΔP@1 "
                         f"{m['p_at_1_minus_ref']:+.3f} [{d[0]:+.3f}, {d[1]:+.3f}], ΔR@5 95 % CI [{d5[0]:+.3f}, "
                         f"{d5[1]:+.3f}]")
        rows = list(rep["rows"])
        lines += ["", "P@1 by question type:", "", "| type | n | " + " | ".join(rows) + " |",
                  "| --- | ---: |" + " ---: |" * len(rows)]
        for t, by in rep["by_type"].items():
            n = next(iter(by.values()))["n"]
            lines.append(f"| {t} | {n} | " + " | ".join(f"{by[r]['p_at_1']:.3f}" for r in rows) + " |")
        lines.append("")
    return "\n".join(lines)


def answer_path_check(s: EvalSet, folders: dict[str, Path | None]) -> dict[str, Any]:
    """Return, for each ranker folder (None: the shipped one), the ranks `Engine.answers` gives the set's
    questions (`compare_rankings`: the ranker's own order over the answer path's candidates, and what `ask`
    answers, "nothing relevant" included)."""
    questions = read_questions(s.questions, split=s.split)
    engine = open_corpus(s.docs, s.data)
    out: dict[str, Any] = {}
    try:
        corpus = CorpusView(engine.store, engine.encoder.dimension)
        for name, folder in folders.items():
            ranker = load_ranker(corpus, folder)
            answered: dict[str, int | None] = {}

            def keep(q: Question, a: Answer, answered: dict[str, int | None] = answered) -> None:
                answered[q.id] = first_correct([is_correct(h.source.doc_id, h.sentence, q) for h in a.hits])

            rep = compare_rankings(engine, ranker, questions, on_answer=keep)
            out[name] = {k: {m: rep["rankings"][k][m] for m in ("n", "p_at_1", "r_at_5", "mrr_at_10")}
                         for k in ("ranking", "default")}
            out[name]["answered_ranks"] = answered
            _log(f"{s.name} {name}: {out[name]}")
    finally:
        engine.close()
    return out


def _one_thread(booster: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Return the LightGBM trees' predict, on one thread."""
    return lambda X: np.asarray(booster.predict(X, num_threads=1))


def _cached(path: Path) -> list[Collected]:
    if not path.exists():
        raise SystemExit(f"{path}: no collected questions there; gather them with python -m index.evaluation.train")
    with open(path, "rb") as source:
        items, _ = pickle.load(source)
    return list(items)


def main(argv: Sequence[str] | None = None) -> int:
    """Gather (or read) each set's candidates, train the rankers, print the tables; return the exit code."""
    p = argparse.ArgumentParser(prog="python -m index.evaluation.ranker_news", description=__doc__.split("\n\n")[0])
    p.add_argument("--squad-cache", required=True, type=Path, help="SQuAD's collected candidates (train --cache)")
    p.add_argument("--train-cache", required=True, type=Path, help="the Wikinews train split's (train --also-cache)")
    p.add_argument("--set", action="append", default=[], help="NAME:DOCS:QUESTIONS:SPLIT:DATA:CACHE, measured")
    p.add_argument("--ranker", action="append", default=[], metavar="NAME=FOLDER",
                   help="a saved ranker (model.txt + meta.json) to measure too, e.g. one `train --out` wrote")
    p.add_argument("--train", action="append", default=[], metavar="NAME=SETS",
                   help="trees to train here on SETS (squad, wikinews or squad+wikinews); default: all three")
    p.add_argument("--candidate", type=Path, help="with --check: a ranker folder to ask through the answer path")
    p.add_argument("--pair", action="append", default=[], metavar="A=B",
                   help="also pair row A against row B (wins, losses, paired intervals) on every set")
    p.add_argument("--measure-squad", action="store_true",
                   help="measure the rows on SQuAD too (out of sample only for rows not trained on it)")
    p.add_argument("--check", action="store_true", help="also ask each set through Engine.answers")
    p.add_argument("--json", type=Path, help="write the whole report here")
    args = p.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sets = [EvalSet.parse(spec) for spec in args.set]
    collected = {}
    for s in sets:
        items, _ = collected_questions(s.docs, s.questions, None, s.cache, s.data, s.split, simulate_removal=False)
        collected[s.name] = items
    squad, news = _cached(args.squad_cache), _cached(args.train_cache)
    _log(f"training on {len(squad)} SQuAD and {len(news)} Wikinews train questions")
    shipped = TreeEnsemble.from_file(RANKER_DIR / "model.txt")
    shipped_features = json.loads((RANKER_DIR / "meta.json").read_text(encoding="utf-8"))["features"]
    scorers: dict[str, Scorer] = {name: fixed_scorer(name) for name in FIXED}
    scorers[REFERENCE] = tree_scorer(shipped.predict, shipped_features)
    for spec in args.ranker:
        name, folder = spec.split("=", 1)
        trees = TreeEnsemble.from_file(Path(folder) / "model.txt")
        features = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))["features"]
        scorers[name] = tree_scorer(trees.predict, features)
    pools = {"squad": squad, "wikinews": news}
    plans = [spec.split("=", 1) for spec in args.train] or [
        ["SQuAD (retrained here)", "squad"], ["SQuAD + Wikinews train", "squad+wikinews"],
        ["Wikinews train only", "wikinews"]]
    for name, which in plans:  # SETS: parts joined by "+", each optionally weighted ("wikinews*3")
        parts = [(part.split("*") + ["1"])[:2] for part in which.split("+")]
        train_items = [it for part, _ in parts for it in pools[part]]
        weights = [float(w) for part, w in parts for _ in pools[part]]
        booster = train_booster(train_items, weights=None if set(weights) == {1.0} else weights)
        scorers[name] = tree_scorer(_one_thread(booster), RANKER_FEATURES)
        _log(f"trained {name}")
    kinds = {s.name: question_kinds(s.questions) for s in sets}
    if args.measure_squad:
        collected["squad-dev-a"] = squad
    report = measure(collected, scorers, kinds)
    pairs = [spec.split("=", 1) for spec in args.pair]
    for name in collected:
        rep = report[name]
        idx = resample_indices(rep["questions"])
        found = [True] * rep["questions"]  # candidate recall is not what a pair compares
        rep["pairs"] = {f"{a} vs {b}": row(rep["ranks"][a], found, rep["ranks"][b], idx) for a, b in pairs}
    if args.check:
        folders: dict[str, Path | None] = {REFERENCE: None}
        if args.candidate:
            folders["candidate"] = args.candidate
        report["answer_path"] = {s.name: answer_path_check(s, folders) for s in sets}
        for s in sets:  # where the gathered shipped order and what ask answers differ at rank 1
            rep, path = report[s.name], report["answer_path"][s.name][REFERENCE]
            mine = dict(zip(rep["ids"], rep["ranks"][REFERENCE], strict=True))
            path["rank_1_disagreements"] = sorted(
                i for i, r in path["answered_ranks"].items() if (r == 0) != (mine.get(i) == 0))
    print(table({k: v for k, v in report.items() if k != "answer_path"}))
    for name, by in report.get("answer_path", {}).items():
        for r, m in by.items():
            print(f"answer path, {name}, {r}: ranker's order P@1 {m['ranking']['p_at_1']:.3f} R@5 "
                  f"{m['ranking']['r_at_5']:.3f}; what ask answers P@1 {m['default']['p_at_1']:.3f} R@5 "
                  f"{m['default']['r_at_5']:.3f}"
                  + (f"; rank-1 disagreements with the gathered order: {len(m['rank_1_disagreements'])}"
                     if "rank_1_disagreements" in m else ""))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
