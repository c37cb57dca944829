"""Dates and authors as real exports write them (issue 22): every spelling of the date field and every date format
read into a UTC timestamp beside the text as written, authors from lists, objects and bylines, HTML meta tags,
the migration that fills the timestamp of an older store, the ignored-fields line of `newsbot index`, the card's
"CNN · 21 Jun 2022", and articles listed newest first by their timestamp."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder, store_at_schema
from telegram_html import parse_html

import index.encoder
from bot.cards import render_card, render_welcome
from bot.cli import main
from bot.render import hit_text
from index.dates import PUBLISHED_FIELDS
from index.engine import Engine
from index.model import Attribution, Hit, Source
from index.reading import read_articles, read_html
from index.settings import Settings
from index.store import Store

JUNE_21 = datetime(2022, 6, 21, 14, 3, tzinfo=UTC).timestamp()  # Tue, 21 Jun 2022 14:03:00 GMT


def _jsonl(folder: Path, *records: dict[str, object], name: str = "news.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _one(folder: Path, record: dict[str, object]) -> Source:
    _jsonl(folder, {"doc_id": "a", "text": "The harbour reopened on Tuesday.", **record})
    (article,), problems = read_articles([folder])
    assert problems == []
    return article.source


@pytest.mark.parametrize("name", PUBLISHED_FIELDS)
def test_every_spelling_of_the_date_field_is_read(tmp_path: Path, name: str) -> None:
    source = _one(tmp_path, {name: "2022-06-21T14:03:00Z"})
    assert (source.published, source.published_ts) == ("2022-06-21T14:03:00Z", JUNE_21)


def test_the_first_spelling_present_wins(tmp_path: Path) -> None:
    source = _one(tmp_path, {"published": "", "publish_date": "2022-06-21T14:03:00Z", "date": "2001-01-01"})
    assert source.published == "2022-06-21T14:03:00Z"


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2022-06-21", datetime(2022, 6, 21, tzinfo=UTC)),  # ISO date: midnight UTC
        ("2022-06-21T14:03:00", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # no zone: taken as UTC
        ("2022-06-21T10:03:00-04:00", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # an offset, to UTC
        ("2022-06-21T14:03:00.000+0000", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),
        ("Tue, 21 Jun 2022 14:03:00 GMT", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # RFC 2822
        ("Tue, 21 Jun 2022 16:03:00 +0200", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),
        ("March 2, 2015", datetime(2015, 3, 2, tzinfo=UTC)),
        ("2 March 2015", datetime(2015, 3, 2, tzinfo=UTC)),
        (1655820180, datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # epoch seconds, a number
        ("1655820180", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # or a numeric string
        (1655820180000, datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),  # epoch milliseconds
        ("1655820180000", datetime(2022, 6, 21, 14, 3, tzinfo=UTC)),
    ],
)
def test_every_date_format_becomes_a_utc_timestamp(tmp_path: Path, value: object, moment: datetime) -> None:
    source = _one(tmp_path, {"publish_date": value})
    assert source.published == str(value)  # the text as written is kept
    assert source.published_ts == moment.timestamp()


@pytest.mark.parametrize(
    ("record", "author"),
    [
        ({"author": "Jane Doe"}, "Jane Doe"),
        ({"authors": ["Jane Doe", "John Roe"]}, "Jane Doe, John Roe"),
        ({"authors": [{"name": "Jane Doe", "url": "x"}, {"name": "John Roe"}]}, "Jane Doe, John Roe"),
        ({"authors": "Jane Doe"}, "Jane Doe"),
        ({"byline": "By Jane Doe and John Roe"}, "Jane Doe, John Roe"),
        ({"author": {"name": "Jane Doe"}}, "Jane Doe"),
    ],
)
def test_authors_from_strings_lists_objects_and_bylines(
    tmp_path: Path, record: dict[str, object], author: str
) -> None:
    assert _one(tmp_path, record).author == author


def test_front_matter_reads_the_same_spellings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: Harbour\npublish_date: 2022-06-21T10:03:00-04:00\nauthors:\n  - Jane Doe\n  - name: John Roe\n"
        "site: CNN\ntags: [port]\n---\nThe harbour reopened on Tuesday.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text("---\ndate: 2015-03-02\nbyline: By Ann Lee\n---\nThe quay was lit.\n")
    reading = read_articles([tmp_path])
    (a, b), problems = reading
    assert problems == []
    assert (a.source.outlet, a.source.author, a.source.published_ts) == ("CNN", "Jane Doe, John Roe", JUNE_21)
    assert (b.source.published, b.source.author) == ("2015-03-02", "Ann Lee")
    assert b.source.published_ts == datetime(2015, 3, 2, tzinfo=UTC).timestamp()


def test_an_unreadable_date_in_any_spelling_is_a_note_naming_the_line(tmp_path: Path) -> None:
    _jsonl(
        tmp_path,
        {"doc_id": "a", "text": "The harbour reopened.", "pubDate": "last Tuesday"},
        {"doc_id": "b", "text": "The ferry sailed.", "date": "2015-02-30"},
        {"doc_id": "c", "text": "The port closed.", "timestamp": 10**30},
    )
    articles, problems = read_articles([tmp_path])
    assert [(a.doc_id, a.source.published, a.source.published_ts) for a in articles] == [
        ("a", None, None), ("b", None, None), ("c", None, None)
    ]
    assert [(p.name, p.reason, p.skipped) for p in problems] == [
        ("news.jsonl:1", "published (pubDate) 'last Tuesday' is not a date (write it as YYYY-MM-DD); dropped "
         "(the article is indexed)", False),
        ("news.jsonl:2", "published (date) date '2015-02-30' does not exist; dropped (the article is indexed)",
         False),
        ("news.jsonl:3", f"published (timestamp) '{10**30}' is not a date (write it as YYYY-MM-DD); dropped "
         "(the article is indexed)", False),
    ]


PAGE = """<html><head><title>Harbour reopens</title>{meta}</head><body><article><h1>Harbour reopens</h1>
<p>The harbour reopened on Tuesday after three weeks of repairs, the port authority said in a statement.</p>
<p>Ferries to the islands will resume on Thursday, officials said, and the quay will be lit at night.</p>
</article></body></html>"""


def test_an_html_page_gives_its_meta_tags_when_trafilatura_finds_no_date_or_author() -> None:
    # trafilatura keeps to dates from 1995 on and reads no "byl" tag: the page's own meta tags give them
    meta = ('<meta name="pubdate" content="Tue, 21 Jun 1994 14:03:00 GMT">'
            '<meta name="byl" content="By Jane Doe and John Roe">')
    source = read_html(PAGE.format(meta=meta)).source
    assert (source.published, source.author) == ("Tue, 21 Jun 1994 14:03:00 GMT", "Jane Doe, John Roe")
    assert source.published_ts == datetime(1994, 6, 21, 14, 3, tzinfo=UTC).timestamp()
    # what trafilatura does find is kept
    meta = ('<meta property="article:published_time" content="2022-06-21T14:03:00-04:00">'
            '<meta name="author" content="Jane Doe">')
    source = read_html(PAGE.format(meta=meta)).source
    assert (source.published, source.author) == ("2022-06-21", "Jane Doe")
    assert source.published_ts == datetime(2022, 6, 21, tzinfo=UTC).timestamp()


def _store_at_schema_6(path: Path) -> None:
    """Write a store as the newsbot before migration 7 made it: articles with their published text only."""
    db = store_at_schema(path, 6)
    for doc_id, published in [("rfc", "Tue, 21 Jun 2022 14:03:00 GMT"), ("iso", "2023-03-02"),
                              ("none", None), ("junk", "last Tuesday"), ("old", "2015-02-20")]:
        db.execute("INSERT INTO articles (doc_id, published, text, content_hash, indexed_at) VALUES (?, ?, 'x', 'h',"
                   " '2024-01-01T00:00:00+00:00')", (doc_id, published))
    db.commit()
    db.close()


def test_migration_7_fills_the_timestamp_of_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    _store_at_schema_6(path)
    store = Store(path)
    assert store.schema_version >= 7
    found = {r.source.doc_id: r.source for r in store.sources()}
    assert {d: s.published_ts for d, s in found.items()} == {
        "rfc": JUNE_21, "iso": datetime(2023, 3, 2, tzinfo=UTC).timestamp(), "none": None, "junk": None,
        "old": datetime(2015, 2, 20, tzinfo=UTC).timestamp(),
    }
    assert found["rfc"].published == "Tue, 21 Jun 2022 14:03:00 GMT"  # the text as written is kept
    # newest first by the timestamp (by the text, "Tue, ..." came first); undated ones last
    assert [r.source.doc_id for r in store.sources()] == ["iso", "rfc", "old", "junk", "none"]
    assert store.newest() == found["iso"]
    with store.transaction() as db:  # a new article gets its timestamp as it is written
        store.insert_article(db, _article("new", "1700000000000"), [], [], np.zeros((0, 4), dtype=np.float32))
    assert store.newest() is not None and store.newest().doc_id == "new"  # type: ignore[union-attr]
    store.close()


def _article(doc_id: str, published: str):  # -> Article
    from index.model import Article

    return Article(Source(doc_id, published=published), "x")


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())


def test_index_names_the_ignored_fields_once(
    tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    _jsonl(
        corpus,
        {"id": "a", "text": "The harbour reopened.", "summary": "x", "tags": ["port"], "date": "2022-06-21"},
        {"id": "b", "text": "The ferry sailed.", "summary": "y", "published": "2022-06-20", "date": "2022-06-20"},
        {"id": "c", "text": "The quay was lit.", "summary": "z", "keywords": "quay", "authors": ["Ann Lee"]},
    )
    (corpus / "d.md").write_text("---\ntitle: Port\nsummary: w\n---\nThe port closed.\n", encoding="utf-8")
    assert main(["index", str(corpus), "--data", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    # `date` lost to `published` in b: a second spelling of the date is reported, not silently dropped
    assert out.count("ignored fields") == 1
    assert "ignored fields: summary (4 articles), date (1 article), keywords (1 article), tags (1 article)\n" in out


def test_index_of_articles_that_use_only_read_fields_says_nothing_of_fields(
    tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    _jsonl(corpus, {"doc_id": "a", "title": "T", "body": "The harbour reopened.", "link": "https://x.example/a",
                    "source": {"id": "cnn", "name": "CNN"}, "datePublished": "2022-06-21", "byline": "By A"})
    assert main(["index", str(corpus), "--data", str(tmp_path / "data")]) == 0
    assert "ignored fields" not in capsys.readouterr().out


def test_the_card_shows_outlet_and_date() -> None:
    source = Source("a", title="Harbour reopens", outlet="CNN", published="Tue, 21 Jun 2022 14:03:00 GMT",
                    published_ts=JUNE_21)
    hit = Hit(1, "The harbour reopened.", 1.0, Attribution(), source)
    card = parse_html(render_card(hit, "harbour"))[0]
    assert card.splitlines()[-1] == "📰 Harbour reopens · CNN · 21 Jun 2022"
    assert "Source: Harbour reopens · CNN · 21 Jun 2022" in hit_text(hit, 1)
    # the day as the article wrote it (late on 21 June in New York is 22 June in UTC); a month stays a month
    evening = Source("b", outlet="CNN", published="2022-06-21T23:30:00-04:00")
    assert "b · CNN · 21 Jun 2022" in hit_text(Hit(2, "x", 1.0, Attribution(), evening), 1)
    month = Source("c", outlet="CNN", published="2015-03")
    assert "Newest: c · CNN · Mar 2015" in parse_html(render_welcome(1, 1, month, []))[0]


def test_sources_and_start_list_the_newest_by_timestamp(
    tmp_path: Path, fake_model: None, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    _jsonl(
        corpus,
        {"id": "tue", "text": "The harbour reopened.", "published": "Tue, 21 Jun 2022 14:03:00 GMT"},
        {"id": "march", "text": "The ferry sailed.", "publish_date": "March 2, 2023"},
        {"id": "undated", "text": "The quay was lit."},
        {"id": "epoch", "text": "The port closed.", "timestamp": 1424390400},  # 20 Feb 2015
    )
    data = tmp_path / "data"
    assert main(["index", str(corpus), "--data", str(data)]) == 0
    capsys.readouterr()
    assert main(["sources", "--json", "--data", str(data)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["doc_id"] for r in rows] == ["march", "tue", "epoch", "undated"]
    with Engine.open(Settings(data_dir=data, progress=False), encoder=FakeEncoder()) as engine:
        newest = engine.library.summary().newest
    assert newest is not None and newest.doc_id == "march"
