"""The SQLite store: articles, sentences, attributions, sentence vectors and the word counts, under a schema version
with numbered migrations (index.migrations); with its parts, the full-text search (index.lexical) and readers'
feedback and sent answers (index.feedback), over one file in WAL mode (index.connection)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.connection import now_iso
from index.dates import published_timestamp
from index.feedback import ReaderRecords
from index.lexical import LexicalSearch
from index.migrations import migrate
from index.model import Article, Attribution, Sentence, Source, SourceSummary, StoredSentence
from index.terms import TERMS_VERSION, SentenceCounts, best_form


class Store(LexicalSearch, ReaderRecords):
    """The SQLite file; safe to share between threads (one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._migrate()

    # -- schema ------------------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """Return the schema version the file is at."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION (index.migrations), then fill the word counts."""
        with self._lock:
            migrate(self._db, self.path, self._roll_back)
            self._fill_counts()

    def _fill_counts(self) -> None:
        """Count the stored sentences' words into the count tables (migration 6 created them empty), and again
        when words are made into terms another way (meta 'counts_filled' holds index.terms.TERMS_VERSION); a
        crash before the end counts them all again at the next open."""
        if self.meta("counts_filled") == TERMS_VERSION:
            return
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'counts_filled'").fetchone()
            if row is not None and row[0] == TERMS_VERSION:
                return  # another process filled them meanwhile
            db.execute("DELETE FROM term_counts")
            db.execute("DELETE FROM word_forms")
            db.execute("DELETE FROM meta WHERE key = 'counted_sentences'")
            counts = SentenceCounts().add(str(r[0]) for r in db.execute("SELECT text FROM sentences"))
            _apply_counts(db, counts, 1)
            self.set_meta(db, "counts_filled", TERMS_VERSION)


    # -- articles ----------------------------------------------------------------------------------------

    def article_hashes(self) -> dict[str, str]:
        """Return doc_id → content hash for every stored article."""
        with self._lock:
            return dict(self._db.execute("SELECT doc_id, content_hash FROM articles").fetchall())

    def insert_article(
        self,
        db: sqlite3.Connection,
        article: Article,
        sentences: Sequence[Sentence],
        attributions: Sequence[Attribution],
        vectors: np.ndarray,
        origin: str = "file",
    ) -> list[int]:
        """Write an article and its sentences inside `db`'s transaction (delete an earlier version first, with
        delete_article); return the new sentence ids."""
        s = article.source
        cur = db.execute(
            "INSERT INTO articles (doc_id, title, outlet, url, published, author, path, published_ts, text, origin,"
            " content_hash, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                s.doc_id,
                s.title,
                s.outlet,
                s.url,
                s.published,
                s.author,
                s.path,
                s.published_ts if s.published_ts is not None else published_timestamp(s.published),
                article.text,
                origin,
                article.content_hash,
                now_iso(),
            ),
        )
        article_id = cur.lastrowid
        ids: list[int] = []
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        for sent, attr, vec in zip(sentences, attributions, vecs, strict=True):
            cur = db.execute(
                "INSERT INTO sentences (article_id, position, paragraph, start, end, text, vector)"
                " VALUES (?,?,?,?,?,?,?)",
                (article_id, sent.position, sent.paragraph, sent.start, sent.end, sent.text, vec.tobytes()),
            )
            sid = int(cur.lastrowid or 0)
            db.execute(f"INSERT INTO attributions ({_ATTRIBUTION_COLS}) VALUES (?,?,?,?,?,?,?,?)",
                       _attribution_row(sid, attr))
            ids.append(sid)
        db.execute(f"UPDATE attributions SET speaker_key = newsbot_speaker_key(speaker, ?) WHERE {_KEYED}"
                   " (SELECT id FROM sentences WHERE article_id = ?)", (article.text, article_id))
        _apply_counts(db, SentenceCounts().add(sent.text for sent in sentences), 1)
        return ids

    def delete_article(self, db: sqlite3.Connection, doc_id: str) -> list[int]:
        """Delete an article and its sentences inside `db`'s transaction; return the deleted sentence ids."""
        row = db.execute("SELECT id FROM articles WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return []
        rows = db.execute("SELECT id, text FROM sentences WHERE article_id = ?", (row[0],)).fetchall()
        ids = [r[0] for r in rows]
        _apply_counts(db, SentenceCounts().add(str(r[1]) for r in rows), -1)
        db.execute(
            "DELETE FROM attributions WHERE sentence_id IN (SELECT id FROM sentences WHERE article_id = ?)",
            (row[0],),
        )
        db.execute("DELETE FROM sentences WHERE article_id = ?", (row[0],))
        db.execute("DELETE FROM articles WHERE id = ?", (row[0],))
        return ids

    def article_origins(self) -> list[tuple[str, str, str | None]]:
        """Return (doc_id, origin, path) of every stored article; origin is file, upload or url."""
        with self._lock:
            return self._db.execute("SELECT doc_id, origin, path FROM articles").fetchall()

    def counts(self) -> tuple[int, int]:
        """Return (articles, sentences)."""
        with self._lock:
            a = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            s = self._db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        return int(a), int(s)

    def sentence_count(self) -> int:
        """Return how many sentences are stored, as the word counts keep it (no scan of the sentences)."""
        return int(self.meta("counted_sentences") or 0)

    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many stored sentences hold each of these content terms (terms held by none left out)."""
        rows = self._rows_keyed("SELECT term, sentences FROM term_counts WHERE term", terms)
        return {str(r[0]): int(r[1]) for r in rows}

    def _rows_keyed(self, select_where_key: str, keys: Iterable[str]) -> list[tuple]:
        """Return the rows of `select_where_key` ("SELECT ... WHERE <key column>") whose key is one of `keys`."""
        wanted = sorted(set(keys))
        if not wanted:
            return []
        with self._lock:
            return self._db.execute(f"{select_where_key} IN ({','.join('?' * len(wanted))})", wanted).fetchall()

    def word_forms(self, words: Iterable[str]) -> dict[str, str]:
        """Return how the stored sentences mostly write each of these lowercased words inside a sentence
        (index.terms.best_form; words never written there left out)."""
        rows = self._rows_keyed("SELECT word, form, n FROM word_forms WHERE word", words)
        forms: dict[str, dict[str, int]] = {}
        for word, form, n in rows:
            forms.setdefault(str(word), {})[str(form)] = int(n)
        return {word: best_form(word, written) for word, written in forms.items()}

    def sources(self, offset: int = 0, limit: int = -1) -> list[SourceSummary]:
        """Return the indexed articles' sources with their sentence counts, newest first: by when they were
        published (UTC), those without a date last, by when they were indexed."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_SOURCE_COLS}, a.indexed_at, (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.id)"
                " FROM articles a ORDER BY a.published_ts IS NULL, a.published_ts DESC, a.indexed_at DESC, a.doc_id"
                " LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [SourceSummary(_source(r[:_SOURCE_WIDTH]), int(r[_SOURCE_WIDTH + 1]), r[_SOURCE_WIDTH]) for r in rows]

    def newest(self) -> Source | None:
        """Return the newest article's source: by when it was published, else by indexing time."""
        found = self.sources(0, 1)
        return found[0].source if found else None

    def article(self, doc_id: str) -> tuple[Source, str] | None:
        """Return an article's source and full text, or None."""
        with self._lock:
            r = self._db.execute(
                f"SELECT {_SOURCE_COLS}, a.text FROM articles a WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return None if r is None else (_source(r[:_SOURCE_WIDTH]), r[_SOURCE_WIDTH])

    def article_text(self, article_id: int) -> str:
        """Return an article's text by its row id."""
        with self._lock:
            r = self._db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return "" if r is None else str(r[0])

    # -- sentences ---------------------------------------------------------------------------------------

    def sentences(self, ids: Iterable[int]) -> dict[int, StoredSentence]:
        """Return the stored sentences with these ids (missing ids are left out)."""
        ids = list(ids)
        if not ids:
            return {}
        return self._sentences_where(f"s.id IN ({','.join('?' * len(ids))})", ids)

    def neighbour_sentences(self, article_id: int, position: int) -> dict[int, StoredSentence]:
        """Return the stored sentences just before and after a position in an article (none at its ends)."""
        return self._sentences_where("s.article_id = ? AND s.position IN (?, ?)", [article_id, position - 1,
                                                                                     position + 1])

    def _sentences_where(self, where: str, params: Sequence[object]) -> dict[int, StoredSentence]:
        """Return the stored sentences that match a condition on `s` (the sentences table), by id."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT s.id, s.article_id, s.text, s.paragraph, s.position, s.start, s.end,"
                f" t.speaker, t.cue, COALESCE(t.kind, 'none'), t.as_written, t.role, t.via, t.vague, {_SOURCE_COLS},"
                f" t.speaker_key"
                f" FROM sentences s JOIN articles a ON a.id = s.article_id"
                f" LEFT JOIN attributions t ON t.sentence_id = s.id WHERE {where}",
                params,
            ).fetchall()
        # one Source per article and one Attribution per distinct row (both frozen, each costing microseconds to
        # make): an answer reads about a hundred candidates from fewer articles, most of them said by no one
        sources: dict[tuple, Source] = {}
        attributions: dict[tuple, Attribution] = {}
        out = {}
        for r in rows:
            source_cols, attribution_cols = r[14:-1], r[7:14]
            source = sources.get(source_cols)
            if source is None:
                source = sources[source_cols] = _source(source_cols)
            attribution = attributions.get(attribution_cols)
            if attribution is None:
                attribution = attributions[attribution_cols] = _attribution(attribution_cols)
            out[r[0]] = StoredSentence(r[0], r[1], r[2], r[3], r[4], r[5], r[6], attribution, source,
                                      _text(r[-1]))
        return out

    def article_sentences(self, doc_id: str) -> list[StoredSentence]:
        """Return an article's stored sentences with their attributions, in order (none when it is not stored)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id WHERE a.doc_id = ?"
                " ORDER BY s.position",
                (doc_id,),
            ).fetchall()
        ids = [r[0] for r in rows]
        found = self.sentences(ids)
        return [found[i] for i in ids]

    def article_rows(self, article_ids: Sequence[int]) -> dict[int, list[tuple[int, int, int, str, bytes | None]]]:
        """Return each article's sentences as (id, position, paragraph, text, vector bytes), in order."""
        out: dict[int, list[tuple[int, int, int, str, bytes | None]]] = {a: [] for a in article_ids}
        if not article_ids:
            return out
        marks = ",".join("?" * len(article_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT article_id, id, position, paragraph, text, vector FROM sentences"
                f" WHERE article_id IN ({marks}) ORDER BY article_id, position",
                list(article_ids),
            ).fetchall()
        for r in rows:
            out[r[0]].append((r[1], r[2], r[3], r[4], r[5]))
        return out

    def article_sentence_texts(self, doc_id: str) -> list[str]:
        """Return the texts of an article's sentences, in order (none when it is not stored)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.text FROM sentences s JOIN articles a ON a.id = s.article_id WHERE a.doc_id = ?"
                " ORDER BY s.position",
                (doc_id,),
            ).fetchall()
        return [r[0] for r in rows]

    def speakers(self, most: int | None = None) -> list[str]:
        """Return the distinct speakers (their keys, see index.identity) the articles attribute claims to; with
        `most`, only that many, the most often attributed first."""
        sql = ("SELECT speaker_key FROM attributions WHERE speaker_key IS NOT NULL AND kind != 'none'"
               " GROUP BY speaker_key")
        if most is not None:
            sql += f" ORDER BY COUNT(*) DESC LIMIT {int(most)}"
        with self._lock:
            return [r[0] for r in self._db.execute(sql).fetchall()]

    def speaker_counts(self, doc_id: str | None = None) -> list[tuple[str, int]]:
        """Return each speaker key (see index.identity) the articles (or the article `doc_id`) attribute claims
        to, with how many sentences, the most first (ties by key); the articles' own voice is no speaker."""
        sql = (
            "SELECT t.speaker_key, COUNT(*) FROM attributions t JOIN sentences s ON s.id = t.sentence_id"
            " JOIN articles a ON a.id = s.article_id WHERE t.speaker_key IS NOT NULL AND t.kind != 'none'"
        )
        args: tuple[str, ...] = ()
        if doc_id is not None:
            sql += " AND a.doc_id = ?"
            args = (doc_id,)
        sql += " GROUP BY t.speaker_key ORDER BY COUNT(*) DESC, t.speaker_key"
        with self._lock:
            return [(str(r[0]), int(r[1])) for r in self._db.execute(sql, args).fetchall()]

    def recent_sentences(self, limit: int) -> list[str]:
        """Return the texts of the most recently indexed sentences."""
        with self._lock:
            rows = self._db.execute("SELECT text FROM sentences ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [r[0] for r in rows]

    def sentence_ids_by_speaker(self, speakers: Sequence[str], limit: int) -> list[int]:
        """Return ids of sentences attributed to any of these speaker keys, newest first."""
        if not speakers:
            return []
        marks = ",".join("?" * len(speakers))
        with self._lock:
            rows = self._db.execute(
                f"SELECT sentence_id FROM attributions WHERE speaker_key IN ({marks}) ORDER BY sentence_id DESC"
                " LIMIT ?",
                (*speakers, limit),
            ).fetchall()
        return [r[0] for r in rows]

    def neighbours(self, article_id: int, position: int) -> tuple[str | None, str | None]:
        """Return the texts of the sentences before and after a position in an article."""
        with self._lock:
            rows = self._db.execute(
                "SELECT position, text FROM sentences WHERE article_id = ? AND position IN (?, ?)",
                (article_id, position - 1, position + 1),
            ).fetchall()
        by = dict(rows)
        return by.get(position - 1), by.get(position + 1)

    def article_sentence_ids(self, article_id: int) -> list[tuple[int, int, int]]:
        """Return (id, position, paragraph) of an article's sentences in order."""
        with self._lock:
            return self._db.execute(
                "SELECT id, position, paragraph FROM sentences WHERE article_id = ? ORDER BY position",
                (article_id,),
            ).fetchall()

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (ids, vectors) of every stored sentence, for rebuilding the vector index."""
        with self._lock:
            rows = self._db.execute("SELECT id, vector FROM sentences ORDER BY id").fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vecs = np.zeros((len(rows), dimension), dtype=np.float32)
        for i, r in enumerate(rows):
            vecs[i] = np.frombuffer(r[1], dtype=np.float32)
        return ids, vecs

    def sentence_ids(self) -> np.ndarray:
        """Return the ids of every stored sentence, ascending, as int64 (without their vectors)."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM sentences ORDER BY id").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def vectors(self, ids: Sequence[int], dimension: int) -> dict[int, np.ndarray]:
        """Return the stored vectors of these sentence ids."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, vector FROM sentences WHERE id IN ({marks})", list(ids)
            ).fetchall()
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    # -- indexing bookkeeping ----------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """Return a value of the store's key/value metadata, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        """Set a metadata value inside `db`'s transaction."""
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (key, value))

    def article_files(self) -> list[tuple[str, str, str | None, str | None]]:
        """Return (doc_id, origin, path, file) of every stored article; file is the absolute path it was read
        from (None for uploads, URLs and articles indexed before it was recorded)."""
        with self._lock:
            return self._db.execute("SELECT doc_id, origin, path, file FROM articles").fetchall()

    def set_article_file(self, db: sqlite3.Connection, doc_id: str, file: str | None) -> None:
        """Record inside `db`'s transaction the file an article was read from."""
        db.execute("UPDATE articles SET file = ? WHERE doc_id = ?", (file, doc_id))

    def stored_vector_dimension(self) -> int | None:
        """Return the dimension of the stored sentence vectors, or None when no sentence is stored."""
        with self._lock:
            row = self._db.execute("SELECT length(vector) FROM sentences WHERE vector IS NOT NULL LIMIT 1").fetchone()
        return None if row is None or row[0] is None else int(row[0]) // 4

    def sentences_to_embed(self, after_id: int, limit: int) -> list[tuple[int, str, Source]]:
        """Return (id, text, article source) of up to `limit` stored sentences with an id above after_id, in order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT s.id, s.text, {_SOURCE_COLS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                " WHERE s.id > ? ORDER BY s.id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [(int(r[0]), str(r[1]), _source(r[2:])) for r in rows]

    def split_articles(self) -> dict[int, list[tuple[int, Sentence]]]:
        """Return every stored article's sentences, as (sentence id, Sentence) in order, by article row id: what
        attribution reads, without the vectors."""
        out: dict[int, list[tuple[int, Sentence]]] = {}
        with self._lock:
            rows = self._db.execute(
                "SELECT article_id, id, text, paragraph, position, start, end FROM sentences"
                " ORDER BY article_id, position"
            ).fetchall()
        for r in rows:
            out.setdefault(int(r[0]), []).append((int(r[1]), Sentence(r[2], r[3], r[4], r[5], r[6])))
        return out

    def set_attributions(self, db: sqlite3.Connection, attributions: Iterable[tuple[int, Attribution]]) -> None:
        """Replace the attributions of these sentence ids inside `db`'s transaction."""
        rows = [_attribution_row(sid, a) for sid, a in attributions]
        db.executemany(f"INSERT OR REPLACE INTO attributions ({_ATTRIBUTION_COLS}) VALUES (?,?,?,?,?,?,?,?)", rows)
        db.executemany(f"UPDATE attributions SET speaker_key = newsbot_speaker_key(speaker, ({_ARTICLE_TEXT}))"
                       f" WHERE {_KEYED} (?)", [(r[0],) for r in rows])

    def set_vectors(self, db: sqlite3.Connection, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Replace the stored vectors of these sentences inside `db`'s transaction."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        db.executemany("UPDATE sentences SET vector = ? WHERE id = ?",
                       [(v.tobytes(), int(i)) for i, v in zip(ids, vecs, strict=True)])


def _apply_counts(db: sqlite3.Connection, counts: SentenceCounts, sign: int) -> None:
    """Add (sign 1) or subtract (sign -1) sentences' word counts inside `db`'s transaction; a count that reaches
    0 loses its row."""
    terms = [(t, sign * n) for t, n in counts.terms.items()]
    forms = [(w, f, sign * n) for w, f, n in counts.form_rows()]
    db.executemany(
        "INSERT INTO term_counts (term, sentences) VALUES (?, ?)"
        " ON CONFLICT(term) DO UPDATE SET sentences = sentences + excluded.sentences", terms
    )
    db.executemany(
        "INSERT INTO word_forms (word, form, n) VALUES (?, ?, ?)"
        " ON CONFLICT(word, form) DO UPDATE SET n = n + excluded.n", forms
    )
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('counted_sentences', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)",
        (sign * counts.sentences,),
    )
    if sign < 0:
        db.executemany("DELETE FROM term_counts WHERE term = ? AND sentences <= 0", [(t,) for t, _ in terms])
        db.executemany("DELETE FROM word_forms WHERE word = ? AND form = ? AND n <= 0", [(w, f) for w, f, _ in forms])


# Which attribution rows get their speaker key (index.identity.speaker_key) from the text of their sentence's
# article (_ARTICLE_TEXT): those of a speaker among the sentence ids that follow.
_KEYED = "speaker IS NOT NULL AND sentence_id IN"
_ARTICLE_TEXT = ("SELECT a.text FROM sentences s JOIN articles a ON a.id = s.article_id"
                 " WHERE s.id = attributions.sentence_id")
# The attribution row: the sentence it belongs to, then the Attribution's fields in their order.
_ATTRIBUTION_COLS = "sentence_id, speaker, cue, kind, as_written, role, via, vague"


def _attribution_row(sentence_id: int, a: Attribution) -> tuple[object, ...]:
    """Return the values of an attribution row, in the order of _ATTRIBUTION_COLS."""
    return (sentence_id, a.speaker, a.cue, a.kind, a.as_written, a.role, a.via, int(bool(a.vague)))


def _attribution(r: Sequence[object]) -> Attribution:
    """Return the Attribution of (speaker, cue, kind, as_written, role, via, vague) columns (NULLs of a sentence
    without a row, or of a row written before migration 4, read as no detail)."""
    speaker, cue, kind, as_written, role, via, vague = r
    return Attribution(
        speaker=_text(speaker), cue=_text(cue), kind=str(kind or "none"), as_written=_text(as_written),
        role=_text(role), via=_text(via), vague=bool(vague),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_SOURCE_COLS = "a.doc_id, a.title, a.outlet, a.url, a.published, a.path, a.author, a.published_ts"
_SOURCE_WIDTH = 8  # the columns of _SOURCE_COLS


def _source(r: Sequence[object]) -> Source:
    """Return the Source of the _SOURCE_COLS columns of a row."""
    ts = r[7]
    return Source(
        doc_id=str(r[0]), title=_text(r[1]), outlet=_text(r[2]), url=_text(r[3]), published=_text(r[4]),
        path=_text(r[5]), author=_text(r[6]), published_ts=None if ts is None else float(ts),  # type: ignore[arg-type]
    )
