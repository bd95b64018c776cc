"""
Tangent line and secants
========================

The derivative ``f'(x0)`` is the slope of the tangent line, and the tangent is
the limit of secants through ``(x0, f(x0))`` and ``(x0 + h, f(x0 + h))`` as the
step ``h`` shrinks. This example draws secants for halving steps next to the
tangent, and prints how the secant slopes approach ``f'(x0)`` with an error that
halves with ``h``. Chapter: :doc:`/derivatives`.

Run it with ``python plot_tangent_and_secants.py``. Add ``--save`` to also write
the figure to ``plot_tangent_and_secants.png`` in the working directory (do so
in a headless run, for example with ``MPLBACKEND=Agg``, where there is no window
to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import derivative
from calcml.plotting import plot_secants, use_book_style

use_book_style()


def f(x):
    return x**3 - 2 * x


x0 = 1.0
exact = 3 * x0**2 - 2  # the power rule: f'(x) = 3 x^2 - 2
ax = plot_secants(
    f, x0, steps=(1.0, 0.5, 0.25), x_range=(-0.5, 2.2), slope=exact
)
ax.set_title(r"$f(x) = x^3 - 2x$ at $x_0 = 1$")

# %%
# The forward difference quotient is the secant's slope. Its error shrinks in
# proportion to ``h`` (first order), here exactly ``3 h + h^2`` because ``f`` is
# a cubic.
for h in 0.5 ** np.arange(8):
    secant = (f(x0 + h) - f(x0)) / h
    print(
        f"h = {h:<10.6g} secant slope {secant:.6f}   error {secant - exact:.2e}"
    )
print(f"exact f'(1) = {exact}, calcml.derivative: {derivative(f, x0):.10f}")

if "--save" in sys.argv:
    ax.figure.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
