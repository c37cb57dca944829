"""One story across outlets (issue 22, part 4): sentences of several articles that report one fact are one card,
with the real model, SQLite and FAISS in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cards import render_card
from bot.cli import main
from bot.render import hit_text
from index.engine import Engine
from index.stories import same_fact, words_agree

QUESTION = "How many people did the floods in Derna kill?"
# one fact, three outlets, three wordings (none a copy of another)
REPORTS = [
    ("reuters", "Reuters", "2023-09-13", "Floodwaters from two collapsed dams swept through the eastern Libyan city "
     "of Derna, killing at least 5,300 people."),
    ("cnn", "CNN", "2023-09-14", "At least 5,300 people were killed in the eastern Libyan city of Derna when "
     "floodwaters from two collapsed dams swept through it."),
    ("bbc", "BBC", None, "Floodwaters swept through the eastern Libyan city of Derna after two dams collapsed, "
     "killing at least 5,300 people."),
]
OTHER = "Rescue teams from Egypt and Turkey arrived at the port to help search the ruined neighbourhoods."


def add(engine: Engine, name: str, outlet: str, published: str | None, *sentences: str) -> None:
    """Add one article (front matter and the sentences as one paragraph each) as an upload."""
    date = f"published: {published}\n" if published else ""
    body = "\n\n".join(sentences)
    engine.add_document(f"{name}.md", f"---\ntitle: Libya floods ({name})\noutlet: {outlet}\n{date}---\n{body}\n"
                        .encode())


def test_one_fact_in_three_outlets_is_one_card_naming_who_was_first(seed_engine: Engine) -> None:
    for name, outlet, published, sentence in REPORTS:
        add(seed_engine, name, outlet, published, sentence, OTHER.replace("port", f"{name} port"))
    answer = seed_engine.answer(QUESTION, k=3)
    top = answer.hits[0]
    assert "5,300" in top.sentence
    assert sum("5,300" in h.sentence for h in answer.hits) == 1, "the three reports are one card"
    assert [r.source.outlet for r in top.reported_by] == ["Reuters", "CNN", "BBC"]  # by date, the undated last
    card = render_card(top, QUESTION, 1)
    assert "Reported by 3 outlets: Reuters (first, 13 Sep 2023), CNN, BBC" in card
    assert "Reported by 3 outlets: Reuters (first, 13 Sep 2023), CNN, BBC" in hit_text(top, 1)


def test_two_reports_that_differ_in_a_number_are_two_cards(seed_engine: Engine) -> None:
    first, second = REPORTS[0], REPORTS[1]
    add(seed_engine, first[0], first[1], first[2], first[3])
    add(seed_engine, second[0], second[1], second[2], second[3].replace("5,300", "11,300"))
    answer = seed_engine.answer(QUESTION, k=5)
    shown = [h for h in answer.hits if "300 people" in h.sentence]
    assert len(shown) == 2, [h.sentence for h in answer.hits]
    assert all(len(h.reported_by) == 1 for h in shown)
    # and a copy word for word but for the number is no copy either
    add(seed_engine, "copy", "AP", "2023-09-15", first[3].replace("5,300", "11,300"))
    answer = seed_engine.answer(QUESTION, k=5)
    assert {len(h.reported_by) for h in answer.hits if "300 people" in h.sentence} <= {1, 2}
    assert sum("300 people" in h.sentence for h in answer.hits) == 2


def test_two_sentences_of_one_article_are_never_one_card(seed_engine: Engine) -> None:
    add(seed_engine, "one", "Reuters", "2023-09-13", REPORTS[0][3], REPORTS[2][3])
    assert same_fact(REPORTS[0][3], REPORTS[2][3], 0.95), "they would be one report in two articles"
    answer = seed_engine.answer(QUESTION, k=5)
    shown = [h for h in answer.hits if "5,300" in h.sentence]
    assert len(shown) == 2
    assert all(len(h.reported_by) == 1 for h in shown)


def test_ask_json_lists_the_members_of_each_hit(seed_engine: Engine, settings, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name, outlet, published, sentence in REPORTS:
        add(seed_engine, name, outlet, published, sentence)
    seed_engine.close()
    assert main(["ask", QUESTION, "-k", "2", "--json", "--data", str(settings.data_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["answers"]) == 2, "-k N still returns N hits"
    members = data["answers"][0]["reported_by"]
    assert [(m["outlet"], m["published"]) for m in members] == [
        ("Reuters", "2023-09-13"), ("CNN", "2023-09-14"), ("BBC", None)
    ]
    assert {m["sentence"] for m in members} == {r[3] for r in REPORTS}
    assert all(m["doc_id"].startswith("uploads/") for m in members)
    assert all(len(a["reported_by"]) >= 1 for a in data["answers"])


@pytest.mark.parametrize(("a", "b"), [
    ("Police said the blast killed 12 people in the market on Friday.",
     "Police said the blast killed 14 people in the market on Friday."),
    ("The fourth edition of the monthly series chronicles the presidential election campaign.",
     "The fifth edition of the monthly series chronicles the presidential election campaign."),
    ("Senator Warren said the bill would cut taxes for working families next year.",
     "Senator Sanders said the bill would cut taxes for working families next year."),
    ("WN: What technologies were used to conduct this study of the black hole?",
     "WN: What technologies were used to conduct this study of the black hole?"),
])
def test_the_word_test_refuses_contradicting_numbers_names_and_questions(a: str, b: str) -> None:
    assert not words_agree(a, b)


# wire copies give or take a word, a number changed, a name changed, questions, short sentences, a repeat
PAIRWISE = [
    *(r[3] for r in REPORTS),
    OTHER,
    OTHER.replace("port", "harbour"),
    OTHER.replace("Egypt", "Greece"),
    "Rescue teams from Egypt and Turkey arrived at the port to help search the ruined neighbourhoods?",
    "Floodwaters from two collapsed dams swept through the eastern Libyan city of Derna, killing at least 5,400 "
    "people.",
    "Floodwaters from two collapsed dams swept through the eastern Libyan city of Derna, killing at least 5,300.",
    "Parker spoke to Wikinews.",
    "Parker spoke to Wikinews.",
    "",
    "The mayor of Derna said that 20,000 people may have died in the floods.",
    "Derna's mayor said 20,000 people may have died in the floods, the city's officials said.",
]


def test_the_pair_tests_at_once_agree_with_each_pair_tested_alone() -> None:
    """copy_pairs and agreeing_pairs (every pair in one matrix) give what is_copy and words_agree give pair by
    pair, the oracle they replace on the answer path."""
    from index.stories import agreeing_pairs, copy_pairs, is_copy

    texts = PAIRWISE
    assert copy_pairs(texts) == [{b for b, tb in enumerate(texts) if is_copy(ta, tb)} for ta in texts]
    assert agreeing_pairs(texts) == [(j, i) for j in range(len(texts)) for i in range(j)
                                     if words_agree(texts[i], texts[j])]
    assert any(copy_pairs(texts)[4] - {4}) and agreeing_pairs(texts)  # the list holds both kinds of pair


def test_shared_counts_are_every_pair_of_sets_intersected() -> None:
    """The one-product count (only the words two or more sets hold get a column) is each pair's intersection."""
    from index.stories import shared_counts

    sets = [frozenset(t.lower().split()) for t in PAIRWISE] + [frozenset(), frozenset({"alone", "lonely"})]
    assert shared_counts(sets).tolist() == [[len(a & b) for b in sets] for a in sets]
    assert shared_counts([]).shape == (0, 0)
    assert shared_counts([frozenset()]).tolist() == [[0]]
