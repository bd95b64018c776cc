"""One style for every figure of the book."""

from __future__ import annotations

import matplotlib as mpl

#: Okabe & Ito's colour-blind-safe palette, by role.
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


def use_book_style() -> None:
    """Apply the book's matplotlib style.

    Examples
    --------
    >>> use_book_style()
    """
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE.values()))
