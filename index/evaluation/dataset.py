"""The evaluation data (the JSONL format of shared/eval): questions with their paragraph (SQuAD) or article
(polnear-qa) and answers, and what counts as a right sentence: one from the question's doc_id that contains one of
its answers, exact and case-sensitive, after the same repair the stored text had (polnear-qa's README, "How to
score"). Unanswerable questions (polnear-qa's unanswerable.jsonl) have a doc_id and no answers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import NewsbotError
from index.reading import repair_text


@dataclass(frozen=True)
class Question:
    """One evaluation question."""

    id: str
    question: str
    doc_id: str
    answers: tuple[str, ...]


def answer_forms(answers: list[str]) -> tuple[str, ...]:
    """Return the answers as written and as the stored text has them (repaired: Unicode normalised, odd spaces
    plain), each once, in order."""
    forms: list[str] = []
    for a in answers:
        for form in (str(a), repair_text(str(a))):
            if form and form not in forms:
                forms.append(form)
    return tuple(forms)


def read_questions(
    path: Path, limit: int | None = None, answerable: bool = True, split: str | None = None
) -> list[Question]:
    """Return the questions of a questions.jsonl file (the first `limit` of them); with `answerable` False, of an
    unanswerable.jsonl file (id, question, doc_id; any answers are ignored); with `split`, only the lines whose
    "split" is that one (wikinews-qa's train / validation, split by article)."""
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
                if split is not None and r.get("split") != split:
                    continue
                if answerable and not isinstance(r["answers"], list):
                    raise TypeError("'answers' is not a list")
                answers = answer_forms(r["answers"]) if answerable else ()
                if answerable and not answers:
                    raise ValueError("no answers")
                out.append(Question(str(r["id"]), str(r["question"]), str(r["doc_id"]), answers))
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
