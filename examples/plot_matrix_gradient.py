"""
The gradient of a linear layer's loss, by matrix calculus
=========================================================

For a linear layer ``P = X W`` with loss ``L(W) = ||X W - Y||^2 / n``, matrix
calculus gives the whole gradient in one formula, ``∂L/∂W = 2 X^T (X W - Y) /
n``, a matrix of ``W``'s shape. This example computes it from the formula, by
reverse-mode automatic differentiation and by central differences, draws the
three side by side, and checks them with ``calcml.check_gradient``. Chapter:
:doc:`/matrix-calculus`.

Run it with ``python plot_matrix_gradient.py``. Add ``--save`` to also write the
figure to ``plot_matrix_gradient.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import check_gradient, grad, gradient
from calcml.plotting import use_book_style

use_book_style()

rng = np.random.default_rng(0)
n, n_in, n_out = 50, 4, 3
X = rng.normal(size=(n, n_in))
Y = rng.normal(size=(n, n_out))
W = rng.normal(size=(n_in, n_out))


def loss(W):
    residual = X @ W - Y
    return np.sum(residual**2) / n


def loss_gradient(W):
    """The matrix-calculus formula.

    The chain rule through ``R = X W - Y`` and ``sum(R^2)``.
    """
    return 2 * X.T @ (X @ W - Y) / n


gradients = {
    "formula $2X^\\top(XW - Y)/n$": loss_gradient(W),
    "reverse-mode autodiff": grad(loss)(W),
    "central differences": gradient(loss, W),
}

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
limit = np.abs(gradients["reverse-mode autodiff"]).max()
for ax, (name, matrix) in zip(axes, gradients.items(), strict=True):
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9)
    ax.set_title(name, fontsize=11)
    ax.set_xlabel("output $j$")
    ax.set_ylabel("input $i$")
    ax.grid(False)
fig.colorbar(
    image, ax=axes, label=r"$\partial L / \partial W_{ij}$", shrink=0.8
)

# %%
# The formula passes the numerical check component by component.
print(check_gradient(loss, loss_gradient, W))
difference = np.abs(gradients["reverse-mode autodiff"] - loss_gradient(W)).max()
print(f"largest difference between autodiff and the formula: {difference:.1e}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
