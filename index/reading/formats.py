"""The input formats newsbot reads, in one table (`FORMATS`): each format's file suffixes and the reader of its
documents. What accepts a file asks it: the folder walk (`index.reading.folders`), uploads (`read_document`), the
bot's document handler and /help, and the CLI's help (`SUFFIXES`, `said_suffixes`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.errors import ReadError
from index.model import Article
from index.reading.problems import ReadProblem, _failure

# A reader: (a decoded document, its doc_id, its path or None) -> the articles read and the problems and notes
# of reading them; it raises ValueError when there are none.
Reader = Callable[[str, str, str | None], tuple[list[Article], list[ReadProblem]]]


@dataclass(frozen=True)
class Format:
    """One input format: what a person calls it, the file suffixes that name it (lowercase), and its reader."""

    name: str
    suffixes: tuple[str, ...]
    read: Reader


# The readers live in index.reading.articles and load with it (and YAML) when a document is read, not when the
# list of formats is asked for.


def _text(text: str, doc_id: str, path: str | None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the article of a text document (YAML front matter read) and its notes."""
    from index.reading.articles import _notes, _text_article

    article = _text_article(text, doc_id, path, markdown=False)
    return [article], _notes(doc_id, article)


def _markdown(text: str, doc_id: str, path: str | None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the article of a Markdown document (its markup stripped, YAML front matter read) and its notes."""
    from index.reading.articles import _notes, _text_article

    article = _text_article(text, doc_id, path, markdown=True)
    return [article], _notes(doc_id, article)


def _html(text: str, doc_id: str, path: str | None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the article of an HTML page (its main text and metadata) and its notes."""
    from index.reading.articles import _html_article, _notes

    article = _html_article(text, None, doc_id, path)
    return [article], _notes(doc_id, article)


def _jsonl(text: str, doc_id: str, path: str | None) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles of a JSONL document, one a line, and the problems of its unreadable lines."""
    from index.reading.articles import _jsonl_articles

    articles, problems = _jsonl_articles(text, doc_id, path)
    if not articles and not problems:
        raise ValueError("no articles (empty JSONL file)")
    return articles, problems


FORMATS: tuple[Format, ...] = (
    Format("text", (".txt",), _text),
    Format("Markdown", (".md",), _markdown),
    Format("HTML", (".html", ".htm"), _html),
    Format("JSONL (one article a line)", (".jsonl",), _jsonl),
)
SUFFIXES: tuple[str, ...] = tuple(suffix for f in FORMATS for suffix in f.suffixes)
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}


def said_suffixes(last: str = "or") -> str:
    """Return the suffixes read as a person reads a list: ".txt, .md, .html, .htm or .jsonl" (`last`: or, and)."""
    return f"{', '.join(SUFFIXES[:-1])} {last} {SUFFIXES[-1]}"


def articles_from_bytes(
    data: bytes, suffix: str, doc_id: str, path: str | None
) -> tuple[list[Article], list[ReadProblem]]:
    """Return the articles in a document of the format its (lowercase, known) suffix names and the problems and
    notes of reading it; raise ValueError (and nothing else, whatever the input) when it has none."""
    from index.reading.articles import _decode

    text = _decode(data)
    try:
        return _BY_SUFFIX[suffix].read(text, doc_id, path)
    except ValueError:
        raise
    except Exception as e:  # a parser's failure on hostile input is this document's problem, not the run's
        raise ValueError(f"cannot be read ({_failure(e)})") from e


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
        articles, problems = articles_from_bytes(data, suffix, doc_id, doc_id)
    except ValueError as e:
        raise ReadError(base, str(e)) from e
    if not articles:
        first = problems[0] if problems else ReadProblem(base, "no articles")
        raise ReadError(base, f"no article could be read ({first.name}: {first.reason})")
    return articles
