"""
Optimizers racing on Rosenbrock's valley
========================================

Plain gradient descent, momentum, Nesterov's accelerated gradient, RMSProp and
Adam all start from the same point of Rosenbrock's banana valley with the same
budget of 300 steps. Momentum methods build up speed along the flat valley
floor; RMSProp and Adam rescale each coordinate by the size of its recent
gradients. The figure shows their paths over the level sets and their loss
curves. Chapter: :doc:`/optimization-practice`.

Run it with ``python plot_optimizers_on_rosenbrock.py``. Add ``--save`` to also
write the figure to ``plot_optimizers_on_rosenbrock.png`` in the working
directory (do so in a headless run, for example with ``MPLBACKEND=Agg``, where
there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt

from calcml import Adam, GradientDescent, Momentum, Nesterov, RMSProp, minimize
from calcml.functions import rosenbrock
from calcml.plotting import plot_loss_curves, plot_trajectories, use_book_style

use_book_style()

# Learning rates from a short sweep by hand: each works for its method here. Try
# others; Nesterov with 2e-3, for one, diverges.
optimizers = {
    "gradient descent": GradientDescent(learning_rate=1e-3),
    "momentum": Momentum(learning_rate=1e-3, momentum=0.9),
    "Nesterov": Nesterov(learning_rate=1e-3, momentum=0.9),
    "RMSProp": RMSProp(learning_rate=0.01),
    "Adam": Adam(learning_rate=0.1),
}
start = [-1.5, 2.0]
runs = {
    name: minimize(rosenbrock, start, optimizer=optimizer, max_steps=300)
    for name, optimizer in optimizers.items()
}

fig, (paths_ax, loss_ax) = plt.subplots(1, 2, figsize=(12, 4.4))
plot_trajectories(
    rosenbrock,
    {name: run.path for name, run in runs.items()},
    minima=rosenbrock.minima,
    bounds=rosenbrock.bounds,
    ax=paths_ax,
)
plot_loss_curves({name: run.losses for name, run in runs.items()}, ax=loss_ax)

# %%
# Where each one stands after 300 steps.
for name, run in sorted(runs.items(), key=lambda item: item[1].loss):
    print(f"{name:>16}: loss {run.loss:.2e} at {run.x.round(3).tolist()}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
