"""Evaluation on JSONL docs and questions (the format of shared/eval): P@1, R@5, MRR@10, candidate recall and
milliseconds per question, overall and by question type. A retrieved sentence is correct when it comes from the
question's doc_id and contains one of its answers."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import NewsbotError
from index.ranking import Candidate, FusionRanker, reciprocal_rank_fusion
from index.settings import Settings

QTYPES = ("who", "when", "where", "how_many", "how_far", "why", "what", "other")


@dataclass(frozen=True)
class EvalOptions:
    """What to measure."""

    limit: int | None = None
    folds: int = 0
    unanswerable: float = 0.0
    ranker: str = "default"  # default | fusion | rrf | bm25 | dense | learned
    seed: int = 13


@dataclass(frozen=True)
class Question:
    """One evaluation question."""

    id: str
    question: str
    doc_id: str
    answers: tuple[str, ...]


def read_questions(path: Path, limit: int | None = None) -> list[Question]:
    """Return the questions of a questions.jsonl file."""
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


def is_correct(c: Candidate, q: Question) -> bool:
    """Return whether a candidate sentence answers the question."""
    return c.sentence.source.doc_id == q.doc_id and any(a in c.sentence.text for a in q.answers)


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


def first_correct(order: Sequence[Candidate], q: Question) -> int | None:
    """Return the 0-based rank of the first correct candidate, counting copies of one sentence once."""
    seen: set[str] = set()
    rank = 0
    for c in order:
        key = c.sentence.text
        if key in seen:
            continue
        seen.add(key)
        if is_correct(c, q):
            return rank
        rank += 1
    return None


SCORERS: dict[str, Callable[[list[Candidate]], np.ndarray]] = {
    "bm25": lambda cs: np.array([c.bm25 + (1e-9 * c.cos) for c in cs]),
    "dense": lambda cs: np.array([c.cos for c in cs]),
    "rrf": reciprocal_rank_fusion,
}


def build_engine(docs: Path, data_dir: Path, settings: Settings | None = None, exclude: set[str] | None = None):
    """Return an engine over a fresh index of the docs (less the excluded doc_ids) in data_dir."""
    from index.engine import Engine
    from index.reading import read_articles

    base = settings or Settings()
    s = replace(base, data_dir=data_dir, ranker=False)
    engine = Engine.open(s)
    articles, problems = read_articles([docs], root=docs.parent)
    if problems:
        raise NewsbotError(f"{docs}: {len(problems)} unreadable lines, first: {problems[0].name}: "
                           f"{problems[0].reason}")
    if exclude:
        articles = [a for a in articles if a.doc_id not in exclude]
    engine._indexer().index_articles(articles)  # noqa: SLF001 - evaluation indexes a temporary corpus
    return engine


def evaluate(docs: Path, questions_path: Path, opts: EvalOptions, settings: Settings | None = None) -> dict[str, Any]:
    """Return the evaluation report as a JSON-able dict."""
    from index.questions import question_type

    questions = read_questions(questions_path, opts.limit)
    rng = np.random.default_rng(opts.seed)
    unanswerable_docs: set[str] = set()
    if opts.unanswerable > 0:
        doc_ids = sorted({q.doc_id for q in questions})
        pick = rng.choice(len(doc_ids), size=round(opts.unanswerable * len(doc_ids)), replace=False)
        unanswerable_docs = {doc_ids[i] for i in pick}
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        started = time.perf_counter()
        engine = build_engine(docs, Path(tmp), settings, exclude=unanswerable_docs)
        index_seconds = time.perf_counter() - started
        ranker_name = opts.ranker
        learned = None
        if ranker_name in ("default", "learned"):
            from index.engine import load_default_ranker

            learned = load_default_ranker()
            if learned is not None and hasattr(learned, "bind"):
                learned.bind(engine)
            if learned is None and ranker_name == "learned":
                raise NewsbotError("no learned ranker is available; train one with: make train-ranker")
            ranker_name = learned.name if learned is not None else "fusion"
        if opts.folds:
            from index.learned import cross_validate

            return cross_validate(engine, questions, opts, unanswerable_docs, index_seconds)
        fusion = FusionRanker()
        ranks: list[int | None] = []
        in_cands: list[bool] = []
        times: list[float] = []
        by_type: dict[str, list[int]] = defaultdict(list)
        no_answer_hits = 0
        unanswerable_n = 0
        answerable_lost = 0
        for i, q in enumerate(questions):
            t0 = time.perf_counter()
            qtext = engine.check_question(q.question)
            qvec = engine.encoder.encode([qtext], "query")[0]
            cands = engine.candidates(qtext, qvec)
            if ranker_name in SCORERS:
                scores = SCORERS[ranker_name](cands) if cands else np.zeros(0)
                relevant = bool(cands) and fusion.is_relevant(0.0, cands[int(np.argmax(scores))])
            else:
                ranker = learned if learned is not None else fusion
                scores = ranker.score(qtext, qvec, cands) if cands else np.zeros(0)
                relevant = bool(cands) and ranker.is_relevant(float(np.max(scores)), cands[int(np.argmax(scores))])
            order = [cands[j] for j in np.argsort(-np.asarray(scores), kind="stable")]
            times.append((time.perf_counter() - t0) * 1000)
            if q.doc_id in unanswerable_docs:
                unanswerable_n += 1
                no_answer_hits += not relevant
                continue
            r = first_correct(order, q)
            if not relevant:
                answerable_lost += r == 0
            ranks.append(r)
            in_cands.append(any(is_correct(c, q) for c in cands))
            by_type[question_type(q.question)].append(i)
        engine.close()
    report: dict[str, Any] = {
        "ranker": ranker_name,
        "questions": len(questions),
        "docs": str(docs),
        "index_seconds": round(index_seconds, 2),
        **{k: round(v, 4) for k, v in metrics(ranks, in_cands).items()},
        "ms_per_question_median": round(statistics.median(times), 2),
        "ms_per_question_p95": round(float(np.percentile(times, 95)), 2),
    }
    answerable = [q for q in questions if q.doc_id not in unanswerable_docs]
    pos = {q.id: j for j, q in enumerate(answerable)}
    report["by_type"] = {}
    for t in QTYPES:
        idx = [pos[questions[i].id] for i in by_type.get(t, [])]
        if idx:
            report["by_type"][t] = {k: round(v, 4) for k, v in
                                    metrics([ranks[j] for j in idx], [in_cands[j] for j in idx]).items()}
    if unanswerable_docs:
        report["unanswerable"] = {
            "fraction": opts.unanswerable,
            "questions": unanswerable_n,
            "no_answer_rate": round(no_answer_hits / max(unanswerable_n, 1), 4),
            "answerable_p_at_1_lost": round(answerable_lost / max(len(ranks), 1), 4),
        }
    return report


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
