"""Turning the engine's answers into terminal text: every field `shown` (no bidirectional control, invisible or
control character, from an older store or a file name, reaches the terminal)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from index.characters import shown
from index.dates import NotADate, read_date
from index.model import Answer, Attribution, FeedbackEntry, Hit, Source
from index.questions import other_language

if TYPE_CHECKING:  # the engine loads numpy and FAISS: `newsbot --help` must not wait for them
    from index.feeds import Feed, PollReport
    from index.model import ArticleClaims, Removal

NO_ANSWER = "Nothing relevant in the indexed articles."


UNATTRIBUTED = "— unattributed quotation"  # a quotation is never shown as the outlet's own voice
MAX_ROLE = 60  # longest role a card shows after the speaker's name ("chairman of the Joint Chiefs of Staff")


def attribution_line(attribution: Attribution) -> str | None:
    """Return who says it, as plain text, naming the speaker once ("— Noman Benotman, told CNN", "— CNN" for
    "reports CNN", "— according to CNN"), with the speaker's role and whom they cite when known; a vague speaker
    as the article writes it ("— officials said"); "— unattributed quotation" for quoted words whose speaker
    newsbot cannot tell; None when the article says it in its own voice."""
    if attribution.unattributed:
        return UNATTRIBUTED
    speaker = " ".join((attribution.speaker or "").split())
    if not speaker:
        return None
    cue = " ".join((attribution.cue or "").split())
    via = " ".join((attribution.via or "").split())
    via = via if via.lower() != speaker.lower() else ""
    by_account = via.lower().startswith("according to ")  # "Doe said, according to the Gazette"
    written = " ".join((attribution.as_written or "").split())
    name = (written or speaker) if attribution.vague or _titled(written, speaker) else speaker
    if attribution.kind == "according_to" or cue.lower().startswith("according to"):
        line = f"according to {name}"
    elif attribution.vague:
        line = f"{name} {cue}" if cue and not _names_speaker(cue, (speaker, written)) else name
    else:
        parts = [name]
        role = " ".join((attribution.role or "").split())
        if len(role) > MAX_ROLE:
            role = ""  # a long description stays in --json; the card keeps to who and how
        if role:
            parts.append(role)
        if cue and not _names_speaker(cue, (speaker, written)) and not (role and len(cue.split()) == 1):
            if by_account and len(cue.split()) == 1:
                parts[-1] += f" {cue}"  # "— Jane Doe said, according to the Gazette"
            else:
                parts.append(cue)  # "told CNN" says more than a bare "said" after a role
        line = ", ".join(parts)
    if via:
        line += f", {via}" if by_account else f", citing {via}"
    return shown(f"— {line}")


def _titled(written: str, speaker: str) -> bool:
    """Return whether the speaker as written is their name after a short title ("Dr. Ada Quill", "Gen. Tom
    Hart"): the card keeps the title with the name."""
    title = written[: -len(speaker)].strip() if speaker and written.endswith(speaker) else ""
    return bool(title) and len(title.split()) == 1 and title.endswith(".") and title[:1].isupper()


def _names_speaker(cue: str, names: tuple[str, ...]) -> bool:
    """Return whether the cue already holds the speaker's name ("reports CNN", "The CNN report claims")."""
    said = f" {' '.join(_WORD.findall(cue.lower()))} "
    for name in names:
        words = " ".join(_WORD.findall(name.lower()))
        if words and f" {words} " in said:
            return True
    return False


_WORD = re.compile(r"[^\W_]+")


def date_text(source: Source) -> str | None:
    """Return when an article was published as cards and the terminal show it: "21 Jun 2022" (the day as the
    article wrote it, in its own zone), "Jun 2022" or "2022" when it gave only a month or a year, the text as
    stored when it is no date (a store from an older version); None when unknown."""
    if not source.published:
        return None
    try:
        when = read_date(source.published)
    except NotADate:
        return source.published
    moment = when.moment
    if when.precision == "year":
        return f"{moment.year}"
    if when.precision == "month":
        return f"{moment:%b} {moment.year}"
    return f"{moment.day} {moment:%b} {moment.year}"


def source_line(s: Source, *, html: bool = False) -> str:
    """Return the source line for the terminal, "title · outlet · date · url" with what is known ("derna · CNN ·
    21 Jun 2022 · https://..."), or with `html` for a Telegram card: "📰 Title · CNN · 21 Jun 2022", escaped, the
    title linked when the URL is one Telegram links."""
    if not html:
        parts = [s.label, s.outlet, date_text(s), s.url]
        return shown(" · ".join(p for p in parts if p))
    label = escape(shown(s.label), quote=False)
    url = linkable_url(s.url)
    title = f'<a href="{escape(url, quote=True)}">{label}</a>' if url else label
    return "📰 " + " · ".join([title] + [escape(shown(p), quote=False) for p in (s.outlet, date_text(s)) if p])


def linkable_url(url: str | None) -> str | None:
    """Return the URL when it is one Telegram links (http or https), `shown`, else None."""
    url = shown(url) if url else None
    return url if url and re.match(r"https?://\S+$", url) else None


def reported_text(hit: Hit) -> str | None:
    """Return who else reports a hit's fact, as cards and the terminal show it: "reported by 4 outlets: Reuters
    (first, 20 Feb 2016), CNN, BBC, IBT" (the first dated article is named first; an outlet named once), "in 2
    articles: ..." when they are not two outlets; None when only the hit's own article reports it."""
    if len(hit.reported_by) < 2:
        return None
    names: list[str] = []
    for i, report in enumerate(hit.reported_by):
        name = report.source.outlet or report.source.label
        if name in names:
            continue
        when = date_text(report.source) if i == 0 and report.source.published_ts is not None else None
        names.append(f"{name} (first, {when})" if when else name)
    outlets = {r.source.outlet for r in hit.reported_by}
    if None not in outlets and len(outlets) >= 2:
        head = f"reported by {len(outlets)} outlets"
    else:
        head = f"in {len(hit.reported_by)} articles"
    return shown(f"{head}: {', '.join(names)}")


def hit_text(hit: Hit, number: int, width: int = 100) -> str:
    """Return one answer as an indented terminal block."""
    sentence = shown(hit.sentence)
    lines = textwrap.wrap(sentence, width=width - 4) or [sentence]
    out = [f"{number}. {lines[0]}"] + [f"   {line}" for line in lines[1:]]
    who = attribution_line(hit.attribution)
    if who:
        out.append(f"   {who}")
    out.append(f"   Source: {source_line(hit.source)}")
    reported = reported_text(hit)
    if reported:
        out.append(f"   {reported[0].upper()}{reported[1:]}")
    elif hit.also_in:
        out.append(
            f"   Also in {len(hit.also_in)} more article{'s' if len(hit.also_in) > 1 else ''}: "
            + "; ".join(source_line(s) for s in hit.also_in[:3])
        )
    return "\n".join(out)


def small_talk_text(articles: int, examples: Sequence[str]) -> str:
    """Return the terminal reply to small talk ("hi", "thanks", "who are you"): what newsbot does and a question
    to try."""
    text = (
        f"Hello! I'm newsbot: ask me a question about the {count(articles, 'article')} I know and I answer with "
        "the sentences that answer it, each with who says it and where it was published."
    )
    return shown(text + (f"\nFor example: {' / '.join(examples)}" if examples else ""))


def nothing_dated_text(answer: Answer) -> str:
    """Return what an answer whose date window holds nothing says: "Nothing dated in March 2019 about Derna; ask
    without the dates to search every article."""
    asked = answer.query
    period = asked.period if asked is not None and asked.period else "in that period"
    topic = asked.searched if asked is not None and asked.searched else answer.question
    return f"Nothing dated {period} about “{topic.rstrip('?!. ')}”; ask without the dates to search every article."


def other_language_text(language: str) -> str:
    """Return what a question in another language that found nothing is told: newsbot reads English."""
    return f"newsbot reads English articles, and your question looks {language} to me: please ask in English."


def answer_text(answer: Answer, width: int = 100) -> str:
    """Return a whole answer as terminal text (small talk gets NO_ANSWER here: see small_talk_text); nothing
    found for a question in another language says newsbot reads English (`questions.other_language`)."""
    if answer.no_answer and answer.nothing_dated:
        return nothing_dated_text(answer)
    if answer.no_answer or not answer.hits:
        language = other_language(answer.question)
        return other_language_text(language) if language is not None else NO_ANSWER
    answer = answer.shown()
    return "\n\n".join(hit_text(h, answer.offset + i + 1, width) for i, h in enumerate(answer.hits))


def count(n: int, noun: str) -> str:
    """Return "1 article", "2,000 articles": a number with its noun, plural when it is not one."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def claims_text(claims: ArticleClaims, width: int = 100) -> str:
    """Return an article's claims grouped by speaker as terminal text: the article, a count line, then each
    speaker with their sentences, each followed by its cue and kind."""
    attributed = sum(len(g.claims) for g in claims.speakers)
    out = [source_line(claims.source)]
    out.append(
        f"{count(attributed, 'claim')} by {count(len(claims.speakers), 'speaker')}; "
        f"{count(claims.own_voice, 'sentence')} in the article's own voice."
    )
    for group in claims.speakers:
        out += ["", f"{group.speaker} ({count(len(group.claims), 'claim')})"]
        for claim in group.claims:
            sentence = shown(claim.sentence)
            lines = textwrap.wrap(sentence, width=width - 4) or [sentence]
            out += [f"  • {lines[0]}"] + [f"    {line}" for line in lines[1:]]
            out.append(f"    {claim.cue or '(no cue)'} · {claim.kind} · sentence {claim.position + 1}")
    return shown("\n".join(out))


def feedback_text(entry: FeedbackEntry) -> str:
    """Return one reader's 👍/👎 as terminal text: when, + or -, the question and the sentence ids, then each
    sentence shown on its own indented line ("[4] Crete, ..."; "(no longer stored)" once removed)."""
    ids = ",".join(map(str, entry.sentence_ids))
    lines = [f"{entry.at}  {'+' if entry.helpful else '-'}  {entry.question}  sentences={ids}"]
    texts = entry.sentences or [None] * len(entry.sentence_ids)
    for sid, text in zip(entry.sentence_ids, texts, strict=True):
        lines.append(f"    [{sid}] {' '.join(text.split()) if text is not None else '(no longer stored)'}")
    return shown("\n".join(lines))


def removal_text(removal: Removal) -> str:
    """Return the line saying an article was removed ("removed <title> (19 sentences)"), and that its file,
    still there, brings it back at the next `newsbot index` of its folder."""
    line = f"removed {removal.source.label} ({count(removal.sentences, 'sentence')})"
    if removal.file is not None:
        line += (
            f"; its file {removal.file} is still there: the next `newsbot index` of its folder adds it back "
            "(delete or move the file to keep it out)"
        )
    return shown(line)


def minutes_text(seconds: float) -> str:
    """Return an interval as an operator reads it: "30 min", "2 h", "1 h 30 min"."""
    m = round(seconds / 60)
    if m < 60:
        return f"{m} min"
    return f"{m // 60} h" + (f" {m % 60} min" if m % 60 else "")


def feed_text(feed: Feed) -> str:
    """Return a followed feed as `feeds` lists it: its title and address, then its interval, items seen, last
    poll and next one, then its last error (and the failures in a row behind the backoff) when it has one."""
    from index.feeds import when

    lines = [f"{feed.title or '(no title yet)'} — {feed.url}",
             f"  every {minutes_text(feed.every)} · {count(feed.items, 'item')} seen · last poll "
             f"{when(feed.polled_at)} · next {when(feed.due_at)}"]
    if feed.last_error:
        failing = f" ({count(feed.failures, 'failed poll')} in a row: polled again later and later)" if (
            feed.failures) else ""
        lines.append(f"  last error{failing}: {feed.last_error}")
    return shown("\n".join(lines))


def followed_text(feed: Feed) -> str:
    """Return the line saying a feed is now followed, and when its items come."""
    return shown(f"following {feed.title or feed.url} ({feed.url}) every {minutes_text(feed.every)}; its items "
                 "are indexed at its first poll (`newsbot watch`, or `newsbot serve` on Telegram)")


def poll_text(report: PollReport) -> str:
    """Return the line `watch` prints for one poll of one feed."""
    return shown(report.summary())
