"""Animations that play in the book's HTML pages, offline: secants converging, descent unfolding.

Each animation is matplotlib's JavaScript player (what ``FuncAnimation.to_jshtml`` writes) with
its frames embedded as SVG, made self-contained and reproducible: matplotlib's player loads its
button icons from a CDN and names its elements with a random id, so the icons are replaced by
plain characters and the id by a hash of the content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape as html_escape
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from calcml._validation import require_callable, require_integer
from calcml.plotting._common import (
    Function,
    draw_level_sets,
    evaluate,
    iterates_2d,
    plot_box,
)
from calcml.plotting.derivatives import (
    SECANT_COLORS,
    _checked_steps,
    _draw_curve,
    _draw_tangent,
    _point_and_slope,
    _range_and_point,
)
from calcml.plotting.style import BOOK_RC, INK, PALETTE

#: Size and resolution of every frame; a dozen frames weigh 0.5 to 1 MB.
FIGSIZE: tuple[float, float] = (5.6, 3.6)
DPI: int = 100
#: The most frames of :func:`animate_descent`.
MAX_FRAMES = 300

# matplotlib's player draws its buttons with Font Awesome icons fetched from a CDN; these
# characters need no network. U+FE0E asks for the text, not the emoji, form of a symbol.
_ICONS: dict[str, str] = {
    "fa fa-minus": "\u2212",
    "fa fa-fast-backward": "\u23ee\ufe0e",
    "fa fa-step-backward": "\u25c1\ufe0e",
    "fa fa-play fa-flip-horizontal": "\u25c0\ufe0e",
    "fa fa-pause": "\u23f8\ufe0e",
    "fa fa-play": "\u25b6\ufe0e",
    "fa fa-step-forward": "\u25b7\ufe0e",
    "fa fa-fast-forward": "\u23ed\ufe0e",
    "fa fa-plus": "+",
}
_CDN_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="https?://[^"]*">\s*')
_RANDOM_ID = re.compile(r"_anim_img([0-9a-f]{32})")
_PLACEHOLDER = "CALCML_ANIMATION_ID"


class AnimationHTML(str):
    """A self-contained HTML animation: a ``str`` that Jupyter and myst-nb display as HTML."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<AnimationHTML: {len(self) / 1e6:.2f} MB, self-contained>"


def animate_secants(
    f: Function,
    x0: float,
    *,
    x_range: Sequence[float],
    steps: ArrayLike | None = None,
    slope: float | None = None,
    fps: int = 2,
) -> AnimationHTML:
    """Animate a secant through ``x0`` whose step ``h`` shrinks until it matches the tangent.

    Parameters
    ----------
    f : callable
        A vectorised function of one variable.
    x0 : float
        The point every secant passes through, inside ``x_range``.
    x_range : (float, float)
        The interval of ``x`` to draw.
    steps : 1-D array, optional
        One step ``h`` per frame, non-zero, each keeping ``x0 + h`` inside ``x_range``. By
        default 10 steps, halving from 90% of the way to the right end of ``x_range`` (to the
        left end when ``x0`` is the right end).
    slope : float, optional
        The tangent's slope ``f'(x0)``; by default it is computed by :func:`calcml.derivative`.
    fps : int
        Frames per second.

    Returns
    -------
    AnimationHTML
        The animation's HTML, which needs no network; it displays itself in a notebook.

    Raises
    ------
    ValueError
        If ``x0`` or some ``x0 + h`` lies outside ``x_range``, or a step is zero.

    Notes
    -----
    Frame ``k`` shows the secant of slope :math:`(f(x_0 + h_k) - f(x_0)) / h_k`; as
    :math:`h_k \\to 0` these slopes tend to :math:`f'(x_0)`, the slope of the dashed tangent.

    Examples
    --------
    >>> html = animate_secants(lambda x: x**2, 1.0, x_range=(0.0, 3.0), steps=[1.5, 0.5])
    >>> html.count("data:image/svg+xml"), "https://" in html
    (2, False)
    """
    fps = _frames_per_second(fps)
    x_range, x0 = _range_and_point(f, x_range, x0)
    if steps is None:
        # Towards the right end, or the left one when x0 sits on the right end.
        target = x_range[1] if x0 < x_range[1] else x_range[0]
        steps = 0.9 * (target - x0) * 0.5 ** np.arange(10)
    h = _checked_steps(steps, x0, x_range)
    y0, tangent_slope = _point_and_slope(f, x0, slope)
    slopes = (evaluate(f, x0 + h) - y0) / h
    x = np.array(x_range)

    with _frame_axes() as (fig, ax):
        _draw_curve(ax, f, x_range, 400, "$x$", "$f(x)$", PALETTE["blue"])
        _draw_tangent(
            ax,
            x0,
            y0,
            tangent_slope,
            x_range,
            linestyle="--",
            label=f"tangent, slope {tangent_slope:.3g}",
        )
    (secant,) = ax.plot([], [], color=SECANT_COLORS[0], label="secant")
    end = ax.scatter([x0], [y0], color=SECANT_COLORS[0], zorder=3)
    ax.legend(loc="upper left")

    def draw_frame(k: int) -> None:
        secant.set_data(x, y0 + slopes[k] * (x - x0))
        end.set_offsets([[x0 + h[k], y0 + slopes[k] * h[k]]])
        ax.set_title(f"$h = {h[k]:.3g}$: secant slope {slopes[k]:.4g}", fontsize=12)

    description = (
        f"Animation of {h.size} frames: the curve with its dashed tangent at x = {x0:.3g} "
        f"(slope {tangent_slope:.3g}) and one secant line through that point per frame, for "
        f"steps h from {h[0]:.3g} down to {h[-1]:.3g}; the secant slope goes from "
        f"{slopes[0]:.4g} to {slopes[-1]:.4g}, turning onto the tangent."
    )
    return _offline_html(fig, draw_frame, list(range(h.size)), fps, description)


def animate_descent(
    f: Function,
    path: ArrayLike,
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    max_frames: int = 12,
    levels: int | Sequence[float] = 10,
    resolution: int = 61,
    fps: int = 2,
) -> AnimationHTML:
    """Animate an optimizer's path over the level sets of ``f``, one iterate per frame.

    Parameters
    ----------
    f : callable
        A vectorised function of two variables, ``f(x)`` with ``x`` of shape ``(2, ...)``.
    path : array of shape (n_steps, 2)
        The iterates, first the starting point.
    bounds : ((float, float), (float, float)), optional
        The plotted ranges of ``x_1`` and ``x_2``, to zoom in: iterates outside them are cut at
        the edge. By default, the box around the iterates, with a margin.
    max_frames : int
        At most this many frames, at evenly spaced iterates that include the first and the
        last, to keep the page light.
    levels : int or sequence of float
        How many level sets (evenly spaced, or geometrically above the minimum for a
        valley-shaped ``f``), or their values.
    resolution : int
        Grid points per side for the level sets.
    fps : int
        Frames per second.

    Returns
    -------
    AnimationHTML
        The animation's HTML, which needs no network; it displays itself in a notebook.

    Raises
    ------
    ValueError
        If ``path`` is not of shape ``(n_steps, 2)`` or holds NaN or infinity (the optimizer
        diverged).

    Notes
    -----
    The title of each frame shows the value of ``f`` at the current iterate, so the animation
    shows both where the optimizer goes and how fast the loss falls.

    Examples
    --------
    >>> bowl = lambda x: x[0] ** 2 + 4 * x[1] ** 2
    >>> html = animate_descent(bowl, [[2.0, 1.0], [1.0, -0.6], [0.5, 0.36]])
    >>> html.count("data:image/svg+xml"), "https://" in html
    (3, False)
    """
    fps = _frames_per_second(fps)
    require_callable(f, "f", "a function of x with shape (2, ...), e.g. lambda x: x[0] ** 2")
    iterates = iterates_2d(path, "path")
    box = plot_box([iterates], bounds, np.empty((0, 2)))
    most = require_integer(
        max_frames,
        "max_frames",
        minimum=2,
        maximum=MAX_FRAMES,
        advice="every frame adds about 50 kB to the page",
    )
    frames = np.unique(
        np.linspace(0, len(iterates) - 1, min(len(iterates), most)).round().astype(int)
    )
    values = evaluate(f, iterates.T)

    with _frame_axes() as (fig, ax):
        draw_level_sets(ax, f, box, levels=levels, resolution=resolution)
    ax.scatter(iterates[0, 0], iterates[0, 1], marker="s", color=INK, s=40, zorder=3)
    (trail,) = ax.plot([], [], color=PALETTE["blue"], marker="o", markersize=3.5, linewidth=1.6)
    head = ax.scatter([], [], color=PALETTE["vermillion"], s=60, zorder=4)

    def draw_frame(k: int) -> None:
        trail.set_data(iterates[: k + 1, 0], iterates[: k + 1, 1])
        head.set_offsets(iterates[k : k + 1])
        ax.set_title(f"step {k}: $f = {values[k]:.3g}$", fontsize=12)

    description = (
        f"Animation of {frames.size} frames: level sets of f with an optimizer's path growing "
        f"from ({iterates[0, 0]:.3g}, {iterates[0, 1]:.3g}) to ({iterates[-1, 0]:.3g}, "
        f"{iterates[-1, 1]:.3g}) over {len(iterates) - 1} steps, while f falls from "
        f"{values[0]:.3g} to {values[-1]:.3g}."
    )
    return _offline_html(fig, draw_frame, [int(k) for k in frames], fps, description)


def _frames_per_second(fps: int) -> int:
    return require_integer(
        fps, "fps", minimum=1, maximum=60, advice="screens show at most about 60 frames a second"
    )


@contextmanager
def _frame_axes() -> Iterator[tuple[Figure, Axes]]:
    """A new animation figure and its axes; the figure is closed if drawing on it fails."""
    fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
    try:
        yield fig, ax
    except BaseException:
        plt.close(fig)
        raise


def _offline_html(
    fig: Figure, draw_frame: Callable[[int], Any], frames: list[int], fps: int, description: str
) -> AnimationHTML:
    """Render ``draw_frame(k)`` for each of ``frames`` into self-contained, reproducible HTML.

    ``description`` becomes the alt text of the player's picture, for readers who cannot see it.
    """
    # SVG frames stay crisp on high-density screens; no date in them, so builds repeat.
    writer = HTMLWriter(fps=fps, embed_frames=True, default_mode="once")
    writer.frame_format = "svg"
    try:
        animation = FuncAnimation(fig, draw_frame, frames=frames, interval=1000 / fps)
        # A fixed salt makes the SVG's internal ids, and so the page, the same on every build.
        with (
            TemporaryDirectory() as folder,
            mpl.rc_context({"svg.hashsalt": BOOK_RC["svg.hashsalt"]}),
        ):
            page = Path(folder, "animation.html")
            animation.save(
                str(page), writer=writer, dpi=DPI, savefig_kwargs={"metadata": {"Date": None}}
            )
            html = page.read_text()
    finally:
        # The frames are in the HTML; left open, the figure would show again below it.
        plt.close(fig)
    html = _CDN_STYLESHEET.sub("", html)
    for icon, character in _ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', character)
    for random_id in set(_RANDOM_ID.findall(html)):
        html = html.replace(random_id, _PLACEHOLDER)
    alt = html_escape(description.replace("$", ""), quote=True)
    html = html.replace(
        f'<img id="_anim_img{_PLACEHOLDER}"', f'<img alt="{alt}" id="_anim_img{_PLACEHOLDER}"'
    )
    # matplotlib's frame slider has no label; screen readers would announce a bare slider.
    html = html.replace(
        f'<input id="_anim_slider{_PLACEHOLDER}"',
        f'<input aria-label="Animation frame" id="_anim_slider{_PLACEHOLDER}"',
    )
    stable_id = hashlib.sha256(html.encode()).hexdigest()[:32]
    return AnimationHTML(html.replace(_PLACEHOLDER, stable_id))
