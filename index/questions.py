"""What a question asks: its type, whether it is small talk, and which speakers it asks about. (Its words are
`index.terms`'; its time words `index.question_time`'s; what a sentence offers it is `index.ranking.spans`'.)

Every function here is pure and deterministic; the question-side work is cached.

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
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

# the time words' names, which callers may still import from here
from index.question_time import TimeAsked as TimeAsked
from index.question_time import frames_time as frames_time
from index.question_time import read_time as read_time
from index.terms import CASE_WORD, STOPWORDS, SentenceCounts, content_terms, word_set

QUESTION_TYPES: tuple[str, ...] = ("who", "when", "where", "how_many", "how_far", "why", "what", "other")

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
DISTANCE_UNITS: frozenset[str] = word_set(
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
            return "how_far" if after in DISTANCE_UNITS else "how_many"
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


# --- the question's language --------------------------------------------------------------------------------

# The small words of the languages readers most often try instead of English, minus those that are English words
# too ("die", "was", "son", "an"...). A question is taken for one of them when at least two of its words are that
# language's and more than are English stopwords: "What did de la Rosa say?" stays English.
OTHER_LANGUAGES: dict[str, frozenset[str]] = {
    "German": word_set(
        "der das dass und ist nicht wer wie wo warum wann welche welcher welches wieviele wie viele ein eine einen "
        "einem hat haben sind wurde wurden mit von für auf dem den des im ich sie es zu bei über sagte gibt auch "
        "nach aus noch oder sich"
    ),
    "Spanish": word_set(
        "el los las y es qué que quién quiénes cómo dónde cuándo cuántos cuántas cuál una del en con para se lo "
        "han está están fue dijo sobre entre hay muy pero por"
    ),
    "French": word_set(
        "le les et est qui quoi quel quelle quels quelles où pourquoi quand combien comment une des du dans avec "
        "pour sur ont sont été dit il elle ils ce cette qu'est est-ce y a pas"
    ),
    "Italian": word_set(
        "il gli e è chi che cosa come dove perché quando quanti quante quale uno una della dei nel con per sono "
        "stato detto ha hanno anche"
    ),
    "Portuguese": word_set(
        "o os as e é quem que como onde porque quando quantos quantas qual um uma da do dos das em com para são "
        "foi disse não há"
    ),
    "Dutch": word_set(
        "de het een en is wie wat waar waarom wanneer hoeveel hoe van met voor op zijn werd heeft hebben niet "
        "zei er ook dat"
    ),
}
_LANGUAGE_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)?")


@lru_cache(maxsize=1024)
def other_language(question: str) -> str | None:
    """Return the language a question seems written in when it is not English ("German"), else None; a small
    stop-word test, so a name or two in another language never counts."""
    words = [w.replace("’", "'") for w in _LANGUAGE_WORD.findall(question.lower())]
    english = sum(w in STOPWORDS for w in words)
    counts = {lang: sum(w in small and w not in STOPWORDS for w in words) for lang, small in OTHER_LANGUAGES.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 2 and counts[best] > english else None


# --- the question as ranked ---------------------------------------------------------------------------------

_EDGE_MARKS = " \t?!.,;:¿¡…"


# Words of a broad question that say nothing of its topic ("What is happening in Libya?", "What do the articles
# say about Derna?"), as content terms.
BROAD_TERMS: frozenset[str] = frozenset(
    content_terms("happen happening happened happens going article articles say says said saying news latest story "
                  "stories situation tell know")
)
FREQUENT_SHARE = 0.02  # a term in at least this share of the sentences (and in 3) is one the corpus is about


class CorpusCounts(Protocol):
    """Where the corpus's word counts are read, for a question's own words: the store (index.store.Store) or an
    in-memory count of some sentences (index.terms.SentenceCounts)."""

    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        """Return how many sentences hold each of these content terms (terms held by none left out)."""
        ...

    def word_forms(self, words: Iterable[str]) -> dict[str, str]:
        """Return how the sentences mostly write each of these lowercased words (unwritten words left out)."""
        ...

    def sentence_count(self) -> int:
        """Return how many sentences there are."""
        ...


class CorpusWords:
    """How the corpus writes each word inside a sentence ("crete" -> "Crete", "isis" -> "ISIS", "the" -> "the"),
    the first word of a sentence being no evidence, and how many sentences hold each content term: read from
    `counts` (the store keeps them as sentences are added and removed) for a question's own words only; without
    `counts`, from the sentence texts fed in with `count`."""

    def __init__(self, counts: CorpusCounts | None = None) -> None:
        self._memory: SentenceCounts | None = None
        if counts is None:
            counts = self._memory = SentenceCounts()
        self.counts: CorpusCounts = counts

    def count(self, texts: Iterable[str]) -> None:
        """Count the written forms of the words of these sentences and the sentences holding each term (only for
        words counted in memory: a store counts its own sentences)."""
        if self._memory is None:
            raise TypeError("these words are counted by the store they are read from")
        self._memory.add(texts)

    def forms(self, words: Iterable[str]) -> dict[str, str]:
        """Return how the corpus mostly writes each of these words, by the word lowercased (words it never writes
        inside a sentence left out)."""
        return self.counts.word_forms(w.lower() for w in words)

    def form(self, word: str) -> str | None:
        """Return how the corpus mostly writes `word`, or None when it never writes it inside a sentence."""
        return self.forms([word]).get(word.lower())

    def frequent(self, term: str) -> bool:
        """Return whether the content term is one the corpus is about: held by FREQUENT_SHARE of its sentences."""
        return self._all_frequent([term])

    def _all_frequent(self, terms: list[str]) -> bool:
        """Return whether every one of these content terms is held by FREQUENT_SHARE of the sentences (and 3)."""
        df = self.counts.term_counts(terms)
        least = max(3.0, FREQUENT_SHARE * self.counts.sentence_count())
        return all(df.get(t, 0) >= least for t in terms)

    def about_the_corpus(self, question: str) -> bool:
        """Return whether every content word of the question, the words of a broad question left aside
        (BROAD_TERMS: "happening", "articles", "say"), is one the corpus is about: "What is happening in Libya?"
        over articles on Libya."""
        terms = [t for t in content_terms(question) if t not in BROAD_TERMS]
        return bool(terms) and self._all_frequent(terms)


def normalized_question(question: str, cases: CorpusWords | None = None) -> str:
    """Return the form of a question that is ranked, so that a trailing "?" or "!", extra spaces, a capital first
    letter or all-lowercase typing do not change the answer: spaces collapsed, edge punctuation dropped and one "?"
    added, each word written as the corpus mostly writes it (`cases`; a word it never writes keeps its case, the
    first word is lowercased), and the first letter capitalised."""
    q = " ".join(question.replace("’", "'").split()).strip(_EDGE_MARKS)
    if not q:
        return question
    first = CASE_WORD.search(q)
    known = cases.forms(CASE_WORD.findall(q)) if cases is not None else {}

    def recased(m: re.Match[str]) -> str:
        word = m.group(0)
        form = known.get(word.lower())
        if form is not None:
            return form
        return word.lower() if first is not None and m.start() == first.start() else word

    q = CASE_WORD.sub(recased, q)
    return q[0].upper() + q[1:] + "?"


# --- speaker mentions ---------------------------------------------------------------------------------------

_VERBS_OF_SAYING = (
    r"say|says|said|saying|claim|claims|claimed|claiming|argue|argues|argued|arguing|think|thinks|thought|thinking"
    r"|believe|believes|believed|tell|tells|told|report|reports|reported|reporting|write|writes|wrote|warn|warns"
    r"|warned|predict|predicts|predicted|announce|announced|suggest|suggests|suggested|insist|insists|insisted"
    r"|deny|denies|denied|admit|admits|admitted|reveal|revealed|mean|meant|stated|allege|alleged"
)
_SAYING_NOW = r"saying|claiming|arguing|reporting|thinking|suggesting|writing|warning|telling|predicting"
_DO = r"did|does|do|has|have|had|will|would|could|might"
_AUX = rf"{_DO}|is|are|was|were"
_VIEW_NOUNS = (
    r"view|views|opinion|opinions|position|stance|take|reaction|response|comment|comments|remarks|words"
    r"|statement|claim|claims|account|assessment|verdict"
)
_SLOT = r"(?P<x>[^\W_][\w.'& -]{0,80}?)"
# Question shapes that ask for someone's words or views; the group `x` is where the speaker is named.
_SPEAKING_SHAPES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\bwhat (?:{_DO}) {_SLOT} (?:{_VERBS_OF_SAYING})\b",  # what did X say / what does X think
        rf"\bwhat (?:is|are|was|were) {_SLOT} (?:{_SAYING_NOW})\b",  # what is X saying
        rf"\bwhat (?!(?:{_AUX}) ){_SLOT} (?:said|says|thinks|thought|believes|claims|claimed|reported|reports"
        rf"|told|argued|argues|wrote|writes|warned|predicted)\b",  # (tell me) what X said about
        rf"^(?:{_DO}) {_SLOT} (?:{_VERBS_OF_SAYING})\b",  # did X say that ...
        r"\baccording to (?P<x>[^,;:?!]{1,80})",  # according to X
        rf"(?P<x>[^\W_][\w.& -]{{0,80}}?)'s (?:{_VIEW_NOUNS})\b",  # X's view on
        rf"\b(?:{_VIEW_NOUNS}) of {_SLOT}(?: on| about| to|$)",  # the view of X on
        rf"\bhow (?:{_AUX}) {_SLOT} (?:respond|responded|react|reacted|reply|replied|answer|answered|see|view"
        r"|describe|described|feel|explain|explained|justify|justified|defend|defended)\b",  # how did X respond
    )
)
_SLOT_WORDS = 8  # the words of a slot that can hold the name: the last ones ("the chairman ... Staff")
_SLOT_STOP = word_set("who whom what which when where why how about on")


def speaker_slots(question: str) -> list[str]:
    """Return the parts of a question where it names someone as speaking ("what did Dempsey say" -> "Dempsey",
    "according to CNN, who ..." -> "CNN"); none when its shape does not ask for anyone's words or views."""
    text = " ".join(question.replace("’", "'").split())
    out = []
    for shape in _SPEAKING_SHAPES:
        for m in shape.finditer(text):
            words = m.group("x").split()
            for i, w in enumerate(words):
                if i and w.lower() in _SLOT_STOP:
                    words = words[:i]
                    break
            if any(w.lower() not in STOPWORDS for w in words):  # "what do the reports show": "the" names no one
                out.append(" ".join(words[-_SLOT_WORDS:]))
    return out


QUIZ_ASK_WORDS = 3  # the fewest words of the ask, and (QUIZ_CONTEXT_WORDS) of the context before it
QUIZ_CONTEXT_WORDS = 4


def quiz_parts(question: str) -> tuple[str, str] | None:
    """Return (context, ask) of a question that opens with what it is about and then asks ("A harbour council voted
    this week to shut its ferry pier. In which month will it close?"), else None: the context finds the story, the
    ask the sentence in it (bench/RESULTS.md, "The question in parts"). Two questions in a row are not one."""
    text = question.strip()
    if not text.endswith("?") or not re.search(r"[.!;:]\s", text[:-1]):
        return None
    # the article splitter, for "Mr." and "U.S." in a context; imported here, as only such questions need it (pysbd
    # takes 60-70 ms to import, which every cold start would pay)
    from index.reading.sentences import split_sentences

    parts = [s.text.strip() for s in split_sentences(text)]
    if len(parts) < 2:
        return None
    context, ask = " ".join(parts[:-1]), parts[-1]
    if context.endswith("?") or len(ask.split()) < QUIZ_ASK_WORDS or len(context.split()) < QUIZ_CONTEXT_WORDS:
        return None
    if context.count('"') % 2 or context.count("“") != context.count("”"):
        return None  # 'Who said, "Here I stand. I can do no other"?': one question around a quotation
    return context, ask


def asks_what_someone_said(question: str) -> bool:
    """Return whether a question has the shape of asking for someone's words or views ("what did X say",
    "according to X", "what does X think", "X's view on", "how did X respond"): the condition of speakers_named."""
    return bool(speaker_slots(question))


# Words before a name that are not part of it ("Gen. Martin Dempsey" is Martin Dempsey), and the article.
_NAME_TITLES: frozenset[str] = word_set(
    """
    the mr mrs ms miss dr gen general lt col colonel sgt capt captain maj major adm admiral cmdr brig gov
    governor sen senator rep representative pres president prof professor rev st sir dame lord lady hon
    """
)
_NAME_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_POSSESSIVE = re.compile(r"'s$", re.IGNORECASE)


def _name_words(name: str) -> list[str]:
    """Return the words of a name as written, without the titles before it ("Gen. Martin Dempsey" -> Martin,
    Dempsey)."""
    words = [w.rstrip(".") for w in _NAME_WORD.findall(name)]
    while len(words) > 1 and words[0].lower() in _NAME_TITLES:
        words = words[1:]
    return words


def _names(speaker: str, written: list[str], case_known: bool) -> bool:
    """Return whether the words of a speaker slot (`written`, as typed) name the speaker: the whole name (titles
    and case ignored), the last word of a name of several ("Dempsey"), or the initials of a name of several
    capitalised words written in capitals ("IBT" for International Business Times). A one-word name the articles
    capitalise ("CNN", but also "One", "Country") must be written as they write it, and so must a last word when
    the question has capitals at all: a common word is no name."""
    words = _name_words(speaker)
    if not words:
        return False
    asked = [w.lower() for w in written]
    lowered = [w.lower() for w in words]
    n = len(lowered)
    if n == 1:
        word = words[0]
        if word.lower() in STOPWORDS:
            return False
        if word == word.lower():  # a group the articles write in lowercase ("officials")
            return word in asked
        return word in written
    if any(asked[i : i + n] == lowered for i in range(len(asked) - n + 1)):
        return True
    last = words[-1]
    surname = len(last) >= 3 and last[0].isupper() and last.lower() not in STOPWORDS
    if surname and ((last in written) if case_known else (last.lower() in asked)):
        return True
    capitals = [w for w in words if w[0].isupper()]
    initials = "".join(w[0] for w in capitals)
    return len(capitals) >= 2 and len(capitals) >= n - 1 and initials in {w for w in written if w.isupper()}


def speakers_named(question: str, speakers: Iterable[str]) -> list[str]:
    """Return the speakers (of `speakers`, the corpus's attributed ones, as stored) a question names as speaking:
    its shape asks for someone's words or views (see speaker_slots) and the slot names them by their name's whole
    words, titles ignored: the full name, the surname ("what did Dempsey say" -> Martin Dempsey), an outlet
    ("according to CNN"), or its initials in capitals ("IBT" -> International Business Times). A full name asked
    for ("what did Bill Clinton say") names only the speakers of that whole name, not others of its surname."""
    slots = speaker_slots(question)
    if not slots:
        return []
    case_known = question != question.lower()
    written = [
        _POSSESSIVE.sub("", w.rstrip(".")) for slot in slots for w in _NAME_WORD.findall(slot.replace("’", "'"))
    ]
    named = [speaker for speaker in speakers if _names(speaker, written, case_known)]
    asked = [w.lower() for w in written]

    def whole(speaker: str) -> bool:
        words = [w.lower() for w in _name_words(speaker)]
        return len(words) >= 2 and any(asked[i : i + len(words)] == words for i in range(len(asked)))

    return [speaker for speaker in named if whole(speaker)] or named
