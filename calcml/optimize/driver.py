""":func:`minimize`: run an optimizer from a starting point and say honestly how it went."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from calcml.autodiff import UnsupportedOperationError, value_and_grad
from calcml.differentiate import gradient as numerical_gradient
from calcml.optimize.base import (
    Layout,
    LineSearchError,
    Objective,
    Optimizer,
    _Counted,
    flat_like,
    flat_view,
)
from calcml.optimize.curvature import BFGS, LBFGS
from calcml.optimize.schedules import _require_count

__all__ = [
    "EXPLOSION_FACTOR",
    "GROWTH_FACTOR",
    "GROWTH_WINDOW",
    "DivergenceError",
    "OptimizeResult",
    "minimize",
]

Array = NDArray[np.float64]

Status = Literal["converged", "max_steps", "diverged", "stalled", "callback"]
GradientSource = Literal["given", "analytic", "automatic", "numerical"]

LARGEST_BFGS = 1000
"""Above this many parameters :func:`minimize`'s default is :class:`LBFGS`: BFGS's matrix
would hold more than a million numbers and cost as many operations per step."""


@dataclass(frozen=True, eq=False)
class OptimizeResult:
    """Everything a run did, so that a chapter can plot it and be honest about it.

    Attributes
    ----------
    x : array or tree
        The last finite iterate, with the structure of ``x0``.
    path : numpy.ndarray
        Every iterate, ravelled, shape ``(n_steps + 1, n)``; ``path[0]`` is the starting point.
    losses : numpy.ndarray
        ``f`` at each iterate, shape ``(n_steps + 1,)``.
    grad_norms : numpy.ndarray
        The Euclidean norm of the gradient at each iterate, shape ``(n_steps + 1,)``.
    converged : bool
        Whether the gradient norm fell to ``tol``.
    diverged : bool
        Whether the run stopped because the loss, the iterate or the gradient blew up, or the
        loss kept growing.
    status : {"converged", "max_steps", "diverged", "stalled", "callback"}
        Why the run stopped, as a short code; ``"stalled"``: no step along the search
        direction lowered ``f`` any more.
    message : str
        Why the run stopped, as a sentence, with how far it got and what to change.
    n_steps : int
        The number of optimizer steps kept in ``path``.
    nfev : int
        Calls of ``f``, all of them: those of the optimizer and the driver, and those made to
        estimate the gradient by finite differences or to trace it for automatic
        differentiation.
    njev : int
        Gradients computed.
    nhev : int
        Hessians computed.
    optimizer : str
        The optimizer's ``repr``.
    gradient_source : {"given", "analytic", "automatic", "numerical"}
        Where the gradient came from: ``grad=``, the function's own ``.grad``, automatic
        differentiation, or central differences.
    gradient_reason : str
        Why that source, as a sentence (for ``"numerical"``, the operation automatic
        differentiation could not trace).
    """

    x: Any
    path: Array
    losses: Array
    grad_norms: Array
    converged: bool
    diverged: bool
    status: Status
    message: str
    n_steps: int
    nfev: int
    njev: int
    nhev: int
    optimizer: str = ""
    gradient_source: GradientSource = "given"
    gradient_reason: str = ""

    @property
    def loss(self) -> float:
        """The loss at :attr:`x`."""
        return float(self.losses[-1])


class DivergenceError(RuntimeError):
    """Raised by :func:`minimize` with ``raise_on_divergence=True``; ``.result`` holds the run."""

    def __init__(self, result: OptimizeResult) -> None:
        super().__init__(result.message)
        self.result = result


EXPLOSION_FACTOR = 1e10
"""A loss more than this many times larger in size than at the start (or than 1) counts as
diverged at once: long before floating point overflows, the run is clearly not converging."""

GROWTH_FACTOR = 10.0
GROWTH_WINDOW = 50
"""Sustained growth: the run has diverged when each of the last ``GROWTH_WINDOW`` losses lies
more than ``GROWTH_FACTOR`` times the starting loss's size above the starting loss (and above
the run's scale of progress). A converging run, however noisy or oscillating, spends no such
stretch far above where it started; a slowly exploding one cannot avoid it."""


# --------------------------------------------------------------------------------------------
# Where the gradient comes from
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gradient:
    source: GradientSource
    reason: str
    gradient: Callable[[Array], Any] | None = None
    value_and_gradient: Callable[[Array], tuple[Any, Any]] | None = None
    # The probe's result at x0, so the probe is not wasted: (value, gradient).
    at_start: tuple[float, Array] | None = None


def _resolve_gradient(
    f: Any,
    counted: _Counted,
    grad: Callable[[Any], Any] | None,
    x0: Array,
    unravel: Callable[[Any], Any],
    layout: Layout,
) -> _Gradient:
    def flat(gradient_tree: Any) -> Array:
        return flat_like(gradient_tree, layout, "the gradient", "x0")

    if grad is not None:
        if not callable(grad):
            raise TypeError(f"grad must be a callable x -> gradient or None, got {grad!r}")
        return _Gradient("given", "grad= was passed", gradient=lambda x: flat(grad(unravel(x))))
    analytic = getattr(f, "grad", None)
    if callable(analytic):
        return _Gradient(
            "analytic",
            f"f has its own .grad ({type(f).__name__})",
            gradient=lambda x: flat(analytic(unravel(x))),
        )
    automatic = value_and_grad(counted)
    try:
        # The probe is the first gradient evaluation of the run, not an extra one.
        value, gradient = automatic(x0)
    except UnsupportedOperationError as error:
        # Only the engine's own "cannot differentiate this" error switches to finite
        # differences: any other error is a bug in f that the caller must see.
        operation = str(error).split(":")[0]
        return _Gradient(
            "numerical",
            f"automatic differentiation cannot trace f ({operation}), so the gradient is "
            f"estimated by central differences, about {2 * x0.size} calls of f each",
            gradient=lambda x: numerical_gradient(counted, x),
        )
    return _Gradient(
        "automatic",
        "automatic differentiation (calcml.grad) traced f",
        value_and_gradient=automatic,
        at_start=(float(value), np.asarray(gradient, dtype=np.float64)),
    )


# --------------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------------


def _blow_up(loss: float, start_loss: float, x_finite: bool) -> str | None:
    """Describe how the state has blown up, or return None if it has not."""
    if not x_finite:
        return "the iterate became non-finite"
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if abs(loss) > EXPLOSION_FACTOR * max(1.0, abs(start_loss)):
        return f"the loss exploded from {start_loss:.3g} to {loss:.3g}"
    return None


def _norm(vector: Array) -> float:
    """The Euclidean norm of a 1-D float array: ``np.linalg.norm``'s own formula for one,
    without its checks of dimension and dtype, which cost more than the sum at every step."""
    return math.sqrt(float(vector @ vector))


class _GrowthWatch:
    """Watches for sustained growth of the loss (see :data:`GROWTH_WINDOW`) as a run goes."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.best = start  # the lowest loss before the current window
        self.recent: deque[float] = deque(maxlen=GROWTH_WINDOW)

    def problem(self, loss: float) -> str | None:
        """Add ``loss``; describe the sustained growth if it now shows, else return None."""
        if len(self.recent) == GROWTH_WINDOW:
            self.best = min(self.best, self.recent[0])
        self.recent.append(loss)
        # The scale of the problem: the size of the starting loss, or how far the run had
        # already come down, whichever is larger (a loss starting at 0 is measured by its
        # progress).
        scale = max(abs(self.start), self.start - self.best)
        threshold = self.start + GROWTH_FACTOR * scale
        # The newest loss is checked first: when it is not above the threshold, neither is
        # the window's minimum, and the minimum need not be taken (this runs at every step).
        if (
            len(self.recent) < GROWTH_WINDOW
            or scale == 0
            or not loss > threshold
            or not min(self.recent) > threshold
        ):
            return None
        return (
            f"the loss kept growing, from {self.start:.3g} to {loss:.3g}, and has stayed above "
            f"{threshold:.3g} for the last {GROWTH_WINDOW} steps"
        )


def _divergence_message(step: int, problem: str, decreasing: bool, method: Optimizer) -> str:
    if decreasing:
        advice = "The loss fell without bound: the function may be unbounded below."
    else:
        advice = method._smaller_rate_advice()
    return f"diverged at step {step}: {problem}. {advice}"


def _short_message(
    max_steps: int, losses: list[float], norms: list[float], tol: float, method: Optimizer
) -> str:
    if isinstance(method, BFGS | LBFGS):
        change = "raise max_steps, or loosen tol if this gradient norm is small enough for you"
    else:
        change = (
            "raise max_steps, take larger steps if the loss falls steadily, or let the default "
            "BFGS choose the steps (minimize without optimizer=)"
        )
    return (
        f"stopped after max_steps={max_steps} steps without converging: the gradient norm went "
        f"from {norms[0]:.3g} to {norms[-1]:.3g} (tol={tol:.3g}) and the loss from "
        f"{losses[0]:.6g} to {losses[-1]:.6g}. To go further, {change}."
    )


def _converged_message(norms: list[float], tol: float) -> str:
    return f"converged after {len(norms) - 1} steps: gradient norm {norms[-1]:.3g} <= tol {tol:.3g}"


def _bad_gradient(step: int, x: Array, loss: float, gradient: Array, source: _Gradient) -> str:
    where = "the starting point" if step == 0 else f"step {step}"
    bad = gradient[~np.isfinite(gradient)][0]
    culprit = {
        "given": "the grad= function returned it",
        "analytic": "f.grad returned it",
        "automatic": "f is not differentiable there (sqrt or log at 0, a division by 0, ...)",
        "numerical": "central differences stepped where f is not finite",
    }[source.source]
    return (
        f"the gradient is {bad} at {where} (x={np.array2string(x, precision=4)}), where f is "
        f"finite (f={loss:.6g}): {culprit}. Check the gradient there (calcml.check_gradient "
        "compares a formula with finite differences); the learning rate is not the cause"
    )


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------


def minimize(
    f: Callable[[Any], Any],
    x0: Any,
    *,
    grad: Callable[[Any], Any] | None = None,
    hessian: Callable[[Array], Any] | None = None,
    optimizer: Optimizer | None = None,
    max_steps: int = 1000,
    tol: float = 1e-6,
    raise_on_divergence: bool = False,
    callback: Callable[[int, Any, float], object] | None = None,
) -> OptimizeResult:
    """Minimize ``f`` from ``x0`` with ``optimizer`` (BFGS by default), recording every step.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, where ``x`` has the structure of ``x0``.
    x0 : array_like or tree
        The starting point: an array, or parameters in nested dicts, lists and tuples.
    grad : callable, optional
        ``grad(x) -> gradient`` with the structure of ``x``. When omitted: ``f.grad`` if ``f``
        has one (the test functions of :mod:`calcml.functions` do), else automatic
        differentiation (:func:`calcml.grad`), or central differences (:func:`calcml.gradient`)
        if and only if the autodiff engine raises
        :class:`~calcml.autodiff.UnsupportedOperationError` on ``f``.
        :attr:`OptimizeResult.gradient_source` and ``gradient_reason`` record which and why.
    hessian : callable, optional
        ``hessian(x) -> (n, n) array`` of the ravelled parameters, for :class:`Newton`;
        defaults to ``f.hessian`` if present.
    optimizer : Optimizer, optional
        Defaults to :class:`BFGS` (:class:`LBFGS` above ``LARGEST_BFGS`` parameters): no
        learning rate to tune. It is ``reset()`` before the run.
    max_steps : int, default 1000
        The most steps to take.
    tol : float, default 1e-6
        Converged when the gradient norm is at most ``tol``.
    raise_on_divergence : bool, default False
        Raise :class:`DivergenceError` instead of returning a result with ``diverged=True``.
    callback : callable, optional
        ``callback(step, x, loss)`` after every step; returning ``True`` stops the run.

    Returns
    -------
    OptimizeResult
        The iterates, losses, gradient norms, status, message and evaluation counts.

    Raises
    ------
    DivergenceError
        If ``raise_on_divergence`` and the run diverged.
    ValueError
        If ``x0`` is not finite, ``f`` is not finite at ``x0``, an argument is out of range, the
        gradient is NaN or infinite where ``f`` is finite (the message names the gradient's
        source), or a learning-rate schedule returns a negative or non-finite rate.
    TypeError
        If ``f`` raises one (a bug in ``f`` is never hidden by a switch to finite differences).

    Notes
    -----
    A run has *diverged* when the iterate or loss stops being finite, when the loss grows
    beyond ``EXPLOSION_FACTOR`` times its starting size, or when it grows in a sustained way:
    ``GROWTH_WINDOW`` losses in a row more than ``GROWTH_FACTOR`` times the starting loss's
    size above it. The diverging step is not kept in ``path``, so the result can still be
    plotted. The advice after a divergence names a learning rate ten times smaller.

    Examples
    --------
    >>> import numpy as np
    >>> result = minimize(lambda x: np.sum((x - 1.0) ** 2) + x[0] ** 4, [3.0, -4.0])
    >>> result.converged, result.gradient_source
    (True, 'automatic')
    >>> result.nfev >= result.njev
    True
    >>> from calcml.optimize import GradientDescent
    >>> result = minimize(lambda x: np.sum(x**2), [1.0], grad=lambda x: 2 * x,
    ...                   optimizer=GradientDescent(learning_rate=1.5))
    >>> print(result.message)
    diverged at step 17: the loss exploded from 1 to 1.72e+10. The learning rate 1.5 is too
    large for this function; try one ten times smaller, GradientDescent(learning_rate=0.15).
    """
    x, unravel, layout = flat_view(x0, "x0")
    steps_allowed = _require_count(max_steps, "max_steps")
    tolerance = float(tol)
    if not tolerance >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    if optimizer is None:
        method: Optimizer = BFGS() if x.size <= LARGEST_BFGS else LBFGS()
    elif isinstance(optimizer, Optimizer):
        method = optimizer
    else:
        raise TypeError(f"optimizer must be an Optimizer such as BFGS(), got {optimizer!r}")
    method.reset()
    counted = _Counted(lambda vector: f(unravel(vector)))
    source = _resolve_gradient(f, counted, grad, x, unravel, layout)
    if hessian is None and callable(getattr(f, "hessian", None)):
        hessian = f.hessian  # type: ignore[attr-defined]
    objective = Objective(
        counted, source.gradient, hessian, value_and_gradient=source.value_and_gradient
    )
    if source.at_start is not None:
        objective.njev += 1
        objective._remember(x, *source.at_start)

    def report(step: int, point: Array, loss: float) -> object:
        return None if callback is None else callback(step, unravel(point), loss)

    # Overflow and invalid values are expected on the way to divergence; they are reported in
    # the result (or as a clear error), not as numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        run = _run(objective, x, method, steps_allowed, tolerance, report, source)
    status, message, path, losses, norms = run
    result = OptimizeResult(
        x=unravel(path[-1]),
        path=np.array(path),
        losses=np.array(losses),
        grad_norms=np.array(norms),
        converged=status == "converged",
        diverged=status == "diverged",
        status=status,
        message=message,
        n_steps=len(path) - 1,
        nfev=objective.nfev,
        njev=objective.njev,
        nhev=objective.nhev,
        optimizer=repr(method),
        gradient_source=source.source,
        gradient_reason=source.reason,
    )
    if result.diverged and raise_on_divergence:
        raise DivergenceError(result)
    return result


def _run(
    objective: Objective,
    x: Array,
    method: Optimizer,
    max_steps: int,
    tol: float,
    report: Callable[[int, Array, float], object],
    source: _Gradient,
) -> tuple[Status, str, list[Array], list[float], list[float]]:
    """The loop of :func:`minimize`, once its arguments are checked."""
    loss = objective.value(x)
    if not math.isfinite(loss):
        raise ValueError(f"f must be finite at the starting point x0={x}, got f(x0)={loss}")
    gradient = objective.gradient(x)
    if not np.isfinite(gradient).all():
        raise ValueError(_bad_gradient(0, x, loss, gradient, source))
    path, losses, norms = [x], [loss], [_norm(gradient)]
    growth = _GrowthWatch(loss)
    for step in range(1, max_steps + 1):
        if norms[-1] <= tol:
            return "converged", _converged_message(norms, tol), path, losses, norms
        try:
            x = method._advance(x, gradient, objective)
        except LineSearchError as error:
            return (
                "stalled",
                f"stalled at step {step}: {error}. The gradient norm is {norms[-1]:.3g} "
                f"(tol={tol:.3g}): f may be as low as floating point can resolve here (then "
                "loosen tol), or the gradient is inaccurate (check it with "
                "calcml.check_gradient)",
                path,
                losses,
                norms,
            )
        # f is not even called at a non-finite iterate: that is divergence already.
        x_finite = bool(np.isfinite(x).all())
        loss = objective.value(x) if x_finite else math.nan
        problem = _blow_up(loss, losses[0], x_finite)
        if problem is None:
            gradient = objective.gradient(x)
            if not np.isfinite(gradient).all():
                if loss <= losses[0] + GROWTH_FACTOR * max(abs(losses[0]), 1.0):
                    raise ValueError(_bad_gradient(step, x, loss, gradient, source))
                problem = "the gradient overflowed"
            else:
                problem = growth.problem(loss)
        if problem is not None:
            message = _divergence_message(step, problem, loss < losses[0], method)
            return "diverged", message, path, losses, norms
        path.append(x)
        losses.append(loss)
        norms.append(_norm(gradient))
        if report(step, x, loss) is True:
            return "callback", f"stopped by the callback at step {step}", path, losses, norms
    if norms[-1] <= tol:
        return "converged", _converged_message(norms, tol), path, losses, norms
    return "max_steps", _short_message(max_steps, losses, norms, tol, method), path, losses, norms
