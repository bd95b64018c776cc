"""Careless and hostile input to every public function of datasets, functions and plotting.

Each row of a table is a call a user could make: None, empty arrays, strings, bools, wrong
types and shapes, NaN and infinity, negative and zero sizes and seeds, huge sizes, mismatched
lengths, labels outside their range, tiny and huge scales. Each must end in a calcml
``TypeError`` or ``ValueError`` whose message names the argument and what was expected, raised
before numpy or matplotlib see the input (a test checks where each error was raised), or in a
correct value. The property tests at the end check returned values against mathematics.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calcml
from calcml import datasets, functions, plotting
from calcml._validation import (
    as_float_array,
    integer_sequence,
    interval,
    one_of,
    real_number,
    require_bool,
    require_integer,
    require_seed,
    string_sequence,
)
from calcml.autodiff import UnsupportedOperationError

NAN, INF = float("nan"), float("inf")
CALCML = Path(calcml.__file__).parent


def bowl(x: Any) -> Any:
    return x[0] ** 2 + 3 * x[1] ** 2


class Sigmoid:
    """A two-class model: the probability of class 1 rises along x_1."""

    def predict_proba(self, X: Any) -> Any:
        p = 1 / (1 + np.exp(-4 * X[:, 0]))
        return np.column_stack([1 - p, p])


POINTS = np.array([[-1.0, 0.0], [-0.5, 0.5], [0.5, -0.5], [1.0, 0.0]])
LABELS = np.array([0, 0, 1, 1])
BOX = ((-1.0, 1.0), (-1.0, 1.0))
PATH = [[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]]


def case(
    call: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: type[Exception],
    message: str,
    *,
    id: str,
) -> Any:
    return pytest.param(call, args, kwargs, error, message, id=id)


# --- datasets ----------------------------------------------------------------------------------

# fmt: off
DATASET_CASES = [
    case(datasets.make_line, (None,), {}, TypeError,
         r"n must be an integer >= 1.*got None", id="make_line-n-None"),
    case(datasets.make_line, (0,), {}, ValueError,
         r"n must be an integer >= 1.*got 0", id="make_line-n-zero"),
    case(datasets.make_line, (-3,), {}, ValueError,
         r"n must be an integer >= 1.*got -3", id="make_line-n-negative"),
    case(datasets.make_line, (2.5,), {}, TypeError,
         r"n must be an integer.*got 2\.5 \(a float\)", id="make_line-n-float"),
    case(datasets.make_line, (True,), {}, TypeError,
         r"n must be an integer.*got True \(a bool\)", id="make_line-n-bool"),
    case(datasets.make_line, ("10",), {}, TypeError,
         r"n must be an integer.*got '10' \(a str\)", id="make_line-n-string"),
    case(datasets.make_line, (10**12,), {}, ValueError,
         r"n must be .*<= 10,000,000.*real data set", id="make_line-n-huge"),
    case(datasets.make_line, (), {"seed": -1}, ValueError,
         r"seed must be an integer >= 0, got -1.*such as 0", id="make_line-seed-negative"),
    case(datasets.make_line, (), {"seed": None}, TypeError,
         r"seed must be an integer >= 0, got None", id="make_line-seed-None"),
    case(datasets.make_line, (), {"seed": 1.5}, TypeError,
         r"seed must be an integer.*got 1\.5", id="make_line-seed-float"),
    case(datasets.make_line, (), {"seed": "a"}, TypeError,
         r"seed must be an integer.*got 'a'", id="make_line-seed-string"),
    case(datasets.make_line, (), {"seed": True}, TypeError,
         r"seed must be an integer.*got True", id="make_line-seed-bool"),
    case(datasets.make_line, (), {"slope": None}, TypeError,
         r"slope must be a real number, got None", id="make_line-slope-None"),
    case(datasets.make_line, (), {"slope": NAN}, ValueError,
         r"slope must be a finite number, got nan", id="make_line-slope-nan"),
    case(datasets.make_line, (), {"slope": "2"}, TypeError,
         r"slope must be a real number, got '2'.*float\('2'\)", id="make_line-slope-string"),
    case(datasets.make_line, (), {"slope": [1, 2]}, TypeError,
         r"slope must be a real number, got \[1, 2\]", id="make_line-slope-list"),
    case(datasets.make_line, (), {"intercept": INF}, ValueError,
         r"intercept must be a finite number, got inf", id="make_line-intercept-inf"),
    case(datasets.make_line, (), {"slope": 1e308}, ValueError,
         r"make y overflow.*below about 1e300", id="make_line-slope-overflows"),
    case(datasets.make_line, (), {"noise": None}, TypeError,
         r"noise must be a real number, got None", id="make_line-noise-None"),
    case(datasets.make_line, (), {"noise": -1.0}, ValueError,
         r"noise must be a finite number >= 0, got -1", id="make_line-noise-negative"),
    case(datasets.make_line, (), {"noise": NAN}, ValueError,
         r"noise must be a finite number >= 0, got nan", id="make_line-noise-nan"),
    case(datasets.make_line, (), {"noise": [0.1]}, TypeError,
         r"noise must be a real number, got \[0\.1\]", id="make_line-noise-list"),
    case(datasets.make_moons, (), {"seed": -1}, ValueError,
         r"seed must be an integer >= 0, got -1", id="make_moons-seed-negative"),
    case(datasets.make_moons, (1,), {}, ValueError,
         r"n must be an integer >= 2.*got 1", id="make_moons-n-one"),
    case(datasets.make_moons, (np.float64(5),), {}, TypeError,
         r"n must be an integer.*pass int", id="make_moons-n-numpy-float"),
    case(datasets.make_moons, (), {"noise": "a"}, TypeError,
         r"noise must be a real number, got 'a'", id="make_moons-noise-string"),
    case(datasets.make_circles, (), {"factor": None}, TypeError,
         r"factor must be a real number, got None", id="make_circles-factor-None"),
    case(datasets.make_circles, (), {"factor": [0.5]}, TypeError,
         r"factor must be a real number", id="make_circles-factor-list"),
    case(datasets.make_circles, (), {"factor": NAN}, ValueError,
         r"factor must be a finite number in \(0, 1\), got nan", id="make_circles-factor-nan"),
    case(datasets.make_circles, (), {"factor": 1}, ValueError,
         r"factor must be a finite number in \(0, 1\), got 1", id="make_circles-factor-one"),
    case(datasets.make_circles, (), {"seed": -1}, ValueError,
         r"seed must be an integer >= 0", id="make_circles-seed-negative"),
    case(datasets.make_spirals, (), {"n_classes": 1}, ValueError,
         r"n_classes must be an integer >= 2.*got 1", id="make_spirals-one-class"),
    case(datasets.make_spirals, (), {"n_classes": None}, TypeError,
         r"n_classes must be an integer.*got None", id="make_spirals-classes-None"),
    case(datasets.make_spirals, (), {"n_classes": 3.0}, TypeError,
         r"n_classes must be an integer.*pass int\(3\.0\)", id="make_spirals-classes-float"),
    case(datasets.make_spirals, (2,), {"n_classes": 3}, ValueError,
         r"n must be an integer >= 3", id="make_spirals-fewer-points-than-classes"),
    case(datasets.make_spirals, (), {"seed": -5}, ValueError,
         r"seed must be an integer >= 0, got -5", id="make_spirals-seed-negative"),
    case(datasets.make_sequence_task, (0,), {}, ValueError,
         r"n must be an integer >= 1.*got 0", id="sequences-n-zero"),
    case(datasets.make_sequence_task, (), {"length": 0}, ValueError,
         r"length must be an integer >= 1.*got 0", id="sequences-length-zero"),
    case(datasets.make_sequence_task, (), {"length": 8.0}, TypeError,
         r"length must be an integer.*pass int\(8\.0\)", id="sequences-length-float"),
    case(datasets.make_sequence_task, (), {"length": None}, TypeError,
         r"length must be an integer.*got None", id="sequences-length-None"),
    case(datasets.make_sequence_task, (), {"length": 10**6}, ValueError,
         r"length must be an integer.*a handful of symbols", id="sequences-length-huge"),
    case(datasets.make_sequence_task, (10**6,), {"length": 100}, ValueError,
         r"n \* length must be at most 10,000,000 symbols", id="sequences-too-many-symbols"),
    case(datasets.make_sequence_task, (), {"n_symbols": 1}, ValueError,
         r"n_symbols must be an integer >= 2.*got 1", id="sequences-one-symbol"),
    case(datasets.make_sequence_task, (), {"n_symbols": True}, TypeError,
         r"n_symbols must be an integer.*got True", id="sequences-symbols-bool"),
    case(datasets.make_sequence_task, (), {"task": "reversed"}, ValueError,
         r"task must be one of 'reverse', 'sort', got 'reversed'", id="sequences-task-typo"),
    case(datasets.make_sequence_task, (), {"task": None}, TypeError,
         r"task must be one of 'reverse', 'sort', got None", id="sequences-task-None"),
    case(datasets.make_sequence_task, (), {"seed": -1}, ValueError,
         r"seed must be an integer >= 0, got -1", id="sequences-seed-negative"),
    case(datasets.train_test_split, (None, None), {}, TypeError,
         r"X must be a real number or an array of real numbers, got None", id="split-None"),
    case(datasets.train_test_split, ([], []), {}, ValueError,
         r"at least 2 rows.*got 0", id="split-empty"),
    case(datasets.train_test_split, (np.ones((1, 2)), np.ones(1)), {}, ValueError,
         r"at least 2 rows.*got 1", id="split-one-row"),
    case(datasets.train_test_split, (np.ones((5, 2)), np.ones(4)), {}, ValueError,
         r"one row per entry.*\(5, 2\) and \(4,\)", id="split-mismatched-rows"),
    case(datasets.train_test_split, (np.ones((5, 2)), np.ones((5, 1))), {}, ValueError,
         r"one row per entry.*y\.ravel\(\)", id="split-column-y"),
    case(datasets.train_test_split, ([["a", "b"]] * 4, [0, 1, 0, 1]), {}, TypeError,
         r"X must be .*real numbers", id="split-string-X"),
    case(datasets.train_test_split, ([[1, 2], [3]], [0, 1]), {}, TypeError,
         r"X must be .*rows have different lengths", id="split-ragged-X"),
    case(datasets.train_test_split, ([[NAN, 1.0]] * 4, [0, 1, 0, 1]), {}, ValueError,
         r"X must be finite, but it holds nan", id="split-nan-X"),
    case(datasets.train_test_split, (np.ones((4, 2)), [0, None, 0, 1]), {}, TypeError,
         r"y must hold real numbers, but it holds None at index \(1,\)", id="split-None-label"),
    case(datasets.train_test_split, (np.ones((4, 2)), np.ones(4)),
         {"test_fraction": None}, TypeError,
         r"test_fraction must be a real number, got None", id="split-fraction-None"),
    case(datasets.train_test_split, (np.ones((4, 2)), np.ones(4)),
         {"test_fraction": "0.2"}, TypeError,
         r"test_fraction must be a real number.*float\('0\.2'\)", id="split-fraction-string"),
    case(datasets.train_test_split, (np.ones((4, 2)), np.ones(4)), {"test_fraction": 1}, ValueError,
         r"test_fraction must be a finite number in \(0, 1\), got 1", id="split-fraction-one"),
    case(datasets.train_test_split, (np.ones((4, 2)), np.ones(4)),
         {"test_fraction": NAN}, ValueError,
         r"test_fraction must be .*got nan", id="split-fraction-nan"),
    case(datasets.train_test_split, (np.ones((4, 2)), np.ones(4)), {"seed": -1}, ValueError,
         r"seed must be an integer >= 0, got -1", id="split-seed-negative"),
]
# fmt: on

# --- functions ---------------------------------------------------------------------------------


def _test_function(**changes: Any) -> functions.TestFunction:
    arguments: dict[str, Any] = {
        "name": "plane",
        "value": lambda x, y: x + y,
        "gradient": lambda x, y: (1, 1),
        "hessian": lambda x, y: (0, 0, 0),
        "minima": [0.0, 0.0],
        "bounds": BOX,
        "formula": "$x + y$",
    }
    arguments |= changes
    name = arguments.pop("name")
    return functions.TestFunction(
        name,
        arguments.pop("value"),
        arguments.pop("gradient"),
        arguments.pop("hessian"),
        **arguments,
    )


# fmt: off
FUNCTION_CASES = [
    case(functions.rosenbrock, (None,), {}, TypeError,
         r"x must be a real number or an array of real numbers, got None", id="rosenbrock-None"),
    case(functions.rosenbrock, ([],), {}, ValueError,
         r"x must have 2 coordinates.*got shape \(0,\)", id="rosenbrock-empty"),
    case(functions.rosenbrock, ("ab",), {}, TypeError,
         r"x must be a real number.*got 'ab' \(a str\)", id="rosenbrock-string"),
    case(functions.rosenbrock, ([1.0, 2.0, 3.0],), {}, ValueError,
         r"x must have 2 coordinates.*np\.stack", id="rosenbrock-three-coordinates"),
    case(functions.rosenbrock, ([NAN, 1.0],), {}, ValueError,
         r"x must be finite, but it holds nan at index \(0,\)", id="rosenbrock-nan"),
    case(functions.rosenbrock, ([None, 1.0],), {}, TypeError,
         r"x must hold real numbers, but it holds None at index \(0,\)",
         id="rosenbrock-None-inside"),
    case(functions.rosenbrock, ([1j, 1.0],), {}, TypeError,
         r"x must be .*complex.*np\.real", id="rosenbrock-complex"),
    case(functions.rosenbrock, (np.array([1j, 1.0]),), {}, TypeError,
         r"x must be .*complex", id="rosenbrock-complex-array"),
    case(functions.rosenbrock, (["1", "2"],), {}, TypeError,
         r"x must be .*got strings", id="rosenbrock-numeric-strings"),
    case(functions.himmelblau.grad, (None,), {}, TypeError,
         r"x must be .*got None", id="grad-None"),
    case(functions.beale.hessian, ([[1.0], [2.0], [3.0]],), {}, ValueError,
         r"x must have 2 coordinates", id="hessian-wrong-shape"),
    case(functions.booth.grid, (0,), {}, ValueError,
         r"n must be an integer >= 2.*got 0", id="grid-zero"),
    case(functions.booth.grid, (None,), {}, TypeError,
         r"n must be an integer.*got None", id="grid-None"),
    case(functions.booth.grid, (1.5,), {}, TypeError,
         r"n must be an integer.*got 1\.5", id="grid-float"),
    case(functions.booth.grid, (-1,), {}, ValueError,
         r"n must be an integer >= 2.*got -1", id="grid-negative"),
    case(functions.booth.grid, (10**6,), {}, ValueError,
         r"n must be .*<= 2,000.*100 points per side", id="grid-huge"),
    case(functions.quadratic_bowl, (None,), {}, TypeError,
         r"condition_number must be a real number, got None", id="bowl-None"),
    case(functions.quadratic_bowl, ("10",), {}, TypeError,
         r"condition_number must be a real number, got '10'", id="bowl-string"),
    case(functions.quadratic_bowl, ([10],), {}, TypeError,
         r"condition_number must be a real number, got \[10\]", id="bowl-list"),
    case(functions.quadratic_bowl, (True,), {}, TypeError,
         r"condition_number must be a real number, got True", id="bowl-bool"),
    case(functions.quadratic_bowl, (0.5,), {}, ValueError,
         r"condition_number must be a finite number in \[1, 1e\+100\], got 0\.5",
         id="bowl-below-one"),
    case(functions.quadratic_bowl, (INF,), {}, ValueError,
         r"condition_number must be .*got inf", id="bowl-inf"),
    case(functions.quadratic_bowl, (1e200,), {}, ValueError,
         r"condition_number must be .*1e\+100", id="bowl-huge"),
    case(functions.quadratic_bowl, (), {"angle": None}, TypeError,
         r"angle must be a real number, got None", id="bowl-angle-None"),
    case(functions.quadratic_bowl, (), {"angle": NAN}, ValueError,
         r"angle must be a finite number, got nan", id="bowl-angle-nan"),
    case(_test_function, (), {"minima": [1.0, 2.0, 3.0]}, ValueError,
         r"minima must have shape \(2,\).*\(m, 2\).*got shape \(3,\)",
         id="TestFunction-minima-shape"),
    case(_test_function, (), {"bounds": None}, TypeError,
         r"bounds must be \(\(x_low, x_high\), \(y_low, y_high\)\).*got None",
         id="TestFunction-bounds-None"),
    case(_test_function, (), {"bounds": ((1, 0), (0, 1))}, ValueError,
         r"bounds\[0\] must be .*low < high.*swap them", id="TestFunction-bounds-reversed"),
    case(_test_function, (), {"value": None}, TypeError,
         r"value must be a function value\(x, y\), got None", id="TestFunction-value-None"),
    case(_test_function, (), {"name": 3}, TypeError,
         r"name must be a string, got 3", id="TestFunction-name-int"),
    case(functions.sigmoid_derivative, (None,), {}, TypeError,
         r"z must be .*got None", id="sigmoid_derivative-None"),
    case(functions.sigmoid_derivative, ("a",), {}, TypeError,
         r"z must be .*got 'a'", id="sigmoid_derivative-string"),
    case(functions.tanh, (None,), {}, TypeError,
         r"z must be .*got None", id="tanh-None"),
    case(functions.tanh_derivative, ([NAN],), {}, ValueError,
         r"z must be finite", id="tanh_derivative-nan"),
    case(functions.relu_derivative, (None,), {}, TypeError,
         r"z must be .*got None", id="relu_derivative-None"),
    case(functions.softmax_jacobian, ([],), {}, ValueError,
         r"logits must have a last axis of at least one class score, got shape \(0,\)",
         id="softmax_jacobian-empty"),
    case(functions.softmax_jacobian, (3.0,), {}, ValueError,
         r"logits must have a last axis.*got a scalar", id="softmax_jacobian-scalar"),
    case(functions.softmax_jacobian, (None,), {}, TypeError,
         r"logits must be .*got None", id="softmax_jacobian-None"),
    case(functions.mean_squared_error, (None, [1.0]), {}, TypeError,
         r"y must be .*got None", id="mse-None"),
    case(functions.mean_squared_error, ([], []), {}, ValueError,
         r"same non-empty shape, got \(0,\) and \(0,\)", id="mse-empty"),
    case(functions.mean_squared_error, (np.ones(3), np.ones((3, 1))), {}, ValueError,
         r"same non-empty shape, got \(3,\) and \(3, 1\); make them agree", id="mse-n-vs-n-by-1"),
    case(functions.mean_squared_error, (np.ones((1, 3)), np.ones(3)), {}, ValueError,
         r"same non-empty shape, got \(1, 3\) and \(3,\)", id="mse-row-vs-vector"),
    case(functions.mean_squared_error, ("a", "b"), {}, TypeError,
         r"y must be .*got 'a'", id="mse-strings"),
    case(functions.mean_squared_error, ([[1, 2], [3]], [[1, 2], [3]]), {}, TypeError,
         r"rows have different lengths", id="mse-ragged"),
    case(functions.mean_squared_error_gradient, (np.ones(3), np.ones((3, 1))), {}, ValueError,
         r"same non-empty shape.*make them agree", id="mse_gradient-n-vs-n-by-1"),
    case(functions.binary_cross_entropy, (None, [0.0]), {}, TypeError,
         r"y must be .*got None", id="bce-None"),
    case(functions.binary_cross_entropy, ([2.0], [0.0]), {}, ValueError,
         r"class labels 0, \.\.\., 1, but it holds \[2\.0\]", id="bce-label-two"),
    case(functions.binary_cross_entropy, ([-1.0, 1.0], [0.0, 0.0]), {}, ValueError,
         r"holds \[-1\.0\]; map labels -1/\+1 to 0/1", id="bce-labels-minus-one-plus-one"),
    case(functions.binary_cross_entropy, ([0.5], [0.0]), {}, ValueError,
         r"holds \[0\.5\]", id="bce-fractional-label"),
    case(functions.binary_cross_entropy, ([[0.0], [1.0]], [0.0, 0.0]), {}, ValueError,
         r"same non-empty shape, got \(2, 1\) and \(2,\)", id="bce-column-labels"),
    case(functions.binary_cross_entropy, ([], []), {}, ValueError,
         r"same non-empty shape", id="bce-empty"),
    case(functions.binary_cross_entropy, (["0", "1"], [0.0, 0.0]), {}, TypeError,
         r"y must be .*got strings", id="bce-string-labels"),
    case(functions.binary_cross_entropy_gradient, ([2.0], [0.0]), {}, ValueError,
         r"class labels 0, \.\.\., 1", id="bce_gradient-label-two"),
    case(functions.softmax_cross_entropy, (None, np.zeros((2, 3))), {}, TypeError,
         r"y must be .*got None", id="sce-None"),
    case(functions.softmax_cross_entropy, ([0, 3], np.zeros((2, 3))), {}, ValueError,
         r"class labels 0, \.\.\., 2, but it holds \[3\.0\]; logits has 3 columns",
         id="sce-label-out-of-range"),
    case(functions.softmax_cross_entropy, ([0, -1], np.zeros((2, 3))), {}, ValueError,
         r"holds \[-1\.0\]", id="sce-negative-label"),
    case(functions.softmax_cross_entropy, ([0, 1.5], np.zeros((2, 3))), {}, ValueError,
         r"holds \[1\.5\]", id="sce-fractional-label"),
    case(functions.softmax_cross_entropy, ([0, 1], np.zeros(3)), {}, ValueError,
         r"logits must have shape \(n, k\), got shape \(3,\)", id="sce-vector-logits"),
    case(functions.softmax_cross_entropy, (np.eye(3)[:2], np.zeros((2, 3))), {}, ValueError,
         r"one class label per row.*y\.argmax\(axis=1\)", id="sce-one-hot-labels"),
    case(functions.softmax_cross_entropy, ([], np.zeros((0, 3))), {}, ValueError,
         r"logits must have at least one row", id="sce-no-rows"),
    case(functions.softmax_cross_entropy, ([0], np.zeros((1, 0))), {}, ValueError,
         r"logits must have a last axis of at least one class", id="sce-no-classes"),
    case(functions.softmax_cross_entropy, ([0, 1], None), {}, TypeError,
         r"logits must be .*got None", id="sce-logits-None"),
    case(functions.softmax_cross_entropy_gradient, ([0, 3], np.zeros((2, 3))), {}, ValueError,
         r"class labels 0, \.\.\., 2", id="sce_gradient-label-out-of-range"),
    case(functions.cross_entropy_from_logits, (None, None), {}, ValueError,
         r"one_hot and logits must have the same non-empty shape \(n, k\)",
         id="cross_entropy_from_logits-None"),
    case(functions.cross_entropy_from_logits, (np.eye(3), np.zeros((3, 2))), {}, ValueError,
         r"got shapes \(3, 3\) and \(3, 2\)", id="cross_entropy_from_logits-mismatch"),
]
# fmt: on

# --- plotting ----------------------------------------------------------------------------------

P = plotting
# fmt: off
PLOTTING_CASES = [
    case(P.plot_tangent, (None, 1.0), {"x_range": (0, 2)}, TypeError,
         r"f must be a function.*got None", id="tangent-f-None"),
    case(P.plot_tangent, (np.sin, None), {"x_range": (0, 2)}, TypeError,
         r"x0 must be a real number, got None", id="tangent-x0-None"),
    case(P.plot_tangent, (np.sin, [1.0, 2.0]), {"x_range": (0, 2)}, TypeError,
         r"x0 must be a real number, got \[1\.0, 2\.0\]", id="tangent-x0-list"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": None}, TypeError,
         r"x_range must be a pair \(low, high\).*got None", id="tangent-range-None"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": "ab"}, TypeError,
         r"x_range must be a pair.*got 'ab'", id="tangent-range-string"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 1, 2)}, ValueError,
         r"x_range must be a pair.*got 3 numbers", id="tangent-range-three"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (2, 0)}, ValueError,
         r"low < high.*swap them", id="tangent-range-reversed"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, INF)}, ValueError,
         r"x_range must be finite", id="tangent-range-inf"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (-1e308, 1e308)}, ValueError,
         r"too wide: its width overflows", id="tangent-range-overflowing-width"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (1.0, 1.0 + 1e-15)}, ValueError,
         r"too narrow to resolve", id="tangent-range-below-resolution"),
    case(P.plot_tangent, (np.sin, 5.0), {"x_range": (0, 2)}, ValueError,
         r"x0 = 5\.0 lies outside the plotted range x_range", id="tangent-x0-outside"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "resolution": 1}, ValueError,
         r"resolution must be an integer >= 2", id="tangent-resolution-one"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "resolution": 10**9}, ValueError,
         r"resolution must be .*<= 1,000,000", id="tangent-resolution-huge"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "slope": "a"}, TypeError,
         r"slope must be a real number, got 'a'", id="tangent-slope-string"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "slope": NAN}, ValueError,
         r"slope must be a finite number", id="tangent-slope-nan"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "xlabel": None}, TypeError,
         r"xlabel must be a string, got None", id="tangent-xlabel-None"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "ylabel": 3}, TypeError,
         r"ylabel must be a string, got 3", id="tangent-ylabel-int"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "color": "notacolor"}, ValueError,
         r"color must be a matplotlib colour.*got 'notacolor'.*PALETTE",
         id="tangent-color-unknown"),
    case(P.plot_tangent, (np.sin, 1.0), {"x_range": (0, 2), "color": None}, ValueError,
         r"color must be a matplotlib colour.*got None", id="tangent-color-None"),
    case(P.plot_tangent, (np.log, 1.0), {"x_range": (0, 2)}, ValueError,
         r"f is not finite at x = 0\.0", id="tangent-log-at-zero"),
    case(P.plot_tangent, (lambda x: None, 1.0), {"x_range": (0, 2)}, TypeError,
         r"f must accept .*returned None", id="tangent-f-returns-None"),
    case(P.plot_secants, (np.sin, 1.0), {"steps": None, "x_range": (0, 3)}, TypeError,
         r"steps must be .*got None", id="secants-steps-None"),
    case(P.plot_secants, (np.sin, 1.0), {"steps": [], "x_range": (0, 3)}, ValueError,
         r"steps must be a non-empty sequence", id="secants-steps-empty"),
    case(P.plot_secants, (np.sin, 1.0), {"steps": [0.0], "x_range": (0, 3)}, ValueError,
         r"non-zero", id="secants-step-zero"),
    case(P.plot_secants, (np.sin, 1.0), {"steps": [NAN], "x_range": (0, 3)}, ValueError,
         r"steps must be finite", id="secants-step-nan"),
    case(P.plot_secants, (np.sin, 1.0), {"steps": [5.0], "x_range": (0, 3)}, ValueError,
         r"x0 \+ h \(h = 5\).*outside", id="secants-step-leaves-range"),
    case(P.plot_step_error, (None, {"a": [1, 2]}), {}, TypeError,
         r"steps must be .*got None", id="step_error-steps-None"),
    case(P.plot_step_error, ([1e-2, 1e-1], None), {}, TypeError,
         r"errors must be a non-empty mapping", id="step_error-errors-None"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": None}), {}, TypeError,
         r"errors\['a'\] must be .*got None", id="step_error-error-None"),
    case(P.plot_step_error, ([1e-2, 1e-1], {1: [1, 2]}), {}, TypeError,
         r"each name in errors must be a string, got 1", id="step_error-name-int"),
    case(P.plot_step_error, ([-1e-2, 1e-1], {"a": [1, 2]}), {}, ValueError,
         r"steps must be > 0", id="step_error-negative-step"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2, 3]}), {}, ValueError,
         r"errors\['a'\] has shape \(3,\) but steps has shape \(2,\)",
         id="step_error-mismatched-lengths"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2]}), {"orders": None}, TypeError,
         r"orders must be a list of integers >= 1, got None", id="step_error-orders-None"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2]}), {"orders": 2}, TypeError,
         r"orders must be a list.*pass \[2\]", id="step_error-orders-bare-int"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2]}), {"orders": "12"}, TypeError,
         r"orders must be a list of integers", id="step_error-orders-string"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2]}), {"orders": [1.5]}, TypeError,
         r"orders\[0\] must be an integer", id="step_error-orders-float"),
    case(P.plot_step_error, ([1e-2, 1e-1], {"a": [1, 2]}), {"orders": [0]}, ValueError,
         r"orders\[0\] must be an integer >= 1", id="step_error-orders-zero"),
    case(P.plot_gradient_field, (bowl,), {"bounds": None}, TypeError,
         r"bounds must be \(\(x_low, x_high\), \(y_low, y_high\)\)", id="field-bounds-None"),
    case(P.plot_gradient_field, (bowl,), {"bounds": (1, 2)}, TypeError,
         r"bounds\[0\] must be a pair", id="field-bounds-flat-pair"),
    case(P.plot_gradient_field, (None,), {"bounds": BOX}, TypeError,
         r"f must be a function.*got None", id="field-f-None"),
    case(P.plot_gradient_field, (bowl, 3), {"bounds": BOX}, TypeError,
         r"grad must be a function.*got 3", id="field-grad-int"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "arrows": 1}, ValueError,
         r"arrows must be an integer >= 2", id="field-arrows-one"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "arrows": 10**4}, ValueError,
         r"arrows must be .*<= 100", id="field-arrows-huge"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": None}, TypeError,
         r"levels must be a number of level sets.*or a list of values, got None",
         id="field-levels-None"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": 2.5}, TypeError,
         r"levels must be a number of level sets.*got 2\.5", id="field-levels-float"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": True}, TypeError,
         r"levels must be .*got True", id="field-levels-bool"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": "a"}, TypeError,
         r"levels must be .*got 'a'", id="field-levels-string"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": []}, ValueError,
         r"levels must be a 1-D list of at least one value", id="field-levels-empty"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": [[0.1, 0.5]]}, ValueError,
         r"levels must be a 1-D list.*\(1, 2\)", id="field-levels-2d"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "levels": [50.0, 60.0]}, ValueError,
         r"none of levels .* lies between the smallest \(0\) and the largest \(4\)",
         id="field-levels-outside-range"),
    case(P.plot_gradient_field, (lambda x: 0 * x[0],), {"bounds": BOX}, ValueError,
         r"f takes a single value", id="field-flat-function"),
    case(P.plot_gradient_field, (bowl,), {"bounds": ((1, 1 + 1e-15), (1, 2))}, ValueError,
         r"bounds\[0\] .* too narrow", id="field-bounds-below-resolution"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "normalize": "no"}, TypeError,
         r"normalize must be True or False, got 'no'", id="field-normalize-string"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "label": None}, TypeError,
         r"label must be a string, got None", id="field-label-None"),
    case(P.plot_gradient_field, (bowl,), {"bounds": BOX, "point": "ab"}, TypeError,
         r"point must be .*got 'ab'", id="field-point-string"),
    case(P.plot_surface_slices, (bowl, None), {"bounds": BOX}, TypeError,
         r"point must be .*got None", id="slices-point-None"),
    case(P.plot_surface_slices, (bowl, (0.0, 0.0)), {"bounds": BOX, "panels": None}, TypeError,
         r"panels must be True or False, got None", id="slices-panels-None"),
    case(P.plot_surface_slices, (bowl, (0.0, 0.0)),
         {"bounds": BOX, "resolution": 10**5}, ValueError,
         r"resolution must be .*<= 2,000", id="slices-resolution-huge"),
    case(P.plot_surface_slices, (None, (0.0, 0.0)), {"bounds": BOX}, TypeError,
         r"f must be a function", id="slices-f-None"),
    case(P.plot_trajectories, (bowl, {"a": None}), {}, TypeError,
         r"paths\['a'\] must be an array of points of shape \(n_steps, 2\), got None",
         id="trajectories-path-None"),
    case(P.plot_trajectories, (bowl, {"a": "ab"}), {}, TypeError,
         r"paths\['a'\] must be an array.*got 'ab'", id="trajectories-path-string"),
    case(P.plot_trajectories, (bowl, {1: PATH}), {}, TypeError,
         r"each name in paths must be a string, got 1", id="trajectories-name-int"),
    case(P.plot_trajectories, (bowl, {"a": PATH}), {"minima": [NAN, 0.0]}, ValueError,
         r"minima must be finite", id="trajectories-minima-nan"),
    case(P.plot_trajectories, (bowl, {"a": PATH}), {"bounds": "ab"}, TypeError,
         r"bounds must be \(\(x_low", id="trajectories-bounds-string"),
    case(P.plot_trajectories, (None, {"a": PATH}), {}, TypeError,
         r"f must be a function", id="trajectories-f-None"),
    case(P.plot_trajectories, (bowl, {"a": PATH}), {"levels": 10**6}, ValueError,
         r"levels must be an integer >= 2 and <= 1,000", id="trajectories-levels-huge"),
    case(P.plot_loss_curves, ({"a": None},), {}, TypeError,
         r"losses\['a'\] must be a 1-D array of losses, got None", id="loss-run-None"),
    case(P.plot_loss_curves, ({"a": "abc"},), {}, TypeError,
         r"losses\['a'\] must be a 1-D array.*got 'abc'", id="loss-run-string"),
    case(P.plot_loss_curves, ({"a": [1.0, 0.5]},), {"log": "no"}, TypeError,
         r"log must be True or False, got 'no'", id="loss-log-string"),
    case(P.plot_loss_curves, ({"a": [1.0, 0.5]},), {"log": None}, TypeError,
         r"log must be True or False, got None", id="loss-log-None"),
    case(P.plot_loss_curves, ({"a": [1.0, 0.5]},), {"xlabel": None}, TypeError,
         r"xlabel must be a string", id="loss-xlabel-None"),
    case(P.plot_loss_curves, ({2: [1.0, 0.5]},), {}, TypeError,
         r"each name in losses must be a string, got 2", id="loss-name-int"),
    case(P.plot_decision_boundary, (Sigmoid(), None, LABELS), {}, TypeError,
         r"X must be an array of points of shape \(n, 2\), got None", id="boundary-X-None"),
    case(P.plot_decision_boundary, (Sigmoid(), [[NAN, 0.0]] * 4, LABELS), {}, ValueError,
         r"X must be finite, but row 0 is \[nan, 0\.0\]", id="boundary-X-nan"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, None), {}, TypeError,
         r"y must be an array of 4 class labels, got None", id="boundary-y-None"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, [0.0, 1.0, NAN, 1.0]), {}, ValueError,
         r"y must hold finite class labels.*index 2", id="boundary-y-nan"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, [None, 1, None, 1]), {}, TypeError,
         r"y must hold numbers or strings", id="boundary-y-None-entries"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, [{}, {}, {}, {}]), {}, TypeError,
         r"y must hold numbers or strings", id="boundary-y-dicts"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, LABELS[:, None]), {}, ValueError,
         r"y\.ravel\(\)", id="boundary-y-column"),
    case(P.plot_decision_boundary, (lambda X: np.full(len(X), NAN), POINTS, LABELS), {}, ValueError,
         r"model returned \d+ probabilities that are NaN", id="boundary-model-nan"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, LABELS), {"resolution": None}, TypeError,
         r"resolution must be an integer", id="boundary-resolution-None"),
    case(P.plot_decision_boundary, (Sigmoid(), POINTS, LABELS), {"resolution": 10**5}, ValueError,
         r"resolution must be .*<= 2,000", id="boundary-resolution-huge"),
    case(P.animate_secants, (np.sin, 1.0), {"x_range": (0, 3), "fps": 0}, ValueError,
         r"fps must be an integer >= 1", id="secants-animation-fps-zero"),
    case(P.animate_secants, (np.sin, 1.0), {"x_range": (0, 3), "fps": 10**6}, ValueError,
         r"fps must be .*<= 60", id="secants-animation-fps-huge"),
    case(P.animate_secants, (np.sin, None), {"x_range": (0, 3)}, TypeError,
         r"x0 must be a real number, got None", id="secants-animation-x0-None"),
    case(P.animate_secants, (np.sin, 5.0), {"x_range": (0, 3)}, ValueError,
         r"x0 = 5\.0 lies outside", id="secants-animation-x0-outside"),
    case(P.animate_descent, (bowl, None), {}, TypeError,
         r"path must be an array of points.*got None", id="descent-animation-path-None"),
    case(P.animate_descent, (bowl, PATH), {"max_frames": 10**6}, ValueError,
         r"max_frames must be .*<= 300", id="descent-animation-frames-huge"),
    case(P.animate_descent, (bowl, PATH), {"fps": 2.5}, TypeError,
         r"fps must be an integer.*got 2\.5", id="descent-animation-fps-float"),
    case(P.animate_descent, (None, PATH), {}, TypeError,
         r"f must be a function", id="descent-animation-f-None"),
    case(P.describe, (None,), {}, TypeError,
         r"figure must be a matplotlib Figure", id="describe-None"),
]
# fmt: on

# --- the shared helpers ------------------------------------------------------------------------

# fmt: off
HELPER_CASES = [
    case(as_float_array, (None, "x"), {}, TypeError,
         r"x must be .*got None", id="as_float_array-None"),
    case(as_float_array, ("3", "x"), {}, TypeError,
         r"x must be .*got '3'", id="as_float_array-string"),
    case(as_float_array, (object(), "x"), {}, TypeError,
         r"x must be .*something other than numbers", id="as_float_array-object"),
    case(require_integer, (3.0, "n"), {"minimum": 1}, TypeError,
         r"n must be an integer >= 1, got 3\.0 \(a float\); pass int\(3\.0\)",
         id="require_integer-whole-float"),
    case(require_integer, (5, "n"), {"minimum": 1, "maximum": 4}, ValueError,
         r"n must be an integer >= 1 and <= 4, got 5", id="require_integer-above-maximum"),
    case(require_seed, (-1,), {}, ValueError,
         r"seed must be an integer >= 0, got -1", id="require_seed-negative"),
    case(real_number, (np.array([1.0, 2.0]), "x"), {}, TypeError,
         r"x must be a real number, got array", id="real_number-array"),
    case(real_number, (1 + 2j, "x"), {}, TypeError,
         r"x must be a real number, got \(1\+2j\)", id="real_number-complex"),
    case(real_number, (0.0, "rate"), {"low": 0.0, "inclusive": (False, True)}, ValueError,
         r"rate must be a finite number > 0, got 0\.0", id="real_number-open-low"),
    case(require_bool, (1, "flag"), {}, TypeError,
         r"flag must be True or False, got 1", id="require_bool-int"),
    case(one_of, ("centre", "method", ("forward", "central")), {}, ValueError,
         r"method must be one of 'forward', 'central', got 'centre'", id="one_of-unknown"),
    case(one_of, (None, "method", ("forward",)), {}, TypeError,
         r"method must be one of 'forward', got None", id="one_of-None"),
    case(string_sequence, ("central", "methods"), {}, TypeError,
         r"bare string 'central'; pass \['central'\]", id="string_sequence-bare-string"),
    case(string_sequence, ([], "methods"), {}, ValueError,
         r"methods must hold at least 1 string", id="string_sequence-empty"),
    case(string_sequence, (["forward", 3], "methods"), {}, TypeError,
         r"methods\[1\] must be a string, got 3", id="string_sequence-non-string"),
    case(string_sequence, (["fwd"], "methods", ("forward",)), {}, ValueError,
         r"methods\[0\] must be one of 'forward', got 'fwd'", id="string_sequence-unknown-choice"),
    case(integer_sequence, (3, "orders"), {"minimum": 1}, TypeError,
         r"orders must be a list of integers >= 1, got 3.*pass \[3\]",
         id="integer_sequence-bare-int"),
    case(interval, ((0, 0), "x_range"), {}, ValueError,
         r"low < high.*widen it", id="interval-empty"),
]
# fmt: on

ALL_CASES = DATASET_CASES + FUNCTION_CASES + PLOTTING_CASES + HELPER_CASES


def _raised_inside_calcml(error: BaseException) -> bool:
    """Whether the innermost frame of ``error``'s traceback is calcml's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    return Path(frames[-1].filename).resolve().is_relative_to(CALCML.resolve())


@pytest.mark.parametrize(("call", "args", "kwargs", "error", "message"), ALL_CASES)
def test_bad_input_raises_a_calcml_error_naming_the_argument(
    call: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message) as raised:
        call(*args, **kwargs)
    # The exact type, not a subclass numpy or matplotlib raised and calcml let through.
    assert type(raised.value) is error
    assert _raised_inside_calcml(raised.value), "raised from inside numpy, matplotlib or Python"


def test_bad_plotting_input_is_refused_before_a_figure_is_drawn_on() -> None:
    _, ax = plt.subplots()
    with pytest.raises(TypeError, match="log must be True or False"):
        plotting.plot_loss_curves({"a": [1.0, 0.5]}, log="no", ax=ax)
    assert not ax.has_data()


# --- edge inputs that have a correct answer ----------------------------------------------------


def test_numpy_integers_are_sizes_and_seeds_and_a_huge_seed_is_a_seed() -> None:
    X, _ = datasets.make_moons(np.int64(6), seed=np.uint32(3))
    X_again, _ = datasets.make_moons(6, seed=3)
    np.testing.assert_array_equal(X, X_again)
    assert X.shape == (6, 2)
    big, _ = datasets.make_line(4, seed=2**70)
    assert big.shape == (4, 1)


def test_boolean_labels_are_the_labels_zero_and_one() -> None:
    # log 2 per example: sigmoid(0) = 1/2 whatever the label.
    assert functions.binary_cross_entropy([True, False], [0.0, 0.0]) == pytest.approx(math.log(2))


def test_empty_grid_and_empty_activations_are_empty_not_errors() -> None:
    assert functions.rosenbrock(np.ones((2, 0))).shape == (0,)
    assert functions.sigmoid_derivative([]).shape == (0,)
    assert functions.relu_derivative(np.zeros((0, 3))).shape == (0, 3)


def test_a_test_function_warns_where_its_value_overflows_and_returns_inf() -> None:
    with pytest.warns(RuntimeWarning, match=r"Rosenbrock overflows .* x = \[1e\+200, 1\.0\]"):
        assert functions.rosenbrock([1e200, 1.0]) == math.inf
    with pytest.warns(RuntimeWarning, match="gradient of Beale overflows"):
        functions.beale.grad([1e100, 1e100])
    # Like numpy's own warning, it follows np.errstate: minimize silences expected overflow.
    with np.errstate(over="ignore"):
        assert functions.rosenbrock([1e200, 1.0]) == math.inf
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="Rosenbrock"):
        functions.rosenbrock([1e200, 1.0])


def test_secant_animation_from_the_right_end_steps_to_the_left() -> None:
    html = plotting.animate_secants(np.exp, 1.0, x_range=(0.0, 1.0))
    # The first step is 90% of the way to the other end: h = 0.9 * (0 - 1).
    assert "steps h from -0.9 down to" in html


def test_a_single_explicit_level_draws_one_level_set() -> None:
    ax = plotting.plot_gradient_field(bowl, bounds=BOX, levels=[1.0], arrows=3)
    assert ax.collections


def test_converting_a_traced_value_keeps_the_engine_error() -> None:
    # functions.tanh works on arrays; on a traced value it must say so, not "not a number", so
    # that minimize can fall back to finite differences on exactly this error.
    with pytest.raises(UnsupportedOperationError, match="detach"):
        calcml.grad(lambda w: np.sum(functions.tanh(w)))(np.ones(2))


def test_an_error_message_quotes_a_huge_input_briefly() -> None:
    with pytest.raises(TypeError) as raised:
        functions.quadratic_bowl(list(range(10**5)))
    assert len(str(raised.value)) < 200


# --- values agree with mathematics -------------------------------------------------------------

shapes = st.sampled_from([(1,), (5,), (3, 4), (2, 1), (1, 3), (2, 2, 2)])


@given(shape=shapes, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_mean_squared_error_gradient_is_the_gradient_of_the_loss(shape, seed) -> None:
    rng = np.random.default_rng(seed)
    y, p = rng.normal(size=shape), rng.normal(size=shape)
    numeric = calcml.gradient(lambda q: functions.mean_squared_error(y, q), p)
    np.testing.assert_allclose(functions.mean_squared_error_gradient(y, p), numeric, atol=1e-7)
    # mean((p - y)^2) from its definition, element by element.
    squares = [(a - b) ** 2 for a, b in zip(p.ravel(), y.ravel(), strict=True)]
    assert functions.mean_squared_error(y, p) == pytest.approx(math.fsum(squares) / len(squares))


@given(n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_binary_cross_entropy_gradient_is_the_gradient_of_the_loss(n, seed) -> None:
    rng = np.random.default_rng(seed)
    y, z = rng.integers(0, 2, n).astype(float), rng.normal(scale=3, size=n)
    numeric = calcml.gradient(lambda w: functions.binary_cross_entropy(y, w), z)
    np.testing.assert_allclose(functions.binary_cross_entropy_gradient(y, z), numeric, atol=1e-7)
    # -y log p - (1 - y) log(1 - p) with p = 1 / (1 + e^-z), straight from the definition.
    p = 1 / (1 + np.exp(-z))
    direct = np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    assert functions.binary_cross_entropy(y, z) == pytest.approx(direct, rel=1e-9)


@given(n=st.integers(1, 5), k=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_softmax_cross_entropy_gradient_is_the_gradient_of_the_loss(n, k, seed) -> None:
    rng = np.random.default_rng(seed)
    y, z = rng.integers(0, k, n), rng.normal(scale=2, size=(n, k))
    numeric = calcml.gradient(lambda w: functions.softmax_cross_entropy(y, w), z)
    np.testing.assert_allclose(functions.softmax_cross_entropy_gradient(y, z), numeric, atol=1e-7)
    direct = np.mean([-math.log(math.exp(z[i, y[i]]) / sum(map(math.exp, z[i]))) for i in range(n)])
    assert functions.softmax_cross_entropy(y, z) == pytest.approx(direct, rel=1e-9)


@given(k=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_softmax_jacobian_rows_sum_to_zero_and_it_is_symmetric(k, seed) -> None:
    # Softmax outputs sum to 1 whatever z is, so every column of its Jacobian sums to 0; and
    # diag(s) - s s^T is symmetric.
    jacobian = functions.softmax_jacobian(np.random.default_rng(seed).normal(size=k))
    np.testing.assert_allclose(jacobian.sum(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(jacobian, jacobian.T)


@pytest.mark.parametrize("scale", [1e-150, 1e-8, 1.0, 1e8, 1e150])
def test_losses_are_exact_at_tiny_and_huge_scales(scale: float) -> None:
    # A constant offset c gives mean squared error c^2.
    y = np.full(4, scale)
    assert functions.mean_squared_error(y, 2 * y) == pytest.approx(scale**2, rel=1e-12)
    # Label 1 at logit -z costs log(1 + e^z) = z + log(1 + e^-z), which is z to within
    # rounding once e^-z < 1e-16.
    expected = scale + math.log1p(math.exp(-scale))
    assert functions.binary_cross_entropy([1.0], [-scale]) == pytest.approx(expected, rel=1e-15)


def test_quadratic_bowl_with_a_huge_condition_number_keeps_its_window_finite() -> None:
    bowl_function = functions.quadratic_bowl(1e100)
    _, _, Z = bowl_function.grid(5)
    assert np.isfinite(Z).all()
    # f(x) = (x_1^2 + k x_2^2) / 2 at (1, 1).
    assert bowl_function([1.0, 1.0]) == pytest.approx((1 + 1e100) / 2)


@pytest.mark.parametrize(
    "name", sorted(set(datasets.__all__) | set(functions.__all__) | set(plotting.__all__))
)
def test_every_public_name_has_a_row_or_a_value_test(name: str) -> None:
    calls = [param.values[0] for param in ALL_CASES]
    covered = {
        public
        for module in (datasets, functions, plotting)
        for public, obj in vars(module).items()
        if any(obj is call or obj is getattr(call, "__self__", None) for call in calls)
    } | {"TestFunction"}  # built by _test_function
    # Constants and styles take no input; load_digits none either; the activations are
    # calcml.autodiff's (re-exported), with their own tests there.
    exempt = {"BOOK_RC", "CYCLE", "INK", "PALETTE", "TEST_FUNCTIONS", "AnimationHTML"}
    exempt |= {"book_style", "use_book_style", "load_digits", "relu", "sigmoid", "softmax"}
    exempt |= {"saddle", "six_hump_camel"}  # TestFunctions like the three with rows
    assert name in covered | exempt, f"{name} has no row in the table"
