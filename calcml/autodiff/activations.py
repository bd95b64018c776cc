"""Activations for networks, on traced values and on plain numpy arrays alike.

Each function takes a :class:`~calcml.Tensor`, a :class:`~calcml.autodiff.Dual` or an
ordinary array: a traced value gets the traced operation (with its derivative), an array gets
the same numerically stable numpy computation. So a model's forward pass is written once, in
plain numpy, and differentiated by :func:`calcml.grad` as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from calcml.autodiff import _rules
from calcml.autodiff._rules import Array, Axis
from calcml.autodiff.engine import Tensor
from calcml.autodiff.forward import Dual

__all__ = ["log_softmax", "logsumexp", "relu", "sigmoid", "softmax"]

#: The traced types: an activation applied to one of these records its derivative.
Traced = (Tensor, Dual)


def _as_array(x: ArrayLike, caller: str) -> Array:
    return _rules.as_real_array(x, f"{caller}: x")


def _nonempty(x: Any, caller: str) -> Any:
    """``x`` as a traced value or an array, refusing an empty one: a softmax or logsumexp of
    no numbers has no value (numpy would fail inside its max)."""
    values = x if isinstance(x, Traced) else _as_array(x, caller)
    if values.size == 0:
        raise ValueError(
            f"{caller}: x is empty (shape {values.shape}); it needs at least one score per row"
        )
    return values


def sigmoid(x: Tensor | Dual | ArrayLike) -> Any:
    """The logistic function ``1 / (1 + exp(-x))``, without overflow for large ``|x|``.

    Parameters
    ----------
    x : Tensor, Dual or array_like
        Input, of any shape.

    Returns
    -------
    Tensor, Dual or ndarray
        Values in (0, 1), of the type and shape of ``x`` (an ndarray for array input).

    Notes
    -----
    ``sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))``; the chapter :doc:`/backpropagation` derives
    it. Only ``exp(-|x|)`` is ever evaluated, so no intermediate overflows.

    Examples
    --------
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    return x.sigmoid() if isinstance(x, Traced) else _rules.sigmoid(_as_array(x, "sigmoid"))


def relu(x: Tensor | Dual | ArrayLike) -> Any:
    """The rectifier ``max(x, 0)``.

    Parameters
    ----------
    x : Tensor, Dual or array_like
        Input, of any shape.

    Returns
    -------
    Tensor, Dual or ndarray
        ``x`` with negative entries replaced by 0.

    Notes
    -----
    Convention at the kink: the derivative at ``x = 0`` is taken as 0 (as in PyTorch and
    JAX), a valid subgradient.

    Examples
    --------
    >>> relu([-1.0, 0.0, 2.0])
    array([0., 0., 2.])
    """
    return x.relu() if isinstance(x, Traced) else np.maximum(_as_array(x, "relu"), 0.0)


def softmax(x: Tensor | Dual | ArrayLike, axis: int = -1) -> Any:
    """Normalised exponentials ``exp(x) / sum(exp(x))`` along ``axis``.

    Parameters
    ----------
    x : Tensor, Dual or array_like
        Scores (logits).
    axis : int, default -1
        The axis along which the result sums to 1.

    Returns
    -------
    Tensor, Dual or ndarray
        Probabilities, of ``x``'s shape.

    Notes
    -----
    Shifting ``x`` by its maximum leaves the result unchanged and keeps ``exp`` from
    overflowing. The Jacobian is ``diag(s) - s s^T``.

    Examples
    --------
    >>> softmax([1000.0, 1000.0])
    array([0.5, 0.5])
    """
    values = _nonempty(x, "softmax")
    return values.softmax(axis) if isinstance(values, Traced) else _rules.softmax(values, axis)


def logsumexp(x: Tensor | Dual | ArrayLike, axis: Axis = None, keepdims: bool = False) -> Any:
    """``log(sum(exp(x)))`` over ``axis``, without overflow.

    Parameters
    ----------
    x : Tensor, Dual or array_like
        Input.
    axis : int or tuple of int, optional
        Axes to reduce; all by default.
    keepdims : bool, default False
        Keep the reduced axes with length 1.

    Returns
    -------
    Tensor, Dual or ndarray
        The reduced values.

    Notes
    -----
    ``logsumexp(x) = m + log(sum(exp(x - m)))`` with ``m = max(x)``; its gradient is
    ``softmax(x)``.

    Examples
    --------
    >>> round(float(logsumexp([1000.0, 1000.0])) - 1000.0, 6)  # log 2
    0.693147
    """
    values = _nonempty(x, "logsumexp")
    if isinstance(values, Traced):
        return values.logsumexp(axis=axis, keepdims=keepdims)
    return _rules.logsumexp(values, axis, keepdims)


def log_softmax(x: Tensor | Dual | ArrayLike, axis: int = -1) -> Any:
    """``log(softmax(x))`` along ``axis``, computed as ``x - logsumexp(x)``.

    Parameters
    ----------
    x : Tensor, Dual or array_like
        Scores (logits).
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    Tensor, Dual or ndarray
        Log-probabilities, of ``x``'s shape; the cross-entropy of class ``k`` is ``-[k]``.

    Notes
    -----
    Taking the log of a computed softmax underflows to ``log(0) = -inf`` for very negative
    scores; the difference form does not.

    Examples
    --------
    >>> log_softmax([0.0, -1000.0])
    array([    0., -1000.])
    """
    values = _nonempty(x, "log_softmax")
    return values - logsumexp(values, axis=axis, keepdims=True)
