"""Benchmark: does each optimizer reach the minimum, and at what cost?

The first table runs calcml's default ``minimize`` (BFGS), calcml's L-BFGS and scipy's BFGS
and L-BFGS-B, each with its default settings and the same exact gradient, on the test problems
of Moré, Garbow and Hillstrom (1981) from the paper's starting points (``bench/_mgh.py``).

Every optimizer runs with its documented defaults on the book's standard test functions, from
a fixed start, until the iterate is within ``TOLERANCE`` of a known minimum (or ``MAX_STEPS``
pass). Steps and evaluation counts are deterministic; wall times are the median of
``REPEATS`` runs, and the ratio to plain gradient descent is measured in the same run. The
second table times the training of the book's multilayer perceptron on two moons.

Run with ``python bench/optim.py`` (or ``nox -s bench -- optim``); writes
``bench/results/optim.md``.
"""

from __future__ import annotations

import os

# Before numpy loads: these matrices are far too small to gain from BLAS threads, and on a
# shared machine the threads contend and make a 64-wide layer 10-30x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import autograd
import scipy.optimize
from _mgh import PROBLEMS as MGH_PROBLEMS
from _mgh import Problem
from _report import markdown_table, write_report

from calcml.datasets import make_moons, train_test_split
from calcml.functions import (
    TestFunction,
    beale,
    booth,
    himmelblau,
    quadratic_bowl,
    rosenbrock,
    six_hump_camel,
)
from calcml.models import MLP
from calcml.optimize import (
    BFGS,
    LBFGS,
    AdaGrad,
    Adam,
    BacktrackingLineSearch,
    GradientDescent,
    Momentum,
    Nesterov,
    Newton,
    Optimizer,
    OptimizeResult,
    RMSProp,
    minimize,
)

TOLERANCE = 1e-3
MAX_STEPS = 20_000
REPEATS = 3

PROBLEMS: list[tuple[TestFunction, tuple[float, float]]] = [
    (rosenbrock, (-1.2, 1.0)),
    (quadratic_bowl(100.0, angle=0.5), (1.0, 1.0)),
    (booth, (-5.0, 5.0)),
    (himmelblau, (0.0, 0.0)),
    (beale, (1.0, 1.5)),
    (six_hump_camel, (-1.0, 0.5)),
]

OPTIMIZERS: list[Callable[[], Optimizer]] = [
    GradientDescent,
    Momentum,
    Nesterov,
    AdaGrad,
    RMSProp,
    Adam,
    BacktrackingLineSearch,
    BFGS,
    LBFGS,
    Newton,
]


# Reached "the paper's minimum": f within this relative distance of a minimum value the paper
# lists (it prints six significant digits), plus an absolute 1e-10 for minima where f = 0.
MGH_RELATIVE = 1e-5
MGH_ABSOLUTE = 1e-10


def _reached(problem: Problem, value: float) -> str:
    for rank, minimum in enumerate(problem.minima):
        if value - minimum <= MGH_RELATIVE * abs(minimum) + MGH_ABSOLUTE:
            return "yes" if rank == 0 else "local"
    return "**no**"


def mgh_table() -> tuple[str, dict[str, int]]:
    solvers: dict[str, Callable[[Problem, np.ndarray, Callable], tuple[float, int, int]]] = {
        "calcml minimize (BFGS)": lambda p, x0, g: _calcml(p, x0, g, None),
        "calcml LBFGS": lambda p, x0, g: _calcml(p, x0, g, LBFGS()),
        "scipy BFGS": lambda p, x0, g: _scipy(p, x0, g, "BFGS"),
        "scipy L-BFGS-B": lambda p, x0, g: _scipy(p, x0, g, "L-BFGS-B"),
    }
    solved = dict.fromkeys(solvers, 0)
    rows = []
    for problem in MGH_PROBLEMS:
        gradient = autograd.grad(problem.f)
        x0 = np.array(problem.start)
        row = [str(problem.number), problem.name, str(x0.size), _minima(problem)]
        for name, solve in solvers.items():
            with np.errstate(all="ignore"):
                value, nfev, njev = solve(problem, x0, gradient)
            verdict = _reached(problem, value)
            solved[name] += verdict != "**no**"
            row.append(f"{verdict}, {value:.6g}, {nfev}/{njev}")
        rows.append(row)
        print(f"done: {problem.name}", file=sys.stderr)
    total = ["", "**minima reached**", "", ""] + [
        f"**{count} of {len(MGH_PROBLEMS)}**" for count in solved.values()
    ]
    header = ["#", "problem", "n", "f at the paper's minima"] + [
        f"{name}: reached, f, nfev/njev" for name in solvers
    ]
    return markdown_table(header, [*rows, total]), solved


def _minima(problem: Problem) -> str:
    return ", ".join(f"{value:.6g}" for value in problem.minima)


def _calcml(problem: Problem, x0: np.ndarray, gradient: Callable, optimizer: Optimizer | None):
    result = minimize(problem.f, x0, grad=gradient, optimizer=optimizer)
    return result.loss, result.nfev, result.njev


def _scipy(problem: Problem, x0: np.ndarray, gradient: Callable, method: str):
    result = scipy.optimize.minimize(problem.f, x0, jac=gradient, method=method)
    return float(result.fun), int(result.nfev), int(result.njev)


def _run(
    function: TestFunction, start: tuple[float, float], optimizer: Optimizer
) -> OptimizeResult:
    def close_enough(step: int, x: np.ndarray, loss: float) -> bool:
        return bool(np.min(np.linalg.norm(function.minima - x, axis=1)) < TOLERANCE)

    return minimize(
        function, start, optimizer=optimizer, max_steps=MAX_STEPS, tol=1e-10, callback=close_enough
    )


def _timed(function: TestFunction, start: tuple[float, float], make: Callable[[], Optimizer]):
    times, result = [], None
    for _ in range(REPEATS):
        began = time.perf_counter()
        result = _run(function, start, make())
        times.append(time.perf_counter() - began)
    assert result is not None
    return result, statistics.median(times)


def _outcome(result: OptimizeResult) -> str:
    if result.status == "callback":
        return str(result.n_steps)
    if result.diverged:
        return f"diverged (step {result.n_steps + 1})"
    if result.converged:
        x, y = result.x
        return f"stopped at a critical point that is not a minimum, ({x:.3f}, {y:.3f})"
    return f"not within {MAX_STEPS}"


def optimizer_table() -> str:
    rows = []
    for function, start in PROBLEMS:
        baseline = None
        for make in OPTIMIZERS:
            result, seconds = _timed(function, start, make)
            baseline = seconds if baseline is None else baseline
            rows.append(
                [
                    function.name,
                    f"({start[0]:g}, {start[1]:g})",
                    make().name,
                    _outcome(result),
                    f"{result.nfev} / {result.njev} / {result.nhev}",
                    f"{1e3 * seconds:.1f}",
                    f"{seconds / baseline:.2f}",
                ]
            )
        print(f"done: {function.name}", file=sys.stderr)
    return markdown_table(
        [
            "function",
            "start",
            "optimizer",
            f"steps to within {TOLERANCE:g} of a minimum",
            "evaluations f / grad / Hessian",
            "wall time (ms)",
            "time / gradient descent",
        ],
        rows,
    )


def mlp_table() -> str:
    X, y = make_moons(400, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    rows = []
    for hidden_sizes in [(16,), (16, 16), (64, 64)]:
        times, model = [], None
        for _ in range(REPEATS):
            began = time.perf_counter()
            model = MLP(hidden_sizes=hidden_sizes, seed=0).fit(X_train, y_train)
            times.append(time.perf_counter() - began)
        assert model is not None
        seconds = statistics.median(times)
        n_steps = model.optimize_result_.n_steps
        rows.append(
            [
                str(hidden_sizes),
                f"{len(y_train)}",
                str(n_steps),
                f"{seconds:.2f}",
                f"{1e3 * seconds / n_steps:.2f}",
                f"{model.score(X_test, y_test):.3f}",
            ]
        )
    return markdown_table(
        [
            "hidden layers",
            "training points",
            "Adam steps (full batch)",
            "training time (s)",
            "ms per step",
            "test accuracy",
        ],
        rows,
    )


def main() -> None:
    load_before = os.getloadavg()[0]
    mgh, _ = mgh_table()
    table = (
        "**The Moré–Garbow–Hillstrom problems** (Moré, Garbow and Hillstrom, 1981, "
        "*Testing unconstrained optimization software*, ACM TOMS 7(1)), from the paper's "
        "starting points. Every solver runs with its default settings and the same exact "
        "gradient (autograd). *Reached*: `f` ends within a relative 1e-5 (plus 1e-10) of the "
        "global minimum the paper lists (*yes*) or of a local minimum it lists (*local*). "
        "`nfev/njev`: calls of `f` and of the gradient.\n\n" + mgh + "\n\n"
        f"**Reaching a minimum.** Defaults of every optimizer; stop when within {TOLERANCE:g} "
        f"of a known minimum; median wall time of {REPEATS} runs.\n\n"
        + optimizer_table()
        + "\n\n**Training the book's MLP** on two moons (400 points, noise 0.2, 25% held out), "
        "`MLP(hidden_sizes=..., seed=0)` with its defaults (Adam, learning rate 0.01, 500 "
        "steps), forward and backward passes by `calcml.autodiff`.\n\n" + mlp_table()
    )
    write_report(
        "optim",
        "Optimizers and MLP training",
        table,
        command="python bench/optim.py",
        packages=("numpy", "scipy", "autograd", "calcml"),
        notes=(
            "calcml's minimize stops when the gradient norm is at most 1e-6 (or after 1000 "
            "steps, or when its line search can no longer lower f); scipy's BFGS when the "
            "largest gradient component is at most 1e-5 (or after 200 n iterations), L-BFGS-B "
            "when the projected gradient is at most 1e-5 or f stalls (ftol 2.2e-9). "
            "Steps and evaluation counts are deterministic and machine-independent; times "
            "are not. Wall time includes the driver's bookkeeping (every iterate is kept). "
            "Runs stop when the gradient norm falls below 1e-10, which is how Newton's "
            "method shows it converges to any critical point. BLAS is limited to one "
            "thread (`OPENBLAS_NUM_THREADS=1` unless set): with the default threads on this "
            "shared 2-core machine the (64, 64) network trained 10-30x slower. Load average "
            f"(1 minute) when the run started: {load_before:.1f}, when it ended: "
            f"{os.getloadavg()[0]:.1f}; above the core count, other processes shared the "
            "cores and the wall times are inflated by about that ratio."
        ),
    )


if __name__ == "__main__":
    main()
