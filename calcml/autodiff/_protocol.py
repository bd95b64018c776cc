"""How numpy's own functions reach a traced value: ``__array_ufunc__`` and ``__array_function__``.

When ``np.tanh(t)`` or ``x @ W`` meets a traced value, numpy hands the call to the value's
class (NEP 13 for ufuncs, NEP 18 for functions such as ``np.sum``). :class:`Traced` answers by
calling the traced class's own method of the same meaning, so a reader differentiates the
numpy code they already wrote. A numpy function without a derivative here raises
:class:`UnsupportedOperationError` (a ``TypeError``) naming it, rather than turning the value
into a plain array and silently dropping its gradient.

Derivatives of derivatives: every traced value carries the *level* of the differentiation that
made it. Each of :func:`calcml.grad`, :func:`calcml.jvp` and the other transformations traces
``f`` one level deeper than the one it is called from (``_rules.differentiating``), so inside
``grad(grad(f))`` the outer gradient's values are level 1 and the inner one's level 2. Every
traced operation goes through ``_rules.record``: the *innermost* differentiation among its
operands records it, and values of outer levels are constants to it, whose numbers are
themselves traced by the outer level. So the inner derivative's own arithmetic (its rules and
their adjoints, computed on outer-level values) is recorded by the outer differentiation, which
can then differentiate it, to any order; and a value of one level is never mistaken for the
variable of another (no "perturbation confusion"), the way HIPS autograd nests its boxes.
"""

from __future__ import annotations

import inspect
import linecache
import re
import sys
from collections.abc import Callable
from typing import Any, Self

import numpy as np

from calcml.autodiff import _numpy, rules
from calcml.autodiff._rules import Axis, TracedValue, UnsupportedOperationError, record

#: ufuncs whose result is piecewise constant: their derivative is 0 wherever it exists, so the
#: plain numpy result of the values is exact (a mask, a sign, a rounded value), not a detached
#: gradient.
CONSTANT_UFUNCS = frozenset(
    {
        np.greater,
        np.greater_equal,
        np.less,
        np.less_equal,
        np.equal,
        np.not_equal,
        np.sign,
        np.isfinite,
        np.isnan,
        np.isinf,
        np.floor,
        np.ceil,
        np.rint,
        np.trunc,
        np.signbit,
        np.logical_and,
        np.logical_or,
        np.logical_not,
    }
)

#: numpy functions that only read the shape or build constants: answered from the values.
SHAPE_FUNCTIONS = frozenset({np.shape, np.ndim, np.size, np.zeros_like, np.ones_like})


def _parameter_names(
    function: Callable[..., Any], implementation: Callable[..., Any]
) -> tuple[str, ...]:
    """The arguments ``implementation`` understands: its own, or, when it passes every
    argument through to numpy (``*args, **kwargs``), those of the numpy function."""
    parameters = inspect.signature(implementation).parameters.values()
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
        return tuple(inspect.signature(function).parameters)
    return tuple(parameter.name for parameter in parameters)


#: numpy function -> the names of the parameters calcml understands, in order.
_PARAMETERS = {
    function: _parameter_names(function, implementation)
    for function, implementation in _numpy.FUNCTIONS.items()
}


def _value(item: Any) -> Any:
    """The plain numbers under ``item``, through every level of tracing."""
    while isinstance(item, Traced):
        item = item.value
    return item


def _unsupported(kind: str, name: str) -> UnsupportedOperationError:
    ufuncs = sorted(ufunc.__name__ for ufunc in rules.UFUNCS)
    functions = sorted(_numpy.qualified_name(function)[6:] for function in _numpy.FUNCTIONS)
    return UnsupportedOperationError(
        f"{kind} {name} is not supported on traced values: calcml has no derivative for "
        f"it, and computing it on the bare values would silently drop the gradient. Supported "
        f"ufuncs: {', '.join(ufuncs)}; functions: {', '.join(functions)}. Rewrite with these "
        "or add the operation with its derivative to calcml.autodiff.rules."
    )


#: ``math`` functions with a numpy spelling that is not ``np.<same name>``.
_NUMPY_NAMES = {
    "fabs": "abs",
    "pow": "power",
    "atan": "arctan",
    "atan2": "arctan2",
    "asin": "arcsin",
    "acos": "arccos",
    "asinh": "arcsinh",
    "acosh": "arccosh",
    "atanh": "arctanh",
    "fsum": "sum",
    "prod": "prod",
}


def _math_calls(frame_depth: int = 3) -> list[str]:
    """The ``math.NAME`` functions called on the source line that asked for a Python number.

    ``math.exp(t)`` reaches :meth:`Traced.__float__` from C, so the caller's frame is the
    line the reader wrote; reading it lets the error name the numpy function to use.
    """
    try:
        frame = sys._getframe(frame_depth)
    except ValueError:
        return []
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    return list(dict.fromkeys(re.findall(r"\bmath\.(\w+)\s*\(", line)))


def _leaving_the_graph(value: Traced, target: str) -> UnsupportedOperationError:
    names = _math_calls()
    if names:
        advice = "use " + ", ".join(
            f"np.{_NUMPY_NAMES.get(name, name)} instead of math.{name}" for name in names
        )
    else:
        advice = "compute with numpy functions (np.exp, not math.exp)"
    return UnsupportedOperationError(
        f"converting a traced {type(value).__name__} to {target} would detach it from "
        f"differentiation and silently drop its derivative: {advice}, or read .value if "
        "you mean an intentional constant (no gradient flows through it)"
    )


class Traced(TracedValue):
    """What reverse-mode ``Tensor`` and forward-mode ``Dual`` share: numpy's protocols,
    reflected operators and shape accessors. Subclasses provide ``value``, ``_lift``,
    ``where`` and the differentiable methods named in :data:`UFUNCS` and :data:`FUNCTIONS`.
    """

    __slots__ = ()
    value: np.ndarray
    #: the differentiation that made this value: 0 outside any, 1 for the outermost one
    level: int

    @classmethod
    def _lift(cls, item: Any, level: int) -> Self:
        raise NotImplementedError

    @classmethod
    def _apply(cls, rule: Callable[..., rules.Local], *operands: Any, **parameters: Any) -> Self:
        """Record ``rule`` applied to ``operands`` (numbers are lifted to constants), for the
        innermost differentiation among them, which is this class's."""
        raise NotImplementedError

    def _record(self, rule: Callable[..., rules.Local], *operands: Any, **parameters: Any) -> Self:
        """``rule`` on ``operands`` (``self`` among them), recorded by the innermost
        differentiation among them: with nested derivatives, not always ``self``'s."""
        recorded: Self = record(rule, *operands, **parameters)
        return recorded

    # numpy protocols ---------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or kwargs:
            detail = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
            if kwargs:
                detail += f" with {', '.join(kwargs)}="
            raise _unsupported("ufunc", f"numpy.{detail}")
        rule = rules.UFUNCS.get(ufunc)
        if rule is not None:
            return self._record(rule, *inputs)
        if ufunc in CONSTANT_UFUNCS:
            return ufunc(*(_value(item) for item in inputs))
        raise _unsupported("ufunc", f"numpy.{ufunc.__name__}")

    def __array_function__(
        self, func: Callable[..., Any], types: Any, args: Any, kwargs: Any
    ) -> Any:
        if func in SHAPE_FUNCTIONS:
            return func(*(_value(item) for item in args), **kwargs)
        if func in _numpy.CONSTANT_FUNCTIONS:
            values = [_value(item) for item in args]
            return func(*values, **{key: _value(item) for key, item in kwargs.items()})
        implementation = _numpy.FUNCTIONS.get(func)
        if implementation is None:
            raise _unsupported("function", _numpy.qualified_name(func))
        # numpy has already checked the call against func's signature (NEP 18 dispatches
        # through a function of the same signature), so naming arguments needs no binding.
        names = _PARAMETERS[func]
        if len(args) > len(names) and names[-1] != "operands":
            raise _unsupported("function", f"{_numpy.qualified_name(func)} with these arguments")
        unknown = kwargs.keys() - set(names)
        if unknown:
            name = _numpy.qualified_name(func)
            raise _unsupported("function", f"{name} with {', '.join(sorted(unknown))}=")
        return implementation(*args, **kwargs)

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise _leaving_the_graph(self, "a numpy array (np.asarray, np.array)")

    # arithmetic: each operator is a rule of calcml.autodiff.rules ----------------------------
    def __add__(self, other: Any) -> Self:
        return self._record(rules.add, self, other)

    def __radd__(self, other: Any) -> Self:
        return self._record(rules.add, other, self)

    def __sub__(self, other: Any) -> Self:
        return self._record(rules.subtract, self, other)

    def __rsub__(self, other: Any) -> Self:
        return self._record(rules.subtract, other, self)

    def __mul__(self, other: Any) -> Self:
        return self._record(rules.multiply, self, other)

    def __rmul__(self, other: Any) -> Self:
        return self._record(rules.multiply, other, self)

    def __truediv__(self, other: Any) -> Self:
        return self._record(rules.true_divide, self, other)

    def __rtruediv__(self, other: Any) -> Self:
        return self._record(rules.true_divide, other, self)

    def __pow__(self, exponent: Any) -> Self:
        return self._record(rules.power, self, exponent)

    def __rpow__(self, other: Any) -> Self:
        return self._record(rules.power, other, self)

    def __matmul__(self, other: Any) -> Self:
        return self._record(rules.matmul, self, other)

    def __rmatmul__(self, other: Any) -> Self:
        return self._record(rules.matmul, other, self)

    def __neg__(self) -> Self:
        return self._record(rules.negative, self)

    def __pos__(self) -> Self:
        return self

    # methods, as ndarray's ------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Self:
        """Sum over ``axis`` (all axes by default), as ``ndarray.sum``."""
        return self._record(rules.sum_, self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Self:
        """Average over ``axis`` (all axes by default), as ``ndarray.mean``."""
        return self._record(rules.mean, self, axis=axis, keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Self:
        """Maximum over ``axis``; tied entries share the derivative equally."""
        return self._record(rules.max_, self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Self:
        """Minimum over ``axis``; tied entries share the derivative equally."""
        return _numpy.amin(self, axis=axis, keepdims=keepdims)  # type: ignore[no-any-return]

    def prod(self, axis: int | None = None, keepdims: bool = False) -> Self:
        """Product over ``axis``, as ``ndarray.prod``."""
        return self._record(rules.prod, self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis: int | None = None) -> Self:
        """Running sum along ``axis``, as ``ndarray.cumsum``."""
        return self._record(rules.cumsum, self, axis=axis)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Self:
        """Variance over ``axis``, as ``ndarray.var``."""
        return _numpy.var(self, axis=axis, keepdims=keepdims, ddof=ddof)  # type: ignore[no-any-return]

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Self:
        """Standard deviation over ``axis``, as ``ndarray.std``."""
        return _numpy.std(self, axis=axis, keepdims=keepdims, ddof=ddof)  # type: ignore[no-any-return]

    def clip(self, min: Any = None, max: Any = None) -> Self:
        """Entries held between ``min`` and ``max``, as ``ndarray.clip``."""
        return _numpy.clip(self, min, max)  # type: ignore[no-any-return]

    def dot(self, other: Any) -> Self:
        """As ``ndarray.dot``."""
        return _numpy.dot(self, other)  # type: ignore[no-any-return]

    def reshape(self, *shape: Any) -> Self:
        """The same entries in a new shape, as ``ndarray.reshape``."""
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return self._record(rules.reshape, self, shape=shape)

    def ravel(self) -> Self:
        """The entries as one axis, as ``ndarray.ravel``."""
        return self.reshape(-1)

    def flatten(self) -> Self:
        """The entries as one axis, as ``ndarray.flatten``."""
        return self.reshape(-1)

    def squeeze(self, axis: Axis = None) -> Self:
        """Without axes of length 1, as ``ndarray.squeeze``."""
        return self.reshape(np.squeeze(_value(self), axis).shape)

    def transpose(self, *axes: Any) -> Self:
        """Permute the axes (reverse them by default), as ``ndarray.transpose``."""
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = () if axes[0] is None else tuple(axes[0])
        order = tuple(int(axis) % self.ndim for axis in axes) or tuple(reversed(range(self.ndim)))
        return self._record(rules.transpose, self, axes=order)

    def swapaxes(self, axis1: int, axis2: int) -> Self:
        """Exchange two axes, as ``ndarray.swapaxes``."""
        order = list(range(self.ndim))
        order[axis1], order[axis2] = order[axis2], order[axis1]
        return self.transpose(order)

    def copy(self) -> Self:
        """The same value: traced values are never changed in place, so no copy is needed."""
        return self

    def astype(self, dtype: Any) -> Self:
        """Only float64, calcml's one number type; an integer type would drop the derivative."""
        if np.dtype(dtype) != np.float64:
            raise UnsupportedOperationError(
                f"astype({np.dtype(dtype)}): calcml computes in float64; a cast to another "
                "type would round or detach the value (use .value for a constant copy)"
            )
        return self

    # elementwise functions and activations ---------------------------------------------------
    def exp(self) -> Self:
        """``e**x``, whose slope is itself."""
        return self._record(rules.exp, self)

    def log(self) -> Self:
        """Natural logarithm; raises ``ValueError`` for ``x <= 0``."""
        return self._record(rules.log, self)

    def sin(self) -> Self:
        """Sine."""
        return self._record(rules.sin, self)

    def cos(self) -> Self:
        """Cosine."""
        return self._record(rules.cos, self)

    def tanh(self) -> Self:
        """Hyperbolic tangent."""
        return self._record(rules.tanh, self)

    def sqrt(self) -> Self:
        """Square root; its derivative is refused at 0, where it is infinite."""
        return self._record(rules.sqrt, self)

    def abs(self) -> Self:
        """Absolute value; slope 0 at the kink."""
        return self._record(rules.absolute, self)

    def __abs__(self) -> Self:
        return self._record(rules.absolute, self)

    def maximum(self, other: Any) -> Self:
        """Elementwise maximum; at a tie each side gets half the slope."""
        return self._record(rules.maximum, self, other)

    def relu(self) -> Self:
        """``max(x, 0)``; slope 0 at 0 (the book's one convention)."""
        return self._record(rules.relu, self)

    def sigmoid(self) -> Self:
        """The logistic function, computed without overflow."""
        return self._record(rules.sigmoid, self)

    def softmax(self, axis: int = -1) -> Self:
        """``exp(x) / sum(exp(x))`` along ``axis``."""
        return self._record(rules.softmax, self, axis=axis)

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Self:
        """Stable ``log(sum(exp(x)))`` over ``axis``."""
        return self._record(rules.logsumexp, self, axis=axis, keepdims=keepdims)

    @classmethod
    def where(cls, condition: Any, x: Any, y: Any) -> Self:
        """``x`` where ``condition`` holds, else ``y``, as ``np.where``."""
        mask = np.asarray(_value(condition), dtype=bool)
        recorded: Self = record(rules.where, x, y, mask=mask)
        return recorded

    # comparisons give masks: piecewise constant, derivative 0 (see CONSTANT_UFUNCS)
    def __lt__(self, other: Any) -> Any:
        return _value(self) < _value(other)

    def __le__(self, other: Any) -> Any:
        return _value(self) <= _value(other)

    def __gt__(self, other: Any) -> Any:
        return _value(self) > _value(other)

    def __ge__(self, other: Any) -> Any:
        return _value(self) >= _value(other)

    # ``==`` compares values like numpy does, so ``np.where(x == 0, ...)`` takes the branch the
    # reader means; identity stays the hash, which is what graph bookkeeping (sets of nodes)
    # relies on.
    def __eq__(self, other: object) -> Any:
        return _value(self) == _value(other)

    def __ne__(self, other: object) -> Any:
        return _value(self) != _value(other)

    __hash__ = object.__hash__

    # shape, read from the values ------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of :attr:`value`."""
        return self.value.shape

    @property
    def ndim(self) -> int:
        """The number of axes of :attr:`value`."""
        return self.value.ndim

    @property
    def size(self) -> int:
        """The number of entries of :attr:`value`."""
        return self.value.size

    @property
    def T(self) -> Self:
        """The transpose, as ``ndarray.T``."""
        return self.transpose()

    def __len__(self) -> int:
        return len(self.value)

    # leaving the graph: a Python number carries no derivative, so every conversion raises
    def __float__(self) -> float:
        raise _leaving_the_graph(self, "a Python float (float(), math.*)")

    def __int__(self) -> int:
        raise _leaving_the_graph(self, "a Python int (int())")

    def __complex__(self) -> complex:
        raise _leaving_the_graph(self, "a Python complex (complex(), cmath.*)")

    def __index__(self) -> int:
        raise _leaving_the_graph(self, "an index (range(), list indexing, operator.index)")

    def __round__(self, ndigits: int | None = None) -> Any:
        raise _leaving_the_graph(self, "a rounded Python number (round())")

    def __trunc__(self) -> int:
        raise _leaving_the_graph(self, "a Python int (math.trunc)")

    def __floor__(self) -> int:
        raise _leaving_the_graph(self, "a Python int (math.floor)")

    def __ceil__(self) -> int:
        raise _leaving_the_graph(self, "a Python int (math.ceil)")

    def item(self, *args: Any) -> Any:
        """Refused: a Python number carries no derivative (read ``.value`` for a constant)."""
        raise _leaving_the_graph(self, "a Python number (.item())")

    def tolist(self) -> Any:
        """Refused: Python numbers carry no derivative (read ``.value`` for constants)."""
        raise _leaving_the_graph(self, "Python numbers (.tolist())")

    def __bool__(self) -> bool:
        # Branching on a value is allowed, as in autograd: the function is then piecewise,
        # and the derivative is that of the branch taken at this point.
        return bool(self.value)
