"""The store's schema, as numbered migrations: MIGRATIONS[n] takes an SQLite file from version n to n + 1, and
`migrate` applies the ones a file lacks, each in its own transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from index.errors import NewsbotError, StoreError

# Numbered migrations: MIGRATIONS[n] takes the schema from version n to n + 1. Never edit a released one; append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL UNIQUE,
        title TEXT, outlet TEXT, url TEXT, published TEXT, author TEXT, path TEXT,
        text TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'file',
        content_hash TEXT NOT NULL,
        indexed_at TEXT NOT NULL
    );
    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        vector BLOB
    );
    CREATE INDEX sentences_by_article ON sentences(article_id, position);
    CREATE TABLE attributions (
        sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
        speaker TEXT, cue TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('quote', 'reported', 'according_to', 'none'))
    );
    CREATE INDEX attributions_by_speaker ON attributions(speaker);
    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        text, content='sentences', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER sentences_fts_insert AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER sentences_fts_delete AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        question TEXT NOT NULL,
        sentence_ids TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        user_id INTEGER, chat_id INTEGER
    );
    """,
    # 2: the answers the bot sent, so "More" and 👍/👎 work without the question's message (buttons carry the id).
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        question TEXT NOT NULL,
        first INTEGER NOT NULL,
        sentence_ids TEXT NOT NULL,
        more INTEGER NOT NULL,
        chat_id INTEGER
    );
    """,
    # 3: what made the stored vectors (meta key 'vector_model') and the file each file article was read from
    # (absolute path), so that indexing a folder removes only what came from inside it.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    ALTER TABLE articles ADD COLUMN file TEXT;
    """,
    # 4: who says it in more detail (issue 10): the speaker as the article writes it, what it calls them, whom
    # they cite, and whether they are a vague "sources"/"officials". Rows written before hold NULL and 0; the next
    # `newsbot index` re-attributes them (meta key 'attribution_rules', see index.indexer).
    """
    ALTER TABLE attributions ADD COLUMN as_written TEXT;
    ALTER TABLE attributions ADD COLUMN role TEXT;
    ALTER TABLE attributions ADD COLUMN via TEXT;
    ALTER TABLE attributions ADD COLUMN vague INTEGER NOT NULL DEFAULT 0;
    """,
    # 5: the articles' own full-text index (issue 11): which article a question is about. News questions name the
    # story ("the Ninth Circle column"), and BM25 over a whole article finds it far better than over one sentence.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    """,
    # 6: the corpus's word counts, kept as sentences come and go (issue 12), so that a question reads the counts of
    # its own words instead of every sentence: how many sentences hold each content term, and how often each
    # written form of a word occurs inside a sentence (index.terms.SentenceCounts). The sentences stored before
    # are counted once in Python right after migrating (Store._fill_counts, meta key 'counts_filled'); the total
    # is meta key 'counted_sentences'.
    """
    CREATE TABLE term_counts (term TEXT PRIMARY KEY, sentences INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE word_forms (
        word TEXT NOT NULL, form TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (word, form)
    ) WITHOUT ROWID;
    """,
    # 7: when each article was published as a UTC timestamp (issue 22), beside `published` as written, so that
    # articles order by time whatever way their export wrote the date. Stored rows get theirs from their
    # `published` text where it is a date (newsbot_published_ts, index.dates.published_timestamp, registered on
    # every connection), NULL where it is not.
    """
    ALTER TABLE articles ADD COLUMN published_ts REAL;
    UPDATE articles SET published_ts = newsbot_published_ts(published) WHERE published IS NOT NULL;
    CREATE INDEX articles_by_published_ts ON articles(published_ts);
    """,
    # 8: the question behind an answer the bot sent, as it was answered (issue 22): its date window (UTC epoch
    # seconds), its order, the window in words and the text searched, so that "More" stays in the window even
    # after newer articles move what "this week" means. Rows written before hold NULL and 'relevance'.
    """
    ALTER TABLE answers ADD COLUMN since REAL;
    ALTER TABLE answers ADD COLUMN until REAL;
    ALTER TABLE answers ADD COLUMN ordering TEXT NOT NULL DEFAULT 'relevance';
    ALTER TABLE answers ADD COLUMN period TEXT;
    ALTER TABLE answers ADD COLUMN searched TEXT;
    """,
    # 9: followed feeds (issue 22, part 3): each feed's address, title and interval (seconds), the validators of
    # its last response (a conditional GET), when it was last polled and is next due (UTC epoch seconds), how many
    # polls in a row failed (the backoff) and the last error; and every item taken from it, by GUID and by link,
    # with the article it became, so that a restart never adds an item twice. index.feeds reads and writes them.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL UNIQUE,
        title TEXT,
        every REAL NOT NULL,
        etag TEXT, last_modified TEXT,
        followed_at REAL NOT NULL,
        polled_at REAL,
        due_at REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE TABLE feed_items (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        link TEXT,
        doc_id TEXT NOT NULL,
        seen_at REAL NOT NULL,
        PRIMARY KEY (feed_id, guid)
    );
    CREATE INDEX feed_items_by_link ON feed_items(link);
    """,
    # 10: one person, one speaker (issue 23, part 4): each attribution's speaker key, the speaker's name without
    # titles and role words and a lone surname as the one full name its article gives it (index.identity), so
    # that /who, claims and "what did X say" group "Mr. Makar" with "Defenseman Cale Makar". Stored rows get
    # theirs from their speaker and their article's text (newsbot_speaker_key, registered on every connection).
    """
    ALTER TABLE attributions ADD COLUMN speaker_key TEXT;
    UPDATE attributions SET speaker_key = newsbot_speaker_key(speaker, (
        SELECT a.text FROM sentences s JOIN articles a ON a.id = s.article_id WHERE s.id = attributions.sentence_id
    )) WHERE speaker IS NOT NULL;
    CREATE INDEX attributions_by_speaker_key ON attributions(speaker_key);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, path: Path, roll_back: Callable[[], None]) -> None:
    """Apply the migrations the file at `path` lacks, one transaction each (`roll_back` undoes a failed one), so
    that the schema is at version n or n + 1, never between; raise StoreError for a file that is not a newsbot
    store or is newer than this newsbot."""
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path} is not a newsbot store ({e}); move it away and re-index") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this newsbot ({SCHEMA_VERSION}); "
            "upgrade newsbot or re-index into a new data folder"
        )
    for n in range(version, SCHEMA_VERSION):
        try:  # one migration, one transaction: the schema is at version n or n + 1, never between
            db.executescript(f"BEGIN; {MIGRATIONS[n]}; PRAGMA user_version={n + 1}; COMMIT;")
        except (sqlite3.DatabaseError, NewsbotError) as e:
            roll_back()
            if isinstance(e, NewsbotError):  # a full disk, a damaged file: already says so
                raise
            raise StoreError(f"cannot migrate {path} to schema version {n + 1}: {e}") from None
