"""Input validation shared by every module, so that errors read the same everywhere."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def as_float_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, or raise naming ``name``.

    Raises
    ------
    TypeError
        If ``value`` cannot be read as real numbers.
    ValueError
        If ``value`` holds NaN or infinity.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {value!r}"
        ) from error
    require_finite(array, name)
    return array


def require_finite(array: NDArray[Any], name: str) -> None:
    """Raise ``ValueError`` naming ``name`` when ``array`` holds NaN or infinity."""
    finite = np.isfinite(array)
    # The method, not np.all: this runs on every argument of every call, and the function's
    # dispatch costs more than the check on a small array.
    if not finite.all():
        where = np.argwhere(~finite)
        first = tuple(int(i) for i in where[0]) if array.ndim else ()
        raise ValueError(
            f"{name} must be finite, but it holds {array[first].item()!r}"
            + (f" at index {first}" if first else "")
            + f" ({int(where.shape[0]) if array.ndim else 1} non-finite value(s) in all)"
        )


def require_positive(value: float, name: str) -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise naming ``name``."""
    number = float(value)
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value!r}")
    return number


def refuse_none_and_text(value: Any, name: str) -> None:
    """Raise ``TypeError`` naming ``name`` for ``None`` or text, which numpy would quietly read
    as NaN or parse as a number (``np.asarray("1.0", dtype=float)`` is 1.0)."""
    if value is None:
        raise TypeError(f"{name} is None; expected a real number or an array of real numbers")
    try:
        text = isinstance(value, str | bytes) or np.asarray(value).dtype.kind in "US"
    except (TypeError, ValueError):
        return  # not an array at all: as_float_array names the problem
    if text:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got text {value!r:.60}"
        )
