"""Tests for calcml.functions: test functions, activations and losses with their derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcml import check_gradient
from calcml.functions import (
    TEST_FUNCTIONS,
    TestFunction,
    beale,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    booth,
    cross_entropy_from_logits,
    himmelblau,
    mean_squared_error,
    mean_squared_error_gradient,
    quadratic_bowl,
    relu,
    relu_derivative,
    rosenbrock,
    saddle,
    sigmoid,
    sigmoid_derivative,
    six_hump_camel,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_gradient,
    softmax_jacobian,
    tanh,
    tanh_derivative,
)

ALL_FUNCTIONS = [*TEST_FUNCTIONS, quadratic_bowl(25.0, angle=0.7)]
IDS = [f.name for f in ALL_FUNCTIONS]


def _points_inside(function: TestFunction, n: int = 5, seed: int = 1) -> np.ndarray:
    (x_min, x_max), (y_min, y_max) = function.bounds
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x_min, x_max, n), rng.uniform(y_min, y_max, n)])


# ---------------------------------------------------------------------------- test functions


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=IDS)
def test_gradient_passes_the_numerical_gradient_check(function: TestFunction) -> None:
    for point in _points_inside(function):
        check = check_gradient(function, function.grad, point)
        assert check.ok, str(check)


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=IDS)
def test_hessian_rows_are_the_gradients_of_the_gradient_components(
    function: TestFunction,
) -> None:
    for point in _points_inside(function, n=3):
        for i in range(2):
            check = check_gradient(
                lambda x, i=i: function.grad(x)[i], lambda x, i=i: function.hessian(x)[i], point
            )
            assert check.ok, str(check)


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=IDS)
def test_listed_minima_are_critical_points_with_positive_definite_hessian(
    function: TestFunction,
) -> None:
    assert function.minima.shape[1] == 2
    for minimum in function.minima:
        assert np.linalg.norm(function.grad(minimum)) < 1e-9
        assert np.all(np.linalg.eigvalsh(function.hessian(minimum)) > 0)


@pytest.mark.parametrize(
    ("function", "value"),
    [(rosenbrock, 0.0), (himmelblau, 0.0), (beale, 0.0), (booth, 0.0), (saddle, -0.25)],
    ids=["rosenbrock", "himmelblau", "beale", "booth", "saddle"],
)
def test_known_minimum_values(function: TestFunction, value: float) -> None:
    for minimum in function.minima:
        assert function(minimum) == pytest.approx(value, abs=1e-12)


def test_six_hump_camel_global_minima_are_a_symmetric_pair_below_the_others() -> None:
    values = six_hump_camel(six_hump_camel.minima.T)
    np.testing.assert_allclose(six_hump_camel.minima[0], -six_hump_camel.minima[1])
    assert values[0] == pytest.approx(-1.0316284534898774, abs=1e-12)
    assert values[1] == pytest.approx(values[0])
    assert np.all(values[2:] > values[0] + 0.5)
    assert len(values) == 6


def test_saddle_has_an_indefinite_hessian_at_the_origin() -> None:
    assert np.all(saddle.grad([0.0, 0.0]) == 0)
    np.testing.assert_array_equal(np.linalg.eigvalsh(saddle.hessian([0.0, 0.0])), [-1.0, 2.0])


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=IDS)
def test_grid_evaluation_matches_pointwise_evaluation(function: TestFunction) -> None:
    X, Y, Z = function.grid(4)
    stacked = np.stack([X, Y])
    assert function.grad(stacked).shape == (2, 4, 4)
    assert function.hessian(stacked).shape == (2, 2, 4, 4)
    for i, j in [(0, 0), (1, 3), (3, 2)]:
        point = [X[i, j], Y[i, j]]
        assert Z[i, j] == pytest.approx(function(point))
        np.testing.assert_allclose(function.grad(stacked)[:, i, j], function.grad(point))
        np.testing.assert_allclose(function.hessian(stacked)[:, :, i, j], function.hessian(point))


def test_function_of_a_point_is_a_float() -> None:
    assert isinstance(booth([1.0, 3.0]), float)


@pytest.mark.parametrize("bad", [[1.0, 2.0, 3.0], 1.0, np.zeros((3, 4))])
def test_points_without_two_coordinates_on_the_first_axis_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="first axis"):
        rosenbrock(bad)


@given(st.floats(min_value=1.0, max_value=1e4), st.floats(min_value=-math.pi, max_value=math.pi))
@settings(max_examples=30, deadline=None)
def test_quadratic_bowl_hessian_has_eigenvalues_one_and_k(k: float, angle: float) -> None:
    eigenvalues = np.linalg.eigvalsh(quadratic_bowl(k, angle=angle).hessian([0.3, -0.2]))
    np.testing.assert_allclose(eigenvalues, [1.0, k], rtol=1e-9)


def test_quadratic_bowl_rejects_condition_number_below_one() -> None:
    with pytest.raises(ValueError, match="condition_number"):
        quadratic_bowl(0.5)


# ---------------------------------------------------------------------------- activations

Z = np.array([-3.0, -0.7, 0.4, 2.5])


@pytest.mark.parametrize(
    ("function", "derivative"),
    [(sigmoid, sigmoid_derivative), (tanh, tanh_derivative), (relu, relu_derivative)],
    ids=["sigmoid", "tanh", "relu"],
)
def test_activation_derivative_passes_the_numerical_gradient_check(function, derivative) -> None:
    # Elementwise functions: the gradient of sum(f(z)) is f'(z) in each component.
    check = check_gradient(lambda z: np.sum(function(z)), derivative, Z)
    assert check.ok, str(check)


@given(st.floats(min_value=-800, max_value=800))
@settings(max_examples=50, deadline=None)
def test_sigmoid_is_symmetric_and_stays_in_unit_interval(z: float) -> None:
    assert sigmoid(np.array([z]))[0] + sigmoid(np.array([-z]))[0] == pytest.approx(1.0)
    assert 0.0 <= sigmoid(np.array([z]))[0] <= 1.0


def test_relu_derivative_at_zero_is_zero_by_convention() -> None:
    np.testing.assert_array_equal(relu_derivative([0.0]), [0.0])


def test_softmax_jacobian_rows_are_gradients_of_softmax_components() -> None:
    logits = np.array([0.3, -1.2, 2.0])
    for i in range(3):
        check = check_gradient(
            lambda z, i=i: softmax(z)[i], lambda z, i=i: softmax_jacobian(z)[i], logits
        )
        assert check.ok, str(check)


def test_softmax_is_unchanged_by_a_shift_and_sums_to_one() -> None:
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    probabilities = softmax(logits)
    np.testing.assert_allclose(probabilities[0], probabilities[1])
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_softmax_jacobian_rows_sum_to_zero() -> None:
    # Probabilities always sum to 1, so no direction changes their total.
    np.testing.assert_allclose(softmax_jacobian([[0.1, 0.5, -2.0]]).sum(axis=-1), 0.0, atol=1e-15)


# ---------------------------------------------------------------------------- losses

Y_BINARY = np.array([0.0, 1.0, 1.0, 0.0])
Y_CLASSES = np.array([2.0, 0.0, 1.0])
LOGITS = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2], [1.5, 1.0, -3.0]])


def test_mean_squared_error_gradient_passes_the_numerical_gradient_check() -> None:
    target = np.array([1.0, -2.0, 0.5])
    check = check_gradient(
        lambda p: mean_squared_error(target, p),
        lambda p: mean_squared_error_gradient(target, p),
        np.array([0.3, 0.1, 2.0]),
    )
    assert check.ok, str(check)


def test_binary_cross_entropy_gradient_passes_the_numerical_gradient_check() -> None:
    check = check_gradient(
        lambda z: binary_cross_entropy(Y_BINARY, z),
        lambda z: binary_cross_entropy_gradient(Y_BINARY, z),
        Z,
    )
    assert check.ok, str(check)


def test_softmax_cross_entropy_gradient_passes_the_numerical_gradient_check() -> None:
    check = check_gradient(
        lambda z: softmax_cross_entropy(Y_CLASSES, z),
        lambda z: softmax_cross_entropy_gradient(Y_CLASSES, z),
        LOGITS,
    )
    assert check.ok, str(check)


def test_binary_cross_entropy_matches_its_definition_for_moderate_logits() -> None:
    p = 1 / (1 + np.exp(-Z))
    expected = np.mean(-Y_BINARY * np.log(p) - (1 - Y_BINARY) * np.log(1 - p))
    assert binary_cross_entropy(Y_BINARY, Z) == pytest.approx(expected)


def test_softmax_cross_entropy_matches_minus_log_probability_of_the_label() -> None:
    probabilities = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(probabilities[np.arange(3), Y_CLASSES.astype(int)]))
    assert softmax_cross_entropy(Y_CLASSES, LOGITS) == pytest.approx(expected)
    one_hot = np.eye(3)[Y_CLASSES.astype(int)]
    assert float(cross_entropy_from_logits(one_hot, LOGITS)) == pytest.approx(expected)


def test_cross_entropies_stay_finite_for_confidently_wrong_logits() -> None:
    # -log sigmoid(-z) = z + log(1 + e^-z) -> z: the loss grows linearly, never to infinity.
    assert binary_cross_entropy([1.0], [-1000.0]) == pytest.approx(1000.0)
    assert softmax_cross_entropy([0.0], [[-1000.0, 1000.0]]) == pytest.approx(2000.0)


def test_losses_reject_labels_that_are_not_classes() -> None:
    with pytest.raises(ValueError, match="class labels"):
        binary_cross_entropy([0.0, 2.0], [0.1, 0.2])
    with pytest.raises(ValueError, match="class labels"):
        softmax_cross_entropy([3.0], [[0.0, 1.0, 2.0]])


def test_losses_reject_mismatched_shapes_naming_both() -> None:
    with pytest.raises(ValueError, match="same non-empty shape"):
        mean_squared_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="one class label per row"):
        softmax_cross_entropy([0.0, 1.0], [[0.0, 1.0]])
