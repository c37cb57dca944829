"""The attribution evaluation (`newsbot eval-attribution`): each scoring rule of polnear-train's README on
hand-written records, and the command end to end on a small fixture written for these tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from index.encoder import Encoder
from index.engine import Engine
from index.errors import NewsbotError
from index.evaluation.attribution import (
    Label,
    antecedents_of,
    is_right,
    read_labels,
    score_article,
    speaker_matches,
    summarise,
)
from index.model import NO_ATTRIBUTION, Attribution, Source, StoredSentence
from index.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def label(speaker: str | None, snippet: str = "x", pronoun: bool = False, quoted: bool = False,
          cue: str = "said", source: tuple[int, int] | None = None, content: tuple[int, int] = (0, 1)) -> Label:
    """Return a hand-made label of article "a"."""
    return Label("a", snippet, speaker, pronoun, cue, quoted, content, source)


def stored(text: str, sentences: list[tuple[str, Attribution]]) -> list[StoredSentence]:
    """Return stored sentences of one article, each found in its text, with the given attributions."""
    out = []
    src = Source(doc_id="a")
    for i, (s, a) in enumerate(sentences):
        start = text.index(s)
        out.append(StoredSentence(i + 1, 1, s, 0, i, start, start + len(s), a, src))
    return out


def test_a_named_speaker_is_right_when_it_shares_a_content_word_with_the_source() -> None:
    assert speaker_matches("Lindsey Graham", "Sen. Lindsey Graham (R-S.C.)")
    assert speaker_matches("The Post", "The New York Post")
    assert speaker_matches("Graham", "Sen. Lindsey Graham")
    assert is_right(label("Sen. Lindsey Graham (R-S.C.)"), "Lindsey Graham")


def test_titles_and_stopwords_do_not_count_as_shared_words() -> None:
    assert not speaker_matches("Sen. Elizabeth Warren", "Sen. Lindsey Graham")
    assert not speaker_matches("President Obama", "the president of France")
    assert not speaker_matches("Mr. Smith", "Mr. Jones")
    assert not is_right(label("Lindsey Graham"), None)


def test_a_null_label_is_right_only_when_newsbot_names_nobody() -> None:
    assert is_right(label(None), None)
    assert not is_right(label(None), "Ada Quill")


def test_a_pronoun_label_is_right_when_newsbot_names_a_source_annotated_before_it() -> None:
    labels = [label("Mayor Ada Quill", source=(10, 25)), label("the Transit Union", source=(40, 57)),
              label("she", pronoun=True, source=(80, 83)), label("Tom Reyes", source=(90, 99))]
    before = antecedents_of(labels[2], labels)
    assert before == ["Mayor Ada Quill", "the Transit Union"]  # nearest last; a later source is not one
    assert is_right(labels[2], "Ada Quill", before)
    assert not is_right(labels[2], "Tom Reyes", before)
    assert not is_right(labels[2], None, before)
    assert not is_right(labels[2], "she", before)
    assert not is_right(labels[2], "Ada Quill", [])  # nobody named before it: it cannot be resolved


def test_an_article_is_scored_by_kind_with_quotes_and_own_voice() -> None:
    text = ("Mayor Ada Quill said the work would start. \u201cWe waited,\u201d Quill said. "
            "She added that the port pays. The harbour is old.")
    sentences = stored(text, [
        ("Mayor Ada Quill said the work would start.", Attribution("Ada Quill", "said", "reported")),
        ("\u201cWe waited,\u201d Quill said.", Attribution(None, None, "quote")),
        ("She added that the port pays.", Attribution("Ada Quill", "added", "reported")),
        ("The harbour is old.", Attribution("Harbour Board", "said", "reported")),
    ])
    labels = [
        label("Mayor Ada Quill", "the work would start", source=(0, 15), content=(21, 41)),
        label("Quill", "We waited", quoted=True, source=(56, 61), content=(43, 54)),
        label("She", "the port pays", pronoun=True, cue="added", source=(68, 71), content=(83, 96)),
        label("Nobody", "not in this text"),
    ]
    report = summarise(score_article(labels, text, text, sentences))
    shares = report["shares"]
    assert (shares["named"]["n"], shares["named"]["right"]) == (2, 1)  # the quotation names nobody
    assert (shares["quote"]["n"], shares["quote"]["right"]) == (1, 0)
    assert (shares["pronoun"]["n"], shares["pronoun"]["right"]) == (1, 1)
    assert (shares["own_voice"]["n"], shares["own_voice"]["right"]) == (1, 0)  # "The harbour is old." is named
    assert report["unaligned_labels"] == 1
    said = next(row for row in report["by_cue"] if row["cue"] == "said")
    assert (said["n"], said["right"], said["nobody"]) == (2, 1, 1)
    assert report["errors_by_newsbot_kind"] == {"quote": 1}
    assert report["own_voice_named_by_newsbot_cue"] == {"said": 1}
    assert shares["named"]["target"] == 0.85


def test_unlabelled_sentences_in_quotations_are_counted_apart_from_own_voice() -> None:
    text = "\u201cWe waited. Nobody came. It was cold,\u201d Quill said. The harbour is old. It floods."
    quote = Attribution("Ada Quill", "said", "quote")
    sentences = stored(text, [
        ("\u201cWe waited.", quote),
        ("Nobody came.", quote),  # inside the quotation, but the annotator labelled only its first sentence
        ("It was cold,\u201d Quill said.", quote),
        ("The harbour is old.", NO_ATTRIBUTION),
        ("It floods.", Attribution("Harbour Board", "said", "reported")),
    ])
    quill = text.index("Quill")
    labels = [label("Quill", "We waited", quoted=True, source=(quill, quill + 5), content=(1, 11))]
    outcomes = score_article(labels, text, text, sentences)
    own = [(o["quoted"], o["right"]) for o in outcomes if o["kind"] == "own_voice"]
    assert own == [(True, False), (False, True), (False, False)]
    report = summarise(outcomes)
    shares = report["shares"]
    assert (shares["own_voice"]["n"], shares["own_voice"]["right"]) == (3, 1)
    assert (shares["own_voice_outside_quotes"]["n"], shares["own_voice_outside_quotes"]["right"]) == (2, 1)
    assert report["unlabelled_quotes_with_speaker"] == {"n": 1, "right": 1, "share": 1.0}


def test_labels_are_aligned_through_the_stored_text_not_the_raw_offsets() -> None:
    raw = "Head\n\n\n\nQuill  said the  port pays."  # the reader repairs spaces and blank lines
    text = "Head\n\nQuill said the port pays."
    sentences = stored(text, [("Head", NO_ATTRIBUTION), ("Quill said the port pays.", Attribution("Quill", "said"))])
    outcomes = score_article([label("Quill", "the  port pays", source=(8, 13), content=(19, 33))], raw, text,
                             sentences)
    assert [(o["kind"], o["right"]) for o in outcomes if o["kind"] != "card"] == [("named", True),
                                                                                  ("own_voice", True)]


def test_an_unreadable_label_line_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"doc_id": "a", "sentence_contains": "x"}\n', encoding="utf-8")
    with pytest.raises(NewsbotError, match="line 1: not a label"):
        read_labels(bad)
    assert len(read_labels(FIXTURES / "attribution_labels.jsonl")) == 5


def _newsbot(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSBOT_DATA": str(data), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def test_a_missing_labels_file_is_one_line(tmp_path: Path) -> None:
    done = _newsbot("eval-attribution", "--docs", str(FIXTURES / "attribution_docs.jsonl"), "--labels",
                    str(tmp_path / "none.jsonl"), data=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("none.jsonl: no such file")
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_command_scores_the_stored_attributions_of_a_fixture(tmp_path: Path) -> None:
    done = _newsbot("eval-attribution", "--docs", str(FIXTURES / "attribution_docs.jsonl"), "--labels",
                    str(FIXTURES / "attribution_labels.jsonl"), "--json", data=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["articles"], report["label_count"], report["unaligned_labels"]) == (2, 5, 0)
    shares = report["shares"]
    assert {k: v["n"] for k, v in shares.items()} == {"named": 3, "quote": 1, "own_voice": 5,
                                                      "own_voice_outside_quotes": 5, "pronoun": 1, "null": 1}
    assert shares["named"]["right"] == 3  # "Mayor Ada Quill said", "..., Quill said", "according to the Transit Union"
    assert shares["quote"]["right"] == 1
    assert shares["pronoun"]["right"] == 1  # "She added" stands for Ada Quill
    assert shares["null"]["right"] == 1  # "Passengers were told ..." names nobody
    assert shares["own_voice"]["right"] == 5
    assert set(report["timing"]) == {"embedded", "index_seconds", "attribute_seconds",
                                     "attribution_share_of_indexing"}
    assert not (tmp_path / "data").exists()  # a temporary index: the data folder is untouched
    text = _newsbot("eval-attribution", "--docs", str(FIXTURES / "attribution_docs.jsonl"), "--labels",
                    str(FIXTURES / "attribution_labels.jsonl"), "--limit", "1", data=tmp_path / "data")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("1 articles,")
    assert "of indexing" in text.stdout


def test_engine_attributions_are_the_records_ask_shows(
    settings: Settings, fake_encoder: Encoder, tmp_path: Path
) -> None:
    article = tmp_path / "harbour.txt"
    article.write_text("Mayor Ada Quill said the work would start in March.\n\nThe harbour is old.\n",
                       encoding="utf-8")
    with Engine.open(settings, encoder=fake_encoder) as engine:
        engine.index_paths([article])
        doc_id = engine.library.sources()[0].source.doc_id
        records = engine.library.attributions(doc_id)
        assert [(r.position, r.attribution.speaker) for r in records] == [(0, "Ada Quill"), (1, None)]
        hit = engine.library.hit(records[0].id)
        assert hit is not None and hit.attribution == records[0].attribution
        text = engine.library.article(doc_id)
        assert text is not None and text[1][records[1].start : records[1].end] == "The harbour is old."
        assert engine.library.attributions("no such article") == []


def test_outcomes_say_the_speaker_as_newsbot_read_it_and_whether_it_is_vague() -> None:
    text = "Head\n\nGen. Ada Quill said the port pays. Officials said it is late."
    dempsey_like = Attribution("Ada Quill", "said", "reported", as_written="Gen. Ada Quill")
    officials = Attribution("officials", "said", "reported", as_written="Officials", vague=True)
    sentences = stored(text, [("Head", NO_ATTRIBUTION), ("Gen. Ada Quill said the port pays.", dempsey_like),
                              ("Officials said it is late.", officials)])
    outcomes = score_article([label("Ada Quill", "the port pays", source=(6, 20), content=(26, 39)),
                              label("nobody", "not in the text")], text, text, sentences)
    by_kind = {(o["kind"], o["aligned"]): o for o in outcomes}
    named = by_kind[("named", True)]
    assert (named["speaker"], named["newsbot_as_written"], named["vague"]) == ("Ada Quill", "Gen. Ada Quill", False)
    assert (by_kind[("named", False)]["newsbot_as_written"], by_kind[("named", False)]["vague"]) == (None, False)
    own = [o for o in outcomes if o["kind"] == "own_voice"]
    assert [(o["newsbot_as_written"], o["vague"]) for o in own] == [(None, False), ("Officials", True)]


# --- issue 23: what a reader of a card needs ------------------------------------------------------------------


def test_speech_and_writing_cues_are_a_class_apart_from_belief_and_action() -> None:
    from index.evaluation.attribution import cue_class

    for cue in ("said", "says", "told", "wrote", "added", ":", "according to", "also said", "Told"):
        assert cue_class(cue) == "speech", cue
    for cue in ("believes", "criticized", "the report shows", "wants", "called"):
        assert cue_class(cue) == "other", cue


def test_non_name_speakers_are_counted_against_a_fixed_list() -> None:
    from index.evaluation.attribution import non_name_reason

    not_names = ["PORTVILLE", "NEW HARBOUR", "Conversely", "Regrettably", "Corrected, :", "1998",
                 "according to the board's", "company", "release", "Dr.", "Photo", "Wharf Manager Ida Pell, Dock",
                 "former Republican presidential candidate", "Democratic plan", "NBC report at the time"]
    for speaker in not_names:
        assert non_name_reason(speaker) is not None, speaker
    for speaker in ("Ada Quill", "the Transit Union", "officials", "the spokesman", "Beverly Holt", "UNESCO",
                    "62 percent", "law enforcement officials", "proponents of the bill", None):
        assert non_name_reason(speaker) is None, speaker


def test_a_role_label_is_right_for_the_person_the_article_gave_that_role() -> None:
    text = "Head\n\nParty spokesman Tom Hart spoke first. The spokesman said the vote was fair."
    hart = Attribution("Tom Hart", "said", "reported", as_written="The spokesman")
    sentences = stored(text, [("Head", NO_ATTRIBUTION), ("Party spokesman Tom Hart spoke first.", NO_ATTRIBUTION),
                              ("The spokesman said the vote was fair.", hart)])
    outcomes = score_article([label("The spokesman", "the vote was fair", content=(70, 87))], text, text, sentences)
    assert [o["right"] for o in outcomes if o["kind"] == "named"] == [True]
    # newsbot's as_written lost: the article still puts "spokesman" beside Hart
    sentences[2] = stored(text, [("The spokesman said the vote was fair.", replace(hart, as_written="Hart"))])[0]
    outcomes = score_article([label("The spokesman", "the vote was fair", content=(70, 87))], text, text, sentences)
    assert [o["right"] for o in outcomes if o["kind"] == "named"] == [True]
    # a different person is not the spokesman
    other = Attribution("Ann Lee", "said", "reported")
    sentences[2] = stored(text, [("The spokesman said the vote was fair.", other)])[0]
    outcomes = score_article([label("The spokesman", "the vote was fair", content=(70, 87))], text, text, sentences)
    assert [o["right"] for o in outcomes if o["kind"] == "named"] == [False]


def test_a_relative_pronoun_label_is_right_for_the_noun_it_follows() -> None:
    text = "Head\n\nThe mayor met Ada Quill, who said the port pays. Ida Pell, who runs the dock, agreed."
    pos = text.index("who said")
    quill = Attribution("Ada Quill", "said", "reported")
    sentences = stored(text, [("Head", NO_ATTRIBUTION), ("The mayor met Ada Quill, who said the port pays.", quill),
                              ("Ida Pell, who runs the dock, agreed.", NO_ATTRIBUTION)])
    who = label("who", "the port pays", source=(pos, pos + 3))
    outcomes = score_article([who], text, text, sentences)
    assert [o["right"] for o in outcomes if o["kind"] == "named"] == [True]
    # a speaker named nowhere before the pronoun in its sentence is wrong
    sentences[1] = stored(text, [("The mayor met Ada Quill, who said the port pays.",
                                  Attribution("Ida Pell", "said", "reported"))])[0]
    outcomes = score_article([who], text, text, sentences)
    assert [o["right"] for o in outcomes if o["kind"] == "named"] == [False]


def test_the_reader_measures_precision_quotations_owned_and_non_names() -> None:
    text = ("Head\n\nAda Quill said the port pays. Ida Pell said rates rise. “It is late.” "
            "PORTVILLE said nothing. The dock is old.")
    quill = Attribution("Ada Quill", "said", "reported")
    sentences = stored(text, [
        ("Head", NO_ATTRIBUTION),
        ("Ada Quill said the port pays.", quill),
        ("Ida Pell said rates rise.", Attribution("Ada Quill", "said", "reported")),  # wrong
        ("“It is late.”", Attribution(kind="quote")),  # marked unattributed
        ("PORTVILLE said nothing.", Attribution("PORTVILLE", "said", "reported")),
        ("The dock is old.", NO_ATTRIBUTION),
    ])
    labels = [label("Ada Quill", "the port pays", content=(21, 34)), label("Ida Pell", "rates rise", content=(50, 60))]
    report = summarise(score_article(labels, text, text, sentences))
    reader = report["reader"]
    assert (reader["named_precision"]["n"], reader["named_precision"]["right"]) == (2, 1)
    assert (reader["quotes_owned"]["n"], reader["quotes_owned"]["right"]) == (1, 1)
    assert (reader["quotes_with_speaker"]["right"]) == 0
    assert (reader["speech_named"]["n"], reader["speech_named"]["right"]) == (2, 1)
    assert report["non_name_speakers"]["total"] == 1
    assert report["non_name_speakers"]["by_reason"] == {"dateline or heading in capitals": 1}


def test_without_embedding_the_scorer_reads_the_same_attributions(tmp_path: Path) -> None:
    from index.evaluation.attribution import evaluate_attribution

    report = evaluate_attribution(FIXTURES / "attribution_docs.jsonl", FIXTURES / "attribution_labels.jsonl",
                                  embed=False)
    assert (report["articles"], report["label_count"], report["unaligned_labels"]) == (2, 5, 0)
    assert {k: v["right"] for k, v in report["shares"].items() if k != "own_voice_outside_quotes"} == {
        "named": 3, "quote": 1, "own_voice": 5, "pronoun": 1, "null": 1}
    assert report["timing"]["embedded"] is False


def test_quoted_labels_are_also_reported_for_speech_and_writing_cues_alone() -> None:
    def outcome(cue: str, cue_class: str, right: bool) -> dict[str, object]:
        return {"kind": "named", "quoted": True, "cue": cue, "cue_class": cue_class, "aligned": True, "right": right,
                "speaker": "Ada Quill" if right else None, "newsbot_kind": "quote", "newsbot_cue": cue}

    report = summarise([outcome("said", "speech", True), outcome("wrote", "speech", False),
                        outcome("wants", "other", False)])
    reader = report["reader"]
    assert (reader["quoted_labels_right"]["n"], reader["quoted_labels_right"]["right"]) == (3, 1)
    assert (reader["quoted_speech_labels_right"]["n"], reader["quoted_speech_labels_right"]["right"]) == (2, 1)


def test_a_labels_source_in_a_split_off_tail_touches_the_tail_not_an_earlier_mention() -> None:
    quote = "\u201cWe will win this state and every state after it, believe me.\u201d"
    text = f"At noon Trump spoke. {quote} Trump said."
    sentences = stored(text, [
        ("At noon Trump spoke.", NO_ATTRIBUTION),
        (quote, Attribution("Donald Trump", "said", "quote")),
        ("Trump said.", Attribution("Donald Trump", "said", "reported")),
    ])
    tail, start = text.rindex("Trump"), text.index(quote) + 1
    labels = [label("Trump", "We will win", quoted=True, source=(tail, tail + 5), content=(start, start + 60))]
    own = [o for o in score_article(labels, text, text, sentences) if o["kind"] == "own_voice"]
    assert [o["right"] for o in own] == [True]  # only "Trump spoke at noon." is the outlet's: the tail is the label's


def test_a_speaker_that_names_no_one_in_particular_matches_the_same_words() -> None:
    from index.evaluation.attribution import speaker_matches

    assert speaker_matches("Most of the candidates", "Most of the candidates")
    assert speaker_matches("Candidates", "candidates")
    assert not speaker_matches("candidates", "Donald Trump")  # a role against a name still needs the name
    assert not speaker_matches("the mayor", "the governor")
    assert speaker_matches("Ada Quill", "Mayor Ada Quill")
