"""Cross-validation by article (the eval's `--folds`, and the trainer's report): LightGBM trees trained on the
other folds' articles score each question's collected candidates; the no-answer model is calibrated on those
out-of-fold scores."""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.engine import Engine
from index.evaluation.collect import Collected, collect
from index.evaluation.dataset import Question, article_of, first_correct
from index.evaluation.report import assemble_report, unanswerable_summary
from index.ranking import BASELINES, FusionRanker, baseline_scores
from index.ranking.features import FEATURE_INDEX, RANKER_FEATURES
from index.ranking.learned import NoAnswerModel, combined_scores, no_answer_row

# LightGBM settings: deterministic (fixed seeds, fixed threads), small trees, few rounds.
LGB_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 30,  # deeper than the first answer: R@5 and MRR@10 count too
    "label_gain": [0.0, 1.0],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 13,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
NUM_ROUNDS = 300
# The share of answerable SQuAD questions whose right first answer the no-answer threshold may hide: 0.5 %.
# SQuAD questions copy their paragraph's words, readers' questions paraphrase, so a budget on SQuAD costs several
# times more on news: at 1 % the threshold turned down 4.9 % of polnear-qa's answerable questions, at 0.5 % 3.0 %.
# On news the model barely tells a question its story does not answer from one it does (both are about the
# story), so news gets a threshold of its own, tuned to turn down at most 2 % of polnear-qa's answerable questions
# (index.evaluation.calibrate); this one stays for questions naming something the corpus never mentions ("Who is
# the president of France?" over the Derna article).
P_AT_1_BUDGET = 0.005


# What lightgbm imports only to offer its scikit-learn and DataFrame interfaces, which training on numpy
# matrices never uses: 2.3 s of its import on a quiet 2-core machine (sklearn and pandas are installed beside
# newsbot for its tests and Ray). scipy is a hard dependency of lightgbm and stays. Answering imports neither
# lightgbm nor scipy: it reads the shipped trees with index.ranking.trees.
_LIGHTGBM_EXTRAS: tuple[str, ...] = ("sklearn", "pandas", "pyarrow", "dask", "matplotlib", "graphviz", "datatable")


def import_lightgbm() -> Any:
    """Return the lightgbm module, importing it (the first time) without its optional extras: while it imports,
    they are made unimportable (lightgbm checks each in a try/except ImportError), then importable again for
    anyone else. A process that already imported lightgbm, or an extra, is left as it is."""
    import sys

    if "lightgbm" in sys.modules:
        return sys.modules["lightgbm"]
    hidden = [m for m in _LIGHTGBM_EXTRAS if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # type: ignore[assignment]  # None there: `import m` raises ImportError
    try:
        import lightgbm  # lazy: the heavy dependency only training needs (answering reads index.ranking.trees)
    finally:
        for m in hidden:
            if sys.modules.get(m, 0) is None:
                del sys.modules[m]
    return lightgbm


def train_booster(
    items: Sequence[Collected],
    features: Sequence[str] = RANKER_FEATURES,
    rounds: int = NUM_ROUNDS,
    params: dict[str, Any] | None = None,
    weights: Sequence[float] | None = None,
) -> Any:
    """Return LightGBM trees trained (lambdarank, grouped by question) on the answerable questions that have a
    right candidate; `weights` (one an item, default 1) scale each question's share of the gradients."""
    lgb = import_lightgbm()

    cols = [FEATURE_INDEX[f] for f in features]
    keep = [i for i, it in enumerate(items) if it.answerable and it.correct[it.short].any()]
    used = [items[i] for i in keep]
    X = np.vstack([it.X[:, cols] for it in used])
    y = np.concatenate([it.correct[it.short].astype(np.int32) for it in used])
    groups = [len(it.short) for it in used]
    w = None if weights is None else np.concatenate([np.full(len(items[i].short), weights[i]) for i in keep])
    data = lgb.Dataset(X, y, weight=w, group=groups, feature_name=list(features), free_raw_data=True)
    return lgb.train({**LGB_PARAMS, **(params or {})}, data, num_boost_round=rounds)


def article_folds(questions: Sequence[Question], folds: int, seed: int = 13) -> dict[str, int]:
    """Return article -> fold, every article wholly in one fold, the folds balanced by question count."""
    sizes: dict[str, int] = defaultdict(int)
    for q in questions:
        sizes[article_of(q.doc_id)] += 1
    rng = np.random.default_rng(seed)
    names = sorted(sizes)
    rng.shuffle(names)
    names.sort(key=lambda a: -sizes[a])  # stable: ties keep the shuffled order
    load = [0] * folds
    out = {}
    for a in names:
        k = int(np.argmin(load))
        out[a] = k
        load[k] += sizes[a]
    return out


def ranked_correct(item: Collected, scores: np.ndarray) -> list[bool]:
    """Return, best first under these scores, whether each sentence is right, copies of one text counted once."""
    seen: set[str] = set()
    out = []
    for j in np.argsort(-scores, kind="stable"):
        key = item.keys[j]
        if key not in seen:
            seen.add(key)
            out.append(bool(item.correct[j]))
    return out


@dataclass
class FoldScores:
    """Out-of-fold learned scores of each question's shortlist (and of its simulated removal), with the time
    features and scoring took."""

    scores: list[np.ndarray]
    removed: list[np.ndarray | None]
    rank_ms: list[float]


def out_of_fold_scores(
    items: Sequence[Collected],
    folds: int,
    seed: int = 13,
    features: Sequence[str] = RANKER_FEATURES,
    log: Callable[[str], None] | None = None,
    fold_of: dict[str, int] | None = None,
) -> tuple[FoldScores, dict[str, int]]:
    """Return every question's scores from trees trained on the other folds' articles (`fold_of`: article ->
    fold; default `article_folds` of the items' questions)."""
    if fold_of is None:
        fold_of = article_folds([it.question for it in items], folds, seed)
    cols = [FEATURE_INDEX[f] for f in features]
    scores: list[np.ndarray] = [np.zeros(0)] * len(items)
    removed: list[np.ndarray | None] = [None] * len(items)
    rank_ms = [0.0] * len(items)
    for k in range(folds):
        t0 = time.perf_counter()
        booster = train_booster([it for it in items if fold_of[article_of(it.question.doc_id)] != k], features)
        if log:
            log(f"fold {k + 1}/{folds}: trained in {time.perf_counter() - t0:.1f} s")
        for i, it in enumerate(items):
            if fold_of[article_of(it.question.doc_id)] != k:
                continue
            if len(it.short):
                t1 = time.perf_counter()
                scores[i] = booster.predict(it.X[:, cols], num_threads=1)
                rank_ms[i] = it.features_ms + (time.perf_counter() - t1) * 1000
            if it.removed is not None and len(it.removed.short):
                removed[i] = booster.predict(it.removed.X[:, cols], num_threads=1)
    return FoldScores(scores, removed, rank_ms), fold_of


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iterations: int = 50) -> np.ndarray:
    """Return logistic-regression weights (bias first) fitted by Newton's method on standardised inputs."""
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mu) / sd])
    w = np.zeros(Z.shape[1])
    reg = l2 * np.eye(Z.shape[1])
    reg[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ w, -40, 40)))
        grad = Z.T @ (p - y) + reg @ w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + reg + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    # fold the standardisation into the weights, so the model reads raw evidence
    weights = np.empty_like(w)
    weights[1:] = w[1:] / sd
    weights[0] = w[0] - float((w[1:] * mu / sd).sum())
    return weights


def calibrate_no_answer(
    items: Sequence[Collected],
    oof: FoldScores,
    budget: float = P_AT_1_BUDGET,
    use: Sequence[int] | None = None,
) -> NoAnswerModel:
    """Return the no-answer model fitted on out-of-fold scores: right-first answerable questions against the
    same questions with their paragraph removed; the threshold is the highest that hides the right first
    answer of at most `budget` of the answerable questions."""
    idx = range(len(items)) if use is None else use
    pos_rows, neg_rows, first_right = [], [], []
    answerable_rows = []
    for i in idx:
        it, s = items[i], oof.scores[i]
        if not it.answerable or not len(s):
            continue
        row = no_answer_row(s, it.X)
        right = bool(it.correct[it.short[int(np.argmax(s))]])
        answerable_rows.append(row)
        first_right.append(right)
        if right:
            pos_rows.append(row)
        removed = oof.removed[i]
        if it.removed is not None and removed is not None and len(removed):
            neg_rows.append(no_answer_row(removed, it.removed.X))
    if not pos_rows or not neg_rows:
        return NoAnswerModel(np.zeros(0), 0.0, {})
    X = np.vstack(pos_rows + neg_rows)
    y = np.concatenate([np.ones(len(pos_rows)), np.zeros(len(neg_rows))])
    bounds = np.percentile(X, [1, 99], axis=0)
    w = fit_logistic(np.clip(X, bounds[0], bounds[1]), y)
    fitted = NoAnswerModel(w, 0.0, {}, bounds)
    p_ans = np.array([fitted.probability(r) for r in answerable_rows])
    p_neg = np.array([fitted.probability(r) for r in neg_rows])
    right_first = np.array(first_right)
    n = len(p_ans)
    # hiding every answer with p < t costs the right-first ones among them; take the largest t within budget
    right_p = np.sort(p_ans[right_first])
    allowed = int(math.floor(budget * n))
    threshold = float(right_p[allowed]) if allowed < len(right_p) else 1.0
    if allowed > 0 and allowed < len(right_p):
        threshold = float((right_p[allowed - 1] + right_p[allowed]) / 2)
    calibration = {
        "answerable_questions": n,
        "simulated_unanswerable": len(neg_rows),
        "no_answer_rate": round(float((p_neg < threshold).mean()), 4),
        "answerable_p_at_1_lost": round(float((right_first & (p_ans < threshold)).sum() / n), 4),
        "budget": budget,
    }
    return NoAnswerModel(w, threshold, calibration, bounds)


def cross_validate(
    engine: Engine,
    questions: Sequence[Question],
    ranker: str,
    folds: int,
    seed: int,
    unanswerable_docs: set[str],
    unanswerable: float,
    index_seconds: float,
    docs: str | None = None,
) -> dict[str, Any]:
    """Return the evaluation report, the learned ranker trained on the other folds' articles for each fold;
    fixed rankings (BASELINES) are measured on the same questions."""
    items = collect(engine, questions, unanswerable_docs, simulate_removal=bool(unanswerable_docs))
    name = ranker if ranker in BASELINES else "learned"
    return report(items, name, folds, seed, index_seconds, docs=docs, unanswerable=unanswerable)


def report(
    items: Sequence[Collected],
    name: str,
    folds: int,
    seed: int,
    index_seconds: float,
    docs: str | None = None,
    unanswerable: float = 0.0,
    features: Sequence[str] = RANKER_FEATURES,
    log: Callable[[str], None] | None = None,
    oof: FoldScores | None = None,
) -> dict[str, Any]:
    """Return the report dict of one ranking over collected questions, cross-validated by article."""
    if name == "learned":
        if oof is None:
            oof, _ = out_of_fold_scores(items, folds, seed, features, log)
        scores = [
            combined_scores(it.fusion, it.short, s) if len(s) else s for it, s in zip(items, oof.scores, strict=True)
        ]
        rank_ms = oof.rank_ms
    else:
        t0 = time.perf_counter()
        scores = [
            baseline_scores(name, it.cos, it.bm25, it.dense_rank, it.bm25_rank) if len(it.correct) else np.zeros(0)
            for it in items
        ]
        each = (time.perf_counter() - t0) * 1000 / max(len(items), 1)
        rank_ms = [each] * len(items)
        oof = FoldScores(scores, [None] * len(items), rank_ms)
    fusion = FusionRanker()
    ranks: list[int | None] = []
    in_cands: list[bool] = []
    qtypes: list[str] = []
    unanswerable_hits = unanswerable_n = lost = 0
    fold_models: dict[int, NoAnswerModel] = {}
    fold_of: dict[str, int] = {}
    if name == "learned" and any(not it.answerable for it in items):
        fold_of = article_folds([it.question for it in items], folds, seed)
        for k in range(folds):  # calibrated on the other folds' out-of-fold scores
            use = [i for i, it in enumerate(items) if fold_of[article_of(it.question.doc_id)] != k]
            fold_models[k] = calibrate_no_answer(items, oof, use=use)
    for i, it in enumerate(items):
        s = scores[i]
        if not len(s):
            relevant = False
        elif name == "learned" and fold_models:
            k = fold_of[article_of(it.question.doc_id)]
            p = fold_models[k].probability(no_answer_row(oof.scores[i], it.X))
            relevant = p >= fold_models[k].threshold
        else:
            relevant = float(it.cos[int(np.argmax(s))]) >= fusion.min_cos
        if not it.answerable:
            unanswerable_n += 1
            unanswerable_hits += not relevant or it.small_talk
            continue
        r = None if it.small_talk or not len(s) else first_correct(ranked_correct(it, s))
        if not relevant:
            lost += r == 0
        qtypes.append(it.qtype)
        ranks.append(r)
        in_cands.append(bool(it.correct.any()))
    total_ms = [it.retrieve_ms + ms for it, ms in zip(items, rank_ms, strict=True)]
    out = assemble_report(
        name, len(items), docs, index_seconds, ranks, in_cands, qtypes, total_ms, extra={"folds": folds}
    )
    out["ranker_ms_median"] = round(statistics.median(rank_ms), 3) if rank_ms else 0.0
    if unanswerable_n:
        out["unanswerable"] = unanswerable_summary(unanswerable, unanswerable_n, unanswerable_hits, lost, ranks)
    return out


