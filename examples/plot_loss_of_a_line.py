"""
The loss of a line, and which way to move
=========================================

Fitting a line ``y = w x + 1`` to noisy points means choosing the slope ``w``
that makes the mean squared error smallest. The left panel shows the points with
three candidate lines; the right panel shows the loss as a function of ``w``
with its tangent at one guess. The tangent's slope, a derivative, says which way
to move ``w`` and roughly how far: the idea the whole book builds on. Chapter:
:doc:`/why-calculus`.

Run it with ``python plot_loss_of_a_line.py``. Add ``--save`` to also write the
figure to ``plot_loss_of_a_line.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml.datasets import make_line
from calcml.functions import mean_squared_error
from calcml.plotting import plot_tangent, use_book_style

use_book_style()

# The true line has slope 2 and intercept 1; the intercept is kept known so the
# loss depends on one number and can be drawn as a curve.
X, y = make_line(30, slope=2.0, intercept=1.0, noise=0.8, seed=1)
x = X[:, 0]


def loss(w):
    """Mean squared error of the lines ``w x + 1``, for one or many slopes."""
    w = np.asarray(w, dtype=float)
    predictions = w[..., np.newaxis] * x + 1.0
    return np.mean((predictions - y) ** 2, axis=-1)


guess = 0.5
fig, (data_ax, loss_ax) = plt.subplots(1, 2, figsize=(10, 4))
data_ax.scatter(x, y, color="grey", s=18, label="data")
line_x = np.array([-3.0, 3.0])
for w in (guess, 2.0, 3.5):
    data_ax.plot(
        line_x, w * line_x + 1.0, label=f"$w = {w:g}$, loss {loss(w):.2f}"
    )
data_ax.set_xlabel("$x$")
data_ax.set_ylabel("$y$")
data_ax.legend(fontsize=9)

plot_tangent(
    loss,
    guess,
    x_range=(-1.0, 5.0),
    xlabel="slope $w$",
    ylabel="loss $L(w)$",
    ax=loss_ax,
)

# %%
# The derivative at the guess is negative: increasing ``w`` lowers the loss.
# Setting the derivative to zero gives the best slope in closed form, which the
# chapter derives by hand.
slope_at_guess = float(np.mean(2 * (guess * x + 1.0 - y) * x))
best_w = float(np.sum((y - 1.0) * x) / np.sum(x**2))
print(f"L'({guess}) = {slope_at_guess:.3f}: move w to the right")
print(f"best slope w* = {best_w:.3f}, loss {loss(best_w):.3f}")
at_best = mean_squared_error(y, best_w * x + 1.0)
print(f"mean squared error at w*, by calcml: {at_best:.3f}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
