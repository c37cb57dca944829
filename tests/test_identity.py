"""One person, one speaker (issue 23, part 4): the same person under several names across articles is one speaker
in /who (`Engine.speakers`), `claims` and "what did X say"; two people who share a surname stay two. Small real
articles indexed into a real store in tmp_path (SQLite, FAISS, the real model where answers are ranked)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.engine import Engine
from index.identity import SpeakerIdentities, speaker_key
from index.model import Attribution, Sentence
from index.settings import Settings
from index.store import Store
from tests.conftest import store_at_schema

# Three articles, three ways of naming one person: a surname alone (the article gives no full name), the full name
# after a role in lowercase, and a role word that opens the sentence capitalised.
MAKAR = {
    "avs-dallas.txt": (
        "The Avalanche beat Dallas 4-2 on Tuesday night at Ball Arena.\n\n"
        "Makar said the power play finally found its rhythm in the third period.\n\n"
        "The teams meet again on Friday in Texas."
    ),
    "avs-injury.txt": (
        "Colorado defenseman Cale Makar said the knee injury would not keep him out of the playoffs.\n\n"
        "The club listed him as day-to-day after the morning skate."
    ),
    "avs-award.txt": (
        "Defenseman Cale Makar said winning the Norris Trophy was a credit to his teammates.\n\n"
        "The award is given each year to the league's best defenseman."
    ),
}
MAKAR_SAID = [
    "Makar said the power play finally found its rhythm in the third period.",
    "Colorado defenseman Cale Makar said the knee injury would not keep him out of the playoffs.",
    "Defenseman Cale Makar said winning the Norris Trophy was a credit to his teammates.",
]

# Two Clintons: Hillary under two names (a title and her surname in one article, which names her in full only
# after), Bill once, and a "Clinton" whose article names neither.
CLINTON = {
    "campaign.txt": (
        "Mrs. Clinton said the economy would be her first priority.\n\n"
        "Hillary Clinton spoke for forty minutes in Ohio on Monday."
    ),
    "debate.txt": "Hillary Clinton said she would raise the minimum wage.\n\nThe debate ran for ninety minutes.",
    "library.txt": "Bill Clinton said the new library would open in the spring.\n\nThe building cost $40 million.",
    "poll.txt": "Clinton said the polls did not worry the campaign.\n\nThe race tightened in October.",
}


def _corpus(tmp_path: Path, articles: dict[str, str]) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture
def makar_engine(settings: Settings, fake_encoder, tmp_path: Path):  # -> Engine
    """Return an engine (the fake encoder: only grouping is tested) over the three Makar articles."""
    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([_corpus(tmp_path, MAKAR)])
    yield engine
    engine.close()


def test_three_names_of_one_person_across_three_articles_are_one_speaker_with_three_claims(
        makar_engine: Engine) -> None:
    tally = makar_engine.library.speakers()
    assert tally.speakers == [("Cale Makar", 3)]
    assert tally.total_speakers == 1 and tally.total_claims == 3
    assert makar_engine.library.speakers("avs-dallas.txt").speakers == [("Cale Makar", 1)]  # the surname alone, too


def test_claims_name_the_person_as_who_does(makar_engine: Engine) -> None:
    for doc_id, said in zip(MAKAR, MAKAR_SAID, strict=True):
        claims = makar_engine.library.claims(doc_id)
        assert [(g.speaker, [c.sentence for c in g.claims]) for g in claims.speakers] == [("Cale Makar", [said])]


def test_what_did_makar_say_finds_his_sentences_in_all_three_articles(
        settings: Settings, minilm, tmp_path: Path) -> None:
    engine = Engine.open(settings, encoder=minilm)
    try:
        engine.index_paths([_corpus(tmp_path, MAKAR)])
        assert engine.answerer.speakers_asked_about("What did Makar say?") == ["Cale Makar"]
        assert engine.answerer.speakers_asked_about("what did Cale Makar say") == ["Cale Makar"]
        answer = engine.answer("What did Makar say?", k=3)
        assert sorted(h.sentence for h in answer.hits) == sorted(MAKAR_SAID)
        assert {h.source.doc_id for h in answer.hits} == set(MAKAR)
    finally:
        engine.close()


def test_two_people_who_share_a_surname_stay_two(settings: Settings, fake_encoder, tmp_path: Path) -> None:
    engine = Engine.open(settings, encoder=fake_encoder)
    try:
        engine.index_paths([_corpus(tmp_path, CLINTON)])
        assert sorted(engine.library.speakers().speakers) == [
            ("Bill Clinton", 1), ("Clinton", 1), ("Hillary Clinton", 2)
        ]
        assert [g.speaker for g in engine.library.claims("campaign.txt").speakers] == ["Hillary Clinton"]
        assert [g.speaker for g in engine.library.claims("poll.txt").speakers] == ["Clinton"]  # nobody's in particular
        assert sorted(engine.answerer.speakers_asked_about("what did Bill Clinton say")) == ["Bill Clinton"]
    finally:
        engine.close()


# --- the key and the identities, one name at a time --------------------------------------------------------


@pytest.mark.parametrize(
    ("speaker", "article", "key"),
    [
        ("Defenseman Cale Makar", "", "Cale Makar"),
        ("Mr. Makar", "Mr. Makar said so. Cale Makar, 25, scored twice.", "Cale Makar"),
        ("Makar", "Makar said so. But Cale Makar's goal won it.", "Cale Makar"),
        ("Makar", "Makar said so.", "Makar"),
        ("Clinton", "Hillary Clinton and Bill Clinton spoke. Clinton said so.", "Clinton"),
        ("Clinton", "President Bill Clinton spoke first. Clinton said so.", "Bill Clinton"),
        ("The White House", "", "White House"),
        ("U.N.", "", "UN"),
        ("House Speaker Paul Ryan", "", "Paul Ryan"),
        ("General Motors", "", "General Motors"),
        ("Justice Department", "", "Justice Department"),
        ("Senate Republicans", "", "Senate Republicans"),
        ("officials", "", "officials"),
        ("House", "The White House said so.", "House"),
        ("Obama", "He spoke to Ben Rhodes. Mr. Obama said so.", "Obama"),  # a sentence ends between two names
        ("Obama", "Obama Praises Hillary Most Qualified Ever\n\nObama said so.", "Obama"),  # a headline
        ("Obama", "Michelle Obama smiled. Mr. Obama said so.", "Obama"),  # "Mr." is not Michelle
        ("Obama", "Michelle Obama smiled. Obama said so.", "Michelle Obama"),  # the article's one Obama
        ("Barack Obama's", "", "Barack Obama"),
        (None, "", None),
    ],
)
def test_a_speakers_key(speaker: str | None, article: str, key: str | None) -> None:
    assert speaker_key(speaker, article) == key


def test_identities_merge_one_person_and_keep_two_apart() -> None:
    counts = [("Cale Makar", 2), ("Makar", 1), ("Donald Trump", 5), ("Donald J. Trump", 2), ("Ivanka Trump", 1),
              ("Trump", 9), ("Hillary Clinton", 3), ("Bill Clinton", 1), ("Clinton", 2), ("White House", 4),
              ("House", 1), ("CNN", 3), ("cnn", 1), ("George W. Bush", 2), ("George H.W. Bush", 1), ("Bush", 1),
              ("Donald Trump Jr.", 1), ("Martin O'Malley", 2), ("Martin O’Malley", 1)]
    ids = SpeakerIdentities(counts)
    assert dict(ids.tally(counts)) == {
        "Cale Makar": 3, "Donald Trump": 7, "Ivanka Trump": 1, "Trump": 9, "Hillary Clinton": 3, "Bill Clinton": 1,
        "Clinton": 2, "White House": 4, "House": 1, "CNN": 4, "George W. Bush": 2, "George H.W. Bush": 1, "Bush": 1,
        "Donald Trump Jr.": 1, "Martin O'Malley": 3,
    }
    assert ids.keys_of(["Cale Makar"]) == ["Cale Makar", "Makar"]
    assert ids.of("Donald J. Trump") == "Donald Trump" and ids.of("unknown") == "unknown"


# --- an index made before the key ------------------------------------------------------------------------


def test_an_index_made_before_the_key_gets_it_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = store_at_schema(path, 9)
    texts = ["Defenseman Cale Makar said he was fine.", "Mr. Makar said the team was ready.",
             "The White House said nothing."]
    db.execute("INSERT INTO articles (doc_id, text, content_hash, indexed_at) VALUES ('old', ?, 'h', 'now')",
               (" ".join(texts),))
    for i, text in enumerate(texts):
        db.execute("INSERT INTO sentences (article_id, position, paragraph, start, end, text, vector)"
                   " VALUES (1, ?, 0, 0, 1, ?, ?)", (i, text, np.ones(4, dtype=np.float32).tobytes()))
    db.executemany("INSERT INTO attributions (sentence_id, speaker, cue, kind) VALUES (?, ?, 'said', 'reported')",
                   [(1, "Defenseman Cale Makar"), (2, "Makar"), (3, "White House")])
    db.commit()
    db.close()
    store = Store(path)
    assert store.speaker_counts() == [("Cale Makar", 2), ("White House", 1)]
    assert sorted(store.sentence_ids_by_speaker(["Cale Makar"], 5)) == [1, 2]
    assert [s.speaker_key for s in store.article_sentences("old")] == ["Cale Makar", "Cale Makar", "White House"]
    assert [s.attribution.speaker for s in store.article_sentences("old")] == ["Defenseman Cale Makar", "Makar",
                                                                               "White House"]  # as it was
    store.close()


def test_re_attributed_sentences_get_their_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    from index.model import Article, Source

    text = "Makar said so. Cale Makar scored."
    sents = [Sentence("Makar said so.", 0, 0, 0, 14), Sentence("Cale Makar scored.", 0, 1, 15, 33)]
    with store.transaction() as db:
        ids = store.insert_article(db, Article(Source("a"), text), sents, [Attribution()] * 2,
                                   np.ones((2, 4), dtype=np.float32))
    assert store.speaker_counts() == []
    with store.transaction() as db:
        store.set_attributions(db, [(ids[0], Attribution("Makar", "said", "reported"))])
    assert store.speaker_counts() == [("Cale Makar", 1)]
    store.close()
