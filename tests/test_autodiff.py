"""Tests for calcml.autodiff: every operation against the numerical gradient, both modes
against each other and against HIPS autograd, and the documented errors and conventions."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcml import (
    Tensor,
    check_gradient,
    draw_graph,
    grad,
    jacfwd,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)
from calcml.autodiff import (
    Dual,
    hessian,
    hvp,
    log_softmax,
    logsumexp,
    relu,
    sigmoid,
    softmax,
)

RNG = np.random.default_rng(20240601)


def _away_from_zero(shape: tuple[int, ...]) -> np.ndarray:
    """Random entries with |x| in [0.5, 1.5]: no kinks, no ties, positive where needed."""
    return RNG.choice([-1.0, 1.0], size=shape) * RNG.uniform(0.5, 1.5, size=shape)


# Unary operations: name -> (function written in plain numpy, input of shape (3, 4)).
UNARY: dict[str, tuple[Callable[[Any], Any], np.ndarray]] = {
    "exp": (np.exp, _away_from_zero((3, 4))),
    "log": (np.log, RNG.uniform(0.5, 2.0, (3, 4))),
    "sin": (np.sin, _away_from_zero((3, 4))),
    "cos": (np.cos, _away_from_zero((3, 4))),
    "tanh": (np.tanh, _away_from_zero((3, 4))),
    "sqrt": (np.sqrt, RNG.uniform(0.5, 2.0, (3, 4))),
    "abs": (np.abs, _away_from_zero((3, 4))),
    "negative": (lambda x: -x, _away_from_zero((3, 4))),
    "power": (lambda x: x**3, _away_from_zero((3, 4))),
    "rpow": (lambda x: 2.0**x, _away_from_zero((3, 4))),
    "maximum with 0": (lambda x: np.maximum(0.0, x), _away_from_zero((3, 4))),
    "relu": (relu, _away_from_zero((3, 4))),
    "sigmoid": (sigmoid, _away_from_zero((3, 4))),
    "softmax axis 0": (lambda x: softmax(x, axis=0), _away_from_zero((3, 4))),
    "log_softmax": (log_softmax, _away_from_zero((3, 4))),
    "logsumexp axis 1": (lambda x: logsumexp(x, axis=1), _away_from_zero((3, 4))),
    "logsumexp all keepdims": (lambda x: logsumexp(x, keepdims=True), _away_from_zero((3, 4))),
    "sum axis 0": (lambda x: np.sum(x, axis=0), _away_from_zero((3, 4))),
    "sum keepdims": (lambda x: x.sum(axis=1, keepdims=True), _away_from_zero((3, 4))),
    "mean axis 1": (lambda x: np.mean(x, axis=1), _away_from_zero((3, 4))),
    "mean all": (lambda x: np.mean(x) * np.ones(2), _away_from_zero((3, 4))),
    "mean positional axis keepdims": (
        lambda x: np.mean(x, 0, keepdims=True),
        _away_from_zero((3, 4)),
    ),
    "sum positional axis": (lambda x: np.sum(x, 1), _away_from_zero((3, 4))),
    "max axis 1": (lambda x: np.max(x, axis=1), _away_from_zero((3, 4))),
    "reshape": (lambda x: np.reshape(x, (4, 3)) @ np.arange(3.0), _away_from_zero((3, 4))),
    "transpose": (lambda x: x.T @ np.arange(3.0), _away_from_zero((3, 4))),
    "fancy index with repeats": (lambda x: x[[0, 2, 0], 1:] ** 2, _away_from_zero((3, 4))),
    "where": (lambda x: np.where(x > 0, x**2, 3.0 * x), _away_from_zero((3, 4))),
    "divide": (lambda x: 1.0 / x, _away_from_zero((3, 4))),
}

# Binary operations with broadcasting: name -> (operation, left shape, right shape).
BINARY: dict[str, tuple[Callable[[Any, Any], Any], tuple[int, ...], tuple[int, ...]]] = {
    "add": (lambda a, b: a + b, (3, 1), (1, 4)),
    "subtract": (lambda a, b: a - b, (2, 3, 4), (4,)),
    "multiply": (lambda a, b: a * b, (3, 4), (3, 1)),
    "divide": (lambda a, b: a / b, (4,), (3, 4)),
    "power": (lambda a, b: np.abs(a) ** b, (3, 4), (4,)),
    "maximum": (np.maximum, (3, 4), (1, 4)),
    "matmul matrix": (lambda a, b: a @ b, (3, 4), (4, 2)),
    "matmul vector right": (lambda a, b: a @ b, (3, 4), (4,)),
    "matmul vector left": (lambda a, b: a @ b, (4,), (4, 2)),
    "matmul batched": (lambda a, b: a @ b, (2, 3, 4), (4, 2)),
    "dot": (np.dot, (3, 4), (4, 2)),
}


def _weighted_sum(f: Callable[..., Any], weights: np.ndarray) -> Callable[..., Any]:
    """A scalar whose gradient involves every output entry, each with its own weight."""
    return lambda *args: np.sum(weights * f(*args))


@pytest.mark.parametrize("name", UNARY)
def test_gradient_of_each_operation_matches_the_numerical_gradient(name: str) -> None:
    f, x = UNARY[name]
    loss = _weighted_sum(f, RNG.uniform(0.5, 1.5, np.shape(f(x))))
    result = check_gradient(loss, grad(loss), x)
    assert result.ok, str(result)


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("argnum", [0, 1])
def test_gradient_of_each_broadcasting_operation_matches_numerical_gradient(
    name: str, argnum: int
) -> None:
    operation, left_shape, right_shape = BINARY[name]
    operands = [_away_from_zero(left_shape), _away_from_zero(right_shape)]
    loss = _weighted_sum(operation, RNG.uniform(0.5, 1.5, np.shape(operation(*operands))))

    def of_one(x: Any) -> Any:
        args = list(operands)
        args[argnum] = x
        return loss(*args)

    result = check_gradient(of_one, grad(of_one), operands[argnum])
    assert result.ok, str(result)


@pytest.mark.parametrize("name", UNARY)
def test_forward_and_reverse_jacobians_agree_for_each_operation(name: str) -> None:
    f, x = UNARY[name]
    np.testing.assert_allclose(jacfwd(f)(x), jacrev(f)(x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", BINARY)
def test_forward_and_reverse_jacobians_agree_with_broadcasting(name: str) -> None:
    operation, left_shape, right_shape = BINARY[name]
    left, right = _away_from_zero(left_shape), _away_from_zero(right_shape)
    for argnum in (0, 1):
        forward = jacfwd(operation, argnums=argnum)(left, right)
        reverse = jacrev(operation, argnums=argnum)(left, right)
        np.testing.assert_allclose(forward, reverse, rtol=1e-12, atol=1e-14)


def test_jvp_and_vjp_are_the_jacobian_times_a_vector() -> None:
    def f(x: Any) -> Any:
        return np.tanh(np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]]) @ x)

    x, v, u = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, -1.0]), np.array([0.5, -2.0])
    jacobian = jacfwd(f)(x)
    _, tangent = jvp(f, (x,), (v,))
    _, vjp_fn = vjp(f, x)
    np.testing.assert_allclose(tangent, jacobian @ v, rtol=1e-12)
    np.testing.assert_allclose(vjp_fn(u)[0], u @ jacobian, rtol=1e-12)


def test_gradients_of_known_functions_equal_their_derivatives() -> None:
    assert grad(lambda x: x**3)(2.0) == pytest.approx(12.0)
    assert grad(np.sin)(0.3) == pytest.approx(np.cos(0.3))
    assert grad(lambda x, y: x * y, argnums=1)(3.0, 5.0) == pytest.approx(3.0)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    value, slope = value_and_grad(lambda w: np.sum(w**2) / 2)(x)
    assert value == pytest.approx(15.0)
    np.testing.assert_allclose(slope, x)


def test_gradient_of_a_value_used_twice_is_the_sum_of_both_uses() -> None:
    x = Tensor([1.0, -3.0])
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.array([1.0, -3.0]) + 1)


def test_gradient_has_the_shape_and_type_of_its_argument() -> None:
    assert isinstance(grad(np.exp)(0.0), float)
    assert grad(lambda x: np.sum(x**2))(np.ones((2, 3, 1))).shape == (2, 3, 1)
    unused, used = grad(lambda x, y: np.sum(y**2), argnums=(0, 1))(np.ones(3), 1.5)
    np.testing.assert_array_equal(unused, np.zeros(3))
    assert used == 3.0


def test_gradients_are_recomputed_not_accumulated_by_a_second_backward() -> None:
    x = Tensor(3.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == pytest.approx(6.0)


def test_returned_gradients_do_not_share_memory() -> None:
    dx, dy = grad(lambda x, y: np.sum(3.0 * (x + y)), argnums=(0, 1))(np.ones(3), np.ones(3))
    dx[0] = 100.0
    np.testing.assert_allclose(dy, [3.0, 3.0, 3.0])


def test_a_transposed_weights_gradient_and_a_vjp_are_the_callers_alone() -> None:
    # h @ W.T: W's gradient delta^T h is computed row-major and handed out uncopied; it
    # must still be the caller's alone, and a vjp must not alias the caller's cotangent.
    h = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    gW, gV = grad(lambda W, V: np.sum(h @ W.T) + np.sum(h @ V.T), argnums=(0, 1))(
        np.ones((4, 3)), np.ones((4, 3))
    )
    expected = np.tile(h.sum(axis=0), (4, 1))
    np.testing.assert_array_equal(gW, expected)
    assert gW.flags.c_contiguous
    assert gW.flags.writeable
    gW[0, 0] = 100.0
    np.testing.assert_array_equal(gV, expected)
    cotangent = np.ones((2, 2))
    _, vjp_fn = vjp(lambda x: x.reshape(2, 2), np.arange(4.0))
    (pulled,) = vjp_fn(cotangent)
    pulled[0] = 7.0
    np.testing.assert_array_equal(cotangent, np.ones((2, 2)))


def test_gradients_of_broadcast_and_reduced_arguments_are_writable_arrays_of_their_own() -> None:
    # d/db sum(X + b) counts the rows b was added to; d/dx mean(x) is 1/n everywhere.
    db, dx = grad(lambda b, x: np.sum(np.ones((4, 3)) + b) + np.mean(x), argnums=(0, 1))(
        np.zeros(3), np.zeros(2)
    )
    np.testing.assert_allclose(db, [4.0, 4.0, 4.0])
    np.testing.assert_allclose(dx, [0.5, 0.5])
    db[0] = dx[0] = -1.0
    assert db.flags.owndata
    assert dx.flags.owndata


# Random expressions: a chain of smooth operations, each combining the last value with an
# earlier one, written against a namespace so that calcml and autograd run the same code.
STEPS: list[Callable[[Any, Any, Any], Any]] = [
    lambda xp, a, b: xp.sin(a) * b,
    lambda xp, a, b: xp.tanh(a + b),
    lambda xp, a, b: a * b - xp.cos(b),
    lambda xp, a, b: xp.exp(-(a**2)) + b,
    lambda xp, a, b: a / (1.0 + b**2),
    lambda xp, a, b: xp.sqrt(1.0 + a**2) * xp.mean(b),
    lambda xp, a, b: xp.maximum(a, b + 1.0) - xp.sum(b, axis=0),
]


def _expression(choices: list[tuple[int, int]], xp: Any) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        values = [x, xp.sin(x)]
        for step, earlier in choices:
            values.append(STEPS[step](xp, values[-1], values[earlier % len(values)]))
        return xp.sum(values[-1] ** 2)

    return f


expressions = st.lists(
    st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 50)), min_size=1, max_size=6
)


@settings(max_examples=25, deadline=None)
@given(choices=expressions, seed=st.integers(0, 2**16))
def test_random_expressions_match_the_numerical_gradient(
    choices: list[tuple[int, int]], seed: int
) -> None:
    f = _expression(choices, np)
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=3)
    result = check_gradient(f, grad(f), x, tolerance=1e-5)
    assert result.ok, str(result)


@settings(max_examples=25, deadline=None)
@given(choices=expressions, seed=st.integers(0, 2**16))
def test_random_expressions_match_hips_autograd(choices: list[tuple[int, int]], seed: int) -> None:
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, size=3)
    expected = autograd.grad(_expression(choices, anp))(x)
    np.testing.assert_allclose(grad(_expression(choices, np))(x), expected, rtol=1e-10)


def test_mlp_loss_and_gradient_match_hips_autograd() -> None:
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")

    def autograd_logsumexp(scores: Any, axis: int) -> Any:
        return anp.log(anp.sum(anp.exp(scores), axis=axis))

    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(16, 5)), rng.integers(0, 3, 16)
    params = [rng.normal(size=(5, 8)), rng.normal(size=8), rng.normal(size=(8, 3)), np.zeros(3)]

    def loss(params: list[Any], xp: Any, lse: Callable[..., Any]) -> Any:
        w1, b1, w2, b2 = params
        scores = xp.tanh(x @ w1 + b1) @ w2 + b2
        return xp.mean(lse(scores, axis=1) - scores[np.arange(16), labels])

    value, ours = value_and_grad(lambda *p: loss(list(p), np, logsumexp), argnums=(0, 1, 2, 3))(
        *params
    )
    theirs = autograd.grad(lambda p: loss(p, anp, autograd_logsumexp))(params)
    assert value == pytest.approx(loss(params, np, logsumexp))
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-10)


# Conventions at kinks, as documented in calcml.autodiff.engine.
def test_abs_and_relu_have_slope_zero_at_zero() -> None:
    assert grad(np.abs)(0.0) == 0.0
    assert grad(relu)(0.0) == 0.0


def test_maximum_and_max_split_the_slope_equally_at_a_tie() -> None:
    assert grad(lambda x: np.maximum(x, 1.0))(1.0) == 0.5
    # Entrywise, with broadcasting: only the tied entries split, each side getting half.
    da, db = grad(lambda a, b: np.sum(np.maximum(a, b)), argnums=(0, 1))(
        np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]), np.array([1.0, 1.0, 1.0])
    )
    np.testing.assert_allclose(da, [[0.0, 0.5, 1.0], [0.5, 0.5, 0.5]])
    np.testing.assert_allclose(db, [1.0 + 0.5, 0.5 + 0.5, 0.0 + 0.5])
    np.testing.assert_allclose(grad(np.max)(np.array([2.0, 2.0, 1.0])), [0.5, 0.5, 0.0])


def test_sqrt_at_zero_and_log_of_nonpositive_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="sqrt is not differentiable at 0"):
        grad(np.sqrt)(0.0)
    with pytest.raises(ValueError, match="log needs positive input"):
        grad(np.log)(-1.0)


# Errors
def test_matmul_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(3, 2\)"):
        Tensor(np.ones((3, 4))) @ np.ones((3, 2))
    with pytest.raises(ValueError, match=r"shapes \(\) and \(2,\)"):
        Tensor(2.0) @ np.ones(2)


def test_backward_of_a_non_scalar_without_a_seed_says_so() -> None:
    with pytest.raises(ValueError, match=r"without a seed.*shape \(3,\)"):
        (Tensor(np.ones(3)) * 2).backward()
    with pytest.raises(ValueError, match="seed must have the tensor's shape"):
        (Tensor(np.ones(3)) * 2).backward(seed=np.ones(2))


def test_unsupported_numpy_function_raises_naming_it() -> None:
    with pytest.raises(TypeError, match="arcsinh"):
        grad(np.arcsinh)(0.5)
    with pytest.raises(TypeError, match=r"function numpy\.linalg\.eigvalsh is not supported"):
        grad(lambda x: np.sum(np.linalg.eigvalsh(np.outer(x, x))))(np.ones(3))
    with pytest.raises(TypeError, match=r"numpy\.linalg\.norm with ord=1"):
        grad(lambda x: np.linalg.norm(x, ord=1))(np.ones(3))
    with pytest.raises(TypeError, match="sum with dtype"):
        grad(lambda x: np.sum(x, dtype=np.float32))(np.ones(3))


def test_converting_a_traced_value_to_an_array_raises_instead_of_detaching() -> None:
    with pytest.raises(TypeError, match="detach"):
        grad(lambda x: np.sum(np.asarray(x)))(np.ones(3))


def test_function_whose_result_is_not_traced_is_reported() -> None:
    with pytest.raises(TypeError, match="not a traced Tensor"):
        grad(lambda x: x.value**2)(1.0)


def test_grad_of_a_vector_valued_function_points_to_jacobians() -> None:
    with pytest.raises(ValueError, match="jacrev"):
        grad(lambda x: x * 2)(np.ones(3))


def test_argnums_out_of_range_is_reported() -> None:
    with pytest.raises(ValueError, match="argnums=2"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_a_constant_computed_once_serves_many_backward_passes() -> None:
    # No gradient flows into a constant, so backward() neither walks nor releases its graph.
    data = Tensor([1.0, 2.0], requires_grad=False) * 2.0
    for w0 in (1.0, 3.0):
        w = Tensor(w0)
        (w * data).sum().backward()
        assert w.grad == pytest.approx(6.0)
        assert data.grad is None


def test_reusing_a_tensor_from_a_released_graph_raises() -> None:
    x = Tensor(2.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="released"):
        (y * 3).backward()


def test_non_finite_input_is_reported_by_name() -> None:
    with pytest.raises(ValueError, match="argument 0 of f must be finite"):
        grad(np.sin)(np.array([1.0, np.nan]))


# Structure, memory, drawing, activations on plain arrays
def test_backward_through_a_graph_deeper_than_the_recursion_limit() -> None:
    x = Tensor(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**20_000)


def test_training_steps_leave_no_garbage_cycles_so_every_graph_is_freed_at_once() -> None:
    # Without reference cycles, reference counting frees each step's graph as soon as the
    # step returns; memory cannot grow over any number of steps, collector or not.
    rng = np.random.default_rng(1)
    data = rng.normal(size=(32, 4))
    weights = rng.normal(size=(4, 1))
    step = value_and_grad(lambda w: np.mean(np.tanh(data @ w) ** 2))
    gc.collect()
    gc.disable()
    try:
        for _ in range(1_000):
            weights = weights - 0.1 * step(weights)[1]
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0


def test_draw_graph_labels_every_node_with_op_value_and_grad() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = Tensor(2.0, name="x")
    y = np.tanh(x * 3.0)
    y.backward()
    ax = draw_graph(y)
    labels = [text.get_text() for text in ax.texts if text.get_text()]
    assert len(labels) == 4  # x, the constant 3, the product, tanh
    assert any(label.startswith("x\nvalue 2\ngrad") for label in labels)
    assert any(label.startswith("tanh") for label in labels)
    plt.close(ax.figure)


def test_activations_accept_plain_arrays_and_return_arrays() -> None:
    x = np.array([-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(sigmoid(x), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(relu(x), [0.0, 0.0, 1000.0])
    np.testing.assert_allclose(softmax(x), [0.0, 0.0, 1.0])
    assert logsumexp(x) == pytest.approx(1000.0)
    np.testing.assert_allclose(np.exp(log_softmax(np.array([1.0, 2.0]))).sum(), 1.0)
    assert all(isinstance(f(x), np.ndarray) for f in (sigmoid, relu, softmax, log_softmax))


def test_equality_compares_values_like_numpy_and_identity_stays_the_hash() -> None:
    x = Tensor([1.0, 2.0])
    assert (x == 1.0).tolist() == [True, False]
    assert (x != 1.0).tolist() == [False, True]
    assert (Dual(3.0, 1.0) == 3.0) is np.True_
    assert len({x, x, Tensor([1.0, 2.0])}) == 2


def test_draw_graph_shows_one_arrow_per_use_of_an_input() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = Tensor(-2.0, name="r")
    square = r * r
    square.backward()
    ax = draw_graph(square)
    arrows = [text for text in ax.texts if not text.get_text()]
    assert len(arrows) == 2
    styles = {arrow.arrow_patch.get_connectionstyle().rad for arrow in arrows}
    assert len(styles) == 2  # the second use is bent, so it does not hide under the first
    plt.close(ax.figure)


# Tensor.mean is numpy's mean to the bit, in both modes (a sum times 1/n would differ by an
# ulp for about a quarter of sizes, and the two modes would print different losses).
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
def test_mean_agrees_with_numpy_bit_for_bit_in_both_modes(axis: Any) -> None:
    rng = np.random.default_rng(7)
    for rows in range(1, 40):
        for columns in (1, 3, 7, 10, 31):
            x = rng.normal(size=(rows, columns))
            expected = np.mean(x, axis=axis)
            assert np.array_equal(Tensor(x).mean(axis=axis).value, expected), (rows, columns)
            assert np.array_equal(np.mean(Dual(x), axis=axis).value, expected), (rows, columns)
    # Each averaged entry has slope exactly 1/n, in both modes.
    x = rng.normal(size=(5, 6))
    count = x.size // np.size(np.mean(x, axis=axis))
    reverse = jacrev(lambda t: np.mean(t, axis=axis))(x)
    forward = jacfwd(lambda t: np.mean(t, axis=axis))(x)
    np.testing.assert_array_equal(reverse, forward)
    assert set(np.unique(reverse).tolist()) <= {0.0, 1.0 / count}
    np.testing.assert_array_equal(
        grad(lambda t: np.sum(np.mean(t, axis=axis)))(x), np.full(x.shape, 1.0 / count)
    )


# Bad arguments to the public functions: (call, error type, words the message must contain).
BAD_CALLS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "jacfwd with two argnums": (
        lambda: jacfwd(lambda x, y: x * y, argnums=(0, 1)),
        TypeError,
        "argnums must be one int, got (0, 1)",
    ),
    "jacrev with two argnums": (
        lambda: jacrev(lambda x, y: x * y, argnums=(0, 1)),
        TypeError,
        "argnums must be one int",
    ),
    "grad with a string argnums": (lambda: grad(np.sin, argnums="0"), TypeError, "argnums"),
    "grad of a (1, 1) result": (
        lambda: grad(lambda w: w.T @ w)(np.ones((3, 1))),
        ValueError,
        "shape (1, 1): return its one entry as a number: index it, out[0, 0]",
    ),
    "grad of a vector result": (
        lambda: grad(lambda w: 2 * w)(np.ones(3)),
        ValueError,
        "returned shape (3,): reduce it",
    ),
    "grad of None": (lambda: grad(None), TypeError, "f must be a function"),
    "grad of a string": (lambda: grad("np.sin"), TypeError, "got str"),
    "value_and_grad of None": (lambda: value_and_grad(None), TypeError, "f must be a function"),
    "grad at None": (
        lambda: grad(np.sin)(None),
        TypeError,
        "argument 0 of f must be a real number or an array of real numbers, got None",
    ),
    "grad at a string": (lambda: grad(np.sin)("1.0"), TypeError, "argument 0 of f must be"),
    "jvp of None": (lambda: jvp(None, (1.0,), (1.0,)), TypeError, "f must be a function"),
    "jvp with a bare primal": (lambda: jvp(np.sin, 1.0, 1.0), TypeError, "write (primal,)"),
    "jvp at None": (
        lambda: jvp(np.sin, (None,), (1.0,)),
        TypeError,
        "primals[0] must be a real number or an array of real numbers, got None",
    ),
    "jvp along a string": (lambda: jvp(np.sin, (1.0,), ("a",)), TypeError, "tangents[0]"),
    "jvp wrong tangent shape": (
        lambda: jvp(np.sin, (np.ones(2),), (np.ones(3),)),
        ValueError,
        "tangents[0] must have the shape of primals[0]",
    ),
    "vjp of None": (lambda: vjp(None, 1.0), TypeError, "f must be a function"),
    "vjp at a string": (lambda: vjp(np.sin, "x"), TypeError, "primals[0] must be"),
    "vjp wrong cotangent shape": (
        lambda: vjp(np.sin, np.ones(2))[1](np.ones(3)),
        ValueError,
        "seed must have the tensor's shape (2,)",
    ),
    "Tensor of None": (
        lambda: Tensor(None),
        TypeError,
        "value must be a real number or an array of real numbers, got None",
    ),
    "Tensor of a string": (lambda: Tensor("x"), TypeError, "value must be"),
    "Dual of None": (
        lambda: Dual(None),
        TypeError,
        "value must be a real number or an array of real numbers, got None",
    ),
    "Dual with a string tangent": (lambda: Dual(1.0, "x"), TypeError, "tangent must be"),
    "Dual tangent of another shape": (
        lambda: Dual(np.ones(3), np.ones(2)),
        ValueError,
        "tangent must have the value's shape (3,)",
    ),
    "softmax of an empty list": (lambda: softmax([]), ValueError, "softmax: x is empty"),
    "logsumexp of an empty array": (
        lambda: logsumexp(np.zeros((2, 0))),
        ValueError,
        "logsumexp: x is empty",
    ),
    "log_softmax of an empty Tensor": (
        lambda: log_softmax(Tensor(np.zeros(0))),
        ValueError,
        "log_softmax: x is empty",
    ),
    "softmax of None": (
        lambda: softmax(None),
        TypeError,
        "softmax: x must be a real number or an array of real numbers, got None",
    ),
    "sigmoid of a string": (lambda: sigmoid("a"), TypeError, "sigmoid: x must be"),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_arguments_get_a_calcml_message_naming_them(case: str) -> None:
    call, kind, words = BAD_CALLS[case]
    with pytest.raises(kind) as error:
        call()
    assert words in str(error.value)


def test_gradient_of_a_function_of_no_numbers_is_empty() -> None:
    # An empty argument is a function of zero variables: its gradient is the empty vector.
    assert grad(np.sum)(np.zeros(0)).shape == (0,)


def test_slices_of_one_parameter_vector_add_into_one_gradient() -> None:
    # theta holds two "layers" (overlapping on purpose at index 3) and is also used whole;
    # d/dtheta of sum(a * W) + sum(theta**2) / 2, with W = theta[0:4] and a weight c on
    # theta[3:6], sums every use of each entry.
    theta = np.arange(1.0, 7.0)
    weights = np.array([1.0, 2.0, 3.0, 4.0])

    def f(t: Any) -> Any:
        first = t[0:4].reshape(2, 2)
        second = t[3:6]
        mask = np.array([True, False, False, False, False, True])
        return (
            np.sum(weights.reshape(2, 2) * first)
            + 10.0 * np.sum(second)
            + np.sum(t**2) / 2
            + np.sum(t[mask])
            + np.sum(t[[1, 1, 4]])
        )

    expected = theta.copy()  # from sum(t**2) / 2
    expected[0:4] += weights
    expected[3:6] += 10.0
    expected[[0, 5]] += 1.0
    expected[1] += 2.0
    expected[4] += 1.0
    gradient = grad(f)(theta)
    np.testing.assert_array_equal(gradient, expected)
    gradient[0] = -1.0  # the caller's own array
    np.testing.assert_array_equal(grad(f)(theta), expected)


# Parameter trees: nested dicts, lists and tuples through every entry point.
def test_grad_of_a_dict_of_parameters_is_a_dict_of_the_hand_derived_gradients() -> None:
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    params = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=2)}

    def loss(p: Any) -> Any:
        return np.sum((X @ p["W"].T + p["b"] - y) ** 2)

    residual = X @ params["W"].T + params["b"] - y
    gradient = grad(loss)(params)
    assert list(gradient) == ["W", "b"]
    np.testing.assert_allclose(gradient["W"], 2 * residual.T @ X, rtol=1e-12)
    np.testing.assert_allclose(gradient["b"], 2 * residual.sum(axis=0), rtol=1e-12)


def test_nested_lists_tuples_and_named_tuples_keep_their_structure() -> None:
    from collections import namedtuple

    Layer = namedtuple("Layer", ["W", "b"])
    params = [Layer(np.array([[2.0]]), 1.0), (np.array([3.0, 4.0]), {"scale": 0.5})]

    def f(p: Any) -> Any:
        (first, (vector, extra)) = p
        return np.sum(first.W * first.b) + extra["scale"] * np.sum(vector**2)

    value, gradient = value_and_grad(f)(params)
    assert value == pytest.approx(2.0 + 0.5 * 25.0)
    assert isinstance(gradient[0], Layer)
    assert gradient[0].W.tolist() == [[1.0]]
    assert gradient[0].b == 2.0
    np.testing.assert_array_equal(gradient[1][0], [3.0, 4.0])  # 2 * 0.5 * vector
    assert gradient[1][1] == {"scale": 25.0}


def test_has_aux_returns_the_auxiliary_value_as_numbers() -> None:
    def f(w: Any) -> Any:
        prediction = 3.0 * w
        return np.sum(prediction**2), {"prediction": prediction, "note": "kept"}

    (value, aux), gradient = value_and_grad(f, has_aux=True)(np.array([1.0, 2.0]))
    assert value == 45.0
    np.testing.assert_array_equal(gradient, [18.0, 36.0])  # 2 * 9 * w
    assert isinstance(aux["prediction"], np.ndarray)
    np.testing.assert_array_equal(aux["prediction"], [3.0, 6.0])
    assert aux["note"] == "kept"
    gradient_only, aux_again = grad(f, has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(gradient_only, gradient)
    assert aux_again["note"] == "kept"
    with pytest.raises(TypeError, match=r"has_aux=True\): f must return a pair"):
        grad(lambda w: np.sum(w), has_aux=True)(np.ones(2))


@pytest.mark.parametrize("jacobian", [jacrev, jacfwd], ids=["jacrev", "jacfwd"])
def test_jacobians_with_respect_to_a_tree_are_a_tree_of_jacobians(jacobian: Any) -> None:
    a, b = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 4.0])
    result = jacobian(lambda p: p["a"] * p["b"] + p["c"])({"a": a, "b": b, "c": 2.0})
    np.testing.assert_array_equal(result["a"], np.diag(b))  # d(a * b)/da = diag(b)
    np.testing.assert_array_equal(result["b"], np.diag(a))
    np.testing.assert_array_equal(result["c"], np.ones(3))


def test_vjp_and_jvp_take_trees_of_primals_and_tangents() -> None:
    def f(p: Any) -> Any:
        return p["x"] ** 2 * p["y"]

    point = {"x": np.array([1.0, 2.0]), "y": 3.0}
    value, vjp_fn = vjp(f, point)
    np.testing.assert_array_equal(value, [3.0, 12.0])
    (cotangent_tree,) = vjp_fn(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(cotangent_tree["x"], [6.0, 12.0])  # 2 x y
    assert cotangent_tree["y"] == 5.0  # sum of x**2
    _, tangent = jvp(f, (point,), ({"x": np.array([1.0, 0.0]), "y": 1.0},))
    np.testing.assert_array_equal(tangent, [6.0 + 1.0, 4.0])  # 2 x y dx + x**2 dy
    with pytest.raises(ValueError, match="structure of primals"):
        jvp(f, (point,), ({"x": np.ones(2)},))


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: grad(lambda p: p["W"].sum())({"W": np.ones(2), "b": None}), "f['b']"),
        (lambda: grad(lambda p: p[0].sum())([np.ones(2), ["x"]]), "f[1]"),
        (lambda: jacfwd(lambda p: p["a"])({"a": np.ones(2), "b": "text"}), "f['b']"),
        (lambda: vjp(lambda p: p[0], (np.ones(2), {"k": None})), "primals[0][1]['k']"),
    ],
)
def test_a_bad_leaf_is_named_by_its_path(call: Callable[[], Any], path: str) -> None:
    with pytest.raises(TypeError) as error:
        call()
    assert path in str(error.value)


def test_integer_valued_operations_are_constants_with_derivative_zero() -> None:
    # floor, round, sign and argmax are piecewise constant: d/dx [floor(x) * x] = floor(x).
    x = np.array([0.3, 1.7, -2.2])
    np.testing.assert_array_equal(grad(lambda t: np.sum(np.floor(t) * t))(x), np.floor(x))
    np.testing.assert_array_equal(grad(lambda t: np.sum(np.round(t) * t))(x), np.round(x))
    np.testing.assert_array_equal(jacfwd(lambda t: np.sign(t) * t)(x), np.diag(np.sign(x)))
    # an index found by argmax picks one entry: its gradient is that unit vector
    np.testing.assert_array_equal(grad(lambda t: t[np.argmax(t)] * 2.0)(x), [0.0, 2.0, 0.0])


# Derivatives of derivatives: forward mode over reverse mode.
def _hessian_by_differences(f: Callable[[np.ndarray], Any], x: np.ndarray) -> np.ndarray:
    """Central differences of the (exact, reverse-mode) gradient, column by column."""
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step.flat[j] = 1e-5
        columns.append((grad(f)(x + step) - grad(f)(x - step)) / 2e-5)
    return np.stack(columns, axis=-1).reshape(x.shape + x.shape)


SECOND_ORDER: dict[str, tuple[Callable[[Any], Any], np.ndarray]] = {
    "tanh of a matrix product": (
        lambda w: np.sum(np.tanh(np.arange(6.0).reshape(2, 3) / 4 @ w) ** 2),
        np.array([0.3, -0.5, 0.8]),
    ),
    "softmax": (lambda x: softmax(x) @ np.array([1.0, -2.0, 0.5]), np.array([0.1, 0.7, -0.4])),
    "logsumexp of a layer": (
        lambda w: logsumexp(np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]]) @ w),
        np.array([0.2, -0.3]),
    ),
    "matmul and mean squared error": (
        lambda w: np.mean((np.array([[1.0, 2.0], [3.0, -1.0]]) @ w.reshape(2, 2)) ** 2),
        np.array([0.5, -1.0, 2.0, 0.3]),
    ),
    "sigmoid, division and sqrt": (
        lambda x: np.sum(sigmoid(x) / np.sqrt(1.0 + x**2)),
        np.array([0.4, -1.2]),
    ),
    "a traced and a constant gradient meeting at an index": (
        lambda t: np.sum(np.tanh(t) ** 2) + 3.0 * t[1] + np.sum(t[[0, 0]]),
        np.array([0.3, -0.6, 0.9]),
    ),
    "sliced flat parameters": (
        lambda t: np.sum(np.tanh(t[:2] * t[2:])) + np.sum(t[[0, 0, 3]] ** 3),
        np.array([0.3, -0.6, 0.9, 0.2]),
    ),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_hessians_by_forward_over_reverse_match_differences_of_the_gradient(name: str) -> None:
    f, x = SECOND_ORDER[name]
    H = hessian(f)(x)
    np.testing.assert_allclose(H, _hessian_by_differences(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)  # mixed partials commute
    v = np.linspace(-1.0, 1.0, x.size)
    np.testing.assert_allclose(hvp(f, x, v), H @ v, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(jacfwd(jacrev(f))(x), H, rtol=1e-12, atol=1e-14)


def test_hessians_equal_the_hand_derived_ones() -> None:
    # f(x) = x^T A x / 2 has Hessian (A + A^T) / 2 everywhere.
    A = np.array([[2.0, 1.0, 0.0], [3.0, 4.0, -1.0], [0.5, 0.0, 1.0]])
    np.testing.assert_allclose(hessian(lambda x: x @ A @ x / 2)(np.ones(3)), (A + A.T) / 2)
    # logsumexp: diag(s) - s s^T, with s = softmax(x).
    x = np.array([0.3, -1.0, 2.0])
    s = np.exp(x) / np.sum(np.exp(x))
    np.testing.assert_allclose(hessian(logsumexp)(x), np.diag(s) - np.outer(s, s), atol=1e-15)
    # sum(tanh(w x)) in w: d2/dw2 tanh(z) = -2 tanh(z) (1 - tanh(z)^2), times x x^T.
    data = np.array([0.5, -2.0])
    z = 0.7 * data.sum()
    expected = -2 * np.tanh(z) * (1 - np.tanh(z) ** 2) * np.outer(data, data)
    np.testing.assert_allclose(hessian(lambda w: np.tanh(w @ data))(np.full(2, 0.7)), expected)
    # a linear function has Hessian 0
    np.testing.assert_array_equal(hessian(lambda x: 3.0 * np.sum(x))(np.ones(2)), np.zeros((2, 2)))


def test_hessian_vector_products_of_a_vector_valued_jacobian() -> None:
    # f: R^2 -> R^2, f = (x0^2 x1, sin x1): jacfwd(jacrev(f)) holds each output's Hessian.
    x = np.array([1.5, 0.4])
    second = jacfwd(jacrev(lambda x: np.stack([x[0] ** 2 * x[1], np.sin(x[1])])))(x)
    expected = np.array(
        [[[2 * x[1], 2 * x[0]], [2 * x[0], 0.0]], [[0.0, 0.0], [0.0, -np.sin(x[1])]]]
    )
    np.testing.assert_allclose(second, expected, rtol=1e-14)
