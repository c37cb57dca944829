"""Transcripts and interviews: paragraphs that open with a speaker's label ("TAPPER:", "Q:", "WN:") are that
speaker's turns, each named by the full name the article used for them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from index.model import Attribution, Sentence
from index.reading.attribution.lexicon import _LEADING, _NOT_COLON_NAMES, _TITLES
from index.reading.attribution.speakers import _Speaker
from index.reading.attribution.tokens import _ABBREVIATIONS

# A turn of a transcript or an interview: "PENCE: ...", "Q: ...", "A: ...", "WN: ..." opening a paragraph.
_TURN = re.compile(r"\s*((?:[A-Z][A-Z.'’-]+)(?: [A-Z][A-Z.'’-]+){0,2}|Q|A|WN)\s*:\s")
_TURN_SPEAKERS = {"WN": "Wikinews"}  # who a fixed interviewer label stands for; Q and A name nobody by themselves


# A turn labelled by a name as written ("Wikinews:", "HughMcGuire:", "Hugh McGuire:"): a turn only when the
# interview goes back and forth, two labels or more each opening two paragraphs or more. Names that open one
# paragraph each are headings ("Rubio: Finish second.", "Cruz: Just hang on.").
_NAMED_TURN = re.compile(r"\s*([A-Z][a-z]+(?:[A-Z][a-z]+)*(?: [A-Z][a-z]+(?:[A-Z][a-z]+)*){0,2})\s*:\s")


def _turns(sentences: Sequence[Sentence]) -> dict[int, str]:
    """Return the paragraphs of an article that are turns of a transcript, each with its speaker's label, when
    two or more are ("TAPPER:", "FALLIN:"); one label alone is a heading ("BREAKING: ..."). Labels written as
    names count when two of them each open two turns or more (an interview: "Wikinews:", "HughMcGuire:")."""
    turns: dict[int, str] = {}
    named: dict[int, str] = {}
    for i, s in enumerate(sentences):
        if i > 0 and s.paragraph == sentences[i - 1].paragraph:
            continue
        m = _TURN.match(s.text)
        if m and m.group(1).lower() not in _NOT_COLON_NAMES - {"q", "a"}:
            turns[s.paragraph] = m.group(1)
        elif (m := _NAMED_TURN.match(s.text)) and m.group(1).lower() not in _NOT_COLON_NAMES:
            named[s.paragraph] = m.group(1)
    counts = Counter(named.values())
    if sum(1 for c in counts.values() if c >= 2) >= 2:
        turns.update({p: label for p, label in named.items() if counts[label] >= 2})
    return turns if len(turns) >= 2 and len(set(turns.values())) >= 2 else {}


def _turn_attribution(label: str, by_surname: dict[str, _Speaker], text: str) -> Attribution:
    """Return the attribution of a transcript turn: its speaker by the full name the article used ("CLINTON" is
    Hillary Clinton, "HART" the Tom Hart of "Governor Tom Hart"), or an unattributed quotation for "Q" and "A"."""
    if label in {"Q", "A"}:
        return Attribution(None, ":", "quote", as_written=label)
    if label in _TURN_SPEAKERS:
        return Attribution(_TURN_SPEAKERS[label], ":", "quote", as_written=label)
    if not label.isupper():  # a name as written ("HughMcGuire", "Hugh McGuire"): the article's own form
        full = by_surname.get(label.split()[-1].lower())
        return Attribution(full.name if full is not None and full.name and " " in label else label, ":", "quote",
                           as_written=label)
    surname = label.split()[-1].capitalize()
    full = by_surname.get(surname.lower())
    if full is not None and full.name:
        return Attribution(full.name, ":", "quote", as_written=label, role=full.role)
    for m in re.finditer(rf"\b((?:[A-Z][\w'’-]+\s+){{1,2}}){re.escape(surname)}\b", text):
        first = [w for w in m.group(1).split() if w.rstrip(".") not in _ABBREVIATIONS and w.lower() not in _TITLES
                 and w not in _LEADING]
        if first:  # "Governor Tom Hart" names HART
            return Attribution(f"{' '.join(first)} {surname}", ":", "quote", as_written=label)
    return Attribution(" ".join(w.capitalize() for w in label.split()), ":", "quote", as_written=label)
