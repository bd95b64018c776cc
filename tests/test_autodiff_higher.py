"""Derivatives of derivatives: every operation to second order (a subset to third), the
Hessians derived by hand in the book, every way of nesting the modes, and perturbation
confusion.

The table of operations (``OPS`` and its ``CASES``) is that of ``tests/test_autodiff_rules.py``,
reused: its functions, shapes and domains (chosen away from kinks) serve the second derivatives
as they serve the first. Second derivatives are checked against central differences of the
first derivative, which that file checks against differences of the function; third
derivatives against differences of the Hessian-vector product.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from test_autodiff_rules import CASES, _setup

from calcml import grad, jacfwd, jacrev, jvp, value_and_grad
from calcml.autodiff import Dual, Tensor, hessian, hvp, logsumexp, softmax
from calcml.functions import beale, himmelblau, rosenbrock, saddle, six_hump_camel


def _differences_of(
    derivative: Callable[[np.ndarray], Any], x: np.ndarray, step: float = 1e-5
) -> np.ndarray:
    """The Jacobian of ``derivative`` by central differences, column by column."""
    columns = []
    for j in range(x.size):
        nudge = np.zeros_like(x)
        nudge.flat[j] = step * max(1.0, abs(x.flat[j]))
        columns.append((derivative(x + nudge) - derivative(x - nudge)) / (2 * nudge.flat[j]))
    return np.stack(columns, axis=-1).reshape(np.shape(derivative(x)) + x.shape)


# Second order: every row of the rule table ---------------------------------------------------
@pytest.mark.parametrize(("name", "argnum"), CASES)
def test_second_derivatives_of_each_operation_match_differences_of_the_gradient(
    name: str, argnum: int
) -> None:
    f, x, _ = _setup(name, argnum)
    expected = _differences_of(grad(f), x)
    H = hessian(f)(x)  # forward over reverse
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-7)
    # The other nestings compute the same matrix, to rounding.
    n = x.size
    np.testing.assert_allclose(jacrev(grad(f))(x), H, rtol=1e-9, atol=1e-11)  # reverse/reverse
    np.testing.assert_allclose(jacfwd(jacfwd(f))(x), H, rtol=1e-9, atol=1e-11)  # fwd/fwd
    np.testing.assert_allclose(jacrev(jacfwd(f))(x), H, rtol=1e-9, atol=1e-11)  # rev/fwd
    v = np.linspace(-1.0, 1.0, n).reshape(x.shape)
    Hv = H.reshape(n, n) @ v.ravel()
    np.testing.assert_allclose(np.ravel(hvp(f, x, v)), Hv, rtol=1e-9, atol=1e-11)
    by_reverse = grad(lambda t: np.sum(grad(f)(t) * v))(x)  # H v, reverse over reverse
    np.testing.assert_allclose(np.ravel(by_reverse), Hv, rtol=1e-9, atol=1e-11)


#: Rows whose third derivatives are checked too (every kind of rule: elementwise of one and
#: two operands, products, reductions, the activations, linear algebra, rearrangements).
THIRD_ORDER = [
    ("exp", 0),
    ("log", 0),
    ("sin", 0),
    ("tanh", 0),
    ("sqrt", 0),
    ("reciprocal", 0),
    ("arctan", 0),
    ("sigmoid", 0),
    ("softmax", 0),
    ("logsumexp", 0),
    ("multiply", 0),
    ("true_divide", 1),
    ("power", 0),
    ("power", 1),
    ("hypot", 1),
    ("logaddexp", 0),
    ("matmul", 0),
    ("einsum three operands", 1),
    ("prod", 0),
    ("std", 0),
    ("linalg.norm vector", 0),
    ("linalg.inv", 0),
    ("linalg.det", 0),
    ("linalg.slogdet", 0),
    ("linalg.solve", 0),
    ("getitem fancy with repeats", 0),
    ("concatenate", 1),
    ("tile", 0),
    ("cumsum", 0),
]


@pytest.mark.parametrize(("name", "argnum"), THIRD_ORDER)
def test_third_derivatives_match_differences_of_the_hessian_vector_product(
    name: str, argnum: int
) -> None:
    f, x, _ = _setup(name, argnum)
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    # D^3 f [v, v, .]: the gradient of v^T H(x) v, three reverse passes nested in one another
    third = grad(lambda t: np.sum(grad(lambda s: np.sum(grad(f)(s) * v))(t) * v))(x)
    n = x.size
    expected = _differences_of(lambda t: hvp(f, t, v), x, step=1e-4).reshape(n, n) @ v.ravel()
    np.testing.assert_allclose(np.ravel(third), np.ravel(expected), rtol=1e-5, atol=1e-6)
    # and forward over forward over reverse, along the same direction
    along = jvp(lambda t: hvp(f, t, v), (x,), (v,))[1]
    np.testing.assert_allclose(np.ravel(along), np.ravel(third), rtol=1e-9, atol=1e-11)


# Known derivatives of every order ---------------------------------------------------------
def test_repeated_grad_gives_the_derivatives_of_every_order_known_by_hand() -> None:
    x = 0.7
    t = np.tanh(x)
    cases = [
        (lambda x: x**5, [5 * x**4, 20 * x**3, 60 * x**2, 120 * x]),
        (np.sin, [np.cos(x), -np.sin(x), -np.cos(x), np.sin(x)]),
        (lambda x: np.exp(2 * x), [2 * np.exp(2 * x), 4 * np.exp(2 * x), 8 * np.exp(2 * x)]),
        (np.tanh, [1 - t**2, -2 * t * (1 - t**2), (1 - t**2) * (6 * t**2 - 2)]),
        (np.log, [1 / x, -1 / x**2, 2 / x**3, -6 / x**4]),
    ]
    for f, derivatives in cases:
        derivative = f
        for expected in derivatives:
            derivative = grad(derivative)
            assert derivative(x) == pytest.approx(expected, rel=1e-12)


def test_a_linear_function_has_zero_second_derivative_in_every_nesting() -> None:
    assert grad(grad(lambda x: 3.0 * x))(1.0) == 0.0
    assert grad(grad(grad(lambda x: x**2)))(1.0) == 0.0
    zeros = np.zeros((2, 2))
    np.testing.assert_array_equal(hessian(lambda x: 3.0 * np.sum(x))(np.ones(2)), zeros)
    np.testing.assert_array_equal(jacrev(jacrev(lambda x: 3.0 * x))(np.ones(2)), np.zeros((2,) * 3))
    np.testing.assert_array_equal(jacfwd(jacfwd(lambda x: 3.0 * x))(np.ones(2)), np.zeros((2,) * 3))


# Hessians derived by hand ------------------------------------------------------------------
def _every_hessian(f: Callable[[Any], Any], x: np.ndarray) -> dict[str, np.ndarray]:
    """The Hessian of ``f`` at ``x`` by every nesting of the two modes."""
    n = x.size
    by_hvp = np.stack([hvp(f, x, np.eye(n)[j].reshape(x.shape)) for j in range(n)], axis=-1)
    return {
        "hessian (forward over reverse)": hessian(f)(x),
        "jacfwd(jacrev)": jacfwd(jacrev(f))(x),
        "jacrev(jacrev)": jacrev(jacrev(f))(x),
        "jacrev(jacfwd)": jacrev(jacfwd(f))(x),
        "jacfwd(jacfwd)": jacfwd(jacfwd(f))(x),
        "hvp, column by column": by_hvp.reshape(x.shape + x.shape),
    }


def _check_hessian(f: Callable[[Any], Any], x: np.ndarray, expected: np.ndarray) -> None:
    for route, H in _every_hessian(f, x).items():
        np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-14, err_msg=route)


def test_hessian_of_a_quadratic_is_the_symmetric_part_of_its_matrix() -> None:
    A = np.array([[2.0, 1.0, 0.0], [3.0, 4.0, -1.0], [0.5, 0.0, 1.0]])
    _check_hessian(lambda x: x @ A @ x / 2, np.array([0.3, -1.0, 2.0]), (A + A.T) / 2)


def test_hessian_of_logsumexp_is_diag_s_minus_s_s_transpose() -> None:
    x = np.array([0.3, -1.0, 2.0])
    s = np.exp(x) / np.sum(np.exp(x))
    _check_hessian(logsumexp, x, np.diag(s) - np.outer(s, s))


def test_hessian_of_softmax_cross_entropy_in_the_weights() -> None:
    # L(W) = logsumexp(W x) - (W x)_y; with s = softmax(W x), d2L/dW_ij dW_kl is
    # (diag(s) - s s^T)_ik x_j x_l.
    x = np.array([0.5, -1.5, 2.0])
    label = 1
    W = np.array([[0.2, -0.1, 0.4], [0.0, 0.3, -0.2]])

    def loss(weights: Any) -> Any:
        scores = weights @ x
        return logsumexp(scores) - scores[label]

    z = W @ x
    s = np.exp(z) / np.sum(np.exp(z))
    expected = np.einsum("ik,j,l->ijkl", np.diag(s) - np.outer(s, s), x, x)
    _check_hessian(loss, W, expected)
    # and through the softmax itself: -log softmax(z)_y
    _check_hessian(lambda w: -np.log(softmax(w @ x)[label]), W, expected)


def test_hessian_of_a_tanh_layer_with_squared_error() -> None:
    # L(W) = |tanh(W x) - y|^2 / 2, h = tanh(W x): d2L/dW_ij dW_kl is
    # delta_ik [(1 - h_i^2)^2 - 2 h_i (h_i - y_i)(1 - h_i^2)] x_j x_l.
    x = np.array([0.4, -0.8])
    y = np.array([0.5, -0.2, 0.1])
    W = np.array([[0.3, -0.6], [1.1, 0.2], [-0.4, 0.5]])
    h = np.tanh(W @ x)
    curvature = (1 - h**2) ** 2 - 2 * h * (h - y) * (1 - h**2)
    expected = np.einsum("ik,i,j,l->ijkl", np.eye(3), curvature, x, x)
    _check_hessian(lambda w: np.sum((np.tanh(w @ x) - y) ** 2) / 2, W, expected)


@pytest.mark.parametrize(
    "function", [rosenbrock, himmelblau, beale, six_hump_camel, saddle], ids=lambda f: f.name
)
def test_hessians_of_the_books_test_functions_equal_their_formulas(function: Any) -> None:
    # The book's functions of two variables carry their Hessians, written out by hand.
    point = np.array([0.7, -1.2])
    _check_hessian(lambda p: function._value(p[0], p[1]), point, function.hessian(point))


def test_hessian_of_the_logistic_loss_is_the_books_formula() -> None:
    # taylor-newton: H = (1/N) sum_i p_i (1 - p_i) x_i x_i^T, p = sigmoid(X w)
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(20), rng.normal(size=(20, 2))])
    labels = (rng.uniform(size=20) > 0.5).astype(float)
    w = np.array([0.3, -0.5, 1.0])

    def cross_entropy(w: Any) -> Any:
        z = X @ w
        return np.mean(np.logaddexp(0, z) - labels * z)

    p = 1 / (1 + np.exp(-X @ w))
    expected = (X.T * (p * (1 - p))) @ X / len(labels)
    for route, H in _every_hessian(cross_entropy, w).items():
        np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-15, err_msg=route)


# Levels: no perturbation confusion ----------------------------------------------------------
def test_an_outer_variable_is_a_constant_of_the_inner_derivative() -> None:
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two variables gives 2.
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(3.0) == 1.0
    assert jacfwd(lambda x: x * jacfwd(lambda y: x + y)(1.0))(3.0) == 1.0
    assert grad(lambda x: x * jacfwd(lambda y: x + y)(1.0))(3.0) == 1.0
    assert jacfwd(lambda x: x * grad(lambda y: x + y)(1.0))(3.0) == 1.0
    # d/dx [x * d/dy (x y)] = d/dx [x * x] = 2 x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0
    # d/dx d/dy [exp(x y)] at y = 2: d/dx [x exp(2 x)] = (1 + 2 x) exp(2 x)
    mixed = grad(lambda x: grad(lambda y: np.exp(x * y))(2.0))(0.5)
    assert mixed == pytest.approx(2.0 * np.exp(1.0), rel=1e-14)


def test_an_inner_function_that_ignores_its_argument_is_refused_not_differentiated() -> None:
    # The inner f returns the outer x: it does not depend on y, so its derivative must not be
    # read off the outer graph.
    with pytest.raises(TypeError, match="does not depend on the differentiated"):
        grad(lambda x: grad(lambda y: x)(1.0))(2.0)


def test_hand_made_tensor_and_dual_of_the_same_level_do_not_mix() -> None:
    with pytest.raises(TypeError, match="same level"):
        Tensor(2.0) * Dual(3.0, 1.0)


def test_value_and_grad_and_has_aux_inside_an_outer_derivative() -> None:
    def inner(x: Any) -> Any:
        value, slope = value_and_grad(lambda y: (y**3, y**2), has_aux=True)(x)
        loss, aux = value
        return loss + slope + aux  # x^3 + 3 x^2 + x^2: its derivative is 3 x^2 + 8 x

    assert grad(inner)(2.0) == pytest.approx(3 * 4.0 + 16.0, rel=1e-14)


def test_vjp_and_jvp_nest_inside_reverse_mode() -> None:
    x = np.array([0.2, -0.4])

    def pulled_back(x: Any) -> Any:
        _, vjp_fn = jvp_free_vjp(x)
        return np.sum(vjp_fn(np.array([1.0, 2.0]))[0] ** 2)

    def jvp_free_vjp(x: Any) -> Any:
        from calcml import vjp

        return vjp(lambda t: np.sin(t) * t[::-1], x)

    # f(t) = sin(t) * rev(t); J^T u with u = (1, 2): g = (u0 cos t0 t1 + u1 sin t1,
    # u1 cos t1 t0 + u0 sin t0); the gradient of |g|^2 is 2 J_g^T g.
    t0, t1 = x
    g = np.array([np.cos(t0) * t1 + 2 * np.sin(t1), 2 * np.cos(t1) * t0 + np.sin(t0)])
    J_g = np.array(
        [
            [-np.sin(t0) * t1, np.cos(t0) + 2 * np.cos(t1)],
            [2 * np.cos(t1) + np.cos(t0), -2 * np.sin(t1) * t0],
        ]
    )
    np.testing.assert_allclose(grad(pulled_back)(x), 2 * J_g.T @ g, rtol=1e-13)
    # reverse over forward: the gradient of a directional derivative
    sloped = grad(lambda t: jvp(lambda s: np.sum(np.sin(s) ** 2), (t,), (np.ones(2),))[1])(x)
    np.testing.assert_allclose(sloped, 2 * np.cos(2 * x), rtol=1e-13)  # d/dt sin(2t)


# calcml.hessian: the automatic route, the differences, and the choice between them --------
def _counting(f: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], list[str]]:
    """``f``, recording for each call whether it got plain numbers or a traced value."""
    calls: list[str] = []

    def counted(x: Any) -> Any:
        calls.append("plain" if isinstance(x, np.ndarray) else "traced")
        return f(x)

    return counted, calls


def _cubic(p: Any) -> Any:
    return p[0] ** 2 * p[1] + p[1] ** 3 + np.sin(p[0])


def _cubic_hessian(p: np.ndarray) -> np.ndarray:
    return np.array([[2 * p[1] - np.sin(p[0]), 2 * p[0]], [2 * p[0], 6 * p[1]]])


def test_calcml_hessian_differentiates_traceable_code_automatically_by_default() -> None:
    import calcml

    point = np.array([0.8, -1.3])
    f, calls = _counting(_cubic)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        H = calcml.hessian(f, point)
    np.testing.assert_allclose(H, _cubic_hessian(point), rtol=1e-15, atol=1e-15)
    # one plain call checks f returns a number; then one traced pass per column
    assert calls == ["plain", "traced", "traced"]
    np.testing.assert_array_equal(calcml.hessian(_cubic, point, method="autodiff"), H)


def test_calcml_hessian_falls_back_to_differences_only_for_untraceable_code() -> None:
    import math

    import calcml

    point = np.array([0.8, -1.3])

    def with_math(p: Any) -> Any:
        return _cubic(p) * math.exp(0.0 * p[0])  # math.* cannot be traced

    f, calls = _counting(with_math)
    with pytest.warns(RuntimeWarning, match=r"cannot trace f .*central second differences"):
        H = calcml.hessian(f, point)
    np.testing.assert_allclose(H, _cubic_hessian(point), rtol=1e-6, atol=1e-6)
    assert calls.count("plain") > 10  # the differences evaluated f on plain numbers
    with pytest.raises(calcml.UnsupportedOperationError, match="Python float"):
        calcml.hessian(with_math, point, method="autodiff")

    def broken(p: Any) -> Any:
        if isinstance(p, np.ndarray):
            return float(np.sum(p))
        raise ValueError("a bug in f")

    # Any other error is f's own: raised, never papered over by differences.
    with pytest.raises(ValueError, match="a bug in f"):
        calcml.hessian(broken, point)


def test_calcml_hessian_by_differences_on_request() -> None:
    import calcml

    point = np.array([0.8, -1.3])
    for options in ({"method": "central"}, {"method": "richardson"}, {"step": 1e-3}):
        f, calls = _counting(_cubic)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            H = calcml.hessian(f, point, **options)
        np.testing.assert_allclose(H, _cubic_hessian(point), rtol=1e-5, atol=1e-5)
        assert "traced" not in calls, options


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "exact"}, "method must be one of auto, autodiff, central"),
        ({"method": "complex"}, "first derivatives only"),
        ({"method": "autodiff", "step": 1e-3}, "method='autodiff' takes neither"),
        ({"method": "autodiff", "accuracy": 4}, "method='autodiff' takes neither"),
    ],
)
def test_calcml_hessian_refuses_bad_methods_by_name(options: dict[str, Any], message: str) -> None:
    import calcml

    with pytest.raises(ValueError, match=message):
        calcml.hessian(_cubic, np.array([0.8, -1.3]), **options)


def test_calcml_hessian_of_a_scalar_and_of_a_matrix_argument_keeps_the_shapes() -> None:
    import calcml

    assert calcml.hessian(lambda t: t**4, 2.0).shape == ()
    assert float(calcml.hessian(lambda t: t**4, 2.0)) == 48.0
    W = np.array([[0.5, -1.0], [2.0, 0.3]])
    H = calcml.hessian(lambda w: np.sum(w**3), W)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(H.reshape(4, 4), np.diag(6 * W.ravel()))
