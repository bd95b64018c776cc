"""What every helper of :mod:`calcml.plotting` needs: checked ranges, evaluated functions, axes.

Two-variable functions follow one convention throughout: ``f(x)`` takes an array ``x`` whose
first axis holds the coordinates, so ``x[0]`` is the first coordinate and ``x[1]`` the second,
and returns an array of the remaining shape. A whole grid is then evaluated in one call,
``f(np.stack([X, Y]))``, the way the book writes its functions, e.g.
``lambda x: x[0] ** 2 + 3 * x[1] ** 2``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike, NDArray

from calcml._validation import (
    MAX_GRID,
    as_float_array,
    bounds_2d,
    require_callable,
    require_integer,
    require_string,
    shown,
)
from calcml.differentiate import derivative
from calcml.plotting.style import INK

Array = NDArray[np.float64]
Function = Callable[[Any], Any]
Interval = tuple[float, float]
Bounds = tuple[Interval, Interval]


#: The most points on the curve of a one-variable function.
MAX_CURVE = 1_000_000


def require_inside(
    point: ArrayLike, bounds: Sequence[Interval], name: str, bounds_name: str
) -> None:
    """Raise ``ValueError`` when ``point`` (one coordinate per interval) leaves ``bounds``."""
    coordinates = np.atleast_1d(np.asarray(point, dtype=np.float64))
    for coordinate, (low, high) in zip(coordinates, bounds, strict=True):
        if not low <= coordinate <= high:
            raise ValueError(
                f"{name} = {np.asarray(point).tolist()!r} lies outside the plotted range "
                f"{bounds_name} = {tuple(bounds) if len(bounds) > 1 else bounds[0]!r}; "
                f"widen {bounds_name} or choose a point inside it"
            )


def point_2d(value: ArrayLike, name: str) -> Array:
    """Return ``value`` as a float array of shape ``(2,)``, or raise naming ``name``."""
    point = as_float_array(value, name)
    if point.shape != (2,):
        raise ValueError(f"{name} must be a point (x, y) of shape (2,), got shape {point.shape}")
    return point


def evaluate(f: Function, x: Array, name: str = "f", *, vector: bool = False) -> Array:
    """Evaluate the vectorised ``f`` on ``x`` and check that it returns finite values.

    For a two-variable ``f``, ``x`` has shape ``(2, ...)`` and the values have shape
    ``x.shape[1:]``, or ``x.shape`` when ``vector`` (a gradient); for a one-variable ``f``, the
    values have the shape of ``x``.
    """
    expected = x.shape[1:] if x.ndim > 1 and not vector else x.shape
    require_callable(f, name, "a function of a numpy array x, written with numpy functions")
    try:
        # log(0) or overflow inside f is reported below, with the point and a fix, rather than
        # as a numpy warning from deep inside f.
        with np.errstate(all="ignore"):
            result = f(x)
            if result is None:
                raise TypeError("it returned None; end it with a return statement")
            values = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must accept a numpy array of points and return an array of values "
            f"(write it with numpy functions, e.g. np.sin rather than math.sin); calling it on "
            f"an array of shape {x.shape} failed: {error}"
        ) from error
    if values.shape != expected:
        raise ValueError(
            f"{name} returned an array of shape {values.shape} for points of shape {x.shape}; "
            f"expected shape {expected} (one value per point, see calcml.plotting's convention)"
        )
    bad = ~np.isfinite(values)
    if np.any(bad):
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        # The coordinates of the offending point sit along x's first axis.
        where = np.moveaxis(x, 0, -1)[first[-(x.ndim - 1) :]] if x.ndim > 1 else x[first]
        raise ValueError(
            f"{name} is not finite at x = {np.round(where, 6).tolist()!r} "
            f"(it returned {values[first]!r}); choose a range where {name} is defined"
        )
    return values


def grid(bounds: Bounds, resolution: int, name: str = "resolution") -> Array:
    """Return the points of a ``resolution`` × ``resolution`` grid, shape ``(2, n, n)``."""
    n = require_integer(
        resolution,
        name,
        minimum=2,
        maximum=MAX_GRID,
        advice="a plot looks smooth from about 100 points per side",
    )
    x = np.linspace(*bounds[0], n)
    y = np.linspace(*bounds[1], n)
    return np.stack(np.meshgrid(x, y))


def new_axes(ax: Axes | None) -> Axes:
    """Return ``ax``, or the axes of a new figure when it is ``None``."""
    if ax is None:
        _, ax = plt.subplots()
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def numerical_gradient(f: Function, points: Array) -> Array:
    """The gradient of the two-variable ``f`` at ``points`` (shape ``(2, ...)``), same shape.

    Each partial derivative is the derivative of a slice, ``t -> f(t, x_2)`` and
    ``t -> f(x_1, t)``, taken by :func:`calcml.derivative` at every point at once.
    """
    first, second = points
    return np.stack(
        [
            derivative(lambda t: evaluate(f, np.stack([t, second + 0 * t])), first),
            derivative(lambda t: evaluate(f, np.stack([first + 0 * t, t])), second),
        ]
    )


def draw_level_sets(
    ax: Axes, f: Function, bounds: Bounds, *, levels: int | Sequence[float], resolution: int
) -> None:
    """Draw level sets of the two-variable ``f`` over ``bounds`` in the ink colour.

    An integer ``levels`` picks evenly spaced values, unless ``f`` rises much more steeply away
    from its minimum than near it (its largest rise on the grid is over 10 times its median
    rise, as in Rosenbrock's valley): then the rises above the minimum are spaced geometrically,
    so the level sets near the minimum stay visible. A sequence gives the values themselves; at
    least one of them must be a value ``f`` takes on ``bounds``.
    """
    explicit = _explicit_levels(levels)
    points = grid(bounds, resolution)
    values = evaluate(f, points)
    if explicit is None:
        n = require_integer(levels, "levels", minimum=2, maximum=1000)
        rise = values - values.min()
        if rise.max() > 10 * np.median(rise):
            lowest = max(float(np.quantile(rise, 0.005)), 1e-6 * rise.max())
            chosen = values.min() + np.geomspace(lowest, 0.9 * rise.max(), n)
        else:
            chosen = np.linspace(values.min(), values.max(), n + 2)[1:-1]
        chosen = np.unique(chosen)
        if chosen.size < 2:
            raise ValueError(
                f"f takes a single value on bounds = {bounds!r}: there are no level sets to "
                "draw; widen bounds or pass explicit levels"
            )
    else:
        chosen = explicit
        low, high = float(values.min()), float(values.max())
        if not np.any((low <= chosen) & (chosen <= high)):
            raise ValueError(
                f"none of levels = {chosen.tolist()!r} lies between the smallest ({low:.4g}) and "
                f"the largest ({high:.4g}) value of f on bounds = {bounds!r}; choose levels in "
                "that range"
            )
    ax.contour(points[0], points[1], values, levels=chosen, colors=[INK], linewidths=0.9, alpha=0.8)
    frame_plane(ax, bounds)


def _explicit_levels(levels: int | Sequence[float]) -> Array | None:
    """None for a number of levels; else the given level values, sorted, checked."""
    if isinstance(levels, int | np.integer) and not isinstance(levels, bool | np.bool_):
        return None
    if isinstance(levels, bool | np.bool_ | float | np.floating | str) or levels is None:
        raise TypeError(
            f"levels must be a number of level sets (an integer >= 2) or a list of values, "
            f"got {shown(levels)}"
        )
    chosen = as_float_array(levels, "levels")
    if chosen.ndim != 1 or chosen.size == 0:
        raise ValueError(
            f"levels must be a 1-D list of at least one value of f, got shape {chosen.shape}"
        )
    return np.unique(chosen)


def frame_plane(ax: Axes, bounds: Bounds) -> None:
    """Show exactly ``bounds`` of the ``(x_1, x_2)`` plane, with equal scales and no grid."""
    ax.set_xlim(bounds[0])
    ax.set_ylim(bounds[1])
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def named_arrays(
    value: Any, name: str, *, pairs: str, example: str, check: Callable[[Any, str], Array]
) -> dict[str, Array]:
    """``value``, a non-empty mapping from labels to arrays (one curve or path each), with every
    label a string and every array passed through ``check(array, "name[label]")``.

    ``pairs`` and ``example`` complete the message that refuses anything else: "``name`` must be
    a non-empty mapping from ``pairs``, e.g. ``example``".
    """
    if not isinstance(value, Mapping) or not value:
        raise TypeError(
            f"{name} must be a non-empty mapping from {pairs}, e.g. {example}, "
            f"got {type(value).__name__}"
        )
    return {
        require_string(label, f"each name in {name}"): check(array, f"{name}[{label!r}]")
        for label, array in value.items()
    }


def iterates_2d(value: ArrayLike, name: str) -> Array:
    """An optimizer's iterates as an array of shape ``(n_steps, 2)``, or raise naming ``name``."""
    path = float_array_allowing_nan(value, name, "an array of points of shape (n_steps, 2)")
    if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] == 0:
        raise ValueError(
            f"{name} must have shape (n_steps, 2), one row per iterate, got {path.shape}"
        )
    require_converging(path, name, "the optimizer diverged; lower the learning rate or plot")
    return path


def float_array_allowing_nan(value: ArrayLike, name: str, expected: str) -> Array:
    """``value`` as a float array that may hold NaN or inf, which the caller explains itself
    (a diverged run); None, strings and non-numbers are refused naming ``name``.
    """
    if value is None or isinstance(value, str | bytes):
        raise TypeError(f"{name} must be {expected}, got {shown(value)}")
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "biuf":
            raise TypeError(f"values of dtype {raw.dtype}")
        return raw.astype(np.float64, copy=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be {expected}, got {shown(value)}") from error


def require_converging(values: Array, name: str, advice: str) -> None:
    """Raise naming the first step at which ``values`` (one row per step) is not finite."""
    bad = ~np.isfinite(values.reshape(values.shape[0], -1)).all(axis=1)
    if np.any(bad):
        step = int(np.argmax(bad))
        raise ValueError(
            f"{name} is not finite from step {step} on ({values[step].tolist()!r}): {advice} "
            f"the steps before it, {name}[:{step}]"
        )


def plot_box(
    paths: Sequence[Array], bounds: Sequence[Sequence[float]] | None, extra: Array
) -> Bounds:
    """``bounds`` checked, or by default the box around every iterate of ``paths`` and ``extra``."""
    if bounds is None:
        return box_around(np.concatenate([*paths, extra]))
    return bounds_2d(bounds)


def box_around(points: Array) -> Bounds:
    """The plotted ranges that hold ``points`` (shape ``(n, 2)``), with a margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    # A margin of a tenth of the larger side, so a path along one line still gets a 2-D view.
    margin = 0.1 * max(float(np.max(high - low)), 1e-3)
    return (
        (float(low[0] - margin), float(high[0] + margin)),
        (float(low[1] - margin), float(high[1] + margin)),
    )
