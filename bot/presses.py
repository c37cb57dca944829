"""The Telegram handler for button presses: More, Context, Source, 👍/👎 and the pages of /sources. Buttons carry
ids, not in-memory state (`bot.buttons`), so they keep working after a restart; "More" and 👍/👎 carry the id of
the answer the engine kept, so they work when the question's message is gone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from telegram import (
    CallbackQuery,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden

from bot import buttons, cards
from bot.handlers import over_limit, question_text, send_answer, sources_page
from bot.messages import MAX_ALERT, plain_messages, send_html
from bot.runtime import Context, runtime
from index.engine import Engine
from index.model import Query, StoredAnswer

log = logging.getLogger(__name__)

STALE = "This button has expired. Please ask your question again."
NO_QUESTION = "I can no longer see the question this answered. Please ask it again."


# --- presses ----------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    """Handle a press of More, Context, Source, 👍/👎 or a /sources page."""
    query = update.callback_query
    if query is None:
        return
    pressed = buttons.decode_button(query.data)
    if pressed is None:
        await query.answer(STALE, show_alert=True)
        return
    engine = runtime(context).ready_engine
    message = query.message if isinstance(query.message, Message) else None
    match pressed:
        case buttons.More(offset):
            asked = message.reply_to_message if message is not None else None
            question = question_text(asked.text if asked is not None else None, context.bot.username)
            reply_to = asked.message_id if asked is not None else None
            more = Query(question, runtime(context).bot.answers_per_message, offset)
            await _more(update, context, query, message, more, reply_to)
        case buttons.MoreOf(answer_id):
            sent = await _kept_answer(engine, answer_id, message)
            if sent is None:
                await query.answer(NO_QUESTION, show_alert=True)
                return
            asked = message.reply_to_message if message is not None else None
            # in reply to the question while it is there, else to the answer it continues
            reply_to = asked.message_id if asked is not None else message.message_id if message else None
            more = sent.following(runtime(context).bot.answers_per_message)  # the same window and order
            await _more(update, context, query, message, more, reply_to)
        case buttons.FeedbackOn(helpful, answer_id):
            sent = await _kept_answer(engine, answer_id, message)
            if sent is None:
                await query.answer(NO_QUESTION, show_alert=True)
                return
            await _record_feedback(update, query, engine, sent.question, sent.sentence_ids, helpful)
        case buttons.ShowContext(sentence_id):
            view = await asyncio.to_thread(engine.library.context, sentence_id)
            if view is None:
                await query.answer("That sentence is no longer in the index.", show_alert=True)
                return
            shown = cards.render_context(
                view.source, view.paragraph, view.start, view.end, before=view.before, after=view.after
            )
            await _show(context, query, message, shown)
        case buttons.ShowSource(sentence_id):
            article = await asyncio.to_thread(engine.library.source_view, sentence_id)
            if article is None:
                await query.answer("That article is no longer in the index.", show_alert=True)
                return
            shown = cards.render_article(article.source, article.opening, sentences=article.sentences)
            await _show(context, query, message, shown)
        case buttons.Feedback(helpful, sentence_ids):
            asked = message.reply_to_message if message is not None else None
            question = question_text(asked.text if asked else None, context.bot.username)
            await _record_feedback(update, query, engine, question, sentence_ids, helpful)
        case buttons.SourcesPage(offset):
            text, markup = await sources_page(context, offset)
            with contextlib.suppress(BadRequest):  # "message is not modified" after a double press
                await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            await query.answer()


async def _record_feedback(
    update: Update, query: CallbackQuery, engine: Engine, question: str, sentence_ids: Sequence[int], helpful: bool
) -> None:
    """Store a reader's 👍/👎 with the question and the sentences shown, and thank them."""
    user, chat = update.effective_user, update.effective_chat
    await asyncio.to_thread(
        engine.feedback.record,
        question,
        list(sentence_ids),
        helpful,
        user.id if user else None,
        chat.id if chat else None,
    )
    await query.answer("Thanks, noted." if helpful else "Thanks, noted: the operators will look into it.")


async def _kept_answer(engine: Engine, answer_id: int, message: Message | None) -> StoredAnswer | None:
    """Return the kept answer a button names, or None when it is unknown or was sent to another chat (button
    data can be forged: an answer is only continued where it was given)."""
    sent = await asyncio.to_thread(engine.feedback.sent, answer_id)
    if sent is None or (sent.chat_id is not None and (message is None or message.chat.id != sent.chat_id)):
        return None
    return sent


async def _more(
    update: Update,
    context: Context,
    query: CallbackQuery,
    message: Message | None,
    question: Query,
    reply_to: int | None,
) -> None:
    """Send the hits the Query asks for (those after its offset), in reply to `reply_to` (the question or the
    answer)."""
    if message is None or not question.text:
        await query.answer(NO_QUESTION, show_alert=True)
        return
    if await over_limit(update, context):
        return
    rt = runtime(context)
    answer = await asyncio.to_thread(rt.ready_engine.answer, question)
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
        text = plain_messages(messages)[0] if messages else ""
        await query.answer(
            text[: MAX_ALERT - 1] + "…" if len(text) > MAX_ALERT else text, show_alert=True
        )
