"""Questions about time (issue 22, part 2): time words become a date window or a newest-first order over the
answers and are taken out of the text searched; `ask --since/--until/--newest`; More stays in the window. Dated
JSONL articles over several years about one topic, a real store and FAISS index in tmp_path."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.render import answer_text
from index.encoder import TextKind
from index.engine import Engine
from index.errors import QuestionError
from index.model import Query
from index.question_time import frames_time, read_time
from index.settings import Settings
from tests.conftest import FakeEncoder

# (doc_id, published, text): the Derna dam over the years, one undated article, and one on another topic
DAM_ARTICLES: tuple[tuple[str, str | None, str], ...] = (
    ("dam-2018", "2018-05-10", "Inspectors said the Derna dam walls showed deep cracks after years of neglect."),
    ("dam-2019-spring", "2019-03-15", "Engineers warned in spring that the Derna dam needed urgent repairs."),
    ("dam-2019-autumn", "2019-11-02", "The council signed a contract for Derna dam repairs with a Turkish firm."),
    ("dam-2020", "2020-06-20", "Work on the Derna dam repairs stalled when the money for the contract ran out."),
    ("dam-2023", "2023-09-12", "The Derna dam collapsed during the storm and the flood swept through the city."),
    ("dam-undated", None, "The Derna dam was built in the 1970s by a Yugoslav company above the city."),
    ("budget-2021", "2021-02-01", "The national budget for schools was approved by parliament in February."),
)


class RecordingEncoder(FakeEncoder):
    """The fake encoder, keeping every text it encoded as a query: what the engine searched."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def encode(self, texts: Sequence[str], kind: TextKind, progress: bool = False) -> np.ndarray:
        """Return the fake vectors, noting the query texts."""
        if kind == "query":
            self.queries.extend(texts)
        return super().encode(texts, kind, progress)


def write_dam_corpus(folder: Path) -> Path:
    """Return a folder holding the dated articles as one JSONL file."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for doc_id, published, text in DAM_ARTICLES:
        record = {"id": doc_id, "title": None, "text": text}
        if published:
            record["published"] = published
        lines.append(json.dumps(record))
    (folder / "dam.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def encoder() -> RecordingEncoder:
    return RecordingEncoder()


@pytest.fixture
def dam_engine(tmp_path: Path, encoder: RecordingEncoder) -> Iterator[Engine]:
    """An engine over the dated dam articles (fake encoder, score fusion: what is ranked is not the point)."""
    engine = Engine.open(Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion"), encoder=encoder)
    engine.index_paths([write_dam_corpus(tmp_path / "corpus")])
    yield engine
    engine.close()


def year_of(ts: float | None) -> int | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC).year


def test_time_words_become_a_window_or_an_order_and_leave_the_text() -> None:
    newest = dt.datetime(2023, 9, 12, 15, tzinfo=dt.UTC).timestamp()
    day = dt.datetime(2023, 9, 12, tzinfo=dt.UTC).timestamp()
    latest = read_time("What's the latest news about the Derna dam?", lambda: newest)
    assert latest.rest == "the Derna dam?" and latest.newest and latest.since is None and latest.until is None
    assert read_time("what's new about Libya", lambda: newest).rest == "Libya"
    in_2019 = read_time("Derna dam in 2019", lambda: newest)
    assert (in_2019.rest, in_2019.period) == ("Derna dam", "in 2019")
    assert (in_2019.since, in_2019.until) == (dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp(),
                                              dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp())
    march = read_time("floods in March 2019", lambda: newest)
    assert march.period == "in March 2019" and year_of(march.since) == 2019
    assert read_time("Iraq before 2016", lambda: newest).until == dt.datetime(2016, 1, 1, tzinfo=dt.UTC).timestamp()
    since_march = read_time("elections since March", lambda: newest)  # relative to the newest article: 2023
    assert since_march.since == dt.datetime(2023, 3, 1, tzinfo=dt.UTC).timestamp() and since_march.until is None
    yesterday = read_time("what happened yesterday in Derna", lambda: newest)
    assert yesterday.rest == "what happened in Derna" and (yesterday.since, yesterday.until) == (day - 86400, day)
    week = read_time("Derna floods this week", lambda: newest)
    assert (week.since, week.until) == (day - 6 * 86400, day + 86400)
    # no time words, or event-relative ones: the question is left as it is, and the reference never read
    for plain in ("the 2019 election", "what happened before the election", "how far is Derna from Crete"):
        assert read_time(plain, lambda: pytest.fail("read the reference")) == read_time(plain, lambda: None)
        assert read_time(plain, lambda: None).rest == plain


def test_latest_on_x_gives_the_newest_article_first_and_never_searches_the_word_latest(
    dam_engine: Engine, encoder: RecordingEncoder
) -> None:
    answer = dam_engine.answer("latest on the Derna dam", k=3)
    assert not answer.no_answer
    assert answer.hits[0].source.doc_id == "dam-2023"
    years = [year_of(h.source.published_ts) for h in answer.hits]
    assert years == sorted(years, reverse=True)  # newest first
    assert answer.query is not None and answer.query.searched == "the Derna dam" and answer.query.order == "newest"
    assert encoder.queries[-1].lower() == "the derna dam?" and not any("latest" in q.lower() for q in encoder.queries)


def test_in_2019_answers_only_from_2019(dam_engine: Engine, encoder: RecordingEncoder) -> None:
    answer = dam_engine.answer("Derna dam repairs in 2019", k=5)
    assert {h.source.doc_id for h in answer.hits} == {"dam-2019-spring", "dam-2019-autumn"}
    assert "2019" not in encoder.queries[-1]


def test_since_march_2020_leaves_out_what_came_before(dam_engine: Engine) -> None:
    answer = dam_engine.answer("Derna dam since March 2020", k=5)
    assert {"dam-2020", "dam-2023"} <= {h.source.doc_id for h in answer.hits}
    assert all(h.source.published_ts and h.source.published_ts >= dt.datetime(2020, 3, 1, tzinfo=dt.UTC).timestamp()
               for h in answer.hits)  # nothing earlier, nothing undated


def test_a_window_with_nothing_in_it_says_so(dam_engine: Engine) -> None:
    answer = dam_engine.answer("Derna dam in March 2017", k=3)
    assert answer.no_answer and answer.nothing_dated
    assert answer_text(answer).startswith("Nothing dated in March 2017 about “Derna dam”")
    with pytest.raises(QuestionError, match="about what"):
        dam_engine.answer("latest news")


def test_a_query_record_and_the_batch_path_give_the_same_answers(dam_engine: Engine) -> None:
    since = dt.datetime(2019, 1, 1, tzinfo=dt.UTC).timestamp()
    until = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()
    record = Query("Derna dam repairs", k=5, since=since, until=until, order="newest")
    alone = dam_engine.answer(record)
    assert [h.source.doc_id for h in alone.hits] == ["dam-2019-autumn", "dam-2019-spring"]
    together = list(dam_engine.answers([record, "latest on the Derna dam", "Derna dam in 2019"], k=2))
    assert [h.sentence_id for h in together[0].hits] == [h.sentence_id for h in alone.hits]
    assert together[1].hits[0].source.doc_id == "dam-2023"
    assert {h.source.doc_id for h in together[2].hits} <= {"dam-2019-spring", "dam-2019-autumn"}


def test_more_after_a_windowed_answer_stays_in_the_window(dam_engine: Engine) -> None:
    first = dam_engine.answer("Derna dam in 2019", k=1)
    assert len(first.hits) == 1 and first.more
    kept = dam_engine.feedback.sent(dam_engine.feedback.remember(first, chat_id=7))
    assert kept is not None
    more = dam_engine.answer(kept.following(k=5))
    assert len(more.hits) == 1 and more.hits[0].sentence_id != first.hits[0].sentence_id
    assert year_of(more.hits[0].source.published_ts) == 2019


@pytest.mark.slow
def test_ask_since_until_newest_through_the_cli(tmp_path: Path, minilm, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    data = str(tmp_path / "data")
    assert main(["index", str(write_dam_corpus(tmp_path / "corpus")), "--data", data]) == 0
    capsys.readouterr()
    asked = ["ask", "Derna dam repairs", "-k", "5", "--json", "--data", data]
    assert main([*asked, "--since", "2019", "--until", "2019-12", "--newest"]) == 0
    found = [a["source"]["doc_id"] for a in json.loads(capsys.readouterr().out)["answers"]]
    assert found == ["dam-2019-autumn", "dam-2019-spring"]
    assert main(["ask", "Derna dam", "--since", "2017-01", "--until", "2017", "--data", data]) == 0
    assert capsys.readouterr().out.startswith("Nothing dated since 2017-01 and until 2017 about “Derna dam”")
    assert main(["ask", "Derna dam", "--since", "last Tuesday", "--data", data]) == 1
    assert "--since 'last Tuesday' is not a date" in capsys.readouterr().err


def test_a_question_that_asks_its_own_keeps_its_time_words_as_words(dam_engine: Engine) -> None:
    # the time such a question names is its answer's, not the articles' publication: read as a window it left
    # out the very article that answers (one published a month later)
    for asked in ("How many jobs did U.S. employers add in October 2015?",
                  "In 2012, how many stadiums were named as finalists?",
                  "A court ruled in June 2019. Who appealed?",
                  "By how much could crop production fall by 2050?",
                  "What percentage of voters back him in the USA TODAY poll?"):
        assert not frames_time(asked), asked
        query = dam_engine.answerer.asked(asked)
        assert (query.since, query.until, query.order, query.searched) == (None, None, "relevance", asked)
    for framed in ("Derna dam in 2019", "latest on the Derna dam", "What happened in Derna yesterday?",
                   "What's new about Libya?", "floods this week"):
        assert frames_time(framed), framed


def test_an_undated_corpus_reads_no_window_but_searches_without_the_time_words(fake_engine: Engine) -> None:
    for asked, searched in (("Derna in 2015", "Derna"), ("latest on Derna", "Derna"),
                            ("What's new about ISIS in Libya?", "ISIS in Libya?")):
        query = fake_engine.answerer.asked(asked)  # the seed has no date: a window would leave nothing
        assert (query.since, query.until, query.order, query.searched) == (None, None, "relevance", searched)
        assert fake_engine.answer(asked).hits[0].sentence == fake_engine.answer(searched).hits[0].sentence
