"""The `newsbot` command: a thin layer over the engine. Each error is one line on stderr and exit code 1."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.render import answer_text, source_line
from index.errors import NewsbotError
from index.settings import Settings

PROG = "newsbot"


def _settings(args: argparse.Namespace) -> Settings:
    data = getattr(args, "data", None)
    return Settings.from_env(
        data_dir=Path(data) if data else None, ranker=False if getattr(args, "no_ranker", False) else None
    )


def _open(args: argparse.Namespace):  # -> Engine; imported lazily so `--help` stays fast
    from index.engine import Engine

    return Engine.open(_settings(args))


def _require_index(engine) -> None:
    if engine.stats().sentences == 0:
        raise NewsbotError(f"nothing is indexed in {engine.settings.data_dir}; run: newsbot index")


def cmd_index(args: argparse.Namespace) -> int:
    """Index files and folders (default: corpus/) incrementally."""
    from index.engine import Engine

    settings = _settings(args)
    if args.rebuild:
        Engine.rebuild(settings)
    engine = Engine.open(settings)
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    for p in paths:
        if not p.exists():
            raise NewsbotError(f"{p}: no such file or folder")
    report = engine.index_paths(paths)
    for problem in report.problems:
        print(f"{'skipped' if problem.skipped else 'note'} {problem.name}: {problem.reason}", file=sys.stderr)
    print(report.summary())
    a, s = engine.store.counts()
    print(f"The index holds {a} articles and {s} sentences ({settings.data_dir}).")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one a line from stdin with `-`."""
    engine = _open(args)
    _require_index(engine)
    questions = _lines(sys.stdin) if args.question == "-" else [args.question]
    status = 0
    for q in questions:
        try:
            answer = engine.answer(q, k=args.k)
        except NewsbotError as e:
            if args.question != "-":
                raise
            print(f"{PROG}: {e}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            if args.question == "-":
                print(f"Q: {answer.question}")
            print(answer_text(answer))
            if args.question == "-":
                print()
    return status


def chat_loop(engine, stdin: TextIO, stdout: TextIO, k: int = 3) -> int:
    """Run the terminal conversation: one question a line until the end of input; return the exit code."""
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        stats = engine.stats()
        print(
            f"newsbot: {stats.articles} articles, {stats.sentences} sentences. Ask a question "
            "(Ctrl-D to leave).",
            file=stdout,
        )
        examples = engine.example_questions(3)
        if examples:
            print("Try: " + " / ".join(examples), file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        q = line.strip()
        if not q:
            continue
        try:
            answer = engine.answer(q, k=k)
            print(answer_text(answer), file=stdout)
        except NewsbotError as e:
            print(str(e), file=stdout)
        print(file=stdout, flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to newsbot in the terminal."""
    engine = _open(args)
    _require_index(engine)
    return chat_loop(engine, sys.stdin, sys.stdout, k=args.k)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal conversation."""
    try:
        from bot.serve import serve
    except ImportError:
        return cmd_chat(args)
    from bot.settings import BotSettings

    return serve(_settings(args), BotSettings.from_env())


def cmd_sources(args: argparse.Namespace) -> int:
    """List the indexed articles."""
    engine = _open(args)
    rows = engine.sources(0, -1)
    if args.json:
        for r in rows:
            print(json.dumps({**r.source.to_json(), "sentences": r.sentences, "indexed_at": r.indexed_at}))
        return 0
    if not rows:
        print("Nothing is indexed yet: run `newsbot index`.")
    for r in rows:
        print(f"{source_line(r.source)}  ({r.sentences} sentences)")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """List readers' 👍/👎 feedback, newest last, so operators see which answers fail."""
    engine = _open(args)
    for at, question, ids, helpful in engine.store.feedback():
        if args.bad and helpful:
            continue
        print(f"{at}  {'+' if helpful else '-'}  {question}  sentences={','.join(map(str, ids))}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate retrieval on a JSONL docs/questions pair (the format of shared/eval)."""
    from index.evaluate import EvalOptions, evaluate, format_report

    for path in (Path(args.docs), Path(args.questions)):
        if not path.is_file():
            raise NewsbotError(f"{path}: no such file")
    opts = EvalOptions(
        limit=args.limit, folds=args.folds, unanswerable=args.unanswerable, ranker=args.ranker, seed=args.seed
    )
    report = evaluate(Path(args.docs), Path(args.questions), opts, settings=_settings(args))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return 0


def _lines(stream: TextIO) -> list[str]:
    return [line.strip() for line in stream if line.strip()]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `newsbot` command."""
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Ask questions of a pile of news articles; the answers "
        "are the articles' own sentences, each attributed to its source and speaker.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument(
            "--data", metavar="DIR", help="data folder (default: data/ in the project, or $NEWSBOT_DATA)"
        )
        sp.set_defaults(func=func)
        return sp

    sp = command(
        "index",
        cmd_index,
        "Index articles (default: corpus/); only new and changed ones are embedded, "
        "and articles whose files are gone are removed.",
    )
    sp.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (.txt .md .html .htm .jsonl)")
    sp.add_argument("--rebuild", action="store_true", help="start from an empty index")

    sp = command("ask", cmd_ask, "Answer a question with attributed sentences.")
    sp.add_argument(
        "question", metavar="QUESTION", help="the question, or - to read one question a line from stdin"
    )
    sp.add_argument("-k", type=int, default=3, metavar="N", help="how many sentences (default 3)")
    sp.add_argument("--json", action="store_true", help="print the stable JSON answer, one object a line")
    sp.add_argument(
        "--no-ranker", action="store_true", help="rank by plain score fusion, not the learned ranker"
    )

    sp = command("chat", cmd_chat, "Talk in the terminal: one question a line until the end of input.")
    sp.add_argument("-k", type=int, default=3, metavar="N", help="how many sentences an answer (default 3)")

    sp = command(
        "serve",
        cmd_serve,
        "Run the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal conversation.",
    )
    sp.add_argument("-k", type=int, default=3, metavar="N", help=argparse.SUPPRESS)

    sp = command("sources", cmd_sources, "List the indexed articles.")
    sp.add_argument("--json", action="store_true", help="one JSON object a line")

    sp = command("feedback", cmd_feedback, "List readers' feedback on answers (from the Telegram bot).")
    sp.add_argument("--bad", action="store_true", help="only the answers marked unhelpful")

    sp = command(
        "eval",
        cmd_eval,
        "Measure retrieval (P@1, R@5, MRR@10, candidate recall, ms a question) on "
        "JSONL docs and questions, in a temporary index.",
    )
    sp.add_argument("--docs", required=True, metavar="FILE", help="docs.jsonl: doc_id, title, text")
    sp.add_argument(
        "--questions", required=True, metavar="FILE", help="questions.jsonl: id, question, doc_id, answers"
    )
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    sp.add_argument(
        "--folds",
        type=int,
        default=0,
        metavar="N",
        help="cross-validate the learned ranker by article over N folds",
    )
    sp.add_argument(
        "--unanswerable",
        type=float,
        default=0.0,
        metavar="F",
        help="remove the gold paragraphs of this fraction of questions and measure 'nothing relevant'",
    )
    sp.add_argument(
        "--ranker",
        default="default",
        choices=["default", "fusion", "rrf", "bm25", "dense", "learned"],
        help="which ranking to measure (default: what the bot uses)",
    )
    sp.add_argument("--seed", type=int, default=13, help="random seed for folds and unanswerable sampling")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args))
    except NewsbotError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - a person gets one line; -v shows the traceback for a bug report
        logging.getLogger(PROG).debug("unexpected error", exc_info=True)
        print(f"{PROG}: unexpected error: {type(e).__name__}: {e} (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
