"""Cutting a quote-masked sentence into tokens (`_Tok`): words, punctuation and blanked-out quotations, with an
abbreviation keeping its period ("Sen.", "H.") so that it stays part of the name it opens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.terms import word_set

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\x00+|[\w$%][\w'’&$%/-]*(?<![-'’/])|[^\w\s]")  # "CNN/WMUR" is one
_ABBREVIATIONS = word_set(
    "Mr Mrs Ms Dr Prof Sen Rep Gov Gen Lt Col Sgt Capt Adm Sec Pres Atty Rev Jr Sr St Mt Ft Gov Supt Insp Det "
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore Pa "
    "Tenn Tex Va Vt Wash Wis Wyo Corp Inc Ltd Co"
)


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper() or (self.text[:1].isdigit() is False and self.text[:1] == "$")

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "$"


def _tokens(text: str) -> list[_Tok]:
    """Return the tokens of a (quote-masked) text; an abbreviation keeps its period ("Sen.", "H.")."""
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        t = _Tok(m.group(0), m.start(), m.end())
        if t.text == "." and out and out[-1].end == t.start and (
            out[-1].text in _ABBREVIATIONS or (len(out[-1].text) == 1 and out[-1].text.isupper())
        ):
            prev = out.pop()
            t = _Tok(prev.text + ".", prev.start, t.end)
        out.append(t)
    return out
