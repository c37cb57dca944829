"""Questions that reach the bot together are answered together: a micro-batcher that gathers the questions arriving
within a few milliseconds of one another (or until enough are waiting) and answers them in one worker-thread call to
`Engine.answers`, which encodes them in one model call. A question alone waits at most the bound."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from index.engine import Engine
from index.model import Answer, Query

log = logging.getLogger(__name__)

BATCH_WAIT = 0.005  # seconds a question waits for others to arrive
BATCH_MOST = 16  # questions answered together at most


@dataclass
class _Asked:
    question: str | Query
    k: int
    reply: asyncio.Future[Answer]


@dataclass
class AnswerBatcher:
    """Answers questions as `Engine.answer` does, those asked within `wait` seconds of the first waiting one (at
    most `most`) in one `asyncio.to_thread` call; each question's error (QuestionError...) is its own."""

    engine: Callable[[], Engine]
    wait: float = BATCH_WAIT
    most: int = BATCH_MOST
    _waiting: list[_Asked] = field(default_factory=list)
    _timer: asyncio.TimerHandle | None = None
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    async def answer(self, question: str | Query, k: int) -> Answer:
        """Return the answer to `question` with k sentences at most, answered together with the questions asked
        meanwhile; raise what `Engine.answer` raises for it."""
        loop = asyncio.get_running_loop()
        asked = _Asked(question, k, loop.create_future())
        self._waiting.append(asked)
        if len(self._waiting) >= self.most:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self._flush)
        return await asked.reply

    def _flush(self) -> None:
        """Answer the waiting questions in a task of their own."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if batch:
            task = asyncio.get_running_loop().create_task(self._answer(batch))
            self._running.add(task)  # keep a reference until it is done
            task.add_done_callback(self._running.discard)

    async def _answer(self, batch: list[_Asked]) -> None:
        """Answer a batch in a worker thread and hand each question its answer or its error."""
        results: list[Answer | Exception]
        try:
            results = await asyncio.to_thread(answer_together, self.engine(), [(a.question, a.k) for a in batch])
        except asyncio.CancelledError:  # the application is stopping
            for asked in batch:
                asked.reply.cancel()
            raise
        except Exception as e:  # noqa: BLE001 - every waiting question hears of it
            results = [e] * len(batch)
        for asked, result in zip(batch, results, strict=True):
            if asked.reply.done():  # the handler was cancelled meanwhile
                continue
            if isinstance(result, Exception):
                asked.reply.set_exception(result)
            else:
                asked.reply.set_result(result)


def answer_together(engine: Engine, asked: list[tuple[str | Query, int]]) -> list[Answer | Exception]:
    """Return the answer (or the error) of each (question, k) (a Query keeps its own k), the questions answered
    by one `Engine.answers` call; when that fails, each question is answered alone so that its error is its
    own."""
    results: list[Answer | Exception | None] = [None] * len(asked)
    queries: dict[int, Query] = {}
    for i, (question, k) in enumerate(asked):
        try:
            queries[i] = engine.answerer.asked(question, k)
        except Exception as e:  # noqa: BLE001 - this question's error, not its companions'
            results[i] = e
    if queries:
        idx = list(queries)
        try:
            answers: list[Answer | Exception] = list(engine.answers([queries[i] for i in idx]))
        except Exception:  # noqa: BLE001 - find out whose error it is
            log.info("answering %d questions together failed; answering each alone", len(idx), exc_info=True)
            answers = [_answer_alone(engine, queries[i]) for i in idx]
        for i, answer in zip(idx, answers, strict=True):
            results[i] = answer
    return [r if r is not None else RuntimeError("unanswered") for r in results]


def _answer_alone(engine: Engine, question: Query) -> Answer | Exception:
    try:
        return engine.answer(question)
    except Exception as e:  # noqa: BLE001 - handed to the question's handler, which replies or apologises
        return e
