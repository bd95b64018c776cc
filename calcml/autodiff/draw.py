"""A picture of the computational graph: one box per value, one arrow per use.

Drawn with matplotlib alone (no Graphviz binary), so it renders in every build of the book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from calcml.autodiff.engine import Tensor, inputs_first

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["draw_graph"]

#: Beyond this many nodes the boxes overlap; the figure is meant for a small expression.
MAX_NODES = 40


def _numbers(array: np.ndarray | None) -> str:
    if array is None:
        return "-"
    if array.size > 4:
        return f"shape {array.shape}"
    # 4 significant digits and no trailing dot: "2", not "2."; "0.1235", not "0.12345679".
    return np.array2string(array, formatter={"float_kind": lambda value: f"{value:.4g}"})


def _label(node: Tensor, show_grad: bool) -> str:
    title = node.name or ("input" if not node._parents and node.requires_grad else node._op)
    lines = [title, f"value {_numbers(node.value)}"]
    if show_grad and node.requires_grad:
        lines.append(f"grad {_numbers(node.grad)}")
    return "\n".join(lines)


def draw_graph(output: Tensor, ax: Axes | None = None, show_grad: bool = True) -> Axes:
    """Draw the graph that computed ``output``: operation, value and gradient of each node.

    Parameters
    ----------
    output : Tensor
        The result of a small expression; call ``output.backward()`` first to see gradients.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    show_grad : bool, default True
        Print each node's gradient (``-`` before ``backward()``).

    Returns
    -------
    matplotlib Axes
        The axes drawn on, with axis lines hidden.

    Raises
    ------
    TypeError
        If ``output`` is not a :class:`~calcml.Tensor`.
    ValueError
        If the graph has more than :data:`MAX_NODES` nodes, too many to read.

    Notes
    -----
    Inputs sit on the left and each node one column right of its furthest input, so the
    forward pass reads left to right and backpropagation right to left. Colours: inputs
    blue, constants grey, operations orange, the output green.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> x = Tensor(2.0, name="x")
    >>> y = x * x + np.sin(x)
    >>> y.backward()
    >>> ax = draw_graph(y)
    >>> len(ax.texts)  # 4 boxes (x, x * x, sin, +) and 5 arrows (x feeds the product twice)
    9
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"output must be a calcml.Tensor, got {type(output).__name__}")
    import matplotlib.pyplot as plt

    from calcml.plotting.style import PALETTE

    # Constants included: the picture shows every value the expression used.
    nodes = inputs_first(output, constants=True)
    if len(nodes) > MAX_NODES:
        raise ValueError(
            f"output's graph has {len(nodes)} nodes, more than {MAX_NODES} can be drawn "
            "legibly; draw a smaller expression"
        )
    column: dict[Tensor, int] = {}
    for node in nodes:
        column[node] = 1 + max((column[parent] for parent in node._parents), default=-1)
    # A constant (a 2 in x ** 2) sits just left of the first node that uses it, not with the
    # inputs, so its arrow does not cross the graph.
    first_use: dict[Tensor, int] = {}
    for node in nodes:
        for parent in node._parents:
            first_use[parent] = min(first_use.get(parent, column[node]), column[node])
    for node in nodes:
        if not node._parents and not node.requires_grad and node in first_use:
            column[node] = first_use[node] - 1
    rows: dict[int, int] = {}
    position: dict[Tensor, tuple[float, float]] = {}
    for node in nodes:
        row = rows.get(column[node], 0)
        rows[column[node]] = row + 1
        position[node] = (2.0 * column[node], -1.4 * row)

    if ax is None:
        _, ax = plt.subplots(figsize=(2.2 * (max(column.values()) + 1), 1.4 * max(rows.values())))
    for node in nodes:
        if node is output:
            colour = PALETTE["green"]
        elif not node.requires_grad:
            colour = PALETTE["grey"]
        elif not node._parents:
            colour = PALETTE["blue"]
        else:
            colour = PALETTE["orange"]
        # Transparent boxes: the book's mid-tone ink reads on light and dark pages alike.
        box: dict[str, Any] = {
            "boxstyle": "round",
            "facecolor": "none",
            "edgecolor": colour,
            "linewidth": 1.5,
        }
        ax.text(
            *position[node], _label(node, show_grad), ha="center", va="center", fontsize=9, bbox=box
        )
        for k, parent in enumerate(node._parents):
            # An arrow that skips a column would run over the boxes between, and a second
            # use of the same input (r * r) would lie on the first: bend them.
            repeated = any(earlier is parent for earlier in node._parents[:k])
            bend = 0.0 if column[node] - column[parent] == 1 and not repeated else 0.3
            ax.annotate(
                "",
                xy=position[node],
                xytext=position[parent],
                arrowprops={
                    "arrowstyle": "->",
                    "color": PALETTE["grey"],
                    "shrinkA": 30,
                    "shrinkB": 30,
                    "connectionstyle": f"arc3,rad={bend}",
                },
            )
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    return ax
