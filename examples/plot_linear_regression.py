"""
Linear regression: gradient descent against the closed form
===========================================================

Least squares has a closed-form answer, the solution of the normal equations;
gradient descent reaches the same line one step at a time. The left panel shows
the data with the closed-form line and the lines gradient descent passes through
on its way; the right panel shows how the loss of the descent approaches the
closed form's. Chapter:
:doc:`/gradient-descent`.

Run it with ``python plot_linear_regression.py``. Add ``--save`` to also write
the figure to ``plot_linear_regression.png`` in the working directory (do so in
a headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import GradientDescent
from calcml.datasets import make_line
from calcml.models import LinearRegression
from calcml.plotting import plot_loss_curves, use_book_style

use_book_style()

X, y = make_line(60, slope=2.0, intercept=1.0, noise=0.7, seed=0)
exact = LinearRegression().fit(X, y)
descent = LinearRegression(
    method="gradient_descent",
    optimizer=GradientDescent(learning_rate=0.05),
    max_steps=300,
).fit(X, y)

fig, (data_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
data_ax.scatter(X[:, 0], y, color="grey", s=16, label="data")
line_x = np.array([-3.0, 3.0])
# The optimizer's path holds every (w, b) it visited, so early lines show how
# descent moves.
path = descent.optimize_result_.path
for step in (1, 5, 20):
    w, b = path[step]
    data_ax.plot(
        line_x,
        w * line_x + b,
        linewidth=1.2,
        alpha=0.8,
        label=f"descent, step {step}",
    )
data_ax.plot(
    line_x,
    exact.coef_[0] * line_x + exact.intercept_,
    color="black",
    label="closed form",
)
data_ax.set_xlabel("$x$")
data_ax.set_ylabel("$y$")
data_ax.legend(fontsize=9)

plot_loss_curves({"gradient descent": descent.loss_curve_}, ax=loss_ax)
closed_form_loss = np.mean((exact.predict(X) - y) ** 2)
loss_ax.axhline(
    closed_form_loss, color="black", linestyle="--", label="closed form"
)
loss_ax.legend()

# %%
# Both methods minimise the same convex loss, so they agree to the optimizer's
# tolerance.
print(f"closed form:      w = {exact.coef_[0]:.6f}, b = {exact.intercept_:.6f}")
w, b = descent.coef_[0], descent.intercept_
print(f"gradient descent: w = {w:.6f}, b = {b:.6f}")
print(f"descent stopped: {descent.optimize_result_.message}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
