"""One style for every figure of the book, readable on its light and its dark page.

The book's pages are white in light mode and near-black (about ``#121212``) in dark mode, and
figures are embedded as images that CSS cannot recolour. So figures are drawn on a transparent
background with a mid-grey "ink" for text, spines, ticks and grid, and data colours from Okabe &
Ito's colour-blind-safe palette. Chapter :doc:`/derivatives` shows the first figures drawn this way.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler
from matplotlib.typing import RcKeyType

#: Okabe & Ito's colour-blind-safe palette, by role (their black is replaced by a grey that
#: reads on a dark page too).
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#808080",
}

#: Colour of text, axes, ticks and grid. Its WCAG contrast ratio is 3.9 against white and 4.7
#: against ``#121212``: above the 3:1 that graphics and large text need, on both pages.
INK: str = PALETTE["grey"]

#: Data colours in the order lines take them. Yellow is left out (contrast 1.3 on white) and so
#: is grey, which is the ink.
CYCLE: tuple[str, ...] = tuple(
    PALETTE[name] for name in ("blue", "orange", "green", "vermillion", "purple", "sky")
)

#: The rcParams behind :func:`use_book_style` and :func:`book_style`.
BOOK_RC: dict[RcKeyType, Any] = {
    # Transparent backgrounds: the page's own colour shows through in light and dark mode.
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "figure.figsize": (5.6, 3.6),
    "figure.dpi": 100,
    # A PNG, when one is asked for, is drawn at twice the size for high-density screens.
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": cycler(color=list(CYCLE)),
    "text.color": INK,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "grid.color": INK,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.8,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.labelcolor": INK,
    "lines.linewidth": 2.2,
    "lines.markersize": 7,
    "patch.edgecolor": INK,
    # Sizes chosen so that a 5.6-inch figure shrunk to a phone's width keeps ~10 px text.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 12,
    "axes.labelsize": 12,
    "axes.titlesize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "mathtext.fontset": "dejavusans",
    # Glyphs as paths so the figure looks the same whatever fonts the reader has; a fixed hash
    # salt so that two builds write byte-identical SVG.
    "svg.fonttype": "path",
    "svg.hashsalt": "calcml",
    "axes3d.xaxis.panecolor": (0.5, 0.5, 0.5, 0.08),
    "axes3d.yaxis.panecolor": (0.5, 0.5, 0.5, 0.08),
    "axes3d.zaxis.panecolor": (0.5, 0.5, 0.5, 0.08),
    "animation.html": "jshtml",
}

#: Keyword arguments for Jupyter's figure display: no date in the SVG, so outputs repeat.
INLINE_FIGURE_KWARGS: dict[str, Any] = {
    "bbox_inches": "tight",
    "metadata": {"Date": None},
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to every figure drawn from now on.

    Chapters call it once, in their first code cell. Inside Jupyter it also makes the inline
    backend emit SVG (crisp at any zoom) without a date, so rebuilding the book does not change
    its figures, and draws each figure only for that SVG.

    Notes
    -----
    The Jupyter part runs only when IPython is already running and ``matplotlib_inline`` is
    importable; calcml does not depend on either. To use the style for a few figures only, use
    :func:`book_style` instead.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> use_book_style()
    >>> mpl.rcParams["svg.hashsalt"]
    'calcml'
    """
    mpl.rcParams.update(BOOK_RC)
    _use_svg_in_jupyter()


@contextmanager
def book_style() -> Iterator[None]:
    """Use the book's style inside a ``with`` block only.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with book_style():
    ...     mpl.rcParams["axes.facecolor"]
    'none'
    """
    with mpl.rc_context(BOOK_RC):
        yield


def _use_svg_in_jupyter() -> None:
    # Importing IPython ourselves would slow down every script; if it is not loaded, there is no
    # notebook to configure.
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return
    try:
        from matplotlib_inline.backend_inline import flush_figures, set_matplotlib_formats
        from matplotlib_inline.config import InlineBackend
    except ImportError:
        return
    # The configuration object keeps the choice for when the inline backend (re)activates;
    # set_matplotlib_formats applies it now.
    config = InlineBackend.instance()
    config.figure_formats = {"svg"}
    config.print_figure_kwargs = dict(INLINE_FIGURE_KWARGS)
    set_matplotlib_formats("svg", **INLINE_FIGURE_KWARGS)  # type: ignore[no-untyped-call]
    shell = ipython.get_ipython()
    svg = shell.display_formatter.formatters["image/svg+xml"]
    svg.for_type(Figure, figure_svg)
    if flush_figures in shell.events.callbacks["post_execute"]:
        _show_before_redrawing()


def _show_before_redrawing() -> None:
    # After each cell pyplot redraws every figure changed in it (to refresh interactive
    # windows), and the inline backend then shows and closes the cell's figures. pyplot's hook
    # came first, so every figure a cell left open was drawn once more, into an Agg image that
    # nobody sees: 8 % of the CPU time of the book's kernels. Registered again, pyplot's hook comes
    # after the inline backend's and finds the figures shown and closed; a figure left open
    # (InlineBackend.close_figures = False) is still redrawn, as before.
    import matplotlib.pyplot as plt

    plt.uninstall_repl_displayhook()
    plt.install_repl_displayhook()


#: matplotlib names clip paths, markers and images by hashing their exact floats (and the
#: salt), so a difference in the last bit, invisible in the drawing, renamed a clip path
#: between two builds of the book.
_HASHED_ID = re.compile(
    r'(?<=id=")(?:image|[mp])[0-9a-f]{10}(?=")|(?<=#)(?:image|[mp])[0-9a-f]{10}(?=[")])'
)
_KIND = {"p": "clip", "m": "marker", "i": "image"}


def canonical_svg_ids(svg: str) -> str:
    """Rename matplotlib's hashed clip-path, marker and image ids in order of use: ``clip0``, ...

    Examples
    --------
    >>> canonical_svg_ids('<g clip-path="url(#p0123456789)"/><clipPath id="p0123456789"/>')
    '<g clip-path="url(#clip0)"/><clipPath id="clip0"/>'
    """
    names: dict[str, str] = {}
    counts = dict.fromkeys(_KIND.values(), 0)

    def rename(match: re.Match[str]) -> str:
        if match[0] not in names:
            kind = _KIND[match[0][0]]
            names[match[0]] = f"{kind}{counts[kind]}"
            counts[kind] += 1
        return names[match[0]]

    return _HASHED_ID.sub(rename, svg)


def figure_svg(fig: Figure) -> str | None:
    """The figure as the book shows it: SVG, no date, clip ids that depend only on the drawing.

    Returns None for a figure with nothing drawn on it, which Jupyter then does not show.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> svg = figure_svg(fig)
    >>> svg.startswith("<?xml") and 'clip-path="url(#clip0)"' in svg
    True
    >>> plt.close(fig)
    """
    if not fig.axes and not fig.lines:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", **INLINE_FIGURE_KWARGS)
    return canonical_svg_ids(buffer.getvalue().decode("utf-8"))
