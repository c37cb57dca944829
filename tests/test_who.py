"""Who said it, for readers: asking about a speaker by name, an article's claims grouped by speaker
(`Engine.library.claims`, `newsbot claims`), and the corpus's speakers with their claim counts
(`Engine.library.speakers`). Real model, SQLite and FAISS in tmp_path, over the seed article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from index.engine import Engine
from index.errors import ArticleNotFoundError

pytestmark = pytest.mark.slow

DEMPSEY = (
    "Gen. Martin Dempsey, chairman of the Joint Chiefs of Staff, said last week ground troops are still on the table."
)
IBT = "reports the International Business Times."


# --- asking about a speaker -----------------------------------------------------------------------------


def test_what_did_dempsey_say_puts_a_dempsey_claim_first(seed_engine: Engine) -> None:
    answer = seed_engine.answer("what did Dempsey say")
    assert answer.hits[0].sentence == DEMPSEY
    assert "Dempsey" in (answer.hits[0].attribution.speaker or "")


def test_according_to_cnn_puts_a_cnn_sentence_first(seed_engine: Engine) -> None:
    answer = seed_engine.answer("according to CNN")
    assert answer.hits[0].attribution.speaker == "CNN"


def test_an_outlet_asked_about_by_its_initials_is_found(seed_engine: Engine) -> None:
    assert seed_engine.answerer.speakers_asked_about("what does IBT report?") == ["International Business Times"]
    answer = seed_engine.answer("what does IBT report?")
    assert not answer.no_answer and answer.hits[0].sentence.endswith(IBT)


def test_a_question_naming_nobody_is_unaffected(seed_engine: Engine) -> None:
    assert seed_engine.answerer.speakers_asked_about("how far is Derna from Crete") == []
    assert seed_engine.answerer.speakers_asked_about("what did the report say about Crete") == []
    answer = seed_engine.answer("how far is Derna from Crete")
    assert answer.hits[0].sentence.startswith("Crete, Greece's most populous island")


# --- an article's claims --------------------------------------------------------------------------------


def test_claims_group_an_articles_sentences_by_speaker(seed_engine: Engine) -> None:
    claims = seed_engine.library.claims("derna.txt")
    stored = seed_engine.library.attributions("derna.txt")
    attributed = [s for s in stored if s.attribution.speaker and s.attribution.kind != "none"]
    assert claims.source.doc_id == "derna.txt"
    assert sum(len(g.claims) for g in claims.speakers) == len(attributed)
    assert claims.own_voice == len(stored) - len(attributed) > 0
    sizes = [len(g.claims) for g in claims.speakers]
    assert sizes == sorted(sizes, reverse=True)
    assert claims.speakers[0].speaker == "CNN"
    assert all(c.kind != "none" for g in claims.speakers for c in g.claims)
    by_position = {s.position: s for s in stored}
    for group in claims.speakers:  # every claim is what `ask` shows for that sentence
        for c in group.claims:
            s = by_position[c.position]
            assert (s.text, s.attribution.speaker, s.attribution.cue, s.attribution.kind) == (
                c.sentence, group.speaker, c.cue, c.kind
            )


@pytest.mark.parametrize("name", ["derna.txt", "DERNA.TXT", "derna", "Derna"])
def test_an_article_is_found_by_doc_id_or_file_name(seed_engine: Engine, name: str) -> None:
    assert seed_engine.library.find_article(name).doc_id == "derna.txt"


def test_no_article_or_several_is_a_clear_error(seed_engine: Engine) -> None:
    lines = [
        json.dumps({"doc_id": "libya-a", "title": "Libya report one", "text": "Tripoli was calm on Monday."}),
        json.dumps({"doc_id": "libya-b", "title": "Libya report two", "text": "Benghazi was calm on Tuesday."}),
    ]
    seed_engine.add_document("libya.jsonl", "\n".join(lines).encode())
    with pytest.raises(ArticleNotFoundError, match="no article matches 'Cairo'"):
        seed_engine.library.claims("Cairo")
    with pytest.raises(ArticleNotFoundError) as several:
        seed_engine.library.claims("libya report")
    assert "2 articles match" in str(several.value) and "'libya-a'" in str(several.value)
    assert "'libya-b'" in str(several.value)
    assert seed_engine.library.claims("Libya report two").source.doc_id == "libya-b"
    assert seed_engine.library.claims("libya-b").speakers == []


# --- the corpus's speakers ------------------------------------------------------------------------------


def test_speakers_are_counted_most_first_with_totals(seed_engine: Engine) -> None:
    tally = seed_engine.library.speakers()
    claims = seed_engine.library.claims("derna.txt")
    assert sorted(tally.speakers) == sorted((g.speaker, len(g.claims)) for g in claims.speakers)
    counts = [n for _, n in tally.speakers]
    assert counts == sorted(counts, reverse=True) and tally.speakers[0] == ("CNN", 4)
    assert tally.total_speakers == len(claims.speakers)
    assert tally.total_claims == sum(len(g.claims) for g in claims.speakers)
    capped = seed_engine.library.speakers(limit=2)
    assert capped.speakers == tally.speakers[:2] and capped.total_speakers == tally.total_speakers
    one = seed_engine.library.speakers("derna.txt")
    assert one.source is not None and one.source.doc_id == "derna.txt" and one.speakers == tally.speakers


# --- the command ----------------------------------------------------------------------------------------


@pytest.fixture
def indexed(tmp_path: Path, seed_corpus: Path, minilm, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    capsys.readouterr()
    return data


def test_claims_command_lists_speakers_with_their_sentences(indexed: Path, capsys) -> None:
    assert main(["claims", "derna", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "derna.txt"
    assert "in the article's own voice" in lines[1]
    assert lines[3] == "CNN (4 claims)"
    assert "    according to a CNN report · according_to · sentence 3" in lines
    assert "Crete, Greece's" not in out  # the article's own voice is counted, not listed


def test_claims_json_is_a_stable_object(indexed: Path, capsys) -> None:
    assert main(["claims", "derna.txt", "--json", "--data", str(indexed)]) == 0
    got = json.loads(capsys.readouterr().out)
    assert {"doc_id", "title", "speakers"} <= set(got) and got["doc_id"] == "derna.txt" and got["title"] is None
    first = got["speakers"][0]
    assert first["speaker"] == "CNN" and set(first) == {"speaker", "claims"}
    assert first["claims"][0] == {
        "sentence": "ISIS fighters totaling 800, according to a CNN report, have control over the city of about "
        "100,000 people.",
        "cue": "according to a CNN report",
        "kind": "according_to",
        "position": 2,
    }


def test_claims_of_an_unknown_article_is_one_line(indexed: Path, capsys) -> None:
    assert main(["claims", "cairo", "--data", str(indexed)]) == 1
    err = capsys.readouterr().err
    assert err == "newsbot: no article matches 'cairo' (see: newsbot sources)\n"
