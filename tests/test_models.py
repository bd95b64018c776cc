"""Tests for calcml.models: linear and logistic regression, the multilayer perceptron."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from calcml.datasets import make_line, make_moons, make_spirals, train_test_split
from calcml.models import MLP, LinearRegression, LogisticRegression
from calcml.optimize import DivergenceError, GradientDescent


def test_closed_form_recovers_a_noiseless_line_exactly() -> None:
    X, y = make_line(30, slope=-0.5, intercept=2.0, noise=0.0)
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, [-0.5])
    assert model.intercept_ == pytest.approx(2.0)
    assert model.score(X, y) == pytest.approx(1.0)


def test_closed_form_solves_the_normal_equations_in_several_dimensions() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = rng.normal(size=50)
    model = LinearRegression().fit(X, y)
    design = np.column_stack([X, np.ones(50)])
    residual = y - model.predict(X)
    # At the least-squares solution the residual is orthogonal to every column of the design.
    np.testing.assert_allclose(design.T @ residual, 0.0, atol=1e-10)


def test_gradient_descent_reaches_the_closed_form_solution() -> None:
    X, y = make_line(80, noise=0.8, seed=2)
    exact = LinearRegression().fit(X, y)
    descent = LinearRegression(method="gradient_descent").fit(X, y)
    np.testing.assert_allclose(descent.coef_, exact.coef_, atol=1e-6)
    assert descent.intercept_ == pytest.approx(exact.intercept_, abs=1e-6)
    assert descent.optimize_result_.converged
    assert np.all(np.diff(descent.loss_curve_) <= 0)


def test_gradient_descent_with_too_large_a_step_raises_a_divergence_error() -> None:
    X, y = make_line(50)
    model = LinearRegression(
        method="gradient_descent", optimizer=GradientDescent(learning_rate=5.0)
    )
    with pytest.raises(DivergenceError, match="smaller"):
        model.fit(X, y)


def test_linear_regression_rejects_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="method"):
        LinearRegression(method="normal")  # type: ignore[arg-type]


def test_models_reject_one_dimensional_x_with_advice() -> None:
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        LinearRegression().fit(np.arange(5.0), np.arange(5.0))


def test_models_reject_mismatched_y() -> None:
    with pytest.raises(ValueError, match="one entry per row"):
        LogisticRegression().fit(np.zeros((4, 2)), np.zeros(3))


@pytest.mark.parametrize("model", [LinearRegression(), LogisticRegression(), MLP()])
def test_predicting_before_fitting_says_to_fit(model) -> None:
    with pytest.raises(RuntimeError, match="fit"):
        model.predict(np.zeros((2, 2)))


def test_predicting_with_the_wrong_number_of_features_is_rejected() -> None:
    model = LinearRegression().fit(np.eye(3), np.arange(3.0))
    with pytest.raises(ValueError, match="fitted with 3"):
        model.predict(np.zeros((2, 2)))


def test_logistic_regression_separates_two_separated_blobs() -> None:
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(-2.0, 0.5, (50, 2)), rng.normal(2.0, 0.5, (50, 2))])
    y = np.repeat([0.0, 1.0], 50)
    model = LogisticRegression().fit(X, y)
    assert model.score(X, y) == 1.0
    probabilities = model.predict_proba(X)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert np.all((probabilities[:, 1] > 0.5) == (y == 1))


def test_logistic_regression_gradient_vanishes_at_its_fitted_optimum() -> None:
    # Overlapping classes have a finite optimum, where dL/dw = X^T (sigmoid(z) - y) / n = 0.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(float)
    model = LogisticRegression(max_steps=5000, tol=1e-8).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    np.testing.assert_allclose(X.T @ (p - y) / 200, 0.0, atol=1e-7)
    assert np.mean(p - y) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize(
    ("labels", "found"),
    [([-1.0, 1.0, 1.0, -1.0], r"\[-1\.0, 1\.0\]"), ([0.0, 1.0, 2.0, 1.0], r"\[0\.0, 1\.0, 2\.0\]")],
    ids=["minus one and one", "three classes"],
)
def test_logistic_regression_lists_the_labels_it_found_and_what_to_do(
    labels: list[float], found: str
) -> None:
    with pytest.raises(ValueError, match=found) as error:
        LogisticRegression().fit(np.zeros((4, 1)), labels)
    assert "map" in str(error.value)
    assert "MLP" in str(error.value)


# Bad inputs to fit and predict: (call, error type, words the message must contain).
BAD_INPUTS: dict[str, tuple[Any, type[Exception], str]] = {
    "fit X None": (
        lambda m: m.fit(None, [0.0, 1.0]),
        TypeError,
        "X must be a real number or an array of real numbers, got None",
    ),
    "fit y None": (
        lambda m: m.fit(np.zeros((2, 1)), None),
        TypeError,
        "y must be a real number or an array of real numbers, got None",
    ),
    "fit X strings": (lambda m: m.fit([["a"], ["b"]], [0.0, 1.0]), TypeError, "X must be"),
    "fit y strings": (lambda m: m.fit(np.zeros((2, 1)), ["a", "b"]), TypeError, "y must be"),
    "fit X empty": (lambda m: m.fit(np.zeros((0, 2)), np.zeros(0)), ValueError, "shape (0, 2)"),
    "fit X one-dimensional": (lambda m: m.fit(np.zeros(3), np.zeros(3)), ValueError, "2-D"),
    "predict X None": (
        lambda m: m.predict(None),
        TypeError,
        "X must be a real number or an array of real numbers, got None",
    ),
    "predict X empty": (lambda m: m.predict(np.zeros((0, 1))), ValueError, "shape (0, 1)"),
    "predict X wrong width": (lambda m: m.predict(np.zeros((2, 3))), ValueError, "fitted with 1"),
}
FITTED = {
    "LinearRegression": lambda: LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]),
    "LogisticRegression": lambda: LogisticRegression(max_steps=2).fit([[0.0], [1.0]], [0, 1]),
    "MLP": lambda: MLP(hidden_sizes=(2,), max_steps=2).fit([[0.0], [1.0]], [0.0, 1.0]),
}


@pytest.mark.parametrize("model", FITTED)
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_models_name_the_bad_argument_of_fit_and_predict(model: str, case: str) -> None:
    call, kind, words = BAD_INPUTS[case]
    with pytest.raises(kind, match=re.escape(words)):
        call(FITTED[model]())


def test_mlp_reaches_97_percent_test_accuracy_on_two_moons() -> None:
    X, y = make_moons(400, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    model = MLP(hidden_sizes=(16, 16), seed=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.97
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_mlp_learns_three_spirals_with_relu_and_reports_probabilities_per_class() -> None:
    X, y = make_spirals(300, n_classes=3, noise=0.1, seed=0)
    model = MLP(hidden_sizes=(32, 32), activation="relu", max_steps=1000).fit(X, y)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (300, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert model.score(X, y) > 0.9
    np.testing.assert_array_equal(model.classes_, [0.0, 1.0, 2.0])


def test_mlp_weights_have_the_layer_shapes() -> None:
    X, y = make_moons(40, seed=0)
    model = MLP(hidden_sizes=(5, 3), max_steps=2).fit(X, y)
    assert [w.shape for w in model.coefs_] == [(5, 2), (3, 5), (2, 3)]
    assert [b.shape for b in model.intercepts_] == [(5,), (3,), (2,)]


def test_mlp_weights_are_outputs_by_inputs_and_a_layer_computes_x_w_transpose_plus_b() -> None:
    X, y = make_moons(40, seed=0)
    model = MLP(hidden_sizes=(4,), max_steps=3).fit(X, y)
    (W1, W2), (b1, b2) = model.coefs_, model.intercepts_
    logits = np.tanh(X @ W1.T + b1) @ W2.T + b2
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-12)


def test_mlp_relu_has_slope_zero_at_zero_so_a_dead_layer_gets_no_gradient() -> None:
    # X = 0 and zero biases put every hidden pre-activation exactly at ReLU's kink. With
    # ReLU'(0) = 0 the first layer gets no gradient and its bias stays exactly 0; the tie rule
    # of np.maximum (slope 1/2) would move it, as the labels are unbalanced.
    X, y = np.zeros((4, 2)), np.array([0.0, 1.0, 1.0, 1.0])
    model = MLP(
        hidden_sizes=(3,),
        activation="relu",
        optimizer=GradientDescent(learning_rate=0.1),
        max_steps=1,
    ).fit(X, y)
    np.testing.assert_array_equal(model.intercepts_[0], 0.0)
    assert np.any(model.intercepts_[1] != 0.0)


def test_mlp_keeps_arbitrary_labels() -> None:
    X, y = make_moons(100, noise=0.05, seed=0)
    labels = np.where(y == 1, 7.0, -3.0)
    model = MLP(hidden_sizes=(8,), max_steps=300).fit(X, labels)
    assert set(np.unique(model.predict(X)).tolist()) <= {-3.0, 7.0}
    assert model.score(X, labels) > 0.95


def test_mlp_same_seed_trains_the_same_network() -> None:
    X, y = make_moons(60, seed=0)
    first = MLP(hidden_sizes=(4,), max_steps=20, seed=5).fit(X, y)
    second = MLP(hidden_sizes=(4,), max_steps=20, seed=5).fit(X, y)
    np.testing.assert_array_equal(first.loss_curve_, second.loss_curve_)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({"activation": "sigmoidal"}, "activation"), ({"hidden_sizes": (4, 0)}, "hidden_sizes")],
)
def test_mlp_rejects_bad_hyper_parameters_by_name(kwargs, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        MLP(**kwargs)


def test_mlp_needs_two_classes() -> None:
    with pytest.raises(ValueError, match="two classes"):
        MLP().fit(np.zeros((3, 2)), np.ones(3))
