"""Answering many questions at once: `Engine.answers` encodes them in one encoder call and searches them in one
FAISS call, and gives each the answer `Engine.answer` gives; `newsbot ask -` answers the lines that have arrived
together, with the same output as asking one at a time."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.batching import AnswerBatcher
from bot.cli import main
from bot.terminal import arrived_lines
from index.encoder import Encoder, TextKind
from index.engine import Engine
from index.errors import QuestionError
from index.model import Answer
from index.settings import Settings
from index.vectors import VectorIndex

QUESTIONS = [
    "how far is Derna from Crete",
    "hello",
    "What did Noman Benotman say?",
    "Who controls the city of Derna?",
    "What is the capital of Peru?",
    "how far is Derna from Crete",  # asked twice: answered twice
    "Where do the ISIS fighters train new recruits?",
    "thanks!",
    "according to CNN",
]


class CountingEncoder(Encoder):
    """Wraps an encoder and records the texts of each call."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return the wrapped encoder's vectors, recording the call."""
        if kind == "query":
            self.calls.append(list(texts))
        return self.inner.encode(texts, kind, progress)


@pytest.fixture
def counting_engine(settings: Settings, fake_encoder: Encoder, seed_corpus: Path) -> Iterator[Engine]:
    """Return an engine over the seed article whose query encodings are counted (the fake model)."""
    engine = Engine.open(settings, encoder=CountingEncoder(fake_encoder))
    engine.index_paths([seed_corpus])
    yield engine
    engine.close()


def test_answers_gives_each_question_the_answer_answer_gives(counting_engine: Engine) -> None:
    singly = [counting_engine.answer(q, k=3).to_json() for q in QUESTIONS]
    assert [a.to_json() for a in list(counting_engine.answers(QUESTIONS, k=3))] == singly
    assert [a.to_json() for a in list(counting_engine.answers(QUESTIONS, k=2, offset=1))] == [
        counting_engine.answer(q, k=2, offset=1).to_json() for q in QUESTIONS
    ]


def test_answers_encodes_the_questions_in_one_call(counting_engine: Engine) -> None:
    encoder = counting_engine.encoder
    assert isinstance(encoder, CountingEncoder)
    encoder.calls.clear()
    answers = list(counting_engine.answers(QUESTIONS, batch=len(QUESTIONS)))  # one batch (the default is 8)
    assert len(answers) == len(QUESTIONS)
    assert len(encoder.calls) == 1  # small talk is not encoded at all
    assert len(encoder.calls[0]) == sum(not a.small_talk for a in answers) == len(QUESTIONS) - 2


def test_answers_encodes_a_batch_at_a_time(counting_engine: Engine) -> None:
    encoder = counting_engine.encoder
    assert isinstance(encoder, CountingEncoder)
    encoder.calls.clear()
    questions = [f"how far is Derna from Crete {i}" for i in range(7)]
    got = list(counting_engine.answers(questions, batch=3))
    assert [a.question for a in got] == questions
    assert [len(c) for c in encoder.calls] == [3, 3, 1]


def test_answers_reads_the_store_and_scores_the_candidates_once_a_batch(
    counting_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's lexical lookups are one SQL statement, its candidates one read of the sentences, and every
    question's shortlist one matrix through the trees (each question apart: one of each per question)."""
    from index.ranking.learned import LearnedRanker

    calls: dict[str, int] = {}

    def counted(owner: object, name: str) -> None:
        inner = getattr(owner, name)

        def call(*args: object, **kwargs: object) -> object:
            calls[name] = calls.get(name, 0) + 1
            return inner(*args, **kwargs)

        monkeypatch.setattr(owner, name, call)

    ranker = counting_engine.answerer.ranker
    assert isinstance(ranker, LearnedRanker)
    for name in ("sentences", "lexical", "lexical_articles", "lexical_many", "sentence_ids_by_speaker"):
        counted(counting_engine.store, name)
    counted(ranker.booster, "predict")
    singly = [counting_engine.answer(q).to_json() for q in QUESTIONS]
    asked = len(QUESTIONS) - 2  # small talk is never looked up
    assert calls["lexical_many"] == calls["predict"] == asked
    calls.clear()
    assert [a.to_json() for a in counting_engine.answers(QUESTIONS, batch=len(QUESTIONS))] == singly
    assert calls["lexical_many"] == calls["predict"] == 1
    assert "lexical" not in calls and "lexical_articles" not in calls
    # the candidates in one read (the sentences of the speaker a question names are among them here)
    assert calls["sentences"] == 1 and calls["sentence_ids_by_speaker"] == 2


def test_answers_refuses_an_empty_question(counting_engine: Engine) -> None:
    assert list(counting_engine.answers([])) == []
    with pytest.raises(QuestionError):
        list(counting_engine.answers(["how far is Derna from Crete", "   "]))


def test_search_many_returns_what_search_returns_for_each_row() -> None:
    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((200, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    vi = VectorIndex(16, "m")
    vi.index(np.arange(1000, 1200), vecs)
    queries = vecs[:25] + 0.1 * rng.standard_normal((25, 16)).astype(np.float32)
    many = vi.search_many(queries, 5)
    assert len(many) == 25
    for q, got in zip(queries, many, strict=True):
        single = vi.search(q, 5)
        assert [i for i, _ in got] == [i for i, _ in single]
        assert np.allclose([s for _, s in got], [s for _, s in single], atol=1e-5)
    assert VectorIndex(16, "m").search_many(queries[:2], 5) == [[], []]


def test_arrived_lines_gives_every_line_in_order_in_bounded_batches() -> None:
    lines = [f"line {i}\n" for i in range(150)]
    batches = list(arrived_lines(io.StringIO("".join(lines)), 64))
    assert [x for b in batches for x in b] == lines
    assert all(1 <= len(b) <= 64 for b in batches)


def test_arrived_lines_raises_what_reading_raises() -> None:
    class Broken(io.StringIO):
        def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
            raise OSError("the terminal went away")

    with pytest.raises(OSError, match="went away"):
        list(arrived_lines(Broken(), 8))


def test_ask_stdin_reports_a_bad_line_in_its_place_and_answers_the_others(
    tmp_path: Path, fake_encoder: Encoder, seed_corpus: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import index.encoder
    import index.engine

    for module in (index.engine, index.encoder):  # `ask` builds its encoder before importing the engine
        monkeypatch.setattr(module, "build_encoder", lambda settings: fake_encoder)
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("how far is Derna from Crete\n" + "why " * 2000 + "\nhello\n"))
    assert main(["ask", "-", "--json", "--data", str(data)]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(x)["question"] for x in out.splitlines()] == ["how far is Derna from Crete", "hello"]
    assert "too long" in err and err.count("\n") == 1


@pytest.mark.slow
def test_ask_stdin_prints_what_asking_one_at_a_time_prints(
    tmp_path: Path, seed_corpus: Path, minilm: Encoder, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from test_seed_questions import SEED_QUESTIONS

    seeds = [q.values[0] if hasattr(q, "values") else q[0] for q in SEED_QUESTIONS]
    asked = seeds[:10] + QUESTIONS
    data = tmp_path / "data"
    assert main(["index", str(seed_corpus), "--data", str(data)]) == 0
    capsys.readouterr()
    singly = []
    for q in asked:
        assert main(["ask", q, "--json", "--data", str(data)]) == 0
        singly.append(json.loads(capsys.readouterr().out))
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{q}\n" for q in asked)))
    assert main(["ask", "-", "--json", "--data", str(data)]) == 0
    batched = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert batched == singly


# --- the bot's micro-batcher ------------------------------------------------------------------------------


async def test_batcher_answers_questions_asked_together_in_one_encoder_call(counting_engine: Engine) -> None:
    encoder = counting_engine.encoder
    assert isinstance(encoder, CountingEncoder)
    asked = [q for q in QUESTIONS if q not in {"hello", "thanks!"}]
    singly = [counting_engine.answer(q, k=3).to_json() for q in asked]
    encoder.calls.clear()
    batcher = AnswerBatcher(lambda: counting_engine)
    answers = await asyncio.gather(*(batcher.answer(q, 3) for q in asked))
    assert [a.to_json() for a in answers] == singly
    assert [len(c) for c in encoder.calls] == [len(asked)]


async def test_batcher_answers_at_most_its_bound_together(counting_engine: Engine) -> None:
    encoder = counting_engine.encoder
    assert isinstance(encoder, CountingEncoder)
    encoder.calls.clear()
    batcher = AnswerBatcher(lambda: counting_engine, most=4)
    answers = await asyncio.gather(*(batcher.answer(f"how far is Derna from Crete {i}", 2) for i in range(10)))
    assert [a.question for a in answers] == [f"how far is Derna from Crete {i}" for i in range(10)]
    assert sorted(len(c) for c in encoder.calls) == [2, 4, 4]


async def test_batcher_keeps_each_question_its_own_k_and_error(counting_engine: Engine) -> None:
    batcher = AnswerBatcher(lambda: counting_engine)
    one, bad, three = await asyncio.gather(
        batcher.answer("how far is Derna from Crete", 1),
        batcher.answer("   ", 3),
        batcher.answer("Who controls the city of Derna?", 3),
        return_exceptions=True,
    )
    assert isinstance(bad, QuestionError)
    assert isinstance(one, Answer)
    assert one.to_json() == counting_engine.answer("how far is Derna from Crete", 1).to_json()
    assert isinstance(three, Answer) and len(three.hits) == 3


@pytest.mark.slow
async def test_questions_sent_at_once_each_get_their_own_answer_on_telegram(
    tmp_path: Path, fake_encoder: Encoder, seed_corpus: Path
) -> None:
    from fake_telegram import running_fake
    from telegram_html import parse_html
    from test_telegram import serving  # the real Application against the fake, as the bot tests run it

    engine = Engine.open(Settings(data_dir=tmp_path / "data", progress=False), encoder=fake_encoder)
    engine.index_paths([seed_corpus])
    asked = ["how far is Derna from Crete", "How many ISIS fighters are in Derna?", "Where is Derna?",
             "Where are the ISIS fighters training new recruits?", "What did Noman Benotman say?",
             "Who controls the city of Derna?", "according to CNN"]
    questions = [q for q in asked if engine.answer(q).hits]  # the fake model does not answer every one
    assert len(questions) >= 3
    expected = [engine.answer(q).hits[0].sentence for q in questions]
    async with running_fake() as fake, serving(fake, engine):
        users = [fake.add_user(f"User{i}") for i in range(len(questions))]
        since = fake.mark()
        for user, q in zip(users, questions, strict=True):
            fake.user_says(user, q)  # all queued before the bot polls: handled concurrently
        replies = [await fake.wait_for_reply(fake.chats[u["id"]], since=since) for u in users]
    engine.close()
    for reply, sentence in zip(replies, expected, strict=True):
        assert sentence[:40] in parse_html(str(reply.params["text"]))[0]


def test_a_recording_ranker_sees_each_answers_own_candidates(counting_engine: Engine) -> None:
    """The eval reads what the ranker scored for each answer as it comes (RecordingRanker.take): answering a batch
    must not score the whole batch first, or every answer would see the batch's last question."""
    from index.evaluation.collect import RecordingRanker, with_ranker

    recorder = RecordingRanker(counting_engine.answerer.ranker)
    probe = with_ranker(counting_engine, recorder)
    for q, answer in zip(QUESTIONS, probe.answers(QUESTIONS), strict=True):
        seen = recorder.take()
        if answer.small_talk:
            assert seen is None
            continue
        assert seen is not None
        cands, _, _ = probe.answerer.ranked(probe.answerer.ranked_question(q))
        recorder.take()
        assert {c.id for c in seen[1]} == {c.id for c in cands}
