"""Training data: every question's candidates as the ranker sees them (features, which are right, timing),
gathered through the engine's own answer path (`Engine.answerer.ranked`, which `Engine.answer` calls), and the same
question's candidates as if its paragraph were not indexed (for the no-answer calibration)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.engine import Engine
from index.evaluation.dataset import Question, is_correct
from index.questions import is_chitchat, question_type
from index.ranking import Candidate, FusionRanker, Ranker, fuse, mark_articles, merge_candidates
from index.ranking.choice import default_reader
from index.ranking.features import FEATURE_NAMES, CorpusView, candidate_features
from index.ranking.learned import shortlist


class RecordingRanker:
    """A Ranker that lets the ranker it wraps score, and keeps what the engine asked it to score (the question
    vector and every candidate, speaker candidates included), so the lab sees the answer path's candidates."""

    def __init__(self, inner: Ranker) -> None:
        self.inner = inner
        self.name = inner.name
        self.seen: tuple[np.ndarray, list[Candidate], np.ndarray] | None = None

    def score(self, question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
        """Return the wrapped ranker's scores, keeping the question vector, candidates and scores of the first
        question scored since the last take: the whole question's (a question in parts has its ask scored after,
        `index.questions.quiz_parts`)."""
        scores = np.asarray(self.inner.score(question, qvec, candidates), dtype=np.float64)
        if self.seen is None:
            self.seen = (qvec, list(candidates), scores)
        return scores

    def is_relevant(self, top_score: float, top: Candidate) -> bool:
        """Return the wrapped ranker's decision."""
        return self.inner.is_relevant(top_score, top)

    def take(self) -> tuple[np.ndarray, list[Candidate], np.ndarray] | None:
        """Return what was scored since the last take (None when nothing was), and forget it."""
        seen, self.seen = self.seen, None
        return seen


def with_ranker(engine: Engine, ranker: Ranker) -> Engine:
    """Return an engine over the same store, vectors and encoder that ranks with `ranker`, and rereads with the
    shipped reader as `newsbot ask` does when `ranker` is the learned one (unless the settings turn it off)."""
    return Engine(engine.settings, engine.store, engine.vectors, engine.encoder, ranker,
                  default_reader(engine.settings.reader, ranker))


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
    small_talk: bool = False  # Engine.answer answers small talk with nothing, whatever the candidates

    @property
    def fusion(self) -> np.ndarray:
        """Return the fusion score of every candidate."""
        return fuse(self.cos, self.bm25)


def collect(
    engine: Engine,
    questions: Sequence[Question],
    unanswerable_docs: set[str] | frozenset[str] = frozenset(),
    simulate_removal: bool = False,
    keep_candidates: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Collected]:
    """Return every question's candidates with their features, as `Engine.answerer.ranked` gathers them for an answer;
    with `simulate_removal`, also each answerable question's candidates as if its paragraph were not indexed."""
    corpus = CorpusView(engine.store, engine.encoder.dimension)
    recorder = RecordingRanker(FusionRanker())
    probe = with_ranker(engine, recorder)
    out = []
    for i, q in enumerate(questions):
        text = engine.answerer.check_question(q.question)
        t0 = time.perf_counter()
        probe.answerer.ranked(text)  # the answer path's retrieval: encoding, dense + lexical + speaker candidates
        seen = recorder.take()
        cands: list[Candidate] = []
        if seen is None:  # no candidate at all: the ranker was never asked
            qvec = engine.encoder.encode([text], "query")[0]
        else:
            qvec, cands, _ = seen
        t1 = time.perf_counter()
        item = _collected(
            q,
            question_type(q.question),
            cands,
            [is_correct(c.sentence.source.doc_id, c.sentence.text, q) for c in cands],
            (t1 - t0) * 1000,
            q.doc_id not in unanswerable_docs,
        )
        item.small_talk = is_chitchat(text)
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
    short = shortlist(fuse(item.cos, item.bm25))
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
    """Return the candidates the engine would gather if the article `doc_id` were not indexed (a simulation:
    the retrievers asked for more, that article's sentences dropped)."""
    n = engine.settings.candidates
    extra = 60
    dense = engine.vectors.search(qvec, n + extra)
    lexical = engine.store.lexical(question, n + extra)
    stored = engine.store.sentences({sid for sid, _ in dense} | {sid for sid, _ in lexical})
    keep = {sid for sid, s in stored.items() if s.source.doc_id != doc_id}
    dense = [(sid, c) for sid, c in dense if sid in keep][:n]
    lexical = [(sid, b) for sid, b in lexical if sid in keep][:n]
    cands = merge_candidates(dense, lexical, stored, engine.vectors, qvec, store=engine.store)
    gone = {s.article_id for s in engine.store.article_sentences(doc_id)}
    mark_articles(cands, [(a, b) for a, b in engine.store.lexical_articles(question, n + 1) if a not in gone][:n])
    return cands
