"""Rendering to Telegram HTML, splitting under 4096, the plain-text fallback, callback data (no network)."""

from __future__ import annotations

import random

import pytest
from telegram.ext import CommandHandler
from telegram_html import entities_of, parse_html

from bot.buttons import (
    MAX_CALLBACK_DATA,
    Feedback,
    More,
    ShowContext,
    ShowSource,
    SourcesPage,
    answer_keyboard,
    decode_button,
    encode_button,
    shown_under,
)
from bot.cards import (
    emphasize,
    render_answer,
    render_article,
    render_card,
    render_context,
    render_help,
    render_no_answer,
    render_sources_page,
    render_speakers,
    render_welcome,
)
from bot.commands import COMMANDS, help_lines, menu
from bot.messages import MAX_MESSAGE, html_to_text, pack, plain_messages, split_html, telegram_length
from bot.render import attribution_line, source_line
from bot.settings import BotSettings
from bot.telegram_app import build_application
from index.model import Answer, Attribution, Hit, Source
from index.settings import Settings

CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."
BENOTMAN = (
    '"Derna today looks identical to Raqqa, the ISIS headquarters town in Syria," Noman Benotman, a '
    "ex-Libyan jihadist who is now involved in counter-terrorism for the Quilliam Foundation, told CNN."
)


def hit(sentence: str = CRETE, sid: int = 7, **source: str | None) -> Hit:
    return Hit(
        sentence_id=sid,
        sentence=sentence,
        score=1.0,
        attribution=Attribution("Noman Benotman", "told CNN", "reported"),
        source=Source(doc_id="derna", **source),  # type: ignore[arg-type]
    )


def bold_words(html: str) -> list[str]:
    return entities_of(html, "bold")


def test_question_words_are_bold_case_insensitively_and_stop_words_are_not() -> None:
    html = emphasize(CRETE, "How far is DERNA from crete?")
    assert bold_words(html) == ["Crete", "Derna"]
    assert "How" not in bold_words(emphasize("How it began", "how far"))


def test_adjacent_words_make_one_bold_run_and_simple_inflections_match() -> None:
    assert bold_words(emphasize(BENOTMAN, "what did noman benotman say")) == ["Noman Benotman"]
    assert bold_words(emphasize("ISIS fighters totaling 800", "how many fighter")) == ["fighters"]


def test_emphasis_escapes_and_never_breaks_an_entity() -> None:
    html = emphasize("AT&T said <b> & amp > lt", "amp lt gt")
    text, _ = parse_html(html)
    assert text == "AT&T said <b> & amp > lt"
    assert bold_words(html) == ["amp", "lt"]
    assert "&amp;" in html and "<b>&</b>" not in html


def test_card_has_sentence_speaker_and_linked_source() -> None:
    card = render_card(
        hit(
            title="ISIS & Libya",
            outlet="IBTimes",
            url="https://ibt.example/a?b=1&c=2",
            published="2015-02-18T10:00Z",
        ),
        "how far is Derna from Crete",
        number=1,
    )
    text, entities = parse_html(card)
    assert text.splitlines() == [
        "1. " + CRETE,
        "— Noman Benotman, told CNN",
        "📰 ISIS & Libya · IBTimes · 18 Feb 2015",
    ]
    assert {"type": "text_link", "url": "https://ibt.example/a?b=1&c=2"}.items() <= next(
        e for e in entities if e["type"] == "text_link"
    ).items()


def test_source_without_url_or_with_an_odd_one_is_not_linked() -> None:
    assert "<a" not in source_line(Source("d", title="T"), html=True)
    assert "<a" not in source_line(Source("d", title="T", url="javascript:alert(1)"), html=True)
    assert source_line(Source("d", path="corpus/derna.txt"), html=True) == "📰 corpus/derna.txt"


@pytest.mark.parametrize(
    ("attribution", "line"),
    [
        (Attribution("Noman Benotman", "told CNN", "reported"), "— Noman Benotman, told CNN"),
        (Attribution("a CNN report", "according to", "according_to"), "— according to a CNN report"),
        (Attribution("CNN", None, "reported"), "— CNN"),
        (Attribution(None, None, "none"), None),
        (Attribution(None, None, "quote"), "— unattributed quotation"),  # never the outlet's own voice
    ],
)
def test_attribution_line(attribution: Attribution, line: str | None) -> None:
    assert attribution_line(attribution) == line


DEMPSEY_ROLE = "chairman of the Joint Chiefs of Staff"


@pytest.mark.parametrize(
    ("attribution", "line"),
    [
        # the cue already names the speaker: the speaker once
        (Attribution("CNN", "reports CNN", "reported"), "— CNN"),
        (Attribution("International Business Times", "reports the International Business Times", "reported"),
         "— International Business Times"),
        (Attribution("CNN", "The CNN report claims", "reported"), "— CNN"),
        (Attribution("CNN", "according to a CNN report", "according_to"), "— according to CNN"),
        (Attribution("CNN", "according to CNN", "according_to"), "— according to CNN"),
        # a cue that says more than the name stays
        (Attribution("Noman Benotman", "told CNN", "quote"), "— Noman Benotman, told CNN"),
        # whom the speaker cites
        (Attribution("International Business Times", "reports the International Business Times", "reported",
                     via="CNN"), "— International Business Times, citing CNN"),
        (Attribution("CNN", "according to CNN", "according_to", via="Libyan officials"),
         "— according to CNN, citing Libyan officials"),
        # by whose account the speaker spoke: said so, not "citing"
        (Attribution("Jane Doe", "said", "reported", as_written="Jane Doe", via="according to the Gazette"),
         "— Jane Doe said, according to the Gazette"),
        # the role after the name, without a bare "said"
        (Attribution("Martin Dempsey", "said", "reported", as_written="Gen. Martin Dempsey", role=DEMPSEY_ROLE),
         f"— Gen. Martin Dempsey, {DEMPSEY_ROLE}"),
        (Attribution("Noman Benotman", "told CNN", "quote", role="a former jihadist"),
         "— Noman Benotman, a former jihadist, told CNN"),
        # a vague speaker as the article writes it
        (Attribution("officials", "said", "reported", as_written="officials", vague=True), "— officials said"),
        (Attribution("sources", "said", "reported", as_written="Libyan sources", vague=True),
         "— Libyan sources said"),
        (Attribution("sources", "according to", "according_to", as_written="sources close to the government",
                     vague=True), "— according to sources close to the government"),
    ],
)
def test_attribution_line_names_the_speaker_once(attribution: Attribution, line: str) -> None:
    assert attribution_line(attribution) == line


def test_card_names_the_speaker_once() -> None:
    card = hit(sentence="ISIS is seizing on the political instability, reports CNN.")
    card.attribution = Attribution("CNN", "reports CNN", "reported")
    text, _ = parse_html(render_card(card, "what is ISIS seizing on"))
    assert text.splitlines()[1] == "— CNN"


def test_answer_cards_are_numbered_from_the_offset() -> None:
    answer = Answer("how far is Derna from Crete", [hit(sid=1), hit(sid=2)], offset=3, more=True)
    (message,) = render_answer(answer)
    text, _ = parse_html(message)
    assert text.startswith("4. ") and "\n\n5. " in text


def test_long_answers_are_split_between_cards_under_4096() -> None:
    long_sentence = ("Derna <& Crete> " * 80).strip()  # ~1300 characters, full of characters to escape
    answer = Answer("Derna Crete", [hit(long_sentence, sid=i) for i in range(6)])
    messages = render_answer(answer)
    assert len(messages) > 1
    for message in messages:
        assert telegram_length(message) <= MAX_MESSAGE
        text, _ = parse_html(message)  # well-formed: Telegram accepts it
        assert text.count(long_sentence) == text.count("📰")  # whole cards only
    joined = "\n\n".join(parse_html(m)[0] for m in messages)
    assert [line[:2] for line in joined.splitlines() if line[:1].isdigit()] == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
        "6.",
    ]


def test_a_card_too_long_for_one_message_is_split_outside_tags_and_entities() -> None:
    words = [random.Random(3).choice(["Derna", "&", "<Crete>", "😀", "sea"]) for _ in range(3000)]
    sentence = " ".join(words)
    card = render_card(hit(sentence, title="T", url="https://example.org/x"), "Derna Crete sea", number=1)
    pieces = split_html(card, 1000)
    assert len(pieces) > 3
    texts = []
    for piece in pieces:
        assert telegram_length(piece) <= 1000
        texts.append(parse_html(piece)[0])
    assert " ".join(t.strip() for t in texts).split() == parse_html(card)[0].split()


def test_split_reopens_open_tags_and_prefers_line_breaks() -> None:
    html = "<b>" + "x" * 50 + "\n" + "y" * 50 + "</b>"
    pieces = split_html(html, 80)
    assert pieces == ["<b>" + "x" * 50 + "</b>", "<b>" + "y" * 50 + "</b>"]
    assert pack(["a", "b", "c"], limit=4) == ["a\n\nb", "c"]


def test_plain_text_fallback_resolves_entities_and_writes_out_links() -> None:
    answer = Answer("x", [hit(title="A & B", url="https://example.org/a")])
    (plain,) = plain_messages(render_answer(answer))
    assert "📰 A & B (https://example.org/a)" in plain
    assert "<" not in plain and "&amp;" not in plain
    assert all(telegram_length(p) <= 100 for p in plain_messages(["word " * 100], limit=100))


def test_html_to_text_keeps_a_bare_url_once() -> None:
    assert html_to_text('<a href="https://x.org">https://x.org</a>') == "https://x.org"


@pytest.mark.parametrize(
    "button",
    [
        More(3),
        More(0),
        ShowContext(123456789),
        ShowSource(0),
        SourcesPage(40),
        Feedback(True, (1, 2, 3)),
        Feedback(False, (10**9, 5)),
    ],
)
def test_callback_data_round_trips_under_64_bytes(button: object) -> None:
    data = encode_button(button)  # type: ignore[arg-type]
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert decode_button(data) == button


def test_feedback_keeps_as_many_ids_as_fit() -> None:
    data = encode_button(Feedback(True, tuple(range(10**8, 10**8 + 30))))
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    decoded = decode_button(data)
    assert isinstance(decoded, Feedback) and 3 <= len(decoded.sentence_ids) < 30


@pytest.mark.parametrize(
    "data", [None, "", "m3", "2m3", "1x3", "1m-3", "1m", "1f+", "1c" + "z" * 40, "hello"]
)
def test_stale_or_foreign_callback_data_decodes_to_none(data: str | None) -> None:
    assert decode_button(data) is None


def test_answer_keyboard_has_context_source_feedback_and_more_only_when_there_is_more() -> None:
    answer = Answer("q", [hit(sid=5), hit(sid=6)], offset=0, more=True)
    keyboard = answer_keyboard(answer)
    assert keyboard is not None
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    decoded = [decode_button(b.callback_data) for b in buttons]  # type: ignore[arg-type]
    assert ShowContext(5) in decoded and ShowSource(6) in decoded
    assert Feedback(True, (5, 6)) in decoded and Feedback(False, (5, 6)) in decoded
    assert More(2) in decoded
    no_more = answer_keyboard(Answer("q", [hit(sid=5)], more=False))
    assert no_more is not None
    assert all(
        not isinstance(decode_button(b.callback_data), More)  # type: ignore[arg-type]
        for row in no_more.inline_keyboard
        for b in row
    )


def test_context_highlights_the_sentence() -> None:
    paragraph = "Before it. " + CRETE + " After <it>."
    start = paragraph.index(CRETE)
    (message,) = render_context(Source("d", title="T"), paragraph, start, start + len(CRETE))
    assert entities_of(message, "underline") == [CRETE]
    assert parse_html(message)[0].endswith("After <it>.")


def test_a_sentence_alone_in_its_paragraph_gets_its_neighbours() -> None:
    (message,) = render_context(
        Source("d", title="T"), CRETE, 0, len(CRETE), before="Before.", after="After."
    )
    assert entities_of(message, "underline") == [CRETE]
    assert parse_html(message)[0].endswith("Before.\n\n" + CRETE + "\n\nAfter.")


def test_article_shows_details_and_the_opening_only() -> None:
    source = Source(
        "d",
        title="ISIS in Derna",
        outlet="IBTimes",
        url="https://ibt.example/x",
        published="2015-02-18",
        author="A. Writer",
    )
    messages = render_article(source, "First paragraph.\n\n" + "Second. " * 500, sentences=12)
    text = "\n".join(parse_html(m)[0] for m in messages)
    assert "ISIS in Derna" in text and "IBTimes · 18 Feb 2015 · by A. Writer · 12 sentences" in text
    assert "First paragraph." in text and len(text) < 1200


def test_welcome_no_answer_and_sources_page_parse() -> None:
    newest = Source("d", title="ISIS <in> Derna", published="2015-02-18")
    welcome = parse_html(render_welcome(1, 14, newest, ["how far is Derna from Crete?"]))[0]
    assert "1 article (14 sentences)" in welcome and "ISIS <in> Derna" in welcome
    assert "how far is Derna from Crete?" in welcome
    nothing = parse_html(render_no_answer("weather <on> Mars", 1, [newest], ["who controls Derna?"]))[0]
    assert "nothing relevant" in nothing and "ISIS <in> Derna" in nothing
    page = parse_html(render_sources_page([(newest, 14)], 10, 11))[0]
    assert "Articles 11–11 of 11" in page and "11. ISIS <in> Derna" in page


def test_a_card_bolds_the_words_the_engine_matched() -> None:
    # The engine says which words matched (Hit.matched); the card bolds those, not words it re-derives.
    h = hit(CRETE)
    h.matched = ["Crete", "Derna"]
    assert bold_words(render_card(h, "an unrelated question about sea")) == ["Crete", "Derna"]


def test_speakers_list_most_first_with_totals_and_escaped() -> None:
    text, _ = parse_html(render_speakers([("CNN", 4), ("A & B <news>", 1)], 3, 6))
    assert text.splitlines() == [
        "🗣 Who speaks in the articles I know",
        "",
        "1. CNN · 4 claims",
        "2. A & B <news> · 1 claim",
        "",
        "The 2 quoted most of 3 speakers, 6 claims in all.",
        "Ask e.g. what did CNN say?",
    ]
    one, _ = parse_html(render_speakers([("CNN", 1)], 1, 1, Source("derna.txt", path="derna.txt")))
    assert one.splitlines()[0] == "🗣 Who speaks in derna.txt" and "1 speaker, 1 claim in all." in one
    assert "Nobody is quoted in derna.txt" in render_speakers([], 0, 0, Source("derna.txt", path="derna.txt"))


def test_buttons_under_an_answer_say_which_sentences_and_answer_it_showed() -> None:
    answer = Answer("q", [hit(sid=7), hit(sid=9)], more=True)
    assert shown_under(answer_keyboard(answer, answer_id=42)) == ([7, 9], [42])
    assert shown_under(answer_keyboard(answer)) == ([7, 9], [])
    assert shown_under(None) == ([], [])


def test_one_table_makes_the_menu_the_handlers_and_the_help() -> None:
    app = build_application(Settings(), BotSettings(token="1:x"), engine=None)
    registered = {n for hs in app.handlers.values() for h in hs if isinstance(h, CommandHandler) for n in h.commands}
    assert registered == {c.name for c in COMMANDS}
    assert [c.command for c in menu()] == ["start", "help", "sources", "who", "about", "ask", "latest"]
    readers, none = help_lines(admin=False)
    _, operators = help_lines(admin=True)
    reader_help = html_to_text(render_help("newsbot", readers, none))
    operator_help = html_to_text(render_help("newsbot", readers, operators))
    assert "/latest topic — the latest on a topic" in reader_help and "/remove" not in reader_help
    assert "/remove article — " in operator_help and "/follow URL [minutes] — " in operator_help
