"""Reading articles into `Article`s: text and Markdown files with YAML front matter, HTML pages, JSONL files
of articles, uploaded documents and web pages (fetched by `index.fetching`). An unreadable file becomes a
`ReadProblem`, not an exception."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
import yaml

from index.errors import ReadError
from index.model import Article, Source
from index.repair import repair_text, strip_markdown

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
FRONT_MATTER_KEYS = ("title", "outlet", "url", "published", "author")
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class ReadProblem:
    """A file or JSONL line that was skipped (`name`) and why (`reason`)."""

    name: str
    reason: str


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


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return the YAML front matter (a `---` block at the top) as a dict and the text below it."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            block = "\n".join(lines[1:i])
            try:
                meta = yaml.safe_load(block)
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                where = f" at line {mark.line + 2}" if mark is not None else ""
                raise ValueError(f"malformed YAML front matter{where}") from e
            if meta is None:
                meta = {}
            if not isinstance(meta, dict):
                raise ValueError("malformed YAML front matter (not a mapping of keys to values)")
            return meta, "\n".join(lines[i + 1 :])
    raise ValueError("malformed YAML front matter (no closing '---' line)")


def _text_article(text: str, doc_id: str, path: str | None, markdown: bool) -> Article:
    """Return an article from a .txt or .md document; raise ValueError when it cannot be read."""
    meta, body = _split_front_matter(text)
    if markdown:
        body = strip_markdown(body)
    repaired = repair_text(body)
    if not repaired:
        raise ValueError("no text (empty after repair)")
    fields = {k: _metadata_value(meta.get(k)) for k in FRONT_MATTER_KEYS}
    return Article(source=Source(doc_id=doc_id, path=path, **fields), text=repaired)


def _html_article(html: str | bytes, url: str | None, doc_id: str | None, path: str | None) -> Article:
    """Return the main text and metadata of an HTML page as an article; raise ValueError when it has none."""
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
    source = Source(
        doc_id=doc_id,
        title=title,
        outlet=_metadata_value(data.get("source-hostname")),
        url=page_url,
        published=_metadata_value(data.get("date")),
        path=path,
        author=_metadata_value(data.get("author")),
    )
    return Article(source=source, text=repaired)


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
            record = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(ReadProblem(where, f"not valid JSON ({e.msg})"))
            continue
        if not isinstance(record, dict):
            problems.append(ReadProblem(where, "not a JSON object"))
            continue
        raw_text = record.get("text")
        body = repair_text(raw_text) if isinstance(raw_text, str) else ""
        if not body:
            problems.append(ReadProblem(where, "no non-empty 'text'"))
            continue
        raw_id = record.get("doc_id", record.get("id"))
        doc_id = _metadata_value(raw_id) if isinstance(raw_id, str | int) else None
        doc_id = doc_id or where
        if doc_id in first_line:
            problems.append(
                ReadProblem(where, f"duplicate doc_id {doc_id!r} (first at line {first_line[doc_id]})")
            )
            continue
        first_line[doc_id] = lineno
        title = record.get("title")
        source = Source(
            doc_id=doc_id,
            title=repair_text(title) or None if isinstance(title, str) else None,
            outlet=_metadata_value(record.get("outlet")),
            url=_metadata_value(record.get("url")),
            published=_metadata_value(record.get("published")),
            path=path,
            author=_metadata_value(record.get("author")),
        )
        articles.append(Article(source=source, text=body))
    return articles, problems


def _articles_from_text(
    text: str, suffix: str, doc_id: str, path: str | None
) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in a decoded document of a known format; raise ValueError when it has none."""
    if suffix in JSONL_SUFFIXES:
        articles, problems = _jsonl_articles(text, doc_id, path)
        if not articles and not problems:
            raise ValueError("no articles (empty JSONL file)")
        return articles, problems
    if suffix in HTML_SUFFIXES:
        return [_html_article(text, None, doc_id, path)], []
    return [_text_article(text, doc_id, path, markdown=suffix == ".md")], []


def _relative_name(path: Path, root: Path) -> str:
    """Return the path relative to root as a posix string (the absolute path when it lies outside root)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel.startswith(".."):
        return Path(os.path.abspath(path)).as_posix()
    return Path(rel).as_posix()


def _walk(folder: Path) -> list[Path]:
    """Return the files under a folder sorted by their relative path, without hidden files and folders."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(current) / name for name in files if not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _read_file(path: Path, name: str) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles of one file and the problems met reading it."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return [], [
            ReadProblem(
                name, f"unknown file type {path.suffix or '(none)'!r}; expected {', '.join(SUFFIXES)}"
            )
        ]
    try:
        data = path.read_bytes()
    except PermissionError:
        return [], [ReadProblem(name, "cannot be read (permission denied)")]
    except OSError as e:
        return [], [ReadProblem(name, f"cannot be read ({e.strerror or e})")]
    try:
        return _articles_from_text(_decode(data), suffix, name, name)
    except ValueError as e:
        return [], [ReadProblem(name, str(e))]


def read_articles(paths: Sequence[Path], root: Path | None = None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in the given files and folders (recursively) and the problems of skipped ones."""
    articles: list[Article] = []
    problems: list[ReadProblem] = []
    seen: dict[str, str] = {}
    for given in paths:
        given = Path(given)
        if given.is_dir():
            base = root if root is not None else given
            files = _walk(given)
        elif given.exists() or given.is_symlink():
            base = root if root is not None else given.parent
            files = [given]
        else:
            problems.append(ReadProblem(given.as_posix(), "no such file or folder"))
            continue
        for path in files:
            name = _relative_name(path, base)
            found, trouble = _read_file(path, name)
            problems.extend(trouble)
            for article in found:
                if article.doc_id in seen:
                    problems.append(
                        ReadProblem(
                            name,
                            f"duplicate doc_id {article.doc_id!r} (already read from {seen[article.doc_id]})",
                        )
                    )
                    continue
                seen[article.doc_id] = name
                articles.append(article)
    return articles, problems


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

