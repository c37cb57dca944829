"""Tests for index.reading.sentences: the seed's sentences, abbreviations, offsets, long ones, SQuAD coverage."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from conftest import SHARED

import index.reading.sentences
from index.reading import MAX_PARAGRAPH_CHARS, MAX_SENTENCE_CHARS, repair_text, split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "derna.txt"
SQUAD = SHARED / "eval" / "squad-dev-a"

SEED_SENTENCES = [
    (
        0,
        "The Islamic State (ISIS) is now in control of a city in Libya that lies a little "
        "more than 200 miles from Greece.",
    ),
    (
        1,
        "Derna is situated on Libya's northern border along the Mediterranean Sea.",
    ),
    (
        1,
        "ISIS fighters totaling 800, according to a CNN report, have control over the city "
        "of about 100,000 people.",
    ),
    (
        2,
        "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea.",
    ),
    (
        3,
        "ISIS is seizing on the political instability that has gripped Libya as the group "
        "marches west from Iraq and Syria, reports CNN.",
    ),
    (
        3,
        "Derna is about 200 miles west of Libya's border with Egypt.",
    ),
    (
        4,
        "Some of the ISIS fighters in Derna, according to CNN, are training new recruits in "
        "a nearby mountain range, while others are manning camps on the edge of the city.",
    ),
    (
        4,
        "The terror group conducts executions in the city's soccer stadium and its black "
        "flags are everywhere.",
    ),
    (
        5,
        '"Derna today looks identical to Raqqa, the ISIS headquarters town in Syria," Noman '
        "Benotman, a ex-Libyan jihadist who is now involved in counter-terrorism for the "
        "Quilliam Foundation, told CNN.",
    ),
    (
        5,
        '"ISIS pose a serious threat in Libya.',
    ),
    (
        5,
        'They are well on the way to creating an Islamic emirate in eastern Libya."',
    ),
    (
        6,
        "The ISIS fighters in Derna have been bolstered by scores of local Libyans pledging "
        "their allegiance to the terror group and signing up to join its ranks, reports the "
        "International Business Times.",
    ),
    (
        7,
        "Other Derna residents are not happy with the ISIS takeover of their city, but "
        "there's little they can do because Libya currently lacks an organized government.",
    ),
    (
        8,
        "Libya, however, is pushing back.",
    ),
    (
        8,
        "The CNN report claims the country's air force conducted airstrikes on ISIS "
        "strongholds in Derna last week.",
    ),
    (
        9,
        "The United States, meanwhile, has been hitting ISIS positions via airstrikes since August.",
    ),
    (
        9,
        "Many have called for President Barack Obama to send in ground troops to battle the "
        "group that is taking over cities in Syria, Iraq, and now Libya.",
    ),
    (
        9,
        "So far, Obama has stood by his decision to limit the military campaign to the air.",
    ),
    (
        10,
        "Gen. Martin Dempsey, chairman of the Joint Chiefs of Staff, said last week ground "
        "troops are still on the table.",
    ),
]


def seed_text() -> str:
    """Return the repaired seed article."""
    return repair_text(SEED.read_text(encoding="utf-8").split("---\n", 2)[2])


def assert_offsets(text: str, sentences: list) -> None:
    """Fail unless every sentence's offsets point at its text, in order, without overlap."""
    last_end = 0
    for i, s in enumerate(sentences):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.position == i
        assert s.start >= last_end
        last_end = s.end


def test_seed_sentences_exactly() -> None:
    text = seed_text()
    sentences = split_sentences(text)
    assert [(s.paragraph, s.text) for s in sentences] == SEED_SENTENCES
    assert_offsets(text, sentences)


def test_titles_and_acronyms_do_not_end_sentences() -> None:
    text = (
        "Gen. Martin Dempsey met Mr. Smith and Dr. J. R. Jones in the U.S. Army base. "
        "The U.S. said nothing. John F. Kennedy was mentioned."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Gen. Martin Dempsey met Mr. Smith and Dr. J. R. Jones in the U.S. Army base.",
        "The U.S. said nothing.",
        "John F. Kennedy was mentioned.",
    ]
    # a state's abbreviation before a comma ends no sentence: none opens with a comma
    text = "Rep. Ana Cruz, R-Tex., says it is close. Lee, of Salem, Ore.; Hart agreed."
    assert [s.text for s in split_sentences(text)] == [
        "Rep. Ana Cruz, R-Tex., says it is close.", "Lee, of Salem, Ore.; Hart agreed."]


def test_sentences_inside_a_quotation_are_split() -> None:
    text = '"We will go. We will win," she said. He left.'
    assert [s.text for s in split_sentences(text)] == ['"We will go.', 'We will win," she said.', "He left."]


def test_paragraph_numbers_and_offsets_with_repeated_sentences() -> None:
    text = "It rained. It rained.\n\nIt rained. Then it stopped.\n\nIt rained."
    sentences = split_sentences(text)
    assert [(s.paragraph, s.text) for s in sentences] == [
        (0, "It rained."),
        (0, "It rained."),
        (1, "It rained."),
        (1, "Then it stopped."),
        (2, "It rained."),
    ]
    assert_offsets(text, sentences)
    assert [s.start for s in sentences] == [0, 11, 23, 34, 52]


def test_a_very_long_sentence_is_cut_at_clause_boundaries() -> None:
    clause = "the council met again to discuss the budget for the coming year"
    text = "; ".join([clause] * 40) + "."
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert_offsets(text, sentences)
    assert all(s.text.startswith("the council") for s in sentences)


class RecordingSegmenter:
    """Wraps pysbd's segmenter and records the length of every text it is given."""

    def __init__(self, segmenter: object) -> None:
        self.segmenter = segmenter
        self.lengths: list[int] = []

    def segment(self, text: str) -> list:
        self.lengths.append(len(text))
        return self.segmenter.segment(text)  # type: ignore[attr-defined]


def test_a_long_paragraph_goes_to_pysbd_in_bounded_pieces_and_keeps_its_sentences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pysbd's work grows with the square of its input: a 100 KB paragraph took 14 s, a 10 MB one never ended.
    recorder = RecordingSegmenter(index.reading.sentences._segmenter())
    monkeypatch.setattr(index.reading.sentences, "_segmenter", lambda: recorder)
    seed = [text for _, text in SEED_SENTENCES]
    text = " ".join(seed * 40)  # about 60 KB, no paragraph break
    sentences = split_sentences(text)
    assert max(recorder.lengths) <= MAX_PARAGRAPH_CHARS
    assert_offsets(text, sentences)
    assert [s.text for s in sentences] == seed * 40
    assert {s.paragraph for s in sentences} == {0}


def test_a_long_run_without_spaces_or_punctuation_is_cut_into_bounded_sentences() -> None:
    text = "intro sentence. " + "x" * 200_000 + " outro."
    sentences = split_sentences(text)
    assert_offsets(text, sentences)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert "".join(s.text for s in sentences).count("x") == 200_000


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("\n\n") == []


def test_threads_get_the_same_sentences() -> None:
    text = seed_text()
    expected = split_sentences(text)
    results: list[list] = []

    def work() -> None:
        for _ in range(3):
            results.append(split_sentences(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert all(r == expected for r in results)


def squad_answer_coverage() -> tuple[int, int]:
    """Return how many SQuAD questions have an answer inside one sentence of their doc, and the total."""
    docs = {}
    with (SQUAD / "docs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d["doc_id"]] = [s.text for s in split_sentences(repair_text(d["text"]))]
    covered = total = 0
    with (SQUAD / "questions.jsonl").open(encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            total += 1
            sentences = docs[q["doc_id"]]
            if any(repair_text(a) in s for a in q["answers"] for s in sentences):
                covered += 1
    return covered, total


@pytest.mark.slow
@pytest.mark.shared("eval/squad-dev-a")
def test_squad_answers_fall_inside_one_sentence() -> None:
    covered, total = squad_answer_coverage()
    assert total == 5665
    assert covered / total >= 0.998, f"{covered}/{total}"
