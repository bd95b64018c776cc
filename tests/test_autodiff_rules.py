"""Every operation of the rule table, in both modes, against finite differences and autograd.

One row per supported operation: a function written against a numpy namespace ``xp`` (numpy
itself for calcml, ``autograd.numpy`` for HIPS autograd), the shapes of its arguments (chosen
to broadcast), and where its random arguments are drawn (away from kinks and domain edges).
Each row is checked three ways: the reverse-mode gradient of a weighted sum of its output
against central differences, the forward-mode Jacobian against the reverse-mode one, and the
gradient against autograd's where autograd has the function.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from calcml import grad, jacfwd, jacrev
from calcml.autodiff import _numpy, logsumexp, relu, rules, sigmoid, softmax


@dataclass(frozen=True)
class Op:
    """``f(xp, *args)`` with arguments of ``shapes`` drawn from ``domain``."""

    f: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domain: str = "any"
    autograd: Callable[..., Any] | None = None  # autograd's spelling, if it differs
    compare: bool = True  # False where autograd 1.x itself gets the case wrong (noted)


def _draw(rng: np.random.Generator, shape: tuple[int, ...], domain: str) -> np.ndarray:
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":  # inside (-1, 1), for arcsin and arccos
        return rng.uniform(-0.8, 0.8, shape)
    if domain == "matrix":  # square ones well conditioned; the right-hand sides anything
        square = len(shape) == 2 and shape[0] == shape[1]
        return rng.normal(size=shape) + (3.0 * np.eye(shape[-1]) if square else 0.0)
    # |x| in [0.5, 1.5] with random signs: no kink, tie or pole nearby
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, shape)


M = (3, 4)
OPS: dict[str, Op] = {
    # elementwise functions of one operand
    "negative": Op(lambda xp, x: -x, (M,)),
    "exp": Op(lambda xp, x: xp.exp(x), (M,)),
    "log": Op(lambda xp, x: xp.log(x), (M,), "positive"),
    "sin": Op(lambda xp, x: xp.sin(x), (M,)),
    "cos": Op(lambda xp, x: xp.cos(x), (M,)),
    "tanh": Op(lambda xp, x: xp.tanh(x), (M,)),
    "sqrt": Op(lambda xp, x: xp.sqrt(x), (M,), "positive"),
    "absolute": Op(lambda xp, x: xp.abs(x), (M,)),
    "square": Op(lambda xp, x: xp.square(x), (M,)),
    "reciprocal": Op(lambda xp, x: xp.reciprocal(x), (M,)),
    "log1p": Op(lambda xp, x: xp.log1p(x), (M,), "positive"),
    "expm1": Op(lambda xp, x: xp.expm1(x), (M,)),
    "log2": Op(lambda xp, x: xp.log2(x), (M,), "positive"),
    "log10": Op(lambda xp, x: xp.log10(x), (M,), "positive"),
    "exp2": Op(lambda xp, x: xp.exp2(x), (M,)),
    "tan": Op(lambda xp, x: xp.tan(x), (M,), "unit"),
    "arcsin": Op(lambda xp, x: xp.arcsin(x), (M,), "unit"),
    "arccos": Op(lambda xp, x: xp.arccos(x), (M,), "unit"),
    "arctan": Op(lambda xp, x: xp.arctan(x), (M,)),
    "sinh": Op(lambda xp, x: xp.sinh(x), (M,)),
    "cosh": Op(lambda xp, x: xp.cosh(x), (M,)),
    "cbrt": Op(lambda xp, x: xp.cbrt(x), (M,)),
    "relu": Op(lambda xp, x: relu(x), (M,), autograd=lambda xp, x: xp.maximum(x, 0.0)),
    "sigmoid": Op(lambda xp, x: sigmoid(x), (M,), autograd=lambda xp, x: 1.0 / (1.0 + xp.exp(-x))),
    "softmax": Op(
        lambda xp, x: softmax(x, axis=0),
        (M,),
        autograd=lambda xp, x: xp.exp(x) / xp.sum(xp.exp(x), axis=0, keepdims=True),
    ),
    "logsumexp": Op(
        lambda xp, x: logsumexp(x, axis=1),
        (M,),
        autograd=lambda xp, x: xp.log(xp.sum(xp.exp(x), axis=1)),
    ),
    # elementwise functions of two operands, with broadcasting
    "add": Op(lambda xp, a, b: a + b, ((3, 1), (1, 4))),
    "subtract": Op(lambda xp, a, b: a - b, ((2, 3, 4), (4,))),
    "multiply": Op(lambda xp, a, b: a * b, (M, (3, 1))),
    "true_divide": Op(lambda xp, a, b: a / b, ((4,), M)),
    "power": Op(lambda xp, a, b: a**b, (M, (4,)), "positive"),
    "maximum": Op(lambda xp, a, b: xp.maximum(a, b), (M, (1, 4))),
    "minimum": Op(lambda xp, a, b: xp.minimum(a, b), (M, (1, 4))),
    "arctan2": Op(lambda xp, a, b: xp.arctan2(a, b), (M, (4,))),
    "hypot": Op(lambda xp, a, b: xp.hypot(a, b), ((3, 1), M)),
    "logaddexp": Op(lambda xp, a, b: xp.logaddexp(a, b), (M, (3, 1))),
    "clip": Op(lambda xp, x: xp.clip(x, -1.0, 1.0), (M,)),
    "where": Op(lambda xp, a, b: xp.where(a > 0, a * b, b), (M, M)),
    # autograd's where does not sum a broadcast operand's gradient back to its shape
    "where broadcasting": Op(lambda xp, a, b: xp.where(a > 0, a * b, b), (M, (4,)), compare=False),
    # products
    "matmul": Op(lambda xp, a, b: a @ b, ((2, 3, 4), (4, 2))),
    "matmul vector": Op(lambda xp, a, b: a @ b, ((4,), (4, 2))),
    "dot": Op(lambda xp, a, b: xp.dot(a, b), (M, (4, 2))),
    "dot 3-d": Op(lambda xp, a, b: xp.dot(a, b), ((2, 3, 4), (3, 4, 2))),
    "inner": Op(lambda xp, a, b: xp.inner(a, b), (M, (2, 4))),
    "outer": Op(lambda xp, a, b: xp.outer(a, b), ((3,), (4,))),
    # numpy's outer flattens its operands; autograd's refuses a matrix
    "outer of a matrix": Op(lambda xp, a, b: xp.outer(a, b), ((3,), (2, 2)), compare=False),
    "tensordot": Op(lambda xp, a, b: xp.tensordot(a, b, axes=([1, 2], [0, 1])), ((2, 3, 4), M)),
    "einsum": Op(lambda xp, a, b: xp.einsum("ij,jk->ik", a, b), (M, (4, 2))),
    "einsum three operands": Op(
        lambda xp, a, b, c: xp.einsum("i,ij,j->j", a, b, c), ((3,), M, (4,))
    ),
    # reductions
    "sum": Op(lambda xp, x: xp.sum(x, axis=0), (M,)),
    "mean": Op(lambda xp, x: xp.mean(x, axis=(0, 1), keepdims=True), (M,)),
    "max": Op(lambda xp, x: xp.max(x, axis=1), (M,)),
    "min": Op(lambda xp, x: xp.min(x, axis=0, keepdims=True), (M,)),
    "prod": Op(lambda xp, x: xp.prod(x, axis=1), (M,)),
    "cumsum": Op(lambda xp, x: xp.cumsum(x, axis=1), (M,)),
    "cumsum flat": Op(lambda xp, x: xp.cumsum(x), (M,)),
    "var": Op(lambda xp, x: xp.var(x, axis=0), (M,)),
    "std": Op(lambda xp, x: xp.std(x, axis=1, ddof=1), (M,)),
    "average": Op(lambda xp, x: xp.average(x, axis=1, weights=np.arange(1.0, 5.0)), (M,)),
    "trace": Op(lambda xp, x: xp.trace(x), (M,)),
    "linalg.norm vector": Op(lambda xp, x: xp.linalg.norm(x), ((5,),)),
    "linalg.norm Frobenius": Op(lambda xp, x: xp.linalg.norm(x), (M,)),
    "linalg.norm along an axis": Op(lambda xp, x: xp.linalg.norm(x, axis=1), (M,)),
    # linear algebra
    "linalg.inv": Op(lambda xp, a: xp.linalg.inv(a), ((3, 3),), "matrix"),
    "linalg.det": Op(lambda xp, a: xp.linalg.det(a), ((3, 3),), "matrix"),
    "linalg.slogdet": Op(lambda xp, a: xp.linalg.slogdet(a)[1], ((3, 3),), "matrix"),
    "linalg.solve": Op(lambda xp, a, b: xp.linalg.solve(a, b), ((3, 3), (3, 2)), "matrix"),
    "linalg.solve vector": Op(lambda xp, a, b: xp.linalg.solve(a, b), ((3, 3), (3,)), "matrix"),
    # moving entries around
    "reshape": Op(lambda xp, x: xp.reshape(x, (4, 3)), (M,)),
    "transpose": Op(lambda xp, x: xp.transpose(x, (1, 0, 2)), ((2, 3, 4),)),
    "getitem fancy with repeats": Op(lambda xp, x: x[[0, 2, 0], 1:], (M,)),
    "getitem boolean": Op(lambda xp, x: x[np.array([True, False, True])], (M,)),
    "concatenate": Op(lambda xp, a, b: xp.concatenate([a, b], axis=1), (M, (3, 2))),
    "stack": Op(lambda xp, a, b: xp.stack([a, b], axis=1), (M, M)),
    "hstack": Op(lambda xp, a, b: xp.hstack([a, b]), ((3,), (2,))),
    "vstack": Op(lambda xp, a, b: xp.vstack([a, b]), ((4,), M)),
    "split": Op(lambda xp, x: xp.split(x, [1, 3], axis=1)[1], (M,)),
    "flip": Op(lambda xp, x: xp.flip(x, axis=1), (M,)),
    "roll": Op(lambda xp, x: xp.roll(x, 2, axis=1), (M,)),
    "tile": Op(lambda xp, x: xp.tile(x, (2, 1)), (M,)),
    "repeat": Op(lambda xp, x: xp.repeat(x, 2, axis=0), (M,)),
    "take": Op(lambda xp, x: xp.take(x, [3, 0, 3], axis=1), (M,)),
    "diag": Op(lambda xp, x: xp.diag(x), ((3,),)),
    "diagonal": Op(lambda xp, x: xp.diagonal(x), (M,)),
    "pad": Op(lambda xp, x: xp.pad(x, ((1, 0), (0, 2))), (M,)),
    "diff": Op(lambda xp, x: xp.diff(x, n=2, axis=1), (M,)),
    "squeeze": Op(lambda xp, x: xp.squeeze(x), ((3, 1, 4),)),
    "ravel": Op(lambda xp, x: xp.ravel(x), (M,)),
    "swapaxes": Op(lambda xp, x: xp.swapaxes(x, 0, 2), ((2, 3, 4),)),
    "moveaxis": Op(lambda xp, x: xp.moveaxis(x, 0, -1), ((2, 3, 4),)),
    "expand_dims": Op(lambda xp, x: xp.expand_dims(x, 1), (M,)),
    # autograd's broadcast_to fails its own assertion on added leading axes
    "broadcast_to": Op(lambda xp, x: xp.broadcast_to(x, (2, 3, 4)), ((3, 1),), compare=False),
    # the methods of ndarray a numpy user reaches for
    "method ravel": Op(lambda xp, x: x.ravel(), (M,), autograd=lambda xp, x: xp.ravel(x)),
    "method flatten": Op(lambda xp, x: x.flatten(), (M,), autograd=lambda xp, x: xp.ravel(x)),
    "method copy": Op(lambda xp, x: x.copy() * 2.0, (M,), autograd=lambda xp, x: x * 2.0),
    "method astype": Op(lambda xp, x: x.astype(np.float64), (M,), autograd=lambda xp, x: x),
    "method dot": Op(
        lambda xp, a: a.dot(np.arange(4.0)), (M,), autograd=lambda xp, a: xp.dot(a, np.arange(4.0))
    ),
    "method min": Op(lambda xp, x: x.min(axis=1), (M,), autograd=lambda xp, x: xp.min(x, axis=1)),
    "method max": Op(lambda xp, x: x.max(axis=0), (M,), autograd=lambda xp, x: xp.max(x, axis=0)),
    "method std": Op(lambda xp, x: x.std(), (M,), autograd=lambda xp, x: xp.std(x)),
    "method var": Op(lambda xp, x: x.var(axis=1), (M,), autograd=lambda xp, x: xp.var(x, axis=1)),
    "method clip": Op(
        lambda xp, x: x.clip(-1.0, 1.0), (M,), autograd=lambda xp, x: xp.clip(x, -1.0, 1.0)
    ),
    "method squeeze": Op(
        lambda xp, x: x.squeeze(), ((3, 1, 4),), autograd=lambda xp, x: xp.squeeze(x)
    ),
    "method swapaxes": Op(
        lambda xp, x: x.swapaxes(0, 1), (M,), autograd=lambda xp, x: xp.swapaxes(x, 0, 1)
    ),
    "method T": Op(lambda xp, x: x.T, (M,), autograd=lambda xp, x: xp.transpose(x)),
    "method prod": Op(lambda xp, x: x.prod(axis=0), (M,), autograd=lambda xp, x: xp.prod(x, 0)),
    "method cumsum": Op(
        lambda xp, x: x.cumsum(axis=0), (M,), autograd=lambda xp, x: xp.cumsum(x, axis=0)
    ),
}

CASES = [(name, argnum) for name, op in OPS.items() for argnum in range(len(op.shapes))]


def _setup(name: str, argnum: int) -> tuple[Callable[[Any], Any], np.ndarray, Op]:
    """``x -> sum(weights * f(..., x, ...))`` with the other arguments fixed, and the point."""
    op = OPS[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    args = [_draw(rng, shape, op.domain) for shape in op.shapes]
    weights = rng.uniform(0.5, 1.5, np.shape(op.f(np, *args)))

    def of_one(x: Any, xp: Any = np, f: Callable[..., Any] = op.f) -> Any:
        called = list(args)
        called[argnum] = x
        return xp.sum(weights * f(xp, *called))

    return of_one, args[argnum], op


def _central_differences(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """The gradient by central differences, step 1e-6 scaled to each entry."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = 1e-6 * max(1.0, abs(x[index]))
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (f(up) - f(down)) / (2 * step)
    return gradient


@pytest.mark.parametrize(("name", "argnum"), CASES)
def test_each_operation_matches_finite_differences_in_both_modes(name: str, argnum: int) -> None:
    f, x, _ = _setup(name, argnum)
    reverse = grad(f)(x)
    np.testing.assert_allclose(reverse, _central_differences(f, x), rtol=1e-6, atol=1e-8)
    # Forward mode reads the same rule: its Jacobian (one row here) equals reverse mode's.
    forward = jacfwd(f)(x)
    np.testing.assert_allclose(forward, reverse, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(jacrev(f)(x), reverse, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(("name", "argnum"), CASES)
def test_each_operation_matches_hips_autograd(name: str, argnum: int) -> None:
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    f, x, op = _setup(name, argnum)
    if not op.compare:
        pytest.skip(f"autograd 1.x gets {name} wrong or refuses it")
    spelled = op.autograd or op.f

    def theirs(point: Any) -> Any:
        return f(point, xp=anp, f=spelled)

    try:
        expected = autograd.grad(theirs)(x)
    except (NotImplementedError, AttributeError, TypeError) as missing:
        pytest.skip(f"autograd cannot differentiate {name}: {missing}")
    np.testing.assert_allclose(grad(f)(x), expected, rtol=1e-10, atol=1e-12)


def test_every_rule_and_numpy_function_has_a_row_so_neither_mode_can_miss_one() -> None:
    # A rule reached by a ufunc or a numpy function, or a method of the traced classes, that
    # has no row above is untested in both modes: the row is the checklist's last step.
    covered = {name.split()[0] for name in OPS} | {name.split()[-1] for name in OPS}
    ufuncs = {rule.__name__ for rule in rules.UFUNCS.values()}
    functions = {_numpy.qualified_name(f).removeprefix("numpy.") for f in _numpy.FUNCTIONS}
    missing = sorted((ufuncs | functions) - covered - {"amax", "amin"})
    assert not missing, f"operations without a test row: {missing}"
