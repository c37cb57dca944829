"""What readers were sent and what they said of it: the answers kept server-side for their buttons (More,
Context, Source, 👍/👎 carry an answer's id, not its sentences) and readers' 👍/👎 feedback on them."""

from __future__ import annotations

from index.model import Answer, FeedbackEntry, StoredAnswer, StoredSentence
from index.store import Store

FEEDBACK_LOOKUP = 900  # sentence ids looked up together for `entries` (under SQLite's limit on parameters)


class Feedback:
    """The answers sent and readers' 👍/👎 on them, kept in the store (`Engine.feedback`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

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
            stored.update(self.store.sentences(shown[start : start + FEEDBACK_LOOKUP]))
        return [
            FeedbackEntry(at, q, list(ids), helpful, [stored[i].text if i in stored else None for i in ids])
            for at, q, ids, helpful in rows
        ]
