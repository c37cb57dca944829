"""Tests for index.reading.repair: normalisation, joined wraps, kept paragraphs and stripped Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.reading.repair import repair_text, strip_markdown

SEED = Path(__file__).resolve().parents[1] / "corpus" / "derna.txt"


def seed_body() -> str:
    """Return the seed article below its front matter."""
    return SEED.read_text(encoding="utf-8").split("---\n", 2)[2]


def test_seed_wraps_are_joined_and_paragraphs_kept() -> None:
    text = repair_text(seed_body())
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 11
    assert all("\n" not in p and p == p.strip() and p for p in paragraphs)
    assert "according to a CNN report, have control" in text
    assert "reports the International Business Times." in text
    assert paragraphs[1] == (
        "Derna is situated on Libya's northern border along the Mediterranean Sea. ISIS fighters totaling "
        "800, according to a CNN report, have control over the city of about 100,000 people."
    )
    assert paragraphs[-1].startswith("Gen. Martin Dempsey")


def test_repair_is_idempotent_on_the_seed() -> None:
    once = repair_text(seed_body())
    assert repair_text(once) == once


def test_blank_lines_separate_paragraphs_and_single_newlines_are_wraps() -> None:
    raw = "First line ends here.\nStill the first paragraph\n\n\n\nSecond paragraph.\nWrapped.\n"
    assert repair_text(raw) == "First line ends here. Still the first paragraph\n\nSecond paragraph. Wrapped."


def test_without_blank_lines_a_sentence_end_ends_a_paragraph() -> None:
    raw = (
        'One paragraph ends.\n"A quoted one ends."\nThis line is wrapped in\nthe middle of a sentence!\nLast'
    )
    assert repair_text(raw) == (
        'One paragraph ends.\n\n"A quoted one ends."\n\n'
        "This line is wrapped in the middle of a sentence!\n\nLast"
    )


def test_a_lowercase_next_line_is_a_wrap_even_after_a_period() -> None:
    assert repair_text("Troops left the U.S.\ntroops came back.") == "Troops left the U.S. troops came back."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a counter-\nterrorism expert", "a counter-terrorism expert"),
        ("the self-\nstyled caliph", "the self-styled caliph"),
        ("anti-\nAmerican protests", "anti-American protests"),
        ("some infor-\nmation, more information", "some information, more information"),
        ("the str-\nength", "the strength"),
    ],
)
def test_hyphenated_line_breaks(raw: str, expected: str) -> None:
    assert repair_text(raw) == expected


def test_unicode_and_whitespace_are_normalised() -> None:
    raw = "\ufeffCaf\u0065\u0301\u00a0au\u200blait\tnoir\r\nwrapped  here.\r\n\r\nNext\u2003one.\x07"
    assert repair_text(raw) == "Caf\u00e9 aulait noir wrapped here.\n\nNext one."


def test_empty_and_blank_input_give_empty_text() -> None:
    assert repair_text("") == ""
    assert repair_text(" \n\u200b\n\t\n") == ""


def test_strip_markdown_removes_markup_and_keeps_blocks_apart() -> None:
    md = (
        "# The *big* story #\n"
        "Some **bold** and _emphasised_ text with a [link](https://example.com/a_(b)) and `code`.\n"
        "- first item\n"
        "* second item\n"
        "1. numbered item\n"
        "\n"
        "> A quoted paragraph.\n"
        "![a chart](chart.png) keeps snake_case_names and 2*3*4.\n"
        "\n"
        "Sub heading\n"
        "-----------\n"
        "Body text.\n"
    )
    assert repair_text(strip_markdown(md)) == (
        "The big story\n\n"
        "Some bold and emphasised text with a link and code.\n\n"
        "first item\n\nsecond item\n\nnumbered item\n\n"
        "A quoted paragraph. a chart keeps snake_case_names and 2*3*4.\n\n"
        "Sub heading\n\nBody text."
    )
