"""Derivatives of plain Python functions: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``.

Each wraps the arguments being differentiated in a traced value (a reverse-mode
:class:`~calcml.Tensor` or a forward-mode :class:`~calcml.autodiff.Dual`), calls ``f``
unchanged, and reads the derivative off the result. ``f`` is ordinary numpy code: the traced
values answer numpy's own functions (see :mod:`calcml.autodiff._protocol`).

Conventions (JAX's, where the reader may meet them again): a Jacobian of ``f`` at ``x`` has
shape ``f(x).shape + x.shape``, so an ``R^n -> R^m`` function gives an ``(m, n)`` matrix, as
:func:`calcml.jacobian` (the numerical one) does. Results holding one number are returned as
Python floats; everything else as numpy arrays of the matching shape. Differentiation is
first order: ``grad(grad(f))`` is not supported (use :func:`calcml.hessian` numerically).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from calcml.autodiff import _rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array
from calcml.autodiff.engine import Tensor
from calcml.autodiff.forward import Dual

__all__ = ["grad", "jacfwd", "jacrev", "jvp", "value_and_grad", "vjp"]

Result = float | Array
T = TypeVar("T", bound=Traced)


def _as_input(value: Any, name: str) -> Array:
    if isinstance(value, Traced):
        raise TypeError(
            f"{name} is already a traced {type(value).__name__}: calcml differentiates once "
            "(no grad of grad, no mixing of graphs); pass plain numbers or arrays"
        )
    return _rules.as_real_array(value, name)


def _require_callable(f: Any, caller: str) -> None:
    if not callable(f):
        raise TypeError(
            f"{caller}: f must be a function (the one to differentiate), got "
            f"{type(f).__name__} {f!r:.60}; pass the function itself, e.g. {caller}(np.sin)"
        )


def _as_result(array: Array) -> Result:
    return float(array) if array.ndim == 0 else array


def _check_argnums(argnums: Any, caller: str, *, single: bool = False) -> None:
    """Refuse an ``argnums`` of the wrong type when ``f`` is wrapped, before any call."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return
    if single:
        raise TypeError(
            f"{caller}: argnums must be one int, got {argnums!r}: a Jacobian is taken with "
            "respect to one argument; call it once per argument, or pack the arguments into "
            "one array"
        )
    if not (
        isinstance(argnums, tuple | list)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in argnums)
    ):
        raise TypeError(
            f"{caller}: argnums must be an int or a tuple of ints (positions of f's "
            f"arguments), got {argnums!r}"
        )


def _argnums(argnums: int | Sequence[int], count: int) -> tuple[int, ...]:
    numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for number in numbers:
        if not -count <= number < count:
            raise ValueError(
                f"argnums={argnums!r} but f was called with {count} positional argument(s); "
                "argnums counts positional arguments from 0"
            )
    return tuple(number % count for number in numbers)


def _not_one_number(shape: tuple[int, ...]) -> ValueError:
    if len(shape) and np.prod(shape) == 1:
        index = ", ".join("0" * len(shape))
        advice = f"return its one entry as a number: index it, out[{index}], or use out.sum()"
    else:
        advice = "reduce it to one number (e.g. .sum() or .mean())"
    return ValueError(
        f"grad needs f to return one number (shape ()), but f returned shape {shape}: "
        f"{advice}; for the derivatives of a vector-valued f use jacrev, jacfwd or vjp"
    )


def _traced_output(out: Any, kind: type[T], caller: str) -> T:
    if isinstance(out, kind):
        return out
    raise TypeError(
        f"{caller}: f returned {type(out).__name__} {out!r}, not a traced {kind.__name__}: "
        "its result does not depend on the differentiated argument(s), or was cut off from "
        "them (float(), .value, np.asarray); a constant function has derivative 0"
    )


def _gradients(leaves: Sequence[Tensor]) -> tuple[Result, ...]:
    """The leaves' gradients as arrays the caller owns (0 for an argument ``f`` ignores)."""
    seen: set[int] = set()
    results = []
    for leaf in leaves:
        gradient = np.zeros_like(leaf.value) if leaf.grad is None else leaf.grad
        # The engine shares gradient arrays between nodes and passes views (reshape, transpose,
        # a caller's read-only seed); hand out a private, writable copy only where that happened.
        if id(gradient) in seen or gradient.base is not None or not gradient.flags.writeable:
            gradient = gradient.copy()
        seen.add(id(gradient))
        results.append(_as_result(gradient))
    return tuple(results)


def _trace_call(
    f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any], numbers: Sequence[int]
) -> tuple[Tensor, list[Tensor]]:
    leaves = [Tensor._leaf(_as_input(args[i], f"argument {i} of f")) for i in numbers]
    call_args = list(args)
    for i, leaf in zip(numbers, leaves, strict=True):
        call_args[i] = leaf
    return f(*call_args, **kwargs), leaves


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[float, Any]]:
    """Turn scalar ``f`` into a function returning ``(f(*args), gradient)``, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code returning one number; arguments not in ``argnums`` pass through untouched.
    argnums : int or sequence of int, default 0
        The positional argument(s) to differentiate with respect to.

    Returns
    -------
    callable
        ``value_and_grad(f)(*args, **kwargs) -> (value, gradient)``, the gradient with the
        shape of its argument; for a sequence ``argnums``, a tuple of gradients.

    Raises
    ------
    ValueError
        If ``f`` does not return one number, or ``argnums`` is out of range.
    TypeError
        If ``f``'s result is not traced (it does not depend on the arguments), or ``f`` uses
        a numpy function calcml cannot differentiate.

    Notes
    -----
    One forward pass records the graph, one backward pass computes every partial derivative:
    the cost is a small constant times the cost of ``f``, whatever the number of inputs
    (the cheap-gradient principle of :doc:`/backpropagation`).

    Examples
    --------
    >>> loss, slope = value_and_grad(lambda w: np.sum(w**2))(np.array([1.0, 2.0]))
    >>> loss, slope
    (5.0, array([2., 4.]))
    """

    _require_callable(f, "value_and_grad")
    _check_argnums(argnums, "value_and_grad")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[float, Any]:
        numbers = _argnums(argnums, len(args))
        out, leaves = _trace_call(f, args, kwargs, numbers)
        out = _traced_output(out, Tensor, "value_and_grad")
        if out.shape != ():
            raise _not_one_number(out.shape)
        out.backward()
        gradients = _gradients(leaves)
        return float(out.value), gradients[0] if isinstance(argnums, int) else gradients

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Turn scalar ``f`` into the function computing its gradient, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code returning one number.
    argnums : int or sequence of int, default 0
        The positional argument(s) to differentiate with respect to.

    Returns
    -------
    callable
        ``grad(f)(*args, **kwargs)``: the gradient, a float for a number and an array of the
        argument's shape otherwise; a tuple of them for a sequence ``argnums``.

    Raises
    ------
    ValueError, TypeError
        As :func:`value_and_grad`.

    Notes
    -----
    ``grad(f)(x)`` is the vector of partial derivatives ``∂f/∂x_i``; see :doc:`/gradient`.

    Examples
    --------
    >>> grad(np.sin)(0.0)
    1.0
    >>> grad(lambda w, x: np.tanh(x @ w), argnums=(0, 1))(np.zeros(2), np.ones(2))
    (array([1., 1.]), array([0., 0.]))
    """

    _require_callable(f, "grad")
    _check_argnums(argnums, "grad")

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return value_and_grad(f, argnums)(*args, **kwargs)[1]

    return grad_f


def vjp(f: Callable[..., Any], *primals: ArrayLike) -> tuple[Result, Callable[..., Any]]:
    """The value of ``f`` at ``primals`` and the function ``v -> v^T J``, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code of the ``primals``, returning an array.
    *primals : array_like
        The point.

    Returns
    -------
    value : float or ndarray
        ``f(*primals)``.
    vjp_fn : callable
        ``vjp_fn(v)`` returns a tuple with one array per primal: ``sum_i v_i ∂f_i/∂x``, for
        ``v`` of the shape of ``value``. It may be called many times (one per row of ``J``).

    Raises
    ------
    TypeError
        If ``f``'s result is not traced.
    ValueError
        If ``v`` does not have the shape of ``f``'s value.

    Notes
    -----
    A vector-Jacobian product costs one backward pass, whatever the number of inputs.

    Examples
    --------
    >>> value, vjp_fn = vjp(lambda x: x**2, np.array([1.0, 3.0]))
    >>> vjp_fn(np.array([1.0, 10.0]))
    (array([ 2., 60.]),)
    """
    _require_callable(f, "vjp")
    leaves = [Tensor._leaf(_as_input(p, f"primals[{i}]")) for i, p in enumerate(primals)]
    out = _traced_output(f(*leaves), Tensor, "vjp")

    def vjp_fn(cotangent: ArrayLike) -> tuple[Result, ...]:
        out.backward(seed=cotangent, retain_graph=True)
        return _gradients(leaves)

    return _as_result(out.value), vjp_fn


def jvp(
    f: Callable[..., Any], primals: Sequence[ArrayLike], tangents: Sequence[ArrayLike]
) -> tuple[Result, Result]:
    """The value of ``f`` at ``primals`` and its derivative along ``tangents``, by forward mode.

    Parameters
    ----------
    f : callable
        Numpy code of the primals.
    primals : sequence of array_like
        The point, one entry per argument of ``f``.
    tangents : sequence of array_like
        The direction, one entry per primal and of its shape.

    Returns
    -------
    value : float or ndarray
        ``f(*primals)``.
    tangent : float or ndarray
        ``J v = d/dt f(primals + t tangents)`` at ``t = 0``, of ``value``'s shape.

    Raises
    ------
    ValueError
        If ``primals`` and ``tangents`` differ in length or shapes.
    TypeError
        If ``f``'s result is not traced.

    Notes
    -----
    A Jacobian-vector product costs one forward pass, whatever the number of outputs.

    Examples
    --------
    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 0.0))  # ∂(xy)/∂x = y
    (6.0, 3.0)
    """
    _require_callable(f, "jvp")
    for name, sequence in (("primals", primals), ("tangents", tangents)):
        if not isinstance(sequence, list | tuple):
            raise TypeError(
                f"jvp: {name} must be a tuple with one entry per argument of f, got "
                f"{type(sequence).__name__} {sequence!r:.60}; for one argument write ({name[:-1]},)"
            )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp needs one tangent per primal, got {len(primals)} primals and "
            f"{len(tangents)} tangents"
        )
    duals = []
    for i, (primal, tangent) in enumerate(zip(primals, tangents, strict=True)):
        value = _as_input(primal, f"primals[{i}]")
        direction = _rules.as_real_array(tangent, f"tangents[{i}]")
        if direction.shape != value.shape:
            raise ValueError(
                f"tangents[{i}] must have the shape of primals[{i}], {value.shape}, "
                f"got {direction.shape}"
            )
        duals.append(Dual(value, direction))
    out = _traced_output(f(*duals), Dual, "jvp")
    return _as_result(out.value), _as_result(np.array(out.tangent))


def jacrev(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Result]:
    """Turn ``f`` into the function computing its Jacobian, by reverse mode (row by row).

    Parameters
    ----------
    f : callable
        Numpy code returning an array.
    argnums : int, default 0
        The positional argument to differentiate with respect to.

    Returns
    -------
    callable
        ``jacrev(f)(*args, **kwargs)``: an array of shape ``f(x).shape + x.shape``.

    Raises
    ------
    TypeError
        If ``f``'s result is not traced.

    Notes
    -----
    One forward pass, then one backward pass per output: the cheaper mode when ``f`` has
    fewer outputs than inputs. See :doc:`/autodiff-modes`.

    Examples
    --------
    >>> jacrev(lambda x: x[::-1] * 2)(np.array([1.0, 2.0]))
    array([[0., 2.],
           [2., 0.]])
    """

    _require_callable(f, "jacrev")
    _check_argnums(argnums, "jacrev", single=True)

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Result:
        numbers = _argnums(argnums, len(args))
        out, (leaf,) = _trace_call(f, args, kwargs, numbers)
        out = _traced_output(out, Tensor, "jacrev")
        rows = []
        for i in range(out.size):
            seed = np.zeros(out.size)
            seed[i] = 1.0
            out.backward(seed.reshape(out.shape), retain_graph=i < out.size - 1)
            (row,) = _gradients([leaf])
            rows.append(row)
        return _as_result(np.array(rows).reshape(out.shape + leaf.shape))

    return jacobian_f


def jacfwd(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Result]:
    """Turn ``f`` into the function computing its Jacobian, by forward mode (column by column).

    Parameters
    ----------
    f : callable
        Numpy code returning an array.
    argnums : int, default 0
        The positional argument to differentiate with respect to.

    Returns
    -------
    callable
        ``jacfwd(f)(*args, **kwargs)``: an array of shape ``f(x).shape + x.shape``.

    Raises
    ------
    TypeError
        If ``f``'s result is not traced.

    Notes
    -----
    One forward pass per input: the cheaper mode when ``f`` has fewer inputs than outputs.
    See :doc:`/autodiff-modes`.

    Examples
    --------
    >>> jacfwd(lambda x: np.array([1.0, 0.0]) * np.sin(x))(0.0)
    array([1., 0.])
    """

    _require_callable(f, "jacfwd")
    _check_argnums(argnums, "jacfwd", single=True)

    @functools.wraps(f)
    def jacobian_f(*args: Any, **kwargs: Any) -> Result:
        (number,) = _argnums(argnums, len(args))
        x = _as_input(args[number], f"argument {number} of f")
        call_args = list(args)
        columns = []
        out_shape: tuple[int, ...] = ()
        for j in range(x.size):
            direction = np.zeros(x.size)
            direction[j] = 1.0
            call_args[number] = Dual(x, direction.reshape(x.shape))
            out = _traced_output(f(*call_args, **kwargs), Dual, "jacfwd")
            columns.append(out.tangent)
            out_shape = out.shape
        return _as_result(np.stack(columns, axis=-1).reshape(out_shape + x.shape))

    return jacobian_f
