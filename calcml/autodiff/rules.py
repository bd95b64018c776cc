"""The rule table: every differentiable operation's value and, beside it, its local derivative.

Both modes read this one table. A rule takes the operands' numbers and returns a
:class:`Local`: the value, and for each operand the linear map ``dx -> dy`` that the
operation's derivative applies to a small change of that operand, with its adjoint
``g -> g^T (dy/dx)``:

- forward mode (:class:`~calcml.autodiff.Dual`) pushes each operand's tangent through
  ``forward`` and adds the results (the chain rule, ``dy = sum_i (dy/dx_i) dx_i``);
- reverse mode (:class:`~calcml.Tensor`) pulls the gradient arriving at the output back
  through ``backward``, one operand at a time, only for operands that need a gradient.

Three kinds of rule cover the table. An *elementwise* rule returns its value and its slope
``f'(x)``: one derivative serves both modes (reverse multiplies the incoming gradient by it,
forward the tangent; broadcasting is undone by the engine). A *linear* operation (a sum, a
reshape, a rearrangement of entries) is its own derivative: forward applies the operation to
the tangent, backward applies its adjoint. A *bilinear* operation (``x * y``, ``x @ y``) uses
the product rule: each operand's map is the operation with the other operand held fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from calcml.autodiff import _rules
from calcml.autodiff._rules import Array, Axis

LinearMap = Callable[[Array], Array]


class Local(NamedTuple):
    """An operation at one point: its value and, per operand, ``dx -> dy`` and its adjoint."""

    value: Array
    forward: tuple[LinearMap, ...]
    backward: tuple[LinearMap, ...]


def slopes(value: Array, *slope: Callable[[], Array]) -> Local:
    """An elementwise operation: ``dy = f'(x) dx`` for each operand, in both directions.

    Each slope is passed as a function so that it is only computed for an operand that needs
    it (``x**p``'s slope in ``p`` takes ``log x``, undefined for negative ``x``).
    """
    maps = tuple(_times(part) for part in slope)
    return Local(value, maps, maps)


def _times(slope: Callable[[], Array]) -> LinearMap:
    return lambda change: change * slope()


def linear(value: Array, operation: LinearMap, adjoint: LinearMap) -> Local:
    """A linear operation of one operand: its derivative is itself."""
    return Local(value, (operation,), (adjoint,))


def linear_map(x: Array, *, operation: LinearMap, adjoint: LinearMap) -> Local:
    """Any linear operation with its adjoint, as a rule of its own.

    Most maps of this table are numpy code that a traced value answers (``g * slope``,
    ``g @ W``), so a derivative of a derivative records them like any other code. A map that
    numpy cannot hand to a traced value (``np.bincount``, ``np.add.at``) is wrapped by
    :func:`recordable` instead: given a traced value, it is recorded as this rule.
    """
    forward, backward = recordable(operation, adjoint), recordable(adjoint, operation)
    return linear(forward(x), forward, backward)


def recordable(operation: LinearMap, adjoint: LinearMap) -> LinearMap:
    """``operation`` on numbers; on a traced value (inside a derivative of a derivative), the
    operation recorded by that value's differentiation, which then knows its adjoint."""

    def apply(change: Array) -> Array:
        if _rules.is_traced(change):
            traced: Array = _rules.record(linear_map, change, operation=operation, adjoint=adjoint)
            return traced
        return operation(change)

    return apply


# elementwise functions of one operand: the value, then its slope -------------------------
def negative(x: Array) -> Local:
    return slopes(-x, lambda: -np.ones_like(x))


def exp(x: Array) -> Local:
    y = np.exp(x)
    return slopes(y, lambda: y)


def log(x: Array) -> Local:
    return slopes(_rules.checked_log(x), lambda: 1.0 / x)


def sin(x: Array) -> Local:
    return slopes(np.sin(x), lambda: np.cos(x))


def cos(x: Array) -> Local:
    return slopes(np.cos(x), lambda: -np.sin(x))


def tanh(x: Array) -> Local:
    c = np.tanh(x)
    return slopes(c, lambda: 1.0 - c**2)  # reuses the output c = tanh x


def sqrt(x: Array) -> Local:
    y = _rules.checked_sqrt(x)
    return slopes(y, lambda: _rules.sqrt_derivative(y))


def absolute(x: Array) -> Local:
    return slopes(np.abs(x), lambda: np.sign(x))  # slope 0 at the kink


def square(x: Array) -> Local:
    return slopes(x * x, lambda: 2.0 * x)


def reciprocal(x: Array) -> Local:
    y = 1.0 / x
    return slopes(y, lambda: -(y * y))


def log1p(x: Array) -> Local:
    _rules.require_domain(x > -1, x, "log1p needs input > -1")
    return slopes(np.log1p(x), lambda: 1.0 / (1.0 + x))


def expm1(x: Array) -> Local:
    return slopes(np.expm1(x), lambda: np.exp(x))


def log2(x: Array) -> Local:
    return slopes(_rules.checked_log(x) / np.log(2.0), lambda: 1.0 / (x * np.log(2.0)))


def log10(x: Array) -> Local:
    return slopes(_rules.checked_log(x) / np.log(10.0), lambda: 1.0 / (x * np.log(10.0)))


def exp2(x: Array) -> Local:
    y = np.exp2(x)
    return slopes(y, lambda: y * np.log(2.0))


def tan(x: Array) -> Local:
    y = np.tan(x)
    return slopes(y, lambda: 1.0 + y**2)


def arcsin(x: Array) -> Local:
    _rules.require_domain(np.abs(x) < 1, x, "arcsin is differentiable for -1 < x < 1 only")
    return slopes(np.arcsin(x), lambda: 1.0 / np.sqrt(1.0 - x**2))


def arccos(x: Array) -> Local:
    _rules.require_domain(np.abs(x) < 1, x, "arccos is differentiable for -1 < x < 1 only")
    return slopes(np.arccos(x), lambda: -1.0 / np.sqrt(1.0 - x**2))


def arctan(x: Array) -> Local:
    return slopes(np.arctan(x), lambda: 1.0 / (1.0 + x**2))


def sinh(x: Array) -> Local:
    return slopes(np.sinh(x), lambda: np.cosh(x))


def cosh(x: Array) -> Local:
    return slopes(np.cosh(x), lambda: np.sinh(x))


def cbrt(x: Array) -> Local:
    y = np.cbrt(x)
    if np.any(y == 0):
        raise ValueError("cbrt is not differentiable at 0 (its slope is infinite there)")
    return slopes(y, lambda: 1.0 / (3.0 * y**2))


def relu(x: Array) -> Local:
    return slopes(np.maximum(x, 0.0), lambda: (x > 0).astype(np.float64))  # 0 at the kink


def sigmoid(x: Array) -> Local:
    s = _rules.sigmoid(x)
    return slopes(s, lambda: s * (1.0 - s))


# elementwise functions of two operands: the value, then the slope in each ---------------
def add(x: Array, y: Array) -> Local:
    return Local(x + y, (_same, _same), (_same, _same))


def subtract(x: Array, y: Array) -> Local:
    return Local(x - y, (_same, np.negative), (_same, np.negative))


def _same(change: Array) -> Array:
    return change


def multiply(x: Array, y: Array) -> Local:
    # d(x y) = y dx + x dy: the slope in x is y, the slope in y is x
    return slopes(x * y, lambda: y, lambda: x)


def true_divide(x: Array, y: Array) -> Local:
    quotient = x / y
    return slopes(quotient, lambda: 1.0 / y, lambda: -quotient / y)


def power(x: Array, p: Array) -> Local:
    y = x**p
    return slopes(y, lambda: p * x ** (p - 1), lambda: y * _rules.checked_log(x))


def maximum(x: Array, y: Array) -> Local:
    weight = _rules.maximum_weight(x, y)  # 1/2 each at a tie
    return slopes(np.maximum(x, y), lambda: weight, lambda: 1.0 - weight)


def minimum(x: Array, y: Array) -> Local:
    weight = _rules.maximum_weight(y, x)  # 1/2 each at a tie
    return slopes(np.minimum(x, y), lambda: weight, lambda: 1.0 - weight)


def arctan2(y: Array, x: Array) -> Local:
    if np.any((x == 0) & (y == 0)):
        raise ValueError("arctan2(y, x) is not differentiable at the origin x = y = 0")
    radius2 = x**2 + y**2
    return slopes(np.arctan2(y, x), lambda: x / radius2, lambda: -y / radius2)


def hypot(x: Array, y: Array) -> Local:
    r = np.hypot(x, y)
    if np.any(r == 0):
        raise ValueError("hypot(x, y) is not differentiable at x = y = 0 (a cone's tip)")
    return slopes(r, lambda: x / r, lambda: y / r)


def logaddexp(x: Array, y: Array) -> Local:
    z = np.logaddexp(x, y)
    return slopes(z, lambda: np.exp(x - z), lambda: np.exp(y - z))


def clip(x: Array, low: Array, high: Array) -> Local:
    """``x`` held between ``low`` and ``high``: slope 1 strictly inside, and on a bound the
    slope goes to the bound (autograd's convention)."""
    inside = ((x > low) & (x < high)).astype(np.float64)  # 0 outside and on the bounds
    below, above = (x <= low).astype(np.float64), (x >= high).astype(np.float64)
    return slopes(np.clip(x, low, high), lambda: inside, lambda: below, lambda: above)


# products: the product rule, each operand's map holds the other fixed --------------------
def matmul(x: Array, y: Array) -> Local:
    value = _rules.matmul(x, y)
    return Local(
        value,
        (lambda dx: dx @ y, lambda dy: x @ dy),
        (
            lambda g: _rules.matmul_left_adjoint(g, x, y),
            lambda g: _rules.matmul_right_adjoint(g, x, y),
        ),
    )


def einsum(*operands: Array, subscripts: str) -> Local:
    inputs, output = _rules.einsum_parts(subscripts, operands)
    value = np.einsum(subscripts, *operands)

    def forward(i: int) -> LinearMap:
        return lambda change: np.einsum(subscripts, *operands[:i], change, *operands[i + 1 :])

    def backward(i: int) -> LinearMap:
        # The gradient of operand i contracts the incoming gradient with every other operand.
        others = [part for k, part in enumerate(inputs) if k != i]
        rest = [operand for k, operand in enumerate(operands) if k != i]
        spec = ",".join([output, *others]) + "->" + inputs[i]
        return lambda g: _rules.einsum_to(spec, g, rest, operands[i].shape)

    count = range(len(operands))
    return Local(value, tuple(forward(i) for i in count), tuple(backward(i) for i in count))


# linear operations: forward applies the operation, backward its adjoint ------------------
def sum_(x: Array, *, axis: Axis = None, keepdims: bool = False) -> Local:
    def adjoint(g: Array) -> Array:
        return np.broadcast_to(_rules.expand_reduced(g, axis, keepdims), x.shape)

    return linear(
        np.sum(x, axis=axis, keepdims=keepdims),
        lambda dx: np.sum(dx, axis=axis, keepdims=keepdims),
        adjoint,
    )


def mean(x: Array, *, axis: Axis = None, keepdims: bool = False) -> Local:
    # numpy's own mean (a sum divided by n), so that both modes and numpy agree to the bit
    value = np.mean(x, axis=axis, keepdims=keepdims)
    count = x.size // max(value.size, 1)

    def adjoint(g: Array) -> Array:
        return np.broadcast_to(_rules.expand_reduced(g / count, axis, keepdims), x.shape)

    return linear(value, lambda dx: np.mean(dx, axis=axis, keepdims=keepdims), adjoint)


def reshape(x: Array, *, shape: tuple[int, ...]) -> Local:
    return linear(x.reshape(shape), lambda dx: dx.reshape(shape), lambda g: g.reshape(x.shape))


def transpose(x: Array, *, axes: tuple[int, ...]) -> Local:
    back = tuple(sorted(range(len(axes)), key=axes.__getitem__))  # the inverse permutation
    return linear(x.transpose(axes), lambda dx: dx.transpose(axes), lambda g: g.transpose(back))


def where(x: Array, y: Array, *, mask: Array) -> Local:
    chosen = mask.astype(np.float64)
    return slopes(np.where(mask, x, y), lambda: chosen, lambda: 1.0 - chosen)


def scatter(g: Array, *, index: Any, shape: tuple[int, ...]) -> Local:
    """Entries added into an array of zeros at ``index``: the adjoint of indexing."""

    def add_into_zeros(change: Array) -> Array:
        full = np.zeros(shape)
        np.add.at(full, index, change)
        return full

    return linear_map(g, operation=add_into_zeros, adjoint=lambda back: back[index])


def cumsum(x: Array, *, axis: int | None = None) -> Local:
    def adjoint(g: Array) -> Array:
        # d/dx_j of sum_i g_i (x_1 + ... + x_i) = g_j + ... + g_n: a cumsum from the end.
        along = 0 if axis is None else axis
        total = np.flip(np.cumsum(np.flip(g, along), axis=along), along)
        return total.reshape(x.shape)

    return linear(np.cumsum(x, axis=axis), lambda dx: np.cumsum(dx, axis=axis), adjoint)


def rearrange(x: Array, *, operation: LinearMap) -> Local:
    """Any operation that only moves, copies or drops entries (reshape, transpose, flip, roll,
    tile, repeat, take, diagonal, pad with zeros...): its adjoint sends each entry of the
    gradient back to where it came from, found by applying the operation to the positions."""
    sources = _rules.sources(operation, [x.shape])

    def send_back(g: Array) -> Array:
        return _rules.send_back(g, sources, [x.shape])[0]

    return linear_map(x, operation=operation, adjoint=send_back)


def gather(*parts: Array, operation: Callable[[Sequence[Array]], Array]) -> Local:
    """``concatenate``, ``stack`` and their kind: many operands rearranged into one array."""
    shapes = [part.shape for part in parts]
    sources = _rules.sources(lambda *xs: operation(xs), shapes)

    def place(i: int) -> LinearMap:  # operand i's entries where they go, zeros elsewhere
        return lambda change: operation(
            [change if k == i else np.zeros(shape) for k, shape in enumerate(shapes)]
        )

    def send_back(i: int) -> LinearMap:
        return lambda g: _rules.send_back(g, sources, shapes)[i]

    count = range(len(parts))
    return Local(
        operation(parts),
        tuple(place(i) for i in count),
        tuple(recordable(send_back(i), place(i)) for i in count),
    )


# functions with their own Jacobian ----------------------------------------------------------
def max_(x: Array, *, axis: Axis = None, keepdims: bool = False) -> Local:
    top, share = _rules.max_share(x, axis, keepdims)  # ties share the slope equally
    return Local(
        top,
        (lambda dx: np.sum(share * dx, axis=axis, keepdims=keepdims),),
        (lambda g: share * _rules.expand_reduced(g, axis, keepdims),),
    )


def prod(x: Array, *, axis: int | None = None, keepdims: bool = False) -> Local:
    others = _rules.product_of_others(x, axis)  # d prod / d x_i, without dividing by x_i
    return Local(
        np.prod(x, axis=axis, keepdims=keepdims),
        (lambda dx: np.sum(others * dx, axis=axis, keepdims=keepdims),),
        (lambda g: others * _rules.expand_reduced(g, axis, keepdims),),
    )


def softmax(x: Array, *, axis: int = -1) -> Local:
    s = _rules.softmax(x, axis)

    def jacobian(change: Array) -> Array:  # diag(s) - s s^T: symmetric, its own adjoint
        product: Array = s * (change - np.sum(s * change, axis=axis, keepdims=True))
        return product

    return linear(s, jacobian, jacobian)


def logsumexp(x: Array, *, axis: Axis = None, keepdims: bool = False) -> Local:
    total = _rules.logsumexp(x, axis, keepdims)
    weights = np.exp(x - _rules.expand_reduced(total, axis, keepdims))  # softmax(x)
    return Local(
        total,
        (lambda dx: np.sum(weights * dx, axis=axis, keepdims=keepdims),),
        (lambda g: weights * _rules.expand_reduced(g, axis, keepdims),),
    )


def inv(a: Array) -> Local:
    inverse = _rules.checked_inverse(a, "inv")
    # d(A^-1) = -A^-1 dA A^-1, whose adjoint is g -> -A^-T g A^-T
    transposed = np.swapaxes(inverse, -1, -2)
    return Local(
        inverse,
        (lambda da: -inverse @ da @ inverse,),
        (lambda g: -transposed @ g @ transposed,),
    )


def det(a: Array) -> Local:
    value = np.linalg.det(a)
    inverse = _rules.checked_inverse(a, "det")  # d det A = det A tr(A^-1 dA)
    return Local(
        value,
        (lambda da: value * np.trace(inverse @ da, axis1=-2, axis2=-1),),
        (lambda g: (g * value)[..., None, None] * np.swapaxes(inverse, -1, -2),),
    )


def logabsdet(a: Array) -> Local:
    """``log |det A|`` (numpy's ``slogdet`` returns it with a sign, a constant)."""
    _, value = np.linalg.slogdet(a)
    inverse = _rules.checked_inverse(a, "slogdet")  # d log|det A| = tr(A^-1 dA)
    return Local(
        value,
        (lambda da: np.trace(inverse @ da, axis1=-2, axis2=-1),),
        (lambda g: g[..., None, None] * np.swapaxes(inverse, -1, -2),),
    )


def solve(a: Array, b: Array) -> Local:
    inverse = _rules.checked_inverse(a, "solve")
    vector = b.ndim == a.ndim - 1

    def column(m: Array) -> Array:
        return m[..., np.newaxis] if vector else m

    def flat(m: Array) -> Array:
        return m[..., 0] if vector else m

    x = inverse @ column(b)
    transposed = np.swapaxes(inverse, -1, -2)
    # x = A^-1 b: dx = A^-1 (db - dA x); the adjoint of b is A^-T g, of A is -(A^-T g) x^T
    return Local(
        flat(x),
        (lambda da: flat(-inverse @ da @ x), lambda db: flat(inverse @ column(db))),
        (
            lambda g: -(transposed @ column(g)) @ np.swapaxes(x, -1, -2),
            lambda g: flat(transposed @ column(g)),
        ),
    )


#: numpy ufunc -> its rule (the ufunc's own name, except the two spelled differently)
UFUNCS: dict[np.ufunc, Callable[..., Local]] = {
    np.add: add,
    np.subtract: subtract,
    np.multiply: multiply,
    np.true_divide: true_divide,
    np.power: power,
    np.matmul: matmul,
    np.negative: negative,
    np.absolute: absolute,
    np.maximum: maximum,
    np.minimum: minimum,
    np.arctan2: arctan2,
    np.hypot: hypot,
    np.logaddexp: logaddexp,
    np.exp: exp,
    np.log: log,
    np.sin: sin,
    np.cos: cos,
    np.tanh: tanh,
    np.sqrt: sqrt,
    np.square: square,
    np.reciprocal: reciprocal,
    np.log1p: log1p,
    np.expm1: expm1,
    np.log2: log2,
    np.log10: log10,
    np.exp2: exp2,
    np.tan: tan,
    np.arcsin: arcsin,
    np.arccos: arccos,
    np.arctan: arctan,
    np.sinh: sinh,
    np.cosh: cosh,
    np.cbrt: cbrt,
}

#: how :func:`calcml.draw_graph` labels a node of each rule
LABELS = {
    "add": "+",
    "subtract": "-",
    "multiply": "*",
    "true_divide": "/",
    "power": "**",
    "matmul": "@",
    "negative": "neg",
    "absolute": "abs",
}


@cache
def label(rule: Callable[..., Any]) -> str:
    """The node label of ``rule``: its operator symbol, or its name (``sum_`` is ``sum``)."""
    name = rule.__name__.rstrip("_")
    return LABELS.get(name, name)
