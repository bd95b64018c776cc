"""Pictures of training: optimizers' paths over level sets, and loss curves.

They illustrate chapters :doc:`/gradient-descent` and :doc:`/optimization-practice`. ``f``
follows the package's convention: ``f(x)`` takes ``x`` of shape ``(2, ...)``, coordinates first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from calcml._validation import as_float_array, require_bool, require_callable, require_string
from calcml.plotting._common import (
    Array,
    Bounds,
    Function,
    draw_level_sets,
    float_array_allowing_nan,
    iterates_2d,
    named_arrays,
    new_axes,
    plot_box,
    require_converging,
)
from calcml.plotting.alt_text import plain, record
from calcml.plotting.style import INK

#: The most iterates :func:`plot_trajectories` marks on one path; the line shows every step.
MAX_MARKERS = 80


def plot_trajectories(
    f: Function,
    paths: Mapping[str, ArrayLike],
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    minima: ArrayLike | None = None,
    levels: int | Sequence[float] = 12,
    resolution: int = 101,
    ax: Axes | None = None,
) -> Axes:
    """Draw the paths of several optimizers over the level sets of ``f``.

    Parameters
    ----------
    f : callable
        A vectorised function of two variables, ``f(x)`` with ``x`` of shape ``(2, ...)``.
    paths : mapping of str to array of shape (n_steps, 2)
        Each optimizer's iterates, first the starting point, by the name shown in the legend.
    bounds : ((float, float), (float, float)), optional
        The plotted ranges of ``x_1`` and ``x_2``, to zoom in: a path that leaves them is cut
        at the edge (and the alt text says at which step it left). By default, the box around
        all iterates and minima, with a margin.
    minima : array of shape (2,) or (k, 2), optional
        Minima of ``f`` to mark with a star.
    levels : int or sequence of float
        How many level sets (evenly spaced, or geometrically above the minimum for a
        valley-shaped ``f``), or their values.
    resolution : int
        Grid points per side for the level sets.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on, with equal scales on both axes; one line per path, in the order of
        ``paths``, then one for the minima. Squares mark the starts, dots the last iterates.

    Raises
    ------
    ValueError
        If a path is not of shape ``(n_steps, 2)`` or holds NaN or infinity (the optimizer
        diverged).

    Notes
    -----
    Each step of gradient descent moves against the gradient, which is perpendicular to the
    level sets, so a path crosses level sets at right angles while its steps are small.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> bowl = lambda x: x[0] ** 2 + 4 * x[1] ** 2
    >>> path = [[2.0, 1.0], [1.0, -0.6], [0.5, 0.36], [0.25, -0.2]]
    >>> ax = plot_trajectories(bowl, {"gradient descent": path}, minima=[0, 0])
    >>> ax.get_legend_handles_labels()[1]
    ['gradient descent (3 steps)', 'start', 'minimum']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    checked = named_arrays(
        paths,
        "paths",
        pairs="an optimizer's name to its iterates",
        example="{'gradient descent': xs}",
        check=iterates_2d,
    )
    require_callable(f, "f", "a function of x with shape (2, ...), e.g. lambda x: x[0] ** 2")
    stars = np.empty((0, 2)) if minima is None else _minima(minima)
    box = plot_box(list(checked.values()), bounds, stars)
    draw_level_sets(ax, f, box, levels=levels, resolution=resolution)
    for name, path in checked.items():
        (line,) = ax.plot(
            *path.T,
            marker="o",
            # Thousands of markers add nothing a reader can see, and each is an element of
            # the page's SVG: mark at most MAX_MARKERS iterates, evenly spaced.
            markevery=max(1, -(-len(path) // MAX_MARKERS)),
            markersize=3.5,
            linewidth=1.6,
            label=f"{name} ({len(path) - 1} steps)",
        )
        ax.scatter(path[-1, 0], path[-1, 1], color=line.get_color(), s=60, zorder=3)
    starts = np.unique(np.stack([path[0] for path in checked.values()]), axis=0)
    ax.scatter(starts[:, 0], starts[:, 1], marker="s", color=INK, s=40, zorder=3, label="start")
    if len(stars):
        ax.plot(*stars.T, linestyle="none", marker="*", markersize=15, color=INK, label="minimum")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    record(
        ax,
        "Level sets of f, drawn as grey curves, with the paths of "
        + "; ".join(
            f"{plain(name)} from ({path[0, 0]:.3g}, {path[0, 1]:.3g}) in {len(path) - 1} steps "
            f"to ({path[-1, 0]:.3g}, {path[-1, 1]:.3g}){_exit_note(path, box)}"
            for name, path in checked.items()
        )
        + (
            "; stars mark the minima at " + ", ".join(f"({x:.3g}, {y:.3g})" for x, y in stars)
            if len(stars)
            else ""
        )
        + ".",
    )
    return ax


def plot_loss_curves(
    losses: Mapping[str, ArrayLike],
    *,
    log: bool = True,
    xlabel: str = "step",
    ylabel: str = "loss",
    ax: Axes | None = None,
) -> Axes:
    """Draw loss curves, one per run, against the step number.

    Parameters
    ----------
    losses : mapping of str to 1-D array
        Each run's loss at steps 0, 1, 2, ..., by the name shown in the legend; lengths may
        differ.
    log : bool
        Use a logarithmic loss axis, on which a linear convergence rate is a straight line.
    xlabel, ylabel : str
        Axis labels.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on, with one line per run in the order of ``losses``.

    Raises
    ------
    ValueError
        If a run is empty or not 1-D, holds NaN or infinity (training diverged), or, with
        ``log``, holds a loss <= 0.
    TypeError
        If ``losses`` is not a mapping from names (strings) to arrays, ``log`` is not a bool or
        a label not a string.

    Notes
    -----
    If the loss shrinks by a constant factor :math:`q` per step, :math:`L_k = L_0 q^k`, then
    :math:`\\log L_k` falls on a straight line of slope :math:`\\log q`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_loss_curves({"η = 0.1": 0.9 ** np.arange(50), "η = 0.3": 0.7 ** np.arange(20)})
    >>> ax.get_yscale(), len(ax.get_lines())
    ('log', 2)
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    log = require_bool(log, "log")
    checked = named_arrays(
        losses,
        "losses",
        pairs="a run's name to its losses",
        example="{'SGD': losses}",
        check=lambda values, name: _run(values, name, log=log),
    )
    xlabel, ylabel = require_string(xlabel, "xlabel"), require_string(ylabel, "ylabel")
    for name, values in checked.items():
        ax.plot(np.arange(values.size), values, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    record(
        ax,
        f"{plain(ylabel).capitalize()} against {plain(xlabel)}"
        + (", on a logarithmic scale," if log else "")
        + " for "
        + "; ".join(
            f"{plain(name)}, from {values[0]:.3g} to {values[-1]:.3g} in {values.size - 1} steps"
            for name, values in checked.items()
        )
        + ".",
    )
    return ax


def _run(value: ArrayLike, name: str, *, log: bool) -> Array:
    run = float_array_allowing_nan(value, name, "a 1-D array of losses")
    if run.ndim != 1 or run.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of losses, got shape {run.shape}")
    require_converging(run, name, "training diverged; lower the learning rate or plot")
    if log and np.any(run <= 0):
        step = int(np.argmax(run <= 0))
        raise ValueError(
            f"{name} holds {run[step]!r} at step {step}, which a logarithmic axis cannot show; "
            "pass log=False"
        )
    return run


def _minima(value: ArrayLike) -> Array:
    stars = np.atleast_2d(as_float_array(value, "minima"))
    if stars.ndim != 2 or stars.shape[1] != 2:
        raise ValueError(f"minima must have shape (2,) or (k, 2), got {np.shape(value)}")
    return stars


def _exit_note(path: Array, box: Bounds) -> str:
    """Where ``path`` first leaves ``box``, for the alt text; empty when it stays inside."""
    (x_low, x_high), (y_low, y_high) = box
    inside = (
        (x_low <= path[:, 0])
        & (path[:, 0] <= x_high)
        & (y_low <= path[:, 1])
        & (path[:, 1] <= y_high)
    )
    if inside.all():
        return ""
    return f", leaving the plotted region at step {int(np.argmin(inside))}"
