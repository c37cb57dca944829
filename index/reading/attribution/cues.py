"""The cues of one sentence (`_Cue`): the words that say someone makes its claim ("said", "according to",
", saying", "released a statement", a name before a colon), each with the speaker it finds, and which cue governs
the sentence when several do (a closing ", Reyes said." comes first; "according to" after "said" is the way the
words came)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.reading.attribution.lexicon import (
    _AUX,
    _BEFORE_A_CLAUSE,
    _CLAUSE_FINAL,
    _DETERMINERS,
    _DOC,
    _FIND,
    _HAS_CONTRACTED,
    _INVERTABLE,
    _ISSUE,
    _LEADING,
    _NOT_A_NAME,
    _NOT_COLON_NAMES,
    _NOT_FINITE,
    _NOUNISH,
    _PARTICIPLES,
    _PARTICLES,
    _PASSIVE,
    _POLL_WORDS,
    _PRONOUN_SUBJECTS,
    _REPLY,
    _SAY,
    _STANCE,
    _STANCE_IRREGULAR,
    _TO_SAY,
)
from index.reading.attribution.speakers import (
    _NAME_PARTICLES,
    _a_name_here,
    _is_name_token,
    _np_back,
    _np_forward,
    _skip_setting,
    _Speaker,
    _speaker_from,
    _subject_after,
    _subject_before,
    may_speak,
)
from index.reading.attribution.tokens import _Tok
from index.terms import word_set


@dataclass(frozen=True)
class _Cue:
    """An attribution found in one sentence, before its speaker is resolved against the article."""

    start: int
    speaker: _Speaker | None
    cue: str
    kind: str
    via: str | None = None


# What follows "Name:" when the name heads a tally or a list, not words of theirs: "Clinton: 1,769.", "Iowa: Tim
# Albrecht, Brad Anderson, Rob Barron, ...", "Twitter: @Milbank."
_TALLY_OR_LIST = re.compile(r"\s*(?:[\d.,%$]+\s*[.;]?\s*$|@\w+\.?\s*$|(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*,\s*){3})")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+")
_CITING = re.compile(r",\s*(?:citing|quoting)\s+")


_AGREE = word_set("agree agrees agreed agreeing")
_CLAIM = word_set("claim claims claimed claiming")
# What one claims by taking it, not by saying it.
_TAKEN = word_set("victory victories win wins credit responsibility territory seat seats title lead prize nomination "
                  "mantle spot delegates ground")


_DASH_NAME_COLON = re.compile(r"\S\s+[-–—]{1,2}\s*(?:More from\s+)?([A-Z][^:\x00\-–—]{1,58}?):\s*\x00")


def _closes(text: str, toks: Sequence[_Tok], cue: _Cue) -> bool:
    """Return whether a cue stands in a short last clause after a comma or a quotation, with nothing but its
    speaker and a setting around it (", Reyes said.", ", said a Chinese official.", "..." the official said.")."""
    ends = [t for t in toks if t.text == "," or t.text.startswith("\x00")]
    if not ends or cue.start < ends[-1].end:
        return False
    tail = [t for t in toks if t.start >= ends[-1].end and t.word]
    # a cue inside a clause of time or reason is not the last clause's ("…," she added when the host expressed shock)
    relative = any(t.low in {"that", "which", "who", "whom", "whether"} for t in tail)
    timed = any(t.low in {"when", "after", "while", "because", "before", "since", "until", "as"} and t.start < cue.start
                for t in tail)
    return 2 <= len(tail) <= 10 and not relative and not timed


_SUBORDINATE = word_set("that which who whom whose when where while because as after before if though although")


def _clause_end(toks: Sequence[_Tok], i: int) -> int:
    """Return the end of the noun phrase after "according to" or "citing": up to a comma, a quote or the end."""
    j = i
    while j < len(toks) and toks[j].text not in {",", ";", ":", ".", "?", "!", "—", "–", "("} and not toks[
            j].text.startswith("\x00") and j - i < 14:
        j += 1
    return j


def _cues(text: str, toks: Sequence[_Tok], headline: bool) -> list[_Cue]:
    """Return the attribution cues of a sentence's text outside quotations, first one first."""
    found: list[_Cue] = []
    for m in _ACCORDING.finditer(text):
        i = _token_at(toks, m.end())
        end = _clause_end(toks, i)
        if end > i:
            end = next((n for n in range(i + 1, end) if toks[n].low in _SUBORDINATE), end)
            phrase = list(toks[i:end])
            # "according to Smith's estimates", "according to a CNN report": the owner is the speaker.
            own = next((n for n, t in enumerate(phrase) if t.text in {"'s", "’s"} or t.text.endswith(("'s", "’s"))),
                       None)
            doc_with_name = own is None and any(_is_name_token(t) for t in phrase[1:]) and phrase[-1].low in _DOC
            sp = _speaker_from(phrase[: own + 1] if own is not None else phrase[:-1] if doc_with_name else phrase,
                               text)
            if sp is not None and own is not None and sp.name:
                sp = replace(sp, name=re.sub(r"['’]s$", "", sp.name))
            if sp is not None and doc_with_name:
                sp = replace(sp, as_written=text[phrase[0].start : phrase[-1].end])  # "a CNN report"
            if sp is not None and sp.name and (sp.name.lower() not in {"plan", "plans"}):
                cue_text = text[m.start() : toks[end - 1].end]
                found.append(_Cue(m.start(), sp, cue_text, "according_to"))
    for v, t in enumerate(toks):
        low = t.low
        if low in _ISSUE and any(x.low in _DOC or x.low in {"tweet", "tweets", "ad", "ads"}
                                 for x in toks[v + 1 : v + 4]):
            sp, where = _subject_before(text, toks, v)  # "the campaign released a statement"
            if sp is not None and (sp.name or sp.pronoun):
                found.append(_Cue(t.start, sp, text[t.start : toks[min(v + 3, len(toks) - 1)].end], "reported"))
            continue
        if low in _SAY or low in _FIND or low in _STANCE:
            if t.cap and not (headline or v == 0) and low not in _SAY:
                continue
            if t.cap and v > 0 and not headline:
                continue
            if low in _NOT_FINITE:
                continue
            prev = toks[v - 1] if v > 0 else None
            if low == "told" and prev is not None and prev.low in _PASSIVE and v + 2 < len(toks) and (
                    toks[v + 1].low == "by"):  # "he was told by Emergencies Minister Yevgeny Zinichev of …"
                found.extend(_by_agent(text, toks, v))
                continue
            if prev is not None and (prev.low in _PASSIVE or prev.text in {"so-", "-"} or prev.low == "so"
                                     or prev.low in {"the", "a", "an", "its", "his", "her", "their"}
                                     or low.endswith("ed") and (prev.low in {"of", "for", "with", "all"}
                                                                or prev.text[:1].isdigit()
                                                                or prev.low.endswith(("'s", "’s"))
                                                                and prev.low[:-2] not in _HAS_CONTRACTED
                                                                and v + 1 < len(toks) and toks[v + 1].word
                                                                and not toks[v + 1].cap)):
                continue  # "was told", "is said to", "so-called", "the expected ruling", "270 pledged delegates",
                # "Mrs. Clinton's reported contributions", "all reported contributions"
            nxt = toks[v + 1] if v + 1 < len(toks) else None
            if low in {"add", "adds", "added", "adding"} and nxt is not None and nxt.low == "to" and not (
                    v + 2 < len(toks) and toks[v + 2].low in {"that", "reporters"}) and "\x00" not in text:
                continue  # "adding to his victories", "who added to her lead": a sum, not words
            if low == "add" and prev is not None and prev.low in {"could", "would", "will", "can", "may", "might",
                                                                  "to"} and nxt is not None and nxt.word and (
                    nxt.low != "that") and "\x00" not in text:
                continue  # "he could add another job title to his resume": a sum, not words
            if low in {"boast", "boasts", "boasted", "boasting"} and nxt is not None and (
                    nxt.low in {"a", "an", "the", "more", "nearly", "roughly", "some"} or nxt.text[:1].isdigit()):
                continue  # "She boasts a 45-point lead": she has it, she does not say it
            if nxt is not None and (low in _AGREE and nxt.low == "to" or low == "admitted" and nxt.low in {
                    "to", "into"} and not (v + 2 < len(toks) and toks[v + 2].low.endswith("ing"))):
                continue  # "agreed to talk", "refugees admitted to the United States": an act, not words
            if low in {"reported", "reports", "reporting"} and nxt is not None and nxt.low == "from" and not any(
                    x.low == "that" for x in toks[v + 2 :]):
                continue  # "Phillip reported from Oakland, Calif.": where a reporter was, a byline
            if low in {"call", "calls", "called", "calling"} and nxt is not None and nxt.low in {
                    "for", "on", "into", "in", "off", "up", "back"} and "\x00" not in text:
                continue  # "called for a ban", "called on Kurds to stay", "called into the show": a position or an act
            if low in _CLAIM and any(x.low in _TAKEN for x in toks[v + 1 : v + 4]):
                continue  # "claimed a victory", "as it claims more territory": a taking, not words
            if nxt is not None and low in _STANCE and low not in _SAY and nxt.low in _PARTICLES:
                continue  # "backed off", "pushed ahead": not a stance
            if low in _REPLY and v >= 2 and toks[v - 1].low in {"not", "n't"} | {"never"}:
                continue  # "did not respond to a request for comment"
            if prev is not None and prev.low == "to" and low == "say" and v >= 2 and toks[v - 2].low in {
                    "fair", "safe", "needless", "suffice", "hard", "easy", "sufficient"}:
                continue  # "it's fair to say", "needless to say": the outlet's own aside
            if prev is not None and prev.low == "to" and low in _TO_SAY and not (
                    v >= 3 and toks[v - 3].low in _PASSIVE):
                found.append(_Cue(t.start, None, t.text, "reported_main"))  # "went on to say", "declined to say"
                continue
            if low in _PARTICIPLES:
                if low in {"claiming", "calling"} and (nxt is None or nxt.low in _DETERMINERS or nxt.text[:1].isdigit()
                                                       or nxt.low in {"for", "on", "off", "up"}):
                    continue  # "claiming 60 percent of the vote", "calling for": not words of a claim
                if prev is None or prev.text in {",", "—", "–", "--"} or prev.low in {
                        "by", "and", "while", "before", "after"}:
                    found.append(_Cue(t.start, None, t.text, "reported_main"))
                elif (agent := _named_after(text, toks, v, "with")) is not None and _is_name_token(toks[v - 1]):
                    found.append(_Cue(t.start, agent, t.text, "reported"))  # "…, with Senator McCain telling"
                continue
            if low.endswith("ed") and v + 1 < len(toks) and toks[v + 1].low == "by" and (
                    v > 0 and prev is not None and prev.word and not headline):
                found.extend(_by_agent(text, toks, v))  # "the plan described by the mayor": the agent speaks
                continue
            sp, where = _subject_before(text, toks, v)
            if sp is not None and low in _INVERTABLE and low not in {"told", "tells", "tell", "telling"} and (
                    prev is not None and prev.text == "," and nxt is not None and _is_name_token(nxt)
                    and nxt.low not in _DETERMINERS and nxt.low not in _NOT_A_NAME):
                inverted, end = _subject_after(text, toks, v + 1)
                if inverted is not None and inverted.name and may_speak(inverted.name) and all(
                        w[:1].isupper() or w in _NAME_PARTICLES for w in inverted.as_written.split()
                ) and (end >= len(toks) or toks[end].text in {",", ".", ";"}):
                    sp = None  # "…, candidates have more room, said Steve Grubbs": the name after the verb speaks
            # (never "told": the name after it is the one told, "…, told Reuters"; opening a sentence, only "Said
            # Smith: …": "Asked if …, Trump replied" and a heading "Declared 2016 Presidential Candidates" are not)
            if sp is None and low in _INVERTABLE and low not in {"told", "tells"} and (
                    v == 0 and not headline and low in {"said", "says"} or prev is not None and (
                        prev.text in {",", ";", ":", "—", "–", "-", "'"} or prev.text.startswith("\x00"))):
                sp2, end = _subject_after(text, toks, v + 1)
                if sp2 is not None and sp2.name and end + 1 < len(toks) and toks[end].text == ",":
                    # "said Dana Reyes, a physicist at the Harbor Institute."
                    stop = next((n for n in range(end + 1, len(toks)) if not toks[n].word
                                 and toks[n].text not in {"'", "’", "-"}), len(toks))
                    words = toks[end + 1 : stop]
                    if words and words[0].low in _DETERMINERS and len(words) <= 14:
                        sp2 = replace(sp2, role=text[words[0].start : words[-1].end])
                    elif words and not (sp2.name or "")[:1].isupper() and _a_name_here(words) and (
                            stop >= len(toks) or toks[stop].text in {".", ",", ";", "!", "?"}):
                        # "said the company's chief executive, John J. Ferriola.": the role, then who holds it
                        holder = _speaker_from(words, text)
                        if holder is not None and holder.name:
                            sp2 = replace(holder, role=sp2.as_written)
                            end = stop
                if sp2 is not None and sp2.name:
                    found.append(_Cue(t.start, sp2, text[t.start : toks[end - 1].end], "reported"))
                continue
            nxt = toks[v + 1] if v + 1 < len(toks) else None
            before = toks[_skip_setting(text, toks, v) - 1] if v > 0 else None
            if (low in _NOUNISH or low in _STANCE and low not in _SAY) and (
                    where == "main" or sp is None
                    or (nxt is not None and (nxt.low in _SAY or nxt.low in _FIND))
                    or (sp.pronoun is None and (sp.vague or not (sp.name or "")[:1].isupper()))
                    or (low in _NOUNISH and before is not None and (before.low.endswith(("'s", "’s")) or not (
                        _is_name_token(before) or before.low in _PRONOUN_SUBJECTS or before.low in _DOC
                        or before.text == ",")))):
                continue  # "the state", "faced questions", "the report claims": a noun, not a verb of saying
            if sp is not None and (low in _STANCE or low in _NOUNISH) and not low.endswith(("s", "ed", "ing")) \
                    and low not in _STANCE_IRREGULAR and sp.pronoun is None and (sp.name or "")[:1].isupper() and \
                    " and " not in sp.as_written and not (v > 0 and toks[v - 1].low in _AUX):
                continue  # "Harbour plan", "Lee support": a singular name before a bare verb form is a noun
            if low in _BEFORE_A_CLAUSE and nxt is not None and nxt.word and nxt.low != "that" and (
                    nxt.low not in _PRONOUN_SUBJECTS) and "\x00" not in text:
                continue  # "Cruz maintained his lead", "she declared for president": an act, not words
            if low in _CLAUSE_FINAL and (nxt is not None and nxt.word and nxt.low not in {
                    "that", "whether", "if", "why", "how", "what", "reporters", "him", "her", "them"}
                    or "\x00" not in text and not (nxt is not None and nxt.text == ":") and not (
                        nxt is not None and nxt.text in {".", "!"} and v + 2 == len(toks)) and not (
                        nxt is not None and nxt.text == "," and v + 2 < len(toks) and toks[v + 2].low.endswith("ing"))):
                continue  # "continued to", "as the war continued,": not a cue without a quotation or the end
            cue_text = t.text
            if low in {"told", "tells", "tell", "telling"} and nxt is not None:
                end = _np_forward(toks, v + 1, 5)
                if end > v + 1:
                    cue_text = text[t.start : toks[end - 1].end]
            if where == "main":
                found.append(_Cue(t.start, None, cue_text, "reported_main"))
                continue
            if sp is None:
                continue
            if low in _FIND and low not in _SAY:
                head = sp.as_written.split()[-1].lower() if sp.as_written else ""
                if head not in _DOC:
                    continue
            if sp.pronoun is None and sp.name is None:
                continue
            if sp.as_written and sp.as_written.split()[-1].lower() in _DOC and sp.pronoun is None:
                cue_text = text[text.rfind(sp.as_written, 0, t.start) : t.end]  # "The CNN report claims"
            found.append(_Cue(t.start, sp, cue_text, "reported"))
    # "As Cornyn put it: …", "as The Post's Dana Milbank puts it, …": the words quoted are the name's.
    for v, t in enumerate(toks):
        if t.low not in {"put", "puts"} or v + 1 >= len(toks) or toks[v + 1].low != "it":
            continue
        if (sp := _named_after(text, toks, v, "as")) is not None:
            found.append(_Cue(t.start, sp, text[t.start : toks[v + 1].end], "reported"))
    # "Name: ..." opening a sentence (a headline "Lee: ..." or a transcript line).
    colon = re.match(r"\s*([^:\x00]{2,60}?):\s", text)
    if colon and toks and toks[0].cap and toks[0].low not in _NOT_COLON_NAMES and not _TALLY_OR_LIST.match(
            text[colon.end():]):
        words = [t for t in toks if t.end <= colon.end(1)]
        if 1 <= len(words) <= 4 and all(_is_name_token(w) or w.low in {"of", "."} for w in words) and not any(
                w.text in _LEADING or w.text in {"For", "To", "Is", "Win", "Says"} or w.text.endswith("ing")
                or (w.text.isupper() and len(w.text) > 4) for w in words):
            sp = _speaker_from(words, text)
            if sp is not None and sp.name and sp.name.lower() not in _NOT_COLON_NAMES:
                found.append(_Cue(0, sp, ":", "reported"))
    # "Pollsters agree - Carl Bialik: "…"": a heading, a dash, then a name and a colon before the quotation: the
    # words before the dash are a heading of their own, so their cues do not speak for the quotation
    dash = _DASH_NAME_COLON.search(text)
    if dash:
        words = [t for t in toks if t.start >= dash.start(1) and t.end <= dash.end(1)]
        if 1 <= len(words) <= 4 and all(_is_name_token(w) or w.low in {"of", "and", "."} for w in words):
            sp = _speaker_from(words, text)
            if sp is not None and sp.name and may_speak(sp.name):
                found = [_Cue(dash.start(1), sp, ":", "reported")] + [c for c in found if c.start > dash.end(1)]
    for m in _CITING.finditer(text):
        i = _token_at(toks, m.end())
        end = _clause_end(toks, i)
        sp = _speaker_from(toks[i:end], text) if end > i else None
        if sp is not None and sp.name and found:
            first = min(found, key=lambda c: c.start)
            found[found.index(first)] = replace(first, via=sp.name)
    found.sort(key=lambda c: c.start)
    if found and found[0].start == 0 and (found[0].kind == "reported_main" or found[0].speaker is None):
        named = next((c for c in found[1:] if c.speaker is not None and c.speaker.name), None)
        if named is not None:  # "Remarking upon the vote, Starr said, …": the main clause's cue, not the opening
            found.remove(named)  # participle's, says who speaks
            found.insert(0, named)
    # "Smith resigned, Jane Doe said, according to the Gazette": Jane Doe speaks, by way of the Gazette.
    according = [c for c in found if c.kind == "according_to" and c.speaker is not None and c.speaker.name]
    said = [c for c in found if c.kind == "reported" and c.speaker is not None and c.speaker.name
            and c.cue.split()[0].lower() in _SAY]
    if according and according[0].start == 0:
        found.remove(according[0])  # "According to a court filing, Lee and Hart told investigators ..."
        return [according[0], *found]
    if according and said and according[0].start > said[0].start:
        found.remove(according[0])
        # the chain as written ("according to the Gazette"): the card says so, not that Doe cites the Gazette
        via = f"according to {according[0].speaker.as_written}" if according[0].speaker is not None else None
        found = [replace(c, via=c.via or via) if c is said[0] else c for c in found]
    # "The documents indicate, he said in an interview, that …": a cue set off by commas inside the sentence
    inset = [c for c in found if c.kind == "reported" and c.speaker is not None and _inset(text, toks, c)]
    if inset and inset[0] is not found[0]:
        found.remove(inset[0])
        return [inset[0], *found]
    # "The plant will close in May, Reyes said.": a cue closing the sentence after a comma governs all of it.
    tail = [c for c in found if c.kind != "reported_main" and c.speaker is not None and (
        _closes(text, toks, c) or (c.kind == "according_to" and c.start > 0 and text[:c.start].rstrip().endswith(",")
                                   and "," not in text[c.start:]))]
    if tail:
        found.remove(tail[-1])
        found.insert(0, tail[-1])
        return found
    # "While not everything the mayor says is true, Reyes said ...": the main clause's cue comes first.
    if len(found) > 1 and toks and toks[0].low in _SUBORDINATE | {"while", "although", "when", "as", "if", "since"}:
        # the clause ends at its comma, or at a quotation that swallowed it ('… at "less advanced schools," Trump said')
        comma = next((t.start for t in toks if t.text == "," or t.text.startswith("\x00")), None)
        if comma is not None:
            found.sort(key=lambda c: (c.start < comma, c.start))
    elif len(found) > 1:
        # "Later, after the interview concluded, Maher stated …": a cue in a clause of time between commas yields
        found.sort(key=lambda c: _in_time_clause(toks, c))  # stable: the order above stays
    return found


TAIL_VERB_WORDS = 8  # the most words after a quotation that may say, with any verb, who spoke it


def _quote_tail(text: str, masked: str, toks: Sequence[_Tok]) -> _Cue | None:
    """Return the cue of a sentence that opens with a quotation ending in a comma, "?" or "!" and closes with a
    few words naming who spoke it with a verb no list holds: '"…," an angry Hollande retaliated.', '"…?" Hannity
    started.', '"…," mused co-host Stu Lee.'; None for any other sentence ('"The Apprentice" aired Thursdays.')."""
    m = re.match(r"\s*\x00[\x00\s]*", masked)
    if m is None or not toks or m.end() >= len(masked):
        return None
    closing = text[: m.end()].rstrip().rstrip("\"”’'`")
    if not closing or closing[-1] not in ",?!":  # '"…," ' then the words: the quotation's own comma
        return None
    at = _token_at(toks, m.end())
    rest = toks[at:]
    words = [t for t in rest if t.word]
    if not 2 <= len(words) <= TAIL_VERB_WORDS or rest[-1].text not in {".", "!", "?"}:
        return None
    head = words[0]
    w0 = toks.index(head, at)
    if not head.cap and head.low.endswith(("ed", "s")):  # '"…," mused co-host Stu Lee.'
        sp, end = _subject_after(text, toks, w0 + 1)
        if sp is not None and sp.name and sp.name[:1].isupper() and may_speak(sp.name):
            return _Cue(head.start, sp, text[head.start : toks[end - 1].end], "reported")
        return None
    verb = next((t for t in words[1:] if not t.cap and t.low.endswith(("ed", "s")) and t.low not in _DETERMINERS),
                None)
    if verb is None or head.text[:1].islower() and head.low not in _DETERMINERS:
        return None
    sp = _speaker_from(toks[w0 : toks.index(verb, w0)], text)
    if sp is None or not sp.name or not sp.name[:1].isupper() or not may_speak(sp.name):
        return None
    return _Cue(verb.start, sp, verb.text, "reported")


def _by_poll(text: str, toks: Sequence[_Tok], cue: _Cue) -> _Cue:
    """Return the cue a poll's finding is told by: "In a CNN/ORC poll, 38 percent of voters said …" and "A Bloomberg
    poll showed that 72 percent of voters said …" are the poll's (who can be checked), not the share of voters
    (who cannot); any other cue as it is."""
    sp = cue.speaker
    if sp is None or sp.pronoun is not None or not sp.name or not (
            sp.vague or (len(sp.name.split()) == 1 and sp.name.endswith("s") and sp.name[:1].isupper())):
        return cue
    for v, t in enumerate(toks):
        if t.low not in _POLL_WORDS:
            continue
        end = v + 1
        if end + 1 < len(toks) and toks[end].low in {"conducted", "commissioned", "released", "taken"} and (
                toks[end + 1].low == "by"):
            end = _clause_end(toks, end + 2)  # "a poll conducted by the New York Times and ABC News"
        poll = _speaker_from(toks[_np_back(toks, v + 1) : end], text)
        if poll is not None and poll.name and poll.name[:1].isupper() and poll.name != sp.name:
            return _Cue(cue.start, poll, poll.as_written, "according_to", cue.via)
    return cue


def _token_at(toks: Sequence[_Tok], offset: int) -> int:
    """Return the index of the first token at or after a character offset (len(toks): none)."""
    return next((n for n, t in enumerate(toks) if t.start >= offset), len(toks))


def _by_agent(text: str, toks: Sequence[_Tok], v: int) -> list[_Cue]:
    """Return the cue of the verb at token v whose agent, after "by" at v + 1, makes the claim ("described by the
    mayor", "was told by the minister"), or none when no one is named there."""
    end = _np_forward(toks, v + 2)
    agent = _speaker_from(toks[v + 2 : end], text) if end > v + 2 else None
    if agent is None or not agent.name:
        return []
    return [_Cue(toks[v].start, agent, text[toks[v].start : toks[v + 1].end], "reported")]


def _named_after(text: str, toks: Sequence[_Tok], v: int, word: str) -> _Speaker | None:
    """Return who the noun phrase right before token v names when a given word opens it ("with Senator McCain
    telling", "As Cornyn put it"), else None."""
    start = _np_back(toks, v)
    start += word == "as" and start < v and toks[start].low == word  # a capital "As" opening the sentence is no name
    if not (start < v and start > 0 and toks[start - 1].low == word):
        return None
    sp = _speaker_from(toks[start:v], text)
    return sp if sp is not None and sp.name else None


def _inset(text: str, toks: Sequence[_Tok], cue: _Cue) -> bool:
    """Return whether a cue and its speaker stand between two commas, a short aside inside the sentence
    (", he said in a telephone interview,"), with words of the sentence on both sides."""
    if cue.speaker is None or not cue.speaker.as_written:
        return False
    at = text.rfind(cue.speaker.as_written, 0, cue.start)
    first, v = _token_at(toks, at), _token_at(toks, cue.start)
    if at < 0 or v == len(toks) or first < 2 or toks[first - 1].text != "," or cue.start - at > 40:
        return False
    end = next((n for n in range(v + 1, min(v + 8, len(toks))) if toks[n].text == ","), None)
    return end is not None and end + 1 < len(toks) and all(t.word for t in toks[v + 1 : end]) and toks[end + 1].word


_TIME_CLAUSE = word_set("after when while before since until once because although though")


def _in_time_clause(toks: Sequence[_Tok], cue: _Cue) -> bool:
    """Return whether a cue stands in a subordinate clause that a comma closes after it ("after the talks ended,")."""
    at = _token_at(toks, cue.start)
    opener = next((n for n in range(at - 1, -1, -1) if toks[n].low in _TIME_CLAUSE or toks[n].text == ","), None)
    if opener is None or toks[opener].text == "," or (opener > 0 and toks[opener - 1].text not in {",", "—", "–"}):
        return False
    return any(t.text == "," for t in toks[at + 1 :])
