"""Tests for calcml.datasets: seeded generators, the digits loader and the split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calcml.datasets
from calcml.datasets import (
    load_digits,
    make_circles,
    make_line,
    make_moons,
    make_sequence_task,
    make_spirals,
    train_test_split,
)

GENERATORS = [make_line, make_moons, make_circles, make_spirals]
IDS = [g.__name__ for g in GENERATORS]


@pytest.mark.parametrize("generate", GENERATORS, ids=IDS)
def test_same_seed_gives_same_data_and_other_seed_other_data(generate) -> None:
    X, y = generate(60, seed=3)
    X_again, y_again = generate(60, seed=3)
    X_other, _ = generate(60, seed=4)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, X_other)


@pytest.mark.parametrize("generate", GENERATORS, ids=IDS)
@given(n=st.integers(min_value=3, max_value=300))
@settings(max_examples=15, deadline=None)
def test_shapes_are_n_by_d_and_n_as_floats(generate, n: int) -> None:
    X, y = generate(n, seed=0)
    assert X.shape[0] == y.shape[0] == n
    assert X.ndim == 2
    assert y.ndim == 1
    assert X.dtype == y.dtype == np.float64


def test_noiseless_line_lies_on_the_line() -> None:
    X, y = make_line(40, slope=-1.5, intercept=4.0, noise=0.0)
    np.testing.assert_allclose(y, -1.5 * X[:, 0] + 4.0)


def test_line_noise_has_the_requested_standard_deviation() -> None:
    X, y = make_line(20000, slope=1.0, intercept=0.0, noise=0.5, seed=1)
    # The sample standard deviation of 20000 normals is within 2% of sigma with overwhelming odds.
    assert np.std(y - X[:, 0]) == pytest.approx(0.5, rel=0.02)


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    X, y = make_moons(100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_noiseless_circles_have_radii_one_and_factor() -> None:
    X, y = make_circles(50, noise=0.0, factor=0.3)
    radii = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radii[y == 0], 1.0)
    np.testing.assert_allclose(radii[y == 1], 0.3)


@pytest.mark.parametrize("generate", [make_moons, make_circles], ids=["moons", "circles"])
def test_two_class_sets_are_balanced(generate) -> None:
    _, y = generate(101, seed=0)
    assert sorted(np.unique(y).tolist()) == [0.0, 1.0]
    assert abs(np.sum(y == 0) - np.sum(y == 1)) <= 1


def test_spirals_have_one_balanced_arm_per_class_inside_the_unit_disc() -> None:
    X, y = make_spirals(400, n_classes=4, noise=0.0)
    assert np.bincount(y.astype(int)).tolist() == [100, 100, 100, 100]
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: make_moons(1), "n must be an integer >= 2"),
        (lambda: make_line(0), "n must be"),
        (lambda: make_line(10, noise=-1.0), "noise"),
        (lambda: make_circles(10, factor=1.5), "factor"),
        (lambda: make_spirals(10, n_classes=1), "n_classes"),
        (lambda: make_spirals(2, n_classes=3), "n must be an integer >= 3"),
    ],
)
def test_bad_arguments_are_rejected_by_name(call, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        call()


def test_load_digits_returns_the_1797_scaled_images() -> None:
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64)
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert sorted(np.unique(y).tolist()) == [float(d) for d in range(10)]


@given(n=st.integers(min_value=2, max_value=200), fraction=st.floats(0.05, 0.95))
@settings(max_examples=40, deadline=None)
def test_split_partitions_the_rows_into_two_non_empty_sets(n: int, fraction: float) -> None:
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n, dtype=float)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=fraction, seed=0)
    assert len(y_train) >= 1
    assert len(y_test) >= 1
    assert sorted([*y_train.tolist(), *y_test.tolist()]) == y.tolist()
    # Rows stay paired with their targets.
    np.testing.assert_array_equal(X_train[:, 1], 2 * y_train + 1)
    np.testing.assert_array_equal(X_test[:, 1], 2 * y_test + 1)


def test_split_rejects_mismatched_rows_and_bad_fractions() -> None:
    with pytest.raises(ValueError, match="one row per entry"):
        train_test_split(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(np.zeros((3, 2)), np.zeros(3), test_fraction=1.0)


@pytest.mark.parametrize("task", ["reverse", "sort"])
def test_sequence_task_is_seeded_and_shaped_as_integer_tokens(task: str) -> None:
    X, Y = make_sequence_task(50, length=7, n_symbols=5, task=task, seed=2)
    X_again, Y_again = make_sequence_task(50, length=7, n_symbols=5, task=task, seed=2)
    X_other, _ = make_sequence_task(50, length=7, n_symbols=5, task=task, seed=3)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(Y, Y_again)
    assert not np.array_equal(X, X_other)
    assert X.shape == Y.shape == (50, 7)
    assert X.dtype == Y.dtype == np.int64
    assert X.min() >= 0
    assert X.max() <= 4


def test_reversing_the_reversal_target_gives_back_the_input() -> None:
    X, Y = make_sequence_task(200, length=9, task="reverse", seed=1)
    np.testing.assert_array_equal(Y[:, ::-1], X)


def test_sort_target_is_increasing_and_a_rearrangement_of_the_input() -> None:
    X, Y = make_sequence_task(200, length=6, n_symbols=4, task="sort", seed=1)
    assert np.all(np.diff(Y, axis=1) >= 0)
    for symbol in range(4):
        np.testing.assert_array_equal(
            np.count_nonzero(np.equal(X, symbol), axis=1),
            np.count_nonzero(np.equal(Y, symbol), axis=1),
        )


def test_sequence_symbols_are_uniform_over_the_vocabulary() -> None:
    X, _ = make_sequence_task(5000, length=8, n_symbols=10, seed=4)
    counts = np.bincount(X.ravel(), minlength=10)
    # 40000 draws: each count is 4000 give or take sqrt(3600) = 60; 5 standard deviations.
    assert np.all(np.abs(counts - 4000) < 300)


def test_length_one_sequences_are_their_own_reversal_and_sort() -> None:
    for task in ("reverse", "sort"):
        X, Y = make_sequence_task(10, length=1, task=task)
        np.testing.assert_array_equal(X, Y)


def test_load_digits_equals_scikit_learns_own_loader_scaled() -> None:
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    digits = sklearn_datasets.load_digits()
    X, y = load_digits()
    np.testing.assert_array_equal(X, digits.data / 16.0)
    np.testing.assert_array_equal(y, digits.target)


def test_load_digits_falls_back_to_scikit_learn_when_the_file_is_not_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("sklearn")
    direct = load_digits()
    monkeypatch.setattr(calcml.datasets, "_bundled_digits", lambda: None)
    fallback = load_digits()
    np.testing.assert_array_equal(direct[0], fallback[0])
    np.testing.assert_array_equal(direct[1], fallback[1])
