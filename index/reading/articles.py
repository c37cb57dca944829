"""Reading articles into `Article`s: text and Markdown files with YAML front matter, HTML pages, JSONL files
of articles, uploaded documents and web pages (fetched by `index.fetching`). An unreadable file becomes a
`ReadProblem`, not an exception."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from index.dates import PUBLISHED_FIELDS, NotADate, published_timestamp, read_date
from index.errors import ReadError
from index.model import Article, Source, bounded_source
from index.reading.furniture import without_furniture
from index.reading.repair import repair_line, repair_text, strip_markdown

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
FRONT_MATTER_KEYS = ("title", "outlet", "url", "published", "author")
_MAX_CONTROL_SHARE = 0.05
_MAX_FRONT_MATTER_DEPTH = 64
_BRACKETS = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class ReadProblem:
    """A file or JSONL line that was skipped (`name`) and why (`reason`); with `skipped` False, a note about an
    article that was read but changed on the way (a title clipped, a URL dropped)."""

    name: str
    reason: str
    skipped: bool = True


def _failure(e: Exception) -> str:
    """Return in a few words why a parser failed on hostile input ("nested too deeply")."""
    if isinstance(e, RecursionError):
        return "nested too deeply"
    if isinstance(e, MemoryError):
        return "too large"
    detail = " ".join(str(e).split())
    detail = detail if len(detail) <= 120 else detail[:119] + "…"
    return f"{type(e).__name__}: {detail}" if detail else type(e).__name__


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


def _metadata_value(value: Any) -> str | None:
    """Return a front-matter or JSON value as a string (dates in ISO form), or None when empty."""
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return None
    text = str(value).strip()
    return text or None


def _flow_depth(block: str) -> int:
    """Return how deeply a YAML block nests its [ ] and { } brackets (PyYAML takes seconds, then fails, past a
    few hundred levels)."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(block):
        depth = depth + 1 if m.group(0) in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a timestamp that does not exist (`published: 2015-02-30`) stays the text
    it is, so that reading notes the date instead of failing on the whole front matter."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """Return a YAML timestamp as a date or datetime, or as its text when no such time exists."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return the YAML front matter (a `---` block at the top) as a dict and the text below it."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            if _flow_depth(block) > _MAX_FRONT_MATTER_DEPTH:
                raise ValueError("malformed YAML front matter (nested too deeply)")
            try:
                meta = yaml.load(block, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                where = f" at line {mark.line + 2}" if mark is not None else ""
                raise ValueError(f"malformed YAML front matter{where}") from e
            except Exception as e:  # hostile YAML: deep nesting, absurd dates or numbers
                raise ValueError(f"malformed YAML front matter ({_failure(e)})") from e
            if meta is None:
                meta = {}
            if not isinstance(meta, dict):
                raise ValueError("malformed YAML front matter (not a mapping of keys to values)")
            return meta, "\n".join(lines[i + 1 :])
    raise ValueError("malformed YAML front matter (no closing '---' line)")


# The fields of a JSONL record or of front matter that are read, each as the spellings tried in order: the first
# one present with a value is read, and a later spelling of the same field then counts as ignored. (The date's
# spellings are index.dates.PUBLISHED_FIELDS.)
ID_FIELDS = ("doc_id", "id")
TEXT_FIELDS = ("text", "body", "content")
TITLE_FIELDS = ("title",)
URL_FIELDS = ("url", "link")
OUTLET_FIELDS = ("outlet", "site")  # and `source` when it is an object with a name ({"name": "CNN"}, as NewsAPI's):
# a `source` string is as often where a file came from (the seed's front matter) or a link as an outlet
AUTHOR_FIELDS = ("author", "authors", "byline")
_BY = re.compile(r"\s*by\s+", re.IGNORECASE)
_BYLINE_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


class _Record:
    """A JSONL record's or front matter's fields, and the names of those read."""

    def __init__(self, fields: dict[Any, Any]) -> None:
        self.fields = fields
        self.read: set[str] = set()

    def first(self, names: Sequence[str]) -> tuple[str, Any]:
        """Return (name, value) of the first of these fields present with a value, ("", None) when none is; the
        fields tried count as read."""
        for name in names:
            if name in self.fields:
                self.read.add(name)
                value = self.fields[name]
                if not (value is None or value in ("", [], {}) or (isinstance(value, str) and not value.strip())):
                    return name, value
        return "", None

    def value(self, names: Sequence[str]) -> str | None:
        """Return the first of these fields present with a value as a string (see _metadata_value), or None."""
        return _metadata_value(self.first(names)[1])

    def _outlet_object(self) -> str | None:
        """Return the name of a `source` object ({"name": "CNN"}), or None (a `source` string is not read)."""
        source = self.fields.get("source")
        if isinstance(source, dict) and _named(source):
            self.read.add("source")
            return _named(source)
        return None

    def ignored(self) -> tuple[str, ...]:
        """Return the names of the fields not read, sorted."""
        return tuple(sorted(str(k) for k in self.fields if k not in self.read))

    def metadata(self, jsonl: bool) -> tuple[dict[str, Any], str]:
        """Return the Source fields every record has (title, outlet, url, published, author) and the name of the
        field the date was read from; a JSONL title is repaired as text (a front matter one as a value)."""
        date_field, published = self.first(PUBLISHED_FIELDS)
        title = self.first(TITLE_FIELDS)[1]
        author_field, author = self.first(AUTHOR_FIELDS)
        return {
            "title": (repair_text(title) or None if isinstance(title, str) else None) if jsonl
            else _metadata_value(title),
            "outlet": _named(self.first(OUTLET_FIELDS)[1]) or self._outlet_object(),
            "url": self.value(URL_FIELDS),
            "published": _metadata_value(published),
            "author": _authors(author, byline=author_field == "byline"),
        }, date_field or "published"


def _named(value: Any) -> str | None:
    """Return a value that names someone or something as a string: a string, or an object's `name` ({"name":
    "CNN"}), or None."""
    if isinstance(value, dict):
        value = value.get("name")
    return _metadata_value(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _authors(value: Any, byline: bool = False) -> str | None:
    """Return who wrote an article as one line ("Jane Doe, John Roe") from a string, an object with a `name`, or a
    list of either; a leading "By" is dropped, and a byline ("By Jane Doe and John Roe") is split at "and"."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _named(item)
        if not name:
            continue
        name = _BY.sub("", name, count=1) if _BY.match(name) else name
        names.extend(_BYLINE_AND.split(name) if byline else [name])
    names = [n.strip(" ,") for n in names if n.strip(" ,")]
    return ", ".join(dict.fromkeys(names)) or None


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


def _articles_from_text(
    text: str, suffix: str, doc_id: str, path: str | None
) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in a decoded document of a known format and the problems and notes of reading it; raise
    ValueError (and nothing else, whatever the input) when it has none."""
    try:
        if suffix in JSONL_SUFFIXES:
            articles, problems = _jsonl_articles(text, doc_id, path)
            if not articles and not problems:
                raise ValueError("no articles (empty JSONL file)")
            return articles, problems
        if suffix in HTML_SUFFIXES:
            article = _html_article(text, None, doc_id, path)
        else:
            article = _text_article(text, doc_id, path, markdown=suffix == ".md")
    except ValueError:
        raise
    except Exception as e:  # a parser's failure on hostile input is this document's problem, not the run's
        raise ValueError(f"cannot be read ({_failure(e)})") from e
    return [article], _notes(doc_id, article)


def display_name(name: str | os.PathLike[str]) -> str:
    """Return a file name as valid Unicode: bytes that are not UTF-8 (kept by Python as surrogates) become
    backslash escapes ("caf\\xe9.txt"), stable from run to run and safe to store and print."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _relative_name(path: Path, root: Path) -> str:
    """Return the path relative to root as a posix string (the absolute path when it lies outside root)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel.startswith(".."):
        return display_name(Path(os.path.abspath(path)).as_posix())
    return display_name(Path(rel).as_posix())


def _os_reason(e: OSError) -> str:
    """Return why a file or folder cannot be read, in a few words."""
    if isinstance(e, PermissionError):
        return "cannot be read (permission denied)"
    return f"cannot be read ({e.strerror or e})"


def _within(real: str, root: str) -> bool:
    """Return whether a resolved path is the resolved folder `root` or lies inside it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


@dataclass
class _Walk:
    """What walking one folder found: its files, the folders skipped with why, and the links left unread because
    they lead outside it."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    outside: list[Path] = field(default_factory=list)


def _walk(folder: Path, follow_links: bool = False) -> _Walk:
    """Return the files under a folder sorted by their relative path, without hidden files and folders; the folders
    skipped with why (unreadable, or already read by their real path: a symlink loop or a second link); and the
    symlinks whose target lies outside the folder (resolved), which are not read unless `follow_links`. Links
    inside it are followed; real folders are walked before linked ones and a file reached twice is read once, by
    its own path rather than a link's."""
    out = _Walk()
    root = os.path.realpath(folder)
    visited: dict[str, Path] = {}
    stack = [folder]  # real folders, walked first
    linked: list[Path] = []  # folders reached through a link, walked once every real one is
    found: list[tuple[bool, Path]] = []  # (whether the file is a link, its path), in the order walked
    while stack or linked:
        current = stack.pop() if stack else linked.pop(0)
        real = os.path.realpath(current)
        if real in visited:
            first = display_name(visited[real].as_posix())
            out.skipped.append((current, f"the same folder as {first} (a symlink loop or a second link); read once"))
            continue
        visited[real] = current
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as e:
            out.skipped.append((current, _os_reason(e) + "; what was indexed from it is kept"))
            continue
        subfolders: list[Path] = []
        for entry in listed:
            if entry.name.startswith("."):
                continue
            path = current / entry.name
            link = entry.is_symlink()
            if link and not follow_links:
                target = os.path.realpath(path)
                if os.path.exists(target) and not _within(target, root):
                    out.outside.append(path)
                    continue
            try:
                is_dir = entry.is_dir()  # follows a symlink
            except OSError:
                is_dir = False
            if is_dir:
                (linked if link else subfolders).append(path)
            else:
                found.append((link, path))
        stack.extend(reversed(subfolders))
    by_real: dict[str, Path] = {}
    for _link, path in sorted(found, key=lambda f: f[0]):  # a file's own path before a link's
        by_real.setdefault(os.path.realpath(path), path)
    out.files = sorted(by_real.values(), key=lambda p: p.relative_to(folder).parts)
    out.outside.sort(key=lambda p: p.relative_to(folder).parts)
    return out


def _read_bytes(path: Path) -> bytes:
    """Return a regular file's bytes; raise OSError for anything else (a FIFO, socket or device is never opened
    for a blocking read) or when it cannot be read."""
    _check_regular(os.stat(path).st_mode)  # a device is not even opened
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        _check_regular(os.fstat(f.fileno()).st_mode)  # what was opened, should it have been swapped meanwhile
        return f.read()


def _check_regular(mode: int) -> None:
    """Raise _NotRegular unless the mode is a regular file's."""
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"
        )
        raise _NotRegular(f"not a regular file ({kind}), skipped")


class _NotRegular(OSError):
    """A path that is not a regular file."""


def _read_file(path: Path, name: str) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles of one file and the problems met reading it."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return [], [
            ReadProblem(
                name, f"unknown file type {display_name(path.suffix) or '(none)'!r}; expected {', '.join(SUFFIXES)}"
            )
        ]
    try:
        data = _read_bytes(path)
    except _NotRegular as e:
        return [], [ReadProblem(name, str(e))]
    except OSError as e:
        return [], [ReadProblem(name, _os_reason(e))]
    try:
        return _articles_from_text(_decode(data), suffix, name, name)
    except ValueError as e:
        return [], [ReadProblem(name, str(e))]


@dataclass
class FolderReading:
    """What reading files and folders found: the articles, the problems, the file each article came from, and
    the files and folders that could not be read (what was indexed from them must be kept)."""

    articles: list[Article] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # doc_id -> absolute path of its file (display form)
    unreadable: list[str] = field(default_factory=list)  # absolute paths (display form)
    # folder given (display form, with a slash) -> the links in it left unread because they lead outside it
    links_outside: dict[str, list[str]] = field(default_factory=dict)
    # a field of JSONL records or front matter that newsbot does not read -> how many articles read had it
    ignored: Counter[str] = field(default_factory=Counter)


def absolute_name(path: Path) -> str:
    """Return a path's absolute, normalised posix form as valid Unicode (how the indexer records files)."""
    return display_name(Path(os.path.abspath(path)).as_posix())


def read_paths(
    paths: Sequence[Path], root: Path | None = None, home: Path | None = None, follow_links: bool = False
) -> FolderReading:
    """Return everything read from the given files and folders (recursively). Inside a folder given, a symlink is
    followed when its target lies inside that folder too, else left unread and listed in `links_outside` (with
    `follow_links`, every link is followed); a file given is read wherever it leads. Names are relative to
    `root`; without it, to `home` for paths inside home, else to the folder given (a file's folder)."""
    out = FolderReading()
    seen: dict[str, str] = {}
    for given in paths:
        given = Path(given)
        if root is None and home is not None and absolute_name(given).startswith(absolute_name(home) + "/"):
            root_here: Path | None = home
        else:
            root_here = root
        if given.is_dir():
            base = root_here if root_here is not None else given
            walk = _walk(given, follow_links)
            files = walk.files
            for folder, reason in walk.skipped:
                out.problems.append(ReadProblem(_relative_name(folder, base) + "/", reason))
                out.unreadable.append(absolute_name(folder))
            if walk.outside:
                out.links_outside[display_name(given.as_posix()).rstrip("/") + "/"] = [
                    _relative_name(link, base) for link in walk.outside
                ]
        elif given.exists() or given.is_symlink():
            base = root_here if root_here is not None else given.parent
            files = [given]
        else:
            out.problems.append(ReadProblem(display_name(given.as_posix()), "no such file or folder"))
            continue
        for path in files:
            name = _relative_name(path, base)
            found, trouble = _read_file(path, name)
            out.problems.extend(trouble)
            if trouble:
                out.unreadable.append(absolute_name(path))
            for article in found:
                if article.doc_id in seen:
                    out.problems.append(
                        ReadProblem(
                            name,
                            f"duplicate doc_id {article.doc_id!r} (already read from {seen[article.doc_id]})",
                        )
                    )
                    continue
                seen[article.doc_id] = name
                out.articles.append(article)
                out.ignored.update(article.ignored)
                out.files[article.doc_id] = absolute_name(path)
    return out


def read_articles(paths: Sequence[Path], root: Path | None = None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in the given files and folders (recursively) and the problems of skipped ones."""
    reading = read_paths(paths, root)
    return reading.articles, reading.problems


def read_document(name: str, data: bytes) -> list[Article]:
    """Return the articles of an uploaded document; raise ReadError when none can be read."""
    base = Path(name.replace("\\", "/")).name or "upload"
    suffix = Path(base).suffix.lower()
    doc_id = f"uploads/{base}"
    if suffix not in SUFFIXES:
        raise ReadError(
            base, f"unknown file type {Path(base).suffix or '(none)'!r}; send {', '.join(SUFFIXES)}"
        )
    try:
        articles, problems = _articles_from_text(_decode(data), suffix, doc_id, doc_id)
    except ValueError as e:
        raise ReadError(base, str(e)) from e
    if not articles:
        first = problems[0] if problems else ReadProblem(base, "no articles")
        raise ReadError(base, f"no article could be read ({first.name}: {first.reason})")
    return articles


def read_html(html: str, url: str | None = None, doc_id: str | None = None) -> Article:
    """Return the main text and metadata of an HTML page as an article; raise ReadError when it has none."""
    try:
        return _html_article(html, url, doc_id, None)
    except ValueError as e:
        raise ReadError(url or doc_id or "HTML", str(e)) from e
    except Exception as e:  # a parser's failure on hostile input
        raise ReadError(url or doc_id or "HTML", f"cannot be read ({_failure(e)})") from e

