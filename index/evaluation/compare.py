"""Side by side (`newsbot eval --compare`): every ranking measured in one run, over one index, on the same
candidates, with 95 % intervals, by question type, and the "nothing relevant" figures.

Each question is asked once through `Engine.answer`, the function `newsbot ask` and the bot call (by way of
`Engine.answers`, which encodes the questions in batches as `ask -` does), with the default ranker; that answer is the
`default` row. A `RecordingRanker` keeps the candidates the answer path gathered, and each fixed ranking (`BASELINES`:
bm25, dense, rrf, fusion) and the default ranker's own scores (`ranking`: no "nothing relevant", no speaker boost) order
those same candidates, copies collapsed as `ask` collapses them. The candidates are the top 50 by cosine and the top 50
by BM25 (`NEWSBOT_CANDIDATES`), so the bm25 and dense rows are exactly plain BM25 and plain dense search over the stored
sentences, cut at 50."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from index.engine import Engine
from index.evaluation.collect import RecordingRanker, with_ranker
from index.evaluation.dataset import Question, first_correct, is_correct
from index.evaluation.report import (
    INTERVAL_METHOD,
    bootstrap_interval,
    intervals,
    metrics,
    per_question,
    resample_indices,
    wilson,
)
from index.model import Answer
from index.questions import QUESTION_TYPES, question_type
from index.ranking import BASELINES, Candidate, Ranker, baseline_scores
from index.stories import collapse_copies

EVAL_K = 10  # sentences scored in each ranking: enough for R@5 and MRR@10
ROWS: tuple[str, ...] = (*BASELINES, "ranking", "default")  # the report's rows, in the order they are printed
ROW_LABELS = {
    "bm25": "BM25",
    "dense": "dense (cosine)",
    "rrf": "RRF (BM25, dense)",
    "fusion": "fusion (0.5 cos + 0.5 bm25/max)",
    "ranking": "default ranker's order",
    "default": "default: what ask answers",
}


def ranked_rank(candidates: list[Candidate], scores: np.ndarray, q: Question, k: int = EVAL_K) -> int | None:
    """Return the 0-based rank of the first right sentence when `scores` order the candidates, copies of one
    sentence collapsed into one (as `Engine.answer` collapses them), or None when none of the first k is right."""
    if not candidates:
        return None
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    groups = collapse_copies([candidates[i] for i in order], np.asarray(scores)[order], limit=k)
    return first_correct([is_correct(g[0][0].sentence.source.doc_id, g[0][0].sentence.text, q) for g in groups])


def _evidence(cands: list[Candidate]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    def ranks(values: list[int | None]) -> np.ndarray:
        return np.array([-1 if v is None else v for v in values], dtype=np.float64)

    return (
        np.array([c.cos for c in cands], dtype=np.float64),
        np.array([c.bm25 for c in cands], dtype=np.float64),
        ranks([c.dense_rank for c in cands]),
        ranks([c.bm25_rank for c in cands]),
    )


def _row(ranks: Sequence[int | None], in_cands: Sequence[bool], qtypes: Sequence[str]) -> dict[str, Any]:
    """Return one ranking's metrics with their intervals, overall and by question type."""
    out: dict[str, Any] = {k: round(v, 4) for k, v in metrics(ranks, in_cands).items()}
    out.update(intervals(ranks))
    out["by_type"] = {}
    for t in QUESTION_TYPES:
        idx = [i for i, qt in enumerate(qtypes) if qt == t]
        if idx:
            sub = [ranks[i] for i in idx]
            m = {k: round(v, 4) for k, v in metrics(sub, [in_cands[i] for i in idx]).items()}
            out["by_type"][t] = {**m, **intervals(sub)}
    return out


def compare_rankings(
    engine: Engine,
    ranker: Ranker,
    questions: Sequence[Question],
    unanswerable: Sequence[Question] = (),
    removed_docs: set[str] | frozenset[str] = frozenset(),
    on_answer: Callable[[Question, Answer], None] | None = None,
) -> dict[str, Any]:
    """Return the side-by-side report (without the run's header) of every ranking (`ROWS`) on the answerable
    questions, and the no-answer figures on the unanswerable ones (those given, and the answerable ones whose
    article is in `removed_docs`)."""
    recorder = RecordingRanker(ranker)
    probe = with_ranker(engine, recorder)
    ranks: dict[str, list[int | None]] = {name: [] for name in ROWS}
    in_cands: list[bool] = []
    qtypes: list[str] = []
    times: list[float] = []
    refused = lost = declined = elsewhere = asked_unanswerable = 0
    asked = [(q, q.doc_id in removed_docs) for q in questions] + [(q, True) for q in unanswerable]
    answers = probe.answers([q.question for q, _ in asked], k=EVAL_K)  # encoded in batches, ranked one by one
    for q, unanswerable_here in asked:
        t0 = time.perf_counter()
        answer = next(answers)
        times.append((time.perf_counter() - t0) * 1000)
        seen = recorder.take()
        if on_answer:
            on_answer(q, answer)
        if unanswerable_here:
            asked_unanswerable += 1
            declined += answer.no_answer
            elsewhere += answer.no_answer or answer.hits[0].source.doc_id != q.doc_id
            continue
        if seen is None:  # small talk, or no candidate: the ranker was not asked; the rankings still rank
            probe.answerer.ranked(engine.answerer.check_question(q.question))
            seen = recorder.take()
        cands, scores = (seen[1], seen[2]) if seen is not None else ([], np.zeros(0))
        ranks["default"].append(first_correct([is_correct(h.source.doc_id, h.sentence, q) for h in answer.hits]))
        evidence = _evidence(cands)
        for name in BASELINES:
            ranks[name].append(ranked_rank(cands, baseline_scores(name, *evidence) if cands else scores, q))
        ranks["ranking"].append(ranked_rank(cands, scores, q))
        refused += answer.no_answer
        lost += answer.no_answer and ranks["ranking"][-1] == 0
        in_cands.append(any(is_correct(c.sentence.source.doc_id, c.sentence.text, q) for c in cands))
        qtypes.append(question_type(q.question))
    n = len(in_cands)
    idx = resample_indices(n)
    default_terms = per_question(ranks["default"])
    report: dict[str, Any] = {
        "mode": "compare",
        "ranker": recorder.name,
        "interval": INTERVAL_METHOD,
        "ms_per_question_median": round(statistics.median(times), 2) if times else 0.0,
        "ms_per_question_p95": round(float(np.percentile(times, 95)), 2) if times else 0.0,
        "rankings": {name: _row(ranks[name], in_cands, qtypes) for name in ROWS},
        "default_minus": {},  # paired: the default's figure less each other ranking's, same resamples
    }
    for name in ROWS[:-1]:
        terms = per_question(ranks[name])
        report["default_minus"][name] = {
            **{k: round(float((default_terms[k] - v).mean()) if n else 0.0, 4) for k, v in terms.items()},
            **{f"{k}_ci": bootstrap_interval(default_terms[k] - v, idx) for k, v in terms.items()},
        }
    if asked_unanswerable:
        report["unanswerable"] = {
            "questions": asked_unanswerable,
            "no_answer_rate": round(declined / asked_unanswerable, 4),
            "no_answer_rate_ci": wilson(declined, asked_unanswerable),
            "not_from_its_article_rate": round(elsewhere / asked_unanswerable, 4),
            "not_from_its_article_rate_ci": wilson(elsewhere, asked_unanswerable),
            "answerable_refused_rate": round(refused / max(n, 1), 4),
            "answerable_refused_rate_ci": wilson(refused, n),
            "answerable_p_at_1_lost": round(lost / max(n, 1), 4),
        }
    return report


def format_compare(report: dict[str, Any]) -> str:
    """Return the side-by-side report as a text table: one row a ranking, then P@1 by type, then no-answer."""
    rows = report["rankings"]

    def cell(m: dict[str, Any], key: str) -> str:
        low, high = m[f"{key}_ci"]
        return f"{m[key]:.3f} [{low:.3f}, {high:.3f}]"

    lines = [
        f"{report['questions']} questions over {report.get('articles', '?')} articles "
        f"({report.get('sentences', '?')} sentences), one index, every ranking on the same candidates; "
        f"default ranker: {report['ranker']}",
        f"intervals: {report['interval']}",
        "",
        f"{'ranking':<34}{'P@1':>22}{'R@5':>22}{'MRR@10':>22}",
    ]
    for name, m in rows.items():
        lines.append(f"{ROW_LABELS.get(name, name):<34}{cell(m, 'p_at_1'):>22}{cell(m, 'r_at_5'):>22}"
                     f"{cell(m, 'mrr_at_10'):>22}")
    first = next(iter(rows.values()))
    lines += [
        f"candidate recall {first['candidate_recall']:.3f}; {report['ms_per_question_median']:.1f} ms a question "
        f"(median, default path), p95 {report['ms_per_question_p95']:.1f} ms; indexing took "
        f"{report.get('index_seconds', 0.0):.1f} s",
        "",
        "P@1 by question type:",
        f"{'type':<10}{'n':>5}" + "".join(f"{name:>10}" for name in rows),
    ]
    for t, m in first["by_type"].items():
        lines.append(f"{t:<10}{m['n']:>5}" + "".join(f"{rows[name]['by_type'][t]['p_at_1']:>10.3f}" for name in rows))
    d = report["default_minus"]
    lines += ["", "default minus (P@1, paired 95 % interval): " + "; ".join(
        f"{name} {m['p_at_1']:+.3f} [{m['p_at_1_ci'][0]:+.3f}, {m['p_at_1_ci'][1]:+.3f}]" for name, m in d.items())]
    if "unanswerable" in report:
        u = report["unanswerable"]
        lines += [
            f"unanswerable: {u['questions']} questions ({u.get('source', '')}): {u['no_answer_rate']:.1%} "
            f"[{u['no_answer_rate_ci'][0]:.1%}, {u['no_answer_rate_ci'][1]:.1%}] got 'nothing relevant' "
            f"({u['not_from_its_article_rate']:.1%} declined or answered from another article); answerable "
            f"wrongly refused {u['answerable_refused_rate']:.1%} [{u['answerable_refused_rate_ci'][0]:.1%}, "
            f"{u['answerable_refused_rate_ci'][1]:.1%}], right first answers hidden {u['answerable_p_at_1_lost']:.1%}"
        ]
    return "\n".join(lines)
