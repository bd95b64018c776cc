"""Derivatives of plain Python functions: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``.

Each wraps the arguments being differentiated in a traced value (a reverse-mode
:class:`~calcml.Tensor` or a forward-mode :class:`~calcml.autodiff.Dual`), calls ``f``
unchanged, and reads the derivative off the result. ``f`` is ordinary numpy code: the traced
values answer numpy's own functions (see :mod:`calcml.autodiff._protocol`).

Conventions (JAX's, where the reader may meet them again): a Jacobian of ``f`` at ``x`` has
shape ``f(x).shape + x.shape``, so an ``R^n -> R^m`` function gives an ``(m, n)`` matrix, as
:func:`calcml.jacobian` (the numerical one) does. Results holding one number are returned as
Python floats; everything else as numpy arrays of the matching shape.

Parameter trees: an argument being differentiated may be a nested dict, list or tuple of
arrays (``{"W": W, "b": b}``, see :mod:`calcml._tree`); its gradient, tangent or Jacobian
comes back with the same structure, one array per leaf. ``has_aux=True`` lets ``f`` return
``(value, aux)``: ``aux`` is handed back untouched, with any traced value in it read as numbers.
Derivatives of derivatives, to any order and in any mix of modes: ``grad(grad(f))``,
``grad(grad(grad(f)))``, ``jacrev(jacrev(f))``, ``jacfwd(jacfwd(f))``, ``jacfwd(jacrev(f))``,
``jacrev(jacfwd(f))``. Each transformation traces ``f`` one level deeper than the one it is
called from; the inner derivative's arithmetic is done on the outer level's traced values, so
the outer level records it and differentiates it in turn (see :mod:`calcml.autodiff._protocol`).
Values of different levels never mix up: in ``grad(lambda x: x * grad(lambda y: x * y)(1.0))``
the inner ``x`` is a constant of the inner derivative, as it should be. :func:`hessian`
(``jacfwd(grad(f))``) and :func:`hvp` (``jvp(grad(f), ...)``) use forward over reverse, the
cheapest order for a Hessian. A derivative taken inside an outer one stays a function of the
outer variable even where it does not depend on it (its derivative is then 0), so a linear
``f`` has a Hessian of zeros rather than an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from calcml import _tree
from calcml._validation import require_finite
from calcml.autodiff import _rules
from calcml.autodiff._protocol import Traced
from calcml.autodiff._rules import Array, differentiating
from calcml.autodiff.engine import Tensor
from calcml.autodiff.forward import Dual

__all__ = ["grad", "hessian", "hvp", "jacfwd", "jacrev", "jvp", "value_and_grad", "vjp"]

Result = float | Array
T = TypeVar("T", bound=Traced)


def _as_input(value: Any, name: str) -> Array:
    """``value`` as the numbers to differentiate at: real numbers, or a value traced by an
    outer differentiation (a derivative of a derivative), taken as it is."""
    if type(value) is np.ndarray and value.dtype == np.float64:
        # already real numbers (every call of grad in a training loop): only finiteness
        require_finite(value, name)
        return value
    if isinstance(value, Traced):
        return value  # type: ignore[return-value]
    return _rules.as_real_array(value, name)


def _require_callable(f: Any, caller: str) -> None:
    if not callable(f):
        raise TypeError(
            f"{caller}: f must be a function (the one to differentiate), got "
            f"{type(f).__name__} {f!r:.60}; pass the function itself, e.g. {caller}(np.sin)"
        )


def _as_result(array: Any) -> Any:
    # A traced result (a derivative inside an outer differentiation) stays traced.
    if isinstance(array, Traced):
        return array
    return float(array) if array.ndim == 0 else array


def _connected(result: Any, points: Sequence[Any]) -> Any:
    """``result``, a derivative at ``points``, kept a function of any point traced by an outer
    differentiation even where it does not depend on it (a constant derivative, as of a linear
    function): adding 0 times the point gives the outer level a derivative of 0 to find
    instead of a constant it would refuse."""
    for point in points:
        if isinstance(point, Traced):
            result = result + 0.0 * np.sum(point)
    return result


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


def _traced_output(out: Any, kind: type[T], caller: str, level: int) -> T:
    if isinstance(out, kind) and out.level == level:
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
        point: Any = leaf.value
        gradient = np.zeros_like(point) if leaf.grad is None else leaf.grad
        if isinstance(point, Traced):  # inside an outer differentiation
            gradient = _connected(gradient, [point])
        # The engine shares gradient arrays between nodes and passes views (a reshape, a
        # slice, a broadcast read-only seed). A gradient the caller may write into must own
        # its memory alone: a view of all of an array the engine made for it (a transpose, as
        # of a weight's gradient) does; a part of one, a shared or a read-only one is copied.
        if isinstance(gradient, np.ndarray):
            memory = gradient if gradient.base is None else gradient.base
            if (
                id(memory) in seen
                or not gradient.flags.writeable
                or not isinstance(memory, np.ndarray)
                or memory.size != gradient.size
            ):
                gradient = gradient.copy()
            else:
                seen.add(id(memory))
        results.append(_as_result(gradient))
    return tuple(results)


def _leaves_of(tree: Any, name: str) -> tuple[list[Any], _tree.TreeDef | None, list[str]]:
    """The leaves of an argument, its structure (None for a lone array or number, the common
    case, which needs no tree walk) and each leaf's path for messages."""
    if not isinstance(tree, dict | list | tuple):
        return [tree], None, [name]
    _rules.refuse_complex(tree, name)
    leaves, treedef = _tree.flatten(tree, name)
    paths = [name] if treedef.node is None else _tree.leaf_paths(tree, name)
    return leaves, treedef, paths


class _Inputs:
    """The arguments being differentiated, each a tree, with a traced value at every leaf.

    ``make(value, k)`` builds the traced leaf (a ``Tensor`` or a ``Dual``) for leaf ``k``;
    ``trees`` are the arguments rebuilt around those leaves, ready to pass to ``f``.
    """

    def __init__(
        self,
        arguments: Sequence[Any],
        names: Sequence[str],
        make: Callable[[Array, int], Any],
    ) -> None:
        self.leaves: list[list[Any]] = []
        self.treedefs: list[_tree.TreeDef | None] = []
        self.trees: list[Any] = []
        count = 0
        for argument, name in zip(arguments, names, strict=True):
            values, treedef, paths = _leaves_of(argument, name)
            leaves = []
            for value, path in zip(values, paths, strict=True):
                leaves.append(make(_as_input(value, path), count))
                count += 1
            self.leaves.append(leaves)
            self.treedefs.append(treedef)
            self.trees.append(leaves[0] if treedef is None else _tree.unflatten(treedef, leaves))

    def rebuild(self, per_leaf: Sequence[Any]) -> tuple[Any, ...]:
        """One result per leaf, in order, put back into one tree per argument."""
        remaining = iter(per_leaf)
        return tuple(
            next(remaining)
            if treedef is None
            else _tree.unflatten(treedef, [next(remaining) for _ in leaves])
            for treedef, leaves in zip(self.treedefs, self.leaves, strict=True)
        )

    @property
    def flat(self) -> list[Any]:
        return [leaf for leaves in self.leaves for leaf in leaves]


def _trace_call(
    f: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any],
    numbers: Sequence[int],
    level: int,
) -> tuple[Any, _Inputs]:
    inputs = _Inputs(
        [args[i] for i in numbers],
        [f"argument {i} of f" for i in numbers],
        lambda value, _: Tensor._leaf(value, level),
    )
    call_args = list(args)
    for i, tree in zip(numbers, inputs.trees, strict=True):
        call_args[i] = tree
    return f(*call_args, **kwargs), inputs


def _split_aux(out: Any, has_aux: bool, caller: str, level: int) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(
            f"{caller}(..., has_aux=True): f must return a pair (value, aux), got "
            f"{type(out).__name__} {out!r:.60}"
        )
    return out[0], _concrete(out[1], level)


def _concrete(aux: Any, level: int) -> Any:
    """``aux`` with every value traced by this differentiation (or an inner one) replaced by
    its numbers, so no graph leaks out; values of outer levels stay traced for them."""
    if isinstance(aux, Traced):
        while isinstance(aux, Traced) and aux.level >= level:
            aux = aux.value
        return _as_result(aux if isinstance(aux, Traced) else np.array(aux))
    if isinstance(aux, dict):
        return type(aux)({key: _concrete(item, level) for key, item in aux.items()})
    if isinstance(aux, list | tuple) and not hasattr(aux, "_fields"):
        return type(aux)(_concrete(item, level) for item in aux)
    return aux


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, *, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    """Turn scalar ``f`` into a function returning ``(f(*args), gradient)``, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code returning one number; arguments not in ``argnums`` pass through untouched.
    argnums : int or sequence of int, default 0
        The positional argument(s) to differentiate with respect to; each may be an array or
        a tree of arrays (nested dicts, lists, tuples).
    has_aux : bool, default False
        ``f`` returns ``(value, aux)``; the result is then ``((value, aux), gradient)``.

    Returns
    -------
    callable
        ``value_and_grad(f)(*args, **kwargs) -> (value, gradient)``, the gradient with the
        shape (or tree structure) of its argument; for a sequence ``argnums``, a tuple.

    Raises
    ------
    ValueError
        If ``f`` does not return one number, or ``argnums`` is out of range.
    TypeError
        If ``f``'s result is not traced (it does not depend on the arguments), a leaf of an
        argument holds no numbers (the message gives its path), or ``f`` uses a numpy
        function calcml cannot differentiate.

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
    >>> value_and_grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 3.0})
    (6.0, {'w': 3.0, 'b': 2.0})
    """
    _require_callable(f, "value_and_grad")
    _check_argnums(argnums, "value_and_grad")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        numbers = _argnums(argnums, len(args))
        with differentiating() as level:
            out, inputs = _trace_call(f, args, kwargs, numbers, level)
        out, aux = _split_aux(out, has_aux, "value_and_grad", level)
        out = _traced_output(out, Tensor, "value_and_grad", level)
        if out.shape != ():
            raise _not_one_number(out.shape)
        out.backward()
        gradients = inputs.rebuild(_gradients(inputs.flat))
        value = _as_result(out.value)
        return (value, aux) if has_aux else value, (
            gradients[0] if isinstance(argnums, int) else gradients
        )

    return value_and_grad_f


def grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, *, has_aux: bool = False
) -> Callable[..., Any]:
    """Turn scalar ``f`` into the function computing its gradient, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code returning one number.
    argnums : int or sequence of int, default 0
        The positional argument(s) to differentiate with respect to (arrays or trees).
    has_aux : bool, default False
        ``f`` returns ``(value, aux)``; the result is then ``(gradient, aux)``.

    Returns
    -------
    callable
        ``grad(f)(*args, **kwargs)``: the gradient, a float for a number, an array of the
        argument's shape, or a tree of the argument's structure; a tuple of them for a
        sequence ``argnums``.

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
    >>> grad(lambda p: np.sum(p["W"] ** 2) + p["b"])({"W": np.ones(2), "b": 0.0})
    {'W': array([2., 2.]), 'b': 1.0}
    """
    _require_callable(f, "grad")
    value_and_grad_f = value_and_grad(f, argnums, has_aux=has_aux)

    @functools.wraps(f)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, gradient = value_and_grad_f(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return grad_f


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Result, Callable[..., Any]]:
    """The value of ``f`` at ``primals`` and the function ``v -> v^T J``, by reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code of the ``primals``, returning an array.
    *primals : array_like or tree of array_like
        The point.

    Returns
    -------
    value : float or ndarray
        ``f(*primals)``.
    vjp_fn : callable
        ``vjp_fn(v)`` returns a tuple with one array (or tree) per primal: ``sum_i v_i
        ∂f_i/∂x``, for ``v`` of the shape of ``value``. It may be called many times (one per
        row of ``J``).

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
    names = [f"primals[{i}]" for i in range(len(primals))]
    with differentiating() as level:
        inputs = _Inputs(primals, names, lambda value, _: Tensor._leaf(value, level))
        out = _traced_output(f(*inputs.trees), Tensor, "vjp", level)

    def vjp_fn(cotangent: ArrayLike) -> tuple[Any, ...]:
        out.backward(seed=cotangent, retain_graph=True)
        return inputs.rebuild(_gradients(inputs.flat))

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
    directions: list[Array] = []
    for i, (primal, tangent) in enumerate(zip(primals, tangents, strict=True)):
        primal_leaves, primal_def, _ = _leaves_of(primal, f"primals[{i}]")
        tangent_leaves, tangent_def, paths = _leaves_of(tangent, f"tangents[{i}]")
        if tangent_def != primal_def:
            raise ValueError(
                f"tangents[{i}] must have the structure of primals[{i}], "
                f"{primal_def or 'one array'}, got {tangent_def or 'one array'}"
            )
        for value, direction, path in zip(primal_leaves, tangent_leaves, paths, strict=True):
            direction = _as_input(direction, path)
            shape = _as_input(value, path.replace("tangents", "primals", 1)).shape
            if direction.shape != shape:
                raise ValueError(
                    f"{path} must have the shape of {path.replace('tangents', 'primals', 1)}, "
                    f"{shape}, got {direction.shape}"
                )
            directions.append(direction)
    names = [f"primals[{i}]" for i in range(len(primals))]
    counter = iter(directions)
    with differentiating() as level:
        inputs = _Inputs(primals, names, lambda value, _: Dual._pair(value, next(counter), level))
        out = _traced_output(f(*inputs.trees), Dual, "jvp", level)
    result: Any = out.tangent
    if not isinstance(result, Traced):
        result = np.array(result)  # a copy the caller owns
    points = [leaf.value for leaf in inputs.flat]
    return _as_result(out.value), _as_result(_connected(result, points))


def jacrev(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Result]:
    """Turn ``f`` into the function computing its Jacobian, by reverse mode (row by row).

    Parameters
    ----------
    f : callable
        Numpy code returning an array.
    argnums : int, default 0
        The positional argument to differentiate with respect to (an array or a tree).

    Returns
    -------
    callable
        ``jacrev(f)(*args, **kwargs)``: an array of shape ``f(x).shape + x.shape``; for a
        tree ``x``, a tree of such arrays, one per leaf.

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
        with differentiating() as level:
            out, inputs = _trace_call(f, args, kwargs, numbers, level)
        out = _traced_output(out, Tensor, "jacrev", level)
        leaves = inputs.flat
        rows: list[list[Result]] = [[] for _ in leaves]
        for i in range(out.size):
            seed = np.zeros(out.size)
            seed[i] = 1.0
            out.backward(seed.reshape(out.shape), retain_graph=i < out.size - 1)
            for leaf_rows, row in zip(rows, _gradients(leaves), strict=True):
                leaf_rows.append(row)
        jacobians = [
            _as_result(np.stack(leaf_rows).reshape(out.shape + leaf.shape))
            for leaf_rows, leaf in zip(rows, leaves, strict=True)
        ]
        jacobian_tree: Result = inputs.rebuild(jacobians)[0]
        return jacobian_tree

    return jacobian_f


def jacfwd(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Result]:
    """Turn ``f`` into the function computing its Jacobian, by forward mode (column by column).

    Parameters
    ----------
    f : callable
        Numpy code returning an array.
    argnums : int, default 0
        The positional argument to differentiate with respect to (an array or a tree).

    Returns
    -------
    callable
        ``jacfwd(f)(*args, **kwargs)``: an array of shape ``f(x).shape + x.shape``; for a
        tree ``x``, a tree of such arrays, one per leaf.

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
        name = f"argument {number} of f"
        inputs = _Inputs([args[number]], [name], lambda value, _: value)
        points = inputs.flat
        (treedef,) = inputs.treedefs
        call_args = list(args)

        def tree_of(duals: list[Dual]) -> Any:
            return duals[0] if treedef is None else _tree.unflatten(treedef, duals)

        jacobians = []
        for k, x in enumerate(points):
            # One pass per entry of leaf k: its tangent is that unit vector, the others 0.
            columns = []
            out_shape: tuple[int, ...] = ()
            for j in range(x.size):
                direction = np.zeros(x.size)
                direction[j] = 1.0
                with differentiating() as level:
                    duals = [
                        Dual._pair(
                            point, direction.reshape(x.shape) if i == k else np.zeros(()), level
                        )
                        for i, point in enumerate(points)
                    ]
                    call_args[number] = tree_of(duals)
                    out = _traced_output(f(*call_args, **kwargs), Dual, "jacfwd", level)
                columns.append(out.tangent)
                out_shape = out.shape
            jacobian = np.stack(columns, axis=-1) if columns else np.zeros((0,))
            jacobian = _connected(jacobian.reshape(out_shape + x.shape), points)
            jacobians.append(_as_result(jacobian))
        jacobian_tree: Result = inputs.rebuild(jacobians)[0]
        return jacobian_tree

    return jacobian_f


def hessian(f: Callable[..., Any]) -> Callable[..., Result]:
    """Turn scalar ``f`` into the function computing its Hessian, by forward over reverse mode.

    Parameters
    ----------
    f : callable
        Numpy code of one array returning one number.

    Returns
    -------
    callable
        ``hessian(f)(x)``: the matrix of second partial derivatives ``∂²f/∂x_i∂x_j``, of
        shape ``x.shape + x.shape``.

    Raises
    ------
    ValueError, TypeError
        As :func:`grad`.

    Notes
    -----
    ``jacfwd(grad(f))``: each forward pass pushes one unit direction through the whole
    reverse-mode gradient computation, giving one column, so the Hessian costs ``n`` gradient
    evaluations' worth of work and is exact up to rounding, unlike the finite-difference
    :func:`calcml.hessian`. The inner reverse pass treats the outer forward-mode values as its
    numbers, so the two derivatives never confuse their perturbations. See
    :doc:`/taylor-newton`.

    Examples
    --------
    >>> hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 2.0]))  # [[2 y, 2 x], [2 x, 0]]
    array([[4., 2.],
           [2., 0.]])
    """
    _require_callable(f, "hessian")
    return jacfwd(grad(f))


def hvp(f: Callable[..., Any], x: ArrayLike, v: ArrayLike) -> Result:
    """The Hessian of scalar ``f`` at ``x`` times the vector ``v``, by forward over reverse.

    Parameters
    ----------
    f : callable
        Numpy code of one array returning one number.
    x : array_like
        The point.
    v : array_like
        The direction, of ``x``'s shape.

    Returns
    -------
    float or ndarray
        ``H(x) v``, of ``x``'s shape.

    Raises
    ------
    ValueError, TypeError
        As :func:`grad` and :func:`jvp`.

    Notes
    -----
    ``H v`` is the directional derivative of the gradient along ``v``: one forward-mode pass
    through the reverse-mode gradient, ``jvp(grad(f), (x,), (v,))``, for a cost of a few
    gradients, whatever the dimension, where the whole Hessian would cost ``n``.

    Examples
    --------
    >>> hvp(lambda x: np.sum(x**3), np.array([1.0, 2.0]), np.array([1.0, 1.0]))  # 6 x v
    array([ 6., 12.])
    """
    _require_callable(f, "hvp")
    _, product = jvp(grad(f), (x,), (v,))
    return product
