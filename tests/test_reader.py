"""The reader (index/ranking/reader.py): the shipped cross-encoder loads only with its recorded sha256, rereads the
learned ranker's best candidates in `ask`'s path, changes the order where the answer shares few words with the
question, keeps the seed's answers first, and NEWSBOT_READER=off leaves the ranker's order."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import copied

from index.answering import NEIGHBOUR_MARGIN
from index.encoder import Encoder
from index.engine import Engine
from index.errors import RankerError
from index.questions import quiz_parts
from index.ranking import reader as reader_module
from index.ranking.order import reread
from index.ranking.reader import READER_DIR, READER_FILE, READER_META, load_reader, read_meta, sha256_file
from index.settings import Settings

# A quiz-style question (context first, then the ask) over a story whose lead it paraphrases: the sentence that
# answers it shares almost no words with the question, while the lead repeats its context.
CLIMBER = """---
title: Injured climber flown home from the Alps
outlet: The Mountain Post
---
A British climber who fell on the Matterhorn last week has been flown home for treatment.

The climber has been in a coma since the fall on Thursday, his family said.

The Harbourside Trust, a charity based in Leeds, covered the cost of the air ambulance.

Doctors in Zermatt had said he was too weak to travel by road.

He is now being treated at a hospital in Sheffield.
"""
CLIMBER_QUESTION = "A climber hurt on the Matterhorn was flown back to Britain. Who paid for it?"


def one_story(tmp_path: Path, name: str, text: str) -> Path:
    """Return a corpus folder holding one article, `name`.md."""
    corpus = tmp_path / name
    corpus.mkdir()
    (corpus / f"{name}.md").write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def reader_copy(tmp_path: Path) -> Path:
    """Return a folder holding a copy of the shipped reader and its description."""
    return copied(READER_DIR, (READER_FILE, READER_META), tmp_path / "reader")


def test_the_shipped_reader_loads_with_the_sha256_its_description_records() -> None:
    meta = read_meta()
    assert meta["sha256"] == sha256_file(READER_DIR / meta["file"])
    assert (READER_DIR / meta["file"]).stat().st_size <= 25 * 1024 * 1024  # the repository holds at most 25 MB
    reader = load_reader()
    assert reader.read == meta["read"] and reader.weight == meta["weight"]
    logits = reader.scores("How far is Derna from Crete?", [
        "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea.",
        "The group has since declared its allegiance to ISIS.",
    ])
    assert logits.shape == (2,) and logits[0] > logits[1]


def test_an_altered_reader_is_refused(reader_copy: Path) -> None:
    data = bytearray((reader_copy / READER_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (reader_copy / READER_FILE).write_bytes(bytes(data))
    with pytest.raises(RankerError, match="sha256"):
        load_reader(reader_copy)


def test_a_missing_or_foreign_reader_is_refused(reader_copy: Path) -> None:
    (reader_copy / READER_FILE).unlink()
    with pytest.raises(RankerError, match="missing"):
        load_reader(reader_copy)
    meta = json.loads((reader_copy / READER_META).read_text(encoding="utf-8"))
    (reader_copy / READER_META).write_text(json.dumps({**meta, "format": 99}), encoding="utf-8")
    with pytest.raises(RankerError, match="format"):
        load_reader(reader_copy)


def test_an_unusable_reader_leaves_the_rankers_order_with_a_warning(
    settings: Settings, minilm: Encoder, reader_copy: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, seed_corpus: Path,
) -> None:
    (reader_copy / READER_FILE).write_bytes(b"not a model")
    monkeypatch.setattr(reader_module, "READER_DIR", reader_copy)
    with caplog.at_level(logging.WARNING), Engine.open(settings, encoder=minilm) as engine:
        assert engine.answerer.reader is None
        engine.index_paths([seed_corpus])
        assert "211 miles" in engine.answer("How far is Derna from Crete?").hits[0].sentence
    assert "reader is unusable" in caplog.text


def test_newsbot_reader_off_turns_it_off(settings: Settings, minilm: Encoder) -> None:
    assert Settings.from_env({"NEWSBOT_READER": "off"}).reader is False
    assert Settings.from_env({}).reader is True
    with Engine.open(replace(settings, reader=False), encoder=minilm) as engine:
        assert engine.answerer.reader is None
    with Engine.open(settings, encoder=minilm) as engine:
        assert engine.answerer.reader is not None
    with Engine.open(replace(settings, ranker="fusion"), encoder=minilm) as engine:
        assert engine.answerer.reader is None  # its weight is on the learned ranker's scale


def test_the_reader_picks_the_answer_that_shares_few_words_with_the_question(
    settings: Settings, minilm: Encoder, tmp_path: Path
) -> None:
    corpus = one_story(tmp_path, "climber", CLIMBER)
    with Engine.open(settings, encoder=minilm) as engine:
        engine.index_paths([corpus])
        cands, scores, _ = engine.answerer.ranked(CLIMBER_QUESTION)
        reader = engine.answerer.reader
        assert reader is not None
        groups, read = reread(reader, CLIMBER_QUESTION, [[(c, float(x))] for c, x in zip(cands, scores, strict=True)])
        answer = engine.answer(CLIMBER_QUESTION, k=3)
    assert "Harbourside Trust" not in cands[0].sentence.text  # the ranker alone: the lead, which repeats the context
    assert "Harbourside Trust" in groups[0][0][0].sentence.text  # the reader, over the whole question
    assert groups[0][0][0].id in read
    assert "Harbourside Trust" in answer.hits[0].sentence
    assert "reader" in answer.hits[0].features


def test_the_ask_chooses_the_sentence_inside_the_story_the_whole_question_found(
    settings: Settings, minilm: Encoder, tmp_path: Path
) -> None:
    """A question that opens with context and then asks: the whole question finds the story, the ask alone the
    sentence in it, with the ranker alone as with the reader (bench/RESULTS.md, "The question in parts")."""
    corpus = one_story(tmp_path, "climber", CLIMBER)
    with Engine.open(replace(settings, reader=False), encoder=minilm) as engine:
        engine.index_paths([corpus])
        assert engine.answerer.reader is None
        cands, _, _ = engine.answerer.ranked(CLIMBER_QUESTION)
        answer = engine.answer(CLIMBER_QUESTION, k=3)
        more = engine.answer(CLIMBER_QUESTION, k=3, offset=3)
        whole_only = engine.answer(CLIMBER_QUESTION.replace(". ", ", and "), k=3)  # one sentence: no parts
    assert "Harbourside Trust" not in cands[0].sentence.text
    assert "Harbourside Trust" in answer.hits[0].sentence
    assert cands[0].sentence.text in [h.sentence for h in answer.hits]  # the whole question's first follows
    shown = [h.sentence for h in answer.hits + more.hits]
    assert len(shown) == len(set(shown))  # the next page does not show the chosen sentence again
    assert "Harbourside Trust" not in whole_only.hits[0].sentence


@pytest.mark.parametrize(("question", "parts"), [
    ("A climber hurt on the Matterhorn was flown back to Britain. Who paid for it?",
     ("A climber hurt on the Matterhorn was flown back to Britain.", "Who paid for it?")),
    ("The U.S. Senate voted on the bill on Tuesday. What did it change?",
     ("The U.S. Senate voted on the bill on Tuesday.", "What did it change?")),
    ("how far is Derna from Crete", None),
    ("Who is Noman Benotman? What did he say?", None),  # two questions, not context and an ask
    ('Who said, "Here I stand. I can do no other"?', None),  # one question around a quotation
    ("Derna. Where?", None),  # too short to be context and an ask
])
def test_a_question_in_parts(question: str, parts: tuple[str, str] | None) -> None:
    assert quiz_parts(question) == parts


def test_the_reader_keeps_the_seeds_answers_first(seed_engine: Engine) -> None:
    assert seed_engine.answerer.reader is not None
    for question, words in [
        ("How far is Derna from Crete?", "211 miles"),
        ("What did Noman Benotman say?", "Benotman"),
        ("How many fighters does ISIS have in Derna?", "800"),
    ]:
        answer = seed_engine.answer(question)
        assert words in answer.hits[0].sentence, (question, answer.hits[0].sentence)
        assert "reader" in answer.hits[0].features


def test_reading_reorders_only_the_best_candidates_and_keeps_the_rest(seed_engine: Engine) -> None:
    question = "Who controls Derna?"
    cands, scores, _ = seed_engine.answerer.ranked(question)
    from index.ranking.order import reread
    from index.stories import collapse_copies

    groups = collapse_copies(cands, scores)
    assert seed_engine.answerer.reader is not None
    read = seed_engine.answerer.reader.read
    reordered, logits = reread(seed_engine.answerer.reader, question, groups)
    head = [g[0][0].id for g in groups[:read]]
    assert sorted(g[0][0].id for g in reordered[:read]) == sorted(head)
    assert [g[0][0].id for g in reordered[read:]] == [g[0][0].id for g in groups[read:]]
    assert set(logits) == set(head)
    assert {g[0][0].id: g[0][1] for g in reordered} == {g[0][0].id: g[0][1] for g in groups}  # scores kept
    fused = [g[0][1] + seed_engine.answerer.reader.weight * logits[g[0][0].id] for g in reordered[:read]]
    assert fused == sorted(fused, reverse=True)
    assert np.isfinite(fused).all()


# A quiz question over a story whose answer lies deep in it: the ranker puts the sentences that repeat the
# question's context first and the one that names the craft fifth, below the groups the reader reads; reading
# inside the best story finds it (reading the best 6 groups at the ranker's scores put it third). Off as shipped:
# through the answer path it gained within noise and lost seed questions (bench/RESULTS.md).
JUICE = """---
title: Spacecraft leaves for Jupiter's icy moons
outlet: The Science Desk
---
A European spacecraft left French Guiana on Friday on its way to Jupiter's icy moons.

The spacecraft that left French Guiana for Jupiter's icy moons carries ten instruments built by teams across Europe, \
among them two cameras and a radar.

Crowds in French Guiana watched the spacecraft for Jupiter's icy moons climb through thin cloud before it turned \
east over the Atlantic.

The spacecraft will spend eight years on its way to Jupiter's icy moons, swinging past Earth, Venus and Earth again \
to gain speed.

Once the spacecraft reaches Jupiter's icy moons it will fly past Europa and Callisto many times before settling \
around Ganymede.

Scientists who waited in French Guiana said the spacecraft for Jupiter's icy moons could find oceans under the ice.

Its builders named it Juice, after the first letters of its long official title.

The launch had been delayed by a day because of lightning.
"""
JUICE_QUESTION = "A spacecraft left French Guiana for Jupiter's icy moons. What name was it given?"
# other news in the corpus: (file, title, sentences)
ALPS = [
    ("rescues", "Matterhorn rescues rise", "Rescuers on the Matterhorn flew forty injured climbers to hospital this "
     "summer. Most had fallen on the Hornli ridge."),
    ("flights", "More climbers flown home", "Flights bringing hurt climbers back to Britain from the Alps have "
     "doubled in ten years. Most land in Manchester."),
    ("britons", "Britons hurt abroad", "Britons hurt on holiday in the Alps are usually flown back to Britain within "
     "a week. Most of them are skiers."),
    ("zermatt", "Zermatt hospital stretched", "The hospital in Zermatt treats hundreds of climbers hurt on the "
     "Matterhorn each year. It has added ten beds."),
    ("deaths", "Matterhorn deaths", "Climbers hurt on the Matterhorn are flown down by helicopter. Ten have died on "
     "the mountain this year."),
    ("club", "Climbing club warns members", "A British climbing club has warned its members about the Matterhorn "
     "after three falls. The club has 2,000 members."),
    ("x", "Travel insurance for climbers", "Most travel insurance does not cover climbers flown home from the Alps. "
     "Climbers should buy special cover."),
]


def test_the_reader_finds_the_answer_deep_in_the_best_story(settings: Settings, minilm: Encoder,
                                                            tmp_path: Path) -> None:
    corpus = one_story(tmp_path, "juice", JUICE)
    for name, title, text in ALPS:
        body = text.replace(". ", ".\n\n")
        (corpus / f"{name}.md").write_text(f"---\ntitle: {title}\noutlet: The Alpine Times\n---\n{body}\n",
                                           encoding="utf-8")
    from index.evaluation.story_reading import replace_reader

    with Engine.open(settings, encoder=minilm) as engine:
        engine.index_paths([corpus])
        shipped = engine.answerer.reader
        assert shipped is not None and shipped.story == 0  # off as shipped (bench/RESULTS.md)
        cands, scores, _ = engine.answerer.ranked(JUICE_QUESTION)
        ranked = list(zip(cands, (float(x) for x in scores), strict=True))
        groups = [[pair] for pair in ranked]
        before, _ = reread(shipped, JUICE_QUESTION, groups)
        reader = replace_reader(shipped, read=3, story=3)
        after, read = reread(reader, JUICE_QUESTION, groups, ranked)
        answer = engine.answer(JUICE_QUESTION, k=3)  # as shipped: the ask chooses inside the story
    assert "named it Juice" not in before[0][0][0].sentence.text
    assert "named it Juice" in after[0][0][0].sentence.text
    rank = next(i for i, c in enumerate(cands) if "Juice" in c.sentence.text)
    assert rank >= reader.read  # not among the groups the reader reads: found inside the story
    assert after[0][0][0].id in read
    assert "named it Juice" in answer.hits[0].sentence


UNIVERSITIES = """---
title: Universities drop entrance essays
outlet: The Campus Herald
---
Two more universities said this week that applicants will no longer have to write an entrance essay.

Last year Northfield University dropped the essay for its engineering courses.

On Monday the University of Westmere announced that the essay would be scrapped for every course from September.

Critics said the essay had favoured students who could pay for coaching.

Admissions staff will instead read a short statement of interest.
"""


def test_cards_after_the_first_show_only_when_they_answer_too(settings: Settings, minilm: Encoder,
                                                               tmp_path: Path, seed_corpus: Path) -> None:
    from index.ranking.order import WEAK_GAP

    (seed_corpus / "climber.md").write_text(CLIMBER, encoding="utf-8")
    (seed_corpus / "universities.md").write_text(UNIVERSITIES, encoding="utf-8")
    with Engine.open(settings, encoder=minilm) as engine:
        engine.index_paths([seed_corpus])
        assert engine.answerer.reader is not None
        weight = engine.answerer.reader.weight
        one = engine.answer("Which university will scrap the essay for every course?", k=3)
        crete = engine.answer("How far is Derna from Crete?", k=3)
        said = engine.answer("What did Noman Benotman say?", k=3)
        more = engine.answer("Which university will scrap the essay for every course?", k=3, offset=1)
    # every hit is returned (ask -k N --json gives N); the front ends show the first and those that answer too
    assert len(one.hits) == 3 and "University of Westmere" in one.hits[0].sentence
    assert [h.weak for h in one.hits] == [False, True, True]
    assert one.shown().hits == one.hits[:1] and one.shown().more
    for answer in (one, crete):
        top = answer.hits[0].score + weight * answer.hits[0].features["reader"]
        for h in answer.hits[1:]:
            assert h.weak == (h.score + weight * h.features["reader"] < top - WEAK_GAP)
    assert "211 miles" in crete.hits[0].sentence and 1 <= len(crete.shown().hits) <= 3
    # what a speaker the question names said is never filler; a page behind More shows every hit
    assert [h.attribution.speaker for h in said.shown().hits] == ["Noman Benotman"] * 3
    assert more.shown().hits == more.hits
    assert [h["weak"] for h in one.to_json()["answers"]] == [False, True, True]


def test_the_reader_reads_text_that_is_not_valid_unicode() -> None:
    logits = load_reader().scores("00\ud800", ["Derna is a city \udcff in Libya.", "Crete is an island."])
    assert logits.shape == (2,) and np.isfinite(logits).all()


HOME = """---
title: Injured climber flown home
outlet: The Mountain Post
---
A British climber who fell on the Matterhorn last week was flown home to Sheffield on Tuesday.

The Harbourside Trust, a charity based in Leeds, covered the cost of the air ambulance.

He had been in a coma since the fall, his family said.

Doctors in Zermatt had said he was too weak to travel by road.
"""


class _Scripted:
    """A reader that gives the logits it is told to sentences holding given words (0 to the rest)."""

    read, weight, story = 6, 0.7, 0

    def __init__(self, **logits: float) -> None:
        self.logits = logits

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        return np.array([next((x for w, x in self.logits.items() if w in s), 0.0) for s in sentences])


def test_the_sentence_next_to_the_first_goes_first_when_the_reader_reads_it_as_the_answer(
    settings: Settings, minilm: Encoder, tmp_path: Path
) -> None:
    corpus = one_story(tmp_path, "home", HOME)
    question = "Who paid for the climber who fell on the Matterhorn to be flown home to Sheffield?"
    with Engine.open(settings, encoder=minilm) as engine:
        engine.index_paths([corpus])
        answerer = engine.answerer
        cands, scores, _ = answerer.ranked(question)
        groups = [[(c, float(x))] for c, x in zip(cands, scores, strict=True)]
        lead = next(g for g in groups if "flown home to Sheffield" in g[0][0].sentence.text)
        groups = [lead, *(g for g in groups if g is not lead)]  # the lead first, as the reader may leave it
        read = {lead[0][0].id: 3.0}
        answerer.reader = _Scripted(Harbourside=3.0 + NEIGHBOUR_MARGIN + 0.5)  # type: ignore[assignment]
        moved, moved_read = answerer._neighbour_first(question, groups, read)
        answerer.reader = _Scripted(Harbourside=3.0 + NEIGHBOUR_MARGIN - 0.5)  # type: ignore[assignment]
        within, _ = answerer._neighbour_first(question, groups, read)
        answerer.reader = _Scripted(Zermatt=9.0)  # type: ignore[assignment]  # two sentences away: no neighbour
        far, _ = answerer._neighbour_first(question, groups, read)
    assert "Harbourside Trust" in moved[0][0][0].sentence.text
    assert moved[0][0][0].id in moved_read
    assert {g[0][0].id for g in moved} == {g[0][0].id for g in groups}  # moved, nothing lost or doubled
    assert within[0] is lead
    assert far[0] is lead
