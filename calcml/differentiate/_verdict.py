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
    (``strict``) or warn about an estimate that did not settle as the step shrank, or whose
    samples at the user's step contradict each other (Richardson's check, aliasing).

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
    if result.swamped is not None and result.swamped[line]:
        size = "" if result.size_of_f is None else f", of size {result.size_of_f[line]:.2g},"
        message = (
            f"{what} {where(line)} is lost in round-off: f's values there{size} are too large "
            f"next to their change over any step up to {result.step[line]:.2g} for a difference "
            f"to resolve it (the estimate, {np.array2string(np.asarray(value), precision=6)}, "
            f"is uncertain by {change:.2g}). Subtract the constant part of f (its derivative "
            "is the same), compute f so that its terms do not cancel, or use method='complex' "
            "or calcml.autodiff"
        )
    elif user_step:
        message = (
            f"{what} {where(line)} has no error bound at step={result.step[line]:.3g}: the "
            "differences it samples contradict each other (their extrapolation, "
            f"{np.array2string(np.asarray(value), precision=6)}, does not predict the "
            "difference at a step in between), so f varies on a scale shorter than the "
            "step, or a period of f fits into the step a whole number of times. Use a "
            "smaller step, or leave step=None to have it shrunk until the estimate settles"
        )
    else:
        message = (
            f"{what} {where(line)} did not settle: as the step shrank from "
            f"{result.first_step[line]:.2g} to {result.step[line]:.2g} the estimates kept "
            f"changing (the last, {np.array2string(np.asarray(value), precision=6)}, "
            f"differs from the one before by {change:.2g}), so no error bound can be given. "
            "f is probably singular, or not differentiable, near x. Differentiate at a point "
            "farther from the singularity, use method='forward' or 'backward' to stay on one "
            "side of an edge of f's domain, or call estimate_derivative() to inspect the "
            "estimate"
        )
    if strict:
        raise ValueError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=stacklevel())
