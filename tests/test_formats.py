"""The input formats have one home, the table in index.reading.formats: the folder walk (`newsbot index`), uploads,
the bot's document handler and /help, and the CLI's help take them from it, and no other module lists them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import bot.uploads
from bot.cards import render_help
from bot.cli import build_parser
from bot.commands import help_lines
from bot.messages import html_to_text
from index.errors import ReadError
from index.reading import FORMATS, SUFFIXES, read_document, read_paths, said_suffixes

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "index" / "reading" / "formats.py"
TEXT = "The harbour council voted on Tuesday to dredge the channel, its chairman said after the meeting."
# one small document of every suffix the table reads (a format added to the table needs one here)
SAMPLES = {
    ".txt": f"---\ntitle: Harbour\n---\n{TEXT}\n".encode(),
    ".md": f"# Harbour\n\n**{TEXT}**\n".encode(),
    ".html": f"<html><head><title>Harbour</title></head><body><article><p>{TEXT}</p></article></body></html>".encode(),
    ".htm": f"<html><body><article><h1>Harbour</h1><p>{TEXT}</p></article></body></html>".encode(),
    ".jsonl": f'{{"doc_id": "harbour-jsonl", "title": "Harbour", "text": "{TEXT}"}}\n'.encode(),
}
SUFFIX_WORD = re.compile(r"(?<![\w.])\.(?:" + "|".join(s.lstrip(".") for s in SUFFIXES) + r")\b", re.IGNORECASE)


def test_the_table_names_each_suffix_once() -> None:
    assert set(SAMPLES) == set(SUFFIXES) and len(SUFFIXES) == len(set(SUFFIXES))
    assert all(s == s.lower() and s.startswith(".") for s in SUFFIXES)
    assert [f.name for f in FORMATS] == ["text", "Markdown", "HTML", "JSONL (one article a line)"]
    assert said_suffixes() == ".txt, .md, .html, .htm or .jsonl"


def test_the_walk_and_uploads_read_every_format_of_the_table_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for suffix, data in SAMPLES.items():
        (folder / f"harbour{suffix.upper() if suffix == '.md' else suffix}").write_bytes(data)  # any case
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4")
    reading = read_paths([folder])
    assert len(reading.articles) == len(SAMPLES) and all(TEXT in a.text for a in reading.articles)
    [refused] = reading.problems
    assert refused.name == "slides.pdf" and refused.reason.endswith("expected " + ", ".join(SUFFIXES))
    for suffix, data in SAMPLES.items():
        [article] = read_document(f"harbour{suffix}", data)
        assert TEXT in article.text, suffix
    with pytest.raises(ReadError, match=re.escape("send " + ", ".join(SUFFIXES))):
        read_document("slides.pdf", b"%PDF-1.4")


def test_the_bot_and_the_cli_say_the_tables_formats() -> None:
    _, operators = help_lines(admin=True)
    assert f"send a {said_suffixes()} file to add articles" in html_to_text(render_help("newsbot", [], operators))
    assert bot.uploads.SUFFIXES is SUFFIXES  # the document handler accepts what the table reads
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    [paths] = [a for a in sub.choices["index"]._actions if a.dest == "paths"]
    assert f"({' '.join(SUFFIXES)})" in str(paths.help)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{suffix}`" in readme for suffix in SUFFIXES)  # the operator's list of formats


def _listings(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """Return (line, suffixes) of every string or tuple, list or set of strings that names two or more of the
    table's suffixes, docstrings left out."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    found: list[tuple[int, set[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            named = {m.lower() for m in SUFFIX_WORD.findall(node.value)}
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            named = {
                m.lower() for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                for m in SUFFIX_WORD.findall(e.value)
            }
        else:
            continue
        if len(named) >= 2:
            found.append((getattr(node, "lineno", 0), named))
    return found


def test_no_other_module_lists_the_formats() -> None:
    others = {
        f"{path.relative_to(ROOT)}:{line}": sorted(named)
        for package in ("bot", "index")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != HOME
        for line, named in _listings(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert others == {}, "list the formats only in index/reading/formats.py (FORMATS, SUFFIXES, said_suffixes)"
    assert _listings(ast.parse(HOME.read_text(encoding="utf-8")))  # the check does see a listing


def test_the_list_of_formats_loads_no_reader() -> None:
    code = (
        "import sys; from index.reading import SUFFIXES, said_suffixes; said_suffixes(); "
        "print(sorted(m for m in ('yaml', 'pysbd', 'index.reading.articles', 'index.reading.sentences', "
        "'index.reading.attribution') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # the bot's /help and the CLI's help cost no YAML, sentence splitter or rules
