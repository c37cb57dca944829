"""Every CLI command, run in-process through `bot.cli.main` (and once as a real process), with the real model."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.chat import chat_loop
from bot.cli import build_parser, main

CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(tmp_path: Path, seed_corpus: Path, minilm, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "Indexed 1 new" in out
    assert "The index holds 1 article and 19 sentences" in out  # one article, not "1 articles"
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
    assert CRETE[:50] in text and "Nothing relevant" not in text
    assert "I'm newsbot" in text and f"For example: {seed_engine.library.example_questions(1)[0]}" in text  # small talk


def test_ask_in_another_language_that_finds_nothing_is_told_newsbot_reads_english(indexed: Path, capsys) -> None:
    assert main(["ask", "Was hat der Bürgermeister über das Wetter gesagt?", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("newsbot reads English articles, and your question looks German to me: please ask in")
    assert "Nothing relevant" not in out


def test_chat_tells_another_language_from_an_english_question_that_finds_nothing(seed_engine) -> None:
    out = io.StringIO()
    asked = "¿Qué dijo el alcalde sobre el tiempo?\nWhat is the recipe for a good sourdough bread?\n"
    assert chat_loop(seed_engine, io.StringIO(asked), out) == 0
    spanish, english = out.getvalue().strip().split("\n\n")
    assert "newsbot reads English articles" in spanish and "looks Spanish" in spanish
    assert english == "Nothing relevant in the indexed articles."


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
    engine.feedback.record("how far is Derna from Crete", [4], True, user_id=1, chat_id=1)
    engine.feedback.record("who runs Derna", [2, 3], False, user_id=2, chat_id=2)
    engine.close()
    assert main(["feedback", "--data", str(indexed)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and "+  how far is Derna from Crete  sentences=4" in out[0]
    assert out[1].startswith("    [4] ") and "-  who runs Derna  sentences=2,3" in out[2]
    assert main(["feedback", "--bad", "--data", str(indexed)]) == 0
    bad = capsys.readouterr().out.splitlines()
    assert "-  who runs Derna  sentences=2,3" in bad[0]
    assert [line.split("] ")[0] for line in bad[1:]] == ["    [2", "    [3"]  # each with its sentence's text


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


def _run_cli(args: list[str], data: Path, **kw) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NEWSBOT_DATA": str(data), **kw.pop("env", {})}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, env=env, timeout=300, **kw)


STORM_PAGE = b"""<html><head><title>Storm hits coast</title></head><body><article><h1>Storm hits coast</h1>
<p>A powerful storm hit the coast of Moravia on Tuesday, officials said. Thousands of homes lost power.</p>
<p>"We have never seen anything like it," said Mayor Jane Doe.</p></article></body></html>"""


@pytest.fixture
def storm_site() -> Iterator[tuple[str, list[str]]]:
    """Yield the address of a news page served on 127.0.0.1, and the paths requested so far."""
    requested: list[str] = []

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(STORM_PAGE)))
            self.end_headers()
            self.wfile.write(STORM_PAGE)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/storm", requested
    server.shutdown()
    server.server_close()


def test_index_fetches_a_link_as_add_does(
    storm_site: tuple[str, list[str]], seed_corpus: Path, tmp_path: Path, minilm
) -> None:
    """`newsbot index URL` in a real process fetches the page under /add's rules (NEWSBOT_FETCH_ALLOW opens
    127.0.0.1), beside a folder; `ask` then finds its sentence."""
    url, requested = storm_site
    data = tmp_path / "data"
    run = _run_cli(["index", url, str(seed_corpus)], data, env={"NEWSBOT_FETCH_ALLOW": "127.0.0.1"}, text=True)
    assert run.returncode == 0, run.stderr
    assert f"Fetched {url}: Indexed 1 new" in run.stdout and "The index holds 2 articles" in run.stdout
    assert requested == ["/storm"]
    run = _run_cli(["ask", "when did the storm hit Moravia", "--json"], data, text=True)
    assert run.returncode == 0, run.stderr
    best = json.loads(run.stdout)["answers"][0]
    assert best["sentence"].startswith("A powerful storm hit the coast of Moravia on Tuesday")
    assert best["source"]["doc_id"] == url and best["source"]["title"] == "Storm hits coast"


def test_index_refuses_a_link_as_add_does(
    storm_site: tuple[str, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, requested = storm_site
    data = tmp_path / "data"
    assert main(["index", url, "--data", str(data)]) == 1  # 127.0.0.1 is not allowed: nothing is fetched
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1 is an internal address" in err and "Traceback" not in err
    for link, reason in (
        ("ftp://127.0.0.1/storm", "only http:// and https:// links can be indexed"),
        ("http://0177.0.0.1:99999/storm", "not a well-formed link"),
    ):
        assert main(["index", link, str(tmp_path / "missing"), "--data", str(data)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"newsbot: {link}: {reason}") and err.count("\n") == 1
    assert requested == []


def test_a_question_with_an_invalid_byte_is_answered(indexed: Path, capsys) -> None:
    # what Python makes of `newsbot ask $'how far is Derna from Crete\xff'`: a surrogate escape
    assert main(["ask", "how far is Derna from Crete \udcff", "--data", str(indexed)]) == 0
    assert CRETE[:50] in capsys.readouterr().out
    assert main(["ask", "\ud800 how far is Derna from Crete", "--json", "--data", str(indexed)]) == 0
    assert json.loads(capsys.readouterr().out)["answers"][0]["sentence"] == CRETE


def test_invalid_utf8_lines_never_end_an_ask_or_chat_session(indexed: Path, monkeypatch, capsys) -> None:
    data = b"\xff\xfe\n\xc3( where is Derna\nhow far is Derna from Crete\n"
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")  # strict, as a real stdin
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["ask", "-", "--json", "--data", str(indexed)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3 and lines[-1]["answers"][0]["sentence"] == CRETE
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["chat", "--data", str(indexed)]) == 0
    assert CRETE[:50] in capsys.readouterr().out


def test_chat_loop_survives_a_lone_surrogate_and_an_unexpected_error(seed_engine, monkeypatch) -> None:
    out = io.StringIO()
    real = seed_engine.answer

    def answer(q: str, k: int = 3):
        if "boom" in q:
            raise RuntimeError("bug")
        return real(q, k=k)

    monkeypatch.setattr(seed_engine, "answer", answer)
    assert chat_loop(seed_engine, io.StringIO("\ud800\nboom\nhow far is Derna from Crete\n"), out) == 0
    text = out.getvalue()
    assert "unexpected error: RuntimeError (run with -v for details)" in text and CRETE[:50] in text


def test_ask_stdin_in_a_real_process_with_invalid_bytes_and_an_ascii_terminal(indexed: Path) -> None:
    run = _run_cli(
        ["ask", "-"], indexed, input=b"how far is Derna from Crete \xff\n\xff\n", env={"PYTHONIOENCODING": "ascii"}
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout.decode("ascii")
    assert "Q: how far is Derna from Crete ?" in out and CRETE[:40] in out and b"Traceback" not in run.stderr


def test_ask_stdin_answers_each_line_before_the_input_ends(indexed: Path) -> None:
    env = {**os.environ, "NEWSBOT_DATA": str(indexed)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "-", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"how far is Derna from Crete\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 300)  # only so a regression can't hang the suite
        assert ready, "no answer while stdin is still open"
        first = json.loads(proc.stdout.readline())
        assert first["answers"][0]["sentence"] == CRETE
        proc.stdin.write(b"hello\n")
        proc.stdin.close()
        rest = proc.stdout.read().decode().splitlines()
        assert proc.wait(timeout=60) == 0 and json.loads(rest[0])["question"] == "hello"
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("k", ["0", "-2", "51", "three"])
def test_k_outside_1_to_50_is_an_argument_error(k: str, tmp_path: Path, capsys) -> None:
    assert main(["ask", "how far is Derna", "-k", k, "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "-k" in err and "1 to 50" in err


def test_argument_errors_exit_1_and_help_exits_0(capsys) -> None:
    assert main(["ask"]) == 1
    assert main(["no-such-command"]) == 1
    assert main(["sources", "--no-such-flag"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "newsbot" in err
    assert main(["--help"]) == 0 and main(["ask", "--help"]) == 0
    assert "usage: newsbot ask" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_shows_the_traceback_of_an_unexpected_error(where: str, tmp_path: Path) -> None:
    flags = ["-v", "sources"] if where == "before" else ["sources", "-v"]
    script = (
        "import sys, bot.cli\n"
        "def boom(args): raise RuntimeError('disk on fire')\n"
        "bot.cli.cmd_sources = boom\n"
        f"sys.exit(bot.cli.main({flags!r}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Traceback" in run.stderr and "in boom" in run.stderr and "disk on fire (run with -v" in run.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", script.replace(repr(flags), "['sources']")], capture_output=True, text=True, timeout=120
    )
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr and quiet.stderr.count("\n") == 1


def test_serve_with_a_token_and_no_telegram_library_names_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setitem(sys.modules, "telegram", None)  # as if python-telegram-bot were not installed
    monkeypatch.delitem(sys.modules, "bot.telegram_app", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("how far is Derna from Crete\n"))
    assert main(["serve", "--data", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1  # no terminal conversation instead of the bot
    assert "pip install" in err and "python-telegram-bot" in err and "Traceback" not in err


def test_index_with_nothing_to_do_loads_neither_model_nor_ranker(indexed: Path, seed_corpus: Path) -> None:
    # `newsbot index` on an unchanged corpus needs no model (torch) and no ranker (LightGBM, which pulls in
    # scikit-learn): it compares hashes, in a second or so instead of several.
    code = (
        "import sys; from bot.cli import main; "
        f"code = main(['index', {str(seed_corpus)!r}, '--data', {str(indexed)!r}]); "
        "print(code, 'torch' in sys.modules, 'lightgbm' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Nothing to do" in run.stdout
    assert run.stdout.strip().splitlines()[-1] == "0 False False", run.stdout


@pytest.mark.parametrize("text", ["hi", "thank you", "who are you?"])
def test_ask_answers_small_talk_with_what_newsbot_does(indexed: Path, text: str) -> None:
    run = _run_cli(["ask", text], indexed)
    out = run.stdout.decode()
    assert run.returncode == 0 and "I'm newsbot" in out and "For example: What did Noman Benotman say?" in out
    assert "Nothing relevant" not in out


def test_ask_json_marks_small_talk(indexed: Path) -> None:
    run = _run_cli(["ask", "-", "--json"], indexed, input=b"hello\nhow far is Derna from Crete\n")
    small, question = [json.loads(x) for x in run.stdout.decode().splitlines()]
    assert small == {"question": "hello", "no_answer": True, "small_talk": True, "answers": []}
    assert "small_talk" not in question and question["answers"][0]["sentence"] == CRETE
