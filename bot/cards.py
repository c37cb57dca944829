"""Telegram renderings of the engine's objects: answer cards and the other replies in Telegram HTML, everything
escaped (the question's words in bold). Cutting them into messages is `bot.messages`' work, the buttons under
them `bot.buttons`'.

Nothing here talks to Telegram or the engine: every function takes values and returns text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from bot.messages import MAX_MESSAGE, pack
from bot.render import (
    attribution_line,
    count,
    date_text,
    feed_text,
    linkable_url,
    minutes_text,
    nothing_dated_text,
    other_language_text,
    reported_text,
    source_line,
)
from index.characters import shown
from index.model import Answer, Hit, Source
from index.reading import said_suffixes
from index.terms import TOKEN, matched_words

if TYPE_CHECKING:
    from index.feeds import Feed
    from index.model import Removal


def _text(text: str) -> str:
    """Return text escaped for Telegram HTML outside tags (only <, > and & are replaced) and `shown`: no
    bidirectional control or invisible character, from an older store or a file name, reaches a card."""
    return escape(shown(text), quote=False)


# --- emphasis of the question's words -------------------------------------------------------------------

def emphasize(sentence: str, question: str) -> str:
    """Return `sentence` as escaped HTML with the question's content words in bold (case-insensitive)."""
    return bold(sentence, matched_words(sentence, question))


def bold(sentence: str, words: Iterable[str]) -> str:
    """Return `sentence` as escaped HTML with these words (as the engine matched them, `Hit.matched`) in bold;
    neighbouring bold words become one run ("Noman Benotman")."""
    wanted = set(words)
    spans: list[list[int]] = []
    if wanted:
        for m in TOKEN.finditer(sentence):
            if m.group(0) in wanted:
                if spans and not sentence[spans[-1][1] : m.start()].strip():
                    spans[-1][1] = m.end()
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


def render_card(hit: Hit, question: str, number: int | None = None) -> str:
    """Return one answer card: the sentence (question words in bold), who says it, and the source."""
    head = f"<b>{number}.</b> " if number is not None else ""
    lines = [head + (bold(hit.sentence, hit.matched) if hit.matched else emphasize(hit.sentence, question))]
    said = attribution_line(hit.attribution)
    if said:
        lines.append(f"<i>{_text(said)}</i>")
    lines.append(source_line(hit.source, html=True))
    reported = reported_text(hit)
    if reported:
        lines.append(f"<i>{_text(reported[0].upper() + reported[1:])}</i>")
    elif hit.also_in:
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
        f"I found nothing relevant to “{_text(_clip(question, 200))}” in the {count(articles, 'article')}"
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


def render_other_language(language: str, examples: Sequence[str]) -> str:
    """Return the reply for a question in another language that found nothing: newsbot reads English."""
    lines = [_text(other_language_text(language))]
    if examples:
        lines.append("")
        lines.append("For example: " + " / ".join(f"<i>{_text(q)}</i>" for q in examples))
    return "\n".join(lines)


def rate_limit_text(per_minute: int, wait: float, *, inline: bool = False) -> str:
    """Return what a reader over their own limit is told: the limit is theirs, and when to try again."""
    seconds = int(wait) + 1
    if inline:  # a button label: at most 64 characters
        return f"Limit: {count(per_minute, 'inline search')} a minute each; try in {seconds} s"
    return (
        f"You can ask {count(per_minute, 'question')} a minute: a limit for each person, so that everyone gets "
        f"answers. Please try again in {seconds} s."
    )


def render_nothing_dated(answer: Answer) -> str:
    """Return the reply for a question whose date window holds nothing that answers it ("Nothing dated in March
    2019 about Derna."), not "nothing relevant": there may be answers outside the window."""
    return _text(nothing_dated_text(answer))


def render_small_talk(articles: int, examples: Sequence[str]) -> str:
    """Return the reply to small talk ("hi", "thanks", "who are you"): what newsbot does and a question to try."""
    lines = [
        f"👋 I'm newsbot: ask me a question about the {count(articles, 'article')} I know and I answer with the "
        "sentences that answer it, each with who says it and where it was published."
    ]
    if examples:
        lines += ["", "For example: " + " / ".join(f"<i>{_text(q)}</i>" for q in examples)]
    lines += ["", "/help shows everything I can do."]
    return "\n".join(lines)


def render_welcome(articles: int, sentences: int, newest: Source | None, examples: Sequence[str]) -> str:
    """Return the /start message: what the bot knows and example questions."""
    lines = [
        "👋 I answer questions about news articles with the sentences that answer them, each attributed: who "
        "says it, and where it was published. I never write an answer myself.",
        "",
        f"I know <b>{count(articles, 'article')}</b> ({count(sentences, 'sentence')}).",
    ]
    if newest is not None:
        lines.append("Newest: " + source_line(newest, html=True).removeprefix("📰 "))
    if examples:
        lines += ["", "Try asking:"] + [f"• {_text(q)}" for q in examples]
    lines += ["", "/help shows everything I can do."]
    return "\n".join(lines)


def render_help(username: str | None, commands: Sequence[str], operator_commands: Sequence[str] = ()) -> str:
    """Return the /help message, with the commands' lines (`bot.commands`) and, to an operator, theirs."""
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
        *commands,
    ]
    if operator_commands:
        lines += [
            "",
            f"<b>Operators:</b> send a {said_suffixes()} file to add articles, or:",
            *operator_commands,
        ]
    return "\n".join(lines)


def render_about(model: str, articles: int, sentences: int) -> str:
    """Return the /about message: how answers are found and what "attributed" means."""
    return "\n".join(
        [
            "<b>How answers are found</b>",
            f"Each of the {count(articles, 'article')} is split into sentences "
            f"({count(sentences, 'sentence')} in all). Every sentence is turned into a vector by a small "
            f"language model ({_text(model)}) and also indexed by its words. A question is matched against "
            "both, and the best sentences are ranked. I only retrieve: every answer is a sentence copied "
            "word for word from an article; nothing is generated.",
            "",
            "<b>What “attributed” means</b>",
            "Each answer says who makes the claim inside the article (for example “— Noman Benotman, told "
            "CNN”, or “— according to CNN”) and which article it comes from (title, outlet, date, "
            "link). A sentence with no speaker is the article's own reporting. “— officials said” marks a "
            "source nobody can check; “citing X” names whom the speaker cites. /who lists who is quoted. "
            "Speakers are found by rules, and can be wrong: check the source before you rely on it.",
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
    blocks = ["📖 <b>Context</b>\n" + source_line(source, html=True)]
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
    facts = [p for p in (source.outlet, date_text(source)) if p]
    if source.author:
        facts.append(f"by {source.author}")
    if sentences is not None:
        facts.append(count(sentences, "sentence"))
    if facts:
        lines.append(" · ".join(_text(f) for f in facts))
    url = linkable_url(source.url)
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
    for n, (source, sentences) in enumerate(items, offset + 1):
        line = source_line(source, html=True).removeprefix("📰 ")
        lines.append(f"{n}. {line} · {count(sentences, 'sentence')}")
    return "\n".join(lines)


def render_speakers(
    speakers: Sequence[tuple[str, int]], total_speakers: int, total_claims: int, source: Source | None = None
) -> str:
    """Return the /who reply: the speakers of the corpus (or of the article `source`) with their claim counts,
    the most first, and the totals."""
    where = f"in {_text(source.label)}" if source is not None else "in the articles I know"
    if not speakers:
        return f"🗣 Nobody is quoted {where}: every sentence is the article's own voice."
    lines = [f"🗣 <b>Who speaks {where}</b>", ""]
    lines += [f"{n}. {_text(name)} · {count(claims, 'claim')}" for n, (name, claims) in enumerate(speakers, 1)]
    lines.append("")
    shown = f"The {len(speakers)} quoted most of " if len(speakers) < total_speakers else ""
    lines.append(f"{shown}{count(total_speakers, 'speaker')}, {count(total_claims, 'claim')} in all.")
    lines.append(f"Ask e.g. <i>what did {_text(speakers[0][0])} say?</i>")
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip() + "…"


def render_removed(removed: Sequence[Removal]) -> str:
    """Return the reply to /remove: "Removed <title> (19 sentences)", and how the article could come back."""
    if not removed:
        return "Nothing was removed: the article was already gone."
    lines = []
    for r in removed:
        line = f"Removed <b>{_text(r.source.label)}</b> ({count(r.sentences, 'sentence')})."
        if r.file is not None:
            line += " Its file is still there: the next <code>newsbot index</code> of its folder adds it back."
        elif r.origin == "upload":
            line += " It was uploaded: send the file again to add it back."
        elif r.origin in ("url", "feed") and r.source.url:
            line += f" /add {_text(r.source.url)} adds it back."
        lines.append(line)
    return "\n".join(lines)


def render_added(name: str, sentences_added: int, articles_added: int, titles: Sequence[str]) -> str:
    """Return the reply once an upload or URL is indexed: "Added N sentences from <title>"."""
    if sentences_added == 0 and articles_added == 0:
        return f"Nothing new in {_text(name)}: I already know {'it' if len(titles) <= 1 else 'them'}."
    if len(titles) == 1:
        origin = f"<b>{_text(titles[0])}</b>"
    elif titles:
        shown = ", ".join(_text(t) for t in titles[:3])
        origin = f"{count(len(titles), 'article')} ({shown}{', …' if len(titles) > 3 else ''})"
    else:
        origin = _text(name)
    return f"Added {count(sentences_added, 'sentence')} from {origin}. They can be asked about now."


def render_feeds(feeds: Sequence[Feed]) -> list[str]:
    """Return the reply to /feeds: each followed feed as `newsbot feeds` lists it, or how to follow one."""
    if not feeds:
        return ["No feed is followed. /follow <i>URL</i> follows an RSS, Atom or JSON feed."]
    return pack([f"<b>Followed feeds ({len(feeds)})</b>"] + [_text(feed_text(f)) for f in feeds])


def render_followed(feed: Feed) -> str:
    """Return the reply to /follow: the feed followed, its interval, and that its items come at the next poll."""
    return (f"Following <b>{_text(feed.title or feed.url)}</b> every {minutes_text(feed.every)}. Its new items "
            "are indexed at each poll; the first is under way.")


def render_unfollowed(feed: Feed) -> str:
    """Return the reply to /unfollow: the feed no longer polled, what it added still indexed."""
    return (f"No longer following <b>{_text(feed.title or feed.url)}</b>. The {count(feed.items, 'item')} it "
            "brought stay indexed (/remove takes one out).")
