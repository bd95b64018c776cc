"""How numpy's own functions reach a traced value: ``__array_ufunc__`` and ``__array_function__``.

When ``np.tanh(t)`` or ``x @ W`` meets a traced value, numpy hands the call to the value's
class (NEP 13 for ufuncs, NEP 18 for functions such as ``np.sum``). :class:`Traced` answers by
calling the traced class's own method of the same meaning, so a reader differentiates the
numpy code they already wrote. A numpy function without a derivative here raises
:class:`UnsupportedOperationError` (a ``TypeError``) naming it, rather than turning the value
into a plain array and silently dropping its gradient.
"""

from __future__ import annotations

import inspect
import linecache
import re
import sys
from collections.abc import Callable
from typing import Any, Self

import numpy as np

#: numpy ufunc -> method of the traced class computing it (and its derivative).
UFUNCS: dict[np.ufunc, str] = {
    np.add: "__add__",
    np.subtract: "__sub__",
    np.multiply: "__mul__",
    np.true_divide: "__truediv__",
    np.power: "__pow__",
    np.matmul: "__matmul__",
    np.negative: "__neg__",
    np.exp: "exp",
    np.log: "log",
    np.sin: "sin",
    np.cos: "cos",
    np.tanh: "tanh",
    np.sqrt: "sqrt",
    np.absolute: "abs",
    np.maximum: "maximum",
}

#: ufuncs whose result is piecewise constant: their derivative is 0 wherever it exists, so the
#: plain numpy result of the values is exact (a mask, a sign), not a detached gradient.
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
    }
)

#: numpy function -> (method, the keyword arguments the method understands).
FUNCTIONS: dict[Callable[..., Any], tuple[str, frozenset[str]]] = {
    np.sum: ("sum", frozenset({"axis", "keepdims"})),
    np.mean: ("mean", frozenset({"axis", "keepdims"})),
    np.max: ("max", frozenset({"axis", "keepdims"})),
    np.amax: ("max", frozenset({"axis", "keepdims"})),
    np.reshape: ("reshape", frozenset({"shape"})),
    np.transpose: ("transpose", frozenset({"axes"})),
}

#: numpy functions that only read the shape or build constants: answered from the values.
SHAPE_FUNCTIONS = frozenset({np.shape, np.ndim, np.size, np.zeros_like, np.ones_like})

#: numpy function -> the names of its parameters, in order, to name positional arguments.
_PARAMETERS = {function: tuple(inspect.signature(function).parameters) for function in FUNCTIONS}


class UnsupportedOperationError(TypeError):
    """An operation calcml cannot differentiate was applied to a traced value.

    Raised instead of computing on the bare numbers, which would silently drop the derivative.
    :func:`calcml.minimize` catches exactly this error (and no other ``TypeError``) to fall
    back to finite differences.
    """


def _value(item: Any) -> Any:
    return item.value if isinstance(item, Traced) else item


def _unsupported(kind: str, name: str) -> UnsupportedOperationError:
    ufuncs = sorted(ufunc.__name__ for ufunc in UFUNCS)
    functions = sorted({function.__name__ for function in FUNCTIONS} | {"dot", "where"})
    return UnsupportedOperationError(
        f"{kind} numpy.{name} is not supported on traced values: calcml has no derivative for "
        f"it, and computing it on the bare values would silently drop the gradient. Supported "
        f"ufuncs: {', '.join(ufuncs)}; functions: {', '.join(functions)}. Rewrite with these "
        "or add the operation with its derivative to calcml.autodiff."
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


class Traced:
    """What reverse-mode ``Tensor`` and forward-mode ``Dual`` share: numpy's protocols,
    reflected operators and shape accessors. Subclasses provide ``value``, ``_lift``,
    ``where`` and the differentiable methods named in :data:`UFUNCS` and :data:`FUNCTIONS`.
    """

    __slots__ = ()
    value: np.ndarray

    @classmethod
    def _lift(cls, item: Any) -> Self:
        raise NotImplementedError

    @classmethod
    def where(cls, condition: Any, x: Any, y: Any) -> Self:
        raise NotImplementedError

    # numpy protocols ---------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method != "__call__" or kwargs:
            detail = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
            if kwargs:
                detail += f" with {', '.join(kwargs)}="
            raise _unsupported("ufunc", detail)
        name = UFUNCS.get(ufunc)
        if name is not None:
            first, *rest = inputs
            return getattr(self._lift(first), name)(*rest)
        if ufunc in CONSTANT_UFUNCS:
            return ufunc(*(_value(item) for item in inputs))
        raise _unsupported("ufunc", ufunc.__name__)

    def __array_function__(
        self, func: Callable[..., Any], types: Any, args: Any, kwargs: Any
    ) -> Any:
        if func in SHAPE_FUNCTIONS:
            return func(*(_value(item) for item in args), **kwargs)
        if func is np.dot:
            first, second = args
            return self._lift(first) @ second
        if func is np.where and len(args) == 3 and not kwargs:
            return self.where(*args)
        if func not in FUNCTIONS:
            raise _unsupported("function", func.__name__)
        name, understood = FUNCTIONS[func]
        # numpy has already checked the call against func's signature (NEP 18 dispatches
        # through a function of the same signature), so naming arguments needs no binding.
        first, *rest = args
        passed = dict(zip(_PARAMETERS[func][1:], rest, strict=False), **kwargs)
        unknown = passed.keys() - understood
        if unknown:
            raise _unsupported("function", f"{func.__name__} with {', '.join(sorted(unknown))}=")
        method = getattr(self._lift(first), name)
        # reshape and transpose take their shape or axes positionally, as ndarray's do
        return method(*passed.values()) if name in {"reshape", "transpose"} else method(**passed)

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise _leaving_the_graph(self, "a numpy array (np.asarray, np.array)")

    # reflected operators: ``2 * t`` is ``lift(2) * t`` --------------------------------------
    def __radd__(self, other: Any) -> Self:
        return self._lift(other) + self  # type: ignore[operator, no-any-return]

    def __rsub__(self, other: Any) -> Self:
        return self._lift(other) - self  # type: ignore[operator, no-any-return]

    def __rmul__(self, other: Any) -> Self:
        return self._lift(other) * self  # type: ignore[operator, no-any-return]

    def __rtruediv__(self, other: Any) -> Self:
        return self._lift(other) / self  # type: ignore[operator, no-any-return]

    def __rpow__(self, other: Any) -> Self:
        return self._lift(other) ** self  # type: ignore[operator, no-any-return]

    def __rmatmul__(self, other: Any) -> Self:
        return self._lift(other) @ self  # type: ignore[operator, no-any-return]

    # comparisons give masks: piecewise constant, derivative 0 (see CONSTANT_UFUNCS)
    def __lt__(self, other: Any) -> Any:
        return self.value < _value(other)

    def __le__(self, other: Any) -> Any:
        return self.value <= _value(other)

    def __gt__(self, other: Any) -> Any:
        return self.value > _value(other)

    def __ge__(self, other: Any) -> Any:
        return self.value >= _value(other)

    # ``==`` compares values like numpy does, so ``np.where(x == 0, ...)`` takes the branch the
    # reader means; identity stays the hash, which is what graph bookkeeping (sets of nodes)
    # relies on.
    def __eq__(self, other: object) -> Any:
        return self.value == _value(other)

    def __ne__(self, other: object) -> Any:
        return self.value != _value(other)

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
        return self.transpose()  # type: ignore[attr-defined, no-any-return]

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
