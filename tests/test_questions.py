"""Tests for index.questions (question types, chit-chat), index.terms (content terms) and the answer-type and
overlap features of the sentence profile (through the reference copy in tests/reference_features.py)."""

from __future__ import annotations

import pytest
from reference_features import answer_type_features, overlap_features

from index.questions import QUESTION_TYPES, is_chitchat, other_language, question_type, speakers_named
from index.ranking.spans import ANSWER_TYPE_FEATURES, NEUTRAL_TYPE_MATCH, OVERLAP_FEATURES
from index.terms import content_terms, name_terms

TYPED_QUESTIONS = [
    # who
    ("Who said ground troops are still on the table?", "who"),
    ("who is Noman Benotman", "who"),
    ("Whom did the court convict?", "who"),
    ("Whose tune did Luther adapt for the hymn?", "who"),
    ("The Broncos defeated who?", "who"),
    ("Which person leads the rescue effort?", "who"),
    ("What is the name of the ship that sank?", "who"),
    ("Which Mongol leader completed the conquest of Kievan Rus'?", "who"),
    ("What Panther defender was called for holding on third down?", "who"),
    ("According to the UN, who is coordinating aid in Derna?", "who"),
    ("When the dam burst, who was in charge of the city?", "who"),
    # when
    ("When did the dams collapse?", "when"),
    ("In what year did Tesla's father die?", "when"),
    ("What year did the war end?", "when"),
    ("What day of the week was the storm?", "when"),
    ("In which century was the castle built?", "when"),
    ("The storm reached Libya when?", "when"),
    # where
    ("Where did Super Bowl 50 take place?", "where"),
    ("What city did Super Bowl 50 take place in?", "where"),
    ("In what country is Derna?", "where"),
    ("Which Florida city has the biggest population?", "where"),
    ("What is the name of the city where he was born?", "where"),
    ("Where were the survivors taken?", "where"),
    # how_many
    ("How many people died in the floods?", "how_many"),
    ("How much money did the EU pledge?", "how_many"),
    ("What percentage of the city was destroyed?", "how_many"),
    ("What number of victims has been confirmed?", "how_many"),
    ("According to officials, how many people are missing?", "how_many"),
    ("How long did the rescue take?", "how_many"),
    ("How tall is the dam?", "how_many"),
    ("How old was John Elway when he played in Super Bowl XXXIII?", "how_many"),
    ("What is the population of Derna?", "how_many"),
    # how_far
    ("how far is Derna from Crete", "how_far"),
    ("How far is Jacksonville from Miami?", "how_far"),
    ("What distance separates the two dams?", "how_far"),
    ("How many miles east of Berlin is Warsaw?", "how_far"),
    # why
    ("Why did the dams fail?", "why"),
    ("For what reason was the mayor arrested?", "why"),
    ("What caused the floods?", "why"),
    ("How come nobody was warned?", "why"),
    # what
    ("What happened in Libya?", "what"),
    ("Which NFL team represented the AFC at Super Bowl 50?", "what"),
    ("What company created Doctor Who?", "what"),
    ("What type of storm hit Libya?", "what"),
    ("What's the main finding of the report?", "what"),
    # other
    ("How did Luther smuggle 12 nuns out of a convent?", "other"),
    ("Is the dam still standing?", "other"),
    ("Tell me about the floods", "other"),
]


@pytest.mark.parametrize(("question", "expected"), TYPED_QUESTIONS)
def test_question_type(question: str, expected: str) -> None:
    assert question_type(question) == expected


def test_question_type_table_is_large_and_covers_every_type() -> None:
    assert len(TYPED_QUESTIONS) >= 40
    assert {expected for _, expected in TYPED_QUESTIONS} == set(QUESTION_TYPES)


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Who is the president of France?", {"france"}),
        ("What did Noman Benotman tell CNN?", {"noman", "benotman", "cnn"}),
        ("Derna is how far from Crete?", {"crete"}),  # the first word is capitalised anyway
        ("how far is derna from crete", set()),
        ("", set()),
    ],
)
def test_name_terms_are_the_capitalised_words_after_the_first(question: str, names: set[str]) -> None:
    assert name_terms(question) == names


def test_question_type_ignores_case_and_curly_apostrophes() -> None:
    assert question_type("WHAT’S THE DISTANCE FROM DERNA TO CRETE?") == "how_far"
    assert question_type("") == "other"


@pytest.mark.parametrize(
    "text",
    [
        "hello there",
        "Hi!",
        "heyyy",
        "thanks!",
        "Thank you so much",
        "who are you?",
        "What can you do?",
        "ok",
        "OK, thanks",
        "bye",
        "👍",
        "😂😂😂",
        "lol",
        "hahaha",
        "good morning",
        "Good morning, bot!",
        "how are you",
        "hi, how are you doing?",
        "",
        "   ",
    ],
)
def test_chitchat_positives(text: str) -> None:
    assert is_chitchat(text)


@pytest.mark.parametrize(
    "text",
    [
        "who is Noman Benotman",
        "how far is Derna from Crete",
        "what happened in Libya",
        "hi, what happened in Libya?",
        "thanks, and how many people died?",
        "Who are the victims?",
        "What can the UN do to help Libya?",
        "Libya",
        "floods",
        "ok so why did the dams fail",
    ],
)
def test_chitchat_negatives(text: str) -> None:
    assert not is_chitchat(text)


def test_content_terms_drop_stopwords_and_stem_lightly() -> None:
    assert content_terms("Who said ground troops are still on the table?") == [
        "said",
        "ground",
        "troop",
        "still",
        "table",
    ]
    assert content_terms("Greece's cities and churches were bombed") == ["greece", "city", "church", "bomb"]
    assert content_terms("The bombing killed 3,000 people in 2015") == [
        "bomb",
        "kill",
        "3000",
        "people",
        "2015",
    ]
    assert content_terms("") == []


def test_content_terms_match_across_inflections() -> None:
    assert set(content_terms("the flooded cities")) == set(content_terms("a city floods"))


CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."


def test_distance_sentence_answers_how_far() -> None:
    question = "how far is Derna from Crete"
    features = answer_type_features(question_type(question), CRETE, question)
    assert set(features) == set(ANSWER_TYPE_FEATURES)
    assert features["has_distance"] == 1.0
    assert features["has_number"] == 1.0
    assert features["type_match"] == 1.0
    assert features["has_year_or_date"] == 0.0
    assert features["has_cause"] == 0.0
    # Crete and Derna are in the question; Greece is not
    assert features["novel_capitalised"] == pytest.approx(1 / 3)


def test_number_already_in_question_is_not_new() -> None:
    question = "Is Crete 211 miles from Derna?"
    features = answer_type_features("other", CRETE, question)
    assert features["has_number"] == 0.0
    assert features["has_distance"] == 0.0
    assert features["type_match"] == NEUTRAL_TYPE_MATCH


def test_hyphenated_and_glued_distances() -> None:
    q = "How long was the field goal?"
    assert answer_type_features("how_far", "McManus kicked a 33-yard field goal.", q)["has_distance"] == 1.0
    assert answer_type_features("how_far", "The wall stands 300m from the river.", q)["has_distance"] == 1.0
    assert answer_type_features("how_far", "He lived in 3 houses.", q)["has_distance"] == 0.0


def test_person_like_needs_a_new_name() -> None:
    question = "Who said ground troops are still on the table?"
    said = "Ground troops are still on the table, Defense Secretary Ash Carter said on Tuesday."
    features = answer_type_features("who", said, question)
    assert features["has_person_like"] == 1.0
    assert features["type_match"] == 1.0
    assert features["has_year_or_date"] == 1.0  # Tuesday
    plain = answer_type_features("who", "The Ground troops are still on the table.", question)
    assert plain["has_person_like"] == 0.0
    assert plain["novel_capitalised"] == 0.0
    known = answer_type_features("who", "Officials met Noman Benotman in Tripoli.", "who is Noman Benotman")
    assert known["has_person_like"] == 0.0
    assert known["has_place_like"] == 1.0


def test_dates() -> None:
    question = "When did the dams collapse?"
    for sentence in (
        "The dams collapsed in 2023.",
        "The dams collapsed on September 11 after heavy rain.",
        "The dams collapsed last week.",
        "The dams collapsed on 11/09/2023.",
        "The dams collapsed on Monday night.",
    ):
        assert answer_type_features("when", sentence, question)["type_match"] == 1.0, sentence
    for sentence in ("The dams collapsed under 2,000 tonnes of water.", "Officials may visit the dams."):
        assert answer_type_features("when", sentence, question)["has_year_or_date"] == 0.0, sentence
    assert (
        answer_type_features("when", "In 2023 the dams collapsed.", "What happened in 2023?")[
            "has_year_or_date"
        ]
        == 0.0
    )


def test_places() -> None:
    question = "Where were the survivors taken?"
    features = answer_type_features("where", "The survivors were taken to Benghazi by bus.", question)
    assert features["has_place_like"] == 1.0
    assert features["type_match"] == 1.0
    assert (
        answer_type_features("where", "Survivors were flown from the Port of Tobruk.", question)[
            "has_place_like"
        ]
        == 1.0
    )
    assert (
        answer_type_features("where", "The survivors were taken in January.", question)["has_place_like"]
        == 0.0
    )


def test_quantities_and_numbers() -> None:
    question = "How much money did the EU pledge?"
    features = answer_type_features("how_many", "The EU pledged €5.2 million in aid.", question)
    assert features["has_quantity_unit"] == 1.0
    assert features["has_number"] == 1.0
    assert features["type_match"] == 1.0
    assert (
        answer_type_features("how_many", "Some 40% of the city was destroyed.", question)["has_quantity_unit"]
        == 1.0
    )
    assert answer_type_features("how_many", "Thousands of people fled.", question)["has_number"] == 1.0
    assert answer_type_features("how_many", "The EU pledged aid.", question)["has_number"] == 0.0


def test_cause() -> None:
    question = "Why did the dams fail?"
    because = answer_type_features("why", "The dams failed because they had not been maintained.", question)
    assert because["has_cause"] == 1.0
    assert because["type_match"] == 1.0
    due = answer_type_features("why", "The failure was due to years of neglect.", question)
    assert due["has_cause"] == 1.0
    assert answer_type_features("why", "The dams failed on Sunday.", question)["has_cause"] == 0.0


def test_features_are_floats_for_every_type() -> None:
    for qtype in QUESTION_TYPES:
        features = answer_type_features(qtype, CRETE, "how far is Derna from Crete")
        assert all(isinstance(v, float) for v in features.values())
        assert 0.0 <= features["type_match"] <= 1.0
    assert answer_type_features("what", "", "What happened?")["novel_capitalised"] == 0.0


def test_overlap_features() -> None:
    question = "How far is Derna from Crete?"
    features = overlap_features(question, CRETE)
    assert set(features) == set(OVERLAP_FEATURES)
    assert features["q_coverage"] == pytest.approx(2 / 3)  # derna, crete of far, derna, crete
    assert features["q_coverage_title"] == features["q_coverage"]
    assert features["sent_len"] == 14.0
    assert features["longest_common_run"] == 1.0
    assert features["bigram_overlap"] == 0.0
    with_title = overlap_features(question, CRETE, title="How far the floods reached")
    assert with_title["q_coverage_title"] == 1.0
    assert with_title["q_coverage"] == pytest.approx(2 / 3)


def test_overlap_runs_and_bigrams() -> None:
    question = "Who said ground troops are still on the table?"
    sentence = "Carter said ground troops are still on the table for Iraq."
    features = overlap_features(question, sentence)
    assert features["q_coverage"] == 1.0
    assert features["bigram_overlap"] == 1.0
    assert features["longest_common_run"] == 5.0
    nothing = overlap_features(question, "The weather was fine.")
    assert nothing["q_coverage"] == 0.0
    assert nothing["longest_common_run"] == 0.0
    assert overlap_features("Who?", "Anything at all.")["q_coverage"] == 0.0


def test_speakers_named_are_those_a_question_asks_about() -> None:
    speakers = ["Noman Benotman", "CNN", "Gen. Martin Dempsey", "Al"]
    assert speakers_named("What did Benotman say about Derna?", speakers) == ["Noman Benotman"]
    assert speakers_named("what does noman benotman think?", speakers) == ["Noman Benotman"]
    assert speakers_named("What did CNN report about the airstrikes?", speakers) == ["CNN"]
    assert speakers_named("how far is Derna from Crete", speakers) == []
    assert speakers_named("Who is Benotman?", speakers) == [], "naming is not asking what they said"


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("what did Dempsey say", ["Martin Dempsey", "Gen. Martin Dempsey"]),
        ("what did gen. dempsey say about ground troops?", ["Martin Dempsey", "Gen. Martin Dempsey"]),
        ("What is Dempsey's view?", ["Martin Dempsey", "Gen. Martin Dempsey"]),
        ("what did Martin Dempsey say", ["Martin Dempsey", "Gen. Martin Dempsey"]),
        ("according to CNN, who controls Derna?", ["CNN"]),
        ("what does the International Business Times report?", ["International Business Times"]),
        ("what does IBT report?", ["International Business Times"]),
        ("what did Lee say", ["Robert Lee"]),
        ("what did officials say", ["officials"]),
        ("what does ibt report?", []),  # initials only in capitals: "us" is no United States
        ("what did CNNX report?", []),  # whole words, never a piece of one
        ("what did Robert say", []),  # a first name alone names too many people
        ("what do international observers say", []),  # one word of an outlet's name is not the outlet
        ("how far is Derna from Crete", []),
    ],
)
def test_speakers_named_go_by_the_words_of_the_speakers_name(question: str, named: list[str]) -> None:
    speakers = ["Martin Dempsey", "Gen. Martin Dempsey", "CNN", "International Business Times", "Robert Lee",
                "officials", "Noman Benotman"]
    assert sorted(speakers_named(question, speakers)) == sorted(named)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Wie weit ist Derna von Kreta entfernt?", "German"),
        ("Was hat der Minister gesagt?", "German"),
        ("Wo ist Derna?", "German"),
        ("¿Cuántas personas murieron en Derna?", "Spanish"),
        ("¿Qué dijo el ministro sobre la inundación?", "Spanish"),
        ("Combien de personnes sont mortes à Derna ?", "French"),
        ("Qui a dit que le barrage était fragile ?", "French"),
        ("Quante persone sono morte a Derna?", "Italian"),
        ("Quantas pessoas morreram em Derna?", "Portuguese"),
        ("Hoeveel mensen zijn er omgekomen in Derna?", "Dutch"),
        # English, with names and words other languages share
        ("how far is Derna from Crete", None),
        ("What did de la Rosa say?", None),
        ("Who is El Sisi?", None),
        ("Was the port open in 2015?", None),
        ("Did the dam die?", None),
        ("What does Los Angeles say about La Liga?", None),
        ("Where is the Museo del Prado?", None),
        ("Derna", None),
    ],
)
def test_a_question_in_another_language_is_told_apart_by_its_small_words(question: str, language: str | None) -> None:
    assert other_language(question) == language
