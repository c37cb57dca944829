"""Tests for what an indexing run keeps and removes, how it walks folders (symlinks, unreadable folders, FIFOs,
names that are not UTF-8), its batches and progress, recovery with --rebuild and reset, and the lazily loaded
model. Real SQLite and FAISS files in tmp_path, the fake encoder where the model is not the point."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEncoder

import index.encoder
import index.engine
import index.indexer
import index.reading.attribution
from bot.cli import main
from index.encoder import MiniLMEncoder, TextKind
from index.engine import Engine
from index.errors import IndexMismatchError
from index.reading import attribute, read_paths
from index.settings import Settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_corpus(folder: Path, n: int = 6, sub: str = "") -> list[Path]:
    return [
        write(folder / sub / f"town{i}.txt", f"The harbour of Town{i} reopened on day {i}, the mayor said.\n")
        for i in range(n)
    ]


def open_engine(settings: Settings, encoder: FakeEncoder | None = None) -> Engine:
    return Engine.open(settings, encoder=encoder or FakeEncoder())


def doc_ids(engine: Engine) -> set[str]:
    return {d for d, _o, _p, _f in engine.store.article_files()}


def assert_consistent(engine: Engine) -> None:
    ids, _ = engine.store.all_vectors(engine.vectors.dimension)
    assert np.array_equal(np.sort(engine.vectors.ids()), ids)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    make_corpus(folder)
    return folder


# -- what a run keeps and removes ------------------------------------------------------------------------


def test_indexing_one_file_keeps_every_other_article(settings: Settings, corpus: Path, tmp_path: Path) -> None:
    engine = open_engine(settings)
    engine.index_paths([corpus])
    new = write(corpus / "new.txt", "The bridge to Tobruk opened on Friday.\n")
    report = engine.index_paths([new])
    assert report.articles_added == 1 and report.articles_removed == 0
    assert doc_ids(engine) == {f"town{i}.txt" for i in range(6)} | {"new.txt"}
    # a file from elsewhere adds too, and removes nothing
    other = write(tmp_path / "elsewhere" / "far.txt", "Far away a ship docked.\n")
    assert engine.index_paths([other]).articles_removed == 0
    assert len(doc_ids(engine)) == 8
    assert_consistent(engine)


def test_a_folder_mirrors_only_what_came_from_inside_it(settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 3)
    inner = make_corpus(corpus, 3, sub="sub")
    engine = open_engine(replace(settings, corpus_dir=corpus))
    engine.index_paths([corpus])
    engine.add_document("upload.txt", b"An uploaded report on the port of Sirte.\n")
    inner[0].unlink()
    report = engine.index_paths([corpus / "sub"])
    assert report.removed == ["sub/town0.txt"] and report.articles_removed == 1
    assert report.articles_unchanged == 2, "files inside the corpus keep their names whichever folder is given"
    assert doc_ids(engine) == {f"town{i}.txt" for i in range(3)} | {"sub/town1.txt", "sub/town2.txt"} | {
        "uploads/upload.txt"
    }
    (corpus / "town1.txt").unlink()
    report = engine.index_paths([corpus])
    assert report.removed == ["town1.txt"]
    assert "uploads/upload.txt" in doc_ids(engine)
    assert_consistent(engine)


def test_articles_indexed_before_files_were_recorded_are_kept_by_a_file_run(
    settings: Settings, corpus: Path
) -> None:
    engine = open_engine(replace(settings, corpus_dir=corpus))
    engine.index_paths([corpus])
    with engine.store.transaction() as db:  # as a store made before the file column existed
        db.execute("UPDATE articles SET file = NULL")
        db.execute("DELETE FROM meta")
    new = write(corpus / "new.txt", "The bridge to Tobruk opened on Friday.\n")
    assert engine.index_paths([new]).articles_removed == 0
    assert len(doc_ids(engine)) == 7
    (corpus / "town5.txt").unlink()
    assert engine.index_paths([corpus]).removed == ["town5.txt"]


def test_a_run_removing_many_articles_names_each(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    data = str(settings.data_dir)
    assert main(["index", str(corpus), "--data", data]) == 0
    capsys.readouterr()
    keep = write(corpus / "keep.txt", "One article stays.\n")
    for p in corpus.glob("town*.txt"):
        p.unlink()
    assert main(["index", str(corpus), "--data", data]) == 0
    out = capsys.readouterr().out
    assert {line for line in out.splitlines() if line.startswith("removed ")} == {
        f"removed town{i}.txt" for i in range(6)
    }
    assert "removed 6" in out and keep.exists()


# -- walking folders ----------------------------------------------------------------------------------------


def test_an_unreadable_subfolder_keeps_its_articles_with_a_warning(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_corpus(corpus, 2, sub="private")
    engine = open_engine(settings)
    engine.index_paths([corpus])
    assert len(doc_ids(engine)) == 8
    real = os.scandir
    locked = corpus / "private"

    def scandir(path=None):  # as root, chmod 000 does not stop a listing: refuse it here, as the kernel would
        if path is not None and Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path) if path is not None else real()

    monkeypatch.setattr(os, "scandir", scandir)
    report = engine.index_paths([corpus])
    assert report.articles_removed == 0 and len(doc_ids(engine)) == 8
    [problem] = report.problems
    assert problem.name == "private/" and "permission denied" in problem.reason and "kept" in problem.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder; the test above simulates it")
def test_a_chmod_000_subfolder_keeps_its_articles(settings: Settings, corpus: Path) -> None:
    make_corpus(corpus, 2, sub="private")
    engine = open_engine(settings)
    engine.index_paths([corpus])
    (corpus / "private").chmod(0)
    try:
        report = engine.index_paths([corpus])
    finally:
        (corpus / "private").chmod(0o755)
    assert report.articles_removed == 0 and report.problems[0].name == "private/"


def test_symlinked_folders_and_files_are_followed_with_follow_links_and_loops_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 1, sub="a")
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "far.txt", "Far away a ship docked.\n")
    write(tmp_path / "single.md", "A single linked file.\n")
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "file.md").symlink_to(tmp_path / "single.md")
    (corpus / "a" / "loop").symlink_to(corpus / "a", target_is_directory=True)
    (corpus / "a" / "up").symlink_to(corpus, target_is_directory=True)
    (elsewhere / "back").symlink_to(corpus, target_is_directory=True)  # out and back in: still read once
    reading = read_paths([corpus], follow_links=True)
    assert [a.doc_id for a in reading.articles] == ["a/town0.txt", "file.md", "linked/far.txt"]
    assert {p.name for p in reading.problems} == {"a/loop/", "a/up/", "linked/back/"}
    assert all("symlink loop" in p.reason for p in reading.problems)
    assert reading.links_outside == {}


def test_links_that_lead_outside_the_folder_are_skipped_with_one_summary(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 2)
    write(corpus / "sub" / "inner.txt", "Inside the corpus a ferry left the harbour.\n")
    write(tmp_path / "secret" / "key.txt", "The secret password is swordfish.\n")
    write(tmp_path / "outside.txt", "A linked file outside the corpus.\n")
    (corpus / "secretlink").symlink_to(tmp_path / "secret", target_is_directory=True)
    (corpus / "x.txt").symlink_to(tmp_path / "outside.txt")
    (corpus / "alias.txt").symlink_to(corpus / "town1.txt")  # inside: fine, but the file is read once
    (corpus / "also").symlink_to(corpus / "sub", target_is_directory=True)  # inside: read once, by its own path
    reading = read_paths([corpus])
    assert [a.doc_id for a in reading.articles] == ["sub/inner.txt", "town0.txt", "town1.txt"]
    assert reading.links_outside == {f"{corpus.as_posix()}/": ["secretlink", "x.txt"]}
    assert [p.name for p in reading.problems] == ["also/"]  # the second way to sub/, as for any loop


def test_the_cli_skips_links_outside_the_corpus_in_one_line_and_removes_what_came_through_them(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 2)
    outside = tmp_path / "etc"
    for i in range(30):
        write(outside / f"conf{i}.conf", "not an article\n")
    write(outside / "passwd.txt", "The root password of the server is hunter2.\n")
    write(tmp_path / "far.txt", "A linked file outside the corpus says the password is swordfish.\n")
    (corpus / "etclink").symlink_to(outside, target_is_directory=True)
    (corpus / "x.txt").symlink_to(tmp_path / "far.txt")
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    data = ["--data", str(settings.data_dir)]

    assert main(["index", str(corpus), *data]) == 0
    out, err = capsys.readouterr()
    assert [line for line in err.splitlines() if line.startswith("skipped")] == [
        f"skipped 2 links that lead outside {corpus.as_posix()}/ (etclink, x.txt); pass --follow-links to read them"
    ]
    assert "Indexed 2 new" in out
    engine = open_engine(settings)
    assert doc_ids(engine) == {"town0.txt", "town1.txt"}
    engine.close()

    assert main(["index", str(corpus), "--follow-links", *data]) == 0
    out, err = capsys.readouterr()
    assert "Indexed 2 new" in out and "links that lead outside" not in err
    engine = open_engine(settings)
    assert doc_ids(engine) == {"town0.txt", "town1.txt", "etclink/passwd.txt", "x.txt"}
    engine.close()

    assert main(["index", str(corpus), *data]) == 0  # without the flag again: what came through them goes
    out, _ = capsys.readouterr()
    assert "removed 2" in out
    engine = open_engine(settings)
    assert doc_ids(engine) == {"town0.txt", "town1.txt"}
    assert all("password" not in h.sentence for h in engine.answer("What is the root password?").hits)
    engine.close()


def test_a_folder_given_through_a_link_is_the_root_of_its_walk(tmp_path: Path) -> None:
    real = tmp_path / "real"
    make_corpus(real, 1)
    write(real / "sub" / "inner.txt", "Inside a ferry left.\n")
    (real / "again").symlink_to(real / "sub", target_is_directory=True)
    write(tmp_path / "far.txt", "Far away.\n")
    (real / "far.txt").symlink_to(tmp_path / "far.txt")
    given = tmp_path / "given"
    given.symlink_to(real, target_is_directory=True)
    reading = read_paths([given])
    assert [a.doc_id for a in reading.articles] == ["sub/inner.txt", "town0.txt"]
    assert reading.links_outside == {f"{given.as_posix()}/": ["far.txt"]}


def test_a_fifo_does_not_hang_the_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 1)
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "null.txt").symlink_to(os.devnull)
    done: list = []

    def read() -> None:
        reading = read_paths([corpus], follow_links=True)  # /dev/null lies outside the corpus
        done.append((reading.articles, reading.problems))

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(60)  # a liveness bound, not a speed test: on a blocking open it never finishes
    assert done, "reading a folder with a FIFO in it hung"
    articles, problems = done[0]
    assert [a.doc_id for a in articles] == ["town0.txt"]
    assert [(p.name, p.reason) for p in problems] == [
        ("null.txt", "not a regular file (a device), skipped"),
        ("pipe.txt", "not a regular file (a FIFO), skipped"),
    ]


def test_a_file_name_that_is_not_utf8_is_read_and_the_rest_indexed(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = os.path.join(os.fsencode(corpus), b"caf\xe9.txt")
    with open(bad, "wb") as f:
        f.write(b"The cafe on the corner of the harbour reopened on Monday.\n")
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    assert main(["index", str(corpus), "--data", str(settings.data_dir)]) == 0
    assert "Indexed 7 new" in capsys.readouterr().out
    engine = open_engine(settings)
    assert "caf\\xe9.txt" in doc_ids(engine)
    hits = engine.answer("When did the cafe on the corner of the harbour reopen?").hits
    assert hits and "cafe" in hits[0].sentence
    # unreadable under that name too: reported by its escaped name, the rest indexed
    os.unlink(bad)
    os.symlink(b"/nonexistent/target", bad)
    report = engine.index_paths([corpus])
    assert [p.name for p in report.problems] == ["caf\\xe9.txt"] and report.articles_removed == 0


# -- batches and progress ---------------------------------------------------------------------------------


class FailingEncoder(FakeEncoder):
    """The fake encoder, dying on its n-th call as a killed run would."""

    def __init__(self, fail_on: int) -> None:
        self.calls = 0
        self.fail_on = fail_on

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on:
            raise KeyboardInterrupt
        return super().encode(texts, kind, progress)


def test_a_stopped_run_keeps_the_batches_it_finished(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.indexer, "BATCH_SENTENCES", 2)
    engine = open_engine(settings, FailingEncoder(fail_on=3))
    with pytest.raises(KeyboardInterrupt):
        engine.index_paths([corpus])
    engine.close()
    engine = open_engine(settings)  # the index was not saved: healed from the stored vectors
    assert len(doc_ids(engine)) == 4
    assert_consistent(engine)
    report = engine.index_paths([corpus])
    assert report.articles_added == 2 and report.articles_unchanged == 4
    assert len(doc_ids(engine)) == 6
    assert_consistent(engine)


def test_progress_is_shown_from_the_start(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(index.indexer, "BATCH_SENTENCES", 2)
    engine = open_engine(replace(settings, progress=True))
    engine.index_paths([corpus])
    err = capsys.readouterr().err
    assert "0/6" in err and "6/6" in err


# -- recovery: --rebuild keeps everything, reset empties ---------------------------------------------------


def indexed_with_extras(settings: Settings, corpus: Path) -> Engine:
    engine = open_engine(settings)
    engine.index_paths([corpus])
    engine.add_document("upload.md", b"---\ntitle: Sirte port\n---\nThe port of Sirte handled 900 ships.\n")
    engine.feedback.record("how many ships", [1], True, user_id=1, chat_id=1)
    return engine


def test_rebuild_keeps_uploads_and_feedback(settings: Settings, corpus: Path) -> None:
    engine = indexed_with_extras(settings, corpus)
    before = engine.library.summary(0)
    engine.close()
    settings.vectors_path.write_bytes(b"damaged")
    assert Engine.rebuild(settings, encoder=FakeEncoder()) == 0
    engine = open_engine(settings)
    assert engine.library.summary(0) == before and len(engine.store.feedback()) == 1
    assert "900 ships" in engine.answer("How many ships did the port of Sirte handle?").hits[0].sentence
    assert_consistent(engine)
    with engine.store.transaction() as db:  # a store made before the model was recorded: re-embedded once
        db.execute("DELETE FROM meta")
    engine.close()
    assert Engine.rebuild(settings, encoder=FakeEncoder()) == before.sentences
    assert Engine.rebuild(settings, encoder=FakeEncoder()) == 0


class OtherEncoder(FakeEncoder):
    model_id = "another-fake-encoder"
    dimension = 32


def test_rebuild_re_embeds_when_another_model_made_the_vectors(settings: Settings, corpus: Path) -> None:
    engine = indexed_with_extras(settings, corpus)
    n = engine.library.summary(0).sentences
    engine.close()
    with pytest.raises(IndexMismatchError, match="newsbot index --rebuild"):
        Engine.open(settings, encoder=OtherEncoder())
    for p in (settings.vectors_path, Path(f"{settings.vectors_path}.json")):
        p.unlink()
    with pytest.raises(IndexMismatchError, match="newsbot index --rebuild"):  # the store's vectors do not fit
        Engine.open(settings, encoder=OtherEncoder())
    assert Engine.rebuild(settings, encoder=OtherEncoder()) == n
    engine = Engine.open(settings, encoder=OtherEncoder())
    assert engine.library.summary(0).sentences == n and engine.vectors.count == n and len(engine.store.feedback()) == 1
    assert "900 ships" in engine.answer("How many ships did the port of Sirte handle?").hits[0].sentence
    assert engine.index_paths([corpus]).changed is False


def test_deleting_the_index_file_heals_on_open(settings: Settings, corpus: Path) -> None:
    engine = indexed_with_extras(settings, corpus)
    n = engine.vectors.count
    engine.close()
    settings.vectors_path.unlink()
    engine = open_engine(settings)
    assert engine.vectors.count == n and settings.vectors_path.exists()
    assert_consistent(engine)


def test_cli_rebuild_keeps_uploads(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    indexed_with_extras(settings, corpus).close()
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    assert main(["index", str(corpus), "--rebuild", "--data", str(settings.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Rebuilt the vector index (from the stored vectors)" in out and "Nothing to do" in out
    assert "uploads/upload.md" in doc_ids(open_engine(settings))


def test_reset_asks_for_yes_then_empties_the_data_folder(
    settings: Settings, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    indexed_with_extras(settings, corpus).close()
    data = str(settings.data_dir)
    assert main(["reset", "--data", data]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newsbot.sqlite3" in err and "--yes" in err
    assert settings.db_path.exists() and settings.vectors_path.exists()
    assert main(["reset", "--yes", "--data", data]) == 0
    assert not settings.db_path.exists() and not settings.vectors_path.exists()
    assert main(["reset", "--data", data]) == 0 and "Nothing to delete" in capsys.readouterr().out


# -- the model is loaded only to embed ---------------------------------------------------------------------


class MiniLMShaped(FakeEncoder):
    """The fake encoder under the real model's name and size, to make a store the real encoder accepts."""

    model_id = MiniLMEncoder.model_id
    dimension = MiniLMEncoder.dimension


def test_a_run_with_nothing_to_do_does_not_load_the_model(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine.open(settings, encoder=MiniLMShaped())
    engine.index_paths([corpus])
    engine.close()

    def refuse(model_dir: Path):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(index.encoder, "_load", refuse)
    encoder = MiniLMEncoder()
    engine = Engine.open(settings, encoder=encoder)
    assert engine.index_paths([corpus]).changed is False
    assert not encoder.loaded and encoder.dimension == 384


def test_constructing_the_encoder_imports_no_torch() -> None:
    code = "import sys; from index.encoder import MiniLMEncoder; MiniLMEncoder(); print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


# -- attribution rules that changed -----------------------------------------------------------------------------


class CountingEncoder(FakeEncoder):
    """The fake encoder, counting the texts it embeds."""

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return the fake vectors, counting the texts."""
        self.encoded += len(texts)
        return super().encode(texts, kind, progress)


def stale_attributions(engine: Engine, rules: str | None) -> None:
    """Make the store look attributed by older rules: every row names someone else, the meta says `rules`."""
    with engine.store.transaction() as db:
        db.execute("UPDATE attributions SET speaker = 'Old Rules', kind = 'reported', as_written = NULL")
        if rules is None:  # a store made before the version was recorded
            db.execute("DELETE FROM meta WHERE key = ?", (index.indexer.ATTRIBUTION_KEY,))
        else:
            engine.store.set_meta(db, index.indexer.ATTRIBUTION_KEY, rules)


def expected_attributions(engine: Engine) -> dict[int, object]:
    """Return sentence id → what today's rules say of it, from the stored sentences."""
    out: dict[int, object] = {}
    for stored in engine.store.split_articles().values():
        out.update(zip([sid for sid, _ in stored], attribute([s for _, s in stored]), strict=True))
    return out


@pytest.mark.parametrize("rules", [None, "1"])
def test_stored_articles_are_re_attributed_once_when_the_rules_change(
    settings: Settings, corpus: Path, rules: str | None
) -> None:
    write(corpus / "quote.txt", '"The port is open," Gen. Ada Quill, the harbour master, said.\n\nShe added more.\n')
    engine = open_engine(settings)
    engine.index_paths([corpus])
    wanted = expected_attributions(engine)
    assert any(a.speaker for a in wanted.values())  # type: ignore[attr-defined]
    stale_attributions(engine, rules)
    ids, vectors = engine.store.all_vectors(engine.vectors.dimension)
    saved = settings.vectors_path.read_bytes()
    engine.close()

    encoder = CountingEncoder()
    engine = open_engine(settings, encoder)
    report = engine.index_paths([corpus])
    assert report.reattributed == 7 and not report.changed
    stored = {s.id: s.attribution for d in doc_ids(engine) for s in engine.library.attributions(d)}
    assert stored == wanted and "Old Rules" not in engine.store.speakers()
    assert engine.store.meta(index.indexer.ATTRIBUTION_KEY) == str(index.reading.attribution.RULES_VERSION)
    again_ids, again_vectors = engine.store.all_vectors(engine.vectors.dimension)  # vectors untouched
    assert encoder.encoded == 0 and np.array_equal(again_ids, ids) and np.array_equal(again_vectors, vectors)
    assert settings.vectors_path.read_bytes() == saved
    assert engine.index_paths([corpus]).reattributed == 0  # once
    engine.close()


def test_a_new_store_records_the_attribution_rules_and_re_attributes_nothing(settings: Settings, corpus: Path) -> None:
    engine = open_engine(settings)
    assert engine.index_paths([corpus]).reattributed == 0
    assert engine.store.meta(index.indexer.ATTRIBUTION_KEY) == str(index.reading.attribution.RULES_VERSION)
    engine.close()


def test_cli_index_says_it_re_attributed(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_engine(settings)
    engine.index_paths([corpus])
    stale_attributions(engine, "1")
    engine.close()
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    assert main(["index", str(corpus), "--data", str(settings.data_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "re-attributed 6 articles: attribution rules changed" and out[1].startswith("Nothing to do")
    assert main(["index", str(corpus), "--data", str(settings.data_dir)]) == 0
    assert "re-attributed" not in capsys.readouterr().out
