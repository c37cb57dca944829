"""The learned ranker: its features (shape, names, groups), the shipped files loading and scoring, refusing a
missing or mismatched file so that the engine falls back to fusion with a warning, folds by article, and the
no-answer model. The fake encoder stands in where the model is not the point."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from reference_features import answer_type_features, overlap_features

from index.encoder import Encoder
from index.engine import Engine
from index.errors import RankerError
from index.evaluation.collect import candidates_without
from index.evaluation.crossval import article_folds, fit_logistic
from index.evaluation.dataset import Question, article_of
from index.questions import question_type
from index.ranking import FusionRanker
from index.ranking.base import Candidate
from index.ranking.choice import load_default_ranker
from index.ranking.features import (
    FEATURE_GROUPS,
    FEATURE_NAMES,
    QUESTION_EVIDENCE,
    RANKER_FEATURES,
    UNRANKED_GROUPS,
    CorpusView,
    candidate_features,
)
from index.ranking.learned import (
    META_FILE,
    MODEL_FILE,
    NO_ANSWER_FEATURES,
    RANKER_DIR,
    LearnedRanker,
    NoAnswerModel,
    answerable_probability,
    load_ranker,
)
from index.settings import Settings
from index.store import Store


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[CorpusView]:
    """Return a view of an empty store, for loading a ranker outside an engine."""
    store = Store(tmp_path / "empty.sqlite3")
    yield CorpusView(store, 64)
    store.close()


def test_feature_names_are_unique_and_grouped() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert [n for names in FEATURE_GROUPS.values() for n in names] + list(QUESTION_EVIDENCE) == list(FEATURE_NAMES)
    assert set(FEATURE_GROUPS) == {"retrieval", "context", "article", "overlap", "answer_type", "shape"}
    # the trees read every computed group but the unranked ones (context: measured on news, see features.py)
    assert UNRANKED_GROUPS == ("context",)
    assert list(RANKER_FEATURES) == [
        n for g, names in FEATURE_GROUPS.items() if g not in UNRANKED_GROUPS for n in names]
    assert "prev_cos" in FEATURE_NAMES and "prev_cos" not in RANKER_FEATURES  # still evidence for "nothing relevant"


def test_features_have_one_row_per_candidate(fake_engine: Engine) -> None:
    question = "How far is Crete from Derna?"
    qvec = fake_engine.encoder.encode([question], "query")[0]
    cands = fake_engine.answerer.candidates(question, qvec)
    assert cands
    corpus = CorpusView(fake_engine.store, fake_engine.encoder.dimension)
    X = candidate_features(question, qvec, cands, corpus)
    assert X.shape == (len(cands), len(FEATURE_NAMES))
    assert np.isfinite(X).all()
    crete = next(i for i, c in enumerate(cands) if c.sentence.text.startswith("Crete"))
    row = dict(zip(FEATURE_NAMES, X[crete], strict=True))
    assert row["has_distance"] == 1.0 and row["type_match"] == 1.0 and row["qtype_how_far"] == 1.0
    assert row["q_coverage"] == pytest.approx(2 / 3)  # crete, derna; not "far"


@pytest.mark.parametrize(
    "question",
    [
        "How far is Crete from Derna?",
        "Who is Noman Benotman?",
        "When did the US start airstrikes?",
        "How many people live in Derna?",
        "Where are recruits trained?",
        "Why can residents do little?",
    ],
)
def test_fast_features_agree_with_the_question_helpers(fake_engine: Engine, question: str) -> None:
    qvec = fake_engine.encoder.encode([question], "query")[0]
    cands = fake_engine.answerer.candidates(question, qvec)
    corpus = CorpusView(fake_engine.store, fake_engine.encoder.dimension)
    X = candidate_features(question, qvec, cands, corpus)
    qtype = question_type(question)
    for c, row in zip(cands, X, strict=True):
        values = dict(zip(FEATURE_NAMES, row.tolist(), strict=True))
        expected = answer_type_features(qtype, c.sentence.text, question)
        expected |= overlap_features(question, c.sentence.text, c.sentence.source.topic)
        for name, value in expected.items():
            assert values[name] == pytest.approx(value, abs=1e-6), (name, c.sentence.text)


def test_a_context_reads_the_terms_of_its_own_window_only(fake_engine: Engine) -> None:
    """A candidate's window terms are its paragraph neighbours' content terms, made for those sentences alone,
    not for every sentence of the articles read (the cost of a cold answer)."""
    from index.ranking.features import sentence_terms
    from index.terms import content_terms

    question = "how far is Derna from Crete"
    qvec = fake_engine.encoder.encode([question], "query")[0]
    best = fake_engine.answerer.candidates(question, qvec)[0]
    corpus = CorpusView(fake_engine.store, fake_engine.encoder.dimension)
    sentence_terms.cache_clear()
    (ctx,) = corpus.contexts([best])
    rows = fake_engine.store.article_rows([best.sentence.article_id])[best.sentence.article_id]
    paragraph = [text for _, _, para, text, _ in rows if para == best.sentence.paragraph]
    i = paragraph.index(best.sentence.text)
    assert ctx.window_terms == {t for text in paragraph[max(0, i - 1) : i + 2] for t in content_terms(text)}
    assert len(rows) > 3 and sentence_terms.cache_info().currsize <= 3


def _row(engine: Engine, question: str, starts: str) -> dict[str, float]:
    """Return the features of the candidate sentence that starts with `starts`."""
    qvec = engine.encoder.encode([question], "query")[0]
    cands = engine.answerer.candidates(question, qvec)
    corpus = CorpusView(engine.store, engine.encoder.dimension)
    X = candidate_features(question, qvec, cands, corpus)
    i = next(i for i, c in enumerate(cands) if c.sentence.text.startswith(starts))
    return dict(zip(FEATURE_NAMES, X[i].tolist(), strict=True))


def test_article_features_say_which_story_the_question_is_about(fake_engine: Engine, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text(
        "Harbour dredging starts\n\nThe council voted to dredge the harbour. Fishermen in Derna's twin town cheered.\n",
        encoding="utf-8",
    )
    fake_engine.index_paths([other])
    # "ISIS" and "Derna" are all over the seed article; the harbour story mentions Derna once
    question = "What do ISIS fighters in Derna want?"
    cands, _, _ = fake_engine.answerer.ranked(question)
    seed = [c for c in cands if "harbour" not in c.sentence.source.doc_id]
    harbour = [c for c in cands if "harbour" in c.sentence.source.doc_id]
    assert seed and harbour
    assert all(c.article_rank == 0 and c.article_bm25 == 1.0 for c in seed)
    assert all(c.article_rank == 1 and 0 < c.article_bm25 < 1.0 for c in harbour)
    corpus = CorpusView(fake_engine.store, fake_engine.encoder.dimension)
    X = candidate_features(question, fake_engine.encoder.encode([question], "query")[0], cands, corpus)
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert X[cands.index(seed[0]), col["article_bm25_rank"]] == 0.0
    assert X[cands.index(harbour[0]), col["article_bm25_norm"]] == pytest.approx(harbour[0].article_bm25)


def test_a_simulated_removal_ranks_the_articles_that_are_left(fake_engine: Engine, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text("Harbour news\n\nISIS fighters never came to the harbour of Derna.\n",
                                       encoding="utf-8")
    fake_engine.index_paths([other])
    question = "What do ISIS fighters in Derna want?"
    seed_doc = next(c.sentence.source.doc_id for c in fake_engine.answerer.ranked(question)[0]
                    if "harbour" not in c.sentence.source.doc_id)
    qvec = fake_engine.encoder.encode([question], "query")[0]
    kept = candidates_without(fake_engine, question, qvec, seed_doc)
    assert kept and all("harbour" in c.sentence.source.doc_id for c in kept)
    assert all(c.article_rank == 0 and c.article_bm25 == 1.0 for c in kept)  # the best story that is left


def test_type_near_measures_how_close_the_answer_sits_to_the_question_words(fake_engine: Engine) -> None:
    fighters = _row(fake_engine, "How many ISIS fighters are in Derna?", "ISIS fighters totaling 800")
    assert fighters["type_near"] == pytest.approx(1 / 3)  # "fighters totaling 800": two tokens apart
    people = _row(fake_engine, "How many people live in Derna?", "ISIS fighters totaling 800")
    assert people["type_near"] == pytest.approx(1 / 2)  # "100,000 people": next to it
    # no number at all in the sentence, and a question type that wants none
    assert _row(fake_engine, "How many ISIS fighters are in Derna?", "Some of the ISIS")["type_near"] == 0.0
    assert _row(fake_engine, "What is ISIS creating in eastern Libya?", "ISIS fighters totaling")["type_near"] == 0.0


def test_unseen_names_count_the_question_names_the_corpus_never_mentions(fake_engine: Engine) -> None:
    assert _row(fake_engine, "Who is the president of France?", "Many have called")["q_unseen_names"] == 1.0
    assert _row(fake_engine, "Who leads France and Spain?", "Many have called")["q_unseen_names"] == 2.0
    assert _row(fake_engine, "What did President Obama say?", "So far, Obama")["q_unseen_names"] == 0.0


def test_corpus_view_can_count_terms_as_if_an_article_were_gone(fake_engine: Engine) -> None:
    corpus = CorpusView(fake_engine.store, fake_engine.encoder.dimension)
    before = (corpus.df("crete"), corpus.idf("derna"))
    texts = fake_engine.store.article_sentence_texts(fake_engine.library.sources()[0].source.doc_id)
    assert len(texts) == 19 and texts[0].startswith("The Islamic State")
    assert fake_engine.store.article_sentence_texts("no such article") == []
    with corpus.without(texts):
        assert corpus.df("crete") == 0 and corpus.df("derna") == 0
    assert (corpus.df("crete"), corpus.idf("derna")) == before


def test_features_of_no_candidates() -> None:
    assert candidate_features("why?", np.zeros(4), [], None).shape == (0, len(FEATURE_NAMES))  # type: ignore[arg-type]


def test_shipped_ranker_loads_and_describes_itself(corpus: CorpusView) -> None:
    ranker = load_ranker(corpus)
    assert ranker.name == "learned"
    meta = ranker.meta
    assert meta["features"] == list(RANKER_FEATURES)
    assert "CC BY-SA 4.0" in meta["data"] and "SQuAD" in meta["data"]
    assert meta["training_command"].startswith(("python -m index.train", "python -m index.evaluation.train"))
    assert meta["cv"]["by"] == "article" and meta["cv"]["p_at_1"] > 0.7
    assert 0.0 < meta["no_answer"]["threshold"] < 1.0
    assert (RANKER_DIR / MODEL_FILE).stat().st_size < 1_000_000


def test_engine_uses_the_learned_ranker_by_default(fake_engine: Engine) -> None:
    assert isinstance(fake_engine.answerer.ranker, LearnedRanker)
    cands, scores, _relevant = fake_engine.answerer.ranked("How far is Crete from Derna?")
    assert cands and list(scores) == sorted(scores, reverse=True)
    assert "p_answerable" in cands[0].features and cands[0].features["score"] == pytest.approx(scores[0])


def test_learned_scores_one_per_candidate(fake_engine: Engine) -> None:
    question = "Who said ground troops are still on the table?"
    qvec = fake_engine.encoder.encode([question], "query")[0]
    cands = fake_engine.answerer.candidates(question, qvec)
    scores = fake_engine.answerer.ranker.score(question, qvec, cands)
    assert scores.shape == (len(cands),) and np.isfinite(scores).all()
    top = cands[int(np.argmax(scores))]
    assert 0.0 <= top.features["p_answerable"] <= 1.0
    assert fake_engine.answerer.ranker.is_relevant(float(scores.max()), top) == (
        top.features["p_answerable"] >= fake_engine.answerer.ranker.no_answer_threshold  # type: ignore[attr-defined]
    )


def test_missing_ranker_is_refused(tmp_path: Path, corpus: CorpusView) -> None:
    with pytest.raises(RankerError, match="make train-ranker"):
        load_ranker(corpus, tmp_path)


def test_mismatched_feature_names_are_refused(ranker_copy: Path, corpus: CorpusView) -> None:
    meta = json.loads((ranker_copy / META_FILE).read_text())
    meta["features"][0] = "a_feature_nobody_computes"
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(RankerError, match="features"):
        load_ranker(corpus, ranker_copy)


def test_model_not_matching_its_metadata_is_refused(ranker_copy: Path, corpus: CorpusView) -> None:
    meta = json.loads((ranker_copy / META_FILE).read_text())
    meta["features"] = meta["features"][1:]
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(RankerError, match="does not match"):
        load_ranker(corpus, ranker_copy)


def test_other_format_version_is_refused(ranker_copy: Path, corpus: CorpusView) -> None:
    meta = json.loads((ranker_copy / META_FILE).read_text())
    meta["format_version"] = 999
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(RankerError, match="format version"):
        load_ranker(corpus, ranker_copy)


def test_engine_falls_back_to_fusion_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    settings: Settings,
    fake_encoder: Encoder,
    corpus: CorpusView,
) -> None:
    monkeypatch.setattr("index.ranking.learned.RANKER_DIR", tmp_path / "nothing-here")
    with caplog.at_level(logging.WARNING, logger="index.engine"):
        assert load_default_ranker(corpus) is None
        engine = Engine.open(settings, encoder=fake_encoder)
    assert isinstance(engine.answerer.ranker, FusionRanker)
    assert "falling back to score fusion" in caplog.text
    engine.close()


def test_folds_never_split_an_article() -> None:
    questions = [Question(str(i), "q?", f"Article_{i % 7}#{i % 3}", ("a",)) for i in range(70)]
    folds = article_folds(questions, 4)
    assert set(folds) == {f"Article_{i}" for i in range(7)}
    assert set(folds.values()) == {0, 1, 2, 3}
    assert article_of("Super_Bowl_50#3") == "Super_Bowl_50"
    assert article_folds(questions, 4) == folds  # deterministic


def test_no_answer_logistic_model_separates_the_obvious() -> None:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(1.0, 0.3, (200, 2)), rng.normal(-1.0, 0.3, (200, 2))])
    y = np.concatenate([np.ones(200), np.zeros(200)])
    w = fit_logistic(X, y)
    assert answerable_probability(np.array([1.0, 1.0]), w) > 0.9
    assert answerable_probability(np.array([-1.0, -1.0]), w) < 0.1
    assert answerable_probability(np.array([5.0, 5.0]), np.zeros(0)) == 1.0


def test_no_answer_inputs_are_clipped_to_their_training_range() -> None:
    w = np.array([0.0, 10.0])  # one input, a steep weight: outside its training range it would run away
    clipped = NoAnswerModel(w, 0.5, {}, np.array([[-0.1], [0.1]]))
    assert clipped.probability(np.array([0.1])) == pytest.approx(answerable_probability(np.array([0.1]), w))
    assert clipped.probability(np.array([5.0])) == clipped.probability(np.array([0.1]))  # not ~1.0
    assert clipped.probability(np.array([-5.0])) == pytest.approx(1 / (1 + np.exp(1.0)))
    assert NoAnswerModel(w, 0.5, {}).probability(np.array([5.0])) > 0.999  # unbounded, for contrast


def test_shipped_no_answer_model_has_one_bound_per_input(corpus: CorpusView) -> None:
    ranker = load_ranker(corpus)
    assert ranker.no_answer.bounds is not None
    assert ranker.no_answer.bounds.shape == (2, len(NO_ANSWER_FEATURES))
    assert (ranker.no_answer.bounds[0] <= ranker.no_answer.bounds[1]).all()


def test_no_answer_bounds_that_do_not_fit_are_refused(ranker_copy: Path, corpus: CorpusView) -> None:
    meta = json.loads((ranker_copy / META_FILE).read_text())
    meta["no_answer"]["bounds"]["low"] = meta["no_answer"]["bounds"]["low"][1:]
    (ranker_copy / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(RankerError, match="bounds"):
        load_ranker(corpus, ranker_copy)


def _small_eval(tmp_path: Path) -> tuple[Path, Path]:
    docs, qs = tmp_path / "docs.jsonl", tmp_path / "questions.jsonl"
    paragraphs = {
        "Derna#0": ("Derna", "Derna is a city in Libya. Derna has 100,000 people. It lies on the sea."),
        "Derna#1": ("Derna", "ISIS took Derna in 2014. Its fighters numbered 800."),
        "Crete#0": ("Crete", "Crete is an island of Greece. The capital of Crete is Heraklion."),
        "Crete#1": ("Crete", "Crete lies 211 miles from Derna. Minoan palaces stand at Knossos."),
    }
    docs.write_text(
        "".join(json.dumps({"doc_id": d, "title": t, "text": x}) + "\n" for d, (t, x) in paragraphs.items())
    )
    questions = [
        ("How many people live in Derna?", "Derna#0", "100,000"),
        ("When did ISIS take Derna?", "Derna#1", "2014"),
        ("What is the capital of Crete?", "Crete#0", "Heraklion"),
        ("How far is Crete from Derna?", "Crete#1", "211 miles"),
    ]
    qs.write_text(
        "".join(
            json.dumps({"id": str(i), "question": q, "doc_id": d, "answers": [a]}) + "\n"
            for i, (q, d, a) in enumerate(questions)
        )
    )
    return docs, qs


@pytest.mark.slow
def test_eval_with_the_learned_ranker_and_folds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    docs, qs = _small_eval(tmp_path)
    assert main(["eval", "--docs", str(docs), "--questions", str(qs), "--json", "--ranker", "learned"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ranker"] == "learned" and report["questions"] == 4 and report["r_at_5"] == 1.0
    assert main(["eval", "--docs", str(docs), "--questions", str(qs), "--json", "--folds", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["folds"] == 2 and report["ranker"] == "learned" and report["n"] == 4
    assert set(report["by_type"]) <= {"who", "when", "where", "how_many", "how_far", "why", "what", "other"}


@pytest.mark.slow
def test_ablation_scores_every_row_on_news_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from index.evaluation.train import main as train_main

    docs, qs = _small_eval(tmp_path)
    news = tmp_path / "news"
    news.mkdir()
    news_docs, news_qs = _small_eval(news)  # the same small corpus stands in for the news set
    argv = ["--docs", str(docs), "--questions", str(qs), "--folds", "2", "--ablation",
            "--news-docs", str(news_docs), "--news-questions", str(news_qs), "--news-data", str(news / "data")]
    assert train_main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "news P@1" in lines[0]
    rows = {line.split("|")[1].strip(): [float(x) for x in line.split("|")[2:-1]] for line in lines[2:]}
    assert set(rows) == {"bm25", "dense", "rrf", "fusion", "learned"} | {
        f"learned {'+' if g in UNRANKED_GROUPS else '−'} {g}" for g in FEATURE_GROUPS}
    assert all(len(v) == 7 and all(0.0 <= x <= 1.0 for x in v) for v in rows.values())
    assert rows["learned"][5] == 1.0  # news R@5: every answer among four sentences of a tiny corpus
    assert (news / "data" / "newsbot.sqlite3").exists()  # the news index is kept for the next run


def _two_news_articles(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    docs, qs = folder / "docs.jsonl", folder / "questions.jsonl"
    articles = {
        "wikinews:Ferry_pier": ("Harbour council votes to shut ferry pier",
                                "A harbour council voted to shut its old ferry pier. The pier will close in March. "
                                "Mayor Ann Holt said the repairs would cost too much."),
        "wikinews:Mission": ("Space agency names its new mission",
                             "A space agency launched a probe on Monday. The mission is called Aurora. "
                             "It will reach Mars in 2031."),
    }
    docs.write_text("".join(json.dumps({"doc_id": d, "title": t, "text": x}) + "\n" for d, (t, x) in articles.items()))
    questions = [
        ("When will the ferry pier close?", "wikinews:Ferry_pier", "March", "train"),
        ("Who said the repairs would cost too much?", "wikinews:Ferry_pier", "Ann Holt", "train"),
        ("What is the new space mission called?", "wikinews:Mission", "Aurora", "validation"),
    ]
    qs.write_text("".join(
        json.dumps({"id": f"wnq-{i}", "question": q, "doc_id": d, "answers": [a], "type": "what", "split": s}) + "\n"
        for i, (q, d, a, s) in enumerate(questions)))
    return docs, qs


def test_read_questions_keeps_only_the_split_asked_for(tmp_path: Path) -> None:
    from index.evaluation.dataset import read_questions

    _, qs = _two_news_articles(tmp_path / "news")
    assert [q.id for q in read_questions(qs, split="train")] == ["wnq-0", "wnq-1"]
    assert [q.id for q in read_questions(qs, split="validation")] == ["wnq-2"]
    assert len(read_questions(qs)) == 3


@pytest.mark.slow
def test_trainer_also_trains_on_the_train_split_of_another_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from index.evaluation.train import main as train_main

    docs, qs = _small_eval(tmp_path)
    news_docs, news_qs = _two_news_articles(tmp_path / "news")
    out, cache = tmp_path / "candidate", tmp_path / "news.pkl"
    argv = ["--docs", str(docs), "--questions", str(qs), "--folds", "2", "--out", str(out),
            "--also-docs", str(news_docs), "--also-questions", str(news_qs), "--also-split", "train",
            "--also-data", str(tmp_path / "news-data"), "--also-cache", str(cache)]
    assert train_main(argv) == 0
    assert "the --also questions, cross-validated" in capsys.readouterr().out
    meta = json.loads((out / "meta.json").read_text())
    assert meta["trained_on"]["also_questions"] == 2  # the validation question is never trained on
    assert meta["cv"]["questions"] == 4 and meta["cv_also"]["questions"] == 2  # cv: the main set alone
    assert "split train" in meta["data"] and "--also-split train" in meta["training_command"]
    assert (out / "model.txt").exists() and cache.exists() and (tmp_path / "news-data" / "newsbot.sqlite3").exists()
    import pickle

    with open(cache, "rb") as f:
        items, _ = pickle.load(f)
    assert all(it.removed is not None for it in items)  # gathered as SQuAD is: with the simulated removal


def test_lightgbm_is_imported_without_its_sklearn_and_pandas_interfaces_which_stay_importable() -> None:
    code = (
        "import sys; from index.evaluation.crossval import import_lightgbm; lgb = import_lightgbm(); "
        "hidden = [m in sys.modules for m in ('sklearn', 'pandas')]; "
        "import sklearn, pandas; print(lgb.__name__, *hidden, import_lightgbm() is lgb)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["lightgbm", "False", "False", "True"]


def test_cached_sentence_contexts_share_their_paragraph_vectors(fake_engine: Engine) -> None:
    store = fake_engine.store
    corpus = CorpusView(store, fake_engine.encoder.dimension)
    rows = next(iter(store.article_rows([1]).values()))
    by_para: dict[int, list[int]] = {}
    for sid, _pos, para, _text, _blob in rows:
        by_para.setdefault(para, []).append(sid)
    para = next(ids for ids in by_para.values() if len(ids) >= 3)  # a paragraph of three sentences or more
    stored = store.sentences(para)
    cands = [Candidate(sid, stored[sid], 0.0, 0.0, None, None) for sid in para]
    ctx = corpus.contexts(cands)
    vecs = store.vectors(para, fake_engine.encoder.dimension)
    # the neighbours are the stored vectors, the mean their unit mean; a paragraph holds one copy of each vector
    assert np.array_equal(ctx[0].next, vecs[para[1]]) and np.array_equal(ctx[2].prev, vecs[para[1]])
    assert np.shares_memory(ctx[0].next, ctx[2].prev) and ctx[0].mean is ctx[1].mean
    assert not ctx[0].prev.any() and not ctx[-1].next.any()  # none before the first, none after the last
    mean = np.mean([vecs[s] for s in para], axis=0)
    assert np.allclose(ctx[0].mean, mean / np.linalg.norm(mean), atol=1e-6)


def test_a_sentences_facts_are_cached_once_not_beside_its_profile() -> None:
    from index.ranking.features import sentence_facts
    from index.ranking.spans import profile

    text = "Crete, Greece's most populous island, is 211 miles northeast of Derna across the sea, officials said."
    before = profile.cache_info().currsize
    facts = sentence_facts(text)
    assert sentence_facts(text) is facts  # cached by its text
    assert profile.cache_info().currsize == before  # the profile it was made from is not kept as well
    assert "crete" in facts.terms and facts.n_words > 10


def test_score_many_of_no_question_is_no_scores(ranker_copy: Path) -> None:
    from index.ranking.learned import load_ranker

    ranker = load_ranker(None, ranker_copy)  # type: ignore[arg-type]
    assert ranker.score_many([]) == []


NEWS_FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.slow
def test_features_a_column_at_a_time_equal_the_old_ones_candidate_by_candidate(
    settings: Settings, minilm: Encoder, seed_corpus: Path
) -> None:
    """Every feature of every shortlisted candidate, on a real index (the real model, SQLite and FAISS), is bit
    for bit what the old candidate-by-candidate loop (tests/reference_features.py) computed: the trees see the
    same numbers, so the answers do not change."""
    from reference_features import candidate_features_one_at_a_time

    questions = [json.loads(line)["question"] for line in
                 (NEWS_FIXTURES / "news_questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    questions += ["How far is Crete from Derna?", "Who is Noman Benotman?", "When did the US start airstrikes?",
                  "How many ISIS fighters are in Derna?", "Where are recruits trained?",
                  "Why can residents do little?", "What did President Obama say?", "What is ISIS creating?"]
    with Engine.open(settings, encoder=minilm) as engine:
        engine.index_paths([seed_corpus, NEWS_FIXTURES / "news_docs.jsonl"])
        ranker = engine.answerer.ranker
        assert isinstance(ranker, LearnedRanker)
        shortlists: list[tuple[str, np.ndarray, list[Candidate], np.ndarray]] = []
        features = ranker.features

        def recorded(question: str, qvec: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
            X = features(question, qvec, candidates)
            shortlists.append((question, qvec, candidates, X))
            return X

        ranker.features = recorded  # type: ignore[method-assign]
        list(engine.answers(questions))
        assert len(shortlists) == len(questions) and sum(len(c) for _, _, c, _ in shortlists) > 300
        for question, qvec, candidates, X in shortlists:
            old = candidate_features_one_at_a_time(question, qvec, candidates, ranker.corpus)
            differ = [name for name, a, b in zip(FEATURE_NAMES, X.T, old.T, strict=True)
                      if a.tobytes() != b.tobytes()]
            assert not differ, (question, differ)


def test_a_training_corpus_runs_the_model_as_NEWSBOT_ENCODER_says_and_ignores_the_bots_other_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from index.errors import ConfigError
    from index.evaluation.train import corpus_settings

    monkeypatch.setenv("NEWSBOT_ENCODER", "onnx-int8")
    monkeypatch.setenv("NEWSBOT_RANKER", "fusion")
    monkeypatch.setenv("NEWSBOT_DATA", str(tmp_path / "bot"))
    s = corpus_settings()
    assert s.encoder == "onnx-int8"  # a ranker trained on the int8 scores it will see (issue 24)
    assert (s.ranker, s.data_dir, s.progress) == (Settings().ranker, Settings().data_dir, False)
    monkeypatch.delenv("NEWSBOT_ENCODER")
    assert corpus_settings().encoder == Settings().encoder
    monkeypatch.setenv("NEWSBOT_ENCODER", "fp16")
    with pytest.raises(ConfigError, match="NEWSBOT_ENCODER"):
        corpus_settings()
