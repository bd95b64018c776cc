"""Line searches: how far to go along a direction that points downhill.

Two of them. :class:`BacktrackingLineSearch` is an optimizer (steepest descent) that shrinks
its step until the loss has dropped enough, the *Armijo* or *sufficient-decrease* condition.
:func:`wolfe_line_search` is the line search quasi-Newton methods need: it also asks that the
slope along the direction has flattened enough (the *curvature* condition), which is what
keeps BFGS's picture of the curvature positive definite. Chapter *Taylor series, curvature and
Newton's method* explains both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from calcml.optimize.base import LineSearchError, Objective, Optimizer, require_objective
from calcml.optimize.schedules import _require_count, _require_fraction

__all__ = ["BacktrackingLineSearch", "LineSearchResult", "wolfe_line_search"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class LineSearchResult:
    """The point a line search accepted along ``x + step * direction``.

    Attributes
    ----------
    step : float
        The step length ``alpha`` along the direction.
    x : numpy.ndarray
        The accepted point.
    value : float
        ``f`` there.
    gradient : numpy.ndarray
        The gradient there.
    wolfe : bool
        Whether both strong Wolfe conditions hold there (``False``: only sufficient decrease,
        the best the search found within its evaluations).
    """

    step: float
    x: Array
    value: float
    gradient: Array
    wolfe: bool


@dataclass(frozen=True)
class _Trial:
    step: float
    x: Array
    value: float
    gradient: Array
    slope: float


def wolfe_line_search(
    objective: Objective,
    x: Array,
    direction: Array,
    *,
    initial_step: float = 1.0,
    sufficient_decrease: float = 1e-4,
    curvature: float = 0.9,
    max_evaluations: int = 30,
) -> LineSearchResult:
    """Find a step ``alpha`` along ``direction`` that meets the strong Wolfe conditions.

    With ``phi(alpha) = f(x + alpha d)``, accept ``alpha`` when

    - ``phi(alpha) <= phi(0) + c1 alpha phi'(0)`` (sufficient decrease), and
    - ``|phi'(alpha)| <= c2 |phi'(0)|`` (curvature: the slope has flattened).

    Parameters
    ----------
    objective : Objective
        The function and its gradient.
    x : numpy.ndarray
        Where the search starts.
    direction : numpy.ndarray
        A descent direction: ``grad f(x) . direction < 0``.
    initial_step : float, default 1.0
        The first ``alpha`` tried (1 is the full quasi-Newton step).
    sufficient_decrease : float, default 1e-4
        ``c1``.
    curvature : float, default 0.9
        ``c2``, with ``0 < c1 < c2 < 1``.
    max_evaluations : int, default 30
        The most trial points.

    Returns
    -------
    LineSearchResult
        The accepted step; ``wolfe=False`` if only sufficient decrease could be met.

    Raises
    ------
    LineSearchError
        If ``direction`` does not point downhill, or no trial point lowered ``f`` enough.

    Notes
    -----
    Algorithms 3.5 and 3.6 of Nocedal and Wright (2006): first *bracket* (grow the step
    fourfold while ``f`` keeps falling and the slope stays steep), then *zoom* into the bracket
    by minimizing the quadratic through ``phi(lo)``, ``phi'(lo)`` and ``phi(hi)``, kept at
    least a tenth of the bracket away from either end so the bracket shrinks every time.
    A point where ``f`` is NaN or infinite counts as "too far".

    Examples
    --------
    >>> objective = Objective(lambda x: float(x @ x), lambda x: 2 * x)
    >>> found = wolfe_line_search(objective, np.array([1.0]), np.array([-1.0]))
    >>> found.step, found.wolfe
    (1.0, True)
    """
    value, gradient = objective.value_and_gradient(x)
    slope = float(gradient @ direction)
    if math.isinf(slope):
        raise LineSearchError(
            f"the slope along the search direction overflows ({slope}): the gradient (largest "
            f"entry {np.max(np.abs(gradient)):.3g}) times the direction (largest entry "
            f"{np.max(np.abs(direction)):.3g}) exceeds the largest float; rescale f or x so "
            "that the gradient is of a size a float can square"
        )
    if not slope < 0:
        raise LineSearchError(
            f"the direction does not point downhill (slope {slope:.3g} along it); "
            "a line search needs grad f . direction < 0"
        )

    def sufficient(step: float, trial_value: float) -> bool:
        # Written so that a NaN value fails the test.
        return trial_value <= value + sufficient_decrease * step * slope

    def flat_enough(trial_slope: float) -> bool:
        return abs(trial_slope) <= -curvature * slope

    def accept(trial: _Trial, wolfe: bool) -> LineSearchResult:
        # The driver asks for f and its gradient at the accepted point next: keep them handy.
        objective._remember(trial.x, trial.value, trial.gradient)
        return LineSearchResult(trial.step, trial.x, trial.value, trial.gradient, wolfe)

    def evaluate(step: float) -> _Trial:
        point = x + step * direction
        trial_value, trial_gradient = objective.value_and_gradient(point)
        return _Trial(step, point, trial_value, trial_gradient, float(trial_gradient @ direction))

    lo = _Trial(0.0, x, value, gradient, slope)  # the best step so far with sufficient decrease
    hi_step, hi_value = math.inf, math.inf  # the end of the bracket beyond it
    step = initial_step
    evaluations = 0

    # Bracketing, then zooming. While there is no bracket (hi at infinity), the step grows
    # fourfold until it is too long (f no longer falls enough) or the slope turns uphill: either
    # way a Wolfe step then lies between lo and hi. From then on each trial is interpolated
    # inside [lo, hi] (hi may lie on either side of lo), which shrinks around it, keeping lo
    # the lowest point with sufficient decrease and the slope at lo pointing towards hi.
    while evaluations < max_evaluations:
        bracketed = math.isfinite(hi_step)
        if bracketed:
            width = hi_step - lo.step
            if abs(width) * np.linalg.norm(direction) <= 1e-15 * (1.0 + np.linalg.norm(x)):
                break  # the bracket is below round-off: no point inside it differs from lo
            step = _interpolate(lo, hi_step, hi_value)
        evaluations += 1
        trial_value = objective.value(x + step * direction)
        if not sufficient(step, trial_value) or trial_value >= lo.value:
            hi_step, hi_value = step, trial_value
            continue
        trial = evaluate(step)
        if flat_enough(trial.slope):
            return accept(trial, wolfe=True)
        # The slope at the new lo must point towards hi. Where it points away (before there is
        # a bracket: uphill), a minimum lies between the old lo and the new, and the old is hi.
        points_away = trial.slope * width >= 0 if bracketed else trial.slope >= 0
        if points_away:
            hi_step, hi_value = lo.step, lo.value
        lo = trial
        step *= 4.0  # the next trial while there is no bracket yet

    if lo.step > 0:
        return accept(lo, wolfe=False)
    raise LineSearchError(
        f"no step along the search direction lowered f below {value:.6g} in {evaluations} trials"
    )


def _interpolate(lo: _Trial, hi_step: float, hi_value: float) -> float:
    """The minimizer of the quadratic through phi(lo), phi'(lo) and phi(hi), safeguarded."""
    width = hi_step - lo.step
    near, far = lo.step + 0.1 * width, lo.step + 0.9 * width
    if not math.isfinite(hi_value):
        return near  # f blew up at hi: retreat quickly towards lo
    # Divided by the width twice, not by its square, which underflows to 0 for a width below
    # 1e-162 (steps that small are the scale when the gradient is huge).
    curvature = ((hi_value - lo.value) / width - lo.slope) / width
    if curvature <= 0:
        return lo.step + 0.5 * width
    step = lo.step - lo.slope / (2 * curvature)
    return float(np.clip(step, min(near, far), max(near, far)))


class BacktrackingLineSearch(Optimizer):
    """Steepest descent with a backtracking (Armijo) line search for the step size.

    From ``alpha = initial_step``, halve (multiply by ``shrink``) until the sufficient-decrease
    condition ``f(x - alpha g) <= f(x) - c alpha |g|^2`` holds, then step.

    Parameters
    ----------
    initial_step : float, default 1.0
        The first step size tried at every iteration.
    shrink : float, default 0.5
        The factor in (0, 1) applied after each rejected trial.
    armijo : float, default 1e-4
        ``c`` in (0, 1): the fraction of the linear prediction a step must achieve.
    max_trials : int, default 60
        Trials before giving up and taking the last (tiny) step; ``0.5**60 ~ 1e-18``.

    Notes
    -----
    No learning rate to tune: the line search finds one at every step, at the price of extra
    function evaluations (counted in :attr:`OptimizeResult.nfev`).

    Examples
    --------
    >>> import numpy as np
    >>> objective = Objective(lambda x: np.sum(x**2), lambda x: 2 * x)
    >>> BacktrackingLineSearch().step([1.0], [2.0], objective)
    array([0.])
    """

    name = "backtracking line search"

    def __init__(
        self,
        initial_step: float = 1.0,
        shrink: float = 0.5,
        armijo: float = 1e-4,
        max_trials: int = 60,
    ) -> None:
        self.shrink = _require_fraction(shrink, "shrink")
        self.armijo = _require_fraction(armijo, "armijo")
        self.max_trials = _require_count(max_trials, "max_trials")
        super().__init__(initial_step)

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        objective = require_objective(objective, "BacktrackingLineSearch")
        value = objective.value(x)
        slope = float(gradient @ gradient)
        alpha = self.learning_rate_now
        for _ in range(self.max_trials):
            trial = objective.value(x - alpha * gradient)
            if trial <= value - self.armijo * alpha * slope:
                break
            alpha *= self.shrink
        return -alpha * gradient

    def _settings(self) -> dict[str, object]:
        return {
            "initial_step": self.learning_rate,
            "shrink": self.shrink,
            "armijo": self.armijo,
            "max_trials": self.max_trials,
        }
