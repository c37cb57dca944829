"""Gradient-boosted trees read from LightGBM's text model format and evaluated with numpy alone, so that
answering a question imports neither lightgbm nor scipy (training still uses lightgbm).

The decisions are LightGBM's own (`include/LightGBM/tree.h`, `Tree::NumericalDecision`, and the zeroing of tiny
inputs in `src/c_api.cpp`): an input within kZeroThreshold of zero is zero; a split whose missing type is not NaN
reads NaN as zero; a missing value (zero for missing type Zero, NaN for type NaN) goes to the default side;
anything else goes left when it is <= the threshold (a double, as written in the file). The score is the raw
sum of the leaf values, tree by tree (their shrinkage is already in them): what lambdarank's predict returns.
Categorical splits and linear trees are not read: a model with them is refused, to be retrained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import RankerError

# LightGBM's kZeroThreshold is the float literal 1e-35f, compared as a double.
ZERO_THRESHOLD = float(np.float32(1e-35))
_CATEGORICAL, _DEFAULT_LEFT = 1, 2
_MISSING_ZERO, _MISSING_NAN = 1, 2
RETRAIN = "retrain: make train-ranker"
# Rows walked through the trees at once: every (tree, row) pair is a few machine words in each step's arrays, so a
# batch of questions' shortlists (hundreds of rows, times 300 trees) is walked in blocks of this many rows, which
# keeps the walk vectorised and its memory to a few MB (a row's score does not depend on the other rows).
PREDICT_ROWS = 128


@dataclass(frozen=True)
class _Tree:
    """One tree as the file gives it: internal nodes 0..num_leaves-2, a child ~i is leaf i."""

    feature: np.ndarray
    threshold: np.ndarray
    decision: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_value: np.ndarray
    depth: int  # decisions on the longest path from the root to a leaf


def _depth(left: list[int], right: list[int]) -> int:
    """Return the number of decisions on the longest path from the root; raise ValueError when a node is
    reached twice (then it is not a tree, and a walk could loop)."""
    if not left:
        return 0
    depth, level, seen = 0, [0], 0
    while level:
        depth += 1
        seen += len(level)
        if seen > len(left):
            raise ValueError("a node is reached twice")
        level = [c for n in level for c in (left[n], right[n]) if c >= 0]
    return depth


class TreeEnsemble:
    """A LightGBM model (one score per row: regression or ranking), packed into flat arrays so that every
    (row, tree) pair walks down together, one depth level per step."""

    def __init__(self, names: list[str], trees: list[_Tree], objective: str = "", version: str = "") -> None:
        self.names = names
        self.objective = objective
        self.version = version
        self.n_trees = len(trees)
        # Nodes of every tree, then every leaf as a node whose two children are itself, so that a pair on a
        # leaf stays there while the others walk on. The walk's state is twice the node (z = 2 * node): z + 1
        # when going right indexes the node's child in `_z_child`; the other tables repeat each node's entry.
        counts = np.array([len(t.feature) for t in trees], dtype=np.intp)
        n_leaves = np.array([len(t.leaf_value) for t in trees], dtype=np.intp)
        n_nodes = int(counts.sum())
        node_at = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
        leaf_at = n_nodes + np.concatenate([[0], np.cumsum(n_leaves)[:-1]]).astype(np.intp)
        nodes_of = np.repeat(node_at, counts)  # for each node, where its tree's nodes and leaves begin
        leaves_of = np.repeat(leaf_at, counts)
        empty = np.zeros(0, dtype=np.intp)
        feature = np.concatenate([empty, *(t.feature for t in trees)])
        threshold = np.concatenate([np.zeros(0), *(t.threshold for t in trees)])
        decision = np.concatenate([empty, *(t.decision for t in trees)])
        left = np.concatenate([empty, *(t.left for t in trees)])
        right = np.concatenate([empty, *(t.right for t in trees)])
        leaves = np.arange(n_nodes, n_nodes + int(n_leaves.sum()), dtype=np.intp)
        children = np.concatenate(
            [
                np.stack([np.where(c >= 0, nodes_of + c, leaves_of + ~c) for c in (left, right)], axis=1),
                np.stack([leaves, leaves], axis=1),
            ]
        )  # [left, right] of every node, then of every leaf: itself
        pad = np.zeros(len(leaves), dtype=np.intp)
        feature, decision = np.concatenate([feature, pad]), np.concatenate([decision, pad])
        threshold = np.concatenate([threshold, np.zeros(len(leaves))])
        self._value = np.concatenate([np.zeros(n_nodes), *(t.leaf_value for t in trees)])
        self._roots = np.where(counts > 0, node_at, leaf_at)
        missing = (decision >> 2) & 3
        self._z_feature = np.repeat(feature, 2)
        self._z_threshold = np.repeat(threshold, 2)
        self._z_child = 2 * children.ravel()
        self._z_missing_zero = np.repeat(missing == _MISSING_ZERO, 2)
        self._z_missing_nan = np.repeat(missing == _MISSING_NAN, 2)
        self._z_default_right = np.repeat((decision & _DEFAULT_LEFT) == 0, 2)
        self._z_first_leaf = 2 * n_nodes
        self._any_missing = bool(self._z_missing_zero.any() or self._z_missing_nan.any())
        self.depth = max((t.depth for t in trees), default=0)
        self._starts: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def from_file(cls, path: Path | str) -> TreeEnsemble:
        """Return the model saved at `path` (LightGBM's text format); raise RankerError when it cannot be read."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise RankerError(f"cannot read the ranker model {path} ({e.strerror}); {RETRAIN}") from None
        except UnicodeDecodeError:
            raise RankerError(f"the ranker model {path} is not a LightGBM text model; {RETRAIN}") from None
        try:
            return cls.from_text(text)
        except RankerError as e:
            raise RankerError(f"the ranker model {path}: {e}") from None

    @classmethod
    def from_text(cls, text: str) -> TreeEnsemble:
        """Return the model in `text` (LightGBM's text format); raise RankerError when it is malformed,
        truncated, or uses what this reader does not (categorical splits, linear trees, several classes)."""
        lines = text.splitlines()
        if not lines or lines[0].strip() != "tree":
            raise RankerError(f"not a LightGBM text model (no 'tree' header); {RETRAIN}")
        if "end of trees" not in text:
            raise RankerError(f"the model is truncated (no 'end of trees'); {RETRAIN}")
        header: dict[str, str] = {}
        blocks: list[dict[str, str]] = []
        for line in lines[1:]:
            line = line.strip()
            if line == "end of trees":
                break
            if not line:
                continue
            key, eq, value = line.partition("=")
            if not eq and line != "average_output":  # the one header line that is a bare word
                raise RankerError(f"the model has a line that is not key=value ({line[:60]!r}); {RETRAIN}")
            if key == "Tree":
                blocks.append({})
            elif blocks:
                blocks[-1][key] = value
            else:
                header[key] = value
        for key in ("version", "objective", "feature_names"):
            if key not in header:
                raise RankerError(f"the model's header has no {key}=; {RETRAIN}")
        if header.get("num_class", "1") != "1" or header.get("num_tree_per_iteration", "1") != "1":
            raise RankerError(f"the model has several classes; this reader scores one; {RETRAIN}")
        if "average_output" in header:
            raise RankerError(f"the model averages its trees (random forest); this reader sums them; {RETRAIN}")
        names = header["feature_names"].split()
        if not blocks:
            raise RankerError(f"the model has no trees; {RETRAIN}")
        sizes = header.get("tree_sizes", "").split()
        if sizes and len(sizes) != len(blocks):
            raise RankerError(f"the model names {len(sizes)} trees and holds {len(blocks)}; {RETRAIN}")
        trees = [_parse_tree(k, b, len(names)) for k, b in enumerate(blocks)]
        return cls(names, trees, objective=header["objective"], version=header["version"])

    def feature_names(self) -> list[str]:
        """Return the names of the features the model reads, in column order."""
        return list(self.names)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return the raw score of each row of X (rows x features): the sum of its leaf values over the trees."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.names):
            raise ValueError(f"expected rows of {len(self.names)} features, got shape {X.shape}")
        rows = len(X)
        if not rows:
            return np.zeros(0)
        if rows <= PREDICT_ROWS:
            return self._walk(X)
        # in even blocks: none of one row, whose sum over the trees numpy makes pairwise
        return np.concatenate([self._walk(b) for b in np.array_split(X, -(-rows // PREDICT_ROWS))])

    def _walk(self, X: np.ndarray) -> np.ndarray:
        """Return `predict` of at most PREDICT_ROWS rows, checked (float64, rows x features, some rows)."""
        X = np.ascontiguousarray(X)
        rows, cols = X.shape
        nan = np.isnan(X)
        tiny = np.abs(X) <= ZERO_THRESHOLD  # LightGBM drops such inputs: they read as zero
        # NaN reads as zero too, unless the split's missing type is NaN (then `nan` says where it was)
        plain = np.where(nan | tiny, 0.0, X).ravel() if nan.any() or tiny.any() else X.ravel()
        nan_flat = nan.ravel()
        # One (tree, row) pair per element, tree-major. Every step takes each pair one level down; once half
        # or more have reached a leaf, those are set aside (`leaf_z`) and the rest walk on (`pair`: where).
        z, offset = self._start(rows, cols)
        pair: np.ndarray | None = None
        leaf_z = np.empty(len(z), dtype=np.intp)
        for _ in range(self.depth):
            if not len(z):
                break
            at = offset + self._z_feature[z]
            x = plain[at]
            go_right = x > self._z_threshold[z]
            if self._any_missing:
                missing = (self._z_missing_zero[z] & (x == 0.0)) | (self._z_missing_nan[z] & nan_flat[at])
                go_right = np.where(missing, self._z_default_right[z], go_right)
            z = self._z_child[z + go_right]
            walking = z < self._z_first_leaf
            if 2 * np.count_nonzero(walking) <= len(z):
                live = np.flatnonzero(walking)
                if pair is None:
                    leaf_z[:] = z
                    pair = live
                else:
                    leaf_z[pair] = z
                    pair = pair[live]
                z, offset = z[live], offset[live]
        if pair is None:
            leaf_z[:] = z
        else:
            leaf_z[pair] = z
        # summed over axis 0: tree after tree in file order, as LightGBM adds them up (no pairwise summation)
        return self._value[leaf_z >> 1].reshape(self.n_trees, rows).sum(axis=0)

    def _start(self, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """Return each (tree, row) pair's root (doubled) and the offset of its row in the flattened X (kept for
        a few shapes: at most PREDICT_ROWS rows each, so a few MB in all)."""
        start = self._starts.get((rows, cols))
        if start is None:  # made once per shape (the arrays are only read), a few shapes kept
            start = (
                np.repeat(2 * self._roots, rows),
                np.tile(np.arange(rows, dtype=np.intp) * cols, self.n_trees),
            )
            if len(self._starts) < 8:
                self._starts[(rows, cols)] = start
        return start


def _parse_tree(k: int, block: dict[str, str], n_features: int) -> _Tree:
    """Return tree `k` from its key=value block; raise RankerError when it is malformed or unsupported."""
    where = f"tree {k}"
    try:
        num_leaves = int(block["num_leaves"])
        if int(block.get("num_cat", "0")) > 0:
            raise RankerError(f"{where} has categorical splits, which newsbot does not read; {RETRAIN}")
        if block.get("is_linear", "0") != "0":
            raise RankerError(f"{where} is a linear tree, which newsbot does not read; {RETRAIN}")
        if num_leaves < 1:
            raise ValueError(f"num_leaves={num_leaves}")
        leaf_value = [float(v) for v in block["leaf_value"].split()]
        if num_leaves == 1:  # a constant: no split arrays
            feature, decision, left, right = [], [], [], []
            threshold: list[float] = []
        else:
            feature = [int(v) for v in block["split_feature"].split()]
            threshold = [float(v) for v in block["threshold"].split()]  # %.17g in the file: the same doubles
            decision = [int(v) for v in block["decision_type"].split()]
            left = [int(v) for v in block["left_child"].split()]
            right = [int(v) for v in block["right_child"].split()]
    except KeyError as e:
        raise RankerError(f"{where} has no {e.args[0]}=; {RETRAIN}") from None
    except ValueError as e:
        raise RankerError(f"{where} has a value that is not a number ({e}); {RETRAIN}") from None
    m = num_leaves - 1
    if any(len(a) != m for a in (feature, threshold, decision, left, right)) or len(leaf_value) != num_leaves:
        raise RankerError(f"{where} has arrays that do not fit its {num_leaves} leaves; {RETRAIN}")
    if any(d & _CATEGORICAL for d in decision):
        raise RankerError(f"{where} has categorical splits, which newsbot does not read; {RETRAIN}")
    if any(not 0 <= f < n_features for f in feature):
        raise RankerError(f"{where} splits on a feature the model does not name; {RETRAIN}")
    if any(not -num_leaves <= c < m for c in (*left, *right)):
        raise RankerError(f"{where} has a child outside the tree; {RETRAIN}")
    try:
        depth = _depth(left, right)
    except ValueError:
        raise RankerError(f"{where} is not a tree (a node is reached twice); {RETRAIN}") from None
    ints = np.intp
    return _Tree(
        np.array(feature, dtype=ints),
        np.array(threshold, dtype=np.float64),
        np.array(decision, dtype=ints),
        np.array(left, dtype=ints),
        np.array(right, dtype=ints),
        np.array(leaf_value, dtype=np.float64),
        depth,
    )
