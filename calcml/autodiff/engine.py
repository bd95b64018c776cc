"""Reverse-mode automatic differentiation over numpy arrays: the :class:`Tensor`.

This is the code the chapter :doc:`/backpropagation` shows (it ``literalinclude``-s parts of
this file and of :mod:`calcml.autodiff.rules`), written to be read like micrograd. Every
operation is a rule of :mod:`calcml.autodiff.rules`, which computes its value and, right beside
it, its local derivative; :meth:`Tensor._apply` records the value and a ``backward`` closure
holding that derivative. Calling :meth:`Tensor.backward` on the output walks the recorded graph
once, output first, and each closure applies the chain rule: it passes the gradient arriving at
its output back through its local derivative to its inputs.

Three differences from a scalar engine make it fast enough to train the book's networks:

- values are numpy arrays, so one graph node stands for a whole matrix product;
- a value that does not depend on a differentiated input (the data, a constant) is marked
  ``requires_grad=False`` and no gradient is computed for it;
- the graph is walked in one topological order computed per ``backward()`` call, without
  recursion, so deep graphs do not hit Python's recursion limit.

Derivatives of derivatives: every tensor carries the *level* of the differentiation that made
it (0 for one made by hand). Every operation goes to the innermost level among its operands
(``_rules.record``), whose :meth:`Tensor._apply` (or ``Dual._apply``) records it; values of
outer levels are constants to it, and its rule computes on them, as its backward closures later
compute on gradients that are outer-level values too. So an outer differentiation records the
inner one's whole backward pass and can differentiate it again, to any order (see
:mod:`calcml.autodiff._protocol`). A first derivative pays one comparison of levels per
operation.

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
from calcml.autodiff import _rules, rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array
from calcml.autodiff.forward import Dual

__all__ = ["Tensor"]

Rule = Callable[..., rules.Local]


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
    Supported: ``+ - * / ** @``, negation, broadcasting, indexing (fancy and boolean too),
    the methods of ``ndarray`` a numpy user reaches for, the activations, and every numpy
    function and ufunc in :mod:`calcml.autodiff.rules`, called as numpy's own
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
        "level",
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
        self.level = 0  # made by hand, outside any calcml.grad
        self._parents: tuple[Tensor, ...] = ()
        self._op = ""
        self._backward: Callable[[Array], None] | None = None

    @classmethod
    def _result(cls, value: Array, op: str, level: int, *parents: Tensor) -> Tensor:
        """The output of operation ``op`` on ``parents``: a graph node (skips validation)."""
        out = cls.__new__(cls)
        out.value = value
        out.grad = None
        out._owns_grad = False
        # A list, not a generator: half the cost for one or two parents, on every operation.
        out.requires_grad = any([parent.requires_grad for parent in parents])  # noqa: C419
        out.name = ""
        out.level = level
        out._parents = parents
        out._op = op
        out._backward = None
        return out

    @classmethod
    def _leaf(cls, value: Array, level: int) -> Tensor:
        """A tensor to differentiate with respect to, from an array already validated (or a
        value traced by an outer differentiation, for a derivative of a derivative)."""
        leaf = cls._result(value, "", level)
        leaf.requires_grad = True
        return leaf

    @classmethod
    def _lift(cls, item: Any, level: int) -> Tensor:
        if isinstance(item, Tensor) and item.level == level:
            return item
        if isinstance(item, Traced):
            # A value of an outer differentiation (a derivative of a derivative) is a constant
            # here; its numbers are traced by that outer level, which differentiates them.
            return cls._result(item, "const", level)  # type: ignore[arg-type]
        return cls._result(_rules.constant(item), "const", level)

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
        elif self._owns_grad and type(grad) is np.ndarray and type(self.grad) is np.ndarray:
            self.grad += grad
        else:
            # A traced sum may share its numbers with its operands: not this node's to write.
            total = self.grad + grad
            self.grad, self._owns_grad = total, type(total) is np.ndarray

    def _accumulate_at(self, index: Any, grad: Any) -> None:
        """Add ``grad`` into the entries ``self.value[index]`` picked: one buffer of this
        tensor's shape serves every slice of it (the layers sliced from one flat parameter
        vector), instead of a full-size array of zeros per slice."""
        so_far: Any = self.grad
        if isinstance(grad, Traced) or isinstance(so_far, Traced):
            self._accumulate_traced_at(index, grad)
            return
        if self.grad is None:
            # np.zeros, not zeros_like: the memory comes zeroed from the system, untouched
            # until a slice's gradient is added in, so the buffer costs no pass of its own.
            self.grad, self._owns_grad = np.zeros(self.value.shape), True
        elif not self._owns_grad:
            self.grad, self._owns_grad = self.grad.copy(), True
        _rules.add_at(self.grad, index, grad)

    def _accumulate_traced_at(self, index: Any, grad: Any) -> None:
        """:meth:`_accumulate_at` inside a derivative of a derivative, where gradients are
        traced values. A forward-mode gradient (as in a Hessian-vector product) adds its value
        and its tangent into one buffer each, in place, as the first derivative does; any
        other is scattered into a full-size array by the rule, which its level records."""
        shape = self.value.shape
        if _dual_of_arrays(grad):
            if self.grad is None:
                buffer: Any = Dual._pair(np.zeros(shape), np.zeros(shape), grad.level)
                self.grad, self._owns_grad = buffer, True
            so_far: Any = self.grad
            if (
                self._owns_grad
                and _dual_of_arrays(so_far)
                and so_far.level == grad.level
                and so_far.tangent.flags.writeable
            ):
                _rules.add_at(so_far.value, index, grad.value)
                _rules.add_at(so_far.tangent, index, grad.tangent)
                return
        if isinstance(grad, Traced):
            full: Any = _rules.record(rules.scatter, grad, index=index, shape=shape)
        else:
            full = rules.scatter(grad, index=index, shape=shape).value
        self._accumulate(full)

    @classmethod
    def _apply(cls, rule: Rule, *operands: Any, **parameters: Any) -> Tensor:
        """Record ``rule`` on ``operands``: its value now, and a ``backward``
        closure that pulls the output's gradient back through its derivative."""
        # The innermost differentiation among the operands records it (this one; see
        # _rules.record); to it, values of outer ones, in a derivative of a derivative,
        # are constants.
        level = _rules.innermost(operands).level
        inputs = [cls._lift(operand, level) for operand in operands]
        local = rule(*[x.value for x in inputs], **parameters)
        out = cls._result(local.value, rules.label(rule), level, *inputs)

        def backward(grad: Array) -> None:
            for x, adjoint in zip(inputs, local.backward, strict=True):
                if x.requires_grad:
                    x._accumulate(adjoint(grad))

        out._backward = backward
        return out

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, Traced) or (
            isinstance(index, tuple) and any(isinstance(i, Traced) for i in index)
        ):
            raise TypeError("index a Tensor with integers, slices or integer/boolean arrays")
        # Indexing is linear (it picks entries); its adjoint adds the gradient back into the
        # entries picked, written straight into this tensor's gradient buffer.
        out = Tensor._result(self.value[index], "[]", self.level, self)

        def backward(grad: Array) -> None:
            self._accumulate_at(index, grad)

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
            # a copy: gradients may be views of the seed, and the caller keeps theirs
            seed_array = as_float_array(seed, "seed").copy()
            if seed_array.shape != self.shape:
                raise ValueError(
                    f"seed must have the tensor's shape {self.shape}, got {seed_array.shape}"
                )
        order = self._topological_order()
        for node in order:
            node.grad = None
            node._owns_grad = False
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


def _dual_of_arrays(item: Any) -> bool:
    """Whether ``item`` is a forward-mode value whose value and tangent are plain arrays."""
    return (
        type(item) is Dual and type(item.value) is np.ndarray and type(item.tangent) is np.ndarray
    )


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
