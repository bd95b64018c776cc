"""What minimize promises: its default reaches the minimum, and its verdicts are honest.

Each table row is a case a user could hit. Expected values come from the mathematics of the
case (where the minimum is, how fast gradient descent grows on a quadratic), not from runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from calcml.autodiff import Tensor, UnsupportedOperationError
from calcml.functions import quadratic_bowl, rosenbrock
from calcml.optimize import (
    BFGS,
    LBFGS,
    Adam,
    GradientDescent,
    Momentum,
    Optimizer,
    minimize,
)


class Counting:
    """Wraps f and counts its calls, whoever makes them."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        self.f = f
        self.calls = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return self.f(x)


# ------------------------------------------------------------ the default reaches the minimum

DEFAULT_CASES = [
    ("bowl, condition 10", quadratic_bowl(10.0), [2.0, 2.0], [0.0, 0.0]),
    ("bowl, condition 100", quadratic_bowl(100.0), [2.0, 2.0], [0.0, 0.0]),
    ("tilted bowl, condition 1000", quadratic_bowl(1000.0, angle=0.7), [2.0, -1.0], [0.0, 0.0]),
    ("Rosenbrock from (2, 2)", rosenbrock, [2.0, 2.0], [1.0, 1.0]),
    ("Rosenbrock from (-1.2, 1)", rosenbrock, [-1.2, 1.0], [1.0, 1.0]),
]


@pytest.mark.parametrize(
    ("function", "start", "minimum"),
    [case[1:] for case in DEFAULT_CASES],
    ids=[case[0] for case in DEFAULT_CASES],
)
def test_default_minimize_reaches_the_minimum_without_tuning(
    function: Callable[[Any], Any], start: list[float], minimum: list[float]
) -> None:
    result = minimize(function, start)
    assert result.converged, result.message
    # |grad| <= 1e-6 on these functions (smallest Hessian eigenvalue >= 0.4 near the minimum)
    # puts x within a few 1e-6 of the minimum.
    np.testing.assert_allclose(result.x, minimum, atol=1e-5)
    assert "BFGS" in result.optimizer


def test_default_for_many_parameters_is_lbfgs_and_reaches_the_minimum() -> None:
    weights = np.linspace(1.0, 50.0, 2000)
    result = minimize(lambda x: 0.5 * np.sum(weights * (x - 1.0) ** 2), np.zeros(2000))
    assert result.optimizer.startswith("LBFGS")
    assert result.converged
    np.testing.assert_allclose(result.x, 1.0, atol=1e-6)


# ------------------------------------------------------------ divergence, and what is not


def _quadratic_descent(rate: float, max_steps: int, noise: float = 0.0) -> Any:
    """Gradient descent on f(x) = x^2: each step multiplies x by (1 - 2 rate), the loss by its
    square, plus optional seeded gradient noise."""
    rng = np.random.default_rng(0)
    return minimize(
        lambda x: float(x @ x),
        [1.0],
        grad=lambda x: 2 * x + noise * rng.standard_normal(x.shape),
        optimizer=GradientDescent(learning_rate=rate),
        max_steps=max_steps,
        tol=0.0,
    )


GROWTH_CASES = [
    # (1 - 2 * 1.0116)^2 = 1.047: the loss grows 4.7% a step, 1e6-fold in 300 steps, far from
    # the 1e10 of an explosion; sustained growth must be caught long before step 300.
    ("4.7% a step, 300 steps", lambda: _quadratic_descent(1.0116, 300)),
    # Factor |1 - 2 * 1.02| = 1.04 a step on x, jittered by gradient noise.
    ("noisy growth", lambda: _quadratic_descent(1.02, 300, noise=0.3)),
]


@pytest.mark.parametrize(
    "run", [case[1] for case in GROWTH_CASES], ids=[c[0] for c in GROWTH_CASES]
)
def test_sustained_growth_of_the_loss_is_divergence(run: Callable[[], Any]) -> None:
    result = run()
    assert result.diverged, result.message
    assert result.status == "diverged"
    assert "kept growing" in result.message
    assert result.n_steps < 300


CONVERGING_CASES = [
    # Factor |1 - 2 * 0.99| = 0.98: x flips sign every step and the loss shrinks 4% a step.
    ("oscillating gradient descent", lambda: _quadratic_descent(0.99, 2000)),
    # Stochastic gradients: the loss falls, then jitters around its noise floor.
    ("noisy stochastic gradient", lambda: _quadratic_descent(0.1, 2000, noise=1.0)),
    (
        "Adam overshooting on Rosenbrock",
        lambda: minimize(rosenbrock, [-1.2, 1.0], optimizer=Adam(learning_rate=0.1), tol=0.0),
    ),
    (
        "momentum overshooting on a narrow valley",
        lambda: minimize(
            quadratic_bowl(100.0), [1.0, 1.0], optimizer=Momentum(0.019, 0.95), tol=0.0
        ),
    ),
]


@pytest.mark.parametrize(
    "run", [case[1] for case in CONVERGING_CASES], ids=[c[0] for c in CONVERGING_CASES]
)
def test_noisy_or_oscillating_convergence_is_not_divergence(run: Callable[[], Any]) -> None:
    result = run()
    assert not result.diverged, result.message
    assert result.status == "max_steps"
    assert result.losses[-1] < result.losses[0]


def test_iterate_overflowing_with_an_automatic_gradient_is_divergence_not_a_crash() -> None:
    # From 1e75 the gradient 4e225 times the rate 1e100 overflows: the iterate becomes -inf.
    result = minimize(
        lambda x: np.sum(x**4), [1e75], optimizer=GradientDescent(learning_rate=1e100)
    )
    assert result.diverged
    assert "iterate became non-finite" in result.message
    assert result.gradient_source == "automatic"


def test_line_search_past_the_edge_of_the_domain_backs_off_instead_of_crashing() -> None:
    # x - log(x) has its minimum at x = 1; long trial steps land at x <= 0, where the
    # autodiff engine refuses log but a plain call gives NaN, which the line search rejects.
    result = minimize(lambda x: np.sum(x - np.log(x)), [8.0, 0.05])
    assert result.converged, result.message
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("rate", [0.21, 0.5, 3.0])
def test_advice_after_divergence_names_a_smaller_rate_than_the_one_that_failed(
    rate: float,
) -> None:
    # Steps above 2 / L = 0.2 diverge on the bowl of condition 10 (largest eigenvalue 10).
    result = minimize(
        quadratic_bowl(10.0), [1.0, 1.0], optimizer=GradientDescent(learning_rate=rate)
    )
    assert result.diverged
    suggested = re.search(r"GradientDescent\(learning_rate=([0-9.e-]+)\)", result.message)
    assert suggested is not None, result.message
    assert float(suggested.group(1)) < rate


# ------------------------------------------------------------ errors that name the culprit


@pytest.mark.parametrize(
    "schedule",
    [lambda t: 0.1 - 0.02 * t, lambda t: float("nan"), lambda t: float("inf")],
    ids=["turns negative", "nan", "inf"],
)
def test_schedule_returning_a_negative_or_non_finite_rate_is_an_error(
    schedule: Callable[[int], float],
) -> None:
    with pytest.raises(ValueError, match="schedule returned"):
        minimize(
            lambda x: float(x @ x),
            [1.0, 1.0],
            grad=lambda x: 2 * x,
            optimizer=GradientDescent(learning_rate=schedule),
        )


@pytest.mark.parametrize("at_start", [True, False], ids=["at the start", "mid-run"])
def test_nan_gradient_is_blamed_on_the_gradient_not_the_learning_rate(at_start: bool) -> None:
    threshold = 2.0 if at_start else 0.75

    def broken_gradient(x: np.ndarray) -> np.ndarray:
        return 2 * x if x[0] > threshold else np.full_like(x, np.nan)

    with pytest.raises(ValueError, match="grad= function") as caught:
        minimize(
            lambda x: float(x @ x),
            [1.0, 1.0],
            grad=broken_gradient,
            optimizer=GradientDescent(learning_rate=0.25),
        )
    assert "learning rate is not the cause" in str(caught.value)


def test_run_that_stops_short_says_how_far_it_got_and_what_to_change() -> None:
    result = minimize(
        quadratic_bowl(100.0), [2.0, 2.0], optimizer=GradientDescent(0.001), max_steps=10
    )
    assert result.status == "max_steps"
    assert "gradient norm went from" in result.message
    assert "loss from" in result.message
    assert "raise max_steps" in result.message


# ------------------------------------------------------------ where the gradient comes from


def _i0_valley(x: Any) -> Any:
    # I0 is even with its minimum at 0, so this is minimized at x = 1; calcml.autodiff has no
    # rule for numpy.i0.
    return np.sum(np.i0(x - 1.0))


def _declares_unsupported(x: Any) -> Any:
    if isinstance(x, Tensor):
        raise UnsupportedOperationError("numpy.special_thing is not supported on traced values")
    return np.sum((x - 1.0) ** 2)


@pytest.mark.parametrize("f", [_i0_valley, _declares_unsupported])
def test_finite_differences_only_when_autodiff_cannot_trace_and_the_result_says_why(
    f: Callable[[Any], Any],
) -> None:
    result = minimize(f, [0.0, 3.0])
    assert result.gradient_source == "numerical"
    assert "cannot trace" in result.gradient_reason
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-5)


def test_a_type_error_from_a_bug_in_f_propagates_instead_of_switching_to_finite_differences() -> (
    None
):
    def buggy(x: Any) -> Any:
        return np.sum(x**2) + len(3)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="len"):
        minimize(buggy, [1.0, 2.0])


@pytest.mark.parametrize(
    ("make", "source"),
    [
        (lambda f: {"grad": lambda x: 2 * (x - 1.0)}, "given"),
        (lambda f: {}, "automatic"),
    ],
)
@pytest.mark.parametrize(
    "optimizer", [None, GradientDescent(0.25), LBFGS()], ids=["default", "GD", "LBFGS"]
)
def test_nfev_counts_every_call_of_f(
    make: Callable[[Any], dict[str, Any]], source: str, optimizer: Optimizer | None
) -> None:
    f = Counting(lambda x: np.sum((x - 1.0) ** 2))
    result = minimize(f, [3.0, -2.0], optimizer=optimizer, **make(f))
    assert result.gradient_source == source
    assert result.nfev == f.calls
    assert result.converged


def test_nfev_counts_the_finite_difference_evaluations_and_the_failed_probe() -> None:
    f = Counting(_i0_valley)
    result = minimize(f, [0.0, 3.0], optimizer=BFGS())
    assert result.gradient_source == "numerical"
    assert result.nfev == f.calls
    # Every gradient by central differences costs at least 2 calls of f per coordinate.
    assert result.nfev >= 2 * 2 * result.njev
