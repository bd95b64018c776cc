"""Pictures of classifiers: the regions a model assigns to each class, and its decision boundary.

They illustrate chapters :doc:`/gradient-descent` and :doc:`/backpropagation`. Unlike the
functions of two variables elsewhere in :mod:`calcml.plotting`, a classifier follows the models'
convention: it takes the points as the rows of ``X``, shape ``(n, 2)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, to_rgb
from numpy.typing import ArrayLike

from calcml._validation import bounds_2d, shown
from calcml.plotting._common import (
    Array,
    box_around,
    float_array_allowing_nan,
    frame_plane,
    grid,
    new_axes,
    require_inside,
)
from calcml.plotting.alt_text import record
from calcml.plotting.style import CYCLE, INK

#: Markers of the classes, in order, so that classes differ in shape as well as in colour.
MARKERS: tuple[str, ...] = ("o", "^", "s", "D", "v", "P")
_COLOR_NAMES: tuple[str, ...] = ("blue", "orange", "green", "vermillion", "purple", "sky")
_MARKER_NAMES: dict[str, str] = {
    "o": "circles",
    "^": "triangles",
    "s": "squares",
    "D": "diamonds",
    "v": "down triangles",
    "P": "crosses",
}
#: The strongest shading, where the model is certain of a class.
_SHADE_ALPHA = 0.3


def plot_decision_boundary(
    model: Any,
    X: ArrayLike,
    y: ArrayLike,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    resolution: int = 200,
    ax: Axes | None = None,
) -> Axes:
    """Shade the class a model predicts over the plane, draw its decision boundary and the data.

    Parameters
    ----------
    model : classifier or callable
        Anything with ``predict_proba(X)`` returning class probabilities of shape
        ``(n, n_classes)``, such as the classifiers of :mod:`calcml.models`, or a callable
        ``model(X)`` returning those probabilities, or for two classes the probability of the
        second class, shape ``(n,)``. ``X`` has one point per row, shape ``(n, 2)``.
    X : array of shape (n, 2)
        The points to draw, one per row.
    y : array of shape (n,)
        Their class labels. The columns of the probabilities belong to ``model.classes_`` when
        the model has that attribute, and otherwise to the sorted distinct labels of ``y``.
    bounds : ((float, float), (float, float)), optional
        The plotted ranges of ``x_1`` and ``x_2``; every point must lie inside. By default, the
        box around the points, with a margin.
    resolution : int
        Grid points per side at which the model is evaluated.
    ax : Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    Axes
        The axes drawn on, with equal scales on both axes. The shading is its first collection
        (``ax.collections[0]``; pass it to ``fig.colorbar`` for a scale): for two classes, the
        probability of the second class, fading to transparent where the model hesitates; for
        more, the predicted class, stronger where the model is surer. Then come the boundary and
        one scatter per class, in the order of the classes.

    Raises
    ------
    ValueError
        If ``X`` is not of shape ``(n, 2)``, ``y`` does not hold one label per row of ``X``, a
        point leaves ``bounds``, or the model's probabilities have the wrong shape, are not
        finite or not in ``[0, 1]``, or do not match the classes of ``y``.
    TypeError
        If ``model`` has no ``predict_proba`` and is not callable.

    Notes
    -----
    A classifier predicts the class of highest probability, so its decision boundary is where
    the two most probable classes tie; for two classes, where :math:`p = \\tfrac12`. For logistic
    regression, :math:`p = \\sigma(\\mathbf{w}^{\\mathsf T} \\mathbf{x} + b)` and the boundary is
    the straight line :math:`\\mathbf{w}^{\\mathsf T} \\mathbf{x} + b = 0`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> X = np.array([[-1.0, -1.0], [-1.0, 0.5], [1.0, 0.0], [0.5, 1.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> above_the_diagonal = lambda X: 1 / (1 + np.exp(-4 * (X[:, 0] + X[:, 1])))
    >>> ax = plot_decision_boundary(above_the_diagonal, X, y, bounds=((-2, 2), (-2, 2)))
    >>> ax.get_legend_handles_labels()[1]
    ['class 0', 'class 1', 'decision boundary']
    >>> ax.get_aspect(), [float(limit) for limit in ax.get_xlim()]
    (1.0, [-2.0, 2.0])
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax)
    points = _points(X)
    labels = _labels(y, len(points))
    box = box_around(points) if bounds is None else bounds_2d(bounds)
    for index, point in enumerate(points):
        require_inside(point, box, f"X[{index}]", "bounds")
    predict = _probability_function(model)
    classes = _classes(model, labels)
    if len(classes) > len(CYCLE):
        raise ValueError(
            f"plot_decision_boundary draws at most {len(CYCLE)} classes, got {len(classes)}"
        )
    colors = CYCLE[: len(classes)]

    tiles = grid(box, resolution)
    on_grid = _probabilities(predict, tiles.reshape(2, -1).T, len(classes))
    at_points = _probabilities(predict, points, len(classes))
    shape = tiles.shape[1:]

    if len(classes) == 2:
        second = on_grid[:, 1].reshape(shape)
        ax.contourf(*tiles, second, levels=np.linspace(0, 1, 11), cmap=_fading_colormap(*colors))
        ax.contour(*tiles, second, levels=[0.5], colors=[INK], linewidths=2)
        shading = f"the model's probability of class {_name(classes[1])}"
    else:
        winner = np.argmax(on_grid, axis=1).reshape(shape)
        confidence = np.max(on_grid, axis=1).reshape(shape)
        # One band of shading per class: class k fills [k, k + 1), and how far into its band a
        # point sits says how sure the model is, from 1 / n_classes (a tie) to 1 (certain).
        floor = 1 / len(classes)
        level = winner + 0.999 * (confidence - floor) / (1 - floor)
        ax.contourf(
            *tiles,
            level,
            levels=np.linspace(0, len(classes), 4 * len(classes) + 1),
            cmap=_banded_colormap(colors),
        )
        ax.contour(
            *tiles,
            winner,
            levels=np.arange(len(classes) - 1) + 0.5,
            colors=[INK],
            linewidths=2,
        )
        shading = "the class the model predicts, stronger where it is surer"

    drawn = []
    for index, label in enumerate(classes):
        members = labels == label
        marker = MARKERS[index]
        ax.scatter(
            points[members, 0],
            points[members, 1],
            marker=marker,
            s=22,
            color=colors[index],
            # A thin white rim keeps a point visible on the shading of its own class.
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
            label=f"class {_name(label)}",
        )
        drawn.append(
            f"class {_name(label)} as {_COLOR_NAMES[index]} {_MARKER_NAMES[marker]} "
            f"({int(members.sum())} points)"
        )
    # A contour line has no legend entry of its own: an empty line stands in for it.
    ax.plot([], [], color=INK, linewidth=2, label="decision boundary")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    frame_plane(ax, box)

    accuracy = np.mean(classes[np.argmax(at_points, axis=1)] == labels)
    record(
        ax,
        "Points of "
        + ", ".join(drawn)
        + f", for x_1 from {box[0][0]:.3g} to {box[0][1]:.3g} and x_2 from {box[1][0]:.3g} to "
        f"{box[1][1]:.3g}, over a background shaded by {shading}; a grey curve marks the "
        f"decision boundary, and the model labels {accuracy:.0%} of the points correctly.",
    )
    return ax


def _points(value: ArrayLike) -> Array:
    points = float_array_allowing_nan(value, "X", "an array of points of shape (n, 2)")
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(
            f"X must have shape (n, 2), one point per row, got {points.shape}; "
            "plot_decision_boundary draws classifiers of two features"
        )
    if not np.all(np.isfinite(points)):
        row = int(np.argmax(~np.isfinite(points).all(axis=1)))
        raise ValueError(
            f"X must be finite, but row {row} is {points[row].tolist()!r}; drop or fill the rows "
            "with NaN or infinity before plotting"
        )
    return points


def _labels(value: ArrayLike, n: int) -> np.ndarray:
    if value is None or isinstance(value, str | bytes):
        raise TypeError(f"y must be an array of {n} class labels, got {shown(value)}")
    labels = np.asarray(value)
    if labels.shape != (n,):
        raise ValueError(
            f"y must hold one label per row of X, shape ({n},), got shape {labels.shape}"
            + ("; flatten it with y.ravel()" if labels.size == n else "")
        )
    if labels.dtype.kind not in "biufUS":
        raise TypeError(
            f"y must hold numbers or strings as class labels, got values of dtype "
            f"{labels.dtype} such as {shown(labels[0])}"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(
            f"y must hold finite class labels, but it holds {labels[~np.isfinite(labels)][0]!r} "
            f"at index {int(np.argmax(~np.isfinite(labels)))}; drop those points"
        )
    return labels


def _probability_function(model: Any) -> Callable[[Array], Any]:
    predict_proba = getattr(model, "predict_proba", None)
    if callable(predict_proba):
        return predict_proba  # type: ignore[no-any-return]
    if callable(model):
        return model  # type: ignore[no-any-return]
    raise TypeError(
        "model must have a predict_proba method, like the classifiers of calcml.models, or be "
        f"a function of X returning class probabilities; got {type(model).__name__}"
    )


def _classes(model: Any, labels: np.ndarray) -> np.ndarray:
    known = getattr(model, "classes_", None)
    classes = np.unique(labels) if known is None else np.asarray(known)
    unknown = np.setdiff1d(labels, classes)
    if unknown.size:
        raise ValueError(
            f"y holds labels {unknown.tolist()!r} that are not among the model's classes "
            f"{classes.tolist()!r}"
        )
    if classes.size < 2:
        raise ValueError(f"y must hold at least two classes, got only {classes.tolist()!r}")
    return classes


def _probabilities(predict: Callable[[Array], Any], points: Array, n_classes: int) -> Array:
    try:
        values = np.asarray(predict(points), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"model must accept an array of points of shape (n, 2) and return probabilities; "
            f"calling it on an array of shape {points.shape} failed: {error}"
        ) from error
    if values.ndim == 1 and n_classes == 2 and values.shape == (len(points),):
        values = np.column_stack([1 - values, values])
    if values.shape != (len(points), n_classes):
        raise ValueError(
            f"model returned probabilities of shape {values.shape} for {len(points)} points; "
            f"expected ({len(points)}, {n_classes}), one column per class of y"
            + (" (or one probability per point, for two classes)" if n_classes == 2 else "")
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            f"model returned {np.count_nonzero(~np.isfinite(values))} probabilities that are NaN "
            "or infinite; check the model's parameters (did training diverge?)"
        )
    if np.any(values < 0) or np.any(values > 1):
        raise ValueError(
            "model must return probabilities between 0 and 1; got values from "
            f"{np.nanmin(values)!r} to {np.nanmax(values)!r} (pass probabilities, not scores)"
        )
    return values


def _name(label: Any) -> str:
    if isinstance(label, int | float | np.integer | np.floating):
        return f"{label:g}"
    return str(label)


def _fading_colormap(first: str, second: str) -> ListedColormap:
    """From ``first`` (probability 0) through transparent (one half) to ``second`` (1)."""
    p = np.linspace(0, 1, 256)
    rgb = np.where(p[:, np.newaxis] < 0.5, to_rgb(first), to_rgb(second))
    alpha = _SHADE_ALPHA * np.abs(2 * p - 1)
    return ListedColormap(np.column_stack([rgb, alpha]))


def _banded_colormap(colors: Sequence[str]) -> ListedColormap:
    """One band per class, each from faint (a tie) to strong (certain)."""
    rows = []
    for color in colors:
        for strength in np.linspace(0.25, 1, 64):
            rows.append([*to_rgb(color), _SHADE_ALPHA * strength])
    return ListedColormap(np.array(rows))
