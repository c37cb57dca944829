"""Keeping the bot token out of everything newsbot writes: log records (whichever logger makes them and
whichever handler writes them), the CLI's error line and the bot's replies.

A token `123456:AAH...` is redacted in three forms: as it is, URL-encoded (`123456%3AAAH...`), and the secret
part after the colon alone (the part that grants access), in any letter case (PTB capitalizes the messages of
Telegram's errors, which lowercases the rest of a message that echoes the token).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

REDACTED = "<token>"
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_installed = False


def secret_forms(token: str) -> list[str]:
    """Return the forms of `token` that must never be written, longest first."""
    forms = {token, quote(token, safe="")}
    _, colon, secret = token.partition(":")
    if colon and len(secret) >= 8:
        forms.add(secret)
    return sorted((f for f in forms if f), key=len, reverse=True)


def redact(text: str) -> str:
    """Return `text` with every registered secret, in any letter case, replaced by <token>."""
    return text if _pattern is None else _pattern.sub(REDACTED, text)


def register(token: str) -> None:
    """Add `token`'s forms to what `redact` removes."""
    global _pattern
    _secrets.update(secret_forms(token))
    alternatives = "|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True))
    _pattern = re.compile(alternatives, re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """Redact the secrets from a record's message, arguments and traceback; always keep the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place (message and exception text); return True."""
        if not _secrets:
            return True
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def keep_out_of_logs(token: str) -> None:
    """Register `token` and make every log record created from now on free of it, whatever handler writes
    it; the handlers already installed get the filter as well."""
    global _installed
    register(token)
    redacting = RedactingFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    if _installed:
        return
    factory = logging.getLogRecordFactory()

    def make_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redacting.filter(record)
        return record

    logging.setLogRecordFactory(make_record)
    _installed = True
