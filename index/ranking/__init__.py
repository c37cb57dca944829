"""Ranking the candidate sentences: `base` (Candidate, the Ranker protocol, the one fusion formula, RRF, the
fixed rankings), `spans` (the sentence profile), `features` (what the learned ranker reads), `learned` (the
learned ranker at answer time) and `shipped/` (its model files). The public names of `base` are re-exported
here, so `from index.ranking import Candidate` works."""

from index.ranking.base import (
    BASELINES,
    BaselineRanker,
    Candidate,
    FusionRanker,
    Ranker,
    baseline_scores,
    cosines,
    fuse,
    mark_articles,
    merge_candidates,
    reciprocal_rank_fusion,
    rrf_scores,
)

__all__ = [
    "BASELINES",
    "BaselineRanker",
    "Candidate",
    "FusionRanker",
    "Ranker",
    "baseline_scores",
    "cosines",
    "fuse",
    "mark_articles",
    "merge_candidates",
    "reciprocal_rank_fusion",
    "rrf_scores",
]
