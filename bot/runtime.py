"""What the Telegram handlers share: the per-user question limiter and the Runtime (settings, the engine loaded
in post_init, the lock that serialises additions), kept in the application's bot_data."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import cast

from telegram.ext import ContextTypes

from bot.batching import AnswerBatcher
from bot.settings import BotSettings
from index.engine import Engine
from index.feeds import Feeds
from index.settings import Settings

Context = ContextTypes.DEFAULT_TYPE


class QuestionLimiter:
    """A per-user sliding window: at most `per_minute` questions in any 60 seconds (0: no limit). A user over
    the limit is told how long to wait up to `warnings` times a window; after that the bot stays quiet, so a
    flood of messages never becomes a flood of replies."""

    def __init__(self, per_minute: int, window: float = 60.0, warnings: int = 3) -> None:
        self.per_minute = per_minute
        self.window = window
        self.warnings = warnings
        self._asked: defaultdict[int, deque[float]] = defaultdict(deque)
        self._warned: defaultdict[int, deque[float]] = defaultdict(deque)

    def wait(self, user_id: int, now: float | None = None) -> float:
        """Return 0 and count the question when `user_id` may ask now, else the seconds until they may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        asked = self._asked[user_id]
        while asked and now - asked[0] >= self.window:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return max(0.1, self.window - (now - asked[0]))
        asked.append(now)
        return 0.0

    def should_warn(self, user_id: int, now: float | None = None) -> bool:
        """Return whether to tell `user_id` about the limit: `warnings` times a window at most."""
        now = time.monotonic() if now is None else now
        warned = self._warned[user_id]
        while warned and now - warned[0] >= self.window:
            warned.popleft()
        if len(warned) >= self.warnings:
            return False
        warned.append(now)
        return True


@dataclass
class Runtime:
    """What the handlers share: settings, the engine (loaded in post_init), the limiters, the answer batcher."""

    settings: Settings
    bot: BotSettings
    engine: Engine | None = None
    owns_engine: bool = False
    limiter: QuestionLimiter = field(init=False)  # questions in chats (and More)
    inline_limiter: QuestionLimiter = field(init=False)  # inline searches, counted on their own
    adding: asyncio.Lock = field(default_factory=asyncio.Lock)
    answers: AnswerBatcher = field(init=False)  # questions asked together are encoded together

    def __post_init__(self) -> None:
        self.limiter = QuestionLimiter(self.bot.questions_per_minute)
        self.inline_limiter = QuestionLimiter(self.bot.inline_per_minute)
        self.answers = AnswerBatcher(lambda: self.ready_engine)

    _feeds: Feeds | None = field(default=None, init=False)

    @property
    def feeds(self) -> Feeds:
        """Return the followed feeds of the engine's store (real time)."""
        if self._feeds is None or self._feeds.engine is not self.ready_engine:
            self._feeds = Feeds(self.ready_engine)
        return self._feeds

    @property
    def ready_engine(self) -> Engine:
        """Return the engine; it is loaded before the first update is handled."""
        if self.engine is None:
            raise RuntimeError("the engine is not loaded yet")
        return self.engine


def runtime(context: Context) -> Runtime:
    """Return the handlers' shared runtime."""
    return cast(Runtime, context.bot_data["runtime"])
