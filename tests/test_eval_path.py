"""`newsbot eval` measures what `newsbot ask` answers: for each question, the ranked sentences eval scores are
exactly those `ask --json` returns (speaker boost, small-talk guard and copy collapsing included), because eval
calls `Engine.answer` itself. Baseline rankings go through the same path with their ranker swapped in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.encoder import Encoder
from index.evaluation.dataset import Question
from index.evaluation.evaluate import EVAL_K, EvalOptions, evaluate
from index.model import Answer
from index.settings import Settings

SEED = Path(__file__).resolve().parent.parent / "corpus" / "derna.txt"
WIRE = (
    "The Libyan air force said on Tuesday that its jets had struck ISIS positions near the port of Derna overnight."
)
ARTICLES = {
    "derna": ("ISIS holds Derna", SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1]),
    "wire-a": (
        "Libya strikes back",
        f"{WIRE} Residents reported explosions before dawn.\n\nThe government in Tobruk welcomed the raids.",
    ),
    "wire-b": (
        "Air raids on Derna",
        f"Officials gave no casualty figures. {WIRE}\n\nThe harbour has been closed to shipping since March.",
    ),
}
QUESTIONS = [
    ("What did Noman Benotman say?", "derna", "Raqqa"),
    ("Did the air force strike ISIS positions near the port of Derna?", "wire-a", "port of Derna"),
    ("How far is Crete from Derna?", "derna", "211 miles"),
    ("How many people live in Derna?", "derna", "100,000"),
    ("When was the harbour closed to shipping?", "wire-b", "March"),
    ("thanks!", "derna", "nothing"),
]


def write_eval(folder: Path) -> tuple[Path, Path]:
    """Write the small corpus and its questions as eval JSONL; return the two paths."""
    docs, qs = folder / "docs.jsonl", folder / "questions.jsonl"
    docs.write_text(
        "".join(json.dumps({"doc_id": d, "title": t, "text": x}) + "\n" for d, (t, x) in ARTICLES.items()),
        encoding="utf-8",
    )
    qs.write_text(
        "".join(
            json.dumps({"id": str(i), "question": q, "doc_id": d, "answers": [a]}) + "\n"
            for i, (q, d, a) in enumerate(QUESTIONS)
        ),
        encoding="utf-8",
    )
    return docs, qs


def ranked(answer: dict) -> list[tuple[str, str]]:
    """Return an `ask --json` answer's sentences with their article, best first."""
    return [(a["sentence"], a["source"]["doc_id"]) for a in answer["answers"]]


def eval_answers(docs: Path, qs: Path, settings: Settings, ranker: str = "default") -> tuple[dict, dict[str, dict]]:
    """Return the eval report and the answer eval scored for each question (as `ask --json` would print it)."""
    seen: dict[str, dict] = {}

    def keep(q: Question, answer: Answer) -> None:
        seen[q.question] = answer.to_json()

    report = evaluate(docs, qs, EvalOptions(ranker=ranker), settings=settings, on_answer=keep)
    return report, seen


def check_the_answers(evaluated: dict[str, dict], asked: dict[str, dict]) -> None:
    """Assert that eval scored exactly what ask returned, and that boost, guard and collapsing were in it."""
    assert set(evaluated) == set(asked) == {q for q, _, _ in QUESTIONS}
    for q in evaluated:
        assert ranked(evaluated[q]) == ranked(asked[q]), q
        assert evaluated[q]["no_answer"] == asked[q]["no_answer"], q
    benotman = evaluated["What did Noman Benotman say?"]["answers"]
    assert benotman and benotman[0]["speaker"] == "Noman Benotman"  # the speaker boost
    assert evaluated["thanks!"]["no_answer"]  # the small-talk guard
    wire = [a for a in evaluated[QUESTIONS[1][0]]["answers"] if a["sentence"] == WIRE]
    assert len(wire) == 1 and len(wire[0]["also_in"]) == 1  # two articles' copies, one hit


def test_eval_scores_what_ask_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fake_encoder: Encoder
) -> None:
    from bot.cli import main

    monkeypatch.setattr("index.encoder.MiniLMEncoder", lambda **_: fake_encoder)  # the model is not the point
    docs, qs = write_eval(tmp_path)
    report, evaluated = eval_answers(docs, qs, Settings(data_dir=tmp_path / "unused", progress=False))
    data = str(tmp_path / "data")
    assert main(["index", str(docs), "--data", data]) == 0
    capsys.readouterr()
    asked = {}
    for q, _, _ in QUESTIONS:
        assert main(["ask", q, "--json", "-k", str(EVAL_K), "--data", data]) == 0
        asked[q] = json.loads(capsys.readouterr().out)
    check_the_answers(evaluated, asked)
    assert report["ranker"] == "learned"
    assert {k: report[k] for k in expected(asked)} == expected(asked)  # the report is about those answers


def expected(asked: dict[str, dict]) -> dict[str, float]:
    """Return P@1, R@5 and MRR@10 of the answers `ask --json` gave, scored by hand."""
    ranks = []
    for q, doc_id, answer in QUESTIONS:
        right = [d == doc_id and answer in s for s, d in ranked(asked[q])]
        ranks.append(right.index(True) if True in right else None)
    n = len(ranks)
    return {
        "n": n,
        "p_at_1": round(sum(r == 0 for r in ranks) / n, 4),
        "r_at_5": round(sum(r is not None and r < 5 for r in ranks) / n, 4),
        "mrr_at_10": round(sum(1 / (r + 1) for r in ranks if r is not None and r < 10) / n, 4),
    }


def test_a_fixed_ranking_goes_through_the_same_answer_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_encoder: Encoder
) -> None:
    monkeypatch.setattr("index.encoder.MiniLMEncoder", lambda **_: fake_encoder)
    docs, qs = write_eval(tmp_path)
    report, evaluated = eval_answers(docs, qs, Settings(progress=False), ranker="bm25")
    assert report["ranker"] == "bm25"
    assert evaluated["thanks!"]["no_answer"]
    benotman = evaluated["What did Noman Benotman say?"]["answers"]
    assert benotman[0]["speaker"] == "Noman Benotman"  # the boost applies whatever the ranking
    assert sum(a["sentence"] == WIRE for a in evaluated[QUESTIONS[1][0]]["answers"]) <= 1


@pytest.mark.slow
def test_eval_scores_what_the_newsbot_command_answers_with_the_real_model(tmp_path: Path) -> None:
    docs, qs = write_eval(tmp_path)
    data = tmp_path / "data"
    _report, evaluated = eval_answers(docs, qs, Settings(progress=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    run = [sys.executable, "-m", "bot.cli"]
    subprocess.run([*run, "index", str(docs), "--data", str(data)], check=True, env=env, capture_output=True)
    asked = {}
    for q, _, _ in QUESTIONS:
        out = subprocess.run(
            [*run, "ask", q, "--json", "-k", str(EVAL_K), "--data", str(data)],
            check=True, env=env, capture_output=True, text=True,
        ).stdout
        asked[q] = json.loads(out)
    check_the_answers(evaluated, asked)
