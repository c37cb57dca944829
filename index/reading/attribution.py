"""Attribution of an article's sentences: who makes each claim (`speaker`), the words that say so (`cue`) and
how (`kind`: a direct quote, reported speech, "according to", or the article's own voice). Rule-based, with
quotation marks followed across the sentences of a paragraph."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.model import NO_ATTRIBUTION, Attribution, Sentence

_UPPER = "A-ZÀ-ÖØ-Þ"
# One capitalised token of a name: a title or initial before another capital ("Gen. Martin"), a dotted
# acronym ("U.S."), or a capitalised word ("Dempsey", "ex-Libyan", "O'Neill", "CNN").
_TOKEN = (
    rf"(?:[{_UPPER}][a-z]{{0,4}}\.(?=\s+[{_UPPER}])"
    rf"|(?:[{_UPPER}]\.){{2,}}"
    rf"|[{_UPPER}][\w&-]*(?:['’](?!s\b)[\w&-]+)*)"
)
_CONNECT = r"\s+(?:(?:of|for|on|and|&|de|del|da|du|la|le|van|von|der|den|bin|ibn|al|el)\s+(?:the\s+)?)?"
_NAME = rf"{_TOKEN}(?:{_CONNECT}{_TOKEN})*+"

_VERBS = (
    "said|says|say|told|tells|reported|reports|claimed|claims|added|adds|stated|announced|announces|warned|"
    "warns|explained|explains|noted|wrote|writes|insisted|insists|argued|argues|confirmed|confirms|denied|"
    "denies|alleged|alleges|estimated|predicted|predicts|acknowledged|acknowledges|declared|declares|"
    "testified|tweeted|believes|believed|suggested|concluded|cautioned|contended|asserted|maintained|"
    "recalled|complained|admitted|admits|urged|urges|vowed|vows|promised|asked"
)
_INVERTED_VERBS = (
    "said|says|reports|reported|added|adds|wrote|writes|explained|noted|continued|warned|claimed|stated|"
    "announced|asked|insisted|argued|recalled|cautioned"
)
_DOC_NOUNS = (
    "report|reports|study|survey|statement|analysis|investigation|poll|article|story|assessment|review|"
    "document|memo|filing|complaint|lawsuit|indictment|data|figures|estimates|tally|count|census|website|"
    "account|sources?"
)
_GROUPS = (
    "police|officials|authorities|witnesses|residents|analysts|experts|sources|prosecutors|investigators|"
    "researchers|scientists|diplomats|doctors|activists|rebels|lawmakers|legislators|observers|critics|"
    "organi[sz]ers|spokes(?:man|woman|person)|officers|troops|soldiers|medics|rescuers|campaigners|"
    "aides|advisers|advisors|economists|monitors"
)
# An appositive ("Noman Benotman, a ex-Libyan jihadist ..., told") does not start with a conjunction.
_CONJUNCTIONS = r"(?:and|or|but|so|then|while|as|if|when|where|because|although|though|since|after|before)"
# Words between a speaker and the verb: "has repeatedly warned", "also said".
_AUX = (
    r"(?:(?:also|later|previously|earlier|then|has|had|have|once|recently|repeatedly|again|publicly|"
    r"reportedly|now|first|further|separately|simply|flatly|would|will)\s+){0,3}"
)
_ADJ = r"(?:(?:new|recent|latest|separate|leaked|published|preliminary|official|internal|earlier|later)\s+)?"

_SUBJECT_VERB = re.compile(
    rf"(?<![\w.'’-])(?P<spk>{_NAME}|(?:(?P<gmod>{_NAME})\s+)?(?:the\s+|a\s+|an\s+)?(?P<grp>{_GROUPS}))"
    rf"(?P<app>,\s+(?!{_CONJUNCTIONS}\b)[^,;\x00]{{1,220}}?,)?\s+{_AUX}(?P<verb>{_VERBS})\b"
    rf"(?:\s+(?P<obj>(?:the\s+)?{_NAME}|reporters|journalists|lawmakers|parliament|congress|me|us|him|her|them))?"
)
_PRONOUN_VERB = re.compile(
    rf"(?<![\w'’-])(?P<pron>[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e)\s+{_AUX}(?P<verb>{_VERBS})\b"
    rf"(?:\s+(?P<obj>(?:the\s+)?{_NAME}|reporters|journalists|lawmakers|parliament|congress|me|us|him|her|them))?"
)
_INVERTED = re.compile(
    rf"(?:^|(?<=[,;:\x00\"”—–-]))\s*(?P<verb>{_INVERTED_VERBS})\s+"
    rf"(?P<spk>(?:the\s+)?{_NAME}|(?:(?:the|a|an)\s+)?(?P<grp>{_GROUPS}))(?=\s*(?:[.,;:!?\x00\"”]|$))"
)
_ACCORDING = re.compile(
    rf"\b[Aa]ccording\s+to\s+(?:(?:a|an|the)\s+)?{_ADJ}"
    rf"(?:(?P<spk>{_NAME})(?:['’]s?)?(?:\s+(?:{_DOC_NOUNS})\b)?|(?P<grp>{_GROUPS})\b)"
)
_DOCUMENT_SAYS = re.compile(
    rf"\b(?:[Tt]he|[Aa]n?)\s+{_ADJ}(?P<spk>{_NAME})(?:['’]s)?\s+(?:{_DOC_NOUNS})\s+"
    rf"(?P<verb>{_VERBS}|found|finds|shows|showed|concluded|concludes|suggests|revealed|reveals)\b"
)
# A cheap test before the patterns run: does the text outside quotations contain any cue word at all?
_ANY_CUE = re.compile(
    rf"(?i)\b(?:{_VERBS}|{_INVERTED_VERBS}|according|found|finds|shows|showed|reveals?|revealed)\b"
)

_LEADING = (
    "The A An But And Or So Yet Then Now Still Also However Meanwhile Moreover Later Earlier Last This That "
    "These Those In On At For From By With After Before During When While If As Since Although Though Many "
    "Some Most Few Several Both All Each Every Other Others Another Such There Here Today Yesterday "
    "Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday Instead Indeed Finally Separately "
    "Asked Speaking Writing Unlike Like Under Over Against Despite Because"
)
_LEADING_WORDS = frozenset(_LEADING.split())
_PRONOUN_WORDS = "He She They It We I You His Her Its Their Our"
_PRONOUNS = frozenset(_PRONOUN_WORDS.split())
_ORGS = (
    "Times News Post Journal Foundation Ministry Department Agency Council Committee Party Army Forces "
    "Force Police Office Institute University Group Organization Organisation Association Commission "
    "Government Court Bank Company Corp Inc Ltd Union Network Reuters Press Television TV Radio Channel "
    "Service Watch International Nations States Pentagon Kremlin House Congress Senate Parliament Guardian "
    "Telegraph Herald Tribune Gazette Daily Weekly BBC CNN AP AFP ISIS NATO UN EU Fund Center Centre "
    "Authority Bureau Board Staff Institution Monitor Observatory Coalition Alliance Front Brigade"
)
_ORG_WORDS = frozenset(_ORGS.split())
_GROUP_WORDS = re.compile(rf"(?i)^(?:{_GROUPS})$")


@dataclass(frozen=True)
class _Cue:
    """An attribution found in one sentence, before pronouns are resolved."""

    start: int
    speaker: str | None
    cue: str
    kind: str
    pronoun: str | None = None


def _clean_speaker(raw: str) -> str | None:
    """Return a speaker name without leading sentence words ("But", "The"), or None if no name is left."""
    tokens = raw.split()
    while tokens and tokens[0] in _LEADING_WORDS | {"the", "a", "an"}:
        tokens = tokens[1:]
    while tokens and tokens[-1] in {"of", "for", "and", "the", "on"}:
        tokens = tokens[:-1]
    if not tokens or tokens[0] in _PRONOUNS:
        return None
    name = " ".join(tokens)
    if len(name) < 2 or not (name[0].isupper() or _GROUP_WORDS.match(tokens[-1])):
        return None
    return name


def _is_person(name: str) -> bool:
    """Return whether a speaker looks like a person (so "he" or "she" may refer to them)."""
    tokens = name.replace(".", ". ").split()
    if _GROUP_WORDS.match(tokens[-1]) or any(t.strip(".") in _ORG_WORDS for t in tokens):
        return False
    return not all(t.isupper() for t in tokens if t[0].isalpha())


def _mask_quotes(text: str, inside: bool) -> tuple[str, bool, bool]:
    """Return the text with quotations blanked out, whether it ends inside one, and whether it has one."""
    chars = list(text)
    quoted = False
    for i, c in enumerate(chars):
        if c == '"':
            if inside:
                chars[i] = "\x00"
            inside = not inside
            if inside:
                chars[i] = "\x00"
                quoted = True
        elif c == "“":
            inside = quoted = True
            chars[i] = "\x00"
        elif c == "”":
            chars[i] = "\x00"
            inside = False
        elif inside:
            chars[i] = "\x00"
            quoted = True
    return "".join(chars), inside, quoted


def _verb_cue(m: re.Match[str]) -> str:
    """Return the cue of a speaker-verb match: the verb, with its listener after "told" ("told CNN")."""
    if m.group("obj") and m.group("verb") in ("told", "tells"):
        return f"{m.group('verb')} {m.group('obj')}"
    return m.group("verb")


def _cues(outside: str) -> list[_Cue]:
    """Return the attribution cues in a sentence's text outside quotations, first one first."""
    if not _ANY_CUE.search(outside):
        return []
    found: list[_Cue] = []
    for m in _ACCORDING.finditer(outside):
        speaker = _clean_speaker(m.group("spk") or m.group("grp") or "")
        if speaker:
            found.append(_Cue(m.start(), speaker, m.group(0), "according_to"))
    for m in _DOCUMENT_SAYS.finditer(outside):
        speaker = _clean_speaker(m.group("spk"))
        if speaker:
            found.append(_Cue(m.start(), speaker, m.group(0), "reported"))
    for m in _SUBJECT_VERB.finditer(outside):
        raw = m.group("spk")
        speaker = _clean_speaker(raw)
        if speaker is None and m.group("grp"):
            speaker = _clean_speaker(m.group("grp"))
        if speaker:
            found.append(_Cue(m.start() + raw.find(speaker.split()[0]), speaker, _verb_cue(m), "reported"))
    for m in _PRONOUN_VERB.finditer(outside):
        found.append(_Cue(m.start(), None, _verb_cue(m), "reported", pronoun=m.group("pron").lower()))
    for m in _INVERTED.finditer(outside):
        speaker = _clean_speaker(m.group("spk"))
        if speaker:
            found.append(_Cue(m.start("verb"), speaker, outside[m.start("verb") : m.end()], "reported"))
    found.sort(key=lambda c: c.start)
    return found


def attribute(sentences: Sequence[Sentence]) -> list[Attribution]:
    """Return one attribution per sentence of an article, in order, following quotations across sentences."""
    n = len(sentences)
    own: list[Attribution | None] = [None] * n
    quoted = [False] * n
    bare_quote = [False] * n  # nothing but a quotation: no words of the article's own
    opens_quote = [False] * n
    continues = [False] * n  # starts inside a quotation opened by the sentence before
    last_person: str | None = None
    last_other: str | None = None
    inside = False
    for i, s in enumerate(sentences):
        if i == 0 or s.paragraph != sentences[i - 1].paragraph:
            inside = False
        continues[i] = inside
        masked, inside, quoted[i] = _mask_quotes(s.text, inside)
        opens_quote[i] = s.text.lstrip()[:1] in ('"', "“")
        bare_quote[i] = quoted[i] and not re.search(r"\w", masked)
        found = _cues(masked)
        if not found:
            continue
        c = found[0]
        speaker = c.speaker
        if c.pronoun in ("he", "she"):
            speaker = last_person
        elif c.pronoun == "it":
            speaker = last_other
        elif c.pronoun is not None:
            speaker = None
        if c.speaker:
            if _is_person(c.speaker):
                last_person = c.speaker
            else:
                last_other = c.speaker
        own[i] = Attribution(speaker=speaker, cue=c.cue, kind=c.kind)

    result: list[Attribution] = []
    run_of: list[Attribution | None] = [None] * n
    i = 0
    previous_run: tuple[int, Attribution] | None = None  # (last sentence, attribution) of the last quotation
    while i < n:
        if not quoted[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and continues[j + 1]:
            j += 1
        run = next((own[k] for k in range(i, j + 1) if own[k] is not None), None)
        if (
            run is None
            and previous_run is not None
            and previous_run[0] == i - 1
            and opens_quote[i]
            and all(bare_quote[k] for k in range(i, j + 1))
        ):
            run = previous_run[1]  # a bare quotation right after an attributed one: the same speaker goes on
        if run is not None:
            run = Attribution(speaker=run.speaker, cue=run.cue, kind="quote")
            previous_run = (j, run)
        for k in range(i, j + 1):
            run_of[k] = run
        i = j + 1

    for i in range(n):
        mine, run = own[i], run_of[i]
        if quoted[i] and mine is not None:
            result.append(Attribution(speaker=mine.speaker, cue=mine.cue, kind="quote"))
        elif mine is not None:
            result.append(mine)
        elif run is not None:
            result.append(run)
        elif bare_quote[i]:
            result.append(Attribution(kind="quote"))
        else:
            result.append(NO_ATTRIBUTION)
    return result
