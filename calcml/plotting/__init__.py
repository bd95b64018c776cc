"""The book's figures: one visual language, readable in light and dark mode.

Call :func:`use_book_style` once, then draw with the helpers. Each helper returns what it drew
on (an ``Axes``, or a ``Figure`` for several panels), accepts ``ax=`` (``fig=``) to compose, and
records a sentence for :func:`describe`, a draft of the figure's alt text.

Functions of two variables take ``x`` of shape ``(2, ...)``, coordinates first, so a grid is
evaluated in one call: ``f(np.stack([X, Y]))``.
"""

from calcml.plotting.alt_text import describe
from calcml.plotting.animation import AnimationHTML, animate_descent, animate_secants
from calcml.plotting.classification import plot_decision_boundary
from calcml.plotting.derivatives import plot_secants, plot_tangent
from calcml.plotting.errors import plot_step_error
from calcml.plotting.multivariable import plot_gradient_field, plot_surface_slices
from calcml.plotting.optimization import plot_loss_curves, plot_trajectories
from calcml.plotting.style import BOOK_RC, CYCLE, INK, PALETTE, book_style, use_book_style

__all__ = [
    "BOOK_RC",
    "CYCLE",
    "INK",
    "PALETTE",
    "AnimationHTML",
    "animate_descent",
    "animate_secants",
    "book_style",
    "describe",
    "plot_decision_boundary",
    "plot_gradient_field",
    "plot_loss_curves",
    "plot_secants",
    "plot_step_error",
    "plot_surface_slices",
    "plot_tangent",
    "plot_trajectories",
    "use_book_style",
]
