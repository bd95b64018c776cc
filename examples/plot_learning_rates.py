"""
Gradient descent with three learning rates
==========================================

Gradient descent repeats ``x <- x - η ∇f(x)``. On the quadratic bowl ``f(x) =
x^T A x / 2``, whose Hessian ``A`` has eigenvalues 1 and 10, the learning rate
``η`` decides everything: too small and the steps crawl, well chosen and the
loss falls fast, close to the stability limit ``2 / 10`` and the path zig-zags
across the valley; above the limit the run diverges. The figure shows the three
paths over the level sets and their loss curves. Chapter:
:doc:`/gradient-descent`.

Run it with ``python plot_learning_rates.py``. Add ``--save`` to also write the
figure to ``plot_learning_rates.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt

from calcml import GradientDescent, minimize
from calcml.functions import quadratic_bowl
from calcml.plotting import plot_loss_curves, plot_trajectories, use_book_style

use_book_style()

bowl = quadratic_bowl(10.0, angle=0.3)
start = [-2.5, 2.0]
rates = {"η = 0.02": 0.02, "η = 2/11": 2 / 11, "η = 0.195": 0.195}
runs = {
    name: minimize(
        bowl,
        start,
        optimizer=GradientDescent(learning_rate=rate),
        max_steps=40,
        tol=1e-8,
    )
    for name, rate in rates.items()
}

fig, (paths_ax, loss_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
plot_trajectories(
    bowl,
    {name: run.path for name, run in runs.items()},
    minima=bowl.minima,
    ax=paths_ax,
)
plot_loss_curves({name: run.losses for name, run in runs.items()}, ax=loss_ax)

# %%
# ``η = 2 / 11`` is the best constant rate for this bowl, ``2 / (λ_min +
# λ_max)``: it shrinks the distance to the minimum by ``(10 - 1) / (10 + 1)``
# per step. Just above ``2 / 10`` the steps overshoot by more than they gain,
# and ``minimize`` says so.
for name, run in runs.items():
    print(f"{name}: loss {run.loss:.2e} after {run.n_steps} steps")
too_large = minimize(
    bowl, start, optimizer=GradientDescent(learning_rate=0.21), max_steps=500
)
print(too_large.message)

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
