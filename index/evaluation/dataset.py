"""The evaluation data (the JSONL format of shared/eval): questions with their paragraph and answers, and what
counts as a right sentence: one from the question's paragraph that contains one of its answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import NewsbotError


@dataclass(frozen=True)
class Question:
    """One evaluation question."""

    id: str
    question: str
    doc_id: str
    answers: tuple[str, ...]


def read_questions(path: Path, limit: int | None = None) -> list[Question]:
    """Return the questions of a questions.jsonl file (the first `limit` of them)."""
    out = []
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115 - closed below; the error must name the file
    except OSError as e:
        raise NewsbotError(f"{path}: cannot read the questions ({e.strerror})") from None
    with f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                out.append(Question(str(r["id"]), r["question"], r["doc_id"], tuple(r["answers"])))
            except (ValueError, KeyError, TypeError) as e:
                raise NewsbotError(f"{path}:{n}: not a question line ({e})") from None
            if limit and len(out) >= limit:
                break
    return out


def is_correct(doc_id: str, text: str, q: Question) -> bool:
    """Return whether a sentence (its article's doc_id and its text) answers the question."""
    return doc_id == q.doc_id and any(a in text for a in q.answers)


def first_correct(correct: Sequence[bool]) -> int | None:
    """Return the 0-based rank of the first right sentence in a ranking whose copies are already collapsed."""
    return next((rank for rank, right in enumerate(correct) if right), None)


def article_of(doc_id: str) -> str:
    """Return the article a SQuAD paragraph id belongs to ("Super_Bowl_50#3" -> "Super_Bowl_50")."""
    return doc_id.split("#", 1)[0]
