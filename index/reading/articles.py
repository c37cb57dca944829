"""Reading an article of each format into an `Article`: text and Markdown with YAML front matter, HTML pages
(files, uploads and pages fetched by `index.fetching`), JSONL files of articles; the metadata repaired, checked and
bounded the same way for all. (Which reader reads which file: `index.reading.formats`.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from index.dates import NotADate, published_timestamp, read_date
from index.errors import ReadError
from index.model import Article, Source, bounded_source
from index.reading.fields import ID_FIELDS, TEXT_FIELDS, _authors, _metadata_value, _Record, _split_front_matter
from index.reading.furniture import without_furniture
from index.reading.problems import ReadProblem, _failure
from index.reading.repair import repair_line, repair_text, strip_markdown

FRONT_MATTER_KEYS = ("title", "outlet", "url", "published", "author")
_MAX_CONTROL_SHARE = 0.05


def _date_problem(value: str, name: str = "published") -> str | None:
    """Return why the published value of field `name` is not a date (one that does not exist, or no date at
    all), or None when it is one (see index.dates.read_date)."""
    try:
        read_date(value)
        return None
    except NotADate as e:
        what = "published" if name == "published" else f"published ({name})"
        if e.missing:
            return f"{what} date {_shown(value)} does not exist; dropped"
        return f"{what} {_shown(value)} is not a date (write it as YYYY-MM-DD); dropped"


def _article(source: Source, text: str, date_field: str = "published", ignored: Sequence[str] = ()) -> Article:
    """Return an article with its metadata repaired as its text is (one line each, no bidirectional controls or
    invisible characters) and within the limits, its date read as a UTC timestamp, noting what had to be clipped
    or dropped (a published date that does not exist or is no date, read from `date_field`, is dropped);
    `ignored` names the fields of its record that were not read. Its text loses its furniture (captions, credits,
    dateline, byline: index.reading.furniture), whose outlet and author fill the metadata it lacks."""
    cleaned = without_furniture(text)  # captions, credits, the dateline and the byline are not the article
    text = cleaned.text
    source = replace(source, outlet=source.outlet or cleaned.outlet, author=source.author or cleaned.author)
    # doc_id and path are identities (a file's name): kept as they are, cleaned only where they are shown
    repaired: dict[str, Any] = {name: repair_line(getattr(source, name) or "") or None for name in FRONT_MATTER_KEYS}
    source = replace(source, **repaired)
    dropped = _date_problem(source.published, date_field) if source.published is not None else None
    if dropped:
        source = replace(source, published=None)
    source = replace(source, published_ts=published_timestamp(source.published))
    bounded, notes = bounded_source(source)
    return Article(
        source=bounded, text=text, notes=tuple(([dropped] if dropped else []) + notes), ignored=tuple(ignored)
    )


def _notes(name: str, article: Article) -> list[ReadProblem]:
    """Return an article's notes as problems that did not skip it."""
    return [ReadProblem(name, f"{note} (the article is indexed)", skipped=False) for note in article.notes]


def _decode(data: bytes) -> str:
    """Return bytes decoded as UTF-8 (or UTF-16 with a BOM); raise ValueError for binary or undecodable."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ValueError("not valid UTF-16 text") from e
    else:
        if b"\x00" in data:
            raise ValueError("binary file (contains NUL bytes), not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ValueError(f"not UTF-8 text (undecodable byte at offset {e.start})") from e
    if "\x00" in text:
        raise ValueError("binary file (contains NUL bytes), not text")
    control = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t\f") or 0x7F <= ord(c) < 0xA0)
    if text and control / len(text) > _MAX_CONTROL_SHARE:
        raise ValueError("binary file (too many control characters), not text")
    return text


def _text_article(text: str, doc_id: str, path: str | None, markdown: bool) -> Article:
    """Return an article from a .txt or .md document; raise ValueError when it cannot be read."""
    meta, body = _split_front_matter(text)
    if markdown:
        body = strip_markdown(body)
    repaired = repair_text(body)
    if not repaired:
        raise ValueError("no text (empty after repair)")
    record = _Record(meta)
    fields, date_field = record.metadata(jsonl=False)
    return _article(Source(doc_id=doc_id, path=path, **fields), repaired, date_field, record.ignored())


def _html_article(html: str | bytes, url: str | None, doc_id: str | None, path: str | None) -> Article:
    """Return the main text and metadata of an HTML page as an article; raise ValueError when it has none."""
    import trafilatura  # lazy: 0.3 s and lxml, needed only for HTML; a question never reads HTML

    try:
        result = trafilatura.extract(
            html, url=url, output_format="json", with_metadata=True, favor_recall=True, include_comments=False
        )
    except Exception as e:  # trafilatura raises assorted parser errors on broken input
        raise ValueError(f"HTML could not be parsed ({type(e).__name__})") from e
    if not result:
        raise ValueError("no article text found in the HTML")
    data = json.loads(result)
    title = _metadata_value(data.get("title"))
    lines = [line.strip() for line in (data.get("text") or "").split("\n")]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline repeated as the first block
    repaired = repair_text("\n\n".join(lines))  # trafilatura puts each block on its own line
    if not repaired:
        raise ValueError("no article text found in the HTML")
    page_url = url or _metadata_value(data.get("source"))
    if doc_id is None:
        doc_id = page_url or "html:" + hashlib.sha256(repaired.encode("utf-8")).hexdigest()[:16]
    date_field, published = "published", _metadata_value(data.get("date"))
    author = _authors((_metadata_value(data.get("author")) or "").split(";"))
    if published is None or author is None:  # the page's own meta tags, when trafilatura found nothing
        meta = _meta_tags(html)
        if published is None:
            date_field = next((k for k in _META_DATES if meta.get(k)), "published")
            published = meta.get(date_field)
        author = author or _authors(next((meta[k] for k in _META_AUTHORS if meta.get(k)), None), byline=True)
    source = Source(
        doc_id=doc_id,
        title=title,
        outlet=_metadata_value(data.get("source-hostname")),
        url=page_url,
        published=published,
        path=path,
        author=author,
    )
    return _article(source, repaired, date_field)


# The meta tags (name, property or itemprop) read for a page's date and author when trafilatura finds none, in order.
_META_DATES = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate", "publish-date",
    "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date",
)
_META_AUTHORS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl")


class _MetaTags(HTMLParser):
    """Collects a page's <meta> tags: name, property or itemprop (lowercased) -> content; the first one wins."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        found = dict(attrs)
        key = found.get("name") or found.get("property") or found.get("itemprop")
        content = found.get("content")
        if key and content and content.strip():
            self.tags.setdefault(key.strip().lower(), content.strip())


def _meta_tags(html: str | bytes) -> dict[str, str]:
    """Return the meta tags of a page's head (name, property or itemprop, lowercased -> content)."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    end = text.lower().find("</head")
    parser = _MetaTags()
    parser.feed(text[: end if end >= 0 else 200_000])
    parser.close()
    return parser.tags


def _jsonl_articles(text: str, name: str, path: str | None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles of a JSONL file (one a line) and the problems of its unreadable lines."""
    articles: list[Article] = []
    problems: list[ReadProblem] = []
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            article = _jsonl_article(line, where, path)
        except ValueError as e:
            problems.append(ReadProblem(where, str(e)))
            continue
        except Exception as e:  # one hostile line (deep nesting, absurd numbers) costs that line only
            problems.append(ReadProblem(where, f"cannot be read ({_failure(e)})"))
            continue
        if article.doc_id in first_line:
            problems.append(
                ReadProblem(
                    where, f"duplicate doc_id {_shown(article.doc_id)} (first at line {first_line[article.doc_id]})"
                )
            )
            continue
        first_line[article.doc_id] = lineno
        articles.append(article)
        problems.extend(_notes(where, article))
    return articles, problems


def _shown(value: str, limit: int = 80) -> str:
    """Return a value quoted for a message, clipped to about `limit` characters."""
    return repr(value) if len(value) <= limit else repr(value[: limit - 1] + "…")


def _jsonl_article(line: str, where: str, path: str | None) -> Article:
    """Return the article of one JSONL line; raise ValueError when it cannot be read."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg})") from e
    except ValueError as e:  # a number with thousands of digits
        raise ValueError(f"not valid JSON ({_failure(e)})") from e
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    fields = _Record(record)
    raw_text = fields.first(TEXT_FIELDS)[1]
    body = repair_text(raw_text) if isinstance(raw_text, str) else ""
    if not body:
        raise ValueError("no non-empty 'text'")
    raw_id = fields.first(ID_FIELDS)[1]
    doc_id = _metadata_value(raw_id) if isinstance(raw_id, str | int) else None
    metadata, date_field = fields.metadata(jsonl=True)
    source = Source(doc_id=doc_id or where, path=path, **metadata)
    return _article(source, body, date_field, fields.ignored())


def read_html(html: str, url: str | None = None, doc_id: str | None = None) -> Article:
    """Return the main text and metadata of an HTML page as an article; raise ReadError when it has none."""
    try:
        return _html_article(html, url, doc_id, None)
    except ValueError as e:
        raise ReadError(url or doc_id or "HTML", str(e)) from e
    except Exception as e:  # a parser's failure on hostile input
        raise ReadError(url or doc_id or "HTML", f"cannot be read ({_failure(e)})") from e
