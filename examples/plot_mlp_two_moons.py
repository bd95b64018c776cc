"""
A multilayer perceptron on two moons
====================================

No straight line separates two interleaving half moons, so logistic regression
cannot classify them. A multilayer perceptron with one hidden layer of 16 tanh
units can: it is trained here by full-batch Adam, with gradients from
``calcml``'s reverse-mode automatic differentiation. The figure shows the
learned decision regions with the training points, and the training loss.
Chapter: :doc:`/capstone`.

Run it with ``python plot_mlp_two_moons.py``. Add ``--save`` to also write the
figure to ``plot_mlp_two_moons.png`` in the working directory (do so in a
headless run, for example with ``MPLBACKEND=Agg``, where there is no window to
show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt

from calcml.datasets import make_moons, train_test_split
from calcml.models import MLP, LogisticRegression
from calcml.plotting import (
    plot_decision_boundary,
    plot_loss_curves,
    use_book_style,
)

use_book_style()

X, y = make_moons(300, noise=0.15, seed=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
network = MLP(hidden_sizes=(16,), max_steps=400, seed=0).fit(X_train, y_train)
line = LogisticRegression().fit(X_train, y_train)

fig, (regions_ax, loss_ax) = plt.subplots(
    1, 2, figsize=(11, 4.2), width_ratios=[1.3, 1]
)
plot_decision_boundary(network, X_train, y_train, ax=regions_ax)
plot_loss_curves(
    {"MLP (16 tanh units)": network.loss_curve_},
    ylabel="cross-entropy",
    ax=loss_ax,
)

# %%
# Accuracy on points the models did not see in training.
print(f"logistic regression test accuracy: {line.score(X_test, y_test):.3f}")
print(f"MLP test accuracy:                 {network.score(X_test, y_test):.3f}")

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
