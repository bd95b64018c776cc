"""Loss and gradient of a multilayer perceptron: calcml against hand-written numpy and peers.

Run as ``python bench/autodiff.py`` (``nox -s bench -- autodiff``); ``--baseline REF`` also
times calcml as it is at the git revision ``REF`` (e.g. ``main``) in the same run, so that a
change to the engine is measured side by side with what it replaces. Every library computes
the same loss and gradient on the same data, in float64, and the gradients are checked against
the hand-written numpy pass before anything is timed. Each network is run with its parameters
held two ways: a list of arrays, and one flat vector sliced and reshaped into the layers (as
``scipy.optimize`` users write it). Timings alternate between libraries round
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

import argparse  # noqa: E402
import functools  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
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
    """Weights ``W`` of shape (outputs, inputs), as in the book: a layer is ``h @ W.T + b``."""
    rng = np.random.default_rng(0)
    params: Params = []
    for fan_in, fan_out in zip(case.sizes[:-1], case.sizes[1:], strict=True):
        params += [rng.normal(size=(fan_out, fan_in)) * np.sqrt(2 / fan_in), np.zeros(fan_out)]
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
        h = ops.relu(h @ params[i].T + params[i + 1])
    scores = h @ params[-2].T + params[-1]
    if cross_entropy:
        return ops.mean(ops.logsumexp_rows(scores) - scores[np.arange(len(y)), y])
    return ops.mean((scores - y) ** 2)


def numpy_forward_backward(params: Params, x: np.ndarray, y: np.ndarray, ce: bool) -> Any:
    """Backpropagation written out by hand: the floor for any engine built on numpy."""
    activations, pre = [x], []
    for i in range(0, len(params) - 2, 2):
        pre.append(activations[-1] @ params[i].T + params[i + 1])
        activations.append(np.maximum(pre[-1], 0.0))
    scores = activations[-1] @ params[-2].T + params[-1]
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
        grads[2 * layer] = delta.T @ activations[layer]
        grads[2 * layer + 1] = delta.sum(axis=0)
        if layer:
            delta = (delta @ params[2 * layer]) * (pre[layer - 1] > 0)
    return value, grads


def unflatten(flat: Any, shapes: list[tuple[int, ...]]) -> list[Any]:
    """Slice one flat parameter vector into the layers' arrays (works on any library's)."""
    params, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        params.append(flat[start : start + size].reshape(shape))
        start += size
    return params


LAYOUTS = ("list of arrays", "one flat vector")


@functools.cache
def _revision(ref: str) -> str:
    """``ref`` as the commit it names now, e.g. ``main (1a2b3c4)``: the label says which."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    ).stdout.strip()
    return f"{ref} ({commit})"


@functools.cache
def _baseline(ref: str) -> Any:
    """calcml as it is at git revision ``ref``, imported as ``calcml_baseline``."""
    folder = Path(tempfile.mkdtemp(prefix="calcml-baseline-"))
    archive = subprocess.run(
        ["git", "archive", ref, "calcml"],
        check=True,
        capture_output=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "calcml").rename(folder / "calcml_baseline")
    for source in (folder / "calcml_baseline").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        source.write_text(re.sub(r"\bcalcml\b(?=[.\s])", "calcml_baseline", text), "utf-8")
    sys.path.insert(0, str(folder))
    import calcml_baseline  # type: ignore[import-not-found]

    return calcml_baseline


def _calcml_peer(
    module: Any, case: Case, x: np.ndarray, y: np.ndarray, shapes: list[tuple[int, ...]] | None
) -> Callable[[Any], Any]:
    """``params -> (loss, gradients)`` with one version of calcml, in one layout."""
    ops = Ops(lambda h: np.maximum(h, 0.0), lambda s: module.autodiff.logsumexp(s, axis=1), np.mean)
    ce = case.cross_entropy
    if shapes is None:
        count = len(case.sizes) * 2 - 2
        value_and_grad = module.value_and_grad(
            lambda *p: loss(p, x, y, ce, ops), argnums=tuple(range(count))
        )
        return lambda params: value_and_grad(*params)
    flat_value_and_grad = module.value_and_grad(
        lambda flat: loss(unflatten(flat, shapes), x, y, ce, ops)
    )

    def call(params: Any) -> Any:
        value, gradient = flat_value_and_grad(params)
        return value, [gradient]

    return call


def _peers(
    case: Case, params: Params, x: np.ndarray, y: np.ndarray, layout: str, baseline: str | None
) -> dict[str, Any]:
    """name -> a function computing (loss, grads) as numpy, or the reason it is skipped.

    In the flat layout every function takes the one vector and returns its gradient as a
    one-element list, so that all are checked against the same hand-written numbers.
    """
    ce = case.cross_entropy
    shapes = [p.shape for p in params] if layout == LAYOUTS[1] else None
    held: Any = params if shapes is None else np.concatenate([p.ravel() for p in params])

    def hand_written() -> Any:
        if shapes is None:
            return numpy_forward_backward(params, x, y, ce)
        value, grads = numpy_forward_backward(unflatten(held, shapes), x, y, ce)
        return value, [np.concatenate([g.ravel() for g in grads])]

    def as_layers(library_params: Any) -> Any:
        return library_params if shapes is None else unflatten(library_params, shapes)

    def as_list(grads: Any) -> list[Any]:
        return list(grads) if shapes is None else [grads]

    peers: dict[str, Any] = {"numpy, hand-written": hand_written}
    calcml_call = _calcml_peer(calcml, case, x, y, shapes)
    peers["calcml"] = lambda: calcml_call(held)
    if baseline is not None:
        baseline_call = _calcml_peer(_baseline(baseline), case, x, y, shapes)
        peers[f"calcml at {_revision(baseline)}"] = lambda: baseline_call(held)

    if importlib.util.find_spec("autograd"):
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.special import logsumexp as autograd_lse

        autograd_ops = Ops(
            lambda h: anp.maximum(h, 0.0), lambda s: autograd_lse(s, axis=1), anp.mean
        )
        autograd_vg = autograd.value_and_grad(lambda p: loss(as_layers(p), x, y, ce, autograd_ops))

        def autograd_call() -> Any:
            value, grads = autograd_vg(held)
            return value, as_list(grads)

        peers["HIPS autograd"] = autograd_call
    else:
        peers["HIPS autograd"] = "not installed"

    if importlib.util.find_spec("torch"):
        import torch

        torch.set_num_threads(1)
        torch_ops = Ops(torch.relu, lambda s: torch.logsumexp(s, dim=1), torch.mean)
        torch_held = (
            [torch.tensor(p, requires_grad=True) for p in params]
            if shapes is None
            else torch.tensor(held, requires_grad=True)
        )
        tx, ty = torch.tensor(x), torch.tensor(y)

        def torch_vg() -> Any:
            value = loss(as_layers(torch_held), tx, ty, ce, torch_ops)
            inputs = torch_held if shapes is None else [torch_held]
            grads = torch.autograd.grad(value, inputs)
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
        jax_held = [jnp.asarray(p) for p in params] if shapes is None else jnp.asarray(held)
        for label, transform in (("eager", lambda f: f), ("jit", jax.jit)):
            jax_vg = transform(jax.value_and_grad(lambda p: loss(as_layers(p), x, y, ce, jax_ops)))

            def jax_call(jax_vg: Any = jax_vg) -> Any:
                value, grads = jax_vg(jax_held)
                grads = jax.block_until_ready(grads)
                return float(value), [np.asarray(g) for g in as_list(grads)]

            peers[f"JAX (CPU, {label})"] = jax_call
    else:
        peers["JAX (CPU, eager)"] = peers["JAX (CPU, jit)"] = "not installed"
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
                h = [sum((h[i] * w[j][i] for i in range(len(h))), b[j]) for j in range(len(b))]
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


def _run(case: Case, layout: str, baseline: str | None) -> tuple[list[list[object]], list[str]]:
    params, x, y = _problem(case)
    peers = _peers(case, params, x, y, layout, baseline)
    notes = [f"{name}: skipped ({why})" for name, why in peers.items() if isinstance(why, str)]
    runnable = {name: call for name, call in peers.items() if not isinstance(call, str)}
    expected_value, expected = runnable["numpy, hand-written"]()
    for name, call in runnable.items():
        value, grads = call()  # also warms up (JAX compiles here)
        assert np.isclose(float(value), expected_value, rtol=1e-9), name
        for mine, reference in zip(grads, expected, strict=True):
            np.testing.assert_allclose(mine, reference, rtol=1e-7, atol=1e-10, err_msg=name)
    shapes = [p.shape for p in params]
    flat = np.concatenate([p.ravel() for p in params])

    def forward_pass() -> Any:
        layers = params if layout == LAYOUTS[0] else unflatten(flat, shapes)
        return loss(layers, x, y, case.cross_entropy, NUMPY_OPS)

    samples: dict[str, list[float]] = {name: [] for name in runnable}
    forward: list[float] = []
    for _ in range(case.rounds):
        start = time.perf_counter()
        forward_pass()
        forward.append(time.perf_counter() - start)
        for name, call in runnable.items():
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    if not case.cross_entropy and layout == LAYOUTS[0] and importlib.util.find_spec("micrograd"):
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
            layout,
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
                layout,
                name,
                f"{fastest:.3f}",
                f"{median:.3f}",
                f"{fastest / floor:.2f}",
                f"{fastest / numpy_forward:.2f}",
            ]
        )
    return rows, notes


def _hvp_rows(case: Case, rounds: int, baseline: str | None) -> list[list[object]]:
    """A Hessian-vector product of the loss in the flat layout: calcml's forward over reverse
    against the gradient computed twice (a central difference of gradients, the numerical
    route) and against autograd's and JAX's own, each checked against the others."""
    params, x, y = _problem(case)
    shapes = [p.shape for p in params]
    flat = np.concatenate([p.ravel() for p in params])
    direction = np.random.default_rng(1).normal(size=flat.size)
    direction /= np.linalg.norm(direction)
    ops = Ops(lambda h: np.maximum(h, 0.0), lambda s: logsumexp(s, axis=1), np.mean)

    def flat_loss(theta: Any, ops: Ops = ops) -> Any:
        return loss(unflatten(theta, shapes), x, y, case.cross_entropy, ops)

    gradient = calcml.grad(flat_loss)
    step = 1e-5
    peers: dict[str, Callable[[], Any]] = {
        "gradient twice (central difference)": lambda: (
            (gradient(flat + step * direction) - gradient(flat - step * direction)) / (2 * step)
        ),
        "calcml hvp (forward over reverse)": lambda: calcml.autodiff.hvp(
            flat_loss, flat, direction
        ),
    }
    if baseline is not None:
        before = _baseline(baseline)
        before_ops = Ops(
            lambda h: np.maximum(h, 0.0),
            lambda s: before.autodiff.logsumexp(s, axis=1),
            np.mean,
        )
        peers[f"calcml at {_revision(baseline)} hvp"] = lambda: before.autodiff.hvp(
            lambda theta: flat_loss(theta, before_ops), flat, direction
        )
    if importlib.util.find_spec("autograd"):
        import autograd
        import autograd.numpy as anp

        autograd_ops = Ops(
            lambda h: anp.maximum(h, 0.0),
            lambda s: anp.log(anp.sum(anp.exp(s), axis=1)),
            anp.mean,
        )
        product = autograd.hessian_vector_product(lambda t: flat_loss(t, autograd_ops))
        peers["HIPS autograd"] = lambda: product(flat, direction)
    if importlib.util.find_spec("jax"):
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        jax_ops = Ops(jax.nn.relu, lambda s: jax.nn.logsumexp(s, axis=1), jnp.mean)
        jax_gradient = jax.grad(lambda t: flat_loss(t, jax_ops))
        jax_hvp = jax.jit(lambda t, v: jax.jvp(jax_gradient, (t,), (v,))[1])
        peers["JAX (CPU, jit)"] = lambda: np.asarray(
            jax.block_until_ready(jax_hvp(jnp.asarray(flat), jnp.asarray(direction)))
        )
    reference = peers["calcml hvp (forward over reverse)"]()
    for name, call in peers.items():
        # The difference of gradients is an estimate (and ReLU kinks within its step spoil
        # single entries): compared as a whole vector; the exact routes entry by entry.
        estimate = name.startswith("gradient twice")
        error = np.linalg.norm(call() - reference) / np.linalg.norm(reference)
        assert error < (1e-3 if estimate else 1e-9), (name, error)
    samples: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(rounds):
        for name, call in peers.items():
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    floor, _ = _ms(samples["gradient twice (central difference)"])
    return [
        [
            case.name,
            "Hessian-vector product, one flat vector",
            name,
            f"{low:.3f}",
            f"{mid:.3f}",
            f"{low / floor:.2f}",
            "",
        ]
        for name, times in samples.items()
        for low, mid in [_ms(times)]
    ]


def main() -> None:
    """Time every peer on every case and layout and write ``bench/results/autodiff.md``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="also time calcml at this git revision, e.g. main")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows: list[list[object]] = []
    notes: list[str] = []
    for case in CASES:
        for layout in LAYOUTS:
            case_rows, case_notes = _run(case, layout, args.baseline)
            rows += case_rows
            notes += [f"{case.name}, {layout}: {note}" for note in case_notes]
        rows += _hvp_rows(case, max(case.rounds // 4, 5), args.baseline)
    table = markdown_table(
        [
            "case",
            "parameters",
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
        "script); gradients were checked against the hand-written pass before timing. Weights "
        "are (outputs, inputs), a layer is h @ W.T + b. In the flat layout every library "
        "slices one parameter vector into the layers inside the loss and returns one gradient "
        "vector; the hand-written pass concatenates its layer gradients into one. JAX (jit) "
        "is timed after compilation; JAX (eager) runs op by op. micrograd runs the small case "
        "only, once, on 8 of the 128 "
        "samples, its time multiplied by 16: it builds one Python object per scalar and loops "
        "over samples, so its cost is linear in them. The last column is the cheap-gradient "
        "ratio: the cost of the loss and its gradient over the cost of the loss alone in plain "
        "numpy. The Hessian-vector product rows are relative to computing the gradient twice "
        "(a central difference of gradients along the direction, the numerical route)."
    )
    notes.append(
        f"Load average (1 min) {load_before:.2f} at the start and {os.getloadavg()[0]:.2f} at "
        "the end of the run: above the number of cores, other processes shared the machine "
        "and the medians say more about them than about the libraries."
    )
    if args.baseline:
        notes.append(
            f"'calcml at {_revision(args.baseline)}' is calcml as committed at that revision "
            "(git archive), timed in the same run as the working tree's 'calcml', so the two "
            "rows compare the engine before and after the change being measured."
        )
    write_report(
        "autodiff",
        "Loss and gradient of an MLP",
        table,
        command="python bench/autodiff.py"
        + (f" --baseline {args.baseline}" if args.baseline else ""),
        packages=("numpy", "calcml", "autograd", "torch", "jax", "micrograd"),
        notes="\n\n".join(notes),
    )


if __name__ == "__main__":
    main()
