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
        **intervals(ranks),
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
        "95 % bootstrap intervals: " + "  ".join(
            f"{name} [{report[key][0]:.3f}, {report[key][1]:.3f}]"
            for name, key in (("P@1", "p_at_1_ci"), ("R@5", "r_at_5_ci"), ("MRR@10", "mrr_at_10_ci"))
            if key in report),
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
        lines += ["", f"unanswerable: {u['questions']} questions "
                  f"({u.get('source') or format(u['fraction'], '.0%') + ' of paragraphs removed'}): "
                  f"{u['no_answer_rate']:.1%} got 'nothing relevant'; "
                  f"answerable P@1 lost {u['answerable_p_at_1_lost']:.1%}"
                  + (f" ({u['answerable_p_at_1_lost_relative']:.1%} of it)"
                     if "answerable_p_at_1_lost_relative" in u else "")
                  + (f"; answerable wrongly refused {u['answerable_refused_rate']:.1%}"
                     if "answerable_refused_rate" in u else "")]
    if "ranker_ms_median" in report:
        lines.insert(3, f"the ranker itself (features and trees): {report['ranker_ms_median']:.2f} ms (median)")
    return "\n".join(lines)


# -- intervals ---------------------------------------------------------------------------------------------------

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 13
INTERVAL_METHOD = (
    f"95 % percentile bootstrap over questions ({BOOTSTRAP_RESAMPLES} resamples, seed {BOOTSTRAP_SEED}; "
    "paired: the same resamples for every ranking); shares of questions refused: Wilson score interval"
)


def per_question(ranks: Sequence[int | None]) -> dict[str, np.ndarray]:
    """Return each question's P@1, R@5 and MRR@10 terms (their means are `metrics`'s figures)."""
    r = np.array([-1 if x is None else x for x in ranks], dtype=np.int64)
    found = r >= 0
    return {
        "p_at_1": (r == 0).astype(np.float64),
        "r_at_5": (found & (r < 5)).astype(np.float64),
        "mrr_at_10": np.where(found & (r < 10), 1.0 / (np.maximum(r, 0) + 1), 0.0),
    }


def resample_indices(n: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """Return a (resamples, n) array of question indices drawn with replacement (fixed seed: reproducible)."""
    return np.random.default_rng(seed).integers(0, max(n, 1), size=(resamples, n), dtype=np.int32)


def bootstrap_interval(values: np.ndarray, idx: np.ndarray) -> list[float]:
    """Return the 95 % percentile-bootstrap interval [low, high] of the mean of per-question `values`."""
    if len(values) == 0:
        return [0.0, 0.0]
    means = np.concatenate([values[idx[i : i + 250]].mean(axis=1) for i in range(0, len(idx), 250)])  # bounded memory
    low, high = np.percentile(means, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def intervals(ranks: Sequence[int | None], idx: np.ndarray | None = None) -> dict[str, list[float]]:
    """Return the 95 % bootstrap interval of P@1, R@5 and MRR@10 (keys `p_at_1_ci`, ...) over the questions."""
    terms = per_question(ranks)
    idx = resample_indices(len(ranks)) if idx is None else idx
    return {f"{k}_ci": bootstrap_interval(v, idx) for k, v in terms.items()}


def wilson(successes: int, n: int, z: float = 1.96) -> list[float]:
    """Return the Wilson score interval [low, high] of a share `successes / n` (95 % for z = 1.96)."""
    if n <= 0:
        return [0.0, 0.0]
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(float(max(0.0, centre - half)), 4), round(float(min(1.0, centre + half)), 4)]
