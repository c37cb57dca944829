"""The sentence profile: the question-independent facts about a sentence that the ranker's features read (its
content terms and where they sit, its candidate answer spans: numbers, dates, names, places, distances,
quantities, a cause), and the question-side word sets they are compared with. All pure and cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.questions import DISTANCE_UNITS
from index.terms import STOPWORDS, TOKEN, content_terms, stem, terms_for, word_set

ANSWER_TYPE_FEATURES: tuple[str, ...] = (
    "has_number",
    "has_year_or_date",
    "has_person_like",
    "has_place_like",
    "has_distance",
    "has_quantity_unit",
    "has_cause",
    "type_match",
    "novel_capitalised",
)
OVERLAP_FEATURES: tuple[str, ...] = (
    "q_coverage",
    "q_coverage_title",
    "bigram_overlap",
    "sent_len",
    "longest_common_run",
)

NEUTRAL_TYPE_MATCH = 0.5

_NUMBER_WORDS: frozenset[str] = word_set(
    """
    two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
    thousands million millions billion billions trillion dozen dozens half quarter
    """
)

# Words that may sit inside a capitalised name: "Bank of England", "Ludwig van Beethoven".
_NAME_CONNECTORS: frozenset[str] = word_set("of de van von der al el bin ibn da du la le del di")

# --- sentence profile ---------------------------------------------------------------------------------------

_SENT_START_SKIP: frozenset[str] = STOPWORDS | word_set(
    "however meanwhile still yet also but after before while since"
)
_PLACE_PREPS: frozenset[str] = word_set(
    "in at from near to across outside inside into toward towards through throughout around off between"
)
_DIRECTIONS: frozenset[str] = word_set(
    """
    north south east west northeast northwest southeast southwest north-east north-west south-east south-west
    northern southern eastern western
    """
)
_PLACE_SUFFIXES: tuple[str, ...] = ("stan", "land", "burg", "burgh", "ville", "polis", "grad", "abad")
_PLACE_NOUNS: frozenset[str] = word_set(
    """
    City County Province Island Islands Republic Kingdom River Sea Ocean Mountain Mountains Valley Bay Street
    Avenue Square Airport Stadium Park Lake Peninsula Strait Gulf Desert Coast Region District Port Harbour
    Harbor Hills Plain Basin Canyon
    """
)
_YEAR = re.compile(r"(?:1\d{3}|20\d{2})s?")
_NUMERIC_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")
_GLUED_UNIT = re.compile(r"(\d[\d.,]*)([a-z]+)")
_MONTH_WORDS: frozenset[str] = word_set(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
_DAY_WORDS: frozenset[str] = word_set(
    "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays fridays "
    "saturdays sundays yesterday today tomorrow tonight overnight"
)
_RELATIVE_TIME_CUES: frozenset[str] = word_set("last next this previous following earlier later past")
_TIME_UNITS: frozenset[str] = word_set(
    "week weekend weeks month months year years decade decades century centuries spring summer autumn fall "
    "winter morning afternoon evening night season day days hour hours minute minutes"
)
_ERA_MARKS: frozenset[str] = word_set("BC AD BCE CE")
_NOT_AFTER_YEAR: frozenset[str] = word_set("% percent people per")
_CLOCK_MARKS: frozenset[str] = word_set("am pm a.m p.m")
_MULTIPLIERS: frozenset[str] = word_set(
    "hundred hundreds thousand thousands million millions billion billions trillion"
)
_DISTANCE_AFTER_NUMBER: frozenset[str] = DISTANCE_UNITS - {"in"} | word_set(
    "light-year light-years light-years"
)
_SINGLEDISTANCE_UNITS: frozenset[str] = word_set("mile kilometre kilometer yard metre meter foot")
_GLUED_DISTANCE: frozenset[str] = word_set("m km kms mi ft yd yds cm mm in")
_QUANTITY_UNITS: frozenset[str] = word_set(
    """
    percent percentage dollar dollars euro euros pound pounds yuan yen rupee rupees rouble roubles ruble
    rubles cent cents million millions billion billions trillion thousand thousands bn mn kg kilo kilos
    kilogram
    kilograms gram grams ton tons tonne tonnes litre litres liter liters gallon gallons barrel barrels degree
    degrees mph kph hour hours minute minutes second seconds day days week weeks month months year years
    decade decades centuries people persons times acre acres hectare hectares square per
    """
)
_GLUED_QUANTITY: frozenset[str] = word_set("bn m mn k kg g lb lbs mph kph")
_CURRENCY: frozenset[str] = word_set("$ € £ ¥ %")
_CAUSE_PHRASES: tuple[str, ...] = tuple(
    f" {p} "
    for p in (
        "because",
        "due to",
        "since",
        "so that",
        "in order to",
        "so as to",
        "as a result",
        "owing to",
        "caused by",
        "in response to",
        "in retaliation",
        "on account of",
        "the reason",
        "resulted from",
        "led to",
        "thanks to",
        "result of",
    )
)

# lowercase words that can start a number, date or distance span
_SPAN_STARTS: frozenset[str] = (
    _NUMBER_WORDS | _DAY_WORDS | _TIME_UNITS | word_set("a one half ago century centuries")
)

Span = tuple[str, ...]


class Profile:
    """The question-independent facts about one sentence: its tokens, candidate answer spans and terms."""

    __slots__ = (
        "n_words",
        "numbers",
        "dates",
        "names",
        "places",
        "distances",
        "quantities",
        "cause",
        "caps",
        "terms",
        "term_set",
        "bigrams",
        "term_at",
        "word_at",
    )

    def __init__(self, sentence: str) -> None:
        tokens = TOKEN.findall(sentence)
        lower = [t.lower() for t in tokens]
        n = len(tokens)
        caps = [False] * n
        terms: list[str] = []
        term_at: dict[str, list[int]] = {}  # content term -> the token positions it comes from
        interesting: list[int] = []  # capitalised, numeric or time words: the rest cannot start a span
        n_words = 0
        first_word = -1
        span_starts = _SPAN_STARTS
        for i, (token, low) in enumerate(zip(tokens, lower, strict=True)):
            c = token[0]
            if not (c.isalnum() or c == "_"):
                continue
            n_words += 1
            word_terms = terms_for(low)
            if word_terms:
                terms += word_terms
                for term in word_terms:
                    term_at.setdefault(term, []).append(i)
            if c.isupper():
                if first_word >= 0 or low not in _SENT_START_SKIP:
                    caps[i] = True
                    interesting.append(i)
            elif c.isdigit() or low in span_starts:
                interesting.append(i)
            if first_word < 0:
                first_word = i

        numbers: list[Span] = []
        dates: list[Span] = []
        names: list[Span] = []
        places: list[Span] = []
        distances: list[Span] = []
        quantities: list[Span] = []
        cap_words: list[str] = []

        # runs of capitalised words, allowing one connector inside ("Bank of England")
        run_of: dict[int, Span] = {}
        run_starts: set[int] = set()
        for i in interesting:
            if not caps[i] or i in run_of:
                continue
            j = i + 1
            while j < n and (
                caps[j] or (lower[j] in _NAME_CONNECTORS and j + 1 < n and caps[j + 1] and caps[j - 1])
            ):
                j += 1
            run = tuple(lower[k] for k in range(i, j) if caps[k])
            for k in range(i, j):
                run_of[k] = run
            run_starts.add(i)
            cap_words.extend(run)
            if len(run) >= 2:
                names.append(run)

        for i in interesting:
            token, low = tokens[i], lower[i]
            prev = lower[i - 1] if i else ""
            nxt = lower[i + 1] if i + 1 < n else ""
            is_digit = token[0].isdigit()

            # numbers, and what follows them: units, multipliers, currencies
            if is_digit or low in _NUMBER_WORDS:
                value = low.replace(",", "")
                if "-" in value:  # "18-yard", "211-mile", "5-million"
                    value, _, attached = value.partition("-")
                    if attached in _DISTANCE_AFTER_NUMBER:
                        distances.append((value, attached))
                    if attached in _QUANTITY_UNITS:
                        quantities.append((value, attached))
                numbers.append((value,))
                k = i + 1
                if k < n and lower[k] in _MULTIPLIERS:
                    k += 1
                if k < n and lower[k] == "-":
                    k += 1
                unit = lower[k] if k < n else ""
                if unit in _DISTANCE_AFTER_NUMBER or (unit == "nautical" and k + 1 < n):
                    distances.append((value, unit))
                if unit in _QUANTITY_UNITS or unit == "%" or k > i + 1 and lower[i + 1] in _MULTIPLIERS:
                    quantities.append((value, unit))
                if prev in _CURRENCY:
                    quantities.append((value,))
                if is_digit and (glued := _GLUED_UNIT.fullmatch(low)):
                    suffix = glued.group(2)
                    if suffix in _GLUED_DISTANCE:
                        distances.append((value,))
                    if suffix in _GLUED_QUANTITY or prev in _CURRENCY:
                        quantities.append((value,))
            elif low in ("a", "one", "half") and nxt in _SINGLEDISTANCE_UNITS:
                distances.append((low, nxt))

            # dates and times
            if is_digit:
                if (_YEAR.fullmatch(token) and nxt not in _NOT_AFTER_YEAR) or _NUMERIC_DATE.fullmatch(token):
                    dates.append((low,))
                elif nxt in _CLOCK_MARKS:
                    dates.append((low, nxt))
            elif (token in _MONTH_WORDS and (token != "May" or i != first_word)) or (
                low in _DAY_WORDS or token in _ERA_MARKS
            ):
                dates.append((low,))
            elif (low in _TIME_UNITS and prev in _RELATIVE_TIME_CUES) or (
                low == "ago" or (low in ("century", "centuries") and prev[:1].isdigit())
            ):
                dates.append((prev, low))

            if not caps[i]:
                continue
            # places: a capitalised name after a locative preposition or a compass direction ...
            if i in run_starts:
                before = prev
                if i >= 2 and (before == "the" or (before == "of" and lower[i - 2] in _DIRECTIONS)):
                    before = lower[i - 2]
                if (before in _PLACE_PREPS or before in _DIRECTIONS) and not (
                    token in _MONTH_WORDS or low in _DAY_WORDS or low in STOPWORDS
                ):
                    places.append(run_of[i])
            # ... or a name that looks like a place ("Afghanistan", "Santa Clara County")
            if (low.endswith(_PLACE_SUFFIXES) and len(low) > 5) or (
                token in _PLACE_NOUNS and i > 0 and caps[i - 1]
            ):
                places.append(run_of[i])

        self.n_words = n_words
        self.numbers = numbers
        self.dates = dates
        self.names = names
        self.places = places
        self.distances = distances
        self.quantities = quantities
        joined = " " + " ".join(lower) + " "
        self.cause = any(p in joined for p in _CAUSE_PHRASES)
        self.caps = cap_words
        self.terms = terms
        self.term_set = frozenset(terms)
        self.bigrams = frozenset(zip(terms, terms[1:], strict=False))
        self.term_at = term_at
        # a span's first word -> the token positions it can start at (numbers are stored without their commas
        # and the unit glued on with a hyphen, "18-yard" -> "18")
        word_at: dict[str, list[int]] = {}
        for i, low in enumerate(lower):
            word_at.setdefault(low, []).append(i)
            key = low.replace(",", "").partition("-")[0]
            if key != low:
                word_at.setdefault(key, []).append(i)
        self.word_at = word_at


@lru_cache(maxsize=16384)
def profile(sentence: str) -> Profile:
    """Return the sentence's profile, cached: candidate sentences recur across questions."""
    return Profile(sentence)


# --- answer-type features -----------------------------------------------------------------------------------

# The answer-type feature that says whether a sentence holds what each question type asks for.
TYPE_FEATURE: dict[str, str] = {
    "who": "has_person_like",
    "when": "has_year_or_date",
    "where": "has_place_like",
    "how_many": "has_number",
    "how_far": "has_distance",
    "why": "has_cause",
}


@lru_cache(maxsize=4096)
def question_words(question: str) -> frozenset[str]:
    """Return the question's lowercased words, their parts and their stems, for novelty checks."""
    words: set[str] = set()
    for token in TOKEN.findall(question.lower()):
        for word in (token, *token.split("-")) if "-" in token else (token,):
            if not word:
                continue
            words.add(word)
            words.add(word.replace(",", ""))
            if word[0].isalnum() and (word_stem := stem(word)):
                words.add(word_stem)
    return frozenset(words)


# --- overlap ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def question_terms(question: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[tuple[str, str]]]:
    """Return the question's content terms in order, as a set, and its content bigrams."""
    terms = tuple(content_terms(question))
    return terms, frozenset(terms), frozenset(zip(terms, terms[1:], strict=False))


@lru_cache(maxsize=1024)
def title_terms(title: str) -> frozenset[str]:
    """Return the title's content terms as a set."""
    return frozenset(content_terms(title))
