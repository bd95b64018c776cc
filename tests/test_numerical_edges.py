"""Numerical derivatives near a singularity or an edge of the domain, and at extreme steps.

The promise under test (docs/api/promises.md): a numerical derivative is correct to about
1e-6 relative, or the function raises (``derivative`` and the vector functions) or warns and
reports ``error=inf`` (``estimate_derivative``); and ``estimate_derivative``'s error bounds the
true error. Every expected value is a textbook derivative evaluated at the point.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calcml import (
    check_gradient,
    default_step,
    derivative,
    directional_derivative,
    estimate_derivative,
    gradient,
    hessian,
    jacobian,
    partial,
)

EPS = np.finfo(float).eps


def _counted(f: Callable[[Any], Any], calls: list[int]) -> Callable[[Any], Any]:
    def wrapped(x: Any) -> Any:
        calls.append(int(np.size(x)))
        return f(x)

    return wrapped


# ---------------------------------------------------------------- the cases of issue 14

# (id, f, x, method, exact f'(x)): the default step reaches, or crosses, the singularity.
ISSUE_CASES = [
    ("log at 1e-5", np.log, 1e-5, "central", 1e5),
    ("1/x at 1e-6", lambda t: 1 / t, 1e-6, "central", -1e12),
    ("1/x at 1e-3, Richardson", lambda t: 1 / t, 1e-3, "richardson", -1e6),
]


@pytest.mark.parametrize(
    ("f", "x", "method", "exact"),
    [case[1:] for case in ISSUE_CASES],
    ids=[case[0] for case in ISSUE_CASES],
)
def test_default_step_does_not_reach_across_a_nearby_singularity(
    f: Callable[[Any], Any], x: float, method: Any, exact: float
) -> None:
    assert derivative(f, x, method=method) == pytest.approx(exact, rel=1e-6)


def test_check_gradient_passes_a_correct_gradient_near_a_pole() -> None:
    check = check_gradient(lambda w: np.sum(1 / w), lambda w: -1 / w**2, np.array([1e-3, 1.0]))
    assert check.ok, str(check)


def test_check_gradient_near_a_pole_still_fails_a_wrong_gradient() -> None:
    check = check_gradient(lambda w: np.sum(1 / w), lambda w: 1 / w**2, np.array([1e-3, 1.0]))
    assert check.mismatches == ((0,), (1,))


@pytest.mark.parametrize("step", [1e-20, 1e-17])
def test_a_step_below_the_round_off_floor_warns(step: float) -> None:
    with pytest.warns(RuntimeWarning, match="below the round-off floor"):
        derivative(np.sin, 1.0, step=step)


def test_a_step_so_small_that_x_plus_step_is_x_says_so() -> None:
    with pytest.warns(RuntimeWarning, match=r"x \+ step rounds back to x.*default_step"):
        derivative(np.sin, 1.0, step=1e-20)


@pytest.mark.parametrize(
    ("f", "x", "step"),
    [(np.sin, 1.0, 1e-3), (np.exp, 1.0, 1e-8), (np.cos, 0.0, 1e-5), (np.sin, 1.0, 1e-12)],
    ids=["large", "forward-sized", "zero-derivative", "small-but-above-floor"],
)
def test_a_reasonable_step_does_not_warn(f: Callable[[Any], Any], x: float, step: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        derivative(f, x, step=step)


# ---------------------------------------------------------------- poles and domain edges

# (id, f, f', x): f singular at 0 (or at a pole of tan), x close to it on many scales.
NEAR_SINGULAR = [
    ("log, 1e-8", np.log, lambda t: 1 / t, 1e-8),
    ("log, 3e-4", np.log, lambda t: 1 / t, 3e-4),
    ("log + 100, 1e-3", lambda t: np.log(t) + 100, lambda t: 1 / t, 1e-3),
    ("1/x, 1e-8", lambda t: 1 / t, lambda t: -1 / t**2, 1e-8),
    ("1/x, -2e-5", lambda t: 1 / t, lambda t: -1 / t**2, -2e-5),
    ("1/x + 1e6, 2e-3", lambda t: 1 / t + 1e6, lambda t: -1 / t**2, 2e-3),
    ("sqrt, 1e-8", np.sqrt, lambda t: 0.5 / np.sqrt(t), 1e-8),
    ("sqrt, 5e-6", np.sqrt, lambda t: 0.5 / np.sqrt(t), 5e-6),
    ("x^-2.5, 1e-4", lambda t: t**-2.5, lambda t: -2.5 * t**-3.5, 1e-4),
    ("x^1.5, 1e-7", lambda t: t**1.5, lambda t: 1.5 * t**0.5, 1e-7),
    ("x^0.1, 1e-6", lambda t: t**0.1, lambda t: 0.1 * t**-0.9, 1e-6),
    ("tan, 1e-6 below pi/2", np.tan, lambda t: 1 + np.tan(t) ** 2, np.pi / 2 - 1e-6),
    ("tan, 1e-4 above 3pi/2", np.tan, lambda t: 1 + np.tan(t) ** 2, 1.5 * np.pi + 1e-4),
    ("tan, near a pole at 1e4", np.tan, lambda t: 1 + np.tan(t) ** 2, (3183 + 0.5) * np.pi - 1e-5),
    ("1/(x-1), 1e-7 above 1", lambda t: 1 / (t - 1), lambda t: -1 / (t - 1) ** 2, 1 + 1e-7),
]
NEAR_IDS = [case[0] for case in NEAR_SINGULAR]
# How small the estimated error must be: a forward difference's own error is about
# sqrt(ε |f| |f''|) / |f'|, which an f with a large value (log + 50) keeps above 1e-6.
USEFUL = {"central": 1e-6, "richardson": 1e-6, "forward": 1e-4, "backward": 1e-4}
NEAR_CASES = [case[1:] for case in NEAR_SINGULAR]


@pytest.mark.parametrize("method", ["central", "forward", "backward", "richardson"])
@pytest.mark.parametrize(("f", "df", "x"), NEAR_CASES, ids=NEAR_IDS)
def test_derivative_near_a_singularity_is_accurate(
    f: Callable[[Any], Any], df: Callable[[Any], Any], x: float, method: Any
) -> None:
    assert derivative(f, x, method=method) == pytest.approx(df(x), rel=1e-6)


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
@pytest.mark.parametrize(("f", "df", "x"), NEAR_CASES, ids=NEAR_IDS)
def test_error_estimate_near_a_singularity_bounds_the_error(
    f: Callable[[Any], Any], df: Callable[[Any], Any], x: float, method: Any
) -> None:
    result = estimate_derivative(f, x, method=method)
    exact = df(x)
    assert abs(result.value - exact) <= result.error + 4 * EPS * abs(exact)
    assert result.error <= USEFUL[method] * abs(exact)


# A singularity away from 0 behind a large constant: the spread of f's values relative to their
# size, which the cheap path first looks at, is shrunk by the constant until it shows nothing,
# so the cheap path also looks at how fast f' changes (f'' from one more value), which no
# constant changes. (id, f, f', distance to the singularity at 1)
HIDDEN_BY_A_CONSTANT = [
    ("log(x - 1) + C", lambda t, c: np.log(t - 1) + c, lambda t: 1 / (t - 1)),
    ("1/(x - 1) + C", lambda t, c: 1 / (t - 1) + c, lambda t: -1 / (t - 1) ** 2),
    ("sqrt(x - 1) + C", lambda t, c: np.sqrt(t - 1) + c, lambda t: 0.5 / np.sqrt(t - 1)),
    ("(x - 1)^-1.5 - C", lambda t, c: (t - 1) ** -1.5 - c, lambda t: -1.5 * (t - 1) ** -2.5),
]


# A one-sided difference's own rounding, sqrt(ε |f| |f''|) / |f'|, passes 1e-4 of f' near these
# singularities once the constant reaches 1e6; it is tested up to 1e4.
CONSTANTS_BY_METHOD = [
    (method, constant)
    for method in ("central", "forward", "backward", "richardson")
    for constant in (10.0, 100.0, 1e4, 1e6)
    if constant < 1e6 or method in ("central", "richardson")
]


@pytest.mark.parametrize(("method", "constant"), CONSTANTS_BY_METHOD)
@pytest.mark.parametrize("distance", [1e-2, 1e-3, 1e-4])
@pytest.mark.parametrize(
    ("f", "df"),
    [case[1:] for case in HIDDEN_BY_A_CONSTANT],
    ids=[c[0] for c in HIDDEN_BY_A_CONSTANT],
)
def test_a_constant_added_to_f_does_not_hide_a_nearby_singularity(
    f: Callable[[Any, float], Any],
    df: Callable[[Any], Any],
    distance: float,
    constant: float,
    method: Any,
) -> None:
    x = 1 + distance
    exact = df(x)
    value = derivative(lambda t: f(t, constant), x, method=method)
    # The promise: 1e-6 relative for central differences and Richardson (USEFUL: 1e-4 for a
    # one-sided difference, whose own error near a large |f| is larger), plus the rounding of
    # f's values, about 1e-10 |f| / max(1, |x|), which no step avoids.
    assert abs(value - exact) <= USEFUL[method] * abs(exact) + 1e-10 * constant / x


def test_the_reported_case_log_x_minus_1_plus_100_at_1_001() -> None:
    assert derivative(lambda t: np.log(t - 1) + 100, 1.001) == pytest.approx(1000, rel=1e-6)


def test_a_constant_does_not_hide_a_singularity_from_the_vector_functions() -> None:
    w = np.array([1.001, 2.0])
    exact = np.array([1000.0, 4.0])
    f = lambda v: np.log(v[0] - 1) + v[1] ** 2 + 100  # noqa: E731
    np.testing.assert_allclose(gradient(f, w), exact, rtol=1e-6)
    np.testing.assert_allclose(jacobian(lambda v: np.array([f(v)]), w), [exact], rtol=1e-6)
    assert partial(f, w, 0) == pytest.approx(1000, rel=1e-6)
    assert directional_derivative(f, w, np.array([1.0, 0.0])) == pytest.approx(1000, rel=1e-6)


# (id, f, x, method): no derivative exists at x, or it is infinite.
NO_DERIVATIVE = [
    ("pole of 1/x", lambda t: 1 / t, 0.0, "central"),
    ("pole of 1/x, Richardson", lambda t: 1 / t, 0.0, "richardson"),
    ("jump of sign", np.sign, 0.0, "central"),
    ("sqrt at its edge, forward", np.sqrt, 0.0, "forward"),
    ("pole of tan", np.tan, np.pi / 2, "central"),
]


@pytest.mark.parametrize(
    ("f", "x", "method"), [case[1:] for case in NO_DERIVATIVE], ids=[c[0] for c in NO_DERIVATIVE]
)
def test_where_there_is_no_derivative_derivative_raises_and_the_estimate_warns(
    f: Callable[[Any], Any], x: float, method: Any
) -> None:
    with pytest.raises(ValueError, match=r"did not settle.*method='forward' or 'backward'"):
        derivative(f, x, method=method)
    with pytest.warns(RuntimeWarning, match="did not settle"):
        result = estimate_derivative(f, x, method=method)
    assert result.error == np.inf


@pytest.mark.parametrize(("f", "x"), [(np.log, 0.0), (np.log, -1.0), (np.sqrt, -1e-3)])
def test_outside_the_domain_the_error_names_the_edge(f: Callable[[Any], Any], x: float) -> None:
    with pytest.raises(ValueError, match=r"NaN or inf.*edge of f's domain"):
        derivative(f, x)


def test_a_one_sided_difference_stays_inside_the_domain_at_its_edge() -> None:
    # sqrt(x + 1) on x >= -1 has derivative 1/2 at x = 0; log1p's domain edge is at -1.
    assert derivative(np.log1p, -1 + 1e-6, method="forward") == pytest.approx(1e6, rel=1e-6)


def test_an_array_mixes_easy_and_near_singular_points() -> None:
    x = np.array([1e-7, 0.5, 3.0, 1e6])
    np.testing.assert_allclose(derivative(np.log, x), 1 / x, rtol=1e-6)
    result = estimate_derivative(np.log, x)
    assert np.all(np.abs(result.value - 1 / x) <= result.error)
    assert result.nfev[2] == 4 < result.nfev[0]


@pytest.mark.parametrize(("f", "convention"), [(np.abs, 0.0), (lambda t: np.maximum(t, 0.0), 0.5)])
def test_at_a_kink_the_documented_average_of_the_one_sided_slopes(
    f: Callable[[Any], Any], convention: float
) -> None:
    assert derivative(f, 0.0) == convention


def test_f_x_itself_may_be_undefined_where_f_has_a_limit() -> None:
    # sin(t)/t at 0 in Python floats raises ZeroDivisionError; derivative also evaluates f(x)
    # (for the second derivative), where numpy would give NaN, and so does calcml.
    assert derivative(lambda t: math.sin(t) / t, 0.0) == 0.0
    assert derivative(lambda t: math.sin(t) / t, 1e-3) == pytest.approx(-1e-3 / 3, rel=1e-5)


# Only a kink within reach of the steps tried can be seen: at 1e-300 the stencils, down to
# about 1e-11, see |x| as a smooth even function (a documented limit of the bound).
@pytest.mark.parametrize("x", [1e-9, -1e-9, 1e-12])
def test_next_to_a_kink_the_slope_of_the_side_x_is_on(x: float) -> None:
    assert derivative(np.abs, x) == pytest.approx(math.copysign(1.0, x), rel=1e-9)


# ---------------------------------------------------------------- vector functions


def test_gradient_near_a_pole_in_one_coordinate() -> None:
    w = np.array([1e-6, 1.0, -3e-4])
    np.testing.assert_allclose(gradient(lambda v: np.sum(1 / v), w), -1 / w**2, rtol=1e-6)


def test_jacobian_near_a_domain_edge() -> None:
    w = np.array([2e-7, 4.0])
    expected = np.array([[1 / w[0], 0.0], [0.0, 0.5 / np.sqrt(w[1])]])
    np.testing.assert_allclose(
        jacobian(lambda v: np.array([np.log(v[0]), np.sqrt(v[1])]), w), expected, rtol=1e-6
    )


def test_hessian_near_a_pole() -> None:
    w = np.array([1e-3, 2.0])
    exact = np.diag(-1 / w**2)
    np.testing.assert_allclose(hessian(lambda v: np.sum(np.log(v)), w), exact, rtol=1e-5)


def test_partial_and_directional_derivative_near_a_pole() -> None:
    w = np.array([1e-6, 1.0])
    assert partial(lambda v: 1 / v[0] + v[1], w, 0) == pytest.approx(-1e12, rel=1e-6)
    direction = np.array([1.0, 1.0])
    assert directional_derivative(lambda v: np.log(v[0]) + v[1], w, direction) == pytest.approx(
        1e6 + 1, rel=1e-6
    )


def _step_in_second_coordinate(v: Any) -> Any:
    return v[0] + np.sign(v[1])


def test_gradient_across_a_jump_raises_naming_the_coordinate() -> None:
    with pytest.raises(ValueError, match=r"along x\[1\].*did not settle"):
        gradient(_step_in_second_coordinate, np.array([1.0, 0.0]))


def test_check_gradient_refuses_to_check_across_a_jump() -> None:
    with pytest.raises(ValueError, match="did not settle"):
        check_gradient(_step_in_second_coordinate, lambda v: np.array([1.0, 0.0]), [1.0, 0.0])


def test_f_infinite_at_x_is_reported_as_such() -> None:
    with pytest.raises(ValueError, match=r"NaN or inf"):
        gradient(lambda v: np.sum(1 / v), np.array([1.0, 0.0]))


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize(
    ("f", "x"),
    [(np.exp, 1.0), (np.sin, 0.5), (lambda t: t**3 - 2 * t, 2.0), (np.log, 10.0), (np.tanh, -1.2)],
    ids=["exp", "sin", "cubic", "log", "tanh"],
)
def test_default_central_difference_costs_three_evaluations_on_a_smooth_function(
    f: Callable[[Any], Any], x: float
) -> None:
    # Two for the difference, one at x for f'' (a singularity a constant hides), in one call.
    calls: list[int] = []
    derivative(_counted(f, calls), x)
    assert calls == [3]
    calls.clear()
    assert estimate_derivative(_counted(f, calls), x).nfev == sum(calls) == 4


def test_smooth_gradient_costs_two_evaluations_per_coordinate_and_one_probe() -> None:
    calls: list[int] = []
    gradient(_counted(lambda v: np.sum(np.exp(v)), calls), np.array([0.5, 1.0, -2.0]))
    assert len(calls) == 2 * 3 + 1


def test_the_check_near_a_singularity_costs_evaluations_and_reports_them() -> None:
    calls: list[int] = []
    result = estimate_derivative(_counted(np.log, calls), 1e-5)
    assert result.nfev == sum(calls) > 4


# ---------------------------------------------------------------- aliasing

# Steps that are all multiples of one step h (Richardson's h, 2h, ..., 16h; a difference and its
# check at 2h) are aliased together by a function periodic on a scale shorter than h: with
# h = m pi + d, tan samples like t -> tan(x + r t), r = d / h, and the differences agree on
# r f'(x). Each point below (from a hypothesis run or a scan for steps near m pi) returned
# such a value with an error estimate near 1e-15 before the fix.
# (id, x, method): tan at x, whose derivative is 1 / cos(x)^2.
ALIASED = [
    ("Richardson, 0.32 below a pole at 1e6", (322937 + 0.5) * math.pi - 10**-0.5, "richardson"),
    ("Richardson, 0.1 from a pole at 6e7", 57919839.340220444, "richardson"),
    ("central, 0.1 from a pole at 1.6e6", 1556412.4448304356, "central"),
    ("central, 0.1 from a pole at 2.1e6", 2075218.1972369077, "central"),
]


@pytest.mark.parametrize(
    ("x", "method"), [case[1:] for case in ALIASED], ids=[case[0] for case in ALIASED]
)
def test_a_step_that_spans_whole_periods_of_f_does_not_alias_the_estimate(
    x: float, method: Any
) -> None:
    exact = 1 / np.cos(x) ** 2
    result = estimate_derivative(np.tan, x, method=method)
    assert abs(result.value - exact) <= result.error <= 1e-6 * exact
    assert derivative(np.tan, x, method=method) == pytest.approx(exact, rel=1e-6)


def test_a_user_step_that_aliases_richardson_has_no_error_bound() -> None:
    # The finest step, step / 16, is one period of sin and 1e-3 more: the tableau converges to
    # about 1.6e-4 cos(1), and only the difference at a step in between shows it.
    step = 16 * (2 * np.pi + 1e-3)
    with pytest.warns(RuntimeWarning, match=r"no error bound at step=.*period of f"):
        result = estimate_derivative(np.sin, 1.0, method="richardson", step=step)
    assert result.error == np.inf
    with pytest.raises(ValueError, match="Use a smaller step"):
        derivative(np.sin, 1.0, method="richardson", step=step)


# ---------------------------------------------------------------- property: error bounds


def _tan_near_pole(pole_index: int, distance: float, side: int) -> float:
    return (pole_index + 0.5) * math.pi + side * distance


# The family of issue 14: log, 1/x, sqrt, x**p singular at 0 and tan near its poles, at points
# on scales 1e-8 ... 1e8.
FAMILY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "log": (np.log, lambda t: 1 / t),
    "1/x": (lambda t: 1 / t, lambda t: -1 / t**2),
    "sqrt": (np.sqrt, lambda t: 0.5 / np.sqrt(t)),
    "x^-1.5": (lambda t: t**-1.5, lambda t: -1.5 * t**-2.5),
    "x^0.3": (lambda t: t**0.3, lambda t: 0.3 * t**-0.7),
    "x^2.5": (lambda t: t**2.5, lambda t: 2.5 * t**1.5),
    "log + 50": (lambda t: np.log(t) + 50, lambda t: 1 / t),
}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(FAMILY)),
    st.floats(-8, 8),
    st.sampled_from(["central", "forward", "richardson"]),
)
def test_error_estimate_bounds_the_error_across_scales(
    name: str, exponent: float, method: Any
) -> None:
    f, df = FAMILY[name]
    x = 10.0**exponent
    exact = df(x)
    result = estimate_derivative(f, x, method=method)
    assert abs(result.value - exact) <= result.error + 4 * EPS * abs(exact)
    assert result.error <= USEFUL[method] * abs(exact)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(-30_000_000, 30_000_000),
    st.floats(-8, -0.5),
    st.sampled_from([-1, 1]),
    st.sampled_from(["central", "forward", "richardson"]),
)
def test_error_estimate_bounds_the_error_of_tan_near_its_poles(
    pole_index: int, log_distance: float, side: int, method: Any
) -> None:
    x = _tan_near_pole(pole_index, 10.0**log_distance, side)
    exact = 1 / np.cos(x) ** 2
    # The point must lie measurably off the pole: its distance to it, as floats resolve it,
    # is at least a million spacings.
    assume(abs(np.cos(x)) > 1e6 * np.spacing(max(1.0, abs(x))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = estimate_derivative(np.tan, x, method=method)
    assert abs(result.value - exact) <= result.error + 4 * EPS * abs(exact)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(FAMILY)), st.floats(-8, 8))
def test_derivative_is_accurate_or_raises_across_scales(name: str, exponent: float) -> None:
    f, df = FAMILY[name]
    x = 10.0**exponent
    assert derivative(f, x) == pytest.approx(df(x), rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(-8, 8))
def test_default_step_is_scaled_to_max_one_and_x(exponent: float) -> None:
    x = 10.0**exponent
    assert float(default_step(x)) == pytest.approx(np.cbrt(EPS) * max(1.0, x), rel=1e-6)


@pytest.mark.parametrize("kind", ["unit vectors", "sums of unit vectors", "dense", "sparse"])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_rounding_along_lines_is_its_dense_definition(kind: str, shape: tuple[int, ...]) -> None:
    # AlongLines.rounding reads only the coordinates a line moves (O(entries), where the
    # definition costs O(lines * size)); it must agree with the definition to the bit, also
    # when a line is asked for twice.
    from calcml.differentiate._sample import AlongLines

    rng = np.random.default_rng(len(shape) + len(kind))
    size = math.prod(shape)
    units = np.eye(size)
    directions = {
        "unit vectors": units,
        "sums of unit vectors": np.array([units[0], units[0] + units[-1], -0.5 * units[-1]]),
        "dense": rng.normal(size=(4, size)),
        "sparse": rng.normal(size=(3, size)) * (np.arange(size) % 2 == 0),
    }[kind].reshape((-1, *shape))
    for scale in (1e-8, 1.0, 1e6):
        x = rng.normal(size=shape) * scale
        lines = rng.choice(len(directions), size=len(directions) + 1)
        t = rng.normal(size=(3, len(lines))) * 10.0 ** rng.integers(-12, -1, size=(3, len(lines)))
        v = directions[lines][np.newaxis]
        moved = t.reshape(t.shape + (1,) * len(shape)) * v
        axes = tuple(range(2, moved.ndim))
        expected = np.max(np.abs(((x + moved) - x) - moved), axis=axes) / np.max(
            np.abs(v), axis=axes
        )
        got = AlongLines(lambda point: 0.0, x, directions, ()).rounding(t, lines)
        np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------- a large constant in f


def _right_or_refused(
    compute: Callable[[], Any], expected: Any, *, together: bool = False, absolute: float = 0.0
) -> str:
    """Within USABLE (the estimator's promise when round-off stops it short of 1e-6) of the
    derivative, or a ValueError that names round-off: never a silently wrong derivative. A
    gradient's components are judged ``together``, next to the largest (the promise); a
    derivative of 0 within ``absolute`` (the size of f's derivatives nearby)."""
    try:
        got = compute()
    except ValueError as error:
        if "lost in round-off" not in str(error):
            raise
        return "refused"
    if together:
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3 * np.max(np.abs(expected)))
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-3, atol=absolute)
    return "right"


LARGE_OFFSETS = [1e3, 1e6, 1e9, 1e11, 1e13]
SLOPES = {
    "line": (lambda t: 3 * t, lambda t: 3.0 + 0 * t),
    "sin": (np.sin, np.cos),
    "exp": (np.exp, np.exp),
    "square": (lambda t: t**2 - t, lambda t: 2 * t - 1),
}
METHODS = ["central", "forward", "backward", "richardson"]


@pytest.mark.parametrize("name", sorted(SLOPES))
@pytest.mark.parametrize("offset", LARGE_OFFSETS)
@pytest.mark.parametrize("method", METHODS)
def test_a_large_constant_in_f_is_no_silent_error(method: str, offset: float, name: str) -> None:
    # 1e9 + t at 0 gave 1.004 and gradient(1e12 + w0 + w1) gave [0, 0], silently: round-off of
    # f's values swamped their change over the default step. Richardson's tableau, whose finest
    # differences carry 16 times the round-off, returned 1e13 + 3t with 12 % error. The step
    # now grows out of it, or the functions refuse, naming round-off.
    g, dg = SLOPES[name]
    x = np.array([0.3, -1.2, 2.0])
    outcomes = {
        _right_or_refused(lambda: derivative(lambda t: offset + g(t), x, method=method), dg(x)),
        _right_or_refused(
            lambda: gradient(lambda w: offset + np.sum(g(w)), x, method=method),
            dg(x),
            together=True,
        ),
        _right_or_refused(
            lambda: np.diag(jacobian(lambda w: offset + g(w), x, method=method)), dg(x)
        ),
    }
    # Up to 1e9 the central difference resolves every one; Richardson, whose steps are larger,
    # up to 1e11. (Refusing is no escape where a difference can resolve the derivative.)
    if offset <= {"central": 1e9, "richardson": 1e11}.get(method, 0):
        assert outcomes == {"right"}


# f's values one float at every step tried: 1e15 + cos at 0.5 and 1e20 + t at 0 gave 0,
# silently. Such values prove the derivative 0 only within one ulp of f over the step.
HUGE_OFFSETS = [1e13, 1e14, 1e15, 1e16, 1e18, 1e20]
FLAT_SLOPES = {
    "line": (lambda t: t, lambda t: 1.0 + 0 * t, lambda t: 0 * t),
    "cos": (np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t)),
    "square": (lambda t: t**2 - t, lambda t: 2 * t - 1, lambda t: 2.0 + 0 * t),
    "exp": (np.exp, np.exp, np.exp),
}


@pytest.mark.parametrize("name", sorted(FLAT_SLOPES))
@pytest.mark.parametrize("offset", HUGE_OFFSETS)
@pytest.mark.parametrize("method", METHODS)
def test_values_that_never_change_give_0_only_where_that_is_proven(
    method: str, offset: float, name: str
) -> None:
    # Each derivative right within 1e-3 or refused naming round-off. Where the derivative is 0
    # (-sin at 0, t^2 - t's at 0.5) flat values give no right 0 either: they cannot tell it
    # from 1e15 + cos's at 0.5, and are refused. The derivatives of these g are of size 1
    # here, so 1e-3 of 1 is the accuracy promised where they are 0.
    g, dg, d2g = FLAT_SLOPES[name]
    x = np.array([0.0, 0.5, -1.2, 2.0])
    f = lambda t: offset + g(t)  # noqa: E731
    total = lambda w: offset + np.sum(g(w))  # noqa: E731
    for order, expected in ((1, dg(x)), (2, d2g(x))):
        for point, value in zip(x, expected, strict=True):
            _right_or_refused(
                lambda point=point, order=order: derivative(f, point, order=order, method=method),
                value,
                absolute=1e-3,
            )
    _right_or_refused(lambda: gradient(total, x, method=method), dg(x), together=True)
    _right_or_refused(lambda: np.diag(jacobian(f, x, method=method)), dg(x), absolute=1e-3)
    _right_or_refused(
        lambda: hessian(total, x[1:], method=method), np.diag(d2g(x[1:])), together=True
    )


HIDDEN_BY_FLAT_VALUES = {
    "1e15 + cos at 0.5": (lambda t: 1e15 + np.cos(t), 0.5, "1e\\+15"),
    "1e20 + t at 0": (lambda t: 1e20 + t, 0.0, "1e\\+20"),
}


@pytest.mark.parametrize("name", sorted(HIDDEN_BY_FLAT_VALUES))
@pytest.mark.parametrize("method", METHODS)
def test_values_that_never_change_and_hide_a_derivative_name_the_fix(
    method: str, name: str
) -> None:
    # The derivatives are -0.479 and 1; every function refuses, naming f's size and the fix
    # (estimate_derivative warns).
    f, x, size = HIDDEN_BY_FLAT_VALUES[name]
    along = lambda w: f(w[0]) + 0 * w[1]  # noqa: E731
    point = np.array([x, 1.0])
    message = rf"lost in round-off: f's values there, of size {size},.*Subtract the constant"
    for compute in (
        lambda: derivative(f, x, method=method),
        lambda: gradient(along, point, method=method),
        lambda: jacobian(lambda w: np.stack([along(w)]), point, method=method),
        lambda: partial(along, point, 0, method=method),
        lambda: directional_derivative(along, point, [1.0, 0.0], method=method),
    ):
        with pytest.raises(ValueError, match=message):
            compute()
    with pytest.warns(RuntimeWarning, match=message):
        estimate_derivative(f, x, method=method)


@pytest.mark.parametrize("method", METHODS)
def test_values_that_never_change_give_0_where_f_is_constant(method: str) -> None:
    # Where f is constant (1e6's ulp over the step proves a first derivative below 2e-9 and a
    # second below 1e-7 at |x| <= 1), where tanh is 1.0, and along a coordinate that f does
    # not depend on: exactly 0, without a warning. A gradient's flat components are judged next
    # to its largest, so 1e9 + w[0]'s are 0 too, though alone they would be refused.
    x = np.array([0.0, 0.3, -1.2, 2.0, 1e3])
    flat_functions = [lambda t, c=c: c + 0 * t for c in (0.0, 5.0, -3.0, 1e6)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in flat_functions:
            for order in (1, 2):
                assert np.all(derivative(f, x, order=order, method=method) == 0)
                assert np.all(estimate_derivative(f, x, order=order, method=method).value == 0)
            assert np.all(gradient(lambda w, f=f: f(np.sum(w)), x, method=method) == 0)
            assert np.all(jacobian(f, x, method=method) == 0)
            assert np.all(hessian(lambda w, f=f: f(np.sum(w)), x[:3], method=method) == 0)
        far_out = np.array([40.0, -40.0, 100.0, -1e3])
        # At 30, a first backward difference (its bend check) reaches 15, where tanh is
        # 1 - 2e-13, and refuses; a forward one at -30 too: no values that never change.
        if method in ("central", "richardson"):
            far_out = np.append(far_out, [30.0, -30.0])
        assert np.all(derivative(np.tanh, far_out, method=method) == 0)
        assert np.all(derivative(np.tanh, far_out, order=2, method=method) == 0)
        w = np.array([0.3, -1.2, 2.0])
        for offset in (0.0, 1e6, 1e9):
            grad = gradient(lambda w, offset=offset: offset + w[0], w, method=method)
            np.testing.assert_allclose(grad[0], 1.0, rtol=1e-3)
            assert np.all(grad[1:] == 0)
        # Off the block of w[1] and w[2], the entries combine second derivatives along
        # w[0] +- w[j] (2 each), whose round-off remains.
        square = hessian(lambda w: w[0] ** 2, w, method=method)
        np.testing.assert_allclose(square, np.diag([2.0, 0.0, 0.0]), atol=1e-6)
        assert np.all(square[1:, 1:] == 0)


@pytest.mark.parametrize("offset", LARGE_OFFSETS)
@pytest.mark.parametrize("method", METHODS)
def test_a_large_constant_in_a_second_derivative_is_no_silent_error(
    method: str, offset: float
) -> None:
    # Round-off grows as 1/h^2 here, and a size read from f's change over the step (f' h / h^2)
    # would pass a second derivative many times too large: at 0.3, a forward difference
    # returned 1e3 + sin's 0.7 % off, Richardson 1e10 + sin's 1 % off.
    x = np.array([0.3, 1.0, 2.0])
    _right_or_refused(
        lambda: derivative(lambda t: offset + np.sin(t), x, order=2, method=method), -np.sin(x)
    )
    w = np.array([1.0, 2.0])
    _right_or_refused(
        lambda: hessian(lambda v: offset + v[0] ** 2 * v[1], w, method=method),
        np.array([[4.0, 2.0], [2.0, 0.0]]),
        together=True,
    )


@pytest.mark.parametrize("offset", LARGE_OFFSETS)
@pytest.mark.parametrize("method", METHODS)
def test_a_large_constant_at_a_stationary_point_is_no_silent_error(
    method: str, offset: float
) -> None:
    # f' = 0 at 0 and pi, where f still changes: round-off is judged against that change, so a
    # 0 is neither refused for being 0 nor returned when round-off hides a slope. cos's
    # derivatives are of size 1, so 1e-3 of 1 is the accuracy promised at its zeros.
    x = np.array([0.0, np.pi, 0.5, 0.3])
    cases = [
        (lambda t: offset + np.cos(t), -np.sin(x)),
        (lambda t: offset + (t - 0.3) ** 2, 2 * (x - 0.3)),
    ]
    for f, df in cases:
        for point, expected in zip(x, df, strict=True):
            _right_or_refused(
                lambda f=f, point=point: derivative(f, point, method=method),
                expected,
                absolute=1e-3,
            )
    _right_or_refused(
        lambda: gradient(lambda w: offset + np.sum(np.cos(w)), x, method=method),
        -np.sin(x),
        together=True,
    )


# Near a pole or a domain edge behind a large constant: the final step is small, and its
# round-off large, so these are resolved, or refused, at smaller constants than a smooth f.
NEAR_A_SINGULARITY = {
    "log(x - 1) at 1.001": (lambda t: np.log(t - 1), lambda t: 1 / (t - 1), 1.001),
    "1/(x - 1) at 1.01": (lambda t: 1 / (t - 1), lambda t: -1 / (t - 1) ** 2, 1.01),
    "1/x at 1e-3": (lambda t: 1 / t, lambda t: -1 / t**2, 1e-3),
    "sqrt at 1e-2": (np.sqrt, lambda t: 0.5 / np.sqrt(t), 1e-2),
    "tan near pi/2": (np.tan, lambda t: 1 / np.cos(t) ** 2, np.pi / 2 - 1e-2),
}


@pytest.mark.parametrize("name", sorted(NEAR_A_SINGULARITY))
@pytest.mark.parametrize("offset", LARGE_OFFSETS)
@pytest.mark.parametrize("method", METHODS)
def test_a_large_constant_near_a_singularity_is_no_silent_error(
    method: str, offset: float, name: str
) -> None:
    f, df, x = NEAR_A_SINGULARITY[name]
    outcome = _right_or_refused(
        lambda: derivative(lambda t: offset + f(t), x, method=method), df(x)
    )
    # Behind a constant of 1e3 every method resolves them (as without one).
    if offset <= 1e3:
        assert outcome == "right"


@pytest.mark.parametrize("method", METHODS)
def test_a_derivative_lost_in_round_off_names_the_fix_or_warns(method: str) -> None:
    # 1e15 + sin: its values are multiples of 0.125, and no step up to a quarter of max(1, |x|)
    # resolves cos to 1e-3.
    f = lambda t: 1e15 + np.sin(t)  # noqa: E731
    with pytest.raises(ValueError, match=r"lost in round-off.*Subtract the constant part of f"):
        derivative(f, 0.3, method=method)
    with pytest.warns(RuntimeWarning, match="lost in round-off"):
        estimate_derivative(f, 0.3, method=method)
