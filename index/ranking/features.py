"""What the learned ranker reads about each candidate: a fixed, named list of features in groups (for the
ablation), computed for all of a question's candidates at once.

Groups (`FEATURE_GROUPS`):

    retrieval    the dense cosine and the query-normalised BM25 score, their ranks, and their gaps to the best
                 candidate (raw BM25 is left out: its scale follows the corpus, so it would not carry from the
                 training corpus to a small news corpus)
    context      the question's cosine with the sentence's paragraph and neighbours, and how strongly its
                 article is represented among the candidates (computed, but not read by the trees:
                 `UNRANKED_GROUPS`)
    article      how well the sentence's whole article (title and text) matches the question by BM25, relative to
                 the best-matching article, and that article's rank: which story the question is about
    overlap      the share of the question's content terms the sentence (and title, and neighbours) covers,
                 plain and IDF-weighted; shared bigrams and runs
    answer_type  whether the sentence holds what the question asks for (number, date, person, place,
                 distance, cause) outside the question's own words, how close such a span sits to the
                 question's words ("fighters totaling 800"), and the question's type
    shape        the sentence's length and where it sits in its paragraph

`FEATURE_NAMES` adds `QUESTION_EVIDENCE`, facts about the question for the no-answer decision: how many of its
names (capitalised words) the corpus never mentions.

Question-independent facts about a sentence (its paragraph and neighbour vectors, its terms) are cached by
sentence id in a `CorpusView`, so a question costs one pass over its candidates.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from index.questions import QUESTION_TYPES, question_type
from index.ranking.base import Candidate, fuse
from index.ranking.spans import (
    ANSWER_TYPE_FEATURES,
    NEUTRAL_TYPE_MATCH,
    TYPE_FEATURE,
    Profile,
    question_terms,
    question_words,
    title_terms,
)
from index.store import Store
from index.terms import STOPWORDS, SentenceCounts, content_terms, name_terms, stem

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "retrieval": (
        "cos",
        "cos_gap",
        "cos_z",
        "bm25_norm",
        "dense_rank",
        "bm25_rank",
        "in_both",
        "fusion_gap",
    ),
    "context": (
        "para_cos",
        "para_cos_gap",
        "prev_cos",
        "next_cos",
        "article_best_cos_gap",
        "article_best_bm25_norm",
        "article_share",
    ),
    "article": (
        "article_bm25_norm",
        "article_bm25_rank",
    ),
    "overlap": (
        "q_coverage",
        "q_coverage_title",
        "idf_coverage",
        "idf_coverage_window",
        "idf_missing_max",
        "bigram_overlap",
        "longest_common_run",
    ),
    "answer_type": (
        *ANSWER_TYPE_FEATURES,
        "type_near",
        *(f"qtype_{t}" for t in QUESTION_TYPES),
    ),
    "shape": (
        "sent_len",
        "position_in_paragraph",
        "paragraph_sentences",
    ),
}
# Groups computed for every candidate that the trees do not read. context: the trees learned SQuAD's paragraphs
# from it (a question is asked of one long paragraph, its neighbours say which), which news does not share; left
# out, news P@1 rose from 0.241 to 0.276 and SQuAD's cross-validated P@1 moved 0.760 -> 0.759 (bench/RESULTS.md,
# "Ablation on both"). The no-answer decision still reads prev_cos and next_cos.
UNRANKED_GROUPS: tuple[str, ...] = ("context",)
# what the trees rank on
RANKER_FEATURES: tuple[str, ...] = tuple(
    name for group, names in FEATURE_GROUPS.items() if group not in UNRANKED_GROUPS for name in names
)
# facts about the question rather than the candidate (the same on every row): the no-answer decision reads them,
# the trees do not (measured: q_unseen_names as a ranking feature cost 0.002 of R@5 and bought nothing)
QUESTION_EVIDENCE: tuple[str, ...] = ("q_unseen_names",)
# what is computed: every group, in order, then the question's evidence
FEATURE_NAMES: tuple[str, ...] = tuple(name for names in FEATURE_GROUPS.values() for name in names) + QUESTION_EVIDENCE
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}

MISSING_RANK = 100.0  # the rank given to a candidate absent from one retriever's list
_CACHE_LIMIT = 200_000  # sentences whose context is cached before the cache starts afresh


@dataclass(frozen=True)
class SentenceContext:
    """The question-independent facts about one stored sentence that the features read."""

    # the unit mean of its paragraph's vectors, the previous and the next sentence's vector in the paragraph (a
    # shared zero vector when there is none): rows of arrays shared by the paragraph, so that a cached sentence
    # costs about one vector, not three
    mean: np.ndarray
    prev: np.ndarray
    next: np.ndarray
    paragraph: tuple[str, ...]  # its paragraph's sentences (one tuple the paragraph's sentences share)
    position_in_paragraph: int
    paragraph_sentences: int

    @cached_property
    def window_terms(self) -> frozenset[str]:
        """Return the content terms of the sentence and its neighbours in the paragraph (each sentence's terms
        made once, when a question first reads them, not for every sentence of every article read), kept."""
        i, texts = self.position_in_paragraph, self.paragraph
        return frozenset().union(*(sentence_terms(t) for t in texts[max(0, i - 1) : i + 2]))


class CorpusView:
    """The corpus as the features see it: sentence contexts (from the store's vectors), cached, and term IDF, read
    from the store's term counts for the question's terms only (so indexing meanwhile, in this process or
    another, is seen at the next question)."""

    def __init__(self, store: Store, dimension: int) -> None:
        self.store = store
        self.dimension = dimension
        self._contexts: dict[int, SentenceContext] = {}
        self._lock = threading.Lock()
        self._zeros = np.zeros(dimension, dtype=np.float32)
        # sentences to count as not stored (see `without`): their terms' counts and how many they are
        self._minus: Counter[str] = Counter()
        self._minus_docs = 0

    # -- IDF ---------------------------------------------------------------------------------------------

    def dfs(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many stored sentences hold each of these terms (0 for none), in the order given."""
        terms = list(dict.fromkeys(terms))
        found = self.store.term_counts(terms)
        with self._lock:
            minus = self._minus
            return {t: found.get(t, 0) - minus[t] for t in terms}

    def sentences(self) -> int:
        """Return how many sentences are stored (less those counted as not stored)."""
        total = self.store.sentence_count()
        with self._lock:
            return total - self._minus_docs

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """Return each term's smoothed inverse document frequency over the stored sentences."""
        return self.idfs_and_dfs(terms, ())[0]

    def idfs_and_dfs(self, terms: Iterable[str], counted: Iterable[str]) -> tuple[dict[str, float], dict[str, int]]:
        """Return `idfs(terms)` and `dfs(counted)`, the counts of both read from the store at once."""
        terms, counted = list(dict.fromkeys(terms)), list(dict.fromkeys(counted))
        df = self.dfs([*terms, *counted])
        docs = self.sentences()
        return {t: math.log((docs + 1) / (df[t] + 0.5)) for t in terms}, {t: df[t] for t in counted}

    def idf(self, term: str) -> float:
        """Return the term's smoothed inverse document frequency over the stored sentences."""
        return self.idfs([term])[term]

    def df(self, term: str) -> int:
        """Return how many stored sentences hold the term."""
        return self.dfs([term])[term]

    @contextmanager
    def without(self, texts: Sequence[str]) -> Iterator[None]:
        """Count terms as if these sentences were not stored (training simulates a removed paragraph)."""
        counts = SentenceCounts().add(texts)
        with self._lock:
            self._minus.update(counts.terms)
            self._minus_docs += counts.sentences
        try:
            yield
        finally:
            with self._lock:
                self._minus.subtract(counts.terms)
                self._minus_docs -= counts.sentences

    # -- sentence contexts -------------------------------------------------------------------------------

    def contexts(self, candidates: Sequence[Candidate]) -> list[SentenceContext]:
        """Return the context of each candidate's sentence, reading uncached articles from the store."""
        cache = self._contexts
        missing = {c.sentence.article_id for c in candidates if c.id not in cache}
        if missing:
            if len(cache) > _CACHE_LIMIT:
                cache.clear()
            for rows in self.store.article_rows(sorted(missing)).values():
                self._add_article(rows)
        zero = self._zeros
        out = []
        for c in candidates:
            ctx = cache.get(c.id)
            if ctx is None:  # the sentence vanished between retrieval and ranking
                ctx = SentenceContext(zero, zero, zero, (), 0, 1)
            out.append(ctx)
        return out

    def _add_article(self, rows: list[tuple[int, int, int, str, bytes | None]]) -> None:
        """Cache the contexts of one article's sentences: rows of (id, position, paragraph, text, vector)."""
        dim = self.dimension
        by_paragraph: dict[int, list[tuple[int, str, np.ndarray]]] = {}
        for sid, _pos, para, text, blob in rows:
            vec = np.frombuffer(blob, dtype=np.float32) if blob else self._zeros
            if vec.shape[0] != dim:
                vec = self._zeros
            by_paragraph.setdefault(para, []).append((sid, text, vec))
        for members in by_paragraph.values():
            mat = np.vstack([m[2] for m in members])
            mean = mat.mean(axis=0)
            norm = float(np.linalg.norm(mean))
            mean = (mean / norm if norm else mean).astype(np.float32)
            texts = tuple(m[1] for m in members)
            n = len(members)
            for i, (sid, _text, _vec) in enumerate(members):
                self._contexts[sid] = SentenceContext(
                    mean=mean,
                    prev=mat[i - 1] if i > 0 else self._zeros,
                    next=mat[i + 1] if i + 1 < n else self._zeros,
                    paragraph=texts,
                    position_in_paragraph=i,
                    paragraph_sentences=n,
                )


def candidate_features(
    question: str, qvec: np.ndarray, candidates: Sequence[Candidate], corpus: CorpusView
) -> np.ndarray:
    """Return a (len(candidates), len(FEATURE_NAMES)) float32 matrix, one row per candidate."""
    n = len(candidates)
    X = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    if n == 0:
        return X
    f = FEATURE_INDEX

    # retrieval
    cos = np.fromiter((c.cos for c in candidates), dtype=np.float64, count=n)
    bm = np.fromiter((c.bm25 for c in candidates), dtype=np.float64, count=n)
    d_rank = np.fromiter(
        (MISSING_RANK if c.dense_rank is None else c.dense_rank for c in candidates),
        dtype=np.float64,
        count=n,
    )
    b_rank = np.fromiter(
        (MISSING_RANK if c.bm25_rank is None else c.bm25_rank for c in candidates), dtype=np.float64, count=n
    )
    bm_top = bm.max() if bm.max() > 0 else 1.0
    bm_norm = bm / bm_top
    fusion = fuse(cos, bm)
    sd = cos.std()
    X[:, f["cos"]] = cos
    X[:, f["cos_gap"]] = cos.max() - cos
    X[:, f["cos_z"]] = (cos - cos.mean()) / sd if sd > 0 else 0.0
    X[:, f["bm25_norm"]] = bm_norm
    X[:, f["dense_rank"]] = d_rank
    X[:, f["bm25_rank"]] = b_rank
    X[:, f["in_both"]] = (d_rank < MISSING_RANK) & (b_rank < MISSING_RANK)
    X[:, f["fusion_gap"]] = fusion.max() - fusion

    # context
    contexts = corpus.contexts(candidates)
    q = np.asarray(qvec, dtype=np.float32)
    para_cos = np.stack([c.mean for c in contexts]) @ q
    X[:, f["para_cos"]] = para_cos
    X[:, f["para_cos_gap"]] = para_cos.max() - para_cos
    X[:, f["prev_cos"]] = np.stack([c.prev for c in contexts]) @ q
    X[:, f["next_cos"]] = np.stack([c.next for c in contexts]) @ q
    articles = np.fromiter((c.sentence.article_id for c in candidates), dtype=np.int64, count=n)
    _, article, per_article = np.unique(articles, return_inverse=True, return_counts=True)
    best_cos = np.full(len(per_article), -1.0)
    best_bm = np.zeros(len(per_article))
    np.maximum.at(best_cos, article, cos)
    np.maximum.at(best_bm, article, bm_norm)
    X[:, f["article_best_cos_gap"]] = cos.max() - best_cos[article]
    X[:, f["article_best_bm25_norm"]] = best_bm[article]
    X[:, f["article_share"]] = per_article[article] / n

    # article: the whole article's BM25 for the question (the store's articles_fts), relative to the best article's
    X[:, f["article_bm25_norm"]] = [c.article_bm25 for c in candidates]
    X[:, f["article_bm25_rank"]] = [MISSING_RANK if c.article_rank is None else c.article_rank for c in candidates]

    # overlap, answer type and shape: a column at a time over the candidates' cached facts (each sum of IDFs
    # taken over the same set in the same order as one candidate at a time: the same float, bit for bit)
    qtype = question_type(question)
    q_terms, q_set, q_bigrams = question_terms(question)
    qwords = question_words(question)
    q_idf, name_counts = corpus.idfs_and_dfs(q_set, name_terms(question))
    idf_total = sum(q_idf.values()) or 1.0
    q_positions: dict[str, list[int]] = {}
    for i, t in enumerate(q_terms):
        q_positions.setdefault(t, []).append(i)
    nq = len(q_set) or 1
    nb = len(q_bigrams) or 1
    facts = [sentence_facts(c.sentence.text) for c in candidates]
    shared = [q_set & fa.terms for fa in facts]
    titles = {title: q_set & title_terms(title) if title else frozenset() for title in
              {c.sentence.source.topic for c in candidates}}
    X[:, f["q_coverage"]] = [len(s) / nq for s in shared]
    X[:, f["q_coverage_title"]] = [
        len(s | titles[c.sentence.source.topic]) / nq for s, c in zip(shared, candidates, strict=True)
    ]
    X[:, f["idf_coverage"]] = [sum(q_idf[t] for t in s) / idf_total for s in shared]
    X[:, f["idf_coverage_window"]] = [sum(q_idf[t] for t in q_set & ctx.window_terms) / idf_total for ctx in contexts]
    X[:, f["idf_missing_max"]] = [max((q_idf[t] for t in q_set - fa.terms), default=0.0) for fa in facts]
    X[:, f["bigram_overlap"]] = [len(q_bigrams & fa.bigrams) / nb for fa in facts]
    X[:, f["longest_common_run"]] = [
        _longest_run(q_positions, len(q_terms), q_terms, fa.term_list, s) if s else 0
        for fa, s in zip(facts, shared, strict=True)
    ]
    for k, feature in enumerate(_SPAN_FEATURES):
        X[:, f[feature]] = [_novel(pairs, qwords) if (pairs := fa.spans[k]) else 0.0 for fa in facts]
    X[:, f["has_cause"]] = [fa.cause for fa in facts]
    X[:, f["novel_capitalised"]] = [
        sum(1 for w, st in fa.caps if w not in qwords and st not in qwords) / len(fa.caps) if fa.caps else 0.0
        for fa in facts
    ]
    X[:, f["sent_len"]] = [fa.n_words for fa in facts]
    X[:, f["position_in_paragraph"]] = [ctx.position_in_paragraph for ctx in contexts]
    X[:, f["paragraph_sentences"]] = [ctx.paragraph_sentences for ctx in contexts]
    type_col = TYPE_FEATURE.get(qtype)
    if type_col is None:
        X[:, f["type_match"]] = NEUTRAL_TYPE_MATCH
    else:
        X[:, f["type_match"]] = X[:, f[type_col]]
    if type_col in _SPAN_FEATURES:
        kind = _SPAN_FEATURES.index(type_col)
        X[:, f["type_near"]] = [
            _type_near(fa.placed[kind], fa.term_at, s, qwords) for fa, s in zip(facts, shared, strict=True)
        ]
    X[:, f["q_unseen_names"]] = sum(1 for count in name_counts.values() if count == 0)
    X[:, f[f"qtype_{qtype}"]] = 1.0
    return X


# the answer-type features read from spans of the sentence, in the order of SentenceFacts.spans
_SPAN_FEATURES: tuple[str, ...] = ANSWER_TYPE_FEATURES[:6]  # has_number … has_quantity_unit


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    """The question-independent facts about a sentence's words, as `index.questions` profiles them, laid out
    for fast per-question checks: (word, stem) pairs of each kind of answer span."""

    terms: frozenset[str]
    term_list: list[str]
    bigrams: frozenset[tuple[str, str]]
    n_words: int
    spans: tuple[tuple[tuple[str, str], ...], ...]  # numbers, dates, names, places, distances, quantities
    # the same kinds span by span: each span's (word, stem) pairs and the token positions it may start at
    placed: tuple[tuple[tuple[tuple[tuple[str, str], ...], tuple[int, ...]], ...], ...]
    term_at: dict[str, list[int]]
    caps: tuple[tuple[str, str], ...]
    cause: float


_facts_cache: dict[str, SentenceFacts] = {}


@lru_cache(maxsize=50_000)
def sentence_terms(text: str) -> frozenset[str]:
    """Return the sentence's content terms (`terms.content_terms`) as a set, cached by its text."""
    return frozenset(content_terms(text))


def sentence_facts(text: str) -> SentenceFacts:
    """Return the facts of a sentence, cached by its text."""
    facts = _facts_cache.get(text)
    if facts is None:
        p = Profile(text)  # not spans.profile's cache: what the features read of it is kept here

        def placed(spans: list[tuple[str, ...]]) -> tuple[tuple[tuple[tuple[str, str], ...], tuple[int, ...]], ...]:
            return tuple(
                (tuple((w, stem(w) or w) for w in span if w not in STOPWORDS), tuple(p.word_at.get(span[0], ())))
                for span in spans
                if span
            )

        by_kind = tuple(placed(k) for k in (p.numbers, p.dates, p.names, p.places, p.distances, p.quantities))

        facts = SentenceFacts(
            terms=p.term_set,
            term_list=list(p.terms),
            bigrams=p.bigrams,
            n_words=p.n_words,
            spans=tuple(tuple(pair for words, _ in kind for pair in words) for kind in by_kind),
            placed=by_kind,
            term_at=p.term_at,
            caps=tuple((w, stem(w) or w) for w in p.caps),
            cause=1.0 if p.cause else 0.0,
        )
        if len(_facts_cache) > _CACHE_LIMIT:
            _facts_cache.clear()
        _facts_cache[text] = facts
    return facts


def _novel(pairs: tuple[tuple[str, str], ...], qwords: frozenset[str]) -> float:
    """Return 1.0 when some span word is neither in the question (as itself or its stem), else 0.0."""
    for word, word_stem in pairs:
        if word not in qwords and word_stem not in qwords:
            return 1.0
    return 0.0


def _type_near(
    placed: tuple[tuple[tuple[tuple[str, str], ...], tuple[int, ...]], ...],
    term_at: dict[str, list[int]],
    shared: frozenset[str],
    qwords: frozenset[str],
) -> float:
    """Return 1 / (1 + d), d the fewest tokens between a span of the wanted kind that says something new (a
    word outside the question) and a question term in the sentence ("fighters totaling 800"); 0.0 if none."""
    if not placed or not shared:
        return 0.0
    anchors: list[int] = []
    best = -1
    for words, starts in placed:
        if not starts or not any(w not in qwords and st not in qwords for w, st in words):
            continue
        if not anchors:  # only sentences with a span of the wanted kind pay for this
            anchors = [pos for term in shared for pos in term_at.get(term, ())]
        for start in starts:
            d = min(abs(start - a) for a in anchors)
            if best < 0 or d < best:
                best = d
    return 0.0 if best < 0 else 1.0 / (1.0 + best)


def _longest_run(
    q_positions: dict[str, list[int]],
    nq: int,
    query: tuple[str, ...],
    sentence: list[str],
    shared: frozenset[str],
) -> int:
    """Return the length of the longest run of consecutive terms the question and the sentence share."""
    best = 0
    ns = len(sentence)
    for start, term in enumerate(sentence):
        if term not in shared:
            continue
        for q_start in q_positions[term]:
            length = 1
            while start + length < ns and q_start + length < nq and sentence[start + length] == query[q_start + length]:
                length += 1
            if length > best:
                best = length
    return best
