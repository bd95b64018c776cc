"""The one estimator behind every public function: a derivative along lines, with its error.

Each public function reduces to ``L`` lines, the derivative of ``t -> f(x + t v)`` at
``t = 0`` for ``L`` points or directions, and calls :func:`estimate` once.

Choosing the step. The default step assumes ``f`` varies on the scale ``max(1, |x|)``. Near a
singularity or an edge of ``f``'s domain it varies on the (smaller) distance to it, and a
difference that reaches across returns a wrong number of any size or sign. So the estimate is
only returned once it has *settled*: it agrees to 1e-6 with the same difference at
``CHECK_RATIO h`` (about ``1.6 h``), or, while the step shrinks by 4 at a time, successive
estimates agree within their round-off or their changes shrink at the rate ``4^-accuracy``
the Taylor series predicts.
The cost: :func:`derivative` spends one evaluation on this where the values of the first
difference show nothing near: the value that gives it the next derivative too (``f(x)`` for a
central difference), to see whether the derivative changes fast (:func:`_bends`), which a
constant added to ``f`` cannot hide as it hides the spread of ``f``'s values
(:func:`_needs_checking`). So a smooth function at a well-scaled point costs 3 (still 2 per
coordinate for the vector functions, which know ``f(x)`` already); :func:`estimate_derivative`
always checks at ``1.6 h``, as the chapter explains.

Round-off. The default step also assumes ``f``'s values are of the size of its change over
``max(1, |x|)``. A large constant added to ``f`` (a loss summed over a million examples) makes
its values so large next to their change over the step that round-off swamps the difference
(``1e9 + t`` at 0 gave 1.004): there the step grows instead, while the estimate gets more
accurate (:func:`_grown`; Richardson's first step too), and a derivative round-off still swamps
is refused, not returned.

Aliasing. A function periodic on a scale shorter than the step (tan at ``|x| = 1e6``, where the
central step is about 6 and Richardson's first step about 11,000) can look smooth to samples at
steps that are all multiples of one step ``h``: with ``h = m pi + d``, tan sampled there is
``t -> tan(x + r t)``, ``r = d / h``, and every difference converges, with a tiny error
estimate, to ``r f'(x)``. So no estimate is trusted on such steps alone: the finite differences
are checked at ``CHECK_RATIO h`` (the golden ratio, far from every fraction), and each
Richardson tableau must predict the difference at ``CHECK_RATIO`` times its finest step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from calcml.differentiate._sample import Sampler
from calcml.differentiate._stencil import EPS, Method, Stencil, stencil, stencil_weights
from calcml.differentiate._step import RICHARDSON_LEVELS, on_float_grid

# f's values across a stencil of reach r h differ, relative to their size, by about
# r h |f'/f|; for a function that varies on the scale max(1, |x|) the default step assumes,
# about r h / max(1, |x|). Near a pole ((x - s)^p at distance d) they differ by about
# |p| r h / d. A spread this many times the expected one (f varies on a scale 16 times
# shorter), or a value of f that is not finite, has the estimate checked by shrinking the step.
SPREAD_FACTOR = 16.0
# The golden ratio: its multiples are as far from fractions as a number's can be, so a period
# that fits a whole number of times into one step (aliasing) does not into the other.
CHECK_RATIO = (1 + 5**0.5) / 2
SHRINK = 4.0
# Two estimates agree when they differ by less than this many times their round-off bounds.
AGREEMENT = 4.0
# Once round-off exceeds this fraction of the estimate, smaller steps only make it worse.
ROUND_OFF_FLOOR = 0.1
# estimate_derivative's check at CHECK_RATIO h settles a value whose error is below this.
SETTLED = 1e-6
# A trusted estimate that round-off stops short of SETTLED is still returned within this.
USABLE = 1e-3
# f's values that are one float at every step tried prove the derivative 0 only within their
# round-off at the largest step, about one ulp of f over h^d (for 1e20 + t at 0, 2e5), so
# their 0 is returned only where that bound is below FLAT_ZERO, absolutely. No relative test
# exists: flat values show no size of the derivative, and f's size is what a large constant
# inflates (next to it, 1e20 + t's bound is negligible too). So, as max(1, |x|) takes an |x|
# below 1 for 1, a size f does not show is taken for 1, and the 0 must be within SETTLED of
# it. At |x| <= 1, 5.0's bound is 1e-14 and 1e6's about 2e-9 (1e-7 for a second derivative):
# 0, as for tanh where its value is 1.0; constants beyond about 1e8 (1e7) are refused, naming
# the fix. A gradient's flat components are first judged next to its largest (_swamped).
FLAT_ZERO = SETTLED
# Steps grown at most this many times (by SHRINK) out of round-off, up to a quarter of the
# scale max(1, |x|) on which the default step assumes f varies.
MAX_GROWTH = 12
MAX_LEVELS = 32
# Changes that grow this many levels in a row, with the step already below |x| (1/h^2 at a
# pole at x, 1/h across a jump at x), diverge; above |x| growth is the approach to a
# singularity at 0 (abs at 1e-12 grows for 15 levels, then settles).
DIVERGING = 12


@dataclass(frozen=True)
class LineEstimate:
    """Derivatives along ``L`` lines; arrays are ``(L,) + f's output shape`` unless noted.

    ``error`` is NaN where no error was estimated (the cheap path of :func:`derivative`); where
    the estimate never ``settled`` it is the last change between estimates, no bound. ``step``,
    ``first_step``, ``nfev``, ``settled`` and ``collapsed`` (``x + h`` rounds to ``x``) are
    ``(L,)``.
    """

    value: NDArray[np.float64]
    error: NDArray[np.float64]
    round_off: NDArray[np.float64]
    step: NDArray[np.float64]
    first_step: NDArray[np.float64]
    nfev: NDArray[np.int64]
    settled: NDArray[np.bool_]
    collapsed: NDArray[np.bool_]
    #: ``(L,)``: round-off swamps the estimate at every step tried (see :func:`_grown`).
    swamped: NDArray[np.bool_] | None = None
    #: ``(L,)``: the largest ``|f|`` among the values of the step kept, which a swamped
    #: line's message names (its round-off is about ``ε`` times that over ``h^d``).
    size_of_f: NDArray[np.float64] | None = None

    @property
    def finite(self) -> NDArray[np.bool_]:
        return _per_line(np.isfinite(self.value), np.all)


def _per_line(array: NDArray[Any], reduce: Any) -> NDArray[Any]:
    """``reduce`` over the output axes: one value per line."""
    flat = array.reshape(array.shape[0], int(np.prod(array.shape[1:])))
    return np.asarray(reduce(flat, axis=1)) if flat.shape[1] else np.ones(len(flat), bool)


def _broadcast(per_line: NDArray[Any], like: NDArray[Any]) -> NDArray[Any]:
    return per_line.reshape(per_line.shape + (1,) * (like.ndim - per_line.ndim))


def estimate(
    sample: Sampler,
    *,
    method: Method,
    order: int,
    accuracy: int,
    magnitude: NDArray[np.float64],
    step: NDArray[np.float64],
    with_error: bool,
    adapt: bool,
) -> LineEstimate:
    """The derivative of order ``order`` along each line, starting from ``step``.

    ``magnitude`` is ``|x|`` along each line (it puts shrunk steps on the float grid).
    ``with_error`` always estimates the error; ``adapt`` shrinks the step until the estimate
    settles (off for a step the user chose, which is taken as given).
    """
    # NaN and inf from f near a singularity are judged here, not reported by numpy.
    with np.errstate(all="ignore"):
        if method == "complex":
            return _complex_step(sample, step)
        if method == "richardson":
            return _richardson(sample, order, magnitude, step, adapt=adapt)
        return _differences(
            sample,
            stencil(method, order, accuracy),
            magnitude,
            step,
            with_error=with_error,
            adapt=adapt,
        )


def _complex_step(sample: Sampler, step: NDArray[np.float64]) -> LineEstimate:
    lines = np.arange(step.size)
    imaginary = np.asarray(sample(1j * step[np.newaxis], lines)[0].imag, dtype=np.float64)
    value = imaginary / _broadcast(step, imaginary)
    # Nothing cancels: the error is the rounding of f itself, a few ulp of the result.
    error = 4 * EPS * np.abs(value)
    return LineEstimate(
        value=value,
        error=error,
        round_off=error,
        step=step,
        first_step=step,
        nfev=np.ones(step.size, dtype=np.int64),
        settled=np.ones(step.size, dtype=bool),
        collapsed=np.zeros(step.size, dtype=bool),
    )


def _spread(values: NDArray[Any]) -> NDArray[np.float64]:
    """How much ``f``'s values (stacked on axis 0) differ, relative to their size."""
    size = np.max(np.abs(values), axis=0)
    spread = (np.max(values, axis=0) - np.min(values, axis=0)) / (2 * size)
    return np.where(size > 0, spread, 0.0)


def _needs_checking(
    value: NDArray[np.float64],
    spread: NDArray[np.float64],
    magnitude: NDArray[np.float64],
    reach: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Lines whose first estimate may have reached a singularity, ``reach`` = ``r h``."""
    scale = np.maximum(1.0, magnitude)
    expected = _broadcast(reach / scale, spread)
    suspicious = ~_per_line(np.isfinite(value), np.all)
    suspicious |= _per_line(spread > SPREAD_FACTOR * expected, np.any)
    # So is a point within scale / 16 of 0: a singularity there (log, 1/x, sqrt, x**p) may be
    # hidden from the spread by a constant added to f.
    return suspicious | ((magnitude > 0) & (SPREAD_FACTOR * magnitude < scale))


def _extra_offset(rule: Stencil) -> float | None:
    """The point to add to ``rule`` for the derivative of the next order, if it lacks one: the
    centre of a central stencil, else the next point beyond its far end."""
    if rule.size >= rule.order + 2:
        return None
    if 0.0 not in rule.offsets:
        return 0.0
    return max(rule.offsets) + 1 if max(rule.offsets) > 0 else min(rule.offsets) - 1


def _bends(
    rule: Stencil,
    extra: float | None,
    values: NDArray[Any],
    size: NDArray[np.float64],
    step: NDArray[np.float64],
    magnitude: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Lines along which the derivative, of size ``size``, changes on a scale
    :data:`SPREAD_FACTOR` times shorter than ``max(1, |x|)``, as it does near a singularity.

    ``values`` are ``f`` at the stencil's points and at ``extra`` (see :func:`_extra_offset`);
    from them, the derivative of the next order. Unlike the spread of ``f``'s values, neither
    derivative changes when a constant is added to ``f``. A change within round-off is none.
    """
    offsets = rule.offsets if extra is None else (*rule.offsets, extra)
    order = rule.order + 1
    weights = stencil_weights(tuple(int(c) for c in offsets), order)
    next_rule = Stencil(offsets, tuple(float(w) for w in weights), order, accuracy=1)
    change = next_rule.combine(values, step)
    noise = next_rule.round_off(values, step, rounding=np.zeros(values.shape[:2]))
    scale = _broadcast(np.maximum(1.0, magnitude), change)
    fast = np.abs(change) * scale > SPREAD_FACTOR * np.abs(size)
    return _per_line(fast & (np.abs(change) > AGREEMENT * noise), np.any)


def _level(
    sample: Sampler,
    rule: Stencil,
    step: NDArray[np.float64],
    lines: NDArray[np.intp],
    magnitude: NDArray[np.float64],
    *,
    extra: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``(difference, round-off, f's values)`` at ``step`` on ``lines``; the values include
    ``f`` at ``x + extra * step`` last, if ``extra`` is given (in the same call of ``f``)."""
    displacements = rule.displacements(step)
    if extra is None:
        values = sample(displacements, lines)
    else:
        values = sample(np.concatenate([displacements, extra * step[np.newaxis]]), lines)
    stencil_values = values[: rule.size]
    difference = rule.combine(stencil_values, step)
    noise = rule.round_off(
        stencil_values,
        step,
        rounding=sample.rounding(displacements, lines),
    )
    return difference, noise, values


def _swamped(
    rule: Stencil,
    value: NDArray[np.float64],
    round_off: NDArray[np.float64],
    values: NDArray[Any],
    step: NDArray[np.float64],
    magnitude: NDArray[np.float64],
    through_one_point: bool,
    accuracy: float,
) -> NDArray[np.bool_]:
    """Where round-off exceeds ``accuracy`` times the derivative's size (per output element).

    The size is the estimate's, or the one the change of ``f`` across all ``values`` (the
    stencil's, and ``f(x)``) shows: at a stationary point the derivative is near 0 but ``f``
    still changes (cos at 0, whose values at ``±h`` are equal, differs from ``cos(0)``), and its
    round-off is judged against that change over the stencil's width, a slope. A derivative of
    order ``d > 1`` is that slope over the scale ``max(1, |x|)`` on which the default step
    assumes ``f`` varies, ``d - 1`` times, not over the width: the change of ``1e9 + sin``
    across ``1 ± 0.073`` over ``0.073²`` is 15, which would pass for a second derivative 18
    times the true one and hide round-off 18 times too large. One gradient's components are
    judged against the largest.
    """
    change = _change(values)
    width = rule.reach * step * np.maximum(1.0, magnitude) ** (rule.order - 1)
    size = np.maximum(np.abs(value), change / _broadcast(width, change))
    size = np.where(np.isfinite(size), size, 0.0)
    if through_one_point:
        size = np.broadcast_to(np.max(size, axis=0), size.shape)
    return np.asarray(round_off > accuracy * size)


def _change(values: NDArray[Any]) -> NDArray[np.float64]:
    """How far apart ``f``'s finite values (stacked on axis 0) lie; ``-inf`` if none is.

    A value that is not finite (``f(x)`` where only ``f``'s limit exists, a point of a tableau
    reaching past an edge of the domain, even where a finer entry does not) tells nothing of
    the size here; the estimator judges it elsewhere.
    """
    finite = np.isfinite(values)
    largest = np.max(values, axis=0, where=finite, initial=-np.inf)
    return np.asarray(largest - np.min(values, axis=0, where=finite, initial=np.inf))


def _largest(values: NDArray[Any]) -> NDArray[np.float64]:
    """The largest finite ``|f|`` among ``f``'s values (stacked on axis 0) on each line."""
    size = np.max(np.abs(values), axis=0, where=np.isfinite(values), initial=0.0)
    return _per_line(size, np.max)


def _flat(values: NDArray[Any], round_off: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Where every finite value of ``f`` is the same float, and that proves the derivative 0
    within :data:`FLAT_ZERO`: their ``round_off`` (one ulp of ``f`` over ``h^d``) bounds how
    large a derivative such values can hide."""
    return np.asarray((_change(values) == 0) & (round_off <= FLAT_ZERO))


def _grown(
    sample: Sampler,
    rule: Stencil,
    magnitude: NDArray[np.float64],
    step: NDArray[np.float64],
    level: tuple[NDArray[Any], ...],
    level_at: Callable[
        [NDArray[np.float64], NDArray[np.intp]], tuple[tuple[NDArray[Any], ...], int]
    ],
    *,
    sees_centre: bool,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64]]:
    """Grow, in place, the step of lines whose estimate round-off swamps.

    When ``f``'s values are far larger than their change over the step (``1e9 + t`` at 0, where
    the default step's difference is 1.004 ± 0.08, or ``1e12 + t``, whose values at ``±h``
    are the same float), a smaller step only makes it worse and a larger one is the cure:
    round-off falls as ``1/h`` while the truncation error grows as ``h^p``. While round-off
    exceeds :data:`SETTLED` of the derivative, the step grows by :data:`SHRINK` as long as the
    larger step's estimate agrees with the smaller's within their round-off (the same
    derivative, known better; once truncation shows, the smaller step was the best), up to a
    quarter of ``max(1, |x|)``.

    ``level`` is ``(value, round_off, values, *more)`` at ``step``: the estimate, its
    round-off, ``f``'s values it used (stacked on axis 0) and any more arrays that go with the
    estimate (a tableau's error bound); all are updated in place. ``level_at(step, lines)``
    gives the same at a larger step on ``lines``, and the evaluations that cost each line.
    ``sees_centre``: the values include ``f(x)``, or points so near ``x`` that it would add
    nothing; else ``f(x)`` is asked for where it may decide (see :func:`_swamped`).

    Returns the lines grown; those still swamped, beyond :data:`USABLE`, unless their values
    are one float at every step tried and that proves the derivative 0 within
    :data:`FLAT_ZERO` (see :func:`_flat`); and the evaluations spent.
    """
    value, round_off, values, *more = level
    through = sample.through_one_point
    nfev = np.zeros(step.size, dtype=np.int64)
    grown = np.zeros(step.size, dtype=bool)
    finite = _per_line(np.isfinite(value), np.all)
    # f(x) joins the values judged (see _swamped) where it may decide; elsewhere this
    # placeholder repeats a value of the line's own, which changes no range.
    centre = values[:1].copy()

    def swamped(accuracy: float, *, unless_flat: bool = False) -> NDArray[np.bool_]:
        judged = np.concatenate([values, centre])
        where = _swamped(rule, value, round_off, judged, step, magnitude, through, accuracy)
        if unless_flat:
            where &= ~_flat(judged, round_off)
        return np.asarray(_per_line(where, np.any) & finite, dtype=bool)

    growing = swamped(SETTLED)
    if not sees_centre and np.any(growing):
        # Free along lines through one point, whose f(x) is known; else one evaluation.
        asked = np.flatnonzero(growing)
        centre[:, asked] = sample(np.zeros((1, asked.size)), asked)
        nfev[asked] += 0 if through else 1
        growing = swamped(SETTLED)
    ceiling = np.maximum(1.0, magnitude) / SHRINK
    for _ in range(MAX_GROWTH):
        active = np.flatnonzero(growing & (SHRINK * step <= ceiling))
        if not active.size:
            break
        larger = on_float_grid(magnitude[active], SHRINK * step[active], rule.reach, 0)
        (estimate, noise, new_values, *new_more), spent = level_at(larger, active)
        nfev[active] += spent
        agree = _per_line(
            np.abs(estimate - value[active]) <= AGREEMENT * (noise + round_off[active]), np.all
        ) & _per_line(np.isfinite(estimate), np.all)
        taken = active[agree]
        step[taken] = larger[agree]
        updates = zip((value, round_off, *more), (estimate, noise, *new_more), strict=True)
        for running, new in updates:
            running[taken] = new[agree]
        values[:, taken] = new_values[:, agree]
        grown[taken] = True
        growing[active[~agree]] = False
        growing[taken] = swamped(SETTLED)[taken]
    return grown, swamped(USABLE, unless_flat=True), nfev


def _differences(
    sample: Sampler,
    rule: Stencil,
    magnitude: NDArray[np.float64],
    first_step: NDArray[np.float64],
    *,
    with_error: bool,
    adapt: bool,
) -> LineEstimate:
    count = first_step.size
    lines = np.arange(count)
    # derivative's cheap path, which checks only what looks suspicious, also looks at the
    # derivative of the next order: a constant added to f hides a nearby singularity from the
    # spread of f's values (log(x - 1) + 100 at 1.001), never from how fast f' changes.
    looks_at_bend = adapt and not with_error
    extra = _extra_offset(rule) if looks_at_bend else None
    value, round_off, values = _level(sample, rule, first_step, lines, magnitude, extra=extra)
    nfev = np.full(count, rule.size + (extra is not None), dtype=np.int64)
    grown = swamped = np.zeros(count, dtype=bool)
    if adapt:
        first_step = first_step.copy()

        def level_at(
            step: NDArray[np.float64], lines: NDArray[np.intp]
        ) -> tuple[tuple[NDArray[Any], ...], int]:
            level = _level(sample, rule, step, lines, magnitude, extra=extra)
            return level, level[2].shape[0]

        grown, swamped, spent = _grown(
            sample,
            rule,
            magnitude,
            first_step,
            (value, round_off, values),
            level_at,
            sees_centre=extra == 0.0,
        )
        nfev += spent
    error = np.full(value.shape, np.nan)
    step = first_step.copy()
    collapsed = magnitude + rule.nearest * first_step == magnitude
    finite = _per_line(np.isfinite(value), np.all)
    spread = _spread(values[: rule.size])
    suspicious = _needs_checking(value, spread, magnitude, rule.reach * first_step)
    if looks_at_bend:
        size = value
        if sample.through_one_point:
            # One gradient's components are judged together: one near 0 (a coordinate along
            # which f is nearly flat) need only be accurate next to the largest.
            size = np.broadcast_to(np.max(np.abs(value), axis=0), value.shape)
        suspicious |= _bends(rule, extra, values, size, first_step, magnitude)
    # A grown step is checked like a suspicious one: at it, truncation may show.
    suspicious |= grown
    settled = finite & ~suspicious & ~swamped
    # estimate_derivative checks every line at CHECK_RATIO h; derivative only the suspicious
    # ones, for which agreement there to SETTLED is the cheapest proof (and, at a zero of f
    # whose terms cancel, a safer one than shrinking the step into round-off that ε|f|
    # underestimates).
    if not adapt:
        check = lines if with_error else lines[:0]
    else:
        check = lines[finite] if with_error else lines[finite & suspicious]
    if check.size:
        # The same stencil at a step c h: D(c h) - D(h) ≈ (c^p - 1) e for an error e h^p. Not
        # at 2h: a function periodic on a scale shorter than h (tan at 1e6, where h is about
        # 6) can alias h and 2h alike (h = m pi + d, 2h = 2m pi + 2d), and the two differences
        # then agree on r f'(x), r = d / h. No period fits the golden ratio's multiples.
        coarse_step = on_float_grid(
            magnitude[check], CHECK_RATIO * first_step[check], rule.reach, 0
        )
        coarse, coarse_round_off, _ = _level(sample, rule, coarse_step, check, magnitude)
        nfev[check] += rule.size
        ratio = _broadcast(coarse_step / first_step[check], value[check])
        # The round-off of both differences is in their gap too, and may hide the truncation
        # (x just below a power of 2, where x + h and x + c h round in opposite directions).
        gap = np.abs(value[check] - coarse) + round_off[check] + coarse_round_off
        truncation = gap / (ratio**rule.accuracy - 1)
        error[check] = truncation + round_off[check]
        settled[check] = _accurate(value[check], error[check], round_off[check])
    if adapt and np.any(grown):
        # A grown step stopped where truncation showed through round-off; both together can
        # still exceed USABLE (a one-sided difference of 1e11 + t^2), and no other step does
        # better: refused as swamped, like a step round-off alone swamps.
        rough = _swamped(
            rule, value, error, values, step, magnitude, sample.through_one_point, USABLE
        )
        swamped = swamped | (grown & _per_line(rough & ~_flat(values, round_off), np.any))
    if not adapt:
        settled = finite
        return LineEstimate(value, error, round_off, step, first_step, nfev, settled, collapsed)
    # Still swamped at the largest step: no smaller step can help, and the verdict says so.
    failed = swamped.copy()
    previous, previous_round_off = value.copy(), round_off.copy()
    previous_change = np.full(value.shape, np.nan)
    best = _Best(value, error)
    growing = np.zeros(count, dtype=np.int64)
    expected_ratio = SHRINK**-rule.accuracy
    largest_ratio = min(0.5, 4 * expected_ratio)

    def smaller_step(active: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        smaller = on_float_grid(magnitude[active], step[active] / SHRINK, 2 * rule.reach, 0)
        # At a step of a few hundred ulp of x the float grid distorts the ratio of the steps,
        # on which the rate of convergence is judged, and soon x + h rounds to x.
        at_floor = magnitude[active] + rule.nearest * smaller == magnitude[active]
        return smaller, at_floor | (np.abs(SHRINK * smaller / step[active] - 1) > 0.05)

    for active, smaller in _shrinking(settled, failed, MAX_LEVELS, smaller_step):
        estimate, noise, _ = _level(sample, rule, smaller, active, magnitude)
        nfev[active] += rule.size
        step[active] = smaller
        with np.errstate(all="ignore"):
            change = np.abs(estimate - previous[active])
            ratio = change / previous_change[active]
        # Agreement within round-off, or changes shrinking at the Taylor series' rate, whose
        # geometric tail (ratio r) bounds the remaining truncation error: change r / (1 - r).
        agree = change <= AGREEMENT * (noise + previous_round_off[active])
        converging = ratio <= largest_ratio
        rate = np.clip(np.nan_to_num(ratio, nan=largest_ratio), expected_ratio, largest_ratio)
        bound = np.where(agree, change, 2 * change * rate / (1 - rate)) + noise
        now_finite = _per_line(np.isfinite(estimate), np.all)
        both_finite = now_finite & _per_line(np.isfinite(previous[active]), np.all)
        trusted = both_finite & _per_line(agree | converging, np.all)
        # Accuracy is relative to the largest trusted estimate, so that estimates converging
        # to a derivative of 0 (x**3 at 0) settle too.
        best.see(active[trusted], estimate[trusted])
        size = best.size[active]
        accurate = bound <= np.maximum(SETTLED * size, AGREEMENT * noise)
        accepted = trusted & _per_line(accurate, np.all)
        best.offer(active[trusted], estimate[trusted], bound[trusted])
        below_x = (magnitude[active] == 0) | (smaller < magnitude[active])
        grew = _per_line(ratio > 1, np.any) & below_x
        growing[active] = np.where(grew, growing[active] + 1, 0)
        drowned = _drowned(noise, estimate) & ~agree
        hopeless = now_finite & ~accepted & _per_line(drowned, np.any)
        hopeless |= growing[active] >= DIVERGING
        _keep_finite(active, now_finite, (value, estimate), (round_off, noise))
        error[active[accepted]] = bound[accepted]
        settled[active[accepted]] = True
        failed[active[hopeless]] = True
        previous[active], previous_round_off[active] = estimate, noise
        previous_change[active] = np.where(_broadcast(both_finite, change), change, np.nan)
    # An estimate that never settled has no error bound; the last change is kept for the message.
    error[~settled] = np.where(np.isnan(previous_change), np.inf, previous_change)[~settled]
    error[swamped] = round_off[swamped]
    best.settle(value, error, settled)
    settled &= ~swamped
    return LineEstimate(
        value,
        error,
        round_off,
        step,
        first_step,
        nfev,
        settled,
        collapsed,
        swamped,
        _largest(values),
    )


def _shrinking(
    settled: NDArray[np.bool_],
    failed: NDArray[np.bool_],
    levels: int,
    smaller_step: Callable[[NDArray[np.intp]], tuple[NDArray[np.float64], NDArray[np.bool_]]],
) -> Iterator[tuple[NDArray[np.intp], NDArray[np.float64]]]:
    """The lines still open at each of up to ``levels`` smaller steps, with their next step.

    A line is open until the loop marks it ``settled`` or ``failed`` (both updated in place by
    the caller between levels). ``smaller_step(lines)`` gives the next step of ``lines`` and
    which of them it would put at the float grid's floor; those fail here.
    """
    lines = np.arange(settled.size)
    for _ in range(levels):
        active = lines[~settled & ~failed]
        if not active.size:
            return
        smaller, at_floor = smaller_step(active)
        failed[active[at_floor]] = True
        if np.all(at_floor):
            return
        yield active[~at_floor], smaller[~at_floor]


def _accurate(
    value: NDArray[np.float64], error: NDArray[np.float64], round_off: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Lines whose estimate is :data:`SETTLED`, or as accurate as its round-off allows."""
    return _per_line(error <= np.maximum(SETTLED * np.abs(value), AGREEMENT * round_off), np.all)


def _drowned(noise: NDArray[np.float64], estimate: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Where round-off is so large a share of the estimate that smaller steps only add to it."""
    return np.asarray(noise > ROUND_OFF_FLOOR * np.abs(estimate))


def _keep_finite(
    active: NDArray[np.intp],
    finite: NDArray[np.bool_],
    *updates: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    """Store each new array in its running one, in place, on the ``active`` lines where the
    new estimate is ``finite`` (a NaN from beyond an edge of the domain is not kept)."""
    for running, new in updates:
        running[active[finite]] = new[finite]


class _Best:
    """The most accurate trusted estimate of each line so far, for when the step runs into
    round-off before the estimate reaches :data:`SETTLED` accuracy."""

    def __init__(self, value: NDArray[np.float64], error: NDArray[np.float64]) -> None:
        self.value = np.full_like(value, np.nan)
        self.error = np.full_like(error, np.inf)
        self.size = np.zeros_like(value)

    def see(self, lines: NDArray[np.intp], value: NDArray[np.float64]) -> None:
        """Remember the size of trusted estimates, the scale their accuracy is judged on."""
        self.size[lines] = np.maximum(self.size[lines], np.abs(value))

    def offer(
        self, lines: NDArray[np.intp], value: NDArray[np.float64], error: NDArray[np.float64]
    ) -> None:
        better = _per_line(error, np.max) < _per_line(self.error[lines], np.max)
        self.value[lines[better]], self.error[lines[better]] = value[better], error[better]

    def settle(
        self,
        value: NDArray[np.float64],
        error: NDArray[np.float64],
        settled: NDArray[np.bool_],
    ) -> None:
        """Settle, in place, the lines whose best trusted estimate is :data:`USABLE`."""
        usable = ~settled & _per_line(self.error <= USABLE * self.size, np.all)
        value[usable], error[usable] = self.value[usable], self.error[usable]
        settled[usable] = True


def _richardson(
    sample: Sampler,
    order: int,
    magnitude: NDArray[np.float64],
    first_step: NDArray[np.float64],
    *,
    adapt: bool,
) -> LineEstimate:
    """Richardson tableaux, restarted at the finest step of the last until one settles.

    Round-off: the tableau's finest differences, at ``h/16``, carry 16 times the round-off of
    its first, and a large constant in ``f`` (``1e13 + t``, whose values at ``x ± h/16`` differ
    by a few ulp) swamps them all; judged only against its own round-off, the tableau accepted
    values 12 % off "as accurate as round-off allows". So the first tableau's step grows out of
    round-off as a difference's does (:func:`_grown`), and the tableau finally kept is judged
    against the derivative's size (:func:`_swamped`): within :data:`USABLE`, or refused as
    swamped.
    """
    rule = stencil("central", order, 2)
    count = first_step.size
    lines = np.arange(count)

    def tableau_at(
        step: NDArray[np.float64], lines: NDArray[np.intp]
    ) -> tuple[tuple[NDArray[Any], ...], int]:
        value, error, round_off, values, used = _tableau(sample, rule, step, lines, magnitude)
        return (value, round_off, values, error), used

    (value, round_off, values, error), nfev = tableau_at(first_step, lines)
    evaluations = np.full(count, nfev, dtype=np.int64)
    grown = swamped = np.zeros(count, dtype=bool)
    if adapt:
        first_step = first_step.copy()
        # The tableau's finest points, x ± h/16 (and x itself for an even order), differ from
        # f(x) by 1/256 of the change to x ± h at a stationary point: f(x) would add nothing.
        grown, swamped, spent = _grown(
            sample,
            rule,
            magnitude,
            first_step,
            (value, round_off, values, error),
            tableau_at,
            sees_centre=True,
        )
        evaluations += spent
    step = first_step.copy()
    collapsed = magnitude + rule.nearest * step / 2.0 ** (RICHARDSON_LEVELS - 1) == magnitude

    # A tableau whose steps reach a singularity, or span periods of f (sin at 1e5, where the
    # first step is 1e3), can agree with itself and be wrong: such a first tableau must be
    # confirmed by the next, 16 times finer, within both their error estimates.
    suspicious = _needs_checking(value, _spread(values), magnitude, rule.reach * step)
    settled = _accurate(value, error, round_off) & ~suspicious
    # A step the user chose is taken as given, unless the tableau contradicts itself.
    settled = settled if adapt else _per_line(np.isfinite(error), np.all)
    previous, previous_error = value.copy(), error.copy()
    # Smaller steps bring back the round-off a grown step escaped: its tableau is kept, and
    # judged below by its error bound, which includes the truncation the larger step shows.
    failed = grown | swamped
    finest = 2.0 ** (RICHARDSON_LEVELS - 1)
    # f's values in the tableau kept for each line, lines first (as _keep_finite stores them).
    kept_values = np.moveaxis(values, 1, 0).copy()

    def smaller_step(active: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        # Each restart shrinks the step 16-fold, as two levels of the finite differences do.
        smaller = on_float_grid(
            magnitude[active], step[active] / finest, rule.reach, RICHARDSON_LEVELS - 1
        )
        at_floor = magnitude[active] + rule.nearest * smaller / finest == magnitude[active]
        return smaller, at_floor | (smaller >= step[active])

    for active, smaller in _shrinking(
        settled, failed, MAX_LEVELS // 2 if adapt else 0, smaller_step
    ):
        estimate, bound, noise, new_values, used = _tableau(
            sample, rule, smaller, active, magnitude
        )
        evaluations[active] += used
        step[active] = smaller
        now_finite = _per_line(np.isfinite(estimate), np.all)
        _keep_finite(
            active,
            now_finite,
            (value, estimate),
            (error, bound),
            (round_off, noise),
            (kept_values, np.moveaxis(new_values, 1, 0)),
        )
        consistent = np.abs(estimate - previous[active]) <= bound + previous_error[active]
        accepted = now_finite & _accurate(estimate, bound, noise)
        accepted &= _per_line(consistent, np.all) | ~suspicious[active]
        previous[active], previous_error[active] = estimate, bound
        settled[active[accepted]] = True
        hopeless = now_finite & ~accepted & _per_line(_drowned(noise, estimate), np.any)
        failed[active[hopeless]] = True
    if adapt:
        # Judged on the tableau kept, not the first, whose steps may reach across a
        # singularity the restarts stepped back from (1/x at 1e-3). A returned estimate's
        # error bound must be within USABLE of the derivative's size (a grown one's, like
        # _Best's, need not be within round-off), else round-off decides; an unsettled one's
        # round-off beyond USABLE names round-off as the reason.
        settled |= grown & ~swamped
        uncertain = np.where(_broadcast(settled, error), error, round_off)
        kept = np.moveaxis(kept_values, 0, 1)
        resolved = _swamped(
            rule, value, uncertain, kept, step, magnitude, sample.through_one_point, USABLE
        )
        now_swamped = _per_line(resolved & ~_flat(kept, round_off), np.any) & _per_line(
            np.isfinite(value), np.all
        )
        error[now_swamped] = uncertain[now_swamped]
        swamped |= now_swamped
        settled &= ~swamped
    return LineEstimate(
        value,
        error,
        round_off,
        step,
        first_step,
        evaluations,
        settled,
        collapsed,
        swamped,
        _largest(np.moveaxis(kept_values, 0, 1)),
    )


def _tableau(
    sample: Sampler,
    rule: Stencil,
    step: NDArray[np.float64],
    lines: NDArray[np.intp],
    magnitude: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[Any], int]:
    """Central differences at ``h, h/2, h/4, ...`` extrapolated to ``h -> 0``.

    Returns ``(value, error, round_off, f's values at the tableau's points, evaluations)``. A
    central difference is an even series in ``h``: ``D(h) = f^(d) + a h^2 + b h^4 + ...``. Combining
    ``D(h)`` and ``D(h/2)`` as ``(4 D(h/2) - D(h)) / 3`` cancels the ``h^2`` term, and so on
    up the Neville tableau: column
    ``c`` has error ``O(h^(2c+2))``. As in Ridders' method, the entry with the smallest error
    estimate is returned: round-off grows as the step shrinks, so the most extrapolated entry
    is not always the best.

    Two neighbours in a column and the entry of the next column built from them form a
    triangle. An entry's error is estimated as twice its largest distance to the other corners
    of its triangles, plus its own round-off. While the next column is at least twice as
    accurate, the distance to the corner built from the entry is at least half its error; the
    distance to a finer neighbour also shows round-off beyond the bound ``ε |f|`` (an ``f``
    that rounds its argument). Ridders' own estimate, the distance to the previous column, is
    the previous column's error instead: too large, so it ranks entries by their predecessors.
    The last column has nothing more accurate to be checked against, and only serves as a
    corner. Finally the chosen entry must predict one more central difference (2 evaluations,
    in a second call of ``f``), at a step that is no multiple of the tableau's: see the
    aliasing note at the top of this module.
    """
    levels = [np.array(rule.offsets) / 2.0**level for level in range(RICHARDSON_LEVELS)]
    # Offsets are exact binary fractions, so shared points (the centre) are found exactly.
    unique, where = np.unique(np.concatenate(levels), return_inverse=True)
    displacements = unique[:, np.newaxis] * step[np.newaxis]
    values = sample(displacements, lines)
    rounding = sample.rounding(displacements, lines)
    differences, round_offs = [], []
    for level, indices in enumerate(where.reshape(RICHARDSON_LEVELS, -1)):
        level_step = step / 2.0**level
        differences.append(rule.combine(values[indices], level_step))
        round_offs.append(
            rule.round_off(
                values[indices],
                level_step,
                rounding=rounding[indices],
            )
        )
    column, round_off = np.stack(differences), np.stack(round_offs)
    candidates, errors, noises, finest_levels = [], [], [], []
    with np.errstate(all="ignore"):
        for extrapolation in range(1, RICHARDSON_LEVELS):
            factor = 4.0**extrapolation
            coarser, finer = column[:-1], column[1:]
            corner = (factor * finer - coarser) / (factor - 1)
            gap = np.abs(coarser - finer)
            distance = np.zeros_like(column)
            distance[:-1] = np.maximum(gap, np.abs(coarser - corner))
            distance[1:] = np.maximum(distance[1:], np.maximum(gap, np.abs(finer - corner)))
            candidates.append(column)
            errors.append(2 * distance + round_off)
            noises.append(round_off)
            # Entry k of column c combines the differences at levels k ... k + c.
            finest_levels.append(np.arange(len(column)) + extrapolation - 1)
            column = corner
            round_off = (factor * round_off[1:] + round_off[:-1]) / (factor - 1)
    error = np.concatenate(errors)
    error = np.where(np.isfinite(error), error, np.inf)
    best = np.argmin(error, axis=0)[np.newaxis]

    def pick(stack: list[NDArray[np.float64]]) -> NDArray[np.float64]:
        picked: NDArray[np.float64] = np.take_along_axis(np.concatenate(stack), best, axis=0)[0]
        return picked

    value = pick(candidates)
    chosen_error = np.take_along_axis(error, best, axis=0)[0]
    # Every step of the tableau is a multiple of the finest, h: a function periodic on a
    # scale shorter than h (tan at 1e6, where h is about 700) aliases them all at once
    # (h = m pi + d), and the tableau converges, to r f'(x) with r = d / h. So the chosen
    # entry must predict one more difference, at CHECK_RATIO times the finest step it used
    # (between that and the next coarser, where the difference is off by less than the sum of
    # theirs); where it does not, the tableau has no error bound.
    finest = _per_line(np.concatenate(finest_levels)[best[0]], np.max)
    neighbour = np.where(finest > 0, finest - 1, 1)
    check_step = on_float_grid(magnitude[lines], CHECK_RATIO * step / 2.0**finest, rule.reach, 0)
    check_values = sample(rule.displacements(check_step), lines)
    check = rule.combine(check_values, check_step)
    check_noise = rule.round_off(
        check_values, check_step, rounding=sample.rounding(rule.displacements(check_step), lines)
    )
    first_column, first_round_off = np.stack(differences), np.stack(round_offs)

    def at(level: NDArray[np.intp], stack: NDArray[np.float64]) -> NDArray[np.float64]:
        index = _broadcast(level, value)[np.newaxis] + np.zeros(value.shape, dtype=np.intp)
        taken: NDArray[np.float64] = np.take_along_axis(stack, index, axis=0)[0]
        return taken

    predicted = (
        np.abs(at(finest, first_column) - value)
        + np.abs(at(neighbour, first_column) - value)
        + chosen_error
        + AGREEMENT * (check_noise + at(finest, first_round_off))
    )
    chosen_error = np.where(np.abs(check - value) <= predicted, chosen_error, np.inf)
    return value, chosen_error, pick(noises), values, unique.size + rule.size
