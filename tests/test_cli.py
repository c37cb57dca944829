"""Every CLI command, run in-process through `bot.cli.main` (and once as a real process), with the real model."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, chat_loop, main

CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(tmp_path: Path, seed_corpus: Path, minilm, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Indexed 1 new" in out
    return data


def test_every_command_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"index", "ask", "chat", "sources", "serve", "eval", "feedback"}
    for name, sp in sub.choices.items():
        assert sp.description, name


def test_index_twice_says_nothing_to_do(indexed: Path, seed_corpus: Path, capsys) -> None:
    assert main(["index", str(seed_corpus), "--data", str(indexed)]) == 0
    assert "Nothing to do" in capsys.readouterr().out


def test_newsbot_data_env_moves_the_data_folder(
    seed_corpus: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("NEWSBOT_DATA", str(tmp_path / "elsewhere"))
    assert main(["index", str(seed_corpus)]) == 0
    assert (tmp_path / "elsewhere" / "newsbot.sqlite3").exists()


def test_ask_prints_the_crete_sentence_with_its_source(indexed: Path, capsys) -> None:
    assert main(["ask", "how far is Derna from Crete", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"1. {CRETE[:60]}")
    assert "Source: derna.txt" in out


def test_ask_json_is_the_contract(indexed: Path, capsys) -> None:
    assert main(["ask", "how far is Derna from Crete", "-k", "2", "--json", "--data", str(indexed)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["question"] == "how far is Derna from Crete" and data["no_answer"] is False
    assert len(data["answers"]) == 2 and data["answers"][0]["sentence"] == CRETE
    assert data["answers"][0]["source"]["doc_id"] == "derna.txt"


def test_ask_stdin_answers_every_line(indexed: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("how far is Derna from Crete\n\nhello\n"))
    assert main(["ask", "-", "--json", "--data", str(indexed)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["question"] for x in lines] == ["how far is Derna from Crete", "hello"]
    assert lines[0]["answers"][0]["sentence"] == CRETE and lines[1]["no_answer"] is True


def test_chat_loop_reads_until_end_of_input(seed_engine) -> None:
    out = io.StringIO()
    assert chat_loop(seed_engine, io.StringIO("how far is Derna from Crete\nthanks\n"), out) == 0
    text = out.getvalue()
    assert CRETE[:50] in text and "Nothing relevant" in text


def test_sources_lists_the_seed(indexed: Path, capsys) -> None:
    assert main(["sources", "--json", "--data", str(indexed)]) == 0
    [row] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert row["doc_id"] == "derna.txt" and row["sentences"] >= 15


def test_errors_are_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    assert main(["index", str(tmp_path / "missing"), "--data", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err and "Traceback" not in err
    assert main(["ask", "anything", "--data", str(tmp_path / "empty")]) == 1
    assert "nothing is indexed" in capsys.readouterr().err


def test_empty_question_is_one_line_error(indexed: Path, capsys) -> None:
    assert main(["ask", "  ", "--data", str(indexed)]) == 1
    err = capsys.readouterr().err
    assert "empty" in err and "Traceback" not in err


def test_eval_small(tmp_path: Path, capsys) -> None:
    docs = tmp_path / "docs.jsonl"
    qs = tmp_path / "questions.jsonl"
    docs.write_text(
        "\n".join(
            json.dumps(d)
            for d in [
                {
                    "doc_id": "a#0",
                    "title": "Derna",
                    "text": "Derna is a city in Libya. Derna has 100,000 people.",
                },
                {
                    "doc_id": "b#0",
                    "title": "Crete",
                    "text": "Crete is an island of Greece. The capital of Crete is Heraklion.",
                },
            ]
        )
        + "\n"
    )
    qs.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {
                    "id": "1",
                    "question": "How many people live in Derna?",
                    "doc_id": "a#0",
                    "answers": ["100,000"],
                },
                {
                    "id": "2",
                    "question": "What is the capital of Crete?",
                    "doc_id": "b#0",
                    "answers": ["Heraklion"],
                },
            ]
        )
        + "\n"
    )
    assert main(["eval", "--docs", str(docs), "--questions", str(qs), "--json", "--ranker", "fusion"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["p_at_1"] == 1.0 and report["questions"] == 2 and report["ms_per_question_median"] > 0


def test_pipe_into_the_real_process(indexed: Path) -> None:
    env = {**os.environ, "NEWSBOT_DATA": str(indexed)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        input="how far is Derna from Crete\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    assert CRETE[:40] in run.stdout


def test_chat_command_reads_stdin(indexed: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("how far is Derna from Crete\n"))
    assert main(["chat", "--data", str(indexed)]) == 0
    assert CRETE[:50] in capsys.readouterr().out


def test_feedback_lists_what_readers_marked(indexed: Path, capsys) -> None:
    from index.engine import Engine
    from index.settings import Settings

    engine = Engine.open(Settings(data_dir=indexed, progress=False))
    engine.record_feedback("how far is Derna from Crete", [4], True, user_id=1, chat_id=1)
    engine.record_feedback("who runs Derna", [2, 3], False, user_id=2, chat_id=2)
    engine.close()
    assert main(["feedback", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "+  how far is Derna from Crete  sentences=4" in out[0]
    assert main(["feedback", "--bad", "--data", str(indexed)]) == 0
    [bad] = capsys.readouterr().out.splitlines()
    assert "-  who runs Derna  sentences=2,3" in bad


def test_sources_text(indexed: Path, capsys) -> None:
    assert main(["sources", "--data", str(indexed)]) == 0
    assert capsys.readouterr().out.startswith("derna.txt  (19 sentences)")


def test_eval_with_missing_files_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["eval", "--docs", str(tmp_path / "nope.jsonl"), "--questions", str(tmp_path / "q.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err and err.count("\n") == 1


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch, capsys) -> None:
    import bot.cli

    def boom(args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.cli, "cmd_sources", boom)
    assert main(["sources"]) == 1
    err = capsys.readouterr().err
    assert err == "newsbot: unexpected error: RuntimeError: disk on fire (run with -v for details)\n"


def test_rebuild_fixes_a_mismatched_index_from_the_store(indexed: Path, seed_corpus: Path, capsys) -> None:
    manifest = indexed / "sentences.faiss.json"
    manifest.write_text(manifest.read_text().replace("all-MiniLM-L6-v2", "some-other-model"))
    assert main(["ask", "how far is Derna from Crete", "--data", str(indexed)]) == 1
    err = capsys.readouterr().err
    assert "newsbot index --rebuild" in err and err.count("\n") == 1
    assert main(["index", str(seed_corpus), "--rebuild", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out
    assert "Rebuilt the vector index (from the stored vectors)" in out and "Nothing to do" in out
    assert main(["ask", "how far is Derna from Crete", "--data", str(indexed)]) == 0
    assert CRETE[:40] in capsys.readouterr().out
