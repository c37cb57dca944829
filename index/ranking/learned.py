"""The learned ranker at answer time: gradient-boosted trees (LightGBM lambdarank) over the features of
`index.ranking.features`, shipped as `index/ranking/shipped/model.txt` with `meta.json` beside it, and the
no-answer decision calibrated on its scores.

Nothing is trained at run time, and lightgbm is not imported: `load_ranker()` reads the trees with
`index.ranking.trees` (numpy alone, LightGBM's own decisions) and refuses (RankerError) a file made for other
features or another format; the engine then falls back to score fusion with a warning. Training and
cross-validation live in `index.evaluation` (the lab), which imports this module, never the other way round.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import RankerError
from index.ranking.base import Candidate, FusionRanker, fuse
from index.ranking.features import FEATURE_INDEX, FEATURE_NAMES, RANKER_FEATURES, CorpusView, candidate_features
from index.ranking.trees import TreeEnsemble

FORMAT_VERSION = 1
RANKER_DIR = Path(__file__).resolve().parent / "shipped"
MODEL_FILE = "model.txt"
META_FILE = "meta.json"

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


# -- the ranker ----------------------------------------------------------------------------------------------


class LearnedRanker:
    """Scores candidates with the shipped trees; `corpus` is the view of the store its features read."""

    name = "learned"

    def __init__(
        self, booster: TreeEnsemble, meta: dict[str, Any], corpus: CorpusView, features: Sequence[str] = RANKER_FEATURES
    ) -> None:
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
        # tuned on news questions (index.evaluation.calibrate), for questions whose names the corpus mentions;
        # SQuAD's own threshold above stays for those that name something it never does
        self.news_threshold = float(na.get("news_threshold", {}).get("value", self.no_answer.threshold))
        self.corpus = corpus
        self.fallback = FusionRanker()

    def features(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return the feature matrix of the candidates (all of FEATURE_NAMES)."""
        return candidate_features(question, qvec, candidates, self.corpus)

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return one score per candidate: the trees' for the fusion shortlist, lower ones in fusion order for
        the rest; the best candidate's features carry the no-answer probability."""
        return self.score_many([(question, qvec, candidates)])[0]

    def score_many(self, asked: Sequence[tuple[str, np.ndarray, list[Candidate]]]) -> list[np.ndarray]:
        """Return `score` of each (question, vector, candidates), the shortlists of all of them scored by the
        trees as one matrix (a tree's decisions are the same for a row alone or among others)."""
        if not asked:  # a window that left no question any candidate
            return []
        shortlists: list[np.ndarray] = []
        fusions: list[np.ndarray] = []
        matrices: list[np.ndarray] = []
        for question, qvec, candidates in asked:
            fusion = fuse(
                np.fromiter((c.cos for c in candidates), np.float64, len(candidates)),
                np.fromiter((c.bm25 for c in candidates), np.float64, len(candidates)),
            )
            short = shortlist(fusion)
            fusions.append(fusion)
            shortlists.append(short)
            matrices.append(self.features(question, qvec, [candidates[i] for i in short]) if len(short) else
                            np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32))
        rows = [len(X) for X in matrices]
        stacked = np.concatenate(matrices) if matrices else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        predicted = self.booster.predict(stacked[:, self.columns]) if len(stacked) else np.zeros(0)
        out = []
        for (_, _, candidates), fusion, short, X, learned in zip(
            asked, fusions, shortlists, matrices, np.split(predicted, np.cumsum(rows)[:-1]), strict=True
        ):
            if not len(candidates):
                out.append(np.zeros(0))
                continue
            top = int(np.argmax(learned))
            best = candidates[short[top]]
            best.features = {name: float(v) for name, v in zip(FEATURE_NAMES, X[top], strict=True)}
            best.features["score"] = float(learned[top])
            best.features["p_answerable"] = self.no_answer.probability(no_answer_row(learned, X))
            out.append(combined_scores(fusion, short, learned))
        return out

    def is_relevant(self, top_score: float, top: Candidate) -> bool:
        """Return whether the calibrated no-answer model finds the best candidate worth showing."""
        p = top.features.get("p_answerable")
        if p is None or not len(self.no_answer.weights):
            return self.fallback.is_relevant(top_score, top)
        unseen = top.features.get("q_unseen_names", 0.0) > 0
        return p >= (self.no_answer_threshold if unseen else self.news_threshold)


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


def load_ranker(corpus: CorpusView, path: Path | None = None) -> LearnedRanker:
    """Return the ranker saved in the folder `path` (default: the shipped one), reading `corpus`; raise
    RankerError when its files are missing, unreadable or made for other features or another format."""
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
    booster = TreeEnsemble.from_file(model_path)
    if booster.feature_names() != list(features):
        raise RankerError(
            f"the ranker model {model_path} does not match its metadata's features; retrain it with: make train-ranker"
        )
    return LearnedRanker(booster, meta, corpus, features)


# -- the no-answer decision ----------------------------------------------------------------------------------


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
