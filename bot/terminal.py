"""What the terminal gives and is given: text from argv and stdin made valid Unicode, and an error as the one
line a person sees. Shared by the CLI (`bot.cli`) and the terminal conversation (`bot.chat`)."""

from __future__ import annotations

import io
import logging
import queue
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

from bot.redaction import redact
from index.characters import shown
from index.errors import NewsbotError

PROG = "newsbot"


def clean_text(text: str) -> str:
    """Return text with what is not valid Unicode (argv's surrogate escapes, lone surrogates) replaced by U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def tolerant_stdin() -> TextIO:
    """Return stdin decoded as UTF-8 with invalid bytes replaced, read line by line as the lines arrive."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test's StringIO)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", line_buffering=False)


def arrived_lines(stream: TextIO, most: int) -> Iterator[list[str]]:
    """Yield the stream's lines in lists, each of the lines that have arrived (one at least, `most` at most): a
    line typed alone comes at once, lines piped in come together. A thread reads ahead, `most` * 4 lines at most."""
    lines: queue.Queue[str | BaseException | None] = queue.Queue(maxsize=max(1, most) * 4)

    def read() -> None:
        try:
            while line := stream.readline():
                lines.put(line)
        except BaseException as e:  # noqa: BLE001 - raised where the lines are taken, as a plain read would raise
            lines.put(e)
        lines.put(None)  # the end

    threading.Thread(target=read, name="stdin-reader", daemon=True).start()
    while True:
        batch: list[str] = []
        item = lines.get()
        while isinstance(item, str):
            batch.append(item)
            if len(batch) >= most:
                break
            try:
                item = lines.get_nowait()
            except queue.Empty:
                break
        if batch:
            yield batch
        if isinstance(item, BaseException):
            raise item
        if item is None:
            return


def printable(text: str) -> str:
    """Return text that any terminal encoding accepts (stray surrogates become '?'), `shown` (a file name's
    bidirectional controls or escape sequences never reach the terminal)."""
    return shown(text).encode("utf-8", errors="replace").decode("utf-8")


def one_line(e: BaseException) -> str:
    """Return an error as the one line a person sees: a NewsbotError's own message, else a pointer to -v."""
    if isinstance(e, NewsbotError):
        return shown(redact(str(e)))
    logging.getLogger(PROG).info("unexpected error", exc_info=True)
    return f"unexpected error: {type(e).__name__} (run with -v for details)"
