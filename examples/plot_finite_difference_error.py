"""
The finite-difference error curve
=================================

Shrinking the step ``h`` of a finite difference first helps, then hurts. The
truncation error of the forward difference falls like ``h`` and that of the
central difference like ``h^2``, but round-off, about ``ε |f| / h`` with ``ε ≈
2.2e-16``, grows as ``h`` shrinks. On log-log axes their sum is a V whose bottom
is the best step. The figure draws the V for ``f(x) = exp(x)`` at ``x = 1`` and
marks the step ``calcml`` picks by default, and the script prints the best steps
the error analysis predicts. Chapter: :doc:`/numerical-differentiation`.

Run it with ``python plot_finite_difference_error.py``. Add ``--save`` to also
write the figure to ``plot_finite_difference_error.png`` in the working
directory (do so in a headless run, for example with ``MPLBACKEND=Agg``, where
there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import step_error_sweep
from calcml.plotting import plot_step_error, use_book_style

use_book_style()

x0 = 1.0
sweep = step_error_sweep(np.exp, x0, np.exp(x0), steps=np.logspace(-15, 0, 61))
ax = plot_step_error(sweep.steps, sweep.errors, orders=(1, 2))
for method, step in sweep.default_steps.items():
    ax.axvline(step, linewidth=1, linestyle=":", color="black")
    ax.annotate(
        f"default {method} step",
        (step, 1e-13),
        rotation=90,
        fontsize=9,
        ha="right",
    )
ax.set_title(r"$f(x) = e^x$ at $x = 1$")

# %%
# Balancing the two errors predicts the best step: ``sqrt(ε)`` for the forward
# difference and ``ε^(1/3)`` for the central one (for a function like ``exp``
# whose derivatives are all of the size of ``f``).
eps = np.finfo(float).eps
for method, predicted in (
    ("forward", np.sqrt(eps)),
    ("central", eps ** (1 / 3)),
):
    errors = sweep.errors[method]
    best = np.nanargmin(errors)
    print(
        f"{method}: smallest error {errors[best]:.1e} "
        f"at h = {sweep.steps[best]:.1e}, "
        f"predicted best step {predicted:.1e}"
    )

if "--save" in sys.argv:
    ax.figure.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
