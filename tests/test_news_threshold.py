"""The "nothing relevant" threshold tuned for news (issue 11): the highest that turns down at most 2 % of answerable
news questions, kept in the ranker's meta.json beside SQuAD's, which stays for questions naming something the
corpus never mentions; and the calibration command, run through the answer path with the real model over real
SQLite and FAISS files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from index.engine import Engine
from index.evaluation.calibrate import Evidence, calibrate, main, news_threshold, refused
from index.evaluation.dataset import Question
from index.ranking.base import Candidate
from index.ranking.features import CorpusView
from index.ranking.learned import META_FILE, RANKER_DIR, load_ranker
from index.store import Store


def test_the_news_threshold_is_the_highest_within_the_budget() -> None:
    items = [Evidence(p, False) for p in (0.01, 0.02, 0.03, 0.30, 0.50)] + [Evidence(0.5, False)] * 95
    # 100 questions, 2 % may be refused: 0.01 and 0.02 go, 0.03 stays, so the threshold is 0.03
    assert news_threshold(items, strict=0.2, budget=0.02) == 0.03
    assert refused(items, 0.03, 0.2) == 2
    assert news_threshold(items, strict=0.2, budget=0.0) == 0.01  # nothing refused: the lowest p itself
    assert news_threshold(items, strict=0.025, budget=0.5) == 0.025  # never above SQuAD's own threshold


def test_a_question_naming_what_the_corpus_never_mentions_keeps_the_strict_threshold() -> None:
    # a name never seen is refused below the strict threshold whatever the news threshold
    items = [Evidence(0.1, True)] + [Evidence(0.5, False)] * 99
    assert news_threshold(items, strict=0.2, budget=0.0) == 0.0  # the unseen-name question is refused anyway
    assert refused(items, 0.05, strict=0.2) == 1
    assert refused([Evidence(0.1, False)], 0.05, strict=0.2) == 0


def _top(p: float, unseen: float) -> Candidate:
    """Return a scored best candidate carrying only the evidence the decision reads."""
    return Candidate(0, None, 0.0, 0.0, None, None,  # type: ignore[arg-type]
                     features={"p_answerable": p, "q_unseen_names": unseen})


def test_the_ranker_turns_down_by_the_news_threshold_unless_a_name_is_unseen(
    ranker_copy: Path, tmp_path: Path
) -> None:
    meta = json.loads((ranker_copy / META_FILE).read_text())
    strict = meta["no_answer"]["threshold"]
    meta["no_answer"]["news_threshold"] = {"value": strict / 4}
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    store = Store(tmp_path / "s.sqlite3")
    ranker = load_ranker(CorpusView(store, 64), ranker_copy)
    between = strict / 2
    assert ranker.is_relevant(0.0, _top(between, 0.0))  # above the news threshold: answered
    assert not ranker.is_relevant(0.0, _top(between, 1.0))  # names something never mentioned: SQuAD's applies
    assert not ranker.is_relevant(0.0, _top(strict / 8, 0.0))
    del meta["no_answer"]["news_threshold"]  # a ranker calibrated before: SQuAD's threshold for every question
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    older = load_ranker(CorpusView(store, 64), ranker_copy)
    assert not older.is_relevant(0.0, _top(between, 0.0))
    store.close()


def test_the_shipped_ranker_carries_a_news_threshold_within_its_budget() -> None:
    meta = json.loads((RANKER_DIR / META_FILE).read_text())
    news = meta["no_answer"]["news_threshold"]
    assert 0.0 < news["value"] <= meta["no_answer"]["threshold"]
    assert news["answerable_refused"] <= news["budget"] == 0.02
    assert news["command"].startswith("python -m index.evaluation.calibrate")
    # tuned on our own questions (the train split of datasets/wikinews-qa), never on PolNeAR, which only checks it
    assert "datasets/wikinews-qa" in news["command"] and "--split train" in news["command"]
    assert "polnear" not in news["command"]


SEED_ASKED = [
    Question("a1", "How far is Crete from Derna?", "derna", ("211 miles",)),
    Question("a2", "How many ISIS fighters are in Derna?", "derna", ("800",)),
    Question("a3", "What did Libya's air force do?", "derna", ("air",)),
]
SEED_OFF_TOPIC = [Question("u1", "Who won the World Cup?", "derna", ()),
                  Question("u2", "What is the capital of Peru?", "derna", ())]


@pytest.mark.slow
def test_calibrating_over_the_seed_through_the_answer_path(seed_engine: Engine, ranker_copy: Path) -> None:
    ranker = load_ranker(CorpusView(seed_engine.store, seed_engine.encoder.dimension), ranker_copy)
    entry = calibrate(seed_engine, ranker, SEED_ASKED, SEED_OFF_TOPIC, budget=0.0)
    assert entry["answerable_questions"] == 3 and entry["answerable_refused"] == 0.0
    assert entry["unanswerable_questions"] == 2 and entry["unanswerable_caught"] == 1.0
    assert 0.0 < entry["value"] <= ranker.no_answer.threshold


def _seed_files(tmp_path: Path, seed_corpus: Path, splits: Sequence[str | None] = (None, None, None)) -> list[str]:
    """Write the seed article as docs.jsonl and SEED_ASKED as questions.jsonl (each with its split, if any); return
    the calibrate command's arguments for them."""
    docs = tmp_path / "docs.jsonl"
    text = (seed_corpus / "derna.txt").read_text(encoding="utf-8")
    docs.write_text(json.dumps({"doc_id": "derna", "title": "ISIS in Derna", "text": text}) + "\n")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"id": q.id, "question": q.question, "doc_id": q.doc_id,
                                             "answers": list(q.answers), **({"split": s} if s else {})}) + "\n"
                                 for q, s in zip(SEED_ASKED, splits, strict=True)))
    return ["--docs", str(docs), "--questions", str(questions), "--data", str(tmp_path / "data")]


@pytest.mark.slow
def test_the_calibrate_command_writes_the_threshold_into_meta(
    tmp_path: Path, ranker_copy: Path, seed_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_files(tmp_path, seed_corpus)
    before = json.loads((ranker_copy / META_FILE).read_text())
    assert main([*files, "--budget", "0", "--meta", str(ranker_copy / META_FILE)]) == 0
    after = json.loads((ranker_copy / META_FILE).read_text())
    news = after["no_answer"].pop("news_threshold")
    before["no_answer"].pop("news_threshold", None)
    assert after == before  # nothing else in meta.json changed
    assert news["answerable_questions"] == 3 and news["answerable_refused"] == 0.0
    assert news["unanswerable_caught"] is None and "--budget 0" in news["command"]
    assert "news threshold" in capsys.readouterr().out


@pytest.mark.slow
def test_the_calibrate_command_reads_only_the_split_it_is_given(
    tmp_path: Path, ranker_copy: Path, seed_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _seed_files(tmp_path, seed_corpus, ("train", "validation", "train"))
    assert main([*files, "--split", "train", "--budget", "0", "--meta", str(ranker_copy / META_FILE)]) == 0
    news = json.loads((ranker_copy / META_FILE).read_text())["no_answer"]["news_threshold"]
    assert news["answerable_questions"] == 2 and "--split train" in news["command"]
    assert "of 2 answerable questions" in capsys.readouterr().out


def test_the_calibrate_command_never_indexes_into_the_bots_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBOT_DATA", str(tmp_path / "bot"))
    with pytest.raises(SystemExit):
        main(["--docs", "d.jsonl", "--questions", "q.jsonl", "--data", str(tmp_path / "bot")])
    assert "the bot's data folder" in capsys.readouterr().err
    assert not (tmp_path / "bot").exists()
