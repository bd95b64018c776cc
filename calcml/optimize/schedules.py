"""Learning-rate schedules: functions from the step number ``t = 0, 1, 2, ...`` to a step size.

Chapter *Optimization in practice* compares them. A schedule is any callable ``t -> rate``;
the optimizers check every rate it returns (a negative or non-finite rate is an error, since
it would turn descent into ascent or poison the iterate).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from calcml._validation import require_positive

__all__ = [
    "Schedule",
    "constant",
    "cosine_decay",
    "exponential_decay",
    "step_decay",
]

Schedule = Callable[[int], float]
"""A learning-rate schedule: maps the step number ``t = 0, 1, 2, ...`` to a learning rate."""


def _require_fraction(value: float, name: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return number


def _require_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def constant(learning_rate: float) -> Schedule:
    """Return the schedule that keeps ``learning_rate`` at every step.

    Parameters
    ----------
    learning_rate : float
        The step size, greater than 0.

    Returns
    -------
    Schedule
        A callable ``t -> learning_rate``.

    Raises
    ------
    ValueError
        If ``learning_rate`` is not a finite positive number.

    Examples
    --------
    >>> schedule = constant(0.1)
    >>> schedule(0), schedule(1000)
    (0.1, 0.1)
    """
    rate = require_positive(learning_rate, "learning_rate")
    return lambda t: rate


def step_decay(learning_rate: float, *, factor: float = 0.5, every: int = 100) -> Schedule:
    """Return the schedule that multiplies the learning rate by ``factor`` every ``every`` steps.

    Parameters
    ----------
    learning_rate : float
        The learning rate for steps ``0`` to ``every - 1``.
    factor : float, default 0.5
        The multiplier applied at each drop, in (0, 1).
    every : int, default 100
        The number of steps between drops.

    Returns
    -------
    Schedule
        A callable ``t -> learning_rate * factor ** (t // every)``.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> schedule = step_decay(1.0, factor=0.5, every=10)
    >>> [schedule(t) for t in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """
    rate = require_positive(learning_rate, "learning_rate")
    drop = _require_fraction(factor, "factor")
    period = _require_count(every, "every")
    return lambda t: rate * drop ** (t // period)


def exponential_decay(learning_rate: float, *, decay: float = 0.99) -> Schedule:
    """Return the schedule ``t -> learning_rate * decay ** t``.

    Parameters
    ----------
    learning_rate : float
        The learning rate at step 0.
    decay : float, default 0.99
        The factor applied at every step, in (0, 1).

    Returns
    -------
    Schedule
        The decaying schedule.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    The learning rate halves every ``log(2) / -log(decay)`` steps (about 69 steps for 0.99).

    Examples
    --------
    >>> schedule = exponential_decay(0.8, decay=0.5)
    >>> [schedule(t) for t in range(4)]
    [0.8, 0.4, 0.2, 0.1]
    """
    rate = require_positive(learning_rate, "learning_rate")
    base = _require_fraction(decay, "decay")
    return lambda t: rate * base**t


def cosine_decay(
    learning_rate: float, *, total_steps: int, final_learning_rate: float = 0.0
) -> Schedule:
    """Return the schedule that follows half a cosine from ``learning_rate`` down to a floor.

    Parameters
    ----------
    learning_rate : float
        The learning rate at step 0.
    total_steps : int
        The step at which the schedule reaches ``final_learning_rate`` and stays there.
    final_learning_rate : float, default 0.0
        The floor, in ``[0, learning_rate]``.

    Returns
    -------
    Schedule
        ``t -> final + (learning_rate - final) * (1 + cos(pi * min(t, total_steps) /
        total_steps)) / 2``.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    Loshchilov and Hutter's SGDR schedule without restarts: the rate decays slowly at first,
    fastest half-way, and slowly again at the end.

    Examples
    --------
    >>> schedule = cosine_decay(1.0, total_steps=4)
    >>> [schedule(t) for t in (0, 2, 4, 10)]
    [1.0, 0.5, 0.0, 0.0]
    """
    rate = require_positive(learning_rate, "learning_rate")
    period = _require_count(total_steps, "total_steps")
    floor = float(final_learning_rate)
    if not 0 <= floor <= rate:
        raise ValueError(
            f"final_learning_rate must lie in [0, learning_rate={rate}], "
            f"got {final_learning_rate!r}"
        )

    def schedule(t: int) -> float:
        progress = min(t, period) / period
        # Rounded so that the half-way and end points print exactly (cos(pi/2) is 6e-17).
        return floor + (rate - floor) * round((1 + math.cos(math.pi * progress)) / 2, 15)

    return schedule
