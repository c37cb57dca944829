"""The reader lab's measurements (index/evaluation/reader_lab.py): the train split in halves by article, passages
with their neighbours read from a real store, the ask of a question that opens with context, and a stacked ranker
that must learn what the reader's logit says. No reader is trained here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from index.evaluation.reader_lab import (
    ask_part,
    candidate_features,
    firsts_right,
    fixed_weight,
    halves,
    neighbour_texts,
    paired_report,
    train_stack,
    with_neighbours,
)


def _row(qid: str, doc: str, split: str, texts: list[str] | None = None, right: int = -1) -> dict:
    texts = texts or ["a", "b"]
    cands = [{"id": i + 1, "doc_id": doc, "position": i, "text": t, "right": i == right} for i, t in enumerate(texts)]
    return {"id": qid, "question": "q?", "doc_id": doc, "split": split, "candidates": cands,
            "scores": [float(len(texts) - i) for i in range(len(texts))], "article": cands}


def test_halves_split_the_train_articles_and_leave_validation_out() -> None:
    rows = [_row(f"q{i}", f"doc{i % 6}", "train") for i in range(18)] + [_row("v", "docv", "validation")]
    first, second = halves(rows, seed=7)
    assert len(first) == len(second) == 18  # the validation question is in neither
    for a, b in zip(first, second, strict=True):
        assert a["id"] == b["id"] and {a["split"], b["split"]} == {"train", "other"}
    train_docs = [{r["doc_id"] for r in half if r["split"] == "train"} for half in (first, second)]
    assert train_docs[0].isdisjoint(train_docs[1]) and len(train_docs[0]) == len(train_docs[1]) == 3
    assert halves(rows, seed=7) == [first, second]  # seeded


def test_neighbours_come_from_the_same_article_in_order(tmp_path: Path) -> None:
    store = tmp_path / "newsbot.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE sentences (id INTEGER PRIMARY KEY, article_id INTEGER, position INTEGER, text TEXT)")
        db.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?)", [
            (1, 1, 0, "One."), (2, 1, 1, "Two."), (3, 1, 2, "Three."), (4, 2, 0, "Other one."), (5, 2, 1, "Other two."),
        ])
    around = neighbour_texts(store)
    assert around[2] == ("One.", "Three.")
    assert around[3] == ("Two.", "")  # the article's last sentence: nothing after it, not the next article's
    assert around[4] == ("", "Other two.")
    row = _row("q", "d", "validation", ["Two.", "Other one."])
    row["candidates"][0]["id"], row["candidates"][1]["id"] = 2, 4
    out = with_neighbours([row], around)[0]
    assert [c["text"] for c in out["candidates"]] == ["Two. || One. Three.", "Other one. || Other two."]
    assert row["candidates"][0]["text"] == "Two."  # the input is left as it was


def test_the_ask_of_a_question_that_opens_with_context() -> None:
    quiz = "A harbour council voted this week to shut its pier. In which month will it close?"
    assert ask_part(quiz) == "In which month will it close?"
    assert ask_part("In which month will the pier close?") is None
    assert ask_part("What did Mr. Smith say?") is None  # an abbreviation is not a sentence's end


def test_a_stacked_ranker_learns_what_the_logit_says() -> None:
    rng = np.random.default_rng(3)
    sets = []
    for q in range(300):  # newsbot's order is wrong; the reader's logit is high on the right candidate only
        right = int(rng.integers(1, 8))
        row = _row(f"q{q}", "d", "train", [f"s{i}" for i in range(8)], right=right)
        logits = rng.normal(0, 1, 8)
        logits[right] += 4.0
        sets.append(candidate_features(row, list(logits), n=8))
    x, y = sets[0]
    assert x.shape == (8, 9) and y.sum() == 1
    assert np.mean(firsts_right(sets, lambda x: -x[:, 1])) == 0.0  # newsbot's first is never right here
    stacked = train_stack(sets[:200], seed=1)
    assert np.mean(firsts_right(sets[200:], stacked)) > 0.9
    assert np.mean(firsts_right(sets[200:], fixed_weight(0.7))) < np.mean(firsts_right(sets[200:], stacked))


def test_two_readers_side_by_side_count_wins_and_losses() -> None:
    rows = [_row("a", "d", "validation", ["x", "y", "z"], right=2), _row("b", "d", "validation", ["x", "y"], right=0)]
    before = {"a": [1.0, 0.0, 0.0], "b": [1.0, 0.0]}  # right on b only
    after = {"a": [0.0, 0.0, 9.0], "b": [0.0, 9.0]}  # right on a only
    lines = paired_report(rows, before, after)
    assert lines[0] == "alone: 0.500 -> 0.500 (1/1, p 1)"
    assert lines[2].startswith("score + 0.7 × logit: 0.500 -> 0.500 (1/1")  # 9 × 0.7 outweighs newsbot's order
