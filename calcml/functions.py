"""Test functions for optimizers, losses and activations, each with its derivatives.

Three families, all written with numpy and all with hand-derived derivatives that the tests
check against finite differences:

- **Test functions** of two variables with known minima (chapters *Gradient descent*,
  *Optimization in practice*, *Taylor series, curvature and Newton's method*):
  :data:`rosenbrock`, :data:`himmelblau`, :data:`beale`, :data:`booth`, :data:`saddle`,
  :data:`six_hump_camel` and :func:`quadratic_bowl`. Each is a :class:`TestFunction`: call it,
  ask for ``.grad`` and ``.hessian``, read ``.minima`` and ``.bounds``.
- **Losses** (chapter *Backpropagation*): mean squared error, binary and softmax
  cross-entropy, the last two computed from logits so that they never take ``log(0)``.
- **Activations**: sigmoid, tanh, ReLU and softmax with their derivatives. The functions
  themselves are :mod:`calcml.autodiff`'s (re-exported here), which accept plain arrays as well
  as traced values; this module adds the derivatives the chapters write by hand.

Points follow one convention: the **first axis is the coordinate**. ``f(x)`` takes ``x`` of
shape ``(2,)`` for a point or ``(2, ...)`` for many, so a contour plot is one call:

>>> import numpy as np
>>> X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
>>> rosenbrock(np.stack([X, Y])).shape
(4, 5)
>>> rosenbrock([1.0, 1.0]), rosenbrock.grad([1.0, 1.0])
(0.0, array([0., 0.]))
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import (
    MAX_GRID,
    as_float_array,
    bounds_2d,
    real_number,
    require_callable,
    require_integer,
    require_string,
)
from calcml.autodiff.activations import logsumexp, relu, sigmoid, softmax

__all__ = [
    "TEST_FUNCTIONS",
    "TestFunction",
    "beale",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "booth",
    "cross_entropy_from_logits",
    "himmelblau",
    "mean_squared_error",
    "mean_squared_error_gradient",
    "quadratic_bowl",
    "relu",
    "relu_derivative",
    "rosenbrock",
    "saddle",
    "sigmoid",
    "sigmoid_derivative",
    "six_hump_camel",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "softmax_jacobian",
    "tanh",
    "tanh_derivative",
]

Array = NDArray[np.float64]
Components = Sequence[Any]
"""Arrays or numbers that broadcast against the grid of points: a gradient's two components,
or a Hessian's three distinct entries ``(f_xx, f_xy, f_yy)``."""

# --------------------------------------------------------------------------------------------
# Test functions
# --------------------------------------------------------------------------------------------


class TestFunction:
    """A function of two variables with its gradient, Hessian, known minima and a plot window.

    Parameters
    ----------
    name : str
        A display name, e.g. for plot titles.
    value : callable
        ``value(x, y) -> f`` on broadcastable arrays.
    gradient : callable
        ``gradient(x, y) -> (f_x, f_y)``.
    hessian : callable
        ``hessian(x, y) -> (f_xx, f_xy, f_yy)``.
    minima : array_like
        The known local minimisers, shape ``(m, 2)``, best first.
    bounds : ((float, float), (float, float))
        ``((x_min, x_max), (y_min, y_max))``: a window that shows the interesting features.
    formula : str
        The function in LaTeX, for plot titles and tables.

    Raises
    ------
    TypeError
        If ``name`` or ``formula`` is not a string or a function is not callable.
    ValueError
        If ``minima`` is not of shape ``(2,)`` or ``(m, 2)`` or not finite, or ``bounds`` is
        not two increasing pairs.

    Notes
    -----
    Calling with ``x`` of shape ``(2, ...)`` returns shape ``(...)``; ``grad`` returns shape
    ``(2, ...)`` and ``hessian`` shape ``(2, 2, ...)``. Where a value overflows the largest
    float (far from the plot window), it is ``inf`` and a ``RuntimeWarning`` names the point.
    """

    # Keep pytest from collecting this class as a test suite because of its name.
    __test__: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        value: Callable[[Array, Array], Any],
        gradient: Callable[[Array, Array], Components],
        hessian: Callable[[Array, Array], Components],
        *,
        minima: ArrayLike,
        bounds: tuple[tuple[float, float], tuple[float, float]],
        formula: str,
    ) -> None:
        self.name = require_string(name, "name")
        self._value = require_callable(value, "value", "a function value(x, y)")
        self._gradient = require_callable(gradient, "gradient", "a function gradient(x, y)")
        self._hessian = require_callable(hessian, "hessian", "a function hessian(x, y)")
        points = np.atleast_2d(as_float_array(minima, "minima"))
        if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
            raise ValueError(
                f"minima must have shape (2,) for one minimiser or (m, 2) for several, got "
                f"shape {np.shape(minima)}"
            )
        self.minima = points
        self.bounds = bounds_2d(bounds)
        self.formula = require_string(formula, "formula")

    def _point(self, x: ArrayLike) -> Array:
        point = as_float_array(x, "x")
        if point.ndim == 0 or point.shape[0] != 2:
            raise ValueError(
                f"x must have 2 coordinates along its first axis (shape (2,) or (2, ...)), "
                f"got shape {point.shape}; for a grid pass np.stack([X, Y])"
            )
        return point

    def __call__(self, x: ArrayLike) -> Any:
        """Return ``f(x)``: a float for one point, an array of shape ``x.shape[1:]`` for many."""
        point = self._point(x)
        with np.errstate(over="ignore", invalid="ignore"):
            value = np.asarray(self._value(point[0], point[1]))
        if value.shape != point.shape[1:]:
            value = np.broadcast_to(value, point.shape[1:])
        self._warn_overflow(point, value, "value")
        return float(value) if value.ndim == 0 else np.array(value)

    def grad(self, x: ArrayLike) -> Array:
        """Return the gradient ``(f_x, f_y)`` stacked on the first axis, shaped like ``x``."""
        point = self._point(x)
        with np.errstate(over="ignore", invalid="ignore"):
            gradient = _stack(self._gradient(point[0], point[1]), point.shape[1:])
        self._warn_overflow(point, gradient, "gradient")
        return gradient

    def hessian(self, x: ArrayLike) -> Array:
        """Return the Hessian, shape ``(2, 2)`` for one point, ``(2, 2, ...)`` for many."""
        point = self._point(x)
        with np.errstate(over="ignore", invalid="ignore"):
            f_xx, f_xy, f_yy = self._hessian(point[0], point[1])
            entries = _stack([f_xx, f_xy, f_xy, f_yy], point.shape[1:])
        hessian = entries.reshape(2, 2, *point.shape[1:])
        self._warn_overflow(point, hessian, "Hessian")
        return hessian

    def _warn_overflow(self, point: Array, result: Any, what: str) -> None:
        """Warn, naming the point, when a finite ``point`` gives a value beyond the floats.

        The caller's ``np.errstate(over=...)`` decides, as for numpy's own warning: an
        optimizer that expects overflow on the way to divergence silences it this way.
        """
        finite = np.isfinite(result)
        # Finiteness first: it is the common case, and np.geterr() costs more than the check.
        if finite.all():
            return
        mode = np.geterr()["over"]
        if mode == "ignore":
            return
        bad = ~finite
        # Reduce over the leading axes a gradient or Hessian adds in front of the points' axes.
        at_points = bad.reshape(-1, *point.shape[1:]).any(axis=0)
        first = np.moveaxis(point, 0, -1)[np.unravel_index(np.argmax(at_points), at_points.shape)]
        message = (
            f"the {what} of {self.name} overflows the largest float (about 1.8e308) at x = "
            f"{first.tolist()!r} and is returned as inf or nan; such points lie far outside "
            f"its plot window {self.bounds!r}"
        )
        if mode == "raise":
            raise FloatingPointError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)

    def grid(self, n: int = 200) -> tuple[Array, Array, Array]:
        """Return ``X, Y, f(X, Y)`` on an ``n`` by ``n`` grid over :attr:`bounds`, for contours.

        Examples
        --------
        >>> X, Y, Z = booth.grid(3)
        >>> float(Z[1, 1]) == booth([0.0, 0.0])
        True
        """
        side = require_integer(
            n,
            "n",
            minimum=2,
            maximum=MAX_GRID,
            advice="a contour plot looks smooth from about 100 points per side",
        )
        (x_min, x_max), (y_min, y_max) = self.bounds
        X, Y = np.meshgrid(np.linspace(x_min, x_max, side), np.linspace(y_min, y_max, side))
        return X, Y, self(np.stack([X, Y]))

    def __repr__(self) -> str:
        return f"<TestFunction {self.name}: {self.formula}>"


def _stack(components: Components, shape: tuple[int, ...]) -> Array:
    """The components broadcast to the points' ``shape`` and stacked on a new first axis."""
    # At one point (or when every component already has the points' shape) one np.array call
    # stacks them; an optimizer calls grad thousands of times, and broadcasting each component
    # separately cost several times more than the arithmetic.
    try:
        stacked = np.array(components, dtype=np.float64)
    except ValueError:
        stacked = None
    if stacked is not None and stacked.shape == (len(components), *shape):
        return stacked
    return np.stack([np.broadcast_to(np.asarray(c, dtype=np.float64), shape) for c in components])


def _rosenbrock(x: Array, y: Array) -> Array:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_gradient(x: Array, y: Array) -> Components:
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _rosenbrock_hessian(x: Array, y: Array) -> Components:
    return 2 - 400 * y + 1200 * x**2, -400 * x, 200


rosenbrock = TestFunction(
    "Rosenbrock",
    _rosenbrock,
    _rosenbrock_gradient,
    _rosenbrock_hessian,
    minima=[1.0, 1.0],
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    formula=r"$(1 - x)^2 + 100\,(y - x^2)^2$",
)
"""Rosenbrock's banana valley: minimum 0 at (1, 1), at the end of a long, curved, flat valley.

Easy to find the valley, hard to follow it: the Hessian at the minimum has condition number
about 2500. The classic start is (-1.2, 1).
"""


def _himmelblau(x: Array, y: Array) -> Array:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_gradient(x: Array, y: Array) -> Components:
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def _himmelblau_hessian(x: Array, y: Array) -> Components:
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * a + 8 * x**2 + 2, 4 * (x + y), 4 * b + 8 * y**2 + 2


himmelblau = TestFunction(
    "Himmelblau",
    _himmelblau,
    _himmelblau_gradient,
    _himmelblau_hessian,
    # (3, 2) is exact; the other three are roots of the gradient found to machine precision.
    minima=[
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.7793102533777465, -3.2831859912861696],
        [3.5844283403304917, -1.8481265269644036],
    ],
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    formula=r"$(x^2 + y - 11)^2 + (x + y^2 - 7)^2$",
)
"""Himmelblau's function: four minima, all with value 0; which one you reach depends on the
start."""

_BEALE_CONSTANTS = (1.5, 2.25, 2.625)


def _beale_terms(x: Array, y: Array) -> list[tuple[int, Any]]:
    """The residuals ``t_i = c_i - x + x y^i`` of Beale's sum of squares, with their ``i``."""
    return [(i, c - x + x * y**i) for i, c in enumerate(_BEALE_CONSTANTS, start=1)]


def _beale(x: Array, y: Array) -> Any:
    return sum(t**2 for _, t in _beale_terms(x, y))


def _beale_gradient(x: Array, y: Array) -> Components:
    terms = _beale_terms(x, y)
    return (
        sum(2 * t * (y**i - 1) for i, t in terms),
        sum(2 * t * i * x * y ** (i - 1) for i, t in terms),
    )


def _beale_hessian(x: Array, y: Array) -> Components:
    terms = _beale_terms(x, y)
    # i (i - 1) vanishes for i = 1, so the exponent max(i - 2, 0) never divides by y = 0.
    return (
        sum(2 * (y**i - 1) ** 2 for i, _ in terms),
        sum(2 * i * y ** (i - 1) * (x * (y**i - 1) + t) for i, t in terms),
        sum(
            2 * ((i * x * y ** (i - 1)) ** 2 + t * i * (i - 1) * x * y ** max(i - 2, 0))
            for i, t in terms
        ),
    )


beale = TestFunction(
    "Beale",
    _beale,
    _beale_gradient,
    _beale_hessian,
    minima=[3.0, 0.5],
    bounds=((-4.5, 4.5), (-4.5, 4.5)),
    formula=r"$(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$",
)
"""Beale's function: minimum 0 at (3, 0.5), flat plateaus and steep walls near the corners."""


def _booth(x: Array, y: Array) -> Array:
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_gradient(x: Array, y: Array) -> Components:
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return 2 * a + 4 * b, 4 * a + 2 * b


booth = TestFunction(
    "Booth",
    _booth,
    _booth_gradient,
    lambda x, y: (10, 8, 10),
    minima=[1.0, 3.0],
    bounds=((-10.0, 10.0), (-10.0, 10.0)),
    formula=r"$(x + 2y - 7)^2 + (2x + y - 5)^2$",
)
"""Booth's function: a convex quadratic, minimum 0 at (1, 3); Hessian eigenvalues 2 and 18."""

saddle = TestFunction(
    "saddle",
    lambda x, y: x**2 + y**4 / 4 - y**2 / 2,
    lambda x, y: (2 * x, y**3 - y),
    lambda x, y: (2, 0, 3 * y**2 - 1),
    minima=[[0.0, 1.0], [0.0, -1.0]],
    bounds=((-1.5, 1.5), (-1.5, 1.5)),
    formula=r"$x^2 + y^4/4 - y^2/2$",
)
"""A saddle point at the origin (Hessian ``diag(2, -1)``) between two minima ``(0, ±1)`` of
value -1/4.

Near the origin it is the textbook saddle ``x^2 - y^2/2``, but bounded below, so an optimizer
that escapes the saddle settles in a minimum instead of running off to minus infinity. Newton's
method started near the origin converges to the saddle; gradient descent escapes unless it
starts exactly on ``y = 0``.
"""


def _six_hump_camel(x: Array, y: Array) -> Array:
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _six_hump_camel_gradient(x: Array, y: Array) -> Components:
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


def _six_hump_camel_hessian(x: Array, y: Array) -> Components:
    return 8 - 25.2 * x**2 + 10 * x**4, 1, -8 + 48 * y**2


_CAMEL_MINIMA = np.array(
    [
        [0.08984201310031807, -0.7126564030207396],
        [-1.7036067149699807, 0.7960835686726251],
        [1.6071047529201974, 0.5686514548841313],
    ]
)
six_hump_camel = TestFunction(
    "six-hump camel",
    _six_hump_camel,
    _six_hump_camel_gradient,
    _six_hump_camel_hessian,
    # f(-x, -y) = f(x, y), so the minima come in pairs; roots of the gradient to machine
    # precision, sorted by value: -1.0316 (global, twice), -0.2155, 2.1043.
    minima=np.stack([_CAMEL_MINIMA, -_CAMEL_MINIMA], axis=1).reshape(-1, 2),
    bounds=((-2.0, 2.0), (-1.0, 1.0)),
    formula=r"$(4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2 - 4)\,y^2$",
)
"""The six-hump camel function: six local minima, two of them global (value -1.0316...), so
where gradient descent ends depends on where it starts."""


def quadratic_bowl(condition_number: float = 10.0, *, angle: float = 0.0) -> TestFunction:
    """Return the quadratic ``f(x) = x^T A x / 2`` whose Hessian ``A`` has eigenvalues 1 and k.

    Parameters
    ----------
    condition_number : float, default 10.0
        ``k >= 1``, the ratio of the largest to the smallest eigenvalue of ``A``.
    angle : float, default 0.0
        Rotation, in radians, of the bowl's long axis away from the x-axis.

    Returns
    -------
    TestFunction
        Minimum 0 at the origin.

    Raises
    ------
    TypeError
        If ``condition_number`` or ``angle`` is not a real number.
    ValueError
        If ``condition_number`` is below 1, above 1e100 (the values in the plot window would
        overflow), or either number is not finite.

    Notes
    -----
    ``A = R diag(1, k) R^T``. Gradient descent with step ``2 / (1 + k)`` contracts the distance
    to the minimum by exactly ``(k - 1) / (k + 1)`` per step: the chapter *Gradient descent*
    derives this rate.

    Examples
    --------
    >>> bowl = quadratic_bowl(4.0)
    >>> bowl([1.0, 1.0]), bowl.hessian([0.0, 0.0])
    (2.5, array([[1., 0.],
           [0., 4.]]))
    """
    k = real_number(condition_number, "condition_number", low=1.0, high=1e100)
    theta = real_number(angle, "angle")
    c, s = math.cos(theta), math.sin(theta)
    a_xx, a_xy, a_yy = c * c + k * s * s, c * s - k * s * c, s * s + k * c * c
    radius = math.sqrt(k)
    return TestFunction(
        f"quadratic bowl (k = {k:g})",
        lambda x, y: (a_xx * x**2 + 2 * a_xy * x * y + a_yy * y**2) / 2,
        lambda x, y: (a_xx * x + a_xy * y, a_xy * x + a_yy * y),
        lambda x, y: (a_xx, a_xy, a_yy),
        minima=[0.0, 0.0],
        # Wide enough to show the elongated contours: the level set f = k/2 reaches sqrt(k).
        bounds=((-radius, radius), (-radius, radius)),
        formula=rf"$\frac{{1}}{{2}} x^\top A x,\ \kappa(A) = {k:g}$",
    )


TEST_FUNCTIONS: tuple[TestFunction, ...] = (
    rosenbrock,
    himmelblau,
    beale,
    booth,
    saddle,
    six_hump_camel,
)
"""Every named test function, for loops in the benchmarks and the gallery."""

# --------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------


def sigmoid_derivative(z: ArrayLike) -> Array:
    """``sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))``, elementwise.

    Examples
    --------
    >>> sigmoid_derivative([0.0])
    array([0.25])
    """
    s: Array = sigmoid(as_float_array(z, "z"))
    return s * (1 - s)


def tanh(z: ArrayLike) -> Array:
    """The hyperbolic tangent, elementwise; values in (-1, 1).

    Examples
    --------
    >>> tanh([0.0])
    array([0.])
    """
    return np.tanh(as_float_array(z, "z"))


def tanh_derivative(z: ArrayLike) -> Array:
    """``tanh'(z) = 1 - tanh(z)^2``, elementwise.

    Examples
    --------
    >>> tanh_derivative([0.0])
    array([1.])
    """
    return 1 - tanh(z) ** 2


def relu_derivative(z: ArrayLike) -> Array:
    """``relu'(z)``: 1 where ``z > 0``, else 0.

    Notes
    -----
    ReLU has no derivative at 0; like every deep-learning library we use 0 there (a valid
    subgradient), which the chapter *Backpropagation* discusses.

    Examples
    --------
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    return (as_float_array(z, "z") > 0).astype(np.float64)


def softmax_jacobian(z: ArrayLike) -> Array:
    """The Jacobian of :func:`softmax`, ``diag(s) - s s^T``, shape ``(..., k, k)``.

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    s: Array = softmax(_logits(z))
    return s[..., :, np.newaxis] * (np.eye(s.shape[-1]) - s[..., np.newaxis, :])


def _logits(z: ArrayLike) -> Array:
    logits = as_float_array(z, "logits")
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(
            "logits must have a last axis of at least one class score, got "
            + ("a scalar" if logits.ndim == 0 else f"shape {logits.shape}")
        )
    return logits


# --------------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------------


def _matched(y: ArrayLike, prediction: ArrayLike, name: str) -> tuple[Array, Array]:
    target = as_float_array(y, "y")
    predicted = as_float_array(prediction, name)
    if target.shape != predicted.shape or target.size == 0:
        # Broadcasting (n,) against (n, 1) would silently average n * n differences.
        same_size = target.size == predicted.size and target.size > 0
        raise ValueError(
            f"y and {name} must have the same non-empty shape, got {target.shape} and "
            f"{predicted.shape}"
            + (
                f"; make them agree, e.g. {name}.reshape(y.shape) or both .ravel()"
                if same_size
                else ""
            )
        )
    return target, predicted


def mean_squared_error(y: ArrayLike, prediction: ArrayLike) -> float:
    """``mean((prediction - y)^2)``.

    Parameters
    ----------
    y : array_like
        Targets.
    prediction : array_like
        Predictions, same shape.

    Returns
    -------
    float
        The mean squared error.

    Raises
    ------
    ValueError
        If the shapes differ or an array is empty or not finite.

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    target, predicted = _matched(y, prediction, "prediction")
    return float(np.mean((predicted - target) ** 2))


def mean_squared_error_gradient(y: ArrayLike, prediction: ArrayLike) -> Array:
    """The gradient of :func:`mean_squared_error` with respect to ``prediction``: ``2 (p - y) / n``.

    Examples
    --------
    >>> mean_squared_error_gradient([1.0, 2.0], [1.0, 4.0])
    array([0., 2.])
    """
    target, predicted = _matched(y, prediction, "prediction")
    return 2 * (predicted - target) / target.size


def _require_labels(y: Array, n_classes: int) -> None:
    # Comparisons rather than np.unique: this runs at every step of a training loop.
    valid = (y == np.floor(y)) & (y >= 0) & (y < n_classes)
    if not np.all(valid):
        found = np.unique(y[~valid])
        if n_classes == 2 and np.all(np.isin(y, [-1.0, 1.0])):
            advice = "map labels -1/+1 to 0/1 with (y + 1) / 2"
        elif n_classes == 2:
            advice = (
                "a binary loss needs labels 0 and 1; for more classes use softmax_cross_entropy"
            )
        else:
            advice = (
                f"logits has {n_classes} columns, one per class; number the classes 0, ..., "
                f"{n_classes - 1}, e.g. with np.unique(y, return_inverse=True)[1]"
            )
        raise ValueError(
            f"y must hold class labels 0, ..., {n_classes - 1}, but it holds "
            f"{found[:5].tolist()}" + (" and more" if found.size > 5 else "") + f"; {advice}"
        )


def binary_cross_entropy(y: ArrayLike, logits: ArrayLike) -> float:
    """Mean binary cross-entropy of labels ``y`` in {0, 1} under ``p = sigmoid(logits)``.

    Parameters
    ----------
    y : array_like
        Labels, 0 or 1.
    logits : array_like
        Scores ``z`` with ``p = sigmoid(z)``, same shape as ``y``.

    Returns
    -------
    float
        ``mean(-y log p - (1 - y) log(1 - p))``.

    Raises
    ------
    ValueError
        If the shapes differ or ``y`` holds other labels.

    Notes
    -----
    Taking logits rather than probabilities is what makes it stable: the loss simplifies to
    ``softplus(z) - y z`` with ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``, which never
    evaluates ``log(0)``, even when ``sigmoid(z)`` rounds to 0 or 1.

    Examples
    --------
    >>> round(binary_cross_entropy([1.0, 0.0], [0.0, 0.0]), 6)  # log 2
    0.693147
    >>> binary_cross_entropy([1.0], [-1000.0])  # p = 1e-435: large, not inf
    1000.0
    """
    target, z = _matched(y, logits, "logits")
    _require_labels(target, 2)
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - target * z))


def binary_cross_entropy_gradient(y: ArrayLike, logits: ArrayLike) -> Array:
    """The gradient of :func:`binary_cross_entropy` with respect to the logits:
    ``(sigmoid(z) - y) / n``.

    Examples
    --------
    >>> binary_cross_entropy_gradient([1.0, 0.0], [0.0, 0.0])
    array([-0.25,  0.25])
    """
    target, z = _matched(y, logits, "logits")
    _require_labels(target, 2)
    probability: Array = sigmoid(z)
    return (probability - target) / target.size


def _one_hot(y: ArrayLike, logits: ArrayLike) -> tuple[Array, Array]:
    scores = _logits(logits)
    if scores.ndim != 2:
        raise ValueError(f"logits must have shape (n, k), got shape {scores.shape}")
    if scores.shape[0] == 0:
        raise ValueError("logits must have at least one row (one example), got shape (0, k)")
    labels = as_float_array(y, "y")
    if labels.shape != scores.shape[:1]:
        one_hot = labels.shape == scores.shape
        raise ValueError(
            f"y must hold one class label per row of logits, shape {scores.shape[:1]}, "
            f"got shape {labels.shape}"
            + ("; for one-hot rows pass y.argmax(axis=1)" if one_hot else "")
        )
    n_classes = scores.shape[1]
    _require_labels(labels, n_classes)
    return (labels[:, np.newaxis] == np.arange(n_classes)).astype(np.float64), scores


def softmax_cross_entropy(y: ArrayLike, logits: ArrayLike) -> float:
    """Mean cross-entropy of integer labels ``y`` under ``softmax(logits)``.

    Parameters
    ----------
    y : array_like
        Class labels in ``0, ..., k - 1``, shape ``(n,)``.
    logits : array_like
        Scores, shape ``(n, k)``.

    Returns
    -------
    float
        ``mean(logsumexp(z_i) - z_{i, y_i})``.

    Raises
    ------
    ValueError
        If the shapes do not match or a label is not a class index.

    Notes
    -----
    ``-log softmax(z)_y = logsumexp(z) - z_y``: computed this way no probability is ever
    rounded to 0 and then logged.

    Examples
    --------
    >>> round(softmax_cross_entropy([0, 2], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 6)  # log 3
    1.098612
    """
    one_hot, z = _one_hot(y, logits)
    return float(cross_entropy_from_logits(one_hot, z))


def cross_entropy_from_logits(one_hot: Any, logits: Any) -> Any:
    """``mean(logsumexp(z) - sum(one_hot * z))`` over rows, on arrays or autodiff Tensors.

    The kernel of :func:`softmax_cross_entropy` without input checks, written with operations
    :mod:`calcml.autodiff` can differentiate, so that a model's training loss is this very
    function (see :class:`calcml.models.MLP`).

    Examples
    --------
    >>> float(cross_entropy_from_logits(np.eye(2), np.zeros((2, 2))))  # log 2
    0.6931471805599453
    """
    # Only the shapes are checked: the values may be traced, and this runs at every step.
    shapes = (
        np.shape(getattr(one_hot, "value", one_hot)),
        np.shape(getattr(logits, "value", logits)),
    )
    if len(shapes[1]) != 2 or shapes[0] != shapes[1] or 0 in shapes[1]:
        raise ValueError(
            "one_hot and logits must have the same non-empty shape (n, k), got shapes "
            f"{shapes[0]} and {shapes[1]}; for integer labels use softmax_cross_entropy"
        )
    return np.mean(logsumexp(logits, axis=1) - np.sum(one_hot * logits, axis=1))


def softmax_cross_entropy_gradient(y: ArrayLike, logits: ArrayLike) -> Array:
    """The gradient of :func:`softmax_cross_entropy` with respect to the logits:
    ``(softmax(z) - one_hot(y)) / n``.

    Examples
    --------
    >>> softmax_cross_entropy_gradient([1], [[0.0, 0.0]])
    array([[ 0.5, -0.5]])
    """
    one_hot, z = _one_hot(y, logits)
    probabilities: Array = softmax(z)
    return (probabilities - one_hot) / len(z)
