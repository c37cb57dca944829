"""Followed feeds (index.feeds, `newsbot follow/unfollow/feeds/watch`): RSS, Atom and JSON Feed read alike,
conditional GET, deduplication by GUID and link, backoff, and an hour of ten feeds with failures injected on a
fake clock. Feeds and pages are served from 127.0.0.1 by a test server; the store is real, in tmp_path."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fake_telegram import FakeTelegram, running_fake

from bot.cli import main
from index.encoder import Encoder
from index.engine import Engine
from index.errors import NewsbotError, ReadError
from index.feeds import BACKOFF_CAP, FeedItem, Feeds, read_feed
from index.settings import Settings

# --- a web site on 127.0.0.1 -------------------------------------------------------------------------------


@dataclass
class Route:
    """What the site answers at one path: a body, or a status, or a stall past the fetch's deadline; with an
    etag or last_modified it honours a conditional GET with 304."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    stall: float = 0.0


@dataclass
class Site:
    """The routes (path -> Route; a missing path is a 404) and every request seen (path, headers)."""

    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.seen if p == path]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        site: Site = self.server.site  # type: ignore[attr-defined]
        site.seen.append((self.path, dict(self.headers)))
        route = site.routes.get(self.path, Route(b"gone", status=404))
        if route.stall:
            time.sleep(route.stall)
            return
        fresh = (route.etag is not None and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified is not None and self.headers.get("If-Modified-Since") == route.last_modified)
        status, body = (304, b"") if fresh and route.status == 200 else (route.status, route.body)
        self.send_response(status)
        self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def site() -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.site = Site(int(server.server_address[1]))  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


class FakeClock:
    """UTC epoch seconds that move only when the test says."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def page(title: str, *paragraphs: str) -> bytes:
    """Return a small article page (no date, no author: the feed's fill them in)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article>"
            "</body></html>").encode()


def rss(title: str, items: list[dict[str, str]]) -> bytes:
    """Return an RSS 2.0 document; each item: title, link, guid (optional), date, author, summary."""
    entries = "".join(
        "<item>" + f"<title>{i['title']}</title><link>{i['link']}</link>"
        + (f"<guid isPermaLink=\"false\">{i['guid']}</guid>" if i.get("guid") else "")
        + (f"<pubDate>{i['date']}</pubDate>" if i.get("date") else "")
        + (f"<author>{i['author']}</author>" if i.get("author") else "")
        + (f"<description>{i['summary']}</description>" if i.get("summary") else "") + "</item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://example.org/</link><description>d</description>{entries}</channel></rss>").encode()


def atom(title: str, items: list[dict[str, str]]) -> bytes:
    """Return an Atom document with the same items."""
    entries = "".join(
        f"<entry><title>{i['title']}</title><link href=\"{i['link']}\"/><id>{i.get('guid') or i['link']}</id>"
        + (f"<published>{i['date_iso']}</published><updated>{i['date_iso']}</updated>" if i.get("date_iso") else "")
        + (f"<author><name>{i['author_name']}</name></author>" if i.get("author_name") else "")
        + (f"<summary>{i['summary']}</summary>" if i.get("summary") else "") + "</entry>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}'
            f"</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>{entries}</feed>").encode()


def json_feed(title: str, items: list[dict[str, str]]) -> bytes:
    """Return a JSON Feed 1.1 document with the same items."""
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": title,
        "items": [{"id": i.get("guid") or i["link"], "url": i["link"], "title": i["title"],
                   **({"content_html": i["summary"]} if i.get("summary") else {}),
                   **({"date_published": i["date_iso"]} if i.get("date_iso") else {}),
                   **({"authors": [{"name": i["author_name"]}]} if i.get("author_name") else {})} for i in items],
    }).encode()


FEED_TYPES = {"rss": (rss, "application/rss+xml"), "atom": (atom, "application/atom+xml"),
              "json": (json_feed, "application/feed+json")}
# The hour of feeds' fetch deadline: long enough that a loaded CI machine answers every healthy fetch in time
# (0.5 s was not: CI once gave up on a healthy feed), short enough that the stalled feed costs the test little.
FEED_DEADLINE = 3.0


def engine_over(data: Path, encoder: Encoder, **settings: object) -> Engine:
    """Return an engine over `data` that may fetch from 127.0.0.1 (the test site)."""
    chosen: dict[str, object] = {"fetch_allow": "127.0.0.1", **settings}
    return Engine.open(Settings(data_dir=data, progress=False, ranker="fusion", **chosen),  # type: ignore[arg-type]
                       encoder=encoder)


# --- reading feeds: one contract for every format --------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FEED_TYPES))
def test_every_format_reads_to_the_same_items(kind: str) -> None:
    items = [
        {"title": "Dam bursts", "link": "https://news.example/dam", "guid": "urn:dam",
         "summary": "The <b>dam</b> burst.",
         "date": "Mon, 11 Sep 2023 06:00:00 +0000", "date_iso": "2023-09-11T06:00:00+00:00",
         "author": "reporter@example.org (Ann Lee)", "author_name": "Ann Lee"},
        {"title": "No id", "link": "https://news.example/no-id"},
    ]
    make, content_type = FEED_TYPES[kind]
    document = read_feed(make("Planet News", items), content_type, "https://news.example/feed")
    assert document.title == "Planet News"
    first, second = document.items
    assert (first.guid, first.link, first.title, first.summary) == (
        "urn:dam", "https://news.example/dam", "Dam bursts", "The dam burst.")
    assert first.published is not None and "2023" in first.published and first.published[:3] in ("Mon", "202")
    assert first.author is not None and "Ann Lee" in first.author
    assert second == FeedItem("https://news.example/no-id", "https://news.example/no-id", "No id")


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (page("A page", "Not a feed at all."), "text/html", "not a feed: no RSS, Atom or JSON Feed found"),
        (bytes(range(256)) * 4, "application/rss+xml", "not a feed"),
        (b"{\"hello\": 1}", "application/json", "not a JSON Feed"),
        (b"{broken", "application/feed+json", "its JSON cannot be read"),
        (b"   ", "application/rss+xml", "the document is empty"),
    ],
)
def test_what_is_no_feed_is_one_line_of_reason(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(ReadError, match=reason) as info:
        read_feed(body, content_type, "https://x.example/feed")
    assert "\n" not in str(info.value)


# --- following, polling -----------------------------------------------------------------------------------


def test_follow_refuses_what_is_no_feed_an_internal_address_and_garbage(
    site: Site, tmp_path: Path, fake_encoder: Encoder, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/page"] = Route(page("A page", "Just a page, officials said."))
    site.routes["/garbage"] = Route(bytes(range(256)) * 8, "application/rss+xml")
    site.routes["/png"] = Route(b"\x89PNG\r\n", "image/png")
    with engine_over(tmp_path / "data", fake_encoder) as engine:
        feeds = Feeds(engine)
        for path, reason in (("/page", "not a feed"), ("/garbage", "not a feed"), ("/png", "content type image"),
                             ("/missing", "HTTP 404")):
            with pytest.raises(ReadError, match=reason) as info:
                feeds.follow(site.url(path))
            assert "\n" not in str(info.value)
        with pytest.raises(NewsbotError, match="1 to 10080 minutes"):
            feeds.follow(site.url("/page"), every=5.0)
        assert feeds.followed() == []
    with engine_over(tmp_path / "closed", fake_encoder, fetch_allow="") as engine:
        with pytest.raises(ReadError, match="internal address"):
            Feeds(engine).follow(site.url("/feed"))
        assert Feeds(engine).followed() == []
    # the command: one line on stderr, exit code 1, no traceback
    assert main(["follow", f"http://127.0.0.1:{site.port}/page", "--data", str(tmp_path / "closed")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "internal address" in err and "Traceback" not in err
    assert main(["follow", "not a link", "--data", str(tmp_path / "closed")]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "Traceback" not in err


def test_conditional_get_is_honoured_and_nothing_is_fetched_twice(
    site: Site, tmp_path: Path, fake_encoder: Encoder
) -> None:
    items = [{"title": "Bridge opens", "link": site.url("/bridge"), "guid": "b1"}]
    site.routes["/feed"] = Route(rss("City", items), "application/rss+xml", etag='"v1"',
                                 last_modified="Mon, 11 Sep 2023 06:00:00 GMT")
    site.routes["/bridge"] = Route(page("Bridge opens", "The new bridge opened on Monday, the mayor said."))
    clock = FakeClock()
    with engine_over(tmp_path / "data", fake_encoder) as engine:
        feeds = Feeds(engine, clock=clock)
        feeds.follow(site.url("/feed"), every=600)
        [first] = feeds.poll_due()
        assert (first.added, first.known, first.not_modified) == (1, 0, False)
        assert feeds.poll_due() == []  # not due yet
        clock.advance(600)
        [second] = feeds.poll_due()
        assert second.not_modified and second.added == 0
        sent = site.requests("/feed")[-1]
        assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Mon, 11 Sep 2023 06:00:00 GMT"
        assert len(site.requests("/bridge")) == 1
        # a server that ignores the validators: the same item is known by its GUID, its page not fetched again
        site.routes["/feed"] = replace(site.routes["/feed"], etag=None, last_modified=None)
        clock.advance(600)
        [third] = feeds.poll_due()
        assert (third.added, third.known, third.not_modified) == (0, 1, False)
        assert len(site.requests("/bridge")) == 1 and engine.library.summary(0).articles == 1
        [feed] = feeds.followed()
        assert feed.items == 1 and feed.title == "City" and feed.last_error is None


def test_failures_back_off_doubling_up_to_the_cap_and_are_shown(
    site: Site, tmp_path: Path, fake_encoder: Encoder, capsys: pytest.CaptureFixture[str]
) -> None:
    site.routes["/feed"] = Route(rss("City", []), "application/rss+xml")
    clock = FakeClock()
    with engine_over(tmp_path / "data", fake_encoder) as engine:
        feeds = Feeds(engine, clock=clock)
        feeds.follow(site.url("/feed"), every=3600)
        site.routes["/feed"] = Route(b"oops", status=500)
        waits = []
        for _ in range(6):
            [report] = feeds.poll_due()
            assert report.failed and "HTTP 500" in (report.error or "")
            wait = feeds.seconds_to_next()
            assert wait is not None
            waits.append(wait)
            clock.advance(wait)
        assert waits == [7200, 14400, 28800, 57600, BACKOFF_CAP, BACKOFF_CAP]
        [feed] = feeds.followed()
        assert feed.failures == 6 and "HTTP 500" in (feed.last_error or "")
    assert main(["feeds", "--data", str(tmp_path / "data")]) == 0
    shown = capsys.readouterr().out
    assert "City — " + site.url("/feed") in shown and "every 1 h" in shown
    assert "last error (6 failed polls in a row" in shown and "HTTP 500" in shown
    site.routes["/feed"] = Route(rss("City", []), "application/rss+xml")
    with engine_over(tmp_path / "data", fake_encoder) as engine:
        feeds = Feeds(engine, clock=clock)
        [report] = feeds.poll_due()
        [feed] = feeds.followed()
        assert not report.failed and feed.failures == 0 and feed.last_error is None
        assert feeds.seconds_to_next() == 3600


def test_a_followed_feeds_new_item_is_answerable_after_one_poll(
    site: Site, tmp_path: Path, minilm: Encoder
) -> None:
    fact = "The Tobruk desalination plant will supply 40,000 households from May, the water authority said."
    site.routes["/feed"] = Route(rss("Libya Herald", [
        {"title": "Desalination plant", "link": site.url("/plant"), "guid": "p1", "author": "Omar Ali",
         "date": "Tue, 05 Mar 2024 09:30:00 +0000"},
    ]), "application/rss+xml")
    site.routes["/plant"] = Route(page("Desalination plant", fact, "Engineers finished the pipes in winter."))
    clock = FakeClock()
    with engine_over(tmp_path / "data", minilm) as engine:
        feeds = Feeds(engine, clock=clock)
        feeds.follow(site.url("/feed"), every=900)
        [report] = feeds.poll_due()
        assert report.added == 1
        answer = engine.answer("How many households will the Tobruk desalination plant supply?")
        top = answer.hits[0]
        assert top.sentence == fact
        assert top.source.author == "Omar Ali" and top.source.published_ts is not None
        assert top.source.outlet == "Libya Herald" and top.source.url == site.url("/plant")


# --- an hour of ten feeds, failures injected --------------------------------------------------------------


def _story(feed: int, n: int) -> tuple[str, str]:
    """Return the title and the one sentence of item n of feed `feed` (words unique to it)."""
    return f"Story {feed}-{n}", f"Council {feed} reported event {n} on the river bank, officials said."


def test_ten_feeds_for_an_hour_with_failures_lose_nothing_and_duplicate_nothing(
    site: Site, tmp_path: Path, fake_encoder: Encoder
) -> None:
    """Each feed gains an item every 10 minutes; minute by minute the failures come and go: a 500, a stall
    past the deadline, malformed XML, a feed that vanishes, a page that fails, items without a GUID, one link
    in two feeds, Atom and JSON Feed. Then a restart polls them all again."""
    clock = FakeClock()
    data = tmp_path / "data"
    engine = engine_over(data, fake_encoder, fetch_deadline=FEED_DEADLINE)
    feeds = Feeds(engine, clock=clock)
    published: dict[int, list[dict[str, str]]] = {f: [] for f in range(10)}
    kinds = {8: "json", 9: "atom"}

    def publish(f: int, n: int) -> None:
        title, sentence = _story(f, n)
        link = site.url(f"/p/{f}/{n}")
        if f == 7 and n == 0:
            link = site.url("/p/6/0")  # the same story in feeds 6 and 7
        else:
            site.routes[f"/p/{f}/{n}"] = Route(page(title, sentence))
        item = {"title": title, "link": link, "summary": sentence, "date": "Mon, 11 Sep 2023 06:00:00 +0000",
                "date_iso": "2023-09-11T06:00:00+00:00"}
        if f != 5:  # feed 5's items have no GUID: known by their link
            item["guid"] = f"urn:{f}:{n}"
        published[f].insert(0, item)
        serve(f)

    def serve(f: int, **change: object) -> None:
        make, content_type = FEED_TYPES[kinds.get(f, "rss")]
        site.routes[f"/feed/{f}"] = replace(Route(make(f"Feed {f}", published[f]), content_type), **change)

    for f in range(10):
        publish(f, 0)
        feeds.follow(site.url(f"/feed/{f}"), every=60 * (5 + f))  # every 5 to 14 minutes
    site.routes["/p/4/1"] = Route(b"down", status=500)  # feed 4's second page fails: its summary is indexed
    route_p41 = Route(page(*_story(4, 1)))
    for minute in range(61):
        if minute and minute % 10 == 0:
            for f in range(10):
                if not (f == 3 and minute > 35):  # feed 3 vanishes at minute 35 (polled at 32: all seen)
                    publish(f, minute // 10)
        if minute == 12:
            serve(0, status=500)
        if minute == 25:
            serve(0)
        if minute == 15:
            serve(1, stall=FEED_DEADLINE + 1)
        if minute == 22:
            serve(1)
        if minute == 33:
            site.routes["/feed/2"] = Route(b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>",
                                           "application/rss+xml")
        if minute == 47:
            serve(2)
        if minute == 35:
            del site.routes["/feed/3"]
        if minute == 21:
            site.routes["/p/4/1"] = route_p41  # back, but the item was taken from the feed's text already
        feeds.poll_due()
        clock.advance(60)
    # after the hour, one last poll of everything, then a restart polls everything again
    clock.advance(3600 * 24)
    feeds.poll_due()
    before = engine.library.summary(0)
    engine.close()
    engine = engine_over(data, fake_encoder, fetch_deadline=FEED_DEADLINE)
    site.seen.clear()
    for f in range(10):
        if f != 3:  # still gone
            serve(f)
    clock.advance(3600 * 24)
    restarted = Feeds(engine, clock=clock).poll_due()
    try:
        assert [r.summary() for r in restarted if r.added] == []
        assert [p for p, _ in site.seen if p.startswith("/p/")] == []  # no page fetched again
        assert engine.library.summary(0) == before
        expected = {item["link"] for f in range(10) for item in published[f]}
        stored = {s.source.doc_id: s.sentences for s in engine.library.sources(0, 10_000)}
        assert set(stored) == expected  # nothing lost, every story once (feed 6 and 7 share one)
        assert len(expected) == 10 * 7 - 3 - 1  # feed 3 published 4 of 7; one link shared
        assert all(n == 1 for n in stored.values())  # each story's one sentence, stored once
        assert engine.library.summary(0).sentences == len(expected)
        assert engine.library.article(site.url("/p/4/1"))[1] == _story(4, 1)[1]  # from the feed's summary
        by_url = {f.url: f for f in Feeds(engine, clock=clock).followed()}
        assert by_url[site.url("/feed/3")].last_error is not None and "404" in by_url[site.url("/feed/3")].last_error
        assert by_url[site.url("/feed/0")].last_error is None  # recovered
        assert sum(f.items for f in by_url.values()) == 10 * 7 - 3
    finally:
        engine.close()


# --- Telegram: /follow, /feeds, /unfollow through the real python-telegram-bot ----------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with running_fake() as server:
        yield server


async def test_admins_follow_list_and_unfollow_feeds_on_telegram(
    fake: FakeTelegram, site: Site, tmp_path: Path, fake_encoder: Encoder
) -> None:
    from test_telegram import ADMIN, serving, text_of

    sentence = "The ferry to Malta resumed on Friday, the port said."
    site.routes["/feed"] = Route(rss("Harbour News", [
        {"title": "Ferry resumes", "link": site.url("/ferry"), "guid": "f1", "author": "Ann Lee",
         "date": "Fri, 08 Mar 2024 08:00:00 +0000"}]), "application/rss+xml")
    site.routes["/ferry"] = Route(page("Ferry resumes", sentence))
    site.routes["/page"] = Route(page("A page", "Just a page."))
    engine = engine_over(tmp_path / "data", fake_encoder)
    try:
        async with serving(fake, engine):
            admin, alice = fake.add_user("Operator", user_id=ADMIN), fake.add_user("Alice")
            for text in (f"/follow {site.url('/feed')}", "/feeds", f"/unfollow {site.url('/feed')}"):
                since = fake.mark()
                fake.user_says(alice, text)
                refused = await fake.wait_for_reply(alice, since=since)
                assert text_of(refused).startswith("Sorry, only the bot's operators can")
            assert Feeds(engine).followed() == []

            since = fake.mark()
            fake.user_says(admin, f"/follow {site.url('/page')}")
            no_feed = await fake.wait_for_reply(admin, since=since)
            assert text_of(no_feed).startswith(f"Could not follow {site.url('/page')}: ")
            assert "not a feed" in text_of(no_feed) and text_of(no_feed).endswith("Nothing was changed.")

            since = fake.mark()
            fake.user_says(admin, f"/follow {site.url('/feed')} 15")
            followed = await fake.wait_for_reply(admin, since=since)
            assert text_of(followed).startswith("Following Harbour News every 15 min.")
            for _ in range(600):  # the poll the follow started: the item is indexed in the background
                if [f.items for f in Feeds(engine).followed()] == [1]:
                    break
                await asyncio.sleep(0.05)
            assert engine.library.article(site.url("/ferry")) is not None

            since = fake.mark()
            fake.user_says(admin, "/feeds")
            listed = await fake.wait_for_reply(admin, since=since)
            assert f"Harbour News — {site.url('/feed')}" in text_of(listed)
            assert "every 15 min · 1 item seen" in text_of(listed)

            since = fake.mark()
            fake.user_says(admin, f"/unfollow {site.url('/feed')}")
            gone = await fake.wait_for_reply(admin, since=since)
            assert text_of(gone).startswith("No longer following Harbour News. The 1 item it brought stay")
            since = fake.mark()
            fake.user_says(admin, "/help")
            helped = await fake.wait_for_reply(admin, since=since)
            assert "/follow URL [minutes]" in text_of(helped) and "/feeds" in text_of(helped)
        assert Feeds(engine).followed() == [] and engine.library.summary(0).articles == 1
    finally:
        engine.close()


def test_the_commands_follow_watch_once_list_and_unfollow(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_FETCH_ALLOW", "127.0.0.1")
    site.routes["/feed"] = Route(json_feed("Wire", [{"title": "Rail strike", "link": site.url("/rail"),
                                                      "date_iso": "2024-03-01T10:00:00Z"}]), "application/feed+json")
    site.routes["/rail"] = Route(page("Rail strike", "Train drivers will strike on Monday, the union said."))
    data = ["--data", str(tmp_path / "data")]
    assert main(["watch", "--once", *data]) == 0
    assert capsys.readouterr().out == "No feed is followed; follow one with: newsbot follow URL\n"
    assert main(["follow", site.url("/feed"), "--every", "20", *data]) == 0
    assert capsys.readouterr().out.startswith(f"following Wire ({site.url('/feed')}) every 20 min;")
    assert main(["watch", "--once", *data]) == 0
    assert capsys.readouterr().out == f"{site.url('/feed')}: 1 new item(s), 0 already seen\n"
    assert main(["watch", "--once", *data]) == 0  # not due again yet
    assert capsys.readouterr().out == ""
    assert main(["feeds", *data]) == 0
    assert "every 20 min · 1 item seen" in capsys.readouterr().out
    assert main(["unfollow", site.url("/feed"), *data]) == 0
    assert capsys.readouterr().out == "no longer following Wire; the 1 item it brought stay indexed\n"
    assert main(["unfollow", site.url("/feed"), *data]) == 1
    assert "is not followed" in capsys.readouterr().err
    assert main(["sources", *data]) == 0
    assert "Rail strike" in capsys.readouterr().out
