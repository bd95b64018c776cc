"""The gradient check: a claimed gradient against a numerical one, component by component."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml.differentiate import _validate
from calcml.differentiate._stencil import Method, check_method
from calcml.differentiate._vector import partial_derivatives, scalar_output


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`.

    Attributes
    ----------
    ok : bool
        True when every component agrees within ``tolerance``.
    max_relative_error : float
        The largest of ``relative_errors``.
    tolerance : float
        The relative tolerance used.
    numerical, analytic : ndarray
        The two gradients, of ``x``'s shape.
    relative_errors : ndarray
        Per component, ``|a - n| / max(|a|, |n|, noise / tolerance)``.
    noise : ndarray
        The estimated absolute error of ``numerical``, per component.
    mismatches : tuple of tuple of int
        Indices (into ``x``) where the relative error exceeds ``tolerance``, worst first.
    nfev : int
        Evaluations of ``f`` spent on the check (``grad`` is called once).
    """

    ok: bool
    max_relative_error: float
    tolerance: float
    numerical: NDArray[np.float64]
    analytic: NDArray[np.float64]
    relative_errors: NDArray[np.float64] = field(repr=False)
    noise: NDArray[np.float64] = field(repr=False)
    mismatches: tuple[tuple[int, ...], ...]
    nfev: int = 0

    def __str__(self) -> str:
        verdict = "passed" if self.ok else f"FAILED at {len(self.mismatches)} component(s)"
        lines = [
            f"gradient check {verdict}: max relative error {self.max_relative_error:.2e} "
            f"(tolerance {self.tolerance:.1e})"
        ]
        for index in self.mismatches[:10]:
            lines.append(
                f"  x{list(index)}: analytic {self.analytic[index]:.10g}, numerical "
                f"{self.numerical[index]:.10g}, relative error {self.relative_errors[index]:.2e}"
            )
        if len(self.mismatches) > 10:
            lines.append(f"  ... and {len(self.mismatches) - 10} more")
        return "\n".join(lines)


def _tolerance(tolerance: Any) -> float:
    try:
        threshold = float(tolerance)
    except (TypeError, ValueError):
        threshold = float("nan")
    if isinstance(tolerance, bool | str) or not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(
            f"tolerance must be a finite number greater than 0 (a relative error such as "
            f"1e-6), got {tolerance!r}"
        )
    return threshold


def check_gradient(
    f: Callable[[NDArray[np.float64]], Any],
    grad: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    tolerance: float = 1e-6,
    method: Method = "richardson",
    raise_on_failure: bool = False,
) -> GradientCheck:
    """Compare a gradient ``grad`` (by hand or automatic) with a numerical one at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    grad : callable
        ``grad(x)`` returns the claimed gradient, an array of ``x``'s shape.
    x : array_like
        The point to check at. Avoid points where ``f`` has a kink (ReLU at 0, ``|x|`` at 0).
    tolerance : float, default 1e-6
        The relative error above which a component is reported as a mismatch.
    method : {"richardson", "central", "complex", ...}
        How the numerical gradient is computed. "complex" is the most accurate if ``f`` accepts
        complex input.
    raise_on_failure : bool, default False
        Raise ``AssertionError`` naming the worst component instead of returning a failed check.

    Returns
    -------
    GradientCheck
        ``ok``, ``max_relative_error``, ``tolerance``, ``numerical``, ``analytic``,
        ``mismatches``, ``nfev``; ``str()`` of it is a readable report.

    Raises
    ------
    AssertionError
        If ``raise_on_failure`` and some component disagrees.
    ValueError
        If ``grad(x)`` does not have ``x``'s shape or is not finite, a numerical partial
        derivative does not settle (``f`` is singular near ``x``, so the check cannot be made
        there), or as :func:`gradient`.
    TypeError
        If ``f`` or ``grad`` is not callable, or as :func:`gradient`.

    Notes
    -----
    Component ``i`` fails when ``|a_i - n_i| > tolerance max(|a_i|, |n_i|)`` and also exceeds
    10 times the numerical gradient's own estimated error: a component cannot be checked more
    finely than the numerical derivative is known, so an analytic zero is not failed over
    round-off. A real bug (a wrong sign, a missing factor) gives relative errors near 1; a
    correct gradient, errors near 1e-10 with the default Richardson method, so 1e-6 leaves
    room on both sides. Near a singularity of ``f`` the numerical derivative shrinks its step
    until it settles, as :func:`derivative` does. Used in :doc:`/backpropagation` to test
    hand-written gradients.

    Examples
    --------
    >>> f = lambda w: np.sum(w**3)
    >>> check_gradient(f, lambda w: 3 * w**2, [1.0, -2.0]).ok
    True
    >>> print(check_gradient(f, lambda w: 3 * w**2 + w, [1.0, -2.0]))
    gradient check FAILED at 2 component(s): max relative error 2.50e-01 (tolerance 1.0e-06)
      x[0]: analytic 4, numerical 3, relative error 2.50e-01
      x[1]: analytic 10, numerical 12, relative error 1.67e-01
    """
    _validate.function(f)
    _validate.function(grad, "grad")
    threshold = _tolerance(tolerance)
    point = _validate.point(x)
    accuracy = check_method(method, 1, None)
    scalar_output(f, point, "a gradient check")
    try:
        claimed = np.asarray(grad(point.copy()), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"grad(x) must return real numbers (an array of x's shape {point.shape}); "
            f"it failed with: {error}"
        ) from error
    if claimed.shape != point.shape:
        raise ValueError(
            f"grad(x) must return an array of x's shape {point.shape}, got shape {claimed.shape}"
        )
    if not np.all(np.isfinite(claimed)):
        raise ValueError(f"grad(x) returned NaN or inf: {claimed}")
    result = partial_derivatives(
        f, point, method=method, accuracy=accuracy, step=None, with_error=True, shape=()
    )
    numerical = result.value.reshape(point.shape)
    noise = 10 * result.error.reshape(point.shape)
    scale = np.maximum(np.maximum(np.abs(claimed), np.abs(numerical)), noise / threshold)
    relative = np.abs(claimed - numerical) / np.where(scale > 0, scale, 1.0)
    worst_first = np.argsort(-relative, axis=None, kind="stable")
    mismatches = tuple(
        tuple(int(k) for k in np.unravel_index(flat, point.shape))
        for flat in worst_first
        if relative.flat[flat] > threshold
    )
    check = GradientCheck(
        ok=not mismatches,
        max_relative_error=float(np.max(relative, initial=0.0)),
        tolerance=threshold,
        numerical=numerical,
        analytic=claimed,
        relative_errors=relative,
        noise=noise,
        mismatches=mismatches,
        nfev=1 + int(np.sum(result.nfev)),
    )
    if raise_on_failure and not check.ok:
        raise AssertionError(str(check))
    return check
