"""Tests for index.reading.furniture: captions, credits, datelines and bylines kept out of an article's sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.reading import read_document, read_html, split_sentences
from index.reading.furniture import byline, dateline, is_caption, is_reporting_credit, without_furniture


@pytest.mark.parametrize("paragraph", [
    "Photo: Jane Doe/AP",
    "Image credit: NASA",
    "Photo credit: Getty Images",
    "Video: Firefighters battle the blaze",
    "(Getty Images)",
    "AP Photo/Evan Vucci",
    "REUTERS/Kevin Lamarque",
    "Caption: The senator speaks in Des Moines.",
])
def test_captions_and_credits(paragraph: str) -> None:
    assert is_caption(paragraph)


@pytest.mark.parametrize("paragraph", [
    "The photo showed the senator in Des Moines.",
    "Reuters reported the vote on Monday.",
    "Image matters in politics, she said.",
])
def test_sentences_are_no_captions(paragraph: str) -> None:
    assert not is_caption(paragraph)


@pytest.mark.parametrize(("paragraph", "place", "outlet", "rest"), [
    ("WASHINGTON (Reuters) - The Senate voted.", "WASHINGTON", "Reuters", "The Senate voted."),
    ("CNN — The storm hit.", None, "CNN", "The storm hit."),
    ("LOS ANGELES — Fires spread.", "LOS ANGELES", None, "Fires spread."),
    ("NEW YORK, Jan 5 (AP) — Stocks fell.", "NEW YORK", "AP", "Stocks fell."),
    ("RYE, N.H. - The mayor is certain.", "RYE", None, "The mayor is certain."),
])
def test_datelines(paragraph: str, place: str | None, outlet: str | None, rest: str) -> None:
    end, where, signed = dateline(paragraph)
    assert (paragraph[end:], where, signed) == (rest, place, outlet)


@pytest.mark.parametrize("paragraph", ["The US — and China — disagree.", "I - as a rule - do not.", "US, EU - talks",
                                       "Smith — a former aide — said no."])
def test_dashes_that_are_no_dateline(paragraph: str) -> None:
    assert dateline(paragraph)[0] == 0


@pytest.mark.parametrize("paragraph", [
    "Lerer reported from Los Angeles.", "Ada Quill and Tom Hart contributed reporting from Portville.",
    "Additional reporting by Ida Pell.", "Ida Pell contributed to this report."])
def test_reporting_credits(paragraph: str) -> None:
    assert is_reporting_credit(paragraph)
    cleaned = without_furniture(f"The ferry will run all winter.\n\n{paragraph}")
    assert cleaned.text == "The ferry will run all winter."


@pytest.mark.parametrize("paragraph", ["Ada Quill reported a loss of 5 million pounds.",
                                       "The harbour master reported from the quay that the ferry had sunk."])
def test_sentences_about_reporting_are_no_credits(paragraph: str) -> None:
    assert not is_reporting_credit(paragraph)


def test_bylines() -> None:
    assert byline("By Jane Doe") == ("Jane Doe", None)
    assert byline("By Jane Doe and John Roe, CNN") == ("Jane Doe and John Roe", "CNN")
    assert byline("Jane Doe, CNN") == ("Jane Doe", "CNN")
    assert byline("By the way, it rained.") is None
    assert byline("Jane Doe, a senator, spoke.") is None


def test_inline_credit_and_caption_paragraphs_leave_the_text() -> None:
    cleaned = without_furniture(
        "WASHINGTON (Reuters) - The Senate voted on Monday.\n\nPhoto: Jane Doe/AP\n\nIt passed 51-49. (Getty Images)"
    )
    assert cleaned.text == "The Senate voted on Monday.\n\nIt passed 51-49."
    assert (cleaned.place, cleaned.outlet) == ("WASHINGTON", "Reuters")


def test_a_byline_further_down_is_the_article() -> None:
    text = "One.\n\nTwo.\n\nThree.\n\nBy Jane Doe"
    assert without_furniture(text).text == text


def test_an_added_page_keeps_its_byline_and_dateline_out_of_its_sentences() -> None:
    page = ("<html><head><title>Storm hits coast</title></head><body><article><h1>Storm hits coast</h1>"
            "<p>By Jane Doe, CNN</p><p>CNN — A powerful storm hit the coast on Tuesday, officials said. Thousands of"
            " homes lost power overnight and the cleanup will take weeks.</p><p>Photo: John Roe/AP</p>"
            "<p>The mayor said the city would rebuild, and that the costs are not yet known to anyone.</p>"
            "</article></body></html>")
    article = read_html(page, url="https://planet.example/storm")
    texts = [s.text for s in split_sentences(article.text)]
    assert texts[0] == "A powerful storm hit the coast on Tuesday, officials said."
    assert not any("Jane Doe" in t or "Photo" in t or "CNN —" in t for t in texts)
    assert (article.source.author, article.source.outlet) in {("Jane Doe", "CNN"), ("Jane Doe", "planet.example")}


def test_a_text_file_keeps_its_own_metadata(tmp_path: Path) -> None:
    data = "---\noutlet: Daily Planet\n---\nLOS ANGELES (AP) — Fires spread on Monday, officials said.\n".encode()
    (article,) = read_document("fires.txt", data)
    assert article.text == "Fires spread on Monday, officials said."
    assert article.source.outlet == "Daily Planet"


def test_a_caption_ending_in_its_credit_leaves_the_text() -> None:
    text = "Sirhan in 1969 (Image: CDCR)\n\nThe board denied parole on Wednesday. (Image: CDCR)"
    assert without_furniture(text).text == "The board denied parole on Wednesday."


def test_a_dateline_under_a_headline_line_leaves_the_text() -> None:
    cleaned = without_furniture("Ferry fares to rise.\n\nPORTVILLE, Aug 31 (Reuters) - The council voted.\n\nMore.")
    assert (cleaned.text, cleaned.place, cleaned.outlet) == ("Ferry fares to rise.\n\nThe council voted.\n\nMore.",
                                                             "PORTVILLE", "Reuters")
    # under a paragraph of prose, a capitalised word and a dash is the article's own
    prose = "The council met on Monday night and argued for hours about the fares.\n\nUS - EU talks went on."
    assert without_furniture(prose).text == prose
