"""
Backpropagation by hand on a tiny graph
=======================================

One neuron with a squared-error loss, ``L = (tanh(w x + b) - y)^2``, is a chain
of four small operations. Backpropagation walks it from the loss back to ``w``
and ``b``, multiplying local derivatives as it goes. This example does that walk
by hand, line by line, then lets ``calcml.Tensor`` record the same graph and run
``backward()``, and draws the graph with every node's value and gradient.
Chapter: :doc:`/backpropagation`.

Run it with ``python plot_backprop_by_hand.py``. Add ``--save`` to also write
the figure to ``plot_backprop_by_hand.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import Tensor, draw_graph
from calcml.plotting import use_book_style

use_book_style()

x, y = 1.5, 0.5
w0, b0 = 0.8, -0.4

# %%
# Forward pass: compute and keep every intermediate value.
z = w0 * x + b0
a = np.tanh(z)
r = a - y
loss = r**2

# %%
# Backward pass: start from dL/dL = 1 and multiply by one local derivative per
# node.
dL_dr = 2 * r  # d(r^2)/dr
dL_da = dL_dr * 1.0  # d(a - y)/da
dL_dz = dL_da * (1 - a**2)  # d tanh(z)/dz = 1 - tanh(z)^2
dL_dw = dL_dz * x  # d(w x + b)/dw = x
dL_db = dL_dz * 1.0  # d(w x + b)/db = 1

# %%
# The same graph, recorded by calcml's reverse-mode engine.
w = Tensor(w0, name="w")
b = Tensor(b0, name="b")
traced_loss = (np.tanh(w * x + b) - y) ** 2
traced_loss.backward()
print(f"loss {loss:.6f} (by hand) vs {float(traced_loss.value):.6f} (Tensor)")
print(f"dL/dw {dL_dw:.6f} (by hand) vs {float(w.grad):.6f} (Tensor)")
print(f"dL/db {dL_db:.6f} (by hand) vs {float(b.grad):.6f} (Tensor)")

fig, ax = plt.subplots(figsize=(10, 3.6))
draw_graph(traced_loss, ax=ax)
ax.set_title(r"$L = (\tanh(wx + b) - y)^2$: values forward, gradients back")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
