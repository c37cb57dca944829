"""Evaluation on JSONL docs and questions (the format of shared/eval): P@1, R@5, MRR@10, candidate recall and
milliseconds per question, overall and by question type, in a temporary index.

Each question goes through `Engine.answer`, the function `newsbot ask` and the bot call (small-talk guard, speaker
candidates and boost, no-answer decision, copies collapsed), by way of `Engine.answers`, which encodes the questions in
batches as `ask -` does; its hits are scored; a fixed ranking (`--ranker fusion|rrf|bm25|dense`) is swapped in through
the engine's constructor. `--compare` measures every ranking in one run over one index (`index.evaluation.compare`).
With `--folds`, the learned ranker is cross-validated by article instead (`index.evaluation.crossval`). `--unanswerable`
takes a fraction of paragraphs to remove, or a file of questions their article does not answer (polnear-qa's
unanswerable.jsonl)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.engine import Engine
from index.errors import NewsbotError
from index.evaluation.collect import RecordingRanker, with_ranker
from index.evaluation.compare import EVAL_K, compare_rankings
from index.evaluation.crossval import cross_validate
from index.evaluation.dataset import Question, first_correct, is_correct, read_questions
from index.evaluation.report import assemble_report, unanswerable_summary, wilson
from index.model import Answer
from index.questions import question_type
from index.ranking import BASELINES, BaselineRanker, FusionRanker, Ranker
from index.ranking.choice import load_default_ranker
from index.ranking.features import CorpusView
from index.reading import read_articles
from index.settings import Settings


@dataclass(frozen=True)
class EvalOptions:
    """What to measure."""

    limit: int | None = None
    folds: int = 0
    unanswerable: float = 0.0
    ranker: str = "default"  # default | fusion | rrf | bm25 | dense | learned
    seed: int = 13
    unanswerable_file: Path | None = None  # questions their article does not answer (asked over the whole index)
    compare: bool = False  # every ranking side by side, in one run over one index
    index_dir: Path | None = None  # index into (or reuse) this folder instead of a temporary one


def build_engine(
    docs: Path, data_dir: Path, settings: Settings | None = None, exclude: set[str] | None = None
) -> Engine:
    """Return an engine (ranking by fusion) over a fresh index of the docs (less the excluded doc_ids) in
    data_dir."""
    base = settings or Settings()
    s = replace(base, data_dir=data_dir, ranker="fusion")
    engine = Engine.open(s)
    articles, problems = read_articles([docs], root=docs.parent)
    problems = [p for p in problems if p.skipped]  # a clipped title is a note, not a lost article
    if problems:
        raise NewsbotError(f"{docs}: {len(problems)} unreadable lines, first: {problems[0].name}: "
                           f"{problems[0].reason}")
    if exclude:
        articles = [a for a in articles if a.doc_id not in exclude]
    # a reused folder keeps what is unchanged (nothing is embedded twice) and forgets the excluded articles
    gone = sorted(exclude or ())
    engine._indexer().index_articles(articles, remove=gone)  # noqa: SLF001 - evaluation indexes its own corpus
    return engine


def eval_ranker(name: str, engine: Engine) -> Ranker:
    """Return the ranking `eval --ranker name` measures over the engine's corpus: a fixed one (BASELINES), or
    the shipped learned ranker (`default` falls back to fusion as `newsbot ask` does, `learned` refuses)."""
    if name in BASELINES:
        return BaselineRanker(name)
    learned = load_default_ranker(CorpusView(engine.store, engine.encoder.dimension))
    if learned is not None:
        return learned
    if name == "learned":
        raise NewsbotError("no learned ranker is available; train one with: make train-ranker")
    return FusionRanker()


def evaluate(
    docs: Path,
    questions_path: Path,
    opts: EvalOptions,
    settings: Settings | None = None,
    on_answer: Callable[[Question, Answer], None] | None = None,
) -> dict[str, Any]:
    """Return the evaluation report as a JSON-able dict; `on_answer` sees each question's scored Answer."""
    if opts.folds and (opts.compare or opts.unanswerable_file):
        raise NewsbotError("--folds cross-validates the learned ranker alone: it does not go with --compare or "
                           "an --unanswerable file (give a fraction)")
    if opts.compare and opts.ranker != "default":
        raise NewsbotError("--compare measures every ranking; leave out --ranker")
    questions = read_questions(questions_path, opts.limit)
    extra = read_questions(opts.unanswerable_file, opts.limit, answerable=False) if opts.unanswerable_file else []
    rng = np.random.default_rng(opts.seed)
    unanswerable_docs: set[str] = set()
    if opts.unanswerable > 0:
        doc_ids = sorted({q.doc_id for q in questions})
        pick = rng.choice(len(doc_ids), size=round(opts.unanswerable * len(doc_ids)), replace=False)
        unanswerable_docs = {doc_ids[i] for i in pick}
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        started = time.perf_counter()
        base = build_engine(docs, opts.index_dir or Path(tmp), settings, exclude=unanswerable_docs)
        index_seconds = time.perf_counter() - started
        try:
            if opts.folds:
                return cross_validate(base, questions, opts.ranker, opts.folds, opts.seed, unanswerable_docs,
                                      opts.unanswerable, index_seconds, docs=str(docs))
            if opts.compare:
                ranker = eval_ranker("default", base)
                report = compare_rankings(base, ranker, questions, extra, unanswerable_docs, on_answer)
                stats = base.library.summary(0)
                header = {"questions": report["rankings"]["default"]["n"], "docs": str(docs),
                          "articles": stats.articles, "sentences": stats.sentences,
                          "index_seconds": round(index_seconds, 2)}
                report = {**header, **report}
                if "unanswerable" in report:
                    report["unanswerable"]["source"] = _unanswerable_source(opts)
                return report
            return _answer_all(base, questions, opts, unanswerable_docs, index_seconds, str(docs), on_answer,
                               extra)
        finally:
            base.close()


def _answer_all(
    base: Engine,
    questions: list[Question],
    opts: EvalOptions,
    unanswerable_docs: set[str],
    index_seconds: float,
    docs: str,
    on_answer: Callable[[Question, Answer], None] | None,
    extra: list[Question] | None = None,
) -> dict[str, Any]:
    """Return the report of every question answered by `Engine.answers` with the chosen ranker; the `extra`
    questions are unanswerable ones (their article does not answer them), scored by 'nothing relevant' alone."""
    recorder = RecordingRanker(eval_ranker(opts.ranker, base))
    engine = with_ranker(base, recorder)
    ranks: list[int | None] = []
    in_cands: list[bool] = []
    qtypes: list[str] = []
    times: list[float] = []
    no_answers = unanswerable_n = lost = refused = 0
    unanswerable_ids = {id(q) for q in extra or []}
    asked = [*questions, *(extra or [])]
    answers = engine.answers([q.question for q in asked], k=EVAL_K)  # encoded in batches, ranked one by one
    for q in asked:
        t0 = time.perf_counter()
        answer = next(answers)
        times.append((time.perf_counter() - t0) * 1000)
        seen = recorder.take()  # what the ranker was asked to score, for candidate recall
        if on_answer:
            on_answer(q, answer)
        if q.doc_id in unanswerable_docs or id(q) in unanswerable_ids:
            unanswerable_n += 1
            no_answers += answer.no_answer
            continue
        cands = seen[1] if seen else []
        r = first_correct([is_correct(h.source.doc_id, h.sentence, q) for h in answer.hits])
        if answer.no_answer and seen is not None and len(seen[2]):
            top = cands[int(np.argmax(seen[2]))]  # the ranker's best, hidden by the no-answer decision
            lost += is_correct(top.sentence.source.doc_id, top.sentence.text, q)
        refused += answer.no_answer
        ranks.append(r)
        in_cands.append(any(is_correct(c.sentence.source.doc_id, c.sentence.text, q) for c in cands))
        qtypes.append(question_type(q.question))
    report = assemble_report(recorder.name, len(questions), docs, index_seconds, ranks, in_cands, qtypes, times)
    if unanswerable_n:
        u = unanswerable_summary(opts.unanswerable, unanswerable_n, no_answers, lost, ranks)
        u.update(source=_unanswerable_source(opts), no_answer_rate_ci=wilson(no_answers, unanswerable_n),
                 answerable_refused_rate=round(refused / max(len(ranks), 1), 4),
                 answerable_refused_rate_ci=wilson(refused, len(ranks)))
        report["unanswerable"] = u
    return report


def _unanswerable_source(opts: EvalOptions) -> str:
    """Return where the unanswerable questions came from, for the report."""
    parts = [str(opts.unanswerable_file)] if opts.unanswerable_file else []
    if opts.unanswerable > 0:
        parts.append(f"{opts.unanswerable:.0%} of the paragraphs removed")
    return " and ".join(parts)
