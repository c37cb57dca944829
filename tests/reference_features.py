"""The slow reference copy of the answer-type and overlap features, one sentence at a time: the oracle that
`tests/test_learned.py` checks the ranker's vectorised features (`index.ranking.features`) against."""

from __future__ import annotations

from index.ranking.spans import (
    NEUTRAL_TYPE_MATCH,
    TYPE_FEATURE,
    Span,
    profile,
    question_terms,
    question_words,
    title_terms,
)
from index.terms import STOPWORDS, stem


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
