"""The numpy pieces both modes share: stable kernels, domain checks and kink conventions.

Reverse mode (:mod:`calcml.autodiff.engine`) and forward mode (:mod:`calcml.autodiff.forward`)
apply the same local derivatives in opposite directions; whatever is not the direction lives
here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import as_float_array

Array = NDArray[np.float64]
Axis = int | tuple[int, ...] | None


class UnsupportedOperationError(TypeError):
    """An operation calcml cannot differentiate was applied to a traced value.

    Raised instead of computing on the bare numbers, which would silently drop the derivative.
    :func:`calcml.minimize` catches exactly this error (and no other ``TypeError``) to fall
    back to finite differences.
    """


def _complex_refused(name: str, value: Any) -> UnsupportedOperationError:
    return UnsupportedOperationError(
        f"{name} is complex ({value!r:.60}): calcml's automatic differentiation works over the "
        "real numbers, and casting would silently drop the imaginary part. For the "
        "complex-step derivative use calcml.derivative(f, x, method='complex'); if the "
        "imaginary part is meant to be 0, pass np.real(x)"
    )


def as_real_array(value: ArrayLike, name: str) -> Array:
    """``value`` as a float64 array, refusing complex numbers (whose cast would drop the
    imaginary part) as well as what :func:`calcml._validation.as_float_array` refuses."""
    refuse_complex(value, name)
    return as_float_array(value, name)


def refuse_complex(value: Any, name: str) -> None:
    """Raise :class:`UnsupportedOperationError` if ``value`` holds complex numbers."""
    try:
        found = np.iscomplexobj(value)
    except ValueError:  # a ragged list: not an array, whatever it holds
        return
    if found:
        raise _complex_refused(name, value)


def constant(item: Any) -> Array:
    """A plain number or array mixed into a traced expression, as a float64 array."""
    if isinstance(item, complex | np.complexfloating) or (
        isinstance(item, np.ndarray) and item.dtype.kind == "c"
    ):
        raise _complex_refused("a constant in the expression", item)
    return np.asarray(item, dtype=np.float64)


class TracedValue:
    """The base of every traced value (``_protocol.Traced`` adds numpy's protocols): a
    ``Tensor`` or a ``Dual``, made by the differentiation of level ``level``."""

    __slots__ = ()
    level: int


def is_traced(x: Any) -> bool:
    """Whether ``x`` is a traced value (a ``Tensor`` or ``Dual``) rather than numbers."""
    return isinstance(x, TracedValue)


def numbers(x: Any) -> Any:
    """The plain numbers under ``x``, through every level of tracing (for messages)."""
    while is_traced(x):
        x = x.value
    return x


#: how many differentiations are under way, one inside the other
_depth = 0


@contextmanager
def differentiating() -> Iterator[int]:
    """A new innermost level of differentiation, for as long as ``f`` is being traced."""
    global _depth
    _depth += 1
    try:
        yield _depth
    finally:
        _depth -= 1


def innermost(operands: tuple[Any, ...]) -> Any:
    """The traced operand of the innermost differentiation (the highest level): the one
    whose class records the operation. ``None`` if no operand is traced."""
    top: Any = None
    for operand in operands:
        if isinstance(operand, TracedValue):
            if top is None or operand.level > top.level:
                top = operand
            elif operand.level == top.level and type(operand) is not type(top):
                raise TypeError(
                    f"cannot mix a {type(top).__name__} and a {type(operand).__name__} of the "
                    "same level in one expression: nest the modes with calcml's functions "
                    "(jacfwd(jacrev(f)), calcml.autodiff.hvp), which give each its own level"
                )
    return top


def record(rule: Callable[..., Any], *operands: Any, **parameters: Any) -> Any:
    """``rule`` on ``operands``, recorded by the innermost differentiation among them: the
    ``_apply`` of that operand's class (``Tensor`` or ``Dual``) computes it at its level."""
    return type(innermost(operands))._apply(rule, *operands, **parameters)


def sigmoid(x: Array) -> Array:
    """``1 / (1 + exp(-x))`` without overflow: ``exp`` only ever sees ``-|x|``."""
    decay = np.exp(-np.abs(x))
    result: Array = np.where(x >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))
    return result


def logsumexp(x: Array, axis: Axis = None, keepdims: bool = False) -> Array:
    """``log(sum(exp(x)))`` shifted by the maximum so that no ``exp`` overflows."""
    shift = np.max(x, axis=axis, keepdims=True)
    total: Array = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else np.squeeze(total, axis=axis)


def softmax(x: Array, axis: int = -1) -> Array:
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum for the same reason."""
    weights: Array = np.exp(x - np.max(x, axis=axis, keepdims=True))
    weights /= np.sum(weights, axis=axis, keepdims=True)
    return weights


def max_share(x: Array, axis: Axis, keepdims: bool) -> tuple[Array, Array]:
    """The maximum along ``axis`` and each entry's share of its derivative.

    Convention at a tie: the derivative is split equally between the tied entries, the
    symmetric choice (HIPS autograd makes the same one).
    """
    top: Array = np.max(x, axis=axis, keepdims=True)
    winners = x == top
    share: Array = winners / np.sum(winners, axis=axis, keepdims=True)
    return (top if keepdims else np.squeeze(top, axis=axis)), share


def maximum_weight(a: Array, b: Array) -> Array:
    """``d maximum(a, b) / d a``: 1 where ``a`` wins, 0 where ``b`` wins, 1/2 at a tie."""
    weight: Array = np.asarray(a > b, dtype=np.float64)
    # An exact tie is rare (the input has to land on the kink), so its 1/2 is written in
    # only when there is one, instead of adding a second mask everywhere.
    ties = a == b
    if ties.any():
        weight[ties] = 0.5
    return weight


def checked_log(x: Array) -> Array:
    """``log(x)``, refusing ``x <= 0`` where it has no real value or derivative."""
    if np.any(x <= 0):
        raise ValueError(
            f"log needs positive input, got min {np.min(numbers(x))!r}: log is undefined (or -inf "
            "with an infinite derivative) there; add a small positive offset or clip the argument"
        )
    return np.log(x)


def checked_sqrt(x: Array) -> Array:
    """``sqrt(x)``, refusing ``x < 0``; the derivative at 0 is refused where it is needed."""
    if np.any(x < 0):
        raise ValueError(
            f"sqrt needs non-negative input, got min {np.min(numbers(x))!r}; take sqrt of "
            "x**2 + eps or of abs(x) if that is what you mean"
        )
    return np.sqrt(x)


def sqrt_derivative(root: Array) -> Array:
    """``1 / (2 sqrt(x))`` from ``sqrt(x)``, refusing ``x = 0`` where it is infinite."""
    if np.any(root == 0):
        raise ValueError(
            "sqrt is not differentiable at 0 (its slope is infinite there); shift the argument "
            "away from 0, e.g. sqrt(x + 1e-12)"
        )
    return 0.5 / root


def expand_reduced(reduced: Array, axis: Axis, keepdims: bool) -> Array:
    """Put back the axes a reduction over ``axis`` removed, so the result broadcasts against
    the unreduced array (the chain rule sends a reduction's gradient back along them)."""
    return reduced if axis is None or keepdims else np.expand_dims(reduced, axis)


def matmul(a: Array, b: Array) -> Array:
    """``a @ b``, with an error that names both shapes when they do not fit."""
    try:
        result: Array = a @ b
    except ValueError as error:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not fit: the last axis of the left "
            "operand must equal the second-to-last (or only) axis of the right one; "
            "transpose or reshape one of them"
        ) from error
    return result


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum ``grad`` over the axes along which broadcasting copied a value of ``shape``.

    A value used in several places receives the sum of the gradients from each use; a
    broadcast value is used once per copy, so its gradient sums over the copies: over the
    leading axes broadcasting added, and over the axes where ``shape`` has size 1.
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def picks_each_entry_once(index: Any) -> bool:
    """Whether ``array[index]`` can pick no entry twice: integers, slices, ``...``,
    ``None`` and boolean masks (a fancy integer index may repeat an entry)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(part, int | slice | np.integer)
        or part is None
        or part is Ellipsis
        or (isinstance(part, np.ndarray) and part.dtype == np.bool_)
        for part in parts
    )


def add_at(buffer: Array, index: Any, values: Array) -> None:
    """``buffer[index] += values``, where an entry picked twice by a fancy index gets both
    values (``np.add.at``, slower, only then)."""
    if picks_each_entry_once(index):
        buffer[index] += values
    else:
        np.add.at(buffer, index, values)


def require_domain(inside: NDArray[np.bool_], x: Array, message: str) -> None:
    """Raise ``ValueError`` with ``message`` and the first offending entry unless ``inside``."""
    if not np.all(inside):
        raise ValueError(f"{message}, got {numbers(x)[~inside].flat[0]!r} (an entry of the input)")


def matmul_left_adjoint(grad: Array, left: Array, right: Array) -> Array:
    """The gradient of ``left`` in ``left @ right``: ``grad @ right^T``, with a vector
    operand read as a (1, n) row on the left or an (n, 1) column on the right so that one
    formula covers every case (the engine sums over any batch axes broadcasting added)."""
    if right.ndim == 1:
        grad, right = grad[..., np.newaxis], right[:, np.newaxis]
    if left.ndim == 1:
        grad = grad[..., np.newaxis, :]
    result: Array = grad @ right.swapaxes(-1, -2)
    return result[..., 0, :] if left.ndim == 1 else result


def matmul_right_adjoint(grad: Array, left: Array, right: Array) -> Array:
    """The gradient of ``right`` in ``left @ right``: ``left^T @ grad``, vectors as above.

    Laid out in memory as ``right`` is: for a layer ``h @ W.T`` the gradient of ``W.T`` is
    computed as ``(grad^T @ h)^T`` (the same product), so that ``W``'s own gradient, its
    transpose, is an ordinary row-major array, as the hand-written ``delta^T @ h`` is; a
    weight sliced from a flat parameter vector then takes it back without a transposing copy.
    """
    if right.ndim == 1:
        grad = grad[..., np.newaxis]
    if left.ndim == 1:
        grad, left = grad[..., np.newaxis, :], left[np.newaxis]
    if right.ndim == 2 and grad.ndim == 2 and _column_major(right):
        transposed: Array = (grad.T @ left).T
        return transposed
    result: Array = left.swapaxes(-1, -2) @ grad
    return result[..., 0] if right.ndim == 1 else result


def _column_major(matrix: Any) -> bool:
    """Whether ``matrix``'s numbers are stored column by column (a transposed row-major
    array), under any levels of tracing."""
    flags = getattr(numbers(matrix), "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


def sources(operation: Callable[..., Array], shapes: Sequence[tuple[int, ...]]) -> NDArray[np.intp]:
    """Where each entry of ``operation(*arrays)`` comes from, as a flat position among all
    the operands' entries (-1 for an entry the operation created, such as zero padding).

    ``operation`` only moves entries, so applying it to the positions themselves (counted
    from 1, so that a created 0 stands out) tells where each one went.
    """
    positions, start = [], 1
    for shape in shapes:
        size = int(np.prod(shape))
        positions.append(np.arange(start, start + size, dtype=np.float64).reshape(shape))
        start += size
    moved: Array = operation(*positions)
    return np.asarray(moved, dtype=np.intp) - 1


def send_back(
    grad: Array, where: NDArray[np.intp], shapes: Sequence[tuple[int, ...]]
) -> list[Array]:
    """The adjoint of a rearrangement: add each entry of ``grad`` to the operand entry it was
    copied from (entries copied several times, as by ``tile``, collect every copy)."""
    total = sum(int(np.prod(shape)) for shape in shapes)
    picked = where.ravel() >= 0
    flat = np.bincount(
        where.ravel()[picked],
        weights=np.broadcast_to(grad, where.shape).ravel()[picked],
        minlength=total,
    ).astype(np.float64, copy=False)
    parts: list[Array] = []
    start = 0
    for shape in shapes:
        size = int(np.prod(shape))
        parts.append(flat[start : start + size].reshape(shape))
        start += size
    return parts


def product_of_others(x: Array, axis: int | None) -> Array:
    """For each entry, the product of the other entries along ``axis``: the slope of
    ``prod``, computed from products on either side (no division, so zeros are fine)."""
    if is_traced(x):
        traced: Array = _traced_product_of_others(x, axis)
        return traced
    along = x.ravel() if axis is None else np.moveaxis(x, axis, -1)
    ones = np.ones_like(along[..., :1])
    before = np.cumprod(np.concatenate([ones, along[..., :-1]], axis=-1), axis=-1)
    after = np.flip(
        np.cumprod(np.concatenate([ones, np.flip(along, -1)[..., :-1]], axis=-1), axis=-1), -1
    )
    others: Array = before * after
    return others.reshape(x.shape) if axis is None else np.moveaxis(others, -1, axis)


def _traced_product_of_others(x: Any, axis: int | None) -> Any:
    """The same, inside a derivative of a derivative (``np.cumprod`` has no rule): the product
    of each row of a matrix whose diagonal holds 1 in place of that entry."""
    along = x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1)
    n = along.shape[-1]
    others = np.prod(np.where(np.eye(n, dtype=bool), 1.0, along[..., None, :]), axis=-1)
    return others.reshape(x.shape) if axis is None else np.moveaxis(others, -1, axis)


def checked_inverse(a: Array, name: str) -> Array:
    """``inv(a)`` for the derivative of ``name``, refusing a singular matrix by name."""
    if is_traced(a):  # a derivative of a derivative: the inverse is traced too
        traced: Any = np.linalg.inv(a)
        return traced  # type: ignore[no-any-return]
    try:
        inverse: Array = np.asarray(np.linalg.inv(a), dtype=np.float64)
    except np.linalg.LinAlgError as error:
        raise ValueError(
            f"{name}: the matrix is singular, so {name} has no derivative there (or no value); "
            "regularise it, e.g. A + eps * I"
        ) from error
    return inverse


def einsum_parts(subscripts: str, operands: Sequence[Array]) -> tuple[list[str], str]:
    """The operands' subscripts and the output's, refusing what the rule does not cover."""
    if "->" not in subscripts or "." in subscripts:
        raise UnsupportedOperationError(
            f"numpy.einsum({subscripts!r}): calcml differentiates einsum with an explicit "
            "output ('ij,jk->ik') and no '...'; write the output subscripts out"
        )
    inputs_text, output = subscripts.replace(" ", "").split("->")
    inputs = inputs_text.split(",")
    if len(inputs) != len(operands) or any(len(set(part)) != len(part) for part in inputs):
        raise UnsupportedOperationError(
            f"numpy.einsum({subscripts!r}): calcml differentiates einsum when no operand "
            "repeats a subscript (take a diagonal with np.diagonal first)"
        )
    return inputs, output


def einsum_to(spec: str, grad: Array, others: Sequence[Array], shape: tuple[int, ...]) -> Array:
    """``einsum(spec, grad, *others)``, broadcast to ``shape`` for an index only the operand
    carries (it was summed away, so every entry along it gets the same gradient)."""
    result: Array = np.einsum(spec, grad, *others)
    return np.broadcast_to(result, shape) if result.shape != shape else result
