"""Property-based tests: thousands of generated hostile articles (binary, invalid UTF-8, huge lines, nested markup
and JSON, malformed JSONL and front matter, random Unicode) through the readers and the indexer, and thousands of
generated questions through `Engine.answer`; nothing raises but a documented `NewsbotError`, and what was indexed
before stays answerable. Real SQLite and FAISS files in tmp_path, the fake encoder."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cards import MAX_MESSAGE, render_answer, render_card, render_no_answer, render_sources_page
from bot.render import answer_text, hit_text, source_line
from index.characters import without_hidden
from index.encoder import Encoder
from index.engine import Engine
from index.errors import NewsbotError, ReadError
from index.model import METADATA_LIMITS, Attribution, Hit, Source
from index.reading import read_articles, read_document, read_html
from index.settings import Settings

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as examples  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ARTICLE_FOLDERS = 400  # five files each: 2,000 generated documents
QUESTIONS = 2000
CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."
BOUNDED = examples(
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# Every code point, lone surrogates included (they become invalid UTF-8 when written out).
ANY_CHAR = st.characters(exclude_categories=())
PIECES = st.sampled_from(
    [
        "storm", "Derna", "said", "Crete", "the", ".", "!", "?", ",", " ", "  ", "\n", "\n\n", "\r\n", "\t",
        "---", "...", "[", "]", "{", "}", "<div>", "</div>", "<p>", "&amp;", '"', "“", "”", "…", "Mr.", "U.S.",
        "\x00", "\x1b", "\u200b", "\ufeff", "\u2028", "é", "한", "🙂", "\ud800", "**", "_", "#", "> ", "- ",
        "\u202e", "\u2067", "\u2069", "\u200f", "\u200d", "\u200c", "\u00ad", "\u2060", "قال", "שלום",
        "title:", "url:", "&a", "*a", "http://", "1" * 50,
    ]
)
TEXT = st.one_of(st.text(ANY_CHAR, max_size=300), st.lists(PIECES, max_size=120).map("".join))


def _encoded(text: str) -> bytes:
    """Return text as UTF-8, lone surrogates written out as the invalid bytes they would be."""
    return text.encode("utf-8", "surrogatepass")


def _repeated(unit: str, size: int) -> bytes:
    """Return `unit` repeated to about `size` characters, as UTF-8."""
    return _encoded(unit * max(1, size // len(unit)))


HUGE = st.builds(
    _repeated, st.sampled_from(["x", "word ", "[", "{\"a\":", "<div>", "- ", "a, b; ", "Storm hit. "]),
    st.integers(1_000, 120_000),
)
NESTED = st.builds(
    lambda opening, depth, middle: _encoded(opening * depth + middle),
    st.sampled_from(["[", "{", "{\"a\": ", "<div>", "<b><i>", "> ", "- ", "  - "]),
    st.integers(1, 20_000),
    TEXT,
)
INVALID_UTF8 = st.builds(
    lambda text, bad, at: _encoded(text)[:at] + bad + _encoded(text)[at:],
    TEXT, st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xfe\xff"]),
    st.integers(0, 50),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "doc_id": st.one_of(TEXT, st.integers(), JSON_VALUE, st.just("d" * 5000)),
        "id": JSON_VALUE,
        "text": st.one_of(TEXT, JSON_VALUE),
        "title": st.one_of(TEXT, JSON_VALUE, st.just("T" * 100_000)),
        "url": st.one_of(TEXT, st.just("https://x.example/" + "u" * 5000), st.just("javascript:alert(1)")),
        "outlet": JSON_VALUE,
        "published": JSON_VALUE,
        "author": JSON_VALUE,
    },
)
JSONL_LINE = st.one_of(
    RECORD.map(lambda r: json.dumps(r, ensure_ascii=False)),
    st.builds(lambda d: "[" * d, st.integers(1, 50_000)),
    st.builds(lambda n: '{"doc_id": ' + "9" * n + ', "text": "x"}', st.integers(1, 6000)),
    TEXT.map(lambda t: re.sub(r"[\n\r\u2028\u2029\x85]", " ", t)),
)
JSONL = st.lists(JSONL_LINE, max_size=6).map(lambda lines: _encoded("\n".join(lines)))
YAML_LINE = st.one_of(
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(["title", "url", "outlet", "published", "author", "x"]), TEXT),
    st.sampled_from(
        [
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\ntitle: *b",
            "published: 2024-13-45", "published: 2024-02-30 25:61:00", "title: !!python/object:os.system x",
            "title: [unclosed", "- a\n- b", "title: {a: {b: {c: {d: 1}}}}", "url: http://exa mple.com",
            "title: " + "T" * 5000, "outlet: 99999999999999999999999999999999999999999",
        ]
    ),
    st.builds(lambda d: "title: " + "[" * d, st.integers(1, 3000)),
)
FRONT_MATTER = st.builds(
    lambda lines, closed, body: _encoded("---\n" + "\n".join(lines) + ("\n---\n" if closed else "\n") + body),
    st.lists(YAML_LINE, max_size=5), st.booleans(), TEXT,
)
CONTENT = st.one_of(
    st.binary(max_size=2000), TEXT.map(_encoded), INVALID_UTF8, HUGE, NESTED, JSONL, FRONT_MATTER,
)
SUFFIX = st.sampled_from([".txt", ".md", ".html", ".htm", ".jsonl", ".TXT", ".pdf", ""])
FOLDER = st.lists(st.tuples(SUFFIX, CONTENT), min_size=5, max_size=5)
QUESTION = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.lists(PIECES, max_size=40).map("".join),
    st.sampled_from(["", " ", "\n\t ", "\x00", "\ud800", "\udcff?", "how far is Crete?", "?" * 999]),
    st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "Derna ", "\u200b", " "]), st.integers(900, 200_000)),
)


@pytest.fixture
def engine(settings: Settings, fake_encoder: Encoder, seed_corpus: Path) -> Iterator[Engine]:
    """Return a real engine (SQLite and FAISS in tmp_path, the fake encoder) over the seed article."""
    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([seed_corpus])
    assert_crete_answerable(engine)
    yield engine
    engine.close()


def assert_crete_answerable(engine: Engine) -> None:
    """Fail unless the seed's Crete sentence is still found when asked for."""
    answer = engine.answer(CRETE, k=5)
    assert CRETE in [h.sentence for h in answer.hits]


# Written out from issue 20: the controls that reorder a line and the invisible characters, which nothing
# stored or shown may hold (nor control characters, bar the newline).
HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u180e\u00ad\x00-\x09\x0b-\x1f]")


def assert_clean(text: str) -> None:
    """Fail if the text holds a bidirectional control, an invisible character or a joiner that joins nothing."""
    assert HIDDEN.search(text) is None, repr(text)
    assert without_hidden(text) == text, repr(text)


def assert_bounded(article_source: Source) -> None:
    """Fail unless every metadata field of a source is within its limit and its URL is a web link."""
    for name, limit in METADATA_LIMITS.items():
        value = getattr(article_source, name)
        assert value is None or len(value) <= limit, name
    url = article_source.url
    assert url is None or (re.match(r"https?://", url, re.IGNORECASE) and not re.search(r"\s", url))


@pytest.mark.slow
def test_generated_documents_never_crash_the_readers_or_the_index(engine: Engine, tmp_path: Path) -> None:
    count = iter(range(10**9))

    @examples(BOUNDED, max_examples=ARTICLE_FOLDERS)
    @given(FOLDER)
    def check(files: list[tuple[str, bytes]]) -> None:
        folder = tmp_path / "generated" / str(next(count))
        folder.mkdir(parents=True)
        for i, (suffix, data) in enumerate(files):
            (folder / f"doc{i}{suffix}").write_bytes(data)
        articles, problems = read_articles([folder])
        for article in articles:
            assert article.text.strip()
            assert_bounded(article.source)
            s = article.source
            for value in (article.text, s.title, s.outlet, s.author, s.published, s.url):
                assert_clean(value or "")
        assert all(p.name and p.reason for p in problems)
        for i, (suffix, data) in enumerate(files):
            name = f"doc{i}{suffix}"
            with contextlib.suppress(ReadError):
                engine.add_document(name, data)  # read_document, then split, attribute, embed, store
            if suffix in (".html", ".htm"):
                with contextlib.suppress(ReadError):
                    read_html(data.decode("utf-8", "replace"), url="https://x.example/page")
        with contextlib.suppress(ReadError):
            read_document("whole.jsonl", b"\n".join(data for _, data in files))
        assert_crete_answerable(engine)

    check()


@pytest.mark.slow
def test_generated_questions_get_an_answer_or_a_newsbot_error(engine: Engine) -> None:
    engine.add_document("storm.md", b"---\ntitle: " + b"T" * 100_000 + b"\n---\nA storm hit the coast.\n")

    @examples(BOUNDED, max_examples=QUESTIONS)
    @given(QUESTION)
    def check(question: str) -> None:
        try:
            answer = engine.answer(question, k=3)
        except NewsbotError:
            return
        assert len(answer_text(answer)) < 20_000
        assert len(render_answer(answer)) <= 1 or all(len(m) <= MAX_MESSAGE for m in render_answer(answer))
        for text in (answer.question, answer_text(answer), *render_answer(answer)):
            assert_clean(text)
        assert_clean(render_no_answer(question, 1, [], []))

    check()
    assert_crete_answerable(engine)


SHOWN_TEXT = st.one_of(st.none(), TEXT)


@examples(BOUNDED, max_examples=300)
@given(TEXT, SHOWN_TEXT, SHOWN_TEXT, SHOWN_TEXT, SHOWN_TEXT, SHOWN_TEXT, TEXT)
def test_whatever_a_store_holds_is_shown_without_controls(
    sentence: str, title: str | None, outlet: str | None, url: str | None, path: str | None, speaker: str | None,
    question: str,
) -> None:
    """A store written before the readers dropped these characters, or anything they miss: the card and the
    terminal show none of them."""
    source = Source(doc_id="d\u202e", title=title, outlet=outlet, url=url, path=path)
    hit = Hit(1, sentence, 1.0, Attribution(speaker, "said", "reported"), source, also_in=[source])
    for text in (
        render_card(hit, question, 1), hit_text(hit, 1), source_line(source),
        source_line(source, html=True),
        render_sources_page([(source, 3)], 0, 1), render_no_answer(question, 1, [source], [sentence]),
    ):
        assert_clean(text)
