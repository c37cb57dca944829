"""Asking as people ask (issue 11): the questions /start suggests are answered, a question's punctuation and case
do not change its answer, small talk is marked as such, and a speaker counts only when the question names them as
the one speaking, as evidence for the ranking, not an override."""

from __future__ import annotations

import pytest

from index.engine import Engine
from index.questions import CorpusWords, asks_what_someone_said, normalized_question, speakers_named

CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."

# --- the question as ranked -----------------------------------------------------------------------------


def test_a_question_is_normalised_before_ranking() -> None:
    cases = CorpusWords()
    cases.count(["It is 211 miles from Crete to Derna.", "The ISIS fighters say how far it is.",
                 "It is far, said CNN."])
    same = {
        normalized_question(q, cases)
        for q in ["How far is Crete from Derna?", "how far is crete from derna", "  How far is  Crete from Derna!",
                  "how far is Crete from Derna ?", "HOW far is crete from derna?!", "How far is Crete from Derna."]
    }
    assert same == {"How far is Crete from Derna?"}
    assert normalized_question("what does cnn say about isis", cases) == "What does CNN say about ISIS?"
    assert normalized_question("Who is Atlantis's king?", cases) == "Who is Atlantis's king?"  # unknown: as typed


VARIANTS = [
    lambda q: q,
    lambda q: q.rstrip("?"),
    lambda q: q.rstrip("?") + "!",
    lambda q: "  " + q.rstrip("?").replace(" ", "  ") + " ? ",
    lambda q: q.lower(),
    lambda q: q.lower().rstrip("?"),
    lambda q: q[0].lower() + q[1:],
]


@pytest.mark.slow
def test_same_question_same_answer(seed_engine: Engine) -> None:
    questions = ["How many ISIS fighters are in Derna?", "What is ISIS exploiting in Libya?",
                 "How far is Crete from Derna?", "Where are the ISIS fighters training new recruits?"]
    for q in questions:
        tops = []
        for variant in VARIANTS:
            answer = seed_engine.answer(variant(q))
            assert answer.question == " ".join(variant(q).split())  # shown as typed
            tops.append(None if answer.no_answer else answer.hits[0].sentence_id)
        assert len(set(tops)) == 1 and tops[0] is not None, (q, tops)


# --- suggestions ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_suggested_question_is_answered(seed_engine: Engine) -> None:
    suggested = seed_engine.library.summary(3).examples
    assert len(suggested) >= 2 and suggested == seed_engine.library.example_questions(3)
    for q in suggested:
        answer = seed_engine.answer(q)
        assert not answer.no_answer and answer.hits, f"{q!r} got 'nothing relevant'"


@pytest.mark.slow
@pytest.mark.parametrize("question", ["What is happening in Libya?", "What do the articles say about Derna?"])
def test_a_broad_question_on_what_the_corpus_is_about_is_answered(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.answer(question)
    assert not answer.no_answer and answer.hits


def test_a_question_is_about_the_corpus_when_all_its_topic_words_are_frequent() -> None:
    words = CorpusWords()
    words.count(["ISIS holds Derna in Libya.", "Libya is divided.", "Derna and Libya are far from Crete.",
                 "Libya lacks a government.", "Derna lies on the coast."])
    assert words.about_the_corpus("What is happening in Libya?")
    assert words.about_the_corpus("What do the articles say about Derna and Libya?")
    assert not words.about_the_corpus("What is happening in Crete?")  # in one sentence of five: not its topic
    assert not words.about_the_corpus("What is the capital of Libya?")
    assert not words.about_the_corpus("What is happening?")


# --- small talk -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_small_talk_is_marked_and_questions_are_not(seed_engine: Engine) -> None:
    small = seed_engine.answer("thanks!")
    assert small.small_talk and small.no_answer and small.hits == []
    assert small.to_json() == {"question": "thanks!", "no_answer": True, "small_talk": True, "answers": []}
    assert "small_talk" not in seed_engine.answer("How far is Crete from Derna?").to_json()


# --- speakers -------------------------------------------------------------------------------------------

ORDINARY = ["Islamic State", "Country", "One", "Town & Country", "Miami International Airport", "CNN",
            "Martin Dempsey"]


@pytest.mark.parametrize(
    "question",
    [
        "How many fighters does ISIS have in the state?",
        "what is the country's air force doing",
        "What do the reports show ISIS controls?",
        "What is the report about?",
        "Which country's air force conducted airstrikes?",
        "How long was the flight from the airport?",
        "What is the state of the city?",
    ],
)
def test_ordinary_words_do_not_make_a_speaker_question(question: str) -> None:
    assert not asks_what_someone_said(question)
    assert speakers_named(question, ORDINARY) == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("according to one report, how many fighters are there?", []),  # "One" is no one here
        ("What did the country say about the strikes?", []),
        ("What did the airport say?", []),
        ("What did Dempsey say?", ["Martin Dempsey"]),
        ("According to CNN, who controls Derna?", ["CNN"]),
        ("What does Dempsey think about ground troops?", ["Martin Dempsey"]),
        ("What is Dempsey's view on ground troops?", ["Martin Dempsey"]),
        ("How did CNN respond?", ["CNN"]),
    ],
)
def test_a_speaker_counts_only_when_named_as_speaking(question: str, named: list[str]) -> None:
    assert speakers_named(question, ORDINARY) == named


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "speaker"),
    [("what did Dempsey say", "Martin Dempsey"), ("according to CNN", "CNN"), ("according to cnn", "CNN"),
     ("what does IBT report?", "International Business Times")],
)
def test_the_speaker_asked_about_is_first(seed_engine: Engine, question: str, speaker: str) -> None:
    assert seed_engine.answer(question).hits[0].attribution.speaker == speaker


@pytest.mark.slow
def test_a_much_better_sentence_overcomes_the_speaker_bonus(seed_engine: Engine) -> None:
    answer = seed_engine.answer("According to CNN, how far is Crete from Derna?")
    assert answer.hits[0].sentence == CRETE  # the article's own voice, not CNN's: it answers the question
    assert any(h.attribution.speaker == "CNN" for h in answer.hits[1:])


@pytest.mark.slow
@pytest.mark.parametrize(
    "question", ["How many fighters does ISIS have in the state?", "what is the country's air force doing"]
)
def test_an_ordinary_question_is_answered_as_without_the_speaker_rule(
    seed_engine: Engine, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert seed_engine.answerer.speakers_asked_about(question) == []
    with_rule = [h.sentence_id for h in seed_engine.answer(question).hits]
    monkeypatch.setattr(seed_engine.answerer, "_asked_about", lambda q: ([], []))
    assert [h.sentence_id for h in seed_engine.answer(question).hits] == with_rule
