"""The numpy reader of LightGBM's text models (index.ranking.trees) against LightGBM itself: the shipped ranker
on real feature rows and on the values where decisions turn (NaN, infinities, zeros, tiny values, thresholds
themselves), a small model trained here with missing values of both kinds, and the files it must refuse.
Predictions are compared with `lightgbm.Booster(model_file=...).predict`, which is what answering used before."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.engine import Engine
from index.errors import RankerError
from index.ranking.features import CorpusView
from index.ranking.learned import META_FILE, MODEL_FILE, RANKER_DIR, LearnedRanker, load_ranker
from index.ranking.trees import PREDICT_ROWS, ZERO_THRESHOLD, TreeEnsemble
from index.store import Store

lgb = pytest.importorskip("lightgbm")

SHIPPED = RANKER_DIR / MODEL_FILE
QUESTIONS = (
    "How far is Crete from Derna?",
    "Who said ground troops are still on the table?",
    "How many fighters does ISIS have in Derna?",
    "When did the Islamic State take Derna?",
    "What did Noman Benotman say?",
    "Who is the president of France?",
)


def assert_same_scores(trees: TreeEnsemble, booster: object, X: np.ndarray) -> None:
    """Assert that the numpy trees give LightGBM's raw scores for every row of X."""
    ours = trees.predict(X)
    theirs = booster.predict(X, raw_score=True, num_threads=1)  # type: ignore[attr-defined]
    assert ours.shape == theirs.shape == (len(X),)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def shipped() -> tuple[TreeEnsemble, object]:
    """Return the shipped model read both ways: numpy trees and LightGBM's Booster."""
    return TreeEnsemble.from_file(SHIPPED), lgb.Booster(model_file=str(SHIPPED))


def feature_ranges(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return each feature's lowest and highest value in training, from the model's feature_infos line."""
    infos = re.search(r"^feature_infos=(.*)$", path.read_text(), re.M)
    assert infos
    bounds = [tuple(map(float, item.strip("[]").split(":"))) for item in infos.group(1).split()]
    return np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])


def split_points(path: Path) -> list[tuple[int, float]]:
    """Return every (feature, threshold) the model's trees split on."""
    text = path.read_text()
    features = [int(f) for line in re.findall(r"^split_feature=(.*)$", text, re.M) for f in line.split()]
    thresholds = [float(t) for line in re.findall(r"^threshold=(.*)$", text, re.M) for t in line.split()]
    assert len(features) == len(thresholds) > 0
    return list(zip(features, thresholds, strict=True))


def test_shipped_model_reads_as_lightgbm_reads_it(shipped: tuple[TreeEnsemble, object]) -> None:
    trees, booster = shipped
    assert trees.feature_names() == booster.feature_name()  # type: ignore[attr-defined]
    assert trees.n_trees == booster.num_trees()  # type: ignore[attr-defined]
    assert trees.objective == "lambdarank"
    assert "num_cat=0" in SHIPPED.read_text() and "num_cat=1" not in SHIPPED.read_text()  # no categorical split


def test_shipped_model_scores_real_candidates_as_lightgbm(
    fake_engine: Engine, shipped: tuple[TreeEnsemble, object]
) -> None:
    ranker = fake_engine.answerer.ranker
    assert isinstance(ranker, LearnedRanker) and isinstance(ranker.booster, TreeEnsemble)
    rows = []
    for question in QUESTIONS:
        qvec = fake_engine.encoder.encode([question], "query")[0]
        candidates = fake_engine.answerer.candidates(question, qvec)
        rows.append(ranker.features(question, qvec, candidates)[:, ranker.columns])
    X = np.vstack(rows)
    assert len(X) > 50
    assert_same_scores(*shipped, X)
    assert_same_scores(*shipped, X[:1])  # one candidate, as a one-sentence corpus gives


def test_shipped_model_scores_random_rows_in_each_features_range(shipped: tuple[TreeEnsemble, object]) -> None:
    low, high = feature_ranges(SHIPPED)
    rng = np.random.default_rng(7)
    X = low + rng.random((500, len(low))) * (high - low)
    X[rng.random(X.shape) < 0.3] = 0.0  # most features are often exactly zero
    assert_same_scores(*shipped, X)
    assert_same_scores(*shipped, np.round(X))  # the counts and 0/1 flags as they really come


def test_many_rows_score_as_each_row_alone_in_blocks_that_keep_memory_small(
    shipped: tuple[TreeEnsemble, object],
) -> None:
    """A batch of questions' shortlists (hundreds of rows) is walked PREDICT_ROWS rows at a time: each row's score
    is bit for bit its score among a few rows, and no walk kept for reuse holds more rows than that (it held every
    batch's (tree, row) pairs before: about 3 MB a shape, eight shapes). (A single row's sum over the trees is
    pairwise in numpy, so it may differ in the last bit: compared as LightGBM's are.)"""
    trees = TreeEnsemble.from_file(SHIPPED)
    low, high = feature_ranges(SHIPPED)
    X = low + np.random.default_rng(3).random((3 * PREDICT_ROWS + 17, len(low))) * (high - low)
    together = trees.predict(X)
    few = np.array([trees.predict(X[i : i + 2])[0] for i in range(0, len(X), 37)])
    assert np.array_equal(together[::37], few)
    alone = np.array([trees.predict(X[i : i + 1])[0] for i in range(0, len(X), 37)])
    np.testing.assert_allclose(together[::37], alone, rtol=0, atol=1e-12)
    assert trees._starts and max(rows for rows, _ in trees._starts) <= PREDICT_ROWS
    assert_same_scores(trees, shipped[1], X)


def test_shipped_model_at_the_values_where_decisions_turn(shipped: tuple[TreeEnsemble, object]) -> None:
    trees, booster = shipped
    low, high = feature_ranges(SHIPPED)
    rng = np.random.default_rng(11)
    base = low + rng.random((1, len(low))) * (high - low)
    rows = []
    specials = (np.nan, np.inf, -np.inf, 0.0, -0.0, ZERO_THRESHOLD, -ZERO_THRESHOLD, 1e-36, -1e-36, 1e-30, -1.0)
    for f in range(len(low)):
        for value in specials:
            row = base.copy()
            row[0, f] = value
            rows.append(row)
    for f, threshold in split_points(SHIPPED):  # each threshold itself and the doubles on either side of it
        for value in (threshold, np.nextafter(threshold, -np.inf), np.nextafter(threshold, np.inf)):
            row = low + rng.random((1, len(low))) * (high - low)
            row[0, f] = value
            rows.append(row)
    X = np.vstack(rows)
    assert_same_scores(trees, booster, X)
    everything = np.full((len(specials), len(low)), 0.0)
    everything[:] = np.array(specials)[:, None]  # every feature special at once
    assert_same_scores(trees, booster, everything)


def small_training_set(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Return rows whose features go missing as NaN (0, 1) and as zero (2), and a target that depends on
    whether they are missing, so that the trees learn default directions of both kinds."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, 4))
    X[rng.random(600) < 0.25, 0] = np.nan
    X[rng.random(600) < 0.25, 1] = np.nan
    X[rng.random(600) < 0.3, 2] = 0.0
    y = (
        np.where(np.isnan(X[:, 0]), 2.0, X[:, 0])
        - np.where(np.isnan(X[:, 1]), -1.5, X[:, 1])
        + np.where(X[:, 2] == 0.0, 3.0, X[:, 2])
        + 0.5 * X[:, 3]
    )
    return X, y


def decision_types(path: Path) -> set[int]:
    """Return every decision_type the model's trees use."""
    return {int(d) for line in re.findall(r"^decision_type=(.*)$", path.read_text(), re.M) for d in line.split()}


@pytest.mark.parametrize("zero_as_missing", [False, True])
def test_small_model_with_missing_values_scores_as_lightgbm(tmp_path: Path, zero_as_missing: bool) -> None:
    X, y = small_training_set()
    params = {"objective": "regression", "num_leaves": 7, "min_data_in_leaf": 5, "learning_rate": 0.3,
              "verbose": -1, "zero_as_missing": zero_as_missing, "seed": 1}
    booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=12)
    path = tmp_path / "small.txt"
    booster.save_model(str(path))
    # missing type NaN (8, 10) beside None (2), or Zero (4, 6); each with both default directions (bit 2)
    assert decision_types(path) == ({4, 6} if zero_as_missing else {2, 8, 10})
    trees = TreeEnsemble.from_file(path)
    reference = lgb.Booster(model_file=str(path))
    rng = np.random.default_rng(5)
    test = rng.normal(size=(300, 4))
    for column in range(4):
        test[rng.random(300) < 0.2, column] = np.nan
        test[rng.random(300) < 0.2, column] = 0.0
        test[rng.random(300) < 0.05, column] = 1e-36
        test[rng.random(300) < 0.05, column] = np.inf
    assert_same_scores(trees, reference, test)
    assert_same_scores(trees, reference, X)
    for f, threshold in split_points(path):
        row = np.zeros((3, 4))
        row[:, f] = (threshold, np.nextafter(threshold, -np.inf), np.nextafter(threshold, np.inf))
        assert_same_scores(trees, reference, row)


def test_a_model_of_constant_trees_scores_as_lightgbm(tmp_path: Path) -> None:
    X = np.ones((50, 2))  # nothing to split on: every tree is a single leaf
    y = np.arange(50, dtype=np.float64)
    booster = lgb.train({"objective": "regression", "verbose": -1}, lgb.Dataset(X, y), num_boost_round=3)
    path = tmp_path / "constant.txt"
    booster.save_model(str(path))
    assert "num_leaves=1" in path.read_text()
    trees = TreeEnsemble.from_file(path)
    assert_same_scores(trees, lgb.Booster(model_file=str(path)), np.array([[1.0, 1.0], [5.0, np.nan]]))


def test_a_truncated_model_is_refused(tmp_path: Path) -> None:
    text = SHIPPED.read_text()
    for cut in (len(text) // 2, text.index("end of trees"), text.index("Tree=1"), 40):
        path = tmp_path / "cut.txt"
        path.write_text(text[:cut])
        with pytest.raises(RankerError, match="retrain: make train-ranker"):
            TreeEnsemble.from_file(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("threshold=0.2", "threshold=zero", "not a number"),
        ("left_child=2 5 3", "left_child=2 5", "do not fit"),
        ("left_child=2 5 3", "left_child=2 5 99", "outside the tree"),
        ("left_child=2 5 3", "left_child=0 5 3", "reached twice"),
        ("split_feature=7 ", "split_feature=77 ", "does not name"),
        ("num_leaves=15\n", "", "no num_leaves"),
        ("tree\n", "forest\n", "not a LightGBM text model"),
        ("\nTree=1\n", "\nTreeless=1\n", "names 300 trees and holds 299"),
        ("objective=lambdarank\n", "objective=lambdarank\naverage_output\n", "averages its trees"),
    ],
)
def test_a_malformed_model_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = SHIPPED.read_text()
    assert old in text
    with pytest.raises(RankerError, match=message):
        TreeEnsemble.from_text(text.replace(old, new, 1))


def test_a_model_with_categorical_splits_is_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.integers(0, 6, 400), rng.normal(size=400)]).astype(np.float64)
    y = np.isin(X[:, 0], (1, 4)).astype(np.float64) * 3 + X[:, 1]
    data = lgb.Dataset(X, y, categorical_feature=[0])
    booster = lgb.train({"objective": "regression", "verbose": -1, "min_data_per_group": 5}, data, num_boost_round=3)
    path = tmp_path / "categorical.txt"
    booster.save_model(str(path))
    assert any(d & 1 for d in decision_types(path))
    with pytest.raises(RankerError, match="categorical.*retrain: make train-ranker"):
        TreeEnsemble.from_file(path)


def test_load_ranker_refuses_a_truncated_model_so_the_engine_falls_back(tmp_path: Path) -> None:
    folder = tmp_path / "ranker"
    folder.mkdir()
    shutil.copy(RANKER_DIR / META_FILE, folder / META_FILE)
    (folder / MODEL_FILE).write_text(SHIPPED.read_text()[:5000])
    store = Store(tmp_path / "empty.sqlite3")
    try:
        with pytest.raises(RankerError, match=r"model\.txt.*truncated.*make train-ranker"):
            load_ranker(CorpusView(store, 64), folder)
    finally:
        store.close()


def test_predict_refuses_rows_of_another_width(shipped: tuple[TreeEnsemble, object]) -> None:
    trees, _ = shipped
    with pytest.raises(ValueError, match="38 features"):
        trees.predict(np.zeros((2, 5)))
    assert trees.predict(np.zeros((0, 38))).shape == (0,)


class LightGBMScores:
    """The shipped model scored by LightGBM itself, as answering did before index.ranking.trees."""

    def __init__(self, path: Path) -> None:
        self.booster = lgb.Booster(model_file=str(path))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return LightGBM's scores of the rows of X."""
        return np.asarray(self.booster.predict(X, num_threads=1), dtype=np.float64)


@pytest.mark.slow
def test_seed_answers_are_the_same_as_with_lightgbm(seed_engine: Engine) -> None:
    from test_seed_questions import SEED_QUESTIONS

    unanswered = ["Who is the president of France?", "How many soldiers does Egypt have?"]
    questions = [q for q, _ in SEED_QUESTIONS] + unanswered
    ranker = seed_engine.answerer.ranker
    assert isinstance(ranker, LearnedRanker) and isinstance(ranker.booster, TreeEnsemble)

    def answers() -> list[tuple[bool, list[tuple[int, float]]]]:
        return [(a.no_answer, [(h.sentence_id, h.score) for h in a.hits]) for a in map(seed_engine.answer, questions)]

    ours = answers()
    ranker.booster = LightGBMScores(SHIPPED)  # type: ignore[assignment]
    assert answers() == ours  # the same sentences, in the same order, with the same scores (exactly)
    assert sum(not no_answer for no_answer, _ in ours) == len(SEED_QUESTIONS)
