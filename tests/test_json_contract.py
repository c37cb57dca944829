"""The JSON contract of `newsbot ask --json` for who says it: `speaker`, `cue` and `kind` as before, and the
speaker as written, their role, whom they cite and the vague mark, from the store to the output (real SQLite and
FAISS in tmp_path; the fake encoder, since the model is not the point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FakeEncoder

import index.encoder
import index.engine
from bot.cli import main
from index.engine import Engine
from index.model import Attribution, Hit, Source
from index.settings import Settings

BENOTMAN = Attribution(
    "Noman Benotman", "told CNN", "quote", as_written="Noman Benotman",
    role="a ex-Libyan jihadist who is now involved in counter-terrorism for the Quilliam Foundation",
)
SPEAKER_KEYS = {"speaker", "cue", "kind", "speaker_as_written", "speaker_role", "via", "vague"}


def test_a_hit_carries_who_says_it_in_detail() -> None:
    hit = Hit(1, "ISIS pose a serious threat in Libya.", 0.5, BENOTMAN, Source("derna.txt"))
    data = hit.to_json()
    assert {k: data[k] for k in SPEAKER_KEYS} == {
        "speaker": "Noman Benotman", "cue": "told CNN", "kind": "quote", "speaker_as_written": "Noman Benotman",
        "speaker_role": BENOTMAN.role, "via": None, "vague": False,
    }
    vague = Hit(2, "x", 0.1, Attribution("officials", "officials said", "reported", "US officials", None, "AP",
                                          True), Source("a")).to_json()
    assert (vague["speaker_as_written"], vague["via"], vague["vague"]) == ("US officials", "AP", True)
    plain = Hit(3, "x", 0.1, Attribution(), Source("a")).to_json()
    assert {k: plain[k] for k in SPEAKER_KEYS} == {
        "speaker": None, "cue": None, "kind": "none", "speaker_as_written": None, "speaker_role": None,
        "via": None, "vague": False,
    }
    assert plain["unattributed"] is False and data["unattributed"] is False
    quoted = Hit(4, "“It is late.”", 0.1, Attribution(kind="quote"), Source("a")).to_json()
    assert (quoted["kind"], quoted["speaker"], quoted["unattributed"]) == ("quote", None, True)


def test_ask_json_gives_the_stored_attribution_in_full(
    tmp_path: Path, seed_corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(index.encoder, "MiniLMEncoder", lambda **_: FakeEncoder())
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    with Engine.open(Settings(data_dir=data, progress=False), encoder=FakeEncoder()) as engine:
        every = [s.id for s in engine.library.attributions("derna.txt")]
        with engine.store.transaction() as db:  # what the attribution rules would store for Benotman's quote
            engine.store.set_attributions(db, [(sid, BENOTMAN) for sid in every])
    capsys.readouterr()
    assert main(["ask", "Are ISIS creating an Islamic emirate in eastern Libya?", "--json", "--data", str(data)]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    assert answers and all(set(a) >= SPEAKER_KEYS for a in answers)
    answer = answers[0]
    assert {k: answer[k] for k in SPEAKER_KEYS} == {
        "speaker": "Noman Benotman", "cue": "told CNN", "kind": "quote", "speaker_as_written": "Noman Benotman",
        "speaker_role": BENOTMAN.role, "via": None, "vague": False,
    }
