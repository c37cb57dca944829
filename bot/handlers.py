"""The Telegram handlers for what people send: commands, questions (in private, in groups, /ask), and inline
queries. Each parses the update, calls one engine method off the event loop (`asyncio.to_thread`; a question by
way of the runtime's `AnswerBatcher`, which answers questions asked together in one call) and renders the result
with `bot.cards`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import AsyncIterator

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import TelegramError

from bot import buttons, cards, messages
from bot.messages import send_html
from bot.render import attribution_line, source_line
from bot.runtime import Context, runtime
from index.characters import shown
from index.engine import Engine
from index.errors import QuestionError, WriteError
from index.model import Answer, Query
from index.questions import other_language

log = logging.getLogger(__name__)

TYPING_EVERY = 4.5  # seconds; Telegram shows a chat action for about five


# --- typing --------------------------------------------------------------------------------------------


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
    """Return the answer with the hits it shows (Answer.shown) that fit one message (the rest reachable through
    More)."""
    answer = answer.shown()
    hits = list(answer.hits)
    while len(hits) > 1 and len(cards.render_answer(Answer(answer.question, hits, offset=answer.offset))) > 1:
        hits.pop()
    more = answer.more or len(hits) < len(answer.hits)
    return dataclasses.replace(answer, hits=hits, more=more)  # the same question, window and order


async def over_limit(update: Update, context: Context) -> bool:
    """Return True (after saying the limit is the reader's own and when to try again, three times a minute at
    most) when the user has asked too much lately. Admins are never limited; inline searches have their own count."""
    user = update.effective_user
    if user is None:
        return False
    rt = runtime(context)
    if user.id in rt.bot.admins:
        return False
    inline = update.inline_query is not None
    limiter = rt.inline_limiter if inline else rt.limiter
    wait = limiter.wait(user.id)
    if not wait:
        return False
    text = cards.rate_limit_text(limiter.per_minute, wait, inline=inline)
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.inline_query is not None:
        await update.inline_query.answer(
            [], cache_time=0, button=InlineQueryResultsButton(text, start_parameter="wait")
        )
    elif limiter.should_warn(user.id) and update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return True


async def answer_question(update: Update, context: Context, question: str | Query) -> None:
    """Answer `question` (from the update's message) with cards, say that nothing is relevant (or nothing dated
    in its window), or answer small talk with what the bot does and a question to try."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if not (question.text if isinstance(question, Query) else question):
        await message.reply_text("Ask me a question, e.g. /ask how far is Derna from Crete")
        return
    if await over_limit(update, context):
        return
    rt = runtime(context)
    engine = rt.ready_engine
    async with typing(context, chat.id):
        try:
            answer = await rt.answers.answer(question, rt.bot.answers_per_message)
        except QuestionError as e:
            await message.reply_text(str(e))
            return
        if answer.small_talk:
            summary = await asyncio.to_thread(engine.library.summary, 1)
            text = cards.render_small_talk(summary.articles, summary.examples)
            await send_html(context, chat.id, [text], reply_to=message.id)
            return
        if answer.no_answer and answer.nothing_dated:
            await send_html(context, chat.id, [cards.render_nothing_dated(answer)], reply_to=message.id)
            return
        if answer.no_answer or not answer.hits:
            text = await _nothing_relevant(engine, answer.question)
            await send_html(context, chat.id, [text], reply_to=message.id)
            return
    await send_answer(context, chat.id, answer, reply_to=message.id, group=chat.type != ChatType.PRIVATE)


async def _nothing_relevant(engine: Engine, question: str) -> str:
    """Return the reply when nothing answers: newsbot reads English (to a question in another language), or what
    the corpus covers."""
    language = other_language(question)
    if language is not None:
        summary = await asyncio.to_thread(engine.library.summary, 2)
        return cards.render_other_language(language, summary.examples)
    summary = await asyncio.to_thread(engine.library.summary, 2, 3)
    return cards.render_no_answer(question, summary.articles, summary.covers, summary.examples)


async def send_answer(
    context: Context, chat_id: int, answer: Answer, *, reply_to: int | None, group: bool
) -> None:
    """Send an answer's cards with their buttons; in a group, one message at most. The engine keeps what the
    answer showed, and 👍/👎 and More carry its id."""
    if group:
        answer = fit_one_message(answer)
    try:
        answer_id = await asyncio.to_thread(runtime(context).ready_engine.feedback.remember, answer, chat_id)
    except WriteError as e:  # a full disk: the answer still goes out, without the buttons that need it kept
        log.warning("answered without buttons: %s", e)
        await send_html(context, chat_id, cards.render_answer(answer), reply_to=reply_to)
        return
    markup = buttons.answer_keyboard(answer, answer_id=answer_id)
    await send_html(context, chat_id, cards.render_answer(answer), reply_to=reply_to, markup=markup)


# --- handlers: commands ---------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """Say what the bot knows and offer example questions."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    engine = runtime(context).ready_engine

    summary = await asyncio.to_thread(engine.library.summary, 3)
    examples = summary.examples
    text = cards.render_welcome(summary.articles, summary.sentences, summary.newest, examples)
    markup = None
    if chat.type == ChatType.PRIVATE and examples:
        markup = ReplyKeyboardMarkup([[q] for q in examples], one_time_keyboard=True, resize_keyboard=True)
    await send_html(context, chat.id, [text], markup=markup)


async def about(update: Update, context: Context) -> None:
    """Explain how answers are found and what "attributed" means."""
    message = update.effective_message
    if message is None:
        return
    rt = runtime(context)
    stats = await asyncio.to_thread(rt.ready_engine.library.summary, 0)
    await message.reply_html(cards.render_about(rt.settings.model, stats.articles, stats.sentences))


async def sources(update: Update, context: Context) -> None:
    """List the articles, a page at a time."""
    chat = update.effective_chat
    if chat is None:
        return
    text, markup = await sources_page(context, 0)
    await send_html(context, chat.id, [text], markup=markup)


async def sources_page(context: Context, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the page of /sources starting at `offset` and its ◂ / ▸ buttons."""
    rt = runtime(context)
    engine, size = rt.ready_engine, rt.bot.sources_per_page

    rows = await asyncio.to_thread(engine.library.sources, offset, size)
    total = (await asyncio.to_thread(engine.library.summary, 0)).articles
    items = [(s.source, s.sentences) for s in rows]
    return cards.render_sources_page(items, offset, total), buttons.sources_keyboard(offset, size, total)


WHO_LIMIT = 20  # speakers /who lists
WHO_ARTICLES = 3  # articles /who lists the speakers of, for an answer citing several
NOT_AN_ANSWER = (
    "Reply /who to one of my answers (the message with its buttons) to see who is quoted in its article; "
    "/who alone lists who is quoted in all the articles I know."
)


async def who(update: Update, context: Context) -> None:
    """List the speakers of the corpus with their claim counts; as a reply to an answer, those of the article
    (or articles) the answer came from."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    engine = runtime(context).ready_engine
    replied = message.reply_to_message
    if replied is None:
        tally = await asyncio.to_thread(engine.library.speakers, None, WHO_LIMIT)
        texts = [cards.render_speakers(tally.speakers, tally.total_speakers, tally.total_claims)]
    else:
        sentence_ids, answer_ids = buttons.shown_under(replied.reply_markup)
        if replied.from_user is None or replied.from_user.id != context.bot.id:
            sentence_ids, answer_ids = [], []
        texts = await asyncio.to_thread(_speakers_of_answer, engine, sentence_ids, answer_ids)
        if not texts:
            await message.reply_text(NOT_AN_ANSWER)
            return
    await send_html(context, chat.id, messages.pack(texts), reply_to=message.id)


def _speakers_of_answer(engine: Engine, sentence_ids: list[int], answer_ids: list[int]) -> list[str]:
    """Return the /who replies for the articles an answer's sentences come from (none when they are gone)."""
    ids = list(sentence_ids)
    for answer_id in answer_ids:
        kept = engine.feedback.sent(answer_id)
        if kept is not None:
            ids += [i for i in kept.sentence_ids if i not in ids]
    out = []
    for source in engine.library.articles_of(ids)[:WHO_ARTICLES]:
        tally = engine.library.speakers(source.doc_id, WHO_LIMIT)
        out.append(cards.render_speakers(tally.speakers, tally.total_speakers, tally.total_claims, source))
    return out


async def latest(update: Update, context: Context) -> None:
    """Answer /latest <topic> as "latest on <topic>": the relevant sentences, newest article first."""
    message = update.effective_message
    if message is None:
        return
    topic = question_text(message.text, context.bot.username)
    if not topic:
        await message.reply_text("Name a topic, e.g. /latest Derna")
        return
    rt = runtime(context)
    await answer_question(update, context, Query(topic, rt.bot.answers_per_message, order="newest"))


async def ask(update: Update, context: Context) -> None:
    """Answer /ask <question> (the way to ask in a group), or any other text in a private chat, as a question."""
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
    if await over_limit(update, context):  # a per-user limit of its own
        return
    rt = runtime(context)
    try:
        answer = await rt.answers.answer(question, rt.bot.inline_results)
    except QuestionError:
        await query.answer([], cache_time=5)
        return
    results = []
    for hit in answer.hits:
        card = messages.pack([cards.render_card(hit, question)])[0]
        sentence, said = shown(hit.sentence), attribution_line(hit.attribution)
        description = messages.html_to_text(source_line(hit.source, html=True)).removeprefix("📰 ")
        results.append(
            InlineQueryResultArticle(
                id=f"s{hit.sentence_id}",
                title=sentence if len(sentence) <= 200 else sentence[:199] + "…",
                description=f"{said[2:]} · {description}" if said else description,
                input_message_content=InputTextMessageContent(
                    card, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
                ),
                reply_markup=buttons.hit_keyboard(hit),
            )
        )
    await query.answer(results, cache_time=30)
