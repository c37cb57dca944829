"""`newsbot eval --compare` on news (issue 11, part 1): every ranking side by side in one run over one index, with
95 % intervals, by question type, and the unanswerable questions of a polnear-qa-style file; the polnear-qa
formats read; and the pure parts of the txtai bench (bench/txtai_bench.py), which runs without txtai here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.txtai_bench import distinct_texts, export, format_score, score, stored_sentences
from bot.cli import main
from index.engine import Engine
from index.evaluation.compare import ROWS, format_compare, ranked_rank
from index.evaluation.dataset import Question, is_correct, read_questions
from index.evaluation.report import intervals, metrics, wilson
from index.model import Attribution, Source, StoredSentence
from index.ranking import Candidate
from index.settings import Settings
from index.vectors import saved_generation

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCS = FIXTURES / "news_docs.jsonl"
QUESTIONS = FIXTURES / "news_questions.jsonl"
UNANSWERABLE = FIXTURES / "news_unanswerable.jsonl"


# -- the side-by-side run, through the CLI, with the real model ---------------------------------------------------


@pytest.fixture(scope="module")
def compared() -> dict:
    """Return `newsbot eval --compare --json` on the news fixture with its unanswerable questions."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["eval", "--docs", str(DOCS), "--questions", str(QUESTIONS), "--unanswerable",
                     str(UNANSWERABLE), "--compare", "--json"])
    assert code == 0
    return json.loads(out.getvalue())


@pytest.mark.slow
def test_compare_reports_every_ranking_with_intervals(compared: dict) -> None:
    assert compared["mode"] == "compare" and compared["questions"] == 9
    assert compared["articles"] == 4 and compared["sentences"] > 0
    assert list(compared["rankings"]) == list(ROWS) == ["bm25", "dense", "rrf", "fusion", "ranking", "default"]
    for name, row in compared["rankings"].items():
        assert row["n"] == 9, name
        for key in ("p_at_1", "r_at_5", "mrr_at_10"):
            low, high = row[f"{key}_ci"]
            assert 0.0 <= low <= row[key] <= high <= 1.0, (name, key)
        assert sum(m["n"] for m in row["by_type"].values()) == 9
        for m in row["by_type"].values():
            assert {"p_at_1", "p_at_1_ci", "r_at_5_ci", "mrr_at_10_ci"} <= set(m)
    # one index, one set of candidates: every ranking sees the same candidate recall
    assert len({row["candidate_recall"] for row in compared["rankings"].values()}) == 1
    assert "bootstrap" in compared["interval"] and "Wilson" in compared["interval"]
    assert set(compared["default_minus"]) == set(ROWS[:-1])
    # a right sentence somewhere on this small corpus for each question: dense (MiniLM) finds them all in 5
    assert compared["rankings"]["dense"]["r_at_5"] == 1.0


@pytest.mark.slow
def test_compare_reports_unanswerable_against_wrongly_refused(compared: dict) -> None:
    u = compared["unanswerable"]
    assert u["questions"] == 3 and u["source"] == str(UNANSWERABLE)
    for key in ("no_answer_rate", "answerable_refused_rate", "not_from_its_article_rate"):
        low, high = u[f"{key}_ci"]
        assert 0.0 <= low <= u[key] <= high <= 1.0
    assert u["no_answer_rate"] * 3 == pytest.approx(round(u["no_answer_rate"] * 3), abs=1e-3)
    assert u["not_from_its_article_rate"] >= u["no_answer_rate"]
    text = format_compare(compared)  # what the CLI prints without --json
    assert "default: what ask answers" in text and "got 'nothing relevant'" in text and "wrongly refused" in text


@pytest.mark.slow
def test_the_default_row_is_what_a_single_default_run_scores(compared: dict, tmp_path: Path, capsys) -> None:
    kept = tmp_path / "kept"
    runs = []
    for _ in range(2):  # the second run reuses the kept index: nothing is embedded or saved again
        assert main(["eval", "--docs", str(DOCS), "--questions", str(QUESTIONS), "--unanswerable",
                     str(UNANSWERABLE), "--json", "--keep-index", str(kept)]) == 0
        runs.append(json.loads(capsys.readouterr().out))
        generation = saved_generation(kept / "sentences.faiss")
        if len(runs) == 1:
            first_generation = generation
    assert generation == first_generation
    single = runs[0]
    def figures(report: dict) -> dict:
        return {k: v for k, v in report.items() if "seconds" not in k and "ms_" not in k}

    assert figures(runs[1]) == figures(single)
    row = compared["rankings"]["default"]
    assert (single["p_at_1"], single["r_at_5"], single["mrr_at_10"]) == (row["p_at_1"], row["r_at_5"],
                                                                          row["mrr_at_10"])
    assert single["p_at_1_ci"] == row["p_at_1_ci"]
    assert single["unanswerable"]["no_answer_rate"] == compared["unanswerable"]["no_answer_rate"]
    assert single["unanswerable"]["answerable_refused_rate"] == compared["unanswerable"]["answerable_refused_rate"]


# -- arguments -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--unanswerable", "1.5"], "a fraction from 0 to 1"),
        (["--unanswerable", "missing-unanswerable.jsonl"], "no such file"),
        (["--compare", "--folds", "2"], "does not go with --compare"),
        (["--compare", "--ranker", "bm25"], "leave out --ranker"),
        (["--keep-index", "d", "--data", "d"], "is the bot's data folder"),
    ],
)
def test_eval_argument_errors_are_one_line(extra: list[str], says: str, capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "--docs", str(DOCS), "--questions", str(QUESTIONS), *extra]) == 1
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


# -- polnear-qa's formats and its rule for a right sentence ------------------------------------------------------


def test_reads_polnear_qa_questions_and_unanswerable_lines(tmp_path: Path) -> None:
    qs = tmp_path / "questions.jsonl"
    qs.write_text(json.dumps({"id": "pqa-0001", "question": "Who?", "doc_id": "polnear/train/x",
                              "answers": ["Jeb!, Ben Carson, and Donald Trump"], "type": "who"}) + "\n")
    un = tmp_path / "unanswerable.jsonl"
    un.write_text(json.dumps({"id": "pqa-u001", "question": "Who wrote it?", "doc_id": "polnear/train/y"}) + "\n")
    [q] = read_questions(qs)
    assert (q.id, q.doc_id, q.answers) == ("pqa-0001", "polnear/train/x", ("Jeb!, Ben Carson, and Donald Trump",))
    [u] = read_questions(un, answerable=False)
    assert (u.id, u.question, u.doc_id, u.answers) == ("pqa-u001", "Who wrote it?", "polnear/train/y", ())


def test_an_answer_is_matched_as_the_stored_text_has_it(tmp_path: Path) -> None:
    # polnear-qa: "If the bot normalises text (e.g. non-breaking spaces), apply the same normalisation to the
    # answers"; newsbot stores repaired text (plain spaces, NFC), so an answer written with a no-break space or
    # decomposed accents still finds its sentence.
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "1", "question": "How much?", "doc_id": "d",
                                "answers": ["48\u00a0million", "Vandermee\u0301r"]}) + "\n", encoding="utf-8")
    [q] = read_questions(path)
    assert is_correct("d", "The bridge will cost 48 million euros.", q)
    assert is_correct("d", "Mayor Vandermeér spoke.", q)
    assert not is_correct("e", "The bridge will cost 48 million euros.", q)  # the question's article only


def test_a_question_file_line_without_answers_is_refused(tmp_path: Path) -> None:
    from index.errors import NewsbotError

    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "1", "question": "Q?", "doc_id": "d", "answers": "7 percent"}) + "\n")
    with pytest.raises(NewsbotError, match=r"q.jsonl:1: not a question line"):
        read_questions(path)


# -- intervals ---------------------------------------------------------------------------------------------------


def test_wilson_interval_known_values() -> None:
    assert wilson(5, 10) == pytest.approx([0.2366, 0.7634], abs=1e-4)
    assert wilson(0, 10) == pytest.approx([0.0, 0.2775], abs=1e-4)
    assert wilson(0, 0) == [0.0, 0.0]


def test_bootstrap_intervals_are_reproducible_and_hold_the_figure() -> None:
    ranks = [0, None, 2, 0, 7, None, 1, 0, 0, 4] * 5
    first, again = intervals(ranks), intervals(ranks)
    assert first == again  # fixed seed
    m = metrics(ranks, [True] * len(ranks))
    for key in ("p_at_1", "r_at_5", "mrr_at_10"):
        low, high = first[f"{key}_ci"]
        assert low < m[key] < high


# -- the ranking of candidates, copies collapsed ----------------------------------------------------------------


def _candidate(i: int, doc_id: str, text: str) -> Candidate:
    source = Source(doc_id=doc_id, title=None)
    s = StoredSentence(id=i, article_id=i, text=text, paragraph=0, position=0, start=0, end=len(text),
                       attribution=Attribution(), source=source)
    return Candidate(i, s, 0.5, 0.0, i, None)


def test_ranked_rank_counts_copies_of_one_sentence_once() -> None:
    q = Question("1", "How much will the bridge cost?", "gazette", ("48 million",))
    wire = "The regional council met on Monday to discuss the budget for next year."
    cands = [_candidate(0, "courier", wire), _candidate(1, "daily", wire), _candidate(2, "gazette",
             "The bridge will cost 48 million euros."), _candidate(3, "gazette", "Work starts in September.")]
    assert ranked_rank(cands, np.array([0.9, 0.8, 0.7, 0.1]), q) == 1  # the wire copy counts once
    assert ranked_rank(cands, np.array([0.1, 0.2, 0.3, 0.9]), q) == 1
    assert ranked_rank(cands, np.array([0.1, 0.2, 0.95, 0.9]), q) == 0
    assert ranked_rank([], np.zeros(0), q) is None


# -- the txtai bench's pure parts (no txtai needed) ---------------------------------------------------------------


def test_the_bench_exports_exactly_the_sentences_newsbot_stores(tmp_path: Path, fake_encoder) -> None:
    engine = Engine.open(Settings(data_dir=tmp_path / "data", progress=False), encoder=fake_encoder)
    engine.index_paths([DOCS])
    doc_ids = [json.loads(line)["doc_id"] for line in DOCS.read_text().splitlines()]
    stored = [(d, t) for d in doc_ids for t in engine.store.article_sentence_texts(d)]
    engine.close()
    exported = stored_sentences(DOCS)
    assert sorted((s["doc_id"], s["text"]) for s in exported) == sorted(stored)
    assert [s["id"] for s in exported] == list(range(len(exported)))


def test_the_bench_scores_txtai_results_as_eval_scores(tmp_path: Path) -> None:
    n_sentences, n_questions = export(DOCS, QUESTIONS, tmp_path)
    sentences = [json.loads(x) for x in (tmp_path / "sentences.jsonl").read_text().splitlines()]
    questions = read_questions(tmp_path / "questions.jsonl")
    assert (len(sentences), len(questions)) == (n_sentences, n_questions) == (n_sentences, 9)
    right = {q.id: next(s["id"] for s in sentences if is_correct(s["doc_id"], s["text"], q)) for q in questions}
    wrong = next(s["id"] for s in sentences if not any(is_correct(s["doc_id"], s["text"], q) for q in questions))
    rows = []
    for n, q in enumerate(questions):  # right first for the first 4, second (after a wrong one) for the rest
        ranked = [right[q.id], wrong] if n < 4 else [wrong, wrong, right[q.id]]  # a copy of `wrong` counts once
        rows.append(json.dumps({"id": q.id, "ranked": ranked, "ms": 2.0 + n}))
    (tmp_path / "txtai_results.jsonl").write_text("\n".join(rows) + "\n")
    (tmp_path / "txtai_run.json").write_text(json.dumps({"txtai": "9.14.0", "ms_per_question_median": 6.0}))
    report = score(tmp_path)
    assert report["n"] == 9 and report["p_at_1"] == round(4 / 9, 4) and report["r_at_5"] == 1.0
    assert report["mrr_at_10"] == round((4 + 5 / 2) / 9, 4)
    assert report["p_at_1_ci"][0] <= report["p_at_1"] <= report["p_at_1_ci"][1]
    assert "txtai 9.14.0 hybrid" in format_score(report)


def test_distinct_texts_keeps_the_first_copy() -> None:
    sentences = {0: {"text": "a"}, 1: {"text": "a"}, 2: {"text": "b"}, 3: {"text": "c"}}
    assert distinct_texts([1, 0, 2, 3], sentences, k=2) == [1, 2]
