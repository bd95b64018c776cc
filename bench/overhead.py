"""Benchmark: calcml's own cost per call on the hot paths of an optimizer's loop.

A chapter that races optimizers calls a test function's ``grad`` and an optimizer's ``step``
tens of thousands of times on a point of two coordinates, where numpy's arithmetic costs a few
microseconds and everything else is calcml's checking and bookkeeping. This benchmark times
those calls, and the whole loop, in this checkout and, side by side in the same run, in the
calcml of another git revision (``--against``, default ``main``), extracted with
``git archive`` into a temporary folder and imported in a subprocess.

Times are CPU seconds of the process (``time.process_time``), the minimum of ``REPEATS``
rounds: on a shared machine this is far steadier than wall time, and the two versions
alternate round by round so that a busy spell penalises both.

Run with ``python bench/overhead.py [--against REF]`` (or ``nox -s bench -- overhead``);
writes ``bench/results/overhead.md``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _report import markdown_table, write_report

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5

# One case: a label, the setup and the statement, timed NUMBER times per round. The setup is
# text so that the very same code runs against either version of calcml.
CASES: list[tuple[str, str, str, int]] = [
    (
        "`rosenbrock.grad(x)`, one point",
        "from calcml.functions import rosenbrock\nx = np.array([-1.2, 1.0])",
        "rosenbrock.grad(x)",
        10_000,
    ),
    (
        "`rosenbrock(x)`, one point",
        "from calcml.functions import rosenbrock\nx = np.array([-1.2, 1.0])",
        "rosenbrock(x)",
        10_000,
    ),
    (
        "`rosenbrock.hessian(x)`, one point",
        "from calcml.functions import rosenbrock\nx = np.array([-1.2, 1.0])",
        "rosenbrock.hessian(x)",
        10_000,
    ),
    (
        "`rosenbrock.grad(np.stack([X, Y]))`, 100 x 100 grid",
        "from calcml.functions import rosenbrock\n"
        "X, Y = np.meshgrid(np.linspace(-2, 2, 100), np.linspace(-1, 3, 100))\n"
        "grid = np.stack([X, Y])",
        "rosenbrock.grad(grid)",
        500,
    ),
    (
        "`GradientDescent.step(x, g)`, 2 parameters",
        "from calcml.optimize import GradientDescent\n"
        "opt = GradientDescent(0.01)\nx = np.array([-1.2, 1.0])\ng = np.array([1.0, 2.0])",
        "opt.step(x, g)",
        10_000,
    ),
    (
        "`Adam.step(x, g)`, 2 parameters",
        "from calcml.optimize import Adam\n"
        "opt = Adam(0.01)\nx = np.array([-1.2, 1.0])\ng = np.array([1.0, 2.0])",
        "opt.step(x, g)",
        10_000,
    ),
    (
        "1,000 steps of Adam on Rosenbrock (a chapter's loop)",
        "from calcml.functions import rosenbrock\nfrom calcml.optimize import Adam\n"
        "opt = Adam(0.01)\n"
        "def race():\n"
        "    opt.reset()\n"
        "    x = np.array([-1.2, 1.0])\n"
        "    for _ in range(1000):\n"
        "        x = opt.step(x, rosenbrock.grad(x))\n"
        "    return x",
        "race()",
        10,
    ),
    (
        "`minimize`, 1,000 steps of gradient descent on Rosenbrock (the driver's loop)",
        "from calcml.functions import rosenbrock\n"
        "from calcml.optimize import GradientDescent, minimize\n"
        "def descend():\n"
        "    return minimize(rosenbrock, [-1.2, 1.0], optimizer=GradientDescent(1.5e-3),\n"
        "                    max_steps=1000)",
        "descend()",
        10,
    ),
]

# Run in a subprocess with the version's folder first on sys.path; prints one JSON list of
# seconds per call, one entry per case.
TIMER = """
import json, sys, time, timeit
import numpy as np
cases = json.loads(sys.argv[1])
result = []
for setup, statement, number in cases:
    namespace = {"np": np}
    exec(setup, namespace)
    timer = timeit.Timer(statement, timer=time.process_time, globals=namespace)
    result.append(min(timer.repeat(number=number, repeat=1)) / number)
import calcml
assert calcml.__file__.startswith(sys.argv[2]), calcml.__file__
print(json.dumps(result))
"""


def _commit(ref: str) -> str:
    """The short hash of git revision ``ref``; exits naming it when this clone lacks it."""
    found = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "rev-parse",
            "--short",
            "--verify",
            "--quiet",
            f"{ref}^{{commit}}",
        ],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        sys.exit(
            f"--against: no git revision {ref!r} in this clone; name one, e.g. --against HEAD~1"
        )
    return found.stdout.strip()


def _extract(ref: str, into: Path) -> Path:
    """calcml's package folder as of git revision ``ref``, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "calcml"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _time(source: Path) -> list[float]:
    cases = json.dumps([[setup, statement, number] for _, setup, statement, number in CASES])
    env = {**os.environ, "PYTHONPATH": str(source)}
    # Run from the version's folder: ``python -c`` puts the working directory first on
    # sys.path, ahead of PYTHONPATH, so from this checkout it would import this calcml.
    done = subprocess.run(
        [sys.executable, "-c", TIMER, cases, str(source)],
        env=env,
        cwd=source,
        check=True,
        capture_output=True,
        text=True,
    )
    return [float(seconds) for seconds in json.loads(done.stdout)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="main", help="git revision to compare with")
    args = parser.parse_args()
    # Named by its commit in the report: a branch name moves on, and after a merge "main" is
    # this checkout.
    commit = _commit(args.against)
    unchanged = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", commit, "--", "calcml"])
    if unchanged.returncode == 0:
        # Timing a version against itself would overwrite the results with a ratio of 1.
        print(f"overhead: calcml here is calcml at {args.against} ({commit}); nothing to compare")
        print("name the revision before a change: python bench/overhead.py --against REV")
        return
    against = commit if commit.startswith(args.against) else f"{args.against} ({commit})"
    with tempfile.TemporaryDirectory() as folder:
        other = _extract(args.against, Path(folder))
        rounds: dict[str, list[list[float]]] = {"this": [], "other": []}
        for _ in range(REPEATS):
            rounds["other"].append(_time(other))
            rounds["this"].append(_time(ROOT))
    best = {
        version: [min(column) for column in zip(*runs, strict=True)]
        for version, runs in rounds.items()
    }
    rows = [
        (
            label,
            f"{1e6 * before:,.1f}",
            f"{1e6 * after:,.1f}",
            f"{before / after:.1f}x",
        )
        for (label, *_), before, after in zip(CASES, best["other"], best["this"], strict=True)
    ]
    table = markdown_table(
        ["call", f"µs per call, {against}", "µs per call, this checkout", "speed-up"], rows
    )
    write_report(
        "overhead",
        "calcml's cost per call on an optimizer's hot paths",
        table,
        command=f"python bench/overhead.py --against {args.against}",
        notes=(
            f"CPU time per call, the minimum over {REPEATS} rounds that alternate between the "
            "two versions; both run in the same Python with the same numpy."
        ),
    )


if __name__ == "__main__":
    main()
