"""The engine's views, one call for each reply a front end sends: the Context and Source buttons, the /start and
"nothing relevant" summaries, the feedback list (real SQLite and FAISS in tmp_path; the fake encoder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.encoder import Encoder
from index.engine import Engine
from index.settings import Settings


@pytest.fixture
def engine(settings: Settings, fake_encoder: Encoder, seed_corpus: Path) -> Iterator[Engine]:
    """Return an engine over the seed article, with the fake encoder."""
    engine = Engine.open(settings, encoder=fake_encoder)
    engine.index_paths([seed_corpus])
    yield engine
    engine.close()


def test_context_view_is_the_paragraph_around_a_sentence_and_its_neighbours(engine: Engine) -> None:
    [row] = engine.library.sources(0, 1)
    sid = 5
    view = engine.library.context(sid)
    hit = engine.library.hit(sid)
    assert view is not None and hit is not None and view.source == row.source
    assert view.paragraph[view.start : view.end] == hit.sentence == view.sentence
    assert (view.before, view.after) == (hit.before, hit.after)
    assert engine.library.context(10**6) is None


def test_source_view_is_the_article_its_opening_and_its_sentence_count(engine: Engine) -> None:
    [row] = engine.library.sources(0, 1)
    view = engine.library.source_view(5, opening=300)
    assert view is not None
    assert view.source == row.source and view.sentences == row.sentences
    found = engine.library.article(row.source.doc_id)
    assert found is not None and found[1].startswith(view.opening) and len(view.opening) == 300
    assert engine.library.source_view(10**6) is None


def test_summary_counts_covers_and_examples(engine: Engine) -> None:
    stats = engine.library.summary(0)
    summary = engine.library.summary(examples=2, covers=3)
    assert (summary.articles, summary.sentences, summary.newest) == (stats.articles, stats.sentences, stats.newest)
    assert summary.covers == [s.source for s in engine.library.sources(0, 3)]
    assert summary.examples == engine.library.example_questions(2)
    assert engine.library.summary(examples=0).covers == [] and engine.library.summary(examples=0).examples == []


def test_feedback_lists_what_readers_marked(engine: Engine) -> None:
    engine.feedback.record("who runs Derna", [2, 3], False, user_id=1, chat_id=1)
    [entry] = engine.feedback.entries()
    assert (entry.question, entry.sentence_ids, entry.helpful) == ("who runs Derna", [2, 3], False)
    assert entry.sentences == [h.sentence for h in (engine.library.hit(2), engine.library.hit(3)) if h is not None]
    assert entry.at
