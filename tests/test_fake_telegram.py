"""The fake Bot API server itself, driven by python-telegram-bot's Bot (and raw HTTP for other bodies)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, FormData
from fake_telegram import TOKEN, FakeTelegram, running_fake
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter
from telegram_html import parse_html


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


def test_parse_html_gives_text_and_utf16_entities() -> None:
    text, entities = parse_html('😀 <b>bold &amp; <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">l</a>')
    assert text == "😀 bold & both l"
    assert {"type": "bold", "offset": 3, "length": 11} in entities
    assert {"type": "italic", "offset": 10, "length": 4} in entities
    assert {"type": "text_link", "offset": 15, "length": 1, "url": "https://x.org/?a=1&b=2"} in entities


@pytest.mark.parametrize("bad", ["<b>open", "a < b", "<b><i>x</b></i>", "<script>x</script>", "Q&A", "</b>"])
def test_parse_html_refuses_what_telegram_cannot_parse(bad: str) -> None:
    with pytest.raises(Exception, match="can't parse entities"):
        parse_html(bad)


async def test_get_me_and_send_message_with_full_message_objects(fake: FakeTelegram, bot: Bot) -> None:
    assert bot.username == fake.bot["username"]
    alice = fake.add_user("Alice")
    question = fake.user_says(alice, "hello")
    sent = await bot.send_message(
        alice["id"],
        "<b>Crete</b> &amp; Derna",
        parse_mode="HTML",
        reply_parameters=ReplyParameters(question["message_id"]),
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="1m3")]]),
    )
    assert sent.text == "Crete & Derna"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 5
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "hello"
    assert sent.from_user is not None and sent.from_user.id == fake.bot["id"]
    assert sent.reply_markup is not None
    call = fake.calls_of("sendMessage")[-1]
    assert call.params["text"] == "<b>Crete</b> &amp; Derna"  # what the bot sent, before parsing


async def test_telegram_refusals(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.add_user("Alice")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(alice["id"], "x" * 4097)
    await bot.send_message(
        alice["id"], "<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )  # counted after parsing
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(
            alice["id"],
            "hi",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]]),
        )
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(alice["id"], "1 < 2 <b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)to be replied not found"):
        await bot.send_message(alice["id"], "hi", reply_parameters=ReplyParameters(999))
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_get_updates_long_polls_and_wakes_on_an_update(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.add_user("Alice")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    fake.user_says(alice, "/start")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 3
    assert updates[0].message is not None and updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"
    again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert again == ()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_carries_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.add_user("Alice")
    fake.fail_next("sendMessage", retry_after=2)
    with pytest.raises(RetryAfter, match="Retry in 2"):
        await bot.send_message(alice["id"], "hi")
    await bot.send_message(alice["id"], "hi")


async def test_multipart_upload_and_file_download(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.add_user("Alice")
    sent = await bot.send_document(
        alice["id"], document=b"article body", filename="a.txt", caption="<i>c</i>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "a.txt"
    assert sent.caption == "c"
    msg = fake.user_sends_document(alice, "story.txt", b"Crete is an island.")
    file = await bot.get_file(msg["document"]["file_id"])
    assert file.file_path is not None and file.file_path.startswith(fake.base_file_url)
    assert bytes(await file.download_as_bytearray()) == b"Crete is an island."


async def test_json_and_form_bodies_wrong_token_and_unknown_method(fake: FakeTelegram) -> None:
    alice = fake.add_user("Alice")
    url = f"{fake.base_url}{TOKEN}"
    async with ClientSession() as http:
        async with http.post(
            f"{url}/sendMessage",
            json={"chat_id": alice["id"], "text": "json", "reply_markup": {"inline_keyboard": []}},
        ) as r:
            body = await r.json()
            assert r.status == 200 and body["ok"] and body["result"]["text"] == "json"
        async with http.post(f"{url}/sendMessage", data={"chat_id": str(alice["id"]), "text": "form"}) as r:
            assert (await r.json())["result"]["text"] == "form"
        form = FormData()
        form.add_field("chat_id", str(alice["id"]))
        form.add_field("document", b"bytes", filename="f.txt")
        async with http.post(f"{url}/sendDocument", data=form) as r:
            assert (await r.json())["result"]["document"]["file_name"] == "f.txt"
        async with http.get(f"{url}/getMe") as r:
            assert (await r.json())["result"]["is_bot"] is True
        async with http.post(f"{url}/noSuchMethod") as r:
            assert r.status == 404 and (await r.json())["error_code"] == 404
        async with http.post(f"{fake.base_url}1:wrong/getMe") as r:
            assert r.status == 401 and json.loads(await r.text())["description"] == "Unauthorized"


async def test_webhook_blocks_get_updates_and_receives_pushed_updates(fake: FakeTelegram, bot: Bot) -> None:
    from aiohttp import web

    received: list[dict[str, object]] = []

    async def hook(request: web.Request) -> web.Response:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        received.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(Conflict):
            await bot.get_updates()
        fake.user_says(fake.add_user("Bob"), "hi")
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.05)
        assert received and received[0]["message"]["text"] == "hi"  # type: ignore[index]
        await bot.delete_webhook()
        assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


async def test_invalid_token_is_refused(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=fake.base_url):
            pass
