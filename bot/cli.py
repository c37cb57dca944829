"""The `newsbot` command: its arguments (every command with its help) and `main`, which runs the command
(`bot.cli_commands`) and turns each error into one line on stderr and exit code 1."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.cli_commands import (
    cmd_ask,
    cmd_chat,
    cmd_claims,
    cmd_eval,
    cmd_eval_attribution,
    cmd_feedback,
    cmd_feeds,
    cmd_follow,
    cmd_index,
    cmd_remove,
    cmd_reset,
    cmd_serve,
    cmd_sources,
    cmd_unfollow,
    cmd_watch,
)
from bot.redaction import redact
from bot.terminal import PROG, printable
from index.errors import NewsbotError
from index.reading import SUFFIXES

MAX_K = 50


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 1, like every other newsbot error."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Print the error in one line, pointing to --help, and exit 1."""
        self.exit(1, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def sentence_count(text: str) -> int:
    """Return the -k value: a whole number from 1 to MAX_K, or raise the argument error that says so."""
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_K}, got {text!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_K}, got {k}")
    return k


def unanswerable_arg(value: str) -> float | Path:
    """Return `--unanswerable`'s value: a fraction from 0 to 1 (of paragraphs to remove), else a file's path."""
    try:
        fraction = float(value)
    except ValueError:
        return Path(value)
    if not 0.0 <= fraction < 1.0:
        raise argparse.ArgumentTypeError(f"a fraction from 0 to 1 (or a file of questions), got {value}")
    return fraction


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `newsbot` command."""
    p = _Parser(
        prog=PROG,
        description="Ask questions of a pile of news articles; the answers "
        "are the articles' own sentences, each attributed to its source and speaker.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument(  # also after the command, where people type it; SUPPRESS keeps a -v given before
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what the engine does"
        )
        sp.add_argument(
            "--data", metavar="DIR", help="data folder (default: data/ in the project, or $NEWSBOT_DATA)"
        )
        sp.set_defaults(func=func)
        return sp

    sp = command(
        "index",
        cmd_index,
        "Index articles (default: corpus/) and web pages (http(s) links); only new and changed ones are "
        "embedded, and articles whose files were inside a folder given and are gone are removed (a file given "
        "removes nothing).",
    )
    sp.add_argument(
        "paths", nargs="*", metavar="PATH",
        help=f"files or folders ({' '.join(SUFFIXES)}), or http(s) links fetched as /add fetches them",
    )
    sp.add_argument(
        "--rebuild",
        action="store_true",
        help="first rebuild the vector index from the store (re-embedding when another model made it); "
        "keeps every article and all feedback",
    )
    sp.add_argument(
        "--follow-links",
        action="store_true",
        help="also read symlinks inside a folder whose target lies outside it (by default they are skipped, "
        "with one line naming them); loops are still read once",
    )
    sp.add_argument(
        "--ray",
        nargs="?",
        const="",
        metavar="ADDRESS",
        help="embed the sentences on Ray (needs: pip install 'newsbot[ray]'): a local Ray on this machine's "
        "cores, or the cluster at ADDRESS (auto, HOST:PORT or ray://HOST:10001); a value that is no address "
        "is taken as a PATH",
    )
    sp.add_argument(
        "--workers", type=int, metavar="N",
        help="with --ray: how many Ray workers embed, each loading the model once (default: the cluster's "
        "CPUs over the threads each uses, NEWSBOT_THREADS or 2)",
    )

    sp = command(
        "reset",
        cmd_reset,
        "Empty the data folder: delete every article (uploads and /add too), all feedback and the index.",
    )
    sp.add_argument("--yes", action="store_true", help="really delete (without it, say what would be deleted)")

    sp = command("ask", cmd_ask, "Answer a question with attributed sentences.")
    sp.add_argument(
        "question", metavar="QUESTION", help="the question, or - to read one question a line from stdin"
    )
    sp.add_argument(
        "-k", type=sentence_count, default=3, metavar="N", help=f"how many sentences, 1 to {MAX_K} (default 3)"
    )
    sp.add_argument("--json", action="store_true", help="print the stable JSON answer, one object a line")
    sp.add_argument(
        "--no-ranker", action="store_true", help="rank by plain score fusion, not the learned ranker"
    )
    sp.add_argument("--since", metavar="DATE", help="only articles published from DATE on (2019, 2019-03, 2019-03-02)")
    sp.add_argument("--until", metavar="DATE", help="only articles published up to the end of DATE")
    sp.add_argument("--newest", action="store_true", help="the relevant sentences newest article first")

    sp = command("chat", cmd_chat, "Talk in the terminal: one question a line until the end of input.")
    sp.add_argument(
        "-k", type=sentence_count, default=3, metavar="N", help=f"sentences an answer, 1 to {MAX_K} (default 3)"
    )

    sp = command(
        "serve",
        cmd_serve,
        "Run the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal conversation.",
    )
    sp.add_argument("-k", type=sentence_count, default=3, metavar="N", help=argparse.SUPPRESS)

    sp = command("sources", cmd_sources, "List the indexed articles.")
    sp.add_argument("--json", action="store_true", help="one JSON object a line")

    sp = command(
        "claims",
        cmd_claims,
        "List an article's claims grouped by speaker, the speaker with the most first (the article's own "
        "voice is counted, not listed).",
    )
    sp.add_argument("article", metavar="ARTICLE", help="the article's doc_id, title or file name")
    sp.add_argument(
        "--json", action="store_true",
        help="print one JSON object: doc_id, title, speakers [{speaker, claims [{sentence, cue, kind, position}]}]",
    )

    sp = command(
        "remove",
        cmd_remove,
        "Remove articles from the store and the vector index. An article whose file is still there comes back "
        "at the next `newsbot index` of its folder; one whose only copy is the store (an upload, an /add page, "
        "a file that is gone) is removed only with --yes.",
    )
    sp.add_argument("articles", nargs="+", metavar="ARTICLE", help="an article's doc_id, title or file name")
    sp.add_argument("--yes", action="store_true",
                    help="also remove articles whose only copy is the store, for good")

    sp = command(
        "follow", cmd_follow,
        "Follow an RSS, Atom or JSON feed: its new items are fetched and indexed at each poll (`newsbot watch`, "
        "or `newsbot serve` on Telegram). Following a feed again changes its interval.",
    )
    sp.add_argument("url", metavar="URL", help="the feed's http(s) address")
    sp.add_argument("--every", type=float, metavar="MINUTES",
                    help="minutes between polls, 1 to 10080 (default 30); after errors, longer (doubling)")
    sp = command("unfollow", cmd_unfollow, "Stop following a feed; the articles it brought stay indexed.")
    sp.add_argument("url", metavar="URL", help="the feed's address, as `newsbot feeds` lists it")
    command("feeds", cmd_feeds,
            "List the followed feeds: address, title, interval, last poll, next poll, last error, items seen.")
    sp = command(
        "watch", cmd_watch,
        "Poll the followed feeds as they fall due, without Telegram (for a service or cron), until interrupted.",
    )
    sp.add_argument("--once", action="store_true", help="poll the feeds due now once and exit (for cron)")

    sp = command("feedback", cmd_feedback,
                 "List readers' feedback on answers (from the Telegram bot), each sentence shown with its text.")
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
        "--keep-index", type=Path, metavar="DIR",
        help="index the docs into DIR (made if missing) and keep it; a later run reuses it and embeds only what "
        "changed (an evaluation corpus, never the bot's data folder)",
    )
    sp.add_argument(
        "--folds",
        type=int,
        default=0,
        metavar="N",
        help="cross-validate the learned ranker by article over N folds",
    )
    sp.add_argument(
        "--unanswerable",
        type=unanswerable_arg,
        default=0.0,
        metavar="F",
        help="a fraction: remove the gold paragraphs of this fraction of questions; or a file of questions their "
        "article does not answer (id, question, doc_id): measure 'nothing relevant' against answerable ones "
        "wrongly refused",
    )
    sp.add_argument(
        "--compare",
        action="store_true",
        help="measure BM25, dense, RRF, fusion and the default ranking side by side, in one run over one index, "
        "with 95%% intervals",
    )
    sp.add_argument(
        "--ranker",
        default="default",
        choices=["default", "fusion", "rrf", "bm25", "dense", "learned"],
        help="which ranking to measure (default: what the bot uses)",
    )
    sp.add_argument("--seed", type=int, default=13, help="random seed for folds and unanswerable sampling")

    sp = command(
        "eval-attribution",
        cmd_eval_attribution,
        "Measure attribution (named, quote, own-voice and pronoun shares, confusion by cue, share of indexing "
        "time) on JSONL docs and labelled attributions, in a temporary index.",
    )
    sp.add_argument("--docs", required=True, metavar="FILE", help="docs.jsonl: doc_id, title, text")
    sp.add_argument(
        "--labels", required=True, metavar="FILE",
        help="labels.jsonl: doc_id, sentence_contains, speaker, speaker_is_pronoun, cue, spans",
    )
    sp.add_argument("--json", action="store_true", help="print the report as JSON")
    sp.add_argument("--limit", type=int, metavar="N", help="only the first N articles")
    sp.add_argument(
        "--no-embed", action="store_true",
        help="read, split and attribute the articles as the indexer does, without embedding or storing them "
             "(the same attributions, minutes faster)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help exits 0; an argument error exits 1 (see _Parser)
        return 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    for stream in (sys.stdout, sys.stderr):  # an unencodable character never crashes a print
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args))
    except NewsbotError as e:
        print(f"{PROG}: {printable(redact(str(e)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - a person gets one line; -v shows the traceback for a bug report
        logging.getLogger(PROG).info("unexpected error", exc_info=True)  # shown with -v
        detail = redact(f"{type(e).__name__}: {e}")
        print(f"{PROG}: unexpected error: {detail} (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
