"""The engine's edges that need no model: it is a context manager, `Settings.model` chooses the encoder,
NEWSBOT_THREADS is read once into the settings, and building the encoder leaves os.environ alone."""

from __future__ import annotations

import os

import pytest
from conftest import FakeEncoder

import index.encoder
import index.engine
from index.encoder import MiniLMEncoder
from index.engine import Engine, build_encoder
from index.errors import ConfigError
from index.settings import Settings


def test_the_engine_closes_its_store_at_the_end_of_a_with_block(settings: Settings) -> None:
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        assert engine.library.summary(0).sentences == 0
    with pytest.raises(Exception, match="closed"):
        engine.store.counts()


def test_settings_model_selects_the_encoder_and_an_unknown_name_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[dict[str, object]] = []
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **kw: built.append(kw) or FakeEncoder())
    Engine.open(Settings(data_dir=settings.data_dir, threads=2)).close()
    assert built == [{"batch_size": 64, "threads": 2, "runtime": "onnx", "export_dir": settings.data_dir}]
    with pytest.raises(ConfigError, match="unknown embedding model 'e5-small'"):
        Engine.open(Settings(data_dir=settings.data_dir, model="e5-small"))


def test_newsbot_threads_is_read_into_the_settings() -> None:
    assert Settings.from_env({}).threads == 0
    assert Settings.from_env({"NEWSBOT_THREADS": "3"}).threads == 3
    for bad in ("two", "-1"):
        with pytest.raises(ConfigError, match="NEWSBOT_THREADS"):
            Settings.from_env({"NEWSBOT_THREADS": bad})


def test_building_the_encoder_does_not_write_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    encoder = build_encoder(Settings(threads=1))
    assert isinstance(encoder, MiniLMEncoder) and not encoder.loaded
    assert dict(os.environ) == before


def test_the_ranker_is_a_name_and_the_old_off_switch_still_means_fusion() -> None:
    assert Settings.from_env({}).ranker == "learned"
    assert Settings.from_env({"NEWSBOT_RANKER": "fusion"}).ranker == "fusion"
    assert Settings.from_env({"NEWSBOT_RANKER": " Learned "}).ranker == "learned"
    for off in ("off", "0", "false", "no"):
        assert Settings.from_env({"NEWSBOT_RANKER": off}).ranker == "fusion"
    with pytest.raises(ConfigError, match="NEWSBOT_RANKER must be one of learned, fusion"):
        Settings.from_env({"NEWSBOT_RANKER": "bm25"})


def test_the_fusion_ranker_by_name_loads_no_learned_ranker(settings: Settings) -> None:
    from index.ranking import FusionRanker

    with Engine.open(Settings(data_dir=settings.data_dir, progress=False, ranker="fusion"),
                     encoder=FakeEncoder()) as engine:
        assert type(engine.answerer.ranker) is FusionRanker and engine.answerer.reader is None
