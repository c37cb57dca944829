"""newsbot on Telegram: the python-telegram-bot Application, its handlers, and how it runs (long polling, or a
webhook when one is configured).

Every handler parses the update, calls one engine method off the event loop (`asyncio.to_thread`) and renders
the result with `bot.cards`. The engine loads once, in `post_init`. Buttons carry ids, not in-memory state, so
they keep working after a restart; "More" and 👍/👎 carry the id of the answer the engine kept, so they work
when the question's message is gone. The bot token never reaches a log line or a reply (`bot.redaction`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import cast

from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import cards
from bot.redaction import keep_out_of_logs, redact
from bot.settings import BotSettings
from index.engine import Engine
from index.errors import ConfigError, NewsbotError, QuestionError, ReadError
from index.model import Answer, Source
from index.settings import Settings
from index.store import StoredAnswer

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "what I know, and example questions"),
    BotCommand("help", "how to ask, and what the buttons do"),
    BotCommand("sources", "the articles I know"),
    BotCommand("about", "how answers are found; what “attributed” means"),
    BotCommand("ask", "ask a question (in groups)"),
]
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
TYPING_EVERY = 4.5  # seconds; Telegram shows a chat action for about five
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
STALE = "This button has expired. Please ask your question again."
NO_QUESTION = "I can no longer see the question this answered. Please ask it again."

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
    """What the handlers share: settings, the engine (loaded in post_init), the limiter."""

    settings: Settings
    bot: BotSettings
    engine: Engine | None = None
    owns_engine: bool = False
    limiter: QuestionLimiter = field(init=False)
    adding: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.limiter = QuestionLimiter(self.bot.questions_per_minute)

    @property
    def ready_engine(self) -> Engine:
        """Return the engine; it is loaded before the first update is handled."""
        if self.engine is None:
            raise RuntimeError("the engine is not loaded yet")
        return self.engine


def runtime(context: Context) -> Runtime:
    """Return the handlers' shared runtime."""
    return cast(Runtime, context.bot_data["runtime"])


# --- sending --------------------------------------------------------------------------------------------


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    return None if message_id is None else ReplyParameters(message_id, allow_sending_without_reply=True)


async def send_html(
    context: Context,
    chat_id: int,
    messages: Sequence[str],
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> list[Message]:
    """Send HTML messages in order (the markup under the last); if Telegram cannot parse the HTML, send the
    rest as plain text."""
    sent: list[Message] = []
    for n, text in enumerate(messages):
        last = n == len(messages) - 1
        try:
            sent.append(
                await context.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_parameters=_reply_to(reply_to),
                    reply_markup=markup if last else None,
                )
            )
        except BadRequest as e:
            if "can't parse entities" not in str(e).lower():
                raise
            log.warning("Telegram refused the HTML (%s); sending plain text", e)
            plain = cards.plain_messages(messages[n:])
            for m, part in enumerate(plain):
                sent.append(
                    await context.bot.send_message(
                        chat_id,
                        part,
                        reply_parameters=_reply_to(reply_to),
                        reply_markup=markup if m == len(plain) - 1 else None,
                    )
                )
            break
    return sent


@contextlib.asynccontextmanager
async def typing(context: Context, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat while the block runs."""

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as e:
                log.debug("chat action failed: %s", e)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- questions ------------------------------------------------------------------------------------------


def question_text(text: str | None, username: str | None) -> str:
    """Return the question in a message's text, without a leading /command or @mentions of the bot."""
    q = text or ""
    q = re.sub(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", "", q.strip())
    if username:
        q = re.sub(rf"@{re.escape(username)}\b", " ", q, flags=re.IGNORECASE)
    return " ".join(q.split())


def fit_one_message(answer: Answer) -> Answer:
    """Return the answer with as many hits as fit one message (the rest reachable through More)."""
    hits = list(answer.hits)
    while len(hits) > 1 and len(cards.render_answer(Answer(answer.question, hits, offset=answer.offset))) > 1:
        hits.pop()
    more = answer.more or len(hits) < len(answer.hits)
    return Answer(answer.question, hits, answer.no_answer, answer.offset, more)


async def _over_limit(update: Update, context: Context) -> bool:
    """Return True (after a friendly word, once a minute) when the user has asked too much lately."""
    user = update.effective_user
    if user is None:
        return False
    limiter = runtime(context).limiter
    wait = limiter.wait(user.id)
    if not wait:
        return False
    text = f"You're asking faster than I can keep up with. Please wait {int(wait) + 1} s and ask again."
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.inline_query is not None:
        await update.inline_query.answer(
            [],
            cache_time=0,
            button=InlineQueryResultsButton(f"Too many questions: wait {int(wait) + 1} s", start_parameter="wait"),
        )
    elif limiter.should_warn(user.id) and update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return True


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer `question` (from the update's message) with cards, or say that nothing is relevant."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if not question:
        await message.reply_text("Ask me a question, e.g. /ask how far is Derna from Crete")
        return
    if await _over_limit(update, context):
        return
    rt = runtime(context)
    engine = rt.ready_engine
    async with typing(context, chat.id):
        try:
            answer = await asyncio.to_thread(engine.answer, question, rt.bot.answers_per_message)
        except QuestionError as e:
            await message.reply_text(str(e))
            return
        if answer.no_answer or not answer.hits:
            await send_html(
                context, chat.id, [await _nothing_relevant(engine, question)], reply_to=message.id
            )
            return
    await send_answer(context, chat.id, answer, reply_to=message.id, group=chat.type != ChatType.PRIVATE)


async def _nothing_relevant(engine: Engine, question: str) -> str:
    def hint() -> str:
        stats = engine.stats()
        covers = [s.source for s in engine.sources(0, 3)]
        return cards.render_no_answer(question, stats.articles, covers, engine.example_questions(2))

    return await asyncio.to_thread(hint)


async def send_answer(
    context: Context, chat_id: int, answer: Answer, *, reply_to: int | None, group: bool
) -> None:
    """Send an answer's cards with their buttons; in a group, one message at most. The engine keeps what the
    answer showed, and 👍/👎 and More carry its id."""
    if group:
        answer = fit_one_message(answer)
    answer_id = await asyncio.to_thread(runtime(context).ready_engine.remember_answer, answer, chat_id)
    markup = cards.answer_keyboard(answer, answer_id=answer_id)
    await send_html(context, chat_id, cards.render_answer(answer), reply_to=reply_to, markup=markup)


# --- handlers: commands ---------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """Say what the bot knows and offer example questions."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    engine = runtime(context).ready_engine

    def facts() -> tuple[str, list[str]]:
        stats = engine.stats()
        examples = engine.example_questions(3)
        return cards.render_welcome(stats.articles, stats.sentences, stats.newest, examples), examples

    text, examples = await asyncio.to_thread(facts)
    markup = None
    if chat.type == ChatType.PRIVATE and examples:
        markup = ReplyKeyboardMarkup([[q] for q in examples], one_time_keyboard=True, resize_keyboard=True)
    await send_html(context, chat.id, [text], markup=markup)


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask and what the buttons do."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    admin = user is not None and user.id in runtime(context).bot.admins
    await message.reply_html(cards.render_help(context.bot.username, admin=admin))


async def about(update: Update, context: Context) -> None:
    """Explain how answers are found and what "attributed" means."""
    message = update.effective_message
    if message is None:
        return
    rt = runtime(context)
    stats = await asyncio.to_thread(rt.ready_engine.stats)
    await message.reply_html(cards.render_about(rt.settings.model, stats.articles, stats.sentences))


async def sources(update: Update, context: Context) -> None:
    """List the articles, a page at a time."""
    chat = update.effective_chat
    if chat is None:
        return
    text, markup = await _sources_page(context, 0)
    await send_html(context, chat.id, [text], markup=markup)


async def _sources_page(context: Context, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    rt = runtime(context)
    engine, size = rt.ready_engine, rt.bot.sources_per_page

    def page() -> tuple[list[tuple[Source, int]], int]:
        return [(s.source, s.sentences) for s in engine.sources(offset, size)], engine.stats().articles

    items, total = await asyncio.to_thread(page)
    return cards.render_sources_page(items, offset, total), cards.sources_keyboard(offset, size, total)


async def ask(update: Update, context: Context) -> None:
    """Answer /ask <question> (the way to ask in a group)."""
    message = update.effective_message
    if message is None:
        return
    await answer_question(update, context, question_text(message.text, context.bot.username))


async def private_text(update: Update, context: Context) -> None:
    """Answer any other text in a private chat as a question."""
    message = update.effective_message
    if message is None:
        return
    await answer_question(update, context, question_text(message.text, context.bot.username))


async def group_text(update: Update, context: Context) -> None:
    """In a group, answer only a message that mentions the bot or replies to it."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    username = context.bot.username
    mentioned = any(
        text.lower() == f"@{username}".lower()
        for text in message.parse_entities([MessageEntityType.MENTION]).values()
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == context.bot.id
    )
    if mentioned or replied:
        await answer_question(update, context, question_text(message.text, username))


# --- handlers: buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Handle a press of More, Context, Source, 👍/👎 or a /sources page."""
    query = update.callback_query
    if query is None:
        return
    pressed = cards.decode_button(query.data)
    if pressed is None:
        await query.answer(STALE, show_alert=True)
        return
    engine = runtime(context).ready_engine
    message = query.message if isinstance(query.message, Message) else None
    match pressed:
        case cards.More(offset):
            asked = message.reply_to_message if message is not None else None
            question = question_text(asked.text if asked is not None else None, context.bot.username)
            reply_to = asked.message_id if asked is not None else None
            await _more(update, context, query, message, question, offset, reply_to)
        case cards.MoreOf(answer_id):
            sent = await _kept_answer(engine, answer_id, message)
            if sent is None:
                await query.answer(NO_QUESTION, show_alert=True)
                return
            offset = sent.first + len(sent.sentence_ids)
            asked = message.reply_to_message if message is not None else None
            # in reply to the question while it is there, else to the answer it continues
            reply_to = asked.message_id if asked is not None else message.message_id if message else None
            await _more(update, context, query, message, sent.question, offset, reply_to)
        case cards.FeedbackOn(helpful, answer_id):
            sent = await _kept_answer(engine, answer_id, message)
            if sent is None:
                await query.answer(NO_QUESTION, show_alert=True)
                return
            user, chat = update.effective_user, update.effective_chat
            await asyncio.to_thread(
                engine.record_feedback,
                sent.question,
                list(sent.sentence_ids),
                helpful,
                user.id if user else None,
                chat.id if chat else None,
            )
            await query.answer(
                "Thanks, noted." if helpful else "Thanks, noted: the operators will look into it."
            )
        case cards.ShowContext(sentence_id):

            def context_of() -> list[str] | None:
                ctx = engine.context(sentence_id)
                if ctx is None:
                    return None
                hit = engine.hit(sentence_id)
                before, after = (hit.before, hit.after) if hit is not None else (None, None)
                return cards.render_context(
                    ctx.source, ctx.paragraph, ctx.start, ctx.end, before=before, after=after
                )

            shown = await asyncio.to_thread(context_of)
            if shown is None:
                await query.answer("That sentence is no longer in the index.", show_alert=True)
                return
            await _show(context, query, message, shown)
        case cards.ShowSource(sentence_id):

            def article() -> list[str] | None:
                hit = engine.hit(sentence_id)
                found = engine.article(hit.source.doc_id) if hit is not None else None
                return cards.render_article(*found) if found is not None else None

            shown = await asyncio.to_thread(article)
            if shown is None:
                await query.answer("That article is no longer in the index.", show_alert=True)
                return
            await _show(context, query, message, shown)
        case cards.Feedback(helpful, sentence_ids):
            asked = message.reply_to_message if message is not None else None
            question = question_text(asked.text if asked else None, context.bot.username)
            user, chat = update.effective_user, update.effective_chat
            await asyncio.to_thread(
                engine.record_feedback,
                question,
                list(sentence_ids),
                helpful,
                user.id if user else None,
                chat.id if chat else None,
            )
            await query.answer(
                "Thanks, noted." if helpful else "Thanks, noted: the operators will look into it."
            )
        case cards.SourcesPage(offset):
            text, markup = await _sources_page(context, offset)
            with contextlib.suppress(BadRequest):  # "message is not modified" after a double press
                await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            await query.answer()


async def _kept_answer(engine: Engine, answer_id: int, message: Message | None) -> StoredAnswer | None:
    """Return the kept answer a button names, or None when it is unknown or was sent to another chat (button
    data can be forged: an answer is only continued where it was given)."""
    sent = await asyncio.to_thread(engine.sent_answer, answer_id)
    if sent is None or (sent.chat_id is not None and (message is None or message.chat.id != sent.chat_id)):
        return None
    return sent


async def _more(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message | None,
    question: str,
    offset: int,
    reply_to: int | None,
) -> None:
    """Send the hits after `offset` for `question`, in reply to `reply_to` (the question or the answer)."""
    if message is None or not question:
        await query.answer(NO_QUESTION, show_alert=True)
        return
    if await _over_limit(update, context):
        return
    rt = runtime(context)
    answer = await asyncio.to_thread(rt.ready_engine.answer, question, rt.bot.answers_per_message, offset)
    if answer.no_answer or not answer.hits:
        await query.answer("That was everything I found.")
        return
    await query.answer()
    group = message.chat.type != ChatType.PRIVATE
    await send_answer(context, message.chat.id, answer, reply_to=reply_to, group=group)


async def _show(context: Context, query: CallbackQuery, message: Message | None, messages: list[str]) -> None:
    """Send what a button shows: in reply to the answer, or, for an inline message, to the user privately."""
    if message is not None:
        await query.answer()
        await send_html(context, message.chat.id, messages, reply_to=message.message_id)
        return
    try:
        await send_html(context, query.from_user.id, messages)
        await query.answer("Sent to our private chat.")
    except Forbidden:
        text = cards.plain_messages(messages)[0] if messages else ""
        await query.answer(
            text[: cards.MAX_ALERT - 1] + "…" if len(text) > cards.MAX_ALERT else text, show_alert=True
        )


# --- handlers: inline mode ------------------------------------------------------------------------------


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to ten cards for "@bot question" in any chat."""
    query = update.inline_query
    if query is None:
        return
    question = " ".join(query.query.split())
    if len(question) < 3:
        await query.answer([], cache_time=5)
        return
    if await _over_limit(update, context):  # the same per-user limit as questions in chats
        return
    rt = runtime(context)
    try:
        answer = await asyncio.to_thread(rt.ready_engine.answer, question, rt.bot.inline_results)
    except QuestionError:
        await query.answer([], cache_time=5)
        return
    results = []
    for hit in answer.hits:
        card = cards.pack([cards.render_card(hit, question)])[0]
        said = cards.attribution_line(hit.attribution)
        description = cards.html_to_text(cards.source_line(hit.source)).removeprefix("📰 ")
        results.append(
            InlineQueryResultArticle(
                id=f"s{hit.sentence_id}",
                title=hit.sentence if len(hit.sentence) <= 200 else hit.sentence[:199] + "…",
                description=f"{said[2:]} · {description}" if said else description,
                input_message_content=InputTextMessageContent(
                    card, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
                ),
                reply_markup=cards.hit_keyboard(hit),
            )
        )
    await query.answer(results, cache_time=30)


# --- handlers: adding articles --------------------------------------------------------------------------


async def _refuse_non_admin(update: Update, context: Context) -> bool:
    user, message = update.effective_user, update.effective_message
    if user is not None and user.id in runtime(context).bot.admins:
        return False
    if message is not None:
        await message.reply_text(
            "Sorry, only the bot's operators can add articles. You can ask questions, though!"
        )
    return True


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


async def add_document(update: Update, context: Context) -> None:
    """Index a document an admin sends (in the background, with a progress message)."""
    message = update.effective_message
    if message is None or message.document is None or await _refuse_non_admin(update, context):
        return
    document = message.document
    name = PurePosixPath(document.file_name or "upload.txt").name
    limit = runtime(context).bot.upload_max_bytes
    if not name.lower().endswith(DOCUMENT_SUFFIXES):
        await message.reply_text(f"I can add .txt, .md, .html and .jsonl files; {name} is none of those.")
        return
    if document.file_size is not None and document.file_size > limit:
        await message.reply_text(f"{name} is {_size(document.file_size)}; the limit is {_size(limit)}.")
        return
    progress = await message.reply_text(f"⏳ Adding {name}…")

    async def index_it() -> bytes:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        if len(data) > limit:
            raise ReadError(name, f"it is {_size(len(data))}; the limit is {_size(limit)}")
        return data

    context.application.create_task(_add(context, progress, name, index_it, None), update=update)


async def add_url(update: Update, context: Context) -> None:
    """Fetch and index the article at /add URL (admins only)."""
    message = update.effective_message
    if message is None or await _refuse_non_admin(update, context):
        return
    url = context.args[0] if context.args else ""
    if not re.match(r"https?://\S+$", url):
        await message.reply_text(
            "Send /add followed by the article's address, e.g. /add https://example.com/news"
        )
        return
    progress = await message.reply_text(
        f"⏳ Fetching {url}…", link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    context.application.create_task(_add(context, progress, url, None, url), update=update)


async def _add(
    context: Context,
    progress: Message,
    name: str,
    download: Callable[[], Awaitable[bytes]] | None,
    url: str | None,
) -> None:
    """Index an upload (`download` gives its bytes) or a URL, then report in the progress message."""
    rt = runtime(context)
    engine = rt.ready_engine
    async with rt.adding:
        try:
            if url is not None:
                report = await asyncio.to_thread(engine.add_url, url)
            else:
                assert download is not None
                data = await download()
                report = await asyncio.to_thread(engine.add_document, name, data)
        except ReadError as e:
            await progress.edit_text(f"Could not add {e.name}: {e.reason}. Nothing was changed.")
            return
        except BadRequest as e:  # e.g. "file is too big" from getFile
            await progress.edit_text(f"Telegram would not let me download {name}: {e.message}.")
            return
        except Exception:
            await progress.edit_text(f"Could not add {name}. Nothing was changed.")
            raise
    await progress.edit_text(
        cards.render_added(name, report.sentences_added, report.articles_added, report.titles),
        parse_mode=ParseMode.HTML,
    )


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
            await update.callback_query.answer(text[: cards.MAX_ALERT], show_alert=True)
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
    await asyncio.to_thread(rt.engine.encoder.load)  # the model loads lazily: here, not at the first question
    try:
        await application.bot.set_my_commands(COMMANDS)
    except TelegramError as e:  # the menu is a convenience: serve without it
        log.warning(
            "setMyCommands failed at %s (%s); serving without an updated command menu", rt.bot.api_base_url, e
        )
    stats = await asyncio.to_thread(rt.engine.stats)
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
    """Drop PTB's traceback for a rejected token at start-up: `run` says it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a record about InvalidToken."""
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, InvalidToken)


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
    application.add_handler(CommandHandler("start", start, filters=new))
    application.add_handler(CommandHandler("help", help_command, filters=new))
    application.add_handler(CommandHandler("about", about, filters=new))
    application.add_handler(CommandHandler("sources", sources, filters=new))
    application.add_handler(CommandHandler("ask", ask, filters=new))
    application.add_handler(CommandHandler("add", add_url, filters=new))
    application.add_handler(
        MessageHandler(new & filters.Document.ALL & filters.ChatType.PRIVATE, add_document)
    )
    text = new & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(text & filters.ChatType.PRIVATE, private_text))
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
