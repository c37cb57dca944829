"""The engine end to end with the real model, SQLite and FAISS files: the seed question, incremental indexing,
"nothing relevant", bad input that changes nothing, and recovery when the two files disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine import Engine
from index.errors import QuestionError, ReadError
from index.settings import Settings

CRETE = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea."

pytestmark = pytest.mark.slow


def test_crete_question_puts_the_crete_sentence_first(seed_engine: Engine) -> None:
    answer = seed_engine.answer("how far is Derna from Crete")
    assert not answer.no_answer
    top = answer.hits[0]
    assert top.sentence == CRETE
    assert top.source.doc_id == "derna.txt" and top.source.path == "derna.txt"
    assert top.source.title is None and top.source.outlet is None  # the seed names neither
    assert top.before and top.before.startswith("ISIS fighters totaling 800")
    assert top.after and top.after.startswith("ISIS is seizing")
    assert len(answer.hits) == 3


def test_answer_json_contract(seed_engine: Engine) -> None:
    data = seed_engine.answer("who said ground troops are still on the table", k=2).to_json()
    assert set(data) == {"question", "no_answer", "answers"}
    assert data["no_answer"] is False and len(data["answers"]) == 2
    first = data["answers"][0]
    assert {"sentence", "score", "speaker", "cue", "kind", "source", "context"} <= set(first)
    assert set(first["source"]) == {"doc_id", "title", "outlet", "url", "published", "path"}
    assert set(first["context"]) == {"before", "after"}
    assert first["sentence"].startswith("Gen. Martin Dempsey")
    assert first["speaker"] == "Martin Dempsey" and first["kind"] == "reported"
    assert first["speaker_as_written"] == "Gen. Martin Dempsey"
    assert first["speaker_role"] == "chairman of the Joint Chiefs of Staff"
    assert isinstance(first["score"], float)


def test_attributed_quote_carries_its_speaker(seed_engine: Engine) -> None:
    answer = seed_engine.answer("Are ISIS creating an Islamic emirate in eastern Libya?")
    top = answer.hits[0]
    assert "Islamic emirate" in top.sentence
    assert top.attribution.speaker == "Noman Benotman" and top.attribution.kind == "quote"


def test_paging_with_offset(seed_engine: Engine) -> None:
    first = seed_engine.answer("ISIS in Derna", k=2)
    second = seed_engine.answer("ISIS in Derna", k=2, offset=2)
    assert first.more
    assert {h.sentence_id for h in first.hits}.isdisjoint({h.sentence_id for h in second.hits})
    assert second.offset == 2


@pytest.mark.parametrize("text", ["hi", "thanks!", "who are you?", "hello there"])
def test_chitchat_gets_no_news_sentence(seed_engine: Engine, text: str) -> None:
    answer = seed_engine.answer(text)
    assert answer.no_answer and answer.hits == []


def test_an_untitled_article_is_embedded_under_its_file_name_and_shown_by_it(seed_engine: Engine) -> None:
    from index.encoder import document_text

    hit = seed_engine.answer("How far is Crete from Derna?").hits[0]
    assert hit.source.title is None and hit.source.label.endswith("derna.txt")
    expected = seed_engine.encoder.encode([document_text(hit.sentence, "derna")], "document")[0]
    without = seed_engine.encoder.encode([hit.sentence], "document")[0]
    stored = seed_engine.vectors.reconstruct([hit.sentence_id])[0]
    assert float(expected @ stored) == pytest.approx(1.0, abs=1e-4)
    assert float(without @ stored) < 0.99


def test_question_about_something_absent_says_nothing_relevant(seed_engine: Engine) -> None:
    answer = seed_engine.answer("What is the best recipe for chocolate cake?")
    assert answer.no_answer and answer.hits == []


def test_empty_and_huge_questions_are_refused(seed_engine: Engine) -> None:
    with pytest.raises(QuestionError, match="empty"):
        seed_engine.answer("   ")
    with pytest.raises(QuestionError, match="too long"):
        seed_engine.answer("why " * 2000)


def test_reindex_unchanged_corpus_does_nothing(seed_engine: Engine, seed_corpus: Path) -> None:
    report = seed_engine.index_paths([seed_corpus])
    assert not report.changed and report.articles_unchanged == 1
    assert "Nothing to do" in report.summary()


def test_changed_new_and_removed_articles(seed_engine: Engine, seed_corpus: Path) -> None:
    before = seed_engine.library.summary(0)
    (seed_corpus / "crete.md").write_text(
        "---\ntitle: Crete tourism\noutlet: Island News\n---\n"
        "Tourism on Crete rose by 12 percent in 2024, the ministry said.\n"
    )
    report = seed_engine.index_paths([seed_corpus])
    assert report.articles_added == 1 and report.articles_unchanged == 1
    top = seed_engine.answer("How much did tourism on Crete rise?").hits[0]
    assert "12 percent" in top.sentence and top.source.title == "Crete tourism"
    assert top.source.outlet == "Island News"

    (seed_corpus / "crete.md").write_text(
        "---\ntitle: Crete tourism\n---\nTourism on Crete fell by 3 percent.\n"
    )
    report = seed_engine.index_paths([seed_corpus])
    assert report.articles_updated == 1
    assert "3 percent" in seed_engine.answer("How much did tourism on Crete change?").hits[0].sentence

    (seed_corpus / "crete.md").unlink()
    report = seed_engine.index_paths([seed_corpus])
    assert report.articles_removed == 1
    assert seed_engine.library.summary(0).sentences == before.sentences
    assert seed_engine.vectors.count == before.sentences


def test_unreadable_file_is_reported_and_the_rest_indexed(seed_engine: Engine, seed_corpus: Path) -> None:
    (seed_corpus / "garbage.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    (seed_corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    (seed_corpus / "ok.txt").write_text("The harbour of Benghazi reopened on Monday.\n")
    report = seed_engine.index_paths([seed_corpus])
    names = {Path(p.name).name for p in report.problems}
    assert {"garbage.txt", "notes.pdf"} <= names
    assert report.articles_added == 1
    assert (
        seed_engine.answer("When did the harbour of Benghazi reopen?")
        .hits[0]
        .sentence.startswith("The harbour")
    )
    assert seed_engine.answer("how far is Derna from Crete").hits[0].sentence == CRETE


def test_bad_upload_leaves_the_index_as_it_was(seed_engine: Engine) -> None:
    before = seed_engine.library.summary(0)
    with pytest.raises(ReadError):
        seed_engine.add_document("evil.txt", b"\x00" * 5000)
    with pytest.raises(ReadError):
        seed_engine.add_document("notes.exe", b"MZ....")
    assert seed_engine.library.summary(0) == before


def test_upload_makes_a_new_fact_answerable(seed_engine: Engine) -> None:
    report = seed_engine.add_document(
        "tobruk.md",
        b"---\ntitle: Tobruk port\n---\nThe port of Tobruk handled 40,000 containers last year.\n",
    )
    assert report.sentences_added == 1 and report.titles == ["Tobruk port"]
    top = seed_engine.answer("How many containers did Tobruk handle?").hits[0]
    assert "40,000 containers" in top.sentence


def test_store_and_index_disagreeing_is_repaired_on_open(
    settings: Settings, minilm, seed_corpus: Path
) -> None:
    engine = Engine.open(settings, encoder=minilm)
    engine.index_paths([seed_corpus])
    n = engine.vectors.count
    engine.vectors.delete(engine.vectors.ids()[:3].tolist())  # as if the process died before saving the index
    engine.vectors.save(settings.vectors_path)
    engine.close()
    again = Engine.open(settings, encoder=minilm)
    assert again.vectors.count == n
    assert again.answer("how far is Derna from Crete").hits[0].sentence == CRETE


def test_context_and_article(seed_engine: Engine) -> None:
    hit = seed_engine.answer("how far is Derna from Crete").hits[0]
    ctx = seed_engine.library.context(hit.sentence_id)
    assert ctx is not None and ctx.paragraph[ctx.start : ctx.end] == CRETE
    source, text = seed_engine.library.article("derna.txt")
    assert CRETE in text and source.doc_id == "derna.txt"
    assert seed_engine.library.context(10**9) is None and seed_engine.library.hit(10**9) is None


def test_feedback_and_stats(seed_engine: Engine) -> None:
    stats = seed_engine.library.summary(0)
    assert stats.articles == 1 and stats.sentences >= 15 and stats.newest is not None
    seed_engine.feedback.record("how far?", [1, 2], True, user_id=5, chat_id=6)
    assert seed_engine.store.feedback()[0][1:] == ("how far?", [1, 2], True)
    examples = seed_engine.library.example_questions(3)
    assert examples and all(q.endswith("?") for q in examples)


def test_copies_of_one_sentence_collapse_into_one_answer(seed_engine: Engine, tmp_path: Path) -> None:
    wire = "The ceasefire in Derna will begin at midnight on Friday, officials in Tripoli announced."
    for i, outlet in enumerate(["Wire A", "Wire B", "Wire C"]):
        body = wire if i != 2 else wire.replace("officials in Tripoli", "Tripoli officials")
        seed_engine.add_document(
            f"copy{i}.md", f"---\ntitle: Ceasefire {i}\noutlet: {outlet}\n---\n{body}\n".encode()
        )
    answer = seed_engine.answer("When will the ceasefire in Derna begin?", k=3)
    top = answer.hits[0]
    assert "ceasefire" in top.sentence
    assert len(top.also_in) == 2
    assert {s.outlet for s in top.also_in} | {top.source.outlet} == {"Wire A", "Wire B", "Wire C"}
    assert sum("ceasefire" in h.sentence for h in answer.hits) == 1, "the freed slots go to other facts"
    assert top.to_json()["also_in"][0]["doc_id"].startswith("uploads/copy")


@pytest.mark.parametrize("question", ["What did Noman Benotman say?", "what does Benotman think about Derna?"])
def test_asking_what_someone_said_brings_their_sentences(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.answer(question)
    assert [h.attribution.speaker for h in answer.hits] == ["Noman Benotman"] * 3
    assert {h.attribution.kind for h in answer.hits} == {"quote"}
    assert "Islamic emirate" in " ".join(h.sentence for h in answer.hits)


def test_naming_a_speaker_without_asking_what_they_said_ranks_normally(seed_engine: Engine) -> None:
    assert seed_engine.answerer.speakers_asked_about("how far is Derna from Crete") == []
    assert seed_engine.answerer.speakers_asked_about("What did CNN report about the airstrikes?") == ["CNN"]
    top = seed_engine.answer("What did CNN report about the airstrikes?").hits[0]
    assert "airstrikes on ISIS strongholds" in top.sentence and top.attribution.speaker == "CNN"


def test_each_hit_says_which_of_its_words_the_question_matched(seed_engine: Engine) -> None:
    answer = seed_engine.answer("how far is Derna from Crete")
    top = answer.hits[0]
    assert top.sentence == CRETE and {"Derna", "Crete"} <= set(top.matched)
    for hit in answer.hits:
        assert all(word in hit.sentence for word in hit.matched)
    assert "matched" not in top.to_json(), "the JSON contract is unchanged"
