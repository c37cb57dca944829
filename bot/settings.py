"""The Telegram front end's settings, read once from the environment at start-up.

TELEGRAM_BOT_TOKEN          the bot's token; without it `newsbot serve` runs the terminal conversation
TELEGRAM_API_BASE_URL       Bot API URL the token is appended to (PTB's base_url), default Telegram's
TELEGRAM_API_FILE_URL       file download URL (PTB's base_file_url); default Telegram's, or, when only the
                            base URL is set and ends in /bot, the same server's /file/bot
NEWSBOT_WEBHOOK_URL         public HTTPS URL Telegram posts updates to; unset: long polling
NEWSBOT_WEBHOOK_SECRET      the secret token Telegram sends with each update (default: random per start)
NEWSBOT_WEBHOOK_LISTEN      address the webhook server binds (default 0.0.0.0)
NEWSBOT_WEBHOOK_PORT        its port (default 8443)
NEWSBOT_WEBHOOK_PATH        the path it serves (default: the path of NEWSBOT_WEBHOOK_URL)
NEWSBOT_ADMINS              user ids allowed to add articles (comma or space separated)
NEWSBOT_ALLOWED_CHATS       chat ids the bot serves (default: every chat)
NEWSBOT_RATE_LIMIT          questions a user may ask a minute in chats (default 10; 0 turns the limit off);
                            admins (NEWSBOT_ADMINS) are never limited
NEWSBOT_INLINE_RATE_LIMIT   inline searches ("@bot question") a user may make a minute, counted apart from
                            questions: Telegram sends one as the reader types (default 30; 0: no limit)
NEWSBOT_UPLOAD_MAX_BYTES    largest document an admin may upload (default 5 MB; "5MB", "500k" work too)
NEWSBOT_ANSWERS             cards per answer message (default 3)
NEWSBOT_MAX_RETRIES         retries of a request Telegram refuses with 429 (default 3)
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from index.errors import ConfigError

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


@dataclass(frozen=True)
class BotSettings:
    """How the bot reaches Telegram, whom it serves, and its limits."""

    token: str | None = None
    api_base_url: str = TELEGRAM_BASE_URL
    api_file_url: str = TELEGRAM_FILE_URL
    webhook_url: str | None = None
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str = ""
    admins: frozenset[int] = frozenset()
    allowed_chats: frozenset[int] | None = None
    questions_per_minute: int = 10
    inline_per_minute: int = 30
    upload_max_bytes: int = 5 * 1024 * 1024
    answers_per_message: int = 3
    max_retries: int = 3
    inline_results: int = 10
    sources_per_page: int = 10

    def __repr__(self) -> str:
        shown = "set" if self.token else "unset"
        return (
            f"BotSettings(token={shown}, api_base_url={self.api_base_url!r}, "
            f"webhook_url={self.webhook_url!r}, "
            f"admins={sorted(self.admins)}, allowed_chats={self.allowed_chats}, "
            f"questions_per_minute={self.questions_per_minute}, upload_max_bytes={self.upload_max_bytes})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotSettings:
        """Return the settings from TELEGRAM_* and NEWSBOT_* variables; raise ConfigError on a wrong value."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        base = get("TELEGRAM_API_BASE_URL") or TELEGRAM_BASE_URL
        files = get("TELEGRAM_API_FILE_URL")
        if files is None:
            files = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else TELEGRAM_FILE_URL
        for name, url in (("TELEGRAM_API_BASE_URL", base), ("TELEGRAM_API_FILE_URL", files)):
            if not re.match(r"https?://[^/\s]+", url):
                raise ConfigError(f"{name} must be an http(s) URL, like {TELEGRAM_BASE_URL}")

        webhook_url = get("NEWSBOT_WEBHOOK_URL")
        secret = get("NEWSBOT_WEBHOOK_SECRET") or secrets.token_urlsafe(32)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ConfigError("NEWSBOT_WEBHOOK_SECRET may hold only letters, digits, _ and -, at most 256")
        path = get("NEWSBOT_WEBHOOK_PATH")
        if webhook_url is not None:
            if not re.match(r"https?://[^/\s]+", webhook_url):
                raise ConfigError("NEWSBOT_WEBHOOK_URL must be an https URL that Telegram can reach")
            if path is None:
                path = urlsplit(webhook_url).path
        return cls(
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=base,
            api_file_url=files,
            webhook_url=webhook_url,
            webhook_secret=secret,
            webhook_listen=get("NEWSBOT_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=_number(env, "NEWSBOT_WEBHOOK_PORT", 8443, low=1, high=65535),
            webhook_path=(path or "").strip("/"),
            admins=_ids(env, "NEWSBOT_ADMINS") or frozenset(),
            allowed_chats=_ids(env, "NEWSBOT_ALLOWED_CHATS"),
            questions_per_minute=_number(env, "NEWSBOT_RATE_LIMIT", 10, low=0),
            inline_per_minute=_number(env, "NEWSBOT_INLINE_RATE_LIMIT", 30, low=0),
            upload_max_bytes=_size(env, "NEWSBOT_UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
            answers_per_message=_number(env, "NEWSBOT_ANSWERS", 3, low=1, high=10),
            max_retries=_number(env, "NEWSBOT_MAX_RETRIES", 3, low=0, high=20),
        )


def _number(env: Mapping[str, str], name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < low or (high is not None and value > high):
        upper = f" and {high}" if high is not None else " or more"
        raise ConfigError(f"{name} must be {'between ' + str(low) if high is not None else str(low)}{upper}")
    return value


def _ids(env: Mapping[str, str], name: str) -> frozenset[int] | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return frozenset(int(part) for part in re.split(r"[\s,;]+", raw) if part)
    except ValueError:
        raise ConfigError(f"{name} must list numeric Telegram ids, separated by commas") from None


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2}


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmb]{0,2})", raw)
    if m is None or m.group(2) not in _UNITS:
        raise ConfigError(f"{name} must be a size in bytes, like 5242880 or 5MB")
    return int(float(m.group(1)) * _UNITS[m.group(2)])
