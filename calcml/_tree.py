"""Parameter trees: nested dicts, lists and tuples of arrays, as JAX users write them.

A model's parameters are rarely one vector: ``{"W1": W1, "b1": b1, "W2": W2, "b2": b2}`` or a
list of ``(W, b)`` pairs reads like the model. Every public function that takes parameters
(:func:`calcml.grad` and its family, :func:`calcml.minimize`, the optimizers, the models)
accepts such a *tree* and returns gradients and updates of the same structure. This module is
the one place that knows what a tree is:

- a *node* is a ``dict``, a ``list`` or a ``tuple`` (named tuples included), holding trees;
- a *leaf* is anything else that holds real numbers: a Python number, a numpy array, or a
  traced value of :mod:`calcml.autodiff`.

``flatten`` lists the leaves in a fixed order (dict keys in insertion order) with a
:class:`TreeDef` to rebuild the structure; ``ravel`` goes one step further and packs every
leaf into one float vector, which is what a method working on ``R^n`` (BFGS, Newton, a
numerical gradient) needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from calcml._validation import as_float_array

__all__ = ["TreeDef", "flatten", "leaf_paths", "map_leaves", "ravel", "unflatten"]

Array = NDArray[np.float64]

#: Leaves that are plainly numbers; anything else must say it holds numbers (``.value``).
_NUMERIC_LEAVES = (int, float, np.number, np.ndarray)


@dataclass(frozen=True)
class TreeDef:
    """The shape of a tree without its leaves: enough to put leaves back where they were.

    ``node`` is the container type (``None`` for a leaf), ``keys`` the dict keys in order,
    and ``children`` the sub-trees' definitions.
    """

    node: type | None
    keys: tuple[Any, ...]
    children: tuple[TreeDef, ...]

    @property
    def n_leaves(self) -> int:
        """How many leaves the tree holds."""
        return 1 if self.node is None else sum(child.n_leaves for child in self.children)

    def __str__(self) -> str:
        if self.node is None:
            return "*"
        if issubclass(self.node, dict):
            inner = [
                f"{key!r}: {child}" for key, child in zip(self.keys, self.children, strict=True)
            ]
            return "{" + ", ".join(inner) + "}"
        inner = [str(child) for child in self.children]
        return ("[{}]" if issubclass(self.node, list) else "({})").format(", ".join(inner))


_LEAF = TreeDef(None, (), ())


def _is_leaf_value(item: Any) -> bool:
    # bool is an int to Python but not a parameter: refusing it catches a flag passed by mistake.
    if isinstance(item, bool | np.bool_):
        return False
    return isinstance(item, _NUMERIC_LEAVES) or hasattr(item, "value")


def _children(tree: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """``(keys, children)`` of a node, or None if ``tree`` is not a node."""
    if isinstance(tree, dict):
        return tuple(tree), tuple(tree.values())
    if isinstance(tree, list | tuple):
        return (), tuple(tree)
    return None


def _labels(keys: tuple[Any, ...], count: int) -> list[str]:
    """How a path names each child: ``['W']`` for a dict entry, ``[0]`` for a list item."""
    return [f"[{key!r}]" for key in keys] if keys else [f"[{i}]" for i in range(count)]


def _rebuild(node: type, keys: tuple[Any, ...], children: list[Any]) -> Any:
    if issubclass(node, dict):
        return node(zip(keys, children, strict=True))
    if issubclass(node, tuple) and hasattr(node, "_fields"):  # a named tuple
        return node(*children)
    return node(children)  # type: ignore[call-arg]


def _walk(node: Any, path: str, leaves: list[Any]) -> TreeDef:
    """The structure of ``node``, appending its leaves to ``leaves`` (see :func:`flatten`).

    A module-level function rather than a closure that calls itself: such a closure is a
    reference cycle, garbage left for the collector on every call.
    """
    parts = _children(node)
    if parts is None:
        if not _is_leaf_value(node) and not _is_nested_numbers(node):
            raise TypeError(
                f"{path} is {type(node).__name__} {node!r:.60}, which holds no numbers: a "
                "parameter tree holds arrays or numbers in nested dicts, lists and tuples"
            )
        leaves.append(node)
        return _LEAF
    keys, children = parts
    if isinstance(node, list | tuple) and _is_nested_numbers(node):
        # [[1.0, 2.0]] is one array written as lists, as numpy reads it, not a tree.
        leaves.append(node)
        return _LEAF
    labels = _labels(keys, len(children))
    defs = tuple(
        _walk(child, path + label, leaves) for child, label in zip(children, labels, strict=True)
    )
    return TreeDef(type(node), keys, defs)


def flatten(tree: Any, name: str = "params") -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` in order, and its structure.

    Parameters
    ----------
    tree : dict, list, tuple, array or number
        Nested containers of arrays; a lone array or number is a tree with one leaf.
    name : str, default "params"
        How error messages name the tree.

    Returns
    -------
    leaves : list
        The leaves, depth first, dict entries in insertion order.
    treedef : TreeDef
        What :func:`unflatten` needs to rebuild the tree.

    Raises
    ------
    TypeError
        If a leaf holds no numbers (a string, ``None``, a bool, an object); the message gives
        the leaf's path, e.g. ``params['layers'][1]['b']``.

    Examples
    --------
    >>> leaves, treedef = flatten({"W": [[1.0, 2.0]], "b": 0.5})
    >>> leaves
    [[[1.0, 2.0]], 0.5]
    >>> print(treedef)
    {'W': *, 'b': *}
    """
    leaves: list[Any] = []
    return leaves, _walk(tree, name, leaves)


def _is_nested_numbers(item: Any) -> bool:
    """A (nested) list or tuple of plain numbers: numpy reads it as one array."""
    if isinstance(item, list | tuple) and not hasattr(item, "_fields"):
        return len(item) > 0 and all(_is_nested_numbers(part) for part in item)
    return isinstance(item, int | float | np.number) and not isinstance(item, bool | np.bool_)


def _build(definition: TreeDef, remaining: Iterator[Any]) -> Any:
    """The tree ``definition`` describes, its leaves taken in order from ``remaining``."""
    if definition.node is None:
        return next(remaining)
    children = [_build(child, remaining) for child in definition.children]
    return _rebuild(definition.node, definition.keys, children)


def unflatten(treedef: TreeDef, leaves: Sequence[Any]) -> Any:
    """Put ``leaves`` back into the structure ``treedef`` describes (inverse of :func:`flatten`).

    Raises
    ------
    ValueError
        If the number of leaves does not match the structure.

    Examples
    --------
    >>> leaves, treedef = flatten({"W": 1.0, "layers": [np.zeros(2), np.ones(3)]})
    >>> unflatten(treedef, [10.0, 20.0, 30.0])
    {'W': 10.0, 'layers': [20.0, 30.0]}
    """
    if len(leaves) != treedef.n_leaves:
        raise ValueError(f"the tree {treedef} holds {treedef.n_leaves} leaves, got {len(leaves)}")
    return _build(treedef, iter(leaves))


def _paths(definition: TreeDef, path: str, paths: list[str]) -> None:
    """Append the path of every leaf under ``definition`` to ``paths``."""
    if definition.node is None:
        paths.append(path)
        return
    labels = _labels(definition.keys, len(definition.children))
    for child, label in zip(definition.children, labels, strict=True):
        _paths(child, path + label, paths)


def leaf_paths(tree: Any, name: str = "params") -> list[str]:
    """The path of every leaf, in :func:`flatten`'s order, for messages and labels.

    Examples
    --------
    >>> leaf_paths({"W": [[1.0]], "layers": [0.0, {"b": 1.0}]})
    ["params['W']", "params['layers'][0]", "params['layers'][1]['b']"]
    """
    _, treedef = flatten(tree, name)
    paths: list[str] = []
    _paths(treedef, name, paths)
    return paths


def map_leaves(function: Callable[..., Any], tree: Any, *others: Any) -> Any:
    """Apply ``function`` leaf by leaf to ``tree`` and trees of the same structure.

    Raises
    ------
    ValueError
        If the trees differ in structure; the message shows both.

    Examples
    --------
    >>> map_leaves(lambda p, g: p - 0.1 * g, {"w": 1.0}, {"w": 2.0})
    {'w': 0.8}
    """
    leaves, treedef = flatten(tree)
    columns = [leaves]
    for i, other in enumerate(others, start=1):
        other_leaves, other_def = flatten(other, f"tree {i}")
        if other_def != treedef:
            raise ValueError(
                f"map_leaves needs trees of one structure, got {treedef} and {other_def}"
            )
        columns.append(other_leaves)
    return unflatten(treedef, [function(*row) for row in zip(*columns, strict=True)])


def ravel(tree: Any, name: str = "params") -> tuple[Array, Callable[[Array], Any]]:
    """Every leaf of ``tree`` packed into one float vector, and the function that unpacks it.

    Parameters
    ----------
    tree : dict, list, tuple, array or number
        The parameters.
    name : str, default "params"
        How error messages name the tree.

    Returns
    -------
    vector : ndarray
        The leaves' entries, leaf after leaf, each in C order, as float64.
    unravel : callable
        ``unravel(vector)`` rebuilds a tree of ``tree``'s structure and leaf shapes (a number
        becomes a 0-d array).

    Raises
    ------
    TypeError
        As :func:`flatten`, or if a leaf is not real numbers.
    ValueError
        If a leaf holds NaN or infinity.

    Examples
    --------
    >>> vector, unravel = ravel({"W": np.ones((2, 2)), "b": np.zeros(2)})
    >>> vector
    array([1., 1., 1., 1., 0., 0.])
    >>> unravel(vector * 2)["W"]
    array([[2., 2.],
           [2., 2.]])
    """
    leaves, treedef = flatten(tree, name)
    paths = leaf_paths(tree, name)
    arrays = [as_float_array(leaf, path) for leaf, path in zip(leaves, paths, strict=True)]
    shapes = [array.shape for array in arrays]
    ends = np.cumsum([array.size for array in arrays])
    vector = np.concatenate([array.ravel() for array in arrays]) if arrays else np.zeros(0)

    def unravel(flat: Array) -> Any:
        if flat.shape != vector.shape:
            raise ValueError(f"unravel needs a vector of shape {vector.shape}, got {flat.shape}")
        parts = np.split(flat, ends[:-1])
        return unflatten(
            treedef, [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]
        )

    return vector, unravel
