"""Tests of calcml.plotting: what each helper draws, and how it refuses bad input."""

from __future__ import annotations

import json
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calcml.plotting import (
    BOOK_RC,
    CYCLE,
    INK,
    AnimationHTML,
    animate_descent,
    animate_secants,
    book_style,
    describe,
    plot_decision_boundary,
    plot_gradient_field,
    plot_loss_curves,
    plot_secants,
    plot_step_error,
    plot_surface_slices,
    plot_tangent,
    plot_trajectories,
    use_book_style,
)


def bowl(x):
    return x[0] ** 2 + 3 * x[1] ** 2


def bowl_gradient(x):
    return np.stack([2 * x[0], 6 * x[1]])


def _contrast(color: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(hex_color: str) -> float:
        channels = np.array(mpl.colors.to_rgb(hex_color))
        linear = np.where(
            channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4
        )
        return float(linear @ [0.2126, 0.7152, 0.0722])

    light, dark = sorted([luminance(color), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- style -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["#ffffff", "#121212"])
def test_ink_has_graphics_contrast_on_light_and_dark_pages(page):
    assert _contrast(INK, page) >= 3.0


@pytest.mark.parametrize("page", ["#ffffff", "#121212"])
def test_every_cycle_colour_stays_visible_on_light_and_dark_pages(page):
    assert min(_contrast(color, page) for color in CYCLE) >= 2.0


def test_book_style_is_transparent_only_inside_its_block():
    before = mpl.rcParams["axes.facecolor"]
    with book_style():
        assert mpl.rcParams["figure.facecolor"] == "none"
        assert mpl.rcParams["savefig.transparent"] is True
    assert mpl.rcParams["axes.facecolor"] == before


def test_two_svg_renderings_of_a_figure_are_byte_identical():
    def render() -> bytes:
        with book_style():
            fig, ax = plt.subplots()
            ax.plot([0, 1], [1, 0])
            from io import BytesIO

            buffer = BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
            plt.close(fig)
            return buffer.getvalue()

    assert render() == render()


def test_use_book_style_outside_jupyter_sets_rc_params_only():
    with mpl.rc_context():
        use_book_style()
        assert {key: mpl.rcParams[key] for key in ("svg.hashsalt", "svg.fonttype")} == {
            "svg.hashsalt": BOOK_RC["svg.hashsalt"],
            "svg.fonttype": "path",
        }


# What a cell that draws one figure costs in a notebook with the book's style: the renderers
# the figure was drawn with, the order of the hooks that run after each cell, and the outputs.
# A second call of use_book_style must keep what the first one set.
IN_A_KERNEL = (
    """
import collections
import functools
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from calcml.plotting import use_book_style
use_book_style()
use_book_style()
drawn = collections.Counter()
draw = Figure.draw
@functools.wraps(draw)
def counting(self, renderer):
    drawn[type(renderer).__name__] += 1
    return draw(self, renderer)
Figure.draw = counting
""",
    """
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
""",
    """
import json
hooks = [hook.__name__ for hook in get_ipython().events.callbacks["post_execute"]]
print(json.dumps({"drawn": sorted(drawn), "hooks": hooks, "open": plt.get_fignums()}))
""",
)


def test_a_figure_in_a_notebook_is_drawn_as_svg_only_not_also_as_an_unseen_image(monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbformat.v4 import new_code_cell, new_notebook

    # The kernel's own backend, the inline one, as in the book's build (the tests name Agg).
    monkeypatch.delenv("MPLBACKEND", raising=False)
    notebook = new_notebook(cells=[new_code_cell(source) for source in IN_A_KERNEL])
    nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    _, figure, report = notebook.cells
    assert [sorted(output.get("data", {})) for output in figure.outputs] == [
        ["text/plain"],  # the Line2D list the cell's last line returns
        ["image/svg+xml", "text/plain"],
    ]
    result = json.loads(report.outputs[0]["text"])
    # pyplot's redraw of changed figures still runs, after the inline backend's display.
    hooks = result["hooks"]
    assert hooks.index("flush_figures") < hooks.index("_draw_all_if_interactive")
    # The SVG backend draws through a MixedModeRenderer; an Agg draw would add RendererAgg.
    assert result == {"drawn": ["MixedModeRenderer"], "hooks": hooks, "open": []}


# --- tangent and secants -----------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(x0=st.floats(-2.0, 2.0))
def test_tangent_touches_the_curve_with_the_derivative_as_slope(x0):
    ax = plot_tangent(lambda x: x**3, x0, x_range=(-2.0, 2.0))
    _, tangent = ax.get_lines()
    x, y = (np.asarray(values) for values in tangent.get_data())
    slope = (y[1] - y[0]) / (x[1] - x[0])
    at_x0 = y[0] + slope * (x0 - x[0])
    assert slope == pytest.approx(3 * x0**2, abs=1e-6)
    assert at_x0 == pytest.approx(x0**3, abs=1e-6)
    plt.close(ax.figure)


def test_tangent_plot_labels_axes_and_spans_the_range():
    ax = plot_tangent(np.sin, 0.0, x_range=(-3.0, 3.0))
    assert len(ax.get_lines()) == 2
    assert ax.get_xlim() == (-3.0, 3.0)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$f(x)$")
    assert "slope 1" in ax.get_legend_handles_labels()[1][1]


def test_given_slope_is_used_instead_of_the_numerical_derivative():
    ax = plot_tangent(np.sin, 0.0, x_range=(-1.0, 1.0), slope=0.5)
    x, y = (np.asarray(values) for values in ax.get_lines()[1].get_data())
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(0.5)


def test_tangent_limits_follow_the_curve_not_a_steep_tangent():
    ax = plot_tangent(lambda x: x**2, 1.0, x_range=(0.0, 2.0), slope=100.0)
    low, high = ax.get_ylim()
    assert low < 0.0 < 4.0 < high < 5.0


def test_tangent_draws_on_the_given_axes():
    _, (left, right) = plt.subplots(1, 2)
    returned = plot_tangent(np.exp, 0.0, x_range=(-1.0, 1.0), ax=right)
    assert returned is right
    assert not left.get_lines()


def test_secant_slopes_are_difference_quotients_and_the_tangent_comes_last():
    steps = (1.0, 0.5, 0.25)
    ax = plot_secants(lambda x: x**2, 1.0, steps=steps, x_range=(0.0, 2.5))
    lines = ax.get_lines()
    assert len(lines) == 1 + len(steps) + 1
    for line, h in zip(lines[1:-1], steps, strict=True):
        x, y = (np.asarray(values) for values in line.get_data())
        # (f(1 + h) - f(1)) / h = 2 + h for f(x) = x².
        assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(2 + h)
    assert lines[-1].get_linestyle() == "--"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plot_tangent(np.sin, 5.0, x_range=(0.0, 1.0)), "x0 = 5.0 lies outside"),
        (lambda: plot_tangent(np.sin, 0.0, x_range=(1.0, 0.0)), "low < high"),
        (lambda: plot_tangent(np.log, 1.0, x_range=(-1.0, 2.0)), "f is not finite"),
        (lambda: plot_tangent(lambda x: 1.0, 0.0, x_range=(0.0, 1.0)), "returned an array"),
        (lambda: plot_secants(np.sin, 0.0, steps=(2.0,), x_range=(-1, 1)), "x0 \\+ h"),
        (lambda: plot_secants(np.sin, 0.0, steps=(0.0,), x_range=(-1, 1)), "non-zero"),
    ],
)
def test_bad_one_variable_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scalar_only_function_is_refused_with_advice():
    import math

    with pytest.raises(TypeError, match=re.escape("np.sin rather than math.sin")):
        plot_tangent(math.sin, 0.0, x_range=(-1.0, 1.0))


# --- two variables -----------------------------------------------------------------------------


def test_gradient_arrows_are_perpendicular_to_the_level_sets():
    ax = plot_gradient_field(bowl, bounds=((-2, 2), (-1, 1)), arrows=5)
    field = ax.collections[-1]
    tails, arrows = field.get_offsets(), np.stack([field.U, field.V], axis=1)
    # The level set of x² + 3y² through (x, y) has tangent (-3y, x).
    tangents = np.stack([-3 * tails[:, 1], tails[:, 0]], axis=1)
    assert np.abs(np.sum(arrows * tangents, axis=1)).max() == pytest.approx(0, abs=1e-6)
    assert ax.get_aspect() == 1.0


def test_numerical_and_exact_gradients_draw_the_same_arrows():
    numeric = plot_gradient_field(bowl, bounds=((-2, 2), (-1, 1)), arrows=4).collections[-1]
    exact = plot_gradient_field(bowl, bowl_gradient, bounds=((-2, 2), (-1, 1)), arrows=4)
    np.testing.assert_allclose(numeric.U, exact.collections[-1].U, atol=1e-6)


def test_marked_point_gets_the_gradient_arrow_and_a_perpendicular_tangent():
    ax = plot_gradient_field(bowl, bowl_gradient, bounds=((-2, 2), (-1, 1)), point=(1.0, 0.5))
    (tangent,) = [line for line in ax.get_lines() if line.get_label() == "level-set tangent"]
    x, y = (np.asarray(values) for values in tangent.get_data())
    assert np.dot([x[1] - x[0], y[1] - y[0]], [2.0, 3.0]) == pytest.approx(0, abs=1e-12)
    assert "(2, 3)" in describe(ax)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"point": (5.0, 0.0)}, ValueError, "outside the plotted range"),
        ({"point": (0.0, 0.0)}, ValueError, "critical point"),
        ({"bounds": ((-1, 1),)}, ValueError, "bounds must be"),
        ({"grad": lambda x: x[0]}, ValueError, "grad returned an array of shape"),
    ],
)
def test_bad_gradient_field_input_is_refused(kwargs, error, message):
    arguments = {"bounds": ((-2, 2), (-1, 1))} | kwargs
    with pytest.raises(error, match=message):
        plot_gradient_field(bowl, **arguments)


def test_surface_slices_have_the_partial_derivatives_as_slopes():
    fig = plot_surface_slices(
        lambda x: x[0] ** 2 - x[1] ** 2, (1.0, 0.5), bounds=((-2, 2), (-2, 2))
    )
    surface, along_x1, along_x2 = fig.axes
    assert surface.name == "3d"
    for ax, expected in ((along_x1, 2.0), (along_x2, -1.0)):  # ∂f/∂x₁ = 2a, ∂f/∂x₂ = -2b.
        x, y = (np.asarray(values) for values in ax.get_lines()[1].get_data())
        assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(expected, abs=1e-6)
    assert "∂f/∂x_1 = 2" in describe(fig)


def test_surface_without_panels_draws_one_3d_axes():
    fig = plot_surface_slices(bowl, (0.5, 0.5), bounds=((-1, 1), (-1, 1)), panels=False)
    assert [ax.name for ax in fig.axes] == ["3d"]


def test_surface_point_outside_bounds_is_refused():
    with pytest.raises(ValueError, match=re.escape("point = [3.0, 0.0] lies outside")):
        plot_surface_slices(bowl, (3.0, 0.0), bounds=((-1, 1), (-1, 1)))


# --- optimization ------------------------------------------------------------------------------


PATHS = {
    "gradient descent": [[2.0, 1.0], [1.0, -0.5], [0.5, 0.25]],
    "momentum": [[2.0, 1.0], [0.5, 0.0]],
}


def test_trajectories_draw_one_line_per_path_then_the_minima():
    ax = plot_trajectories(bowl, PATHS, minima=[0.0, 0.0])
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["gradient descent (2 steps)", "momentum (1 steps)", "start", "minimum"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xydata(), PATHS["gradient descent"])
    low, high = ax.get_xlim()
    assert low < 0.0
    assert high > 2.0


def test_a_diverged_path_is_refused_naming_the_step():
    with pytest.raises(ValueError, match=r"paths\['sgd'\] is not finite from step 2.*diverged"):
        plot_trajectories(bowl, {"sgd": [[1.0, 1.0], [10.0, 10.0], [np.inf, np.nan]]})


@pytest.mark.parametrize(
    ("paths", "bounds", "message"),
    [
        ({"gd": [[1.0, 2.0, 3.0]]}, None, "shape \\(n_steps, 2\\)"),
        ({"gd": [[0.0, 0.0]]}, ((1, -1), (-1, 1)), "bounds"),
    ],
)
def test_bad_paths_are_refused(paths, bounds, message):
    with pytest.raises(ValueError, match=message):
        plot_trajectories(bowl, paths, bounds=bounds)


def test_bounds_zoom_in_cutting_a_path_that_leaves_them_and_saying_where():
    path = [[0.5, 0.5], [0.2, 0.1], [5.0, 0.0], [0.0, 0.0]]
    ax = plot_trajectories(bowl, {"gd": path}, bounds=((-1, 1), (-1, 1)))
    assert ax.get_xlim() == (-1.0, 1.0)
    assert ax.get_ylim() == (-1.0, 1.0)
    np.testing.assert_array_equal(ax.get_lines()[0].get_xydata(), path)
    assert "leaving the plotted region at step 2" in describe(ax.figure)


def test_loss_curves_are_drawn_against_the_step_on_a_log_axis():
    losses = {"fast": 0.5 ** np.arange(10), "slow": 0.9 ** np.arange(30)}
    ax = plot_loss_curves(losses)
    assert ax.get_yscale() == "log"
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [10, 30]
    assert ax.get_lines()[0].get_xdata()[0] == 0


def test_non_positive_loss_on_a_log_axis_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="log=False"):
        plot_loss_curves({"mse": [1.0, 0.5, 0.0]})
    assert plot_loss_curves({"mse": [1.0, 0.5, 0.0]}, log=False).get_yscale() == "linear"


# --- step error --------------------------------------------------------------------------------


def test_step_error_is_log_log_with_reference_slopes_one_and_two():
    h = np.logspace(-6, -1, 11)
    ax = plot_step_error(h, {"forward": h / 2, "central": h**2 / 6})
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    references = ax.get_lines()[2:]
    slopes = []
    for line in references:
        x, y = (np.log10(np.asarray(values)) for values in line.get_data())
        slopes.append((y[1] - y[0]) / (x[1] - x[0]))
    np.testing.assert_allclose(slopes, [1.0, 2.0])


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ({"forward": np.ones(3)}, "shape \\(3,\\) but steps has shape \\(4,\\)"),
        ({"forward": [1.0, -1e-9, 1.0, 1.0]}, "must be >= 0 .* -1e-09 at index 1"),
        ({"forward": [1.0, np.nan, 1.0, 1.0]}, "must be finite"),
        ({"complex": np.zeros(4)}, "every error is exactly 0"),
    ],
)
def test_bad_step_errors_are_refused(errors, message):
    with pytest.raises(ValueError, match=message):
        plot_step_error([1e-3, 1e-2, 1e-1, 1.0], errors)


def test_an_exact_error_of_zero_is_a_gap_in_the_line_marked_on_the_bottom_edge():
    h = np.array([1e-8, 1e-6, 1e-4, 1e-2])
    ax = plot_step_error(h, {"complex": [0.0, 0.0, 1e-9, 1e-5], "central": h**2})
    drawn = ax.get_lines()[0].get_ydata()
    assert np.isnan(drawn[:2]).all()
    assert (np.asarray(drawn[2:]) > 0).all()
    (marks,) = ax.collections
    np.testing.assert_array_equal(marks.get_offsets()[:, 0], [1e-8, 1e-6])
    low, _ = ax.get_ylim()
    assert 0 < low <= 1e-9
    text = describe(ax.figure)
    assert "exact (error 0, marked by a triangle on the bottom edge) at 2 of 4 steps" in text


# --- alt text ----------------------------------------------------------------------------------


def test_description_of_a_helper_states_what_it_drew_without_mathtext():
    ax = plot_tangent(lambda x: x**2, 3.0, x_range=(0.0, 5.0))
    text = describe(ax.figure)
    assert "slope 6" in text
    assert "(3, 9)" in text
    assert "$" not in text


def test_description_of_an_empty_figure_says_so():
    fig = plt.figure()
    assert describe(fig) == "An empty figure."


# --- animation ---------------------------------------------------------------------------------


def test_secant_animation_is_self_contained_light_and_reproducible():
    first = animate_secants(lambda x: x**2, 1.0, x_range=(0.0, 3.0), steps=[1.5, 1.0, 0.5])
    second = animate_secants(lambda x: x**2, 1.0, x_range=(0.0, 3.0), steps=[1.5, 1.0, 0.5])
    assert isinstance(first, AnimationHTML)
    assert first == second
    assert first.count("data:image/svg+xml") == 3
    assert not re.search(r"(src|href)=\"https?://", first)
    assert "fa fa-" not in first
    assert len(first) < 1_000_000
    assert not plt.get_fignums()


def test_descent_animation_keeps_at_most_max_frames_including_the_last():
    path = np.stack([np.linspace(2, 0.1, 40), np.linspace(1, 0.05, 40)], axis=1)
    html = animate_descent(bowl, path, max_frames=5)
    assert html.count("data:image/svg+xml") == 5
    assert "step 39" not in html  # titles are drawn as paths, not text
    assert not plt.get_fignums()


def test_animation_with_bad_input_leaves_no_figure_open():
    with pytest.raises(ValueError, match="f is not finite"):
        animate_secants(np.log, 1.0, x_range=(-1.0, 2.0), steps=[0.5], slope=1.0)
    assert not plt.get_fignums()


def test_gradient_field_arrows_take_the_given_label():
    ax = plot_gradient_field(bowl, bounds=((-2, 2), (-1, 1)), arrows=3, label=r"$\nabla L$")
    assert ax.collections[-1].get_label() == r"$\nabla L$"
    assert r"$\nabla L$" in ax.get_legend_handles_labels()[1]
    default = plot_gradient_field(bowl, bounds=((-2, 2), (-1, 1)), arrows=3)
    assert default.get_legend_handles_labels()[1] == [r"gradient $\nabla f$"]


# --- classification ----------------------------------------------------------------------------


#: Four points on either side of the diagonal x_1 + x_2 = 0.
CLASS_X = np.array([[-1.0, -1.0], [-1.0, 0.5], [1.0, 0.0], [0.5, 1.0]])
CLASS_Y = np.array([0.0, 0.0, 1.0, 1.0])


def above_the_diagonal(X):
    """P(class 1) of a logistic model whose boundary is the line x_1 + x_2 = 0."""
    return 1 / (1 + np.exp(-4 * (X[:, 0] + X[:, 1])))


class Diagonal:
    """A classifier in calcml.models' style, with predict_proba of shape (n, 2)."""

    classes_ = np.array([0.0, 1.0])

    def predict_proba(self, X):
        p = above_the_diagonal(X)
        return np.column_stack([1 - p, p])


def test_decision_boundary_is_the_half_probability_line_and_points_are_drawn_by_class():
    ax = plot_decision_boundary(Diagonal(), CLASS_X, CLASS_Y, bounds=((-2, 2), (-2, 2)))
    shading, boundary, *scatters = ax.collections
    assert list(shading.levels) == pytest.approx(np.linspace(0, 1, 11))
    assert list(boundary.levels) == [0.5]
    # Every vertex of the drawn boundary lies on the line x_1 + x_2 = 0.
    vertices = np.concatenate([path.vertices for path in boundary.get_paths()])
    assert np.abs(vertices.sum(axis=1)).max() < 0.05
    for scatter, label in zip(scatters, [0.0, 1.0], strict=True):
        np.testing.assert_array_equal(scatter.get_offsets(), CLASS_X[np.isclose(CLASS_Y, label)])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "decision boundary",
    ]
    assert ax.get_aspect() == 1.0
    assert ax.get_xlim() == (-2.0, 2.0)


def test_a_callable_giving_one_probability_draws_the_same_as_predict_proba():
    from_callable = plot_decision_boundary(above_the_diagonal, CLASS_X, CLASS_Y, resolution=20)
    from_model = plot_decision_boundary(Diagonal(), CLASS_X, CLASS_Y, resolution=20)
    for drawn, expected in zip(
        from_callable.collections[:2], from_model.collections[:2], strict=True
    ):
        np.testing.assert_allclose(
            np.concatenate([path.vertices for path in drawn.get_paths()]),
            np.concatenate([path.vertices for path in expected.get_paths()]),
        )


def test_default_bounds_hold_every_point_and_description_states_the_accuracy():
    ax = plot_decision_boundary(above_the_diagonal, CLASS_X, CLASS_Y)
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    assert x_low < -1.0 < 1.0 < x_high
    assert y_low < -1.0 < 1.0 < y_high
    text = describe(ax)
    assert "class 0 as blue circles (2 points)" in text
    assert "class 1 as orange triangles (2 points)" in text
    assert "labels 100% of the points correctly" in text
    assert "$" not in text


def test_three_classes_are_drawn_as_regions_with_their_boundaries():
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])

    def nearest_centre(X):
        closeness = -np.sum((X[:, np.newaxis, :] - centres) ** 2, axis=2)
        weights = np.exp(closeness - closeness.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)

    X = np.concatenate([centres, centres * 0.8])
    labels = np.array(["a", "b", "c", "a", "b", "c"])
    ax = plot_decision_boundary(nearest_centre, X, labels, bounds=((-3, 3), (-3, 3)))
    _, boundary, *scatters = ax.collections
    assert list(boundary.levels) == [0.5, 1.5]
    assert len(scatters) == 3
    assert ax.get_legend_handles_labels()[1] == [
        "class a",
        "class b",
        "class c",
        "decision boundary",
    ]
    assert "labels 100% of the points correctly" in describe(ax)


def test_decision_boundary_draws_on_the_given_axes():
    _, (left, right) = plt.subplots(1, 2)
    assert plot_decision_boundary(Diagonal(), CLASS_X, CLASS_Y, ax=right) is right
    assert not left.collections


@pytest.mark.parametrize(
    ("model", "X", "y", "kwargs", "error", "message"),
    [
        (Diagonal(), CLASS_X[:, :1], CLASS_Y, {}, ValueError, r"X must have shape \(n, 2\)"),
        (Diagonal(), CLASS_X, CLASS_Y[:3], {}, ValueError, r"y must hold one label per row"),
        (
            Diagonal(),
            CLASS_X,
            CLASS_Y,
            {"bounds": ((-0.5, 2), (-2, 2))},
            ValueError,
            r"X\[0\] = \[-1.0, -1.0\] lies outside",
        ),
        (Diagonal(), CLASS_X, [0, 0, 1, 2], {}, ValueError, r"labels \[2\] that are not"),
        (Diagonal(), CLASS_X, CLASS_Y, {"resolution": 1}, ValueError, "resolution must be"),
        (lambda X: np.ones((len(X), 3)) / 3, CLASS_X, CLASS_Y, {}, ValueError, r"shape \("),
        (lambda X: X[:, 0] + X[:, 1], CLASS_X, CLASS_Y, {}, ValueError, "not scores"),
        ("logistic", CLASS_X, CLASS_Y, {}, TypeError, "predict_proba"),
        (Diagonal(), CLASS_X, CLASS_Y, {"ax": "left"}, TypeError, "ax must be"),
    ],
)
def test_bad_decision_boundary_input_is_refused_naming_the_argument(
    model, X, y, kwargs, error, message
):
    with pytest.raises(error, match=message):
        plot_decision_boundary(model, X, y, **kwargs)


def test_long_trajectories_mark_at_most_max_markers_iterates_but_draw_every_step() -> None:
    from calcml.plotting.optimization import MAX_MARKERS

    path = np.stack([np.linspace(-1.0, 1.0, 1001), np.zeros(1001)], axis=1)
    ax = plot_trajectories(
        lambda x: x[0] ** 2 + x[1] ** 2, {"long": path}, bounds=((-2, 2), (-2, 2))
    )
    line = next(line for line in ax.lines if line.get_label().startswith("long"))
    assert len(line.get_xdata()) == 1001
    marked = np.arange(1001)[:: line.get_markevery()]
    assert 0 < len(marked) <= MAX_MARKERS


def test_animations_describe_themselves_in_the_alt_text_of_their_picture() -> None:
    html = animate_secants(lambda x: x**2, 1.0, x_range=(0.0, 3.0), steps=[1.5, 0.5])
    alt = re.search(r'<img alt="([^"]*)" id="_anim_img', html)
    assert alt is not None
    assert "2 frames" in alt[1]
    assert "tangent" in alt[1]
    assert "slope 2" in alt[1]


def test_animation_slider_has_an_accessible_name() -> None:
    html = animate_secants(lambda x: x**2, 1.0, x_range=(0.0, 3.0), steps=[1.5, 0.5])
    slider = re.search(r"<input[^>]*type=\"range\"", html)
    assert slider is not None
    assert 'aria-label="Animation frame"' in slider[0]


def test_svg_ids_depend_on_the_drawing_only_not_on_how_matplotlib_hashes_it() -> None:
    from calcml.plotting.style import figure_svg

    svgs = []
    for salt in ("one", "another"):
        with mpl.rc_context({"svg.hashsalt": salt}):
            fig, ax = plt.subplots()
            ax.imshow(np.arange(6.0).reshape(2, 3))
            ax.plot([0, 1, 2], [0, 1, 0], marker="o")
            svgs.append(figure_svg(fig))
            plt.close(fig)
    assert svgs[0] == svgs[1]
    assert 'clip-path="url(#clip0)"' in svgs[0]
    assert 'xlink:href="#marker0"' in svgs[0]
