"""
The chain rule, checked numerically
===================================

The chain rule says the derivative of ``f(g(x))`` is ``f'(g(x)) g'(x)``: the
outer slope, taken where the inner function lands, times the inner slope. For
``h(x) = sin(x^2)`` that is ``cos(x^2) 2x``. The figure draws this formula over
an interval together with central differences of ``h`` computed by ``calcml``,
and below it the gap between the two, which is round-off and truncation error,
not a mistake in the rule. Chapter: :doc:`/chain-rule`.

Run it with ``python plot_chain_rule_check.py``. Add ``--save`` to also write
the figure to ``plot_chain_rule_check.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import derivative
from calcml.plotting import use_book_style

use_book_style()


def inner(x):
    return x**2


def outer(u):
    return np.sin(u)


def h(x):
    return outer(inner(x))


x = np.linspace(-3.0, 3.0, 601)
chain_rule = np.cos(inner(x)) * 2 * x  # outer'(inner(x)) * inner'(x)
numerical = derivative(h, x)
gap = np.abs(chain_rule - numerical)

fig, (top, bottom) = plt.subplots(
    2, 1, sharex=True, figsize=(6.4, 5.2), height_ratios=[2, 1]
)
top.plot(x, h(x), label=r"$h(x) = \sin(x^2)$", color="grey", linewidth=1.4)
top.plot(x, chain_rule, label=r"chain rule $\cos(x^2)\,2x$")
top.plot(x[::30], numerical[::30], "o", label="central differences")
top.set_ylabel("value")
top.legend(loc="lower left", fontsize=9)
bottom.semilogy(x, np.maximum(gap, 1e-17))
bottom.set_xlabel("$x$")
bottom.set_ylabel("|difference|")

# %%
# The two agree to within about ``1e-8`` everywhere, the error a central
# difference with calcml's default step is expected to make on a function of
# this size and curvature.
print(f"largest difference on [-3, 3]: {gap.max():.1e}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
