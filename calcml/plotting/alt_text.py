"""Alt text: a sentence that says what a figure shows, for readers who cannot see it.

myst-nb takes a figure's alt text from its code cell's metadata (``mystnb: image: alt:``), so
chapter authors write it there; :func:`describe` drafts it. Every helper of
:mod:`calcml.plotting` records a sentence about what it drew; for any other axes, the sentence
is assembled from the title, the axis labels and the legend.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

# Weak keys: a description lives exactly as long as its axes, and closing a figure frees both.
_DESCRIPTIONS: WeakKeyDictionary[Axes, str] = WeakKeyDictionary()


def record(ax: Axes, sentence: str) -> None:
    """Remember ``sentence`` as the description of what was drawn on ``ax``."""
    _DESCRIPTIONS[ax] = sentence


def plain(label: str) -> str:
    """Return ``label`` without the ``$`` and backslashes of its mathtext, for a screen reader."""
    return label.replace("$", "").replace("\\", "")


def describe(figure: Figure | SubFigure | Axes) -> str:
    """Describe in words what a figure, or one of its axes, shows.

    Parameters
    ----------
    figure : Figure, SubFigure or Axes
        What to describe; a figure is described panel by panel.

    Returns
    -------
    str
        One sentence per panel, drawn from what the :mod:`calcml.plotting` helper drew there or,
        for other axes, from their title, axis labels and legend.

    Raises
    ------
    TypeError
        If ``figure`` is not a matplotlib figure or axes.

    Notes
    -----
    Use the result as a draft for the ``mystnb: image: alt:`` metadata of a chapter's code cell:
    it states what was drawn, while the author knows what the reader should notice.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="loss")
    >>> _ = ax.set_xlabel("step")
    >>> _ = ax.legend()
    >>> describe(fig)
    'A plot against step, showing loss.'
    >>> plt.close(fig)
    """
    if isinstance(figure, Axes):
        return _describe_axes(figure)
    if not isinstance(figure, Figure | SubFigure):
        raise TypeError(
            f"figure must be a matplotlib Figure, SubFigure or Axes, got {type(figure).__name__}"
        )
    # Colour bars and other helper axes have no data of their own to describe.
    panels = [ax for ax in figure.axes if ax in _DESCRIPTIONS or ax.has_data()]
    if not panels:
        return "An empty figure."
    return " ".join(_describe_axes(ax) for ax in panels)


def _describe_axes(ax: Axes) -> str:
    if ax in _DESCRIPTIONS:
        return _DESCRIPTIONS[ax]
    parts = ["A plot"]
    if ax.get_title():
        parts.append(f"titled {ax.get_title()!r}")
    if ax.get_xlabel():
        parts.append(f"against {plain(ax.get_xlabel())}")
    sentence = " ".join(parts)
    labels = [
        plain(label) for label in ax.get_legend_handles_labels()[1] if not label.startswith("_")
    ]
    if labels:
        sentence += ", showing " + ", ".join(labels)
    return sentence + "."
