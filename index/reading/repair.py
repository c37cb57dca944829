"""Repairing raw article text: Unicode and whitespace normalised, hard-wrapped lines joined, paragraphs kept
(one line each, separated by one blank line), and simple Markdown markup stripped."""

from __future__ import annotations

import re
import unicodedata

from index.characters import without_hidden

# Spaces other than " ": tab, no-break, the typographic spaces, narrow no-break, ideographic.
_ODD_SPACE = re.compile("[\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Control characters other than newline (tab and friends are already spaces by then).
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(" {2,}")
# A line that ends a sentence: . ! ? or an ellipsis, maybe followed by closing quotes or brackets.
_SENTENCE_END = re.compile("[.!?\u2026][\"'\u201d\u2019)\\]]*$")
_HYPHEN_BREAK = re.compile(r"([A-Za-z\u00c0-\u024f]+)-$")
_LEADING_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")

# Words that stand on their own before a hyphen in news compounds ("counter-terrorism", "self-styled").
_COMPOUND_HEADS_WORDS = (
    "counter self well anti non ex co pro post pre multi cross long short high low full half all "
    "one two three four five six seven eight nine ten hundred thousand so much pan mid semi inter "
    "intra ultra over under out off on up down far near first second third top open free right left "
    "hard soft old new"
)
_COMPOUND_HEADS = frozenset(_COMPOUND_HEADS_WORDS.split())


def _normalise_characters(raw: str) -> str:
    """Return the text in NFC with "\\n" line breaks, plain spaces and no bidirectional controls, invisible or
    control characters (`index.characters`)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = text.replace("\x85", "\n")
    text = without_hidden(text)
    text = _ODD_SPACE.sub(" ", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


class _Vocabulary:
    """The words and hyphenated pairs of a text, lowercased, gathered once on first use (a search of the whole
    text for every broken word made repairing quadratic: 8 KB of "a-" lines took 3 s)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._words: set[str] | None = None
        self._pairs: set[str] = set()

    def _gather(self) -> set[str]:
        if self._words is None:
            lowered = self.text.lower()
            self._words = set(re.findall(r"\w+", lowered))
            for chain in re.finditer(r"\w+(?:-\w+)+", lowered):
                parts = chain.group(0).split("-")
                self._pairs.update(f"{a}-{b}" for a, b in zip(parts, parts[1:], strict=False))
        return self._words

    def has_word(self, word: str) -> bool:
        """Return whether the word stands on its own somewhere in the text."""
        return word.lower() in self._gather()

    def has_compound(self, head: str, tail: str) -> bool:
        """Return whether "head-tail" appears somewhere in the text."""
        self._gather()
        return f"{head}-{tail}".lower() in self._pairs


def _keeps_hyphen(head: str, tail: str, vocabulary: _Vocabulary) -> bool:
    """Return whether a word broken as "head-" / "tail" at a line end is a real hyphenated compound."""
    if tail[:1].isupper() or tail[:1].isdigit() or (len(head) > 1 and head.isupper()):
        return True
    if vocabulary.has_compound(head, tail):
        return True
    if vocabulary.has_word(head + tail):
        return False
    if head.lower() in _COMPOUND_HEADS:
        return True
    # News text is wrapped at spaces, so a hyphen at a line end is most likely a compound's: keep it unless
    # the part before it cannot be a word (no vowel: "str-", "cl-").
    return bool(re.search("[aeiouy]", head, re.IGNORECASE))


def _join(lines: list[str], vocabulary: _Vocabulary) -> str:
    """Return wrapped lines joined into one line, rejoining words broken by a hyphen."""
    parts: list[str] = []
    tail = ""  # the end of what is joined so far: enough to see the word broken at its end
    for line in lines:
        if not parts:
            parts.append(line)
        else:
            m = _HYPHEN_BREAK.search(tail)
            w = _LEADING_WORD.match(line)
            if m and w and not tail.endswith("--"):
                head = m.group(1).split("-")[-1]
                if not _keeps_hyphen(head, w.group(0), vocabulary):
                    parts[-1] = parts[-1][:-1]
                    tail = tail[:-1]
                parts.append(line)
            else:
                parts.append(" " + line)
        tail = (tail + parts[-1])[-200:]
    return "".join(parts)


def _ends_paragraph(line: str, following: str) -> bool:
    """Return whether a line ends a paragraph in text that has no blank lines."""
    if not _SENTENCE_END.search(line):
        return False
    return not following[:1].islower()


def repair_line(raw: str) -> str:
    """Return a metadata value (title, outlet, author, date, URL) repaired as text is, on one line: NFC, no
    bidirectional controls, invisible or control characters, every run of whitespace one space."""
    return " ".join(_normalise_characters(raw).split())


def repair_text(raw: str) -> str:
    """Return the text normalised, hard wraps joined, paragraphs one line each separated by one blank line."""
    text = _normalise_characters(raw)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return ""
    paragraphs: list[list[str]] = []
    if any(not line for line in lines):
        # Blank lines separate paragraphs: every single newline inside one is a wrap.
        current: list[str] = []
        for line in lines:
            if line:
                current.append(line)
            elif current:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
    else:
        # No blank lines: a line ending a sentence ends a paragraph unless the next one starts lowercase.
        current = []
        for i, line in enumerate(lines):
            current.append(line)
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if not following or _ends_paragraph(line, following):
                paragraphs.append(current)
                current = []
    vocabulary = _Vocabulary("\n".join(lines))
    return "\n\n".join(_join(p, vocabulary) for p in paragraphs)


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*>+\s?")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_IMAGE = re.compile(r"!\[([^\]]{0,500})\]\([^)]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\]]{1,500})\]\((?:[^()]|\([^)]{0,200}\)){0,2000}\)")
_MD_REF_LINK = re.compile(r"\[([^\]]{1,500})\]\[[^\]]{0,500}\]")
_MD_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$")
_MD_AUTOLINK = re.compile(r"<(https?://[^>]{1,2000})>")
_MD_HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,1000}>")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.{1,1000}?)(?<=\S)\1")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.{1,1000}?)(?<=\S)\*(?![\w*])")
_MD_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.{1,1000}?)(?<=\S)_(?![\w_])")
_MD_STRIKE = re.compile(r"~~(?=\S)(.{1,1000}?)(?<=\S)~~")
_MD_CODE = re.compile(r"`([^`]+)`")
# Every inline pattern above is bounded ({0,500}, .{1,1000}?): unbounded, a 100 KB line of "[" or "<a" made each
# of them scan to the line's end from every opening, for minutes.


def _strip_inline(line: str) -> str:
    """Return one line of Markdown with its inline markup removed."""
    line = _MD_IMAGE.sub(r"\1", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_REF_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_HTML_TAG.sub("", line)
    line = _MD_CODE.sub(r"\1", line)
    line = _MD_STRONG.sub(r"\2", line)
    line = _MD_STRIKE.sub(r"\1", line)
    line = _MD_EM_STAR.sub(r"\1", line)
    return _MD_EM_UNDERSCORE.sub(r"\1", line)


def strip_markdown(text: str) -> str:
    """Return Markdown as plain text: headings, list items and block quotes become their own paragraphs and
    emphasis, code, images and links ([text](url) becomes text) lose their markup."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _MD_SETEXT.match(line) and out and out[-1].strip():
            # The line above was a heading ("Title\n====="): make it a paragraph of its own.
            out.insert(len(out) - 1, "")
            out.append("")
            continue
        if _MD_FENCE.match(line) or _MD_LINK_DEF.match(line) or _MD_RULE.match(line):
            out.append("")
            continue
        line = _MD_QUOTE.sub("", line)
        heading = _MD_HEADING.match(line)
        if heading:
            out.extend(["", _strip_inline(heading.group(1)), ""])
            continue
        bullet = _MD_BULLET.match(line)
        if bullet:
            out.extend(["", _strip_inline(line[bullet.end() :])])
            continue
        out.append(_strip_inline(line))
    return "\n".join(out)
