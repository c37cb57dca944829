"""newsbot on Telegram: the python-telegram-bot Application (which handler gets which update, the access check,
the error handler, loading the engine in `post_init`) and how it runs (long polling, or a webhook when one is
configured). The handlers are in `bot.handlers` (what people send), `bot.presses` (buttons) and `bot.uploads`
(adding articles). The bot token never reaches a log line or a reply (`bot.redaction`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import messages
from bot.commands import COMMANDS, menu
from bot.following import FEED_TICK, poll_feeds
from bot.handlers import ask, group_text, inline_query
from bot.presses import button
from bot.redaction import keep_out_of_logs, redact
from bot.runtime import Context, Runtime, runtime
from bot.settings import BotSettings
from bot.uploads import add_document
from index.engine import Engine
from index.errors import ConfigError, NewsbotError
from index.settings import Settings

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."

# --- access, errors, lifecycle --------------------------------------------------------------------------


async def admit(update: Update, context: Context) -> None:
    """Stop updates from chats outside NEWSBOT_ALLOWED_CHATS (when it is set)."""
    allowed = runtime(context).bot.allowed_chats
    if allowed is None:
        return
    chat, user = update.effective_chat, update.effective_user
    where = chat.id if chat is not None else (user.id if user is not None else None)
    if where in allowed:
        return
    if chat is not None and chat.type == ChatType.PRIVATE and update.message is not None:
        await update.message.reply_text(
            "Sorry, this bot only serves some chats, and this is not one of them."
        )
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the error with its traceback (the token redacted), then reply with a short apology; the bot keeps
    serving. A user who blocked the bot (Forbidden) gets no apology: it could not be delivered."""
    if isinstance(context.error, Forbidden):
        log.warning("Telegram refused a message to the user (blocked the bot?): %s", context.error)
        return
    log.error("Exception while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = redact(str(context.error)) if isinstance(context.error, NewsbotError) else APOLOGY
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[: messages.MAX_ALERT], show_alert=True)
        elif update.inline_query is not None:
            pass
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as e:
        log.warning("could not send the apology: %s", e)


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Load the engine (unless one was given), register the commands, and log what is served."""
    rt = cast(Runtime, application.bot_data["runtime"])
    if rt.engine is None:
        rt.engine = await asyncio.to_thread(Engine.open, rt.settings)
        rt.owns_engine = True
    await asyncio.to_thread(rt.engine.warm_up)  # the model loads lazily: here, not at the first question
    try:
        await application.bot.set_my_commands(menu())
    except TelegramError as e:  # the menu is a convenience: serve without it
        log.warning(
            "setMyCommands failed at %s (%s); serving without an updated command menu", rt.bot.api_base_url, e
        )
    if application.job_queue is not None:  # followed feeds, polled as they fall due (bot.following)
        application.job_queue.run_repeating(poll_feeds, interval=FEED_TICK, first=1, name="feeds")
    else:
        log.warning("the JobQueue is not installed: followed feeds are not polled (run: pip install "
                    "'python-telegram-bot[job-queue]', or poll them with newsbot watch)")
    stats = await asyncio.to_thread(rt.engine.library.summary, 0)
    log.info(
        "serving @%s: %d article(s), %d sentences", application.bot.username, stats.articles, stats.sentences
    )


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    """Close the engine if this application opened it."""
    rt = cast(Runtime, application.bot_data["runtime"])
    if rt.owns_engine and rt.engine is not None:
        await asyncio.to_thread(rt.engine.close)
        rt.engine = None


class _QuietRejectedToken(logging.Filter):
    """Drop PTB's traceback for a rejected token, or a Bot API it cannot reach, at start-up: `run` says it in one
    line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a record about InvalidToken, or a network error while the application starts."""
        error = record.exc_info[1] if record.exc_info else None
        starting = "Initialize Application" in record.getMessage()
        return not (isinstance(error, InvalidToken) or (starting and isinstance(error, NetworkError)))


def build_application(
    settings: Settings, bot_settings: BotSettings, engine: Engine | None = None
) -> Application:  # type: ignore[type-arg]
    """Return the Telegram Application with every handler; it loads the engine in post_init unless given."""
    if not bot_settings.token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    keep_out_of_logs(bot_settings.token)
    quiet = logging.getLogger("telegram.ext")
    if not any(isinstance(f, _QuietRejectedToken) for f in quiet.filters):
        quiet.addFilter(_QuietRejectedToken())
    application = (
        Application.builder()
        .token(bot_settings.token)
        .base_url(bot_settings.api_base_url)
        .base_file_url(bot_settings.api_file_url)
        .rate_limiter(AIORateLimiter(max_retries=bot_settings.max_retries))
        .concurrent_updates(True)
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["runtime"] = Runtime(settings, bot_settings, engine)
    application.add_handler(TypeHandler(Update, admit), group=-1)
    new = filters.UpdateType.MESSAGE  # an edited message is not asked again
    for command in COMMANDS:  # bot.commands: the same table makes the menu and /help
        application.add_handler(CommandHandler(command.name, command.handler, filters=new))
    application.add_handler(
        MessageHandler(new & filters.Document.ALL & filters.ChatType.PRIVATE, add_document)
    )
    text = new & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, ask))
    application.add_handler(MessageHandler(text & filters.ChatType.GROUPS, group_text))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_error_handler(on_error)
    return application


def run(application: Application, bot_settings: BotSettings) -> None:  # type: ignore[type-arg]
    """Serve until SIGINT or SIGTERM: long polling, or a webhook when NEWSBOT_WEBHOOK_URL is set; raise
    ConfigError when Telegram rejects the token."""
    try:
        if bot_settings.webhook_url:
            application.run_webhook(
                listen=bot_settings.webhook_listen,
                port=bot_settings.webhook_port,
                url_path=bot_settings.webhook_path,
                webhook_url=bot_settings.webhook_url,
                secret_token=bot_settings.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise ConfigError(
            f"Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN; Bot API {bot_settings.api_base_url})"
        ) from None
    except NetworkError as e:  # only start-up raises it: once serving, PTB retries on its own
        raise ConfigError(
            f"cannot reach the Telegram Bot API at {bot_settings.api_base_url} ({redact(str(e))}); check the "
            "network, or TELEGRAM_API_BASE_URL"
        ) from None
