"""Quotations: blanking out the quoted words of a sentence (straight, curly and doubled single quotes) so the
rules read only the article's own words, and telling someone's quoted words from a scare-quoted term."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.model import Sentence


def _mask_quotes(text: str, inside: bool) -> tuple[str, bool, bool]:
    """Return the text with quotations blanked out, whether it ends inside one, and whether it has one. Straight,
    curly and doubled single quotes ('' ... '') all count; a lone apostrophe does not."""
    chars = list(text.replace("''", '"\x01').replace("``", "\x02\x01"))
    quoted = False
    for i, c in enumerate(chars):
        if c == "\x01":
            chars[i] = "\x00"
            continue
        if c == '"':
            if inside:
                chars[i] = "\x00"
            inside = not inside
            if inside:
                chars[i] = "\x00"
                quoted = True
        elif c in "“\x02":
            inside = quoted = True
            chars[i] = "\x00"
        elif c == "”":
            chars[i] = "\x00"
            inside = False
        elif inside:
            chars[i] = "\x00"
            quoted = True
    return "".join(chars), inside, quoted


SCARE_QUOTE_WORDS = 3  # quoted words up to this many, inside the article's own sentence, are a term, not a quotation


def _quoted_words(text: str, masked: str) -> int:
    """Return how many words of a sentence lie inside its quotations."""
    return len(re.findall(r"\w+", "".join(c for c, m in zip(text, masked, strict=False) if m == "\x00")))


def is_quotation(text: str, masked: str, continues: bool) -> bool:
    """Return whether a sentence is (in part) someone's quoted words: it continues a quotation, opens with one, or
    quotes more than a scare-quoted term ("the so-called "caliphate"" is the article's own voice)."""
    opens = text.lstrip()[:1] in ('"', "“") or text.lstrip().startswith(("''", "``"))
    return continues or opens or _quoted_words(text, masked) > SCARE_QUOTE_WORDS


def in_quotations(sentences: Sequence[Sentence]) -> list[bool]:
    """Return, for each sentence of an article, whether it holds a quotation or continues one opened before it in
    its paragraph (the sentences a card must give a speaker or mark as an unattributed quotation)."""
    out: list[bool] = []
    inside = False
    for i, s in enumerate(sentences):
        if i == 0 or s.paragraph != sentences[i - 1].paragraph:
            inside = False
        before = inside
        masked, inside, quoted = _mask_quotes(s.text, inside)
        out.append(quoted and is_quotation(s.text, masked, before) or before)
    return out
