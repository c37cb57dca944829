"""The vector index that grows: exact below a size, IVF above it and IVF over 8-bit codes re-scored exactly (ivf8)
above a larger one (recall against exact, the kind and its parameters kept in the manifest, add and delete after
building and after loading, the switch at save time), and the NEWSBOT_VECTOR_INDEX override. Generated clustered
vectors and real FAISS files in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import index.vectors
from index.engine import Engine
from index.errors import ConfigError, IndexDamagedError, IndexMismatchError
from index.settings import Settings
from index.store import Store
from index.vectors import VectorIndex, manifest_path, read_manifest
from tests.conftest import SEED, FakeEncoder

DIM = 32
LIMIT = 1000  # EXACT_LIMIT in these tests


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the exact/ivf threshold small enough for generated corpora."""
    monkeypatch.setattr(index.vectors, "EXACT_LIMIT", LIMIT, raising=False)


CENTRES = np.random.default_rng(99).standard_normal((40, DIM)).astype(np.float32)


def clustered(rng: np.random.Generator, n: int, clusters: int = 40) -> np.ndarray:
    """Return n unit vectors around the same few centres (uniform random vectors would leave IVF nothing to
    find)."""
    centres = CENTRES[:clusters]
    v = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def built(n: int, kind: str = "auto", seed: int = 0) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    """Return an index of n clustered vectors under ids 1000.., with its ids and vectors."""
    rng = np.random.default_rng(seed)
    vecs = clustered(rng, n)
    ids = np.arange(1000, 1000 + n, dtype=np.int64)
    vi = VectorIndex(DIM, "m", kind)
    vi.index(ids, vecs)
    return vi, ids, vecs


def test_above_the_limit_the_index_is_ivf_and_finds_what_exact_search_finds() -> None:
    vi, ids, vecs = built(4000)
    exact = VectorIndex(DIM, "m", "exact")
    exact.index(ids, vecs)
    assert vi.kind == "ivf" and exact.kind == "exact"
    assert 1 < vi.nprobe < vi.manifest()["nlist"]  # type: ignore[operator]
    rng = np.random.default_rng(1)
    questions = clustered(rng, 60)  # held out: none of them is in the index
    recall = [
        len({i for i, _ in vi.search(q, 50)} & {i for i, _ in exact.search(q, 50)}) / 50 for q in questions
    ]
    assert np.mean(recall) >= 0.95
    top_ivf, top_exact = vi.search(questions[0], 1)[0], exact.search(questions[0], 1)[0]
    assert top_ivf[0] == top_exact[0] and top_ivf[1] == pytest.approx(top_exact[1], abs=1e-5)  # exact cosines
    assert np.allclose(vi.reconstruct([1000, 1999]), vecs[[0, 999]])


def test_save_and_load_keep_the_kind_and_its_parameters(tmp_path: Path) -> None:
    vi, _, vecs = built(3000)
    path = tmp_path / "v.faiss"
    vi.save(path)
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["kind"] == "ivf" and manifest["index_type"] == "IndexIVFFlat"
    assert manifest["nlist"] == index.vectors.lists_for(3000) and manifest["nprobe"] == vi.nprobe
    assert manifest["trained_for"] == 3000 and manifest["count"] == 3000
    back = VectorIndex.load(path, DIM, "m")
    assert back.kind == "ivf" and back.nprobe == vi.nprobe and back.trained_for == 3000
    assert back._index.nprobe == vi.nprobe  # searched as it was built
    for q in clustered(np.random.default_rng(2), 5):
        assert back.search(q, 20) == vi.search(q, 20)
    assert sorted(back.ids().tolist()) == list(range(1000, 4000))


@pytest.mark.parametrize("loaded", [False, True], ids=["built", "loaded"])
def test_add_and_delete_after_building_the_ivf_index(tmp_path: Path, loaded: bool) -> None:
    vi, ids, vecs = built(3000)
    path = tmp_path / "v.faiss"
    if loaded:  # a loaded ivf index is memory-mapped and read-only until it changes
        vi.save(path)
        vi = VectorIndex.load(path, DIM, "m")
    gone = ids[:500]
    assert vi.delete(gone) == 500
    new_ids = np.arange(50_000, 50_100, dtype=np.int64)
    new_vecs = clustered(np.random.default_rng(3), 100)
    vi.append(new_ids, new_vecs)
    assert vi.count == 2600 and vi.kind == "ivf"
    for q in vecs[:500:25]:  # a deleted sentence is never found, even by its own vector
        assert not {i for i, _ in vi.search(q, 50)} & set(gone.tolist())
    for sid, v in zip(new_ids[::10], new_vecs[::10], strict=True):  # a new one is found by its vector
        assert vi.search(v, 1)[0] == (int(sid), pytest.approx(1.0, abs=1e-5))
    found, _, missing = vi.lookup([int(gone[0]), int(new_ids[0])])
    assert found == [int(new_ids[0])] and missing == [int(gone[0])]
    vi.save(path)
    back = VectorIndex.load(path, DIM, "m")
    assert back.count == 2600 and set(back.ids().tolist()) == (set(ids.tolist()) - set(gone.tolist())) | set(
        new_ids.tolist()
    )


def test_crossing_the_limit_switches_the_kind_when_saved(tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    rng = np.random.default_rng(4)
    vi = VectorIndex(DIM, "m")
    vi.append(np.arange(900), clustered(rng, 900))
    vi.save(path)
    assert vi.kind == "exact" and read_manifest(path)["kind"] == "exact"  # type: ignore[index]
    vi.append(np.arange(900, 1200), clustered(rng, 300))
    assert vi.kind == "exact"  # not in the middle of answering: at the next save
    vi.save(path)
    manifest = read_manifest(path) or {}
    assert vi.kind == "ivf" and manifest["kind"] == "ivf" and manifest["trained_for"] == 1200
    before = vi.search(clustered(rng, 1)[0], 5)
    assert VectorIndex.load(path, DIM, "m").search(clustered(np.random.default_rng(4), 1)[0], 0) == []
    assert len(before) == 5

    vi.append(np.arange(1200, 6000), clustered(rng, 4800))  # grown 5 times past its training: re-trained
    vi.save(path)
    assert (read_manifest(path) or {})["trained_for"] == 6000 and vi.trained_for == 6000
    assert vi.search(vi.reconstruct([5999])[0], 1)[0][0] == 5999

    vi.delete(np.arange(0, 5800))  # shrunk below half the limit: exact again
    vi.save(path)
    assert vi.kind == "exact" and (read_manifest(path) or {})["kind"] == "exact"
    assert sorted(VectorIndex.load(path, DIM, "m").ids().tolist()) == list(range(5800, 6000))


def test_a_forced_kind_holds_at_any_size(tmp_path: Path) -> None:
    small, _, _ = built(200, kind="ivf")
    assert small.kind == "ivf" and small.search(small.reconstruct([1000])[0], 1)[0][0] == 1000
    large, _, _ = built(1500, kind="exact")
    large.save(tmp_path / "v.faiss")
    assert large.kind == "exact" and (read_manifest(tmp_path / "v.faiss") or {})["kind"] == "exact"
    empty = VectorIndex(DIM, "m", "ivf")
    empty.save(tmp_path / "e.faiss")
    assert VectorIndex.load(tmp_path / "e.faiss", DIM, "m").search(np.ones(DIM, dtype=np.float32), 3) == []
    with pytest.raises(ConfigError, match="NEWSBOT_VECTOR_INDEX"):
        VectorIndex(DIM, "m", "hnsw")


def _edit_manifest(path: Path, **changes: object) -> None:
    manifest = json.loads(manifest_path(path).read_text())
    for k, v in changes.items():
        if v is None:
            manifest.pop(k, None)
        else:
            manifest[k] = v
    manifest_path(path).write_text(json.dumps(manifest))


def test_a_damaged_or_mismatched_manifest_of_an_ivf_index_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    vi, _, _ = built(2000)
    vi.save(path)
    _edit_manifest(path, kind="hnsw")
    with pytest.raises(IndexMismatchError, match="kind='hnsw'.*newsbot index --rebuild"):
        VectorIndex.load(path, DIM, "m")
    _edit_manifest(path, kind="exact")  # says exact, holds an IVF index
    with pytest.raises(IndexMismatchError, match="IndexIVFFlat, not IndexIDMap2.*rebuild"):
        VectorIndex.load(path, DIM, "m")
    _edit_manifest(path, kind="ivf", nprobe=None)
    with pytest.raises(IndexDamagedError, match="nprobe.*rebuild"):
        VectorIndex.load(path, DIM, "m")
    vi.save(path)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(IndexDamagedError, match="checksum"):
        VectorIndex.load(path, DIM, "m")
    vi.save(path)
    with pytest.raises(IndexMismatchError, match="model-b"):
        VectorIndex.load(path, DIM, "model-b")


def test_newsbot_vector_index_is_read_into_the_settings() -> None:
    assert Settings.from_env({}).vector_index == "auto"
    assert Settings.from_env({"NEWSBOT_VECTOR_INDEX": " IVF "}).vector_index == "ivf"
    assert Settings.from_env({"NEWSBOT_VECTOR_INDEX": "exact"}).vector_index == "exact"
    with pytest.raises(ConfigError, match="NEWSBOT_VECTOR_INDEX must be one of auto, exact, ivf"):
        Settings.from_env({"NEWSBOT_VECTOR_INDEX": "hnsw"})


def test_the_engine_answers_through_a_forced_ivf_index_and_keeps_it(tmp_path: Path) -> None:
    corpus = _seed_corpus(tmp_path)
    exact_settings = Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion")
    with Engine.open(exact_settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([corpus])
        want = engine.answer("How many people died in Derna?").hits[0].sentence
    assert (read_manifest(exact_settings.vectors_path) or {})["kind"] == "exact"
    ivf_settings = Settings.from_env({"NEWSBOT_VECTOR_INDEX": "ivf"}, data_dir=tmp_path / "data",
                                     progress=False, ranker="fusion")
    with Engine.open(ivf_settings, encoder=FakeEncoder()) as engine:  # the saved exact index is rebuilt as ivf
        assert engine.vectors.kind == "ivf"
        assert engine.answer("How many people died in Derna?").hits[0].sentence == want
    assert (read_manifest(ivf_settings.vectors_path) or {})["kind"] == "ivf"
    with Engine.open(ivf_settings, encoder=FakeEncoder()) as engine:
        assert engine.vectors.kind == "ivf" and engine.vectors._mapped  # loaded as saved, memory-mapped


def test_opening_an_index_that_matches_the_store_does_not_read_every_stored_vector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _seed_corpus(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion")
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([corpus])
        n = engine.vectors.count

    def every_vector(*args: object) -> None:  # 1.5 GB at a million sentences, for nothing
        raise AssertionError("read every stored vector to open an index that matches the store")

    monkeypatch.setattr(Store, "all_vectors", every_vector)
    with Engine.open(settings, encoder=FakeEncoder()) as engine:
        assert engine.vectors.count == n


def _seed_corpus(tmp_path: Path) -> Path:
    """Return a corpus folder holding the seed article."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "derna.txt").write_bytes(SEED.read_bytes())
    return corpus


# -- ivf8: 8-bit codes in the lists, candidates re-scored exactly from the full vectors (the store's) --------------


class FullVectors:
    """The exact_vectors hook over a dict of full vectors, as the store keeps them (ids it lacks left out)."""

    def __init__(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        self.table = {int(i): v for i, v in zip(ids, vecs, strict=True)}

    def __call__(self, ids: object) -> dict[int, np.ndarray]:
        return {int(i): self.table[int(i)] for i in ids if int(i) in self.table}  # type: ignore[attr-defined]


def built8(n: int, kind: str = "ivf8", seed: int = 0) -> tuple[VectorIndex, np.ndarray, np.ndarray, FullVectors]:
    """Return an index of n clustered vectors under ids 1000.. with a hook over their full vectors."""
    rng = np.random.default_rng(seed)
    vecs = clustered(rng, n)
    ids = np.arange(1000, 1000 + n, dtype=np.int64)
    full = FullVectors(ids, vecs)
    vi = VectorIndex(DIM, "m", kind, exact_vectors=full)
    vi.index(ids, vecs)
    return vi, ids, vecs, full


def test_ivf8_re_scores_its_candidates_exactly_and_finds_what_exact_search_finds() -> None:
    vi, ids, vecs, _ = built8(4000)
    exact = VectorIndex(DIM, "m", "exact")
    exact.index(ids, vecs)
    assert vi.kind == "ivf8" and 1 <= vi.nprobe < vi.manifest()["nlist"]  # type: ignore[operator]
    assert vi.manifest()["index_type"] == "IndexIVFScalarQuantizer"
    questions = clustered(np.random.default_rng(1), 60)
    recall = [len({i for i, _ in vi.search(q, 50)} & {i for i, _ in exact.search(q, 50)}) / 50 for q in questions]
    assert np.mean(recall) >= 0.98
    for q in questions[:10]:
        got = vi.search(q, 50)
        assert len(got) == 50 and [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        cosines = vecs[np.asarray([i for i, _ in got]) - 1000] @ q
        assert np.allclose([s for _, s in got], cosines, atol=1e-5)  # exact cosines, not the codes' guesses
    assert vi.search_many(questions[:3], 7) == [vi.search(q, 7) for q in questions[:3]]
    # lookup and reconstruct give the full vectors (the codes only approximate them)
    found, got_vecs, missing = vi.lookup([1000, 77, 1999])
    assert found == [1000, 1999] and missing == [77]
    assert np.array_equal(got_vecs, vecs[[0, 999]]) and np.array_equal(vi.reconstruct([1500]), vecs[[500]])


def test_ivf8_save_and_load_give_the_same_results(tmp_path: Path) -> None:
    vi, _, _, full = built8(3000)
    path = tmp_path / "v.faiss"
    vi.save(path)
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["kind"] == "ivf8" and manifest["index_type"] == "IndexIVFScalarQuantizer"
    assert manifest["nprobe"] == vi.nprobe and manifest["trained_for"] == 3000
    back = VectorIndex.load(path, DIM, "m", exact_vectors=full)
    assert back.kind == "ivf8" and back._mapped and back._index.nprobe == vi.nprobe  # memory-mapped, as built
    for q in clustered(np.random.default_rng(2), 5):
        assert back.search(q, 20) == vi.search(q, 20)
    assert sorted(back.ids().tolist()) == list(range(1000, 4000))
    _edit_manifest(path, kind="ivf")  # says ivf, holds codes
    with pytest.raises(IndexMismatchError, match="IndexIVFScalarQuantizer, not IndexIVFFlat.*rebuild"):
        VectorIndex.load(path, DIM, "m")


@pytest.mark.parametrize("loaded", [False, True], ids=["built", "loaded"])
def test_add_and_delete_in_an_ivf8_index(tmp_path: Path, loaded: bool) -> None:
    vi, ids, vecs, full = built8(3000)
    path = tmp_path / "v.faiss"
    if loaded:
        vi.save(path)
        vi = VectorIndex.load(path, DIM, "m", exact_vectors=full)
    gone = ids[:500]
    assert vi.delete(gone) == 500
    new_ids = np.arange(50_000, 50_100, dtype=np.int64)
    new_vecs = clustered(np.random.default_rng(3), 100)
    full.table.update(zip(new_ids.tolist(), new_vecs, strict=True))  # the store has them before the index
    vi.append(new_ids, new_vecs)
    assert vi.count == 2600 and vi.kind == "ivf8" and not vi._mapped
    for q in vecs[:500:25]:  # a deleted sentence is never found, even by its own vector (the store still has it)
        assert not {i for i, _ in vi.search(q, 50)} & set(gone.tolist())
    for sid, v in zip(new_ids[::10], new_vecs[::10], strict=True):  # a new one is found by its vector, exactly
        assert vi.search(v, 1)[0] == (int(sid), pytest.approx(1.0, abs=1e-5))
    found, _, missing = vi.lookup([int(gone[0]), int(new_ids[0])])
    assert found == [int(new_ids[0])] and missing == [int(gone[0])]
    vi.save(path)
    back = VectorIndex.load(path, DIM, "m", exact_vectors=full)
    assert back.count == 2600 and set(back.ids().tolist()) == (set(ids.tolist()) - set(gone.tolist())) | set(
        new_ids.tolist()
    )


def test_auto_picks_ivf8_above_its_limit_and_keeps_it_until_half(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = index.vectors.IVF8_LIMIT
    assert limit > index.vectors.EXACT_LIMIT  # LIMIT here; 25,000 < 200,000 in newsbot
    assert index.vectors.kind_for(limit, "auto") == "ivf8"
    assert index.vectors.kind_for(limit - 1, "auto") == "ivf"
    assert index.vectors.kind_for(limit // 2, "auto", "ivf8") == "ivf8"  # no flip-flop near the limit
    assert index.vectors.kind_for(limit // 2 - 1, "auto", "ivf8") == "ivf"
    assert index.vectors.kind_for(LIMIT // 2, "auto", "ivf8") == "ivf"
    assert index.vectors.kind_for(10, "ivf8") == "ivf8"  # forced: any size
    monkeypatch.setattr(index.vectors, "IVF8_LIMIT", 3000)
    vi, ids, vecs, full = built8(2500, kind="auto")
    assert vi.kind == "ivf"
    more = clustered(np.random.default_rng(5), 1000)
    full.table.update(zip(range(9000, 10_000), more, strict=True))
    vi.append(np.arange(9000, 10_000), more)
    vi.save(tmp_path / "v.faiss")  # crossed the limit: ivf8 from this save on
    assert vi.kind == "ivf8" and (read_manifest(tmp_path / "v.faiss") or {})["kind"] == "ivf8"
    assert vi.search(more[0], 1)[0] == (9000, pytest.approx(1.0, abs=1e-5))
    vi.delete(np.arange(1000, 3500))  # 1,000 left: below half its limit, ivf again, from the full vectors
    vi.save(tmp_path / "v.faiss")
    assert vi.kind == "ivf" and np.array_equal(vi.reconstruct([9000]), more[[0]])


def test_the_engine_answers_through_a_forced_ivf8_index_as_through_exact(tmp_path: Path) -> None:
    corpus = _seed_corpus(tmp_path)
    question = "How far is Crete from Derna?"
    exact_settings = Settings(data_dir=tmp_path / "data", progress=False, ranker="fusion")
    with Engine.open(exact_settings, encoder=FakeEncoder()) as engine:
        engine.index_paths([corpus])
        want = engine.answer(question).hits[0]
    assert Settings.from_env({"NEWSBOT_VECTOR_INDEX": "ivf8"}).vector_index == "ivf8"
    ivf8_settings = Settings.from_env({"NEWSBOT_VECTOR_INDEX": "ivf8"}, data_dir=tmp_path / "data",
                                      progress=False, ranker="fusion")
    with Engine.open(ivf8_settings, encoder=FakeEncoder()) as engine:  # the saved exact index is rebuilt as ivf8
        assert engine.vectors.kind == "ivf8"
        got = engine.answer(question).hits[0]
        assert got.sentence == want.sentence and got.score == pytest.approx(want.score, abs=1e-5)
    assert (read_manifest(ivf8_settings.vectors_path) or {})["kind"] == "ivf8"
    with Engine.open(ivf8_settings, encoder=FakeEncoder()) as engine:  # loaded memory-mapped, the store's hook set
        assert engine.vectors.kind == "ivf8" and engine.vectors._mapped
        ids, stored = engine.store.all_vectors(engine.vectors.dimension)
        assert np.array_equal(engine.vectors.lookup(ids.tolist())[1], stored)  # full vectors, not the codes
        assert engine.answer(question).hits[0].sentence == want.sentence
        with Engine.open(ivf8_settings, encoder=FakeEncoder()) as other:  # another process indexes and saves
            other.add_document("crete.txt", b"Crete lies in the Mediterranean Sea, south of mainland Greece.")
        held = engine.vectors
        assert engine.refresh() and engine.vectors is not held  # swapped in, with the store's vectors as its hook
        ids, stored = engine.store.all_vectors(engine.vectors.dimension)
        assert engine.vectors.kind == "ivf8" and np.array_equal(engine.vectors.lookup(ids.tolist())[1], stored)


# -- one contract, every kind ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["exact", "ivf", "ivf8"])
def test_every_kind_keeps_the_same_contract(tmp_path: Path, kind: str) -> None:
    """What callers rely on, whatever the kind: the ids held, delete and append by id, the full vector back, the
    nearest first with exact cosines, save and load giving the same results, a vector of another size refused."""
    vi, ids, vecs, full = built8(1500, kind=kind)
    assert vi.kind == kind and sorted(vi.ids().tolist()) == ids.tolist()
    q = vecs[10]
    first, score = vi.search(q, 5)[0]
    assert first == 1010 and score == pytest.approx(1.0, abs=1e-5)
    assert vi.delete([1010, 77]) == 1 and 1010 not in vi.ids().tolist()
    assert all(i != 1010 for i, _ in vi.search(q, 20))
    extra = clustered(np.random.default_rng(5), 1)
    full.table[5000] = extra[0]
    vi.append([5000], extra)
    assert vi.search(extra[0], 1)[0][0] == 5000
    assert np.allclose(vi.reconstruct([1500]), vecs[[500]], atol=1e-6)
    got = vi.search(vecs[700], 10)
    assert np.allclose([s for _, s in got], np.array([full.table[i] for i, _ in got]) @ vecs[700], atol=1e-5)
    path = tmp_path / "v.faiss"
    vi.save(path)
    back = VectorIndex.load(path, DIM, "m", exact_vectors=full)
    assert back.kind == kind and sorted(back.ids().tolist()) == sorted(vi.ids().tolist())
    for question in clustered(np.random.default_rng(6), 5):
        assert back.search(question, 10) == vi.search(question, 10)
    with pytest.raises(ValueError):
        back.append([6000], np.ones((1, DIM + 1), dtype=np.float32))
