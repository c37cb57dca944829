"""Adding and removing articles on Telegram (operators only): a document sent to the bot, or /add URL, indexed
in the background while a progress message says how it goes; /remove ARTICLE."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import cards
from bot.runtime import Context, runtime
from index.characters import shown
from index.errors import ArticleNotFoundError, ReadError, WriteError
from index.reading import SUFFIXES, said_suffixes

log = logging.getLogger(__name__)

async def refuse_non_admin(update: Update, context: Context, what: str = "add articles") -> bool:
    """Return True, after telling them so, when the update's sender is not one of the bot's operators."""
    user, message = update.effective_user, update.effective_message
    if user is not None and user.id in runtime(context).bot.admins:
        return False
    if message is not None:
        await message.reply_text(
            f"Sorry, only the bot's operators can {what}. You can ask questions, though!"
        )
    return True


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


async def add_document(update: Update, context: Context) -> None:
    """Index a document an admin sends (in the background, with a progress message)."""
    message = update.effective_message
    if message is None or message.document is None or await refuse_non_admin(update, context):
        return
    document = message.document
    name = PurePosixPath(document.file_name or "upload.txt").name
    limit = runtime(context).bot.upload_max_bytes
    if not name.lower().endswith(SUFFIXES):
        await message.reply_text(f"I can add {said_suffixes('and')} files; {shown(name)} is none of those.")
        return
    if document.file_size is not None and document.file_size > limit:
        await message.reply_text(f"{shown(name)} is {_size(document.file_size)}; the limit is {_size(limit)}.")
        return
    progress = await message.reply_text(f"⏳ Adding {shown(name)}…")

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
    if message is None or await refuse_non_admin(update, context):
        return
    url = context.args[0] if context.args else ""
    if not re.match(r"https?://\S+$", url):
        await message.reply_text(
            "Send /add followed by the article's address, e.g. /add https://example.com/news"
        )
        return
    progress = await message.reply_text(
        f"⏳ Fetching {shown(url)}…", link_preview_options=LinkPreviewOptions(is_disabled=True)
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
            await progress.edit_text(shown(f"Could not add {e.name}: {e.reason}. Nothing was changed."))
            return
        except WriteError as e:  # a full disk: the operator's problem, said once, the reader told plainly
            log.warning("could not add %s: %s", name, e)
            await progress.edit_text(shown(f"Could not add {name}: {e}."))
            return
        except BadRequest as e:  # e.g. "file is too big" from getFile
            await progress.edit_text(f"Telegram would not let me download {shown(name)}: {e.message}.")
            return
        except Exception:
            await progress.edit_text(f"Could not add {shown(name)}. Nothing was changed.")
            raise
    await progress.edit_text(
        cards.render_added(name, report.sentences_added, report.articles_added, report.titles),
        parse_mode=ParseMode.HTML,
    )


async def remove(update: Update, context: Context) -> None:
    """Remove the article /remove ARTICLE names (its doc_id, title or file name; admins only) from the store and
    the vector index, and say what was removed."""
    message = update.effective_message
    if message is None or await refuse_non_admin(update, context, "remove articles"):
        return
    name = " ".join(context.args or [])
    if not name:
        await message.reply_text(
            "Send /remove followed by the article's doc_id, title or file name, as /sources lists it, "
            "e.g. /remove derna.txt"
        )
        return
    rt = runtime(context)
    engine = rt.ready_engine
    async with rt.adding:  # one change of the articles at a time
        try:
            found = await asyncio.to_thread(engine.removal, [name])
            removed = await asyncio.to_thread(engine.remove, [r.source.doc_id for r in found])
        except ArticleNotFoundError as e:
            await message.reply_text(shown(f"{e}. Nothing was removed."))
            return
        except WriteError as e:  # a full disk: nothing was removed (one transaction)
            log.warning("could not remove %s: %s", name, e)
            await message.reply_text(shown(f"Could not remove {name}: {e}."))
            return
    await message.reply_html(cards.render_removed(removed))
