"""What the bot keeps of its readers: their 👍/👎 on the sentences shown (the `feedback` table) and the answers it
sent, so that More, Context and feedback buttons find them again (the `answers` table)."""

from __future__ import annotations

from collections.abc import Sequence

from index.connection import Connected, now_iso
from index.model import Query, StoredAnswer


class ReaderRecords(Connected):
    """The store's record of readers' feedback and of the answers sent to them."""

    def add_feedback(
        self,
        question: str,
        sentence_ids: Sequence[int],
        helpful: bool,
        user_id: int | None,
        chat_id: int | None,
    ) -> None:
        """Record a reader's 👍/👎 on the sentences shown for a question."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feedback (at, question, sentence_ids, helpful, user_id, chat_id) VALUES (?,?,?,?,?,?)",
                (now_iso(), question, ",".join(str(i) for i in sentence_ids), int(helpful), user_id, chat_id),
            )

    def feedback(self) -> list[tuple[str, str, list[int], bool]]:
        """Return every feedback row as (at, question, sentence ids, helpful), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT at, question, sentence_ids, helpful FROM feedback ORDER BY id"
            ).fetchall()
        return [(r[0], r[1], [int(x) for x in r[2].split(",") if x], bool(r[3])) for r in rows]

    # -- answers the bot sent ----------------------------------------------------------------------------

    def add_answer(
        self, question: str, first: int, sentence_ids: Sequence[int], more: bool, chat_id: int | None,
        keep: int = 100_000, asked: Query | None = None,
    ) -> int:
        """Record an answer sent (question, offset of its first hit, sentence ids shown, and the question as it
        was answered: its window, order and searched text); return its id. Only the newest `keep` are kept."""
        a = asked or Query(question)
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO answers (at, question, first, sentence_ids, more, chat_id, since, until, ordering,"
                " period, searched) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (now_iso(), question, first, ",".join(str(i) for i in sentence_ids), int(more), chat_id,
                 a.since, a.until, a.order, a.period, a.searched),
            )
            answer_id = int(cursor.lastrowid or 0)
            db.execute("DELETE FROM answers WHERE id <= ?", (answer_id - keep,))
        return answer_id

    def sent_answer(self, answer_id: int) -> StoredAnswer | None:
        """Return a recorded answer, or None when it is unknown (or too old to be kept)."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, question, first, sentence_ids, more, chat_id, since, until, ordering, period, searched"
                " FROM answers WHERE id = ?", (answer_id,)
            ).fetchone()
        if row is None:
            return None
        ids = tuple(int(x) for x in row[3].split(",") if x)
        asked = None
        if row[10] is not None:
            asked = Query(row[1], len(ids), int(row[2]), row[6], row[7], "newest" if row[8] == "newest" else
                          "relevance", row[9], row[10])
        return StoredAnswer(int(row[0]), row[1], int(row[2]), ids, bool(row[4]), row[5], asked)
