"""What the bot keeps of its readers: the answers it sent, kept server-side so that More, Context, Source and
👍/👎 (whose buttons carry an answer's id, not its sentences) find them again, and readers' 👍/👎 on the sentences
shown. Two layers of one idea: `ReaderRecords`, the store's `answers` and `feedback` tables (a part of `Store`),
and `Feedback`, what the engine offers over them (`engine.feedback`)."""


from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from index.connection import Connected, now_iso
from index.model import Answer, FeedbackEntry, Query, StoredAnswer, StoredSentence

FEEDBACK_LOOKUP = 900  # sentence ids looked up together for `entries` (under SQLite's limit on parameters)


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


class Feedback:
    """The answers sent and readers' 👍/👎 on them, kept in the store (`Engine.feedback`)."""

    def __init__(self, store: ReaderRecords, sentences: Callable[[Iterable[int]], dict[int, StoredSentence]]) -> None:
        self.store = store
        self._sentences = sentences  # the store's sentences by id (Store.sentences), to show what was rated

    def remember(self, answer: Answer, chat_id: int | None = None) -> int:
        """Keep the answer's question, offset and shown sentences server-side; return the id its buttons carry."""
        ids = [h.sentence_id for h in answer.hits]
        return self.store.add_answer(answer.question, answer.offset, ids, answer.more, chat_id, asked=answer.query)

    def sent(self, answer_id: int) -> StoredAnswer | None:
        """Return an answer kept by `remember`, or None when it is unknown."""
        return self.store.sent_answer(answer_id)

    def record(self, question: str, sentence_ids: list[int], helpful: bool, user_id: int | None = None,
               chat_id: int | None = None) -> None:
        """Store a reader's 👍/👎 with the question and the sentences shown."""
        self.store.add_feedback(question, sentence_ids, helpful, user_id, chat_id)

    def entries(self) -> list[FeedbackEntry]:
        """Return readers' 👍/👎 feedback, oldest first, each sentence shown with its text (None once removed)."""
        rows = self.store.feedback()
        shown = sorted({sid for _, _, ids, _ in rows for sid in ids})
        stored: dict[int, StoredSentence] = {}
        for start in range(0, len(shown), FEEDBACK_LOOKUP):
            stored.update(self._sentences(shown[start : start + FEEDBACK_LOOKUP]))
        return [
            FeedbackEntry(at, q, list(ids), helpful, [stored[i].text if i in stored else None for i in ids])
            for at, q, ids, helpful in rows
        ]
