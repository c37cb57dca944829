"""Followed feeds (RSS 2.0, Atom, JSON Feed): following and unfollowing them, and polling one that is due.

A poll is a conditional GET of the feed document through the safe fetcher (`index.fetching`: public addresses
only, the deadline, the size limit), ETag and Last-Modified sent back; a 304 means nothing new. Each item not
seen before, by its GUID in this feed or by its link in any feed or among the stored articles, has its page
fetched the same way and is indexed as `/add` indexes a page (the doc_id is the item's link), the item's own
date, author and the feed's title filling what the page lacks. When the page cannot be fetched, the item is
indexed from the feed's own text (its title and summary) so that nothing the feed said is lost. Items are
recorded as seen only once indexed, in the store, so that a restart never adds one twice.

A feed that fails (an HTTP error, a timeout, a document that is not a feed) keeps its error, shown by `feeds`,
and is polled again after a backoff that doubles with each failure in a row, capped at `BACKOFF_CAP`. One feed's
failure never stops the others: `Feeds.poll_due` polls each due feed on its own. The clock is injected
(`Feeds(clock=...)`), so tests run an hour of polls in a moment.

The document readers are classes behind one small interface (`FeedReader`): `XmlFeedReader` (feedparser: RSS
and Atom) and `JsonFeedReader` (JSON Feed, read with json); `read_feed` picks the one that reads a document.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from index.errors import NewsbotError, ReadError
from index.model import Article, Source

if TYPE_CHECKING:
    from index.engine import Engine
    from index.fetching import FetchPolicy

log = logging.getLogger(__name__)

Clock = Callable[[], float]  # the current time as UTC epoch seconds
DEFAULT_EVERY = 30 * 60.0  # seconds between polls of a feed unless the operator says otherwise
MIN_EVERY = 60.0  # the shortest interval a feed may be polled at
MAX_EVERY = 7 * 24 * 3600.0
BACKOFF_CAP = 24 * 3600.0  # the longest wait after failures in a row
MAX_NEW_ITEMS = 25  # items taken in one poll, oldest first; the rest at the next poll
ORIGIN = "feed"  # the stored articles' origin


# --- what a feed document holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: its GUID (its id, else its link, else a hash of its text), its link and what the
    feed itself says of it."""

    guid: str
    link: str | None = None
    title: str | None = None
    summary: str | None = None  # plain text
    published: str | None = None  # as the feed wrote it
    author: str | None = None


@dataclass(frozen=True)
class FeedDocument:
    """A parsed feed: its title and its items in the order the document lists them."""

    title: str | None
    items: tuple[FeedItem, ...]


class FeedReader(Protocol):
    """Reads one format of feed document."""

    def reads(self, body: bytes, content_type: str) -> bool:
        """Return whether this reader is the one for a document of this content type starting so."""
        ...

    def read(self, body: bytes, url: str) -> FeedDocument:
        """Return the feed in `body`; raise ReadError (naming `url`) when it is not one."""
        ...


def _guid(item_id: str | None, link: str | None, title: str | None, summary: str | None) -> str | None:
    """Return an item's GUID: its id, else its link, else a hash of its title and summary; None when it has
    nothing to tell it by."""
    if item_id and item_id.strip():
        return item_id.strip()
    if link:
        return link
    if title or summary:
        return "sha256:" + hashlib.sha256(f"{title}\n{summary}".encode("utf-8", "surrogatepass")).hexdigest()
    return None


def _plain(html_text: str | None) -> str | None:
    """Return the text of an HTML fragment (a summary), without tags; None when it holds none."""
    if not html_text or not html_text.strip():
        return None
    if "<" not in html_text and "&" not in html_text:
        return html_text.strip()
    import lxml.html  # trafilatura's parser, already installed

    try:
        text = lxml.html.fromstring(f"<div>{html_text}</div>").text_content()
    except Exception:  # lxml's assorted errors on hostile input: the fragment is not text then
        return None
    return " ".join(text.split()) or None


def _text(value: object) -> str | None:
    """Return a feed value as a stripped string, None when it is not a non-empty string."""
    return value.strip() or None if isinstance(value, str) else None


def _web_link(value: object) -> str | None:
    """Return an item's link when it is an absolute http(s) address, else None."""
    link = _text(value)
    return link if link is not None and link.lower().startswith(("http://", "https://")) else None


class JsonFeedReader:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with json."""

    def reads(self, body: bytes, content_type: str) -> bool:
        """Return whether the document is JSON: declared so, or starting with `{`."""
        return "json" in content_type or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"

    def read(self, body: bytes, url: str) -> FeedDocument:
        """Return the JSON Feed in `body`; raise ReadError when it is not one."""
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ReadError(url, f"not a feed: its JSON cannot be read ({e})") from None
        if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
            raise ReadError(url, "not a feed: JSON, but not a JSON Feed (no jsonfeed.org version)")
        entries = data.get("items")
        if not isinstance(entries, list):
            raise ReadError(url, "not a feed: a JSON Feed without its list of items")
        items = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            link = _web_link(entry.get("url")) or _web_link(entry.get("external_url"))
            title = _text(entry.get("title"))
            summary = _text(entry.get("content_text")) or _plain(_text(entry.get("content_html"))) or _text(
                entry.get("summary"))
            guid = _guid(_text(str(entry["id"])) if entry.get("id") is not None else None, link, title, summary)
            if guid is None:
                continue
            authors = entry.get("authors") or data.get("authors") or [entry.get("author") or data.get("author")]
            names = [_text(a.get("name")) for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
            items.append(FeedItem(
                guid, link, title, summary,
                _text(entry.get("date_published")) or _text(entry.get("date_modified")),
                ", ".join(n for n in names if n) or None,
            ))
        return FeedDocument(_text(data.get("title")), tuple(items))


class XmlFeedReader:
    """RSS (0.9x, 1.0, 2.0) and Atom, read with feedparser from the bytes fetched (feedparser fetches nothing)."""

    def reads(self, body: bytes, content_type: str) -> bool:
        """Return True: any document that is not JSON is tried as XML."""
        return True

    def read(self, body: bytes, url: str) -> FeedDocument:
        """Return the RSS or Atom feed in `body`; raise ReadError when it is not one."""
        import feedparser  # lazy: only polling reads feeds

        try:
            parsed = feedparser.parse(body, response_headers={"content-location": url})
        except Exception as e:  # feedparser's assorted parser errors on hostile input
            raise ReadError(url, f"not a feed: it cannot be parsed ({type(e).__name__})") from None
        if not parsed.get("version") and not parsed.entries:
            problem = parsed.get("bozo_exception")
            why = f" ({_one_line(str(problem))})" if parsed.get("bozo") and problem else ""
            raise ReadError(url, f"not a feed: no RSS, Atom or JSON Feed found{why}")
        items = []
        for entry in parsed.entries:
            link = _web_link(entry.get("link"))
            title = _plain(entry.get("title"))
            content = entry.get("content") or []
            summary = _plain(entry.get("summary")) or next(
                (t for c in content if (t := _plain(c.get("value")))), None)
            guid = _guid(_text(entry.get("id")), link, title, summary)
            if guid is None:
                continue
            items.append(FeedItem(
                guid, link, title, summary,
                _text(entry.get("published")) or _text(entry.get("updated")),
                _text(entry.get("author")),
            ))
        return FeedDocument(_plain(parsed.feed.get("title")), tuple(items))


READERS: tuple[FeedReader, ...] = (JsonFeedReader(), XmlFeedReader())


def read_feed(body: bytes, content_type: str, url: str) -> FeedDocument:
    """Return the feed in a fetched document with the first reader that reads it; raise ReadError when the
    document is empty or no feed."""
    if not body.strip():
        raise ReadError(url, "not a feed: the document is empty")
    reader = next(r for r in READERS if r.reads(body, content_type))
    return reader.read(body, url)


def _one_line(text: str, limit: int = 200) -> str:
    """Return `text` on one line, at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _is_feed_type(content_type: str) -> bool:
    """Return whether a content type may hold a feed: XML, JSON, RSS, Atom, any text, or none declared."""
    return not content_type or content_type.startswith("text/") or any(
        kind in content_type for kind in ("xml", "json", "rss", "atom"))


# --- followed feeds, as stored ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """A followed feed as stored: where it is, what it is called, how often it is polled (seconds) and how its
    polls went (UTC epoch seconds; `failures` in a row, `last_error` of the last poll, `items` seen in all)."""

    url: str
    title: str | None
    every: float
    followed_at: float
    due_at: float
    polled_at: float | None = None
    failures: int = 0
    last_error: str | None = None
    items: int = 0
    etag: str | None = None
    last_modified: str | None = None
    id: int = 0


@dataclass(frozen=True)
class PollReport:
    """What one poll of one feed did: items indexed (`added`, of which `from_feed` from the feed's own text
    because their page failed), items already seen (`known`), whether the server said nothing changed, and the
    error that stopped the poll or the last item problem."""

    url: str
    added: int = 0
    from_feed: int = 0
    known: int = 0
    not_modified: bool = False
    error: str | None = None
    sentences: int = 0

    @property
    def failed(self) -> bool:
        """Return whether the feed itself could not be polled."""
        return self.error is not None and not (self.added or self.known or self.not_modified)

    def summary(self) -> str:
        """Return a one-line account of the poll."""
        if self.failed:
            return f"{self.url}: {self.error}"
        if self.not_modified:
            return f"{self.url}: not modified"
        line = f"{self.url}: {self.added} new item(s)"
        if self.from_feed:
            line += f" ({self.from_feed} from the feed's text: their page could not be fetched)"
        line += f", {self.known} already seen"
        return line + (f"; {self.error}" if self.error else "")


_FEED_COLS = ("id, url, title, every, followed_at, due_at, polled_at, failures, last_error, "
              "(SELECT count(*) FROM feed_items i WHERE i.feed_id = feeds.id), etag, last_modified")


def _feed(r: Sequence[Any]) -> Feed:
    """Return a Feed from a row of _FEED_COLS."""
    return Feed(id=int(r[0]), url=r[1], title=r[2], every=float(r[3]), followed_at=float(r[4]),
                due_at=float(r[5]), polled_at=None if r[6] is None else float(r[6]), failures=int(r[7]),
                last_error=r[8], items=int(r[9]), etag=r[10], last_modified=r[11])


def backoff(every: float, failures: int) -> float:
    """Return the seconds to wait after `failures` failed polls in a row: the interval doubled per failure,
    at most BACKOFF_CAP (never less than the interval)."""
    return min(every * 2 ** min(failures, 30), max(BACKOFF_CAP, every))


def checked_every(seconds: float) -> float:
    """Return a polling interval in seconds; raise NewsbotError when it is out of range."""
    if not MIN_EVERY <= seconds <= MAX_EVERY:  # NaN too
        raise NewsbotError(f"a feed is polled every {MIN_EVERY / 60:g} to {MAX_EVERY / 60:g} minutes, "
                           f"not every {seconds / 60:g}")
    return seconds


class Feeds:
    """The followed feeds of an engine's store: follow, unfollow, list, and poll those due (the clock injected)."""

    def __init__(self, engine: Engine, clock: Clock = time.time, policy: FetchPolicy | None = None) -> None:
        from index.fetching import Wanted  # lazy: httpx, only for feeds

        self.engine = engine
        self.clock = clock
        self.policy = policy or engine.settings.fetch_policy()
        self._polling = threading.Lock()  # one poll_due at a time
        self._wanted = Wanted(
            "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
            "text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
            _is_feed_type, "a feed (RSS, Atom or JSON Feed)",
        )

    # -- what is followed ----------------------------------------------------------------------------------

    def followed(self) -> list[Feed]:
        """Return every followed feed, in the order followed."""
        with self.engine.store.transaction() as db:
            return [_feed(r) for r in db.execute(f"SELECT {_FEED_COLS} FROM feeds ORDER BY id").fetchall()]

    def get(self, url: str) -> Feed | None:
        """Return the followed feed at `url`, None when it is not followed."""
        with self.engine.store.transaction() as db:
            row = db.execute(f"SELECT {_FEED_COLS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return None if row is None else _feed(row)

    def follow(self, url: str, every: float = DEFAULT_EVERY) -> Feed:
        """Return the feed at `url`, now followed (or its interval changed when it already was): fetched and read
        once first, so that a link that is no feed, an internal address or garbage is refused with ReadError and
        nothing stored. Its items are taken at its first poll, due at once."""
        from index.fetching import checked_url, fetch

        checked_url(url)
        every = checked_every(every)
        known = self.get(url)
        fetched = fetch(url, self.policy, wanted=self._wanted)
        document = read_feed(fetched.body, fetched.content_type, url)
        now = self.clock()
        with self.engine.store.transaction() as db:
            if known is None:
                db.execute("INSERT INTO feeds (url, title, every, followed_at, due_at) VALUES (?, ?, ?, ?, ?)",
                           (url, document.title, every, now, now))
            else:
                db.execute("UPDATE feeds SET title = ?, every = ?, due_at = min(due_at, ?) WHERE url = ?",
                           (document.title, every, now + every, url))
        feed = self.get(url)
        assert feed is not None
        return feed

    def unfollow(self, url: str) -> Feed:
        """Return the feed at `url`, no longer followed (what it added stays indexed); raise NewsbotError when it
        was not followed."""
        feed = self.get(url)
        if feed is None:
            raise NewsbotError(f"{url} is not followed (see: newsbot feeds)")
        with self.engine.store.transaction() as db:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return feed

    def seconds_to_next(self) -> float | None:
        """Return the seconds until the next feed is due (0 when one is), None when none is followed."""
        with self.engine.store.transaction() as db:
            row = db.execute("SELECT min(due_at) FROM feeds").fetchone()
        return None if row[0] is None else max(0.0, float(row[0]) - self.clock())

    # -- polling -------------------------------------------------------------------------------------------

    def poll_due(self) -> list[PollReport]:
        """Poll every feed that is due, each on its own: one that fails (whatever the error) is reported and
        backed off, and the others are polled; return a report per feed polled (none while another call of
        this object is polling)."""
        if not self._polling.acquire(blocking=False):
            return []  # a poll is under way (the bot's tick and a /follow's poll at once): it takes what is due
        try:
            now = self.clock()
            reports = []
            for feed in self.followed():
                if feed.due_at > now:
                    continue
                try:
                    reports.append(self.poll(feed))
                except Exception as e:  # a bug must not stop the other feeds, nor the bot: logged, kept, backed off
                    log.error("polling %s failed", feed.url, exc_info=e)
                    reports.append(self._failed(feed, f"internal error ({type(e).__name__}); see the log"))
            return reports
        finally:
            self._polling.release()

    def poll(self, feed: Feed) -> PollReport:
        """Poll one feed now: fetch its document (conditional GET), index each new item, record the poll; return
        what it did. A feed that cannot be fetched or read is recorded as failed (backed off), nothing raised."""
        from index.fetching import fetch

        try:
            fetched = fetch(feed.url, self.policy, wanted=self._wanted, etag=feed.etag,
                            last_modified=feed.last_modified)
            if fetched.not_modified:
                self._record(feed, etag=fetched.etag or feed.etag,
                             last_modified=fetched.last_modified or feed.last_modified)
                return PollReport(feed.url, not_modified=True)
            document = read_feed(fetched.body, fetched.content_type, feed.url)
        except NewsbotError as e:
            return self._failed(feed, str(e))
        try:
            report, left = self._take(feed, document)
        except NewsbotError as e:  # the items could not be stored (a full disk): none is recorded as seen
            return self._failed(feed, str(e))
        if left:  # items still to take: the next poll must read the whole document, not hear "not modified"
            self._record(feed, title=document.title, error=report.error)
        else:
            self._record(feed, title=document.title, etag=fetched.etag, last_modified=fetched.last_modified,
                         error=report.error)
        return report

    def _take(self, feed: Feed, document: FeedDocument) -> tuple[PollReport, int]:
        """Return the report of indexing the document's new items (oldest first, at most MAX_NEW_ITEMS), each
        recorded as seen once indexed, and how many new items are left for a later poll; raise NewsbotError
        (nothing recorded) when they cannot be stored."""
        from index.fetching import fetch_url

        known = self._known(feed, document.items)
        fresh: list[FeedItem] = []
        already: list[tuple[FeedItem, str]] = []
        for item in reversed(document.items):  # feeds list the newest first
            if item.guid in known or any(i.guid == item.guid for i in fresh):
                continue
            doc_id = self._stored_doc_id(item)
            if doc_id is not None:
                already.append((item, doc_id))  # its link was indexed by another feed or /add
            elif item.link is None or all(i.link != item.link for i in fresh):
                fresh.append(item)
        left = max(0, len(fresh) - MAX_NEW_ITEMS)
        fresh = fresh[:MAX_NEW_ITEMS]
        problem: str | None = None
        articles: list[tuple[FeedItem, Article]] = []
        from_feed = 0
        for item in fresh:
            page: Article | None = None
            if item.link is not None:
                try:
                    page = fetch_url(item.link, self.policy)
                except ReadError as e:
                    problem = str(e)
                    log.info("feed %s: %s; indexing the item from the feed's text", feed.url, e)
            article = (_with_item(page, item, document.title) if page is not None
                       else _article_from_feed(item, feed.url, document.title))
            if article is None:
                problem = f"{item.link or item.guid}: its page could not be fetched and the feed gives no text"
                left += 1
                continue
            from_feed += page is None
            articles.append((item, article))
        sentences = 0
        if articles:
            sentences = self.engine.add_articles([a for _, a in articles], origin=ORIGIN).sentences_added
        self._seen(feed, [(i, a.doc_id) for i, a in articles] + already)
        report = PollReport(feed.url, added=len(articles), from_feed=from_feed, known=len(known) + len(already),
                            error=problem, sentences=sentences)
        return report, left

    def _known(self, feed: Feed, items: Sequence[FeedItem]) -> set[str]:
        """Return the GUIDs of these items already taken from this feed."""
        with self.engine.store.transaction() as db:
            rows = _in(db, f"SELECT guid FROM feed_items WHERE feed_id = {int(feed.id)} AND guid IN ({{}})",
                       [i.guid for i in items])
        return {r[0] for r in rows}

    def _stored_doc_id(self, item: FeedItem) -> str | None:
        """Return the doc_id of the stored article the item's link already is (indexed by /add, say)."""
        if item.link is None:
            return None
        return item.link if self.engine.library.article(item.link) is not None else None

    def _seen(self, feed: Feed, taken: Sequence[tuple[FeedItem, str]]) -> None:
        """Record these items as taken from the feed, as the articles named."""
        if not taken:
            return
        now = self.clock()
        with self.engine.store.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO feed_items (feed_id, guid, link, doc_id, seen_at) VALUES (?, ?, ?, ?, ?)",
                [(feed.id, item.guid, item.link, doc_id, now) for item, doc_id in taken],
            )

    def _record(self, feed: Feed, *, title: str | None = None, etag: str | None = None,
                last_modified: str | None = None, error: str | None = None) -> None:
        """Record a poll that reached the feed: the validators, the title, due again one interval from now."""
        now = self.clock()
        with self.engine.store.transaction() as db:
            db.execute(
                "UPDATE feeds SET title = coalesce(?, title), etag = ?, last_modified = ?, polled_at = ?, "
                "due_at = ?, failures = 0, last_error = ? WHERE id = ?",
                (title, etag, last_modified, now, now + feed.every, error, feed.id),
            )

    def _failed(self, feed: Feed, error: str) -> PollReport:
        """Record a failed poll (its error, one more failure, due again after the backoff); return its report."""
        now = self.clock()
        failures = feed.failures + 1
        with self.engine.store.transaction() as db:
            db.execute("UPDATE feeds SET polled_at = ?, due_at = ?, failures = ?, last_error = ? WHERE id = ?",
                       (now, now + backoff(feed.every, failures), failures, _one_line(error, 500), feed.id))
        log.warning("feed %s failed (%d in a row): %s", feed.url, failures, error)
        return PollReport(feed.url, error=error)


def _in(db: Any, sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    """Return the rows of `sql` (one `IN ({})`) for these values, asked in chunks SQLite accepts."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        rows += db.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall()
    return rows


def _with_item(page: Article, item: FeedItem, feed_title: str | None) -> Article:
    """Return the page's article with what the item says filling what the page lacks: date, author, title, and
    the feed's title as the outlet (when the page names none but its host)."""
    from urllib.parse import urlsplit

    from index.reading.articles import _article

    s = page.source
    host_only = s.outlet is not None and s.outlet == urlsplit(s.url or s.doc_id).netloc  # no site name found
    outlet = feed_title if feed_title and (s.outlet is None or host_only) else s.outlet
    if s.published and s.author and s.title and outlet == s.outlet:
        return page
    source = replace(s, published=s.published or item.published, author=s.author or item.author,
                     title=s.title or item.title, outlet=outlet)
    return _article(source, page.text)


def _article_from_feed(item: FeedItem, feed_url: str, feed_title: str | None) -> Article | None:
    """Return the item as an article of the feed's own text (its summary, else its title), None when the feed
    gives no text; its doc_id is its link (so a later fetch of the page updates it), else the feed's address
    and its GUID."""
    from index.reading.articles import _article
    from index.reading.repair import repair_text

    text = repair_text(item.summary or item.title or "")
    if not text:
        return None
    doc_id = item.link or f"{feed_url}#{item.guid}"
    source = Source(doc_id=doc_id, title=item.title, outlet=feed_title, url=item.link, published=item.published,
                    author=item.author)
    return _article(source, text)


def when(ts: float | None) -> str:
    """Return an epoch time as shown to an operator ("2024-05-01 14:03 UTC"), "never" for None."""
    if ts is None:
        return "never"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")
