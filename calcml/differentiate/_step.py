"""Steps: the one the error analysis recommends, and the checks on a step the user chose."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml.differentiate._stencil import EPS, Method, check_method, stencil
from calcml.differentiate._validate import real_array, stacklevel

# Richardson extrapolation uses central differences at this many halving steps: for a first
# derivative, 10 evaluations of f (and 2 more for the difference that checks the tableau
# against aliasing) and a tableau whose entries reach truncation error O(h^8),
# checked against a last column of O(h^10).
RICHARDSON_LEVELS = 5
# The complex step has no subtractive cancellation, so its step only has to make the O(h^2)
# truncation error vanish below one ulp; any tiny step does, and 1e-20 keeps x + ih away from
# underflow for every |x| a float can hold.
COMPLEX_STEP = 1e-20


def default_step(
    x: ArrayLike, method: Method = "central", order: int = 1, accuracy: int | None = None
) -> NDArray[np.float64]:
    """The step the error analysis recommends for ``method`` at ``x``.

    Parameters
    ----------
    x : array_like
        The point(s) of differentiation.
    method : {"forward", "backward", "central", "complex", "richardson"}
        The method the step is for.
    order : int
        The order of the derivative.
    accuracy : int, optional
        The order ``p`` of the truncation error of the stencil. Default: 1 for one-sided
        differences, 2 for central ones.

    Returns
    -------
    ndarray
        The step for each point, of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``x`` is not finite or the other arguments are out of range.
    TypeError
        If ``x`` is not made of real numbers.

    Notes
    -----
    A stencil for the ``d``-th derivative with truncation error ``C h^p f^(d+p)`` also carries
    round-off ``≈ ε |f| / h^d``, because it divides differences of nearly equal values of ``f``
    by ``h^d``. The sum is smallest at ``h* ∝ (ε |f| / |f^(d+p)|)^(1/(d+p))``. Without knowing
    ``f``'s derivatives we take their ratio to scale like ``max(1, |x|)^(d+p)`` (a function
    that varies on the scale of its argument; one that does not, such as ``sin`` at
    ``|x| = 568``, where Richardson's first step is a whole period, defeats any such rule, and
    the estimator then shrinks the step: see :doc:`/api/promises`),
    which gives ``h = ε^(1/(d+p)) max(1, |x|)``:
    about ``1.5e-8 max(1, |x|)`` for a forward difference and ``6e-6 max(1, |x|)`` for a
    central one, leaving an error near ``ε^(p/(d+p))``. The complex step does not cancel, so its
    step is simply tiny. Richardson extrapolation starts from the step ``ε^(1/8) ≈ 0.011``
    (first derivatives) at which its eighth-order entries are already accurate to ``ε``, and
    halves it four times. Every step but the complex one is then moved, by a few ulp of
    ``x``, so that every point the method samples (``x + c h``, ``x ± h / 2^k`` for Richardson)
    is a float: were ``x + h`` rounded, the difference quotient would divide by a step that was
    not taken, an error as large as ``f``'s own rounding and missed by the error estimate.

    This is where :func:`derivative` starts. Near a singularity or an edge of ``f``'s domain
    (closer than the step), it shrinks the step until the estimate settles; see
    :doc:`/api/promises`.

    Examples
    --------
    >>> h = default_step(2.0, "central")
    >>> float(h)
    1.2110908904627848e-05
    >>> bool((2.0 + h) - 2.0 == h)  # the step taken is the step divided by
    True
    >>> float(default_step(0.5, "forward"))
    1.4901161193847656e-08
    """
    accuracy = check_method(method, order, accuracy)
    magnitude = np.abs(real_array(x, "x"))
    return scaled_step(magnitude, np.maximum(1.0, magnitude), method, order, accuracy)


def scaled_step(
    magnitude: NDArray[np.float64],
    scale: NDArray[np.float64],
    method: Method,
    order: int,
    accuracy: int,
) -> NDArray[np.float64]:
    """:func:`default_step` for a function that varies on the length ``scale`` around ``|x|``."""
    if method == "complex":
        return np.asarray(scale * COMPLEX_STEP, dtype=np.float64)
    if method == "richardson":
        # Start where the eighth-order entries' truncation error, ~h^8 (times h^(1-d) for the
        # d-th derivative's larger round-off), is already at the level of ε: the finer levels
        # then only confirm the value and measure its error.
        factor = EPS ** (1 / (2 * (RICHARDSON_LEVELS - 1) + order - 1))
        reach = stencil("central", order, 2).reach
        return on_float_grid(magnitude, scale * factor, reach, RICHARDSON_LEVELS - 1)
    # estimate_derivative also samples the stencil at a step up to twice as large (1.6 h), to
    # estimate the error.
    reach = 2 * stencil(method, order, accuracy).reach
    return on_float_grid(magnitude, scale * EPS ** (1 / (order + accuracy)), reach, 0)


def on_float_grid(
    magnitude: NDArray[np.float64], step: NDArray[np.float64], reach: float, halvings: int
) -> NDArray[np.float64]:
    """``step`` rounded so that each point ``x + c step / 2^k`` is a float.

    Here ``|c| <= reach`` is an integer and ``k <= halvings``. ``x + t`` is rounded to a float
    unless ``t`` is a multiple of the spacing of the floats around the result, and the
    difference quotient then divides by a step that was not taken: a relative error of up to
    ``ε |x| / t``, larger than that of ``f``'s own rounding. Rounding ``step`` to a multiple of
    ``2^halvings`` times the spacing at the farthest point makes every offset a multiple of it,
    so the points are exact whenever ``x`` itself lies on that grid: always, except for an
    ``x`` just below a power of 2 (or smaller than the step, where the step is exact to ``ε``
    of itself anyway).
    """
    grid = np.spacing(magnitude + reach * step) * 2.0**halvings
    return np.asarray(np.maximum(1.0, np.round(step / grid)) * grid, dtype=np.float64)


def user_step(step: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """The user's ``step``, validated and broadcast to the points' ``shape``."""
    chosen = real_array(step, "step")
    if np.any(chosen <= 0):
        raise ValueError(
            f"step must be greater than 0, got {step!r}; a zero step divides by zero. "
            "Leave step=None for the step the error analysis recommends"
        )
    try:
        target = np.broadcast_shapes(chosen.shape, shape)
    except ValueError:
        raise ValueError(
            f"step must be one number or an array broadcastable to x's shape {shape}, "
            f"got shape {chosen.shape}"
        ) from None
    return np.broadcast_to(chosen, target).astype(float)


def warn_below_round_off_floor(
    step: NDArray[np.float64],
    value: NDArray[np.float64],
    round_off: NDArray[np.float64],
    collapsed: NDArray[np.bool_],
    recommended: NDArray[np.float64],
) -> None:
    """Warn when a step the user chose leaves a result made mostly of round-off.

    Arrays are per line: ``step``, ``collapsed`` and ``recommended`` of shape ``(L,)``,
    ``value`` and ``round_off`` of shape ``(L,) + f's output shape``. Below the floor,
    ``x + h`` rounds back to ``x`` (the quotient is 0/h), or the rounding of ``f``'s values,
    ``ε |f| / h^d``, is more than 1% of the result.
    """
    lines = value.shape[0]
    # A result of exactly 0 from distinct points is a true zero (cos at 0), not round-off.
    noisy = (round_off > 1e-2 * np.abs(value)) & (value != 0)
    noisy = noisy.reshape(lines, -1).any(axis=1)
    floor = collapsed | noisy
    if not np.any(floor):
        return
    line = int(np.argmax(floor))
    problem = (
        "x + step rounds back to x, so every value of f is the same and the quotient is 0"
        if collapsed[line]
        else f"the rounding of f's values alone may be {np.max(round_off[line]):.1e}, "
        f"against a result of size {np.max(np.abs(value[line])):.3g}"
    )
    warnings.warn(
        f"step={step[line]:.3g} is below the round-off floor: {problem}. Use a larger step "
        f"(default_step recommends {recommended[line]:.2g} here), leave step=None, or use "
        "method='complex' if f accepts complex numbers",
        RuntimeWarning,
        stacklevel=stacklevel(),
    )
