"""Gradient descent and its family: optimizers, learning-rate schedules and a driver.

The chapters *Gradient descent*, *Optimization in practice* and *Taylor series, curvature and
Newton's method* watch these optimizers work. Every optimizer shares one tiny interface, in the
spirit of optax: it holds its hyper-parameters and a little state (a velocity, running averages,
a step counter), and

- ``optimizer.step(x, gradient, objective)`` returns the next iterate;
- ``optimizer.reset()`` forgets the state, so one object can start a new run.

:func:`minimize` drives an optimizer from a starting point and returns an
:class:`OptimizeResult` that keeps every iterate, loss and gradient norm, says whether the run
converged, diverged or ran out of steps, and counts the evaluations it spent.

With its default settings, each optimizer brings Rosenbrock's function from the classic start
(-1.2, 1) to within 0.01 of the minimum (1, 1), and keeps it there, within these many steps
(checked by the tests): Newton 10, Momentum 1500, Nesterov 1500, backtracking line search
3500, RMSProp 6000, Adam 11000, gradient descent 12000, AdaGrad 16000.

Examples
--------
>>> import numpy as np
>>> from calcml.optimize import GradientDescent, minimize
>>> result = minimize(lambda x: np.sum(x**2), [3.0, -4.0], grad=lambda x: 2 * x,
...                   optimizer=GradientDescent(learning_rate=0.25), tol=1e-8)
>>> result.converged, result.n_steps
(True, 30)
>>> np.round(result.x, 6)
array([ 0., -0.])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import as_float_array, require_positive
from calcml.autodiff import grad as automatic_grad
from calcml.differentiate import gradient as numerical_gradient

__all__ = [
    "AdaGrad",
    "Adam",
    "BacktrackingLineSearch",
    "DivergenceError",
    "EvaluationCounts",
    "GradientDescent",
    "Momentum",
    "Nesterov",
    "Newton",
    "Objective",
    "OptimizeResult",
    "Optimizer",
    "RMSProp",
    "Schedule",
    "constant",
    "cosine_decay",
    "exponential_decay",
    "minimize",
    "step_decay",
]

Array = NDArray[np.float64]
Schedule = Callable[[int], float]
"""A learning-rate schedule: maps the step number ``t = 0, 1, 2, ...`` to a learning rate."""


# --------------------------------------------------------------------------------------------
# Learning-rate schedules
# --------------------------------------------------------------------------------------------


def _require_fraction(value: float, name: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return number


def _require_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def constant(learning_rate: float) -> Schedule:
    """Return the schedule that keeps ``learning_rate`` at every step.

    Parameters
    ----------
    learning_rate : float
        The step size, greater than 0.

    Returns
    -------
    Schedule
        A callable ``t -> learning_rate``.

    Raises
    ------
    ValueError
        If ``learning_rate`` is not a finite positive number.

    Examples
    --------
    >>> schedule = constant(0.1)
    >>> schedule(0), schedule(1000)
    (0.1, 0.1)
    """
    rate = require_positive(learning_rate, "learning_rate")
    return lambda t: rate


def step_decay(learning_rate: float, *, factor: float = 0.5, every: int = 100) -> Schedule:
    """Return the schedule that multiplies the learning rate by ``factor`` every ``every`` steps.

    Parameters
    ----------
    learning_rate : float
        The learning rate for steps ``0`` to ``every - 1``.
    factor : float, default 0.5
        The multiplier applied at each drop, in (0, 1).
    every : int, default 100
        The number of steps between drops.

    Returns
    -------
    Schedule
        A callable ``t -> learning_rate * factor ** (t // every)``.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> schedule = step_decay(1.0, factor=0.5, every=10)
    >>> [schedule(t) for t in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """
    rate = require_positive(learning_rate, "learning_rate")
    drop = _require_fraction(factor, "factor")
    period = _require_count(every, "every")
    return lambda t: rate * drop ** (t // period)


def exponential_decay(learning_rate: float, *, decay: float = 0.99) -> Schedule:
    """Return the schedule ``t -> learning_rate * decay ** t``.

    Parameters
    ----------
    learning_rate : float
        The learning rate at step 0.
    decay : float, default 0.99
        The factor applied at every step, in (0, 1).

    Returns
    -------
    Schedule
        The decaying schedule.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    The learning rate halves every ``log(2) / -log(decay)`` steps (about 69 steps for 0.99).

    Examples
    --------
    >>> schedule = exponential_decay(0.8, decay=0.5)
    >>> [schedule(t) for t in range(4)]
    [0.8, 0.4, 0.2, 0.1]
    """
    rate = require_positive(learning_rate, "learning_rate")
    base = _require_fraction(decay, "decay")
    return lambda t: rate * base**t


def cosine_decay(
    learning_rate: float, *, total_steps: int, final_learning_rate: float = 0.0
) -> Schedule:
    """Return the schedule that follows half a cosine from ``learning_rate`` down to a floor.

    Parameters
    ----------
    learning_rate : float
        The learning rate at step 0.
    total_steps : int
        The step at which the schedule reaches ``final_learning_rate`` and stays there.
    final_learning_rate : float, default 0.0
        The floor, in ``[0, learning_rate]``.

    Returns
    -------
    Schedule
        ``t -> final + (learning_rate - final) * (1 + cos(pi * min(t, total_steps) /
        total_steps)) / 2``.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Notes
    -----
    Loshchilov and Hutter's SGDR schedule without restarts: the rate decays slowly at first,
    fastest half-way, and slowly again at the end.

    Examples
    --------
    >>> schedule = cosine_decay(1.0, total_steps=4)
    >>> [schedule(t) for t in (0, 2, 4, 10)]
    [1.0, 0.5, 0.0, 0.0]
    """
    rate = require_positive(learning_rate, "learning_rate")
    period = _require_count(total_steps, "total_steps")
    floor = float(final_learning_rate)
    if not 0 <= floor <= rate:
        raise ValueError(
            f"final_learning_rate must lie in [0, learning_rate={rate}], "
            f"got {final_learning_rate!r}"
        )

    def schedule(t: int) -> float:
        progress = min(t, period) / period
        # Rounded so that the half-way and end points print exactly (cos(pi/2) is 6e-17).
        return floor + (rate - floor) * round((1 + math.cos(math.pi * progress)) / 2, 15)

    return schedule


def _as_schedule(learning_rate: float | Schedule) -> Schedule:
    if callable(learning_rate):
        return learning_rate
    return constant(learning_rate)


# --------------------------------------------------------------------------------------------
# The objective: a function, its derivatives, and honest evaluation counts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationCounts:
    """How many times a run evaluated the function, its gradient and its Hessian.

    Chapters print these deterministic counts to compare methods instead of noisy timings.
    """

    function: int
    gradient: int
    hessian: int


class Objective:
    """A function to minimize with its gradient (and optionally Hessian), counting evaluations.

    Parameters
    ----------
    function : callable
        ``f(x) -> float`` for a 1-D array ``x``.
    gradient : callable
        ``grad(x) -> array`` of the same shape as ``x``.
    hessian : callable, optional
        ``hessian(x) -> (n, n) array``; needed only by :class:`Newton`.

    Notes
    -----
    The last point and value are remembered, so an optimizer that already evaluated ``f`` at
    the point it returns (a line search) does not make the driver pay for it twice.
    """

    def __init__(
        self,
        function: Callable[[Array], Any],
        gradient: Callable[[Array], Any],
        hessian: Callable[[Array], Any] | None = None,
    ) -> None:
        self._function = function
        self._gradient = gradient
        self._hessian = hessian
        self._last_point: Array | None = None
        self._last_value = math.nan
        self.n_function = 0
        self.n_gradient = 0
        self.n_hessian = 0

    def value(self, x: Array) -> float:
        """Return ``f(x)`` as a float (possibly non-finite: the caller decides what that means)."""
        if self._last_point is not None and np.array_equal(x, self._last_point):
            return self._last_value
        self.n_function += 1
        value = np.asarray(self._function(x), dtype=np.float64)
        if value.size != 1:
            raise ValueError(
                f"f must return a scalar, but f(x) has shape {value.shape}; "
                "reduce it (for example with a sum or mean) before minimizing"
            )
        self._last_point = np.array(x, copy=True)
        self._last_value = float(value.reshape(()))
        return self._last_value

    def gradient(self, x: Array) -> Array:
        """Return the gradient at ``x`` as a float array shaped like ``x``."""
        self.n_gradient += 1
        gradient = np.asarray(self._gradient(x), dtype=np.float64)
        if gradient.shape != x.shape:
            raise ValueError(
                f"grad must return an array shaped like x {x.shape}, got shape {gradient.shape}"
            )
        return gradient

    def hessian(self, x: Array) -> Array:
        """Return the ``(n, n)`` Hessian at ``x``."""
        if self._hessian is None:
            raise ValueError(
                "this optimizer needs the Hessian: pass hessian=... to minimize, "
                "or minimize a function that has a .hessian method"
            )
        self.n_hessian += 1
        hessian = np.asarray(self._hessian(x), dtype=np.float64)
        if hessian.shape != (x.size, x.size):
            raise ValueError(
                f"hessian must return an array of shape {(x.size, x.size)}, "
                f"got shape {hessian.shape}"
            )
        return hessian

    @property
    def counts(self) -> EvaluationCounts:
        """The evaluation counts so far."""
        return EvaluationCounts(self.n_function, self.n_gradient, self.n_hessian)


# --------------------------------------------------------------------------------------------
# Optimizers
# --------------------------------------------------------------------------------------------


class Optimizer:
    """Base class: ``step(x, gradient, objective) -> next x``, state cleared by ``reset()``.

    Subclasses implement :meth:`_update`, which returns the displacement ``x_next - x`` and may
    read ``self.t`` (the number of steps taken so far) and :attr:`learning_rate_now`, and set
    :attr:`name`, the label for plot legends.

    Parameters
    ----------
    learning_rate : float or Schedule
        A fixed step size, or a schedule ``t -> step size`` (see :func:`cosine_decay` etc.).
    """

    name = "optimizer"

    def __init__(self, learning_rate: float | Schedule) -> None:
        if not callable(learning_rate):
            require_positive(learning_rate, "learning_rate")
        self.learning_rate = learning_rate
        self._schedule = _as_schedule(learning_rate)
        self.reset()

    def reset(self) -> None:
        """Forget all state (the step counter and any running averages)."""
        self.t = 0

    @property
    def learning_rate_now(self) -> float:
        """The learning rate the next step will use, ``schedule(t)``."""
        return float(self._schedule(self.t))

    def step(self, x: ArrayLike, gradient: ArrayLike, objective: Objective | None = None) -> Array:
        """Return the next iterate from ``x`` and the gradient at ``x``.

        Parameters
        ----------
        x : array_like
            The current iterate.
        gradient : array_like
            The gradient of the objective at ``x``, same shape.
        objective : Objective, optional
            Needed by the methods that evaluate more than the gradient
            (:class:`BacktrackingLineSearch`, :class:`Newton`); :func:`minimize` always passes it.

        Returns
        -------
        numpy.ndarray
            The next iterate.
        """
        point = as_float_array(x, "x")
        slope = as_float_array(gradient, "gradient")
        if slope.shape != point.shape:
            raise ValueError(
                f"gradient must have the shape of x {point.shape}, got shape {slope.shape}"
            )
        return self._advance(point, slope, objective)

    def _advance(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        """:meth:`step` without the input checks, for :func:`minimize`, which has done them."""
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


class GradientDescent(Optimizer):
    """Plain gradient descent, ``x <- x - lr * grad f(x)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1e-3
        The step size. On a quadratic with largest Hessian eigenvalue ``L`` it must be below
        ``2 / L``; ``2 / (L + mu)`` is optimal (chapter *Gradient descent*).

    Examples
    --------
    >>> GradientDescent(learning_rate=0.1).step([1.0, 2.0], [10.0, -10.0])
    array([0., 3.])
    """

    name = "gradient descent"

    def __init__(self, learning_rate: float | Schedule = 1e-3) -> None:
        super().__init__(learning_rate)

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        return -self.learning_rate_now * gradient


class Momentum(Optimizer):
    """Heavy-ball momentum (Polyak): ``v <- beta v + grad``, ``x <- x - lr v``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1e-3
        The step size.
    momentum : float, default 0.9
        ``beta`` in [0, 1): how much of the previous velocity survives each step.

    Notes
    -----
    With a constant gradient the velocity grows to ``grad / (1 - beta)``: momentum 0.9 takes
    steps up to ten times longer along a consistent slope, while oscillations across a valley
    cancel out.

    Examples
    --------
    >>> optimizer = Momentum(learning_rate=0.1, momentum=0.5)
    >>> x = optimizer.step([0.0], [1.0])
    >>> optimizer.step(x, [1.0])
    array([-0.25])
    """

    name = "momentum"

    def __init__(self, learning_rate: float | Schedule = 1e-3, momentum: float = 0.9) -> None:
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        super().__init__(learning_rate)

    def reset(self) -> None:
        super().reset()
        self.velocity: Array | None = None

    def _velocity(self, gradient: Array) -> Array:
        previous = np.zeros_like(gradient) if self.velocity is None else self.velocity
        self.velocity = self.momentum * previous + gradient
        return self.velocity

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        return -self.learning_rate_now * self._velocity(gradient)

    def _settings(self) -> dict[str, object]:
        return {**super()._settings(), "momentum": self.momentum}


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form that needs only the gradient at ``x``.

    ``v <- beta v + grad``, ``x <- x - lr (grad + beta v)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1e-3
        The step size.
    momentum : float, default 0.9
        ``beta`` in [0, 1).

    Notes
    -----
    The textbook form evaluates the gradient at the look-ahead point ``x - lr beta v``.
    Rewriting it in the variable that *is* the look-ahead point (Sutskever et al., 2013; also
    PyTorch's ``nesterov=True``) gives this update, which keeps the uniform
    ``step(x, gradient)`` interface.

    Examples
    --------
    >>> Nesterov(learning_rate=0.1, momentum=0.5).step([0.0], [1.0])
    array([-0.15])
    """

    name = "Nesterov"

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        velocity = self._velocity(gradient)
        return -self.learning_rate_now * (gradient + self.momentum * velocity)


class AdaGrad(Optimizer):
    """AdaGrad: each coordinate's step is divided by the root of its summed squared gradients.

    ``s <- s + grad**2``, ``x <- x - lr grad / (sqrt(s) + eps)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 0.1
        The step size before the per-coordinate scaling.
    epsilon : float, default 1e-8
        Keeps the division finite while ``s`` is still zero.

    Notes
    -----
    The first step moves every coordinate by ``lr`` whatever the gradient's scale; later steps
    shrink as ``s`` grows, which is why AdaGrad eventually stalls on long problems.

    Examples
    --------
    >>> AdaGrad(learning_rate=0.5).step([0.0, 0.0], [100.0, -1.0])
    array([-0.5,  0.5])
    """

    name = "AdaGrad"

    def __init__(self, learning_rate: float | Schedule = 0.1, epsilon: float = 1e-8) -> None:
        self.epsilon = require_positive(epsilon, "epsilon")
        super().__init__(learning_rate)

    def reset(self) -> None:
        super().reset()
        self.sum_squares: Array | None = None

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        previous = np.zeros_like(gradient) if self.sum_squares is None else self.sum_squares
        self.sum_squares = previous + gradient**2
        return -self.learning_rate_now * gradient / (np.sqrt(self.sum_squares) + self.epsilon)

    def _settings(self) -> dict[str, object]:
        return {**super()._settings(), "epsilon": self.epsilon}


def _moving_average(previous: Array | None, new: Array, decay: float) -> Array:
    """Exponential moving average ``decay * previous + (1 - decay) * new``, starting at 0."""
    start = np.zeros_like(new) if previous is None else previous
    return decay * start + (1 - decay) * new


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with a moving average instead of a sum, so steps do not die out.

    ``s <- rho s + (1 - rho) grad**2``, ``x <- x - lr grad / (sqrt(s) + eps)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1e-3
        The step size before the per-coordinate scaling.
    decay : float, default 0.9
        ``rho`` in (0, 1): the memory of the squared-gradient average.
    epsilon : float, default 1e-8
        Keeps the division finite.

    Examples
    --------
    >>> RMSProp(learning_rate=0.1, decay=0.75).step([0.0], [3.0])
    array([-0.2])
    """

    name = "RMSProp"

    def __init__(
        self, learning_rate: float | Schedule = 1e-3, decay: float = 0.9, epsilon: float = 1e-8
    ) -> None:
        self.decay = _require_fraction(decay, "decay")
        self.epsilon = require_positive(epsilon, "epsilon")
        super().__init__(learning_rate)

    def reset(self) -> None:
        super().reset()
        self.mean_square: Array | None = None

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        self.mean_square = _moving_average(self.mean_square, gradient**2, self.decay)
        return -self.learning_rate_now * gradient / (np.sqrt(self.mean_square) + self.epsilon)

    def _settings(self) -> dict[str, object]:
        return {**super()._settings(), "decay": self.decay, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum on the gradient, RMSProp on its square.

    ``m <- b1 m + (1 - b1) grad``, ``v <- b2 v + (1 - b2) grad**2``, and with the bias
    corrections ``m_hat = m / (1 - b1**t)``, ``v_hat = v / (1 - b2**t)``:
    ``x <- x - lr m_hat / (sqrt(v_hat) + eps)``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1e-3
        The step size; each coordinate moves by about ``lr`` per step.
    beta1 : float, default 0.9
        Decay of the gradient average, in (0, 1).
    beta2 : float, default 0.999
        Decay of the squared-gradient average, in (0, 1).
    epsilon : float, default 1e-8
        Keeps the division finite.

    Notes
    -----
    The averages start at zero, so early on they underestimate; dividing by ``1 - beta**t``
    removes that bias. The first step therefore moves every coordinate by exactly ``lr``.

    Examples
    --------
    >>> Adam(learning_rate=0.1).step([0.0, 0.0], [5.0, -1.0])
    array([-0.1,  0.1])
    """

    name = "Adam"

    def __init__(
        self,
        learning_rate: float | Schedule = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        self.beta1 = _require_fraction(beta1, "beta1")
        self.beta2 = _require_fraction(beta2, "beta2")
        self.epsilon = require_positive(epsilon, "epsilon")
        super().__init__(learning_rate)

    def reset(self) -> None:
        super().reset()
        self.mean: Array | None = None
        self.mean_square: Array | None = None

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        self.mean = _moving_average(self.mean, gradient, self.beta1)
        self.mean_square = _moving_average(self.mean_square, gradient**2, self.beta2)
        n_steps = self.t + 1
        mean = self.mean / (1 - self.beta1**n_steps)
        mean_square = self.mean_square / (1 - self.beta2**n_steps)
        return -self.learning_rate_now * mean / (np.sqrt(mean_square) + self.epsilon)

    def _settings(self) -> dict[str, object]:
        return {
            **super()._settings(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "epsilon": self.epsilon,
        }


def _require_objective(objective: Objective | None, method: str) -> Objective:
    if objective is None:
        raise ValueError(
            f"{method} evaluates the function during a step: pass objective=Objective(f, grad"
            + (", hessian" if method == "Newton" else "")
            + ") to step(), or use minimize()"
        )
    return objective


class BacktrackingLineSearch(Optimizer):
    """Steepest descent with a backtracking (Armijo) line search for the step size.

    From ``alpha = initial_step``, halve (multiply by ``shrink``) until the sufficient-decrease
    condition ``f(x - alpha g) <= f(x) - c alpha |g|^2`` holds, then step.

    Parameters
    ----------
    initial_step : float, default 1.0
        The first step size tried at every iteration.
    shrink : float, default 0.5
        The factor in (0, 1) applied after each rejected trial.
    armijo : float, default 1e-4
        ``c`` in (0, 1): the fraction of the linear prediction a step must achieve.
    max_trials : int, default 60
        Trials before giving up and taking the last (tiny) step; ``0.5**60 ~ 1e-18``.

    Notes
    -----
    No learning rate to tune: the line search finds one at every step, at the price of extra
    function evaluations (counted in :attr:`OptimizeResult.n_evaluations`).

    Examples
    --------
    >>> import numpy as np
    >>> objective = Objective(lambda x: np.sum(x**2), lambda x: 2 * x)
    >>> BacktrackingLineSearch().step([1.0], [2.0], objective)
    array([0.])
    """

    name = "backtracking line search"

    def __init__(
        self,
        initial_step: float = 1.0,
        shrink: float = 0.5,
        armijo: float = 1e-4,
        max_trials: int = 60,
    ) -> None:
        self.shrink = _require_fraction(shrink, "shrink")
        self.armijo = _require_fraction(armijo, "armijo")
        self.max_trials = _require_count(max_trials, "max_trials")
        super().__init__(initial_step)

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        objective = _require_objective(objective, "BacktrackingLineSearch")
        value = objective.value(x)
        slope = float(gradient @ gradient)
        alpha = self.learning_rate_now
        for _ in range(self.max_trials):
            trial = objective.value(x - alpha * gradient)
            if trial <= value - self.armijo * alpha * slope:
                break
            alpha *= self.shrink
        return -alpha * gradient

    def _settings(self) -> dict[str, object]:
        return {
            "initial_step": self.learning_rate,
            "shrink": self.shrink,
            "armijo": self.armijo,
            "max_trials": self.max_trials,
        }


class Newton(Optimizer):
    """Newton's method: jump to the minimum of the local quadratic model.

    ``x <- x - lr (H + damping I)^{-1} grad``, with ``H`` the Hessian at ``x``.

    Parameters
    ----------
    learning_rate : float or Schedule, default 1.0
        1.0 is the pure Newton step; smaller values damp it.
    damping : float, default 0.0
        Added to the Hessian's diagonal (Levenberg); makes an indefinite or singular Hessian
        usable at the cost of shorter steps.

    Raises
    ------
    ValueError
        From :meth:`step`, if the (damped) Hessian is singular.

    Notes
    -----
    Near a minimum with positive-definite Hessian the error squares at every step (quadratic
    convergence). Newton's method looks for a zero of the gradient, so it is just as happy to
    converge to a saddle point or a maximum: chapter *Taylor series, curvature and Newton's
    method*.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> objective = Objective(lambda x: x @ A @ x / 2, lambda x: A @ x, lambda x: A)
    >>> x = Newton().step([5.0, -7.0], A @ [5.0, -7.0], objective)
    >>> np.allclose(x, 0.0)
    True
    """

    name = "Newton"

    def __init__(self, learning_rate: float | Schedule = 1.0, damping: float = 0.0) -> None:
        if not damping >= 0:
            raise ValueError(f"damping must be a number >= 0, got {damping!r}")
        self.damping = float(damping)
        super().__init__(learning_rate)

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        objective = _require_objective(objective, "Newton")
        hessian = objective.hessian(x) + self.damping * np.eye(x.size)
        try:
            direction = np.linalg.solve(hessian, gradient).astype(np.float64, copy=False)
        except np.linalg.LinAlgError:
            raise ValueError(
                f"the Hessian is singular at x={x}, so the Newton step is undefined; "
                "pass Newton(damping=...) with a small positive damping, or use a first-order "
                "method"
            ) from None
        return -self.learning_rate_now * direction

    def _settings(self) -> dict[str, object]:
        return {**super()._settings(), "damping": self.damping}


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------

Status = Literal["converged", "max_steps", "diverged", "callback"]


@dataclass(frozen=True, eq=False)
class OptimizeResult:
    """Everything a run did, so that a chapter can plot it and be honest about it.

    Attributes
    ----------
    x : numpy.ndarray
        The last finite iterate.
    path : numpy.ndarray
        Every iterate, shape ``(n_steps + 1, n)``; ``path[0]`` is the starting point.
    losses : numpy.ndarray
        ``f`` at each iterate, shape ``(n_steps + 1,)``.
    grad_norms : numpy.ndarray
        The Euclidean norm of the gradient at each iterate, shape ``(n_steps + 1,)``.
    converged : bool
        Whether the gradient norm fell to ``tol``.
    diverged : bool
        Whether the run stopped because the loss, the iterate or the gradient blew up.
    status : {"converged", "max_steps", "diverged", "callback"}
        Why the run stopped, as a short code.
    message : str
        Why the run stopped, as a sentence (with advice when it diverged).
    n_steps : int
        The number of optimizer steps kept in ``path``.
    n_evaluations : EvaluationCounts
        Function, gradient and Hessian evaluations spent.
    optimizer : str
        The optimizer's ``repr``.
    gradient_source : str
        ``"given"``, ``"analytic"`` (the function's ``.grad``), ``"automatic"`` or
        ``"numerical"``.
    """

    x: Array
    path: Array
    losses: Array
    grad_norms: Array
    converged: bool
    diverged: bool
    status: Status
    message: str
    n_steps: int
    n_evaluations: EvaluationCounts
    optimizer: str = ""
    gradient_source: str = field(default="given")

    @property
    def loss(self) -> float:
        """The loss at :attr:`x`."""
        return float(self.losses[-1])


class DivergenceError(RuntimeError):
    """Raised by :func:`minimize` with ``raise_on_divergence=True``; ``.result`` holds the run."""

    def __init__(self, result: OptimizeResult) -> None:
        super().__init__(result.message)
        self.result = result


EXPLOSION_FACTOR = 1e10
"""A loss more than this many times larger in size than at the start (or than 1) counts as
diverged: long before floating point overflows, the run is clearly not converging."""


def _resolve_gradient(
    f: Callable[[Array], Any], grad: Callable[[Array], Any] | None, x0: Array
) -> tuple[Callable[[Array], Any], str]:
    if grad is not None:
        if not callable(grad):
            raise TypeError(f"grad must be a callable x -> gradient or None, got {grad!r}")
        return grad, "given"
    analytic = getattr(f, "grad", None)
    if callable(analytic):
        return analytic, "analytic"
    automatic = automatic_grad(f)
    try:
        automatic(x0)
    except TypeError:
        # f uses a numpy operation the autodiff engine cannot trace (it says so with a
        # TypeError): central differences work on any f, at n extra evaluations per gradient.
        return lambda x: numerical_gradient(f, x), "numerical"
    return automatic, "automatic"


def _divergence(loss: float, start_loss: float, x: Array, gradient: Array) -> str | None:
    """Describe why the state has blown up, or return None if it has not."""
    if not np.all(np.isfinite(x)):
        return "the iterate became non-finite"
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if not np.all(np.isfinite(gradient)):
        return "the gradient became non-finite"
    if abs(loss) > EXPLOSION_FACTOR * max(1.0, abs(start_loss)):
        return f"the loss exploded from {start_loss:.3g} to {loss:.3g}"
    return None


def minimize(
    f: Callable[[Array], Any],
    x0: ArrayLike,
    *,
    grad: Callable[[Array], Any] | None = None,
    hessian: Callable[[Array], Any] | None = None,
    optimizer: Optimizer | None = None,
    max_steps: int = 1000,
    tol: float = 1e-6,
    raise_on_divergence: bool = False,
    callback: Callable[[int, Array, float], object] | None = None,
) -> OptimizeResult:
    """Minimize ``f`` from ``x0`` with ``optimizer``, recording every step.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` for a 1-D array ``x``.
    x0 : array_like
        The starting point (flattened to 1-D).
    grad : callable, optional
        ``grad(x) -> array``. When omitted: ``f.grad`` if ``f`` has one (the test functions of
        :mod:`calcml.functions` do), else automatic differentiation (:func:`calcml.grad`), or
        central differences (:func:`calcml.gradient`) if ``f`` uses a numpy operation the
        autodiff engine cannot trace. :attr:`OptimizeResult.gradient_source` records which.
    hessian : callable, optional
        ``hessian(x) -> (n, n) array`` for :class:`Newton`; defaults to ``f.hessian`` if present.
    optimizer : Optimizer, optional
        Defaults to ``GradientDescent()``. It is ``reset()`` before the run.
    max_steps : int, default 1000
        The most steps to take.
    tol : float, default 1e-6
        Converged when the gradient norm is at most ``tol``.
    raise_on_divergence : bool, default False
        Raise :class:`DivergenceError` instead of returning a result with ``diverged=True``.
    callback : callable, optional
        ``callback(step, x, loss)`` after every step; returning ``True`` stops the run.

    Returns
    -------
    OptimizeResult
        The iterates, losses, gradient norms, status and evaluation counts.

    Raises
    ------
    DivergenceError
        If ``raise_on_divergence`` and the loss, iterate or gradient blew up.
    ValueError
        If ``x0`` is not finite, ``f`` is not finite at ``x0``, or an argument is out of range.

    Notes
    -----
    A run has *diverged* when the iterate, loss or gradient stops being finite, or when the
    loss grows beyond ``EXPLOSION_FACTOR`` times its starting size. The diverging step is not
    kept in ``path``, so the result can still be plotted.

    Examples
    --------
    >>> import numpy as np
    >>> result = minimize(lambda x: np.sum(x**2), [1.0], grad=lambda x: 2 * x,
    ...                   optimizer=GradientDescent(learning_rate=1.5))
    >>> result.diverged
    True
    >>> print(result.message)
    diverged at step 17: the loss exploded from 1 to 1.72e+10. The learning rate is too large
    for this function; try a smaller one (GradientDescent(learning_rate=1.5)).
    """
    x = as_float_array(x0, "x0").ravel()
    steps_allowed = _require_count(max_steps, "max_steps")
    tolerance = float(tol)
    if not tolerance >= 0:
        raise ValueError(f"tol must be a number >= 0, got {tol!r}")
    method = GradientDescent() if optimizer is None else optimizer
    if not isinstance(method, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as Adam(), got {optimizer!r}")
    method.reset()
    gradient_function, gradient_source = _resolve_gradient(f, grad, x)
    if hessian is None and callable(getattr(f, "hessian", None)):
        hessian = f.hessian  # type: ignore[attr-defined]
    objective = Objective(f, gradient_function, hessian)

    # Overflow and invalid values are expected on the way to divergence; they are reported in
    # the result (or as a clear error at the start), not as numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = _run(objective, x, method, steps_allowed, tolerance, callback)
    result = replace(result, optimizer=repr(method), gradient_source=gradient_source)
    if result.diverged and raise_on_divergence:
        raise DivergenceError(result)
    return result


def _run(
    objective: Objective,
    x: Array,
    method: Optimizer,
    max_steps: int,
    tol: float,
    callback: Callable[[int, Array, float], object] | None,
) -> OptimizeResult:
    """The loop of :func:`minimize`, once its arguments are checked."""
    loss = objective.value(x)
    if not math.isfinite(loss):
        raise ValueError(f"f must be finite at the starting point x0={x}, got f(x0)={loss}")
    gradient = objective.gradient(x)
    path, losses, norms = [x], [loss], [float(np.linalg.norm(gradient))]
    status: Status = "max_steps"
    message = f"stopped after max_steps={max_steps} steps without converging"
    for step in range(1, max_steps + 1):
        if norms[-1] <= tol:
            break
        x = method._advance(x, gradient, objective)
        loss = objective.value(x)
        gradient = objective.gradient(x) if np.all(np.isfinite(x)) else np.full_like(x, np.nan)
        problem = _divergence(loss, losses[0], x, gradient)
        if problem is not None:
            status = "diverged"
            message = _divergence_message(step, problem, loss < losses[0], method)
            break
        path.append(x)
        losses.append(loss)
        norms.append(float(np.linalg.norm(gradient)))
        if callback is not None and callback(step, x, loss) is True:
            status = "callback"
            message = f"stopped by the callback at step {step}"
            break
    if status == "max_steps" and norms[-1] <= tol:
        status = "converged"
        message = (
            f"converged after {len(path) - 1} steps: gradient norm {norms[-1]:.3g} <= tol {tol:.3g}"
        )
    return OptimizeResult(
        x=path[-1],
        path=np.array(path),
        losses=np.array(losses),
        grad_norms=np.array(norms),
        converged=status == "converged",
        diverged=status == "diverged",
        status=status,
        message=message,
        n_steps=len(path) - 1,
        n_evaluations=objective.counts,
    )


def _divergence_message(step: int, problem: str, decreasing: bool, method: Optimizer) -> str:
    if decreasing:
        advice = "The loss fell without bound: the function may be unbounded below."
    else:
        advice = (
            f"The learning rate is too large for this function; try a smaller one ({method!r})."
        )
    return f"diverged at step {step}: {problem}. {advice}"
