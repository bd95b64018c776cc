"""Tests for calcml.differentiate: expected values are known derivatives and identities."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calcml import (
    DerivativeEstimate,
    check_gradient,
    default_step,
    derivative,
    directional_derivative,
    estimate_derivative,
    gradient,
    hessian,
    jacobian,
    partial,
    step_error_sweep,
)
from calcml.differentiate._stencil import stencil_weights as _stencil_weights


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


# (name, f, f', point): the derivatives are the textbook ones.
KNOWN = [
    ("polynomial", lambda x: 3 * x**4 - 2 * x + 5, lambda x: 12 * x**3 - 2, 1.3),
    ("exp", np.exp, np.exp, 0.7),
    ("log", np.log, lambda x: 1 / x, 2.5),
    ("sin", np.sin, np.cos, 1.1),
    ("cos", np.cos, lambda x: -np.sin(x), -0.4),
    ("tanh", np.tanh, lambda x: 1 / np.cosh(x) ** 2, 0.6),
    ("sigmoid", _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)), -1.2),
    ("rational", lambda x: 1 / (1 + x**2), lambda x: -2 * x / (1 + x**2) ** 2, 0.8),
    ("composition", lambda x: np.exp(np.sin(x)), lambda x: np.cos(x) * np.exp(np.sin(x)), 2.0),
    ("sqrt", np.sqrt, lambda x: 0.5 / np.sqrt(x), 3.0),
]
# The relative accuracy each method reaches on these well-scaled cases, from its error
# analysis: forward ~ sqrt(eps), central ~ eps^(2/3), the others near eps.
TOLERANCE = {
    "forward": 1e-6,
    "backward": 1e-6,
    "central": 1e-9,
    "complex": 1e-15,
    "richardson": 1e-12,
}


@pytest.mark.parametrize("method", list(TOLERANCE))
@pytest.mark.parametrize(("name", "f", "df", "x"), KNOWN, ids=[case[0] for case in KNOWN])
def test_derivative_matches_known_derivative(
    name: str, f: Callable[[Any], Any], df: Callable[[Any], Any], x: float, method: Any
) -> None:
    assert derivative(f, x, method=method) == pytest.approx(df(x), rel=TOLERANCE[method])


@pytest.mark.parametrize(("accuracy", "tolerance"), [(4, 1e-11), (6, 1e-12)])
def test_higher_accuracy_central_stencils_are_more_accurate(
    accuracy: int, tolerance: float
) -> None:
    assert derivative(np.exp, 1.0, accuracy=accuracy) == pytest.approx(np.e, rel=tolerance)


@pytest.mark.parametrize(
    ("order", "method", "expected", "tolerance"),
    [
        (2, "central", -np.sin(0.5), 1e-6),
        (2, "richardson", -np.sin(0.5), 1e-9),
        (2, "forward", -np.sin(0.5), 1e-3),
        (3, "central", -np.cos(0.5), 1e-3),
        (3, "richardson", -np.cos(0.5), 1e-9),
    ],
)
def test_higher_derivatives_of_sin(
    order: int, method: Any, expected: float, tolerance: float
) -> None:
    assert derivative(np.sin, 0.5, order=order, method=method) == pytest.approx(
        expected, rel=tolerance
    )


@pytest.mark.parametrize(
    ("offsets", "order", "expected"),
    [
        ((-1, 1), 1, [-0.5, 0.5]),
        ((0, 1), 1, [-1.0, 1.0]),
        ((-1, 0, 1), 2, [1.0, -2.0, 1.0]),
        ((-2, -1, 0, 1, 2), 1, [1 / 12, -8 / 12, 0.0, 8 / 12, -1 / 12]),
    ],
)
def test_stencil_weights_are_the_textbook_ones(
    offsets: tuple[int, ...], order: int, expected: list[float]
) -> None:
    np.testing.assert_allclose(_stencil_weights(offsets, order), expected, atol=1e-15)


def test_scalar_x_gives_python_float_and_array_x_keeps_its_shape() -> None:
    assert type(derivative(np.sin, 0.3)) is float
    x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    result = derivative(np.sin, x)
    assert result.shape == (2, 3)
    np.testing.assert_allclose(result, np.cos(x), rtol=1e-9)


def test_elementwise_f_is_called_once_for_all_points() -> None:
    calls = []

    def f(x: Any) -> Any:
        calls.append(np.shape(x))
        return x**3

    derivative(f, np.arange(1.0, 101.0))
    assert calls == [(3, 100)]  # x - h, x + h, and x itself (for the second derivative)


def test_scalar_only_function_works_at_a_scalar_point() -> None:
    assert derivative(math.sin, 0.2) == pytest.approx(math.cos(0.2), rel=1e-9)


points = st.floats(-3.0, 3.0)


@settings(max_examples=40, deadline=None)
@given(points, st.floats(-5.0, 5.0), st.floats(-5.0, 5.0))
def test_derivative_is_linear(x: float, a: float, b: float) -> None:
    combined = derivative(lambda t: a * np.sin(t) + b * np.exp(t), x)
    expected = a * derivative(np.sin, x) + b * derivative(np.exp, x)
    assert combined == pytest.approx(expected, rel=1e-8, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(points)
def test_product_rule_holds_numerically(x: float) -> None:
    product = derivative(lambda t: np.sin(t) * np.exp(t), x, method="richardson")
    rule = derivative(np.sin, x) * np.exp(x) + np.sin(x) * derivative(np.exp, x)
    assert product == pytest.approx(rule, rel=1e-8, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(points)
def test_chain_rule_holds_numerically(x: float) -> None:
    composed = derivative(lambda t: np.tanh(np.sin(t)), x, method="complex")
    rule = derivative(np.tanh, np.sin(x), method="complex") * derivative(
        np.sin, x, method="complex"
    )
    assert composed == pytest.approx(rule, rel=1e-13, abs=1e-15)


# The default steps assume f varies on the scale of max(1, |x|); sin does not far from 0:
# at |x| = 568, Richardson's first step is 2π, a whole period, and its levels alias.
@settings(max_examples=40, deadline=None)
@given(st.floats(-100, 100), st.sampled_from(["central", "forward", "richardson"]))
def test_error_estimate_bounds_the_actual_error(x: float, method: Any) -> None:
    result = estimate_derivative(np.sin, x, method=method)
    assert abs(result.value - np.cos(x)) <= 2 * result.error + 1e-15


def test_estimate_reports_its_evaluations() -> None:
    assert estimate_derivative(np.exp, 1.0, method="forward").nfev == 4
    assert estimate_derivative(np.exp, 1.0, method="complex").nfev == 1
    # Richardson: 10 for the tableau (5 central differences), 2 for the difference at a step
    # between its two finest, which an aliased tableau does not predict.
    assert estimate_derivative(np.exp, 1.0, method="richardson").nfev == 12
    result = estimate_derivative(np.exp, np.array([0.0, 1.0]))
    assert isinstance(result, DerivativeEstimate)
    assert np.shape(result.value) == np.shape(result.error) == (2,)


def test_default_step_follows_the_error_analysis() -> None:
    eps = np.finfo(float).eps
    assert float(default_step(0.5, "forward")) == pytest.approx(np.sqrt(eps))
    assert float(default_step(0.5, "central")) == pytest.approx(np.cbrt(eps))
    assert float(default_step(100.0, "central")) == pytest.approx(100 * np.cbrt(eps))
    assert float(default_step(1.0, "central", order=2)) == pytest.approx(eps**0.25)


@pytest.mark.parametrize("x", [0.7, -3.3, 25.0, 1234.5, 3e5])
@pytest.mark.parametrize(("order", "reach"), [(1, 1), (2, 1), (3, 2)])
def test_richardson_step_puts_every_probe_on_a_float(x: float, order: int, reach: int) -> None:
    # The tableau samples x + c h / 2^k for |c| <= reach and k < 5; each of these sums must be
    # a float, so that the step taken, (x + t) - x, is exactly the step t divided by.
    step = float(default_step(x, "richardson", order=order))
    eps = np.finfo(float).eps
    assert step == pytest.approx(eps ** (1 / (7 + order)) * max(1.0, abs(x)), rel=1e-12)
    for level in range(5):
        for c in range(-reach, reach + 1):
            offset = c * step / 2**level
            assert (x + offset) - x == offset


@pytest.mark.parametrize(("name", "f", "df", "x"), KNOWN, ids=[case[0] for case in KNOWN])
def test_richardson_error_estimate_is_honest_and_near_round_off(
    name: str, f: Callable[[Any], Any], df: Callable[[Any], Any], x: float
) -> None:
    # The round-off of a central difference at the starting step h ~ 0.011 is about
    # eps |f| / h ~ 2e-14 |f|: an estimate far above that would say little.
    result = estimate_derivative(f, x, method="richardson")
    assert abs(result.value - df(x)) <= result.error <= 1e-12 * abs(df(x))


def test_richardson_median_error_is_near_the_round_off_of_its_coarsest_difference() -> None:
    # The coarsest central difference carries round-off ~ eps / h0 ~ 2e-14 (relative, for
    # these functions of scale 1); a tableau that picks its entries well stays near it.
    errors = [
        abs(derivative(f, x, method="richardson") - df(x)) / abs(df(x)) for _, f, df, x in KNOWN
    ]
    assert np.median(errors) < 3e-14


# ---------------------------------------------------------------- vectors


def _rosenbrock(p: Any) -> Any:
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def _rosenbrock_gradient(p: Any) -> Any:
    return np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])


def _rosenbrock_hessian(p: Any) -> Any:
    return np.array([[2 - 400 * p[1] + 1200 * p[0] ** 2, -400 * p[0]], [-400 * p[0], 200.0]])


@pytest.mark.parametrize("method", ["central", "forward", "complex", "richardson"])
def test_gradient_of_rosenbrock(method: Any) -> None:
    x = np.array([-1.2, 1.0])
    rtol = 1e-5 if method == "forward" else 1e-8
    np.testing.assert_allclose(
        gradient(_rosenbrock, x, method=method), _rosenbrock_gradient(x), rtol=rtol
    )


def test_gradient_of_matrix_input_has_its_shape() -> None:
    weights = np.arange(6.0).reshape(2, 3) / 10
    grad = gradient(lambda w: np.sum(w**2), weights)
    assert grad.shape == (2, 3)
    np.testing.assert_allclose(grad, 2 * weights, atol=1e-9)


def test_jacobian_is_numerator_layout() -> None:
    def f(v: Any) -> Any:
        return np.array([v[0] * v[1], np.sin(v[2]), v[0] + v[1] + v[2]])

    x = np.array([1.0, 2.0, 0.5])
    expected = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, np.cos(0.5)], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(jacobian(f, x), expected, atol=1e-9)
    assert jacobian(lambda v: np.array([v @ v, v[0]]), np.ones(4)).shape == (2, 4)


def test_jacobian_of_scalar_function_is_the_gradient() -> None:
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose(jacobian(_rosenbrock, x), _rosenbrock_gradient(x), rtol=1e-8)


@pytest.mark.parametrize(("method", "rtol"), [("central", 1e-6), ("richardson", 1e-9)])
def test_hessian_of_rosenbrock(method: Any, rtol: float) -> None:
    x = np.array([0.5, -0.3])
    result = hessian(_rosenbrock, x, method=method)
    assert result.shape == (2, 2)
    np.testing.assert_allclose(result, _rosenbrock_hessian(x), rtol=rtol)


def test_hessian_of_quadratic_form_is_its_symmetric_matrix() -> None:
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    result = hessian(lambda v: 0.5 * v @ a @ v, np.array([0.1, -0.2, 0.3]))
    np.testing.assert_allclose(result, a, atol=1e-6)
    np.testing.assert_array_equal(result, result.T)


def test_partial_derivatives_hold_the_other_coordinates_fixed() -> None:
    def f(p: Any) -> Any:
        return p[0] ** 2 * p[1] + np.sin(p[1])

    x = [3.0, 0.5]
    assert partial(f, x, 0) == pytest.approx(2 * 3.0 * 0.5, rel=1e-9)
    assert partial(f, x, 1) == pytest.approx(9.0 + np.cos(0.5), rel=1e-9)
    assert partial(f, x, 1, order=2) == pytest.approx(-np.sin(0.5), rel=1e-5)
    assert partial(lambda w: w[1, 0] ** 3, np.ones((2, 2)), (1, 0)) == pytest.approx(3.0)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.lists(st.floats(-2, 2), min_size=3, max_size=3).filter(lambda v: max(map(abs, v)) > 0.1),
)
# Found by the gate: f = 1 at x, and along v it changes by 2e-15 per unit step.
@example(x=[0.0, 0.0, 1.0], v=[0.0, 1.0, 1e-15])
def test_directional_derivative_is_gradient_dot_direction(x: list[float], v: list[float]) -> None:
    def f(p: Any) -> Any:
        return np.sin(p[0]) * p[1] + p[2] ** 2

    exact = np.array([np.cos(x[0]) * x[1], np.sin(x[0]), 2 * x[2]]) @ np.array(v)
    try:
        outcome: float | str = directional_derivative(f, x, v)
    except ValueError as error:
        outcome = str(error)
    if isinstance(outcome, str):
        # Where f's change along v is lost in round-off next to its value, the estimate says
        # so instead of returning noise; only there (no step of a difference resolves it).
        assert "lost in round-off" in outcome
        assert abs(exact) < 1e-10
    else:
        assert outcome == pytest.approx(exact, rel=1e-7, abs=1e-8)


# ---------------------------------------------------------------- gradient check


def test_check_gradient_accepts_a_correct_gradient() -> None:
    result = check_gradient(_rosenbrock, _rosenbrock_gradient, [-1.2, 1.0])
    assert result.ok
    assert result.mismatches == ()
    assert result.max_relative_error < 1e-9
    assert "passed" in str(result)


def test_check_gradient_reports_the_wrong_components_worst_first() -> None:
    def wrong(p: Any) -> Any:
        grad = _rosenbrock_gradient(p)
        return np.array([grad[0], 1.01 * grad[1]])

    result = check_gradient(_rosenbrock, wrong, [-1.2, 1.0])
    assert not result.ok
    assert result.mismatches == ((1,),)
    assert result.max_relative_error == pytest.approx(0.01 / 1.01, rel=1e-6)
    assert "x[1]" in str(result)


def test_check_gradient_does_not_fail_an_exact_zero_over_round_off() -> None:
    # At the minimum of Rosenbrock both components are exactly zero.
    result = check_gradient(_rosenbrock, _rosenbrock_gradient, [1.0, 1.0])
    assert result.ok


def test_check_gradient_can_raise_naming_the_worst_index() -> None:
    f = lambda w: np.sum(w**2)  # noqa: E731
    with pytest.raises(AssertionError, match=r"x\[1, 0\]"):
        check_gradient(
            f, lambda w: 2 * w * (w < 2), np.array([[1.0], [3.0]]), raise_on_failure=True
        )


def test_check_gradient_rejects_a_gradient_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"grad\(x\) must return an array of x's shape"):
        check_gradient(lambda w: np.sum(w), lambda w: np.ones(3), np.zeros(2))


# ---------------------------------------------------------------- error analysis


def test_step_sweep_is_v_shaped_around_the_default_step() -> None:
    sweep = step_error_sweep(np.exp, 1.0, np.e, methods=["forward", "central"])
    for method in ("forward", "central"):
        errors = sweep.errors[method]
        best = int(np.nanargmin(errors))
        assert 0 < best < len(errors) - 1
        assert errors[0] > 100 * errors[best]
        assert errors[-1] > 100 * errors[best]
        # The error analysis's step lands within two decades of the best one.
        assert abs(np.log10(sweep.steps[best] / sweep.default_steps[method])) < 2


def test_complex_step_has_no_round_off_branch() -> None:
    sweep = step_error_sweep(np.exp, 1.0, np.e, steps=[1e-8, 1e-12, 1e-16], methods=["complex"])
    assert np.all(sweep.errors["complex"] <= 2 * np.finfo(float).eps * np.e)


# ---------------------------------------------------------------- bad input


def test_zero_step_is_rejected_with_a_fix() -> None:
    with pytest.raises(ValueError, match=r"step must be greater than 0.*step=None"):
        derivative(np.sin, 1.0, step=0.0)
    with pytest.raises(ValueError, match="step must be greater than 0"):
        gradient(np.sum, [1.0, 2.0], step=-1e-3)


def test_non_finite_x_is_rejected() -> None:
    with pytest.raises(ValueError, match="x must be finite"):
        derivative(np.sin, float("nan"))
    with pytest.raises(ValueError, match="x must be finite"):
        gradient(np.sum, [1.0, np.inf])


def test_nan_from_f_is_reported_not_returned() -> None:
    with pytest.raises(ValueError, match="NaN or inf"):
        derivative(np.log, 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        gradient(lambda w: np.log(w[0]), [-1.0])
    with pytest.raises(ValueError, match="NaN or inf"):
        derivative(lambda t: 1 / t, 0.0, method="forward")


def test_non_elementwise_f_is_reported_with_the_right_function_to_use() -> None:
    with pytest.raises(ValueError, match=r"elementwise.*gradient"):
        derivative(np.sum, np.array([1.0, 2.0]))


def test_changing_output_shape_is_reported() -> None:
    def f(v: Any) -> Any:
        return np.zeros(2) if v[0] == 1.0 else np.zeros(3)

    with pytest.raises(ValueError, match="same shape at every point"):
        jacobian(f, [1.0])


def test_gradient_of_vector_valued_f_points_to_jacobian() -> None:
    with pytest.raises(ValueError, match="use jacobian"):
        gradient(lambda v: 2 * v, [1.0, 2.0])


@pytest.mark.parametrize("f", [np.abs, lambda t: np.real(t) ** 2, math.sin])
def test_complex_step_on_real_only_function_is_rejected(f: Callable[[Any], Any]) -> None:
    with pytest.raises(TypeError, match=r"complex.*method='central'"):
        derivative(f, 0.5, method="complex")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "secant"}, "method must be one of"),
        ({"order": 0}, "order must be a positive integer"),
        ({"accuracy": 3}, "even accuracy"),
        ({"method": "complex", "order": 2}, "first derivatives only"),
    ],
)
def test_bad_options_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        derivative(np.sin, 1.0, **kwargs)


def test_zero_direction_is_rejected() -> None:
    with pytest.raises(ValueError, match="nonzero direction"):
        directional_derivative(np.sum, [1.0, 2.0], [0.0, 0.0])


def test_bad_partial_index_names_the_shape() -> None:
    with pytest.raises(IndexError, match=r"i must index x, which has shape \(2,\)"):
        partial(np.sum, [1.0, 2.0], 5)


@pytest.mark.parametrize(("f", "convention"), [(np.abs, 0.0), (lambda t: np.maximum(t, 0.0), 0.5)])
def test_at_a_kink_the_central_difference_averages_the_one_sided_slopes(f, convention):
    assert derivative(f, 0.0) == convention


@pytest.mark.parametrize("f", [lambda t: 1.0 / t, np.sign], ids=["pole", "jump"])
def test_a_pole_or_jump_has_no_error_bound_and_says_so(f):
    with pytest.warns(RuntimeWarning, match="did not settle"):
        result = estimate_derivative(f, 0.0)
    assert result.error == np.inf
    with pytest.raises(ValueError, match="did not settle"):
        derivative(f, 0.0)
    smooth = estimate_derivative(np.exp, 0.0)
    assert smooth.error < 1e-8 * abs(smooth.value)


# ---------------------------------------------------------------- bad input, as a user gives it

# (id, call, exception, message): each message names the argument and what was expected.
BAD_INPUT = [
    ("x None", lambda: derivative(np.sin, None), TypeError, r"x must be a real number.*None"),
    ("x text", lambda: derivative(np.sin, "1.0"), TypeError, r"x must be.*'1.0'.*float\(\)"),
    ("x complex", lambda: derivative(np.sin, 1j), TypeError, r"x must.*complex.*'complex'"),
    ("x bool", lambda: derivative(np.sin, True), TypeError, r"x must be .*booleans"),
    ("x list of text", lambda: gradient(np.sum, ["a", "b"]), TypeError, r"x must be a real"),
    ("x ragged", lambda: gradient(np.sum, [[1.0], [1.0, 2.0]]), TypeError, "x must be a real"),
    ("x NaN", lambda: derivative(np.sin, np.nan), ValueError, r"x must be finite.*nan"),
    ("x inf in array", lambda: gradient(np.sum, [1.0, np.inf]), ValueError, "x must be finite"),
    ("gradient of []", lambda: gradient(np.sum, []), ValueError, r"x must hold at least one"),
    ("jacobian of []", lambda: jacobian(np.sin, np.array([])), ValueError, "at least one"),
    ("hessian of None", lambda: hessian(np.sum, None), TypeError, r"x must be a real.*None"),
    ("f not callable", lambda: derivative(3.0, 1.0), TypeError, r"f must be a function.*3\.0"),
    ("f None", lambda: gradient(None, [1.0]), TypeError, r"f must be a function.*None"),
    ("grad not callable", lambda: check_gradient(np.sum, [1.0], [1.0]), TypeError, r"grad must"),
    (
        "f returns text",
        lambda: derivative(lambda t: np.full(np.shape(t), "y"), 1.0),
        TypeError,
        r"f must return real",
    ),
    ("method number", lambda: derivative(np.sin, 1.0, method=2), ValueError, r"method must be"),
    ("order bool", lambda: derivative(np.sin, 1.0, order=True), ValueError, r"order must be"),
    ("order float", lambda: derivative(np.sin, 1.0, order=1.0), ValueError, r"order must be"),
    ("accuracy 0", lambda: derivative(np.sin, 1.0, accuracy=0), ValueError, r"accuracy must"),
    ("step text", lambda: derivative(np.sin, 1.0, step="small"), TypeError, r"step must be"),
    ("step NaN", lambda: derivative(np.sin, 1.0, step=np.nan), ValueError, "step must be finite"),
    ("step negative", lambda: gradient(np.sum, [1.0], step=-1.0), ValueError, r"greater than 0"),
    ("step array", lambda: gradient(np.sum, [1.0, 2.0], step=[1e-3, 1e-3]), ValueError, "one num"),
    (
        "step wrong shape",
        lambda: derivative(np.sin, [1.0, 2.0], step=[1e-3, 1e-3, 1e-3]),
        ValueError,
        r"step must be one number or an array broadcastable to x's shape \(2,\)",
    ),
    ("partial i text", lambda: partial(np.sum, [1.0, 2.0], "0"), TypeError, r"i must be an int"),
    ("partial i float", lambda: partial(np.sum, [1.0, 2.0], 0.0), TypeError, r"i must be an int"),
    ("partial i row", lambda: partial(np.sum, np.ones((2, 2)), 0), IndexError, r"one coordinate"),
    ("direction None", lambda: directional_derivative(np.sum, [1.0], None), TypeError, r"v must"),
    (
        "direction wrong shape",
        lambda: directional_derivative(np.sum, [1.0, 2.0], [1.0]),
        ValueError,
        r"v must have x's shape",
    ),
    (
        "tolerance text",
        lambda: check_gradient(np.sum, np.ones_like, [1.0], tolerance="1e-6"),
        ValueError,
        r"tolerance must be a finite number.*'1e-6'",
    ),
    (
        "tolerance 0",
        lambda: check_gradient(np.sum, np.ones_like, [1.0], tolerance=0),
        ValueError,
        "tolerance must",
    ),
    (
        "methods a string",
        lambda: step_error_sweep(np.sin, 1.0, np.cos(1.0), methods="central"),
        TypeError,
        r"methods must be a sequence.*methods=\['central'\]",
    ),
    (
        "methods empty",
        lambda: step_error_sweep(np.sin, 1.0, 0.5, methods=[]),
        ValueError,
        "at least",
    ),
    (
        "methods unknown",
        lambda: step_error_sweep(np.sin, 1.0, 0.5, methods=["centre"]),
        ValueError,
        "method must be one of",
    ),
    (
        "sweep x array",
        lambda: step_error_sweep(np.sin, [1.0, 2.0], 0.5),
        ValueError,
        "x must be one",
    ),
    (
        "sweep steps []",
        lambda: step_error_sweep(np.sin, 1.0, 0.5, steps=[]),
        ValueError,
        "steps must",
    ),
    ("sweep exact None", lambda: step_error_sweep(np.sin, 1.0, None), TypeError, "df_exact must"),
]


@pytest.mark.parametrize(
    ("call", "error", "message"), [row[1:] for row in BAD_INPUT], ids=[row[0] for row in BAD_INPUT]
)
def test_bad_input_is_refused_naming_the_argument(
    call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


def test_derivative_at_no_points_is_no_derivatives() -> None:
    assert derivative(np.sin, []).shape == (0,)
    assert estimate_derivative(np.sin, np.zeros((0, 3))).value.shape == (0, 3)
