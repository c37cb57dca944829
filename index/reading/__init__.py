"""Ingest: reading articles from files, uploads and pages (`articles`), repairing their text (`repair`), splitting
it into sentences (`sentences`) and saying who says each one (`attribution`). The names used elsewhere are
re-exported here, so callers import them from `index.reading`."""

from index.reading.articles import (
    SUFFIXES,
    FolderReading,
    ReadProblem,
    absolute_name,
    display_name,
    read_articles,
    read_document,
    read_html,
    read_paths,
)
from index.reading.attribution import attribute, in_quotations
from index.reading.repair import repair_text, strip_markdown
from index.reading.sentences import MAX_PARAGRAPH_CHARS, MAX_SENTENCE_CHARS, split_sentences

__all__ = [
    "MAX_PARAGRAPH_CHARS",
    "MAX_SENTENCE_CHARS",
    "SUFFIXES",
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
    "split_sentences",
    "strip_markdown",
]
