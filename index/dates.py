"""When an article was published, as news exports write it: a value read as a moment (ISO 8601, RFC 2822,
"March 2, 2015", epoch seconds or milliseconds), its UTC timestamp, and why a value is no date.

A value without a zone ("2022-06-21", "2022-06-21T14:03:00", "March 2, 2015") is taken as UTC."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Literal

# The fields of a JSONL record or front matter that hold the date, in the order they are tried: the first one
# present with a value is read (a later one is then ignored, and reported so).
PUBLISHED_FIELDS: tuple[str, ...] = (
    "published", "publish_date", "published_at", "date", "pubDate", "datePublished", "created_at", "timestamp",
)
# A number at least this large is epoch milliseconds, not seconds: as seconds it would be after the year 5138,
# as milliseconds it is after March 1973 (an earlier date in milliseconds would be misread as seconds).
EPOCH_MS_FROM = 100_000_000_000

Precision = Literal["year", "month", "day", "time"]

_WRITTEN_FORMS: tuple[tuple[str, Precision], ...] = (
    ("%B %d, %Y", "day"), ("%b %d, %Y", "day"), ("%d %B %Y", "day"), ("%d %b %Y", "day"), ("%Y/%m/%d", "day"),
    ("%B %Y", "month"), ("%b %Y", "month"),
)
_ISO_YEAR_MONTH = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2]))?")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_EPOCH = re.compile(r"-?\d{9,}(?:\.\d+)?")  # nine digits or more: no year, no ISO basic date (20150302)


class NotADate(ValueError):
    """A published value that is no date; `missing` when it names a day that does not exist (2015-02-30)."""

    def __init__(self, value: str, missing: bool = False) -> None:
        super().__init__(value)
        self.value = value
        self.missing = missing


@dataclass(frozen=True)
class PublishedDate:
    """A published value read: the moment, in the zone it was written in (UTC when it named none), and how
    precisely it was written (a year, a month, a day, or a time of day)."""

    moment: dt.datetime
    precision: Precision

    @property
    def timestamp(self) -> float:
        """Return the moment as UTC epoch seconds."""
        return self.moment.timestamp()


def _utc(moment: dt.datetime) -> dt.datetime:
    """Return the moment with UTC as its zone when it has none."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def read_date(value: str) -> PublishedDate:
    """Return a published value as a PublishedDate; raise NotADate when it is no date or one that does not
    exist. Read: ISO 8601 (a year, a month, a day, a date-time with or without a zone), RFC 2822 ("Tue, 21 Jun 2022
    14:03:00 GMT"), "March 2, 2015", "2 March 2015", "2015/03/02", "March 2015", and epoch seconds (nine digits
    or more, a fraction allowed; milliseconds from EPOCH_MS_FROM up)."""
    value = value.strip()
    if _EPOCH.fullmatch(value):
        seconds = float(value)
        if abs(seconds) >= EPOCH_MS_FROM:
            seconds /= 1000
        try:
            return PublishedDate(dt.datetime.fromtimestamp(seconds, dt.UTC), "time")
        except (OverflowError, ValueError, OSError) as e:
            raise NotADate(value) from e
    month = _ISO_YEAR_MONTH.fullmatch(value)
    if month:
        year, mm = month.groups()
        moment = dt.datetime(int(year), int(mm or 1), 1, tzinfo=dt.UTC)
        return PublishedDate(moment, "month" if mm else "year")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        timed = not (len(value) <= 10 and moment.time() == dt.time())  # "2015-03-02" or "20150302": a day
        return PublishedDate(_utc(moment), "time" if timed else "day")
    day = _ISO_DAY.match(value)
    if day:
        try:
            dt.date(*map(int, day.groups()))
        except ValueError as e:
            raise NotADate(value, missing=True) from e
    try:
        return PublishedDate(_utc(email.utils.parsedate_to_datetime(value)), "time")
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    for form, precision in _WRITTEN_FORMS:
        try:
            return PublishedDate(dt.datetime.strptime(value, form).replace(tzinfo=dt.UTC), precision)
        except ValueError:
            continue
    raise NotADate(value)


def published_timestamp(value: str | None) -> float | None:
    """Return a published value as UTC epoch seconds, or None when there is none or it is no date."""
    if not value:
        return None
    try:
        return read_date(value).timestamp
    except NotADate:
        return None


def date_span(value: str) -> tuple[float, float]:
    """Return the UTC timestamps a written date covers: its start and the start of the next year, month, day (or,
    for a time of day, the next second), so that `--until 2019` takes in all of 2019; raise NotADate."""
    read = read_date(value)
    moment = read.moment.astimezone(dt.UTC)
    match read.precision:
        case "year":
            end = moment.replace(year=moment.year + 1)
        case "month":
            end = moment.replace(year=moment.year + (moment.month == 12), month=moment.month % 12 + 1)
        case "day":
            end = moment + dt.timedelta(days=1)
        case _:
            end = moment + dt.timedelta(seconds=1)
    return moment.timestamp(), end.timestamp()
