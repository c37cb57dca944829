"""What a question asks for and how well a sentence offers it: the question's type, chit-chat detection,
content terms, and the answer-type and overlap features the ranker reads.

Every function here is pure and deterministic. Question-side work is cached, because one question is scored
against many candidate sentences.

Question types (`QUESTION_TYPES`):

    who       who / whom / whose, "which person", "what name", "which player"...
    when      when, "what year / date / day / century"...
    where     where, "what city / country / place"...
    how_many  how many / how much, "what number / percentage", and other measures: how long / tall / old...
    how_far   distance only: how far, "what distance", "how many miles"
    why       why, "for what reason", "what caused"...
    what      any other what / which question
    other     no wh-word (yes/no questions, imperatives) or a bare "how" (manner)
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.terms import STOPWORDS, TOKEN, content_terms, stem, terms_for, word_set

QUESTION_TYPES: tuple[str, ...] = ("who", "when", "where", "how_many", "how_far", "why", "what", "other")

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
_MONTHS: frozenset[str] = word_set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_WEEKDAYS: frozenset[str] = word_set("monday tuesday wednesday thursday friday saturday sunday")

# Words that may sit inside a capitalised name: "Bank of England", "Ludwig van Beethoven".
_NAME_CONNECTORS: frozenset[str] = word_set("of de van von der al el bin ibn da du la le del di")

# --- question typing ----------------------------------------------------------------------------------------

_Q_TOKEN = re.compile(r"[a-z0-9]+")
_WH_WORDS: frozenset[str] = word_set("who whom whose what which when where why how")

_HOW_MANY_NEXT: frozenset[str] = word_set("many much")
_HOW_FAR_NEXT: frozenset[str] = word_set("far distant close near")
_HOW_MEASURE_NEXT: frozenset[str] = word_set(
    """
    long tall high old big large deep wide heavy fast often soon early late frequently small short hot cold
    warm expensive cheap strong powerful thick low young rich populous common frequent severe loud bright
    """
)
_DISTANCE_UNITS: frozenset[str] = word_set(
    """
    mile miles mi km kms kilometer kilometers kilometre kilometres meter meters metre metres foot feet ft
    yard yards inch inches cm centimeter centimeters centimetre centimetres mm nautical
    """
)

_HEAD_WHEN: frozenset[str] = word_set(
    "year years date dates day days month months century centuries decade decades time times era eras "
    "period periods season seasons hour weekday"
)
_HEAD_WHERE: frozenset[str] = word_set(
    """
    city cities country countries state states place places location locations town towns region regions
    continent continents county counties province provinces island islands village villages capital nation
    nations neighborhood neighbourhood district districts venue venues territory street address stadium
    arena airport port
    """
)
_HEAD_WHO: frozenset[str] = word_set(
    """
    person people persons man men woman women individual individuals name names king kings queen queens
    president presidents leader leaders author authors writer writers player players coach coaches emperor
    emperors general generals commander minister ministers official officials pope bishop priest artist actor
    actress singer musician composer architect engineer inventor founder founders ruler rulers son sons
    daughter daughters father mother wife husband brother sister child children quarterback defender
    linebacker receiver kicker athlete member members politician governor senator mayor chancellor prince
    princess duke lord khan monarch sultan philosopher physicist mathematician theologian economist historian
    professor student students teacher chairman ceo director producer spokesman spokeswoman spokesperson
    officer soldier explorer captain owner candidate successor predecessor host journalist reporter judge
    lawyer victim victims suspect suspects gunman attacker bomber reformer emperor scholar poet novelist
    painter designer manager chief secretary ambassador admiral colonel saint prophet god goddess
    """
)
_HEAD_HOW_MANY: frozenset[str] = word_set(
    """
    number numbers percentage percentages percent proportion fraction amount amounts age size sizes
    temperature price prices cost costs rate rates population height length weight width depth speed score
    value total sum quantity volume ratio frequency budget salary income revenue
    """
)
_HEAD_HOW_FAR: frozenset[str] = word_set(
    "distance distances mile miles km kilometer kilometers kilometre kilometres yard yards"
)
_HEAD_WHY: frozenset[str] = word_set("reason reasons cause causes purpose motive motivation")
_WHY_VERBS: frozenset[str] = word_set("caused causes cause motivated prompted")

# Words that end the noun phrase after "what"/"which".
_NP_STOP: frozenset[str] = (STOPWORDS - {"other", "more", "most", "same", "own"}) | word_set(
    "s did does do is was are were has had have"
)
_NP_SKIP_OF: frozenset[str] = word_set("kind kinds type types sort sorts form forms style")
_NAME_OF_SKIP: frozenset[str] = word_set("the a an his her its their this that these those s")
_FRONTED_CLAUSE_WH: frozenset[str] = word_set("when where")


def _type_after_what(tokens: list[str], i: int) -> str:
    """Return the type of a what/which question from the noun phrase after tokens[i]."""
    j = i + 1
    n = len(tokens)
    if j < n and tokens[j] in _WHY_VERBS:
        return "why"
    # "what is the name of", "what was the population of": skip the copula and the determiner.
    if (
        j < n
        and tokens[j] in ("is", "was", "are", "were", "s")
        and j + 1 < n
        and tokens[j + 1] in ("the", "a", "an")
    ):
        j += 2
    return _head_type(tokens, j) or "what"


def _head_type(tokens: list[str], j: int) -> str | None:
    """Return the type named by the noun phrase starting at tokens[j] ("German city" -> where), if any."""
    n = len(tokens)
    taken = 0
    while j < n and taken < 4:
        word = tokens[j]
        if word in _NP_SKIP_OF and j + 1 < n and tokens[j + 1] == "of":
            j += 2
            continue
        if word in ("name", "names") and j + 1 < n and tokens[j + 1] == "of":
            # "the name of the city" asks for a place; "the name of his son / the trophy" for a name
            k = j + 2
            while k < n and tokens[k] in _NAME_OF_SKIP:
                k += 1
            named = _head_type(tokens, k)
            return named if named in ("where", "when") else "who"
        if word in _NP_STOP:
            break
        if word in _HEAD_WHEN:
            return "when"
        if word in _HEAD_WHERE:
            return "where"
        if word in _HEAD_WHO:
            return "who"
        if word in _HEAD_HOW_FAR:
            return "how_far"
        if word in _HEAD_HOW_MANY:
            return "how_many"
        if word in _HEAD_WHY:
            return "why"
        if word.endswith("ed") and taken > 0:  # "what company created ..." ends the phrase at the verb
            break
        taken += 1
        j += 1
    return None


def _type_at(tokens: list[str], i: int) -> str:
    """Return the question type signalled by the wh-word at tokens[i]."""
    word = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if word in ("who", "whom", "whose"):
        return "who"
    if word == "when":
        return "when"
    if word == "where":
        return "where"
    if word == "why":
        return "why"
    if word == "how":
        if nxt in _HOW_MANY_NEXT:
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            return "how_far" if after in _DISTANCE_UNITS else "how_many"
        if nxt in _HOW_FAR_NEXT:
            return "how_far"
        if nxt in _HOW_MEASURE_NEXT:
            return "how_many"
        if nxt == "come":
            return "why"
        return "other"
    return _type_after_what(tokens, i)


@lru_cache(maxsize=4096)
def question_type(question: str) -> str:
    """Return what the question asks for: one of `QUESTION_TYPES`."""
    text = question.lower().replace("’", "'")
    tokens = _Q_TOKEN.findall(text)
    positions = [i for i, t in enumerate(tokens) if t in _WH_WORDS]
    if not positions:
        return "other"
    first = positions[0]
    # "The Broncos defeated who?": an in-situ wh-word at the very end is the one asked, unless the question
    # opens with its wh-phrase ("What company created Doctor Who?").
    if positions[-1] == len(tokens) - 1 and len(positions) > 1 and first > 2:
        return _type_at(tokens, positions[-1])
    # "When the war ended, who became king?": a fronted when/where clause is not the question.
    if tokens[first] in _FRONTED_CLAUSE_WH and len(positions) > 1:
        clauses = text.split(",")
        if len(clauses) > 1 and tokens[first] in _Q_TOKEN.findall(clauses[0]):
            rest = _Q_TOKEN.findall(",".join(clauses[1:]))
            offset = len(tokens) - len(rest)
            later = [p for p in positions if p >= offset]
            if later:
                return _type_at(tokens, later[0])
    return _type_at(tokens, first)


# --- chit-chat ----------------------------------------------------------------------------------------------

_CHAT_REPEATS = re.compile(r"(\w)\1{2,}")
_CHAT_SEGMENTS = re.compile(r"[^\w\s']+")
_CHAT_SPACES = re.compile(r"\s+")
_CHAT_HAS_WORD = re.compile(r"[^\W_]")
_CHAT_ADDRESS = r"(?: (?:there|bot|newsbot|all|everyone|everybody|guys|friend|mate|buddy|again|you|man))*"
_CHAT_PHRASES: tuple[str, ...] = (
    # greetings
    r"(?:hi|hello|hey|hiya|howdy|yo|sup|greetings|heya|hallo|hola|morning|evening|gm|gn"
    r"|good (?:morning|afternoon|evening|night|day))" + _CHAT_ADDRESS,
    # thanks
    r"(?:thanks|thank you|thank u|thx|ty|tysm|cheers|many thanks|much appreciated|appreciate it)"
    r"(?: (?:so|very) much| a lot| a bunch| again| bot| newsbot| mate| buddy| man)*",
    # acknowledgements and reactions
    r"ok|okay|k|kk|okey|okie|cool|nice|great|awesome|perfect|got it|i see|sure|alright|all right|fine",
    r"yes|no|yep|yup|nope|yeah|nah|wow|hmm|hm|mhm|oh|ah|oops|sorry|please|lol|lmao|rofl|xd|(?:ha)+h?|(?:he)+",
    r"no worries|never mind|nevermind|nice one|well done|good job|good bot|bad bot|cool thanks",
    r"that'?s (?:cool|great|nice|helpful|fine|ok|okay)",
    # farewells
    r"(?:bye|goodbye|bye bye|byebye|see you|see ya|see you later|later|cya|ttyl|take care|good night"
    r"|farewell)" + _CHAT_ADDRESS,
    # about the bot itself
    r"how are (?:you|u)(?: doing)?(?: today)?|how r u|how'?s it going|how is it going|how do you do",
    r"what'?s up|wassup|what is up|how have you been",
    r"who are you|who r u|what are you|who (?:made|built|created) you|what(?: is|'?s) your name",
    r"are you a (?:bot|robot|human|person)|are you (?:real|human|alive)",
    r"what can you do|what do you do|what (?:can|should) i ask(?: you)?|what do you know",
    r"how do you work|how does this work|help|help me|start|tell me a joke",
    r"nice to meet you|pleased to meet you|(?:you're|you are) (?:welcome|great|awesome|cool)|welcome",
    r"i love you|love you",
    # a vocative on its own, as in "good morning, bot!"
    r"bot|newsbot|everyone|everybody|guys|friend|mate|buddy",
)
_CHAT_SEGMENT = re.compile("|".join(f"(?:{p})" for p in _CHAT_PHRASES))


@lru_cache(maxsize=1024)
def is_chitchat(text: str) -> bool:
    """Return True only when the text is obvious small talk (greeting, thanks, "who are you", emoji) with no
    question about the news in it."""
    if not _CHAT_HAS_WORD.search(text):
        return True  # emoji, punctuation or nothing at all
    lowered = _CHAT_REPEATS.sub(r"\1", text.lower().replace("’", "'"))
    segments = [_CHAT_SPACES.sub(" ", s).strip(" '") for s in _CHAT_SEGMENTS.split(lowered)]
    segments = [s for s in segments if s]
    return bool(segments) and all(_CHAT_SEGMENT.fullmatch(s) for s in segments)


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
_DISTANCE_AFTER_NUMBER: frozenset[str] = _DISTANCE_UNITS - {"in"} | word_set(
    "light-year light-years light-years"
)
_SINGLE_DISTANCE_UNITS: frozenset[str] = word_set("mile kilometre kilometer yard metre meter foot")
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


class _Profile:
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
            elif low in ("a", "one", "half") and nxt in _SINGLE_DISTANCE_UNITS:
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
def _profile(sentence: str) -> _Profile:
    """Return the sentence's profile, cached: candidate sentences recur across questions."""
    return _Profile(sentence)


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
def _question_words(question: str) -> frozenset[str]:
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
    profile = _profile(sentence)
    qwords = _question_words(question)
    features = {
        "has_number": _any_novel(profile.numbers, qwords),
        "has_year_or_date": _any_novel(profile.dates, qwords),
        "has_person_like": _any_novel(profile.names, qwords),
        "has_place_like": _any_novel(profile.places, qwords),
        "has_distance": _any_novel(profile.distances, qwords),
        "has_quantity_unit": _any_novel(profile.quantities, qwords),
        "has_cause": 1.0 if profile.cause else 0.0,
    }
    key = TYPE_FEATURE.get(qtype)
    features["type_match"] = features[key] if key else NEUTRAL_TYPE_MATCH
    caps = profile.caps
    if caps:
        novel = sum(1 for w in caps if w not in qwords and (stem(w) or w) not in qwords)
        features["novel_capitalised"] = novel / len(caps)
    else:
        features["novel_capitalised"] = 0.0
    return features


# --- overlap features ---------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _question_terms(question: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[tuple[str, str]]]:
    """Return the question's content terms in order, as a set, and its content bigrams."""
    terms = tuple(content_terms(question))
    return terms, frozenset(terms), frozenset(zip(terms, terms[1:], strict=False))


@lru_cache(maxsize=1024)
def _title_terms(title: str) -> frozenset[str]:
    """Return the title's content terms as a set."""
    return frozenset(content_terms(title))


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
    q_terms, q_set, q_bigrams = _question_terms(question)
    profile = _profile(sentence)
    shared = q_set & profile.term_set
    coverage = len(shared) / len(q_set) if q_set else 0.0
    if title and q_set:
        coverage_title = len(q_set & (profile.term_set | _title_terms(title))) / len(q_set)
    else:
        coverage_title = coverage
    bigram = len(q_bigrams & profile.bigrams) / len(q_bigrams) if q_bigrams else 0.0
    return {
        "q_coverage": coverage,
        "q_coverage_title": coverage_title,
        "bigram_overlap": bigram,
        "sent_len": float(profile.n_words),
        "longest_common_run": float(_longest_common_run(q_terms, profile.terms, shared) if shared else 0),
    }
