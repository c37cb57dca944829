"""Ingest: the input formats (`formats`), reading articles from files, folders, uploads and pages (`articles`,
`fields`, `folders`), repairing their text (`repair`), splitting it into sentences (`sentences`) and saying who
says each one (`attribution`). The names used elsewhere are re-exported here, so callers import them from
`index.reading`; each is loaded on first use, so that what needs only the list of formats (the bot's /help and
uploads, the CLI's help) loads neither the readers nor the sentence splitter nor the attribution rules."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.reading.articles import read_html
    from index.reading.attribution import attribute, in_quotations
    from index.reading.folders import FolderReading, absolute_name, display_name, read_articles, read_paths
    from index.reading.formats import FORMATS, SUFFIXES, Format, read_document, said_suffixes
    from index.reading.problems import ReadProblem
    from index.reading.repair import repair_text, strip_markdown
    from index.reading.sentences import MAX_PARAGRAPH_CHARS, MAX_SENTENCE_CHARS, split_sentences

# each re-exported name -> the module it lives in
_HOMES = {
    "FORMATS": "formats",
    "Format": "formats",
    "SUFFIXES": "formats",
    "read_document": "formats",
    "said_suffixes": "formats",
    "FolderReading": "folders",
    "absolute_name": "folders",
    "display_name": "folders",
    "read_articles": "folders",
    "read_paths": "folders",
    "read_html": "articles",
    "ReadProblem": "problems",
    "attribute": "attribution",
    "in_quotations": "attribution",
    "repair_text": "repair",
    "strip_markdown": "repair",
    "MAX_PARAGRAPH_CHARS": "sentences",
    "MAX_SENTENCE_CHARS": "sentences",
    "split_sentences": "sentences",
}

__all__ = [
    "FORMATS",
    "MAX_PARAGRAPH_CHARS",
    "MAX_SENTENCE_CHARS",
    "SUFFIXES",
    "Format",
    "FolderReading",
    "ReadProblem",
    "absolute_name",
    "attribute",
    "display_name",
    "in_quotations",
    "read_articles",
    "read_document",
    "read_html",
    "read_paths",
    "repair_text",
    "said_suffixes",
    "split_sentences",
    "strip_markdown",
]


def __getattr__(name: str) -> Any:
    """Return a re-exported name, importing the module it lives in on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
