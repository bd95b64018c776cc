"""Derivatives of functions of a vector (or matrix): along coordinates, directions, pairs.

Each reduces to derivatives along lines ``x + t v`` and one call of the shared estimator. The
shapes of the results follow the layout convention stated once, in :mod:`calcml.differentiate`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml.differentiate import _sample, _validate
from calcml.differentiate._estimate import LineEstimate, estimate
from calcml.differentiate._stencil import Method, check_method
from calcml.differentiate._step import scaled_step, user_step
from calcml.differentiate._verdict import conclude


def value_at(f: Callable[[Any], Any], point: NDArray[np.float64]) -> NDArray[Any]:
    """``f(x)``, from one evaluation, which also shows that ``f`` runs at ``x`` and gives the
    shape of its output; the estimator reuses it where a stencil needs ``f(x)``."""
    return np.asarray(_sample.call(f, point.copy(), complex_step=False))


def scalar_output(f: Callable[[Any], Any], point: NDArray[np.float64], caller: str) -> NDArray[Any]:
    """``f(x)``, after checking that it is a scalar."""
    at_x = value_at(f, point)
    if at_x.shape != ():
        raise ValueError(
            f"f must return a scalar for {caller}, but f(x) has shape {at_x.shape}; "
            "use jacobian() for vector-valued functions"
        )
    return at_x


def along(
    f: Callable[[Any], Any],
    point: NDArray[np.float64],
    directions: NDArray[np.float64],
    magnitudes: NDArray[np.float64],
    *,
    order: int,
    method: Method,
    accuracy: int,
    step: Any,
    with_error: bool,
    shape: tuple[int, ...],
    names: Callable[[int], str],
    lengths: NDArray[np.float64] | None = None,
    at_x: NDArray[Any] | None = None,
) -> LineEstimate:
    """Derivatives of ``f`` along ``x + t directions[l]``, validated and judged.

    ``magnitudes[l]`` is the size of the coordinates that move along line ``l``; the default
    step is scaled to it and divided by ``lengths[l]``, the largest ``|v_i|``, so that the
    largest coordinate moves by the step :func:`default_step` would give it. A ``step`` the
    user gives is in units of ``t``. ``at_x`` is ``f(x)``, where it is known already.
    """
    scale = np.ones_like(magnitudes) if lengths is None else lengths
    recommended = scaled_step(magnitudes, np.maximum(1.0, magnitudes), method, order, accuracy)
    recommended = recommended / scale
    if step is None:
        first = recommended
    else:
        given = _validate.real_array(step, "step")
        if given.ndim:
            raise ValueError(
                f"step must be one number (the step along every coordinate), got an array of "
                f"shape {given.shape}"
            )
        first = user_step(given, magnitudes.shape)
    result = estimate(
        _sample.AlongLines(f, point, directions, shape, at_x),
        method=method,
        order=order,
        accuracy=accuracy,
        magnitude=magnitudes,
        step=first,
        with_error=with_error,
        adapt=step is None,
    )
    conclude(
        result,
        what=f"the derivative of order {order} ({method})",
        where=names,
        user_step=step is not None,
        recommended=recommended,
        strict=True,
    )
    return result


def checked_inputs(
    f: Any, x: Any, method: Any, order: int, accuracy: Any
) -> tuple[NDArray[np.float64], int]:
    """The point, and the stencil's accuracy, once ``f``, ``x`` and ``method`` are checked.

    The public functions of a vector ``x`` start here, so each refuses a bad argument with the
    same message.
    """
    _validate.function(f)
    point = _validate.point(x)
    return point, check_method(method, order, accuracy)


def one_line(result: LineEstimate) -> float | NDArray[np.float64]:
    """The derivative along the only line of ``result``: a float for a scalar ``f``."""
    value = result.value[0]
    return float(value) if value.ndim == 0 else value


def coordinates(point: NDArray[np.float64]) -> NDArray[np.float64]:
    """The unit vectors ``e_i`` of ``point``'s shape, stacked."""
    return np.eye(point.size).reshape((point.size, *point.shape))


def _name(point: NDArray[np.float64], flat: int) -> str:
    index = np.unravel_index(flat, point.shape)
    coordinate = ", ".join(str(int(i)) for i in index)
    return f"along x[{coordinate}] (where x[{coordinate}]={float(point.flat[flat])!r})"


def partial_derivatives(
    f: Callable[[Any], Any],
    point: NDArray[np.float64],
    *,
    method: Method,
    accuracy: int,
    step: Any,
    with_error: bool,
    shape: tuple[int, ...],
    at_x: NDArray[Any] | None = None,
) -> LineEstimate:
    """Every first partial derivative of ``f`` at ``point``: lines along each ``e_i``."""
    return along(
        f,
        point,
        coordinates(point),
        np.abs(point).ravel(),
        order=1,
        method=method,
        accuracy=accuracy,
        step=step,
        with_error=with_error,
        shape=shape,
        names=lambda line: _name(point, line),
        at_x=at_x,
    )


def gradient(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The gradient ``∇f(x)`` of a scalar function of a vector (or matrix) ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    x : array_like
        The point, with at least one coordinate.
    method : {"central", "forward", "backward", "complex", "richardson"}
        The difference formula for each partial derivative.
    accuracy : int, optional
        The order of the stencil's truncation error, as in :func:`derivative`.
    step : float, optional
        One step for every coordinate, taken as given. Default: :func:`default_step` of each
        ``x_i``, shrunk near a singularity until the estimate settles.

    Returns
    -------
    ndarray
        ``∂f/∂x_i`` at ``x``, an array of ``x``'s shape.

    Raises
    ------
    ValueError
        If ``x`` is empty or not finite, ``f`` does not return a scalar, returns NaN/inf near
        ``x``, or a partial derivative does not settle as the step shrinks.
    TypeError
        If ``f`` is not callable or ``x`` not made of real numbers, or as
        :func:`estimate_derivative`.

    Notes
    -----
    One line derivative per coordinate, along the unit vector ``e_i``, each with its own step
    scaled to ``|x_i|``: ``2 n`` evaluations of ``f`` for the central difference, plus one
    at ``x`` to check that ``f`` returns a scalar (more near a singularity, as in
    :func:`derivative`). See :doc:`/gradient`.

    Examples
    --------
    >>> gradient(lambda w: w[0] ** 2 + 3 * w[1], [1.0, 2.0]).round(8)
    array([2., 3.])
    """
    point, accuracy = checked_inputs(f, x, method, 1, accuracy)
    at_x = scalar_output(f, point, "a gradient")
    result = partial_derivatives(
        f, point, method=method, accuracy=accuracy, step=step, with_error=False, shape=(), at_x=at_x
    )
    return result.value.reshape(point.shape)


def jacobian(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The Jacobian matrix of ``f`` at ``x``, in numerator layout.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns an array (of any fixed shape).
    x : array_like
        The point, with at least one coordinate.
    method, accuracy, step
        As :func:`gradient`.

    Returns
    -------
    ndarray
        Shape ``f(x).shape + x.shape`` with ``J[i, j] = ∂f_i/∂x_j``: ``(m, n)`` for
        ``f: R^n -> R^m``.

    Raises
    ------
    ValueError
        If ``x`` is empty or not finite, ``f``'s output changes shape, ``f`` returns NaN/inf,
        or a column does not settle as the step shrinks.
    TypeError
        As :func:`gradient`.

    Notes
    -----
    Column ``j`` is the derivative of ``f`` along ``e_j``; row ``i`` is the gradient of
    ``f_i``, so the gradient of a scalar ``f`` is the Jacobian of shape ``x.shape``. See
    :doc:`/matrix-calculus`.

    Examples
    --------
    >>> f = lambda v: np.array([v[0] * v[1], v[0] + 2 * v[1], np.sin(v[0])])
    >>> jacobian(f, [0.0, 3.0]).round(8)
    array([[3., 0.],
           [1., 2.],
           [1., 0.]])
    """
    point, accuracy = checked_inputs(f, x, method, 1, accuracy)
    at_x = value_at(f, point)
    shape = at_x.shape
    result = partial_derivatives(
        f,
        point,
        method=method,
        accuracy=accuracy,
        step=step,
        with_error=False,
        shape=shape,
        at_x=at_x,
    )
    columns = np.moveaxis(result.value, 0, -1)
    return columns.reshape(shape + point.shape)


def partial(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    i: int | tuple[int, ...],
    *,
    order: int = 1,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> float | NDArray[np.float64]:
    """The partial derivative ``∂^order f / ∂x_i^order`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape.
    x : array_like
        The point, with at least one coordinate.
    i : int or tuple of int
        The coordinate: an index into ``x`` (a tuple for a matrix ``x``).
    order : int, default 1
        Which derivative.
    method, accuracy, step
        As :func:`gradient`.

    Returns
    -------
    float or ndarray
        A float for scalar-valued ``f``, else an array of ``f(x)``'s shape.

    Raises
    ------
    IndexError
        If ``i`` is not an index of ``x``.
    TypeError
        If ``i`` is not an integer or a tuple of integers, or as :func:`gradient`.
    ValueError
        As :func:`gradient`.

    Notes
    -----
    The ordinary derivative of ``t -> f(x + t e_i)``, all other coordinates held fixed. See
    :doc:`/partial-derivatives`.

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 * v[1]
    >>> round(partial(f, [3.0, 2.0], 0), 8), round(partial(f, [3.0, 2.0], 1), 8)
    (12.0, 9.0)
    """
    point, accuracy = checked_inputs(f, x, method, order, accuracy)
    index = i if isinstance(i, tuple) else (i,)
    if not all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in index):
        raise TypeError(
            f"i must be an integer index into x (a tuple of them for a matrix x), got {i!r}"
        )
    try:
        flat = np.arange(point.size).reshape(point.shape)[index]
    except IndexError as error:
        raise IndexError(f"i must index x, which has shape {point.shape}; got i={i!r}") from error
    if np.ndim(flat):
        raise IndexError(
            f"i must name one coordinate of x, which has shape {point.shape}; got i={i!r}, "
            f"which selects {np.size(flat)} of them"
        )
    flat = int(flat)
    at_x = value_at(f, point)
    result = along(
        f,
        point,
        coordinates(point)[flat : flat + 1],
        np.abs(point).ravel()[flat : flat + 1],
        order=order,
        method=method,
        accuracy=accuracy,
        step=step,
        with_error=False,
        shape=at_x.shape,
        names=lambda _: _name(point, flat),
        at_x=at_x,
    )
    return one_line(result)


def directional_derivative(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    v: ArrayLike,
    *,
    method: Method = "central",
    accuracy: int | None = None,
    step: float | None = None,
) -> float | NDArray[np.float64]:
    """The derivative of ``f`` at ``x`` in the direction ``v``, ``d/dt f(x + t v)`` at 0.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape.
    x : array_like
        The point, with at least one coordinate.
    v : array_like
        The direction, of ``x``'s shape and nonzero. It is not normalised: ``D_{2v} = 2 D_v``,
        as in the definition (normalise it yourself for the slope per unit length).
    method, accuracy, step
        As :func:`gradient`; ``step`` is in units of ``t``.

    Returns
    -------
    float or ndarray
        A float for scalar-valued ``f``, else an array of ``f(x)``'s shape.

    Raises
    ------
    ValueError
        If ``v`` is zero, not finite or not of ``x``'s shape, or as :func:`gradient`.
    TypeError
        As :func:`gradient`.

    Notes
    -----
    For differentiable ``f`` this equals ``∇f(x) · v`` but costs 2 evaluations of ``f``, not
    ``2 n``: the idea behind forward-mode automatic differentiation. See :doc:`/gradient`.

    Examples
    --------
    >>> f = lambda p: p[0] ** 2 + p[1] ** 2
    >>> round(directional_derivative(f, [1.0, 2.0], [1.0, 1.0]), 8)
    6.0
    """
    point, accuracy = checked_inputs(f, x, method, 1, accuracy)
    direction = _validate.real_array(v, "v")
    if direction.shape != point.shape:
        raise ValueError(f"v must have x's shape {point.shape}, got shape {direction.shape}")
    length = float(np.max(np.abs(direction)))
    if length == 0:
        raise ValueError("v must be a nonzero direction, got all zeros")
    at_x = value_at(f, point)
    result = along(
        f,
        point,
        direction[np.newaxis],
        np.array([np.max(np.abs(point))]),
        order=1,
        method=method,
        accuracy=accuracy,
        step=step,
        with_error=False,
        shape=at_x.shape,
        names=lambda _: f"along v at x={point!r}",
        lengths=np.array([length]),
        at_x=at_x,
    )
    return one_line(result)


#: ``hessian``'s methods: automatic differentiation, or a second-difference formula
HESSIAN_METHODS = ("auto", "autodiff", "central", "forward", "backward", "richardson")


def hessian(
    f: Callable[[NDArray[np.float64]], Any],
    x: ArrayLike,
    *,
    method: str = "auto",
    accuracy: int | None = None,
    step: float | None = None,
) -> NDArray[np.float64]:
    """The Hessian matrix of second partial derivatives of a scalar ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` takes a float array of ``x``'s shape and returns a scalar.
    x : array_like
        The point, with at least one coordinate.
    method : {"auto", "autodiff", "central", "forward", "backward", "richardson"}
        ``"autodiff"``: automatic differentiation, forward over reverse
        (:func:`calcml.autodiff.hessian`), exact up to rounding; raises
        :class:`~calcml.autodiff.UnsupportedOperationError` if ``f`` cannot be traced.
        The others: that second-difference formula (the complex step gives first
        derivatives only). ``"auto"`` (the default) is ``"autodiff"`` when ``f`` can be
        traced, else ``"central"`` with a ``RuntimeWarning`` saying why; only
        ``UnsupportedOperationError`` switches (any other error is ``f``'s and is raised).
        Giving ``accuracy`` or ``step`` with ``"auto"`` asks for differences.
    accuracy, step
        As :func:`gradient`, for the difference formulas.

    Returns
    -------
    ndarray
        Shape ``x.shape + x.shape`` (``(n, n)`` for a vector), ``H[i, j] = ∂²f/∂x_i∂x_j``,
        symmetric.

    Raises
    ------
    ValueError, TypeError
        As :func:`gradient`, for ``method="complex"`` or an unknown method, or for
        ``accuracy`` or ``step`` with ``method="autodiff"``.
    UnsupportedOperationError
        With ``method="autodiff"``, if ``f`` uses an operation the engine cannot trace.

    Notes
    -----
    Automatic differentiation pushes one unit direction at a time through the reverse-mode
    gradient: ``n`` passes, each a few evaluations of ``f``'s cost, for ``n`` columns.
    The difference formulas instead evaluate ``f`` about ``2n²`` times, with an error of
    about ``ε^(1/2)`` relative for the central one. Their diagonal is the second derivative
    along ``e_i``. Off the diagonal, the second derivative along ``e_i ± e_j`` is
    ``H_ii ± 2 H_ij + H_jj``, so ``H_ij = (D²_{e_i+e_j} f - D²_{e_i-e_j} f) / 4``
    (polarisation). Differencing the second derivative directly, rather than a numerical
    gradient, keeps the step at its optimum for second derivatives, ``ε^(1/4)``, instead of
    nesting two first-derivative steps. See :doc:`/taylor-newton`.

    Examples
    --------
    >>> hessian(lambda p: p[0] ** 2 * p[1] + p[1] ** 3, [1.0, 2.0])
    array([[ 4.,  2.],
           [ 2., 12.]])
    >>> hessian(lambda p: p[0] ** 2 * p[1] + p[1] ** 3, [1.0, 2.0], method="central").round(6)
    array([[ 4.,  2.],
           [ 2., 12.]])
    """
    if not isinstance(method, str) or method not in (*HESSIAN_METHODS, "complex"):
        raise ValueError(f"method must be one of {', '.join(HESSIAN_METHODS)}; got {method!r}")
    differences = accuracy is not None or step is not None
    if method == "autodiff" and differences:
        raise ValueError(
            "accuracy and step set the difference formulas; method='autodiff' takes neither "
            "(drop them, or pick method='central')"
        )
    formula = cast(Method, method if method not in ("auto", "autodiff") else "central")
    point, accuracy = checked_inputs(f, x, formula, 2, accuracy)
    scalar_output(f, point, "a Hessian")
    if method == "autodiff" or (method == "auto" and not differences):
        exact = _automatic_hessian(f, point, fall_back=method == "auto")
        if exact is not None:
            return exact
    n = point.size
    units, sizes = coordinates(point), np.abs(point).ravel()
    pairs = [(a, b) for a in range(n) for b in range(a)]
    directions = [units[a] for a in range(n)]
    magnitudes = list(sizes)
    for a, b in pairs:
        directions += [units[a] + units[b], units[a] - units[b]]
        magnitudes += [max(sizes[a], sizes[b])] * 2
    names = [_name(point, a) for a in range(n)]
    names += [f"along x[{a}] {sign} x[{b}]" for a, b in pairs for sign in "+-"]
    result = along(
        f,
        point,
        np.stack(directions),
        np.array(magnitudes),
        order=2,
        method=formula,
        accuracy=accuracy,
        step=step,
        with_error=False,
        shape=(),
        names=names.__getitem__,
    )
    flat = np.diag(result.value[:n])
    for k, (a, b) in enumerate(pairs):
        plus, minus = result.value[n + 2 * k], result.value[n + 2 * k + 1]
        flat[a, b] = flat[b, a] = (plus - minus) / 4
    return flat.reshape(point.shape + point.shape)


def _automatic_hessian(
    f: Callable[[Any], Any], point: NDArray[np.float64], *, fall_back: bool
) -> NDArray[np.float64] | None:
    """The Hessian by forward over reverse mode; ``None`` (after a warning) if ``f`` cannot
    be traced and ``fall_back`` allows differences instead."""
    from calcml.autodiff import UnsupportedOperationError
    from calcml.autodiff import hessian as automatic

    try:
        exact = automatic(f)(point.copy())
    except UnsupportedOperationError as error:
        if not fall_back:
            raise
        warnings.warn(
            f"calcml.hessian: automatic differentiation cannot trace f "
            f"({str(error).split(':')[0]}), so the Hessian is estimated by central second "
            f"differences: about {3 * point.size**2} calls of f, accurate to about 1e-7 "
            "relative instead of to rounding; pass method='central' to choose them without "
            "this warning",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return np.asarray(exact, dtype=np.float64).reshape(point.shape + point.shape)
