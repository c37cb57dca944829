"""The time words a question frames itself by: a window it asks about ("in March 2019", "since 2019", "last week")
and whether it wants the newest first ("latest on X", "recently"), read out of it (`read_time`) only when it is a
topic rather than a question of its own (`frames_time`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_NAME = r"(?P<month>" + "|".join(_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PREP = r"(?P<prep>in|during|of|since|from|after|before|until|till|by)"
_RECENCY = re.compile(
    r"\b(?:(?:what(?:'s|’s|\s+is|\s+are)|tell\s+me|give\s+me|show\s+me|any)\s+)?(?:the\s+)?(?:very\s+)?"
    r"(?:latest|newest|most\s+recent|recent)"
    r"(?:\s+(?:news|updates?|developments?|reports?|stories|story|articles?|headlines))?"
    r"(?:\s+(?:on|about|regarding|concerning|from|in|with|for|of))?\b"
    r"|\bwhat(?:'s|’s|\s+is)\s+new\s+(?:about|on|with|in|for|regarding)\b"
    r"|\b(?:recently|lately)\b",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"\bbetween\s+(?P<a>(?:19|20)\d{2})\s+and\s+(?P<b>(?:19|20)\d{2})\b", re.IGNORECASE)
_DATED = (
    re.compile(rf"\b(?:{_PREP}\s+)?(?:(?:early|late|mid)[- ]?)?{_MONTH_NAME}\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_PREP}\s+(?:(?:early|late|mid)[- ]?)?(?P<month>){_YEAR}\b", re.IGNORECASE),
)
_MONTH_ALONE = re.compile(rf"\b{_PREP}\s+(?P<month>{'|'.join(_MONTHS)})\b(?!\s+\d)", re.IGNORECASE)
_RELATIVE = re.compile(
    r"\b(?:(?:in|during|over|from)\s+)?(?:the\s+)?(?P<which>this|last|past)\s+(?P<unit>week|month|year)(?:'s)?\b"
    r"|\b(?P<day>today|yesterday)(?:'s)?\b",
    re.IGNORECASE,
)
_DAY = 86_400.0


@dataclass(frozen=True)
class TimeAsked:
    """What a question's time words ask: the question without them (`rest`), a window in UTC epoch seconds
    (`since` included, `until` excluded; None: open) said in words (`period`), and whether the newest answers
    come first."""

    rest: str
    since: float | None = None
    until: float | None = None
    newest: bool = False
    period: str | None = None


def _month_number(name: str) -> int:
    """Return 1-12 for a month's name or its abbreviation."""
    name = name.lower().rstrip(".")
    return next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(name[:3]))


def _start(year: int, month: int = 1, day: int = 1) -> float:
    """Return the UTC timestamp of a day's start."""
    return dt.datetime(year, month, day, tzinfo=dt.UTC).timestamp()


def _span(year: int, month: int | None) -> tuple[float, float]:
    """Return the start of a year (or of one of its months) and the start of the next."""
    if month is None:
        return _start(year), _start(year + 1)
    return _start(year, month), _start(year + (month == 12), month % 12 + 1)


def _bounded(prep: str | None, first: float, after: float) -> tuple[float | None, float | None]:
    """Return the window a preposition makes of a period: in/during/of it, since/from its start, after its end,
    before its start, until/till/by its end."""
    match (prep or "in").lower():
        case "since" | "from":
            return first, None
        case "after":
            return after, None
        case "before":
            return None, first
        case "until" | "till" | "by":
            return None, after
    return first, after


def _relative(which: str | None, unit: str | None, day: str | None, ref: dt.datetime) -> tuple[float, float]:
    """Return the window of "today", "yesterday", "this/past/last week|month|year", relative to `ref`: a week is
    the 7 days up to ref's day ("last week" the 7 before those), a month or year the calendar one."""
    today = _start(ref.year, ref.month, ref.day)
    if day:
        return (today, today + _DAY) if day.lower() == "today" else (today - _DAY, today)
    which, unit = (which or "this").lower(), (unit or "week").lower()
    back = which == "last"
    if unit == "week":
        end = today + _DAY - (7 * _DAY if back else 0)
        return end - 7 * _DAY, end
    if unit == "month":
        year, month = ref.year, ref.month
        if back:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return _span(year, month)
    return _span(ref.year - back, None)


# A question that asks something of its own ("How many jobs were added in October 2015?") names a time its answer
# is about, not when the articles were published: read as a window it left out the very article that answers
# (published in November), measured on squad-dev-a (276 of 5,665 questions changed), polnear-qa (11 of 203) and
# wikinews-qa (140 of 2,323). So time words are read only where the question frames itself by time: a topic
# with time words ("Derna dam in 2019", "floods this week"), or a question about what is new ("What happened in
# Derna yesterday?", "What's the latest on Libya?").
_ASKS_ITS_OWN = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how)\b"
    r"|^\W*(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|shall|may|might|must)\b",
    re.IGNORECASE,
)
_ABOUT_THE_NEWS = re.compile(
    r"^\W*(?:what(?:'s|’s|\s+is|\s+are)\s+(?:the\s+)?(?:very\s+)?(?:latest|newest|new|recent)\b"
    r"|what\s+(?:has\s+)?happened\b|(?:is|are)\s+there\s+any\s+(?:news|updates?)\b)",
    re.IGNORECASE,
)


def frames_time(question: str) -> bool:
    """Return whether a question frames itself by time, so that its time words ask for a window or the newest
    first: a topic rather than a question ("Derna dam in 2019", "latest on Libya"), or a question about what is
    new ("What happened in Derna yesterday?"); a question any clause of which asks something of its own keeps its
    time words as words (see _ASKS_ITS_OWN)."""
    if _ABOUT_THE_NEWS.search(question):
        return True
    # any clause may ask: "In 2012, how many ...?", "A court ruled in June 2019. Who appealed?"
    return not any(_ASKS_ITS_OWN.search(clause) for clause in re.split(r"[.?!,;:]\s+", question))


def read_time(question: str, reference: Callable[[], float | None]) -> TimeAsked:
    """Return what a question's time words ask, the words taken out of it: "latest on X", "latest news about X",
    "what's new about X", "recent X", "recently" (the newest first); "in 2020", "in March 2019", "March 2019",
    "since March", "since 2019", "before 2016", "after 2016", "until 2019", "between 2018 and 2020" (a window);
    "today", "yesterday", "this/past/last week|month|year" (a window relative to `reference()`, called only
    then: the newest article's time, or now). Several windows narrow one another. Event-relative words ("before
    the election") are not read: they stay in the question."""
    spans: list[tuple[int, int]] = []
    since: float | None = None
    until: float | None = None
    said: list[str] = []
    ref: dt.datetime | None = None

    def when() -> dt.datetime:
        nonlocal ref
        if ref is None:
            ts = reference()
            ref = dt.datetime.fromtimestamp(ts, dt.UTC) if ts is not None else dt.datetime.now(dt.UTC)
        return ref

    def narrow(window: tuple[float | None, float | None], words: str) -> None:
        nonlocal since, until
        a, b = window
        if a is not None:
            since = a if since is None else max(since, a)
        if b is not None:
            until = b if until is None else min(until, b)
        said.append(" ".join(words.split()))

    def taken(m: re.Match[str]) -> bool:
        if any(m.start() < e and s < m.end() for s, e in spans):
            return False
        spans.append(m.span())
        return True

    for m in _BETWEEN.finditer(question):
        if taken(m):
            narrow((_start(int(m["a"])), _start(int(m["b"]) + 1)), m.group(0))
    for m in (m for dated in _DATED for m in dated.finditer(question)):
        if taken(m):
            month = _month_number(m["month"]) if m["month"] else None
            prep = m["prep"] or "in"
            shown = f"{prep.lower()} {_MONTHS[month - 1].title() + ' ' if month else ''}{m['year']}"
            narrow(_bounded(prep, *_span(int(m["year"]), month)), shown.replace("of ", "in ", 1))
    for m in _MONTH_ALONE.finditer(question):
        if taken(m):
            ref_at = when()
            month = _month_number(m["month"])
            year = ref_at.year if month <= ref_at.month else ref_at.year - 1  # the last such month up to ref
            prep = m["prep"].lower()
            narrow(_bounded(prep, *_span(year, month)), f"{'in' if prep == 'of' else prep} {m['month'].title()} "
                   f"{year}")
    for m in _RELATIVE.finditer(question):
        if taken(m):
            phrase = (m["day"] or f"{m['which']} {m['unit']}").lower()
            narrow(_relative(m["which"], m["unit"], m["day"], when()), phrase)
    newest = False
    for m in _RECENCY.finditer(question):
        if taken(m):
            newest = True
    if not spans:
        return TimeAsked(question)
    rest = question
    for s, e in sorted(spans, reverse=True):
        rest = rest[:s] + " " + rest[e:]
    rest = " ".join(rest.split())
    rest = re.sub(r"\s+([?!.,;:])", r"\1", rest).strip(" ,;:")
    if not re.search(r"[^\W_]", rest):
        rest = ""
    return TimeAsked(rest, since, until, newest, " and ".join(said) if said else None)
