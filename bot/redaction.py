"""Keeping the bot token out of everything newsbot writes: log records (whichever logger makes them and
whichever handler writes them), the CLI's error line and the bot's replies.

A token `123456:AAH...` is redacted in three forms: as it is, URL-encoded (`123456%3AAAH...`), and the secret
part after the colon alone (the part that grants access).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

REDACTED = "<token>"
_secrets: set[str] = set()
_installed = False


def secret_forms(token: str) -> list[str]:
    """Return the forms of `token` that must never be written, longest first."""
    forms = {token, quote(token, safe="")}
    _, colon, secret = token.partition(":")
    if colon and len(secret) >= 8:
        forms.add(secret)
    return sorted((f for f in forms if f), key=len, reverse=True)


def redact(text: str) -> str:
    """Return `text` with every registered secret replaced by <token>."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


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
    _secrets.update(secret_forms(token))
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
