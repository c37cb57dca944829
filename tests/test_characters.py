"""No bidirectional control or invisible character is stored or shown (issue 20): an unterminated U+202E in a
sentence or title, zero-width characters in a title, through the real readers, the real index (SQLite, FAISS in
tmp_path, the fake encoder) and every rendering, on the Telegram card and in the terminal; right-to-left text
itself, and the joiners Persian and emoji need, still shown."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cards import (
    render_answer,
    render_article,
    render_card,
    render_context,
    render_no_answer,
    render_sources_page,
    render_speakers,
)
from bot.chat import chat_loop
from bot.render import answer_text, attribution_line, claims_text, hit_text, source_line
from index.characters import shown, without_hidden
from index.encoder import Encoder
from index.engine import Engine
from index.model import Attribution, Hit, Source
from index.reading import read_articles, read_document, repair_text
from index.settings import Settings

# Written out here from the issue, not imported: the controls that reorder a line and the invisible characters.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = "\u200b\u2060\ufeff\u180e\u00ad\u2061\u2062\u2063\u2064\u034f\U000e0041"
HIDDEN = re.compile(f"[{BIDI}{INVISIBLE}\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A joiner inside a Latin word, at a word's edge or beside a space joins nothing and only hides the word.
STRAY_JOINER = re.compile("[\x00-\x7f\\s][\u200c\u200d]|[\u200c\u200d][\x00-\x7f\\s]|^[\u200c\u200d]|[\u200c\u200d]$")

ARABIC = "قال المتحدث إن العاصفة ضربت درنة"
HEBREW = "הסערה פגעה בדרנה"
PERSIAN = "می\u200cخواهم"  # the non-joiner is part of the word's spelling
FAMILY = "👨\u200d👩\u200d👧"  # one emoji, three people joined

SENTENCE = "The storm hit Derna on Sunday, \u202eofficials said, and the dam broke."
TITLE = "Storm\u200b hits\u2060 Derna\u00ad \u202eeht morf"
ARTICLE = (
    'Floods swept through Derna after two dams burst, "the water rose in \u202eminutes," Osama Hamad said.\n\n'
    f"{SENTENCE}\n\nRescue teams from Egypt arrived on Monday. {ARABIC}. {HEBREW}. {PERSIAN} {FAMILY}."
)


def assert_clean(text: str) -> None:
    """Fail if the text holds a bidirectional control, an invisible or control character, or a stray joiner."""
    found = HIDDEN.search(text) or STRAY_JOINER.search(text)
    assert found is None, f"{found.group(0)!r} in {text!r}"


@pytest.mark.parametrize("char", list(BIDI + INVISIBLE))
def test_every_control_and_invisible_character_is_dropped(char: str) -> None:
    text = f"Derna{char} is{char}{char} far from Crete{char}"
    assert without_hidden(text) == "Derna is far from Crete"
    assert shown(text) == "Derna is far from Crete"
    assert repair_text(text) == "Derna is far from Crete"


def test_right_to_left_text_and_needed_joiners_stay_and_stray_joiners_go() -> None:
    for text in (ARABIC, HEBREW, PERSIAN, FAMILY, "क्\u200dष"):
        assert shown(text) == text
        assert repair_text(text) == text
    assert shown("Ben\u200dotman \u200csaid\u200d") == "Benotman said"
    assert shown("\u200d" + ARABIC + "\u200c") == ARABIC


def test_shown_drops_terminal_escapes_keeps_newlines_and_is_idempotent() -> None:
    assert shown("a\x1b[2Jb\tc\nd\x07") == "a[2Jb c\nd"
    for text in (SENTENCE, TITLE, ARTICLE):
        assert shown(shown(text)) == shown(text)
        assert_clean(shown(text))


def test_titles_outlets_and_authors_are_repaired_as_text_is_when_read(tmp_path: Path) -> None:
    record = {
        "doc_id": "d1", "title": TITLE + "\n\nsecond line", "outlet": "\u202eNNC", "author": "Lois\u200b Lane",
        "url": "https://x.example/\u200bstorm", "published": "2023-09-12\u202e", "text": ARTICLE,
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(
        f"---\ntitle: \"{TITLE}\"\noutlet: \"\u2067Al Wasat\u2069\"\nauthor: \"Ann\u200b\u200dSmith\"\n"
        f"---\n{ARTICLE}\n",
        encoding="utf-8",
    )
    articles, problems = read_articles([tmp_path])
    assert not [p for p in problems if p.skipped]
    by_id = {a.doc_id: a for a in articles}
    jsonl, markdown = by_id["d1"], by_id["b.md"]
    assert jsonl.source.title == "Storm hits Derna eht morf second line"
    assert (jsonl.source.outlet, jsonl.source.author) == ("NNC", "Lois Lane")
    assert (jsonl.source.url, jsonl.source.published) == ("https://x.example/storm", "2023-09-12")
    assert markdown.source.title == "Storm hits Derna eht morf"
    assert (markdown.source.outlet, markdown.source.author) == ("Al Wasat", "AnnSmith")
    for article in articles:
        s = article.source
        for value in (s.title, s.outlet, s.author, s.url, s.published, article.text):
            assert_clean(value or "")
        assert ARABIC in article.text and HEBREW in article.text and PERSIAN in article.text
        assert FAMILY in article.text


def test_an_uploaded_document_title_is_clean() -> None:
    [article] = read_document("up.md", f"---\ntitle: \"{TITLE}\"\n---\n{ARTICLE}\n".encode())
    assert article.source.title == "Storm hits Derna eht morf"


@pytest.fixture
def hostile_engine(settings: Settings, fake_encoder: Encoder, tmp_path: Path) -> Engine:
    """Return a real engine that indexed a JSONL article with a hostile title and sentences, and a file whose
    name holds a right-to-left override."""
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    record = {"doc_id": "derna-floods", "title": TITLE, "outlet": "\u202eLibya Observer", "text": ARTICLE}
    (corpus / "floods.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (corpus / "dams\u202etxt.md").write_text("Two dams burst above Derna, the mayor said.\n", encoding="utf-8")
    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([corpus])
    return engine


def test_an_indexed_article_shows_no_control_on_the_card_or_in_the_terminal(hostile_engine: Engine) -> None:
    with hostile_engine as engine:
        answer = engine.answer("When did \u202ethe storm hit Derna?", k=5)
        assert answer.hits and not answer.no_answer
        assert answer.question == "When did the storm hit Derna?"
        assert "The storm hit Derna on Sunday, officials said, and the dam broke." in [h.sentence for h in answer.hits]
        shown_text = [*render_answer(answer), answer_text(answer)]
        for h in answer.hits:
            shown_text.append(source_line(h.source, html=True))
            view = engine.library.context(h.sentence_id)
            assert view is not None
            shown_text += render_context(view.source, view.paragraph, view.start, view.end)
            article = engine.library.source_view(h.sentence_id)
            assert article is not None
            shown_text += render_article(article.source, article.opening, sentences=article.sentences)
        rows, total = engine.library.sources(0, 10), engine.library.summary(0).articles
        shown_text.append(render_sources_page([(r.source, r.sentences) for r in rows], 0, total))
        shown_text += [source_line(r.source) for r in rows]
        tally = engine.library.speakers()
        shown_text.append(render_speakers(tally.speakers, tally.total_speakers, tally.total_claims))
        shown_text.append(claims_text(engine.library.claims("derna-floods")))
        summary = engine.library.summary(3)
        shown_text.append(render_no_answer(answer.question, summary.articles, summary.covers, summary.examples))
    assert "Storm hits Derna eht morf" in "\n".join(shown_text)
    assert "Libya Observer" in "\n".join(shown_text)
    assert "damstxt.md" in "\n".join(shown_text)  # the file's name, shown without its override
    for text in shown_text:
        assert_clean(text)
    assert ARABIC in "\n".join(shown_text)  # right-to-left text is still shown


def test_chat_answers_show_no_control(hostile_engine: Engine) -> None:
    out = io.StringIO()
    with hostile_engine as engine:
        chat_loop(engine, io.StringIO("when did the storm hit Derna\u202e?\n\u202e\n"), out)
    assert "officials said" in out.getvalue()
    assert_clean(out.getvalue())


# An older store, or a future reader that forgets: what the store returns is shown clean all the same.
OLD = Source(
    doc_id="old\u202e", title=TITLE, outlet="\u202eCNN", url="https://x.example/\u202estorm", published="2015\u2067",
    path="corpus/old\u202etxt.md", author="\u200bLane",
)
OLD_HIT = Hit(
    sentence_id=1,
    sentence=SENTENCE,
    score=1.0,
    attribution=Attribution("Noman\u200b Benotman", "\u202etold CNN", "reported", role="\u2066analyst"),
    source=OLD,
    also_in=[Source(doc_id="x", title="\u202eOther")],
)


def test_a_stored_title_or_sentence_with_controls_is_shown_clean() -> None:
    texts = [
        render_card(OLD_HIT, "storm\u202e Derna", 1),
        hit_text(OLD_HIT, 1),
        source_line(OLD),
        source_line(Source(doc_id="d", path="a\u202etxt.md")),
        attribution_line(OLD_HIT.attribution) or "",
        *render_article(OLD, "Opening \u202eparagraph.\n\nSecond\u200b one."),
        *render_context(OLD, SENTENCE, 0, 10),
        render_speakers([("Noman\u202e Benotman", 2)], 1, 2, OLD),
    ]
    for text in texts:
        assert_clean(text)
    assert 'href="https://x.example/storm"' in texts[0]
    assert "Storm hits Derna eht morf" in texts[0] and "Storm hits Derna eht morf" in texts[1]
