"""Numerical differentiation: slopes, gradients, Jacobians and Hessians from values of ``f``.

Every function here reduces to one idea, the derivative of a function of one variable along a
line, ``d/dt f(x + t v)`` at ``t = 0``, estimated from a few values of ``f`` combined with the
weights of a finite-difference stencil (or with the complex step, or with Richardson
extrapolation). The chapters :doc:`/derivatives` and :doc:`/numerical-differentiation` explain the
error analysis behind the default steps; :doc:`/gradient` and :doc:`/matrix-calculus` use the
vector versions.

Layout convention (numerator layout, used throughout the book): ``gradient(f, x)`` has ``x``'s
shape; ``jacobian(f, x)`` has shape ``f(x).shape + x.shape``, so ``J[i, j] = ∂f_i/∂x_j`` and an
``R^n -> R^m`` function gives an ``(m, n)`` matrix; ``hessian(f, x)`` has shape
``x.shape + x.shape``, ``(n, n)`` for a vector.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import as_float_array

__all__ = [
    "DerivativeEstimate",
    "GradientCheck",
    "Method",
    "StepSweep",
    "check_gradient",
    "default_step",
    "derivative",
    "directional_derivative",
    "estimate_derivative",
    "gradient",
    "hessian",
    "jacobian",
    "partial",
    "step_error_sweep",
]

Method = Literal["forward", "backward", "central", "complex", "richardson"]
METHODS: tuple[Method, ...] = ("forward", "backward", "central", "complex", "richardson")

_EPS = float(np.finfo(np.float64).eps)
# Richardson extrapolation uses central differences at this many halving steps: for a first
# derivative, 10 evaluations of f and a tableau whose entries reach truncation error O(h^8),
# checked against a last column of O(h^10).
_RICHARDSON_LEVELS = 5
# The complex step has no subtractive cancellation, so its step only has to make the O(h^2)
# truncation error vanish below one ulp; any tiny step does, and 1e-20 keeps x + ih away from
# underflow for every |x| a float can hold.
_COMPLEX_STEP = 1e-20

Sampler = Callable[[NDArray[Any]], NDArray[Any]]
"""Given displacements ``t`` of shape ``(k,) + step.shape``, return ``f`` at the ``k`` points."""


@dataclass(frozen=True)
class DerivativeEstimate:
    """A derivative with an honest account of itself.

    Attributes
    ----------
    value : float or ndarray
        The estimate of the derivative, a float for scalar ``x``, else an array of ``x``'s shape.
    error : float or ndarray
        An estimate of the absolute error of ``value`` (truncation plus round-off), same shape.
    nfev : int
        Evaluations of ``f`` spent per point, including those spent on the error estimate.
    step : float or ndarray
        The step ``h`` used (for Richardson, the largest step of the tableau).
    method : str
        The method that produced ``value``.
    """

    value: float | NDArray[np.float64]
    error: float | NDArray[np.float64]
    nfev: int
    step: float | NDArray[np.float64]
    method: Method


# --------------------------------------------------------------------------- stencils


def _stencil_offsets(method: Method, order: int, accuracy: int) -> tuple[int, ...]:
    """The integer offsets ``c`` of the points ``x + c h`` a stencil samples."""
    if method == "central":
        # A symmetric stencil's error is even in h, so each extra pair of points buys 2 orders.
        half = (order - 1) // 2 + accuracy // 2
        return tuple(range(-half, half + 1))
    count = order + accuracy
    return tuple(range(count)) if method == "forward" else tuple(range(-count + 1, 1))


@functools.lru_cache(maxsize=64)
def _stencil_weights(offsets: tuple[int, ...], order: int) -> NDArray[np.float64]:
    """Weights ``w`` with ``f^(order)(x) ≈ sum_k w_k f(x + c_k h) / h^order``.

    The weight of point ``k`` is the ``order``-th derivative at 0 of the Lagrange polynomial
    that is 1 at ``c_k`` and 0 at the other offsets. Its numerator has integer coefficients and
    its denominator is an integer, so each weight is exact up to one rounding, unlike the
    solution of the ill-conditioned Vandermonde system.
    """
    weights = np.empty(len(offsets))
    for k, center in enumerate(offsets):
        others = [c for c in offsets if c != center]
        numerator = np.polynomial.polynomial.polyfromroots(others)
        denominator = math.prod(center - c for c in others)
        weights[k] = math.factorial(order) * numerator[order] / denominator
    return weights


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

    Notes
    -----
    A stencil for the ``d``-th derivative with truncation error ``C h^p f^(d+p)`` also carries
    round-off ``≈ ε |f| / h^d``, because it divides differences of nearly equal values of ``f``
    by ``h^d``. The sum is smallest at ``h* ∝ (ε |f| / |f^(d+p)|)^(1/(d+p))``. Without knowing
    ``f``'s derivatives we take their ratio to scale like ``max(1, |x|)^(d+p)`` (a function
    that varies on the scale of its argument; one that does not, such as ``sin`` at
    ``|x| = 568``, where Richardson's first step is a whole period, defeats any such rule),
    which gives ``h = ε^(1/(d+p)) max(1, |x|)``:
    about ``1.5e-8 max(1, |x|)`` for a forward difference and ``6e-6 max(1, |x|)`` for a
    central one, leaving an error near ``ε^(p/(d+p))``. The complex step does not cancel, so its
    step is simply tiny. Richardson extrapolation starts from the step ``ε^(1/8) ≈ 0.011``
    (first derivatives) at which its eighth-order entries are already accurate to ``ε``, and
    halves it four times. Every step but the complex one is then moved, by a few ulp of
    ``x``, so that every point the method samples (``x + c h``, ``x ± h / 2^k`` for Richardson)
    is a float: were ``x + h`` rounded, the difference quotient would divide by a step that was
    not taken, an error as large as ``f``'s own rounding and missed by the error estimate.

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
    accuracy = _check_method(method, order, accuracy)
    magnitude = np.abs(as_float_array(x, "x"))
    scale: NDArray[np.float64] = np.maximum(1.0, magnitude)
    if method == "complex":
        return np.asarray(scale * _COMPLEX_STEP, dtype=np.float64)
    if method == "richardson":
        # Start where the eighth-order entries' truncation error, ~h^8 (times h^(1-d) for the
        # d-th derivative's larger round-off), is already at the level of ε: the finer levels
        # then only confirm the value and measure its error.
        factor = _EPS ** (1 / (2 * (_RICHARDSON_LEVELS - 1) + order - 1))
        reach = max(_stencil_offsets("central", order, 2))
        return _on_float_grid(magnitude, scale * factor, reach, _RICHARDSON_LEVELS - 1)
    # estimate_derivative also samples the stencil at 2h, to estimate the error.
    reach = 2 * max(abs(offset) for offset in _stencil_offsets(method, order, accuracy))
    return _on_float_grid(magnitude, scale * _EPS ** (1 / (order + accuracy)), reach, 0)


def _on_float_grid(
    magnitude: NDArray[np.float64], step: NDArray[np.float64], reach: int, halvings: int
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


def _check_method(method: str, order: int, accuracy: int | None) -> int:
    """Validate the method's arguments and return the accuracy to use.

    The default accuracy is the textbook formula's: 1 for a one-sided difference
    ``(f(x + h) - f(x)) / h``, 2 for the central ``(f(x + h) - f(x - h)) / 2h``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if not isinstance(order, int | np.integer) or order < 1:
        raise ValueError(f"order must be a positive integer (1 for f', 2 for f''), got {order!r}")
    if method == "complex" and order != 1:
        raise ValueError(
            f"the complex step gives first derivatives only, got order={order}; "
            "use method='central' or 'richardson' for higher derivatives"
        )
    if accuracy is None:
        return 1 if method in ("forward", "backward") else 2
    if not isinstance(accuracy, int | np.integer) or accuracy < 1:
        raise ValueError(f"accuracy must be a positive integer, got {accuracy!r}")
    if method == "central" and accuracy % 2:
        raise ValueError(
            f"central stencils have even accuracy (2, 4, 6, ...), got accuracy={accuracy}; "
            "use an even value or method='forward'"
        )
    return int(accuracy)


# --------------------------------------------------------------------------- the core


def _line_derivative(
    sample: Sampler,
    step: NDArray[np.float64],
    method: Method,
    order: int,
    accuracy: int,
    with_error: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """``(value, error, nfev)`` of the ``order``-th derivative along the line ``sample`` sees.

    ``error`` is only estimated (and paid for) when ``with_error`` is true; else it is zeros.
    """
    if method == "complex":
        values = sample(1j * step[np.newaxis])[0]
        value = values.imag / step
        # Nothing cancels: the error is the rounding of f itself, a few ulp of the result.
        return value, 4 * _EPS * np.abs(value), 1
    if method == "richardson":
        return _richardson(sample, step, order)
    offsets = _stencil_offsets(method, order, accuracy)
    weights = _stencil_weights(offsets, order)
    # Points with zero weight (the centre of an odd-order central stencil) are not evaluated.
    used = weights != 0
    multipliers = np.array(offsets, dtype=float)[used]
    if not with_error:
        values = sample(_displacements(multipliers, step))
        value = _combine(weights[used], values, step, order)
        return value, np.zeros_like(value), int(used.sum())
    # The same stencil at twice the step shows the truncation error: D(h) - D(2h) ≈ (2^p - 1) e.
    both = np.concatenate([multipliers, 2 * multipliers])
    values = sample(_displacements(both, step))
    fine, coarse = values[: used.sum()], values[used.sum() :]
    value = _combine(weights[used], fine, step, order)
    truncation = np.abs(value - _combine(weights[used], coarse, 2 * step, order))
    truncation /= 2.0**accuracy - 1
    round_off = _EPS * _combine(np.abs(weights[used]), np.abs(fine), step, order)
    return value, truncation + round_off, 2 * int(used.sum())


def _displacements(multipliers: NDArray[np.float64], step: NDArray[Any]) -> NDArray[Any]:
    shape = (-1,) + (1,) * step.ndim
    return np.asarray(multipliers.reshape(shape) * step[np.newaxis])


def _combine(
    weights: NDArray[np.float64], values: NDArray[Any], step: NDArray[Any], order: int
) -> NDArray[np.float64]:
    """``sum_k w_k f_k / h^order``, ``values`` stacked along axis 0 (``f``'s shape after it)."""
    total = np.tensordot(weights, values, axes=1)
    return np.asarray(total / step.reshape(step.shape + (1,) * (total.ndim - step.ndim)) ** order)


def _richardson(
    sample: Sampler, step: NDArray[np.float64], order: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Central differences at ``h, h/2, h/4, ...`` extrapolated to ``h -> 0``.

    A central difference is an even series in ``h``: ``D(h) = f^(d) + a h^2 + b h^4 + ...``.
    Combining ``D(h)`` and ``D(h/2)`` as ``(4 D(h/2) - D(h)) / 3`` cancels the ``h^2`` term, and
    so on up the Neville tableau: column ``c`` has error ``O(h^(2c+2))``. As in Ridders' method,
    the entry with the smallest error estimate is returned: round-off grows as the step
    shrinks, so the most extrapolated entry is not always the best.

    Two neighbours in a column and the entry of the next column built from them form a
    triangle. An entry's error is estimated as twice its largest distance to the other corners
    of its triangles, plus its own round-off. While the next column is at least twice as
    accurate, the distance to the corner built from the entry is at least half its error; the
    distance to a finer neighbour also shows round-off beyond the bound ``ε |f|`` (an ``f``
    that rounds its argument). Ridders' own estimate, the distance to the previous column, is
    the previous column's error instead: too large, so it ranks entries by their predecessors.
    The last column has nothing more accurate to be checked against, and only serves as a
    corner.
    """
    offsets = _stencil_offsets("central", order, 2)
    weights = _stencil_weights(offsets, order)
    used = weights != 0
    multipliers = np.array(offsets, dtype=float)[used]
    levels = [multipliers / 2.0**level for level in range(_RICHARDSON_LEVELS)]
    # Offsets are exact binary fractions, so shared points (the centre) are found exactly.
    unique, where = np.unique(np.concatenate(levels), return_inverse=True)
    values = sample(_displacements(unique, step))
    differences, round_offs = [], []
    for level, indices in enumerate(where.reshape(_RICHARDSON_LEVELS, -1)):
        level_step = step / 2.0**level
        differences.append(_combine(weights[used], values[indices], level_step, order))
        # Each value of f is rounded by up to ε |f|, and the stencil divides that by h^d.
        round_offs.append(
            _EPS * _combine(np.abs(weights[used]), np.abs(values[indices]), level_step, order)
        )
    column, round_off = np.stack(differences), np.stack(round_offs)
    candidates, errors = [], []
    for extrapolation in range(1, _RICHARDSON_LEVELS):
        factor = 4.0**extrapolation
        coarser, finer = column[:-1], column[1:]
        corner = (factor * finer - coarser) / (factor - 1)
        gap = np.abs(coarser - finer)
        distance = np.zeros_like(column)
        distance[:-1] = np.maximum(gap, np.abs(coarser - corner))
        distance[1:] = np.maximum(distance[1:], np.maximum(gap, np.abs(finer - corner)))
        candidates.append(column)
        errors.append(2 * distance + round_off)
        column = corner
        round_off = (factor * round_off[1:] + round_off[:-1]) / (factor - 1)
    error = np.concatenate(errors)
    error = np.where(np.isfinite(error), error, np.inf)
    best = np.argmin(error, axis=0)[np.newaxis]
    value = np.take_along_axis(np.concatenate(candidates), best, axis=0)[0]
    return value, np.take_along_axis(error, best, axis=0)[0], len(unique)


# --------------------------------------------------------------------------- evaluating f


def _checked_values(
    values: Any, expected: tuple[int, ...], method: Method, where: str
) -> NDArray[Any]:
    """``values`` as an array of shape ``expected``, or a clear error about ``f``."""
    array = np.asarray(values)
    if array.shape != expected:
        raise ValueError(
            f"f returned shape {array.shape} {where}, expected {expected}; "
            + (
                "derivative() and estimate_derivative() need an elementwise f (one output per "
                "input); for a function of a vector use gradient() or jacobian()"
                if where.startswith("for inputs")
                else "f must return the same shape at every point"
            )
        )
    if method == "complex":
        if not np.iscomplexobj(array):
            raise _complex_refused(f"f returned real values for complex input {where}")
    elif np.iscomplexobj(array) or array.dtype.kind not in "biuf":
        raise TypeError(f"f must return real numbers, got dtype {array.dtype} {where}")
    return array


def _complex_refused(problem: str) -> TypeError:
    return TypeError(
        f"{problem}, so f cannot carry the imaginary part the complex step relies on (abs, "
        "np.real, math functions and float() drop it, and Python's own `if x > 0` refuses "
        "it); write f with numpy functions that accept complex numbers, or use "
        "method='central'"
    )


def _call(f: Callable[[Any], Any], argument: Any, method: Method) -> Any:
    # Overflow or log(0) inside f at a probe point is reported by our own finiteness check,
    # with the point and a fix, instead of as a numpy warning from deep inside f.
    with np.errstate(all="ignore"):
        if method != "complex":
            return f(argument)
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                return f(argument)
            except (TypeError, np.exceptions.ComplexWarning) as error:
                raise _complex_refused(f"f failed on complex input ({error})") from error


def _elementwise_sampler(
    f: Callable[[Any], Any], x: NDArray[np.float64], method: Method
) -> Sampler:
    """Evaluate an elementwise ``f`` at every probe point of every ``x`` in one call."""

    def sample(displacements: NDArray[Any]) -> NDArray[Any]:
        points = x[np.newaxis] + displacements
        try:
            values = _call(f, points, method)
        except (TypeError, ValueError):
            if x.ndim:
                raise
            # A scalar-only f (math.sin, an if-statement) is called once per probe point.
            values = np.array([_call(f, point.item(), method) for point in points])
        return _checked_values(values, points.shape, method, f"for inputs of shape {points.shape}")

    return sample


def _line_sampler(
    f: Callable[[Any], Any],
    x: NDArray[np.float64],
    direction: NDArray[np.float64],
    method: Method,
    output_shape: tuple[int, ...],
) -> Sampler:
    """Evaluate ``f`` (of output shape ``output_shape``) at ``x + t v`` for each ``t``."""

    def sample(displacements: NDArray[Any]) -> NDArray[Any]:
        values = [
            _checked_values(
                _call(f, x + t * direction, method), output_shape, method, f"at x + {t} * v"
            )
            for t in displacements
        ]
        return np.stack(values)

    return sample


def _resolve_step(
    step: ArrayLike | None, x: NDArray[np.float64], method: Method, order: int, accuracy: int
) -> NDArray[np.float64]:
    if step is None:
        return default_step(x, method, order, accuracy)
    chosen = as_float_array(step, "step")
    if np.any(chosen <= 0):
        raise ValueError(
            f"step must be greater than 0, got {step!r}; a zero step divides by zero. "
            "Leave step=None for the step the error analysis recommends"
        )
    return np.broadcast_to(chosen, np.broadcast_shapes(chosen.shape, x.shape)).astype(float)


def _not_finite(what: str) -> ValueError:
    return ValueError(
        f"{what} is NaN or inf: f returned NaN or inf near x, or differs by more than a "
        "float can hold. x may be at a singularity or within one step of the edge of f's "
        "domain; differentiate at another point, pass a smaller step, or use "
        "method='forward'/'backward' to stay on one side of the edge"
    )


# --------------------------------------------------------------------------- derivative


def estimate_derivative(
    f: Callable[[Any], Any],
    x: ArrayLike,
    *,
    order: int = 1,
    method: Method = "central",
    accuracy: int | None = None,
    step: ArrayLike | None = None,
) -> DerivativeEstimate:
    """The ``order``-th derivative of an elementwise ``f`` at ``x``, with an error estimate.

    Parameters
    ----------
    f : callable
        An elementwise function of one real variable: ``f(t)`` for an array ``t`` returns an
        array of ``t``'s shape (numpy functions do). A scalar-only ``f`` works for scalar ``x``.
    x : float or array_like
        Where to differentiate; each element is a separate point.
    order : int, default 1
        Which derivative: 1 for ``f'``, 2 for ``f''``, ...
    method : {"central", "forward", "backward", "complex", "richardson"}
        The difference formula; see Notes.
    accuracy : int, optional
        The order ``p`` of the stencil's truncation error ``O(h^p)`` (even for "central");
        higher means more points. Default: 1 for "forward"/"backward", 2 for "central" (the
        textbook formulas). Ignored by "complex" and "richardson".
    step : float or array_like, optional
        The step ``h`` (for "richardson", the largest one). Default: :func:`default_step`.

    Returns
    -------
    DerivativeEstimate
        ``value``, ``error`` (estimated absolute error), ``nfev`` (per point), ``step``,
        ``method``.

    Raises
    ------
    ValueError
        If ``x`` or ``step`` is not finite, ``step <= 0``, ``f`` returns NaN/inf or the wrong
        shape, or an argument is out of range.
    TypeError
        If ``f`` returns non-real values, or drops the imaginary part under ``method="complex"``.

    Notes
    -----
    "forward", "backward" and "central" combine ``f(x + c h)`` at integer offsets ``c`` with the
    stencil weights of the Taylor expansion. "complex" uses ``f'(x) ≈ Im f(x + i h) / h``, which
    subtracts nothing and so is exact to a few ulp, for ``f`` written with complex-capable
    operations (no ``abs``, ``math`` functions or Python ``if x > 0``). "richardson" extrapolates
    central differences at halving steps to ``h -> 0``. Error estimates: a second stencil at
    ``2h`` for the finite differences (which doubles ``nfev``), the Neville tableau for
    Richardson, and a few ulp for the complex step. See :doc:`/numerical-differentiation`.

    Examples
    --------
    >>> result = estimate_derivative(np.exp, 1.0)
    >>> abs(result.value - np.e) < result.error < 1e-8
    True
    >>> result.nfev
    4
    >>> estimate_derivative(np.sin, 0.0, method="complex").value
    1.0
    """
    accuracy = _check_method(method, order, accuracy)
    point = as_float_array(x, "x")
    chosen = _resolve_step(step, point, method, order, accuracy)
    point = np.broadcast_to(point, chosen.shape)
    sample = _elementwise_sampler(f, point, method)
    value, error, nfev = _line_derivative(sample, chosen, method, order, accuracy, True)
    if not np.all(np.isfinite(value)):
        raise _not_finite(f"the derivative of order {order} ({method})")
    error = np.where(np.isfinite(error), error, np.inf)
    if value.ndim == 0:
        return DerivativeEstimate(float(value), float(error), nfev, float(chosen), method)
    return DerivativeEstimate(value, error, nfev, chosen, method)


@overload
def derivative(
    f: Callable[[Any], Any],
    x: float,
    *,
    order: int = ...,
    method: Method = ...,
    accuracy: int | None = ...,
    step: float | None = ...,
) -> float: ...


@overload
def derivative(
    f: Callable[[Any], Any],
    x: NDArray[Any] | Sequence[Any],
    *,
    order: int = ...,
    method: Method = ...,
    accuracy: int | None = ...,
    step: ArrayLike | None = ...,
) -> NDArray[np.float64]: ...


def derivative(
    f: Callable[[Any], Any],
    x: ArrayLike,
    *,
    order: int = 1,
    method: Method = "central",
    accuracy: int | None = None,
    step: ArrayLike | None = None,
) -> float | NDArray[np.float64]:
    """The ``order``-th derivative of ``f`` at ``x``, elementwise for an array ``x``.

    Parameters
    ----------
    f : callable
        A function of one real variable, applied elementwise to arrays (as numpy's are).
    x : float or array_like
        Where to differentiate.
    order : int, default 1
        1 for ``f'``, 2 for ``f''``, ...
    method : {"central", "forward", "backward", "complex", "richardson"}
        The difference formula, as in :func:`estimate_derivative`.
    accuracy : int, optional
        The order of the stencil's truncation error (even for "central"). Default: that of
        the textbook formula, 1 for one-sided and 2 for central differences.
    step : float or array_like, optional
        The step ``h``. Default: :func:`default_step`, from the error analysis.

    Returns
    -------
    float or ndarray
        A float for scalar ``x``, else an array of ``x``'s shape.

    Raises
    ------
    ValueError, TypeError
        As :func:`estimate_derivative`, which also returns an error estimate.

    Notes
    -----
    The default is the central difference ``(f(x + h) - f(x - h)) / 2h`` with
    ``h = ε^(1/3) max(1, |x|) ≈ 6e-6 max(1, |x|)``: the step where its truncation error
    ``h² |f'''| / 6`` and its round-off ``ε |f| / h`` balance, leaving about 1e-10 relative
    error. Two evaluations per point; see :doc:`/derivatives`.

    A difference quotient returns a number even where ``f`` has no derivative: at a kink the
    average of the two one-sided slopes (0 for ``abs`` at 0, as :mod:`calcml.autodiff`
    takes it; but 0.5 for ReLU at 0, where autodiff takes 0, so a gradient check there
    reports a mismatch), about ``1/h`` across a jump, ``1/h²`` at a pole
    such as ``1/x`` at 0. A finite answer is no proof that the derivative exists;
    :func:`estimate_derivative` gives jumps and poles away with an error estimate that is a
    large fraction of the value itself.

    Examples
    --------
    >>> round(derivative(lambda t: t**2, 3.0), 8)
    6.0
    >>> derivative(np.sin, np.array([0.0, np.pi]), method="richardson")
    array([ 1., -1.])
    >>> round(derivative(np.exp, 0.0, order=2, accuracy=4), 8)
    1.0
    """
    accuracy = _check_method(method, order, accuracy)
    point = as_float_array(x, "x")
    chosen = _resolve_step(step, point, method, order, accuracy)
    sample = _elementwise_sampler(f, np.broadcast_to(point, chosen.shape), method)
    value, _, _ = _line_derivative(sample, chosen, method, order, accuracy, False)
    if not np.all(np.isfinite(value)):
        raise _not_finite(f"the derivative of order {order} ({method})")
    return float(value) if value.ndim == 0 else value


# --------------------------------------------------------------------------- vectors


def _vector_step(
    step: float | None, scale: float, method: Method, order: int, accuracy: int
) -> NDArray[np.float64]:
    """The step along one line through ``x``, where the coordinates involved are ``~scale``."""
    if step is None:
        return default_step(scale, method, order, accuracy)
    return _resolve_step(step, np.asarray(scale), method, order, accuracy).reshape(())


def _along(
    f: Callable[[Any], Any],
    x: NDArray[np.float64],
    direction: NDArray[np.float64],
    step: NDArray[np.float64],
    method: Method,
    order: int,
    accuracy: int,
    with_error: bool,
    output_shape: tuple[int, ...],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``d^order/dt^order f(x + t v)`` at ``t = 0``: ``(value, error)``, of ``f``'s shape."""
    sample = _line_sampler(f, x, direction, method, output_shape)
    value, error, _ = _line_derivative(sample, step, method, order, accuracy, with_error)
    if not np.all(np.isfinite(value)):
        # Formatted only on failure: printing the direction costs O(n) for every coordinate.
        raise _not_finite(f"the derivative of order {order} ({method}) along {direction}")
    return value, np.where(np.isfinite(error), error, np.inf)


def _unit(x: NDArray[np.float64], index: tuple[int, ...]) -> NDArray[np.float64]:
    basis = np.zeros_like(x)
    basis[index] = 1.0
    return basis


def _jacobian(
    f: Callable[[Any], Any],
    x: NDArray[np.float64],
    method: Method,
    accuracy: int,
    step: float | None,
    with_error: bool,
    output_shape: tuple[int, ...],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Value and error of the Jacobian, shape ``output_shape + x.shape``.

    The loop over coordinates is the method: one line derivative per input, because ``f``
    takes a whole point, not a batch of points.
    """
    columns = [
        _along(
            f,
            x,
            _unit(x, index),
            _vector_step(step, abs(float(x[index])), method, 1, accuracy),
            method,
            1,
            accuracy,
            with_error,
            output_shape,
        )
        for index in np.ndindex(x.shape)
    ]
    values = np.stack([value for value, _ in columns], axis=-1)
    errors = np.stack([error for _, error in columns], axis=-1)
    shape = values.shape[:-1] + x.shape
    return values.reshape(shape), errors.reshape(shape)


def _scalar_function_point(f: Callable[[Any], Any], x: ArrayLike) -> NDArray[np.float64]:
    point = as_float_array(x, "x")
    output_shape = np.shape(_call(f, point.copy(), "central"))
    if output_shape != ():
        raise ValueError(
            f"f must return a scalar for a gradient, but f(x) has shape {output_shape}; "
            "use jacobian() for vector-valued functions"
        )
    return point


def gradient(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The gradient ``∇f(x)`` of a scalar function of a vector (or matrix) ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    x : array_like
        The point.
    method : {"central", "forward", "backward", "complex", "richardson"}
        The difference formula for each partial derivative.
    accuracy : int, optional
        The order of the stencil's truncation error, as in :func:`derivative`.
    step : float, optional
        One step for every coordinate. Default: :func:`default_step` of each ``x_i``.

    Returns
    -------
    ndarray
        ``∂f/∂x_i`` at ``x``, an array of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``x`` is not finite, ``f`` does not return a scalar, or returns NaN/inf near ``x``.
    TypeError
        As :func:`estimate_derivative`.

    Notes
    -----
    One line derivative per coordinate, along the unit vector ``e_i``, each with its own step
    scaled to ``|x_i|``: ``2 n`` evaluations of ``f`` for the central difference, plus one
    at ``x`` to check that ``f`` returns a scalar. See
    :doc:`/gradient`.

    Examples
    --------
    >>> gradient(lambda w: w[0] ** 2 + 3 * w[1], [1.0, 2.0]).round(8)
    array([2., 3.])
    """
    point = _scalar_function_point(f, x)
    accuracy = _check_method(method, 1, accuracy)
    return _jacobian(f, point, method, accuracy, step, with_error=False, output_shape=())[0]


def jacobian(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The Jacobian matrix of ``f`` at ``x``, in numerator layout.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns an array (of any fixed shape).
    x : array_like
        The point.
    method, accuracy, step
        As :func:`gradient`.

    Returns
    -------
    ndarray
        Shape ``f(x).shape + x.shape`` with ``J[i, j] = ∂f_i/∂x_j``: ``(m, n)`` for
        ``f: R^n -> R^m``.

    Raises
    ------
    ValueError
        If ``x`` is not finite, ``f``'s output changes shape, or ``f`` returns NaN/inf.
    TypeError
        As :func:`estimate_derivative`.

    Notes
    -----
    Column ``j`` is the derivative of ``f`` along ``e_j``; row ``i`` is the gradient of
    ``f_i``, so the gradient of a scalar ``f`` is the Jacobian of shape ``x.shape``. See
    :doc:`/matrix-calculus`.

    Examples
    --------
    >>> f = lambda v: np.array([v[0] * v[1], v[0] + 2 * v[1], np.sin(v[0])])
    >>> jacobian(f, [0.0, 3.0]).round(8)
    array([[3., 0.],
           [1., 2.],
           [1., 0.]])
    """
    point = as_float_array(x, "x")
    accuracy = _check_method(method, 1, accuracy)
    output_shape = np.shape(_call(f, point.copy(), "central"))
    return _jacobian(f, point, method, accuracy, step, False, output_shape)[0]


def partial(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    i: int | tuple[int, ...],
    *,
    order: int = 1,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> float | NDArray[np.float64]:
    """The partial derivative ``∂^order f / ∂x_i^order`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape.
    x : array_like
        The point.
    i : int or tuple of int
        The coordinate: an index into ``x`` (a tuple for a matrix ``x``).
    order : int, default 1
        Which derivative.
    method, accuracy, step
        As :func:`gradient`.

    Returns
    -------
    float or ndarray
        A float for scalar-valued ``f``, else an array of ``f(x)``'s shape.

    Raises
    ------
    IndexError
        If ``i`` is not an index of ``x``.
    ValueError, TypeError
        As :func:`gradient`.

    Notes
    -----
    The ordinary derivative of ``t -> f(x + t e_i)``, all other coordinates held fixed. See
    :doc:`/partial-derivatives`.

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 * v[1]
    >>> round(partial(f, [3.0, 2.0], 0), 8), round(partial(f, [3.0, 2.0], 1), 8)
    (12.0, 9.0)
    """
    point = as_float_array(x, "x")
    accuracy = _check_method(method, order, accuracy)
    index = i if isinstance(i, tuple) else (i,)
    try:
        basis = _unit(point, index)
    except IndexError as error:
        raise IndexError(f"i must index x, which has shape {point.shape}; got i={i!r}") from error
    scale = abs(float(point[index]))
    line_step = _vector_step(step, scale, method, order, accuracy)
    output_shape = np.shape(_call(f, point.copy(), "central"))
    value = _along(f, point, basis, line_step, method, order, accuracy, False, output_shape)[0]
    return float(value) if value.ndim == 0 else value


def directional_derivative(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    v: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> float | NDArray[np.float64]:
    """The derivative of ``f`` at ``x`` in the direction ``v``, ``d/dt f(x + t v)`` at 0.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape.
    x : array_like
        The point.
    v : array_like
        The direction, of ``x``'s shape and nonzero. It is not normalised: ``D_{2v} = 2 D_v``,
        as in the definition (normalise it yourself for the slope per unit length).
    method, accuracy, step
        As :func:`gradient`; ``step`` is in units of ``t``.

    Returns
    -------
    float or ndarray
        A float for scalar-valued ``f``, else an array of ``f(x)``'s shape.

    Raises
    ------
    ValueError
        If ``v`` is zero or not of ``x``'s shape, or as :func:`gradient`.

    Notes
    -----
    For differentiable ``f`` this equals ``∇f(x) · v`` but costs 2 evaluations of ``f``, not
    ``2 n``: the idea behind forward-mode automatic differentiation. See :doc:`/gradient`.

    Examples
    --------
    >>> f = lambda p: p[0] ** 2 + p[1] ** 2
    >>> round(directional_derivative(f, [1.0, 2.0], [1.0, 1.0]), 8)
    6.0
    """
    point = as_float_array(x, "x")
    direction = as_float_array(v, "v")
    accuracy = _check_method(method, 1, accuracy)
    if direction.shape != point.shape:
        raise ValueError(f"v must have x's shape {point.shape}, got shape {direction.shape}")
    length = float(np.max(np.abs(direction), initial=0.0))
    if length == 0:
        raise ValueError("v must be a nonzero direction, got all zeros")
    scale = float(np.max(np.abs(point), initial=0.0))
    # Scaled so that the largest coordinate moves by the step default_step gives it.
    line_step = _vector_step(step, scale, method, 1, accuracy) / (1.0 if step else length)
    output_shape = np.shape(_call(f, point.copy(), "central"))
    value = _along(f, point, direction, line_step, method, 1, accuracy, False, output_shape)[0]
    return float(value) if value.ndim == 0 else value


def hessian(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The Hessian matrix of second partial derivatives of a scalar ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    x : array_like
        The point.
    method : {"central", "forward", "backward", "richardson"}
        The second-difference formula (the complex step gives first derivatives only).
    accuracy, step
        As :func:`gradient`.

    Returns
    -------
    ndarray
        Shape ``x.shape + x.shape`` (``(n, n)`` for a vector), ``H[i, j] = ∂²f/∂x_i∂x_j``,
        symmetric.

    Raises
    ------
    ValueError, TypeError
        As :func:`gradient`, or for ``method="complex"``.

    Notes
    -----
    The diagonal is the second derivative along ``e_i``. Off the diagonal, the second
    derivative along ``e_i ± e_j`` is ``H_ii ± 2 H_ij + H_jj``, so
    ``H_ij = (D²_{e_i+e_j} f - D²_{e_i-e_j} f) / 4`` (polarisation). Differencing the second
    derivative directly, rather than a numerical gradient, keeps the step at its optimum for
    second derivatives, ``ε^(1/4)``, instead of nesting two first-derivative steps. See
    :doc:`/taylor-newton`.

    Examples
    --------
    >>> hessian(lambda p: p[0] ** 2 * p[1] + p[1] ** 3, [1.0, 2.0]).round(6)
    array([[ 4.,  2.],
           [ 2., 12.]])
    """
    point = _scalar_function_point(f, x)
    accuracy = _check_method(method, 2, accuracy)
    indices = list(np.ndindex(point.shape))
    flat = np.empty((len(indices), len(indices)))

    def second(direction: NDArray[np.float64], scale: float) -> float:
        line_step = _vector_step(step, scale, method, 2, accuracy)
        return float(_along(f, point, direction, line_step, method, 2, accuracy, False, ())[0])

    for a, i in enumerate(indices):
        flat[a, a] = second(_unit(point, i), abs(float(point[i])))
        for b, j in enumerate(indices[:a]):
            scale = max(abs(float(point[i])), abs(float(point[j])))
            plus = second(_unit(point, i) + _unit(point, j), scale)
            minus = second(_unit(point, i) - _unit(point, j), scale)
            flat[a, b] = flat[b, a] = (plus - minus) / 4
    return flat.reshape(point.shape + point.shape)


# --------------------------------------------------------------------------- gradient check


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`.

    Attributes
    ----------
    ok : bool
        True when every component agrees within ``tolerance``.
    max_relative_error : float
        The largest of ``relative_errors``.
    tolerance : float
        The relative tolerance used.
    numerical, analytic : ndarray
        The two gradients, of ``x``'s shape.
    relative_errors : ndarray
        Per component, ``|a - n| / max(|a|, |n|, noise / tolerance)``.
    noise : ndarray
        The estimated absolute error of ``numerical``, per component.
    mismatches : tuple of tuple of int
        Indices (into ``x``) where the relative error exceeds ``tolerance``, worst first.
    """

    ok: bool
    max_relative_error: float
    tolerance: float
    numerical: NDArray[np.float64]
    analytic: NDArray[np.float64]
    relative_errors: NDArray[np.float64] = field(repr=False)
    noise: NDArray[np.float64] = field(repr=False)
    mismatches: tuple[tuple[int, ...], ...]

    def __str__(self) -> str:
        verdict = "passed" if self.ok else f"FAILED at {len(self.mismatches)} component(s)"
        lines = [
            f"gradient check {verdict}: max relative error {self.max_relative_error:.2e} "
            f"(tolerance {self.tolerance:.1e})"
        ]
        for index in self.mismatches[:10]:
            lines.append(
                f"  x{list(index)}: analytic {self.analytic[index]:.10g}, numerical "
                f"{self.numerical[index]:.10g}, relative error {self.relative_errors[index]:.2e}"
            )
        if len(self.mismatches) > 10:
            lines.append(f"  ... and {len(self.mismatches) - 10} more")
        return "\n".join(lines)


def check_gradient(
    f: Callable[[NDArray[np.float64]], Any],
    grad: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    tolerance: float = 1e-6,
    method: Method = "richardson",
    raise_on_failure: bool = False,
) -> GradientCheck:
    """Compare a gradient ``grad`` (by hand or automatic) with a numerical one at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    grad : callable
        ``grad(x)`` returns the claimed gradient, an array of ``x``'s shape.
    x : array_like
        The point to check at. Avoid points where ``f`` has a kink (ReLU at 0, ``|x|`` at 0).
    tolerance : float, default 1e-6
        The relative error above which a component is reported as a mismatch.
    method : {"richardson", "central", "complex", ...}
        How the numerical gradient is computed. "complex" is the most accurate if ``f`` accepts
        complex input.
    raise_on_failure : bool, default False
        Raise ``AssertionError`` naming the worst component instead of returning a failed check.

    Returns
    -------
    GradientCheck
        ``ok``, ``max_relative_error``, ``tolerance``, ``numerical``, ``analytic``,
        ``mismatches``; ``str()`` of it is a readable report.

    Raises
    ------
    AssertionError
        If ``raise_on_failure`` and some component disagrees.
    ValueError
        If ``grad(x)`` does not have ``x``'s shape or is not finite, or as :func:`gradient`.

    Notes
    -----
    Component ``i`` fails when ``|a_i - n_i| > tolerance max(|a_i|, |n_i|)`` and also exceeds
    10 times the numerical gradient's own estimated error: a component cannot be checked more
    finely than the numerical derivative is known, so an analytic zero is not failed over
    round-off. A real bug (a wrong sign, a missing factor) gives relative errors near 1; a
    correct gradient, errors near 1e-10 with the default Richardson method, so 1e-6 leaves
    room on both sides. Used in :doc:`/backpropagation` to test hand-written gradients.

    Examples
    --------
    >>> f = lambda w: np.sum(w**3)
    >>> check_gradient(f, lambda w: 3 * w**2, [1.0, -2.0]).ok
    True
    >>> print(check_gradient(f, lambda w: 3 * w**2 + w, [1.0, -2.0]))
    gradient check FAILED at 2 component(s): max relative error 2.50e-01 (tolerance 1.0e-06)
      x[0]: analytic 4, numerical 3, relative error 2.50e-01
      x[1]: analytic 10, numerical 12, relative error 1.67e-01
    """
    threshold = float(tolerance)
    if not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(f"tolerance must be a finite number greater than 0, got {tolerance!r}")
    point = _scalar_function_point(f, x)
    accuracy = _check_method(method, 1, None)
    claimed = np.asarray(grad(point.copy()), dtype=np.float64)
    if claimed.shape != point.shape:
        raise ValueError(
            f"grad(x) must return an array of x's shape {point.shape}, got shape {claimed.shape}"
        )
    if not np.all(np.isfinite(claimed)):
        raise ValueError(f"grad(x) returned NaN or inf: {claimed}")
    numerical, error = _jacobian(f, point, method, accuracy, None, with_error=True, output_shape=())
    noise = 10 * error
    scale = np.maximum(np.maximum(np.abs(claimed), np.abs(numerical)), noise / threshold)
    relative = np.abs(claimed - numerical) / np.where(scale > 0, scale, 1.0)
    worst_first = np.argsort(-relative, axis=None, kind="stable")
    mismatches = tuple(
        tuple(int(k) for k in np.unravel_index(flat, point.shape))
        for flat in worst_first
        if relative.flat[flat] > threshold
    )
    result = GradientCheck(
        ok=not mismatches,
        max_relative_error=float(np.max(relative, initial=0.0)),
        tolerance=threshold,
        numerical=numerical,
        analytic=claimed,
        relative_errors=relative,
        noise=noise,
        mismatches=mismatches,
    )
    if raise_on_failure and not result.ok:
        raise AssertionError(str(result))
    return result


# --------------------------------------------------------------------------- error analysis


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
        If ``x``, ``df_exact`` or a step is not finite, or a step is not positive.

    Notes
    -----
    On a log-log plot the error of a stencil with truncation error ``O(h^p)`` falls with slope
    ``p`` while truncation dominates, then rises with slope ``-order`` once round-off
    ``ε |f| / h^order`` dominates; the bottom of the V is near :func:`default_step`. The
    complex step has no round-off branch. Each method is one vectorised call over all steps.
    See :doc:`/numerical-differentiation`.

    Examples
    --------
    >>> sweep = step_error_sweep(np.exp, 1.0, np.e, steps=[1e-1, 1e-5, 1e-13])
    >>> bool(sweep.errors["central"][1] < sweep.errors["central"][0])
    True
    >>> bool(sweep.errors["central"][1] < sweep.errors["central"][2])
    True
    """
    point = float(as_float_array(x, "x"))
    exact = float(as_float_array(df_exact, "df_exact"))
    scale = max(1.0, abs(point))
    grid = np.logspace(-16, 0, 61) * scale if steps is None else as_float_array(steps, "steps")
    grid = _resolve_step(grid, np.asarray(point), "central", order, 2)
    errors: dict[str, NDArray[np.float64]] = {}
    for method in methods:
        accuracy = _check_method(method, order, None)
        sample = _elementwise_sampler(f, np.full(grid.shape, point), method)
        value = _line_derivative(sample, grid, method, order, accuracy, False)[0]
        errors[method] = np.where(np.isfinite(value), np.abs(value - exact), np.nan)
    defaults: dict[str, float] = {
        method: float(default_step(point, method, order)) for method in methods
    }
    return StepSweep(steps=grid, errors=errors, default_steps=defaults)
