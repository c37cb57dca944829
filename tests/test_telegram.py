"""newsbot on Telegram, end to end: the real python-telegram-bot Application and the real Engine (real model,
SQLite and FAISS in tmp_path) against the fake Bot API server on 127.0.0.1; assertions are on what the bot
sent. The last test starts the real `newsbot serve` process and stops it with SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
from fake_telegram import TOKEN, ApiCall, FakeTelegram, free_port, running_fake
from telegram import Update
from telegram.ext import Application
from telegram_html import entities_of, parse_html

from bot.buttons import FeedbackOn, More, MoreOf, decode_button, encode_button
from bot.handlers import question_text
from bot.messages import MAX_MESSAGE, telegram_length
from bot.redaction import keep_out_of_logs, redact
from bot.runtime import QuestionLimiter
from bot.settings import BotSettings
from bot.telegram_app import APOLOGY, build_application
from index.encoder import Encoder
from index.engine import Engine
from index.errors import ConfigError, write_error
from index.settings import Settings

slow = pytest.mark.slow
pytestmark = pytest.mark.filterwarnings(
    "ignore::telegram.warnings.PTBDeprecationWarning"
)  # PTB's own 429 path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "derna.txt"
QUESTION = "how far is Derna from Crete"
CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."
BENGHAZI = (
    "The harbour of Benghazi reopened to cargo ships on 3 March 2015 after eleven months of repairs, the "
    "port authority said."
)
ADMIN = 4242


# --- the pieces, without Telegram ---------------------------------------------------------------------


def test_bot_settings_from_the_environment() -> None:
    settings = BotSettings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "NEWSBOT_ADMINS": "1, 2 3",
            "NEWSBOT_ALLOWED_CHATS": "-100123,5",
            "NEWSBOT_RATE_LIMIT": "4",
            "NEWSBOT_INLINE_RATE_LIMIT": "12",
            "NEWSBOT_UPLOAD_MAX_BYTES": "2MB",
            "NEWSBOT_WEBHOOK_URL": "https://bot.example.org/newsbot/hook",
        }
    )
    assert settings.api_file_url == "http://127.0.0.1:8081/file/bot"  # derived from the base URL
    assert settings.admins == {1, 2, 3} and settings.allowed_chats == {-100123, 5}
    assert settings.questions_per_minute == 4 and settings.upload_max_bytes == 2 * 1024 * 1024
    assert settings.inline_per_minute == 12
    assert settings.webhook_path == "newsbot/hook" and len(settings.webhook_secret) >= 32
    assert TOKEN not in repr(settings)
    defaults = BotSettings.from_env({})
    assert defaults.token is None and defaults.api_base_url == "https://api.telegram.org/bot"
    assert defaults.api_file_url == "https://api.telegram.org/file/bot" and defaults.allowed_chats is None
    assert (defaults.questions_per_minute, defaults.upload_max_bytes, defaults.answers_per_message) == (
        10,
        5 * 1024 * 1024,
        3,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSBOT_ADMINS": "alice"},
        {"NEWSBOT_RATE_LIMIT": "-1"},
        {"NEWSBOT_INLINE_RATE_LIMIT": "many"},
        {"NEWSBOT_UPLOAD_MAX_BYTES": "lots"},
        {"NEWSBOT_WEBHOOK_SECRET": "not allowed!"},
        {"TELEGRAM_API_BASE_URL": "127.0.0.1:8081"},
    ],
)
def test_wrong_bot_settings_are_config_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        BotSettings.from_env(env)


def test_question_limiter_is_a_sliding_window_per_user() -> None:
    limiter = QuestionLimiter(2)
    assert limiter.wait(1, now=0) == 0 and limiter.wait(1, now=1) == 0
    assert limiter.wait(1, now=2) == pytest.approx(58)
    assert limiter.wait(2, now=2) == 0
    assert limiter.wait(1, now=60.5) == 0
    assert [limiter.should_warn(1, now=t) for t in (3, 4, 5, 30, 64)] == [True, True, True, False, True]
    assert QuestionLimiter(0).wait(1) == 0


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("/ask how far is Derna?", "how far is Derna?"),
        ("/ask@Newsbot_Test_Bot  how far\nis Derna?", "how far is Derna?"),
        ("@newsbot_test_bot how far is Derna?", "how far is Derna?"),
        ("how far, @newsbot_test_bot, is Derna?", "how far, , is Derna?"),
        ("@someone_else hi", "@someone_else hi"),
    ],
)
def test_question_text(text: str, question: str) -> None:
    assert question_text(text, "newsbot_test_bot") == question


def test_the_token_never_reaches_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    keep_out_of_logs(TOKEN)
    log = logging.getLogger("tests.token")
    with caplog.at_level(logging.INFO):
        log.info("GET https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise ValueError(f"bad URL .../bot{TOKEN}/x")
        except ValueError:
            log.exception("failed")
    assert "<token>" in caplog.text and TOKEN not in caplog.text


# --- fixtures -------------------------------------------------------------------------------------------


def _engine(data_dir: Path, encoder: Encoder, corpus: Path) -> Engine:
    engine = Engine.open(Settings(data_dir=data_dir, progress=False), encoder=encoder)
    engine.index_paths([corpus])
    return engine


@pytest.fixture(scope="session")
def derna_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("telegram-corpus")
    (corpus / "derna.txt").write_bytes(SEED.read_bytes())
    return corpus


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory, minilm: Encoder, derna_corpus: Path) -> Iterator[Engine]:
    """The real engine over the Derna article, shared by the tests that only read."""
    shared = _engine(tmp_path_factory.mktemp("telegram-data"), minilm, derna_corpus)
    yield shared
    shared.close()


@pytest.fixture
def fresh_engine(tmp_path: Path, minilm: Encoder, derna_corpus: Path) -> Iterator[Engine]:
    """A real engine of the test's own, for tests that add articles."""
    own = _engine(tmp_path / "data", minilm, derna_corpus)
    yield own
    own.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with running_fake() as server:
        yield server


def bot_settings(fake: FakeTelegram, **overrides: Any) -> BotSettings:
    base = BotSettings(
        token=fake.token,
        api_base_url=fake.base_url,
        api_file_url=fake.base_file_url,
        admins=frozenset({ADMIN}),
    )
    return replace(base, **overrides)


@asynccontextmanager
async def serving(fake: FakeTelegram, engine: Engine, **overrides: Any) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the real Application against the fake (long polling) as run_polling would, then stop it."""
    app = build_application(engine.settings, bot_settings(fake, **overrides), engine=engine)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)


# --- helpers --------------------------------------------------------------------------------------------


def text_of(call: ApiCall) -> str:
    """Return the text a sendMessage/editMessageText call shows (after Telegram's HTML parsing)."""
    raw = str(call.params["text"])
    return parse_html(raw)[0] if call.params.get("parse_mode") == "HTML" else raw


def buttons(call: ApiCall) -> dict[str, str]:
    """Return the inline buttons of a call: label -> callback_data."""
    markup = call.params.get("reply_markup")
    markup = json.loads(markup) if isinstance(markup, str) else markup or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


def replied_to(call: ApiCall) -> int | None:
    reply = call.params.get("reply_parameters")
    return json.loads(reply)["message_id"] if reply else None


async def ask(
    fake: FakeTelegram, user: dict[str, Any], text: str, **kw: Any
) -> tuple[dict[str, Any], ApiCall]:
    """Return the user's message and the bot's first reply to it."""
    since = fake.mark()
    message = fake.user_says(user, text, **kw)
    reply = await fake.wait_for_reply(kw.get("chat") or fake.chats[user["id"]], since=since)
    return message, reply


# --- conversation ---------------------------------------------------------------------------------------


@slow
async def test_start_registers_commands_and_says_what_the_bot_knows(
    fake: FakeTelegram, engine: Engine
) -> None:
    async with serving(fake, engine):
        assert {c["command"] for c in fake.commands} >= {"start", "help", "sources", "about", "ask"}
        alice = fake.add_user("Alice")
        _, reply = await ask(fake, alice, "/start")
    text = text_of(reply)
    stats = engine.library.summary(0)
    assert f"{stats.articles} article ({stats.sentences} sentences)" in text
    assert "derna.txt" in text  # the newest article
    examples = engine.library.example_questions(3)
    assert examples and all(q in text for q in examples)
    keyboard = json.loads(reply.params["reply_markup"])["keyboard"]
    assert [row[0]["text"] if isinstance(row[0], dict) else row[0] for row in keyboard] == examples


@slow
async def test_help_and_about(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        _, help_reply = await ask(fake, alice, "/help")
        _, about_reply = await ask(fake, alice, "/about")
    assert "More" in text_of(help_reply) and "/ask" in text_of(help_reply)
    assert "What “attributed” means" in text_of(about_reply) and engine.settings.model in text_of(about_reply)


@slow
async def test_the_derna_crete_question_gets_the_crete_card(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        question, reply = await ask(fake, alice, QUESTION)
    typing = fake.calls_of("sendChatAction")
    assert typing and typing[0].params["action"] == "typing" and typing[0].at <= reply.at
    assert replied_to(reply) == question["message_id"]
    html = str(reply.params["text"])
    lines = parse_html(html)[0].splitlines()
    assert lines[0] == "1. " + CRETE
    assert lines[1].startswith("📰 ") and "derna.txt" in lines[1]
    assert {"Crete", "Derna"} <= set(entities_of(html, "bold"))
    assert {"📖 Context 1", "📰 Source 1", "👍", "👎", "More ▸"} <= set(buttons(reply))
    assert text_of(reply).count("📰") == 3  # three cards a message by default


@slow
async def test_an_answer_that_cannot_be_kept_on_a_full_disk_is_sent_without_buttons(
    fake: FakeTelegram, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(answer: object, chat_id: int | None = None) -> int:
        raise write_error("cannot write the store", OSError(errno.ENOSPC, "No space left on device"),
                          "nothing was changed")

    monkeypatch.setattr(engine.feedback, "remember", full)  # the store opened read-only on a full disk
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        _, reply = await ask(fake, alice, QUESTION)
    assert parse_html(str(reply.params["text"]))[0].splitlines()[0] == "1. " + CRETE
    assert buttons(reply) == {}
    assert not [c for c in fake.calls_of("sendMessage") if APOLOGY[:20] in str(c.params.get("text"))]


@slow
async def test_an_attributed_sentence_says_who_says_it(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        _, reply = await ask(
            fake, fake.add_user("Alice"), "what does Noman Benotman say about Derna and Raqqa?"
        )
    assert "— Noman Benotman, told CNN" in text_of(reply).split("\n\n")[0]


@slow
async def test_more_context_and_source_buttons(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        question, reply = await ask(fake, alice, QUESTION)
        keys = buttons(reply)

        since = fake.mark()
        fake.user_presses(alice, reply.result, keys["More ▸"])
        more = await fake.wait_for_reply(alice, since=since)
        await fake.wait_for("answerCallbackQuery", since=since)
        first_page = text_of(reply)
        assert text_of(more).startswith("4. ")
        assert not set(text_of(more).split("\n\n")) & set(first_page.split("\n\n"))
        assert replied_to(more) == question["message_id"]  # so its own More works too

        since = fake.mark()
        fake.user_presses(alice, reply.result, keys["📖 Context 1"])
        context = await fake.wait_for_reply(alice, since=since)
        assert entities_of(str(context.params["text"]), "underline") == [CRETE]
        assert "ISIS fighters totaling 800" in text_of(context)  # the sentence before, as Crete's is alone
        assert "ISIS is seizing on the political instability" in text_of(context)  # and the one after
        assert replied_to(context) == reply.result["message_id"]

        since = fake.mark()
        fake.user_presses(alice, reply.result, keys["📰 Source 1"])
        source = await fake.wait_for_reply(alice, since=since)
        assert "derna.txt" in text_of(source).splitlines()[0]
        assert "The Islamic State (ISIS) is now in control of a city in Libya" in text_of(source)
        assert "19 sentences" in text_of(source)  # one engine call, Engine.library.source_view, gives the count too


@slow
async def test_feedback_is_stored_with_the_question_and_sentence_ids(
    fake: FakeTelegram, engine: Engine
) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        _, reply = await ask(fake, alice, QUESTION)
        before = len(engine.store.feedback())
        since = fake.mark()
        query_id = fake.user_presses(alice, reply.result, buttons(reply)["👎"])
        answered = await fake.wait_for("answerCallbackQuery", since=since)
    assert answered.params["callback_query_id"] == query_id and "Thanks" in str(answered.params["text"])
    rows = engine.store.feedback()
    assert len(rows) == before + 1
    _, question, sentence_ids, helpful = rows[-1]
    assert question == QUESTION and helpful is False
    assert sentence_ids[0] == engine.answer(QUESTION).hits[0].sentence_id and len(sentence_ids) == 3


@slow
async def test_buttons_work_after_a_restart_and_stale_ones_are_answered_politely(
    fake: FakeTelegram, engine: Engine
) -> None:
    alice = fake.add_user("Alice")
    async with serving(fake, engine):
        _, reply = await ask(fake, alice, QUESTION)
    async with serving(fake, engine):  # a new process would know nothing more than this one
        since = fake.mark()
        fake.user_presses(alice, reply.result, buttons(reply)["More ▸"])
        more = await fake.wait_for_reply(alice, since=since)
        assert text_of(more).startswith("4. ")

        for stale in ("0m3", "1c" + "zzzzzzz"):
            since = fake.mark()
            fake.user_presses(alice, reply.result, stale)
            answered = await fake.wait_for("answerCallbackQuery", since=since)
            assert any(w in str(answered.params["text"]) for w in ("expired", "no longer"))


@slow
async def test_more_and_feedback_work_when_the_question_is_gone(fake: FakeTelegram, fresh_engine: Engine) -> None:
    async with serving(fake, fresh_engine):
        alice = fake.add_user("Alice")
        question, reply = await ask(fake, alice, QUESTION)
        fake.user_deletes(question)  # the answer no longer replies to anything
        since = fake.mark()
        fake.user_presses(alice, reply.result, buttons(reply)["More ▸"])
        more = await fake.wait_for_reply(alice, since=since)
        assert text_of(more).startswith("4. ")
        assert replied_to(more) == reply.result["message_id"]

        since = fake.mark()
        fake.user_presses(alice, more.result, buttons(more)["More ▸"])  # its own More goes on from there
        further = await fake.wait_for_reply(alice, since=since)
        assert text_of(further).startswith("7. ")

        since = fake.mark()
        fake.user_presses(alice, reply.result, buttons(reply)["👍"])
        thanks = await fake.wait_for("answerCallbackQuery", since=since)
        assert "Thanks" in str(thanks.params["text"])

        since = fake.mark()
        fake.user_presses(alice, reply.result, "1n" + "zzzzzzz")  # an answer the engine never kept
        unknown = await fake.wait_for("answerCallbackQuery", since=since)
        assert "ask it again" in str(unknown.params["text"])

        bob = fake.add_user("Bob")
        _, bobs = await ask(fake, bob, QUESTION)
        since = fake.mark()
        fake.user_presses(bob, bobs.result, buttons(reply)["More ▸"])  # Alice's answer, forged into Bob's chat
        forged = await fake.wait_for("answerCallbackQuery", since=since)
        assert "ask it again" in str(forged.params["text"])
        assert fake.sent_messages(bob["id"], since=since) == []
    _, asked, sentence_ids, helpful = fresh_engine.store.feedback()[-1]
    assert asked == QUESTION and helpful is True
    assert sentence_ids == [h.sentence_id for h in fresh_engine.answer(QUESTION).hits]


def test_the_store_keeps_sent_answers(tmp_path: Path) -> None:
    from index.migrations import SCHEMA_VERSION
    from index.store import Store

    store = Store(tmp_path / "s.sqlite3")
    try:
        first = store.add_answer("how far?", 0, [5, 6, 7], True, 42)
        assert store.schema_version == SCHEMA_VERSION
        kept = store.sent_answer(first)
        assert kept is not None and (kept.question, kept.first, kept.sentence_ids, kept.more) == (
            "how far?",
            0,
            (5, 6, 7),
            True,
        )
        newer = [store.add_answer(f"q{n}", 3, [n], False, None, keep=2) for n in range(3)]
        assert store.sent_answer(first) is None and store.sent_answer(newer[0]) is None  # only the newest 2
        assert store.sent_answer(newer[-1]) is not None and store.sent_answer(10**9) is None
    finally:
        store.close()


def test_answer_buttons_carry_the_kept_answer_id() -> None:
    assert decode_button(encode_button(MoreOf(10**9))) == MoreOf(10**9)
    assert decode_button(encode_button(FeedbackOn(False, 7))) == FeedbackOn(False, 7)
    assert decode_button("1m3") == More(3)  # buttons sent before still work


@slow
async def test_nothing_relevant_is_a_clear_reply_with_a_hint(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        _, reply = await ask(fake, fake.add_user("Alice"), "What is the recipe for a good sourdough bread?")
    text = text_of(reply)
    assert "nothing relevant" in text and "derna.txt" in text and "/sources" in text
    assert "👍" not in buttons(reply)


# --- groups and inline mode -----------------------------------------------------------------------------


@slow
async def test_a_group_is_answered_only_when_the_bot_is_addressed(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        group = fake.add_group("Newsroom")
        since = fake.mark()
        ignored = fake.user_says(alice, QUESTION, chat=group)
        mentioned = fake.user_says(alice, f"@{fake.bot['username']} {QUESTION}", chat=group)
        reply = await fake.wait_for_reply(group, since=since)
        assert replied_to(reply) == mentioned["message_id"]
        assert text_of(reply).startswith("1. " + CRETE)

        since = fake.mark()
        fake.user_says(alice, f"/ask@{fake.bot['username']} {QUESTION}", chat=group)
        by_command = await fake.wait_for_reply(group, since=since)
        assert text_of(by_command).startswith("1. " + CRETE)

        since = fake.mark()
        fake.user_says(alice, "and how many ISIS fighters control Derna?", chat=group, reply_to=reply.result)
        by_reply = await fake.wait_for_reply(group, since=since)
        assert "800" in text_of(by_reply).split("\n\n")[0]

        since = fake.mark()
        fake.user_presses(alice, reply.result, buttons(reply)["More ▸"])
        await fake.wait_for_reply(group, since=since)
        await asyncio.sleep(0.5)
    replies = fake.sent_messages(group["id"])
    assert all(replied_to(r) != ignored["message_id"] for r in replies)
    assert len(replies) == 4  # one message for each time it was addressed: never a flood


@slow
async def test_inline_query_offers_cards(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        query_id = fake.user_asks_inline(alice, QUESTION)
        call = await fake.wait_for("answerInlineQuery")
    assert call.params["inline_query_id"] == query_id
    results = json.loads(call.params["results"])
    assert 1 <= len(results) <= 10
    first = results[0]
    assert first["title"] == CRETE and "derna.txt" in first["description"]
    card = first["input_message_content"]
    assert card["parse_mode"] == "HTML" and parse_html(card["message_text"])[0].startswith(CRETE)
    assert {b["text"] for row in first["reply_markup"]["inline_keyboard"] for b in row} == {
        "📖 Context",
        "📰 Source",
    }


@slow
async def test_buttons_of_an_inline_card_answer_in_private_or_in_an_alert(
    fake: FakeTelegram, engine: Engine
) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        carol = fake.add_user("Carol", started=False)  # never talked to the bot: it may not write to her
        group = fake.add_group("Elsewhere")
        query_id = fake.user_asks_inline(alice, QUESTION)
        results = json.loads((await fake.wait_for("answerInlineQuery")).params["results"])
        card = fake.user_chooses_inline_result(alice, query_id, results[0]["id"], chat=group)
        context_data = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

        since = fake.mark()
        fake.user_presses(alice, card, context_data)
        private = await fake.wait_for_reply(alice, since=since)
        answered = await fake.wait_for("answerCallbackQuery", since=since)
        assert entities_of(str(private.params["text"]), "underline") == [CRETE]
        assert "private chat" in str(answered.params["text"])

        since = fake.mark()
        fake.user_presses(carol, card, context_data)
        alert = await fake.wait_for("answerCallbackQuery", since=since)
    assert alert.params["show_alert"] in (True, "true") and "Context" in str(alert.params["text"])
    assert len(str(alert.params["text"])) <= 200
    assert fake.sent_messages(group["id"]) == []


# --- adding articles ------------------------------------------------------------------------------------


@slow
async def test_an_admin_upload_makes_a_new_fact_answerable(fake: FakeTelegram, fresh_engine: Engine) -> None:
    question = "When did the harbour of Benghazi reopen?"
    async with serving(fake, fresh_engine):
        admin = fake.add_user("Operator", user_id=ADMIN)
        _, before = await ask(fake, admin, question)
        assert BENGHAZI not in text_of(before)

        since = fake.mark()
        fake.user_sends_document(
            admin, "benghazi.md", f"---\ntitle: Benghazi port reopens\n---\n{BENGHAZI}\n".encode()
        )
        progress = await fake.wait_for_reply(admin, since=since)
        assert text_of(progress).startswith("⏳ Adding benghazi.md")
        done = await fake.wait_for("editMessageText", since=since, timeout=60)
        assert text_of(done) == "Added 1 sentence from Benghazi port reopens. They can be asked about now."

        _, after = await ask(fake, admin, question)  # same process, no restart
    assert text_of(after).startswith("1. " + BENGHAZI)
    assert "Benghazi port reopens" in text_of(after).split("\n\n")[0]


async def test_an_upload_on_a_full_disk_gets_one_reply_naming_the_cause(
    fake: FakeTelegram, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the real full disk is tests/test_full_disk.py's; here, what the reader is told when the store says so
    def full(name: str, data: bytes) -> None:
        raise write_error("cannot write the store", OSError(errno.ENOSPC, "No space left on device"),
                          "nothing was changed")

    monkeypatch.setattr(fresh_engine, "add_document", full)
    async with serving(fake, fresh_engine):
        admin = fake.add_user("Operator", user_id=ADMIN)
        since = fake.mark()
        fake.user_sends_document(admin, "benghazi.md", f"{BENGHAZI}\n".encode())
        await fake.wait_for_reply(admin, since=since)
        done = await fake.wait_for("editMessageText", since=since, timeout=30)
        await asyncio.sleep(0.3)  # an error handler's apology would come now
    assert text_of(done).startswith("Could not add benghazi.md: the disk is full")
    assert "nothing was changed" in text_of(done)
    sent = [text_of(c) for c in fake.calls_of("sendMessage", since=since)]
    assert len(sent) == 1 and sent[0].startswith("⏳ Adding benghazi.md"), sent  # no apology after it
    assert "the disk is full" in caplog.text


@slow
async def test_uploads_by_others_too_large_or_unreadable_are_refused(
    fake: FakeTelegram, fresh_engine: Engine
) -> None:
    stats = fresh_engine.library.summary(0)
    async with serving(fake, fresh_engine):
        alice = fake.add_user("Alice")
        admin = fake.add_user("Operator", user_id=ADMIN)

        since = fake.mark()
        fake.user_sends_document(alice, "news.txt", b"Some news.")
        refused = await fake.wait_for_reply(alice, since=since)
        assert "only the bot's operators" in text_of(refused)

        since = fake.mark()
        fake.user_sends_document(admin, "big.txt", b"x" * (5 * 1024 * 1024 + 1))
        too_big = await fake.wait_for_reply(admin, since=since)
        assert "the limit is 5.0 MB" in text_of(too_big)

        since = fake.mark()
        fake.user_sends_document(admin, "lines.jsonl", b"{not json\n")
        await fake.wait_for_reply(admin, since=since)
        unreadable = await fake.wait_for("editMessageText", since=since, timeout=30)
        assert text_of(unreadable).startswith(
            "Could not add lines.jsonl"
        ) and "Nothing was changed" in text_of(unreadable)

        since = fake.mark()
        fake.user_sends_document(admin, "slides.pdf", b"%PDF")
        wrong_type = await fake.wait_for_reply(admin, since=since)
        assert ".jsonl" in text_of(wrong_type)
    assert len(fake.calls_of("getFile")) == 1  # only the .jsonl was downloaded
    assert fresh_engine.library.summary(0) == stats


@slow
async def test_add_refuses_an_internal_address(fake: FakeTelegram, fresh_engine: Engine) -> None:
    fake.pages["memo.html"] = ("text/html", b"<html><body><article><p>Internal memo.</p></article></body></html>")
    stats = fresh_engine.library.summary(0)
    async with serving(fake, fresh_engine):
        admin = fake.add_user("Operator", user_id=ADMIN)
        since = fake.mark()
        fake.user_says(admin, f"/add http://localhost:{fake.port}/pages/memo.html")
        refused = await fake.wait_for("editMessageText", since=since, timeout=30)
    assert text_of(refused).startswith("Could not add") and "internal address" in text_of(refused)
    assert fresh_engine.library.summary(0) == stats
    assert fake.page_requests == []  # refused before connecting


@slow
async def test_admin_adds_an_article_by_url(fake: FakeTelegram, fresh_engine: Engine) -> None:
    fresh_engine.settings = replace(fresh_engine.settings, fetch_allow="127.0.0.1")  # the fake's pages
    fake.pages["benghazi.html"] = (
        "text/html",
        (
            "<html><head><title>Benghazi port reopens</title></head><body><article><h1>Benghazi port reopens"
            f"</h1><p>{BENGHAZI}</p><p>Traders welcomed the news, the chamber of commerce said.</p>"
            "</article></body></html>"
        ).encode(),
    )
    async with serving(fake, fresh_engine):
        admin = fake.add_user("Operator", user_id=ADMIN)
        since = fake.mark()
        fake.user_says(admin, f"/add {fake.url}/pages/benghazi.html")
        done = await fake.wait_for("editMessageText", since=since, timeout=60)
        assert text_of(done).startswith("Added ") and "Benghazi port reopens" in text_of(done)
        _, after = await ask(fake, admin, "When did the harbour of Benghazi reopen?")
    assert text_of(after).startswith("1. " + BENGHAZI)


HARBOUR_MD = (
    "---\ntitle: Harbour to be dredged\n---\nThe Harbour Council met on Tuesday. The council voted to dredge the "
    "harbour of Tobruk before spring.\n"
)


@pytest.fixture
def removable(tmp_path: Path) -> Iterator[Engine]:
    """An engine of the test's own (the fake encoder, plain fusion) over the Derna and harbour articles."""
    from conftest import FakeEncoder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "derna.txt").write_bytes(SEED.read_bytes())
    (corpus / "harbour.md").write_text(HARBOUR_MD, encoding="utf-8")
    own = Engine.open(Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion"), encoder=FakeEncoder())
    own.index_paths([corpus])
    yield own
    own.close()


async def test_admin_removes_an_article(fake: FakeTelegram, removable: Engine) -> None:
    async with serving(fake, removable):
        admin = fake.add_user("Operator", user_id=ADMIN)
        _, done = await ask(fake, admin, "/remove Harbour to be dredged")
        _, unknown = await ask(fake, admin, "/remove Atlantis")
        _, helped = await ask(fake, admin, "/help")
    assert text_of(done).startswith("Removed Harbour to be dredged (2 sentences). Its file is still there")
    assert text_of(unknown) == "no article matches 'Atlantis' (see: newsbot sources). Nothing was removed."
    assert "/remove article" in text_of(helped)
    assert removable.store.article("harbour.md") is None and removable.library.summary(0).articles == 1
    assert np.array_equal(np.sort(removable.vectors.ids()), removable.store.sentence_ids())


async def test_remove_is_refused_to_a_reader(fake: FakeTelegram, removable: Engine) -> None:
    stats = removable.library.summary(0)
    async with serving(fake, removable):
        alice = fake.add_user("Alice")
        _, refused = await ask(fake, alice, "/remove harbour.md")
        _, helped = await ask(fake, alice, "/help")
    assert text_of(refused) == "Sorry, only the bot's operators can remove articles. You can ask questions, though!"
    assert "/remove" not in text_of(helped)
    assert removable.library.summary(0) == stats and removable.store.article("harbour.md") is not None


@slow
async def test_sources_is_paginated(fake: FakeTelegram, fresh_engine: Engine) -> None:
    lines = [
        json.dumps({"doc_id": f"d{i}", "title": f"Story {i}", "text": f"Story {i} happened on day {i}."})
        for i in range(3)
    ]
    fresh_engine.add_document("stories.jsonl", "\n".join(lines).encode())
    async with serving(fake, fresh_engine, sources_per_page=2):
        alice = fake.add_user("Alice")
        _, page = await ask(fake, alice, "/sources")
        assert "Articles 1–2 of 4" in text_of(page)
        since = fake.mark()
        fake.user_presses(alice, page.result, buttons(page)["Older ▸"])
        edited = await fake.wait_for("editMessageText", since=since)
    assert "Articles 3–4 of 4" in text_of(edited)
    assert "◂ Newer" in buttons(edited)


# Written out from issue 20: the controls that reorder a line and the invisible characters.
HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u180e\u00ad]")
DAMS = "Two dams burst above Derna on Sunday night, officials said, and the water swept the city away."


@slow
async def test_bidi_controls_and_invisible_characters_never_reach_a_message(
    fake: FakeTelegram, fresh_engine: Engine
) -> None:
    record = {
        "doc_id": "floods",
        "title": "Dams\u200b burst\u2060 in Derna \u202eeht morf",
        "outlet": "\u202eLibya Observer",
        "text": DAMS.replace("officials", "\u202eofficials"),
    }
    async with serving(fake, fresh_engine):
        admin = fake.add_user("Operator", user_id=ADMIN)
        since = fake.mark()
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        fake.user_sends_document(admin, "floods\u202elnosj.jsonl", data)
        await fake.wait_for("editMessageText", since=since, timeout=60)
        _, answer = await ask(fake, admin, "When did the dams \u202eburst above Derna?")
        await ask(fake, admin, "/sources")
        await ask(fake, admin, "/who", reply_to=answer.result)
        fake.user_asks_inline(admin, "dams burst above \u202eDerna")
        await fake.wait_for("answerInlineQuery", since=since)
    sent = []
    for call in fake.calls[since:]:
        sent.append(str(call.params.get("text", "")))
        if "results" in call.params:
            sent.append(json.dumps(json.loads(call.params["results"]), ensure_ascii=False))
    everything = "\n".join(sent)
    assert "Adding floodslnosj.jsonl" in everything
    assert DAMS in everything and "Dams burst in Derna eht morf" in everything and "Libya Observer" in everything
    assert HIDDEN.search(everything) is None, HIDDEN.findall(everything)


# --- limits and failures --------------------------------------------------------------------------------


@slow
async def test_long_answers_are_split_under_4096(fake: FakeTelegram, fresh_engine: Engine) -> None:
    clause = "the Derna council and the Crete coast guard met again to talk about the ferry between them"
    # Distinct sentences (each day number differs), so they are not collapsed as copies of one another.
    text = "\n\n".join(
        f"Meeting {n}: " + ", and ".join(f"{clause} on day {n * 100 + i}" for i in range(20)) + "."
        for n in range(12)
    )
    fresh_engine.add_document("meetings.txt", text.encode())
    question = "what did the Derna council and the Crete coast guard talk about at the meeting?"
    async with serving(fake, fresh_engine, answers_per_message=10):
        alice = fake.add_user("Alice")
        since = fake.mark()
        fake.user_says(alice, question)
        await fake.wait_for(
            "sendMessage", lambda c: bool(buttons(c)), since=since
        )  # the last one has buttons
        group = fake.add_group("Newsroom")
        _, in_group = await ask(fake, alice, f"/ask {question}", chat=group)
        await asyncio.sleep(0.5)
    private = fake.sent_messages(alice["id"], since=since)
    assert len(private) >= 2
    assert all(telegram_length(str(m.params["text"])) <= MAX_MESSAGE for m in private)
    cards = [card for m in private for card in text_of(m).split("\n\n")]
    assert [card.split(".")[0] for card in cards] == [str(n) for n in range(1, 11)]  # whole cards, in order
    assert all(card.splitlines()[-1].startswith("📰") for card in cards)
    assert [bool(buttons(m)) for m in private] == [False] * (len(private) - 1) + [
        True
    ]  # buttons under the last
    assert len(fake.sent_messages(group["id"])) == 1  # a group gets one message, the rest behind More
    assert "More ▸" in buttons(in_group) and text_of(in_group).count("📰") < 10


@slow
async def test_the_question_rate_limit(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine, questions_per_minute=2):
        alice, bob = fake.add_user("Alice"), fake.add_user("Bob")
        for _ in range(2):
            _, reply = await ask(fake, alice, QUESTION)
            assert text_of(reply).startswith("1. ")
        for _ in range(3):  # every question over the limit hears the limit is hers, and when to try again
            _, limited = await ask(fake, alice, QUESTION)
            said = text_of(limited)
            assert "You can ask 2 questions a minute: a limit for each person" in said
            assert re.search(r"Please try again in \d+ s\.", said) and "faster than I can" not in said
        since = fake.mark()
        fake.user_says(alice, QUESTION)  # then the bot stays quiet: a flood never becomes a flood of replies
        _, other = await ask(fake, bob, QUESTION)  # the limit is per user
        assert text_of(other).startswith("1. ")
        await asyncio.sleep(0.5)
    assert fake.sent_messages(alice["id"], since=since) == []


@slow
async def test_admins_are_never_limited(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine, questions_per_minute=1, inline_per_minute=1):
        admin = fake.add_user("Operator", user_id=ADMIN)
        for _ in range(3):
            _, reply = await ask(fake, admin, QUESTION)
            assert text_of(reply).startswith("1. ")
        for n in range(2):
            since = fake.mark()
            fake.user_asks_inline(admin, QUESTION + "?" * n)
            call = await fake.wait_for("answerInlineQuery", since=since)
            assert json.loads(call.params["results"])


@slow
async def test_inline_searches_are_counted_on_their_own(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine, questions_per_minute=1, inline_per_minute=1):
        alice = fake.add_user("Alice")
        fake.user_asks_inline(alice, QUESTION)
        first = await fake.wait_for("answerInlineQuery")
        since = fake.mark()
        fake.user_asks_inline(alice, QUESTION + "?")
        second = await fake.wait_for("answerInlineQuery", since=since)
        _, in_chat = await ask(fake, alice, QUESTION)  # inline searches used none of her questions
        _, again = await ask(fake, alice, QUESTION)
    assert json.loads(first.params["results"])
    assert json.loads(second.params["results"]) == []
    label = json.loads(second.params["button"])["text"]
    assert "1 inline search a minute each" in label and "try in" in label and len(label) <= 64
    assert text_of(in_chat).startswith("1. ")
    assert "You can ask 1 question a minute" in text_of(again)


@slow
async def test_a_question_in_another_language_is_told_newsbot_reads_english(
    fake: FakeTelegram, engine: Engine
) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        _, german = await ask(fake, alice, "Was hat der Bürgermeister über das Wetter gesagt?")
        _, spanish = await ask(fake, alice, "¿Qué dijo el alcalde sobre el tiempo?")
        _, english = await ask(fake, alice, "What is the recipe for a good sourdough bread?")
    assert text_of(german).startswith("newsbot reads English articles, and your question looks German")
    assert "please ask in English" in text_of(german) and "nothing relevant" not in text_of(german)
    assert "looks Spanish" in text_of(spanish)
    assert "nothing relevant" in text_of(english) and "English" not in text_of(english)


@slow
async def test_no_apology_is_sent_to_a_user_who_blocked_the_bot(
    fake: FakeTelegram, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(fake, engine):
        alice, bob = fake.add_user("Alice"), fake.add_user("Bob")
        fake.fail_next("sendMessage", code=403, description="Forbidden: bot was blocked by the user")
        since = fake.mark()
        fake.user_says(alice, QUESTION)
        await fake.wait_for("sendMessage", since=since, ok=False)
        _, answered = await ask(fake, bob, QUESTION)  # the bot goes on serving others
        await asyncio.sleep(0.5)
    to_alice = [c for c in fake.calls_of("sendMessage", since=since) if int(c.params["chat_id"]) == alice["id"]]
    assert len(to_alice) == 1 and not to_alice[0].ok  # the refused answer, and no apology after it
    assert text_of(answered).startswith("1. ")
    assert "blocked the bot" in caplog.text


@slow
async def test_the_bot_starts_when_set_my_commands_fails(
    fake: FakeTelegram, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    fake.fail_next("setMyCommands", code=500, description="Internal Server Error")
    async with serving(fake, engine):
        _, reply = await ask(fake, fake.add_user("Alice"), QUESTION)
    assert text_of(reply).startswith("1. " + CRETE)
    warning = next(r.getMessage() for r in caplog.records if "setMyCommands" in r.getMessage())
    assert fake.base_url in warning and TOKEN not in caplog.text


@slow
async def test_a_429_is_retried(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        fake.fail_next("sendMessage", retry_after=1)
        _, reply = await ask(fake, alice, QUESTION)
    refused = [c for c in fake.calls_of("sendMessage") if not c.ok]
    assert (
        len(refused) == 1
        and refused[0].error is not None
        and refused[0].error.startswith("Too Many Requests")
    )
    assert reply.at - refused[0].at >= 1.0  # waited retry_after
    assert text_of(reply).startswith("1. " + CRETE)


@slow
async def test_html_telegram_refuses_is_sent_as_plain_text(fake: FakeTelegram, engine: Engine) -> None:
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        fake.fail_next(
            "sendMessage", code=400, description="Bad Request: can't parse entities: Unsupported tag"
        )
        _, reply = await ask(fake, alice, QUESTION)
    assert "parse_mode" not in reply.params
    assert str(reply.params["text"]).startswith("1. " + CRETE)
    assert "More ▸" in buttons(reply)


@slow
async def test_errors_are_logged_without_the_token_and_answered_with_an_apology(
    fake: FakeTelegram, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_answer, real_answers = engine.answer, engine.answers
    burning = {"on": True}

    def on_fire() -> None:  # the first question fails whichever way the bot asks it (in a batch, then alone)
        if burning["on"]:
            raise RuntimeError(f"disk on fire while using {TOKEN}")

    def flaky(question: str, k: int = 3, offset: int = 0) -> Any:
        on_fire()
        return real_answer(question, k, offset)

    def flaky_many(questions: Any, *args: Any, **kwargs: Any) -> Any:
        on_fire()
        return real_answers(questions, *args, **kwargs)

    monkeypatch.setattr(engine, "answer", flaky)
    monkeypatch.setattr(engine, "answers", flaky_many)
    caplog.set_level(logging.DEBUG)
    async with serving(fake, engine):
        alice = fake.add_user("Alice")
        _, apology = await ask(fake, alice, QUESTION)
        burning["on"] = False
        _, answer = await ask(fake, alice, QUESTION)  # and it keeps serving
    assert text_of(apology) == APOLOGY
    assert text_of(answer).startswith("1. " + CRETE)
    errors = [r for r in caplog.records if r.getMessage() == "Exception while handling an update"]
    assert errors and errors[0].exc_text and "disk on fire" in errors[0].exc_text
    for record in caplog.records:
        assert TOKEN not in record.getMessage() and TOKEN not in (record.exc_text or "")
    assert TOKEN not in caplog.text


@slow
async def test_a_slow_search_does_not_hold_up_other_chats(
    fake: FakeTelegram, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_answer = engine.answer

    def slow(question: str, k: int = 3, offset: int = 0) -> Any:
        time.sleep(1.5)  # blocking, as a heavy search would be: it must run off the event loop
        return real_answer(question, k, offset)

    monkeypatch.setattr(engine, "answer", slow)
    async with serving(fake, engine):
        alice, bob = fake.add_user("Alice"), fake.add_user("Bob")
        since = fake.mark()
        fake.user_says(alice, QUESTION)
        await fake.wait_for("sendChatAction", since=since)
        _, help_reply = await ask(fake, bob, "/help")
        answer = await fake.wait_for_reply(alice, since=since)
    assert help_reply.at < answer.at
    assert text_of(answer).startswith("1. " + CRETE)


@slow
async def test_an_allow_list_keeps_other_chats_out(fake: FakeTelegram, engine: Engine) -> None:
    alice, bob = fake.add_user("Alice"), fake.add_user("Bob")
    async with serving(fake, engine, allowed_chats=frozenset({alice["id"]})):
        _, refused = await ask(fake, bob, QUESTION)
        _, answered = await ask(fake, alice, QUESTION)
    assert "only serves some chats" in text_of(refused)
    assert text_of(answered).startswith("1. ")


# --- webhook mode and the real process ------------------------------------------------------------------


@slow
async def test_webhook_mode(fake: FakeTelegram, engine: Engine) -> None:
    port = free_port()
    app = build_application(engine.settings, bot_settings(fake), engine=engine)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret-token",
        )
        try:
            assert fake.webhook == {"url": f"http://127.0.0.1:{port}/hook", "secret_token": "s3cret-token"}
            _, reply = await ask(fake, fake.add_user("Alice"), QUESTION)
            assert text_of(reply).startswith("1. " + CRETE)
        finally:
            await app.updater.stop()
            await app.stop()


def token_forms(token: str) -> list[str]:
    """Return the forms of the token no output may hold: as it is, URL-encoded, and its secret part."""
    return [token, quote(token, safe=""), token.partition(":")[2]]


def leaks(output: str, token: str) -> bool:
    """Return whether `output` holds a form of the token, in any letter case."""
    return any(form.lower() in output.lower() for form in token_forms(token))


def test_redact_hides_every_form_of_the_token() -> None:
    keep_out_of_logs(TOKEN)
    text = redact(" ".join(f"<{form}>" for form in token_forms(TOKEN)) + " " + TOKEN.lower())
    assert not leaks(text, TOKEN) and text.count("<token>") == 4


async def start_serve(
    fake: FakeTelegram, engine: Engine, *options: str, base_url: str | None = None
) -> asyncio.subprocess.Process:
    """Start the real `newsbot serve` process against the fake, over the engine's data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=base_url or fake.base_url,  # the file URL is derived from it
        NEWSBOT_DATA=str(engine.settings.data_dir),
        NEWSBOT_PROGRESS="0",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    newsbot = Path(sys.executable).with_name("newsbot")
    command = [str(newsbot)] if newsbot.exists() else [sys.executable, "-m", "bot.cli"]
    return await asyncio.create_subprocess_exec(
        *command,
        *options,
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@slow
@pytest.mark.parametrize("options", [(), ("-v",)], ids=["quiet", "verbose"])
async def test_a_rejected_token_is_one_clean_line_without_the_token(
    fake: FakeTelegram, engine: Engine, options: tuple[str, ...]
) -> None:
    fake.fail_next("getMe", code=401, description=f"Unauthorized: bot{fake.token} ({quote(fake.token)})")
    process = await start_serve(fake, engine, *options)
    out, err = await asyncio.wait_for(process.communicate(), 90)
    output = (out + err).decode()
    assert process.returncode == 1, output
    assert not leaks(output, fake.token), output
    assert "Traceback" not in output or options  # -v may show details, still without the token
    assert err.decode().strip().splitlines()[-1].startswith("newsbot: Telegram rejected the bot token")


@slow
async def test_an_unreachable_bot_api_is_one_clean_line(fake: FakeTelegram, engine: Engine) -> None:
    # A Bot API that cannot be reached at start-up printed PTB's 100-line traceback and "unexpected error".
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = await start_serve(fake, engine, base_url=f"http://127.0.0.1:{port}/bot")
    out, err = await asyncio.wait_for(process.communicate(), 90)
    output = (out + err).decode()
    assert process.returncode == 1, output
    assert "Traceback" not in output and not leaks(output, fake.token), output
    assert err.decode().strip().splitlines()[-1].startswith(
        f"newsbot: cannot reach the Telegram Bot API at http://127.0.0.1:{port}/bot"
    ), output


@slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_newsbot_serve_process_answers_and_stops_on_signal(
    fake: FakeTelegram, engine: Engine, tmp_path: Path, stop: signal.Signals
) -> None:
    echoed = " ".join(token_forms(fake.token))  # a server that echoes the token in its errors
    process = await start_serve(fake, engine)
    try:
        await fake.wait_for("setMyCommands", timeout=90)  # post_init done: the model is loaded
        alice = fake.add_user("Alice")
        fake.fail_next("getUpdates", code=502, description=f"Bad Gateway: {echoed}")  # a failing request
        fake.fail_next("sendMessage", code=400, description=f"Bad Request: chat not found: {echoed}")
        since = fake.mark()
        fake.user_says(alice, QUESTION)  # the answer fails: the handler crashes, the apology is sent
        apology = await fake.wait_for_reply(alice, since=since, timeout=30)
        assert text_of(apology) == APOLOGY
        _, reply = await ask(fake, alice, QUESTION)
        assert text_of(reply).startswith("1. " + CRETE)
        process.send_signal(stop)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (out + err).decode()
    assert process.returncode == 0, output
    assert "Traceback" in output and "Chat not found" in output  # the crash is logged with its traceback
    assert not leaks(output, fake.token), output
    sent = json.dumps([c.params for c in fake.calls], ensure_ascii=False)
    assert not leaks(sent, fake.token)


# --- who is quoted (/who) -------------------------------------------------------------------------------

HARBOUR = json.dumps({
    "doc_id": "harbour", "title": "Benghazi harbour reopens",
    "text": "The harbour of Benghazi reopened on Monday, Ahmed Salem told Reuters. "
            "Cargo ships are already waiting, Ahmed Salem said.",
})


@slow
async def test_who_lists_the_speakers_of_every_article_most_first(fake: FakeTelegram, fresh_engine: Engine) -> None:
    fresh_engine.add_document("harbour.jsonl", HARBOUR.encode())
    async with serving(fake, fresh_engine):
        assert "who" in {c["command"] for c in fake.commands}
        _, reply = await ask(fake, fake.add_user("Alice"), "/who")
    lines = text_of(reply).splitlines()
    assert lines[0] == "🗣 Who speaks in the articles I know"
    assert lines[2:5] == ["1. CNN · 4 claims", "2. Noman Benotman · 3 claims", "3. Ahmed Salem · 2 claims"]
    tally = fresh_engine.library.speakers()
    assert f"{tally.total_speakers} speakers, {tally.total_claims} claims in all." in lines


@slow
async def test_who_in_reply_to_an_answer_lists_the_speakers_of_its_article(
    fake: FakeTelegram, fresh_engine: Engine
) -> None:
    fresh_engine.add_document("harbour.jsonl", HARBOUR.encode())
    async with serving(fake, fresh_engine):
        alice = fake.add_user("Alice")
        _, answer = await ask(fake, alice, "what did Benotman say about Raqqa?")
        assert "derna.txt" in text_of(answer) and "Benghazi harbour" not in text_of(answer)
        _, reply = await ask(fake, alice, "/who", reply_to=answer.result)
        hello, _ = await ask(fake, alice, "hello there")
        _, not_an_answer = await ask(fake, alice, "/who", reply_to=hello)
    text = text_of(reply)
    assert text.splitlines()[0] == "🗣 Who speaks in derna.txt"
    assert "Noman Benotman · 3 claims" in text and "CNN · 4 claims" in text
    assert "Ahmed Salem" not in text  # the other article's speaker
    assert text_of(not_an_answer).startswith("Reply /who to one of my answers")


@slow
@pytest.mark.parametrize("text", ["hi", "thanks!", "who are you?", "good morning bot"])
async def test_small_talk_gets_a_friendly_reply_with_a_question_to_try(
    fake: FakeTelegram, engine: Engine, text: str
) -> None:
    async with serving(fake, engine):
        _, reply = await ask(fake, fake.add_user("Alice"), text)
    said = text_of(reply)
    assert "nothing relevant" not in said and "I'm newsbot" in said
    assert engine.library.example_questions(1)[0] in said and "👍" not in buttons(reply)


@slow
async def test_latest_gives_the_newest_first_and_more_stays_newest_first(
    fake: FakeTelegram, tmp_path: Path, minilm: Encoder
) -> None:
    from tests.test_time_questions import write_dam_corpus

    dated = _engine(tmp_path / "data", minilm, write_dam_corpus(tmp_path / "corpus"))
    try:
        async with serving(fake, dated):
            alice = fake.add_user("Alice")
            _, reply = await ask(fake, alice, "/latest Derna dam")
            shown = text_of(reply)
            assert shown.startswith("1. The Derna dam collapsed during the storm")  # the 2023 article first
            assert "Sep 2023" in shown or "2023" in shown
            since = fake.mark()
            fake.user_presses(alice, reply.result, buttons(reply)["More ▸"])
            more = await fake.wait_for_reply(alice, since=since)
            assert text_of(more).startswith("4. ")
            _, empty = await ask(fake, alice, "Derna dam in March 2017")
            assert text_of(empty).startswith("Nothing dated in March 2017 about “Derna dam”")
            _, bare = await ask(fake, alice, "/latest")
            assert text_of(bare) == "Name a topic, e.g. /latest Derna"
    finally:
        dated.close()
