"""Every way of leaving the autodiff graph raises, in reverse and in forward mode.

A traced value (a reverse-mode :class:`~calcml.Tensor` or a forward-mode
:class:`~calcml.autodiff.Dual`) turned into a Python number or a plain array carries no
derivative; computing on with it would return a plausible, wrong gradient. Each row is a
conversion a user could write inside ``f``; each must raise
:class:`calcml.autodiff.UnsupportedOperationError` naming what to use instead.
"""

from __future__ import annotations

import cmath
import gc
import math
import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from calcml import UnsupportedOperationError, grad, jacfwd, jacrev, jvp, value_and_grad, vjp
from calcml.autodiff import Dual, Tensor, log_softmax, logsumexp, sigmoid, softmax

X = np.array([0.5, 2.0])

# name -> (f of a traced vector x that leaves the graph, words the message must contain)
LEAVING: dict[str, tuple[Callable[[Any], Any], str]] = {
    "math.exp": (lambda x: math.exp(x[0]) + x[1] ** 2, "np.exp instead of math.exp"),
    "math.sqrt": (lambda x: math.sqrt(x[0]) * x[1], "np.sqrt instead of math.sqrt"),
    "math.atan2": (lambda x: math.atan2(x[0], x[1]) * x[1], "np.arctan2 instead of math.atan2"),
    "math.fabs": (lambda x: math.fabs(x[0]) * x[1], "np.abs instead of math.fabs"),
    "math.log and math.cos": (
        lambda x: math.log(x[0]) + math.cos(x[1]) * x[0],
        "np.log instead of math.log, np.cos instead of math.cos",
    ),
    "math.floor": (lambda x: math.floor(x[0]) * x[1], "math.floor"),
    "cmath.exp": (lambda x: cmath.exp(x[0]).real * x[1], "Python complex"),
    "float()": (lambda x: float(x[0]) * x[1], "Python float"),
    "int()": (lambda x: int(x[1]) * x[0], "Python int"),
    "complex()": (lambda x: complex(x[0]).real * x[1], "Python complex"),
    "round()": (lambda x: round(x[1]) * x[0], "round()"),
    "math.trunc": (lambda x: math.trunc(x[1]) * x[0], "math.trunc"),
    "math.ceil": (lambda x: math.ceil(x[1]) * x[0], "math.ceil"),
    "__index__ (list index)": (lambda x: [1.0, 2.0, 3.0][x[1]] * x[0], "an index"),
    "operator.index": (lambda x: operator.index(x[1]) * x[0], "an index"),
    "range()": (lambda x: sum(range(x[1])) * x[0], "an index"),
    ".item()": (lambda x: x[0].item() * x[1], ".item()"),
    ".tolist()": (lambda x: x.tolist()[0] * x[1], ".tolist()"),
    "np.asarray": (lambda x: np.sum(np.asarray(x)) * x[0], "numpy array"),
    "np.array": (lambda x: np.sum(np.array(x)) * x[0], "numpy array"),
    "np.float64()": (lambda x: np.float64(x[0]) * x[1], "would detach"),
    "np.array inside a list": (lambda x: np.sum(np.array([x[0], x[1]])) * x[0], "detach"),
}


def _call_in_mode(mode: str, f: Callable[[Any], Any]) -> Any:
    """Differentiate ``f`` at X with one public entry point of each mode."""
    if mode == "grad":
        return grad(f)(X)
    if mode == "value_and_grad":
        return value_and_grad(f)(X)
    if mode == "vjp":
        return vjp(f, X)
    if mode == "jacrev":
        return jacrev(f)(X)
    if mode == "jvp":
        return jvp(f, (X,), (np.ones(2),))
    return jacfwd(f)(X)


REVERSE_MODES = ("grad", "value_and_grad", "vjp", "jacrev")
FORWARD_MODES = ("jvp", "jacfwd")


@pytest.mark.parametrize("mode", REVERSE_MODES + FORWARD_MODES)
@pytest.mark.parametrize("case", LEAVING)
def test_leaving_the_graph_raises_naming_what_to_use_instead(case: str, mode: str) -> None:
    f, words = LEAVING[case]
    with pytest.raises(UnsupportedOperationError, match="detach") as error:
        _call_in_mode(mode, f)
    message = str(error.value)
    assert words in message
    assert ".value" in message  # the way to ask for a constant on purpose


@pytest.mark.parametrize("traced", [Tensor(1.5), Dual(1.5, 1.0)], ids=["Tensor", "Dual"])
@pytest.mark.parametrize(
    "convert", [float, int, complex, operator.index, math.exp, np.asarray], ids=repr
)
def test_converting_a_traced_value_directly_raises_a_type_error(
    traced: Any, convert: Callable[[Any], Any]
) -> None:
    # UnsupportedOperationError is a TypeError: code catching TypeError still sees it.
    with pytest.raises(TypeError, match="detach"):
        convert(traced)


def test_reading_value_is_the_intentional_constant_and_has_derivative_zero() -> None:
    # d/dx [x * c] with c = x.value held constant is c, not 2x.
    assert grad(lambda x: x * x.value)(3.0) == 3.0
    assert jvp(lambda x: x * x.value, (3.0,), (1.0,)) == (9.0, 3.0)


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_branching_on_a_traced_value_follows_the_branch_taken(mode: str) -> None:
    # bool() is allowed (as in autograd): f is piecewise, and the derivative is the branch's.
    def f(x: Any) -> Any:
        return x**2 if x > 1.0 else -3.0 * x

    def derivative(x: float) -> Any:
        return grad(f)(x) if mode == "grad" else jvp(f, (x,), (1.0,))[1]

    assert derivative(2.0) == 4.0
    assert derivative(0.5) == -3.0
    if_ = grad(lambda x: x * 5.0 if bool(x != 0.0) else x)(1.0)
    assert if_ == 5.0


# Complex numbers: refused, pointing to the complex step of calcml.derivative.
COMPLEX: dict[str, Callable[[], Any]] = {
    "grad of a complex scalar": lambda: grad(np.sin)(1.0 + 2.0j),
    "grad of a complex array": lambda: grad(np.sum)(np.array([1.0 + 0.0j, 2.0])),
    "jacrev of a complex array": lambda: jacrev(np.sin)(np.array([1.0j])),
    "jacfwd of a complex list": lambda: jacfwd(np.sin)([1.0j, 2.0]),
    "jvp complex primal": lambda: jvp(np.sin, (1.0j,), (1.0,)),
    "jvp complex tangent": lambda: jvp(np.sin, (1.0,), (1.0j,)),
    "vjp complex primal": lambda: vjp(np.sin, np.array([2.0j])),
    "Tensor of complex": lambda: Tensor(1.0j),
    "Dual of complex": lambda: Dual(1.0, 1.0j),
    "complex constant in f": lambda: grad(lambda x: np.sum(x * np.array([1.0j])))(1.0),
    "complex scalar in f": lambda: grad(lambda x: (x * 1.0j).value.real)(1.0),
}


@pytest.mark.parametrize("case", COMPLEX)
def test_complex_input_is_refused_pointing_to_the_complex_step(case: str) -> None:
    with pytest.raises(UnsupportedOperationError, match=r"complex.*method='complex'"):
        COMPLEX[case]()


# Memory: no reference cycles, so a graph is freed by reference counting alone.
GRAPHS: dict[str, Callable[[Any], Any]] = {
    "tanh": np.tanh,
    "exp": np.exp,
    "divide": lambda x: 1.0 / (x + 3.0),
    "divide by a traced value": lambda x: x / (x * x + 1.0),
    "power": lambda x: (x + 3.0) ** 2.5,
    "power with a traced exponent": lambda x: 2.0**x,
    "sqrt": lambda x: np.sqrt(x + 3.0),
    "sigmoid": sigmoid,
    "softmax": softmax,
    "logsumexp": logsumexp,
    "log_softmax": log_softmax,
    "mean of a product": lambda x: np.mean(x * x),
    "max and indexing": lambda x: np.max(x[::-1] * 2.0),
}


@pytest.mark.parametrize("kind", [Tensor, Dual], ids=["Tensor", "Dual"])
@pytest.mark.parametrize("name", GRAPHS)
def test_a_graph_built_and_dropped_is_freed_without_the_garbage_collector(
    name: str, kind: type
) -> None:
    gc.collect()
    gc.disable()
    try:
        x = kind(np.array([0.3, -0.7, 1.1]))
        out = GRAPHS[name](x)
        output, leaf = weakref.ref(out), weakref.ref(x)
        del out, x  # never run backward: the closures are still attached
        assert output() is None, f"{name}: its graph is a reference cycle"
        assert leaf() is None
    finally:
        gc.enable()


def test_training_many_steps_creates_no_garbage_for_the_collector() -> None:
    data = np.random.default_rng(1).normal(size=(32, 4))
    step = value_and_grad(lambda w: np.mean(logsumexp(np.tanh(data @ w), axis=1)))
    weights = np.ones((4, 3))
    gc.collect()
    gc.disable()
    try:
        for _ in range(200):
            weights = weights - 0.1 * step(weights)[1]
            vjp(lambda w: softmax(data @ w) / (1.0 + sigmoid(w.sum())), weights)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
