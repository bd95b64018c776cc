"""Forward-mode automatic differentiation: the :class:`Dual` number over numpy arrays.

A dual number carries a value ``x`` and a tangent ``dx``, the derivative of ``x`` along one
chosen input direction. Every operation is a rule of :mod:`calcml.autodiff.rules` (the same
table reverse mode reads): :meth:`Dual._apply` computes its value and the tangent of the
result by the chain rule, ``d f(x) = f'(x) dx`` (a Jacobian-vector product). One forward pass
gives one directional derivative, so a full Jacobian of a function of ``n`` inputs costs ``n``
passes; reverse mode (:mod:`calcml.autodiff.engine`) costs one pass per *output* instead. The
chapter :doc:`/autodiff-modes` compares the two. Kink conventions are those of the engine.
Like a ``Tensor``, a ``Dual`` carries the level of the differentiation that made it, so its
value and tangent may be traced by an outer differentiation (a Hessian-vector product is a
``Dual`` pushed through a gradient, ``jacfwd(jacfwd(f))`` a ``Dual`` of ``Dual`` values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from calcml.autodiff import _rules, rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array

__all__ = ["Dual"]

#: The tangent of a constant: marks an operand whose derivative term is skipped.
_NO_TANGENT: Array = np.zeros(())


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

    __slots__ = ("__weakref__", "level", "tangent", "value")

    def __init__(self, value: ArrayLike, tangent: ArrayLike = 0.0) -> None:
        self.value: Array = _rules.as_real_array(value, "value")
        self.level = 0  # made by hand, outside any calcml.jvp
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
    def _pair(cls, value: Array, tangent: Array, level: int) -> Dual:
        """An operation's result (skips validation)."""
        out = cls.__new__(cls)
        out.value = value
        # Tangents always have the value's shape: a later sum must add every copy.
        same = tangent.shape == value.shape
        out.tangent = tangent if same else np.broadcast_to(tangent, value.shape)
        out.level = level
        return out

    @classmethod
    def _lift(cls, item: Any, level: int) -> Dual:
        if isinstance(item, Dual) and item.level == level:
            return item
        # A number, an array, or a value of an outer differentiation (whose numbers that
        # level traces): a constant here, with no tangent.
        value: Any = item if isinstance(item, Traced) else _rules.constant(item)
        constant = cls.__new__(cls)
        constant.value, constant.tangent, constant.level = value, _NO_TANGENT, level
        return constant

    def __repr__(self) -> str:
        return (
            f"Dual({np.array2string(self.value, precision=4)}, "
            f"tangent={np.array2string(self.tangent, precision=4)})"
        )

    @classmethod
    def _apply(cls, rule: Callable[..., rules.Local], *operands: Any, **parameters: Any) -> Dual:
        """The value of ``rule`` and its tangent: every operand's tangent pushed through the
        rule's local derivative, and the results added (constants have no tangent)."""
        level = _rules.innermost(operands).level  # this differentiation's (_rules.record)
        inputs = [cls._lift(operand, level) for operand in operands]
        local = rule(*[dual.value for dual in inputs], **parameters)
        tangent: Any = None
        for dual, push in zip(inputs, local.forward, strict=True):
            if dual.tangent is not _NO_TANGENT:
                change = push(dual.tangent)
                # the first change as it is (tangents are never written in place)
                tangent = change if tangent is None else tangent + change
        return cls._pair(local.value, tangent, level)

    def __getitem__(self, index: Any) -> Dual:
        # Indexing is linear: the tangent is indexed as the value is.
        return Dual._pair(self.value[index], self.tangent[index], self.level)
