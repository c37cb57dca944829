"""A fake Telegram Bot API server on 127.0.0.1 that the real python-telegram-bot can talk to.

It speaks the Bot API's wire format: `POST|GET /bot<token>/<method>` with a query string, a form-encoded, JSON
or multipart body; answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description":
...}` with the same HTTP status Telegram uses; serves files at `/file/bot<token>/<file_path>`. `getUpdates`
long-polls and wakes as soon as an update arrives; with a webhook set, updates are POSTed to it instead, with
the `X-Telegram-Bot-Api-Secret-Token` header. Replies carry full Message objects (chat, from, date, text and
the entities parsed from HTML, reply_markup, reply_to_message).

It refuses what Telegram refuses, with Telegram's codes and wording: text over 4096 characters after entity
parsing (`message is too long`), callback_data over 64 bytes (`BUTTON_DATA_INVALID`), an unknown chat (`chat
not found`), HTML it cannot parse (`can't parse entities: ...`), an unknown or expired callback query id, a
message that is not modified. HTML is parsed with `telegram_html.parse_html`, a little stricter than Telegram's
parser: a bare `&` that starts no entity is refused, so unescaped text is caught.

Tests drive it from the user's side (`user_says`, `user_sends_document`, `user_presses`, `user_asks_inline`)
and assert on what the bot sent (`calls`, `sent_messages`, `wait_for`). `fail_next` injects errors such as
a 429 with `retry_after`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from telegram_html import HTMLParseError, parse_html, utf16_len

TOKEN = "123456:TEST-fake-token_ABCdef"
BOT_ID = 123456
BOT_USERNAME = "newsbot_test_bot"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024  # the cloud Bot API's getFile limit

JSON = dict[str, Any]


class ApiError(Exception):
    """An error the fake answers with, as Telegram would."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class ApiCall:
    """One request the bot made: the method, its decoded parameters, uploaded files and what was answered."""

    method: str
    params: JSON
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    ok: bool = True
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the server -----------------------------------------------------------------------------------------


class FakeTelegram:
    """The fake Bot API: start it, point PTB's base_url at `base_url`, drive users, assert on `calls`."""

    def __init__(self, token: str = TOKEN, *, bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Newsbot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.port = 0
        self.calls: list[ApiCall] = []
        self.chats: dict[int, JSON] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}  # (chat id, message id) -> Message without nesting
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.callback_queries: dict[str, JSON] = {}
        self.inline_queries: dict[str, JSON] = {}
        self.commands: list[JSON] = []
        self.webhook: JSON = {"url": "", "secret_token": None}
        self.pages: dict[str, tuple[str, bytes]] = {}  # extra HTTP pages: path -> (content type, body)
        self.page_requests: list[str] = []  # the paths of `pages` requested, in order
        self._not_started: set[int] = set()
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._ids = itertools.count(1000)
        self._failures: list[tuple[str, int, ApiError]] = []  # method, remaining times, error
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the value for PTB's base_url / TELEGRAM_API_BASE_URL (the token is appended)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for PTB's base_file_url / TELEGRAM_API_FILE_URL."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_get("/pages/{path:.+}", self._handle_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._client = ClientSession(timeout=ClientTimeout(total=10))

    async def stop(self) -> None:
        """Stop listening, wake pending long polls, cancel webhook deliveries."""
        self._closing = True
        self._notify()
        for task in list(self._tasks):
            task.cancel()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what users do

    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
        started: bool = True,
    ) -> JSON:
        """Return a new user and their private chat with the bot; until a user has `started` the bot, Telegram
        refuses to let the bot write to them first (403)."""
        uid = user_id if user_id is not None else next(self._ids)
        user: JSON = {"id": uid, "is_bot": False, "first_name": first_name, "language_code": "en"}
        if username:
            user["username"] = username
        self.users[uid] = user
        self.chats[uid] = {"id": uid, "type": "private", "first_name": first_name}
        if not started:
            self._not_started.add(uid)
        return user

    def add_group(self, title: str, *, chat_id: int | None = None) -> JSON:
        """Return a new supergroup the bot is a member of."""
        cid = chat_id if chat_id is not None else -(1_000_000_000_000 + next(self._ids))
        chat: JSON = {"id": cid, "type": "supergroup", "title": title}
        self.chats[cid] = chat
        return chat

    def user_says(
        self, user: JSON, text: str, *, chat: JSON | None = None, reply_to: JSON | None = None
    ) -> JSON:
        """Return the message `user` sends (in their private chat unless `chat`), queued as an update."""
        msg = self._new_message(chat or self.chats[user["id"]], user, reply_to=reply_to)
        if msg["chat"]["id"] == user["id"]:
            self._not_started.discard(user["id"])
        msg["text"] = text
        entities = _entities_of_user_text(text)
        if entities:
            msg["entities"] = entities
        self._store(msg)
        self.push_update({"message": self._render(msg)})
        return msg

    def user_sends_document(
        self,
        user: JSON,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "text/plain",
        chat: JSON | None = None,
        caption: str | None = None,
    ) -> JSON:
        """Return the message with a document that `user` sends, queued as an update."""
        file_id = f"DOC{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{file_name}", content)
        msg = self._new_message(chat or self.chats[user["id"]], user)
        msg["document"] = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption:
            msg["caption"] = caption
        self._store(msg)
        self.push_update({"message": self._render(msg)})
        return msg

    def user_presses(self, user: JSON, message: JSON, callback_data: str) -> str:
        """Return the id of the callback query sent when `user` presses a button of `message` (a message sent
        through inline mode gives an inline_message_id instead of the message)."""
        qid = str(next(self._ids))
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        query: JSON = {
            "id": qid,
            "from": user,
            "chat_instance": str(message["chat"]["id"]),
            "data": callback_data,
        }
        if current.get("_inline_message_id"):
            query["inline_message_id"] = current["_inline_message_id"]
        else:
            query["message"] = self._render(current)
        self.callback_queries[qid] = {**query, "answered": False}
        self.push_update({"callback_query": query})
        return qid

    def user_asks_inline(self, user: JSON, query: str) -> str:
        """Return the id of the inline query `user` types after @bot."""
        qid = str(next(self._ids))
        inline = {"id": qid, "from": user, "query": query, "offset": "", "chat_type": "sender"}
        self.inline_queries[qid] = {**inline, "answered": False}
        self.push_update({"inline_query": inline})
        return qid

    def user_chooses_inline_result(
        self, user: JSON, inline_query_id: str, result_id: str, *, chat: JSON | None = None
    ) -> JSON:
        """Return the message `user`'s client sends (via the bot) on choosing a result of an inline query."""
        results = self.inline_queries[inline_query_id].get("results") or []
        result = next(r for r in results if str(r["id"]) == result_id)
        content = result["input_message_content"]
        text, entities = self._text_and_entities(
            content["message_text"], content, empty="message text is empty"
        )
        msg = self._new_message(chat or self.chats[user["id"]], user)
        msg.update(text=text, via_bot=self.bot, _inline_message_id=f"IM{next(self._ids)}")
        if entities:
            msg["entities"] = entities
        if result.get("reply_markup"):
            msg["reply_markup"] = result["reply_markup"]
        self._store(msg)
        return msg

    def user_deletes(self, message: JSON) -> None:
        """Delete a message from its chat, as a user deleting their question does (the bot is not told)."""
        self.messages.pop((message["chat"]["id"], message["message_id"]), None)

    def push_update(self, fields: JSON) -> JSON:
        """Queue an update (fields without update_id); deliver it to the webhook when one is set."""
        update = {"update_id": next(self._update_ids), **fields}
        self._updates.append(update)
        if self.webhook["url"]:
            task = asyncio.get_running_loop().create_task(self._deliver(update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._notify()
        return update

    # -- what the bot did

    def fail_next(
        self,
        method: str,
        *,
        code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail as Telegram would (default: a 429 flood error)."""
        parameters = None
        if code == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        self._failures.append((method, times, ApiError(code, description or "Bad Request", parameters)))

    def calls_of(self, method: str, *, since: int = 0) -> list[ApiCall]:
        """Return the calls of `method`, from index `since` of `calls` on."""
        return [c for c in self.calls[since:] if c.method == method]

    def sent_messages(self, chat_id: int, *, since: int = 0) -> list[ApiCall]:
        """Return the successful sendMessage calls to `chat_id`."""
        return [
            c
            for c in self.calls_of("sendMessage", since=since)
            if c.ok and int(c.params["chat_id"]) == chat_id
        ]

    def mark(self) -> int:
        """Return a bookmark into `calls`, for `since=` and `wait_for(since=)`."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str,
        where: Callable[[ApiCall], bool] | None = None,
        *,
        since: int = 0,
        timeout: float = 15.0,
        ok: bool | None = True,
    ) -> ApiCall:
        """Return the first call of `method` from `since` on that satisfies `where`, waiting for it."""

        def found() -> ApiCall | None:
            for call in self.calls[since:]:
                if call.method == method and (ok is None or call.ok == ok) and (where is None or where(call)):
                    return call
            return None

        if not await self._until(lambda: found() is not None, timeout):
            seen = [(c.method, c.ok, c.error) for c in self.calls[since:]]
            raise AssertionError(f"no {method} call within {timeout} s; calls since: {seen}")
        result = found()
        assert result is not None
        return result

    async def _until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Return whether `condition` became true within `timeout` seconds (checked on every change)."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return condition()
            event = self._changed
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return True

    async def wait_for_reply(
        self,
        chat: JSON,
        *,
        since: int = 0,
        timeout: float = 15.0,
        where: Callable[[ApiCall], bool] | None = None,
    ) -> ApiCall:
        """Return the next message the bot sends to `chat` (see wait_for)."""

        def to_chat(call: ApiCall) -> bool:
            return int(call.params["chat_id"]) == chat["id"] and (where is None or where(call))

        return await self.wait_for("sendMessage", to_chat, since=since, timeout=timeout)

    def stored(self, call: ApiCall) -> JSON:
        """Return the current state of the message a sendMessage/editMessageText call produced."""
        result = call.result
        return self.messages[(result["chat"]["id"], result["message_id"])]

    # -- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params: JSON = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    return _error_response(ApiError(400, "Bad Request: request body must be a JSON object"))
                params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.filename, value.file.read())
                    else:
                        params[key] = value
        call = ApiCall(method=method, params=params, files=files)
        handler = getattr(self, f"_api_{method.lower()}", None)
        try:
            self._maybe_fail(method)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, files)
        except ApiError as exc:
            call.ok, call.error = False, exc.description
            if method.lower() != "getupdates":
                self._record(call)
            return _error_response(exc)
        call.result = result
        if method.lower() != "getupdates" or result:
            self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for file_path, content in self.files.values():
            if file_path == path:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    async def _handle_page(self, request: web.Request) -> web.Response:
        self.page_requests.append(request.match_info["path"])
        page = self.pages.get(request.match_info["path"])
        if page is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=page[1], content_type=page[0])

    def _maybe_fail(self, method: str) -> None:
        for n, (name, times, error) in enumerate(self._failures):
            if name == method:
                if times <= 1:
                    del self._failures[n]
                else:
                    self._failures[n] = (name, times - 1, error)
                raise error

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self._notify()

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, wait_for)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _deliver(self, update: JSON) -> None:
        assert self._client is not None
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        for _ in range(20):
            try:
                async with self._client.post(self.webhook["url"], json=update, headers=headers) as resp:
                    if resp.status == 200:
                        self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                        return
            except OSError:
                pass
            await asyncio.sleep(0.1)

    # -- messages

    def _new_message(self, chat: JSON, sender: JSON, *, reply_to: JSON | None = None) -> JSON:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        msg: JSON = {"message_id": next(counter), "date": int(time.time()), "chat": chat, "from": sender}
        if reply_to is not None:
            msg["_reply_to"] = (reply_to["chat"]["id"], reply_to["message_id"])
        return msg

    def _store(self, msg: JSON) -> None:
        self.messages[(msg["chat"]["id"], msg["message_id"])] = msg

    def _render(self, msg: JSON, *, depth: int = 0) -> JSON:
        """Return the Message object Telegram would send: reply_to_message one level deep."""
        out = {k: v for k, v in msg.items() if not k.startswith("_")}
        ref = msg.get("_reply_to")
        if ref is not None and depth == 0 and ref in self.messages:
            out["reply_to_message"] = self._render(self.messages[ref], depth=1)
        return out

    def _chat(self, params: JSON) -> JSON:
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(params["chat_id"])
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._not_started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _text_and_entities(self, text: Any, params: JSON, *, empty: str) -> tuple[str, list[JSON]]:
        if text is None or str(text) == "":
            raise ApiError(400, f"Bad Request: {empty}")
        text = str(text)
        mode = params.get("parse_mode")
        if mode in (None, ""):
            entities = _json_param(params.get("entities")) or []
        elif str(mode).upper() == "HTML":
            try:
                text, entities = parse_html(text)
            except HTMLParseError as e:
                raise ApiError(400, str(e)) from None
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        if not text.strip():
            raise ApiError(400, f"Bad Request: {empty}")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    def _reply_markup(self, params: JSON) -> JSON | None:
        markup = _json_param(params.get("reply_markup"))
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    if not button.get("text"):
                        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                    if "callback_data" in button:
                        size = len(str(button["callback_data"]).encode("utf-8"))
                        if not 1 <= size <= MAX_CALLBACK_DATA:
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    elif "url" in button:
                        if not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
                    elif not any(
                        k in button
                        for k in (
                            "switch_inline_query",
                            "switch_inline_query_current_chat",
                            "copy_text",
                            "login_url",
                            "web_app",
                            "pay",
                        )
                    ):
                        raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
        return markup

    def _reply_target(self, chat: JSON, params: JSON) -> tuple[int, int] | None:
        reply = _json_param(params.get("reply_parameters"))
        message_id = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if message_id in (None, ""):
            return None
        ref = (chat["id"], int(message_id))
        if ref not in self.messages:
            allow = (reply or {}).get("allow_sending_without_reply") if isinstance(reply, dict) else None
            if allow or params.get("allow_sending_without_reply") in (True, "true", "True"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return ref

    # -- Bot API methods (each returns the `result`)

    async def _api_getme(self, params: JSON, files: Any) -> JSON:
        return self.bot

    async def _api_logout(self, params: JSON, files: Any) -> bool:
        return True

    async def _api_close(self, params: JSON, files: Any) -> bool:
        return True

    async def _api_getupdates(self, params: JSON, files: Any) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if timeout > 0:
            await self._until(lambda: bool(self._updates), timeout)
        allowed = _json_param(params.get("allowed_updates"))
        updates = self._updates[:limit]
        if allowed:
            updates = [u for u in updates if any(k in allowed for k in u if k != "update_id")]
        return updates

    async def _api_setwebhook(self, params: JSON, files: Any) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url and not re.match(r"https?://", url):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": secret}
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        for update in list(self._updates) if url else []:
            task = asyncio.get_running_loop().create_task(self._deliver(update))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return True

    async def _api_deletewebhook(self, params: JSON, files: Any) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: JSON, files: Any) -> JSON:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_setmycommands(self, params: JSON, files: Any) -> bool:
        commands = _json_param(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 BotCommand")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _api_getmycommands(self, params: JSON, files: Any) -> list[JSON]:
        return self.commands

    async def _api_sendchataction(self, params: JSON, files: Any) -> bool:
        self._chat(params)
        if params.get("action") not in {
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        }:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _api_sendmessage(self, params: JSON, files: Any) -> JSON:
        chat = self._chat(params)
        text, entities = self._text_and_entities(params.get("text"), params, empty="message text is empty")
        markup = self._reply_markup(params)
        reply_to = self._reply_target(chat, params)
        msg = self._new_message(chat, self.bot)
        if reply_to:
            msg["_reply_to"] = reply_to
        msg["text"] = text
        if entities:
            msg["entities"] = entities
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        self._store(msg)
        return self._render(msg)

    async def _api_senddocument(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        chat = self._chat(params)
        doc = params.get("document")
        if "document" in files:
            name, content = files["document"]
        elif isinstance(doc, str) and doc.startswith("attach://") and doc[9:] in files:
            name, content = files[doc[9:]]
        elif isinstance(doc, str) and doc in self.files:
            name, content = self.files[doc][0].rsplit("/", 1)[-1], self.files[doc][1]
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        file_id = f"DOC{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{name}", content)
        msg = self._new_message(chat, self.bot)
        msg["document"] = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_name": name,
            "file_size": len(content),
        }
        if params.get("caption"):
            msg["caption"], entities = self._text_and_entities(
                params["caption"], params, empty="caption is empty"
            )
            if entities:
                msg["caption_entities"] = entities
        self._store(msg)
        return self._render(msg)

    def _message_to_edit(self, params: JSON) -> JSON | None:
        """Return the bot's stored message an edit names, None for an inline message; raise as Telegram does."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params)
        msg = self.messages.get((chat["id"], int(params.get("message_id") or 0)))
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return msg

    async def _api_editmessagetext(self, params: JSON, files: Any) -> JSON | bool:
        text, entities = self._text_and_entities(params.get("text"), params, empty="message text is empty")
        markup = self._reply_markup(params)
        msg = self._message_to_edit(params)
        if msg is None:
            return True  # an inline message: nothing here to change
        if msg["from"]["id"] != self.bot["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if (
            msg.get("text") == text
            and msg.get("entities", []) == entities
            and msg.get("reply_markup") == markup
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        msg["text"] = text
        msg["entities"] = entities
        msg["edit_date"] = int(time.time())
        if markup and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return self._render(msg)

    async def _api_editmessagereplymarkup(self, params: JSON, files: Any) -> JSON | bool:
        markup = self._reply_markup(params)
        msg = self._message_to_edit(params)
        if msg is None:
            return True  # an inline message: nothing here to change
        if msg.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return self._render(msg)

    async def _api_deletemessage(self, params: JSON, files: Any) -> bool:
        chat = self._chat(params)
        if self.messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _api_answercallbackquery(self, params: JSON, files: Any) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        return True

    async def _api_answerinlinequery(self, params: JSON, files: Any) -> bool:
        query = self.inline_queries.get(str(params.get("inline_query_id")))
        if query is None or query["answered"]:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        results = _json_param(params.get("results"))
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id")) for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for r in results:
            content = r.get("input_message_content") or {}
            if "message_text" in content:
                self._text_and_entities(content["message_text"], content, empty="message text is empty")
            if r.get("reply_markup"):
                self._reply_markup({"reply_markup": r["reply_markup"]})
        query["answered"] = True
        query["results"] = results
        return True

    async def _api_getfile(self, params: JSON, files: Any) -> JSON:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, content = self.files[file_id]
        if len(content) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(content),
            "file_path": path,
        }


def _json_param(value: Any) -> Any:
    """Return a parameter that Telegram takes as JSON (a string in forms, an object in JSON bodies)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
    return value


def _entities_of_user_text(text: str) -> list[JSON]:
    """Return the entities a Telegram client marks in typed text: a leading /command, @mentions, URLs."""
    entities: list[JSON] = []
    for m in re.finditer(
        r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{5,32})?|@[a-zA-Z0-9_]{5,32}|https?://\S+", text
    ):
        kind = {"/": "bot_command", "@": "mention"}.get(m.group(0)[0], "url")
        if kind == "bot_command" and m.start() != 0:
            continue
        entities.append(
            {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
        )
    return entities


def _error_response(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


@asynccontextmanager
async def running_fake(token: str = TOKEN) -> AsyncIterator[FakeTelegram]:
    """Yield a started FakeTelegram; stop it afterwards."""
    fake = FakeTelegram(token)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
