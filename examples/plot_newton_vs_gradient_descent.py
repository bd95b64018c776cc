"""
Newton's method against gradient descent
========================================

Gradient descent uses only the slope; Newton's method also uses the curvature,
stepping to the minimum of the local quadratic model ``x <- x - H(x)^{-1}
∇f(x)``. On Rosenbrock's banana valley, whose curvature differs by a factor of
about 2500 between directions, gradient descent creeps along the valley floor
while Newton's method reaches the minimum in a handful of steps, and near it
doubles the number of correct digits each step. The figure shows both paths and
their loss curves. Chapter: :doc:`/taylor-newton`.

Run it with ``python plot_newton_vs_gradient_descent.py``. Add ``--save`` to
also write the figure to ``plot_newton_vs_gradient_descent.png`` in the working
directory (do so in a headless run, for example with ``MPLBACKEND=Agg``, where
there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import GradientDescent, Newton, minimize
from calcml.functions import rosenbrock
from calcml.plotting import plot_loss_curves, plot_trajectories, use_book_style

use_book_style()

start = [-1.2, 1.0]  # the classic start, on the far side of the valley
runs = {
    "gradient descent": minimize(
        rosenbrock,
        start,
        optimizer=GradientDescent(learning_rate=1e-3),
        max_steps=2000,
    ),
    "Newton": minimize(
        rosenbrock, start, optimizer=Newton(), max_steps=50, tol=1e-10
    ),
}

fig, (paths_ax, loss_ax) = plt.subplots(
    1, 2, figsize=(11, 4.2), width_ratios=[1.4, 1]
)
plot_trajectories(
    rosenbrock,
    {name: run.path for name, run in runs.items()},
    minima=rosenbrock.minima,
    ax=paths_ax,
)
# Newton's last loss is exactly 0, which a logarithmic axis cannot show: it is
# drawn at a floor of 1e-30 instead. A step axis linear up to 10, then
# logarithmic, shows both runs.
plot_loss_curves(
    {name: np.maximum(run.losses, 1e-30) for name, run in runs.items()},
    ax=loss_ax,
)
loss_ax.set_xscale("symlog", linthresh=10)
loss_ax.set_xlim(left=0)

# %%
# Each Newton step solves a 2-by-2 linear system with the Hessian, so a step
# costs more, but it needs a few hundred times fewer of them here.
for name, run in runs.items():
    print(f"{name}: {run.message}")
    print(f"  ends at {run.x.round(8).tolist()}, loss {run.loss:.1e}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
