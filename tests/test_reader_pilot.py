"""The reader pilot's data (index/evaluation/reader.py): candidates and article sentences gathered through the
answer path, the training pairs built from them and from SQuAD-style paragraphs, the rank fusion and the sign test.
No reader is trained here."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.encoder import Encoder
from index.engine import Engine
from index.evaluation.reader import (
    fused_order,
    gather,
    load_gathered,
    pair_groups,
    pilot_pairs,
    read_pilot,
    save_gathered,
    sign_test,
    squad_pairs,
    tops,
    train_questions,
)
from index.settings import Settings

HARBOUR = (
    "A harbour council voted on Monday to shut its ninety-year-old ferry pier.\n\n"
    "The council said the pier had become unsafe after the winter storms.\n\n"
    "The pier will close in March, the harbour master said.\n\n"
    "Ferries will use the new terminal across the bay from April.\n\n"
    "Local traders said they feared losing visitors.\n\n"
    "About 300 people signed a petition to keep the pier open."
)
MISSION = (
    "A spacecraft left Earth on Tuesday for a seven-year trip to Jupiter's moons.\n\n"
    "The probe carries ten instruments and weighs six tonnes.\n\n"
    "The mission, called Juice, is led by the European Space Agency.\n\n"
    "It will make flybys of Earth and Venus on the way.\n\n"
    "Scientists hope to learn whether the moons' oceans could host life."
)
QUESTIONS = [
    {"id": "t1", "question": "A harbour council voted to shut its old ferry pier. In which month will it close?",
     "doc_id": "toy:harbour", "answers": ["close in March"], "type": "quiz", "split": "train"},
    {"id": "t2", "question": "How many people signed the petition?", "doc_id": "toy:harbour",
     "answers": ["About 300 people"], "type": "how_many", "split": "train"},
    {"id": "t3", "question": "What is the name of the mission to Jupiter's moons?", "doc_id": "toy:mission",
     "answers": ["called Juice"], "type": "what", "split": "validation"},
]


@pytest.fixture
def toy(tmp_path: Path, settings: Settings, fake_encoder: Encoder) -> tuple[Engine, Path]:
    """Return an engine (fake encoder, shipped ranker) over the two toy articles, and the questions file."""
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in (
        {"doc_id": "toy:harbour", "title": "Harbour council to shut ferry pier", "text": HARBOUR},
        {"doc_id": "toy:mission", "title": "Spacecraft leaves for Jupiter", "text": MISSION},
    )), encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([docs])
    return engine, questions


def test_gather_marks_right_sentences_and_keeps_type_and_split(toy: tuple[Engine, Path], tmp_path: Path) -> None:
    engine, questions = toy
    with engine:
        items = gather(engine, read_pilot(questions), n=5)
    assert [(g.id, g.qtype, g.split) for g in items] == [("t1", "quiz", "train"), ("t2", "how_many", "train"),
                                                         ("t3", "what", "validation")]
    quiz = items[0]
    assert len(quiz.article) == 6 and [p.position for p in quiz.article] == list(range(6))
    assert [p.text for p in quiz.article if p.right] == ["The pier will close in March, the harbour master said."]
    assert 0 < len(quiz.candidates) <= 5 and len(quiz.scores) == len(quiz.candidates)
    assert all(p.right == (p.doc_id == "toy:harbour" and "close in March" in p.text) for p in quiz.candidates)
    saved = tmp_path / "gathered.jsonl"
    save_gathered(items, saved)
    assert load_gathered(saved) == items


def test_pilot_pairs_are_train_split_positives_and_about_six_negatives_each(toy: tuple[Engine, Path]) -> None:
    engine, questions = toy
    with engine:
        items = gather(engine, read_pilot(questions), n=5)
    pairs = pilot_pairs(items, seed=1, neg_per_pos=3)
    assert {q for q, _, _ in pairs} == {QUESTIONS[0]["question"], QUESTIONS[1]["question"]}  # no validation
    for item in items[:2]:
        mine = [(t, y) for q, t, y in pairs if q == item.question]
        positives = [t for t, y in mine if y == 1.0]
        negatives = [t for t, y in mine if y == 0.0]
        assert positives == [p.text for p in item.article if p.right] and len(positives) == 1
        assert len(negatives) == 3 and len(set(negatives)) == 3
        assert not any(a in t for t in negatives for a in item.answers)
        hard = [p.text for p in item.candidates if not p.right]
        assert negatives[0] == hard[0]  # newsbot's best wrong candidate comes first
    assert pilot_pairs(items, seed=1, neg_per_pos=3) == pairs  # seeded


def test_squad_pairs_take_negatives_from_the_same_paragraph(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in (
        {"doc_id": "Harbour#0", "title": "Harbour", "text": HARBOUR.replace("\n\n", " ")},
        {"doc_id": "Mission#0", "title": "Mission", "text": MISSION.replace("\n\n", " ")},
    )), encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({**q, "doc_id": d}) + "\n" for q, d in (
        (QUESTIONS[0], "Harbour#0"), (QUESTIONS[2], "Mission#0"))), encoding="utf-8")
    pairs = squad_pairs(docs, questions, seed=3, limit=10, neg_per_pos=2)
    assert sorted(t for _, t, y in pairs if y == 1.0) == [
        "The mission, called Juice, is led by the European Space Agency.",
        "The pier will close in March, the harbour master said."]
    assert len(pairs) == 6
    for q, t, y in pairs:
        own = HARBOUR if "harbour" in q else MISSION
        assert t in own and (y == 1.0) == ("close in March" in t or "called Juice" in t)
    kept = squad_pairs(docs, questions, seed=3, limit=10, neg_per_pos=2, exclude_articles={"Harbour"})
    assert {q for q, _, _ in kept} == {QUESTIONS[2]["question"]} and len(kept) == 3


def test_fused_order_and_sign_test() -> None:
    # the reader's favourite (index 3) beats newsbot's first only when it is also high in newsbot's order
    assert fused_order(np.array([0.0, 5.0, 1.0, 9.0]))[0] == 1
    assert fused_order(np.array([9.0, 5.0, 1.0, 0.0]))[0] == 0
    assert sign_test(0, 0) == 1.0 and sign_test(5, 5) == 1.0
    assert sign_test(10, 0) == pytest.approx(2 / 1024, abs=1e-4)


def test_pair_groups_put_each_positive_first_with_its_share_of_negatives() -> None:
    pairs = [("q1", "p1", 1.0), ("q1", "p2", 1.0), *[("q1", f"n{i}", 0.0) for i in range(4)],
             ("q2", "p3", 1.0), ("q2", "m1", 0.0), ("q3", "m2", 0.0)]
    groups = pair_groups(pairs, seed=2)
    assert [pairs[g[0]][1] for g in groups] == ["p1", "p2", "p3"]  # q3 has no positive: no group
    assert all(pairs[i][2] == 0.0 and pairs[i][0] == pairs[g[0]][0] for g in groups for i in g[1:])
    assert sorted(i for g in groups[:2] for i in g[1:]) == [2, 3, 4, 5] and [len(g) for g in groups] == [3, 3, 2]


def test_measure_only_questions_are_never_trained_on_and_train_questions_subsample(
    toy: tuple[Engine, Path], tmp_path: Path
) -> None:
    engine, questions = toy
    unsplit = tmp_path / "unsplit.jsonl"
    unsplit.write_text("".join(json.dumps({k: v for k, v in q.items() if k != "split"}) + "\n" for q in QUESTIONS),
                       encoding="utf-8")
    assert [s for _, _, s in read_pilot(unsplit, "test")] == ["test"] * 3
    assert [s for _, _, s in read_pilot(questions, "test")] == ["train", "train", "validation"]
    with engine:
        items = gather(engine, read_pilot(questions), n=5)
    assert [g.id for g in train_questions(items)] == ["t1", "t2"]
    one = train_questions(items, limit=1, seed=4)
    assert len(one) == 1 and one == train_questions(items, limit=1, seed=4)
    assert {q for q, _, _ in pilot_pairs(items, seed=1, limit=1)} == {one[0].question}
    polnear = [replace(g, doc_id="polnear/train/x") for g in items]
    with pytest.raises(ValueError, match="measure-only"):
        pilot_pairs(polnear, seed=1)
    # reading only newsbot's top 10 leaves out the orders over 20
    assert set(tops(items[0], np.zeros(min(10, len(items[0].candidates))), n_max=10)) == {
        "newsbot", "reader@10", "fused@10"}
