"""Numerical differentiation (placeholder until the differentiation module lands)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def derivative(f: Callable[[float], float], x: float) -> float:
    """Central-difference derivative of ``f`` at ``x``.

    Examples
    --------
    >>> round(derivative(lambda t: t**2, 3.0), 6)
    6.0
    """
    step = np.cbrt(np.finfo(float).eps) * max(1.0, abs(x))
    return float((f(x + step) - f(x - step)) / (2 * step))
