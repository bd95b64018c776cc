"""Tests for calcml.optimize: schedules, optimizers and the minimize driver."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcml.functions import quadratic_bowl, rosenbrock, saddle
from calcml.optimize import (
    BFGS,
    LBFGS,
    AdaGrad,
    Adam,
    BacktrackingLineSearch,
    DivergenceError,
    GradientDescent,
    Momentum,
    Nesterov,
    Newton,
    Objective,
    Optimizer,
    RMSProp,
    constant,
    cosine_decay,
    exponential_decay,
    minimize,
    step_decay,
)

# ---------------------------------------------------------------------------- schedules


def test_constant_schedule_never_changes() -> None:
    schedule = constant(0.3)
    assert [schedule(t) for t in (0, 1, 10**6)] == [0.3, 0.3, 0.3]


def test_step_decay_drops_by_factor_every_period() -> None:
    schedule = step_decay(0.8, factor=0.5, every=3)
    assert [schedule(t) for t in range(7)] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]


def test_exponential_decay_multiplies_by_decay_each_step() -> None:
    schedule = exponential_decay(2.0, decay=0.9)
    assert schedule(5) == pytest.approx(2.0 * 0.9**5)


@given(st.integers(min_value=1, max_value=1000), st.floats(min_value=0.0, max_value=0.5))
@settings(max_examples=30, deadline=None)
def test_cosine_decay_runs_from_start_to_floor_through_the_midpoint(
    total: int, floor_share: float
) -> None:
    schedule = cosine_decay(1.0, total_steps=total, final_learning_rate=floor_share)
    assert schedule(0) == pytest.approx(1.0)
    assert schedule(total) == pytest.approx(floor_share)
    assert schedule(10 * total) == pytest.approx(floor_share)
    if total % 2 == 0:
        assert schedule(total // 2) == pytest.approx((1.0 + floor_share) / 2)


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: constant(0.0), "learning_rate"),
        (lambda: step_decay(0.1, factor=1.5), "factor"),
        (lambda: step_decay(0.1, every=0), "every"),
        (lambda: exponential_decay(0.1, decay=1.0), "decay"),
        (lambda: cosine_decay(0.1, total_steps=10, final_learning_rate=0.2), "final_learning_rate"),
    ],
)
def test_schedule_rejects_out_of_range_arguments_by_name(make, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        make()


def test_optimizer_follows_its_schedule() -> None:
    optimizer = GradientDescent(learning_rate=step_decay(1.0, factor=0.5, every=1))
    x = np.array([0.0])
    for _ in range(3):
        x = optimizer.step(x, [1.0])
    assert x == pytest.approx([-(1.0 + 0.5 + 0.25)])


# ---------------------------------------------------------------------------- optimizers


@given(
    st.floats(min_value=1.5, max_value=200.0),
    st.floats(min_value=0.0, max_value=math.pi),
    st.tuples(st.floats(-5, 5), st.floats(-5, 5)).filter(lambda p: math.hypot(*p) > 1e-3),
)
@settings(max_examples=40, deadline=None)
def test_gradient_descent_with_optimal_step_contracts_at_rate_k_minus_1_over_k_plus_1(
    k: float, angle: float, start: tuple[float, float]
) -> None:
    bowl = quadratic_bowl(k, angle=angle)
    # Eigenvalues 1 and k: the optimal step 2 / (1 + k) scales both eigen-components of the
    # error by +-(k - 1)/(k + 1), so the distance to the minimum shrinks by exactly that.
    result = minimize(
        bowl, start, optimizer=GradientDescent(learning_rate=2 / (1 + k)), max_steps=5, tol=0.0
    )
    distances = np.linalg.norm(result.path, axis=1)
    assert distances[1:] / distances[:-1] == pytest.approx(np.full(5, (k - 1) / (k + 1)), rel=1e-9)


def test_gradient_descent_above_two_over_largest_eigenvalue_is_caught_diverging() -> None:
    bowl = quadratic_bowl(10.0)
    result = minimize(bowl, [1.0, 1.0], optimizer=GradientDescent(learning_rate=0.25))
    assert result.diverged
    assert not result.converged
    assert result.status == "diverged"
    assert "diverged at step" in result.message
    assert "smaller" in result.message
    assert np.all(np.isfinite(result.path))
    assert np.all(np.isfinite(result.losses))


def test_divergence_by_overflow_is_reported_at_the_step_it_happened() -> None:
    # From x = 1e100, one step of size 1 overshoots to -1e100 ... and the loss x^4 overflows
    # at once: the very first step must be blamed.
    result = minimize(
        lambda x: np.sum(x**4),
        [1e70],
        grad=lambda x: 4 * x**3,
        optimizer=GradientDescent(learning_rate=1.0),
    )
    assert result.diverged
    assert result.message.startswith("diverged at step 1:")
    assert result.n_steps == 0


def test_raise_on_divergence_raises_with_the_partial_result() -> None:
    with pytest.raises(DivergenceError, match="smaller") as caught:
        minimize(
            quadratic_bowl(4.0),
            [1.0, 1.0],
            optimizer=GradientDescent(learning_rate=1.0),
            raise_on_divergence=True,
        )
    assert caught.value.result.diverged


def test_loss_falling_without_bound_is_reported_as_unbounded_below() -> None:
    result = minimize(
        lambda x: -np.sum(x**2),
        [1.0],
        grad=lambda x: -2 * x,
        optimizer=GradientDescent(learning_rate=0.5),
    )
    assert result.diverged
    assert "unbounded below" in result.message


ROSENBROCK_BUDGETS = [
    (Newton(), 10),
    (BFGS(), 50),
    (LBFGS(), 50),
    (Momentum(), 1500),
    (Nesterov(), 1500),
    (BacktrackingLineSearch(), 3500),
    (RMSProp(), 6000),
    (Adam(), 11000),
    (GradientDescent(), 12000),
    (AdaGrad(), 16000),
]


@pytest.mark.parametrize(
    ("optimizer", "budget"),
    ROSENBROCK_BUDGETS,
    ids=[type(o).__name__ for o, _ in ROSENBROCK_BUDGETS],
)
def test_every_optimizer_reaches_rosenbrock_minimum_within_its_stated_budget(
    optimizer: Optimizer, budget: int
) -> None:
    result = minimize(rosenbrock, [-1.2, 1.0], optimizer=optimizer, max_steps=budget, tol=0.0)
    assert np.linalg.norm(result.x - rosenbrock.minima[0]) < 1e-2
    assert not result.diverged


def test_momentum_velocity_under_constant_gradient_approaches_one_over_one_minus_beta() -> None:
    optimizer = Momentum(learning_rate=0.1, momentum=0.5)
    x = np.zeros(1)
    steps = [x]
    for _ in range(60):
        x = optimizer.step(x, [1.0])
        steps.append(x)
    assert steps[-1] - steps[-2] == pytest.approx([-0.1 / (1 - 0.5)])


def test_nesterov_iterates_are_the_look_ahead_points_of_the_textbook_form() -> None:
    bowl = quadratic_bowl(20.0, angle=0.4)
    learning_rate, beta = 0.04, 0.8
    x, velocity = np.array([2.0, -1.0]), np.zeros(2)
    look_ahead = []
    for _ in range(25):
        look_ahead.append(x + beta * velocity)
        velocity = beta * velocity - learning_rate * bowl.grad(x + beta * velocity)
        x = x + velocity
    result = minimize(
        bowl,
        [2.0, -1.0],
        optimizer=Nesterov(learning_rate=learning_rate, momentum=beta),
        max_steps=24,
        tol=0.0,
    )
    np.testing.assert_allclose(result.path, look_ahead, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", [Adam(learning_rate=0.05), AdaGrad(learning_rate=0.05)])
def test_adaptive_first_step_moves_each_coordinate_by_the_learning_rate(
    optimizer: Optimizer,
) -> None:
    x = optimizer.step([1.0, 1.0, 1.0], [1e3, -2.0, 1e-3])
    assert x == pytest.approx([0.95, 1.05, 0.95], rel=1e-4)


def test_rmsprop_first_step_is_learning_rate_over_root_of_one_minus_decay() -> None:
    x = RMSProp(learning_rate=0.1, decay=0.96).step([0.0], [7.0])
    assert x == pytest.approx([-0.1 / math.sqrt(0.04)])


def test_reset_makes_a_second_run_identical_to_the_first() -> None:
    optimizer = Adam(learning_rate=0.1)
    first = minimize(rosenbrock, [0.0, 0.0], optimizer=optimizer, max_steps=50)
    second = minimize(rosenbrock, [0.0, 0.0], optimizer=optimizer, max_steps=50)
    np.testing.assert_array_equal(first.path, second.path)


@pytest.mark.parametrize("make", [GradientDescent, Momentum, Adam, RMSProp, AdaGrad])
def test_step_on_a_tree_equals_steps_on_each_leaf_with_its_own_state(make) -> None:
    # These methods act entry by entry, so stepping a tree must match stepping its leaves.
    params = {"W": np.ones((2, 3)), "layers": [np.arange(2.0), 0.5]}
    grads = {"W": np.full((2, 3), 0.3), "layers": [np.array([1.0, -2.0]), 4.0]}
    on_tree, per_leaf = make(0.1), [make(0.1) for _ in range(3)]
    tree = params
    leaves = [params["W"], params["layers"][0], np.array(params["layers"][1])]
    for _ in range(3):
        tree = on_tree.step(tree, grads)
        leaf_grads = [grads["W"], grads["layers"][0], np.array(grads["layers"][1])]
        leaves = [o.step(p, g) for o, p, g in zip(per_leaf, leaves, leaf_grads, strict=True)]
    assert tree["W"].shape == (2, 3)
    np.testing.assert_allclose(tree["W"], leaves[0])
    np.testing.assert_allclose(tree["layers"][0], leaves[1])
    np.testing.assert_allclose(tree["layers"][1], leaves[2])


def test_step_refuses_grads_of_another_structure_and_a_changed_tree_without_reset() -> None:
    optimizer = Adam()
    with pytest.raises(ValueError, match="grads must have the structure"):
        optimizer.step({"w": np.zeros(2)}, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"leaf shapes of params .*\(2, 3\)"):
        optimizer.step({"W": np.zeros((2, 3))}, {"W": np.zeros((3, 2))})
    optimizer.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="reset"):
        optimizer.step({"w": np.zeros(3)}, {"w": np.ones(3)})
    optimizer.reset()
    assert optimizer.step({"w": np.zeros(3)}, {"w": np.ones(3)})["w"].shape == (3,)


@pytest.mark.parametrize(
    "params", [np.array([1.0, np.nan]), [1.0, np.inf], np.array([[np.nan]])], ids=str
)
def test_step_refuses_non_finite_params_of_every_form(params: object) -> None:
    grads = np.zeros(np.shape(params))
    with pytest.raises(ValueError, match="params must be finite"):
        GradientDescent(0.1).step(params, grads)


def test_step_on_one_array_keeps_its_shape_and_does_not_modify_it() -> None:
    params = np.ones((2, 3))
    new = GradientDescent(0.5).step(params, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(new, np.zeros((2, 3)))
    np.testing.assert_array_equal(params, np.ones((2, 3)))


@pytest.mark.parametrize("optimizer", [None, GradientDescent(0.2)], ids=["BFGS", "GD"])
def test_minimize_takes_a_tree_and_returns_x_of_the_same_structure(optimizer) -> None:
    # Minimum at W = 1 everywhere, b = -2.
    def loss(params):
        return np.sum((params["W"] - 1.0) ** 2) + np.sum((params["b"][0] + 2.0) ** 2)

    start = {"W": np.zeros((2, 2)), "b": [np.zeros(1)]}
    result = minimize(loss, start, optimizer=optimizer, max_steps=500, tol=1e-9)
    assert result.converged
    assert set(result.x) == {"W", "b"}
    assert result.x["W"].shape == (2, 2)
    np.testing.assert_allclose(result.x["W"], np.ones((2, 2)), atol=1e-8)
    np.testing.assert_allclose(result.x["b"][0], [-2.0], atol=1e-8)
    assert result.path.shape[1] == 5


def test_minimize_of_a_tree_with_a_given_gradient_tree() -> None:
    result = minimize(
        lambda p: (p["a"] - 3.0) ** 2 + (p["c"] + 1.0) ** 2,
        {"a": 0.0, "c": 0.0},
        grad=lambda p: {"a": 2 * (p["a"] - 3.0), "c": 2 * (p["c"] + 1.0)},
    )
    assert result.gradient_source == "given"
    assert float(result.x["a"]) == pytest.approx(3.0, abs=1e-7)
    assert float(result.x["c"]) == pytest.approx(-1.0, abs=1e-7)


@pytest.mark.parametrize("optimizer", [BFGS(), LBFGS()], ids=["BFGS", "LBFGS"])
def test_quasi_newton_steps_meet_the_strong_wolfe_conditions(optimizer) -> None:
    # Sufficient decrease with c1 = 1e-4, and |slope along the step| <= 0.9 |slope before|.
    result = minimize(rosenbrock, [-1.2, 1.0], optimizer=optimizer)
    assert result.converged
    steps = np.diff(result.path, axis=0)
    gradients = rosenbrock.grad(result.path.T).T
    before = np.sum(gradients[:-1] * steps, axis=1)
    after = np.sum(gradients[1:] * steps, axis=1)
    assert np.all(before < 0)
    assert np.all(np.diff(result.losses) <= 1e-4 * before + 1e-15)
    # Steps that only met sufficient decrease (wolfe=False) are allowed by design, but on
    # Rosenbrock from the classic start every accepted step meets the curvature condition.
    assert np.all(np.abs(after) <= 0.9 * np.abs(before) + 1e-12)


def test_bfgs_inverse_hessian_meets_the_secant_condition_after_each_update() -> None:
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    objective = Objective(lambda x: x @ A @ x / 2, lambda x: A @ x)
    optimizer, x = BFGS(), np.array([1.0, -2.0, 3.0])
    previous = None
    for _ in range(3):
        if previous is not None:
            s, y = x - previous, A @ x - A @ previous
            # The update is learned at the start of the next step; check it right after.
        new_x = optimizer.step(x, A @ x, objective)
        if previous is not None:
            H = optimizer.inverse_hessian
            np.testing.assert_allclose(H @ y, s, rtol=1e-10, atol=1e-12)
            assert np.all(np.linalg.eigvalsh(H) > 0)
        previous, x = x, new_x


def test_line_search_never_increases_the_loss() -> None:
    result = minimize(rosenbrock, [-1.2, 1.0], optimizer=BacktrackingLineSearch(), max_steps=300)
    assert np.all(np.diff(result.losses) <= 0)
    assert result.nfev > result.njev


def test_newton_solves_a_quadratic_in_one_step() -> None:
    result = minimize(quadratic_bowl(1e4, angle=0.3), [3.0, -2.0], optimizer=Newton())
    assert result.converged
    assert result.n_steps == 1
    assert result.nhev == 1


def test_newton_started_near_a_saddle_converges_to_the_saddle() -> None:
    result = minimize(saddle, [0.3, 0.2], optimizer=Newton())
    assert result.converged
    np.testing.assert_allclose(result.x, [0.0, 0.0], atol=1e-9)


def test_newton_with_singular_hessian_says_to_add_damping() -> None:
    objective = Objective(lambda x: float(x[0] ** 2), lambda x: np.array([2 * x[0], 0.0]))
    singular = Objective(objective.value, objective.gradient, lambda x: np.diag([2.0, 0.0]))
    with pytest.raises(ValueError, match="damping"):
        Newton().step([1.0, 1.0], [2.0, 0.0], singular)


def test_methods_that_evaluate_the_function_ask_for_an_objective() -> None:
    with pytest.raises(ValueError, match="objective"):
        BacktrackingLineSearch().step([1.0], [1.0])


# ---------------------------------------------------------------------------- the driver


def test_result_records_every_iterate_with_its_loss_and_gradient_norm() -> None:
    result = minimize(rosenbrock, [-1.2, 1.0], optimizer=Momentum(), max_steps=40)
    assert result.path.shape == (result.n_steps + 1, 2)
    np.testing.assert_array_equal(result.path[0], [-1.2, 1.0])
    np.testing.assert_array_equal(result.x, result.path[-1])
    np.testing.assert_allclose(result.losses, rosenbrock(result.path.T))
    np.testing.assert_allclose(
        result.grad_norms, np.linalg.norm(rosenbrock.grad(result.path.T), axis=0)
    )
    assert result.status == "max_steps"
    assert result.nfev == result.njev == 41


def test_converged_run_stops_at_the_first_gradient_norm_below_tol() -> None:
    result = minimize(
        lambda x: np.sum(x**2),
        [1.0, 1.0],
        grad=lambda x: 2 * x,
        optimizer=GradientDescent(learning_rate=0.25),
        tol=1e-3,
    )
    # |grad| = 2 sqrt(2) 2^-k first falls to 1e-3 at k = 12.
    assert result.converged
    assert result.n_steps == 12
    assert result.grad_norms[-1] <= 1e-3 < result.grad_norms[-2]


def test_gradient_comes_from_the_function_when_it_has_one() -> None:
    assert minimize(rosenbrock, [0.0, 0.0], max_steps=2).gradient_source == "analytic"


def test_gradient_without_a_formula_comes_from_automatic_differentiation() -> None:
    result = minimize(
        lambda x: np.sum((x - 3.0) ** 2), [0.0], optimizer=GradientDescent(learning_rate=0.25)
    )
    assert result.gradient_source == "automatic"
    assert result.converged
    assert result.x == pytest.approx([3.0], abs=1e-6)


def test_function_autodiff_cannot_trace_falls_back_to_numerical_gradient() -> None:
    # calcml.autodiff has no rule for np.i0; I0 is even with its minimum at 0.
    result = minimize(
        lambda x: np.sum(np.i0(x - 1.0)),
        [0.5],
        optimizer=GradientDescent(learning_rate=0.5),
        tol=1e-8,
    )
    assert result.gradient_source == "numerical"
    assert "numpy.i0" in result.gradient_reason
    assert result.x == pytest.approx([1.0], abs=1e-7)


def test_callback_returning_true_stops_the_run() -> None:
    seen = []

    def callback(step: int, x: np.ndarray, loss: float) -> bool:
        seen.append(step)
        return step == 3

    result = minimize(rosenbrock, [0.0, 0.0], callback=callback)
    assert seen == [1, 2, 3]
    assert result.status == "callback"
    assert result.n_steps == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"x0": [np.nan, 0.0]}, ValueError, "x0"),
        ({"max_steps": 0}, ValueError, "max_steps"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"optimizer": "adam"}, TypeError, "optimizer"),
        ({"grad": lambda x: np.zeros(3)}, ValueError, "gradient must have the shape of x0"),
    ],
)
def test_bad_arguments_are_rejected_by_name(kwargs, error, needle: str) -> None:
    arguments = {"x0": [0.0, 0.0], **kwargs}
    with pytest.raises(error, match=needle):
        minimize(rosenbrock, **arguments)


def test_non_finite_loss_at_the_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="starting point"):
        minimize(lambda x: np.log(x[0] - 1.0), [0.5], grad=lambda x: 1 / (x - 1.0))


def test_optimizer_settings_are_validated_by_name() -> None:
    with pytest.raises(ValueError, match="momentum"):
        Momentum(momentum=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=1.5)
    with pytest.raises(ValueError, match="learning_rate"):
        GradientDescent(learning_rate=-0.1)


# A gradient so large that its square overflows, or whose line search works with steps so small
# that their square underflows, once crashed the Wolfe line search with ZeroDivisionError.
@pytest.mark.parametrize("scale", [1e100, 1e150, 1e160, 1e200, 1e300])
@pytest.mark.parametrize("make", [BFGS, LBFGS, Newton, BacktrackingLineSearch])
def test_huge_gradients_end_a_run_with_a_reason_not_a_crash(scale: float, make) -> None:
    objective = Objective(
        lambda x: float(scale * (x @ x)),
        lambda x: 2 * scale * x,
        lambda x: 2 * scale * np.eye(x.size),
    )
    result = minimize(
        objective.value,
        [1.0, -1.0],
        grad=objective.gradient,
        hessian=objective.hessian,
        optimizer=make(),
        max_steps=50,
    )
    if result.converged:
        np.testing.assert_allclose(result.x, [0.0, 0.0], atol=1e-6)
    else:
        assert result.message, "a run that did not converge must say why"


def test_a_slope_that_overflows_names_the_overflow_and_the_fix() -> None:
    result = minimize(lambda x: float(x @ x), [1.0], grad=lambda x: np.array([1e200]), max_steps=3)
    assert not result.converged
    assert "overflows" in result.message
    assert "rescale" in result.message
