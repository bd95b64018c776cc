"""Evaluating ``f``: at many points of an elementwise function at once, or along lines."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray


class Sampler(Protocol):
    """``f`` along ``L`` lines through the point(s) of differentiation."""

    #: Whether the lines are directions through one point of one ``f`` (the partial
    #: derivatives of a gradient or a Jacobian), rather than separate points.
    through_one_point: bool

    def __call__(self, t: NDArray[Any], lines: NDArray[np.intp]) -> NDArray[Any]:
        """``f`` at displacements ``t`` (shape ``(k, len(lines))``, complex for the complex
        step) along ``lines``: shape ``(k, len(lines)) + output_shape``."""
        ...

    def rounding(self, t: NDArray[np.float64], lines: NDArray[np.intp]) -> NDArray[np.float64]:
        """How far, in units of ``t``, each point ``x + t v`` was moved by rounding to a float
        (0 when the step is on the float grid), shape ``t.shape``."""
        ...


def call(f: Callable[[Any], Any], argument: Any, *, complex_step: bool) -> Any:
    """``f(argument)``; under the complex step, refuse an ``f`` that drops the imaginary part."""
    # Overflow or log(0) inside f at a probe point is reported by our own finiteness check,
    # with the point and a fix, instead of as a numpy warning from deep inside f.
    with np.errstate(all="ignore"):
        if not complex_step:
            return f(argument)
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            try:
                return f(argument)
            except (TypeError, np.exceptions.ComplexWarning) as error:
                raise complex_refused(f"f failed on complex input ({error})") from error


def complex_refused(problem: str) -> TypeError:
    return TypeError(
        f"{problem}, so f cannot carry the imaginary part the complex step relies on (abs, "
        "np.real, math functions and float() drop it, and Python's own `if x > 0` refuses "
        "it); write f with numpy functions that accept complex numbers, or use "
        "method='central'"
    )


def checked_values(
    values: Any, expected: tuple[int, ...], *, complex_step: bool, where: str, elementwise: bool
) -> NDArray[Any]:
    """``values`` as an array of shape ``expected``, or a clear error about ``f``."""
    array = np.asarray(values)
    if array.shape != expected:
        raise ValueError(
            f"f returned shape {array.shape} {where}, expected {expected}; "
            + (
                "derivative() and estimate_derivative() need an elementwise f (one output per "
                "input); for a function of a vector use gradient() or jacobian()"
                if elementwise
                else "f must return the same shape at every point"
            )
        )
    if complex_step:
        if not np.iscomplexobj(array):
            raise complex_refused(f"f returned real values for complex input {where}")
    elif np.iscomplexobj(array) or array.dtype.kind not in "biuf":
        raise TypeError(
            f"f must return real numbers, got dtype {array.dtype} {where} "
            f"(for example {array.ravel()[:1]!r})"
        )
    return array


def _scalar_call(f: Callable[[Any], Any], t: Any, complex_step: bool) -> Any:
    """``f(t)`` for one Python number; where Python's arithmetic raises (``1 / t`` at 0) numpy's
    returns inf or NaN, and so does this, for the estimator to judge as it judges numpy's."""
    try:
        return call(f, t, complex_step=complex_step)
    except ArithmeticError:
        return complex(math.nan, math.nan) if complex_step else math.nan


class Elementwise:
    """Evaluate an elementwise ``f`` at every probe point of every ``x`` in one call.

    Each point of ``x`` is a line. ``f`` always sees an array of shape ``(k,) + x.shape``
    (points whose line is not asked for sit at ``x`` itself), so an ``f`` that pairs its
    argument with another array of ``x``'s shape keeps working. A scalar-only ``f``
    (``math.sin``, an if-statement) is called once per probe point when ``x`` is one number.
    """

    through_one_point = False

    def __init__(self, f: Callable[[Any], Any], x: NDArray[np.float64]) -> None:
        self.f, self.x, self.flat = f, x, x.ravel()

    def __call__(self, t: NDArray[Any], lines: NDArray[np.intp]) -> NDArray[Any]:
        complex_step = np.iscomplexobj(t)
        displacements = np.zeros((t.shape[0], self.flat.size), dtype=t.dtype)
        displacements[:, lines] = t
        points = (self.flat[np.newaxis] + displacements).reshape((t.shape[0], *self.x.shape))
        try:
            values = call(self.f, points, complex_step=complex_step)
        except (TypeError, ValueError):
            if self.x.ndim:
                raise
            values = np.array([_scalar_call(self.f, p.item(), complex_step) for p in points])
        checked = checked_values(
            values,
            points.shape,
            complex_step=complex_step,
            where=f"for inputs of shape {points.shape}",
            elementwise=True,
        )
        return checked.reshape(t.shape[0], self.flat.size)[:, lines]

    def rounding(self, t: NDArray[np.float64], lines: NDArray[np.intp]) -> NDArray[np.float64]:
        origin = self.flat[lines][np.newaxis]
        return np.asarray(np.abs(((origin + t) - origin) - t), dtype=np.float64)


class AlongLines:
    """Evaluate ``f`` (of output shape ``output_shape``) at ``x + t v`` for each line's ``v``.

    The loop over points is the method: ``f`` takes one whole point, not a batch of points.
    Every line passes through ``x``, so ``f(x)`` is evaluated once (or given, as ``at_x``).
    """

    through_one_point = True

    def __init__(
        self,
        f: Callable[[Any], Any],
        x: NDArray[np.float64],
        directions: NDArray[np.float64],
        output_shape: tuple[int, ...],
        at_x: Any = None,
    ) -> None:
        self.f, self.x, self.directions, self.output_shape = f, x, directions, output_shape
        self.at_x, self._checked_at_x = at_x, False
        # Only the coordinates a line moves can be rounded: the nonzero entries of each
        # direction (one per line for partial derivatives, whose directions are the unit
        # vectors), in line order, so that rounding costs O(entries), not O(lines * size).
        flat = directions.reshape(len(directions), -1)
        self._rows, self._columns = np.nonzero(flat)
        self._entries = flat[self._rows, self._columns]
        self._lengths = np.max(np.abs(flat), axis=1)

    def _value_at_x(self) -> Any:
        if self.at_x is None:
            self.at_x = call(self.f, self.x.copy(), complex_step=False)
        if not self._checked_at_x:
            self.at_x = checked_values(
                self.at_x, self.output_shape, complex_step=False, where="at x", elementwise=False
            )
            self._checked_at_x = True
        return self.at_x

    def __call__(self, t: NDArray[Any], lines: NDArray[np.intp]) -> NDArray[Any]:
        complex_step = np.iscomplexobj(t)
        values = np.empty(t.shape + self.output_shape, dtype=complex if complex_step else float)
        for k, line in np.ndindex(t.shape):
            step = t[k, line]
            if step == 0:
                values[k, line] = self._value_at_x()
                continue
            values[k, line] = checked_values(
                call(
                    self.f, self.x + step * self.directions[lines[line]], complex_step=complex_step
                ),
                self.output_shape,
                complex_step=complex_step,
                where=f"at x + {step} * v",
                elementwise=False,
            )
        return values

    def rounding(self, t: NDArray[np.float64], lines: NDArray[np.intp]) -> NDArray[np.float64]:
        starts = np.searchsorted(self._rows, lines)
        counts = np.searchsorted(self._rows, lines, side="right") - starts
        # The nonzero entries of each line asked for (a run of counts[j] entries from starts[j],
        # since they are stored in line order); entry e belongs to column owner[e] of t.
        owner = np.repeat(np.arange(len(lines)), counts)
        entries = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        origin = self.x.ravel()[self._columns[entries]]
        moved = t[:, owner] * self._entries[entries]
        error = np.abs(((origin + moved) - origin) - moved)
        worst = np.zeros(t.shape, dtype=np.float64)
        np.maximum.at(worst.T, owner, error.T)
        return np.asarray(worst / self._lengths[lines], dtype=np.float64)
