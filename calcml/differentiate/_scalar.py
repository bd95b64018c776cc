"""Derivatives of an elementwise function of one variable: ``derivative`` and
``estimate_derivative``, which share one estimator and differ only in what they return."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml.differentiate import _sample, _validate
from calcml.differentiate._estimate import LineEstimate, estimate
from calcml.differentiate._stencil import Method, check_method
from calcml.differentiate._step import default_step, user_step
from calcml.differentiate._verdict import conclude


@dataclass(frozen=True)
class DerivativeEstimate:
    """A derivative with an honest account of itself.

    Attributes
    ----------
    value : float or ndarray
        The estimate of the derivative, a float for scalar ``x``, else an array of ``x``'s shape.
    error : float or ndarray
        An estimate of the absolute error of ``value`` (truncation plus round-off), same shape;
        ``inf`` where the estimate did not settle as the step shrank (a warning says so).
    nfev : int or ndarray
        Evaluations of ``f`` spent on each point, including those spent on the error estimate
        and on shrinking the step near a singularity (an int for scalar ``x``, else an array).
        A vectorised ``f`` is called with the whole array at each step size; points already
        settled sit at ``x`` itself in that call, and are not counted.
    step : float or ndarray
        The step ``h`` that produced ``value`` (for Richardson, the largest step of its tableau).
    method : str
        The method that produced ``value``.
    """

    value: float | NDArray[np.float64]
    error: float | NDArray[np.float64]
    nfev: int | NDArray[np.int64]
    step: float | NDArray[np.float64]
    method: Method


def _along_points(
    f: Any,
    x: Any,
    *,
    order: int,
    method: Any,
    accuracy: Any,
    step: Any,
    with_error: bool,
) -> tuple[LineEstimate, tuple[int, ...], Method]:
    """The one path of ``derivative`` and ``estimate_derivative``: validate, estimate, judge."""
    _validate.function(f)
    accuracy = check_method(method, order, accuracy)
    point = _validate.real_array(x, "x")
    recommended = default_step(point, method, order, accuracy)
    first = recommended if step is None else user_step(step, point.shape)
    shape = first.shape
    full = np.broadcast_to(point, shape)
    flat = full.ravel()
    sample = _sample.Elementwise(f, full)
    result = estimate(
        sample,
        method=method,
        order=order,
        accuracy=accuracy,
        magnitude=np.abs(flat),
        step=first.ravel(),
        with_error=with_error,
        adapt=step is None,
    )
    if flat.size:
        conclude(
            result,
            what=f"the derivative of order {order} ({method})",
            where=lambda line: f"at x={float(flat[line])!r}",
            user_step=step is not None,
            recommended=np.broadcast_to(recommended, shape).ravel(),
            strict=not with_error,
        )
    return result, shape, method


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
        The step ``h`` (for "richardson", the largest one), taken as given. Default:
        :func:`default_step`, shrunk near a singularity until the estimate settles.

    Returns
    -------
    DerivativeEstimate
        ``value``, ``error`` (estimated absolute error), ``nfev`` (per point), ``step``,
        ``method``.

    Raises
    ------
    ValueError
        If ``x`` or ``step`` is not finite, ``step <= 0``, ``f`` returns NaN/inf at every
        step tried or the wrong shape, or an argument is out of range.
    TypeError
        If ``f`` is not callable, ``x`` is not made of real numbers, ``f`` returns non-real
        values, or drops the imaginary part under ``method="complex"``.

    Warns
    -----
    RuntimeWarning
        If the estimate did not settle as the step shrank (its ``error`` is then ``inf``), or
        a ``step`` you chose is below the round-off floor.

    Notes
    -----
    "forward", "backward" and "central" combine ``f(x + c h)`` at integer offsets ``c`` with the
    stencil weights of the Taylor expansion. "complex" uses ``f'(x) ≈ Im f(x + i h) / h``, which
    subtracts nothing and so is exact to a few ulp, for ``f`` written with complex-capable
    operations (no ``abs``, ``math`` functions or Python ``if x > 0``). "richardson" extrapolates
    central differences at halving steps to ``h -> 0``. Error estimates: a second stencil at
    ``1.6 h`` for the finite differences (which doubles ``nfev``), the Neville tableau for
    Richardson (checked by one more central difference, 2 evaluations: a function periodic on a
    scale shorter than the step can alias steps that are all multiples of one), and a few ulp
    for the complex step. Where that check fails (a singularity or
    an edge of the domain within reach of the step), the step shrinks by 4 until successive
    estimates agree or converge at the rate the Taylor series predicts, and the error is
    bounded from their changes. See :doc:`/numerical-differentiation` and
    :doc:`/api/promises`.

    Examples
    --------
    >>> result = estimate_derivative(np.exp, 1.0)
    >>> abs(result.value - np.e) < result.error < 1e-8
    True
    >>> result.nfev
    4
    >>> estimate_derivative(np.sin, 0.0, method="complex").value
    1.0
    >>> near_pole = estimate_derivative(lambda t: 1 / t, 1e-6)  # f'(x) = -1e12
    >>> bool(abs(near_pole.value + 1e12) <= near_pole.error < 1e-6 * 1e12)
    True
    """
    result, shape, method = _along_points(
        f, x, order=order, method=method, accuracy=accuracy, step=step, with_error=True
    )
    error = np.where(result.settled.reshape((-1,)), result.error, np.inf)
    if shape == ():
        return DerivativeEstimate(
            float(result.value[0]),
            float(error[0]),
            int(result.nfev[0]),
            float(result.step[0]),
            method,
        )
    return DerivativeEstimate(
        result.value.reshape(shape),
        error.reshape(shape),
        result.nfev.reshape(shape),
        result.step.reshape(shape),
        method,
    )


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
        The step ``h``, taken as given. Default: :func:`default_step`, from the error
        analysis, shrunk near a singularity until the estimate settles.

    Returns
    -------
    float or ndarray
        A float for scalar ``x``, else an array of ``x``'s shape.

    Raises
    ------
    ValueError
        If the estimate does not settle as the step shrinks (``f`` is singular or not
        differentiable near ``x``): the message gives the last estimates and what to try.
        Otherwise as :func:`estimate_derivative`.
    TypeError
        As :func:`estimate_derivative`.

    Warns
    -----
    RuntimeWarning
        If a ``step`` you chose is below the round-off floor (``x + step`` rounds to ``x``, or
        the rounding of ``f`` is more than 1% of the result).

    Notes
    -----
    The default is the central difference ``(f(x + h) - f(x - h)) / 2h`` with
    ``h = ε^(1/3) max(1, |x|) ≈ 6e-6 max(1, |x|)``: the step where its truncation error
    ``h² |f'''| / 6`` and its round-off ``ε |f| / h`` balance, leaving about 1e-10 relative
    error. Two evaluations per point, and a third, ``f(x)``, taken in the same call of ``f``:
    with it, the second derivative; see :doc:`/derivatives`. When the two values differ by
    16 times more than a function varying on the scale ``max(1, |x|)`` would, are not finite,
    ``f'`` changes on a scale 16 times shorter than that (a singularity that a constant added
    to ``f`` hides from the first test: ``log(x - 1) + 100`` at 1.001), or ``x`` is within
    ``max(1, |x|) / 16`` of 0, a singularity may be within reach: the estimate is then
    checked against the same difference at ``1.6 h`` (2 more evaluations; not ``2h``, which
    a period of ``f`` that fits into ``h`` fits into too), and
    if they disagree the step shrinks by 4 until the estimate settles; if it never does,
    ``derivative`` raises rather than return a number it cannot vouch for. See
    :doc:`/api/promises`.

    A difference quotient returns a number even where ``f`` has no derivative: at a kink the
    average of the two one-sided slopes (0 for ``abs`` at 0, as :mod:`calcml.autodiff`
    takes it; but 0.5 for ReLU at 0, where autodiff takes 0, so a gradient check there
    reports a mismatch). Across a jump or a pole the estimate does not settle, and
    ``derivative`` raises.

    Examples
    --------
    >>> round(derivative(lambda t: t**2, 3.0), 8)
    6.0
    >>> derivative(np.sin, np.array([0.0, np.pi]), method="richardson")
    array([ 1., -1.])
    >>> round(derivative(np.exp, 0.0, order=2, accuracy=4), 8)
    1.0
    >>> float(f"{derivative(np.log, 1e-5):.12g}")  # the step shrinks to fit 0 < x - h
    100000.0
    >>> float(f"{derivative(lambda t: np.log(t - 1) + 100, 1.001):.8g}")  # a pole behind 100
    1000.0
    """
    result, shape, _ = _along_points(
        f, x, order=order, method=method, accuracy=accuracy, step=step, with_error=False
    )
    return float(result.value[0]) if shape == () else result.value.reshape(shape)
