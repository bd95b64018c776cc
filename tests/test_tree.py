"""Tests for calcml._tree: parameter trees round-trip, and bad leaves are named by path."""

from __future__ import annotations

import gc
import re
from collections import namedtuple
from typing import Any

import numpy as np
import pytest

from calcml._tree import flatten, leaf_paths, map_leaves, ravel, unflatten

Layer = namedtuple("Layer", ["W", "b"])

TREES: dict[str, Any] = {
    "array": np.arange(6.0).reshape(2, 3),
    "number": 2.5,
    "list of numbers is one array": [1.0, 2.0, 3.0],
    "dict": {"W": np.ones((2, 3)), "b": np.zeros(3)},
    "list of pairs": [(np.ones((2, 2)), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))],
    "named tuples in a dict": {"layers": [Layer(np.eye(2), np.ones(2))], "scale": 1.0},
}


@pytest.mark.parametrize("tree", TREES.values(), ids=TREES.keys())
def test_flatten_then_unflatten_rebuilds_the_tree(tree: Any) -> None:
    leaves, treedef = flatten(tree)
    rebuilt = unflatten(treedef, leaves)
    assert type(rebuilt) is type(tree)
    assert flatten(rebuilt)[1] == treedef
    for a, b in zip(flatten(rebuilt)[0], leaves, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("tree", TREES.values(), ids=TREES.keys())
def test_ravel_packs_every_entry_once_and_unravel_inverts_it(tree: Any) -> None:
    vector, unravel = ravel(tree)
    leaves = flatten(tree)[0]
    assert vector.size == sum(np.size(leaf) for leaf in leaves)
    again, _ = ravel(unravel(vector))
    np.testing.assert_array_equal(again, vector)


@pytest.mark.parametrize(
    ("tree", "path"),
    [
        ({"W": np.ones(2), "b": None}, "params['b']"),
        ({"layers": [np.ones(2), {"b": "zero"}]}, "params['layers'][1]['b']"),
        ([np.ones(2), True], "params[1]"),
        ((np.ones(2), object()), "params[1]"),
    ],
)
def test_a_leaf_without_numbers_is_named_by_its_path(tree: Any, path: str) -> None:
    with pytest.raises(TypeError, match=re.escape(path)):
        flatten(tree)


def test_leaf_paths_follow_flatten_order() -> None:
    tree = {"b": 0.0, "W": [np.ones(2), np.ones(3)]}
    assert leaf_paths(tree) == ["params['b']", "params['W'][0]", "params['W'][1]"]


def test_map_leaves_refuses_trees_of_different_structure() -> None:
    with pytest.raises(ValueError, match="one structure"):
        map_leaves(lambda a, b: a + b, {"w": 1.0}, {"v": 1.0})


def test_unravel_refuses_a_vector_of_the_wrong_size() -> None:
    _, unravel = ravel({"w": np.ones(3)})
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        unravel(np.ones(4))


def test_ravel_names_a_non_finite_leaf() -> None:
    with pytest.raises(ValueError, match=r"params\['w'\] must be finite"):
        ravel({"w": np.array([1.0, np.nan])})


def test_tree_operations_leave_no_garbage_for_the_collector() -> None:
    # Every gradient of a dict of parameters flattens and rebuilds a tree: a reference cycle
    # per call would leave garbage behind on every training step.
    tree = {"W": np.ones((2, 2)), "layers": [np.zeros(2), (1.0, np.ones(1))]}
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            leaves, treedef = flatten(tree)
            unflatten(treedef, leaves)
            leaf_paths(tree)
            ravel(tree)[1](ravel(tree)[0])
        assert gc.collect() == 0
    finally:
        gc.enable()
