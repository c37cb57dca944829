"""Full-text search of the store: FTS5 BM25 over the stored sentences and over whole articles, many lookups in one
statement."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from index.connection import Connected
from index.terms import lexical_terms

_FTS_TABLES = ("sentences_fts", "articles_fts")  # the full-text tables `lexical_many` reads


class LexicalSearch(Connected):
    """The store's full-text tables, searched by a question's words."""

    def lexical(self, question: str, limit: int) -> list[tuple[int, float]]:
        """Return (sentence id, BM25 score, higher is better) of the best lexical matches for a question."""
        return self._bm25("sentences_fts", question, limit)

    def lexical_articles(self, question: str, limit: int) -> list[tuple[int, float]]:
        """Return (article id, BM25 score over its title and text, higher is better) of the articles that best
        match a question, best first."""
        return self._bm25("articles_fts", question, limit)

    def _bm25(self, table: str, question: str, limit: int) -> list[tuple[int, float]]:
        """Return (rowid, BM25 score, higher is better) of the rows of an FTS5 table that best match a question."""
        return self.lexical_many([(table, question, limit)])[0]

    def lexical_many(self, asked: Sequence[tuple[str, str, int]]) -> list[list[tuple[int, float]]]:
        """Return, for each (table, question, limit) asked (`sentences_fts` or `articles_fts`), the (rowid, BM25
        score, higher is better) of its best matches, best first: every lookup in one SQL statement (a question
        without a searchable word gets none; a statement FTS5 refuses, each lookup alone)."""
        parts: list[str] = []
        args: list[object] = []
        for n, (table, question, limit) in enumerate(asked):
            if table not in _FTS_TABLES:
                raise ValueError(f"not a full-text table: {table}")
            # Words that match most rows add nothing to the ranking but make FTS5 score every row they match.
            terms = lexical_terms(question)
            if terms:
                parts.append(
                    f"SELECT * FROM (SELECT {n}, rowid, -bm25({table}) FROM {table} WHERE {table} MATCH ?"  # noqa: S608
                    f" ORDER BY bm25({table}) LIMIT ?)"
                )
                args += [" OR ".join(f'"{t}"' for t in sorted(terms)), limit]
        out: list[list[tuple[int, float]]] = [[] for _ in asked]
        if not parts:
            return out
        with self._lock:
            try:
                rows = self._db.execute(" UNION ALL ".join(parts), args).fetchall()
            except sqlite3.OperationalError:
                if len(asked) == 1:
                    return out
                rows = []
                failed = True
            else:
                failed = False
        if failed:  # one lookup FTS5 refuses leaves the others theirs
            return [self.lexical_many([one])[0] for one in asked]
        for n, rowid, score in rows:  # UNION ALL keeps each part's rows in its own order
            out[n].append((int(rowid), float(score)))
        return out
