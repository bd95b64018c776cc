"""
Forward mode against reverse mode
=================================

Automatic differentiation builds a Jacobian in one of two ways. Forward mode
pushes one input direction through the function per pass (a Jacobian-vector
product, one *column* of the Jacobian); reverse mode pulls one output weight
back per pass (a vector-Jacobian product, one *row*). So for ``f`` from ``n``
inputs to ``m`` outputs forward mode needs ``n`` passes and reverse mode ``m``.
This example builds the Jacobian both ways with ``calcml.jvp`` and
``calcml.vjp``, counting passes, checks them against each other, and plots the
counts for a loss (many inputs, one output). Chapter: :doc:`/autodiff-modes`.

Run it with ``python plot_forward_vs_reverse_mode.py``. Add ``--save`` to also
write the figure to ``plot_forward_vs_reverse_mode.png`` in the working
directory (do so in a headless run, for example with ``MPLBACKEND=Agg``, where
there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import jacobian, jvp, vjp
from calcml.plotting import use_book_style

use_book_style()

rng = np.random.default_rng(0)


def jacobian_by_columns(f, x):
    """Forward mode: one JVP per input direction.

    Returns the Jacobian and the number of passes.
    """
    columns = [jvp(f, (x,), (np.eye(x.size)[j],))[1] for j in range(x.size)]
    return np.atleast_2d(np.stack(columns, axis=-1)), len(columns)


def jacobian_by_rows(f, x):
    """Reverse mode: one forward pass, then one VJP per output.

    Returns the Jacobian and the number of backward passes.
    """
    value, pull_back = vjp(f, x)
    n_outputs = np.size(value)
    rows = [
        pull_back(np.eye(n_outputs)[i].reshape(np.shape(value)))[0]
        for i in range(n_outputs)
    ]
    return np.stack(rows), len(rows)


# %%
# A small layer ``tanh(W x)`` with 3 outputs and 5 inputs: both modes give the
# same matrix, and central differences agree.
W = rng.normal(size=(3, 5))


def layer(x):
    return np.tanh(W @ x)


x = rng.normal(size=5)
forward, forward_passes = jacobian_by_columns(layer, x)
reverse, reverse_passes = jacobian_by_rows(layer, x)
print(
    f"forward mode: {forward_passes} passes; "
    f"reverse mode: {reverse_passes} backward passes"
)
between_modes = np.abs(forward - reverse).max()
print(f"largest difference between the modes: {between_modes:.1e}")
from_differences = np.abs(forward - jacobian(layer, x)).max()
print(f"largest difference from central differences: {from_differences:.1e}")


# %%
# A loss has one output: reverse mode needs one backward pass whatever ``n`` is,
# forward mode one pass per parameter. This is why neural networks are trained
# with reverse mode.
def loss(v):
    return np.sum(np.sin(v) ** 2)


sizes = np.array([1, 2, 5, 10, 20, 50, 100])
counts = {"forward mode (JVPs)": [], "reverse mode (VJPs)": []}
for n in sizes:
    point = rng.normal(size=n)
    counts["forward mode (JVPs)"].append(jacobian_by_columns(loss, point)[1])
    counts["reverse mode (VJPs)"].append(jacobian_by_rows(loss, point)[1])

fig, ax = plt.subplots()
for name, passes in counts.items():
    ax.plot(sizes, passes, marker="o", label=name)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("number of inputs $n$ (one output)")
ax.set_ylabel("passes for the gradient")
ax.legend()

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
