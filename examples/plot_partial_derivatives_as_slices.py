"""
Partial derivatives as slices
=============================

A partial derivative is an ordinary derivative along a slice: hold ``x_2`` fixed
and ``f(x_1, x_2)`` becomes a curve in ``x_1`` whose slope is ``∂f/∂x_1``; hold
``x_1`` fixed for ``∂f/∂x_2``. The figure shows the surface of ``f(x_1, x_2) =
x_1^2 x_2 + sin(x_2)``, the two slices through a point and their tangent lines,
and the script checks the slopes against the partial derivatives worked out by
hand. Chapter: :doc:`/partial-derivatives`.

Run it with ``python plot_partial_derivatives_as_slices.py``. Add ``--save`` to
also write the figure to ``plot_partial_derivatives_as_slices.png`` in the
working directory (do so in a headless run, for example with ``MPLBACKEND=Agg``,
where there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import partial
from calcml.plotting import plot_surface_slices, use_book_style

use_book_style()


def f(x):
    """``x`` holds its two coordinates first: a whole grid evaluates at once."""
    return x[0] ** 2 * x[1] + np.sin(x[1])


point = np.array([1.0, 0.5])
fig = plot_surface_slices(f, point, bounds=((-2.0, 2.0), (-2.0, 2.0)))

# %%
# By hand: ``∂f/∂x_1 = 2 x_1 x_2`` and ``∂f/∂x_2 = x_1^2 + cos(x_2)``.
by_hand = (2 * point[0] * point[1], point[0] ** 2 + np.cos(point[1]))
for i, exact in enumerate(by_hand):
    numerical = partial(f, point, i)
    print(
        f"∂f/∂x_{i + 1} at {point.tolist()}: by hand {exact:.8f}, "
        f"numerically {numerical:.8f}"
    )

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
