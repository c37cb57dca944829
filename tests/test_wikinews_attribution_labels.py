"""Our Wikinews attribution labels (datasets/wikinews-attribution): every label passes verify.py, there are as
many as issue 23 asks, the scorer of `newsbot eval-attribution` reads them all, and verify.py refuses a bad one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from index.evaluation.attribution import read_labels

FOLDER = Path(__file__).resolve().parent.parent / "datasets" / "wikinews-attribution"


def run_verify(*args: str) -> subprocess.CompletedProcess[str]:
    """Return the finished run of verify.py with these arguments."""
    return subprocess.run([sys.executable, str(FOLDER / "verify.py"), *args], capture_output=True, text=True,
                          timeout=120)


def test_every_label_verifies() -> None:
    done = run_verify()
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("OK")


def test_enough_labels_over_enough_articles_speech_first() -> None:
    rows = [json.loads(line) for line in (FOLDER / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 600
    assert len({r["doc_id"] for r in rows}) >= 40
    classes = [r["cue_class"] for r in rows]
    assert sum(c in ("speech", "writing", "interview") for c in classes) > len(rows) / 2
    assert any(r["speaker_is_pronoun"] for r in rows)
    assert any(r["continues_quotation"] for r in rows)


def test_the_scorer_reads_every_label() -> None:
    labels = read_labels(FOLDER / "labels.jsonl")
    assert len(labels) == len((FOLDER / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    assert {lab.kind for lab in labels} >= {"named", "pronoun"}


def test_verify_refuses_a_snippet_not_in_its_article(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (FOLDER / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[0]["sentence_contains"] = "words that no Wikinews article holds at all"
    bad = tmp_path / "labels.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows[:3]), encoding="utf-8")
    done = run_verify(str(bad))
    assert done.returncode == 1
    assert "snippet found 0 times" in done.stderr
