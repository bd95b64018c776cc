"""
A tiny transformer learns to sort digits
========================================

One pre-norm transformer block, two attention heads and a small MLP, learns
to sort strings of six digits. Unlike the chapter's model, which reverses
strings with a fixed sinusoidal positional encoding, this one *learns* its
positional embedding: one row of parameters per position, trained like the
rest. Everything is differentiated by ``calcml.value_and_grad`` on a
dictionary of parameters and stepped by ``calcml.Adam``; a directional
derivative checks the gradient of the whole model first. The figure shows the
loss while training and what each head attends to in one held-out sequence.
Sorting is harder than reversing: the output at a position depends on how
many digits are smaller, not on one place in the input, so after 300 steps
some digits are still wrong. Chapter: :doc:`/transformer`.

Run it with ``python plot_tiny_transformer.py``. Add ``--save`` to also
write the figure to ``plot_tiny_transformer.png`` in the working directory
(do so in a headless run, for example with ``MPLBACKEND=Agg``, where there
is no window to show it in).
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calcml import Adam, cosine_decay, directional_derivative, value_and_grad
from calcml.autodiff import log_softmax, relu, softmax
from calcml.datasets import make_sequence_task
from calcml.plotting import use_book_style

use_book_style()

length, vocabulary, width, heads, hidden = 6, 10, 16, 2, 32
X_train, Y_train = make_sequence_task(1000, length=length, task="sort", seed=0)
X_test, Y_test = make_sequence_task(500, length=length, task="sort", seed=1)

rng = np.random.default_rng(0)
shapes = {
    "tokens": (vocabulary, width),  # one learned row per digit
    "positions": (length, width),  # one learned row per position
    "W_qkv": (3 * width, width),  # queries, keys, values stacked
    "W_o": (width, width),
    "W_1": (hidden, width),
    "b_1": (hidden,),
    "W_2": (width, hidden),
    "b_2": (width,),
    "W_out": (vocabulary, width),
    "b_out": (vocabulary,),
}
params = {
    name: (
        np.zeros(shape)
        if name.startswith("b_")
        else rng.normal(0.0, 1 / np.sqrt(shape[-1]), size=shape)
    )
    for name, shape in shapes.items()
}
params["tokens"] *= np.sqrt(width)  # unit-variance rows, like the positions'
params["positions"] *= np.sqrt(width)


def normalize(rows):
    """Layer normalization of every row (no learned scale or shift)."""
    centered = rows - np.mean(rows, axis=-1, keepdims=True)
    return centered / np.sqrt(
        np.mean(centered**2, axis=-1, keepdims=True) + 1e-5
    )


def run(params, X):
    """Logits (batch, length, vocabulary) and per-head attention weights."""
    batch = len(X)
    d = width // heads
    stream = params["tokens"][X] + params["positions"]  # (batch, length, width)
    stream = stream.reshape(batch * length, width)
    qkv = normalize(stream) @ params["W_qkv"].T  # one product for all three
    q, k, v = qkv.reshape(batch, length, 3, heads, d).transpose(2, 0, 1, 3, 4)
    weights = softmax(np.einsum("bihd,bjhd->bhij", q, k) / np.sqrt(d), axis=-1)
    mixed = np.einsum("bhij,bjhd->bihd", weights, v).reshape(-1, width)
    stream = stream + mixed @ params["W_o"].T
    hidden_units = relu(normalize(stream) @ params["W_1"].T + params["b_1"])
    stream = stream + hidden_units @ params["W_2"].T + params["b_2"]
    logits = normalize(stream) @ params["W_out"].T + params["b_out"]
    return logits.reshape(batch, length, vocabulary), weights


def cross_entropy(params, X, Y):
    log_p = log_softmax(run(params, X)[0], axis=-1)
    return -np.sum(log_p * np.eye(vocabulary)[Y]) / Y.size


# %%
# The engine's gradient of the whole model, against a finite difference
# along one random direction in the space of all parameters.
names = list(params)


def ravel(tree):
    return np.concatenate([tree[name].ravel() for name in names])


def unravel(theta):
    pieces = np.split(theta, np.cumsum([params[n].size for n in names])[:-1])
    return {
        n: p.reshape(params[n].shape)
        for n, p in zip(names, pieces, strict=True)
    }


X_few, Y_few = X_train[:16], Y_train[:16]
_, gradient = value_and_grad(cross_entropy)(params, X_few, Y_few)
direction = rng.normal(size=ravel(params).size)
slope = directional_derivative(
    lambda theta: cross_entropy(unravel(theta), X_few, Y_few),
    ravel(params),
    direction,
    method="richardson",
)
error = abs(slope - ravel(gradient) @ direction) / abs(slope)
print(f"directional check, {direction.size} parameters: error {error:.0e}")
assert error < 1e-7

# %%
# Training: mini-batches of 32 sequences, Adam with a cosine schedule.
steps = 300
optimizer = Adam(learning_rate=cosine_decay(0.01, total_steps=steps))
loss_and_gradient = value_and_grad(cross_entropy)
losses = []
for _ in range(steps):
    rows = rng.integers(0, len(X_train), size=32)
    loss, gradient = loss_and_gradient(params, X_train[rows], Y_train[rows])
    losses.append(loss)
    params = optimizer.step(params, gradient)

logits, weights = run(params, X_test)
right = np.argmax(logits, axis=-1) == Y_test
print(
    f"held-out: {right.mean():.1%} of digits and "
    f"{right.all(axis=1).mean():.1%} of sequences sorted right"
)

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), width_ratios=[1.4, 1, 1])
axes[0].semilogy(losses, lw=0.8)
axes[0].set_xlabel("step")
axes[0].set_ylabel("mini-batch cross-entropy")
axes[0].set_title("Learning to sort six digits")
example = X_test[0]
for head, ax in enumerate(axes[1:]):
    ax.imshow(weights[0, head], cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(length), [str(d) for d in example])
    ax.set_yticks(range(length), [str(d) for d in np.sort(example)])
    ax.set_xlabel("input digit (key)")
    ax.set_ylabel("sorted output digit (query)")
    ax.set_title(f"head {head + 1}")
    ax.grid(False)

if "--save" in sys.argv:
    fig.savefig(Path(__file__).with_suffix(".png").name)
plt.show()
