"""The characters newsbot neither stores nor shows, defined once: the controls that reorder a line (bidirectional
embeddings, overrides, isolates and marks: an unterminated U+202E turns the rest of a card's line around) and the
invisible format characters (zero-width space, word joiner, BOM, soft hyphen, invisible operators and fillers,
tags). The readers drop them from articles and their metadata (`index.reading.repair`), the engine from questions,
and the front ends from everything they show (`shown`), a last guard for stores written before and for text from
elsewhere: file names, questions echoed back.

Right-to-left text itself (Arabic, Hebrew) is untouched: its letters carry their direction; only the explicit
controls go. The zero-width joiner and non-joiner (U+200D, U+200C) stay where they join two visible characters
outside ASCII: Persian and Indic words and emoji sequences ("👨‍👩‍👧") need them; anywhere else (inside a Latin
word, "Ben\u200dotman", beside a space, at an end) they only hide a word from search, and go.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional controls: Arabic letter mark, LRM/RLM, the embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and
# the isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Invisible characters (default-ignorable, bar the joiners and the variation selectors, which carry meaning):
# soft hyphen, combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian vowel separator,
# zero-width space, word joiner and the invisible operators (U+2060-U+2064, deprecated U+206A-U+206F), BOM,
# interlinear annotation, shorthand and musical format controls, tags.
INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060-\u2065\u206a-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
JOINERS = "\u200c\u200d"
_DROPPED = re.compile(f"[{BIDI_CONTROLS}{INVISIBLE}]+")
_JOINER_RUN = re.compile(f"[{JOINERS}]+")
# Control characters but newline; a tab becomes a space.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _joins(char: str) -> bool:
    """Return whether a joiner next to this character can be meant: a visible character outside ASCII."""
    return ord(char) > 0x7F and not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs")


def _kept_joiners(m: re.Match[str]) -> str:
    text, start, end = m.string, m.start(), m.end()
    if start > 0 and end < len(text) and _joins(text[start - 1]) and _joins(text[end]):
        return m.group(0)
    return ""


def without_hidden(text: str) -> str:
    """Return the text without bidirectional controls and invisible characters, and without the joiners that
    join nothing (see the module's docstring); the rest untouched."""
    if text.isascii():
        return text
    text = _DROPPED.sub("", text)
    return _JOINER_RUN.sub(_kept_joiners, text) if ("\u200c" in text or "\u200d" in text) else text


def shown(text: str) -> str:
    """Return text fit to show a person on a card or a terminal: `without_hidden`, and without control characters
    (a tab becomes a space; newlines stay), so that no field can reorder, hide or restyle what follows it."""
    return _CONTROL.sub("", without_hidden(text).replace("\t", " "))
