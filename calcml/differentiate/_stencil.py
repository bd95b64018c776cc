"""Finite-difference stencils: which points a formula samples, and with which weights."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

Method = Literal["forward", "backward", "central", "complex", "richardson"]
METHODS: tuple[Method, ...] = ("forward", "backward", "central", "complex", "richardson")

EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Stencil:
    """``f^(order)(x) ≈ sum_k weights[k] f(x + offsets[k] h) / h^order``, error ``O(h^accuracy)``.

    Only the points with a nonzero weight are kept (the centre of an odd-order central
    stencil is not evaluated).
    """

    offsets: tuple[float, ...]
    weights: tuple[float, ...]
    order: int
    accuracy: int

    @property
    def size(self) -> int:
        """Evaluations of ``f`` per step."""
        return len(self.offsets)

    @property
    def reach(self) -> float:
        """The largest ``|offset|``: the stencil spans ``x ± reach h``."""
        return max(abs(offset) for offset in self.offsets)

    @property
    def nearest(self) -> float:
        """The smallest nonzero ``|offset|``: the first point that must differ from ``x``."""
        return min(abs(offset) for offset in self.offsets if offset)

    def displacements(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        """``offsets[k] * step``, stacked along a new first axis."""
        shape = (-1,) + (1,) * step.ndim
        return np.asarray(np.array(self.offsets).reshape(shape) * step[np.newaxis])

    def combine(self, values: NDArray[Any], step: NDArray[np.float64]) -> NDArray[np.float64]:
        """The derivative from ``values`` (``f`` at the stencil's points along axis 0)."""
        return _weighted(np.array(self.weights), values, step, self.order)

    def round_off(
        self,
        values: NDArray[Any],
        step: NDArray[np.float64],
        *,
        rounding: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """The error of :meth:`combine` if each value of ``f`` is off by one rounding, ``ε |f|``.

        ``rounding`` (shape ``values.shape[:2]``) is how far each point was moved by rounding
        ``x + c h`` to a float (for ``x`` just below a power of 2 no step avoids it); its
        effect, about ``|f'|`` times that, is added with ``|f'|`` taken as the slope across
        the stencil. (``ε |f|`` underestimates the rounding of an ``f`` whose terms cancel, at
        a zero of ``f``: the estimator therefore checks such points at ``1.6 h`` first, where
        round-off stays small, before it shrinks the step.)
        """
        noise = EPS * _weighted(np.abs(self.weights), np.abs(values), step, self.order)
        if not np.any(rounding):
            return noise
        span = (max(self.offsets) - min(self.offsets)) * step
        spread = np.max(values, axis=0) - np.min(values, axis=0)
        slope = spread / _along(span, spread)
        moved = _weighted(np.abs(self.weights), rounding, step, self.order)
        total: NDArray[np.float64] = noise + _along(moved, slope) * slope
        return total


def _along(per_line: NDArray[Any], like: NDArray[Any]) -> NDArray[Any]:
    """``per_line`` (one value per line) broadcast against ``like`` (lines first)."""
    return per_line.reshape(per_line.shape + (1,) * (like.ndim - per_line.ndim))


def _weighted(
    weights: NDArray[np.float64], values: NDArray[Any], step: NDArray[Any], order: int
) -> NDArray[np.float64]:
    total = np.tensordot(weights, values, axes=1)
    return np.asarray(total / step.reshape(step.shape + (1,) * (total.ndim - step.ndim)) ** order)


@functools.lru_cache(maxsize=64)
def stencil(method: Method, order: int, accuracy: int) -> Stencil:
    """The stencil of ``method`` ("forward", "backward" or "central") for ``f^(order)``."""
    if method == "central":
        # A symmetric stencil's error is even in h, so each extra pair of points buys 2 orders.
        half = (order - 1) // 2 + accuracy // 2
        offsets = tuple(range(-half, half + 1))
    else:
        count = order + accuracy
        offsets = tuple(range(count)) if method == "forward" else tuple(range(-count + 1, 1))
    weights = stencil_weights(offsets, order)
    return Stencil(
        offsets=tuple(float(c) for c, w in zip(offsets, weights, strict=True) if w != 0),
        weights=tuple(float(w) for w in weights if w != 0),
        order=order,
        accuracy=accuracy,
    )


def stencil_weights(offsets: tuple[int, ...], order: int) -> NDArray[np.float64]:
    """Weights ``w`` with ``f^(order)(x) ≈ sum_k w_k f(x + c_k h) / h^order``.

    The weight of point ``k`` is the ``order``-th derivative at 0 of the Lagrange polynomial
    that is 1 at ``c_k`` and 0 at the other offsets. Its numerator has integer coefficients and
    its denominator is an integer, so each weight is exact up to one rounding, unlike the
    solution of the ill-conditioned Vandermonde system.
    """
    weights = np.empty(len(offsets))
    for k, center in enumerate(offsets):
        others = [c for c in offsets if c != center]
        numerator = np.polynomial.polynomial.polyfromroots(others)
        denominator = math.prod(center - c for c in others)
        weights[k] = math.factorial(order) * numerator[order] / denominator
    return weights


def check_method(method: Any, order: Any, accuracy: Any) -> int:
    """Validate the method's arguments and return the accuracy to use.

    The default accuracy is the textbook formula's: 1 for a one-sided difference
    ``(f(x + h) - f(x)) / h``, 2 for the central ``(f(x + h) - f(x - h)) / 2h``.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise ValueError(f"order must be a positive integer (1 for f', 2 for f''), got {order!r}")
    if method == "complex" and order != 1:
        raise ValueError(
            f"the complex step gives first derivatives only, got order={order}; "
            "use method='central' or 'richardson' for higher derivatives"
        )
    if accuracy is None:
        return 1 if method in ("forward", "backward") else 2
    if isinstance(accuracy, bool) or not isinstance(accuracy, int | np.integer) or accuracy < 1:
        raise ValueError(
            f"accuracy must be a positive integer (the order p of the error O(h^p)), "
            f"got {accuracy!r}"
        )
    if method == "central" and accuracy % 2:
        raise ValueError(
            f"central stencils have even accuracy (2, 4, 6, ...), got accuracy={accuracy}; "
            "use an even value or method='forward'"
        )
    return int(accuracy)
