"""The page's furniture: what an article's text carries that is not the article. Photo and video captions and
credits ("Photo: ...", "(Getty Images)", "Image credit: ..."), the dateline that opens it ("CNN —", "WASHINGTON
(Reuters) -"), the byline of a page ("By Jane Doe", "Jane Doe, CNN") and the reporting credits at its foot ("Lerer
reported from Los Angeles.") are recognised when an article is read and
kept out of its sentences; the dateline's outlet and the byline's author go to the metadata when it has none."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Outlets that sign datelines and bylines ("CNN —", "(Reuters) -", "Jane Doe, CNN").
OUTLETS = (
    "CNN", "Reuters", "AP", "Associated Press", "AFP", "Agence France-Presse", "Bloomberg", "UPI", "BBC", "NPR",
    "CNBC", "ABC News", "NBC News", "CBS News", "Fox News", "The Associated Press", "dpa", "Xinhua", "EFE", "PA",
)
_OUTLET = "|".join(re.escape(o) for o in sorted(OUTLETS, key=len, reverse=True))
_DASH = r"(?:-{1,2}|—|–)"
# A dateline: a place in capitals (", Jan 5" or a state after it may follow), an outlet in parentheses, or an
# outlet alone, then a dash: "WASHINGTON (Reuters) -", "NEW YORK, Jan 5 (AP) —", "LOS ANGELES —", "CNN —".
_DATELINE = re.compile(
    rf"^\s*(?:(?P<place>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){{0,3}})"
    rf"(?:,\s*(?:[A-Z][a-z]{{1,9}}\.?(?:\s+\d{{1,2}})?|[A-Z][A-Za-z.]{{1,14}}))?\s*)?"
    rf"(?:\((?P<outlet>{_OUTLET})\)\s*)?{_DASH}\s+(?=\S)"
)
_OUTLET_DATELINE = re.compile(rf"^\s*(?P<outlet>{_OUTLET})\s*{_DASH}\s+(?=\S)")
# A paragraph that is a caption or a credit line: "Photo: ...", "Image credit: ...", "(Getty Images)",
# "AP Photo/Evan Vucci", "REUTERS/Kevin Lamarque", "Video: ...".
_CAPTION = re.compile(
    r"^\s*(?:\(?(?:(?:photo|image|picture|video|graphic|illustration)s?\s*(?:credit|courtesy|source)?|caption|"
    r"credit|credits|source: (?:getty|ap|reuters))\s*[:|]"
    r"|\(?(?:getty images|ap photo|afp(?: via getty images)?|reuters|epa|shutterstock|file photo)\b[^.!?]{0,80}\)?"
    r"\s*$|[A-Z]{2,}(?: [A-Z]{2,})?/[A-Z][\w.'’ -]{2,40}$)",
    re.IGNORECASE,
)
# A credit in parentheses inside a paragraph: "(Getty Images)", "(AP Photo/Evan Vucci)", "(Photo: Jane Doe)".
_INLINE_CREDIT = re.compile(
    r"\s*\((?:(?:photo|image|video)(?: credit)?\s*:[^)]{1,80}|getty images[^)]{0,40}|(?:ap|afp|reuters|epa) "
    r"photo[^)]{0,60}|[^()]{1,40} via getty images|[^()]{1,40}/(?:getty images|ap|afp|reuters))\)",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:de|van|von|da|del|la|le|bin|al|[A-Z][\w.'’-]*)){1,3}"
# A byline paragraph: "By Jane Doe", "By Jane Doe and John Roe, CNN", "Jane Doe, CNN".
_BYLINE = re.compile(
    rf"^\s*(?:By\s+(?P<by>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)(?:\s*,\s*(?P<by_outlet>{_OUTLET}|[A-Z][\w ]{{1,30}}))?"
    rf"|(?P<named>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*),\s*(?P<outlet>{_OUTLET}))\s*\.?\s*$"
)
# A reporting credit, a paragraph of its own (at the foot, mostly): "Lerer reported from Los Angeles.", "Jane Doe
# and John Roe contributed reporting from Cairo.", "Additional reporting by Jane Doe."
_ONE_NAME = rf"(?:{_NAME}|[A-Z][\w'’-]+)"
_REPORTING_CREDIT = re.compile(
    rf"^\s*(?:{_ONE_NAME}(?:\s*(?:,|and|&)\s*{_ONE_NAME})*\s+(?:reported|contributed)"
    rf"(?:\s+(?:reporting|to this report(?:ing)?|to this story|to this article))?"
    rf"(?:\s+(?:from|in)\s+[A-Z][\w .,'’-]{{1,80}}?)?|(?:Additional r|R)eporting by\s+[^.]{{1,120}})\.?\s*$"
)
BYLINE_PARAGRAPHS = 3  # a byline stands in the first few paragraphs, never further down


@dataclass(frozen=True)
class Cleaned:
    """An article's text without its furniture, and what the furniture told about the article."""

    text: str
    outlet: str | None = None  # from the dateline or the byline
    place: str | None = None  # the dateline's place ("WASHINGTON")
    author: str | None = None  # from the byline


def is_caption(paragraph: str) -> bool:
    """Return whether a paragraph is a photo or video caption or a credit line."""
    return len(paragraph) <= 300 and bool(_CAPTION.match(paragraph))


def is_reporting_credit(paragraph: str) -> bool:
    """Return whether a paragraph only credits the reporting ("Lerer reported from Los Angeles.")."""
    return len(paragraph) <= 200 and bool(_REPORTING_CREDIT.match(paragraph))


def is_short_caption(paragraph: str) -> bool:
    """Return whether what is left of a paragraph once its credit is gone reads as a caption: short, no sentence."""
    rest = paragraph.strip()
    return len(rest) <= 80 and not rest.endswith((".", "!", "?", '"', "”"))


def dateline(paragraph: str) -> tuple[int, str | None, str | None]:
    """Return where an opening dateline ends in a paragraph (0: none) with its place and outlet."""
    m = _OUTLET_DATELINE.match(paragraph)
    if m:
        return m.end(), None, m.group("outlet")
    m = _DATELINE.match(paragraph)
    if m and (m.group("place") or m.group("outlet")):
        place = m.group("place")
        state = m.group(0).partition(",")[2]
        if place and not m.group("outlet") and len(re.sub(r"[^A-Z]", "", place)) < 4 and "." not in state:
            return 0, None, None  # "US — and China", "US, EU - talks"; "RYE, N.H. -" is a dateline
        return m.end(), place, m.group("outlet")
    return 0, None, None


def byline(paragraph: str) -> tuple[str, str | None] | None:
    """Return the author(s) and outlet a byline paragraph names, or None when the paragraph is no byline."""
    if len(paragraph) > 120:
        return None
    m = _BYLINE.match(paragraph)
    if not m:
        return None
    if m.group("by"):
        return m.group("by").strip(), m.group("by_outlet")
    return m.group("named").strip(), m.group("outlet")


HEADLINE_CHARS = 160  # the longest line taken for a headline above the dateline


def _is_headline(paragraph: str) -> bool:
    """Return whether a paragraph is one short line, as a headline over the article is."""
    return len(paragraph) <= HEADLINE_CHARS and "\n" not in paragraph.strip()


def without_furniture(text: str) -> Cleaned:
    """Return an article's text (paragraphs split by a blank line) without captions, credits, its dateline and
    its byline, with what they told: the outlet, the dateline's place, the author."""
    paragraphs = text.split("\n\n")
    kept: list[str] = []
    outlet = place = author = None
    for n, p in enumerate(paragraphs):
        if is_caption(p) or is_reporting_credit(p):
            continue
        if n < BYLINE_PARAGRAPHS and not kept and (by := byline(p)) is not None:
            author, outlet = author or by[0], outlet or by[1]
            continue
        credited = _INLINE_CREDIT.sub("", p)
        if credited != p and is_short_caption(credited):
            continue  # "Sirhan in 1969 (Image: CDCR)": a caption that ends in its credit
        p = credited
        if not kept or len(kept) == 1 and place is None and _is_headline(kept[0]):
            # the dateline opens the article, or its first paragraph after a headline line
            end, where, signed = dateline(p)
            if end:
                p, place, outlet = p[end:], where, outlet or signed
        if p.strip():
            kept.append(p)
    if not kept:
        return Cleaned(text)  # all furniture, or nothing recognised as the article: keep it as it was
    return Cleaned("\n\n".join(kept), outlet, place, author)
