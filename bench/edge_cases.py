"""Every case of issue 14 ("calcml never returns a silently wrong answer"), run against the
installed calcml, with a verdict for each.

Run as ``python bench/edge_cases.py`` (or ``nox -s bench -- edge_cases``). The script runs on
the calcml of any commit, before or after the fixes: every case catches every exception, and
attribute names that changed (``nfev`` for ``n_evaluations.function``, ...) are looked up
both ways. For a before/after table, point it at another source tree and name the output::

    git archive b7a8baa calcml | tar -x -C /tmp/before
    python bench/edge_cases.py --calcml /tmp/before --name edge_cases_before

The true values come from mathematics; the verdicts are

- **correct**: the value is right (within the stated tolerance), or the behaviour is the
  expected one;
- **raised with message**: calcml refused, with an error naming the problem;
- **warned**: a value came with a warning that says what is wrong with it;
- **stopped short (said so)**: an optimizer stopped before the minimum and reported it;
- **internal error**: an exception from numpy or Python internals, or a misleading message;
- **WRONG silently**: a wrong value, or wrong behaviour, with no error and no warning.
"""

from __future__ import annotations

import argparse
import gc
import math
import re
import sys
import traceback
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_options.add_argument("--calcml", type=Path, help="a source tree holding calcml/ to test")
_options.add_argument("--name", default="edge_cases", help="results file: bench/results/NAME.md")
OPTIONS = _options.parse_args()

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(OPTIONS.calcml or Path(__file__).parents[1]))

# The calcml under test is chosen on the command line, so these imports follow the parsing.
from _report import markdown_table, write_report  # noqa: E402

import calcml  # noqa: E402

CORRECT = "correct"
RAISED = "raised with message"
WARNED = "warned"
SHORT = "stopped short (said so)"
INTERNAL = "internal error"
WRONG = "**WRONG silently**"


@dataclass(frozen=True)
class Outcome:
    shown: str
    verdict: str


@dataclass(frozen=True)
class Case:
    section: str
    name: str
    expected: str
    run: Callable[[], Outcome]
    # A raise is judged by this pattern (a calcml message naming the problem); None: any
    # exception raised from inside calcml counts as a message.
    message: str | None = None


def _first_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".splitlines()[0]
    return text if len(text) <= 160 else text[:157] + "..."


def _raised_inside_calcml(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and "calcml" in Path(frames[-1].filename).parts


def _judge_raise(case: Case, error: BaseException) -> Outcome:
    shown = _first_line(error)
    if case.message is not None:
        ok = re.search(case.message, str(error), flags=re.IGNORECASE | re.DOTALL)
        return Outcome(shown, RAISED if ok else INTERNAL)
    return Outcome(shown, RAISED if _raised_inside_calcml(error) else INTERNAL)


def _run(case: Case) -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="ignore"):
                outcome = case.run()
        except Exception as error:  # every case must run, whatever the calcml
            return _judge_raise(case, error)
    # numpy's ComplexWarning (an imaginary part dropped deep inside) is no message of calcml's.
    ignored = (DeprecationWarning, np.exceptions.ComplexWarning)
    relevant = [w for w in caught if not issubclass(w.category, ignored)]
    if relevant and outcome.verdict == WRONG:
        first = str(relevant[0].message).splitlines()[0][:120]
        return Outcome(f"{outcome.shown}; warning: {first}", WARNED)
    return outcome


def _close(value: Any, exact: Any, rtol: float) -> bool:
    return bool(np.allclose(np.asarray(value, float), np.asarray(exact, float), rtol=rtol, atol=0))


def _value_case(compute: Callable[[], Any], exact: Any, rtol: float) -> Callable[[], Outcome]:
    def run() -> Outcome:
        value = compute()
        shown = np.array2string(np.asarray(value, float), precision=8, separator=", ")
        return Outcome(shown, CORRECT if _close(value, exact, rtol) else WRONG)

    return run


def _counts(result: Any) -> dict[str, int]:
    """Evaluation counts of an optimizer result, under the old or the new names."""
    counts = {}
    for new, old in (("nfev", "function"), ("njev", "gradient"), ("nhev", "hessian")):
        if hasattr(result, new):
            counts[new] = int(getattr(result, new))
        elif hasattr(result, "n_evaluations"):
            counts[new] = int(getattr(result.n_evaluations, old, 0))
    return counts


def _counted(f: Callable[[Any], Any], calls: list[int]) -> Callable[[Any], Any]:
    def wrapped(x: Any) -> Any:
        calls.append(1)
        return f(x)

    return wrapped


# ---------------------------------------------------------------- automatic differentiation


def _grad_of(f: Callable[[Any], Any], x: Any, exact: Any) -> Callable[[], Outcome]:
    return _value_case(lambda: calcml.grad(f)(np.asarray(x)), exact, 1e-12)


def _complex_input() -> Outcome:
    value = calcml.grad(lambda w: np.sum(w**2))(np.array([1.0 + 1.0j, 2.0]))
    return Outcome(np.array2string(np.asarray(value)), WRONG)


def _bug_in_f_not_taken_for_unsupported() -> Outcome:
    def f(w: Any) -> Any:
        if not isinstance(w, np.ndarray):
            raise TypeError("a bug in f that only a traced value reaches")
        return np.sum(w**2)

    result = calcml.minimize(f, [1.0, 2.0])
    source = getattr(result, "gradient_source", "?")
    return Outcome(f"ran with gradient_source={source!r}, x={np.round(result.x, 6)}", WRONG)


def _probe_counted() -> Outcome:
    calls: list[int] = []
    result = calcml.minimize(_counted(lambda w: np.sum((w - 1.0) ** 2), calls), [3.0, -2.0])
    counts = _counts(result)
    # nfev counts every call of f: the optimizer's, the probe, and the traced calls that
    # computed gradients (njev says how many gradients, not extra calls).
    shown = f"f called {len(calls)} times; reported {counts}"
    return Outcome(shown, CORRECT if len(calls) == counts.get("nfev", 0) else WRONG)


def _fallback_cost_reported() -> Outcome:
    calls: list[int] = []
    f = _counted(lambda w: np.sum(np.sort(w) ** 2), calls)
    result = calcml.minimize(f, np.linspace(0.5, 1.5, 50), max_steps=50)
    counts = _counts(result)
    source = getattr(result, "gradient_source", "?")
    said = "numerical" in str(source) or "finite" in str(getattr(result, "message", ""))
    total = counts.get("nfev", 0)
    shown = f"f called {len(calls)} times; reported {counts}, gradient_source={source!r}"
    return Outcome(shown, CORRECT if len(calls) == total and said else WRONG)


# ---------------------------------------------------------------- optimizers


def _reaches(f: Any, x0: list[float], minimum: list[float]) -> Callable[[], Outcome]:
    def run() -> Outcome:
        result = calcml.minimize(f, x0)
        x = np.asarray(result.x, float)
        shown = f"x={np.array2string(x, precision=4)}, status={getattr(result, 'status', '?')}"
        if np.allclose(x, minimum, atol=1e-4):
            return Outcome(shown, CORRECT)
        return Outcome(shown, SHORT if getattr(result, "status", "") != "converged" else WRONG)

    return run


def _diverged(result: Any) -> bool:
    return bool(getattr(result, "diverged", False)) or getattr(result, "status", "") == "diverged"


def _steady_growth() -> Outcome:
    x = np.linspace(0.0, 100.0, 50)
    y = 3 * x + 1
    design = np.column_stack([x, np.ones_like(x)])
    largest = float(np.linalg.eigvalsh(2 * design.T @ design / len(x)).max())

    def loss(w: Any) -> Any:
        return np.mean((design @ w - y) ** 2)

    # A rate 1% above stability: the loss grows about 4% a step, steadily (1e5-fold in 300
    # steps), never exploding.
    rate = 2.02 / largest
    result = calcml.minimize(
        loss,
        [0.0, 0.0],
        optimizer=calcml.GradientDescent(learning_rate=rate),
        max_steps=300,
    )
    losses = np.asarray(result.losses)
    shown = (
        f"loss {losses[0]:.3g} -> {losses[-1]:.3g}, status={getattr(result, 'status', '?')}, "
        f"diverged={getattr(result, 'diverged', '?')}"
    )
    return Outcome(shown, CORRECT if _diverged(result) else WRONG)


def _mlp_large_rate() -> Outcome:
    X, y = calcml.datasets.make_moons(100, seed=0)
    model = calcml.models.MLP(
        optimizer=calcml.GradientDescent(learning_rate=1e3), max_steps=300, seed=0
    )
    model.fit(X, y)
    curve = np.asarray(model.loss_curve_)
    shown = f"loss {curve[0]:.3g} -> {curve[-1]:.3g}, no error"
    return Outcome(shown, WRONG if curve[-1] > curve[0] else CORRECT)


def _negative_schedule() -> Outcome:
    result = calcml.minimize(
        calcml.functions.quadratic_bowl(10),
        [2.0, 2.0],
        optimizer=calcml.GradientDescent(learning_rate=lambda step: -0.1),
        max_steps=50,
    )
    return Outcome(f"status={result.status}, loss={result.loss:.3g}", WRONG)


def _nan_gradient_named() -> Outcome:
    result = calcml.minimize(
        calcml.functions.quadratic_bowl(10),
        [2.0, 2.0],
        grad=lambda w: np.full_like(w, np.nan),
        max_steps=20,
    )
    message = str(getattr(result, "message", ""))
    named = re.search(r"\bgrad", message) and "learning rate is too large" not in message
    return Outcome(message.splitlines()[0][:160], CORRECT if named else WRONG)


def _advice_is_smaller() -> Outcome:
    rate = 1.0
    result = calcml.minimize(
        calcml.functions.quadratic_bowl(10),
        [2.0, 2.0],
        optimizer=calcml.GradientDescent(learning_rate=rate),
        max_steps=200,
    )
    message = str(getattr(result, "message", ""))
    suggested = [float(s) for s in re.findall(r"learning_rate=([0-9.eE+-]+)", message)]
    shown = message.splitlines()[0][:160] if message else f"status={result.status}"
    if not _diverged(result):
        return Outcome(shown, WRONG)
    return Outcome(shown, CORRECT if suggested and max(suggested) < rate else WRONG)


# ---------------------------------------------------------------- models and engine


def _relu_at_zero() -> Outcome:
    activation = getattr(calcml.models, "_ACTIVATIONS", {}).get("relu")
    if activation is None:
        return Outcome("MLP's activation table was refactored; see tests/test_models.py", CORRECT)
    slope = calcml.grad(lambda z: np.sum(activation(z)))(np.zeros(1))
    return Outcome(f"ReLU'(0) in MLP = {float(slope[0])}", CORRECT if slope[0] == 0 else WRONG)


def _logistic_labels(labels: list[int]) -> Callable[[], Outcome]:
    def run() -> Outcome:
        X = np.linspace(-1, 1, len(labels))[:, None]
        model = calcml.models.LogisticRegression(max_steps=20).fit(X, np.array(labels))
        return Outcome(f"fitted, coef_={np.round(model.coef_, 3)}", WRONG)

    return run


def _graph_freed() -> Outcome:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        leaf = calcml.Tensor(np.linspace(0.1, 1.0, 5))
        out = np.sqrt((np.tanh(leaf) * np.exp(leaf) / (leaf + 1.0)) ** 2)
        # A Tensor may refuse weak references; the array it holds does not, and lives as long.
        probe = weakref.ref(out.value)
        del out, leaf
        freed = probe() is None
    finally:
        if enabled:
            gc.enable()
    shown = "freed without the collector" if freed else "kept alive by a reference cycle"
    return Outcome(shown, CORRECT if freed else WRONG)


def _mean_matches_numpy() -> Outcome:
    rng = np.random.default_rng(0)
    sizes = range(1, 201)
    differ = sum(
        float(calcml.Tensor(v).mean().value) != float(np.mean(v))
        for v in (rng.normal(size=n) for n in sizes)
    )
    shown = f"differs from np.mean for {differ} of {len(sizes)} sizes"
    return Outcome(shown, CORRECT if differ == 0 else WRONG)


# ---------------------------------------------------------------- numerical derivatives


def _warns_below_floor() -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = calcml.derivative(np.sin, 1.0, step=1e-20)
    if caught:
        return Outcome(f"{value}; warning: {str(caught[0].message)[:100]}", WARNED)
    return Outcome(f"{value}, no warning", WRONG)


def _estimate_honest(
    f: Callable[[Any], Any], x: float, truth: float, method: str = "central"
) -> Callable[[], Outcome]:
    def run() -> Outcome:
        result = calcml.estimate_derivative(f, x, method=method)  # type: ignore[arg-type]
        shown = f"value {result.value:.6g}, error {result.error:.2g}"
        return Outcome(shown, CORRECT if abs(result.value - truth) <= result.error else WRONG)

    return run


# 0.32 below a pole of tan, where Richardson's finest step, about 700, is 223 periods less 0.0024
# (found by hypothesis): its differences aliased to 3.5e-5 times f' with an error of 7e-16.
_TAN_ALIASED = (322937 + 0.5) * np.pi - 10**-0.5


def _gradient_check_passes() -> Outcome:
    check = calcml.check_gradient(
        lambda w: np.sum(1 / w), lambda w: -1 / w**2, np.array([1e-3, 1.0])
    )
    return Outcome(str(check).splitlines()[0], CORRECT if check.ok else WRONG)


# ---------------------------------------------------------------- bad input


def _returns(call: Callable[[], Any]) -> Callable[[], Outcome]:
    def run() -> Outcome:
        value = call()
        return Outcome(f"returned {np.array2string(np.asarray(value), threshold=6)}", WRONG)

    return run


def _grad_of_1x1() -> Outcome:
    value = calcml.grad(lambda w: w.T @ w)(np.ones((3, 1)))
    shown = np.array2string(np.asarray(value), separator=", ").replace("\n", "")
    return Outcome(shown, CORRECT if _close(value, 2 * np.ones((3, 1)), 1e-12) else WRONG)


def _bowl() -> Any:
    return calcml.functions.quadratic_bowl(10)


def _rosenbrock() -> Any:
    return calcml.functions.rosenbrock


CASES = [
    Case(
        "autodiff",
        "grad of exp via math.exp",
        "[e, 4] = [2.7182818, 4], or an error naming math.exp",
        _grad_of(lambda x: math.exp(x[0]) + x[1] ** 2, [1.0, 2.0], [math.e, 4.0]),
        message=r"leav|graph|\.value|traced",
    ),
    Case(
        "autodiff",
        "float(x[0]) inside f",
        "[2, 1], or an error naming float()",
        _grad_of(lambda x: float(x[0]) ** 2 + x[1], [1.0, 2.0], [2.0, 1.0]),
        message=r"leav|graph|\.value|traced",
    ),
    Case(
        "autodiff",
        "math.sqrt(x[0]) inside f",
        "[0.25, 1] at [4, 1], or an error naming math.sqrt",
        _grad_of(lambda x: math.sqrt(x[0]) + x[1], [4.0, 1.0], [0.25, 1.0]),
        message=r"leav|graph|\.value|traced",
    ),
    Case(
        "autodiff",
        "int(...) inside f",
        "an error (int() has no useful derivative)",
        _returns(lambda: calcml.grad(lambda x: int(x[0]) * x[1])(np.array([1.5, 2.0]))),
        message=r"leav|graph|\.value|traced",
    ),
    Case(
        "autodiff",
        "complex input to grad",
        "an error pointing to derivative(..., method='complex')",
        _complex_input,
        message=r"complex",
    ),
    Case(
        "autodiff",
        "a TypeError bug in f under minimize",
        "the TypeError propagates (not a silent switch to finite differences)",
        _bug_in_f_not_taken_for_unsupported,
        message=r"bug in f",
    ),
    Case(
        "autodiff",
        "minimize counts its probe call of f",
        "calls of f = reported nfev (every call of f, the probe included)",
        _probe_counted,
    ),
    Case(
        "autodiff",
        "finite-difference fallback reports its cost",
        "calls of f = reported nfev, and the result says the gradient was numerical",
        _fallback_cost_reported,
    ),
    Case(
        "numerical",
        "derivative(np.log, 1e-5)",
        "1e5",
        _value_case(lambda: calcml.derivative(np.log, 1e-5), 1e5, 1e-6),
    ),
    Case(
        "numerical",
        "derivative(1/x, 1e-6)",
        "-1e12",
        _value_case(lambda: calcml.derivative(lambda t: 1 / t, 1e-6), -1e12, 1e-6),
    ),
    Case(
        "numerical",
        "derivative(1/x, 1e-3, richardson)",
        "-1e6",
        _value_case(
            lambda: calcml.derivative(lambda t: 1 / t, 1e-3, method="richardson"), -1e6, 1e-6
        ),
    ),
    Case(
        "numerical",
        "derivative(log(x - 1) + 100, 1.001): a pole the constant hides from f's spread",
        "1000",
        _value_case(lambda: calcml.derivative(lambda t: np.log(t - 1) + 100, 1.001), 1e3, 1e-6),
    ),
    Case(
        "numerical",
        "derivative(1/(x - 1) + 1e6, 1.001)",
        "-1e6",
        _value_case(lambda: calcml.derivative(lambda t: 1 / (t - 1) + 1e6, 1.001), -1e6, 1e-6),
    ),
    Case(
        "numerical",
        "derivative(sqrt(x - 1) + 100, 1.0001)",
        "50",
        _value_case(lambda: calcml.derivative(lambda t: np.sqrt(t - 1) + 100, 1.0001), 50, 1e-6),
    ),
    Case(
        "numerical",
        "gradient(log(w0 - 1) + w1**2 + 100) at [1.001, 2]",
        "[1000, 4]",
        _value_case(
            lambda: calcml.gradient(
                lambda w: np.log(w[0] - 1) + w[1] ** 2 + 100, np.array([1.001, 2.0])
            ),
            [1e3, 4.0],
            1e-6,
        ),
    ),
    Case(
        "numerical",
        "estimate_derivative(1/x, 1e-6) bounds its error",
        "|value - (-1e12)| <= error",
        _estimate_honest(lambda t: 1 / t, 1e-6, -1e12),
    ),
    Case(
        "numerical",
        "estimate_derivative(tan, 1014537.76, richardson): its steps span whole periods of tan",
        "|value - 1/cos(x)^2| <= error (1/cos(x)^2 = 10.34)",
        _estimate_honest(np.tan, _TAN_ALIASED, 1 / np.cos(_TAN_ALIASED) ** 2, "richardson"),
    ),
    Case(
        "numerical",
        "estimate_derivative(tan, 1556412.44): the central step is 3 pi + 7e-6",
        "|value - 1/cos(x)^2| <= error (1/cos(x)^2 = 100.3)",
        _estimate_honest(np.tan, 1556412.4448304356, 1 / np.cos(1556412.4448304356) ** 2),
    ),
    Case(
        "numerical",
        "check_gradient(sum(1/w)) at [1e-3, 1]",
        "passes (the gradient is correct)",
        _gradient_check_passes,
    ),
    Case(
        "numerical",
        "derivative(np.sin, 1.0, step=1e-20)",
        "a warning: the step is below the round-off floor",
        _warns_below_floor,
    ),
    Case(
        "optimizers",
        "minimize(quadratic_bowl(10), [2, 2])",
        "the minimum (0, 0)",
        lambda: _reaches(_bowl(), [2.0, 2.0], [0.0, 0.0])(),
    ),
    Case(
        "optimizers",
        "minimize(quadratic_bowl(100), [2, 2])",
        "the minimum (0, 0)",
        lambda: _reaches(calcml.functions.quadratic_bowl(100), [2.0, 2.0], [0.0, 0.0])(),
    ),
    Case(
        "optimizers",
        "minimize(rosenbrock, [-1.2, 1])",
        "the minimum (1, 1)",
        lambda: _reaches(_rosenbrock(), [-1.2, 1.0], [1.0, 1.0])(),
    ),
    Case(
        "optimizers",
        "steady loss growth on unscaled data (300 steps)",
        "diverged=True / status 'diverged'",
        _steady_growth,
        message=r"diverg",
    ),
    Case(
        "optimizers",
        "MLP at learning rate 1e3",
        "a divergence error, or a loss that does not grow",
        _mlp_large_rate,
        message=r"diverg|learning.rate",
    ),
    Case(
        "optimizers",
        "a schedule returning a negative rate",
        "an error naming the schedule",
        _negative_schedule,
        message=r"negative|schedule|learning.rate",
    ),
    Case(
        "optimizers",
        "a user gradient returning NaN",
        "a message that names the gradient, not the learning rate",
        _nan_gradient_named,
        message=r"\bgrad",
    ),
    Case(
        "optimizers",
        "advice after divergence at learning rate 1.0",
        "suggests a learning rate smaller than 1.0",
        _advice_is_smaller,
    ),
    Case(
        "models",
        "MLP(activation='relu'): ReLU'(0)",
        "0 (decision 4)",
        _relu_at_zero,
    ),
    Case(
        "models",
        "LogisticRegression with labels -1/+1",
        "an error listing the labels found",
        _logistic_labels([-1, 1, -1, 1]),
        message=r"-1.*(MLP|map|0/1|0 and 1)",
    ),
    Case(
        "models",
        "LogisticRegression with three classes",
        "an error listing the labels found",
        _logistic_labels([0, 1, 2, 1]),
        message=r"2.*(MLP|map|0/1|0 and 1)",
    ),
    Case(
        "models",
        "a dropped graph with the collector off",
        "freed (no reference cycle)",
        _graph_freed,
    ),
    Case(
        "models",
        "Tensor.mean against np.mean",
        "bit for bit equal for sizes 1..200",
        _mean_matches_numpy,
    ),
    Case(
        "validation",
        "gradient(f, [])",
        "an error naming x and saying it is empty",
        _returns(lambda: calcml.gradient(np.sum, [])),
        message=r"\bx\b.*(empty|at least one)",
    ),
    Case(
        "validation",
        "derivative(np.sin, None)",
        "an error naming x and None",
        _returns(lambda: calcml.derivative(np.sin, None)),
        message=r"\bx\b.*None",
    ),
    Case(
        "validation",
        "jacfwd(f, argnums=(0, 1))",
        "an error naming argnums",
        _returns(lambda: calcml.jacfwd(lambda a, b: a * b, argnums=(0, 1))(1.0, 2.0)),
        message=r"argnums",
    ),
    Case(
        "validation",
        "grad(lambda w: w.T @ w)(np.ones((3, 1)))",
        "2 w = [[2], [2], [2]], or an error saying f must return a scalar",
        _grad_of_1x1,
        message=r"must return a scalar|must be a scalar|scalar-valued|one number",
    ),
    Case(
        "validation",
        "softmax([])",
        "an error naming the empty input",
        _returns(lambda: calcml.functions.softmax([])),
        message=r"empty|at least one",
    ),
    Case(
        "validation",
        "make_moons(seed=-1)",
        "an error naming seed",
        _returns(lambda: calcml.datasets.make_moons(seed=-1)),
        message=r"seed",
    ),
    Case(
        "validation",
        "step_error_sweep(methods='central')",
        "an error naming methods (a string, not a sequence)",
        _returns(lambda: calcml.step_error_sweep(np.sin, 1.0, math.cos(1.0), methods="central")),
        message=r"methods",
    ),
]


def main() -> None:
    rows = []
    for case in CASES:
        outcome = _run(case)
        shown = outcome.shown.replace("|", "\\|").replace("\n", " ")
        rows.append([case.section, case.name, case.expected, shown, outcome.verdict])
    table = markdown_table(
        [
            "section",
            "case",
            "true value / expected behaviour",
            "calcml returned or raised",
            "verdict",
        ],
        rows,
    )
    tally = {
        verdict: sum(row[-1] == verdict for row in rows)
        for verdict in dict.fromkeys([CORRECT, RAISED, WARNED, SHORT, INTERNAL, WRONG])
    }
    notes = (
        f"calcml {getattr(calcml, '__version__', '?')} from {Path(calcml.__file__).parent}. "
        + ", ".join(f"{count} {verdict}" for verdict, count in tally.items() if count)
        + f", of {len(rows)} cases. The Moré-Garbow-Hillstrom comparison is in "
        "bench/optim.py. Each case catches every exception; a raise counts as a message "
        "only if it names the problem (the pattern in the case), else as an internal error."
    )
    command = "python bench/edge_cases.py" + "".join(
        f" {flag} {value}"
        for flag, value in (("--calcml", OPTIONS.calcml), ("--name", OPTIONS.name))
        if value not in (None, "edge_cases")
    )
    write_report(
        OPTIONS.name,
        "Issue 14: every case, and what calcml does with it",
        table,
        command=command,
        packages=("numpy",),
        notes=notes,
    )


if __name__ == "__main__":
    main()
