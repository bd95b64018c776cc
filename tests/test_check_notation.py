"""tools/check_notation.py flags formulas that break the notation page, and only those."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).parents[1] / "tools" / "check_notation.py"
_spec = importlib.util.spec_from_file_location("check_notation", TOOL)
assert _spec is not None
assert _spec.loader is not None
check_notation = importlib.util.module_from_spec(_spec)
sys.modules["check_notation"] = check_notation  # dataclasses look their module up there
_spec.loader.exec_module(check_notation)

CELL = "```{code-cell} ipython3\n"


def rules_broken(tmp_path: Path, chapter: str) -> list[str]:
    page = tmp_path / "chapter.md"
    page.write_text(chapter, encoding="utf-8")
    return [finding.rule.name for finding in check_notation.check(page)]


@pytest.mark.parametrize(
    ("chapter", "rule"),
    [
        (r"A layer $\mathbf{h} = \mathbf{W}^{\mathsf T}\mathbf{x}$.", "weight-orientation"),
        (r"$$\mathbf{h}_2 = \tanh(\mathbf{W}_2^\top \mathbf{h}_1)$$", "weight-orientation"),
        (r"A batch $\mathbf{Z} = \mathbf{X}\mathbf{W}_1 + \mathbf{b}$.", "weight-orientation"),
        (CELL + "Z = X @ W1 + b1\n```\n", "weight-orientation"),
        (r"The residual $r = y - \hat y$.", "residual"),
        (r"$\mathbf{r} = \mathbf{y} - \mathbf{X}\boldsymbol\theta$", "residual"),
        (
            r"$\nabla L = \mathbf{A}^{\mathsf T}(\mathbf{A}\mathbf{w} - \mathbf{y})$",
            "design-matrix",
        ),
        (
            "```{math}\n\\mathbf{g} = \\frac{1}{m} \\sum_{i \\in B} \\nabla \\ell_i\n```\n",
            "m-is-outputs",
        ),
        (
            r"$\boldsymbol\delta = \frac{\partial L}{\partial \mathbf{h}}$",
            "delta-is-pre-activation",
        ),
    ],
)
def test_a_formula_against_the_notation_page_is_flagged(
    tmp_path: Path, chapter: str, rule: str
) -> None:
    assert rule in rules_broken(tmp_path, chapter)


@pytest.mark.parametrize(
    "chapter",
    [
        r"A layer $\mathbf{z} = \mathbf{W}\mathbf{x} + \mathbf{b}$.",
        r"$\partial L / \partial \mathbf{x} = \mathbf{W}^{\mathsf T}\boldsymbol{\delta}$",
        r"$\mathbf{Z} = \mathbf{X}\mathbf{W}_1^{\mathsf T} + \mathbf{1}\mathbf{b}_1^{\mathsf T}$",
        CELL + "Z = X @ W1.T + b1\n```\n",
        r"The residual $r = \hat y - y$, and $p - y$ for cross-entropy.",
        r"A quadratic $\mathbf{x}^{\mathsf T}\mathbf{A}\mathbf{x}$ with $\mathbf{A}$ symmetric.",
        r"$\mathbf{g}_B = \frac{1}{|B|} \sum_{i \in B} \nabla \ell_i$",
        r"$f: \mathbb{R}^n \to \mathbb{R}^m$ has $m$ outputs",
        r"$\boldsymbol\delta = \frac{\partial L}{\partial \mathbf{z}}$",
        CELL + "# $y - \\hat y$ in a code comment is not a formula\n```\n",
    ],
)
def test_a_formula_that_follows_the_notation_page_passes(tmp_path: Path, chapter: str) -> None:
    assert rules_broken(tmp_path, chapter) == []
