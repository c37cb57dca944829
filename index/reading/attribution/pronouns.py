"""Speakers resolved across an article (`_Resolver`): a pronoun to the latest speaker it can stand for ("he" to
a man or someone of unknown gender, "they" to a group), a surname to the full name used before, a role ("the
spokesman") to the person the article gave that role."""

from __future__ import annotations

from dataclasses import replace

from index.reading.attribution.lexicon import (
    _DETERMINERS,
    _NOT_A_NAME,
    _ORG_NOUNS,
    _PEOPLE,
    _PERSON_ROLE,
    _THINGS,
    _TITLES,
)
from index.reading.attribution.speakers import _Speaker, may_speak
from index.terms import word_set


def _plural(s: _Speaker) -> bool:
    """Return whether a speaker is several people: "city leaders", "Lee and Hart"."""
    name = s.name or ""
    words = name.split()
    return bool(words) and (" and " in name or name[0].islower() and words[-1].endswith("s")
                            or len(words) == 1 and words[0].endswith("s") and words[0].lower() in _PEOPLE | _PERSON_ROLE
                            or words[-1] in _GROUP_NAMES or words[-1].endswith(("ians", "icans", "eans"))
                            or s.vague and words[-1].endswith("s"))


_ORDINALS = word_set("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                     "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth")
# Heads of names that are a law, a place or an institution, never a "he" or a "she".
_NOT_PEOPLE = _THINGS | word_set("amendment act core circle circuit court school elementary university college street "
                                 "avenue park county city river hall center centre hospital")
_PEOPLE_NOUNS = _PEOPLE | _PERSON_ROLE | _ORG_NOUNS  # heads of a plural subject that is people


def _people(s: _Speaker) -> bool:
    """Return whether a plural subject may be people "they" stands for: a name ("Republicans"), people ("city
    leaders", "these farmers", "activists"), not things ("Six stops", "These issues", "Two marches")."""
    words = (s.name or "").split()
    if not words:
        return False
    last = words[-1]
    return last[:1].isupper() or last.lower() in _PEOPLE_NOUNS or last.lower().endswith(
        ("ers", "ists", "ians", "ans", "ents", "ors", "ives", "ees", "ics"))


# Capitalised names of groups of people: "he" or "she" never stands for them.
_GROUP_NAMES = word_set(
    "Democrats Republicans Texans Kansans Muslims Christians Jews Latinos Hispanics Conservatives Liberals "
    "Progressives Evangelicals Catholics Protestants Mormons Independents Britons Kurds Arabs Turks")




class _Resolver:
    """The article's speakers so far: for pronouns, surnames and roles."""

    def __init__(self) -> None:
        self.people: list[_Speaker] = []  # latest last
        self.groups: list[_Speaker] = []
        self.by_surname: dict[str, _Speaker] = {}
        self.roles: list[tuple[frozenset[str], _Speaker]] = []
        self.mentions: dict[str, tuple[int, _Speaker]] = {}  # surname: (first sentence, the person) of full names
        self.at = 0  # the sentence being read: a full name counts from the sentence it first appears in

    def mention(self, surname: str) -> _Speaker | None:
        """Return the person a surname stands for when the article named them in full up to here ("Hillary
        Clinton" anywhere before, as subject or not), else None."""
        seen = self.mentions.get(surname.lower())
        return seen[1] if seen is not None and seen[0] <= self.at else None

    def note(self, s: _Speaker) -> None:
        """Remember a named speaker (or a person the sentence is about)."""
        if s.name is None or not may_speak(s.name):
            return
        if s.person and not s.vague:
            self.people.append(s)
            words = s.name.split()
            if len(words) >= 2:
                self.by_surname.setdefault(words[-1].lower(), s)
            if s.role:
                role_words = frozenset(w.lower().strip(".,") for w in s.role.split()) - _DETERMINERS - {"of"}
                self.roles.append((role_words, s))
        else:
            self.groups.append(s)

    def plausible(self, s: _Speaker) -> bool:
        """Return whether a sentence's subject (not a speaker with a cue) may be a person a pronoun stands for: a
        name already met, or two or more name words that are not an adjective opening the sentence."""
        words = (s.name or "").split()
        if not words:
            return False
        if len(words) == 1:  # "Mrs. Lee" or a surname met in full; a lone first-name-like word ("Orlando") is not
            titled = s.as_written.split()[0].lower().strip(".") in _TITLES if s.as_written else False
            return words[0].lower() in self.by_surname or self.mention(words[0]) is not None or (
                s.gender is not None and titled)
        if words[0].lower() in _ORDINALS or words[0].lower() in _NOT_A_NAME or words[-1].lower() in _NOT_PEOPLE:
            return False  # "Ninth Circle", "Six stops", "Fourteenth Amendment", "Sandy Hook Elementary School"
        return not words[0].lower().endswith(("ly", "ous", "ing", "ed", "est", "ive", "al"))

    def resolve(self, s: _Speaker) -> _Speaker | None:
        """Return the speaker a found speaker stands for: a pronoun's antecedent, a surname's full name, a role's
        person; None when a pronoun has no antecedent here."""
        if s.pronoun is not None:
            if s.pronoun in {"he", "she"}:
                want = "m" if s.pronoun == "he" else "f"
                for p in reversed(self.people):
                    g = p.gender
                    if p.name and p.name[:1].isupper() and (g is None or g == want) and not _plural(p):
                        return replace(p, as_written=s.as_written, role=p.role)
                return None
            if s.pronoun in {"they", "it"}:
                return replace(self.groups[-1], as_written=s.as_written) if self.groups else None
            return None
        if s.name is None:
            return None
        words = s.name.split()
        if len(words) == 1 and words[0].lower() in self.by_surname:
            full = self.by_surname[words[0].lower()]
            return replace(full, as_written=s.as_written)
        if len(words) == 1 and (met := self.mention(words[0])) is not None:
            return replace(met, as_written=s.as_written, role=s.role or met.role)
        if all(w[:1].islower() or w.lower().strip(".") in _TITLES for w in words):
            # "the spokesman", "the Republican candidate": the person the article gave that role
            wanted = {w.lower().strip(".,") for w in words} - _DETERMINERS
            if wanted & _PERSON_ROLE:
                for role_words, p in reversed(self.roles):
                    if wanted <= role_words:
                        return replace(p, as_written=s.as_written)
        return s
