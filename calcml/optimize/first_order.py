"""First-order methods: gradient descent and the family that only ever reads the gradient.

Chapters *Gradient descent* and *Optimization in practice* derive each update. Every class
here is an :class:`~calcml.optimize.Optimizer`: ``step(params, grads)`` returns the new
parameters, ``reset()`` forgets the velocity or running averages.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from calcml._validation import require_positive
from calcml.optimize.base import Objective, Optimizer
from calcml.optimize.schedules import Schedule, _require_fraction

__all__ = ["AdaGrad", "Adam", "GradientDescent", "Momentum", "Nesterov", "RMSProp"]

Array = NDArray[np.float64]


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
