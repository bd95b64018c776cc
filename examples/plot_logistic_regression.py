"""
Logistic regression: the decision boundary
==========================================

Logistic regression models ``P(y = 1 | x) = sigmoid(w · x + b)`` and learns
``w`` and ``b`` by gradient descent on the cross-entropy. Its decision boundary,
where the probability is one half, is the straight line ``w · x + b = 0``, and
the probability changes fastest across it, along ``w``. The figure shades the
learned probability over two overlapping clouds of points and draws the boundary
and the direction ``w``. Chapter: :doc:`/gradient-descent`.

Run it with ``python plot_logistic_regression.py``. Add ``--save`` to also write
the figure to ``plot_logistic_regression.png`` in the working directory (do so
in a headless run, for example with ``MPLBACKEND=Agg``, where there is no window
to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml.models import LogisticRegression
from calcml.plotting import plot_decision_boundary, use_book_style

use_book_style()

# Two Gaussian clouds, 100 points each, centred at (-1, -0.5) and (1, 1).
rng = np.random.default_rng(0)
X = np.concatenate(
    [
        rng.normal([-1.0, -0.5], 0.9, size=(100, 2)),
        rng.normal([1.0, 1.0], 0.9, size=(100, 2)),
    ]
)
y = np.repeat([0.0, 1.0], 100)
model = LogisticRegression(max_steps=500).fit(X, y)

fig, ax = plt.subplots(figsize=(6.4, 5.0))
plot_decision_boundary(model, X, y, bounds=((-4, 4), (-4, 4)), ax=ax)
fig.colorbar(ax.collections[0], ax=ax, label="$P(y = 1 \\mid x)$")
# w is perpendicular to the boundary: the gradient of w · x + b with respect to
# x.
w, b = model.coef_, model.intercept_
foot = -b * w / (w @ w)  # the point of the boundary closest to the origin
ax.annotate(
    "",
    xy=foot + w / np.linalg.norm(w),
    xytext=foot,
    arrowprops={"arrowstyle": "->", "lw": 2},
)
ax.text(*(foot + 1.1 * w / np.linalg.norm(w)), "$w$", fontsize=14)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)

# %%
# The clouds overlap, so no line separates them perfectly; the accuracy is that
# of the best line, and the loss is a proper minimum (the gradient vanishes).
print(f"w = {w}, b = {b:.4f}")
print(f"training accuracy {model.score(X, y):.3f}")
print(model.optimize_result_.message)

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
