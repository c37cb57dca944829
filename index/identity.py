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
from collections.abc import Iterable, Sequence
from functools import lru_cache

from index.terms import word_set

# A word of a proper name as articles write it: "Cale", "O'Brien", "Al-Assad", "J.", "U.N."
_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME_RUN = re.compile(rf"(?<![\w'’.-]){_NAME_WORD}(?:[ \t]+{_NAME_WORD})+")
_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
# What may close a full name without being its surname: "Martin Luther King Jr."
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Titles that qualify an office but alone name nobody's role: "House Speaker", "Vice President", "Former Gov."
_QUALIFIERS = word_set(
    "state house senate republican democratic democrat gop u.s. us majority minority vice prime deputy former "
    "then acting interim"
)


def _words() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Return the lexicon's words identity reads: roles and titles (lowercase), honorific titles that tell a
    person before a lone surname ("Mr.", "Mrs."), the words that open a sentence but no name, and the words that
    make a name an organisation's."""
    # Imported here: answering a question imports the reading rules only when it groups speakers by identity.
    from index.reading.attribution.lexicon import (
        _FEMALE_TITLES,
        _LEADING,
        _MALE_TITLES,
        _ORG_NOUNS,
        _ORG_WORDS,
        _OUTLETS,
        _PERSON_ROLE,
        _ROLE_NOUNS,
        _TITLES,
    )

    roles = _TITLES | _PERSON_ROLE | _ROLE_NOUNS
    honorifics = _FEMALE_TITLES | _MALE_TITLES | frozenset({"dr", "president"})
    org = _ORG_WORDS | _OUTLETS | frozenset(w.capitalize() for w in _ORG_NOUNS)
    return roles, honorifics, _LEADING, org


def _bare(word: str) -> str:
    return word.lower().rstrip(".,")


def _surname(words: Sequence[str]) -> str | None:
    """Return a name's surname, lowercase: its last word before a "Jr." (None for a name of one word)."""
    ws = list(words)
    while len(ws) > 1 and _bare(ws[-1]) in _SUFFIXES:
        ws.pop()
    return _bare(ws[-1]) if len(ws) >= 2 else None


def _without_titles(words: list[str]) -> list[str]:
    """Return a name's words without the title and role words before it: "Defenseman Cale Makar" -> Cale Makar;
    "Mr. Makar" -> Makar; but "General Motors", "Justice Department" and "Senate Republicans" stay whole."""
    roles, honorifics, leading, org = _words()
    if len(words) >= 2 and words[0] in {"The", "the"}:
        words = words[1:]
    n = 0
    while n < len(words) - 1 and (_bare(words[n]) in roles or _bare(words[n]) in _QUALIFIERS):
        n += 1
    if n == 0 or all(_bare(w) in _QUALIFIERS for w in words[:n]) or any(w in org for w in words[n:]):
        return words
    rest = words[n:]
    if not rest[0][:1].isupper():
        return words
    if len(rest) == 1 and not any(w.endswith(".") or _bare(w) in honorifics for w in words[:n]):
        return words  # "General Motors": one word left is a person only after "Mr.", "Gen.", "President"
    return rest


def _person_name(words: Sequence[str]) -> bool:
    """Return whether a name of several words may be a person's: capitalised words, no organisation's word, not
    all in capitals ("White House", "NBC News" and "Senate Republicans" are not)."""
    _, _, leading, org = _words()
    return (
        len(words) >= 2
        and all(w[:1].isupper() for w in words)
        and not any(w in org or w.rstrip(".") in org for w in words)
        and not all(w.rstrip(".").isupper() for w in words)
        and words[0] not in leading
    )


def _lone_surname(words: Sequence[str]) -> str | None:
    """Return the surname a one-word name may be (lowercase), or None for an organisation, an acronym or a word
    in lowercase ("officials")."""
    if len(words) != 1:
        return None
    _, _, _, org = _words()
    word = words[0]
    if not word[:1].isupper() or word.rstrip(".").isupper() or word in org or len(word) < 2:
        return None
    return _bare(word)


def _one_person(names: Iterable[str]) -> str | None:
    """Return the one person a set of full names with one surname stands for, or None when they are two or more
    people: a name ending in another ("Colorado defenseman Cale Makar", "Cale Makar") and one first and last name
    with at most one middle form ("Donald Trump", "Donald J. Trump") are one; "Hillary Clinton" and "Bill Clinton"
    are two."""
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
    return people[0][0] if len(people) == 1 else None


@lru_cache(maxsize=64)
def _full_names(article_text: str) -> dict[str, str | None]:
    """Return, by surname (lowercase), the one full person an article names with it (None: two or more)."""
    by_surname: dict[str, set[str]] = {}
    for run in _NAME_RUN.finditer(article_text):
        words = run.group().split()
        cut = max((i + 1 for i, w in enumerate(words[:-1]) if _POSSESSIVE.search(w)), default=0)
        words = words[cut:]  # "the Avalanche's Cale Makar"
        words[-1] = _POSSESSIVE.sub("", words[-1]) if len(words[-1]) > 3 else words[-1]
        _, _, leading, _ = _words()
        while words and words[0] in leading:
            words = words[1:]
        words = _without_titles(words) if len(words) >= 2 else words
        surname = _surname(words)
        if surname is not None and _person_name(words):
            by_surname.setdefault(surname, set()).add(" ".join(words).rstrip(",."))
    return {surname: _one_person(names) for surname, names in by_surname.items()}


def speaker_key(speaker: str | None, article_text: str | None = None) -> str | None:
    """Return the key that names a speaker the same way wherever an article writes them: their name without
    titles and role words, a dotted acronym without its dots, and a lone surname as the one full name the article
    gives it; None for no speaker."""
    if not speaker:
        return None
    words = [(_ACRONYM.fullmatch(w) and w.replace(".", "")) or w for w in speaker.split()]
    if not speaker[:1].isupper() and not (words[0] == "the" and len(words) > 1 and words[1][:1].isupper()):
        return " ".join(words)  # a group or a role as the article writes it: "officials", "the spokesman"
    words = _without_titles(words)
    surname = _lone_surname(words)
    if surname is not None and article_text:
        full = _full_names(article_text).get(surname)
        if full is not None:
            return full
    return " ".join(words)


class SpeakerIdentities:
    """The corpus's speakers as identities: which stored keys (see speaker_key) are one speaker, and the name
    each identity is shown by (its full name; of several written forms, the most claimed)."""

    def __init__(self, counts: Iterable[tuple[str, int]]) -> None:
        counted: dict[str, int] = {}
        for key, n in counts:
            counted[key] = counted.get(key, 0) + n
        # keys that differ only in case are one; the form with the most claims names them
        by_case: dict[str, list[str]] = {}
        for key in sorted(counted, key=lambda k: (-counted[k], k)):
            by_case.setdefault(key.lower(), []).append(key)
        shown = {low: forms[0] for low, forms in by_case.items()}
        # full names by surname; a full name merged with its one middle form; a lone surname with its one person
        people: dict[str, list[str]] = {}
        for low, name in shown.items():
            words = name.split()
            surname = _surname(words)
            if surname is not None and _person_name(words):
                people.setdefault(surname, []).append(low)
        target = {low: low for low in shown}
        for lows in people.values():
            person = _one_person(shown[low] for low in lows)
            if person is not None:  # every full name of this surname is one person, named by its shortest
                for low in lows:
                    target[low] = person.lower()
            elif len(lows) > 1:  # "Donald Trump" and "Donald J. Trump" beside Ivanka Trump: by first name
                for low in lows:
                    words = shown[low].split()
                    same = [o for o in lows if shown[o].split()[0] == words[0]]
                    one = _one_person(shown[o] for o in same) if len(same) > 1 else None
                    if one is not None:
                        target[low] = one.lower()
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
        low = key.lower()
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
