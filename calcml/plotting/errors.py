"""The picture of chapter :doc:`/numerical-differentiation`: error against step size, log–log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from calcml._validation import as_float_array, integer_sequence
from calcml.plotting._common import Array, named_arrays, new_axes
from calcml.plotting.alt_text import plain, record
from calcml.plotting.style import INK

#: Line styles of the reference slopes, by order.
_REFERENCE_STYLES: tuple[str, ...] = ("--", ":", "-.")


def plot_step_error(
    steps: ArrayLike,
    errors: Mapping[str, ArrayLike],
    *,
    orders: Sequence[int] = (1, 2),
    ax: Axes | None = None,
) -> Axes:
    """Draw the error of finite-difference formulas against their step ``h`` on log–log axes.

    Parameters
    ----------
    steps : 1-D array
        The steps ``h``, all > 0.
    errors : mapping of str to 1-D array
        Each formula's absolute error at every step (same shape as ``steps``, all >= 0), by
        the name shown in the legend. An error of exactly 0 (the complex step often reaches
        it) has no place on a logarithmic axis: the line leaves it out, and a triangle on the
        bottom edge marks its step.
    orders : sequence of int
        Draw a reference line of slope ``p``, an error proportional to ``h**p``, for each ``p``.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on: one line per formula in the order of ``errors``, then one dashed or
        dotted grey line per reference order.

    Raises
    ------
    ValueError
        If ``steps`` is not positive and finite, an error is negative or not finite, every
        error is 0, or the shapes differ.
    TypeError
        If ``errors`` is not a mapping from names (strings) to arrays, or ``orders`` is not a
        list of integers.

    Notes
    -----
    On log–log axes an error :math:`C h^p` is a straight line of slope :math:`p`, the formula's
    order. Round-off adds an error of about :math:`\\varepsilon_{\\text{mach}} / h`, a line of
    slope :math:`-1`, so the total error is smallest at an intermediate step.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> h = np.logspace(-6, -1, 11)
    >>> ax = plot_step_error(h, {"forward": h / 2, "central": h**2 / 6})
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    >>> ax.get_legend_handles_labels()[1]
    ['forward', 'central', 'slope 1: $\\\\propto h$', 'slope 2: $\\\\propto h^{2}$']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    h = _positive(steps, "steps")
    if h.ndim != 1 or h.size < 2:
        raise ValueError(f"steps must be a 1-D array of at least 2 steps, got shape {h.shape}")
    checked = named_arrays(
        errors,
        "errors",
        pairs="a formula's name to its errors",
        example="{'central': errors}",
        check=_nonnegative,
    )
    powers = list(integer_sequence(orders, "orders", minimum=1))
    for name, error in checked.items():
        if error.shape != h.shape:
            raise ValueError(
                f"errors[{name!r}] has shape {error.shape} but steps has shape {h.shape}; "
                "give one error per step"
            )
    # NaN where the error is exactly 0: matplotlib leaves a gap there.
    drawable = np.stack([np.where(error > 0, error, np.nan) for error in checked.values()])
    if np.all(np.isnan(drawable)):
        raise ValueError(
            "every error is exactly 0, so there is nothing to draw on a logarithmic axis"
        )
    for (name, error), line in zip(checked.items(), drawable, strict=True):
        (drawn,) = ax.loglog(h, line, marker="o", markersize=4, label=name)
        if np.any(exact := error == 0):
            ax.scatter(
                h[exact],
                np.zeros(np.count_nonzero(exact)),
                marker="v",
                color=drawn.get_color(),
                clip_on=False,
                transform=ax.get_xaxis_transform(),
                zorder=3,
            )
    _draw_references(ax, h, drawable, powers)
    ax.set_xlabel("step size $h$")
    ax.set_ylabel("absolute error")
    ax.legend()
    record(
        ax,
        "Absolute error against step size h on log-log axes for "
        + "; ".join(_describe_errors(plain(name), h, error) for name, error in checked.items())
        + "; grey reference lines show errors proportional to "
        + ", ".join(f"h^{order}" for order in powers)
        + ".",
    )
    return ax


def _describe_errors(name: str, h: Array, error: Array) -> str:
    smallest = int(np.argmin(error))
    if error[smallest] > 0:
        return f"{name}, smallest ({error[smallest]:.2g}) at h = {h[smallest]:.2g}"
    exact = np.count_nonzero(error == 0)
    return (
        f"{name}, exact (error 0, marked by a triangle on the bottom edge) at {exact} of "
        f"{error.size} steps, first at h = {h[smallest]:.2g}"
    )


def _nonnegative(value: ArrayLike, name: str) -> Array:
    array = as_float_array(value, name)
    if np.any(array < 0):
        first = int(np.argmax(array.ravel() < 0))
        raise ValueError(
            f"{name} must be >= 0 (an absolute error), but it holds "
            f"{float(array.ravel()[first])!r} at index {first}; pass abs(estimate - exact)"
        )
    return array


def _positive(value: ArrayLike, name: str) -> Array:
    array = as_float_array(value, name)
    if np.any(array <= 0):
        first = int(np.argmax(array.ravel() <= 0))
        raise ValueError(
            f"{name} must be > 0 to be drawn on a logarithmic axis, but it holds "
            f"{float(array.ravel()[first])!r} at index {first}; leave such points out"
        )
    return array


def _draw_references(ax: Axes, h: Array, errors: Array, orders: list[int]) -> None:
    # Each line starts above the largest error at the largest step and stops where it would
    # fall below every error, so it never stretches the axes.
    # ``errors`` holds NaN where a formula was exact.
    at_largest = errors[:, np.argmax(h)]
    anchor = 2.0 * np.nanmax(at_largest if np.any(np.isfinite(at_largest)) else errors)
    floor = np.nanmin(errors)
    h_max = h.max()
    for index, order in enumerate(orders):
        h_min = max(h.min(), h_max * (floor / anchor) ** (1 / order))
        span = np.array([h_min, h_max])
        power = "h" if order == 1 else f"h^{{{order}}}"
        ax.loglog(
            span,
            anchor * (span / h_max) ** order,
            color=INK,
            linewidth=1.4,
            linestyle=_REFERENCE_STYLES[index % len(_REFERENCE_STYLES)],
            label=f"slope {order}: $\\propto {power}$",
        )
