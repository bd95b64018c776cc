"""What the public functions do with an estimate: return it, warn, or refuse it."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from calcml.differentiate._estimate import LineEstimate
from calcml.differentiate._step import warn_below_round_off_floor
from calcml.differentiate._validate import stacklevel


def not_finite(what: str) -> ValueError:
    return ValueError(
        f"{what} is NaN or inf: f returned NaN or inf near x at every step tried, or values "
        "that differ by more than a float can hold. x may be at a singularity or at the edge "
        "of f's domain; differentiate at another point, or use method='forward'/'backward' "
        "to stay on one side of the edge"
    )


def conclude(
    result: LineEstimate,
    *,
    what: str,
    where: Callable[[int], str],
    user_step: bool,
    recommended: NDArray[np.float64],
    strict: bool,
) -> None:
    """Refuse a non-finite estimate; warn about a user's step below the round-off floor; raise
    (``strict``) or warn about an estimate that did not settle as the step shrank.

    ``what`` names the derivative ("the derivative of order 1 (central)") and ``where(line)``
    the line ("at x=0.001", "along x[2]").
    """
    finite = result.finite
    if not np.all(finite):
        raise not_finite(f"{what} {where(int(np.argmin(finite)))}")
    if user_step:
        warn_below_round_off_floor(
            result.step, result.value, result.round_off, result.collapsed, recommended
        )
    if np.all(result.settled):
        return
    line = int(np.argmin(result.settled))
    value = result.value[line]
    change = float(np.max(result.error[line]))
    message = (
        f"{what} {where(line)} did not settle: as the step shrank from "
        f"{result.first_step[line]:.2g} to {result.step[line]:.2g} the estimates kept "
        f"changing (the last, {np.array2string(np.asarray(value), precision=6)}, differs from "
        f"the one before by {change:.2g}), so no error bound can be given. f is probably "
        "singular, or not differentiable, near x. Differentiate at a point farther from the "
        "singularity, use method='forward' or 'backward' to stay on one side of an edge of "
        "f's domain, or call estimate_derivative() to inspect the estimate"
    )
    if strict:
        raise ValueError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=stacklevel())
