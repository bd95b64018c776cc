"""Loss and gradient of a multilayer perceptron: calcml against hand-written numpy and peers.

Run as ``python bench/autodiff.py`` (``nox -s bench -- autodiff``). Every library computes the
same loss and gradient on the same data, in float64, and the gradients are checked against the
hand-written numpy pass before anything is timed. Timings alternate between libraries round
by round, so that a slow spell of a shared machine hits all of them alike; the table reports
the minimum and median times, and each library's ratio (of minima) to the hand-written numpy
pass, the fastest a numpy engine can be. A library that is not installed is skipped with a
note.
"""

from __future__ import annotations

import os

# One thread for every library: on a small shared machine, numpy's BLAS, PyTorch's and XLA's
# thread pools otherwise spin against each other and the timings measure the contention.
# These must be set before numpy, torch or jax is first imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

import importlib.util  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from _report import markdown_table, write_report  # noqa: E402

import calcml  # noqa: E402
from calcml.autodiff import logsumexp  # noqa: E402

Params = list[np.ndarray]


@dataclass(frozen=True)
class Case:
    """A network and its loss: ``cross_entropy`` for classification, else mean squared error."""

    name: str
    sizes: tuple[int, ...]
    batch: int
    cross_entropy: bool
    rounds: int


CASES = (
    Case("784-256-128-10, batch 128, cross-entropy", (784, 256, 128, 10), 128, True, 40),
    Case("2-64-64-1, batch 128, squared error", (2, 64, 64, 1), 128, False, 200),
)


def _problem(case: Case) -> tuple[Params, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    params: Params = []
    for fan_in, fan_out in zip(case.sizes[:-1], case.sizes[1:], strict=True):
        params += [rng.normal(size=(fan_in, fan_out)) * np.sqrt(2 / fan_in), np.zeros(fan_out)]
    x = rng.normal(size=(case.batch, case.sizes[0]))
    if case.cross_entropy:
        return params, x, rng.integers(0, case.sizes[-1], case.batch)
    return params, x, rng.normal(size=(case.batch, 1))


@dataclass(frozen=True)
class Ops:
    """The three functions where the libraries' spellings differ."""

    relu: Callable[[Any], Any]
    logsumexp_rows: Callable[[Any], Any]
    mean: Callable[[Any], Any]


NUMPY_OPS = Ops(lambda h: np.maximum(h, 0.0), lambda s: logsumexp(s, axis=1), np.mean)


def loss(params: Any, x: Any, y: Any, cross_entropy: bool, ops: Ops) -> Any:
    """The network: ReLU hidden layers, linear output; plain numpy code with NUMPY_OPS."""
    h = x
    for i in range(0, len(params) - 2, 2):
        h = ops.relu(h @ params[i] + params[i + 1])
    scores = h @ params[-2] + params[-1]
    if cross_entropy:
        return ops.mean(ops.logsumexp_rows(scores) - scores[np.arange(len(y)), y])
    return ops.mean((scores - y) ** 2)


def numpy_forward_backward(params: Params, x: np.ndarray, y: np.ndarray, ce: bool) -> Any:
    """Backpropagation written out by hand: the floor for any engine built on numpy."""
    activations, pre = [x], []
    for i in range(0, len(params) - 2, 2):
        pre.append(activations[-1] @ params[i] + params[i + 1])
        activations.append(np.maximum(pre[-1], 0.0))
    scores = activations[-1] @ params[-2] + params[-1]
    n = len(y)
    if ce:
        top = scores.max(axis=1, keepdims=True)
        exps = np.exp(scores - top)
        total = exps.sum(axis=1, keepdims=True)
        value = np.mean(np.log(total[:, 0]) + top[:, 0] - scores[np.arange(n), y])
        delta = exps / total
        delta[np.arange(n), y] -= 1.0
        delta /= n
    else:
        residual = scores - y
        value = np.mean(residual**2)
        delta = 2.0 * residual / residual.size
    grads: Params = [np.empty(0)] * len(params)
    for layer in range(len(params) // 2 - 1, -1, -1):
        grads[2 * layer] = activations[layer].T @ delta
        grads[2 * layer + 1] = delta.sum(axis=0)
        if layer:
            delta = (delta @ params[2 * layer].T) * (pre[layer - 1] > 0)
    return value, grads


def _peers(case: Case, params: Params, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """name -> a function computing (loss, grads) as numpy, or the reason it is skipped."""
    ce = case.cross_entropy
    peers: dict[str, Any] = {
        "numpy, hand-written": lambda: numpy_forward_backward(params, x, y, ce),
    }
    value_and_grad = calcml.value_and_grad(
        lambda *p: loss(p, x, y, ce, NUMPY_OPS), argnums=tuple(range(len(params)))
    )
    peers["calcml"] = lambda: value_and_grad(*params)

    if importlib.util.find_spec("autograd"):
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp as autograd_lse

        autograd_ops = Ops(
            lambda h: anp.maximum(h, 0.0), lambda s: autograd_lse(s, axis=1), anp.mean
        )
        autograd_vg = autograd.value_and_grad(lambda p: loss(p, x, y, ce, autograd_ops))
        peers["HIPS autograd"] = lambda: autograd_vg(params)
    else:
        peers["HIPS autograd"] = "not installed"

    if importlib.util.find_spec("torch"):
        import torch

        torch.set_num_threads(1)
        torch_ops = Ops(torch.relu, lambda s: torch.logsumexp(s, dim=1), torch.mean)
        torch_params = [torch.tensor(p, requires_grad=True) for p in params]
        tx, ty = torch.tensor(x), torch.tensor(y)

        def torch_vg() -> Any:
            value = loss(torch_params, tx, ty, ce, torch_ops)
            grads = torch.autograd.grad(value, torch_params)
            return value.item(), [g.numpy() for g in grads]

        peers["PyTorch (CPU)"] = torch_vg
    else:
        peers["PyTorch (CPU)"] = "not installed"

    if importlib.util.find_spec("jax"):
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        import jax.numpy as jnp
        from jax.nn import logsumexp as jax_lse

        jax_ops = Ops(jax.nn.relu, lambda s: jax_lse(s, axis=1), jnp.mean)
        jax_vg = jax.jit(jax.value_and_grad(lambda p: loss(p, x, y, ce, jax_ops)))
        jax_params = [jnp.asarray(p) for p in params]

        def jax_call() -> Any:
            value, grads = jax_vg(jax_params)
            return float(value), [np.asarray(jax.block_until_ready(g)) for g in grads]

        peers["JAX (CPU, jit)"] = jax_call
    else:
        peers["JAX (CPU, jit)"] = "not installed"
    return peers


def _micrograd(params: Params, x: np.ndarray, y: np.ndarray) -> Callable[[], Any]:
    """The scalar engine: one Python object per number, squared-error case only."""
    from micrograd.engine import Value

    def call() -> Any:
        weights = [
            [[Value(w) for w in row] for row in p] if p.ndim == 2 else [Value(b) for b in p]
            for p in params
        ]
        total = Value(0.0)
        for sample, target in zip(x, y[:, 0], strict=True):
            h: list[Any] = [Value(v) for v in sample]
            for layer in range(0, len(weights), 2):
                w, b = weights[layer], weights[layer + 1]
                h = [sum((h[i] * w[i][j] for i in range(len(h))), b[j]) for j in range(len(b))]
                if layer < len(weights) - 2:
                    h = [v.relu() for v in h]
            total = total + (h[0] - float(target)) ** 2
        value = total * (1.0 / len(y))
        value.backward()
        grads = [
            np.array([[w.grad for w in row] for row in p])
            if isinstance(p[0], list)
            else np.array([b.grad for b in p])
            for p in weights
        ]
        return value.data, grads

    return call


#: micrograd is timed on batch / MICROGRAD_SCALE samples.
MICROGRAD_SCALE = 16


def _ms(samples: list[float]) -> tuple[float, float]:
    """Minimum and median in milliseconds. The minimum is the least disturbed run, the
    better estimate of the intrinsic cost on a shared machine; the median shows the spread."""
    return 1e3 * min(samples), 1e3 * statistics.median(samples)


def _run(case: Case) -> tuple[list[list[object]], list[str]]:
    params, x, y = _problem(case)
    peers = _peers(case, params, x, y)
    notes = [f"{name}: skipped ({why})" for name, why in peers.items() if isinstance(why, str)]
    runnable = {name: call for name, call in peers.items() if not isinstance(call, str)}
    expected_value, expected = runnable["numpy, hand-written"]()
    for name, call in runnable.items():
        value, grads = call()  # also warms up (JAX compiles here)
        assert np.isclose(float(value), expected_value, rtol=1e-9), name
        for mine, reference in zip(grads, expected, strict=True):
            np.testing.assert_allclose(mine, reference, rtol=1e-7, atol=1e-10, err_msg=name)
    samples: dict[str, list[float]] = {name: [] for name in runnable}
    forward: list[float] = []
    for _ in range(case.rounds):
        start = time.perf_counter()
        loss(params, x, y, case.cross_entropy, NUMPY_OPS)
        forward.append(time.perf_counter() - start)
        for name, call in runnable.items():
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    if not case.cross_entropy and importlib.util.find_spec("micrograd"):
        # A scalar engine's cost is linear in the batch (a Python loop over samples), so it
        # is timed on a slice and scaled; a full batch would take minutes per call.
        part = case.batch // MICROGRAD_SCALE
        micrograd_call = _micrograd(params, x[:part], y[:part])
        value, grads = micrograd_call()
        expected_value, expected = numpy_forward_backward(params, x[:part], y[:part], False)
        assert np.isclose(value, expected_value, rtol=1e-9)
        for mine, reference in zip(grads, expected, strict=True):
            np.testing.assert_allclose(mine, reference, rtol=1e-7, atol=1e-10)
        start = time.perf_counter()
        micrograd_call()
        samples[f"micrograd (scalars; {part} samples, ×{MICROGRAD_SCALE})"] = [
            MICROGRAD_SCALE * (time.perf_counter() - start)
        ]
    floor, _ = _ms(samples["numpy, hand-written"])
    numpy_forward, forward_median = _ms(forward)
    rows: list[list[object]] = [
        [
            case.name,
            "numpy forward only (the loss)",
            f"{numpy_forward:.3f}",
            f"{forward_median:.3f}",
            f"{numpy_forward / floor:.2f}",
            "1.00",
        ]
    ]
    for name, times in samples.items():
        fastest, median = _ms(times)
        rows.append(
            [
                case.name,
                name,
                f"{fastest:.3f}",
                f"{median:.3f}",
                f"{fastest / floor:.2f}",
                f"{fastest / numpy_forward:.2f}",
            ]
        )
    return rows, notes


def main() -> None:
    """Time every peer on every case and write ``bench/results/autodiff.md``."""
    rows: list[list[object]] = []
    notes: list[str] = []
    for case in CASES:
        case_rows, case_notes = _run(case)
        rows += case_rows
        notes += [f"{case.name}: {note}" for note in case_notes]
    table = markdown_table(
        [
            "case",
            "library",
            "loss + gradient, ms (min)",
            "ms (median)",
            "× hand-written numpy",
            "× numpy forward",
        ],
        rows,
    )
    notes.append(
        "All libraries compute in float64 on the same data, on one thread each (set by the "
        "script); gradients were checked against the hand-written pass before timing. JAX is "
        "timed after compilation. micrograd runs the small case only, once, on 8 of the 128 "
        "samples, its time multiplied by 16: it builds one Python object per scalar and loops "
        "over samples, so its cost is linear in them. The last column is the cheap-gradient "
        "ratio: the cost of the loss and its gradient over the cost of the loss alone in plain "
        "numpy."
    )
    write_report(
        "autodiff",
        "Loss and gradient of an MLP",
        table,
        command="python bench/autodiff.py",
        packages=("numpy", "calcml", "autograd", "torch", "jax", "micrograd"),
        notes="\n\n".join(notes),
    )


if __name__ == "__main__":
    main()
