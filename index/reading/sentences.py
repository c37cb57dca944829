"""Splitting repaired article text into sentences with their paragraph, position and character offsets."""

from __future__ import annotations

import re
import threading

import pysbd

from index.model import Sentence

MAX_SENTENCE_CHARS = 1000
# pysbd's work grows with the square of its input: a paragraph longer than MAX_PARAGRAPH_CHARS is fed to it in
# pieces of at most PIECE_CHARS, cut at sentence ends (else at a space, else anywhere), so splitting stays linear.
MAX_PARAGRAPH_CHARS = 5000
PIECE_CHARS = 2000

# Abbreviations that never end a sentence: titles before a name.
_TITLES_WORDS = (
    "mr mrs ms dr gen lt col sgt capt cpt maj adm cmdr cdr brig gov sen rep pres prof rev st fr sr "
    "jr hon insp det supt cpl pvt gens reps sens messrs mme mlle"
)
_TITLES = frozenset(_TITLES_WORDS.split())
# Abbreviations after which a capitalised word rarely starts a new sentence.
_ABBREVIATIONS_WORDS = (
    "no nos vs etc inc corp co ltd mt ft jan feb mar apr jun jul aug sep sept oct nov dec est "
    "approx dept univ assn bros e.g i.e"
)
_ABBREVIATIONS = _TITLES | frozenset(_ABBREVIATIONS_WORDS.split())
_TITLE_END = re.compile(r"(?:^|[\s(\"“])([A-Za-z]+)\.$")
_INITIAL_END = re.compile(r"(?:^|\s)[A-Z][a-z]+(?:\s[A-Z]\.)*\s[A-Z]\.$")
# A sentence end that pysbd may leave unsplit inside a quotation: ". " then a capital (maybe after a quote).
_INNER_END = re.compile(r"[.!?][\"”’']?\s+(?=[\"“‘']?[A-Z])")
# What could end a sentence in English text (pysbd's sentence ends, and a line break).
_MAY_END = re.compile("[.!?\u2026\u3002\uff01\uff1f\n]")
_WORD_BEFORE = re.compile(r"(\S+)$")
_CLAUSE_BREAKS = (
    re.compile(r"[;:]\s+"),
    re.compile(r",\s+"),
    re.compile(r"\s+[-–—]+\s+"),
    re.compile(r"\s+"),
)

_local = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """Return this thread's pysbd segmenter (a Segmenter keeps state between calls, so it is not shared)."""
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        _local.segmenter = seg
    return seg


def _is_abbreviation(before: str) -> bool:
    """Return whether the text before a period ends in an abbreviation or an initial (no sentence end)."""
    m = _WORD_BEFORE.search(before)
    if not m:
        return False
    word = m.group(1).lstrip("\"“‘'(").rstrip(".")
    if not word:
        return False
    if word.lower() in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. R. Smith"
    # Dotted acronyms and abbreviations: "U.S", "p.m", "a.m".
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def _starts(paragraph: str) -> list[int]:
    """Return the offsets in a paragraph where its sentences start."""
    starts: list[int] = []
    cursor = 0
    for span in _segmenter().segment(paragraph):
        piece = span.sent.strip()
        if not piece:
            continue
        at = paragraph.find(piece, cursor)
        if at < 0:
            at = paragraph.find(piece[:20], cursor)
        if at < 0:
            continue  # pysbd changed the text; its neighbours' boundaries still hold
        starts.append(at)
        cursor = at + len(piece)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return sorted(set(starts))


def _merged(paragraph: str, starts: list[int]) -> list[int]:
    """Return sentence starts without bad splits after a title ("Gen.") or a name's initial ("John F."), or before a
    comma, semicolon or colon ("Rep. Ana Cruz, R-Tex., says": no sentence opens with one)."""
    kept = [starts[0]]
    for s in starts[1:]:
        if paragraph[s : s + 1] in {",", ";", ":"}:
            continue
        before = paragraph[kept[-1] : s].rstrip()
        m = _TITLE_END.search(before)
        if m and m.group(1).lower() in _TITLES or _INITIAL_END.search(before):
            continue
        kept.append(s)
    return kept


def _split_inner(paragraph: str, starts: list[int]) -> list[int]:
    """Return sentence starts with the sentences pysbd kept together inside a quotation split apart."""
    bounds = [*starts, len(paragraph)]
    out: list[int] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        out.append(a)
        for m in _INNER_END.finditer(paragraph, a, b):
            if m.end() >= b or paragraph[m.start()] == "." and _is_abbreviation(
                paragraph[max(a, m.start() - 64) : m.start()]
            ):
                continue
            # pysbd joins sentences only inside quotations; elsewhere trust its decision.
            inside = paragraph[a : m.start()]
            if inside.count('"') % 2 == 1 or inside.count("“") > inside.count("”"):
                out.append(m.end())
    return out


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return (start, end) pieces of a too-long sentence, cut at clause boundaries near the middle (in the middle
    when it has none: a run of characters without a space is cut anyway, so no sentence exceeds the limit)."""
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    middle = (start + end) // 2
    for pattern in _CLAUSE_BREAKS:
        best = None
        for m in pattern.finditer(text, start + 1, end - 1):
            if best is None or abs(m.end() - middle) < abs(best.end() - middle):
                best = m
        if best is not None and start + 100 <= best.end() <= end - 100:
            return _cut_long(
                text, start, best.start() + (1 if pattern.pattern[0] in "[;," else 0)
            ) + _cut_long(text, best.end(), end)
    return _cut_long(text, start, middle) + _cut_long(text, middle, end)


def _piece_end(paragraph: str, start: int) -> int:
    """Return where the piece of a long paragraph that begins at `start` ends: the last sentence end (not after
    an abbreviation) in its second half, else its last space, else PIECE_CHARS characters on."""
    limit = start + PIECE_CHARS
    if limit >= len(paragraph):
        return len(paragraph)
    floor = start + PIECE_CHARS // 2
    best = -1
    straight = opening = closing = 0  # quotation marks since `start`: no cut inside a quotation
    counted = start
    for m in _INNER_END.finditer(paragraph, start, limit):
        seen = paragraph[counted : m.end()]
        straight, opening, closing = straight + seen.count('"'), opening + seen.count("“"), closing + seen.count("”")
        counted = m.end()
        if m.end() <= floor or straight % 2 == 1 or opening > closing:
            continue
        if paragraph[m.start()] == "." and _is_abbreviation(paragraph[max(start, m.start() - 64) : m.start()]):
            continue
        best = m.end()
    if best > floor:
        return best
    space = paragraph.rfind(" ", floor, limit)
    return space + 1 if space > floor else limit


def _pieces(paragraph: str) -> list[tuple[int, int]]:
    """Return (start, end) spans that cover a paragraph, each short enough for pysbd to be quick."""
    if len(paragraph) <= MAX_PARAGRAPH_CHARS:
        return [(0, len(paragraph))]
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(paragraph):
        end = _piece_end(paragraph, start)
        spans.append((start, end))
        start = end
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span without surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[Sentence]:
    """Return the sentences of a repaired article (paragraphs separated by blank lines), in order."""
    sentences: list[Sentence] = []
    paragraph_no = 0
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", text):
        paragraph = m.group(0)
        if not paragraph.strip():
            continue
        for piece_start, piece_end in _pieces(paragraph):
            piece = paragraph[piece_start:piece_end]
            base = m.start() + piece_start
            if piece_end - piece_start < len(paragraph) and not _MAY_END.search(piece):
                starts = [0]  # a piece of a long run with nothing that could end a sentence: pysbd is slow on it
            else:
                starts = _split_inner(piece, _merged(piece, _starts(piece)))
            bounds = [*starts, len(piece)]
            for a, b in zip(bounds, bounds[1:], strict=False):
                a, b = _trimmed(piece, a, b)
                if a >= b:
                    continue
                for s, e in _cut_long(piece, a, b):
                    s, e = _trimmed(piece, s, e)
                    if s < e:
                        sentences.append(
                            Sentence(
                                text=piece[s:e],
                                paragraph=paragraph_no,
                                position=len(sentences),
                                start=base + s,
                                end=base + e,
                            )
                        )
        paragraph_no += 1
    return sentences
