"""Telegram renderings of the engine's objects: answer cards and the other replies in Telegram HTML
(everything escaped), message splitting under Telegram's 4096-character limit (between cards, never inside
a tag), the plain-text fallback, the inline keyboards, and the compact callback_data those keyboards carry.

Nothing here talks to Telegram or the engine: every function takes values and returns text or markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import attribution_line
from index.model import Answer, Hit, Source
from index.terms import content_terms, terms_for

MAX_MESSAGE = 4096  # Telegram's limit for a message's text, in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
MAX_ALERT = 200  # characters in an answerCallbackQuery text


def _text(text: str) -> str:
    """Return text escaped for Telegram HTML outside tags: only <, > and & are replaced."""
    return escape(text, quote=False)


# --- measuring ------------------------------------------------------------------------------------------


def telegram_length(text: str) -> int:
    """Return the length Telegram counts for `text` (UTF-16 code units).

    Measured on the HTML source, it bounds the length after entity parsing from above, so a message whose
    source fits is accepted."""
    return len(text.encode("utf-16-le")) // 2


# --- emphasis of the question's words -------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def question_terms(question: str) -> frozenset[str]:
    """Return the stems of the question's content words (`index.terms`: stop words left out)."""
    return frozenset(content_terms(question))


def emphasize(sentence: str, question: str) -> str:
    """Return `sentence` as escaped HTML with the question's content words in bold (case-insensitive)."""
    terms = question_terms(question)
    spans: list[list[int]] = []
    for m in _WORD.finditer(sentence):
        if not terms.isdisjoint(terms_for(m.group(0).lower())):
            if spans and not sentence[spans[-1][1] : m.start()].strip():
                spans[-1][1] = m.end()  # "Noman Benotman" → one bold run
            else:
                spans.append([m.start(), m.end()])
    out, pos = [], 0
    for start, end in spans:
        out.append(_text(sentence[pos:start]))
        out.append(f"<b>{_text(sentence[start:end])}</b>")
        pos = end
    out.append(_text(sentence[pos:]))
    return "".join(out)


# --- cards ----------------------------------------------------------------------------------------------


def _date(published: str | None) -> str | None:
    if not published:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", published)
    return m.group(0) if m else published


def source_line(source: Source) -> str:
    """Return the source as HTML: title (linked when there is a URL), outlet, date."""
    label = _text(source.label)
    url = _link(source.url)
    title = f'<a href="{escape(url, quote=True)}">{label}</a>' if url else label
    parts = [title] + [_text(p) for p in (source.outlet, _date(source.published)) if p]
    return "📰 " + " · ".join(parts)


def _link(url: str | None) -> str | None:
    """Return the URL when it is one Telegram links (http or https), else None."""
    return url if url and re.match(r"https?://\S+$", url) else None


def render_card(hit: Hit, question: str, number: int | None = None) -> str:
    """Return one answer card: the sentence (question words in bold), who says it, and the source."""
    head = f"<b>{number}.</b> " if number is not None else ""
    lines = [head + emphasize(hit.sentence, question)]
    said = attribution_line(hit.attribution)
    if said:
        lines.append(f"<i>{_text(said)}</i>")
    lines.append(source_line(hit.source))
    if hit.also_in:
        others = ", ".join(_text(s.label) for s in hit.also_in[:3])
        more = f" and {len(hit.also_in) - 3} more" if len(hit.also_in) > 3 else ""
        lines.append(f"<i>Also in: {others}{more}</i>")
    return "\n".join(lines)


def render_answer(answer: Answer, *, limit: int = MAX_MESSAGE) -> list[str]:
    """Return the messages carrying an answer's cards, numbered from its offset (several if need be)."""
    cards = [render_card(h, answer.question, answer.offset + i + 1) for i, h in enumerate(answer.hits)]
    return pack(cards, limit=limit)


def render_no_answer(question: str, articles: int, covers: Sequence[Source], examples: Sequence[str]) -> str:
    """Return the reply for a question nothing in the corpus answers, with a hint of what it covers."""
    lines = [
        f"I found nothing relevant to “{_text(_clip(question, 200))}” in the {_count(articles, 'article')}"
        " I know."
    ]
    if covers:
        lines.append("")
        lines.append("They cover, for example:")
        lines.extend(f"• {_text(s.label)}" for s in covers)
    if examples:
        lines.append("")
        lines.append("You could ask: " + " / ".join(f"<i>{_text(q)}</i>" for q in examples))
    lines.append("")
    lines.append("/sources lists every article.")
    return "\n".join(lines)


def render_welcome(articles: int, sentences: int, newest: Source | None, examples: Sequence[str]) -> str:
    """Return the /start message: what the bot knows and example questions."""
    lines = [
        "👋 I answer questions about news articles with the sentences that answer them, each attributed: who "
        "says it, and where it was published. I never write an answer myself.",
        "",
        f"I know <b>{_count(articles, 'article')}</b> ({_count(sentences, 'sentence')}).",
    ]
    if newest is not None:
        lines.append("Newest: " + source_line(newest).removeprefix("📰 "))
    if examples:
        lines += ["", "Try asking:"] + [f"• {_text(q)}" for q in examples]
    lines += ["", "/help shows everything I can do."]
    return "\n".join(lines)


def render_help(username: str | None, *, admin: bool = False) -> str:
    """Return the /help message."""
    at = f"@{_text(username)}" if username else "me"
    lines = [
        "<b>Ask a question</b> in plain words, e.g. <i>how far is Derna from Crete</i>. I reply with up to "
        "three "
        "sentences from the articles, each with who says it and its source.",
        "",
        "Under an answer: <b>More</b> shows the next sentences, <b>Context</b> the paragraph around one, "
        "<b>Source</b> the article's details; 👍 / 👎 tell the operators whether it helped.",
        "",
        f"In a group, mention {at}, reply to me, or use /ask <i>question</i>.",
        f"In any chat, type {at} <i>question</i> to pick an answer inline.",
        "",
        "/sources — the articles I know",
        "/about — how answers are found",
    ]
    if admin:
        lines += [
            "",
            "<b>Operators:</b> send a .txt, .md, .html or .jsonl file, or /add <i>URL</i>, to add articles.",
        ]
    return "\n".join(lines)


def render_about(model: str, articles: int, sentences: int) -> str:
    """Return the /about message: how answers are found and what "attributed" means."""
    return "\n".join(
        [
            "<b>How answers are found</b>",
            f"Each of the {_count(articles, 'article')} is split into sentences "
            f"({_count(sentences, 'sentence')} in all). Every sentence is turned into a vector by a small "
            f"language model ({_text(model)}) and also indexed by its words. A question is matched against "
            "both, and the best sentences are ranked. I only retrieve: every answer is a sentence copied "
            "word for word from an article; nothing is generated.",
            "",
            "<b>What “attributed” means</b>",
            "Each answer says who makes the claim inside the article (for example “— Noman Benotman, told "
            "CNN”, or “— according to a CNN report”) and which article it comes from (title, outlet, date, "
            "link). A sentence with no speaker is the article's own reporting. Check the source before you "
            "rely on it.",
        ]
    )


def render_context(
    source: Source,
    paragraph: str,
    start: int,
    end: int,
    *,
    before: str | None = None,
    after: str | None = None,
) -> list[str]:
    """Return the messages showing the paragraph around a sentence, the sentence highlighted; when the
    paragraph is the sentence alone, the sentences before and after it are shown too."""
    start, end = max(0, min(start, len(paragraph))), max(0, min(end, len(paragraph)))
    body = (
        _text(paragraph[:start])
        + "<b><u>"
        + _text(paragraph[start:end])
        + "</u></b>"
        + _text(paragraph[end:])
    )
    blocks = ["📖 <b>Context</b>\n" + source_line(source)]
    alone = not paragraph[:start].strip() and not paragraph[end:].strip()
    if alone and before:
        blocks.append(_text(before))
    blocks.append(body)
    if alone and after:
        blocks.append(_text(after))
    return pack(blocks)


def render_article(
    source: Source, text: str, *, sentences: int | None = None, opening: int = 700
) -> list[str]:
    """Return the messages with an article's details and its opening."""
    lines = [f"📰 <b>{_text(source.label)}</b>"]
    facts = [p for p in (source.outlet, _date(source.published)) if p]
    if source.author:
        facts.append(f"by {source.author}")
    if sentences is not None:
        facts.append(_count(sentences, "sentence"))
    if facts:
        lines.append(" · ".join(_text(f) for f in facts))
    url = _link(source.url)
    if url:
        lines.append(f'<a href="{escape(url, quote=True)}">{_text(_clip(url, 200))}</a>')
    head = "\n".join(lines)
    start = _clip(text.strip(), opening)
    paragraphs = [p.strip() for p in start.split("\n\n") if p.strip()]
    return pack([head] + [f"<i>{_text(p)}</i>" if i == 0 else _text(p) for i, p in enumerate(paragraphs)])


def render_sources_page(items: Sequence[tuple[Source, int]], offset: int, total: int) -> str:
    """Return one page of the list of articles (source, sentence count), numbered from `offset`."""
    if not items:
        return "I know no articles yet."
    end = offset + len(items)
    lines = [f"<b>Articles {offset + 1}–{end} of {total}</b>", ""]
    for n, (source, count) in enumerate(items, offset + 1):
        lines.append(f"{n}. " + source_line(source).removeprefix("📰 ") + f" · {_count(count, 'sentence')}")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip() + "…"


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


# --- callback data --------------------------------------------------------------------------------------
# "1" (the format's version) + a letter for the action + base-36 numbers. Ids only, never in-memory state, so
# buttons keep working after a restart; data of another version or shape decodes to None (a stale button).
# Answer buttons carry the id of the answer the engine kept (`Engine.remember_answer`), so "More" and 👍/👎
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


def render_added(name: str, sentences_added: int, articles_added: int, titles: Sequence[str]) -> str:
    """Return the reply once an upload or URL is indexed: "Added N sentences from <title>"."""
    if sentences_added == 0 and articles_added == 0:
        return f"Nothing new in {_text(name)}: I already know {'it' if len(titles) <= 1 else 'them'}."
    if len(titles) == 1:
        origin = f"<b>{_text(titles[0])}</b>"
    elif titles:
        shown = ", ".join(_text(t) for t in titles[:3])
        origin = f"{_count(len(titles), 'article')} ({shown}{', …' if len(titles) > 3 else ''})"
    else:
        origin = _text(name)
    return f"Added {_count(sentences_added, 'sentence')} from {origin}. They can be asked about now."
