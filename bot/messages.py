"""Telegram messages: the length Telegram counts (UTF-16 code units), cutting Telegram HTML into messages under
the 4096 limit (between cards, never inside a tag), the plain-text fallback, and sending them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # Telegram's limit for a message's text, in UTF-16 code units
MAX_ALERT = 200  # characters in an answerCallbackQuery text


# --- measuring ------------------------------------------------------------------------------------------


def telegram_length(text: str) -> int:
    """Return the length Telegram counts for `text` (UTF-16 code units).

    Measured on the HTML source, it bounds the length after entity parsing from above, so a message whose
    source fits is accepted."""
    return len(text.encode("utf-16-le")) // 2


# --- splitting ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]", re.DOTALL)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


def _after(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    if not token.startswith("<"):
        return stack
    m = _TAG_NAME.match(token)
    if m is None:
        return stack
    name = m.group(1).lower()
    if token.startswith("</"):
        return stack[:-1] if stack and stack[-1][0] == name else stack
    return [*stack, (name, token)]


def _closing(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Return `text` (well-formed Telegram HTML) cut into pieces of at most `limit`, each well-formed.

    Cuts fall at a line break when one is in the second half of a piece, else at a space, else between
    characters; never inside a tag or an entity. Tags open at a cut are closed and reopened in the next
    piece."""
    tokens = _TOKEN.findall(text)
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        while i < len(tokens) and tokens[i] in (" ", "\n"):
            i += 1  # a piece does not start with white space
        prefix = "".join(opening for _, opening in stack)
        body = [prefix]
        size = telegram_length(prefix)
        current = stack
        j = i
        line_cut: tuple[int, int, list[tuple[str, str]]] | None = None
        space_cut: tuple[int, int, list[tuple[str, str]]] | None = None
        while j < len(tokens):
            token = tokens[j]
            following = _after(current, token)
            if size + telegram_length(token) + telegram_length(_closing(following)) > limit:
                break
            body.append(token)
            size += telegram_length(token)
            current = following
            j += 1
            if token == "\n":
                line_cut = (j, len(body), current)
            elif token == " ":
                space_cut = (j, len(body), current)
        if j == i and j < len(tokens):
            raise ValueError(f"cannot fit {tokens[j][:40]!r} into a message of {limit}")
        if j == len(tokens):
            cut = (j, len(body), current)
        elif line_cut is not None and line_cut[1] > len(body) // 2:
            cut = line_cut
        else:
            cut = space_cut or (j, len(body), current)
        i, kept, stack = cut
        piece = "".join(body[:kept]).rstrip() + _closing(stack)
        if html_to_text(piece).strip():
            pieces.append(piece)
    return pieces


def pack(blocks: Iterable[str], *, limit: int = MAX_MESSAGE, separator: str = "\n\n") -> list[str]:
    """Return messages of at most `limit` holding the blocks in order; a block is split only when it alone is
    too long, so cuts fall between blocks (cards)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in split_html(block, limit) if telegram_length(block) > limit else [block]:
            candidate = f"{current}{separator}{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


# --- plain text -----------------------------------------------------------------------------------------


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, at = self.links.pop()
            if href and "".join(self.parts[at:]).strip() != href:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(text: str) -> str:
    """Return the plain text of Telegram HTML: tags dropped, entities resolved, links written out after
    their text."""
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def plain_messages(messages: Iterable[str], *, limit: int = MAX_MESSAGE) -> list[str]:
    """Return the same content as plain text, for when Telegram refuses the HTML; still under `limit`."""
    out: list[str] = []
    for message in messages:
        text = html_to_text(message)
        while telegram_length(text) > limit:
            window = _fitting(text, limit)
            cut = text.rfind("\n", 0, window)
            if cut < window // 2:
                cut = text.rfind(" ", 0, window)
            if cut <= 0:
                cut = window
            out.append(text[:cut].rstrip())
            text = text[cut:].lstrip()
        if text.strip():
            out.append(text)
    return out


def _fitting(text: str, limit: int) -> int:
    """Return how many leading characters of `text` fit in `limit` UTF-16 code units."""
    size = 0
    for n, ch in enumerate(text):
        size += 2 if ord(ch) > 0xFFFF else 1
        if size > limit:
            return n
    return len(text)


# --- sending --------------------------------------------------------------------------------------------


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    return None if message_id is None else ReplyParameters(message_id, allow_sending_without_reply=True)


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    messages: Sequence[str],
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> list[Message]:
    """Send HTML messages in order (the markup under the last); if Telegram cannot parse the HTML, send the
    rest as plain text."""
    sent: list[Message] = []
    for n, text in enumerate(messages):
        last = n == len(messages) - 1
        try:
            sent.append(
                await context.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_parameters=_reply_to(reply_to),
                    reply_markup=markup if last else None,
                )
            )
        except BadRequest as e:
            if "can't parse entities" not in str(e).lower():
                raise
            log.warning("Telegram refused the HTML (%s); sending plain text", e)
            plain = plain_messages(messages[n:])
            for m, part in enumerate(plain):
                sent.append(
                    await context.bot.send_message(
                        chat_id,
                        part,
                        reply_parameters=_reply_to(reply_to),
                        reply_markup=markup if m == len(plain) - 1 else None,
                    )
                )
            break
    return sent
