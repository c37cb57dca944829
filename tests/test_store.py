"""The SQLite store: schema migrations, WAL, FTS5 kept in step with the sentences, feedback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.errors import StoreError
from index.migrations import SCHEMA_VERSION
from index.model import Article, Attribution, Sentence, Source
from index.store import Store
from tests.conftest import store_at_schema


def _article(doc_id: str, sentences: list[str]) -> tuple[Article, list[Sentence]]:
    text = " ".join(sentences)
    out, pos = [], 0
    for i, s in enumerate(sentences):
        start = text.index(s, pos)
        out.append(Sentence(s, 0, i, start, start + len(s)))
        pos = start + len(s)
    return Article(Source(doc_id, title=f"Title {doc_id}"), text), out


def _put(store: Store, doc_id: str, sentences: list[str]) -> list[int]:
    a, sents = _article(doc_id, sentences)
    with store.transaction() as db:
        return store.insert_article(
            db, a, sents, [Attribution()] * len(sents), np.ones((len(sents), 4), dtype=np.float32)
        )


@pytest.mark.parametrize(
    ("source", "topic"),
    [
        (Source("a", title="Derna falls", path="corpus/derna.txt"), "Derna falls"),  # a title wins
        (Source("a", path="corpus/derna.txt"), "derna"),
        (Source("a", path="corpus\\libya_isis-report.md"), "libya isis report"),
        (Source("a", path="noext"), "noext"),
        (Source("a"), None),
    ],
)
def test_topic_is_the_title_else_the_file_name(source: Source, topic: str | None) -> None:
    assert source.topic == topic
    assert source.label == (source.title or source.path or source.doc_id)  # what readers see is unchanged


def test_new_store_is_at_schema_version_in_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    assert store.schema_version == SCHEMA_VERSION >= 1
    mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    tables = {r[0] for r in store._db.execute("SELECT name FROM sqlite_master")}
    assert {"articles", "sentences", "attributions", "sentences_fts", "feedback"} <= tables


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    _put(store, "a", ["One sentence here."])
    store.close()
    again = Store(path)
    assert again.counts() == (1, 1)


def test_newer_schema_refuses(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_fts_follows_inserts_and_deletes(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _put(store, "a", ["Crete is 211 miles from Derna.", "The weather was fine."])
    hits = store.lexical("how far is Crete", 5)
    assert len(hits) == 1 and hits[0][1] > 0
    assert store.sentences([hits[0][0]])[hits[0][0]].text.startswith("Crete")
    with store.transaction() as db:
        removed = store.delete_article(db, "a")
    assert len(removed) == 2
    assert store.lexical("Crete", 5) == []
    assert store.counts() == (0, 0)


def test_lexical_stems_and_survives_odd_queries(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _put(store, "a", ["The fighters were training recruits."])
    assert store.lexical("who trains recruit", 5)
    for odd in ['"', "AND OR NOT", "*", "(", "", "NEAR(a b)", "col:umn"]:
        store.lexical(odd, 5)  # never raises


def test_sentence_ids_are_never_reused(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    first = _put(store, "a", ["One.", "Two."])
    with store.transaction() as db:
        store.delete_article(db, "a")
    second = _put(store, "b", ["Three."])
    assert min(second) > max(first)


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _put(store, "a", ["Kept."])
    a, sents = _article("b", ["Lost."])
    with pytest.raises(RuntimeError), store.transaction() as db:
        store.insert_article(db, a, sents, [Attribution()], np.ones((1, 4), dtype=np.float32))
        raise RuntimeError("crash mid-write")
    assert store.counts() == (1, 1)
    assert store.article("b") is None


def test_feedback_is_stored(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.add_feedback("how far?", [3, 4], False, 42, 7)
    [(at, q, ids, helpful)] = store.feedback()
    assert q == "how far?" and ids == [3, 4] and helpful is False and at


# -- who says it, in detail (migration 4) -----------------------------------------------------------------------

DEMPSEY = Attribution("Martin Dempsey", "said", "reported", as_written="Gen. Martin Dempsey",
                      role="chairman of the Joint Chiefs of Staff")
IBT = Attribution("IBT", "reported, citing CNN", "reported", as_written="IBT", via="CNN")
SOURCES = Attribution("sources", "according to sources", "according_to", as_written="sources", vague=True)


def test_an_attribution_keeps_its_speaker_as_written_role_via_and_vague_mark(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    a, sents = _article("a", ["Dempsey said so.", "IBT reported it.", "Sources say it.", "The sky is blue."])
    with store.transaction() as db:
        ids = store.insert_article(db, a, sents, [DEMPSEY, IBT, SOURCES, Attribution()],
                                   np.ones((4, 4), dtype=np.float32))
    found = store.sentences(ids)
    assert [found[i].attribution for i in ids] == [DEMPSEY, IBT, SOURCES, Attribution()]
    assert [s.attribution for s in store.article_sentences("a")] == [DEMPSEY, IBT, SOURCES, Attribution()]
    assert isinstance(found[ids[2]].attribution.vague, bool)


def _store_at_schema_3(path: Path) -> None:
    """Write a store as the newsbot before migration 4 made it: one article, an attributed and a plain sentence."""
    db = store_at_schema(path, 3)
    db.execute("INSERT INTO articles (doc_id, text, content_hash, indexed_at) VALUES ('old', 'x', 'h', 'now')")
    for i, text in enumerate(["Gen. Martin Dempsey said so.", "The sky is blue."]):
        db.execute("INSERT INTO sentences (article_id, position, paragraph, start, end, text, vector)"
                   " VALUES (1, ?, 0, 0, 1, ?, ?)", (i, text, np.ones(4, dtype=np.float32).tobytes()))
    db.execute("INSERT INTO attributions (sentence_id, speaker, cue, kind) VALUES (1, 'Gen. Martin Dempsey', 'said',"
               " 'reported'), (2, NULL, NULL, 'none')")
    db.commit()
    db.close()


def test_a_store_made_before_migration_4_opens_and_reads_its_attributions_without_detail(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store_at_schema_3(path)
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION >= 4
    columns = {r[1] for r in store._db.execute("PRAGMA table_info(attributions)")}
    assert {"as_written", "role", "via", "vague"} <= columns
    old = store.article_sentences("old")
    assert [s.attribution for s in old] == [Attribution("Gen. Martin Dempsey", "said", "reported"), Attribution()]
    # speakers go by their key (migration 10, index.identity): the title is not part of who they are
    assert store.speakers() == ["Martin Dempsey"] and store.sentence_ids_by_speaker(["Martin Dempsey"], 5)
    new = _put(store, "new", ["Something happened."])  # and it takes new articles with the details
    with store.transaction() as db:
        store.set_attributions(db, [(new[0], SOURCES), (old[0].id, DEMPSEY)])
    assert store.sentences([new[0]])[new[0]].attribution == SOURCES
    assert store.article_sentences("old")[0].attribution == DEMPSEY
    store.close()
    assert Store(path).article_sentences("old")[0].attribution == DEMPSEY  # reopening migrates nothing again


def test_articles_are_found_by_their_whole_text_and_title_and_forgotten_when_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _put(store, "harbour", ["The council met on Tuesday.", "It voted to dredge the harbour in spring."])
    _put(store, "school", ["A new school opens in the valley.", "Pupils start in September."])
    # "council" and "dredge" sit in different sentences of one article: the article matches on both
    found = store.lexical_articles("When will the council dredge?", 5)
    ids = {r[0]: r[1] for r in store._db.execute("SELECT doc_id, id FROM articles")}
    assert [aid for aid, _ in found] == [ids["harbour"]] and found[0][1] > 0
    assert [aid for aid, _ in store.lexical_articles("Title school", 5)][0] == ids["school"]  # the title counts
    assert store.lexical_articles("the of and", 5) == []
    with store.transaction() as db:
        store.delete_article(db, "harbour")
    assert store.lexical_articles("When will the council dredge?", 5) == []


def test_a_store_made_before_migration_5_finds_its_existing_articles(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store_at_schema_3(path)  # one article whose text is 'x', titled nothing
    db = sqlite3.connect(path)
    db.execute("UPDATE articles SET title = 'Dredging the harbour', text = 'The council voted to dredge.'")
    db.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION >= 5
    assert [aid for aid, _ in store.lexical_articles("dredging harbour", 5)] == [1]
    assert [aid for aid, _ in store.lexical_articles("council", 5)] == [1]
