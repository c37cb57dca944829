"""Attribution of an article's sentences: who makes each claim (`speaker`), the words that say so (`cue`) and how
(`kind`: a direct quote, reported speech, "according to", or the article's own voice).

Rule-based, on words rather than on a parse, so that it costs a small share of indexing. A sentence is cut into
tokens with its quotations blanked out; each cue (a reporting or belief verb, "according to", a participle such as
", saying", a name before a colon) looks for its speaker where English puts it: the noun phrase before the verb
(past an appositive: "Smith, 45, of Ohio, said"), after it ("said Smith"), after "according to", or the subject of
the main clause for a participle. Speakers are then resolved across the article: a pronoun to the latest speaker
it can stand for, a surname to the full name used before, a role ("the spokesman") to the person the article gave
that role. Quotations are followed across the sentences of a paragraph, and a quotation that opens a paragraph
right after an attributed one keeps its speaker.

Each idea has its module: `lexicon` (the words the rules read by), `tokens` (a sentence cut into tokens),
`speakers` (who a noun phrase names, and where it lies around a verb), `cues` (the words that say who makes a
claim), `quotations` (quoted words blanked out and told from scare quotes), `pronouns` (speakers resolved across
the article) and `transcripts` (a transcript's turns). This module follows them across an article (`attribute`)
and keeps the public names importable from `index.reading.attribution`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from index.model import NO_ATTRIBUTION, Attribution, Sentence
from index.reading.attribution.cues import _by_poll, _Cue, _cues, _quote_tail
from index.reading.attribution.lexicon import (
    _FEMALE_NAMES,
    _FEMALE_TITLES,
    _MALE_NAMES,
    _MALE_TITLES,
    _NOT_A_NAME,
    _PERSON_ROLE,
    _TITLES,
    takes_position,
)
from index.reading.attribution.pronouns import _people, _plural, _Resolver
from index.reading.attribution.quotations import SCARE_QUOTE_WORDS, _mask_quotes, in_quotations, is_quotation
from index.reading.attribution.speakers import _main_subject, _Speaker, described, may_speak, speaks
from index.reading.attribution.tokens import _tokens
from index.reading.attribution.transcripts import _turn_attribution, _turns
from index.terms import STOPWORDS

__all__ = ["RULES_VERSION", "SCARE_QUOTE_WORDS", "attribute", "in_quotations", "is_quotation", "may_speak"]

# The version of these rules: an index attributed by other rules is re-attributed by the next `newsbot index`.
RULES_VERSION = 9  # 3: issue 23 (unattributed quotations, transcript turns, who may speak); 4: only people,
# groups, organisations and polls speak; "he" never stands for a group; 5: a number word, a preposition, an adverb
# or an opening participle alone ("Thirteen", "Across", "Somehow", "Based") is no name, nor a capitalised
# preposition's object ("At Harbour Hall"); a participle before the speakers is not theirs ("echoing experts who");
# "While Comey said …, he said": "he" is Comey; a quotation that swallows a subordinate clause's comma ends it;
# 6: a verb of stance that reports a position ("backed", "wants", "attacked") names no speaker without a quotation;
# a named appositive with where they are from speaks after its role ("A voter, Ann Lee of Dayton, said"); a
# possessive speaker is the person ("Obama's" → Obama), if the person may speak; 7: a split-off tail ("Trump said.",
# "Clinton asked.") names the quotation before a subject named earlier does; the main clause's cue wins over an
# opening participle or a clause of time; "with McCain telling", "as Cornyn put it"; "…, told Reuters" never speaks;
# 8: an opening setting before commas is no one ("Alarmed by the unrest in Nevada, Senator Harry Reid, …, said");
# "said the company's chief executive, John Roe"; a relative or participle clause before the verb is its subject's
# ("officials who spoke with The Times said", "a source speaking to Fox News said"); "Lee was asked, "…"" is not
# Lee's words; "Pollsters agree - Ada Quill: "…"" is Quill's; "In a CNN/ORC poll, 38 percent of voters said" is
# the poll's; '"…," an angry Hollande retaliated.' is Hollande's, whatever the verb; "these issues" are no "they";
# "he could add another title" and "she boasts a lead" are no words; "Pa." and "Name:" never speak; "Trump's
# repeated accusations" holds no cue; a foundation or a charity speaks; 9: "Hillary Clinton's" names her in full,
# and so does a title before any first name ("Prime Minister Oleksiy Honcharuk"), so "Honcharuk" alone is a person


def _attribution(s: _Speaker | None, cue: _Cue, kind: str | None = None) -> Attribution:
    if s is not None and not speaks(s.name, s.as_written):
        s = None
    if s is None:
        return Attribution(None, cue.cue, kind or cue.kind, as_written=cue.speaker.as_written if cue.speaker else None,
                           via=cue.via)
    return Attribution(s.name, cue.cue, kind or cue.kind, as_written=s.as_written, role=s.role, via=cue.via,
                       vague=s.vague or described(s.name, s.as_written))  # "a Democratic aide": nobody to check


# "Blumenthal was asked, "…"": the quotation is the question put to the subject, not the subject's words
_ASKED = re.compile(r"\b(?:was|were|is|are|been|being|get|gets|got)\s+(?:\w+ly\s+)?"
                    r"(?:asked|pressed|questioned|quizzed)\b")

TAIL_WORDS = 8  # the most words of a sentence that only says who spoke the quotation before it ("Trump said.")
# What may follow a tail's cue in a longer tail: a setting or a participle, not a claim of its own ("Clinton
# remarked, alluding to ...", "Sessions said as he launched the process.", "Lee said on Fox News Sunday.")
_TAIL_GOES_ON = re.compile(r"\s*(?:[,.!?]|(?:as|when|while|after|before|on|in|at|during|to|from|via|with|of|about)\b)")


def _is_tail(s: Sentence, before: Sentence, own: Attribution | None, quoted: bool) -> bool:
    """Return whether a sentence is the attribution of the quotation just before it, split off at the quotation's
    end: in its paragraph, no quotation of its own, opening with its named speaker and cue ("Trump said.",
    "Clinton asked.", "Trump said on Twitter.") and, if longer than a few words, going on with a setting or a
    participle rather than a claim ("Clinton remarked, alluding to the actor.", not "Lee said that the port shut")."""
    if quoted or own is None or not own.speaker or not own.as_written or not own.cue or s.paragraph != before.paragraph:
        return False
    text = s.text.strip()
    if not text.startswith(own.as_written):
        return False
    rest = text[len(own.as_written):].strip()
    if not rest.startswith(own.cue):
        return False
    if len(text.split()) <= TAIL_WORDS:
        return True
    return bool(_TAIL_GOES_ON.match(rest[len(own.cue):])) and not re.search(r"\bthat\b", rest)


_FULL_NAME = re.compile(r"\b([A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?([A-Z][a-z'’-]+[a-z])\b(?!\s+[A-Z])")
# An office or honorific written before a name says it is a person's, whatever the first name ("Prime Minister
# Oleksiy Honcharuk", "Sen. Tammy Duckworth"): its gender only when the title says it.
_TITLED_NAME = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Prof|President|Minister|Senator|Governor|Mayor|Secretary|Chancellor|Judge"
    r"|Ambassador|Spokesman|Spokeswoman|Chairman|Chairwoman|Congressman|Congresswoman|Director|Professor)\.?\s+"
    r"([A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?([A-Z][a-z'’-]+[a-z])\b(?!\s+[A-Z])")


_NOT_FIRST = _NOT_A_NAME | _TITLES | _PERSON_ROLE | STOPWORDS  # words a titled name's first word is not


def _not_possessive(word: str) -> str:
    """Return a name word without its possessive ending ("Clinton's" -> "Clinton")."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _named_in_full(text: str) -> Iterator[tuple[str, str, str | None]]:
    """Yield (first name, surname, gender or None) of each person a sentence names in full: by a known first name
    ("Hillary Clinton's"), or after a title whatever the first name ("Prime Minister Oleksiy Honcharuk")."""
    for m in _FULL_NAME.finditer(text):
        first, surname = m.group(1), _not_possessive(m.group(2))
        low = first.lower()
        if (low in _FEMALE_NAMES) != (low in _MALE_NAMES):  # a name of one gender only
            yield first, surname, "f" if low in _FEMALE_NAMES else "m"
    for m in _TITLED_NAME.finditer(text):
        title, first, surname = m.group(1).lower(), m.group(2), _not_possessive(m.group(3))
        low = first.lower()
        participle = len(low) > 5 and low.endswith("ed")
        if low in _FEMALE_NAMES | _MALE_NAMES or surname.lower() in _NOT_A_NAME or low in _NOT_FIRST or participle:
            continue  # a known first name was read above; "President Obama Tuesday", "President On Trump" (a
            # headline's capitals) and "Senator Endorsed Trump" are no one's full name
        yield first, surname, "f" if title in _FEMALE_TITLES else "m" if title in _MALE_TITLES else None


def _full_names(sentences: Sequence[Sentence]) -> dict[str, tuple[int, _Speaker]]:
    """Return the people an article names in full (`_named_in_full`), each by surname with the first sentence that
    names them; a surname two people share stands for neither."""
    found: dict[str, tuple[int, _Speaker]] = {}
    shared: set[str] = set()
    for i, s in enumerate(sentences):
        for first, surname, gender in _named_in_full(s.text):
            name = f"{first} {surname}"
            key = surname.lower()
            if key in found and found[key][1].name != name:
                shared.add(key)
            found.setdefault(key, (i, _Speaker(name, name, person=True, gender=gender)))
    return {k: v for k, v in found.items() if k not in shared}


HEADING_WORDS = 8  # the most words after "Name:" in a line that heads the paragraphs after it


def _is_heading(sentences: Sequence[Sentence], i: int) -> bool:
    """Return whether the sentence at i is a heading "Name: a few words" (a paragraph of its own, followed by a
    paragraph that is no other speaker's turn): "Rubio: Finish second.", not "TAPPER: ..." then "TRUMP: ..."."""
    s = sentences[i]
    if i == 0 or sentences[i - 1].paragraph == s.paragraph or i + 1 >= len(sentences):
        return False
    after = sentences[i + 1]
    if after.paragraph == s.paragraph or re.match(r"\s*[A-Z][\w.'’ -]{0,40}:\s", after.text):
        return False
    words = s.text.split(":", 1)[1].split()
    return len(words) <= HEADING_WORDS and not re.search(r"[\"“”]", s.text)


def attribute(sentences: Sequence[Sentence]) -> list[Attribution]:
    """Return one attribution per sentence of an article, in order, following quotations across sentences."""
    n = len(sentences)
    own: list[Attribution | None] = [None] * n
    quoted = [False] * n
    bare_quote = [False] * n  # nothing but a quotation: no words of the article's own
    opens_quote = [False] * n
    ends_colon = [False] * n
    continues = [False] * n  # starts inside a quotation opened by the sentence before
    quotation = [False] * n  # someone's quoted words, not a scare-quoted term
    resolver = _Resolver()
    subject: list[_Speaker | None] = [None] * n  # the named person a sentence is about, for a quotation after it
    quoted_by: list[_Speaker | None] = [None] * n  # the subject of a sentence that quotes words and has no cue
    inside = False
    resolver.mentions = _full_names(sentences)
    for i, s in enumerate(sentences):
        resolver.at = i
        if i == 0 or s.paragraph != sentences[i - 1].paragraph:
            inside = False
        continues[i] = inside
        masked, inside, quoted[i] = _mask_quotes(s.text, inside)
        opens_quote[i] = s.text.lstrip()[:1] in ('"', "“") or s.text.lstrip().startswith(("''", "``"))
        bare_quote[i] = quoted[i] and not re.search(r"\w", masked)
        quotation[i] = quoted[i] and is_quotation(s.text, masked, continues[i]) or continues[i]
        ends_colon[i] = s.text.rstrip().endswith(":")
        if not re.search(r"\w", masked):
            continue
        toks = _tokens(masked)
        words = [t for t in toks if t.word and t.text[:1].isalpha()]
        headline = i == 0 and len(words) > 2 and sum(t.cap for t in words) > 0.6 * len(words)
        found = _cues(masked, toks, headline=headline)
        if not found and opens_quote[i] and (tail := _quote_tail(s.text, masked, toks)) is not None:
            found = [tail]  # '"France will always be France," an angry Hollande retaliated.'
        if not found:
            main = _main_subject(masked, toks)
            if quoted[i] and main is not None and not main.vague and not _ASKED.search(masked):
                # "Lee fired back that "the voters know my record"": the subject's own words.
                quoter = resolver.resolve(main)
                if quoter is not None and quoter.name and quoter.name[:1].isupper():
                    quoted_by[i] = quoter
            if main is not None and main.name and _plural(main) and _people(main):
                resolver.groups.append(main)  # "These farmers ...": "they" may be them ("These issues": not)
            if main is not None and main.name and main.person and not main.vague:
                main = resolver.resolve(main)
                if main is not None and main.name and main.name[:1].isupper() and resolver.plausible(main):
                    subject[i] = main
                    resolver.note(main)  # a person the article is talking about: "he" may be them
            continue
        if not quoted[i] and takes_position(found[0].cue):  # "Lee backed the bill, Hart said": Hart's words
            found = [o for o in found if not takes_position(o.cue)] or found
        elif takes_position(found[0].cue):  # quoted: a cue of words with its speaker still comes first
            found = sorted(found, key=lambda o: takes_position(o.cue) or o.speaker is None)
        c = _by_poll(masked, toks, found[0])
        if c.cue == ":" and not headline and _is_heading(sentences, i):
            continue  # "Christie: A closing surge." over a paragraph of its own: a heading, not Christie's words
        speaker = c.speaker
        if c.kind == "reported_main":
            speaker = _main_subject(masked, toks)
            c = replace(c, kind="reported")
        if speaker is None:
            own[i] = _attribution(None, c)
            continue
        if speaker.pronoun == "they":
            main = _main_subject(masked, toks)
            if main is not None and main.name and _plural(main) and masked.find(main.as_written) < c.start:
                resolver.groups.append(main)  # "City leaders are wary, but they do not want ..."
        if speaker.pronoun in {"he", "she"}:
            want = "m" if speaker.pronoun == "he" else "f"
            # "Mrs. Lee leans on him, as she praises ...": the sentence's own subject comes first.
            main = _main_subject(masked, toks)
            if main is not None and main.name and main.person and main.name[:1].isupper() and (
                    masked.find(main.as_written) < c.start) and main.gender in (None, want):
                main = resolver.resolve(main)
                if main is not None and resolver.plausible(main):
                    resolver.note(main)
            # "While Comey said there was evidence, he said ...": the person of the clause before is "he".
            earlier = [o.speaker for o in found[1:] if o.start < c.start and o.speaker is not None and o.speaker.name
                       and o.speaker.person and o.speaker.pronoun is None and o.speaker.name[:1].isupper()
                       and o.speaker.gender in (None, want)]
            if earlier:
                other = resolver.resolve(earlier[-1])  # a speaker with a cue of its own: noted as speakers are
                if other is not None:
                    resolver.note(other)
        resolved = resolver.resolve(speaker)
        if resolved is not None and speaker.pronoun is None:
            resolver.note(resolved)
        if not quoted[i] and takes_position(c.cue):
            # "Sanders backed the bill.": a position the outlet reports, in its own voice; Sanders stays the
            # person the article is about (a pronoun after it, a quotation opening the next paragraph)
            if resolved is not None and resolved.name and resolved.person and resolved.name[:1].isupper():
                subject[i] = resolved
            continue
        own[i] = _attribution(resolved, c)

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
        run = next((a for a in own[i : j + 1] if a is not None and a.speaker), None)
        before, named = (own[i - 1], subject[i - 1]) if i > 0 else (None, None)
        # '"...," he said.' where "he" stands for no one here: the quotation's own cue says it is not the last
        # speaker's by default, so it is not lent one.
        unresolved = any(a is not None and a.as_written and a.as_written.lower() in {"he", "she"}
                         for a in own[i : j + 1])
        if run is None and j + 1 < n and _is_tail(sentences[j + 1], sentences[j], own[j + 1], quoted[j + 1]):
            run = own[j + 1]  # '"Are you listening?"' then 'Trump asked.': the split-off tail names the speaker
        if run is None and opens_quote[i] and before is not None and before.speaker and not unresolved:
            run = before  # "Smith said:" then the quotation, or a quotation continuing the one before
        if run is None and opens_quote[i] and before is None and named is not None:
            # "Reyes is upbeat." then a quotation: the person just named speaks
            run = Attribution(named.name, None, "quote", as_written=named.as_written, role=named.role)
        if (
            run is None
            and previous_run is not None
            and previous_run[0] == i - 1
            and opens_quote[i]
            and all(bare_quote[k] for k in range(i, j + 1))
        ):
            run = previous_run[1]  # a bare quotation right after an attributed one: the same speaker goes on
        if run is not None:
            run = replace(run, kind="quote")
            previous_run = (j, run)
        for k in range(i, j + 1):
            run_of[k] = run
        i = j + 1

    for i in range(n):
        mine, run = own[i], run_of[i]
        if quoted[i] and mine is not None and mine.speaker:
            result.append(replace(mine, kind="quote"))
        elif mine is not None and mine.speaker:
            result.append(mine)
        elif run is not None:
            result.append(run)
        elif (q := quoted_by[i]) is not None:
            result.append(Attribution(q.name, None, "quote", as_written=q.as_written, role=q.role))
        elif mine is not None:
            result.append(replace(mine, kind="quote") if quoted[i] else mine)
        elif quotation[i]:
            result.append(Attribution(kind="quote"))  # an unattributed quotation, never the outlet's own voice
        else:
            result.append(NO_ATTRIBUTION)
    for i, a in enumerate(result):  # whatever path named it, no dateline, adverb or year speaks, and a name
        if a.speaker is None:  # written as a possessive is the person ("Obama's" is Obama; "Editor's" no one)
            continue
        possessive = a.speaker.endswith(("'s", "’s")) and len(a.speaker) > 3
        name = a.speaker[:-2].rstrip() if possessive else a.speaker
        if not speaks(a.speaker, a.as_written) or possessive and not speaks(name, a.as_written):
            result[i] = Attribution(kind="quote") if quotation[i] else replace(a, speaker=None, role=None, via=None,
                                                                               vague=False)
        elif possessive:
            result[i] = replace(a, speaker=name)
    turns = _turns(sentences)
    article = " ".join(s.text for s in sentences) if turns else ""
    for i, s in enumerate(sentences):
        if s.paragraph in turns:  # every sentence of a turn is its speaker's
            result[i] = _turn_attribution(turns[s.paragraph], resolver.by_surname, article)
    return result
