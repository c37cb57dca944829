"""One person, one speaker: who is the same speaker wherever the articles name them.

Two steps, because one needs the article and the other the whole corpus:

- `speaker_key(speaker, article_text)`, when an article is stored: the speaker's name without the title or role
  words before it ("Defenseman Cale Makar" -> "Cale Makar", "The White House" -> "White House", "U.N." -> "UN"),
  and a lone surname turned into the one full name its own article gives that surname ("Mr. Makar" in an article
  that names Cale Makar -> "Cale Makar"). The store keeps it beside the speaker (attributions.speaker_key).
- `SpeakerIdentities(counts)`, at answer time, over the keys the corpus holds: keys that differ only in case, a
  full name with and without its one middle name ("Donald Trump", "Donald J. Trump"), and a lone surname whose
  corpus names exactly one full person by it ("Makar" -> "Cale Makar") are one identity. A surname two different
  people share stays as written: "Clinton" alone is never Hillary or Bill when the corpus has both.

Organisations, groups and outlets are never taken for a surname ("House" is not the White House)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.terms import STOPWORDS, word_set

# A word of a proper name as articles write it: "Cale", "O'Brien", "Al-Assad", "J.", "U.N."
_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME_RUN = re.compile(rf"(?<![\w'’.-]){_NAME_WORD}(?:[ \t]+{_NAME_WORD})+")
_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}")
_POSSESSIVE = re.compile(r"['’]s$|(?<=s)['’]$")  # "Makar's" -> Makar, "Reuters'" -> Reuters
# What may close a full name without being its surname: "Martin Luther King Jr."
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Titles that qualify an office but alone name nobody's role: "House Speaker", "Vice President", "Former Gov."
_QUALIFIERS = word_set(
    "state house senate republican democratic democrat gop u.s. us majority minority vice prime deputy former "
    "then acting interim"
)


@dataclass(frozen=True)
class _Lexicon:
    """The lexicon's words identity reads (index.reading.attribution.lexicon)."""

    roles: frozenset[str]  # titles and role words, lowercase: "gen", "spokesman", "defenseman"
    honorifics: frozenset[str]  # titles that tell a person before a lone surname: "mr", "mrs", "president"
    leading: frozenset[str]  # words that open a sentence but no name: "But", "When"
    org: frozenset[str]  # words that make a name an organisation's: "Department", "House", "Times"
    common: frozenset[str]  # common nouns that speak, lowercase: "officials", "polls", "workers"
    female_titles: frozenset[str]  # "mrs", "ms"
    male_titles: frozenset[str]  # "mr"
    female_names: frozenset[str]  # common given names: "hillary", "michelle"
    male_names: frozenset[str]
    abbreviations: frozenset[str]  # words a "." follows inside a sentence: "Mr", "Gen", "Calif"


@lru_cache(maxsize=1)
def _words() -> _Lexicon:
    """Return the lexicon's words identity reads, read once."""
    # Imported here: answering a question imports the reading rules only when it groups speakers by identity.
    from index.reading.attribution.lexicon import (
        _DOC,
        _FEMALE_NAMES,
        _FEMALE_TITLES,
        _LEADING,
        _MALE_NAMES,
        _MALE_TITLES,
        _ORG_NOUNS,
        _ORG_WORDS,
        _OUTLETS,
        _PERSON_ROLE,
        _ROLE_NOUNS,
        _SHARES,
        _TITLES,
        _VAGUE,
    )
    from index.reading.attribution.tokens import _ABBREVIATIONS

    nouns = _DOC | _ORG_NOUNS | _SHARES | _VAGUE
    return _Lexicon(
        roles=_TITLES | _PERSON_ROLE | _ROLE_NOUNS,
        honorifics=_FEMALE_TITLES | _MALE_TITLES | frozenset({"dr", "president"}),
        leading=_LEADING,
        org=_ORG_WORDS | _OUTLETS | frozenset(w.capitalize() for w in _ORG_NOUNS),
        common=nouns | frozenset(n + "s" for n in nouns),
        female_titles=_FEMALE_TITLES,
        male_titles=_MALE_TITLES,
        female_names=_FEMALE_NAMES,
        male_names=_MALE_NAMES,
        abbreviations=_ABBREVIATIONS,
    )


def _bare(word: str) -> str:
    return word.lower().replace("’", "'").rstrip(".,")


def _surname(words: Sequence[str]) -> str | None:
    """Return a name's surname, lowercase: its last word before a "Jr." (None for a name of one word)."""
    ws = list(words)
    while len(ws) > 1 and _bare(ws[-1]) in _SUFFIXES:
        ws.pop()
    return _bare(ws[-1]) if len(ws) >= 2 else None


def _without_titles(words: list[str]) -> list[str]:
    """Return a name's words without the title and role words before it: "Defenseman Cale Makar" -> Cale Makar;
    "Mr. Makar" -> Makar; but "General Motors", "Justice Department" and "Senate Republicans" stay whole."""
    lex = _words()
    if len(words) >= 2 and words[0] in {"The", "the"}:
        words = words[1:]
    n = 0
    while n < len(words) - 1 and (_bare(words[n]) in lex.roles or _bare(words[n]) in _QUALIFIERS):
        n += 1
    if n == 0 or all(_bare(w) in _QUALIFIERS for w in words[:n]) or any(w in lex.org for w in words[n:]):
        return words
    rest = words[n:]
    if not rest[0][:1].isupper():
        return words
    if len(rest) == 1 and not any(w.endswith(".") or _bare(w) in lex.honorifics for w in words[:n]):
        return words  # "General Motors": one word left is a person only after "Mr.", "Gen.", "President"
    return rest


def _person_name(words: Sequence[str]) -> bool:
    """Return whether a name of several words may be a person's: capitalised words, no organisation's word, no
    word in capitals but initials and "III" ("White House", "POLITICO New York" and "Senate Republicans" are
    not)."""
    lex = _words()
    given = [w for w in words if not (w.endswith(".") and len(w) <= 4) and _bare(w) not in _SUFFIXES]
    return (
        2 <= len(given) <= 3  # "Recep Tayyip Erdogan", "Brent Bozell III"; a headline is no one's name
        and _bare(words[0]) not in STOPWORDS
        and all(w[:1].isupper() for w in words)
        and not any(w in lex.org or w.rstrip(".") in lex.org for w in words)
        and not any(w.isupper() and len(w) > 1 and "." not in w and _bare(w) not in _SUFFIXES for w in words)
        and words[0] not in lex.leading
    )


def _lone_surname(words: Sequence[str]) -> str | None:
    """Return the surname a one-word name may be (lowercase), or None for an organisation, an acronym, a common
    noun ("Workers", "Polls", "Officials") or a word in lowercase ("officials")."""
    if len(words) != 1:
        return None
    lex = _words()
    word = words[0]
    if not word[:1].isupper() or word.rstrip(".").isupper() or word in lex.org or len(word) < 2:
        return None
    if _bare(word) in lex.roles or _bare(word) in lex.common:
        return None
    return _bare(word)


def _people(names: Iterable[str]) -> list[list[str]]:
    """Return the people a set of full names with one surname stands for, each as its forms, the shortest first:
    a name ending in another ("Avalanche Cale Makar", "Cale Makar") and one first and last name with at most one
    middle form ("Donald Trump", "Donald J. Trump") are one person; "Hillary Clinton" and "Bill Clinton" are two,
    and so are "Donald Trump" and "Donald Trump Jr."."""
    forms = sorted(set(names), key=lambda n: (len(n.split()), n))
    people: list[list[str]] = []  # each person's forms, its shortest first
    for form in forms:
        words = form.split()
        for person in people:
            shortest = person[0].split()
            middle = any(len(f.split()) > 2 and f.split()[0] == words[0] for f in person)
            if form.endswith(" " + person[0]) or (
                len(shortest) == 2 and words[0] == shortest[0] and words[-1] == shortest[-1] and not middle
            ):
                person.append(form)
                break
        else:
            people.append([form])
    return people


def _one_person(names: Iterable[str]) -> str | None:
    """Return the shortest form of the one person these full names stand for, or None when they are several."""
    people = _people(names)
    return people[0][0] if len(people) == 1 else None


def _runs(article_text: str) -> Iterator[list[str]]:
    """Yield the runs of capitalised words an article's text holds, cut where a sentence ends ("... Rhodes. Mr.
    Obama" is two runs) and without its headlines (paragraphs mostly capitalised: "Obama Claims Hillary Most
    Qualified")."""
    for paragraph in article_text.split("\n"):
        words = re.findall(r"[A-Za-z][\w'’-]*", paragraph)
        if len(words) >= 4 and sum(w[:1].isupper() for w in words) > 0.6 * len(words):
            continue
        for run in _NAME_RUN.finditer(paragraph):
            words = []
            for word in run.group().split():
                words.append(word)
                stem = word.rstrip(".")
                if word.endswith(".") and len(stem) > 1 and "." not in stem and stem not in _words().abbreviations:
                    yield words  # "Rhodes." ends a sentence; "Mr." and "J." do not
                    words = []
            if words:
                yield words


@lru_cache(maxsize=64)
def _full_names(article_text: str) -> dict[str, str | None]:
    """Return, by surname (lowercase), the one full person an article names with it (None: two or more, or a
    person whose first name says "she" where the article writes "Mr." before the surname, or the reverse)."""
    lex = _words()
    by_surname: dict[str, set[str]] = {}
    titled: dict[str, set[str]] = {}  # surname -> the genders the article's "Mr.", "Mrs." give it
    for words in _runs(article_text):
        cut = max((i + 1 for i, w in enumerate(words[:-1]) if _POSSESSIVE.search(w)), default=0)
        words = words[cut:]  # "the Avalanche's Cale Makar"
        words[-1] = _POSSESSIVE.sub("", words[-1]) or words[-1]
        while words and words[0] in lex.leading:
            words = words[1:]
        if len(words) == 2 and _bare(words[0]) in lex.female_titles | lex.male_titles:
            titled.setdefault(_bare(words[1]), set()).add("f" if _bare(words[0]) in lex.female_titles else "m")
        words = _without_titles(words) if len(words) >= 2 else words
        surname = _surname(words)
        if surname is not None and _person_name(words):
            by_surname.setdefault(surname, set()).add(" ".join(words).rstrip(",."))
    out: dict[str, str | None] = {}
    for surname, names in by_surname.items():
        person = _one_person(names)
        if person is not None:
            first = person.split()[0].lower()
            gender = "f" if first in lex.female_names else "m" if first in lex.male_names else None
            if gender is not None and titled.get(surname, set()) - {gender}:
                person = None  # "Mr. Obama" in an article whose only full Obama is Michelle Obama
        out[surname] = person
    return out


def speaker_key(speaker: str | None, article_text: str | None = None) -> str | None:
    """Return the key that names a speaker the same way wherever an article writes them: their name without
    titles and role words, a dotted acronym without its dots, and a lone surname as the one full name the article
    gives it; None for no speaker."""
    if not speaker:
        return None
    words = speaker.split()
    if len(words) == 1 and _ACRONYM.fullmatch(speaker):
        words = [speaker.replace(".", "")]  # "U.N." is the UN; "C.V. Starr" keeps his initials
    if len(words) >= 2:  # "Barack Obama's" speaks for him; "McDonald's" stays whole
        words[-1] = _POSSESSIVE.sub("", words[-1]) or words[-1]
    if not speaker[:1].isupper() and not (words[0] == "the" and len(words) > 1 and words[1][:1].isupper()):
        return " ".join(words)  # a group or a role as the article writes it: "officials", "the spokesman"
    words = _without_titles(words)
    surname = _lone_surname(words)
    if surname is not None and article_text:
        full = _full_names(article_text).get(surname)
        if full is not None:
            return full
    return " ".join(words)


def _folded(key: str) -> str:
    """Return a key as identities compare it: in lowercase, with one apostrophe ("O’Malley" is O'Malley)."""
    return key.lower().replace("’", "'")


class SpeakerIdentities:
    """The corpus's speakers as identities: which stored keys (see speaker_key) are one speaker, and the name
    each identity is shown by (its full name; of several written forms, the most claimed)."""

    def __init__(self, counts: Iterable[tuple[str, int]]) -> None:
        counted: dict[str, int] = {}
        for key, n in counts:
            counted[key] = counted.get(key, 0) + n
        # keys that differ only in case (or apostrophe) are one; the form with the most claims names them
        by_case: dict[str, list[str]] = {}
        for key in sorted(counted, key=lambda k: (-counted[k], k)):
            by_case.setdefault(_folded(key), []).append(key)
        shown = {low: forms[0] for low, forms in by_case.items()}
        claims = {low: sum(counted[f] for f in forms) for low, forms in by_case.items()}
        # full names by surname; a full name merged with its one middle form; a lone surname with its one person
        people: dict[str, list[str]] = {}
        for low, name in shown.items():
            words = name.split()
            surname = _surname(words)
            if surname is not None and _person_name(words):
                people.setdefault(surname, []).append(low)
        target = {low: low for low in shown}
        for lows in people.values():
            for person in _people(shown[low] for low in lows):  # each named by its most claimed form
                best = _folded(max(person, key=lambda form: (claims[_folded(form)], -len(form))))
                for form in person:
                    target[_folded(form)] = best
        for low, name in shown.items():
            surname = _lone_surname(name.split())
            if surname is None or surname not in people:
                continue
            persons = {target[o] for o in people[surname]}
            if len(persons) == 1:
                target[low] = persons.pop()
        self._shown = shown
        self._target = target
        self._keys: dict[str, list[str]] = {}
        for low, forms in by_case.items():
            self._keys.setdefault(shown[target[low]], []).extend(forms)

    @property
    def names(self) -> list[str]:
        """Return the identities' names, each once."""
        return list(self._keys)

    @property
    def keys(self) -> list[str]:
        """Return every stored key, each once."""
        return [key for keys in self._keys.values() for key in keys]

    def of(self, key: str | None) -> str | None:
        """Return the name of the identity a stored key belongs to (a key the corpus lacks: itself)."""
        if key is None:
            return None
        low = _folded(key)
        return self._shown[self._target[low]] if low in self._target else key

    def keys_of(self, names: Iterable[str]) -> list[str]:
        """Return every stored key of these identities (by their names), each once."""
        out: list[str] = []
        for name in names:
            for key in self._keys.get(self.of(name) or name, [name]):
                if key not in out:
                    out.append(key)
        return out

    def tally(self, counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
        """Return key counts summed by identity, the most claims first (ties by name)."""
        summed: dict[str, int] = {}
        for key, n in counts:
            name = self.of(key) or key
            summed[name] = summed.get(name, 0) + n
        return sorted(summed.items(), key=lambda item: (-item[1], item[0]))
