"""Following feeds on Telegram (operators only): /follow URL [minutes], /unfollow URL, /feeds, and the JobQueue job
that polls the feeds as they fall due (`poll_feeds`, scheduled in post_init). Each command calls one method of
`index.feeds.Feeds` off the event loop and renders the result with `bot.cards`."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Update

from bot import cards
from bot.messages import send_html
from bot.runtime import Context, runtime
from bot.uploads import refuse_non_admin
from index.characters import shown
from index.errors import NewsbotError
from index.feeds import DEFAULT_EVERY

log = logging.getLogger(__name__)

FEED_TICK = 60.0  # seconds between the job's looks at which feeds are due
FOLLOW_USAGE = "Send /follow followed by the feed's address and, if you like, minutes between polls, e.g. " \
    "/follow https://example.com/rss.xml 30"


async def poll_feeds(context: Context) -> None:
    """Poll the feeds that are due (a JobQueue job); a feed's failure is stored with it, never raised here."""
    rt = runtime(context)
    if rt.engine is None:
        return
    for report in await asyncio.to_thread(rt.feeds.poll_due):
        if report.failed:
            log.warning("feed %s", report.summary())
        elif report.added:
            log.info("feed %s", report.summary())


def _schedule_poll(context: Context) -> None:
    """Poll what is due at once (a feed just followed), besides the regular tick."""
    if context.job_queue is not None:
        context.job_queue.run_once(poll_feeds, 0, name="feeds-now")


async def follow(update: Update, context: Context) -> None:
    """Follow the feed at /follow URL [minutes] (admins only): read it once, store it, poll it at once."""
    message = update.effective_message
    if message is None or await refuse_non_admin(update, context, "follow feeds"):
        return
    args = context.args or []
    url = args[0] if args else ""
    if not re.match(r"https?://\S+$", url) or len(args) > 2:
        await message.reply_text(FOLLOW_USAGE)
        return
    try:
        every = float(args[1]) * 60 if len(args) == 2 else DEFAULT_EVERY
    except ValueError:
        await message.reply_text(FOLLOW_USAGE)
        return
    try:
        feed = await asyncio.to_thread(runtime(context).feeds.follow, url, every)
    except NewsbotError as e:
        await message.reply_text(shown(f"Could not follow {url}: {e}. Nothing was changed."))
        return
    await message.reply_html(cards.render_followed(feed))
    _schedule_poll(context)


async def unfollow(update: Update, context: Context) -> None:
    """Stop following the feed at /unfollow URL (admins only); what it brought stays indexed."""
    message = update.effective_message
    if message is None or await refuse_non_admin(update, context, "unfollow feeds"):
        return
    url = " ".join(context.args or [])
    if not url:
        await message.reply_text("Send /unfollow followed by the feed's address, as /feeds lists it.")
        return
    try:
        feed = await asyncio.to_thread(runtime(context).feeds.unfollow, url)
    except NewsbotError as e:
        await message.reply_text(shown(str(e)))
        return
    await message.reply_html(cards.render_unfollowed(feed))


async def feeds(update: Update, context: Context) -> None:
    """List the followed feeds and how their polls went (admins only)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or await refuse_non_admin(update, context, "see the followed feeds"):
        return
    followed = await asyncio.to_thread(runtime(context).feeds.followed)
    await send_html(context, chat.id, cards.render_feeds(followed), reply_to=message.id)
