"""The metadata an article's own record gives: YAML front matter at the top of a text or Markdown file and the
fields of a JSONL record, each field with the spellings tried in order (`_Record`), the values made one line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import yaml

from index.dates import PUBLISHED_FIELDS
from index.reading.problems import _failure
from index.reading.repair import repair_text

_MAX_FRONT_MATTER_DEPTH = 64
_BRACKETS = re.compile(r"[\[\]{}]")


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
