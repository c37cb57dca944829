"""The model run by onnxruntime (NEWSBOT_ENCODER=onnx, the default): exported once from the bundled weights into the
data folder with a JSON that describes it, checked against sentence-transformers on probe sentences (a failing
check is refused), exported again when stale or damaged, giving the vectors and answers torch gives, and answering
a question in a process that never imports torch or transformers. Real model, real files in tmp_path."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_seed_questions import SEED_QUESTIONS

import index.onnx_model
from index.encoder import MPNET_DIR, Encoder, MiniLMEncoder, MPNetEncoder
from index.engine import Engine, build_encoder
from index.errors import ConfigError, ModelError
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    "How far is Derna from Crete?",
    "Where are the ISIS fighters training new recruits?",
    "Derna is situated on Libya's northern border along the Mediterranean Sea.",
    "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea.",
    "derna. The terror group conducts executions in the city's soccer stadium.",
    "So far, Obama has stood by his decision to limit the military campaign to the air.",
    "The central bank raised rates by 0.25 percentage points on Wednesday.",
    "\"We will not negotiate,\" the minister told reporters in Brussels.",
    "Storms left 40,000 homes without power across the region, officials said.",
    "Who said the ground troops are still on the table?",
    "hi",
    "thank you so much",
    "Die Regierung kündigte am Montag neue Maßnahmen an.",
    "El presidente viajó a Madrid para reunirse con los líderes europeos.",
    "Shares of the company fell 12% after it cut its forecast.",
    "The match was postponed because of heavy rain.",
    "A spokesperson declined to comment on the report.",
    "Scientists found traces of water on the planet's surface.",
    " ".join(["The committee will publish its findings next spring, the chairman said."] * 40),
    "Police arrested three people in connection with the attack.",
]


# -- NEWSBOT_ENCODER and NEWSBOT_ONNX_DIR, read once into the settings -----------------------------------------


def test_newsbot_encoder_is_read_once_into_the_settings() -> None:
    assert Settings.from_env({}).encoder == "onnx"  # the default
    assert Settings.from_env({"NEWSBOT_ENCODER": " Torch "}).encoder == "torch"
    assert Settings.from_env({"NEWSBOT_ENCODER": "onnx-int8"}).encoder == "onnx-int8"
    with pytest.raises(ConfigError, match=r"NEWSBOT_ENCODER must be one of onnx, torch, onnx-int8 .*not 'tf'"):
        Settings.from_env({"NEWSBOT_ENCODER": "tf"})


def test_the_export_goes_into_the_data_folder_unless_newsbot_onnx_dir_says_otherwise(tmp_path: Path) -> None:
    settings = Settings.from_env({"NEWSBOT_DATA": str(tmp_path / "data")})
    assert settings.export_dir == tmp_path / "data"
    encoder = build_encoder(settings)
    assert isinstance(encoder, MiniLMEncoder) and encoder.runtime == "onnx" and not encoder.loaded
    assert encoder.export_paths() == (
        tmp_path / "data" / "all-MiniLM-L6-v2.onnx", tmp_path / "data" / "all-MiniLM-L6-v2.onnx.json"
    )
    elsewhere = Settings.from_env({"NEWSBOT_DATA": str(tmp_path / "data"), "NEWSBOT_ONNX_DIR": str(tmp_path / "m")})
    assert build_encoder(elsewhere).export_paths()[0] == tmp_path / "m" / "all-MiniLM-L6-v2.onnx"  # type: ignore[attr-defined]
    torch_run = build_encoder(Settings(data_dir=tmp_path, encoder="torch"))
    assert isinstance(torch_run, MiniLMEncoder) and torch_run.runtime == "torch"


# -- the export ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_export_describes_itself_and_passed_its_probe_check(minilm: Encoder, onnx_dir: Path) -> None:
    minilm.load()
    onnx, described = minilm.export_paths()  # type: ignore[attr-defined]
    assert onnx.parent == onnx_dir and onnx.is_file()
    weights = index.onnx_model.weights_file(onnx)
    assert weights.name == "all-MiniLM-L6-v2.onnx.data" and weights.stat().st_size > 80_000_000
    assert onnx.stat().st_size < 1_000_000  # the graph alone: the weights are mapped from their own file
    d = json.loads(described.read_text())
    assert d["weights_file"] == weights.name and d["weights_file_sha256"] == index.onnx_model.sha256_file(weights)
    assert d["model_id"] == "sentence-transformers/all-MiniLM-L6-v2" and d["int8"] is False
    assert d["weights_sha256"] == MiniLMEncoder.sha256 and d["max_seq_length"] == 256
    assert d["probe_min_cosine"] >= 0.9999 and d["probes"] == len(index.onnx_model.PROBES)
    assert d["onnxruntime"] and d["torch"] and d["created"].endswith("Z")
    assert d["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]
    assert not list(onnx_dir.glob("*.tmp*"))  # written atomically: no temporary file left


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers_row_by_row(minilm: Encoder, minilm_torch: Encoder) -> None:
    onnx_batch = minilm.encode(SENTENCES, "document")
    torch_batch = minilm_torch.encode(SENTENCES, "document")
    assert onnx_batch.shape == torch_batch.shape == (len(SENTENCES), 384) and onnx_batch.dtype == np.float32
    assert (onnx_batch * torch_batch).sum(axis=1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(onnx_batch, axis=1), 1.0, atol=1e-5)
    one_by_one = np.vstack([minilm.encode([s], "query") for s in SENTENCES])  # the one-thread session, no padding
    assert (one_by_one * torch_batch).sum(axis=1).min() >= 0.9999
    assert minilm.encode([], "query").shape == (0, 384)


def copy_export(source: Encoder, folder: Path) -> tuple[Path, Path]:
    """Copy the shared export (the .onnx, its weights and its JSON) into `folder`; return the .onnx and JSON's new
    paths."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx, described = source.export_paths()  # type: ignore[attr-defined]
    for path in (onnx, index.onnx_model.weights_file(onnx), described):
        shutil.copy2(path, folder / path.name)
    return folder / onnx.name, folder / described.name


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["stale JSON", "half-written .onnx", "half-written weights", "no weights"])
def test_a_stale_or_damaged_export_is_made_again(minilm: Encoder, tmp_path: Path, damage: str) -> None:
    minilm.load()
    onnx, described = copy_export(minilm, tmp_path)
    d = json.loads(described.read_text())
    assert index.onnx_model.usable_export(onnx, described, d["model_id"], d["weights_sha256"], False)
    if damage == "stale JSON":  # made from other weights
        described.write_text(json.dumps({**d, "weights_sha256": "0" * 64}))
    elif damage == "no weights":
        index.onnx_model.weights_file(onnx).unlink()
    else:  # cut short, as by a crash (the JSON still describes the whole file)
        with open(onnx if damage == "half-written .onnx" else index.onnx_model.weights_file(onnx), "r+b") as f:
            f.truncate(1000)
    assert not index.onnx_model.usable_export(onnx, described, d["model_id"], d["weights_sha256"], False)
    again = MiniLMEncoder(runtime="onnx", export_dir=tmp_path)
    vectors = again.encode(SENTENCES[:3], "query")
    fresh = json.loads(described.read_text())
    assert fresh["weights_sha256"] == MiniLMEncoder.sha256 and fresh["created"] >= d["created"]
    assert index.onnx_model.weights_file(onnx).stat().st_size > 80_000_000
    assert (vectors * minilm.encode(SENTENCES[:3], "query")).sum(axis=1).min() >= 0.9999


@pytest.mark.slow
def test_an_export_failing_its_probe_check_is_refused_and_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index.onnx_model, "MIN_COSINE", 1.5)  # no export can pass: as if it were wrong
    killed = tmp_path / "all-MiniLM-L6-v2.onnx.export-killed.tmp"  # left two days ago by a process killed mid-export
    running = tmp_path / "all-MiniLM-L6-v2.onnx.export-running.tmp"  # another process's, exporting now
    for folder in (killed, running):
        folder.mkdir()
        (folder / "fp32.onnx").write_bytes(b"partial")
    os.utime(killed, (time.time() - 2 * 24 * 3600,) * 2)
    encoder = MiniLMEncoder(runtime="onnx", export_dir=tmp_path)
    with pytest.raises(ModelError, match=r"does not match sentence-transformers .*NEWSBOT_ENCODER=torch"):
        encoder.encode(["How far is Derna from Crete?"], "query")
    assert list(tmp_path.iterdir()) == [running]  # nothing kept, nothing half-written; the killed one's gone


@pytest.mark.slow
def test_without_onnxruntime_the_encoder_warns_once_and_runs_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, minilm_torch: Encoder
) -> None:
    monkeypatch.setattr(index.onnx_model, "missing_runtime", lambda: "onnxruntime")
    encoder = MiniLMEncoder(runtime="onnx", export_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        vectors = encoder.encode(SENTENCES[:2], "query")
        encoder.encode(SENTENCES[:2], "query")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == ["onnxruntime is not installed: embedding with torch (pip install onnxruntime tokenizers)"]
    assert encoder.runtime == "torch" and list(tmp_path.iterdir()) == []
    assert np.allclose(vectors, minilm_torch.encode(SENTENCES[:2], "query"))


# -- the same answers, and no torch on the way to them -------------------------------------------------------


@pytest.mark.slow
def test_onnx_and_torch_put_the_same_sentence_first_for_every_seed_question(
    tmp_path: Path, seed_corpus: Path, minilm: Encoder, minilm_torch: Encoder
) -> None:
    tops = {}
    for name, encoder in (("onnx", minilm), ("torch", minilm_torch)):
        with Engine.open(Settings(data_dir=tmp_path / name, progress=False), encoder=encoder) as engine:
            engine.index_paths([seed_corpus])
            questions = [p.values[0] if hasattr(p, "values") else p[0] for p in SEED_QUESTIONS]
            tops[name] = [(a.hits[0].sentence if a.hits else None) for a in map(engine.answer, questions)]
    assert tops["onnx"] == tops["torch"]


@pytest.mark.slow
def test_asking_a_question_imports_neither_torch_nor_transformers_nor_sklearn_nor_lightgbm(
    tmp_path: Path, seed_corpus: Path, minilm: Encoder
) -> None:
    data = tmp_path / "data"
    minilm.load()
    copy_export(minilm, data)  # as the first index run leaves it in the data folder
    with Engine.open(Settings(data_dir=data, progress=False), encoder=minilm) as engine:
        engine.index_paths([seed_corpus])
    code = (
        "import sys; from bot.cli import main; "
        "code = main(['ask', 'How far is Crete from Derna?']); "
        "print(code, *(m in sys.modules for m in ('torch', 'transformers', 'sentence_transformers', 'sklearn', "
        "'pandas', 'trafilatura', 'lightgbm', 'scipy', 'pysbd', 'index.reading.articles', 'index.reading.folders', "
        "'index.reading.sentences', 'index.reading.attribution')), "
        "'index.ranking.trees' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "NEWSBOT_ONNX_DIR"} | {"NEWSBOT_DATA": str(data)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    assert "211 miles northeast of Derna" in run.stdout
    # the learned ranker answered (its trees read by index.ranking.trees) without lightgbm and the scipy it pulls
    # in (only training needs them), and without the HTML reader (trafilatura: only uploads and /add read HTML)
    # or anything else that reads articles: the CLI names the formats it reads (index.reading.formats), which loads
    # neither the readers, the folder walk, the sentence splitter nor the attribution rules
    assert run.stdout.strip().splitlines()[-1] == "0" + " False" * 13 + " True", run.stdout


@pytest.mark.slow
@pytest.mark.skipif(not (MPNET_DIR / "model.safetensors").is_file(), reason="mpnet is not installed (make model-mpnet)")
def test_mpnet_runs_as_onnx_too(tmp_path: Path) -> None:
    onnx = MPNetEncoder(batch_size=16, runtime="onnx", export_dir=tmp_path)
    reference = MPNetEncoder(batch_size=16)
    vectors = onnx.encode(SENTENCES[:6], "document")
    assert vectors.shape == (6, 768)
    assert (vectors * reference.encode(SENTENCES[:6], "document")).sum(axis=1).min() >= 0.9999
    assert json.loads(onnx.export_paths()[1].read_text())["inputs"] == ["input_ids", "attention_mask"]


@pytest.mark.slow
def test_the_model_loads_on_a_thread_only_when_its_export_is_ready(minilm: Encoder, tmp_path: Path) -> None:
    def loading() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "newsbot-model-load"]

    unexported = MiniLMEncoder(runtime="onnx", export_dir=tmp_path / "none")
    unexported.load_in_background()  # an export would need torch: left for the first encode, in the foreground
    assert not loading() and not unexported.loaded and not (tmp_path / "none").exists()
    torch_run = MiniLMEncoder(runtime="torch", export_dir=tmp_path / "none")
    torch_run.load_in_background()
    assert not loading() and not torch_run.loaded

    minilm.load()
    copy_export(minilm, tmp_path / "ready")
    ready = MiniLMEncoder(runtime="onnx", export_dir=tmp_path / "ready")
    ready.load_in_background()
    vectors = ready.encode(SENTENCES[:3], "query")  # waits for the thread's session, or makes it if first
    assert ready.loaded
    for thread in loading():
        thread.join(timeout=60)
    assert not loading()
    assert np.allclose(vectors, minilm.encode(SENTENCES[:3], "query"), atol=1e-6)


@pytest.mark.slow
def test_questions_alone_or_together_share_one_session(minilm: Encoder, tmp_path: Path) -> None:
    minilm.load()
    copy_export(minilm, tmp_path)
    encoder = MiniLMEncoder(runtime="onnx", export_dir=tmp_path, threads=2)
    one = encoder.encode(SENTENCES[:1], "query")
    together = encoder.encode(SENTENCES * 3, "query")  # a batch of questions, as answers sends them
    assert encoder._onnx._sessions.keys() == {1}  # type: ignore[attr-defined]  # one copy of the weights
    assert np.allclose(one, together[:1], atol=1e-5)
    encoder.encode(SENTENCES * 3, "document")  # indexing: every core
    assert encoder._onnx._sessions.keys() == {1, 2}  # type: ignore[attr-defined]
