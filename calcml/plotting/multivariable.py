"""Pictures of functions of two variables: slices of a surface, and the gradient field.

They illustrate chapters :doc:`/partial-derivatives` and :doc:`/gradient`. Every ``f`` follows
the package's convention: ``f(x)`` takes ``x`` of shape ``(2, ...)``, coordinates first, e.g.
``lambda x: x[0] ** 2 + 3 * x[1] ** 2``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from numpy.typing import ArrayLike

from calcml._validation import (
    MAX_GRID,
    bounds_2d,
    require_bool,
    require_callable,
    require_integer,
    require_string,
)
from calcml.plotting._common import (
    Array,
    Bounds,
    Function,
    draw_level_sets,
    evaluate,
    grid,
    new_axes,
    numerical_gradient,
    point_2d,
    require_inside,
)
from calcml.plotting.alt_text import record
from calcml.plotting.derivatives import plot_tangent
from calcml.plotting.style import INK, PALETTE

#: The slice along ``x_1`` (``x_2`` held fixed) and the slice along ``x_2``, in every panel.
SLICE_COLORS: tuple[str, str] = (PALETTE["orange"], PALETTE["green"])


def plot_gradient_field(
    f: Function,
    grad: Callable[[Any], Any] | None = None,
    *,
    bounds: Sequence[Sequence[float]],
    point: ArrayLike | None = None,
    arrows: int = 15,
    normalize: bool = False,
    levels: int | Sequence[float] = 12,
    resolution: int = 101,
    label: str = r"gradient $\nabla f$",
    ax: Axes | None = None,
) -> Axes:
    """Draw level sets of ``f`` and its gradient as arrows, each perpendicular to a level set.

    Parameters
    ----------
    f : callable
        A vectorised function of two variables, ``f(x)`` with ``x`` of shape ``(2, ...)``.
    grad : callable, optional
        Its gradient, ``grad(x)`` of shape ``(2, ...)`` for ``x`` of that shape. By default each
        partial derivative is computed numerically, by :func:`calcml.derivative` along a slice.
    bounds : ((float, float), (float, float))
        The plotted ranges of ``x_1`` and ``x_2``.
    point : (float, float), optional
        A point inside ``bounds`` at which to draw the gradient and the tangent of the level set.
    arrows : int
        Arrows per side of the grid of arrows.
    normalize : bool
        Draw every arrow with the same length, showing directions only (useful when the
        gradient's size varies a lot, as for Rosenbrock's function).
    levels : int or sequence of float
        How many level sets (evenly spaced, or geometrically above the minimum for a
        valley-shaped ``f``), or their values.
    resolution : int
        Grid points per side for the level sets.
    label : str
        The arrows' entry in the legend; name the function as the page does, e.g.
        ``r"gradient $\\nabla L$"`` for a loss ``L``.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on, with equal scales on both axes so right angles look right. The field
        is its first quiver (``ax.collections``); with ``point``, the lines are the level-set
        tangent, and the gradient arrow is the last patch.

    Raises
    ------
    ValueError
        If ``point`` lies outside ``bounds``, is a critical point (zero gradient, so no level-set
        tangent), or ``f``/``grad`` return values of the wrong shape or not finite.
    TypeError
        If ``f`` or ``grad`` is not a function, ``normalize`` not a bool or ``label`` not a
        string.

    Notes
    -----
    Along a level set ``f`` does not change, so the directional derivative
    :math:`\\nabla f \\cdot \\mathbf{t}` along its tangent :math:`\\mathbf{t}` is zero: the gradient
    is perpendicular to the level set, and points towards larger values of ``f``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_gradient_field(lambda x: x[0] ** 2 + 3 * x[1] ** 2, bounds=((-2, 2), (-1, 1)))
    >>> ax.get_aspect(), [float(limit) for limit in ax.get_xlim()]
    (1.0, [-2.0, 2.0])
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    box = bounds_2d(bounds)
    require_callable(f, "f", "a function of x with shape (2, ...), e.g. lambda x: x[0] ** 2")
    if grad is not None:
        require_callable(grad, "grad", "a function of x returning shape (2, ...), or None")
    normalize = require_bool(normalize, "normalize")
    label = require_string(label, "label")
    arrows = require_integer(
        arrows, "arrows", minimum=2, maximum=100, advice="more than 100 per side overlap"
    )
    draw_level_sets(ax, f, box, levels=levels, resolution=resolution)
    tails = grid(box, arrows, "arrows")
    vectors = _gradient(f, grad, tails)
    lengths = np.hypot(*vectors)
    if normalize:
        vectors = np.divide(vectors, lengths, out=np.zeros_like(vectors), where=lengths > 0)
        lengths = np.hypot(*vectors)
    # The longest arrow spans most of one grid cell, so arrows never overlap.
    cell = min(np.diff(box[0])[0], np.diff(box[1])[0]) / (tails.shape[-1] - 1)
    scale = 0.9 * cell / lengths.max() if lengths.max() > 0 else 0.0
    ax.quiver(
        *tails,
        *(scale * vectors),
        angles="xy",
        scale_units="xy",
        scale=1.0,
        color=PALETTE["blue"],
        width=0.004,
        label=label,
    )
    sentence = (
        f"Level sets of f for x_1 from {box[0][0]:g} to {box[0][1]:g} and x_2 from {box[1][0]:g} "
        f"to {box[1][1]:g}, drawn as grey curves, with arrows of the gradient on a "
        f"{tails.shape[-1]} by {tails.shape[-1]} grid, each perpendicular to the level set "
        "through its tail and pointing uphill."
    )
    if point is not None:
        sentence += " " + _mark_point(ax, f, grad, point_2d(point, "point"), box)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    record(ax, sentence)
    return ax


def plot_surface_slices(
    f: Function,
    point: ArrayLike,
    *,
    bounds: Sequence[Sequence[float]],
    panels: bool = True,
    resolution: int = 41,
    fig: Figure | SubFigure | None = None,
) -> Figure | SubFigure:
    """Draw the surface ``z = f(x_1, x_2)``, its two slices through ``point`` and their tangents.

    Parameters
    ----------
    f : callable
        A vectorised function of two variables, ``f(x)`` with ``x`` of shape ``(2, ...)``.
    point : (float, float)
        The point ``(a, b)`` the slices pass through; it must lie inside ``bounds``.
    bounds : ((float, float), (float, float))
        The plotted ranges of ``x_1`` and ``x_2``.
    panels : bool
        Also draw each slice flat, in its own panel, with its tangent line.
    resolution : int
        Grid points per side of the surface.
    fig : Figure or SubFigure, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    Figure or SubFigure
        The figure drawn on. Its axes are the 3-D surface (``fig.axes[0]``) and, with ``panels``,
        the slice along ``x_1`` then the slice along ``x_2``, each as drawn by
        :func:`plot_tangent`.

    Raises
    ------
    ValueError
        If ``point`` lies outside ``bounds`` or ``f`` is not finite there.
    TypeError
        If ``f`` is not a function, ``panels`` not a bool or ``fig`` not a figure.

    Notes
    -----
    Holding :math:`x_2 = b` fixed leaves the one-variable function :math:`t \\mapsto f(t, b)`,
    whose slope at :math:`a` is the partial derivative :math:`\\partial f / \\partial x_1 (a, b)`;
    likewise for :math:`x_2`. The two tangent lines span the tangent plane of the surface.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> saddle = lambda x: x[0] ** 2 - x[1] ** 2
    >>> fig = plot_surface_slices(saddle, (1.0, 0.5), bounds=((-2, 2), (-2, 2)))
    >>> [ax.get_title() for ax in fig.axes[1:]]
    ['slice $x_2 = 0.5$', 'slice $x_1 = 1$']
    >>> plt.close(fig)
    """
    box = bounds_2d(bounds)
    require_callable(f, "f", "a function of x with shape (2, ...), e.g. lambda x: x[0] ** 2")
    center = point_2d(point, "point")
    require_inside(center, box, "point", "bounds")
    panels = require_bool(panels, "panels")
    resolution = require_integer(resolution, "resolution", minimum=2, maximum=MAX_GRID)
    if fig is None:
        fig = plt.figure(figsize=(7.0, 7.0) if panels else (5.6, 4.6))
    elif not isinstance(fig, Figure | SubFigure):
        raise TypeError(
            f"fig must be a matplotlib Figure, SubFigure or None, got {type(fig).__name__}"
        )
    # S is the surface; A and B the slices along x_1 and along x_2.
    axes = fig.subplot_mosaic(
        "SS;AB" if panels else "S",
        per_subplot_kw={"S": {"projection": "3d"}},
        height_ratios=[1.5, 1] if panels else None,
    )
    slices = _slices(f, center)
    slopes = [float(s) for s in numerical_gradient(f, center)]
    height = float(evaluate(f, center[:, np.newaxis])[0])
    _draw_surface(axes["S"], f, box, resolution, center, height, slices, slopes)
    if panels:
        for index, name in enumerate("AB"):
            other = 1 - index
            plot_tangent(
                slices[index],
                float(center[index]),
                x_range=box[index],
                slope=slopes[index],
                xlabel=f"$x_{index + 1}$",
                ylabel=f"$f$ with $x_{other + 1} = {center[other]:g}$",
                color=SLICE_COLORS[index],
                ax=axes[name],
            )
            axes[name].set_title(f"slice $x_{other + 1} = {center[other]:g}$")
    return fig


def _gradient(f: Function, grad: Callable[[Any], Any] | None, points: Array) -> Array:
    if grad is None:
        return numerical_gradient(f, points)
    return evaluate(grad, points, "grad", vector=True)


def _mark_point(
    ax: Axes, f: Function, grad: Callable[[Any], Any] | None, point: Array, box: Bounds
) -> str:
    require_inside(point, box, "point", "bounds")
    direction = _gradient(f, grad, point[:, np.newaxis])[:, 0]
    size = np.hypot(*direction)
    if size == 0:
        raise ValueError(
            f"the gradient of f at point = {point.tolist()!r} is zero (a critical point), so no "
            "level set has a tangent there; choose another point"
        )
    reach = 0.2 * min(np.diff(box[0])[0], np.diff(box[1])[0])
    arrow = reach * direction / size
    ax.annotate(
        "",
        xy=tuple(point + arrow),
        xytext=tuple(point),
        arrowprops={"arrowstyle": "-|>", "color": PALETTE["vermillion"], "linewidth": 2.2},
    )
    tangent = np.array([-arrow[1], arrow[0]])
    ends = np.stack([point - tangent, point + tangent])
    ax.plot(*ends.T, color=PALETTE["vermillion"], linestyle="--", label="level-set tangent")
    ax.scatter(*point, color=PALETTE["vermillion"], zorder=3)
    return (
        f"At the point ({point[0]:g}, {point[1]:g}) the gradient ({direction[0]:.3g}, "
        f"{direction[1]:.3g}) is drawn as a vermillion arrow, at a right angle to the dashed "
        "tangent of the level set there."
    )


def _slices(f: Function, center: Array) -> tuple[Function, Function]:
    a, b = center

    def along_x1(t: Any) -> Any:
        t = np.asarray(t, dtype=np.float64)
        return evaluate(f, np.stack([t, np.full_like(t, b)]))

    def along_x2(t: Any) -> Any:
        t = np.asarray(t, dtype=np.float64)
        return evaluate(f, np.stack([np.full_like(t, a), t]))

    return along_x1, along_x2


def _draw_surface(
    ax: Any,
    f: Function,
    box: Bounds,
    resolution: int,
    center: Array,
    height: float,
    slices: tuple[Function, Function],
    slopes: list[float],
) -> None:
    points = grid(box, resolution)
    values = evaluate(f, points)
    ax.plot_surface(
        *points,
        values,
        color=PALETTE["sky"],
        alpha=0.35,
        edgecolor=INK,
        linewidth=0.3,
        rstride=max(1, resolution // 12),
        cstride=max(1, resolution // 12),
    )
    reach = 0.3 * min(np.diff(box[0])[0], np.diff(box[1])[0])
    for index in range(2):
        t = np.linspace(*box[index], resolution)
        line = np.repeat(center[:, np.newaxis], resolution, axis=1)
        line[index] = t
        ax.plot(*line, slices[index](t), color=SLICE_COLORS[index], linewidth=2.4)
        s = np.array([-reach, reach])
        touch = np.repeat(center[:, np.newaxis], 2, axis=1)
        touch[index] += s
        ax.plot(*touch, height + slopes[index] * s, color=PALETTE["vermillion"], linewidth=2.2)
    ax.scatter(*center, height, color=PALETTE["vermillion"], s=30, depthshade=False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_zlabel("$f(x_1, x_2)$")
    record(
        ax,
        f"The surface z = f(x_1, x_2) for x_1 from {box[0][0]:g} to {box[0][1]:g} and x_2 from "
        f"{box[1][0]:g} to {box[1][1]:g}, with its two slices through the point "
        f"({center[0]:g}, {center[1]:g}, {height:.3g}): in orange x_2 held at {center[1]:g}, in "
        f"green x_1 held at {center[0]:g}, each with its tangent line, of slopes "
        f"∂f/∂x_1 = {slopes[0]:.3g} and ∂f/∂x_2 = {slopes[1]:.3g}.",
    )
