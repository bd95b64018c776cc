"""The error of each method over a range of steps: the V-shaped curves of the chapter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml.differentiate import _sample, _validate
from calcml.differentiate._estimate import estimate
from calcml.differentiate._stencil import METHODS, Method, check_method
from calcml.differentiate._step import default_step, user_step


@dataclass(frozen=True)
class StepSweep:
    """The error of each method over a range of steps, ready for a log-log plot.

    Attributes
    ----------
    steps : ndarray
        The steps ``h``, increasing.
    errors : dict of str to ndarray
        For each method, ``|D(h) - f'(x)|`` at each step (NaN where ``f`` was not finite).
    default_steps : dict of str to float
        For each method, the step :func:`default_step` picks, to mark on the plot.
    """

    steps: NDArray[np.float64]
    errors: dict[str, NDArray[np.float64]]
    default_steps: dict[str, float]


def _methods(methods: Any) -> tuple[Method, ...]:
    if isinstance(methods, str) or not isinstance(methods, Sequence):
        raise TypeError(
            "methods must be a sequence of method names such as ('forward', 'central'), got "
            f"{methods!r}" + (f"; write methods=[{methods!r}]" if isinstance(methods, str) else "")
        )
    if not methods:
        raise ValueError(f"methods must name at least one of {', '.join(METHODS)}, got []")
    return tuple(methods)


def step_error_sweep(
    f: Callable[[Any], Any],
    x: float,
    df_exact: float,
    *,
    steps: ArrayLike | None = None,
    methods: Sequence[Method] = ("forward", "central"),
    order: int = 1,
) -> StepSweep:
    """The absolute error of each method at ``x`` for each step: the V-shaped curves.

    Parameters
    ----------
    f : callable
        An elementwise function of one variable.
    x : float
        The point.
    df_exact : float
        The exact derivative of order ``order`` at ``x``, to measure errors against.
    steps : array_like, optional
        The steps to try. Default: 61 steps from ``1e-16`` to ``1`` times ``max(1, |x|)``.
    methods : sequence of str, default ("forward", "central")
        The methods to compare (add "complex" for an ``f`` that accepts complex input).
    order : int, default 1
        Which derivative.

    Returns
    -------
    StepSweep
        ``steps``, ``errors[method]`` and ``default_steps[method]``.

    Raises
    ------
    ValueError
        If ``x``, ``df_exact`` or a step is not finite, a step is not positive, ``x`` or
        ``df_exact`` is not one number, or ``methods`` is empty or names an unknown method.
    TypeError
        If ``f`` is not callable or ``methods`` is a string rather than a sequence of them.

    Notes
    -----
    On a log-log plot the error of a stencil with truncation error ``O(h^p)`` falls with slope
    ``p`` while truncation dominates, then rises with slope ``-order`` once round-off
    ``ε |f| / h^order`` dominates; the bottom of the V is near :func:`default_step`. The
    complex step has no round-off branch. Each method is one vectorised call over all steps,
    each step taken as given (no warning below the round-off floor: showing it is the point).
    See :doc:`/numerical-differentiation`.

    Examples
    --------
    >>> sweep = step_error_sweep(np.exp, 1.0, np.e, steps=[1e-1, 1e-5, 1e-13])
    >>> bool(sweep.errors["central"][1] < sweep.errors["central"][0])
    True
    >>> bool(sweep.errors["central"][1] < sweep.errors["central"][2])
    True
    """
    _validate.function(f)
    chosen = _methods(methods)
    accuracies = [check_method(method, order, None) for method in chosen]
    point_array = _validate.real_array(x, "x")
    exact_array = _validate.real_array(df_exact, "df_exact")
    for name, value in (("x", point_array), ("df_exact", exact_array)):
        if value.ndim:
            raise ValueError(f"{name} must be one number, got an array of shape {value.shape}")
    point, exact = float(point_array), float(exact_array)
    scale = max(1.0, abs(point))
    grid = np.logspace(-16, 0, 61) * scale if steps is None else _validate.point(steps, "steps")
    grid = user_step(grid, grid.shape).ravel()
    sample = _sample.Elementwise(f, np.full(grid.shape, point))
    errors: dict[str, NDArray[np.float64]] = {}
    for method, accuracy in zip(chosen, accuracies, strict=True):
        value = estimate(
            sample,
            method=method,
            order=order,
            accuracy=accuracy,
            magnitude=np.full(grid.shape, abs(point)),
            step=grid,
            with_error=False,
            adapt=False,
        ).value
        errors[method] = np.where(np.isfinite(value), np.abs(value - exact), np.nan)
    defaults: dict[str, float] = {
        method: float(default_step(point, method, order)) for method in chosen
    }
    return StepSweep(steps=grid, errors=errors, default_steps=defaults)
