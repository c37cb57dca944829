"""The corpus's word counts kept in the store (issue 12): how many sentences hold each content term and how the
corpus writes each word, kept in step as articles come and go, filled in for an index made before them, equal to a
count of every sentence from scratch, and read per question for its own words, so that the first question does not
read the whole corpus."""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED, FakeEncoder

from index.engine import Engine
from index.migrations import SCHEMA_VERSION
from index.questions import CorpusWords, normalized_question
from index.ranking.features import CorpusView
from index.settings import Settings
from index.store import Store
from index.terms import TERMS_VERSION, content_terms

HARBOUR = """The Harbour Council met on Tuesday. The council voted to dredge the harbour before spring.

Mayor Ana López said the ISIS scare was over. "The harbour is safe," López said. iPhone sales rose in the town.

Dredging starts in May. The Council's budget is 3,837 euros. the council will meet again."""

SCHOOL = """A new school opens in the valley. Pupils start in September, the school said.

The School Board chose the name. ISIS, iPhone and NATO were topics of the first class. Derna was another."""


# --- the reference: how the corpus was counted before, from every sentence --------------------------------------


def recount(texts: list[str]) -> tuple[Counter[str], dict[str, Counter[str]], int]:
    """Return (sentences per content term, written forms per lowercased word, sentences) counted from scratch as
    CorpusWords.count and CorpusView.refresh_idf counted them before the store kept the counts."""
    df: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for term in set(content_terms(text)):
            df[term] += 1
        for m in list(re.finditer(r"[^\W_]+", text))[1:]:
            word = m.group(0)
            forms.setdefault(word.lower(), Counter())[word] += 1
    return df, forms, len(texts)


def old_best(forms: dict[str, Counter[str]]) -> dict[str, str]:
    """Return each word's form as CorpusWords chose it before: most frequent, a tie to lowercase, then A-Z."""
    return {key: min(fs, key=lambda f: (-fs[f], f != key, f)) for key, fs in forms.items()}


def all_texts(store: Store) -> list[str]:
    """Return every stored sentence's text."""
    return [r[0] for r in store._db.execute("SELECT text FROM sentences ORDER BY id")]


def assert_counts_match(store: Store) -> None:
    """Assert that the stored counts equal a count of every stored sentence from scratch, and that the store and
    the features read them as before."""
    texts = all_texts(store)
    df, forms, n = recount(texts)
    stored_terms = dict(store._db.execute("SELECT term, sentences FROM term_counts").fetchall())
    stored_forms: dict[str, Counter[str]] = {}
    for word, form, k in store._db.execute("SELECT word, form, n FROM word_forms"):
        stored_forms.setdefault(word, Counter())[form] = k
    assert stored_terms == dict(df)  # no row at 0 is left behind
    assert stored_forms == forms
    assert store.sentence_count() == n == store.counts()[1]
    assert store.word_forms(forms) == old_best(forms)
    assert store.term_counts(df) == dict(df)
    # the IDF the ranker reads: exactly today's formula over today's counts, for known and unknown terms
    corpus = CorpusView(store, 64)
    terms = [*df, "zzyzx-never-written"]
    assert corpus.idfs(terms) == {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in terms}
    assert all(corpus.df(t) == df.get(t, 0) for t in terms)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """Return a folder with the seed article and two more."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "derna.txt").write_bytes(SEED.read_bytes())
    (folder / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (folder / "school.txt").write_text(SCHOOL, encoding="utf-8")
    return folder


@pytest.fixture
def engine(settings: Settings, corpus_dir: Path) -> Engine:
    """Return an engine (fake encoder, real SQLite and FAISS files) over the three articles."""
    engine = Engine.open(settings, encoder=FakeEncoder())
    engine.index_paths([corpus_dir])
    return engine


def test_counts_follow_articles_added_changed_and_deleted(engine: Engine, corpus_dir: Path) -> None:
    store = engine.store
    assert store.counts()[0] == 3
    assert_counts_match(store)
    (corpus_dir / "harbour.txt").write_text(HARBOUR.replace("ISIS", "Isis").replace("harbour", "Harbour"),
                                            encoding="utf-8")
    engine.index_paths([corpus_dir])  # re-indexed: the old version's sentences go, the new one's come
    assert_counts_match(store)
    assert store.word_forms(["harbour"]) == {"harbour": "Harbour"}
    (corpus_dir / "school.txt").unlink()
    engine.index_paths([corpus_dir])  # deleted
    assert store.counts()[0] == 2
    assert_counts_match(store)
    assert "pupil" not in store.term_counts(["pupil"]) and "nato" not in store.word_forms(["nato"])
    engine.add_document("school.txt", SCHOOL.encode())  # added back another way
    assert_counts_match(store)


def test_an_index_made_before_the_counts_gets_them_when_opened(engine: Engine, settings: Settings) -> None:
    engine.close()
    db = sqlite3.connect(settings.db_path)  # as newsbot left the file at schema version 5
    db.executescript("BEGIN; DROP TABLE term_counts; DROP TABLE word_forms;"
                     " DELETE FROM meta WHERE key IN ('counts_filled', 'counted_sentences');"
                     " DROP INDEX articles_by_published_ts; ALTER TABLE articles DROP COLUMN published_ts;"  # 7
                     " ALTER TABLE answers DROP COLUMN since; ALTER TABLE answers DROP COLUMN until;"  # 8
                     " ALTER TABLE answers DROP COLUMN ordering; ALTER TABLE answers DROP COLUMN period;"
                     " ALTER TABLE answers DROP COLUMN searched;"
                     " DROP TABLE feed_items; DROP TABLE feeds;"  # 9
                     " DROP INDEX attributions_by_speaker_key; ALTER TABLE attributions DROP COLUMN speaker_key;"  # 10
                     " PRAGMA user_version=5; COMMIT;")
    db.close()
    store = Store(settings.db_path)
    assert store.schema_version == SCHEMA_VERSION >= 6 and store.meta("counts_filled") == TERMS_VERSION
    assert_counts_match(store)
    store.close()
    store = Store(settings.db_path)  # counted once: reopening keeps the counts and counts nothing again
    assert_counts_match(store)


def test_counts_filled_halfway_are_counted_again(engine: Engine, settings: Settings) -> None:
    engine.close()
    db = sqlite3.connect(settings.db_path)  # a crash after the migration, before the counts were recorded done
    db.executescript("BEGIN; DELETE FROM term_counts WHERE length(term) % 2 = 0; UPDATE word_forms SET n = n + 7;"
                     " DELETE FROM meta WHERE key = 'counts_filled'; COMMIT;")
    db.close()
    store = Store(settings.db_path)
    assert_counts_match(store)


def test_counts_made_another_way_are_counted_again(engine: Engine, settings: Settings) -> None:
    engine.add_document("dsouza.txt", "Dinesh D’Souza spoke. D’Souza was sentenced in 2014.".encode())
    engine.close()
    db = sqlite3.connect(settings.db_path)  # as counted before TERMS_VERSION 2: the typographic apostrophe kept
    db.executescript("BEGIN; DELETE FROM term_counts WHERE term = 'd''souza';"
                     " INSERT INTO term_counts VALUES ('d’souza', 2);"
                     " UPDATE meta SET value = '1' WHERE key = 'counts_filled'; COMMIT;")
    db.close()
    store = Store(settings.db_path)
    assert store.meta("counts_filled") == TERMS_VERSION
    assert store.term_counts(["d'souza", "d’souza"]) == {"d'souza": 2}
    assert_counts_match(store)
    store.close()


QUESTIONS = ["how far is crete from derna", "What did the harbour council vote?", "what does nato say about isis",
             "Who is ana lópez", "What is happening in Libya?", "iphone sales in the town?", "hello"]


def test_questions_are_ranked_and_judged_as_before(engine: Engine) -> None:
    texts = all_texts(engine.store)
    before = CorpusWords()
    before.count(texts)  # every sentence read, as the engine did at its first question
    for q in QUESTIONS:
        assert engine.answerer.ranked_question(q) == normalized_question(q, before)
        assert engine.answerer._words.about_the_corpus(q) == before.about_the_corpus(q)
    assert engine.answerer.ranked_question("who is ana lópez") == "Who is Ana López?"
    assert engine.answerer.ranked_question("what does nato say about isis") == "What does NATO say about ISIS?"
    _, forms, _ = recount(texts)
    assert CorpusWords(engine.store).forms(forms) == old_best(forms)


def test_a_fresh_engine_answers_without_reading_every_sentence(engine: Engine, settings: Settings) -> None:
    engine.close()
    fresh = Engine.open(settings, encoder=FakeEncoder())
    statements: list[str] = []
    fresh.store._db.set_trace_callback(statements.append)
    answer = fresh.answer("how far is crete from derna")
    fresh.store._db.set_trace_callback(None)
    assert answer.hits
    # every read of the sentences is of some sentences by id or by article, never of all (or all after an id)
    reads = [s for s in statements if re.search(r"FROM sentences\b", s)]
    assert reads and all(re.search(r"WHERE (?:s\.)?(?:id|article_id) (?:IN \(|= )", s) for s in reads), reads
    assert any("FROM term_counts WHERE term IN" in s for s in statements)
    fresh.close()


def test_an_article_another_process_indexes_is_seen_at_the_next_question(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    assert engine.answerer.ranked_question("who is zorgon") == "Who is zorgon?"
    other = Engine.open(settings, encoder=FakeEncoder())  # another process's engine on the same data folder
    other.add_document("zorgon.txt", b"Officials met Zorgon in Derna. They said Zorgon spoke for the council.")
    other.close()
    assert engine.answerer.ranked_question("who is zorgon") == "Who is Zorgon?"
    assert CorpusView(engine.store, 64).df("zorgon") == 2


def test_counting_as_if_sentences_were_not_stored_adjusts_the_stored_counts(engine: Engine) -> None:
    corpus = CorpusView(engine.store, 64)
    n, df = corpus.sentences(), corpus.df("harbour")
    gone = ["The harbour is closed.", "A harbour and another harbour."]
    with corpus.without(gone):
        assert corpus.sentences() == n - 2 and corpus.df("harbour") == df - 2
        assert corpus.idf("harbour") == math.log((n - 2 + 1) / (df - 2 + 0.5))
    assert corpus.sentences() == n and corpus.df("harbour") == df


def test_a_change_that_fails_midway_leaves_the_counts_as_they_were(engine: Engine) -> None:
    store = engine.store
    before = (store.sentence_count(), store.term_counts(["harbour", "dredge"]), store.word_forms(["harbour"]))
    with pytest.raises(RuntimeError), store.transaction() as db:
        store.delete_article(db, "harbour.txt")
        assert store.sentence_count() < before[0]  # counted inside the transaction...
        raise RuntimeError("the indexer fails")
    assert (store.sentence_count(), store.term_counts(["harbour", "dredge"]), store.word_forms(["harbour"])) == before
    assert_counts_match(store)  # ...and rolled back with it
