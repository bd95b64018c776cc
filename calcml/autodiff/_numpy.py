"""numpy's functions on traced values: each is a rule of :mod:`calcml.autodiff.rules` or a
composition of supported operations (whose derivative then needs no rule of its own).

:data:`FUNCTIONS` maps a numpy function to its implementation here; the implementation takes
numpy's own arguments, by name. Integer-valued functions (``argmax``, ``argsort``, ``round``)
are in :data:`CONSTANT_FUNCTIONS`: they are computed on the numbers, and their derivative is 0
wherever it exists (they are piecewise constant), so the plain result is exact.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from calcml.autodiff import _rules, rules
from calcml.autodiff._rules import UnsupportedOperationError


def _numbers(item: Any) -> Any:
    return np.asarray(_rules.numbers(item), dtype=np.float64)


def _apply(rule: Callable[..., Any], *operands: Any, **parameters: Any) -> Any:
    return _rules.record(rule, *operands, **parameters)


def _rearranged(operation: Callable[..., Any]) -> Callable[..., Any]:
    """A numpy function that only moves entries, as a traced operation of its first argument."""

    def traced(a: Any, *args: Any, **kwargs: Any) -> Any:
        return _apply(rules.rearrange, a, operation=lambda x: operation(x, *args, **kwargs))

    traced.__name__ = operation.__name__
    return traced


def _gathered(operation: Callable[..., Any]) -> Callable[..., Any]:
    """``concatenate``/``stack``: a sequence of operands rearranged into one array."""

    def traced(arrays: Sequence[Any], axis: int = 0) -> Any:
        return _apply(rules.gather, *arrays, operation=lambda xs: operation(xs, axis=axis))

    return traced


def _reduced(rule: Callable[..., Any]) -> Callable[..., Any]:
    def traced(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return _apply(rule, a, axis=axis, keepdims=keepdims)

    return traced


def amin(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The minimum is the maximum of the negatives (ties share the slope equally)."""
    return -_apply(rules.max_, -a, axis=axis, keepdims=keepdims)


def _count(shape: tuple[int, ...], axis: Any) -> int:
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    return int(np.prod([shape[i] for i in axes]))


def var(a: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Any:
    """The mean squared deviation from the mean, divided by ``n - ddof`` as numpy does."""
    centred = a - np.mean(a, axis=axis, keepdims=True)
    return np.sum(centred * centred, axis=axis, keepdims=keepdims) / (
        _count(np.shape(a), axis) - ddof
    )


def std(a: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> Any:
    """``sqrt(var)``: its derivative is refused where the spread is 0 (infinite slope)."""
    return np.sqrt(var(a, axis=axis, keepdims=keepdims, ddof=ddof))


def average(a: Any, axis: Any = None, weights: Any = None, keepdims: bool = False) -> Any:
    """``sum(w a) / sum(w)``; 1-D weights apply along ``axis``, as numpy's."""
    if weights is None:
        return np.mean(a, axis=axis, keepdims=keepdims)
    if np.ndim(weights) == 1 and np.ndim(a) > 1 and isinstance(axis, int):
        shape = [1] * np.ndim(a)
        shape[axis] = -1
        weights = np.reshape(weights, shape)
    total = np.sum(weights * np.ones(np.shape(a)), axis=axis, keepdims=keepdims)
    return np.sum(a * weights, axis=axis, keepdims=keepdims) / total


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    return _apply(
        rules.rearrange, a, operation=lambda x: np.diagonal(x, offset, axis1, axis2).copy()
    )


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The sum of the diagonal."""
    return np.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diff(a: Any, n: int = 1, axis: int = -1) -> Any:
    """``a[1:] - a[:-1]`` along ``axis``, ``n`` times."""
    for _ in range(n):
        later = [slice(None)] * np.ndim(a)
        earlier = [slice(None)] * np.ndim(a)
        later[axis], earlier[axis] = slice(1, None), slice(None, -1)
        a = a[tuple(later)] - a[tuple(earlier)]
    return a


def einsum(subscripts: str, *operands: Any) -> Any:
    return _apply(rules.einsum, *operands, subscripts=subscripts)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """``tensordot`` as the ``einsum`` it is."""
    if isinstance(axes, int):
        left_axes = list(range(np.ndim(a) - axes, np.ndim(a)))
        right_axes = list(range(axes))
    else:
        left_axes, right_axes = (list(np.atleast_1d(part)) for part in axes)
    left_axes = [int(i) % np.ndim(a) for i in left_axes]
    right_axes = [int(j) % np.ndim(b) for j in right_axes]
    letters = iter(string.ascii_letters)
    left = [next(letters) for _ in range(np.ndim(a))]
    right = [next(letters) for _ in range(np.ndim(b))]
    for i, j in zip(left_axes, right_axes, strict=True):
        right[j] = left[i]
    kept = [c for i, c in enumerate(left) if i not in left_axes]
    kept += [c for j, c in enumerate(right) if j not in right_axes]
    spec = f"{''.join(left)},{''.join(right)}->{''.join(kept)}"
    return einsum(spec, a, b)


def outer(a: Any, b: Any) -> Any:
    return np.reshape(a, (-1, 1)) * np.reshape(b, (1, -1))


def inner(a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    return tensordot(a, b, axes=([-1 % np.ndim(a)], [-1 % np.ndim(b)]))


def dot(a: Any, b: Any) -> Any:
    """numpy's ``dot``: a product for a number, ``@`` up to matrices, else a tensordot."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * b
    if (np.ndim(a) <= 2 and np.ndim(b) <= 2) or np.ndim(b) == 1:
        return _apply(rules.matmul, a, b)
    return tensordot(a, b, axes=([np.ndim(a) - 1], [np.ndim(b) - 2]))


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """The Euclidean norm of a vector or the Frobenius norm of a matrix."""
    if ord not in (None, "fro") and not (ord == 2 and (np.ndim(x) == 1 or isinstance(axis, int))):
        raise UnsupportedOperationError(
            f"numpy.linalg.norm with ord={ord!r}: calcml differentiates the Euclidean "
            "(vector) and Frobenius (matrix) norms only; write others out, e.g. "
            "np.sum(np.abs(x)) for ord=1"
        )
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


def slogdet(a: Any) -> tuple[Any, Any]:
    """``(sign, log|det a|)``: the sign is piecewise constant, so a plain array."""
    sign, _ = np.linalg.slogdet(_numbers(a))
    return sign, _apply(rules.logabsdet, a)


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
    """Pieces of ``ary`` along ``axis``, each an indexed slice of it."""
    length = np.shape(ary)[axis]
    if isinstance(indices_or_sections, int):
        if length % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        step = length // indices_or_sections
        bounds = list(range(step, length, step))
    else:
        bounds = list(indices_or_sections)
    pieces = []
    for start, stop in zip([0, *bounds], [*bounds, length], strict=True):
        index = [slice(None)] * np.ndim(ary)
        index[axis] = slice(start, stop)
        pieces.append(ary[tuple(index)])
    return pieces


def hstack(tup: Sequence[Any]) -> Any:
    parts = [np.reshape(item, (1,)) if np.ndim(item) == 0 else item for item in tup]
    return np.concatenate(parts, axis=1 if np.ndim(parts[0]) > 1 else 0)


def vstack(tup: Sequence[Any]) -> Any:
    parts = [np.reshape(item, (1, -1)) if np.ndim(item) < 2 else item for item in tup]
    return np.concatenate(parts, axis=0)


def pad(array: Any, pad_width: Any, mode: str = "constant", constant_values: Any = 0) -> Any:
    """Zero padding moves entries; another constant is added to the padded frame."""
    if mode != "constant":
        raise UnsupportedOperationError(
            f"numpy.pad with mode={mode!r}: calcml differentiates constant padding only"
        )
    padded = _apply(rules.rearrange, array, operation=lambda x: np.pad(x, pad_width))
    if np.any(constant_values):
        frame = np.pad(np.zeros(np.shape(array)), pad_width, constant_values=constant_values)
        padded = padded + frame
    return padded


def clip(a: Any, a_min: Any = None, a_max: Any = None) -> Any:
    low = -np.inf if a_min is None else a_min
    high = np.inf if a_max is None else a_max
    return _apply(rules.clip, a, low, high)


def where(condition: Any, x: Any, y: Any) -> Any:
    return _apply(rules.where, x, y, mask=np.asarray(_numbers(condition), dtype=bool))


def cumsum(a: Any, axis: Any = None) -> Any:
    return _apply(rules.cumsum, a, axis=axis)


def prod(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _apply(rules.prod, a, axis=axis, keepdims=keepdims)


def reshape(a: Any, shape: Any) -> Any:
    return a.reshape(shape)


def transpose(a: Any, axes: Any = None) -> Any:
    return a.transpose(axes)


def solve(a: Any, b: Any) -> Any:
    return _apply(rules.solve, a, b)


def _matrix_function(rule: Callable[..., Any]) -> Callable[..., Any]:
    def traced(a: Any) -> Any:
        return _apply(rule, a)

    return traced


def _broadcast_copy(x: Any, shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(x, shape).copy()


#: numpy function -> its traced implementation, taking numpy's arguments by name
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: _reduced(rules.sum_),
    np.mean: _reduced(rules.mean),
    np.max: _reduced(rules.max_),
    np.amax: _reduced(rules.max_),
    np.min: amin,
    np.amin: amin,
    np.prod: prod,
    np.cumsum: cumsum,
    np.var: var,
    np.std: std,
    np.average: average,
    np.reshape: reshape,
    np.transpose: transpose,
    np.clip: clip,
    np.where: where,
    np.dot: dot,
    np.inner: inner,
    np.outer: outer,
    np.tensordot: tensordot,
    np.einsum: einsum,
    np.trace: trace,
    np.diagonal: diagonal,
    np.diff: diff,
    np.split: split,
    np.hstack: hstack,
    np.vstack: vstack,
    np.pad: pad,
    np.concatenate: _gathered(np.concatenate),
    np.stack: _gathered(np.stack),
    np.flip: _rearranged(np.flip),
    np.roll: _rearranged(np.roll),
    np.tile: _rearranged(np.tile),
    np.repeat: _rearranged(np.repeat),
    np.take: _rearranged(np.take),
    np.diag: _rearranged(np.diag),
    np.squeeze: _rearranged(np.squeeze),
    np.ravel: _rearranged(np.ravel),
    np.swapaxes: _rearranged(np.swapaxes),
    np.moveaxis: _rearranged(np.moveaxis),
    np.expand_dims: _rearranged(np.expand_dims),
    np.broadcast_to: _rearranged(_broadcast_copy),
    np.linalg.norm: norm,
    np.linalg.inv: _matrix_function(rules.inv),
    np.linalg.det: _matrix_function(rules.det),
    np.linalg.slogdet: slogdet,
    np.linalg.solve: solve,
}

#: Integer- or piecewise-constant-valued functions: derivative 0 wherever it exists, so the
#: plain numpy result of the numbers is exact (an index, a rounded value), not a lost gradient.
CONSTANT_FUNCTIONS = frozenset(
    {
        np.argmax,
        np.argmin,
        np.argsort,
        np.round,
        np.around,
        np.nonzero,
        np.count_nonzero,
        np.isclose,
        np.allclose,
        np.array_equal,
    }
)


def qualified_name(function: Callable[..., Any]) -> str:
    """``numpy.linalg.norm``, not ``numpy.norm``: where the reader finds the function."""
    module = getattr(function, "__module__", "numpy") or "numpy"
    public = "numpy.linalg" if module.startswith("numpy.linalg") else "numpy"
    return f"{public}.{function.__name__}"
