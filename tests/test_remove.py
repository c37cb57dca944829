"""Removing articles (issue 22, part 5): `Engine.removal`/`Engine.remove` and `newsbot remove` keep the store,
its word counts and the FAISS index in step, as indexing does when an article's file is gone; `newsbot feedback`
shows each sentence's text. Real SQLite and FAISS files in tmp_path, the fake encoder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from index.encoder import Encoder
from index.engine import Engine
from index.errors import ArticleNotFoundError
from index.settings import Settings
from index.store import Store
from index.vectors import read_manifest

HARBOUR = """---
title: Harbour to be dredged
---
The Harbour Council met on Tuesday. The council voted to dredge the harbour of Tobruk before spring.

Dredging starts in May, the mayor said. The budget is 3,837 euros."""

UPLOAD = "The lighthouse of Sousse was repainted white and blue in April, the port authority said."
QUESTION = "When will the harbour of Tobruk be dredged?"


@pytest.fixture
def corpus(seed_corpus: Path) -> Path:
    """Return a corpus folder with the seed article and the harbour article."""
    (seed_corpus / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    return seed_corpus


@pytest.fixture
def engine(settings: Settings, fake_encoder: Encoder, corpus: Path) -> Iterator[Engine]:
    """Return an engine over the corpus and one upload, with the fake encoder and plain fusion."""
    engine = Engine.open(Settings(data_dir=settings.data_dir, progress=False, ranker="fusion"), encoder=fake_encoder)
    engine.index_paths([corpus])
    engine.add_document("lighthouse.txt", f"{UPLOAD}\n".encode())
    yield engine
    engine.close()


def counts(store: Store) -> tuple[dict[str, int], dict[tuple[str, str], int], str | None]:
    """Return the word counts the store keeps: sentences per term, written forms, and the sentences counted."""
    db = store._db
    terms = dict(db.execute("SELECT term, sentences FROM term_counts").fetchall())
    forms = {(w, f): n for w, f, n in db.execute("SELECT word, form, n FROM word_forms").fetchall()}
    return terms, forms, store.meta("counted_sentences")


def in_step(engine: Engine) -> None:
    """Assert that the vector index holds exactly the store's sentences, and the saved manifest counts them."""
    stored = engine.store.sentence_ids()
    assert np.array_equal(np.sort(engine.vectors.ids()), stored)
    manifest = read_manifest(engine.settings.vectors_path)
    assert manifest is not None and manifest["count"] == len(stored) == engine.library.summary(0).sentences


def test_remove_takes_an_article_out_of_store_counts_and_index(
    engine: Engine, settings: Settings, fake_encoder: Encoder, seed_corpus: Path, tmp_path: Path
) -> None:
    before = engine.answer(QUESTION, k=5)
    assert any(h.source.doc_id == "harbour.md" for h in before.hits)
    [plan] = engine.removal(["Harbour to be dredged"])  # the title; doc_id and file name name it too
    assert plan.source.doc_id == "harbour.md" and plan.origin == "file" and plan.sentences == 4
    assert plan.file is not None and Path(plan.file) == seed_corpus / "harbour.md" and not plan.only_copy
    assert engine.removal(["harbour.md", "harbour"]) == [plan]  # named twice: removed once

    assert engine.remove([plan.source.doc_id]) == [plan]
    after = engine.answer(QUESTION, k=5)
    assert all(h.source.doc_id != "harbour.md" for h in after.hits)
    assert engine.store.article("harbour.md") is None and engine.store.lexical("Tobruk dredge", 10) == []
    assert engine.library.summary(0).articles == 2
    in_step(engine)
    with Engine.open(engine.settings, encoder=fake_encoder) as reopened:  # the saved index agrees
        in_step(reopened)
        assert reopened.vectors.count == engine.vectors.count

    # the word counts are as if the harbour article had never been indexed
    fresh_corpus = tmp_path / "fresh-corpus"
    fresh_corpus.mkdir()
    (fresh_corpus / "derna.txt").write_bytes((seed_corpus / "derna.txt").read_bytes())
    with Engine.open(Settings(data_dir=tmp_path / "fresh", progress=False, ranker="fusion"),
                     encoder=fake_encoder) as fresh:
        fresh.index_paths([fresh_corpus])
        fresh.add_document("lighthouse.txt", f"{UPLOAD}\n".encode())
        assert counts(engine.store) == counts(fresh.store)
    assert engine.remove(["harbour.md"]) == []  # already gone: nothing to do


def test_an_upload_is_its_stores_only_copy(engine: Engine) -> None:
    [plan] = engine.removal(["lighthouse"])
    assert plan.origin == "upload" and plan.only_copy and plan.file is None and plan.sentences == 1
    assert engine.remove([plan.source.doc_id]) == [plan]
    assert all("Sousse" not in h.sentence for h in engine.answer("When was the lighthouse of Sousse repainted?").hits)
    in_step(engine)


def test_an_unknown_or_ambiguous_name_removes_nothing(engine: Engine) -> None:
    stats = engine.library.summary(0)
    with pytest.raises(ArticleNotFoundError, match="no article matches 'Atlantis'"):
        engine.removal(["derna", "Atlantis"])
    with pytest.raises(ArticleNotFoundError, match="articles match"):
        engine.removal([".txt"])  # derna.txt and lighthouse.txt
    assert engine.library.summary(0) == stats


def test_feedback_shows_each_sentence_and_marks_a_removed_one(engine: Engine) -> None:
    answer = engine.answer(QUESTION, k=2)
    ids = [h.sentence_id for h in answer.hits]
    engine.feedback.record(QUESTION, ids, False, user_id=1, chat_id=1)
    [entry] = engine.feedback.entries()
    assert entry.sentences == [h.sentence for h in answer.hits]
    engine.remove([s.doc_id for s in engine.library.articles_of(ids)])
    [entry] = engine.feedback.entries()
    assert entry.sentence_ids == ids and entry.sentences == [None] * len(ids)


# --- the CLI, in-process with the fake encoder ----------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path, corpus: Path, fake_encoder: Encoder, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Path:
    """Return a data folder indexed by `newsbot index` with the fake encoder, with one upload."""
    import index.encoder
    import index.engine

    for module in (index.engine, index.encoder):
        monkeypatch.setattr(module, "build_encoder", lambda settings: fake_encoder)
    folder = tmp_path / "data"
    assert main(["index", str(corpus), "--data", str(folder)]) == 0
    with Engine.open(Settings(data_dir=folder, progress=False, ranker="fusion")) as engine:
        engine.add_document("lighthouse.txt", f"{UPLOAD}\n".encode())
    capsys.readouterr()
    return folder


def test_cli_remove_says_what_it_removed_and_that_the_file_brings_it_back(
    data: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remove", "harbour", "--data", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("removed Harbour to be dredged (4 sentences); its file ")
    assert str(corpus / "harbour.md") in out[0] and "the next `newsbot index` of its folder adds it back" in out[0]
    assert out[1].startswith("The index holds 2 articles and ")
    with Engine.open(Settings(data_dir=data, progress=False, ranker="fusion")) as engine:
        assert engine.store.article("harbour.md") is None
        in_step(engine)
    assert main(["index", str(corpus), "--data", str(data)]) == 0  # as said: the file brings it back
    assert "Indexed 1 new" in capsys.readouterr().out


def test_cli_remove_asks_yes_for_an_upload_and_refuses_unknown_names(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remove", "derna", "Atlantis", "--data", str(data)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "no article matches 'Atlantis'" in err

    assert main(["remove", "derna.txt", "lighthouse.txt", "--data", str(data)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "nothing removed" in err and "uploads/lighthouse.txt (uploaded in Telegram)" in err and "--yes" in err
    with Engine.open(Settings(data_dir=data, progress=False, ranker="fusion")) as engine:
        assert engine.library.summary(0).articles == 3

    assert main(["remove", "derna.txt", "lighthouse.txt", "--yes", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "removed uploads/lighthouse.txt (1 sentence)\n" in out
    assert "removed derna.txt (19 sentences); its file" in out
    with Engine.open(Settings(data_dir=data, progress=False, ranker="fusion")) as engine:
        assert [r.source.doc_id for r in engine.library.sources(0, -1)] == ["harbour.md"]
        in_step(engine)


def test_cli_feedback_shows_the_sentence_text(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Engine.open(Settings(data_dir=data, progress=False, ranker="fusion")) as engine:
        hits = engine.answer(QUESTION, k=2).hits
        engine.feedback.record(QUESTION, [h.sentence_id for h in hits], True, user_id=1, chat_id=1)
    assert main(["feedback", "--data", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"+  {QUESTION}  sentences=" in lines[0]
    assert lines[1:] == [f"    [{h.sentence_id}] {h.sentence}" for h in hits]
    assert main(["remove", hits[0].source.doc_id, "--data", str(data)]) == 0
    capsys.readouterr()
    assert main(["feedback", "--data", str(data)]) == 0
    assert f"    [{hits[0].sentence_id}] (no longer stored)" in capsys.readouterr().out.splitlines()
