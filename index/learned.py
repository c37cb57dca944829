"""The learned ranker: gradient-boosted trees (LightGBM lambdarank) over the features of `index.features`,
shipped as `index/ranker/model.txt` with `meta.json` beside it, plus the no-answer decision calibrated on its
scores, and everything needed to train and cross-validate it by article.

Nothing is trained at run time: `load_ranker()` reads the shipped files and refuses (RankerError) a file made
for other features or another format; the engine then falls back to score fusion with a warning.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import RankerError
from index.features import FEATURE_INDEX, FEATURE_NAMES, RANKER_FEATURES, CorpusView, candidate_features
from index.ranking import Candidate, FusionRanker, merge_candidates, reciprocal_rank_fusion

if TYPE_CHECKING:
    from index.engine import Engine
    from index.evaluate import EvalOptions, Question

FORMAT_VERSION = 1
RANKER_DIR = Path(__file__).resolve().parent / "ranker"
MODEL_FILE = "model.txt"
META_FILE = "meta.json"
PROVENANCE = "SQuAD v1.1 dev (squad-dev-a), Rajpurkar et al. 2016, CC BY-SA 4.0"

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
# The no-answer decision's evidence: the shape of the learned scores, then the best candidate's own features.
# Left out: features whose scale follows the corpus (article_share is about 1.0 in a one-article corpus and never
# above 0.2 on SQuAD; raw IDF grows with the corpus), which a linear model would extrapolate from, and para_cos:
# news paragraphs are often one sentence, where it equals the sentence's own cosine, and SQuAD's never are (its
# weight was negative: "on topic, wrong sentence"; without it the calibration lost nothing).
NO_ANSWER_TOP_FEATURES: tuple[str, ...] = (
    "cos",
    "prev_cos",
    "next_cos",
    "q_coverage",
    "q_coverage_title",
    "idf_coverage",
    "idf_coverage_window",
    "q_unseen_names",
    "bigram_overlap",
    "longest_common_run",
    "type_match",
    "type_near",
    "qtype_who",
    "qtype_when",
    "qtype_where",
    "qtype_how_many",
    "qtype_what",
)
NO_ANSWER_FEATURES: tuple[str, ...] = (
    "top_score",
    "score_margin",
    "score_spread",
    "max_cos",
    "top5_idf_coverage",
    "top_window_cos",
    *(f"top_{name}" for name in NO_ANSWER_TOP_FEATURES),
)
SHORTLIST = 50  # the trees score the best candidates by fusion; the rest keep their fusion order below them
# The share of answerable SQuAD questions whose right first answer the no-answer threshold may hide. 1 %, not the
# 3 % the issue allows: SQuAD questions copy their paragraph's words, readers' questions paraphrase, and at 2.5 %
# the threshold hid 2 of the 17 right first answers to the Derna seed questions (12 %, five times the budget).
P_AT_1_BUDGET = 0.01


# -- the ranker ----------------------------------------------------------------------------------------------


class LearnedRanker:
    """Scores candidates with the shipped trees; `bind(engine)` gives it the corpus its features read."""

    name = "learned"

    def __init__(self, booster: Any, meta: dict[str, Any], features: Sequence[str] = RANKER_FEATURES) -> None:
        self.booster = booster
        self.meta = meta
        self.columns = [FEATURE_INDEX[f] for f in features]
        na = meta.get("no_answer", {})
        self.no_answer = NoAnswerModel(
            np.asarray(na.get("weights", []), dtype=np.float64),
            float(na.get("threshold", 0.0)),
            {},
            np.asarray([na["bounds"]["low"], na["bounds"]["high"]], dtype=np.float64)
            if na.get("bounds", {}).get("low")
            else None,
        )
        self.no_answer_threshold = self.no_answer.threshold
        self.corpus: CorpusView | None = None
        self.fallback = FusionRanker()

    def bind(self, engine: Engine) -> None:
        """Attach the engine's store, whose vectors and texts the features read."""
        self.corpus = CorpusView(engine.store, engine.encoder.dimension)

    def features(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return the feature matrix of the candidates (all of FEATURE_NAMES)."""
        if self.corpus is None:
            raise RankerError("the learned ranker is not bound to an engine (call ranker.bind(engine))")
        self.corpus.refresh_idf()
        return candidate_features(question, qvec, candidates, self.corpus)

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return one score per candidate: the trees' for the fusion shortlist, lower ones in fusion order for
        the rest; the best candidate's features carry the no-answer probability."""
        if not candidates:
            return np.zeros(0)
        fusion = fusion_scores(
            np.fromiter((c.cos for c in candidates), np.float64, len(candidates)),
            np.fromiter((c.bm25 for c in candidates), np.float64, len(candidates)),
        )
        short = shortlist(fusion)
        X = self.features(question, qvec, [candidates[i] for i in short])
        learned = np.asarray(self.booster.predict(X[:, self.columns], num_threads=1), dtype=np.float64)
        top = int(np.argmax(learned))
        best = candidates[short[top]]
        best.features = {name: float(v) for name, v in zip(FEATURE_NAMES, X[top], strict=True)}
        best.features["score"] = float(learned[top])
        best.features["p_answerable"] = self.no_answer.probability(no_answer_row(learned, X))
        return combined_scores(fusion, short, learned)

    def is_relevant(self, top_score: float, top: Candidate) -> bool:
        """Return whether the calibrated no-answer model finds the best candidate worth showing."""
        p = top.features.get("p_answerable")
        if p is None or not len(self.no_answer.weights):
            return self.fallback.is_relevant(top_score, top)
        return p >= self.no_answer_threshold


def fusion_scores(cos: np.ndarray, bm25: np.ndarray) -> np.ndarray:
    """Return the fusion score (as FusionRanker) of each candidate."""
    top = bm25.max() if len(bm25) and bm25.max() > 0 else 1.0
    return 0.5 * cos + 0.5 * bm25 / top


def shortlist(fusion: np.ndarray, k: int = SHORTLIST) -> np.ndarray:
    """Return the indices of the k best candidates by fusion, best first."""
    return np.argsort(-fusion, kind="stable")[:k]


def combined_scores(fusion: np.ndarray, short: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """Return scores for all candidates: the learned ones for the shortlist, and below its lowest, the rest in
    fusion order."""
    out = (learned.min() if len(learned) else 0.0) - 1.0 - (fusion.max() - fusion)
    out[short] = learned
    return out


def no_answer_row(scores: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Return the question-level evidence the no-answer decision reads (NO_ANSWER_FEATURES)."""
    order = np.argsort(-scores, kind="stable")
    top = order[0]
    second = scores[order[1]] if len(order) > 1 else scores[top] - 1.0
    best5 = order[:5]
    f = FEATURE_INDEX
    return np.concatenate(
        [
            [
                scores[top],
                scores[top] - second,
                scores[top] - scores[best5].mean(),
                X[:, f["cos"]].max(),
                X[best5, f["idf_coverage"]].max(),
                X[top, [f["cos"], f["prev_cos"], f["next_cos"]]].max(),  # the question may name what "it" is
            ],
            X[top, [f[name] for name in NO_ANSWER_TOP_FEATURES]],
        ]
    ).astype(np.float64)


def answerable_probability(row: np.ndarray, weights: np.ndarray) -> float:
    """Return the logistic no-answer model's probability that the question is answered (weights[0]: bias)."""
    if not len(weights):
        return 1.0
    z = float(weights[0] + row @ weights[1:])
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def load_ranker(path: Path | None = None) -> LearnedRanker:
    """Return the ranker saved in the folder `path` (default: the shipped one); raise RankerError when its
    files are missing, unreadable or made for other features or another format."""
    folder = Path(path) if path else RANKER_DIR
    meta_path, model_path = folder / META_FILE, folder / MODEL_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RankerError(
            f"no ranker metadata at {meta_path} ({e.strerror}); train one with: make train-ranker"
        ) from None
    except ValueError as e:
        raise RankerError(f"the ranker metadata {meta_path} is not JSON ({e}); retrain: make train-ranker") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise RankerError(
            f"the ranker at {folder} has format version {meta.get('format_version')!r}, this newsbot "
            f"reads {FORMAT_VERSION}; retrain it with: make train-ranker"
        )
    features = meta.get("features")
    if not isinstance(features, list) or any(f not in FEATURE_INDEX for f in features):
        unknown = [f for f in features or [] if f not in FEATURE_INDEX] if isinstance(features, list) else features
        raise RankerError(
            f"the ranker at {folder} reads features this newsbot does not compute ({unknown}); "
            "retrain it with: make train-ranker"
        )
    if meta.get("no_answer", {}).get("features", list(NO_ANSWER_FEATURES)) != list(NO_ANSWER_FEATURES):
        raise RankerError(
            f"the ranker at {folder} has a no-answer model over other evidence; retrain it with: make train-ranker"
        )
    bounds = meta.get("no_answer", {}).get("bounds", {})
    if any(len(bounds.get(side) or NO_ANSWER_FEATURES) != len(NO_ANSWER_FEATURES) for side in ("low", "high")):
        raise RankerError(
            f"the ranker at {folder} has no-answer bounds that do not fit its evidence; retrain it with: "
            "make train-ranker"
        )
    try:
        import lightgbm as lgb

        booster = lgb.Booster(model_file=str(model_path))
    except ImportError:
        raise RankerError("the learned ranker needs lightgbm: pip install lightgbm") from None
    except Exception as e:  # noqa: BLE001 - lightgbm raises its own error types for unreadable files
        raise RankerError(f"cannot read the ranker model {model_path} ({e}); retrain: make train-ranker") from None
    if booster.feature_name() != [_lgb_name(f) for f in features]:
        raise RankerError(
            f"the ranker model {model_path} does not match its metadata's features; retrain it with: make train-ranker"
        )
    return LearnedRanker(booster, meta, features)


def _lgb_name(feature: str) -> str:
    return feature


# -- collecting candidates for training and evaluation -----------------------------------------------------


@dataclass
class Collected:
    """One question's candidates as the ranker sees them: features, which are right, timing."""

    question: Question
    qtype: str
    X: np.ndarray  # (len(short), len(FEATURE_NAMES)) features of the shortlisted candidates
    correct: np.ndarray  # (k,) bool: the candidate answers the question
    keys: list[str]  # sentence texts, to count copies of one sentence once
    retrieve_ms: float  # encoding the question and gathering its candidates
    features_ms: float
    answerable: bool = True  # False when the question's paragraph is not in the index
    cos: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bm25: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dense_rank: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bm25_rank: np.ndarray = field(default_factory=lambda: np.zeros(0))
    removed: Collected | None = None  # the same question with its paragraph taken out (for calibration)
    short: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # the shortlist (indices)
    candidates: list[Candidate] | None = None  # kept only when asked (to recompute features while developing)
    qvec: np.ndarray | None = None

    @property
    def fusion(self) -> np.ndarray:
        """Return the fusion score of every candidate."""
        return fusion_scores(self.cos, self.bm25)


def collect(
    engine: Engine,
    questions: Sequence[Question],
    unanswerable_docs: set[str] | frozenset[str] = frozenset(),
    simulate_removal: bool = False,
    keep_candidates: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Collected]:
    """Return every question's candidates with their features, retrieving as the engine does; with
    `simulate_removal`, also each answerable question's candidates as if its paragraph were not indexed."""
    from index.evaluate import is_correct
    from index.questions import question_type

    corpus = CorpusView(engine.store, engine.encoder.dimension)
    corpus.refresh_idf()
    texts = [engine.check_question(q.question) for q in questions]
    t0 = time.perf_counter()
    qvecs = engine.encoder.encode(texts, "query") if texts else np.zeros((0, engine.encoder.dimension))
    encode_ms = (time.perf_counter() - t0) * 1000 / max(len(texts), 1)  # batched: the per-question share
    out = []
    for i, (q, text, qvec) in enumerate(zip(questions, texts, qvecs, strict=True)):
        t0 = time.perf_counter()
        cands = engine.candidates(text, qvec)
        t1 = time.perf_counter()
        item = _collected(
            q,
            question_type(q.question),
            cands,
            [is_correct(c, q) for c in cands],
            encode_ms + (t1 - t0) * 1000,
            q.doc_id not in unanswerable_docs,
        )
        featurise(item, text, qvec, cands, corpus)
        if keep_candidates:
            item.candidates, item.qvec = cands, qvec
        if simulate_removal and item.answerable:
            kept = candidates_without(engine, text, qvec, q.doc_id)
            item.removed = _collected(q, item.qtype, kept, [False] * len(kept), 0.0, False)
            with corpus.without(engine.store.article_sentence_texts(q.doc_id)):  # its terms go with it
                featurise(item.removed, text, qvec, kept, corpus)
            if keep_candidates:
                item.removed.candidates, item.removed.qvec = kept, qvec
        out.append(item)
        if progress:
            progress(i + 1, len(questions))
    return out


def featurise(item: Collected, question: str, qvec: np.ndarray, cands: list[Candidate], corpus: CorpusView) -> None:
    """Set the item's shortlist and its features (as LearnedRanker.score computes them), timing the work."""
    t0 = time.perf_counter()
    short = shortlist(fusion_scores(item.cos, item.bm25))
    item.X = candidate_features(question, qvec, [cands[i] for i in short], corpus)
    item.short = short
    item.features_ms = (time.perf_counter() - t0) * 1000


def _collected(
    q: Question,
    qtype: str,
    cands: list[Candidate],
    correct: list[bool],
    retrieve_ms: float,
    answerable: bool,
) -> Collected:
    def ranks(values: list[int | None]) -> np.ndarray:
        return np.array([-1 if v is None else v for v in values], dtype=np.int16)

    return Collected(
        q,
        qtype,
        np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32),
        np.array(correct, dtype=bool),
        [c.sentence.text for c in cands],
        retrieve_ms,
        0.0,
        answerable,
        np.array([c.cos for c in cands]),
        np.array([c.bm25 for c in cands]),
        ranks([c.dense_rank for c in cands]),
        ranks([c.bm25_rank for c in cands]),
    )


def candidates_without(engine: Engine, question: str, qvec: np.ndarray, doc_id: str) -> list[Candidate]:
    """Return the candidates the engine would gather if the article `doc_id` were not indexed."""
    n = engine.settings.candidates
    extra = 60
    dense = engine.vectors.search(qvec, n + extra)
    lexical = engine.store.lexical(question, n + extra)
    stored = engine.store.sentences({sid for sid, _ in dense} | {sid for sid, _ in lexical})
    keep = {sid for sid, s in stored.items() if s.source.doc_id != doc_id}
    dense = [(sid, c) for sid, c in dense if sid in keep][:n]
    lexical = [(sid, b) for sid, b in lexical if sid in keep][:n]
    return merge_candidates(dense, lexical, stored, engine.vectors, qvec, store=engine.store)


# -- training ------------------------------------------------------------------------------------------------


def train_booster(
    items: Sequence[Collected],
    features: Sequence[str] = RANKER_FEATURES,
    rounds: int = NUM_ROUNDS,
    params: dict[str, Any] | None = None,
) -> Any:
    """Return LightGBM trees trained (lambdarank, grouped by question) on the answerable questions that have a
    right candidate."""
    import lightgbm as lgb

    cols = [FEATURE_INDEX[f] for f in features]
    used = [it for it in items if it.answerable and it.correct[it.short].any()]
    X = np.vstack([it.X[:, cols] for it in used])
    y = np.concatenate([it.correct[it.short].astype(np.int32) for it in used])
    groups = [len(it.short) for it in used]
    data = lgb.Dataset(X, y, group=groups, feature_name=[_lgb_name(f) for f in features], free_raw_data=True)
    return lgb.train({**LGB_PARAMS, **(params or {})}, data, num_boost_round=rounds)


def article_of(doc_id: str) -> str:
    """Return the article a SQuAD paragraph id belongs to ("Super_Bowl_50#3" -> "Super_Bowl_50")."""
    return doc_id.split("#", 1)[0]


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


def rank_of_first_correct(item: Collected, scores: np.ndarray) -> int | None:
    """Return the 0-based rank of the first right sentence under these scores, copies counted once."""
    seen: set[str] = set()
    rank = 0
    for j in np.argsort(-scores, kind="stable"):
        key = item.keys[j]
        if key in seen:
            continue
        seen.add(key)
        if item.correct[j]:
            return rank
        rank += 1
    return None


def baseline_scores(name: str, item: Collected) -> np.ndarray:
    """Return a fixed ranking's scores (bm25, dense, rrf, fusion) from a collected question."""
    if name == "bm25":
        return item.bm25 + 1e-9 * item.cos
    if name == "dense":
        return item.cos.copy()
    if name == "rrf":
        cands = [
            Candidate(0, None, 0.0, 0.0, None if d < 0 else int(d), None if b < 0 else int(b))  # type: ignore[arg-type]
            for d, b in zip(item.dense_rank, item.bm25_rank, strict=True)
        ]
        return reciprocal_rank_fusion(cands)
    if name == "fusion":
        return item.fusion
    raise ValueError(f"unknown ranking {name!r}")


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
) -> tuple[FoldScores, dict[str, int]]:
    """Return every question's scores from trees trained on the other folds' articles."""
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


# -- the no-answer decision ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class NoAnswerModel:
    """Logistic weights over NO_ANSWER_FEATURES and the probability below which the answer is 'nothing'; each
    input is first clipped to the range it had in training (`bounds`: low and high rows), so that a corpus
    unlike SQuAD (one short article, say) cannot push the linear model far outside what it learned from."""

    weights: np.ndarray
    threshold: float
    calibration: dict[str, float]
    bounds: np.ndarray | None = None

    def probability(self, row: np.ndarray) -> float:
        """Return the probability that the question is answered, from its NO_ANSWER_FEATURES row."""
        if self.bounds is not None:
            row = np.clip(row, self.bounds[0], self.bounds[1])
        return answerable_probability(row, self.weights)


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


# -- cross-validation (the eval's --folds) -------------------------------------------------------------------


def cross_validate(
    engine: Engine,
    questions: Sequence[Question],
    opts: EvalOptions,
    unanswerable_docs: set[str],
    index_seconds: float,
) -> dict[str, Any]:
    """Return the evaluation report (as `evaluate()`), the learned ranker trained on the other folds' articles
    for each fold; fixed rankings (bm25, dense, rrf, fusion) are measured on the same questions."""
    items = collect(engine, questions, unanswerable_docs, simulate_removal=bool(unanswerable_docs))
    name = opts.ranker if opts.ranker in ("bm25", "dense", "rrf", "fusion") else "learned"
    return report(items, name, opts.folds, opts.seed, index_seconds, docs=None, unanswerable=opts.unanswerable)


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
    from index.evaluate import QTYPES, metrics

    if name == "learned":
        if oof is None:
            oof, _ = out_of_fold_scores(items, folds, seed, features, log)
        scores = [
            combined_scores(it.fusion, it.short, s) if len(s) else s for it, s in zip(items, oof.scores, strict=True)
        ]
        rank_ms = oof.rank_ms
    else:
        t0 = time.perf_counter()
        scores = [baseline_scores(name, it) if len(it.correct) else np.zeros(0) for it in items]
        each = (time.perf_counter() - t0) * 1000 / max(len(items), 1)
        rank_ms = [each] * len(items)
        oof = FoldScores(scores, [None] * len(items), rank_ms)
    fusion = FusionRanker()
    ranks: list[int | None] = []
    in_cands: list[bool] = []
    by_type: dict[str, list[int]] = defaultdict(list)
    unanswerable_hits = unanswerable_n = lost = 0
    fold_models: dict[int, NoAnswerModel] = {}
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
            top = int(np.argmax(s))
            relevant = fusion.is_relevant(0.0, _cos_only(float(it.cos[top])))
        if not it.answerable:
            unanswerable_n += 1
            unanswerable_hits += not relevant
            continue
        r = rank_of_first_correct(it, s) if len(s) else None
        if not relevant:
            lost += r == 0
        by_type[it.qtype].append(len(ranks))
        ranks.append(r)
        in_cands.append(bool(it.correct.any()))
    total_ms = [it.retrieve_ms + ms for it, ms in zip(items, rank_ms, strict=True)]
    out: dict[str, Any] = {
        "ranker": name,
        "questions": len(items),
        "docs": docs,
        "folds": folds,
        "index_seconds": round(index_seconds, 2),
        **{k: round(v, 4) for k, v in metrics(ranks, in_cands).items()},
        "ms_per_question_median": round(statistics.median(total_ms), 2) if total_ms else 0.0,
        "ms_per_question_p95": round(float(np.percentile(total_ms, 95)), 2) if total_ms else 0.0,
        "ranker_ms_median": round(statistics.median(rank_ms), 3) if rank_ms else 0.0,
        "by_type": {},
    }
    for t in QTYPES:
        idx = by_type.get(t, [])
        if idx:
            out["by_type"][t] = {
                k: round(v, 4) for k, v in metrics([ranks[j] for j in idx], [in_cands[j] for j in idx]).items()
            }
    if unanswerable_n:
        out["unanswerable"] = {
            "fraction": unanswerable,
            "questions": unanswerable_n,
            "no_answer_rate": round(unanswerable_hits / unanswerable_n, 4),
            "answerable_p_at_1_lost": round(lost / max(len(ranks), 1), 4),
            "answerable_p_at_1_lost_relative": round(lost / max(sum(r == 0 for r in ranks), 1), 4),
        }
    return out


def _cos_only(cos: float) -> Candidate:
    return Candidate(0, None, cos, 0.0, None, None)  # type: ignore[arg-type]
