"""Three of issue 21's side-by-side measurements of the reader, over the candidates `index.evaluation.reader gather`
saved (newsbot's top 20 of each question, with its scores, and the question's article):

- `halves`: the train split's articles in two halves (seeded), each written as its own gathered file whose other
  half is split "other", so that `reader train --data pilot` learns one half and `reader measure --split other`
  scores the other: every train question gets a reader score from a reader that never saw its article.
- `stack`: the reader's logit as a feature of a learned ranker. LightGBM lambdarank over newsbot's top N (its
  score, rank and gaps, the reader's logit, rank and gaps, whether the candidate shares the first candidate's
  article), trained on the train split with those out-of-fold scores and measured on the validation split (and on
  a measure-only set: polnear-qa) against the fixed weight the shipped reader uses.
- `neighbours`: the gathered file with each passage's text followed by its article's previous and next sentence
  ("sentence || previous next", read from the kept index), to train and measure a reader that reads the
  neighbours with the candidate.
- `paired`: two readers' scores of the same candidates side by side (alone, fused by rank, added to the score).
- `parts`: the question read in its parts: for a question that opens with context and then asks, the reader reads
  only the ask (its last sentence).

Lab code: it imports the engine's modules; the engine never imports it. Figures: bench/RESULTS.md, "The reader's
score as a feature, the question in parts, the neighbours"."""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.evaluation.reader import fused_order, load_reader, one_thread, reader_scores, sign_test
from index.ranking.reader import WEIGHT as READER_WEIGHT
from index.reading.sentences import split_sentences

Row = dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    """Return the gathered questions of a file written by `reader gather`, as plain JSON records."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_rows(rows: Iterable[Row], path: Path) -> int:
    """Write the records as JSON lines; return how many."""
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def read_scores(*paths: Path) -> dict[str, list[float]]:
    """Return each question's reader logits from `reader measure --scores` files."""
    return {r["id"]: r["scores"] for p in paths for r in read_rows(p)}


# -- halves ------------------------------------------------------------------------------------------------------


def halves(rows: Sequence[Row], seed: int = 7) -> list[list[Row]]:
    """Return the train-split questions twice: in the first copy the questions of one half of the train articles
    (drawn with `seed`) stay "train" and the rest become "other"; in the second, the reverse."""
    docs = sorted({r["doc_id"] for r in rows if r["split"] == "train"})
    random.Random(seed).shuffle(docs)
    out = []
    for half in (set(docs[::2]), set(docs[1::2])):
        out.append([{**r, "split": "train" if r["doc_id"] in half else "other"} for r in rows if r["split"] == "train"])
    return out


# -- neighbours --------------------------------------------------------------------------------------------------


def neighbour_texts(store: Path) -> dict[int, tuple[str, str]]:
    """Return, for each stored sentence id, its article's previous and next sentence ("" at either end)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT id, article_id, text FROM sentences ORDER BY article_id, position").fetchall()
    out: dict[int, tuple[str, str]] = {}
    for i, (sid, article, _) in enumerate(rows):
        prev = rows[i - 1][2] if i > 0 and rows[i - 1][1] == article else ""
        nxt = rows[i + 1][2] if i + 1 < len(rows) and rows[i + 1][1] == article else ""
        out[sid] = (prev, nxt)
    return out


def with_neighbours(rows: Sequence[Row], around: dict[int, tuple[str, str]]) -> list[Row]:
    """Return the rows with each passage's text followed by its neighbours: "sentence || previous next" (the
    sentence first, so that truncation cuts the neighbours, not the sentence). A passage the index does not hold
    raises KeyError: the gathered file and the index must be the same build."""
    def one(p: Row) -> Row:
        prev, nxt = around[p["id"]]
        return {**p, "text": " ".join([p["text"], "||", *(t for t in (prev, nxt) if t)])}

    return [{**r, "candidates": [one(p) for p in r["candidates"]], "article": [one(p) for p in r["article"]]}
            for r in rows]


# -- the question in parts ---------------------------------------------------------------------------------------

def ask_part(question: str) -> str | None:
    """Return the ask of a question that opens with context ("The council voted … . In which month …?"): its
    last sentence, as newsbot splits an article's; None for a question of one sentence."""
    parts = split_sentences(question.strip())
    return parts[-1].text if len(parts) > 1 else None


# -- stacking ----------------------------------------------------------------------------------------------------

QuestionSet = tuple[np.ndarray, np.ndarray]  # one question's candidate features and labels
FEATURES = ("score", "rank", "score_gap", "score_vs_mean", "logit", "logit_rank", "logit_gap", "logit_vs_mean",
            "same_article_as_first")


def candidate_features(row: Row, logits: Sequence[float], n: int) -> QuestionSet:
    """Return the features (FEATURES, one row per candidate of newsbot's top n) and the labels of a question."""
    cands = row["candidates"][:n]
    k = min(len(cands), len(logits))
    s = np.asarray(row["scores"][:k], dtype=float)
    z = np.asarray(logits[:k], dtype=float)
    z_rank = np.argsort(np.argsort(-z, kind="stable"), kind="stable")
    first = cands[0]["doc_id"]
    x = np.column_stack([s, np.arange(k), s - s[0], s - s.mean(), z, z_rank, z - z.max(), z - z.mean(),
                         [float(c["doc_id"] == first) for c in cands[:k]]])
    return x, np.asarray([int(c["right"]) for c in cands[:k]])


def question_sets(rows: Sequence[Row], scores: dict[str, list[float]], n: int) -> list[QuestionSet]:
    """Return (features, labels) of every question with candidates and reader scores."""
    return [candidate_features(r, scores[r["id"]], n) for r in rows if r["candidates"] and r["id"] in scores]


def firsts_right(sets: Sequence[QuestionSet], score: Callable[[np.ndarray], np.ndarray]) -> list[bool]:
    """Return, for each question, whether the candidate the scoring puts first is right."""
    return [bool(y[int(np.argmax(score(x)))]) for x, y in sets]


def fixed_weight(weight: float) -> Callable[[np.ndarray], np.ndarray]:
    """Return the shipped combination: newsbot's score plus `weight` times the reader's logit."""
    return lambda x: x[:, 0] + weight * x[:, 4]


def train_stack(sets: Sequence[QuestionSet], seed: int, leaves: int = 3,
                rounds: int = 100) -> Callable[[np.ndarray], np.ndarray]:
    """Return a lambdarank model's scoring over the question sets (grouped by question)."""
    import lightgbm as lgb

    params = {"objective": "lambdarank", "num_leaves": leaves, "learning_rate": 0.05, "min_data_in_leaf": 20,
              "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": seed, "verbose": -1,
              "lambdarank_truncation_level": 10, "num_threads": 1, "deterministic": True}
    data = lgb.Dataset(np.vstack([x for x, _ in sets]), np.concatenate([y for _, y in sets]),
                       group=[len(y) for _, y in sets])
    model = lgb.train(params, data, rounds)
    return lambda x: np.asarray(model.predict(x))


def compare(base: Sequence[bool], new: Sequence[bool]) -> str:
    """Return "P@1 (wins/losses against the base, sign-test p)"."""
    wins = sum(b and not a for a, b in zip(base, new, strict=True))
    losses = sum(a and not b for a, b in zip(base, new, strict=True))
    return f"{np.mean(new):.3f} ({wins}/{losses}, p {sign_test(wins, losses):.2g})"


def stack_report(train: Sequence[QuestionSet],
                 measured: Mapping[str, Sequence[QuestionSet]], seeds: Sequence[int] = (1, 2, 3),
                 weight: float = READER_WEIGHT) -> list[str]:
    """Return a table: on each measured set, newsbot's order, the reader alone, the fixed weight and the stacked
    ranker (three seeds; wins and losses of the first seed against the fixed weight)."""
    lines = ["| order | " + " | ".join(measured) + " |", "|---|" + "---:|" * len(measured)]
    fixed = {name: firsts_right(s, fixed_weight(weight)) for name, s in measured.items()}
    rows: list[tuple[str, dict[str, str]]] = [
        ("newsbot's order", {k: f"{np.mean(firsts_right(s, lambda x: -x[:, 1])):.3f}" for k, s in measured.items()}),
        ("the reader alone", {k: f"{np.mean(firsts_right(s, lambda x: x[:, 4])):.3f}" for k, s in measured.items()}),
        (f"score + {weight} × logit (shipped)", {k: f"{np.mean(v):.3f}" for k, v in fixed.items()}),
    ]
    models = [train_stack(train, seed) for seed in seeds]
    stacked = {}
    for name, s in measured.items():
        runs = [firsts_right(s, m) for m in models]
        means = [float(np.mean(r)) for r in runs]
        stacked[name] = f"{compare(fixed[name], runs[0])}; seeds {min(means):.3f}-{max(means):.3f}"
    rows.append(("stacked (lambdarank, 3 leaves, 100 trees)", stacked))
    lines += [f"| {label} | " + " | ".join(cells[k] for k in measured) + " |" for label, cells in rows]
    return lines


def parts_report(rows: Sequence[Row], scores: dict[str, list[float]], reader: Any, n: int = 10,
                 weight: float = READER_WEIGHT) -> dict[str, Any]:
    """Return, over the questions that open with context, P@1 of the reader reading the whole question against
    reading only the ask, alone and added to newsbot's score."""
    out = {"questions": 0, "newsbot": 0, "whole alone": 0, "ask alone": 0, "whole added": 0, "ask added": 0}
    for r in rows:
        ask = ask_part(r["question"])
        if ask is None or not r["candidates"] or r["id"] not in scores:
            continue
        cands = r["candidates"][:n]
        right = [c["right"] for c in cands]
        s = np.asarray(r["scores"][: len(cands)])
        whole = np.asarray(scores[r["id"]][: len(cands)])
        only = reader_scores(reader, ask, [c["text"] for c in cands])
        out["questions"] += 1
        out["newsbot"] += right[0]
        out["whole alone"] += right[int(np.argmax(whole))]
        out["ask alone"] += right[int(np.argmax(only))]
        out["whole added"] += right[int(np.argmax(s + weight * whole))]
        out["ask added"] += right[int(np.argmax(s + weight * only))]
    return out


def paired_report(rows: Sequence[Row], before: dict[str, list[float]], after: dict[str, list[float]],
                  n: int = 10, weight: float = READER_WEIGHT) -> list[str]:
    """Return, for two readers' scores of the same candidates, P@1 of each alone, fused by rank with newsbot's
    order and added to its score, with the second's wins and losses against the first."""
    orders: dict[str, Callable[[np.ndarray, np.ndarray], int]] = {
        "alone": lambda s, z: int(np.argmax(z)),
        "rank fusion": lambda s, z: int(fused_order(z)[0]),
        f"score + {weight} × logit": lambda s, z: int(np.argmax(s + weight * z)),
    }
    lines = []
    for name, first in orders.items():
        a, b = [], []
        for r in rows:
            cands = r["candidates"][:n]
            if not cands or r["id"] not in before or r["id"] not in after:
                continue
            s = np.asarray(r["scores"][: len(cands)], dtype=float)
            a.append(bool(cands[first(s, np.asarray(before[r["id"]][: len(cands)]))]["right"]))
            b.append(bool(cands[first(s, np.asarray(after[r["id"]][: len(cands)]))]["right"]))
        lines.append(f"{name}: {np.mean(a):.3f} -> {compare(a, b)}")
    return lines


# -- the command line --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m index.evaluation.reader_lab", description=__doc__)
    sub = p.add_subparsers(dest="step", required=True)
    h = sub.add_parser("halves", help="the train split in two halves by article")
    h.add_argument("--gathered", type=Path, required=True)
    h.add_argument("--out", type=Path, required=True, help="a folder: half-1.jsonl and half-2.jsonl are written")
    h.add_argument("--seed", type=int, default=7)
    nb = sub.add_parser("neighbours", help="passages followed by their neighbours")
    nb.add_argument("--gathered", type=Path, required=True)
    nb.add_argument("--index", type=Path, required=True, help="the kept index the candidates were gathered from")
    nb.add_argument("--split", help="keep only this split")
    nb.add_argument("--out", type=Path, required=True)
    st = sub.add_parser("stack", help="the reader's logit as a feature of a learned ranker")
    st.add_argument("--gathered", type=Path, required=True, help="train and validation questions")
    st.add_argument("--train-scores", type=Path, nargs="+", required=True, help="out-of-fold reader scores")
    st.add_argument("--scores", type=Path, required=True, help="the reader's scores of the validation questions")
    st.add_argument("--also", nargs=2, type=Path, metavar=("GATHERED", "SCORES"), help="a measure-only set")
    st.add_argument("-n", type=int, default=10, help="newsbot's best candidates the reader reads")
    pa = sub.add_parser("parts", help="the reader reads only the ask of questions that open with context")
    pa.add_argument("--gathered", type=Path, required=True)
    pa.add_argument("--scores", type=Path, required=True, help="the same reader's scores of the whole questions")
    pa.add_argument("--reader", type=Path, required=True)
    pa.add_argument("--split", default="validation")
    pr = sub.add_parser("paired", help="two readers' scores of the same candidates, side by side")
    pr.add_argument("--gathered", type=Path, required=True)
    pr.add_argument("--before", type=Path, required=True)
    pr.add_argument("--after", type=Path, required=True)
    pr.add_argument("--split", default="validation")
    args = p.parse_args(argv)

    if args.step == "halves":
        args.out.mkdir(parents=True, exist_ok=True)
        for i, rows in enumerate(halves(read_rows(args.gathered), args.seed), 1):
            write_rows(rows, args.out / f"half-{i}.jsonl")
            print(f"half {i}: {sum(r['split'] == 'train' for r in rows)} train questions, the rest 'other'")
        return 0
    if args.step == "neighbours":
        rows = [r for r in read_rows(args.gathered) if args.split is None or r["split"] == args.split]
        print(write_rows(with_neighbours(rows, neighbour_texts(args.index / "newsbot.sqlite3")), args.out),
              "questions written to", args.out)
        return 0
    if args.step == "stack":
        rows = read_rows(args.gathered)
        train = question_sets([r for r in rows if r["split"] == "train"], read_scores(*args.train_scores), args.n)
        measured = {"validation": question_sets([r for r in rows if r["split"] == "validation"],
                                                read_scores(args.scores), args.n)}
        if args.also:
            measured[args.also[0].stem] = question_sets(read_rows(args.also[0]), read_scores(args.also[1]), args.n)
        print(f"trained on {len(train)} questions; the reader reads newsbot's best {args.n}")
        print("\n".join(stack_report(train, measured)))
        return 0
    rows = [r for r in read_rows(args.gathered) if r["split"] == args.split]
    if args.step == "paired":
        print("\n".join(paired_report(rows, read_scores(args.before), read_scores(args.after))))
        return 0
    one_thread()
    print(json.dumps(parts_report(rows, read_scores(args.scores), load_reader(args.reader))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
