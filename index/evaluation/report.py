"""The evaluation report: P@1, R@5, MRR@10 and candidate recall from the rank of each question's first right
sentence, overall and by question type, with timing and the no-answer figures; and its text rendering."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.questions import QUESTION_TYPES


def metrics(ranks: Sequence[int | None], in_candidates: Sequence[bool]) -> dict[str, float]:
    """Return P@1, R@5, MRR@10 and candidate recall from the 0-based rank of the first correct sentence."""
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "p_at_1": sum(r == 0 for r in ranks) / n,
        "r_at_5": sum(r is not None and r < 5 for r in ranks) / n,
        "mrr_at_10": sum(1.0 / (r + 1) for r in ranks if r is not None and r < 10) / n,
        "candidate_recall": sum(in_candidates) / n,
    }


def _rounded(m: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in m.items()}


def assemble_report(
    ranker: str,
    questions: int,
    docs: str | None,
    index_seconds: float,
    ranks: Sequence[int | None],
    in_candidates: Sequence[bool],
    qtypes: Sequence[str],
    ms_per_question: Sequence[float],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the report dict: the answerable questions' metrics (`ranks`, `in_candidates` and `qtypes` run in
    parallel), overall and by question type, and the time a question took; `extra` keys go in after `docs`."""
    out: dict[str, Any] = {
        "ranker": ranker,
        "questions": questions,
        "docs": docs,
        **(extra or {}),
        "index_seconds": round(index_seconds, 2),
        **_rounded(metrics(ranks, in_candidates)),
        "ms_per_question_median": round(statistics.median(ms_per_question), 2) if ms_per_question else 0.0,
        "ms_per_question_p95": round(float(np.percentile(ms_per_question, 95)), 2) if ms_per_question else 0.0,
        "by_type": {},
    }
    for t in QUESTION_TYPES:
        idx = [i for i, qt in enumerate(qtypes) if qt == t]
        if idx:
            out["by_type"][t] = _rounded(metrics([ranks[i] for i in idx], [in_candidates[i] for i in idx]))
    return out


def unanswerable_summary(
    fraction: float, questions: int, no_answers: int, lost: int, ranks: Sequence[int | None]
) -> dict[str, Any]:
    """Return the no-answer figures: the share of unanswerable questions that got 'nothing relevant', and the
    right first answers the no-answer decision hid (of all answerable questions, and of the right-first ones)."""
    return {
        "fraction": fraction,
        "questions": questions,
        "no_answer_rate": round(no_answers / max(questions, 1), 4),
        "answerable_p_at_1_lost": round(lost / max(len(ranks), 1), 4),
        "answerable_p_at_1_lost_relative": round(lost / max(sum(r == 0 for r in ranks), 1), 4),
    }


def format_report(report: dict[str, Any]) -> str:
    """Return the report as a small text table."""
    lines = [
        f"ranker {report['ranker']}: {report['questions']} questions"
        + (f", {report['folds']}-fold cross-validated by article" if report.get("folds") else ""),
        f"P@1 {report['p_at_1']:.3f}  R@5 {report['r_at_5']:.3f}  MRR@10 {report['mrr_at_10']:.3f}  "
        f"candidate recall {report['candidate_recall']:.3f}",
        f"{report['ms_per_question_median']:.1f} ms a question (median), p95 {report['ms_per_question_p95']:.1f} ms;"
        f" indexing took {report['index_seconds']:.1f} s",
        "",
        f"{'type':<10}{'n':>6}{'P@1':>8}{'R@5':>8}{'MRR@10':>8}{'cand.':>8}",
    ]
    for t, m in report.get("by_type", {}).items():
        lines.append(f"{t:<10}{m['n']:>6}{m['p_at_1']:>8.3f}{m['r_at_5']:>8.3f}{m['mrr_at_10']:>8.3f}"
                     f"{m['candidate_recall']:>8.3f}")
    if "unanswerable" in report:
        u = report["unanswerable"]
        lines += ["", f"unanswerable: {u['questions']} questions ({u['fraction']:.0%} of paragraphs removed): "
                  f"{u['no_answer_rate']:.1%} got 'nothing relevant'; "
                  f"answerable P@1 lost {u['answerable_p_at_1_lost']:.1%}"
                  + (f" ({u['answerable_p_at_1_lost_relative']:.1%} of it)"
                     if "answerable_p_at_1_lost_relative" in u else "")]
    if "ranker_ms_median" in report:
        lines.insert(3, f"the ranker itself (features and trees): {report['ranker_ms_median']:.2f} ms (median)")
    return "\n".join(lines)
