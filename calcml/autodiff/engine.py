"""Reverse-mode automatic differentiation over numpy arrays: the :class:`Tensor`.

This is exactly the code the chapter :doc:`/backpropagation` shows (it ``literalinclude``-s
parts of this file), so it is written to be read like micrograd: every operation computes its
value and, right beside it, a ``backward`` closure holding its local derivative. Calling
:meth:`Tensor.backward` on the output walks the recorded graph once, output first, and each
closure applies the chain rule: it multiplies the gradient arriving at its output by its local
derivative and passes the product to its inputs.

Three differences from a scalar engine make it fast enough to train the book's networks:

- values are numpy arrays, so one graph node stands for a whole matrix product;
- a value that does not depend on a differentiated input (the data, a constant) is marked
  ``requires_grad=False`` and no gradient is computed for it;
- the graph is walked in one topological order computed per ``backward()`` call, without
  recursion, so deep graphs do not hit Python's recursion limit.

Conventions at kinks (points where the derivative does not exist): ``abs`` and ``relu`` take
slope 0 at 0; ``maximum`` and ``max`` split the derivative equally between tied entries;
``sqrt`` at 0 and ``log`` at non-positive input raise ``ValueError``.

Memory: ``backward()`` releases the closures (and the intermediate values they saved) once
used, and no closure refers to its own output (a rule that needs the output's value, as
``tanh`` does, keeps the array, not the node), so a graph has no reference cycle and is freed
by reference counting as soon as its output goes out of scope, whether or not it was ever run
backward: training for many steps does not grow memory. The
released graph keeps its structure, values and gradients for :func:`calcml.draw_graph`; a
second ``backward()`` through it raises ``RuntimeError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from calcml._validation import as_float_array
from calcml.autodiff import _rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array, Axis

__all__ = ["Tensor"]


class Tensor(Traced):
    """A numpy array that records how it was computed, so that gradients can flow back.

    Parameters
    ----------
    value : array_like
        The numbers, stored as a float64 array in :attr:`value`.
    requires_grad : bool, default True
        Whether :meth:`backward` should compute :attr:`grad` for this tensor. Constants
        (data, targets) are cheaper as ``False``; numpy arrays mixed into an expression are
        lifted to such constants automatically.
    name : str, optional
        A label for :func:`calcml.draw_graph`.

    Attributes
    ----------
    value : ndarray
        The numbers.
    grad : ndarray or None
        ``d output / d self`` after ``output.backward()``, with :attr:`value`'s shape. It may
        share memory with other nodes' gradients: copy it before changing it in place.

    Raises
    ------
    TypeError
        If ``value`` is not numeric.
    ValueError
        If ``value`` holds NaN or infinity.

    Notes
    -----
    Supported: ``+ - * / ** @``, negation, broadcasting, indexing, ``sum``, ``mean``, ``max``,
    ``reshape``, ``transpose``/``T``, ``exp log sin cos tanh sqrt abs maximum``, ``sigmoid
    relu softmax logsumexp``, ``Tensor.where``, and numpy's functions of the same names
    (``np.tanh(t)``, ``np.sum(t, axis=0)``, ``x @ t``, ``np.dot``, ``np.where``). The
    chapter :doc:`/backpropagation` derives each local derivative.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0])
    >>> loss = (x**2).sum()
    >>> loss.backward()
    >>> x.grad
    array([2., 4., 6.])
    >>> y = Tensor(0.5)
    >>> z = np.tanh(y) * y  # numpy's own tanh, traced
    >>> z.backward()
    >>> bool(np.isclose(y.grad, np.tanh(0.5) + 0.5 * (1 - np.tanh(0.5) ** 2)))
    True
    """

    # __weakref__: tests (and tools) can watch a graph being freed
    __slots__ = (
        "__weakref__",
        "_backward",
        "_op",
        "_owns_grad",
        "_parents",
        "grad",
        "name",
        "requires_grad",
        "value",
    )

    def __init__(self, value: ArrayLike, requires_grad: bool = True, name: str = "") -> None:
        self.value: Array = _rules.as_real_array(value, "value")
        self.grad: Array | None = None
        self._owns_grad = False
        self.requires_grad = requires_grad
        self.name = name
        self._parents: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward: Callable[[Array], None] | None = None

    @classmethod
    def _result(cls, value: Array, op: str, *parents: Tensor) -> Tensor:
        """The output of operation ``op`` on ``parents``: a graph node (skips validation)."""
        out = cls.__new__(cls)
        out.value = value
        out.grad = None
        out._owns_grad = False
        # A list, not a generator: half the cost for one or two parents, on every operation.
        out.requires_grad = any([parent.requires_grad for parent in parents])  # noqa: C419
        out.name = ""
        out._parents = parents
        out._op = op
        out._backward = None
        return out

    @classmethod
    def _leaf(cls, value: Array) -> Tensor:
        """A tensor to differentiate with respect to, from an array already validated."""
        leaf = cls._result(value, "")
        leaf.requires_grad = True
        return leaf

    @classmethod
    def _lift(cls, item: Any) -> Tensor:
        if isinstance(item, Tensor):
            return item
        if isinstance(item, Traced):
            raise TypeError(
                f"cannot mix a reverse-mode Tensor with a forward-mode {type(item).__name__} "
                "in one expression; differentiate with one mode at a time"
            )
        return cls._result(_rules.constant(item), "const")

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        return f"Tensor({np.array2string(self.value, precision=4)}{label})"

    def _accumulate(self, grad: Array) -> None:
        """Add ``grad`` to :attr:`grad`, summing it over any axes broadcasting stretched."""
        if grad.shape != self.value.shape:
            grad = _rules.unbroadcast(grad, self.value.shape)
        # The first gradient is stored without a copy: it may be another node's gradient too,
        # so it is never written in place. Only a sum this node made is its own to add into.
        if self.grad is None:
            self.grad = grad
        elif self._owns_grad:
            self.grad += grad
        else:
            self.grad, self._owns_grad = self.grad + grad, True

    def _accumulate_at(self, index: Any, grad: Array) -> None:
        """Add ``grad`` into the entries ``self.value[index]`` picked: one buffer of this
        tensor's shape serves every slice of it (the layers sliced from one flat parameter
        vector), instead of a full-size array of zeros per slice."""
        if self.grad is None:
            self.grad, self._owns_grad = np.zeros_like(self.value), True
        elif not self._owns_grad:
            self.grad, self._owns_grad = self.grad.copy(), True
        if _rules.picks_each_entry_once(index):
            self.grad[index] += grad
        else:
            # add.at, not +=: an entry picked twice by a fancy index gets both slopes.
            np.add.at(self.grad, index, grad)

    def _copy_back(self, grad: Array, axis: Axis, keepdims: bool) -> None:
        """Accumulate ``grad`` of a reduction over ``axis`` into every entry it reduced."""
        expanded = _rules.expand_reduced(grad, axis, keepdims)
        self._accumulate(np.broadcast_to(expanded, self.value.shape))

    # arithmetic -------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        other = self._lift(other)
        out = Tensor._result(self.value + other.value, "+", self, other)

        def backward(grad: Array) -> None:
            if self.requires_grad:
                self._accumulate(grad)
            if other.requires_grad:
                other._accumulate(grad)

        out._backward = backward
        return out

    def __sub__(self, other: Any) -> Tensor:
        other = self._lift(other)
        out = Tensor._result(self.value - other.value, "-", self, other)

        def backward(grad: Array) -> None:
            if self.requires_grad:
                self._accumulate(grad)
            if other.requires_grad:
                other._accumulate(-grad)

        out._backward = backward
        return out

    def __mul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        out = Tensor._result(self.value * other.value, "*", self, other)

        def backward(grad: Array) -> None:
            if self.requires_grad:
                self._accumulate(grad * other.value)
            if other.requires_grad:
                other._accumulate(grad * self.value)

        out._backward = backward
        return out

    def __truediv__(self, other: Any) -> Tensor:
        other = self._lift(other)
        quotient = self.value / other.value
        out = Tensor._result(quotient, "/", self, other)

        def backward(grad: Array) -> None:
            if self.requires_grad:
                self._accumulate(grad / other.value)
            if other.requires_grad:
                other._accumulate(-grad * quotient / other.value)

        out._backward = backward
        return out

    def __pow__(self, exponent: Any) -> Tensor:
        exponent = self._lift(exponent)
        power = self.value**exponent.value
        out = Tensor._result(power, "**", self, exponent)

        def backward(grad: Array) -> None:
            if self.requires_grad:
                self._accumulate(grad * exponent.value * self.value ** (exponent.value - 1))
            if exponent.requires_grad:
                exponent._accumulate(grad * power * _rules.checked_log(self.value))

        out._backward = backward
        return out

    def __matmul__(self, other: Any) -> Tensor:
        other = self._lift(other)
        out = Tensor._result(_rules.matmul(self.value, other.value), "@", self, other)

        def backward(grad: Array) -> None:
            # Treat a vector as a (1, n) row on the left and an (n, 1) column on the right so
            # that one rule covers every case, then drop the axis added; _accumulate sums
            # over any batch axes.
            left_vector, right_vector = self.value.ndim == 1, other.value.ndim == 1
            left = self.value[np.newaxis] if left_vector else self.value
            right = other.value[:, np.newaxis] if right_vector else other.value
            if right_vector:
                grad = grad[..., np.newaxis]
            if left_vector:
                grad = grad[..., np.newaxis, :]
            if self.requires_grad:
                left_grad = grad @ right.swapaxes(-1, -2)
                self._accumulate(left_grad[..., 0, :] if left_vector else left_grad)
            if other.requires_grad:
                right_grad = left.swapaxes(-1, -2) @ grad
                other._accumulate(right_grad[..., 0] if right_vector else right_grad)

        out._backward = backward
        return out

    def __neg__(self) -> Tensor:
        out = Tensor._result(-self.value, "neg", self)

        def backward(grad: Array) -> None:
            self._accumulate(-grad)

        out._backward = backward
        return out

    # reductions and reshaping -----------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default), as ``ndarray.sum``."""
        out = Tensor._result(self.value.sum(axis=axis, keepdims=keepdims), "sum", self)

        def backward(grad: Array) -> None:
            # Each summand has slope 1: the gradient is copied back along the summed axes.
            self._copy_back(grad, axis, keepdims)

        out._backward = backward
        return out

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Average over ``axis`` (all axes by default), as ``ndarray.mean``."""
        # numpy's own mean (a sum divided by n), so that both modes and numpy agree to the bit
        average = np.mean(self.value, axis=axis, keepdims=keepdims)
        count = self.value.size // max(average.size, 1)
        out = Tensor._result(average, "mean", self)

        def backward(grad: Array) -> None:
            # Each of the n averaged entries has slope 1/n: the gradient, divided by n, is
            # copied back along the averaged axes.
            self._copy_back(grad / count, axis, keepdims)

        out._backward = backward
        return out

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Maximum over ``axis``; tied entries share the derivative equally."""
        top, share = _rules.max_share(self.value, axis, keepdims)
        out = Tensor._result(top, "max", self)

        def backward(grad: Array) -> None:
            self._accumulate(share * _rules.expand_reduced(grad, axis, keepdims))

        out._backward = backward
        return out

    def reshape(self, *shape: Any) -> Tensor:
        """The same entries in a new shape, as ``ndarray.reshape``."""
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        out = Tensor._result(self.value.reshape(shape), "reshape", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad.reshape(self.value.shape))

        out._backward = backward
        return out

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them by default), as ``ndarray.transpose``."""
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = () if axes[0] is None else tuple(axes[0])
        order = axes or tuple(reversed(range(self.ndim)))
        out = Tensor._result(self.value.transpose(order), "transpose", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad.transpose(np.argsort(order)))

        out._backward = backward
        return out

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, Traced) or (
            isinstance(index, tuple) and any(isinstance(i, Traced) for i in index)
        ):
            raise TypeError("index a Tensor with integers, slices or integer/boolean arrays")
        out = Tensor._result(self.value[index], "[]", self)

        def backward(grad: Array) -> None:
            self._accumulate_at(index, grad)

        out._backward = backward
        return out

    @classmethod
    def where(cls, condition: Any, x: Any, y: Any) -> Tensor:
        """``x`` where ``condition`` holds, else ``y``, as ``np.where``."""
        mask = np.asarray(condition.value if isinstance(condition, Tensor) else condition)
        x, y = cls._lift(x), cls._lift(y)
        out = Tensor._result(np.where(mask, x.value, y.value), "where", x, y)

        def backward(grad: Array) -> None:
            if x.requires_grad:
                x._accumulate(np.where(mask, grad, 0.0))
            if y.requires_grad:
                y._accumulate(np.where(mask, 0.0, grad))

        out._backward = backward
        return out

    # elementwise functions: value, then local derivative -------------------------------------
    def exp(self) -> Tensor:
        """``e**x``; its derivative is itself."""
        e = np.exp(self.value)
        out = Tensor._result(e, "exp", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * e)

        out._backward = backward
        return out

    def log(self) -> Tensor:
        """Natural logarithm; ``d log x = 1 / x``. Raises ``ValueError`` for ``x <= 0``."""
        out = Tensor._result(_rules.checked_log(self.value), "log", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad / self.value)

        out._backward = backward
        return out

    def sin(self) -> Tensor:
        """Sine; ``d sin x = cos x``."""
        out = Tensor._result(np.sin(self.value), "sin", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * np.cos(self.value))

        out._backward = backward
        return out

    def cos(self) -> Tensor:
        """Cosine; ``d cos x = -sin x``."""
        out = Tensor._result(np.cos(self.value), "cos", self)

        def backward(grad: Array) -> None:
            self._accumulate(-grad * np.sin(self.value))

        out._backward = backward
        return out

    def tanh(self) -> Tensor:
        """Hyperbolic tangent; ``d tanh x = 1 - tanh(x)**2``."""
        c = np.tanh(self.value)
        out = Tensor._result(c, "tanh", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * (1.0 - c**2))

        out._backward = backward
        return out

    def sqrt(self) -> Tensor:
        """Square root; ``d sqrt x = 1 / (2 sqrt x)``, refused at 0 where it is infinite."""
        root = _rules.checked_sqrt(self.value)
        out = Tensor._result(root, "sqrt", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * _rules.sqrt_derivative(root))

        out._backward = backward
        return out

    def abs(self) -> Tensor:
        """Absolute value; slope ``sign(x)``, taken as 0 at the kink ``x = 0``."""
        out = Tensor._result(np.abs(self.value), "abs", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * np.sign(self.value))

        out._backward = backward
        return out

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum; at a tie each side gets half the slope."""
        other = self._lift(other)
        out = Tensor._result(np.maximum(self.value, other.value), "maximum", self, other)

        def backward(grad: Array) -> None:
            weight = _rules.maximum_weight(self.value, other.value)
            if self.requires_grad:
                self._accumulate(grad * weight)
            if other.requires_grad:
                other._accumulate(grad * (1.0 - weight))

        out._backward = backward
        return out

    # activations ------------------------------------------------------------------------
    def relu(self) -> Tensor:
        """``max(x, 0)``; slope 1 for ``x > 0`` and 0 otherwise, including at 0."""
        out = Tensor._result(np.maximum(self.value, 0.0), "relu", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * (self.value > 0))

        out._backward = backward
        return out

    def sigmoid(self) -> Tensor:
        """``1 / (1 + e**-x)``, computed without overflow; ``d sigmoid = s (1 - s)``."""
        s = _rules.sigmoid(self.value)
        out = Tensor._result(s, "sigmoid", self)

        def backward(grad: Array) -> None:
            self._accumulate(grad * s * (1.0 - s))

        out._backward = backward
        return out

    def softmax(self, axis: int = -1) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``axis``; its Jacobian is ``diag(s) - s s^T``."""
        s = _rules.softmax(self.value, axis)
        out = Tensor._result(s, "softmax", self)

        def backward(grad: Array) -> None:
            self._accumulate(s * (grad - np.sum(grad * s, axis=axis, keepdims=True)))

        out._backward = backward
        return out

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """``log(sum(exp(x)))`` over ``axis``, stable; its gradient is the softmax."""
        total = _rules.logsumexp(self.value, axis, keepdims)
        out = Tensor._result(total, "logsumexp", self)

        def backward(grad: Array) -> None:
            total_expanded = _rules.expand_reduced(total, axis, keepdims)
            softmax = np.exp(self.value - total_expanded)
            self._accumulate(_rules.expand_reduced(grad, axis, keepdims) * softmax)

        out._backward = backward
        return out

    # the backward pass ------------------------------------------------------------------
    def backward(self, seed: ArrayLike | None = None, *, retain_graph: bool = False) -> None:
        """Compute ``d self / d t`` into ``t.grad`` for every tensor ``t`` this one depends on.

        Parameters
        ----------
        seed : array_like, optional
            The gradient arriving at this tensor, of its shape: the vector ``v`` of the
            vector-Jacobian product ``v^T J``. Needed unless this tensor holds one number.
        retain_graph : bool, default False
            Keep the graph for another ``backward()`` (as :func:`calcml.jacrev` does, one
            pass per output). By default it is released to free memory.

        Raises
        ------
        ValueError
            If ``seed`` is missing for a non-scalar tensor, or has the wrong shape.
        RuntimeError
            If the graph was released by an earlier ``backward()``.

        Notes
        -----
        Gradients are recomputed, not accumulated: every tensor in the graph starts from
        ``grad = None``, so a training loop needs no ``zero_grad``. A tensor used twice
        receives the sum of both contributions (the multivariable chain rule).

        Examples
        --------
        >>> w = Tensor([1.0, -2.0])
        >>> (w * w).backward(seed=[1.0, 0.5])
        >>> w.grad
        array([ 2., -2.])
        """
        if seed is None:
            if self.value.size != 1:
                raise ValueError(
                    f"backward() without a seed needs a tensor holding one number, but this "
                    f"one has shape {self.shape}; reduce it first (e.g. .sum() or .mean()) or "
                    "pass seed=, an array of its shape (the v of the product v^T J)"
                )
            seed_array = np.ones(self.shape)
        else:
            seed_array = as_float_array(seed, "seed")
            if seed_array.shape != self.shape:
                raise ValueError(
                    f"seed must have the tensor's shape {self.shape}, got {seed_array.shape}"
                )
        order = self._topological_order()
        for node in order:
            node.grad, node._owns_grad = None, False
        self.grad = seed_array
        for node in reversed(order):
            if node._backward is not None:
                node._backward(node.grad)  # type: ignore[arg-type]
        if not retain_graph:
            for node in order:
                node._backward = None

    def _topological_order(self) -> list[Tensor]:
        """The tensors this one depends on (needing gradients), each after its inputs."""
        order = inputs_first(self)
        for node in order:
            if node._parents and node._backward is None:
                raise RuntimeError(
                    "this graph was released by an earlier backward() (to free memory); "
                    "compute the output again, or pass retain_graph=True to the first "
                    "backward(). A tensor computed under one differentiation must not be "
                    "reused in another."
                )
        return order


def inputs_first(output: Tensor, *, constants: bool = False) -> list[Tensor]:
    """Every tensor ``output`` depends on, each after its own inputs.

    Constants (tensors with ``requires_grad=False``) and what they were computed from are
    left out unless ``constants`` is true: no gradient flows to them.

    An explicit stack instead of recursion: a graph thousands of operations deep (an unrolled
    loop, a deep network) would exceed Python's recursion limit.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(output, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if constants or parent.requires_grad:
                    stack.append((parent, False))
    return order
