"""One story across outlets: which of an answer's candidate sentences say the same thing, in one article or
several, so that the answer shows them as one card ("reported by 4 outlets").

Two sentences of different articles are one report when they are copies (COPY_SIMILARITY of their plain words),
or when they pass both tests of `same_fact`: their content words overlap (STORY_OVERLAP) with numbers and names
that do not contradict each other, and their vectors (the bare sentences, without their articles' titles,
encoded as documents) are close (STORY_COSINE). The thresholds were chosen on hand-labelled pairs
(datasets/story-pairs, `python -m index.evaluation.story_pairs`), precision first: two facts wrongly merged
hide one of them, a missed copy only shows one card too many. Grouping reads only the ranked candidates of one
answer, never the corpus, and encodes only the few sentences that pass the word test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.model import Report
from index.terms import TOKEN, plain_words, terms_for

if TYPE_CHECKING:
    from index.ranking import Candidate

COPY_SIMILARITY = 0.8  # word-set Jaccard above which two sentences count as copies of one another
STORY_OVERLAP = 0.4  # content-term Jaccard at or above which two sentences may report one fact
STORY_COSINE = 0.85  # cosine of the bare sentences' vectors at or above which they may report one fact
STORY_MIN_TERMS = 6  # a sentence with fewer content terms ("Parker spoke to Wikinews.") is too thin to tell

# Number words read as the numbers they are, so that "three people" and "3 people" agree and "three" and "four"
# do not.
_CARDINALS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
_ORDINALS = (
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth",
)
_NUMBER_WORDS: dict[str, str] = (
    {w: str(i) for i, w in enumerate(_CARDINALS)}
    | {w: f"{i}th" for i, w in enumerate(_ORDINALS)}  # "the fourth edition" and "the fifth edition" are two
    | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "million": "1000000",
       "billion": "1000000000", "dozen": "12", "dozens": "dozens", "hundreds": "hundreds",
       "thousands": "thousands", "millions": "millions", "once": "1x", "twice": "2x", "half": "1/2",
       "quarter": "1/4", "last": "last", "final": "last"}
)

Vectors = Callable[[Sequence[str]], np.ndarray]  # bare sentences -> their unit vectors, one row each


@dataclass(frozen=True)
class Wording:
    """What `same_fact` compares of a sentence: its content terms, the numbers it gives and the names it
    capitalises (after its first word)."""

    terms: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]


@lru_cache(maxsize=20_000)  # the same candidates come back question after question
def wording(text: str) -> Wording:
    """Return the sentence's content terms, numbers (digits and number words) and capitalised names."""
    terms: set[str] = set()
    numbers: set[str] = set()
    names: set[str] = set()
    words = [t for t in TOKEN.findall(text) if t[0].isalnum()]
    for i, token in enumerate(words):
        lowered = token.lower()
        if token[0].isdigit():
            numbers.add(lowered.replace(",", "").rstrip(".").removesuffix("s"))
        elif lowered in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[lowered])
        found = terms_for(lowered)
        terms.update(found)
        if i > 0 and token[0].isupper() and not token[0].isdigit():
            names.update(found)
    return Wording(frozenset(terms), frozenset(numbers), frozenset(names))


def _asks(text: str) -> bool:
    """Return whether the sentence is a question (ends with "?", before any closing quote or bracket)."""
    return text.rstrip().rstrip("\"'”’)]").endswith("?")


def _nested(a: frozenset[str], b: frozenset[str]) -> bool:
    """Return whether one set holds the other (one sentence may say more, neither says otherwise)."""
    return a <= b or b <= a


def words_agree(a: str, b: str) -> bool:
    """Return whether two sentences pass the word test: both are statements (a question reports nothing: an
    interviewer asks two people the same one) with enough content terms, their content terms overlap by
    STORY_OVERLAP (Jaccard) or more, and their numbers and their names are compatible (one sentence's are among
    the other's: "killed 12" and "killed 14" never agree, nor do "the fourth edition" and "the fifth")."""
    if _asks(a) or _asks(b):
        return False
    wa, wb = wording(a), wording(b)
    if len(wa.terms) < STORY_MIN_TERMS or len(wb.terms) < STORY_MIN_TERMS:
        return False
    if len(wa.terms & wb.terms) < STORY_OVERLAP * len(wa.terms | wb.terms):
        return False
    return _nested(wa.numbers, wb.numbers) and _nested(wa.names, wb.names)


def same_fact(a: str, b: str, cosine: float) -> bool:
    """Return whether two sentences of different articles report one fact: the word test (`words_agree`) and
    the vectors' cosine (of the bare sentences) at STORY_COSINE or more."""
    return cosine >= STORY_COSINE and words_agree(a, b)


def is_copy(a: str, b: str, similarity: float = COPY_SIMILARITY) -> bool:
    """Return whether two sentences are copies of one another: the same plain words (`terms.plain_words`), or (six
    words or more) of similar length with a word-set Jaccard of `similarity` or more and compatible numbers and
    names ("killed 12" is no copy of "killed 14")."""
    wa, wb = plain_words(a), plain_words(b)
    if wa == wb:
        return True
    if not (
        len(wa) >= 6
        and min(len(wa), len(wb)) >= similarity * max(len(wa), len(wb))
        and len(wa & wb) >= similarity * len(wa | wb)
    ):
        return False
    fa, fb = wording(a), wording(b)
    return _nested(fa.numbers, fb.numbers) and _nested(fa.names, fb.names)


Group = list[tuple["Candidate", float]]


def agreeing_pairs(texts: Sequence[str]) -> list[tuple[int, int]]:
    """Return the pairs (j, i), i < j, of texts that pass the word test (`words_agree(texts[i], texts[j])`),
    ordered by j then i, every pair's overlap counted at once."""
    able = [i for i, t in enumerate(texts) if not _asks(t) and len(wording(t).terms) >= STORY_MIN_TERMS]
    if len(able) < 2:
        return []
    words = [wording(texts[i]) for i in able]
    shared = shared_counts([w.terms for w in words])
    size = np.diag(shared).astype(np.float64)
    overlap = shared >= STORY_OVERLAP * (size[:, None] + size[None, :] - shared)
    out = []
    for y, x in zip(*np.nonzero(np.tril(overlap, -1)), strict=True):  # y > x: row-major is by j, then i
        wa, wb = words[x], words[y]
        if _nested(wa.numbers, wb.numbers) and _nested(wa.names, wb.names):
            out.append((able[y], able[x]))
    return out


def shared_counts(sets: Sequence[frozenset[str]]) -> np.ndarray:
    """Return the (n, n) matrix of how many members each pair of the sets shares (the diagonal: their sizes):
    one matrix product over the incidence of the members that two or more sets hold (a member of one set alone
    adds to its diagonal only), instead of n² set intersections."""
    n = len(sets)
    sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=n)
    ids = _WORD_IDS.of(sets)
    if not n or not sizes.sum():
        return np.diag(sizes)
    members = np.concatenate(ids)
    rows = np.repeat(np.arange(n), sizes)
    _, inverse, counts = np.unique(members, return_inverse=True, return_counts=True)
    shared = counts >= 2
    held = shared[inverse]
    column = np.cumsum(shared) - 1  # a member held by two or more sets -> its column
    incidence = np.zeros((n, max(int(shared.sum()), 1)), dtype=np.float32)
    incidence[rows[held], column[inverse[held]]] = 1.0
    out = np.rint(incidence @ incidence.T).astype(np.int64)  # counts under 2**24: exact in float32
    np.fill_diagonal(out, sizes)
    return out


class _WordIds:
    """Each word a number, and each set of words (the frozensets `plain_words` and `wording` cache) its numbers
    as an array, made once: what `shared_counts` compares without a Python loop over every word of every
    candidate at every answer."""

    LIMIT = 1_000_000  # words numbered before numbering starts afresh (with the sets' arrays)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._words: dict[str, int] = {}
        self._sets: dict[frozenset[str], np.ndarray] = {}

    def of(self, sets: Sequence[frozenset[str]]) -> list[np.ndarray]:
        """Return the numbers of each set's words (one numbering for all of them)."""
        with self._lock:
            if len(self._words) > self.LIMIT or len(self._sets) > self.LIMIT // 10:
                self._words, self._sets = {}, {}
            words, known, out = self._words, self._sets, []
            for members in sets:
                found = known.get(members)
                if found is None:
                    found = known[members] = np.fromiter(
                        (words.setdefault(w, len(words)) for w in members), dtype=np.int64, count=len(members)
                    )
                out.append(found)
            return out


_WORD_IDS = _WordIds()


def copy_pairs(texts: Sequence[str], similarity: float = COPY_SIMILARITY) -> list[set[int]]:
    """Return, for each text, the indices of the texts it is a copy of (`is_copy(texts[a], texts[b])` for each b
    in row a), every pair tested at once."""
    words = [plain_words(t) for t in texts]
    shared = shared_counts(words)
    size = np.diag(shared).astype(np.float64)
    union = size[:, None] + size[None, :] - shared
    same = (shared == size[:, None]) & (size[:, None] == size[None, :])
    close = (
        (size[:, None] >= 6)
        & (np.minimum(size[:, None], size[None, :]) >= similarity * np.maximum(size[:, None], size[None, :]))
        & (shared >= similarity * union)
        & ~same
    )
    out: list[set[int]] = [set() for _ in texts]
    rows, cols = np.nonzero(same)
    for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
        out[a].add(b)
    for a, b in zip(*np.nonzero(close), strict=True):
        fa, fb = wording(texts[a]), wording(texts[b])
        if _nested(fa.numbers, fb.numbers) and _nested(fa.names, fb.names):
            out[a].add(int(b))
    return out


def collapse_copies(
    cands: list[Candidate], scores: np.ndarray, similarity: float = COPY_SIMILARITY, limit: int | None = None
) -> list[Group]:
    """Return the ranked candidates grouped so that copies of one sentence (the same wire copy in several
    articles, give or take a word) form one group, ordered by their best member; two different sentences of one
    article never join (the same text twice does); with `limit`, only the first `limit` groups are formed (later
    candidates may still join them)."""
    texts = [c.sentence.text for c in cands]
    copies = copy_pairs(texts, similarity)
    groups: list[Group] = []
    articles: list[set[int]] = []
    led: dict[int, int] = {}  # candidate index -> the group it leads
    for a, (c, s) in enumerate(zip(cands, scores, strict=True)):
        text, article = texts[a], c.sentence.article_id
        for i in sorted(led[b] for b in copies[a] if b in led):  # the groups whose leader it copies, in order
            if text == groups[i][0][0].sentence.text or article not in articles[i]:
                groups[i].append((c, float(s)))
                articles[i].add(article)
                break
        else:
            if limit is None or len(groups) < limit:
                led[a] = len(groups)
                groups.append([(c, float(s))])
                articles.append({article})
    return groups


def group_stories(cands: list[Candidate], scores: np.ndarray, vectors: Vectors | None,
                  limit: int | None = None) -> list[Group]:
    """Return the ranked candidates grouped by what they report, ordered by their best member (the sentence a
    card shows): copies first (`collapse_copies`), then a later group joins an earlier one when their best
    sentences pass `same_fact` and no article is in both (two sentences of one article are never one report).
    `vectors` encodes the bare sentences that pass the word test, in one call (None: copies only). With `limit`,
    only the first `limit` groups are returned, and only they take in later ones."""
    copies = collapse_copies(cands, scores)
    if vectors is None or len(copies) < 2:
        return copies[:limit] if limit is not None else copies
    leaders = [g[0][0].sentence.text for g in copies]
    articles = [{c.sentence.article_id for c, _ in g} for g in copies]
    # the pairs that pass the word test, cheap set arithmetic over the groups' best sentences; only they need
    # vectors. Only the first `bound` groups kept take in later ones (the others are not shown).
    bound = len(copies) if limit is None else limit
    pairs: dict[int, list[int]] = {}
    for j, i in agreeing_pairs(leaders):
        if articles[i].isdisjoint(articles[j]):
            pairs.setdefault(j, []).append(i)
    if not pairs:
        return copies[:limit] if limit is not None else copies
    needed = sorted({g for j, found in pairs.items() for g in (j, *found)})
    vecs = dict(zip(needed, np.asarray(vectors([leaders[g] for g in needed]), dtype=np.float32), strict=True))
    into: dict[int, int] = {}  # group -> the earlier group it joins (itself kept when absent)
    kept: list[int] = []
    for j in range(len(copies)):
        target = next(
            (
                i for i in pairs.get(j, [])
                if i not in into and kept.index(i) < bound and articles[i].isdisjoint(articles[j])
                and same_fact(leaders[i], leaders[j], float(vecs[i] @ vecs[j]))
            ),
            None,
        )
        if target is None:
            kept.append(j)
        else:
            into[j] = target
            copies[target].extend(copies[j])
            articles[target] |= articles[j]
    groups = [copies[i] for i in kept]
    return groups[:limit] if limit is not None else groups


def in_report_order(members: Sequence[Candidate]) -> list[Report]:
    """Return one Report per article among a group's members (its best-ranked sentence), the earliest dated
    article first (the one that reported it first), then the later ones by date, then the undated ones in rank
    order."""
    seen: set[int] = set()
    reports: list[tuple[float | None, int, Report]] = []
    for rank, c in enumerate(members):
        s = c.sentence
        if s.article_id in seen:
            continue
        seen.add(s.article_id)
        reports.append((s.source.published_ts, rank, Report(s.id, s.text, s.source)))
    reports.sort(key=lambda r: (r[0] is None, r[0] or 0.0, r[1]))
    return [r for _, _, r in reports]
