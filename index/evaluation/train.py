"""Train the learned ranker (`make train-ranker`): gather the candidates of every eval question, report the
ranker cross-validated by article, calibrate the no-answer threshold on out-of-fold scores, train on all the
questions, and write `index/ranking/shipped/model.txt` and `meta.json`. `--ablation` prints the ablation table
instead.

    python -m index.evaluation.train --docs ../shared/eval/squad-dev-a/docs.jsonl \\
                                     --questions ../shared/eval/squad-dev-a/questions.jsonl [--ablation]

`--also-docs` and `--also-questions` (with `--also-split train`) add questions over another corpus to the
training: they are collected over an index of their own docs exactly as SQuAD's are (with their simulated
removal, for the no-answer calibration), folded by their own articles beside SQuAD's (SQuAD's folds stay as they
are, so the cross-validated SQuAD figures pair with today's), and the trees are trained on both.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.engine import Engine
from index.errors import NewsbotError
from index.evaluation.collect import Collected, collect
from index.evaluation.crossval import (
    LGB_PARAMS,
    NUM_ROUNDS,
    P_AT_1_BUDGET,
    FoldScores,
    article_folds,
    calibrate_no_answer,
    import_lightgbm,
    out_of_fold_scores,
    ranked_correct,
    report,
    train_booster,
)
from index.evaluation.dataset import first_correct, read_questions
from index.evaluation.evaluate import build_engine
from index.evaluation.report import metrics
from index.ranking import BASELINES, baseline_scores
from index.ranking.features import FEATURE_GROUPS, FEATURE_INDEX, RANKER_FEATURES, UNRANKED_GROUPS
from index.ranking.learned import (
    FORMAT_VERSION,
    META_FILE,
    MODEL_FILE,
    NO_ANSWER_FEATURES,
    RANKER_DIR,
    combined_scores,
)
from index.settings import Settings

PROVENANCE = "SQuAD v1.1 dev (squad-dev-a), Rajpurkar et al. 2016, CC BY-SA 4.0"


@dataclass(frozen=True)
class ExtraQuestions:
    """Training questions over another corpus than the main one (`--also-*`): its docs, its questions (only
    those of `split` when given), where its index is kept (None: a temporary folder) and its cache file."""

    docs: Path
    questions: Path
    split: str | None = None
    data: Path | None = None
    cache: Path | None = None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def collected_questions(
    docs: Path,
    questions_path: Path,
    limit: int | None,
    cache: Path | None,
    data: Path | None = None,
    split: str | None = None,
    simulate_removal: bool = True,
) -> tuple[list[Collected], float]:
    """Return the collected questions (only those of `split` when given; from the cache file when it exists) and
    the indexing time; `simulate_removal` (for training): each also as if its paragraph were not indexed."""
    if cache and cache.exists():
        with open(cache, "rb") as source:
            items, index_seconds = pickle.load(source)
        _log(f"read {len(items)} collected questions from {cache}")
        return items, index_seconds
    questions = read_questions(questions_path, limit, split=split)
    with tempfile.TemporaryDirectory(prefix="newsbot-train-") as tmp:
        t0 = time.perf_counter()
        engine = open_corpus(docs, data or Path(tmp))
        index_seconds = time.perf_counter() - t0
        _log(f"indexed {engine.library.summary(0).sentences} sentences in {index_seconds:.0f} s; gathering candidates")

        def progress(done: int, total: int) -> None:
            if done % 1000 == 0 or done == total:
                _log(f"  {done}/{total} questions")

        items = collect(
            engine, questions, simulate_removal=simulate_removal, keep_candidates=cache is not None, progress=progress
        )
        engine.close()
    if cache:
        with open(cache, "wb") as sink:
            pickle.dump((items, index_seconds), sink, protocol=pickle.HIGHEST_PROTOCOL)
    return items, index_seconds


def corpus_settings() -> Settings:
    """Return the settings a training or calibration corpus is indexed and asked with: the defaults, whatever the
    bot's own NEWSBOT_* settings, except what runs the model (NEWSBOT_ENCODER), so that a ranker can be trained on
    the scores it will see (`NEWSBOT_ENCODER=onnx-int8 python -m index.evaluation.train ...`, issue 24)."""
    return replace(Settings.from_env({"NEWSBOT_ENCODER": os.environ.get("NEWSBOT_ENCODER", "")}), progress=False)


def open_corpus(docs: Path, data: Path) -> Engine:
    """Return an engine over the index in `data` when it holds one, else over a new index of `docs` there."""
    if (data / "newsbot.sqlite3").exists():
        return Engine.open(replace(corpus_settings(), data_dir=data, ranker="fusion"))
    return build_engine(docs, data, corpus_settings())


def ablation(
    items: Sequence[Collected],
    folds: int,
    seed: int,
    index_seconds: float,
    news: Sequence[Collected] = (),
) -> list[dict[str, Any]]:
    """Return one report a row: the fixed rankings, the learned ranker, and it without each feature group; with
    `news` (questions collected over another corpus), each row also holds its figures there, the learned rows
    from trees trained on all of `items` (the ranker is chosen by these, never trained on them)."""
    rows = [report(items, name, folds, seed, index_seconds) for name in BASELINES]
    rows.append(report(items, "learned", folds, seed, index_seconds, log=_log))
    variants: list[tuple[str, list[str]]] = [("learned", list(RANKER_FEATURES))]
    for group, names in FEATURE_GROUPS.items():
        if group in UNRANKED_GROUPS:  # left out of the shipped trees: the row shows what putting it back does
            kept, label = [*RANKER_FEATURES, *names], f"learned + {group}"
        else:
            kept, label = [f for f in RANKER_FEATURES if f not in names], f"learned − {group}"
        row = report(items, "learned", folds, seed, index_seconds, features=kept, log=_log)
        row["ranker"] = label
        rows.append(row)
        variants.append((row["ranker"], kept))
    if news:
        for row in rows[: len(BASELINES)]:
            name = str(row["ranker"])

            def fixed(it: Collected, name: str = name) -> np.ndarray:
                return baseline_scores(name, it.cos, it.bm25, it.dense_rank, it.bm25_rank)

            row["news"] = metrics(*_news_ranks(news, fixed))
        for row, (_, kept) in zip(rows[len(BASELINES):], variants, strict=True):
            booster = train_booster(items, kept)
            cols = [FEATURE_INDEX[f] for f in kept]

            def learned(it: Collected, b: Any = booster, c: list[int] = cols) -> np.ndarray:
                return combined_scores(it.fusion, it.short, np.asarray(b.predict(it.X[:, c], num_threads=1)))

            row["news"] = metrics(*_news_ranks(news, learned))
    return rows


def _news_ranks(
    items: Sequence[Collected], scores_of: Callable[[Collected], np.ndarray]
) -> tuple[list[int | None], list[bool]]:
    """Return each answerable question's first right rank under `scores_of`, and whether a candidate is right."""
    ranks: list[int | None] = []
    found: list[bool] = []
    for it in items:
        if not it.answerable:
            continue
        ok = len(it.correct) > 0 and len(it.short) > 0
        ranks.append(first_correct(ranked_correct(it, scores_of(it))) if ok else None)
        found.append(bool(it.correct.any()))
    return ranks, found


def ablation_table(rows: Sequence[dict[str, Any]]) -> str:
    """Return the ablation rows as a Markdown table (with the news columns when the rows have them)."""
    news = all("news" in r for r in rows)
    head = "| ranking | P@1 | R@5 | MRR@10 | cand. recall |" + (" news P@1 | news R@5 | news MRR@10 |" if news else "")
    lines = [head, "| --- " + "| ---: " * (7 if news else 4) + "|"]
    for r in rows:
        line = (
            f"| {r['ranker']} | {r['p_at_1']:.3f} | {r['r_at_5']:.3f} | {r['mrr_at_10']:.3f} | "
            f"{r['candidate_recall']:.3f} |"
        )
        if news:
            n = r["news"]
            line += f" {n['p_at_1']:.3f} | {n['r_at_5']:.3f} | {n['mrr_at_10']:.3f} |"
        lines.append(line)
    return "\n".join(lines)


def collected_news(docs: Path, questions_path: Path, data: Path | None) -> list[Collected]:
    """Return the news questions' candidates and features, gathered over an index of `docs` (reused from `data`
    when it holds one) exactly as for SQuAD."""
    questions = read_questions(questions_path)
    with tempfile.TemporaryDirectory(prefix="newsbot-news-") as tmp:
        engine = open_corpus(docs, data or Path(tmp))
        sentences = engine.library.summary(0).sentences
        _log(f"news: {sentences} sentences; gathering the candidates of {len(questions)} questions")
        items = collect(engine, questions)
        engine.close()
    return items


def joint_folds(items: Sequence[Collected], also: Sequence[Collected], folds: int, seed: int) -> dict[str, int]:
    """Return article -> fold over both sets: each set's articles folded on their own (`article_folds`, so the
    main set's folds are the ones it gets alone), fold k of both together."""
    main = article_folds([it.question for it in items], folds, seed)
    extra = article_folds([it.question for it in also], folds, seed)
    shared = main.keys() & extra.keys()
    if shared:
        raise NewsbotError(f"an article is in both training sets: {sorted(shared)[:3]}")
    return main | extra


def _subset(oof: FoldScores, idx: range) -> FoldScores:
    return FoldScores([oof.scores[i] for i in idx], [oof.removed[i] for i in idx], [oof.rank_ms[i] for i in idx])


def _cv_summary(cv: dict[str, Any], seed: int) -> dict[str, Any]:
    keys = ("folds", "questions", "p_at_1", "r_at_5", "mrr_at_10", "candidate_recall", "ranker_ms_median")
    return {k: cv[k] for k in keys} | {"by": "article", "seed": seed}


def collected_extra(extra: ExtraQuestions) -> list[Collected]:
    """Return the extra training questions collected over an index of their own docs, as SQuAD's are."""
    items, _ = collected_questions(extra.docs, extra.questions, None, extra.cache, extra.data, extra.split)
    if not any(it.correct.any() for it in items):
        raise NewsbotError(f"{extra.questions}: no question of split {extra.split!r} has a right candidate")
    return items


def _also_provenance(args: argparse.Namespace) -> str:
    if not args.also_questions:
        return ""
    split = f" (split {args.also_split})" if args.also_split else ""
    return f"{args.also_questions}{split} over {args.also_docs}"


def train(
    items: Sequence[Collected],
    folds: int,
    seed: int,
    out: Path,
    command: str,
    index_seconds: float,
    also: Sequence[Collected] = (),
    also_provenance: str = "",
) -> dict[str, Any]:
    """Cross-validate, calibrate the no-answer model, train on all, write the ranker; return its meta. With
    `also` (questions over another corpus), those are folded by their own articles beside `items`, trained on
    and calibrated on with them; the `cv` figures stay those of `items` alone (`cv_also`: of `also`)."""
    lgb = import_lightgbm()  # only for its version here

    every = [*items, *also]
    fold_of = joint_folds(items, also, folds, seed) if also else None
    oof, _ = out_of_fold_scores(every, folds, seed, log=_log, fold_of=fold_of)
    mine = range(len(items))
    cv = report(items, "learned", folds, seed, index_seconds, oof=_subset(oof, mine) if also else oof)
    no_answer = calibrate_no_answer(every, oof)
    _log(f"no-answer calibration (out of fold): {no_answer.calibration}")
    booster = train_booster(every)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "format_version": FORMAT_VERSION,
        "model": "LightGBM lambdarank (gradient-boosted trees), grouped by question",
        "lightgbm_version": lgb.__version__,
        "features": list(RANKER_FEATURES),
        "feature_groups": {g: list(n) for g, n in FEATURE_GROUPS.items()},
        "params": LGB_PARAMS,
        "rounds": NUM_ROUNDS,
        "training_command": command,
        "data": PROVENANCE + (f"; {also_provenance}" if also else ""),
        "trained_on": {
            "questions": sum(1 for it in every if it.answerable and it.correct.any()),
            "candidates_per_question_median": int(sorted(len(it.correct) for it in every)[len(every) // 2]),
        },
        "cv": _cv_summary(cv, seed),
        "no_answer": {
            "features": list(NO_ANSWER_FEATURES),
            "weights": [round(float(w), 8) for w in no_answer.weights],
            "threshold": round(no_answer.threshold, 6),
            "bounds": {
                "low": [round(float(v), 6) for v in no_answer.bounds[0]],
                "high": [round(float(v), 6) for v in no_answer.bounds[1]],
            }
            if no_answer.bounds is not None
            else {"low": [], "high": []},
            "how": (
                "logistic regression over the evidence in `features` (the shape of the learned scores, then "
                "the best candidate's own features: `top_` + a ranker feature), each clipped to `bounds` (its "
                "1st and 99th percentiles in training), fitted on out-of-fold ranker "
                "scores: answerable questions whose first answer is right, against the same questions with "
                "their paragraph removed from the candidates and from the term counts; the threshold on its "
                "probability is the highest that hides the right first answer of at most "
                f"{P_AT_1_BUDGET:.1%} of the answerable questions"
            ),
            "calibration": no_answer.calibration,
        },
    }
    if also:
        meta["trained_on"]["also_questions"] = sum(1 for it in also if it.answerable and it.correct.any())
        also_idx = range(len(items), len(every))
        cv_also = report(also, "learned", folds, seed, index_seconds, oof=_subset(oof, also_idx))
        meta["cv_also"] = _cv_summary(cv_also, seed)
    model_tmp = out / (MODEL_FILE + ".tmp")
    booster.save_model(str(model_tmp))
    os.replace(model_tmp, out / MODEL_FILE)
    meta_tmp = out / (META_FILE + ".tmp")
    meta_tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    os.replace(meta_tmp, out / META_FILE)
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    """Run the trainer; return the exit code."""
    p = argparse.ArgumentParser(prog="python -m index.evaluation.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", required=True, type=Path, help="docs.jsonl: doc_id, title, text")
    p.add_argument("--questions", required=True, type=Path, help="questions.jsonl: id, question, doc_id, answers")
    p.add_argument("--folds", type=int, default=4, help="cross-validation folds, by article (default 4)")
    p.add_argument("--seed", type=int, default=13, help="seed of the fold assignment (default 13)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--out", type=Path, default=RANKER_DIR, help="where to write model.txt and meta.json")
    p.add_argument("--cache", type=Path, help="keep the gathered candidates and features in this file")
    p.add_argument("--data", type=Path, help="index into (or reuse) this data folder instead of a temporary one")
    p.add_argument("--ablation", action="store_true", help="print the ablation table; write nothing")
    p.add_argument("--news-docs", type=Path, help="with --ablation: also score every row on these news docs...")
    p.add_argument("--news-questions", type=Path, help="... and these questions (the ranker is chosen on news)")
    p.add_argument("--news-data", type=Path, help="index the news docs into (or reuse) this data folder")
    p.add_argument("--also-docs", type=Path, help="train on questions over these docs too (with --also-questions)")
    p.add_argument("--also-questions", type=Path, help="... these questions (over --also-docs) ...")
    p.add_argument("--also-split", help="... only those whose \"split\" is this one (e.g. train)")
    p.add_argument("--also-data", type=Path, help="index the --also-docs into (or reuse) this data folder")
    p.add_argument("--also-cache", type=Path, help="keep their gathered candidates and features in this file")
    args = p.parse_args(argv)
    if (args.also_docs is None) != (args.also_questions is None):
        p.error("--also-docs and --also-questions go together")
    if args.also_questions and args.ablation:
        p.error("--also-* trains a ranker; it does not go with --ablation")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    items, index_seconds = collected_questions(args.docs, args.questions, args.limit, args.cache, args.data)
    if args.ablation:
        news = collected_news(args.news_docs, args.news_questions, args.news_data) if args.news_questions else []
        print(ablation_table(ablation(items, args.folds, args.seed, index_seconds, news)))
        return 0
    given = argv if argv is not None else sys.argv[1:]
    command = "python -m index.evaluation.train " + " ".join(shlex.quote(a) for a in given)
    also: list[Collected] = []
    if args.also_questions:
        extra = ExtraQuestions(args.also_docs, args.also_questions, args.also_split, args.also_data, args.also_cache)
        also = collected_extra(extra)
    meta = train(items, args.folds, args.seed, args.out, command, index_seconds, also, _also_provenance(args))
    cv = meta["cv"]
    print(
        f"cross-validated by article over {cv['folds']} folds: P@1 {cv['p_at_1']:.3f}  "
        f"R@5 {cv['r_at_5']:.3f}  "
        f"MRR@10 {cv['mrr_at_10']:.3f}  candidate recall {cv['candidate_recall']:.3f}"
    )
    if "cv_also" in meta:
        ca = meta["cv_also"]
        print(f"the --also questions, cross-validated by their articles: P@1 {ca['p_at_1']:.3f}  "
              f"R@5 {ca['r_at_5']:.3f}  MRR@10 {ca['mrr_at_10']:.3f}  ({ca['questions']} questions)")
    print(f"no-answer threshold {meta['no_answer']['threshold']:.4f}: {meta['no_answer']['calibration']}")
    print(f"wrote {args.out / MODEL_FILE} and {args.out / META_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
