"""What every optimizer shares: the objective it may evaluate, and the stateful interface.

An optimizer is a small object in the style of PyTorch's ``torch.optim``: it holds its
hyper-parameters and some state (a velocity, running averages, a curvature estimate), and

- ``optimizer.step(params, grads)`` returns the new parameters;
- ``optimizer.reset()`` forgets the state, so one object can start a new run.

``params`` may be one array or a tree of them (nested dicts, lists and tuples, see
:mod:`calcml._tree`); ``grads`` has the same structure. Internally every method works on the
parameters ravelled into one vector, so the state has one entry per parameter and each leaf of
the tree gets its own share of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from calcml._tree import _LEAF, TreeDef, flatten, ravel, unflatten
from calcml._validation import as_float_array, require_finite, require_positive
from calcml.optimize.schedules import Schedule, constant

__all__ = ["LineSearchError", "Objective", "Optimizer"]

Array = NDArray[np.float64]


# --------------------------------------------------------------------------------------------
# Parameters as one vector
# --------------------------------------------------------------------------------------------


Layout = tuple[TreeDef, tuple[tuple[int, ...], ...]]
"""A tree's structure and the shape of each leaf: what a gradient must match."""


def flat_view(tree: Any, name: str) -> tuple[Array, Callable[[Any], Any], Layout]:
    """``tree`` as one float vector, the function that rebuilds a tree from such a vector,
    and the tree's layout (structure and leaf shapes).

    The rebuilding slices and reshapes, so it works on a traced vector of
    :mod:`calcml.autodiff` too: ``f(unravel(v))`` can be differentiated with respect to ``v``.
    """
    if type(tree) is np.ndarray and tree.dtype == np.float64:
        # One float array, the common case (an optimizer's loop passes its own output back):
        # the only check as_float_array would make is finiteness, so make only that one.
        require_finite(tree, name)
        return _leaf_view(tree)
    leaves, treedef = flatten(tree, name)
    if treedef.node is None:
        return _leaf_view(as_float_array(tree, name))
    vector, _ = ravel(tree, name)
    shapes = tuple(np.shape(leaf) for leaf in leaves)
    ends = np.cumsum([math.prod(shape) for shape in shapes]).tolist()
    starts = [0, *ends[:-1]]

    def unravel(flat: Any) -> Any:
        parts = [
            flat[start:end].reshape(shape)
            for start, end, shape in zip(starts, ends, shapes, strict=True)
        ]
        return unflatten(treedef, parts)

    return vector, unravel, (treedef, shapes)


def _leaf_view(array: Array) -> tuple[Array, Callable[[Any], Any], Layout]:
    """:func:`flat_view` of a tree that is one float array."""
    shape = array.shape
    return array.ravel(), (lambda flat: flat.reshape(shape)), (_LEAF, (shape,))


def flat_like(tree: Any, layout: Layout, name: str, reference: str) -> Array:
    """``tree`` (gradients, say) ravelled, after checking it has the layout of the reference."""
    if layout[0].node is None and not isinstance(tree, dict | list | tuple):
        # One array: the common case, checked without walking a tree.
        array = np.asarray(tree, dtype=np.float64)
        if (array.shape,) != layout[1]:
            raise ValueError(
                f"{name} must have the shape of {reference} {layout[1][0]}, got shape {array.shape}"
            )
        return array.ravel()
    leaves, treedef = flatten(tree, name)
    # Not as_float_array: a NaN in a gradient is for the caller to diagnose, with more context.
    try:
        arrays = [np.asarray(leaf, dtype=np.float64) for leaf in leaves]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must hold real numbers, got {tree!r:.80}") from error
    shapes = tuple(array.shape for array in arrays)
    if (treedef, shapes) != layout:
        expected = ", ".join(str(shape) for shape in layout[1])
        raise ValueError(
            f"{name} must have the structure and leaf shapes of {reference} ({layout[0]}, "
            f"shapes {expected}), got {treedef} with shapes {', '.join(map(str, shapes))}"
        )
    return np.concatenate([array.ravel() for array in arrays])


# --------------------------------------------------------------------------------------------
# The objective: a function, its derivatives, and honest evaluation counts
# --------------------------------------------------------------------------------------------


class _Counted:
    """A function that counts its calls, whoever makes them (a line search, a finite
    difference, a trace for automatic differentiation)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.calls = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return self.function(x)


class Objective:
    """A function to minimize with its gradient (and optionally Hessian), counting evaluations.

    Parameters
    ----------
    function : callable
        ``f(x) -> float`` for a 1-D array ``x``.
    gradient : callable
        ``grad(x) -> array`` of the same shape as ``x``.
    hessian : callable, optional
        ``hessian(x) -> (n, n) array``; needed only by :class:`~calcml.optimize.Newton`.
    value_and_gradient : callable, optional
        ``x -> (f(x), grad(x))`` in one pass (automatic differentiation computes the value on
        the way to the gradient); used instead of ``gradient`` when given.

    Attributes
    ----------
    njev : int
        Gradients computed.
    nhev : int
        Hessians computed.

    Notes
    -----
    The values and gradients at the last few points are remembered, so the driver does not
    pay again for a point a line search has just evaluated. The names ``nfev``, ``njev`` and
    ``nhev`` are scipy's.

    Examples
    --------
    >>> objective = Objective(lambda x: float(x @ x), lambda x: 2 * x)
    >>> objective.value(np.array([3.0])), objective.value(np.array([3.0]))
    (9.0, 9.0)
    >>> objective.nfev
    1
    """

    _MEMORY = 4

    def __init__(
        self,
        function: Callable[[Array], Any],
        gradient: Callable[[Array], Any] | None = None,
        hessian: Callable[[Array], Any] | None = None,
        *,
        value_and_gradient: Callable[[Array], tuple[Any, Any]] | None = None,
    ) -> None:
        if gradient is None and value_and_gradient is None:
            raise TypeError("Objective needs gradient= or value_and_gradient=")
        self._function = function if isinstance(function, _Counted) else _Counted(function)
        self._gradient = gradient
        self._value_and_gradient = value_and_gradient
        self._hessian = hessian
        # point's bytes -> (value, gradient or None), oldest first.
        self._memory: dict[bytes, tuple[float, Array | None]] = {}
        self.njev = 0
        self.nhev = 0

    @property
    def nfev(self) -> int:
        """Every call of ``function`` so far, including those made to estimate a gradient
        (finite differences) or to trace it (automatic differentiation)."""
        return self._function.calls

    def _recall(self, x: Array) -> tuple[float, Array | None] | None:
        return self._memory.get(x.tobytes())

    def _remember(self, x: Array, value: float, gradient: Array | None) -> None:
        # Keyed by the point's bytes: equal points (of one length) have equal bytes, and a
        # lookup costs one hash instead of a comparison with every remembered point.
        key = x.tobytes()
        self._memory.pop(key, None)
        self._memory[key] = (value, gradient)
        while len(self._memory) > self._MEMORY:
            del self._memory[next(iter(self._memory))]

    def value(self, x: Array) -> float:
        """Return ``f(x)`` as a float (possibly non-finite: the caller decides what that means)."""
        # A plain call even when automatic differentiation could give the value with the
        # gradient: outside f's domain (a trial step past a log's pole, an overshooting
        # learning rate) numpy returns NaN or inf, which the caller can judge, where the
        # engine raises.
        known = self._recall(x)
        if known is not None:
            return known[0]
        value = self._as_value(self._function(x))
        self._remember(x, value, None)
        return value

    def gradient(self, x: Array) -> Array:
        """Return the gradient at ``x`` as a float array shaped like ``x``."""
        return self.value_and_gradient(x)[1]

    def value_and_gradient(self, x: Array) -> tuple[float, Array]:
        """Return ``f(x)`` and the gradient at ``x``, each computed at most once per point."""
        known = self._recall(x)
        if known is not None and known[1] is not None:
            return known[0], known[1]
        self.njev += 1
        if self._value_and_gradient is not None:
            raw_value, raw_gradient = self._value_and_gradient(x)
            value = self._as_value(raw_value)
        else:
            assert self._gradient is not None
            value = known[0] if known is not None else self._as_value(self._function(x))
            raw_gradient = self._gradient(x)
        gradient = np.asarray(raw_gradient, dtype=np.float64)
        if gradient.shape != x.shape:
            raise ValueError(
                f"grad must return an array shaped like x {x.shape}, got shape {gradient.shape}"
            )
        self._remember(x, value, gradient)
        return value, gradient

    def hessian(self, x: Array) -> Array:
        """Return the ``(n, n)`` Hessian at ``x``."""
        if self._hessian is None:
            raise ValueError(
                "this optimizer needs the Hessian: pass hessian=... to minimize, "
                "or minimize a function that has a .hessian method"
            )
        self.nhev += 1
        hessian = np.asarray(self._hessian(x), dtype=np.float64)
        if hessian.shape != (x.size, x.size):
            raise ValueError(
                f"hessian must return an array of shape {(x.size, x.size)}, "
                f"got shape {hessian.shape}"
            )
        return hessian

    @staticmethod
    def _as_value(raw: Any) -> float:
        value = np.asarray(raw, dtype=np.float64)
        if value.size != 1:
            raise ValueError(
                f"f must return a scalar, but f(x) has shape {value.shape}; "
                "reduce it (for example with a sum or mean) before minimizing"
            )
        return float(value.reshape(()))


class LineSearchError(RuntimeError):
    """No step along the search direction lowers ``f`` (or meets the line search's conditions).

    Near a minimum this means ``f`` cannot be lowered further in floating point; far from one,
    that the gradient is inaccurate. :func:`~calcml.optimize.minimize` reports it as the status
    ``"stalled"``.
    """


# --------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------


class Optimizer:
    """Base class: ``step(params, grads) -> new params``; ``reset()`` forgets the state.

    Subclasses implement :meth:`_update`, which returns the displacement ``x_next - x`` of the
    ravelled parameters and may read ``self.t`` (the number of steps taken so far) and
    :attr:`learning_rate_now`, and set :attr:`name`, the label for plot legends.

    Parameters
    ----------
    learning_rate : float or Schedule
        A fixed step size, or a schedule ``t -> step size`` (see
        :func:`~calcml.optimize.cosine_decay` etc.).
    """

    name = "optimizer"

    def __init__(self, learning_rate: float | Schedule) -> None:
        if not callable(learning_rate):
            require_positive(learning_rate, "learning_rate")
        self.learning_rate = learning_rate
        self._schedule = learning_rate if callable(learning_rate) else constant(learning_rate)
        self.reset()

    def reset(self) -> None:
        """Forget all state (the step counter and any running averages)."""
        self.t = 0
        self._layout: Layout | None = None

    @property
    def learning_rate_now(self) -> float:
        """The learning rate the next step will use, ``schedule(t)``.

        Raises
        ------
        ValueError
            If the schedule returns a negative or non-finite rate: a negative rate climbs
            instead of descending, and a NaN or infinite one destroys the iterate.
        """
        raw = self._schedule(self.t)
        try:
            rate = float(raw)
        except (TypeError, ValueError):
            rate = math.nan
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(
                f"the learning-rate schedule returned {raw!r} at step t={self.t}; a learning "
                "rate must be a finite number >= 0 (a negative rate climbs uphill). Fix the "
                "schedule, for example clip it with max(0.0, ...)"
            )
        return rate

    def step(self, params: Any, grads: Any, objective: Objective | None = None) -> Any:
        """Return the parameters after one step from ``params``, given the gradient ``grads``.

        Parameters
        ----------
        params : array_like or tree
            The current parameters: an array, or nested dicts, lists and tuples of arrays.
        grads : array_like or tree
            The gradient of the objective at ``params``, with the same structure.
        objective : Objective, optional
            Needed by the methods that evaluate more than the gradient
            (:class:`~calcml.optimize.BacktrackingLineSearch`, :class:`~calcml.optimize.BFGS`,
            :class:`~calcml.optimize.Newton`); its functions take the parameters ravelled into
            one vector. :func:`~calcml.optimize.minimize` always passes it.

        Returns
        -------
        array or tree
            The new parameters, with the structure and shapes of ``params``.

        Raises
        ------
        ValueError
            If ``grads`` does not match ``params``, or the structure changed since the last
            step without a :meth:`reset`.
        """
        x, unravel, layout = flat_view(params, "params")
        gradient = flat_like(grads, layout, "grads", "params")
        if self._layout is None:
            self._layout = layout
        elif self._layout != layout:
            raise ValueError(
                f"params changed structure or shape since the last step (was {self._layout}, "
                f"now {layout}); the optimizer's state belongs to the old parameters: call "
                "reset() first"
            )
        return unravel(self._advance(x, gradient, objective))

    def _advance(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        """:meth:`step` on the ravelled parameters, for :func:`minimize`, which has checked them."""
        update = self._update(x, gradient, objective)
        self.t += 1
        return x + update

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self._settings().items())
        return f"{type(self).__name__}({settings})"

    def _settings(self) -> dict[str, object]:
        return {"learning_rate": self.learning_rate}

    def _smaller_rate_advice(self) -> str:
        """Advice after a divergence: the same optimizer with a rate ten times smaller."""
        rate = self.learning_rate
        if callable(rate):
            return (
                "The learning rate is too large for this function; scale your schedule down "
                "(ten times smaller is a good first try)."
            )
        settings = {**self._settings(), "learning_rate": float(f"{rate / 10:.3g}")}
        text = ", ".join(f"{key}={value!r}" for key, value in settings.items())
        return (
            f"The learning rate {rate!r} is too large for this function; try one ten times "
            f"smaller, {type(self).__name__}({text})."
        )


def require_objective(
    objective: Objective | None, method: str, *, hessian: bool = False
) -> Objective:
    """The objective a method that evaluates ``f`` needs, or an error saying how to pass it."""
    if objective is None:
        raise ValueError(
            f"{method} evaluates the function during a step: pass objective=Objective(f, grad"
            + (", hessian" if hessian else "")
            + ") to step(), or use minimize()"
        )
    return objective
