"""Telegram's HTML subset, parsed the way Telegram parses it: the text and the entities (offsets in UTF-16 code
units) that a message sent with parse_mode HTML becomes, or the error Telegram answers. A little stricter than
Telegram: a bare `&` that starts no entity is refused, so unescaped text is caught.

The fake Bot API server (`fake_telegram.py`) parses what the bot sends with it; tests read what a reader sees
with it."""

from __future__ import annotations

import html.entities
import re
from typing import Any

JSON = dict[str, Any]


class HTMLParseError(ValueError):
    """HTML Telegram refuses; the message is Telegram's own ("Bad Request: can't parse entities: ...")."""


def utf16_len(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def entity_text(text: str, entity: JSON) -> str:
    """Return the part of `text` an entity covers (its offset and length count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    return units[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")


def entities_of(html_text: str, kind: str) -> list[str]:
    """Return the texts that entities of `kind` cover once Telegram has parsed `html_text`."""
    text, entities = parse_html(html_text)
    return [entity_text(text, e) for e in entities if e["type"] == kind]


# --- Telegram's HTML subset -----------------------------------------------------------------------------

_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_CHARREF = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[a-zA-Z][a-zA-Z0-9]{1,31};)")


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Return the text and entities Telegram makes of `source` with parse_mode HTML, or raise HTMLParseError."""

    def fail(reason: str) -> HTMLParseError:
        return HTMLParseError(f"Bad Request: can't parse entities: {reason}")

    def byte_offset(i: int) -> int:
        return len(source[:i].encode("utf-8"))

    out: list[str] = []
    entities: list[JSON] = []
    stack: list[tuple[str, int, JSON]] = []  # tag name, utf-16 offset of its content, extra entity fields
    pos16 = 0
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            m = _TAG.match(source, i)
            if not m:
                raise fail(f'Unsupported start tag "{source[i + 1 : i + 8]}" at byte offset {byte_offset(i)}')
            closing, name, attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if name not in _ENTITY_OF_TAG:
                raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
            if closing:
                if not stack:
                    raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
                open_name, start, extra = stack.pop()
                if open_name != name:
                    raise fail(
                        f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                if pos16 > start:
                    entities.append(
                        {"type": _ENTITY_OF_TAG[name], "offset": start, "length": pos16 - start, **extra}
                    )
            else:
                values = {
                    a.group(1).lower(): next(v for v in a.groups()[1:] if v is not None)
                    for a in _ATTR.finditer(attrs)
                }
                fields: JSON = {}
                if name == "a":
                    href = html.unescape(values.get("href", ""))
                    if not re.match(r"(https?|tg)://\S+$", href):
                        raise fail(f'Wrong HTTP URL "{href}" at byte offset {byte_offset(i)}')
                    fields = {"url": href}
                elif name == "span" and values.get("class") != "tg-spoiler":
                    raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}')
                stack.append((name, pos16, fields))
            i = m.end()
        elif ch == "&":
            m = _CHARREF.match(source, i)
            if not m:
                raise fail(f"Character entity expected at byte offset {byte_offset(i)}")
            ref = m.group(1)
            if ref.startswith("#"):
                char = chr(int(ref[2:-1], 16) if ref[1] in "xX" else int(ref[1:-1]))
            elif ref in html.entities.html5:
                char = html.entities.html5[ref]
            else:
                raise fail(f'Unknown HTML entity "&{ref}" at byte offset {byte_offset(i)}')
            out.append(char)
            pos16 += utf16_len(char)
            i = m.end()
        else:
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
