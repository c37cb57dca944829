"""The terminal conversation (`newsbot chat`, and `newsbot serve` without a token): one question a line."""

from __future__ import annotations

from typing import TextIO

from bot.render import answer_text, small_talk_text
from bot.terminal import clean_text, one_line
from index.characters import shown
from index.engine import Engine


def chat_loop(engine: Engine, stdin: TextIO, stdout: TextIO, k: int = 3) -> int:
    """Run the terminal conversation: one question a line until the end of input; return the exit code."""
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        summary = engine.library.summary(3)
        print(
            f"newsbot: {summary.articles} articles, {summary.sentences} sentences. Ask a question "
            "(Ctrl-D to leave).",
            file=stdout,
        )
        if summary.examples:
            print(shown("Try: " + " / ".join(summary.examples)), file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        q = clean_text(line).strip()
        if not q:
            continue
        try:
            answer = engine.answer(q, k=k)
            if answer.small_talk:
                summary = engine.library.summary(1)
                print(small_talk_text(summary.articles, summary.examples), file=stdout)
            else:
                print(answer_text(answer), file=stdout)
        except Exception as e:  # noqa: BLE001 - one bad line never ends the conversation
            print(one_line(e), file=stdout)
        print(file=stdout, flush=True)
    return 0
