"""`newsbot serve`: the Telegram bot when TELEGRAM_BOT_TOKEN is set, else the terminal conversation."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from bot.settings import BotSettings
from index.settings import Settings

log = logging.getLogger(__name__)


def serve(settings: Settings, bot_settings: BotSettings) -> int:
    """Serve until the end of input (terminal) or SIGINT/SIGTERM (Telegram); return the exit code, 0."""
    if not bot_settings.token:
        return _serve_terminal(settings)
    from bot.redaction import keep_out_of_logs
    from bot.telegram_app import build_application, run

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


def _serve_terminal(settings: Settings) -> int:
    """Run the terminal conversation over stdin/stdout; SIGTERM ends it like the end of input."""
    from bot.cli import chat_loop
    from index.engine import Engine

    engine = Engine.open(settings)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return chat_loop(engine, sys.stdin, sys.stdout)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        engine.close()
