"""The bot's commands, in one table: each `Command` makes its entry in Telegram's command menu, its handler's
registration (`bot.telegram_app`) and its line in /help. A new command is a new row here."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update

from bot import cards
from bot.following import feeds, follow, unfollow
from bot.handlers import about, ask, latest, sources, start, who
from bot.runtime import Context, runtime
from bot.uploads import add_url, remove

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    """One bot command: its name, its handler, its menu entry and /help line (either may be absent), and whether
    only operators (NEWSBOT_ADMINS) see it in /help."""

    name: str
    handler: Handler
    menu: str | None = None  # Telegram's command menu; None keeps it out
    help: str | None = None  # what /help says after "/name usage — "; None keeps it out
    usage: str = ""  # the arguments, as /help shows them (Telegram HTML)
    admin: bool = False

    def help_line(self) -> str:
        """Return the command's /help line ("/latest <i>topic</i> — the latest on a topic ...")."""
        usage = f" {self.usage}" if self.usage else ""
        return f"/{self.name}{usage} — {self.help}"


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask and what the buttons do; to an operator, also the operators' commands."""
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    admin = user is not None and user.id in runtime(context).bot.admins
    await message.reply_html(cards.render_help(context.bot.username, *help_lines(admin=admin)))


COMMANDS: tuple[Command, ...] = (
    Command("start", start, menu="what I know, and example questions"),
    Command("help", help_command, menu="how to ask, and what the buttons do"),
    Command("sources", sources, menu="the articles I know", help="the articles I know"),
    Command(
        "who",
        who,
        menu="who is quoted, and how often (reply to an answer: in its article)",
        help="who is quoted, and how often; reply /who to an answer for the speakers of its article",
    ),
    Command("about", about, menu="how answers are found; what “attributed” means", help="how answers are found"),
    Command("ask", ask, menu="ask a question (in groups)"),  # /help says it in the paragraph on groups
    Command(
        "latest",
        latest,
        menu="the latest on a topic, newest first",
        usage="<i>topic</i>",
        help="the latest on a topic, newest article first; time words work in any question (<i>in 2019</i>, "
        "<i>since March</i>, <i>this week</i>: relative to the newest article I know)",
    ),
    Command("add", add_url, usage="<i>URL</i>", help="adds the article at a web address", admin=True),
    Command(
        "remove",
        remove,
        usage="<i>article</i>",
        help="removes one (its title or file name, as /sources lists it)",
        admin=True,
    ),
    Command(
        "follow",
        follow,
        usage="<i>URL</i> [<i>minutes</i>]",
        help="follows an RSS, Atom or JSON feed (its new items are added as they come)",
        admin=True,
    ),
    Command("feeds", feeds, help="lists the feeds followed and how their polls went", admin=True),
    Command("unfollow", unfollow, usage="<i>URL</i>", help="stops following a feed", admin=True),
)


def menu() -> list[BotCommand]:
    """Return Telegram's command menu (setMyCommands), in the table's order."""
    return [BotCommand(c.name, c.menu) for c in COMMANDS if c.menu]


def help_lines(*, admin: bool) -> tuple[list[str], list[str]]:
    """Return the /help lines of the readers' commands and (to an operator; else none) of the operators'."""
    readers = [c.help_line() for c in COMMANDS if c.help and not c.admin]
    operators = [c.help_line() for c in COMMANDS if c.help and c.admin] if admin else []
    return readers, operators
