"""Accuracy and cost of calcml's derivatives against scipy and numdifftools.

Run as ``python bench/differentiate.py`` (or ``nox -s bench -- differentiate``). Every method
differentiates the same suite of functions at the same points in the same run; errors are
relative to the exact derivative, evaluations are counted by wrapping ``f``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numdifftools
import numpy as np
from scipy import differentiate as scipy_differentiate

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

from _report import markdown_table, write_report

import calcml


@dataclass(frozen=True)
class Case:
    name: str
    f: Callable[[Any], Any]
    df: Callable[[Any], Any]
    points: tuple[float, ...]


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


# Each function accepts complex input (for the complex step) and each derivative is written
# out by hand; points avoid zeros of the derivative, where a relative error is undefined.
SUITE = (
    Case("x^2", lambda x: x**2, lambda x: 2 * x, (-3.0, -0.5, 0.7, 2.0, 25.0)),
    Case(
        "3x^4 - 2x + 5",
        lambda x: 3 * x**4 - 2 * x + 5,
        lambda x: 12 * x**3 - 2,
        (-2.0, -0.4, 1.0, 1.5, 10.0),
    ),
    Case("exp", np.exp, np.exp, (-5.0, -1.0, 0.0, 1.0, 5.0)),
    Case("log", np.log, lambda x: 1 / x, (0.05, 0.5, 1.5, 10.0, 1000.0)),
    Case("sin", np.sin, np.cos, (-2.0, 0.1, 1.0, 2.5, 40.0)),
    Case("cos", np.cos, lambda x: -np.sin(x), (-2.0, 0.1, 1.0, 2.5, 40.0)),
    Case("tanh", np.tanh, lambda x: 1 / np.cosh(x) ** 2, (-3.0, -0.5, 0.0, 0.8, 2.0)),
    Case(
        "sigmoid",
        _sigmoid,
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
        (-6.0, -1.0, 0.0, 0.5, 4.0),
    ),
    Case(
        "1/(1+x^2)",
        lambda x: 1 / (1 + x**2),
        lambda x: -2 * x / (1 + x**2) ** 2,
        (-4.0, -1.0, 0.3, 1.0, 3.0),
    ),
    Case("sqrt", np.sqrt, lambda x: 0.5 / np.sqrt(x), (0.1, 0.5, 2.0, 9.0, 400.0)),
    Case(
        "exp(sin x)",
        lambda x: np.exp(np.sin(x)),
        lambda x: np.cos(x) * np.exp(np.sin(x)),
        (-1.0, 0.0, 0.5, 1.2, 3.0),
    ),
    Case(
        "softplus",
        lambda x: np.log1p(np.exp(x)),
        _sigmoid,
        (-5.0, -1.0, 0.0, 1.0, 5.0),
    ),
    Case("atan", np.arctan, lambda x: 1 / (1 + x**2), (-3.0, -0.5, 0.2, 1.0, 8.0)),
    Case(
        "exp(-x^2)",
        lambda x: np.exp(-(x**2)),
        lambda x: -2 * x * np.exp(-(x**2)),
        (-1.5, -0.3, 0.4, 1.0, 2.0),
    ),
)

Estimator = Callable[[Callable[[Any], Any], float], float]


def _calcml(method: calcml.Method, accuracy: int | None = None) -> Estimator:
    def estimate(f: Callable[[Any], Any], x: float) -> float:
        return calcml.derivative(f, x, method=method, accuracy=accuracy)

    return estimate


def _scipy(f: Callable[[Any], Any], x: float) -> float:
    return float(scipy_differentiate.derivative(f, x).df)


def _numdifftools(f: Callable[[Any], Any], x: float) -> float:
    return float(numdifftools.Derivative(f)(x))


ESTIMATORS: dict[str, Estimator] = {
    "calcml forward": _calcml("forward"),
    "calcml central (default)": _calcml("central"),
    "calcml central, accuracy 4": _calcml("central", 4),
    "calcml complex step": _calcml("complex"),
    "calcml Richardson": _calcml("richardson"),
    "scipy.differentiate.derivative": _scipy,
    "numdifftools.Derivative": _numdifftools,
}


def _counted(f: Callable[[Any], Any], counter: list[int]) -> Callable[[Any], Any]:
    def wrapped(x: Any) -> Any:
        counter.append(int(np.size(x)))
        return f(x)

    return wrapped


def _relative_error(estimate: float, exact: float) -> float:
    return abs(estimate - exact) / abs(exact)


def _best_central_error(case: Case, x: float) -> float:
    """The central difference's error at its best step, found knowing the exact answer.

    Round-off makes the error at one step partly luck, so the error at each of 200 steps is
    replaced by the median over its 11 neighbours (a factor of about 2 in ``h``) before taking
    the minimum: the best a step choice can reliably achieve, not the luckiest draw.
    """
    exact = float(case.df(x))
    steps = np.logspace(-9, -2, 200) * max(1.0, abs(x))
    sweep = calcml.step_error_sweep(case.f, x, exact, steps=steps, methods=["central"])
    windows = np.lib.stride_tricks.sliding_window_view(sweep.errors["central"], 11)
    return float(np.nanmin(np.nanmedian(windows, axis=1))) / abs(exact)


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)  # peers probing sqrt/log below 0
    errors: dict[str, list[float]] = {name: [] for name in ESTIMATORS}
    evaluations: dict[str, list[int]] = {name: [] for name in ESTIMATORS}
    best_central, default_over_best, labels = [], [], []
    for case in SUITE:
        for x in case.points:
            exact = float(case.df(x))
            for name, estimator in ESTIMATORS.items():
                counter: list[int] = []
                errors[name].append(_relative_error(estimator(_counted(case.f, counter), x), exact))
                evaluations[name].append(sum(counter))
            best = _best_central_error(case, x)
            best_central.append(best)
            # A floor of one ulp: where the best step is exact (x^2), the ratio is moot.
            floor = float(np.finfo(float).eps)
            default_over_best.append(errors["calcml central (default)"][-1] / max(best, floor))
            labels.append(f"{case.name} at {x:g}")
    rows = [
        [
            name,
            f"{np.nanmedian(errors[name]):.1e}",
            f"{np.nanmax(errors[name]):.1e}",
            int(np.sum(np.isnan(errors[name]))),
            f"{np.median(evaluations[name]):.0f}",
            f"{np.max(evaluations[name]):.0f}",
        ]
        for name in ESTIMATORS
    ]
    rows.append(
        [
            "central at its best step (oracle)",
            f"{np.median(best_central):.1e}",
            f"{np.max(best_central):.1e}",
            0,
            "2",
            "2",
        ]
    )
    table = markdown_table(
        [
            "method",
            "median rel. error",
            "worst rel. error",
            "NaN results",
            "median evals",
            "max evals",
        ],
        rows,
    )
    count = sum(len(case.points) for case in SUITE)
    central = evaluations["calcml central (default)"]
    checked = [label for label, used in zip(labels, central, strict=True) if used > 3]
    notes = (
        f"{len(SUITE)} functions ({', '.join(case.name for case in SUITE)}), {count} points "
        "in all; the relative error is against the exact derivative. The oracle row is the "
        "central difference at its best step, chosen knowing the answer (the median error over a "
        "factor-2 window of steps, so that a lucky rounding does not count): the best that "
        "stencil can do. calcml's default central step is within "
        f"{np.median(default_over_best):.1f}x (median) and "
        f"{np.percentile(default_over_best, 90):.1f}x (90th percentile) of it; the worst is "
        f"{np.max(default_over_best):.0f}x, for {labels[int(np.argmax(default_over_best))]}"
        ". The large ratios are points where some step is exact by symmetry (an odd f at 0, a "
        "quadratic). The default central difference spends 3 evaluations (f(x - h), f(x + h) "
        "and f(x), which gives f'' too), and more only where they show f, or f', varying on a "
        "scale 16 times shorter than max(1, |x|), or x within 1/16 of 0 (a singularity there "
        "would be within reach; f' changing fast also marks a point near a zero of f'): then "
        "the estimate "
        "is checked against the same difference at 1.6h (the golden ratio times h, which no "
        "period of f that fits into h fits into too), and the step shrinks until it settles "
        f"only if they disagree. Here the check ran at {len(checked)} of "
        f"{count} points ({', '.join(checked)}). NaN results are peers stepping outside f's "
        "domain (sqrt, log near 0). Evaluations are counted per point by wrapping f."
    )
    write_report(
        "differentiate",
        "Numerical derivatives: accuracy and cost",
        table,
        command="python bench/differentiate.py",
        packages=("numpy", "scipy", "numdifftools"),
        notes=notes,
    )


if __name__ == "__main__":
    main()
