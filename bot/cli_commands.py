"""What each `newsbot` command does (`cmd_index`, `cmd_ask`, ...): a thin layer over the engine, given the
parsed arguments (`bot.cli` parses them and turns errors into one line)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from bot.redaction import redact
from bot.render import (
    answer_text,
    claims_text,
    count,
    feed_text,
    feedback_text,
    followed_text,
    poll_text,
    removal_text,
    small_talk_text,
    source_line,
)
from bot.settings import BotSettings
from bot.terminal import PROG, arrived_lines, clean_text, one_line, printable, tolerant_stdin
from index.errors import NewsbotError, ReadError
from index.model import Query
from index.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    data = getattr(args, "data", None)
    return Settings.from_env(
        data_dir=Path(data) if data else None, ranker="fusion" if getattr(args, "no_ranker", False) else None
    )


def _open(args: argparse.Namespace, answering: bool = False):  # -> Engine; imported lazily so `--help` stays fast
    """Open the engine; `answering`: a question is coming, so the model starts loading on a thread before the
    engine's own imports and files (a cold `ask` overlaps the two)."""
    settings = _settings(args)
    encoder = None
    if answering:
        from index.encoder import build_encoder

        encoder = build_encoder(settings)
        encoder.load_in_background()
    from index.engine import Engine

    return Engine.open(settings, encoder=encoder)


def _require_index(engine) -> None:
    if engine.library.summary(0).sentences == 0:
        raise NewsbotError(f"nothing is indexed in {engine.settings.data_dir}; run: newsbot index")


LIST_REMOVED_OVER = 5  # a run removing more articles than this names each one


def ray_address(value: str | None, paths: list[str]) -> tuple[str | None, list[str]]:
    """Return `--ray`'s address (None: a local Ray) and the paths: a value that is no Ray address (`auto`,
    `local`, HOST:PORT, ray://HOST:PORT) is the first path, as in `newsbot index --ray corpus`."""
    if not value:
        return None, paths
    if value in {"auto", "local"} or ":" in value:
        return value, paths
    return None, [value, *paths]


LINKS_NAMED = 5  # the summary of links leading outside the folder names this many


def links_outside_line(links: dict[str, list[str]]) -> str:
    """Return the one line that says which links were left unread because they lead outside the folder given."""
    names = [name for found in links.values() for name in found]
    named = ", ".join(names[:LINKS_NAMED]) + (f" and {len(names) - LINKS_NAMED} more" if len(names) > LINKS_NAMED
                                               else "")
    return (f"skipped {count(len(names), 'link')} that lead{'s' if len(names) == 1 else ''} outside "
            f"{' and '.join(links)} ({named}); pass --follow-links to read them")


FIELDS_NAMED = 10  # the ignored fields named on the line, the most common first


def ignored_fields_line(ignored: dict[str, int]) -> str:
    """Return the one line that names the fields of JSONL records and front matter that were not read, with how
    many articles had each ("ignored fields: summary (120 articles), tags (3 articles)"), the most common first."""
    ranked = sorted(ignored.items(), key=lambda kv: (-kv[1], kv[0]))
    named = ", ".join(f"{name} ({count(n, 'article')})" for name, n in ranked[:FIELDS_NAMED])
    more = f" and {len(ranked) - FIELDS_NAMED} more" if len(ranked) > FIELDS_NAMED else ""
    return f"ignored fields: {named}{more}"


LINK = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # an argument starting so is a link, not a path


def paths_and_links(given: list[str]) -> tuple[list[Path], list[str]]:
    """Return `newsbot index`'s arguments split into paths and links (anything starting SCHEME://); raise
    NewsbotError for a link newsbot cannot fetch (not http(s), malformed)."""
    paths: list[Path] = []
    links: list[str] = []
    for arg in given:
        if not LINK.match(arg):
            paths.append(Path(arg))
        elif not arg.lower().startswith(("http://", "https://")):
            raise NewsbotError(f"{printable(arg)}: only http:// and https:// links can be indexed")
        else:
            from index.fetching import checked_url  # imports httpx: only when a link is given

            checked_url(arg)
            links.append(arg)
    return paths, links


def cmd_index(args: argparse.Namespace) -> int:
    """Index files and folders (default: corpus/) incrementally, and fetch http(s) links as /add does;
    --rebuild first rebuilds the vector index; --ray embeds the files' sentences on Ray (a local one, or the
    cluster at an address)."""
    from index.engine import Engine

    settings = _settings(args)
    address, given = ray_address(args.ray, list(args.paths))
    paths, links = paths_and_links(given)
    if not paths and not links:
        paths = [settings.corpus_dir]
    for p in paths:
        if not p.exists():
            raise NewsbotError(f"{printable(str(p))}: no such file or folder")
    if args.workers is not None and (args.ray is None or args.workers < 1):
        raise NewsbotError("--workers says how many Ray workers embed: a whole number of at least 1, with --ray")
    with ExitStack() as stack:
        embedder, batch = None, {}
        if args.ray is not None:  # Ray starts (or is reached) before anything is read or written
            from index.distributed import RAY_BATCH_SENTENCES, RayEmbedder  # imports ray: only for --ray

            embedder = stack.enter_context(RayEmbedder(settings, address, workers=args.workers or 0))
            batch = {"batch_sentences": RAY_BATCH_SENTENCES}
        if args.rebuild:
            reembedded = Engine.rebuild(settings)
            how = f"re-embedded {reembedded} sentences" if reembedded else "from the stored vectors"
            print(f"Rebuilt the vector index ({how}); every article and all feedback kept.")
        # indexing never ranks: no LightGBM to load
        engine = stack.enter_context(Engine.open(replace(settings, ranker="fusion")))
        report = None
        if paths:
            report = engine.index_paths(paths, embedder=embedder, follow_links=args.follow_links, **batch)
        stats = engine.library.summary(0)  # before anything is printed: a damaged store is the one thing said
        if report is not None:
            for problem in report.problems:
                what = "skipped" if problem.skipped else "note"
                print(printable(f"{what} {problem.name}: {problem.reason}"), file=sys.stderr)
            if report.links_outside:
                print(printable(links_outside_line(report.links_outside)), file=sys.stderr)
            if report.ignored_fields:  # an account, like the summary: on stdout
                print(printable(ignored_fields_line(report.ignored_fields)))
            if report.reattributed:
                print(f"re-attributed {count(report.reattributed, 'article')}: attribution rules changed")
            if len(report.removed) > LIST_REMOVED_OVER:
                for doc_id in report.removed:
                    print(printable(f"removed {doc_id}"))
            print(report.summary())
        failed = _index_links(engine, links)
        if links:
            stats = engine.library.summary(0)
        print(f"The index holds {count(stats.articles, 'article')} and {count(stats.sentences, 'sentence')} "
              f"({settings.data_dir}).")
        # the engine warned why the vector index could not be saved; each link that failed was named
        return 1 if failed or (report is not None and report.unsaved) else 0


def _index_links(engine, links: list[str]) -> int:
    """Fetch and index each link as /add does (the same address rules and limits), one line each; return how
    many could not be (each named on stderr; the others are still indexed)."""
    failed = 0
    for link in links:
        try:
            report = engine.add_url(link)
        except ReadError as e:
            print(f"{PROG}: {printable(redact(str(e)))}", file=sys.stderr)
            failed += 1
            continue
        print(printable(f"Fetched {link}: {report.summary()}"))
    return failed


def cmd_reset(args: argparse.Namespace) -> int:
    """Empty the data folder: delete the store (every article, upload and feedback) and the vector index."""
    from index.engine import Engine

    settings = _settings(args)
    files = Engine.data_files(settings)
    if not files:
        print(f"Nothing to delete in {settings.data_dir}.")
        return 0
    names = ", ".join(p.name for p in files)
    if not args.yes:
        raise NewsbotError(
            f"reset would delete {names} in {settings.data_dir}: every article (uploads and /add too), "
            "all feedback and the index; run again with --yes to do it"
        )
    Engine.reset(settings)
    print(f"Deleted {names} in {settings.data_dir}; the next `newsbot index` starts from nothing.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one a line from stdin with `-`, each as soon as its line arrives (the lines that
    have arrived are encoded together)."""
    with _open(args, answering=True) as engine:
        _require_index(engine)
        if args.question != "-":
            asked = _asked(args, clean_text(args.question))
            _print_answer(engine, engine.answer(asked), args.json, echo=False)
            return 0
        status = 0
        for lines in arrived_lines(tolerant_stdin(), ASK_BATCH):
            questions = [_asked(args, q) for q in (clean_text(line).strip() for line in lines) if q]
            status = max(status, _ask_lines(engine, questions, args.k, args.json))
        return status


ASK_BATCH = 64  # lines of `ask -` answered together (those that have arrived)


def _asked(args: argparse.Namespace, question: str) -> Query:
    """Return the question as `ask`'s flags ask it: k sentences, the --since/--until window (a date as
    index.dates reads it: --since takes in the start of the period written, --until its end), --newest first."""
    since = until = None
    said = []
    if args.since:
        since = _date_bound(args.since, "--since")[0]
        said.append(f"since {args.since}")
    if args.until:
        until = _date_bound(args.until, "--until")[1]
        said.append(f"until {args.until}")
    return Query(question, args.k, 0, since, until, "newest" if args.newest else "relevance",
                 " and ".join(said) or None)


def _date_bound(value: str, flag: str) -> tuple[float, float]:
    """Return the UTC span a flag's date covers; raise NewsbotError when it is no date."""
    from index.dates import NotADate, date_span

    try:
        return date_span(value)
    except NotADate:
        raise NewsbotError(
            f"{flag} {value!r} is not a date (try 2019, 2019-03, 2019-03-02 or \"March 2, 2019\")"
        ) from None


def _ask_lines(engine, questions: list[Query], k: int, as_json: bool) -> int:
    """Print the answer to each question (or its error, one line on stderr), the questions encoded together as
    the bot's batches are (`answer_together`); return 1 when some question failed, else 0."""
    from bot.batching import answer_together

    status = 0
    for result in answer_together(engine, [(q, k) for q in questions]):
        if isinstance(result, Exception):  # one bad line never ends the session
            print(f"{PROG}: {one_line(result)}", file=sys.stderr, flush=True)
            status = 1
        else:
            _print_answer(engine, result, as_json, echo=True)
    return status


def _print_answer(engine, answer, as_json: bool, echo: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        if echo:
            print(f"Q: {answer.question}")
        if answer.small_talk:
            summary = engine.library.summary(1)
            print(small_talk_text(summary.articles, summary.examples))
        else:
            print(answer_text(answer))
        if echo:
            print()
    sys.stdout.flush()


def cmd_chat(args: argparse.Namespace) -> int:
    """Talk to newsbot in the terminal."""
    from bot.chat import chat_loop  # imports the engine: lazily, so `--help` stays fast

    with _open(args, answering=True) as engine:
        _require_index(engine)
        return chat_loop(engine, tolerant_stdin(), sys.stdout, k=args.k)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal conversation."""
    from bot.serve import serve  # imports the engine: lazily, so `--help` stays fast

    return serve(_settings(args), BotSettings.from_env())


def cmd_sources(args: argparse.Namespace) -> int:
    """List the indexed articles."""
    with _open(args) as engine:
        rows = engine.library.sources(0, -1)
        if args.json:
            for r in rows:
                print(json.dumps({**r.source.to_json(), "sentences": r.sentences, "indexed_at": r.indexed_at}))
            return 0
        if not rows:
            print("Nothing is indexed yet: run `newsbot index`.")
        for r in rows:
            print(f"{source_line(r.source)}  ({r.sentences} sentences)")
        return 0


def cmd_claims(args: argparse.Namespace) -> int:
    """List an article's claims grouped by speaker (the article named by doc_id, title or file name)."""
    from index.engine import Engine

    with Engine.open(replace(_settings(args), ranker="fusion")) as engine:  # nothing is ranked: no ranker to load
        _require_index(engine)
        claims = engine.library.claims(clean_text(args.article))
        if args.json:
            print(json.dumps(claims.to_json(), ensure_ascii=False))
        else:
            print(claims_text(claims))
        return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """List readers' 👍/👎 feedback, newest last, so operators see which answers fail."""
    with _open(args) as engine:
        for entry in engine.feedback.entries():
            if args.bad and entry.helpful:
                continue
            print(printable(feedback_text(entry)))
        return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove stored articles (named by doc_id, title or file name) from the store and the vector index; an
    article whose only copy is the store (an upload, an /add page, a file that is gone) only with --yes."""
    from index.engine import Engine

    with Engine.open(replace(_settings(args), ranker="fusion")) as engine:  # nothing is ranked: no ranker to load
        plan = engine.removal([clean_text(name) for name in args.articles])  # every name checked before any removal
        lost = [r for r in plan if r.only_copy]
        if lost and not args.yes:
            named = "; ".join(f"{r.source.label} ({ONLY_COPY.get(r.origin, ONLY_COPY['file'])})" for r in lost)
            raise NewsbotError(f"nothing removed: the store holds the only copy of {named}; "
                               "run again with --yes to remove it for good")
        for removal in engine.remove([r.source.doc_id for r in plan]):
            print(printable(removal_text(removal)))
        stats = engine.library.summary(0)
        print(f"The index holds {count(stats.articles, 'article')} and {count(stats.sentences, 'sentence')} "
              f"({engine.settings.data_dir}).")
        return 0


# why the store holds an article's only copy, by where the article came from
ONLY_COPY = {"upload": "uploaded in Telegram", "url": "added with /add", "file": "its file is gone",
             "feed": "read from a followed feed"}
WATCH_NAP = 60.0  # seconds `watch` sleeps at most between looks at what is due


def _feeds(args: argparse.Namespace):  # -> (Engine, Feeds); lazily imported, as _open
    from index.engine import Engine
    from index.feeds import Feeds

    engine = Engine.open(replace(_settings(args), ranker="fusion"))  # nothing is ranked: no ranker to load
    return engine, Feeds(engine)


def cmd_follow(args: argparse.Namespace) -> int:
    """Follow a feed: read it once (refused when it is no feed or not reachable), then store it."""
    from index.feeds import DEFAULT_EVERY

    engine, feeds = _feeds(args)
    with engine:
        every = DEFAULT_EVERY if args.every is None else args.every * 60
        print(printable(followed_text(feeds.follow(clean_text(args.url), every))))
    return 0


def cmd_unfollow(args: argparse.Namespace) -> int:
    """Stop following a feed; what it added stays indexed."""
    engine, feeds = _feeds(args)
    with engine:
        feed = feeds.unfollow(clean_text(args.url))
        print(printable(f"no longer following {feed.title or feed.url}; the {count(feed.items, 'item')} it "
                         "brought stay indexed"))
    return 0


def cmd_feeds(args: argparse.Namespace) -> int:
    """List the followed feeds and how their polls went."""
    engine, feeds = _feeds(args)
    with engine:
        followed = feeds.followed()
        if not followed:
            print("No feed is followed; follow one with: newsbot follow URL")
        for feed in followed:
            print(printable(feed_text(feed)))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Poll the followed feeds as they fall due until interrupted (SIGINT, SIGTERM); --once: poll those due
    now and exit."""
    import signal
    import time

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    engine, feeds = _feeds(args)
    try:
        with engine:
            if args.once and feeds.seconds_to_next() is None:
                print("No feed is followed; follow one with: newsbot follow URL")
            while True:
                for report in feeds.poll_due():
                    print(printable(poll_text(report)), flush=True)
                if args.once:
                    return 0
                wait = feeds.seconds_to_next()
                time.sleep(WATCH_NAP if wait is None else min(max(wait, 1.0), WATCH_NAP))
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate retrieval on a JSONL docs/questions pair (the format of shared/eval)."""
    from index.evaluation.compare import format_compare
    from index.evaluation.evaluate import EvalOptions, evaluate  # the lab: loaded only for `eval`
    from index.evaluation.report import format_report

    fraction, unanswerable_file = (args.unanswerable, None) if isinstance(args.unanswerable, float) else (
        0.0, args.unanswerable)
    for path in (Path(args.docs), Path(args.questions), *([unanswerable_file] if unanswerable_file else [])):
        if not path.is_file():
            raise NewsbotError(f"{path}: no such file")
    settings = _settings(args)
    if args.keep_index and args.keep_index.resolve() == settings.data_dir.resolve():
        raise NewsbotError(f"--keep-index {args.keep_index} is the bot's data folder; give an evaluation folder")
    opts = EvalOptions(
        limit=args.limit, folds=args.folds, unanswerable=fraction, ranker=args.ranker, seed=args.seed,
        unanswerable_file=unanswerable_file, compare=args.compare, index_dir=args.keep_index,
    )
    report = evaluate(Path(args.docs), Path(args.questions), opts, settings=settings)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_compare(report) if opts.compare else format_report(report))
    return 0


def cmd_eval_attribution(args: argparse.Namespace) -> int:
    """Measure who newsbot says makes each claim against labelled attributions (the format of polnear-train)."""
    # the lab: loaded only for `eval-attribution`
    from index.evaluation.attribution import evaluate_attribution, format_attribution_report

    for path in (Path(args.docs), Path(args.labels)):
        if not path.is_file():
            raise NewsbotError(f"{path}: no such file")
    if args.limit is not None and args.limit < 1:
        raise NewsbotError(f"--limit must be a whole number of at least 1, got {args.limit}")
    report = evaluate_attribution(Path(args.docs), Path(args.labels), limit=args.limit, settings=_settings(args),
                                  embed=not args.no_embed)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_attribution_report(report))
    return 0
