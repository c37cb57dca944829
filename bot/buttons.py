"""The buttons under the bot's messages: the compact callback_data they carry (a versioned codec) and the
inline keyboards. Nothing here talks to Telegram or the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from index.model import Answer, Hit

MAX_CALLBACK_DATA = 64  # bytes


# --- callback data --------------------------------------------------------------------------------------
# "1" (the format's version) + a letter for the action + base-36 numbers. Ids only, never in-memory state, so
# buttons keep working after a restart; data of another version or shape decodes to None (a stale button).
# Answer buttons carry the id of the answer the engine kept (`Engine.feedback.remember`), so "More" and 👍/👎
# work when the question's message is gone; the older More/Feedback forms still decode.

_VERSION = "1"


@dataclass(frozen=True)
class More:
    """Show the hits after `offset` for the question the answer replies to."""

    offset: int


@dataclass(frozen=True)
class ShowContext:
    """Show the paragraph around a sentence."""

    sentence_id: int


@dataclass(frozen=True)
class ShowSource:
    """Show the details and opening of a sentence's article."""

    sentence_id: int


@dataclass(frozen=True)
class Feedback:
    """A reader's 👍 (helpful) or 👎 on the sentences shown."""

    helpful: bool
    sentence_ids: tuple[int, ...]


@dataclass(frozen=True)
class MoreOf:
    """Show the hits after those of the kept answer `answer_id`."""

    answer_id: int


@dataclass(frozen=True)
class FeedbackOn:
    """A reader's 👍 (helpful) or 👎 on the kept answer `answer_id`."""

    helpful: bool
    answer_id: int


@dataclass(frozen=True)
class SourcesPage:
    """Show the page of /sources starting at `offset`."""

    offset: int


Button = More | ShowContext | ShowSource | Feedback | SourcesPage | MoreOf | FeedbackOn


def _b36(n: int) -> str:
    if n < 0:
        raise ValueError("ids are not negative")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def encode_button(button: Button) -> str:
    """Return the callback_data for a button (at most 64 bytes)."""
    match button:
        case More(offset):
            data = f"{_VERSION}m{_b36(offset)}"
        case ShowContext(sid):
            data = f"{_VERSION}c{_b36(sid)}"
        case ShowSource(sid):
            data = f"{_VERSION}s{_b36(sid)}"
        case SourcesPage(offset):
            data = f"{_VERSION}p{_b36(offset)}"
        case MoreOf(answer_id):
            data = f"{_VERSION}n{_b36(answer_id)}"
        case FeedbackOn(helpful, answer_id):
            data = f"{_VERSION}a{'+' if helpful else '-'}{_b36(answer_id)}"
        case Feedback(helpful, ids):
            head = f"{_VERSION}f{'+' if helpful else '-'}"
            data = head
            for sid in ids:  # as many ids as fit
                more = (data + "." if data != head else data) + _b36(sid)
                if len(more) > MAX_CALLBACK_DATA:
                    break
                data = more
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError("callback data over 64 bytes")
    return data


_CALLBACK = re.compile(
    r"1([mcspn])([0-9a-z]{1,12})|1f([+-])([0-9a-z]{1,12}(?:\.[0-9a-z]{1,12})*)|1a([+-])([0-9a-z]{1,12})"
)


def decode_button(data: str | None) -> Button | None:
    """Return the button that callback_data encodes, or None when it is stale or not ours."""
    m = _CALLBACK.fullmatch(data or "")
    if m is None:
        return None
    if m.group(5):
        return FeedbackOn(m.group(5) == "+", int(m.group(6), 36))
    if m.group(1):
        n = int(m.group(2), 36)
        kind = m.group(1)
        if kind == "n":
            return MoreOf(n)
        if kind == "m":
            return More(n)
        if kind == "c":
            return ShowContext(n)
        if kind == "s":
            return ShowSource(n)
        return SourcesPage(n)
    return Feedback(m.group(3) == "+", tuple(int(x, 36) for x in m.group(4).split(".")))


def shown_under(markup: InlineKeyboardMarkup | None) -> tuple[list[int], list[int]]:
    """Return what the buttons under one of the bot's messages point at: the sentence ids (Context, Source) and
    the ids of kept answers (More, 👍/👎), each in order and once; empty lists for any other message."""
    sentence_ids: list[int] = []
    answer_ids: list[int] = []
    for row in markup.inline_keyboard if markup is not None else ():
        for key in row:
            data = key.callback_data if isinstance(key.callback_data, str) else None
            match decode_button(data):
                case ShowContext(sid) | ShowSource(sid) if sid not in sentence_ids:
                    sentence_ids.append(sid)
                case MoreOf(aid) | FeedbackOn(_, aid) if aid not in answer_ids:
                    answer_ids.append(aid)
                case Feedback(_, ids):
                    sentence_ids.extend(i for i in ids if i not in sentence_ids)
    return sentence_ids, answer_ids


# --- keyboards ------------------------------------------------------------------------------------------


def answer_keyboard(
    answer: Answer, *, feedback: bool = True, more: bool = True, answer_id: int | None = None
) -> InlineKeyboardMarkup | None:
    """Return the buttons under an answer: Context and Source per card, 👍 / 👎, More when there is more
    (👍 / 👎 and More carry `answer_id`, the kept answer's id, when given)."""
    rows: list[list[InlineKeyboardButton]] = []
    numbered = len(answer.hits) > 1
    for label, make in (("📖 Context", ShowContext), ("📰 Source", ShowSource)):
        row = []
        for n, hit in enumerate(answer.hits, answer.offset + 1):
            text = f"{label} {n}" if numbered else label
            row.append(InlineKeyboardButton(text, callback_data=encode_button(make(hit.sentence_id))))
        if row:
            rows.append(row)
    last = []
    if feedback and answer.hits:
        ids = tuple(h.sentence_id for h in answer.hits)
        for label, helpful in (("👍", True), ("👎", False)):
            vote: Button = Feedback(helpful, ids) if answer_id is None else FeedbackOn(helpful, answer_id)
            last.append(InlineKeyboardButton(label, callback_data=encode_button(vote)))
    if more and answer.more:
        further: Button = More(answer.offset + len(answer.hits)) if answer_id is None else MoreOf(answer_id)
        last.append(InlineKeyboardButton("More ▸", callback_data=encode_button(further)))
    if last:
        rows.append(last)
    return InlineKeyboardMarkup(rows) if rows else None


def hit_keyboard(hit: Hit) -> InlineKeyboardMarkup:
    """Return the buttons under a single card sent inline: Context and Source."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("📖 Context", callback_data=encode_button(ShowContext(hit.sentence_id))),
                InlineKeyboardButton("📰 Source", callback_data=encode_button(ShowSource(hit.sentence_id))),
            ]
        ]
    )


def sources_keyboard(offset: int, page: int, total: int) -> InlineKeyboardMarkup | None:
    """Return ◂ / ▸ buttons for a page of /sources, or None when everything fits on one page."""
    row = []
    if offset > 0:
        row.append(
            InlineKeyboardButton("◂ Newer", callback_data=encode_button(SourcesPage(max(0, offset - page))))
        )
    if offset + page < total:
        row.append(InlineKeyboardButton("Older ▸", callback_data=encode_button(SourcesPage(offset + page))))
    return InlineKeyboardMarkup([row]) if row else None
