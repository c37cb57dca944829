"""Who a noun phrase names, found in one sentence: a speaker (`_Speaker`) read from its tokens, with a role
("party spokesman Tom Hart"), an affiliation, a gender and whether it is vague; where that noun phrase lies
around a verb (before it, past auxiliaries, settings and appositives; after an inverted verb; the main clause's
subject); and whether a name may be shown on a card at all (`may_speak`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.reading.attribution.lexicon import (
    _ADJECTIVE_ENDINGS,
    _ADVERB_ENDINGS,
    _ADVERBS,
    _AUX,
    _CLAUSE_OPENERS,
    _CONJ,
    _DETERMINERS,
    _DOC,
    _FEMALE_NAMES,
    _FEMALE_TITLES,
    _FIND,
    _LEADING,
    _MALE_NAMES,
    _MALE_TITLES,
    _NOT_A_NAME,
    _NOT_AFTER_VERB,
    _NOT_SPEAKERS,
    _NP_STOP,
    _ORG_NOUNS,
    _ORG_WORDS,
    _OUTLETS,
    _PARTICIPLES,
    _PASSIVE,
    _PEOPLE,
    _PERSON_ROLE,
    _PRONOUN_SUBJECTS,
    _RELATIVE,
    _ROLE_NOUNS,
    _SAY,
    _SETTING,
    _SETTING_OPENERS,
    _SHARES,
    _STATE_ABBREVIATIONS,
    _THINGS,
    _TIME_TAIL,
    _TITLES,
    _VAGUE,
)
from index.reading.attribution.tokens import _ABBREVIATIONS, _Tok
from index.terms import word_set


@dataclass(frozen=True)
class _Speaker:
    """A speaker as found in one sentence, before it is resolved against the article."""

    name: str | None  # normalised ("Martin Dempsey"), or None for a pronoun
    as_written: str
    role: str | None = None
    vague: bool = False
    pronoun: str | None = None
    person: bool = False
    gender: str | None = None  # "f" or "m" when a title or a first name tells it


def _is_name_token(t: _Tok) -> bool:
    """Return whether a token may be part of a name: capitalised, and not "union-backed"."""
    if not (t.word and t.text[:1].isupper()):
        return False
    tail = t.text.rsplit("-", 1)[-1]
    return "-" not in t.text or not tail.islower()


def _strip_party(text: str) -> str:
    """Return a name without a party-and-state tag ("(R-S.C.)", ", R-Ky.") or a trailing age."""
    text = re.sub(r"\s*\((?:[RDI]|R-|D-|I-)[^)]*\)\s*$", "", text)
    text = re.sub(r",\s*[RDI]-[A-Z][\w.]*\.?\s*$", "", text)
    return text.strip(" ,")


def _speaker_from(words: Sequence[_Tok], text: str) -> _Speaker | None:
    """Return the speaker a noun phrase names (its tokens, in order), or None when it names nobody."""
    toks = list(words)
    if toks and toks[-1].text == ")" and any(t.text == "(" for t in toks):
        toks = toks[: max(i for i, t in enumerate(toks) if t.text == "(")]  # "Sen. Ann Lee (D-Ore.)"
    while toks and (toks[-1].text in {",", "'s", "’s"} or toks[-1].low in {"of", "for", "and", "the", "at"}):
        toks.pop()
    while toks and (toks[0].text in _LEADING and not (len(toks) > 1 and toks[0].low in _DETERMINERS)
                    and toks[0].low not in _DETERMINERS):
        toks = toks[1:]
    if len(toks) > 1 and toks[0].text[:1].islower() and toks[0].low.endswith("ing") and toks[0].word:
        toks = toks[1:]  # "echoing security experts who say", "out-brutalizing Ted Cruz, who said": the participle
    if not toks:
        return None
    as_written = _strip_party(text[toks[0].start : toks[-1].end])
    if toks[-1].low in _NOT_SPEAKERS or toks[-1].low in _DETERMINERS and len(toks) == 1 and toks[-1].low not in _VAGUE:
        return None
    if len(toks) == 1 and toks[0].low in _PRONOUN_SUBJECTS:
        return None
    # The proper name: the last run of capitalised tokens (with "of", "for", "and", "de" inside).
    end = len(toks)
    while end > 0 and not _is_name_token(toks[end - 1]):
        end -= 1
    common = _VAGUE | _PERSON_ROLE | _ORG_NOUNS | _DOC
    if end == 1 and len(toks) == 1 and toks[0].low in common:
        end = 0  # "Sources said", "Officials said": a common noun capitalised at the start of a sentence
    if end == len(toks) and end > 0:
        start = end
        while start > 0 and (
            _is_name_token(toks[start - 1])
            or (toks[start - 1].low in {"of", "for", "de", "del", "van", "von", "al", "bin", "&", "and"}
                and start - 2 >= 0 and _is_name_token(toks[start - 2]))
            or (toks[start - 1].low == "the" and start - 2 >= 0 and toks[start - 2].low in {"of", "for"})
        ):
            start -= 1
        name_toks = toks[start:end]
        while name_toks and name_toks[0].low in {"of", "for", "the", "and"}:
            name_toks = name_toks[1:]
        # Titles before the person's name are their role: "party spokesman Tom Hart", "Sen. Ann Lee".
        cut = 0
        for i, t in enumerate(name_toks[:-1]):
            if t.low.rstrip(".") in _TITLES or (t.low == "of" and i > 0 and name_toks[i - 1].low.rstrip(".")
                                                in _TITLES):
                cut = i + 1
                if t.low == "of" and i + 2 < len(name_toks):
                    cut = i + 2  # "Secretary of State Jane Roe": the office is one word after "of"
        while cut < len(name_toks) - 1 and name_toks[cut].text in _LEADING:
            cut += 1
        # "Dayton's Reyes", "Channel 9's Omar Haddad": the possessor is where the person works, not the person.
        for i, t in enumerate(name_toks[:-1]):
            if i >= cut and (t.text.endswith(("'s", "’s", "s'", "s’"))):
                cut = i + 1
        person_toks = name_toks[cut:]
        affiliation = None
        # "Dana Reyes of the Harbor Institute": a person's name, then where they work.
        of = next((i for i, t in enumerate(person_toks) if t.low in {"of", "for"}), None)
        if of is not None and of >= 2 and not any(
                t.text.strip(".") in _ORG_WORDS or t.low.rstrip(".") in _TITLES for t in person_toks[:of]):
            affiliation = text[person_toks[of].start : person_toks[-1].end]
            person_toks = person_toks[:of]
        if not person_toks or all(t.text in _LEADING for t in person_toks):
            return None
        name = _strip_party(text[person_toks[0].start : person_toks[-1].end])
        role_toks = toks[: toks.index(name_toks[0]) + cut] if cut or start > 0 else []
        role_toks = [t for t in role_toks if t.low not in {"the", "a", "an"}]
        while role_toks and role_toks[0].low in _DETERMINERS | {"by", "to", "of"}:
            role_toks = role_toks[1:]
        described = bool(cut) or any(not t.cap and t.word for t in role_toks)  # "researcher", not "But"
        role = affiliation or (text[role_toks[0].start : role_toks[-1].end] if role_toks and described else None)
        if role is not None and all(w.endswith(".") and w[:-1] in _ABBREVIATIONS for w in role.split()):
            role = None  # "Dr.", "Gen.": a title stays with the name as written, it is not a role
        titles = {t.low.rstrip(".") for t in name_toks[:cut]}
        female = bool(titles & _FEMALE_TITLES) or person_toks[0].low in _FEMALE_NAMES
        male = bool(titles & _MALE_TITLES) or person_toks[0].low in _MALE_NAMES
        org = any(t.text.strip(".") in _ORG_WORDS for t in person_toks) or all(
            t.text.isupper() or t.text.endswith(".") for t in person_toks)
        if len(person_toks) == 1 and person_toks[0].low.rstrip(".") in _TITLES:
            return None
        person = not org and (len(person_toks) >= 2 or female or male or bool(titles) or len(person_toks) == 1)
        gender = "f" if female and not male else "m" if male and not female else None
        return _Speaker(name, as_written, role, False, None, person, gender)
    # A document of a named owner: "the CNN report", "a new UN study" speak for CNN and the UN.
    if toks[-1].low in _DOC and end > 0:
        owner = _speaker_from(toks[:end], text)
        if owner is not None and owner.name:
            return replace(owner, as_written=as_written, person=False)
    # A common noun phrase: "the spokesman", "former employees", "a person familiar with the talks".
    body = [t for t in toks if t.word]
    if not body:
        return None
    while body and body[0].low in {"the", "a", "an"}:
        body = body[1:]
    if not body:
        return None
    phrase = text[body[0].start : body[-1].end]
    of = next((n for n, t in enumerate(body) if t.low in {"of", "for"} and n > 0), None)
    last = (body[of - 1] if of is not None else body[-1]).low  # the head: "critics" of "critics of the plan"
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
    counted = last in {"surveyed", "polled", "interviewed", "questioned"} and len(body) > 1
    determined = toks[0].low in _DETERMINERS and len(body) <= 6 and not last.endswith(_ADJECTIVE_ENDINGS)
    if not (determined or last in _VAGUE or last in _PERSON_ROLE or last in _DOC or last in _ORG_NOUNS or plural
            or last in _SHARES or counted or last.rstrip("%").isdigit()):
        return None
    if last.endswith(("ed", "ing", "ly")) and not counted and last not in _DOC | _VAGUE | _ORG_NOUNS:
        return None
    # Vague: people nobody can check ("sources", "officials", "74 percent", "those surveyed"); a role ("the
    # admiral"), an organisation or a document is not vague.
    vague = (last in _VAGUE or last in _SHARES or counted or plural) and last not in _DOC | _ORG_NOUNS
    return _Speaker(phrase, as_written, None, vague, None, last in _PERSON_ROLE)


def _np_back(toks: Sequence[_Tok], k: int, limit: int = 9) -> int:
    """Return where the noun phrase that ends before token k starts (k itself: none); a parenthesis closing it
    ("Rep. Ana Cruz (D-Ore.)") is skipped."""
    if k > 0 and toks[k - 1].text == ")":
        j = k - 1
        while j > 0 and toks[j].text != "(":
            j -= 1
        if j > 0:
            k = j
    i = k
    while i > 0 and k - i < limit:
        t = toks[i - 1]
        if not t.word:
            if t.text == "&":
                i -= 1
                continue
            break
        low = t.low
        if low in _DETERMINERS:
            i -= 1
            if i >= 2 and toks[i - 1].low in {"of", "for"} and toks[i - 2].word and toks[i - 2].low not in _NP_STOP:
                i -= 1  # "critics of the plan": the phrase goes on before "of"
                continue
            break
        if low in _NP_STOP and not t.cap:
            break
        if low in {"of", "in", "for", "at", "from", "on"} and i < k and i - 2 >= 0 and toks[i - 2].word:
            i -= 1  # "half of voters in each state", "a spokesman for the campaign"
            continue
        if low == "and":
            # "Smith and Jones said": both sides names; otherwise the phrase ends here.
            if i < k and toks[i].cap and i - 2 >= 0 and toks[i - 2].cap:
                i -= 1
                continue
            break
        i -= 1
    return i


def _np_forward(toks: Sequence[_Tok], i: int, limit: int = 10) -> int:
    """Return where the noun phrase that starts at token i ends (exclusive; i itself: none)."""
    j = i
    seen_word = False
    while j < len(toks) and j - i < limit:
        t = toks[j]
        low = t.low
        if not t.word:
            if t.text == "&" and j > i:
                j += 1
                continue
            break
        if low in _DETERMINERS and j == i:
            j += 1
            continue
        if t.cap:
            seen_word = True
            j += 1
            continue
        if low in {"of", "for", "at", "de"} and j + 1 < len(toks) and (toks[j + 1].cap or (
                toks[j + 1].low == "the" and j + 2 < len(toks) and toks[j + 2].cap)):
            j += 1
            continue
        if low == "the" and j > i and toks[j - 1].low in {"of", "for", "at"}:
            j += 1
            continue
        if (low in _NP_STOP or low in _AUX or low in _SAY or low in _FIND or low.endswith(("ed", "ing", "ly"))
                or low in _PASSIVE):
            break
        if seen_word and not (low in _VAGUE or low in _PERSON_ROLE or low in _DOC or low in _ORG_NOUNS) and not (
                _role_before_name(toks, j)):
            break
        seen_word = True
        j += 1
    return j


def _role_before_name(toks: Sequence[_Tok], j: int) -> bool:
    """Return whether the lower-case words from token j lead to a role right before a name: "presidential" in
    "Democratic presidential front-runner Hillary Clinton"."""
    for k in range(j, min(j + 3, len(toks) - 1)):
        t = toks[k]
        if not t.word or t.cap or t.low in _NP_STOP or t.low in _SAY or t.low in _PASSIVE or t.low in _AUX:
            return False
        if (t.low in _PERSON_ROLE or t.low in _TITLES) and toks[k + 1].cap and toks[k + 1].word:
            return True
    return False


_CLOSE_TO = re.compile(r"\b(?:(?:close|familiar|near|loyal|allied|friendly|opposed|connected|linked|tied)\s+(?:to|with)"
                       r"|briefed\s+on|knowledgeable\s+about|involved\s+in)\s+(?:[\w'’.-]+\s+){0,4}?[\w'’.-]+\s*$")


def _skip_setting(text: str, toks: Sequence[_Tok], k: int) -> int:
    """Return the token index before which the subject ends, skipping words between it and the verb at k: auxiliaries
    ("has long"), times ("on Thursday") and settings ("in a statement")."""
    while True:
        moved = False
        while k > 0 and not toks[k - 1].cap and (
                toks[k - 1].low in _AUX or (toks[k - 1].low.endswith("ly") and len(toks[k - 1].low) > 4)
                or k > 1 and toks[k - 1].low in {"here", "there"} and toks[k - 2].word):  # "campaign workers here said"
            k -= 1
            moved = True
        if k > 0 and toks[k - 1].text == ")":
            j = k - 1
            while j > 0 and toks[j].text != "(":
                j -= 1
            if j > 0 and toks[j].text == "(":
                k = j
                continue
        head = text[: toks[k - 1].end] if k > 0 else ""
        for pattern in (_SETTING, _TIME_TAIL, _CLOSE_TO):
            m = pattern.search(head)
            if m and m.start() > 0:
                j = k
                while j > 0 and toks[j - 1].start >= m.start():
                    j -= 1
                if j < k and j > 0:
                    k = j
                    moved = True
                    break
        if not moved:
            return k


def _a_name_here(words: Sequence[_Tok]) -> bool:
    """Return whether an appositive is a name alone, or a name and where they are from: "Tom Hart", "Ann Lee of
    Dayton" (up to four name words, and up to three for the place)."""
    at = next((n for n, t in enumerate(words) if t.low == "of"), len(words))
    name, place = words[:at], words[at + 1 :]
    return (1 <= len(name) <= 4 and all(_is_name_token(t) for t in name)
            and (at == len(words) or 1 <= len(place) <= 3 and all(_is_name_token(t) for t in place)))


def _unnamed(words: Sequence[_Tok]) -> bool:
    """Return whether a noun phrase describes someone without naming them: "One superdelegate", "A spokeswoman"."""
    return len(words) >= 2 and (words[0].low in _DETERMINERS or words[0].low in {"one", "another"}) and not any(
        _is_name_token(t) for t in words[1:])


def _opens_setting(words: Sequence[_Tok]) -> bool:
    """Return whether the words before a sentence's first comma are a setting, not a subject: a preposition or a
    weekday ("In nearby Decatur", "Tuesday at Baldwin Wallace University"), or a participle and its phrase
    ("Alarmed by the unrest", "Speaking in Harlem"; "Manning" alone is a name)."""
    if len(words) < 2:
        return False
    first, second = words[0], words[1]
    participle = first.low.endswith(("ed", "ing")) and len(first.low) > 4 and second.word and not second.cap
    return first.low in _SETTING_OPENERS or participle


def _named_segment(text: str, toks: Sequence[_Tok], starts: Sequence[int], ends: Sequence[int]) -> _Speaker | None:
    """Return the speaker named by the last of these comma-separated segments that is a name ("Senator Harry Reid",
    "Gov. John Kasich (R-OH)"; not "retail expert from Queensland University"), or None when none is one ("but it
    is under pressure from Asian imports")."""
    for seg_start, seg_end in zip(reversed(starts), reversed(ends), strict=True):
        last = seg_end
        if last > seg_start and toks[last - 1].text == ")":
            last = next((j for j in range(last - 1, seg_start, -1) if toks[j].text == "("), seg_start)
        if last <= seg_start or not _is_name_token(toks[last - 1]) or not _is_name_token(toks[seg_start]) or (
                re.match(r"[RDI]-", toks[seg_start].text)):  # "R-NY": a party tag, not a name
            continue
        sp = _speaker_from(toks[_np_back(toks, seg_end) : seg_end], text)
        if sp is not None and sp.name and sp.name[:1].isupper() and may_speak(sp.name):
            return sp
    return None


def _subject_before(text: str, toks: Sequence[_Tok], v: int) -> tuple[_Speaker | None, str | None]:
    """Return the speaker before the verb at token v (or the pronoun standing for them), and whether the subject is
    a relative or coordinated one the caller must take from the main clause ("main")."""
    k = _skip_setting(text, toks, v)
    if k == 0:
        return None, None
    prev = toks[k - 1]
    contracted = re.sub(r"['’](?:s|d|ve|re|ll)$", "", prev.low)
    if contracted != prev.low and contracted in _PRONOUN_SUBJECTS:
        return _Speaker(None, prev.text, pronoun=contracted), None  # "He's telling friends", "she'd said"
    if prev.low in _PRONOUN_SUBJECTS and (prev.low != "it" or k == 1 or not toks[k - 2].word
                                          or toks[k - 2].low in _CONJ | {"that", "as"}):
        return _Speaker(None, prev.text, pronoun=prev.low), None  # he, she, they, we, I: always the subject
    if prev.low in {"who", "which"} and k >= 2:
        # "Smith, who said ...": the speaker is the phrase the relative clause hangs on.
        j = k - 1
        if j > 0 and toks[j - 1].text == ",":
            j -= 1
        if j > 1 and toks[j - 1].text.isdigit() and toks[j - 2].text == ",":
            j -= 2  # "Thomas Gray, 24, who cited …": the age is no one
        start = _np_back(toks, j)
        if start < j:
            return _speaker_from(toks[start:j], text), None
        return None, None
    if prev.low in _CONJ and k >= 2 and not toks[k - 2].cap:
        return None, "main"
    if prev.text == "," and k >= 2:
        # "Smith, 45, of Ohio, said" / "Noman Benotman, a former jihadist, told": walk back over appositives.
        commas = [i for i in range(k - 1) if toks[i].text == ","]
        starts = ([0] + [i + 1 for i in commas])[-5:]
        ends = [next((i for i in range(a, k) if toks[i].text == ","), k - 1) for a in starts]
        like: list[bool] = []
        for seg_start, seg_end in zip(starts, ends, strict=True):
            first = toks[seg_start] if seg_start < len(toks) else toks[-1]
            segment_words = {t.low for t in toks[seg_start:seg_end]}
            like.append(
                first.low in _DETERMINERS or not first.cap or first.text[:1].isdigit()
                or first.text.endswith(("’", "'", "’s", "'s")) or bool(segment_words & _PERSON_ROLE)
                or first.low in {"who", "which"} or bool(re.match(r"[RDI]-", first.text))
                or first.text.rstrip(".") in _ABBREVIATIONS
                # "of Dayton, Ohio", "Tom Hart of Portland, Ore.": a place after a place
                # ("In July, Aaron, vice chairman, told": a setting opening the sentence is no place before a name)
                or (len(like) > 0 and seg_end - seg_start <= 2 and first.cap
                    and any(t.low in {"of", "from", "in"} for t in toks[starts[len(like) - 1] : ends[len(like) - 1]])
                    and not (len(like) == 1 and toks[0].low in {"in", "from", "of", "on", "at", "for", "about"})
                    # ("The mayor of London, Sadiq Khan, said": after a role, a name)
                    and not any(t.low in _PERSON_ROLE for t in toks[starts[len(like) - 1] : ends[len(like) - 1]]))
            )
        for n_seg in range(len(starts) - 1, -1, -1):
            seg_start, seg_end, appositive_like = starts[n_seg], ends[n_seg], like[n_seg]
            if seg_end <= seg_start:
                continue
            if appositive_like and n_seg == 1 and n_seg == len(starts) - 1 and _unnamed(toks[starts[0] : ends[0]]):
                # "One superdelegate, state party chairwoman Nancy Worley, pledged": the name in the appositive
                sp = _speaker_from(toks[seg_start:seg_end], text)
                if sp is not None and sp.name and sp.person and sp.role and _is_name_token(toks[seg_end - 1]):
                    return sp, None
            if appositive_like and n_seg > 0 and n_seg >= len(starts) - 4:
                continue  # "a former jihadist", "45", "of Ohio", "Mich.": describes the speaker before it
            if n_seg == 0 and seg_start == 0 and len(starts) > 1 and _opens_setting(toks[seg_start:seg_end]):
                # "Alarmed by the unrest in Nevada, Senator Harry Reid, the minority leader, said": the opening
                # setting is no one; the speaker is the last name between it and the verb, if any
                return _named_segment(text, toks, starts[1:], ends[1:]), None
            np_start = _np_back(toks, seg_end)
            last_seg = n_seg == len(starts) - 1
            role_before = n_seg > 0 and like[n_seg - 1] and _a_name_here(toks[seg_start:seg_end])
            if np_start < seg_end and (not last_seg or (n_seg == 0 and np_start == seg_start) or role_before):
                # "Smith, a former aide, said"; "Sen. Ann Lee (D-Ore.), said"; "Her manager, Tom Hart, said"
                sp = _speaker_from(toks[np_start:seg_end], text)
                if sp is not None and sp.name is not None and last_seg and role_before:
                    role = text[toks[starts[n_seg - 1]].start : toks[ends[n_seg - 1] - 1].end]
                    return replace(sp, role=role.strip(" \x00")), None
                if sp is not None and sp.name is not None:
                    appositive = text[toks[seg_end + 1].start : toks[k - 2].end].strip(" ,")
                    if (appositive and not appositive[:1].isdigit() and len(appositive) < 160
                            and (sp.role is None or re.search(r"\b[a-z]{3,}", appositive))):
                        sp = replace(sp, role=appositive)  # "chairman of the Joint Chiefs", not just "Gen."
                    return sp, None
            break
        return None, None
    start = _np_back(toks, k)
    if start == k:
        return None, None
    head = _clause_head(toks, start)
    if head is not None:  # "Officials who spoke with The Huffington Post said": the officials, not the Post
        sp = _speaker_from(toks[head[0] : head[1]], text)
        if sp is not None and sp.name and may_speak(sp.name):
            return sp, None
    sp = _speaker_from(toks[start:k], text)
    return sp, None


CLAUSE_WORDS = 25  # the most words of a relative or participle clause between a subject and its verb of saying
PARTICIPLE_WORDS = 6  # the most words between a participle and the name ending its phrase ("speaking to Fox News")


def _clause_head(toks: Sequence[_Tok], start: int) -> tuple[int, int] | None:
    """Return where the subject lies when the noun phrase at `start`, right before a verb of saying, ends a relative
    or participle clause hanging on it: "Current officials who spoke with The Huffington Post said", "Mr. Khan, who
    had addressed the convention on Thursday, said", "A source speaking to Fox News said"; None when it does not
    ("Trump, who Clinton said ...": the clause has no verb before the name, so the name is its subject)."""
    j = start - 1
    participle: tuple[int, int] | None = None  # the nearest participle's subject, if no relative comes first
    while j >= 0 and start - j <= CLAUSE_WORDS:
        t = toks[j]
        if not t.word or t.low in _SAY or t.low in _PRONOUN_SUBJECTS or t.low in _CLAUSE_OPENERS:
            break  # a comma, a quotation or a dash, another cue, subject or clause: the name is no clause's end
        if t.low in _RELATIVE and j < start - 1:
            end = j - 1 if j > 0 and toks[j - 1].text == "," else j
            head = _np_back(toks, end)
            return (head, end) if head < end else None
        if participle is None and not t.cap and t.low.endswith("ing") and len(t.low) > 4 and 0 < j < start - 1 and (
                start - j <= PARTICIPLE_WORDS):
            head = _np_back(toks, j)
            if head < j:
                participle = (head, j)
        j -= 1
    return participle


_AFTER_SPEAKER = word_set("who which whose that known speaking according adding noting referring in on at during after "
                          "before when while as to involved familiar close briefed")


def _subject_after(text: str, toks: Sequence[_Tok], i: int) -> tuple[_Speaker | None, int]:
    """Return the speaker named right after an inverted verb ("said Smith, a spokesman", "said the former top aide
    to the governor") and where it ends: the words up to the end of the clause, before any relative clause."""
    if i < len(toks) and (toks[i].low in _PRONOUN_SUBJECTS or toks[i].low in _NOT_AFTER_VERB):
        # "…, 67 percent, say they will vote for Trump", "…, continued to affirm their support for Mr. Trump": a
        # clause or the verb's object, not a speaker after it
        return None, i
    end = i
    while end < len(toks) and end - i < 12 and toks[end].word and not (
            end > i and toks[end].low in _AFTER_SPEAKER and not toks[end].cap):
        end += 1
    if end == i:
        return None, i
    if end < len(toks) and toks[end].word and toks[end].low not in _AFTER_SPEAKER:
        return None, i  # a long clause, not a speaker
    return _speaker_from(toks[i:end], text), end


# Words that open a setting between commas, not a subject: "on Sunday", "last week", "in 2019".
_SETTING_WORDS = word_set("on in at last this after before during since earlier later monday tuesday wednesday "
                          "thursday friday saturday sunday")


def _main_subject(text: str, toks: Sequence[_Tok]) -> _Speaker | None:
    """Return the subject of a sentence's main clause, past an opening adverbial ("In a speech Tuesday, Smith ...")."""
    i = 0
    while i < len(toks) and (not toks[i].word or toks[i].text in {"But", "And", "So", "Yet", "Still", "Now", "Also"}):
        i += 1
    if i < len(toks) and ((toks[i].text in _LEADING and toks[i].low not in _DETERMINERS)
                          or toks[i].low in _PARTICIPLES or toks[i].low.endswith("ing")):
        comma = next((j for j in range(i, min(len(toks), i + 25)) if toks[j].text == ","), None)
        if comma is None:
            return None
        i = comma + 1
        while True:  # "At an event in Ames, Iowa, on Sunday, Mrs. Lee ...": the setting's own commas
            nxt = next((j for j in range(i, min(len(toks), i + 4)) if toks[j].text == ","), None)
            if nxt is None or nxt == i:
                break
            part = toks[i:nxt]
            state = 1 <= len(part) <= 2 and all(t.cap for t in part) and toks[i - 2].cap and (
                toks[i - 2].low not in _NOT_A_NAME | _SETTING_WORDS)  # "Ames, Iowa,", not "On Sunday, Lee,"
            if not (state or part[0].low in _SETTING_WORDS):
                break
            i = nxt + 1
    if i < len(toks) and toks[i].low in _PRONOUN_SUBJECTS:
        return _Speaker(None, toks[i].text, pronoun=toks[i].low)
    end = _np_forward(toks, i)
    if end == i:
        return None
    return _speaker_from(toks[i:end], text)


_CONTRACTION = re.compile(
    r"(?:it|that|he|she|there|here|what|who|this|let|i|you|we|they)(?:['’](?:s|re|ll|d|m|ve))"
    r"|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight)(?:['’]s)?")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")  # a year is no name, nor part of one ("2008 Clinton veteran")
# Lower-case particles that open a surname: "de Vos", "van Hollen", "al-Assad" is one word.
_NAME_PARTICLES = word_set("de da di del della der du la le van von ten ter bin ibn al el")
# A speaker that opens with one of these is a preposition's object: "To Sexton", "at Baldwin Wallace University".
_OPENING_PREPOSITIONS = word_set("to by of according at in on from with after before during since under over near")
# Words after which a noun phrase's own words end: "officials familiar with the talks", "polls conducted for".
_POSTMODIFIER = word_set("who whom whose that which with familiar close in at on for from conducted taken "
                         "released published")


def _own_words(bare: Sequence[str]) -> list[str]:
    """Return the words of a noun phrase before what modifies it ("officials" of "officials familiar with ...")."""
    own: list[str] = []
    for w in bare:
        if w in _POSTMODIFIER and own:
            break
        own.append(w)
    return own


def _head(bare: Sequence[str]) -> str:
    """Return a noun phrase's head word: the last of its own words before any "of" ("proponents" of "proponents
    of the bill")."""
    own = _own_words(bare)
    if "of" in own[1:]:
        at = own.index("of", 1)
        if own[at - 1] in {"number", "numbers"} and at + 1 < len(own):
            return own[-1]  # "a number of attendees": the attendees
        own = own[:at]
    return own[-1] if own else ""


def _names_someone(bare: Sequence[str]) -> bool:
    """Return whether the words of a lower-case speaker, before what modifies it, hold a person, a group, an
    organisation or a document: "half of voters", "early results of exit polls conducted for …", "the board"."""
    return any(w in _PEOPLE or w in _SHARES or w in _PERSON_ROLE or w in _ROLE_NOUNS or w in _DOC or w in _ORG_NOUNS
               or w in _VAGUE or w in _TITLES for w in _own_words(bare))


def speaks(name: str | None, as_written: str | None) -> bool:
    """Return whether a speaker may be shown on a card: `may_speak`, or someone unnamed whom the article describes by
    a role after "a" or "an" ("A Democratic aide", "a senior Obama administration official", "a 2008 Clinton
    veteran"), a source a reader cannot check, as "officials" is (`described`)."""
    return may_speak(name) or described(name, as_written)


def described(name: str | None, as_written: str | None) -> bool:
    """Return whether a speaker is someone unnamed described by a role after "a", "an" or "another" ("aide",
    "official", "strategist"), not by a title of office ("a Republican candidate", "a Democratic senator": who
    holds it matters, so a role alone is no name), and not after "the" ("the Democratic nominee" is a person the
    article names elsewhere)."""
    written = (as_written or "").split()
    words = (name or "").lower().split()
    return len(written) >= 2 and written[0].lower() in {"a", "an", "another", "one"} and bool(words) and (
        words[-1] in _PERSON_ROLE) and words[-1] not in _TITLES and not any(
        c in (as_written or "") for c in ":—,") and not any(_YEAR.fullmatch(w) for w in words)


def may_speak(name: str | None) -> bool:
    """Return whether a speaker's name may be shown on a card: a person, an organisation, a group or a role noun;
    never a dateline ("LOS ANGELES"), a sentence adverb, a year, a number, a bare title ("Dr."), a role written as a
    name ("current Democratic presidential nominee"), a heading, a thing ("company", "release"), a time or a place
    in lower case ("the past", "the room") or a word that opens a sentence ("Some", "October", "It's")."""
    if not name:
        return False
    words = name.split()
    bare = [w.strip(".,:;’'").lower() for w in words]
    if ":" in name or "—" in name or "," in name:
        return False  # a heading, a credit line, or a role or place left in the name
    if re.fullmatch(r"[A-Z][A-Z .,'’&-]+", name) and (len(words) > 1 or len(name) >= 7) and not any(
            w.capitalize() in _ORG_WORDS or w.capitalize() in _OUTLETS for w in words):
        return False  # a dateline or a heading in capitals; "NATO", "UNICEF", "POLITICO", "USA TODAY" stay
    if len(words) >= 4 and name.upper() == name:
        return False  # a headline in capitals, whatever words it holds
    if any(_YEAR.fullmatch(w) for w in bare):
        return False  # a year
    if len(words) == 1 and (bare[0].endswith(_ADVERB_ENDINGS) or bare[0] in _ADVERBS):
        return False  # "Conversely", "Unfortunately"
    if len(words) == 1 and words[0].lower() in _STATE_ABBREVIATIONS:
        return False  # "Pa.", "N.H."
    if all(w in _TITLES or w in _PERSON_ROLE or w in {"current", "former", "presidential", "top", "senior"}
           for w in bare):
        return bool(name[:1].islower()) and "." not in name and not any(w[:1].isupper() for w in words)
        # "the senator" speaks; "Dr.", "Senate Nominee" and "former Republican presidential candidate" do not
    if name[:1].islower() and (bare[-1] in _TITLES or bare[-1] in _PERSON_ROLE) and any(
            w[:1].isupper() for w in words):
        return False  # "current Democratic presidential nominee": a role written where a name goes
    if _head(bare) in _THINGS and not any(w[:1].isupper() for w in words[1:]):
        return False  # "the company", "a congressional report", "Democratic plan": a thing, not someone
    if all(re.fullmatch(r"[\d.,%-]+", w) for w in bare) or bare[0] in _OPENING_PREPOSITIONS or (
            words[0] in {"His", "Her", "Its", "Their", "My", "Our", "Your"} and len(words) > 1
            and words[1][:1].isupper()):
        return False  # "42%", "To Sexton", "at Baldwin Wallace University", "His Catholic": a number, a
        # preposition's object, a possessive
    if len(words) == 1 and (bare[0] in _NOT_A_NAME or bare[0] in _THINGS or _CONTRACTION.fullmatch(bare[0])):
        return False  # "Some", "October", "Tuesday's", "It's": a word that opens a sentence, not a name
    if words[0] in {"His", "Her", "Its", "Their", "My", "Our", "Your"} and len(words) > 1 and not _names_someone(
            bare[1:]):
        return False  # "Her difficulties", "Their plan": a thing of someone's, opening a sentence
    # In lower case, someone ("voters", "the board", "de Vos") and not a thing, a time or a place ("the past")
    return not name[:1].islower() or _names_someone(bare) or (
        len(words) > 1 and bare[0] in _NAME_PARTICLES and words[1][:1].isupper()) or (
        len(words) > 2 and words[-1][:1].isupper() and words[-2][:1].isupper())
