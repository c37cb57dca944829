"""What a "word" is, defined once: tokens, stopwords, the light stemmer and content terms.

Every part of newsbot that cuts text into words imports them from here: question typing, the sentence profile
and the ranker's features, the lexical (FTS5) query, the collapsing of copies, and the bolding of matched words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of a word list written as one string."""
    return frozenset(text.split())


# --- stopwords -----------------------------------------------------------------------------------------------

STOPWORDS: frozenset[str] = word_set(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each either else ever few for from further had hadn't has hasn't have haven't having he her
    here hers herself him himself his i if in into is isn't it its itself just let me might more most much
    must mustn't my myself
    neither no nor not now of off on once only or other our ours ourselves out over own per same shall she
    should shouldn't so some such than that the their theirs them themselves then there these they this those
    through to too under until up upon us very via was wasn't we were weren't while will with won't would
    wouldn't yet you your yours yourself yourselves
    what which who whom whose when where why how whatever whichever whoever whenever wherever
    s t d ll m re ve
    """
)


# How words are made into terms: the store keeps its sentences' term counts (Store._fill_counts) and counts them
# again when this changes. 2: a typographic apostrophe reads as a typed one.
TERMS_VERSION = "2"

# --- tokens and content terms -------------------------------------------------------------------------------

# Words (with inner apostrophes, hyphens, dots, commas and colons: "Levi's", "3,837", "10:30", "al-Baghdadi")
# and single punctuation marks, so that two words are adjacent exactly when they are neighbours in the list.
TOKEN = re.compile(r"\w+(?:['’.,:/-]\w+)*|[^\w\s]")
_NO_STEM: frozenset[str] = word_set(
    "news series species always perhaps hundred kindred thus this gas bias yes bus ties dies lies uses"
)
_stem_cache: dict[str, str] = {}
_terms_cache: dict[str, tuple[str, ...]] = {}
_STEM_CACHE_LIMIT = 200_000


def _light_stem(word: str) -> str:
    """Return the lowercased word without a plural, possessive, -ed or -ing ending (conservatively)."""
    if word.endswith("'s"):
        word = word[:-2]
    elif word.endswith("'"):
        word = word[:-1]
    if word in _NO_STEM or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        return word[:-1]
    if word.endswith("ing") and len(word) >= 7:
        return _undouble(word[:-3])
    if word.endswith("ed") and not word.endswith("eed") and len(word) >= 6:
        return _undouble(word[:-2])
    return word


def _undouble(stem: str) -> str:
    """Return the stem with a doubled final consonant reduced ("stopp" -> "stop"), keeping ll/ss/zz."""
    if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouylsz":
        return stem[:-1]
    return stem


def stem(lowered: str) -> str:
    """Return the light stem of a lowercased word, memoised ("" for a stopword); a typographic apostrophe is
    the typed one ("d’souza" and "d'souza" are one term: articles print the first, readers type the second)."""
    term = _stem_cache.get(lowered)
    if term is None:
        word = lowered.replace("’", "'")
        if not word:  # a span's word can be empty once invisible characters are gone (test_properties found it)
            term = ""
        elif word[0].isdigit():
            term = word.replace(",", "")
        elif word in STOPWORDS:
            term = ""
        else:
            term = _light_stem(word)
            if term in STOPWORDS:
                term = ""
        if len(_stem_cache) < _STEM_CACHE_LIMIT:
            _stem_cache[lowered] = term
    return term


def terms_for(lowered: str) -> tuple[str, ...]:
    """Return the content terms of one lowercased word token, memoised: a hyphenated word gives its parts."""
    terms = _terms_cache.get(lowered)
    if terms is None:
        if "-" in lowered and not lowered[0].isdigit():
            terms = tuple(term for part in lowered.split("-") if part and (term := stem(part)))
        else:
            term = stem(lowered)
            terms = (term,) if term else ()
        if len(_terms_cache) < _STEM_CACHE_LIMIT:
            _terms_cache[lowered] = terms
    return terms


def content_terms(text: str) -> list[str]:
    """Return the text's content words in order: lowercased, no stopwords, lightly stemmed, numbers kept."""
    terms: list[str] = []
    for token in TOKEN.findall(text.lower()):
        if token[0].isalnum() or token[0] == "_":
            terms.extend(terms_for(token))
    return terms


@lru_cache(maxsize=4096)
def name_terms(question: str) -> frozenset[str]:
    """Return the content terms of the question's capitalised words after its first ("Who is the president of
    France?" -> {"france"}): the names a corpus must mention somewhere to answer it."""
    tokens = [t for t in TOKEN.findall(question) if t[0].isalnum()]
    return frozenset(term for t in tokens[1:] if t[0].isupper() for term in terms_for(t.lower()))



def matched_words(sentence: str, question: str) -> list[str]:
    """Return the sentence's words (as written, each once, in order) that share a content term with the
    question: the words a front end shows in bold."""
    wanted = frozenset(content_terms(question))
    matched: list[str] = []
    if not wanted:
        return matched
    seen: set[str] = set()
    for token in TOKEN.findall(sentence):
        if (token[0].isalnum() or token[0] == "_") and token not in seen:
            seen.add(token)
            if not wanted.isdisjoint(terms_for(token.lower())):
                matched.append(token)
    return matched

# --- the plainer cuts: the lexical query and the comparison of copies ---------------------------------------

_LEXICAL_TOKEN = re.compile(r"\w+", re.UNICODE)
_PLAIN = re.compile(r"[^0-9a-z]+")


def lexical_terms(question: str) -> set[str]:
    """Return the question's lowercased words for the FTS5 (BM25) query: no stopwords, no one-letter words
    except digits (FTS5's own tokenizer and porter stemmer do the rest)."""
    terms = {t.lower() for t in _LEXICAL_TOKEN.findall(question)} - STOPWORDS
    return {t for t in terms if len(t) > 1 or t.isdigit()}


@lru_cache(maxsize=20_000)  # every answer groups ~100 candidates: the same sentences, question after question
def plain_words(text: str) -> frozenset[str]:
    """Return the set of the text's lowercased ASCII letter-and-digit runs, for telling copies of a sentence."""
    return frozenset(_PLAIN.sub(" ", text.lower()).split())


# --- what the corpus counts of its sentences ----------------------------------------------------------------

# A word as it is written, for learning how the corpus writes each word ("crete" -> "Crete").
CASE_WORD = re.compile(r"[^\W_]+")


@dataclass
class SentenceCounts:
    """What the corpus counts of some sentences, defined once for the store and for an in-memory count: how many
    sentences hold each content term, how often each written form of a word occurs inside a sentence (the first
    word of a sentence is no evidence of how a word is written), and how many sentences there are."""

    terms: Counter[str] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)  # form as written -> occurrences inside a sentence
    sentences: int = 0
    _by_word: dict[str, dict[str, int]] | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, texts: Iterable[str]) -> SentenceCounts:
        """Count these sentences too; return self."""
        terms, forms = self.terms, self.forms
        for text in texts:
            self.sentences += 1
            terms.update(set(content_terms(text)))
            forms.update(CASE_WORD.findall(text)[1:])
        self._by_word = None
        return self

    def form_rows(self) -> Iterator[tuple[str, str, int]]:
        """Yield (lowercased word, form as written, occurrences) of every counted form."""
        for form, n in self.forms.items():
            yield form.lower(), form, n

    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many counted sentences hold each of these content terms (terms held by none left out)."""
        return {t: self.terms[t] for t in set(terms) if self.terms.get(t)}

    def word_forms(self, words: Iterable[str]) -> dict[str, str]:
        """Return how the counted sentences mostly write each of these lowercased words (best_form; words never
        written inside a sentence left out)."""
        if self._by_word is None:
            self._by_word = {}
            for word, form, n in self.form_rows():
                self._by_word.setdefault(word, {})[form] = n
        by_word = self._by_word
        return {w: best_form(w, by_word[w]) for w in set(words) if w in by_word}

    def sentence_count(self) -> int:
        """Return how many sentences were counted."""
        return self.sentences


def best_form(word: str, forms: Mapping[str, int]) -> str:
    """Return how the corpus mostly writes a lowercased word, given how often it writes each form: the most
    frequent form; a tie goes to the lowercase form, then to the alphabetically first."""
    return min(forms, key=lambda f: (-forms[f], f != word, f))
