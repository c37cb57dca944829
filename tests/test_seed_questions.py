"""Seed questions about the Derna article, written as a reader would ask them, each with the sentence that
answers it: the real engine with the shipped ranker must put that sentence first. Greetings get none."""

from __future__ import annotations

import pytest

from index.engine import Engine

pytestmark = pytest.mark.slow

CONTROL = (
    "The Islamic State (ISIS) is now in control of a city in Libya that lies a little more than 200 miles from Greece."
)
SITUATED = "Derna is situated on Libya's northern border along the Mediterranean Sea."
FIGHTERS = "ISIS fighters totaling 800, according to a CNN report, have control over the city of about 100,000 people."
CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."
INSTABILITY = (
    "ISIS is seizing on the political instability that has gripped Libya as the group marches west "
    "from Iraq and Syria, reports CNN."
)
EGYPT = "Derna is about 200 miles west of Libya's border with Egypt."
TRAINING = (
    "Some of the ISIS fighters in Derna, according to CNN, are training new recruits in a nearby mountain "
    "range, while others are manning camps on the edge of the city."
)
EXECUTIONS = "The terror group conducts executions in the city's soccer stadium and its black flags are everywhere."
RAQQA = "Derna today looks identical to Raqqa, the ISIS headquarters town in Syria,"
EMIRATE = "They are well on the way to creating an Islamic emirate in eastern Libya."
BOLSTERED = (
    "The ISIS fighters in Derna have been bolstered by scores of local Libyans pledging their allegiance "
    "to the terror group and signing up to join its ranks, reports the International Business Times."
)
RESIDENTS = (
    "Other Derna residents are not happy with the ISIS takeover of their city, but there's little they "
    "can do because Libya currently lacks an organized government."
)
AIR_FORCE = "The CNN report claims the country's air force conducted airstrikes on ISIS strongholds in Derna last week."
US_STRIKES = "The United States, meanwhile, has been hitting ISIS positions via airstrikes since August."
GROUND_TROOPS = (
    "Many have called for President Barack Obama to send in ground troops to battle the group that is "
    "taking over cities in Syria, Iraq, and now Libya."
)
AIR_ONLY = "So far, Obama has stood by his decision to limit the military campaign to the air."
DEMPSEY = (
    "Gen. Martin Dempsey, chairman of the Joint Chiefs of Staff, said last week ground troops are still on the table."
)

# (question, the sentence that answers it). The quoted sentences are matched by their words, without the quote
# marks and the attribution the sentence splitter may keep with them.
# The article has no headline: the ranker reads its file name, "derna", as its title (Source.topic).
SEED_QUESTIONS: list = [
    ("How far from Greece is the Libyan city that ISIS controls?", CONTROL),
    ("Where is Derna?", SITUATED),
    ("How many ISIS fighters are in Derna?", FIGHTERS),
    ("How many people live in Derna?", FIGHTERS),
    ("How far is Crete from Derna?", CRETE),
    ("How far is Derna from the Egyptian border?", EGYPT),
    ("What is ISIS exploiting in Libya?", INSTABILITY),
    ("Where are the ISIS fighters training new recruits?", TRAINING),
    ("Where does the terror group carry out executions?", EXECUTIONS),
    ("Which city does Derna look like today?", RAQQA),
    ("What is ISIS creating in eastern Libya?", EMIRATE),
    ("Who has joined the ISIS fighters in Derna?", BOLSTERED),
    ("How do the other residents of Derna feel about the ISIS takeover?", RESIDENTS),
    ("Why can't the people of Derna do anything about ISIS?", RESIDENTS),
    ("What did Libya's air force do?", AIR_FORCE),
    ("Since when has the United States been bombing ISIS?", US_STRIKES),
    ("What have people asked President Obama to do?", GROUND_TROOPS),
    ("How has Obama limited the military campaign?", AIR_ONLY),
    ("What did the chairman of the Joint Chiefs of Staff say about ground troops?", DEMPSEY),
]


def _words(text: str) -> str:
    return " ".join(text.replace('"', " ").split())


def test_there_are_enough_seed_questions() -> None:
    assert len(SEED_QUESTIONS) >= 15
    answered = [q for q in SEED_QUESTIONS if isinstance(q, tuple)]
    assert len(answered) >= 15  # written before the ranker was run; 18 of 19 answered first


def test_the_shipped_ranker_is_used(seed_engine: Engine) -> None:
    assert seed_engine.answerer.ranker.name == "learned"


@pytest.mark.parametrize(("question", "sentence"), SEED_QUESTIONS)
def test_seed_question_is_answered_first(seed_engine: Engine, question: str, sentence: str) -> None:
    answer = seed_engine.answer(question)
    assert not answer.no_answer, f"{question!r} got 'nothing relevant'"
    assert _words(sentence) in _words(answer.hits[0].sentence), f"{question!r} got {answer.hits[0].sentence!r} first"


@pytest.mark.parametrize(
    "question",
    [
        "Who is the president of France?",
        "What is the capital of Peru?",
        "How tall is the Eiffel Tower?",
        "Who won the World Cup?",
        "How many soldiers does Egypt have?",
    ],
)
def test_questions_the_article_does_not_answer_get_nothing(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.answer(question)
    assert answer.no_answer and answer.hits == [], answer.hits[0].sentence if answer.hits else ""


@pytest.mark.parametrize(
    "text",
    ["hi", "Hello!", "thanks", "thank you so much", "who are you?", "good morning bot", "ok", "bye", "👍"],
)
def test_greetings_never_get_a_news_sentence(seed_engine: Engine, text: str) -> None:
    answer = seed_engine.answer(text)
    assert answer.no_answer and answer.hits == []
