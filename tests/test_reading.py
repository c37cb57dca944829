"""Tests for index.reading.articles: every format and problem, folders, uploads, HTML pages (URLs: test_fetching.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SHARED

from index.errors import ReadError
from index.reading import ReadProblem, read_articles, read_document, read_html, repair_text

ROOT = Path(__file__).resolve().parents[1]
SEED_RAW = SHARED / "seed" / "derna.txt"

PAGE = """<html><head><title>Storm hits coast | Daily Planet</title>
<meta property="og:title" content="Storm hits coast">
<meta property="og:site_name" content="Daily Planet">
<meta name="author" content="Lois Lane">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://planet.example/storm"></head>
<body><nav>Home | World | Sport</nav><article><h1>Storm hits coast</h1>
<p>A powerful storm hit the coast on Tuesday, officials said. Thousands of homes lost power overnight.</p>
<p>"We have never seen anything like it," said Mayor Jane Doe. The cleanup will take weeks, according to the
city council, and the costs are not yet known.</p></article><footer>Copyright 2024</footer></body></html>"""

FRONT = """---
title: Storm hits coast
outlet: Daily Planet
url: https://planet.example/storm
published: 2024-03-05
author: Lois Lane
tags: [weather, storms]
---
A powerful storm hit the coast on Tuesday,
officials said.
"""


def write(path: Path, content: str | bytes) -> Path:
    """Write a fixture file (creating its folders) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_seed_in_the_corpus_has_no_invented_metadata() -> None:
    articles, problems = read_articles([ROOT / "corpus"])
    assert problems == []
    derna = next(a for a in articles if a.doc_id == "derna.txt")
    s = derna.source
    assert (s.title, s.outlet, s.url, s.published, s.author) == (None, None, None, None, None)
    assert s.path == "derna.txt"
    assert derna.text.startswith("The Islamic State (ISIS)")
    assert "according to a CNN report, have control" in derna.text


@pytest.mark.shared("seed/derna.txt")
def test_the_seed_in_the_corpus_is_the_shared_seed_repaired() -> None:
    articles, _ = read_articles([ROOT / "corpus"])
    derna = next(a for a in articles if a.doc_id == "derna.txt")
    assert derna.text == repair_text(SEED_RAW.read_text(encoding="utf-8"))


def test_txt_front_matter_fields(tmp_path: Path) -> None:
    write(tmp_path / "storm.txt", FRONT)
    (article,), problems = read_articles([tmp_path / "storm.txt"])
    assert problems == []
    s = article.source
    assert s.doc_id == "storm.txt" and s.path == "storm.txt"
    assert s.title == "Storm hits coast"
    assert s.outlet == "Daily Planet"
    assert s.url == "https://planet.example/storm"
    assert s.published == "2024-03-05"
    assert s.author == "Lois Lane"
    assert article.text == "A powerful storm hit the coast on Tuesday, officials said."


def test_front_matter_datetime_becomes_iso(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\npublished: 2024-03-05 10:30:00\n---\nBody text.\n")
    (article,), _ = read_articles([tmp_path])
    assert article.source.published == "2024-03-05T10:30:00"


def test_a_date_that_does_not_exist_or_is_no_date_is_a_note_and_the_article_kept(tmp_path: Path) -> None:
    lines = [
        {"doc_id": "a", "text": "The harbour reopened.", "published": "2015-02-30"},
        {"doc_id": "b", "text": "The ferry sailed.", "published": "2015-02-20"},
        {"doc_id": "c", "text": "The quay was rebuilt.", "published": "last Tuesday"},
        {"doc_id": "d", "text": "The port was closed.", "published": "Mon, 02 Mar 2015 10:00:00 GMT"},
    ]
    write(tmp_path / "news.jsonl", "\n".join(json.dumps(r) for r in lines) + "\n")
    write(tmp_path / "leap.md", "---\ntitle: Leap\npublished: 2015-02-29\n---\nA leap day that never was.\n")
    write(tmp_path / "month.md", "---\npublished: 2024-13-45\n---\nA thirteenth month.\n")
    articles, problems = read_articles([tmp_path])
    assert {a.doc_id: a.source.published for a in articles} == {
        "leap.md": None, "month.md": None, "a": None, "b": "2015-02-20", "c": None, "d": "Mon, 02 Mar 2015 10:00:00 GMT"
    }
    assert [(p.name, p.reason, p.skipped) for p in problems] == [
        ("leap.md", "published date '2015-02-29' does not exist; dropped (the article is indexed)", False),
        ("month.md", "published date '2024-13-45' does not exist; dropped (the article is indexed)", False),
        ("news.jsonl:1", "published date '2015-02-30' does not exist; dropped (the article is indexed)", False),
        ("news.jsonl:3", "published 'last Tuesday' is not a date (write it as YYYY-MM-DD); dropped "
         "(the article is indexed)", False),
    ]


def test_txt_without_front_matter_and_with_bom(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "\ufeffJust a body\r\nwrapped here.\r\n".encode())
    (article,), problems = read_articles([tmp_path])
    assert problems == []
    assert article.source.title is None
    assert article.text == "Just a body wrapped here."


def test_markdown_is_stripped(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "---\ntitle: Md\n---\n# Heading\n\nA *bold* [claim](https://x.example).\n")
    (article,), problems = read_articles([tmp_path])
    assert problems == []
    assert article.source.title == "Md"
    assert article.text == "Heading\n\nA bold claim."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nBody.\n", "malformed YAML front matter"),
        ("---\n- a list\n---\nBody.\n", "not a mapping"),
        ("---\ntitle: x\nBody without an end.\n", "no closing"),
    ],
)
def test_malformed_front_matter_is_a_problem(tmp_path: Path, content: str, reason: str) -> None:
    write(tmp_path / "bad.txt", content)
    articles, problems = read_articles([tmp_path])
    assert articles == []
    assert len(problems) == 1 and problems[0].name == "bad.txt"
    assert reason in problems[0].reason


def test_html_file(tmp_path: Path) -> None:
    write(tmp_path / "news" / "storm.html", PAGE)
    (article,), problems = read_articles([tmp_path])
    assert problems == []
    s = article.source
    assert s.doc_id == "news/storm.html" and s.path == "news/storm.html"
    assert s.title == "Storm hits coast"
    assert s.outlet == "Daily Planet"
    assert s.author == "Lois Lane"
    assert s.published == "2024-03-05"
    assert article.text.startswith("A powerful storm hit the coast on Tuesday, officials said.")
    assert "Home | World" not in article.text and "Copyright" not in article.text
    assert "according to the city council" in article.text


def test_read_html_uses_the_url_as_doc_id_and_rejects_empty_pages() -> None:
    article = read_html(PAGE, url="https://planet.example/storm")
    assert article.doc_id == "https://planet.example/storm"
    assert article.source.url == "https://planet.example/storm"
    with pytest.raises(ReadError, match="no article text"):
        read_html("<html><head><title>Empty</title></head><body></body></html>", url="https://x.example/")


def test_jsonl_lines_and_their_problems(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"doc_id": "a", "title": "A", "text": "First article.", "outlet": "X", "published": "2024-01-01"}
        ),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "b", "text": "   "}),
        json.dumps({"id": 7, "text": "Numeric id."}),
        "",
        json.dumps({"title": "no id", "text": "No id at all."}),
        json.dumps({"doc_id": "a", "text": "Duplicate of a."}),
        json.dumps({"doc_id": "c", "text": "Last one.", "url": "https://c.example", "author": "C"}),
    ]
    write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    articles, problems = read_articles([tmp_path / "batch.jsonl"])
    assert [a.doc_id for a in articles] == ["a", "7", "batch.jsonl:7", "c"]
    assert articles[0].source.title == "A" and articles[0].source.outlet == "X"
    assert articles[0].source.published == "2024-01-01" and articles[0].source.path == "batch.jsonl"
    assert articles[3].source.url == "https://c.example" and articles[3].source.author == "C"
    assert [p.name for p in problems] == ["batch.jsonl:2", "batch.jsonl:3", "batch.jsonl:4", "batch.jsonl:8"]
    assert "not valid JSON" in problems[0].reason
    assert "not a JSON object" in problems[1].reason
    assert "text" in problems[2].reason
    assert "duplicate doc_id 'a'" in problems[3].reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.pdf", b"%PDF-1.4 ...", "unknown file type '.pdf'"),
        ("README", b"text", "unknown file type"),
        ("nul.txt", b"abc\x00def", "binary"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), "not UTF-8"),
        ("ctrl.txt", bytes(range(1, 9)) * 20 + b"abc", "control characters"),
        ("empty.txt", "  \n\u200b\n".encode(), "empty after repair"),
        ("frontonly.md", b"---\ntitle: x\n---\n\n", "empty after repair"),
        ("empty.jsonl", b"\n\n", "empty JSONL"),
        ("blank.html", b"<html><body></body></html>", "no article text"),
    ],
)
def test_unreadable_files_are_problems(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    write(tmp_path / name, content)
    articles, problems = read_articles([tmp_path])
    assert articles == []
    assert problems == [ReadProblem(name, problems[0].reason)]
    assert reason in problems[0].reason


def test_permission_denied_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.txt", "Secret.")
    write(tmp_path / "open.txt", "Open.")
    real = os.open

    def os_open(path, flags, *args, **kwargs):  # as root, chmod 000 does not stop a read: refuse it here
        if Path(path).name == locked.name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    articles, problems = read_articles([tmp_path])
    assert [a.doc_id for a in articles] == ["open.txt"]
    assert problems == [ReadProblem("locked.txt", "cannot be read (permission denied)")]


def test_folder_recursion_is_sorted_skips_hidden_and_survives_bad_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "b.txt", "Bee.")
    write(corpus / "a" / "z.md", "Zed.")
    write(corpus / "a" / "bad.txt", b"\xff\xfe\x00garbage\x00")
    write(corpus / "a" / "y.txt", "Why.")
    write(corpus / ".hidden.txt", "Hidden.")
    write(corpus / ".git" / "x.txt", "Hidden too.")
    write(corpus / "c" / "d" / "e.txt", "Deep.")
    articles, problems = read_articles([corpus])
    assert [a.doc_id for a in articles] == ["a/y.txt", "a/z.md", "b.txt", "c/d/e.txt"]
    assert [p.name for p in problems] == ["a/bad.txt"]
    articles, _ = read_articles([corpus / "c"], root=corpus)
    assert [a.doc_id for a in articles] == ["c/d/e.txt"]
    articles, _ = read_articles([corpus / "b.txt", corpus / "a" / "y.txt"])
    assert [a.doc_id for a in articles] == ["b.txt", "y.txt"]


def test_missing_path_and_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path / "one" / "same.txt", "One.")
    write(tmp_path / "two" / "same.txt", "Two.")
    articles, problems = read_articles([tmp_path / "one", tmp_path / "two", tmp_path / "nope"])
    assert [a.text for a in articles] == ["One."]
    assert problems[0].name == "same.txt" and "duplicate doc_id" in problems[0].reason
    assert problems[1].reason == "no such file or folder"


def test_read_document_formats() -> None:
    (article,) = read_document("storm.txt", FRONT.encode())
    assert article.doc_id == "uploads/storm.txt" and article.source.path == "uploads/storm.txt"
    assert article.source.title == "Storm hits coast"
    (article,) = read_document("../../etc/page.html", PAGE.encode())
    assert article.doc_id == "uploads/page.html"
    assert article.source.title == "Storm hits coast"
    batch = b'{"id": "x", "text": "One."}\nbroken\n{"text": "Two."}\n'
    assert [a.doc_id for a in read_document("b.jsonl", batch)] == ["x", "uploads/b.jsonl:3"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.jpg", b"\xff\xd8\xff", "unknown file type"),
        ("bin.txt", b"\x00\x01\x02", "binary"),
        ("empty.md", b"", "empty after repair"),
        ("bad.jsonl", b"nope\n[1]\n", "no article could be read"),
    ],
)
def test_read_document_raises_read_error(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ReadError) as info:
        read_document(name, data)
    assert info.value.name == name
    assert reason in info.value.reason


def test_one_hostile_jsonl_line_costs_that_line_only(tmp_path: Path) -> None:
    # A line of 100,000 "[" made json.loads raise RecursionError, which aborted the whole index run; a number of
    # 5,000 digits raised a ValueError that cost the whole file.
    lines = [
        json.dumps({"doc_id": "a", "text": "First article."}),
        "[" * 100_000,
        '{"doc_id": ' + "1" * 5000 + ', "text": "Huge id."}',
        '{"doc_id": "c", "text": "x", "title": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
        json.dumps({"doc_id": "b", "text": "Last article."}),
    ]
    write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    write(tmp_path / "other.txt", "Another article.\n")
    articles, problems = read_articles([tmp_path])
    assert [a.doc_id for a in articles] == ["a", "b", "other.txt"]
    assert [p.name for p in problems] == ["batch.jsonl:2", "batch.jsonl:3", "batch.jsonl:4"]
    assert problems[0].reason == "cannot be read (nested too deeply)"
    assert problems[1].reason.startswith("not valid JSON")
    assert all(p.skipped and len(p.reason) < 200 for p in problems)


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("title: " + "[" * 100_000, "malformed YAML front matter (nested too deeply)"),
    ],
)
def test_hostile_front_matter_costs_that_file_only(tmp_path: Path, front: str, reason: str) -> None:
    write(tmp_path / "bad.md", f"---\n{front}\n---\nBody.\n")
    write(tmp_path / "good.md", FRONT)
    articles, problems = read_articles([tmp_path])
    assert [a.doc_id for a in articles] == ["good.md"]
    assert problems == [ReadProblem("bad.md", reason)]


def test_an_alias_bomb_in_front_matter_is_read_without_blowing_up(tmp_path: Path) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]\n"
    write(tmp_path / "lol.md", f"---\n{bomb}title: *j\noutlet: Bombs\n---\nBody.\n")
    (article,), problems = read_articles([tmp_path])
    assert problems == [] and article.source.title is None and article.source.outlet == "Bombs"


def test_hostile_documents_raise_only_read_errors() -> None:
    with pytest.raises(ReadError) as info:
        read_document("deep.jsonl", b"[" * 100_000)
    assert "nested too deeply" in info.value.reason
    with pytest.raises(ReadError):
        read_document("deep.md", b"---\ntitle: " + b"{a: " * 100_000 + b"\n---\nBody.\n")
    with pytest.raises(ReadError):
        read_html("<div>" * 100_000 + "Text. " * 20 + "</div>" * 100_000, url="https://x.example/")


def test_huge_metadata_is_clipped_with_a_note_and_the_answer_stays_small(tmp_path: Path) -> None:
    from bot.cards import MAX_MESSAGE, render_answer
    from bot.render import answer_text
    from index.model import METADATA_LIMITS, NO_ATTRIBUTION, Answer, Hit

    huge = {"doc_id": "d" * 100_000, "title": "T " * 500_000, "url": "https://x.example/" + "u" * 500_000}
    odd = {"doc_id": "odd", "url": "javascript:alert(1)", "published": "2015-02-20T10:00:00" + "0" * 100}
    write(tmp_path / "big.jsonl", "\n".join(json.dumps({**r, "text": "Line."}) for r in (huge, odd)) + "\n")
    write(tmp_path / "big.md", f"---\ntitle: {'T' * 10_000}\nauthor: {'A' * 5000}\n---\nBody.\n")
    articles, problems = read_articles([tmp_path])
    big, odd_article, md = articles
    assert len(big.source.title or "") == METADATA_LIMITS["title"] and (big.source.title or "").endswith("…")
    assert big.source.url is None and len(big.doc_id) <= METADATA_LIMITS["doc_id"]
    assert odd_article.source.url is None and odd_article.source.published is None
    assert len(md.source.title or "") == METADATA_LIMITS["title"] and len(md.source.author or "") == 200
    assert [(p.name, p.reason, p.skipped) for p in problems] == [
        ("big.jsonl:1", "doc_id clipped to 512 characters (the article is indexed)", False),
        ("big.jsonl:1", "title clipped to 300 characters (the article is indexed)", False),
        ("big.jsonl:1", "url dropped (longer than 2048 characters) (the article is indexed)", False),
        ("big.jsonl:2", "published '2015-02-20T10:00:00" + "0" * 60 + "…' is not a date (write it as YYYY-MM-DD);"
         " dropped (the article is indexed)", False),
        ("big.jsonl:2", "url dropped (not an http:// or https:// link without spaces) (the article is indexed)", False),
        ("big.md", "title clipped to 300 characters (the article is indexed)", False),
        ("big.md", "author clipped to 200 characters (the article is indexed)", False),
    ]
    for article in articles:
        hit = Hit(sentence_id=1, sentence=article.text, score=1.0, attribution=NO_ATTRIBUTION, source=article.source)
        answer = Answer(question="what?", hits=[hit])
        assert len(answer_text(answer)) < 1000
        assert len(render_answer(answer)) == 1 and len(render_answer(answer)[0]) < MAX_MESSAGE // 4
