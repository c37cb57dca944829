"""Contract tests of the FAISS vector index: results equal exact brute force; saving is atomic and
self-describing; a mismatch refuses to load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexMismatchError
from index.vectors import VectorIndex, manifest_path


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("n", [1, 10, 500])
def test_search_equals_brute_force(n: int) -> None:
    rng = np.random.default_rng(n)
    vecs = _unit(rng, n, 32)
    ids = rng.choice(10_000, size=n, replace=False)
    vi = VectorIndex(32, "m")
    vi.index(ids, vecs)
    for q in _unit(rng, 5, 32):
        got = vi.search(q, 7)
        exact = vecs @ q
        order = np.argsort(-exact)[:7]
        assert [i for i, _ in got] == [int(ids[j]) for j in order]
        assert np.allclose([s for _, s in got], exact[order], atol=1e-5)


def test_delete_and_append_keep_ids() -> None:
    vi = VectorIndex(4, "m")
    vi.append([10, 20, 30], np.eye(4, dtype=np.float32)[:3])
    assert vi.delete([20]) == 1
    assert sorted(vi.ids().tolist()) == [10, 30]
    assert vi.search(np.eye(4, dtype=np.float32)[1], 5)[0][1] == pytest.approx(0.0)
    vi.append([40], np.eye(4, dtype=np.float32)[1:2])
    assert vi.search(np.eye(4, dtype=np.float32)[1], 1) == [(40, pytest.approx(1.0))]
    assert np.allclose(vi.reconstruct([30]), np.eye(4)[2])


def test_save_load_roundtrip_with_manifest(tmp_path: Path) -> None:
    vi = VectorIndex(4, "model-a")
    vi.append([1, 2], np.eye(4, dtype=np.float32)[:2])
    path = tmp_path / "v.faiss"
    vi.save(path)
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["model"] == "model-a" and manifest["dimension"] == 4 and manifest["count"] == 2
    assert manifest["metric"] == "inner_product" and manifest["format_version"] == 1 and manifest["built_at"]
    assert not list(tmp_path.glob("*.tmp")), "no temporary file is left behind"
    back = VectorIndex.load(path, 4, "model-a")
    assert sorted(back.ids().tolist()) == [1, 2]
    assert back.search(np.eye(4, dtype=np.float32)[1], 1)[0][0] == 2


def test_mismatched_model_refuses_to_load(tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    VectorIndex(4, "model-a").save(path)
    with pytest.raises(IndexMismatchError, match="newsbot index --rebuild"):
        VectorIndex.load(path, 4, "model-b")
    with pytest.raises(IndexMismatchError, match="dimension"):
        VectorIndex.load(path, 8, "model-a")


def test_unreadable_index_file_refuses_with_rebuild_hint(tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    VectorIndex(4, "m").save(path)
    path.write_bytes(b"garbage")
    with pytest.raises(IndexMismatchError, match="rebuild"):
        VectorIndex.load(path, 4, "m")


def test_wrong_dimension_vectors_are_rejected() -> None:
    with pytest.raises(ValueError):
        VectorIndex(4, "m").append([1], np.ones((1, 3), dtype=np.float32))
