"""The time-question evaluation (index/evaluation/time_questions.py) scored on a two-article toy set: the fake
encoder, a real store and FAISS index in tmp_path, the questions asked through Engine.answer."""

from __future__ import annotations

import json
from pathlib import Path

from index.engine import Engine
from index.evaluation.time_questions import TimeQuestion, evaluate, read_questions, report
from index.settings import Settings
from tests.conftest import FakeEncoder

ARTICLES = (
    ("flood-2019", "2019-03-10", "The river flood covered the old town and the council opened shelters."),
    ("flood-2021", "2021-07-02", "The river flood reached the new bridge and the army built a dam of sandbags."),
)
TOPIC = ("flood-2019", "flood-2021")


def toy_engine(tmp_path: Path) -> Engine:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "floods.jsonl").write_text(
        "".join(json.dumps({"id": i, "title": None, "text": t, "published": p}) + "\n" for i, p, t in ARTICLES),
        encoding="utf-8",
    )
    engine = Engine.open(Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion"), encoder=FakeEncoder())
    engine.index_paths([corpus])
    return engine


def question(qid: str, text: str, kind: str, since: str | None = None, until: str | None = None) -> TimeQuestion:
    return TimeQuestion(qid, text, kind, TOPIC, since, until)


def test_latest_and_windows_are_scored_by_the_first_answers_date(tmp_path: Path) -> None:
    engine = toy_engine(tmp_path)
    try:
        outcomes = evaluate(engine, [
            question("latest", "latest on the river flood", "latest"),
            question("in-2019", "river flood in 2019", "window", "2019-01-01", "2019-12-31"),
            question("since-2020", "river flood since 2020", "window", "2020-01-01", None),
            # the question's window (2021) and the one scored (2019) disagree: the first answer is outside it
            question("wrong-window", "river flood in 2021", "window", "2019-01-01", "2019-12-31"),
            # a window with no topic article in it: "Nothing dated" is the right answer
            question("empty", "river flood in 2015", "window", "2015-01-01", "2015-12-31"),
        ])
    finally:
        engine.close()
    got = {o.question.id: (o.right, o.first_doc) for o in outcomes}
    assert got == {
        "latest": (True, "flood-2021"),
        "in-2019": (True, "flood-2019"),
        "since-2020": (True, "flood-2021"),
        "wrong-window": (False, "flood-2021"),
        "empty": (True, None),
    }
    text = report(outcomes)
    assert "window  3/4 right = 75.0%" in text and "latest  1/1 right = 100.0%" in text
    assert "all     4/5 right = 80.0%" in text
    assert "MISS wrong-window 'river flood in 2021': flood-2021 2021-07-02 is outside 2019-01-01..2019-12-31" in text


def test_the_shipped_set_reads_and_every_window_holds_a_topic_article() -> None:
    path = Path(__file__).resolve().parent.parent / "datasets" / "time-questions" / "questions.jsonl"
    questions = read_questions(path)
    assert len(questions) >= 60 and {q.kind for q in questions} == {"latest", "window"}
    assert sum(q.corpus == "seed" for q in questions) == 5
    assert all(q.plain for q in questions if q.corpus == "seed")
    docs = {json.loads(line)["doc_id"]: json.loads(line)["published"]
            for line in (path.parent.parent / "wikinews" / "docs.jsonl").read_text(encoding="utf-8").splitlines()}
    for q in questions:
        if q.corpus == "wikinews":
            assert q.topic_doc_ids and all(d in docs for d in q.topic_doc_ids), q.id
            if q.kind == "window":
                assert any((q.since or "0") <= docs[d] <= (q.until or "9") for d in q.topic_doc_ids), q.id
