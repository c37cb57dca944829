"""Ranking the candidates that dense and lexical retrieval bring: the candidate record, the Ranker interface,
and plain score fusion (the fallback when no learned ranker is available)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from index.model import StoredSentence
from index.store import Store
from index.vectors import VectorIndex


@dataclass
class Candidate:
    """A sentence that dense or lexical retrieval proposed, with the evidence gathered so far."""

    id: int
    sentence: StoredSentence
    cos: float  # cosine between the question and the sentence as embedded (with its title)
    bm25: float  # FTS5 BM25 score, higher is better; 0 when lexical search did not find it
    dense_rank: int | None  # 0-based rank in the dense list, None when not in it
    bm25_rank: int | None  # 0-based rank in the lexical list, None when not in it
    features: dict[str, float] = field(default_factory=dict)
    article_bm25: float = 0.0  # its whole article's BM25 for the question over the best article's (0..1); 0: not found
    article_rank: int | None = None  # 0-based rank of its article among the articles that match; None: not among them


def mark_articles(candidates: list[Candidate], articles: list[tuple[int, float]]) -> None:
    """Give each candidate its article's BM25 score and rank, as relative evidence: scores are divided by the best
    article's, so they mean the same in a corpus of ten articles and of ten thousand."""
    if not articles:
        return
    top = articles[0][1] if articles[0][1] > 0 else 1.0
    found = {aid: (rank, score / top) for rank, (aid, score) in enumerate(articles)}
    for c in candidates:
        hit = found.get(c.sentence.article_id)
        if hit is not None:
            c.article_rank, c.article_bm25 = hit


def merge_candidates(
    dense: list[tuple[int, float]],
    lexical: list[tuple[int, float]],
    stored: dict[int, StoredSentence],
    vectors: VectorIndex,
    qvec: np.ndarray,
    store: Store | None = None,
) -> list[Candidate]:
    """Return one Candidate per sentence found by either retriever (dense first, in order), with the cosine
    filled in for those only lexical search found; sentences missing from `stored` are left out, and so are
    those whose vector neither the index nor (given) the store holds."""
    info: dict[int, list] = {}
    for rank, (sid, cos) in enumerate(dense):
        info[sid] = [cos, 0.0, rank, None]
    for rank, (sid, bm) in enumerate(lexical):
        entry = info.setdefault(sid, [None, 0.0, None, None])
        entry[1], entry[3] = bm, rank
    unscored = [sid for sid, e in info.items() if e[0] is None and sid in stored]
    if unscored:
        for sid, cos in cosines(unscored, vectors, qvec, store).items():
            info[sid][0] = cos
    return [
        Candidate(sid, stored[sid], e[0], e[1], e[2], e[3])
        for sid, e in info.items()
        if sid in stored and e[0] is not None
    ]


def cosines(ids: list[int], vectors: VectorIndex, qvec: np.ndarray, store: Store | None = None) -> dict[int, float]:
    """Return the cosine between the question and each sentence, from the vector index, else (for sentences
    written since the index was loaded) from the store's vectors; sentences neither holds are left out."""
    found, vecs, missing = vectors.lookup(ids)
    out = {sid: float(c) for sid, c in zip(found, vecs @ qvec, strict=True)}
    if missing and store is not None:
        for sid, vec in store.vectors(missing, vectors.dimension).items():
            if vec.shape == (vectors.dimension,):
                out[sid] = float(vec @ qvec)
    return out


class Ranker(Protocol):
    """Scores candidates for a question; higher is better."""

    name: str

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return one score per candidate."""
        ...

    def is_relevant(self, top_score: float, top: Candidate) -> bool:
        """Return whether the best candidate is worth showing at all."""
        ...


class FusionRanker:
    """A weighted sum of the cosine and the query-normalised BM25 score (as in txtai's hybrid search)."""

    name = "fusion"

    def __init__(self, dense_weight: float = 0.5, min_cos: float = 0.25) -> None:
        self.dense_weight = dense_weight
        self.min_cos = min_cos

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return w·cos + (1−w)·bm25/max(bm25) for each candidate."""
        cos = np.array([c.cos for c in candidates], dtype=np.float64)
        bm = np.array([c.bm25 for c in candidates], dtype=np.float64)
        return fuse(cos, bm, self.dense_weight)

    def is_relevant(self, top_score: float, top: Candidate) -> bool:
        """Return whether the best candidate is close enough to the question in meaning."""
        return top.cos >= self.min_cos


def reciprocal_rank_fusion(candidates: list[Candidate], k: int = 60) -> np.ndarray:
    """Return the RRF score of each candidate over the dense and lexical lists."""
    dense = np.array([-1 if c.dense_rank is None else c.dense_rank for c in candidates], dtype=np.float64)
    lexical = np.array([-1 if c.bm25_rank is None else c.bm25_rank for c in candidates], dtype=np.float64)
    return rrf_scores(dense, lexical, k)


def fuse(cos: np.ndarray, bm25: np.ndarray, dense_weight: float = 0.5) -> np.ndarray:
    """Return the fusion score of each candidate: w·cos + (1−w)·bm25/max(bm25) (the one fusion formula)."""
    top = bm25.max() if len(bm25) and bm25.max() > 0 else 1.0
    return dense_weight * cos + (1 - dense_weight) * (bm25 / top)


def rrf_scores(dense_rank: np.ndarray, bm25_rank: np.ndarray, k: int = 60) -> np.ndarray:
    """Return the reciprocal-rank-fusion score from 0-based ranks in the two lists (-1: not in that list)."""
    dense = np.where(dense_rank >= 0, 1.0 / (k + dense_rank + 1), 0.0)
    lexical = np.where(bm25_rank >= 0, 1.0 / (k + bm25_rank + 1), 0.0)
    return dense + lexical


BASELINES: tuple[str, ...] = ("bm25", "dense", "rrf", "fusion")  # the fixed rankings `eval --ranker` measures


def baseline_scores(
    name: str, cos: np.ndarray, bm25: np.ndarray, dense_rank: np.ndarray, bm25_rank: np.ndarray
) -> np.ndarray:
    """Return a fixed ranking's scores (one of BASELINES) from the candidates' evidence (ranks: -1 when absent)."""
    if name == "fusion":
        return fuse(cos, bm25)
    if name == "rrf":
        return rrf_scores(dense_rank, bm25_rank)
    if name == "bm25":
        return bm25 + 1e-9 * cos
    if name == "dense":
        return cos.astype(np.float64, copy=True)
    raise ValueError(f"unknown ranking {name!r}")


class BaselineRanker(FusionRanker):
    """One of the fixed rankings (BASELINES), with fusion's relevance test: for measuring, not for answering."""

    def __init__(self, name: str) -> None:
        super().__init__()
        if name not in BASELINES:
            raise ValueError(f"unknown ranking {name!r}")
        self.name = name

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return the fixed ranking's score of each candidate."""
        def ranks(values: list[int | None]) -> np.ndarray:
            return np.array([-1 if v is None else v for v in values], dtype=np.float64)

        return baseline_scores(
            self.name,
            np.array([c.cos for c in candidates], dtype=np.float64),
            np.array([c.bm25 for c in candidates], dtype=np.float64),
            ranks([c.dense_rank for c in candidates]),
            ranks([c.bm25_rank for c in candidates]),
        )
