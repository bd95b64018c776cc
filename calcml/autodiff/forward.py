"""Forward-mode automatic differentiation: the :class:`Dual` number over numpy arrays.

A dual number carries a value ``x`` and a tangent ``dx``, the derivative of ``x`` along one
chosen input direction. Every operation computes its value and, beside it, the tangent of the
result by the chain rule, ``d f(x) = f'(x) dx`` (a Jacobian-vector product). One forward pass
gives one directional derivative, so a full Jacobian of a function of ``n`` inputs costs ``n``
passes; reverse mode (:mod:`calcml.autodiff.engine`) costs one pass per *output* instead. The
chapter :doc:`/autodiff-modes` compares the two. Kink conventions are those of the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from calcml.autodiff import _rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array, Axis

__all__ = ["Dual"]


class Dual(Traced):
    """A value with a tangent: ``value + tangent * ε`` where ``ε**2 = 0``.

    Parameters
    ----------
    value : array_like
        The numbers.
    tangent : array_like, optional
        The derivative of ``value`` along the chosen direction, broadcastable to its shape;
        0 (a constant) by default.

    Raises
    ------
    TypeError
        If ``value`` or ``tangent`` is not numeric.
    ValueError
        If either holds NaN or infinity.

    Examples
    --------
    >>> x = Dual(2.0, 1.0)  # seed dx = 1: differentiate with respect to x
    >>> y = x * x + np.sin(x)  # numpy's sin, traced
    >>> bool(np.isclose(y.tangent, 2 * 2.0 + np.cos(2.0)))
    True
    """

    __slots__ = ("__weakref__", "tangent", "value")

    def __init__(self, value: ArrayLike, tangent: ArrayLike = 0.0) -> None:
        self.value: Array = _rules.as_real_array(value, "value")
        direction = _rules.as_real_array(tangent, "tangent")
        try:
            # Tangents always have the value's shape: a later sum must add every copy.
            self.tangent: Array = np.broadcast_to(direction, self.shape)
        except ValueError as error:
            raise ValueError(
                f"tangent must have the value's shape {self.shape} (or broadcast to it), got "
                f"shape {direction.shape}"
            ) from error

    @classmethod
    def _pair(cls, value: Array, tangent: Array) -> Dual:
        """An operation's result (skips validation)."""
        out = cls.__new__(cls)
        out.value = value
        out.tangent = np.broadcast_to(tangent, value.shape)
        return out

    @classmethod
    def _lift(cls, item: Any) -> Dual:
        if isinstance(item, Dual):
            return item
        if isinstance(item, Traced):
            raise TypeError(
                f"cannot mix a forward-mode Dual with a reverse-mode {type(item).__name__} "
                "in one expression; differentiate with one mode at a time"
            )
        return cls._pair(_rules.constant(item), np.zeros(()))

    def __repr__(self) -> str:
        return (
            f"Dual({np.array2string(self.value, precision=4)}, "
            f"tangent={np.array2string(self.tangent, precision=4)})"
        )

    # arithmetic: value, then tangent ------------------------------------------------------
    def __add__(self, other: Any) -> Dual:
        other = self._lift(other)
        return Dual._pair(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other: Any) -> Dual:
        other = self._lift(other)
        return Dual._pair(self.value - other.value, self.tangent - other.tangent)

    def __mul__(self, other: Any) -> Dual:
        other = self._lift(other)
        return Dual._pair(
            self.value * other.value, self.tangent * other.value + self.value * other.tangent
        )

    def __truediv__(self, other: Any) -> Dual:
        other = self._lift(other)
        value = self.value / other.value
        return Dual._pair(value, (self.tangent - value * other.tangent) / other.value)

    def __pow__(self, exponent: Any) -> Dual:
        exponent = self._lift(exponent)
        value = self.value**exponent.value
        tangent = exponent.value * self.value ** (exponent.value - 1) * self.tangent
        if np.any(exponent.tangent):
            tangent = tangent + value * _rules.checked_log(self.value) * exponent.tangent
        return Dual._pair(value, tangent)

    def __matmul__(self, other: Any) -> Dual:
        other = self._lift(other)
        return Dual._pair(
            _rules.matmul(self.value, other.value),
            self.tangent @ other.value + self.value @ other.tangent,
        )

    def __neg__(self) -> Dual:
        return Dual._pair(-self.value, -self.tangent)

    # reductions and reshaping: the tangent moves exactly as the value does ------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        """Sum over ``axis``, as ``ndarray.sum``."""
        return Dual._pair(
            np.sum(self.value, axis=axis, keepdims=keepdims),
            np.sum(self.tangent, axis=axis, keepdims=keepdims),
        )

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        """Average over ``axis``, as ``ndarray.mean``."""
        return Dual._pair(
            np.mean(self.value, axis=axis, keepdims=keepdims),
            np.mean(self.tangent, axis=axis, keepdims=keepdims),
        )

    def max(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        """Maximum over ``axis``; tied entries share the derivative equally."""
        top, share = _rules.max_share(self.value, axis, keepdims)
        return Dual._pair(top, np.sum(share * self.tangent, axis=axis, keepdims=keepdims))

    def reshape(self, *shape: Any) -> Dual:
        """The same entries in a new shape, as ``ndarray.reshape``."""
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return Dual._pair(self.value.reshape(shape), self.tangent.reshape(shape))

    def transpose(self, *axes: Any) -> Dual:
        """Permute the axes (reverse them by default), as ``ndarray.transpose``."""
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = () if axes[0] is None else tuple(axes[0])
        order = axes or tuple(reversed(range(self.ndim)))
        return Dual._pair(self.value.transpose(order), self.tangent.transpose(order))

    def __getitem__(self, index: Any) -> Dual:
        return Dual._pair(self.value[index], self.tangent[index])

    @classmethod
    def where(cls, condition: Any, x: Any, y: Any) -> Dual:
        """``x`` where ``condition`` holds, else ``y``, as ``np.where``."""
        mask = np.asarray(condition.value if isinstance(condition, Dual) else condition)
        x, y = cls._lift(x), cls._lift(y)
        return Dual._pair(np.where(mask, x.value, y.value), np.where(mask, x.tangent, y.tangent))

    # elementwise functions: value, then f'(x) dx ------------------------------------------
    def exp(self) -> Dual:
        """``e**x``; ``d e**x = e**x dx``."""
        value = np.exp(self.value)
        return Dual._pair(value, value * self.tangent)

    def log(self) -> Dual:
        """Natural logarithm; ``d log x = dx / x``."""
        return Dual._pair(_rules.checked_log(self.value), self.tangent / self.value)

    def sin(self) -> Dual:
        """Sine; ``d sin x = cos x dx``."""
        return Dual._pair(np.sin(self.value), np.cos(self.value) * self.tangent)

    def cos(self) -> Dual:
        """Cosine; ``d cos x = -sin x dx``."""
        return Dual._pair(np.cos(self.value), -np.sin(self.value) * self.tangent)

    def tanh(self) -> Dual:
        """Hyperbolic tangent; ``d tanh x = (1 - tanh(x)**2) dx``."""
        value = np.tanh(self.value)
        return Dual._pair(value, (1.0 - value**2) * self.tangent)

    def sqrt(self) -> Dual:
        """Square root; ``d sqrt x = dx / (2 sqrt x)``, refused at 0."""
        value = _rules.checked_sqrt(self.value)
        return Dual._pair(value, _rules.sqrt_derivative(value) * self.tangent)

    def abs(self) -> Dual:
        """Absolute value; slope ``sign(x)``, 0 at the kink."""
        return Dual._pair(np.abs(self.value), np.sign(self.value) * self.tangent)

    def maximum(self, other: Any) -> Dual:
        """Elementwise maximum; half the slope to each side at a tie."""
        other = self._lift(other)
        weight = _rules.maximum_weight(self.value, other.value)
        return Dual._pair(
            np.maximum(self.value, other.value),
            weight * self.tangent + (1.0 - weight) * other.tangent,
        )

    def relu(self) -> Dual:
        """``max(x, 0)``; slope 0 at 0."""
        return Dual._pair(np.maximum(self.value, 0.0), (self.value > 0) * self.tangent)

    def sigmoid(self) -> Dual:
        """Logistic function; ``d s = s (1 - s) dx``."""
        value = _rules.sigmoid(self.value)
        return Dual._pair(value, value * (1.0 - value) * self.tangent)

    def softmax(self, axis: int = -1) -> Dual:
        """Softmax along ``axis``; ``ds = s * (dx - sum(s dx))``."""
        s = _rules.softmax(self.value, axis)
        return Dual._pair(
            s, s * (self.tangent - np.sum(s * self.tangent, axis=axis, keepdims=True))
        )

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        """Stable ``log(sum(exp(x)))``; its tangent is ``sum(softmax(x) dx)``."""
        value = _rules.logsumexp(self.value, axis, keepdims)
        weights = np.exp(self.value - _rules.expand_reduced(value, axis, keepdims))
        return Dual._pair(value, np.sum(weights * self.tangent, axis=axis, keepdims=keepdims))
