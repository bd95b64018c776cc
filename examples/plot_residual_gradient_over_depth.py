"""
Residual connections keep the gradient alive over depth
=======================================================

A stack of ``tanh`` blocks with small weights, ``h <- tanh(W h)``, multiplies
the gradient by a small Jacobian at every block, so the gradient that reaches
the input shrinks geometrically with depth. A residual block,
``h <- h + tanh(W h)``, multiplies it by ``I + J`` instead, and the identity
keeps it alive. This example writes the backward pass of both stacks by hand,
checks it against ``calcml.grad`` and finite differences at depth 3, and draws
the length of the gradient at the input for depths 1 to 50.
Chapter: :doc:`/modern-layers`; the vanishing gradient it starts from is
measured in :doc:`/training-stability`.

Run it with ``python plot_residual_gradient_over_depth.py``. Add ``--save`` to
also write the figure to ``plot_residual_gradient_over_depth.png`` in the
working directory (do so in a headless run, for example with
``MPLBACKEND=Agg``, where there is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import check_gradient, grad
from calcml.plotting import use_book_style

use_book_style()

rng = np.random.default_rng(7)
width, max_depth = 8, 50
weights = [
    rng.normal(0.0, 0.2 / np.sqrt(width), size=(width, width))
    for _ in range(max_depth)
]
h0 = rng.normal(size=width)
g_out = rng.normal(size=width)


def block(W, h, skip):
    return h + np.tanh(W @ h) if skip else np.tanh(W @ h)


def stack_backward(h, weights, skip, g):
    """The gradient at the stack's input for upstream gradient ``g``.

    With ``delta = dL/dz`` for ``z = W h``, a plain block sends back
    ``W^T delta`` and a residual block ``g + W^T delta``.
    """
    inputs = []
    for W in weights:
        inputs.append(h)
        h = block(W, h, skip)
    for W, h_in in zip(reversed(weights), reversed(inputs), strict=True):
        delta = g * (1 - np.tanh(W @ h_in) ** 2)
        g = g + W.T @ delta if skip else W.T @ delta
    return g


# %%
# The hand-written backward pass agrees with the engine and with finite
# differences, for both stacks, at depth 3.
for skip in (False, True):

    def loss(h, skip=skip):
        for W in weights[:3]:
            h = block(W, h, skip)
        return np.sum(g_out * h)

    def by_hand(h, skip=skip):
        return stack_backward(h, weights[:3], skip, g_out)

    assert np.allclose(by_hand(h0), grad(loss)(h0), rtol=1e-12, atol=0)
    print(check_gradient(loss, by_hand, h0, raise_on_failure=True))

depths = np.arange(1, max_depth + 1)
norms = {
    skip: [
        np.linalg.norm(stack_backward(h0, weights[:depth], skip, g_out))
        for depth in depths
    ]
    for skip in (False, True)
}
print(f"depth 50: plain {norms[False][-1]:.1e}, residual {norms[True][-1]:.2f}")

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.semilogy(depths, norms[False], "o-", ms=3, label=r"plain: $\tanh(Wh)$")
ax.semilogy(depths, norms[True], "s-", ms=3, label=r"residual: $h + \tanh(Wh)$")
ax.axhline(np.linalg.norm(g_out), color="0.5", ls="--", label="at the output")
ax.set_xlabel("depth (number of blocks)")
ax.set_ylabel(r"$\|\partial L / \partial h_0\|$")
ax.set_title("The gradient at the input, with and without skip connections")
ax.legend()

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
