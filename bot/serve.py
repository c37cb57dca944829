"""`newsbot serve`: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal conversation."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from bot.chat import chat_loop
from bot.redaction import keep_out_of_logs
from bot.settings import BotSettings
from bot.terminal import tolerant_stdin
from index.engine import Engine
from index.errors import ConfigError
from index.settings import Settings

log = logging.getLogger(__name__)

TELEGRAM_PACKAGE = "python-telegram-bot[job-queue,rate-limiter,webhooks]"  # the requirement in pyproject.toml


def serve(settings: Settings, bot_settings: BotSettings) -> int:
    """Serve until the end of input (terminal) or SIGINT/SIGTERM (Telegram); return the exit code, 0."""
    if not bot_settings.token:
        return _serve_terminal(settings)
    try:  # lazily: the terminal conversation needs no Telegram library
        from bot.telegram_app import build_application, run
    except ImportError as e:
        raise ConfigError(missing_library(e)) from e

    keep_out_of_logs(bot_settings.token)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger("bot").setLevel(logging.INFO)  # say what is served, and when it stops
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request, each with the token's URL
    application = build_application(settings, bot_settings)
    mode = f"webhook at {bot_settings.webhook_url}" if bot_settings.webhook_url else "long polling"
    log.info("starting the Telegram bot (%s, Bot API %s)", mode, bot_settings.api_base_url)
    run(application, bot_settings)
    log.info("stopped")
    return 0


def missing_library(e: ImportError) -> str:
    """Return the message for a library the Telegram bot needs and cannot import, naming what to install;
    re-raise an ImportError from newsbot's own modules (a bug, not a missing library)."""
    name = (e.name or "").split(".")[0]
    if not name or name in ("bot", "index"):
        raise e
    return (
        f"TELEGRAM_BOT_TOKEN is set but the Telegram bot cannot start: {name} is not installed "
        f"(run: pip install '{TELEGRAM_PACKAGE}'; unset TELEGRAM_BOT_TOKEN to talk in the terminal)"
    )


def _serve_terminal(settings: Settings) -> int:
    """Run the terminal conversation over stdin/stdout; SIGTERM ends it like the end of input."""
    engine = Engine.open(settings)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return chat_loop(engine, tolerant_stdin(), sys.stdout)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        engine.close()
