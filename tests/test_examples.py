"""Every script of the examples gallery runs as a reader would run it, headless.

Each example runs in a fresh interpreter from an empty working directory, with warnings as
errors and the ``--save`` flag, exactly as ``MPLBACKEND=Agg python -W error plot_x.py --save``:
it must exit cleanly, in a few seconds, and leave its figure behind as a PNG.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
#: The chapters, by docname; every one must have at least one example.
CHAPTERS = (
    "why-calculus",
    "derivatives",
    "partial-derivatives",
    "chain-rule",
    "gradient",
    "gradient-descent",
    "backpropagation",
    "numerical-differentiation",
    "taylor-newton",
    "autodiff-modes",
    "matrix-calculus",
    "optimization-practice",
    "training-stability",
    "capstone",
    "modern-layers",
    "transformer",
    "gradients-of-expectations",
)

#: Generous against a loaded machine: an example should take a few seconds.
TIME_LIMIT_SECONDS = 30


def _docstring(script: Path) -> str:
    return ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""


def test_there_is_an_example_for_every_chapter() -> None:
    linked = {
        chapter
        for script in SCRIPTS
        for chapter in CHAPTERS
        if f":doc:`/{chapter}`" in _docstring(script)
    }
    missing = [chapter for chapter in CHAPTERS if chapter not in linked]
    assert not missing, f"no example links back to chapter(s) {missing}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_example_docstring_has_a_title_says_how_to_run_and_links_its_chapter(
    script: Path,
) -> None:
    assert script.name.startswith("plot_"), "sphinx-gallery runs and thumbnails plot_*.py"
    lines = _docstring(script).splitlines()
    assert len(lines) > 2, f"{script.name} needs a docstring: a title, '===' and a paragraph"
    title, underline = lines[0], lines[1]
    assert set(underline) == {"="}, f"{script.name}: underline the title with '='"
    assert len(underline) >= len(title), f"{script.name}: the title's underline is too short"
    text = "\n".join(lines[2:])
    assert f"python {script.name}" in text, f"{script.name} must say how to run it"
    chapters = [chapter for chapter in CHAPTERS if f":doc:`/{chapter}`" in text]
    assert chapters, f"{script.name} must link its chapter with :doc:`/<chapter>`"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_example_runs_headless_without_warnings_and_saves_its_figure(
    script: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(script), "--save"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{script.name} failed with exit code {completed.returncode}:\n{completed.stderr}"
    )
    assert completed.stderr == "", f"{script.name} wrote to stderr:\n{completed.stderr}"
    figure = tmp_path / f"{script.stem}.png"
    assert figure.is_file(), f"{script.name} saved no figure {figure.name}"
    assert figure.stat().st_size > 0, f"{script.name} saved an empty {figure.name}"
