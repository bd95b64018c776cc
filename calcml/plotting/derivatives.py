"""The pictures of chapter :doc:`/derivatives`: a curve, its tangent, secants turning into it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like
from numpy.typing import ArrayLike

from calcml._validation import (
    as_float_array,
    interval,
    real_number,
    require_callable,
    require_integer,
    require_string,
    shown,
)
from calcml.differentiate import derivative
from calcml.plotting._common import (
    MAX_CURVE,
    Array,
    Function,
    Interval,
    evaluate,
    new_axes,
    require_inside,
)
from calcml.plotting.alt_text import plain, record
from calcml.plotting.style import PALETTE

#: Secants take these colours in turn; blue is the curve's and vermillion the tangent's.
SECANT_COLORS: tuple[str, ...] = tuple(
    PALETTE[name] for name in ("orange", "green", "purple", "sky")
)


def plot_tangent(
    f: Function,
    x0: float,
    *,
    x_range: Sequence[float],
    slope: float | None = None,
    xlabel: str = "$x$",
    ylabel: str = "$f(x)$",
    color: str = PALETTE["blue"],
    resolution: int = 400,
    ax: Axes | None = None,
) -> Axes:
    """Draw the curve ``y = f(x)`` and its tangent line at ``x0``.

    Parameters
    ----------
    f : callable
        A vectorised function of one variable: ``f(x)`` takes an array and returns an array of
        the same shape.
    x0 : float
        Where the tangent touches the curve; it must lie inside ``x_range``.
    x_range : (float, float)
        The interval of ``x`` to draw.
    slope : float, optional
        The tangent's slope ``f'(x0)``; by default it is computed by :func:`calcml.derivative`.
    xlabel, ylabel : str
        Axis labels; the curve is labelled with ``ylabel`` in the legend.
    color : str
        The curve's colour; the tangent is vermillion.
    resolution : int
        Number of points on the curve.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on. Its lines are the curve, then the tangent; the point of tangency is its
        first collection.

    Raises
    ------
    ValueError
        If ``x0`` lies outside ``x_range``, ``x_range`` is not an increasing pair, ``f`` is not
        finite on ``x_range``, ``color`` is not a colour or ``resolution`` is below 2.
    TypeError
        If ``f`` does not accept an array, ``x0`` or ``slope`` is not a number, or a label is
        not a string.

    Notes
    -----
    The tangent line at ``x0`` is :math:`y = f(x_0) + f'(x_0)(x - x_0)`, the best straight-line
    approximation of ``f`` near ``x0``. The vertical limits follow the curve, not the tangent,
    so a steep tangent is clipped rather than flattening the curve.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_tangent(lambda x: x**2, 3.0, x_range=(0.0, 5.0))
    >>> ax.get_legend_handles_labels()[1]
    ['$f(x)$', 'tangent at $x_0 = 3$, slope 6']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    x_range, x0 = _range_and_point(f, x_range, x0)
    labels = _labels(xlabel, ylabel)
    _require_color(color)
    y0, slope = _point_and_slope(f, x0, slope)
    _draw_curve(ax, f, x_range, resolution, *labels, color)
    _draw_tangent(
        ax,
        x0,
        y0,
        slope,
        x_range,
        linestyle="-",
        label=f"tangent at $x_0 = {x0:g}$, slope {slope:.3g}",
    )
    ax.legend()
    record(
        ax,
        f"The curve {plain(ylabel)} for {plain(xlabel)} from {x_range[0]:g} to {x_range[1]:g}, "
        f"with its tangent line of slope {slope:.3g} touching it at the point ({x0:g}, {y0:.3g}).",
    )
    return ax


def plot_secants(
    f: Function,
    x0: float,
    steps: Sequence[float] = (1.0, 0.5, 0.25),
    *,
    x_range: Sequence[float],
    slope: float | None = None,
    xlabel: str = "$x$",
    ylabel: str = "$f(x)$",
    resolution: int = 400,
    ax: Axes | None = None,
) -> Axes:
    """Draw secants through ``x0`` and ``x0 + h`` that turn towards the tangent as ``h`` shrinks.

    Parameters
    ----------
    f : callable
        A vectorised function of one variable.
    x0 : float
        The point every secant passes through; it must lie inside ``x_range``.
    steps : sequence of float
        The steps ``h`` (non-zero, either sign); ``x0 + h`` must lie inside ``x_range``.
    x_range : (float, float)
        The interval of ``x`` to draw.
    slope : float, optional
        The tangent's slope ``f'(x0)``; by default it is computed by :func:`calcml.derivative`.
    xlabel, ylabel : str
        Axis labels.
    resolution : int
        Number of points on the curve.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on. Its lines are the curve, one secant per step in order, and last the
        dashed tangent.

    Raises
    ------
    ValueError
        If a step is zero or moves ``x0`` outside ``x_range``, or ``x0`` lies outside it.

    Notes
    -----
    The secant through :math:`(x_0, f(x_0))` and :math:`(x_0 + h, f(x_0 + h))` has the slope of
    the difference quotient :math:`(f(x_0 + h) - f(x_0)) / h`, whose limit as :math:`h \\to 0`
    is the derivative :math:`f'(x_0)`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_secants(lambda x: x**2, 1.0, steps=(1.0, 0.5), x_range=(-0.5, 2.5))
    >>> ax.get_legend_handles_labels()[1]
    ['$f(x)$', 'secant, $h = 1$, slope 3', 'secant, $h = 0.5$, slope 2.5', 'tangent, slope 2']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    x_range, x0 = _range_and_point(f, x_range, x0)
    labels = _labels(xlabel, ylabel)
    steps_array = _checked_steps(steps, x0, x_range)
    y0, slope = _point_and_slope(f, x0, slope)
    _draw_curve(ax, f, x_range, resolution, *labels, PALETTE["blue"])
    ends = x0 + steps_array
    slopes = (evaluate(f, ends) - y0) / steps_array
    x = np.array(x_range)
    for index, (step, secant_slope) in enumerate(zip(steps_array, slopes, strict=True)):
        color = SECANT_COLORS[index % len(SECANT_COLORS)]
        ax.plot(
            x,
            y0 + secant_slope * (x - x0),
            color=color,
            linewidth=1.6,
            label=f"secant, $h = {step:g}$, slope {secant_slope:.3g}",
        )
        ax.scatter([x0 + step], [y0 + secant_slope * step], color=color, zorder=3)
    _draw_tangent(ax, x0, y0, slope, x_range, linestyle="--", label=f"tangent, slope {slope:.3g}")
    ax.legend()
    record(
        ax,
        f"The curve {plain(ylabel)} with secant lines through ({x0:g}, {y0:.3g}) and the points "
        f"at steps h = {', '.join(f'{step:g}' for step in steps_array)} away; their slopes "
        f"{', '.join(f'{s:.3g}' for s in slopes)} approach the slope {slope:.3g} of the dashed "
        "tangent line.",
    )
    return ax


def _range_and_point(f: Function, x_range: Sequence[float], x0: float) -> tuple[Interval, float]:
    """``x_range`` and ``x0`` checked, ``x0`` inside the range; ``f`` must be callable."""
    require_callable(f, "f", "a function of a numpy array x, e.g. np.sin or lambda x: x**2")
    checked = interval(x_range, "x_range")
    point = real_number(x0, "x0")
    require_inside(point, [checked], "x0", "x_range")
    return checked, point


def _labels(xlabel: str, ylabel: str) -> tuple[str, str]:
    return require_string(xlabel, "xlabel"), require_string(ylabel, "ylabel")


def _require_color(color: str) -> None:
    if not is_color_like(color):
        raise ValueError(
            f"color must be a matplotlib colour such as '#0072B2', 'C0' or 'black', got "
            f"{shown(color)}; the book's colours are in calcml.plotting.PALETTE"
        )


def _checked_steps(steps: ArrayLike, x0: float, x_range: Interval) -> Array:
    """``steps`` as a 1-D array of non-zero steps ``h`` keeping ``x0 + h`` inside ``x_range``."""
    h = as_float_array(steps, "steps")
    if h.ndim != 1 or h.size == 0 or np.any(h == 0):
        raise ValueError(f"steps must be a non-empty sequence of non-zero numbers, got {steps!r}")
    for step in h:
        require_inside(x0 + step, [x_range], f"x0 + h (h = {step:g})", "x_range")
    return h


def _point_and_slope(f: Function, x0: float, slope: float | None) -> tuple[float, float]:
    """The point ``f(x0)`` and the slope there, ``slope`` or else :func:`calcml.derivative`."""
    y0 = float(evaluate(f, np.array([x0]))[0])
    if slope is None:
        slope = derivative(f, x0)
    return y0, real_number(slope, "slope")


def _draw_curve(
    ax: Axes,
    f: Function,
    x_range: Interval,
    resolution: int,
    xlabel: str,
    ylabel: str,
    color: str,
) -> None:
    """Draw ``f`` over ``x_range``, with the vertical limits of the curve alone."""
    x = np.linspace(
        *x_range, require_integer(resolution, "resolution", minimum=2, maximum=MAX_CURVE)
    )
    y = evaluate(f, x)
    ax.plot(x, y, color=color, label=ylabel)
    ax.set_xlim(x_range)
    # Lines through the curve may be steeper than it; they are clipped rather than let flatten it.
    margin = 0.08 * (np.ptp(y) or 1.0)
    ax.set_ylim(y.min() - margin, y.max() + margin)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _draw_tangent(
    ax: Axes, x0: float, y0: float, slope: float, x_range: Interval, *, linestyle: str, label: str
) -> None:
    x = np.array(x_range)
    ax.plot(
        x,
        y0 + slope * (x - x0),
        color=PALETTE["vermillion"],
        linestyle=linestyle,
        label=label,
    )
    ax.scatter([x0], [y0], color=PALETTE["vermillion"], zorder=3)
