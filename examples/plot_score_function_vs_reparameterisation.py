"""
Score function or reparameterisation?
=====================================

Two unbiased estimators of the gradient of an expectation ``F(μ, σ) = E[f(z)]``
over ``z ~ N(μ, σ²)``: the score-function estimator (REINFORCE) weights
``f(z)`` by the gradient of ``log p(z)``, and the reparameterisation estimator
writes ``z = μ + σ ξ`` with ``ξ ~ N(0, 1)`` and differentiates ``f`` along each
sample, here with ``calcml.grad``. The left panel measures the variance of both
against the number of samples for the smooth ``f(z) = z²``; the right panel the
variance of one sample against the frequency ``k`` of ``f(z) = sin(k z)``,
where the reparameterised estimator pays for following a rough slope. Chapter:
:doc:`/gradients-of-expectations`.

Run it with ``python plot_score_function_vs_reparameterisation.py``. Add
``--save`` to also write the figure to
``plot_score_function_vs_reparameterisation.png`` in the working directory (do
so in a headless run, for example with ``MPLBACKEND=Agg``, where there is no
window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import grad
from calcml.plotting import use_book_style

use_book_style()
mu, sigma = 1.0, 0.5
theta = np.array([mu, sigma])


def score_function_estimates(f, xi):
    """One estimate per sample: f(z) times the score of N(mu, sigma²) at z."""
    score = np.stack([xi / sigma, (xi**2 - 1) / sigma], axis=-1)
    return f(mu + sigma * xi)[..., None] * score


def reparameterised_estimate(f, xi):
    """The gradient of the sample mean of f(mu + sigma xi), by reverse mode."""
    return grad(lambda theta: np.mean(f(theta[0] + theta[1] * xi)))(theta)


def square(z):
    return z**2


# %%
# With ``f(z) = z²`` the exact gradient is ``(2 μ, 2 σ)``. Both estimators
# average to it; the reparameterised one (computed by the engine, one call per
# repeat, so few repeats) is far less noisy at every sample size ``S``.
rng = np.random.default_rng(0)
sample_sizes = 2 ** np.arange(0, 9)
n_repeats = 100
xi = rng.standard_normal((n_repeats, sample_sizes[-1]))
sf_variance, rp_variance = [], []
for size in sample_sizes:
    sf = score_function_estimates(square, xi[:, :size]).mean(axis=1)
    rp = np.array([reparameterised_estimate(square, row[:size]) for row in xi])
    sf_variance.append(sf.var(axis=0).sum())
    rp_variance.append(rp.var(axis=0).sum())
print("exact gradient:", 2 * theta)
print("score function, mean of all samples:", sf.mean(axis=0).round(3))
print("reparameterised, mean of all samples:", rp.mean(axis=0).round(3))

# %%
# For ``f(z) = sin(k z)`` the score function's variance stays bounded, since
# ``|f| <= 1``, while the reparameterised estimator multiplies by ``f'``, which
# grows like ``k``.
frequencies = np.arange(1, 13)
xi_one = rng.standard_normal(20_000)
sf_by_k, rp_by_k = [], []
for k in frequencies:
    sf = score_function_estimates(lambda z, k=k: np.sin(k * z), xi_one)
    slope = k * np.cos(k * (mu + sigma * xi_one))
    rp = slope[:, None] * np.stack([np.ones_like(xi_one), xi_one], axis=-1)
    sf_by_k.append(sf.var(axis=0).sum())
    rp_by_k.append(rp.var(axis=0).sum())

fig, (by_size, by_k) = plt.subplots(1, 2, figsize=(10, 4))
by_size.loglog(sample_sizes, rp_variance, "o-", label="reparameterised")
by_size.loglog(sample_sizes, sf_variance, "o-", label="score function")
by_size.set_xlabel("number of samples S")
by_size.set_ylabel("variance of the estimate")
by_size.set_title("f(z) = z²")
by_size.legend()
by_k.semilogy(frequencies, rp_by_k, "o-", label="reparameterised")
by_k.semilogy(frequencies, sf_by_k, "o-", label="score function")
by_k.set_xlabel("frequency k")
by_k.set_ylabel("variance of one sample")
by_k.set_title("f(z) = sin(k z)")
by_k.legend()

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
