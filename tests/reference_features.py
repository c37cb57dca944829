"""The slow reference copies of the ranker's features, one sentence at a time: the answer-type and overlap
features, and the whole feature matrix as `candidate_features` computed it candidate after candidate before it was
vectorised; the oracles that `tests/test_learned.py` checks the ranker's features (`index.ranking.features`)
against."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.questions import question_type
from index.ranking.base import Candidate, fuse
from index.ranking.features import (
    FEATURE_GROUPS,
    FEATURE_INDEX,
    FEATURE_NAMES,
    MISSING_RANK,
    CorpusView,
    _longest_run,
    _novel,
    _type_near,
    sentence_facts,
)
from index.ranking.spans import (
    ANSWER_TYPE_FEATURES,
    NEUTRAL_TYPE_MATCH,
    TYPE_FEATURE,
    Span,
    profile,
    question_terms,
    question_words,
    title_terms,
)
from index.terms import STOPWORDS, name_terms, stem


def _any_novel(spans: list[Span], qwords: frozenset[str]) -> float:
    """Return 1.0 when some span has a word that is neither in the question nor a stopword, else 0.0."""
    for span in spans:
        for word in span:
            if word not in qwords and word not in STOPWORDS and (stem(word) or word) not in qwords:
                return 1.0
    return 0.0


def answer_type_features(qtype: str, sentence: str, question: str) -> dict[str, float]:
    """Return whether the sentence holds the kind of thing the question asks for (number, date, person, place,
    distance, quantity, cause) outside the question's own words, plus `type_match` for `qtype`."""
    prof = profile(sentence)
    qwords = question_words(question)
    features = {
        "has_number": _any_novel(prof.numbers, qwords),
        "has_year_or_date": _any_novel(prof.dates, qwords),
        "has_person_like": _any_novel(prof.names, qwords),
        "has_place_like": _any_novel(prof.places, qwords),
        "has_distance": _any_novel(prof.distances, qwords),
        "has_quantity_unit": _any_novel(prof.quantities, qwords),
        "has_cause": 1.0 if prof.cause else 0.0,
    }
    key = TYPE_FEATURE.get(qtype)
    features["type_match"] = features[key] if key else NEUTRAL_TYPE_MATCH
    caps = prof.caps
    if caps:
        novel = sum(1 for w in caps if w not in qwords and (stem(w) or w) not in qwords)
        features["novel_capitalised"] = novel / len(caps)
    else:
        features["novel_capitalised"] = 0.0
    return features


def _longest_common_run(query: tuple[str, ...], sentence: list[str], shared: frozenset[str]) -> int:
    """Return the length of the longest run of consecutive terms that both sequences contain."""
    best = 0
    for start, term in enumerate(sentence):
        if term not in shared:
            continue
        for q_start, q_term in enumerate(query):
            if q_term != term:
                continue
            length = 1
            while (
                start + length < len(sentence)
                and q_start + length < len(query)
                and sentence[start + length] == query[q_start + length]
            ):
                length += 1
            best = max(best, length)
    return best


def overlap_features(question: str, sentence: str, title: str | None = None) -> dict[str, float]:
    """Return how much of the question's content the sentence (and its article's title) covers: coverage,
    bigram overlap, longest shared run of content terms, and the sentence's length in word tokens."""
    q_terms, q_set, q_bigrams = question_terms(question)
    prof = profile(sentence)
    shared = q_set & prof.term_set
    coverage = len(shared) / len(q_set) if q_set else 0.0
    if title and q_set:
        coverage_title = len(q_set & (prof.term_set | title_terms(title))) / len(q_set)
    else:
        coverage_title = coverage
    bigram = len(q_bigrams & prof.bigrams) / len(q_bigrams) if q_bigrams else 0.0
    return {
        "q_coverage": coverage,
        "q_coverage_title": coverage_title,
        "bigram_overlap": bigram,
        "sent_len": float(prof.n_words),
        "longest_common_run": float(_longest_common_run(q_terms, prof.terms, shared) if shared else 0),
    }


_ROW_FEATURES: tuple[str, ...] = (
    *FEATURE_GROUPS["overlap"],
    "types",
    "novel_capitalised",
    "sent_len",
    "position_in_paragraph",
    "paragraph_sentences",
)
# the answer-type features read from spans of the sentence, in the order of SentenceFacts.spans
_SPAN_FEATURES: tuple[str, ...] = ANSWER_TYPE_FEATURES[:6]  # has_number … has_quantity_unit


def candidate_features_one_at_a_time(
    question: str, qvec: np.ndarray, candidates: Sequence[Candidate], corpus: CorpusView
) -> np.ndarray:
    """Return the features of `index.ranking.features.candidate_features` as it computed them before they were
    vectorised (issue 24): candidate after candidate, in Python; the oracle the fast version must equal bit for bit."""
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
    articles = [c.sentence.article_id for c in candidates]
    best_cos: dict[int, float] = {}
    best_bm: dict[int, float] = {}
    count: dict[int, int] = {}
    for a, cs, b in zip(articles, cos, bm_norm, strict=True):
        best_cos[a] = max(best_cos.get(a, -1.0), cs)
        best_bm[a] = max(best_bm.get(a, 0.0), b)
        count[a] = count.get(a, 0) + 1
    X[:, f["article_best_cos_gap"]] = cos.max() - np.array([best_cos[a] for a in articles])
    X[:, f["article_best_bm25_norm"]] = [best_bm[a] for a in articles]
    X[:, f["article_share"]] = [count[a] / n for a in articles]

    # article: the whole article's BM25 for the question (the store's articles_fts), relative to the best article's
    X[:, f["article_bm25_norm"]] = [c.article_bm25 for c in candidates]
    X[:, f["article_bm25_rank"]] = [MISSING_RANK if c.article_rank is None else c.article_rank for c in candidates]

    # overlap, answer type and shape
    qtype = question_type(question)
    q_terms, q_set, q_bigrams = question_terms(question)
    qwords = question_words(question)
    q_idf = corpus.idfs(q_set)
    idf_total = sum(q_idf.values()) or 1.0
    q_positions: dict[str, list[int]] = {}
    for i, t in enumerate(q_terms):
        q_positions.setdefault(t, []).append(i)
    nq = len(q_set) or 1
    nb = len(q_bigrams) or 1
    type_col = TYPE_FEATURE.get(qtype)
    kind = _SPAN_FEATURES.index(type_col) if type_col in _SPAN_FEATURES else -1
    near: list[float] = []
    cols: list[list] = [[] for _ in _ROW_FEATURES]
    (cov, cov_t, idf_cov, idf_win, idf_miss, bigram, run, types, novel_caps, length, pos, para_n) = cols
    facts_of = sentence_facts
    in_title: dict[str | None, frozenset[str]] = {None: frozenset()}
    for c, ctx in zip(candidates, contexts, strict=True):
        facts = facts_of(c.sentence.text)
        term_set = facts.terms
        shared = q_set & term_set
        cov.append(len(shared) / nq)
        title = c.sentence.source.topic
        title_shared = in_title.get(title)
        if title_shared is None:
            title_shared = in_title[title] = q_set & title_terms(title)  # type: ignore[arg-type]
        cov_t.append(len(shared | title_shared) / nq)
        idf_cov.append(sum(q_idf[t] for t in shared) / idf_total)
        idf_win.append(sum(q_idf[t] for t in q_set & ctx.window_terms) / idf_total)
        idf_miss.append(max((q_idf[t] for t in q_set - term_set), default=0.0))
        bigram.append(len(q_bigrams & facts.bigrams) / nb)
        run.append(_longest_run(q_positions, len(q_terms), q_terms, facts.term_list, shared) if shared else 0)
        types.append([_novel(pairs, qwords) if pairs else 0.0 for pairs in facts.spans])
        near.append(_type_near(facts.placed[kind], facts.term_at, shared, qwords) if kind >= 0 else 0.0)
        novel_caps.append(
            sum(1 for w, st in facts.caps if w not in qwords and st not in qwords) / len(facts.caps)
            if facts.caps
            else 0.0
        )
        length.append(facts.n_words)
        pos.append(ctx.position_in_paragraph)
        para_n.append(ctx.paragraph_sentences)
    for name, values in zip(_ROW_FEATURES, cols, strict=True):
        if name == "types":
            kinds = np.array(values, dtype=np.float32).reshape(n, len(_SPAN_FEATURES))
            for k, feature in enumerate(_SPAN_FEATURES):
                X[:, f[feature]] = kinds[:, k]
            X[:, f["has_cause"]] = [facts_of(c.sentence.text).cause for c in candidates]
        else:
            X[:, f[name]] = values
    if type_col is None:
        X[:, f["type_match"]] = NEUTRAL_TYPE_MATCH
    else:
        X[:, f["type_match"]] = X[:, f[type_col]]
    X[:, f["type_near"]] = near
    X[:, f["q_unseen_names"]] = sum(1 for n in corpus.dfs(name_terms(question)).values() if n == 0)
    X[:, f[f"qtype_{qtype}"]] = 1.0
    return X
