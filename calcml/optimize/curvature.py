"""Methods that use curvature: Newton's method, and BFGS and L-BFGS, which learn it.

Newton's method reads the Hessian and jumps to the minimum of the local quadratic model.
Quasi-Newton methods never compute a Hessian: they build an estimate of its inverse from how
the gradient changes between steps, and pay for it with a line search that keeps that estimate
positive definite. Chapter *Taylor series, curvature and Newton's method* derives them; BFGS
is :func:`~calcml.optimize.minimize`'s default.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from numpy.typing import NDArray

from calcml.optimize.base import LineSearchError, Objective, Optimizer, require_objective
from calcml.optimize.line_search import wolfe_line_search
from calcml.optimize.schedules import Schedule, _require_count, _require_fraction

__all__ = ["BFGS", "LBFGS", "Newton"]

Array = NDArray[np.float64]


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
        objective = require_objective(objective, "Newton", hessian=True)
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


class _QuasiNewton(Optimizer):
    """What BFGS and L-BFGS share: learn from ``(s, y)`` pairs, step along ``-H grad`` with a
    Wolfe line search, and fall back to steepest descent when the estimate misleads."""

    def __init__(
        self,
        sufficient_decrease: float = 1e-4,
        curvature: float = 0.9,
        max_evaluations: int = 30,
    ) -> None:
        self.sufficient_decrease = _require_fraction(sufficient_decrease, "sufficient_decrease")
        self.curvature = _require_fraction(curvature, "curvature")
        if not self.sufficient_decrease < self.curvature:
            raise ValueError(
                f"sufficient_decrease (c1={sufficient_decrease!r}) must be smaller than "
                f"curvature (c2={curvature!r}), or no step can meet both Wolfe conditions; "
                "the usual values are 1e-4 and 0.9"
            )
        self.max_evaluations = _require_count(max_evaluations, "max_evaluations")
        # The learning rate of a quasi-Newton method is the first step its line search tries:
        # 1, the full step to the minimum of the quadratic model.
        super().__init__(1.0)

    def reset(self) -> None:
        super().reset()
        self._previous: tuple[Array, Array] | None = None
        self._forget()

    def _forget(self) -> None:
        raise NotImplementedError

    def _learn(self, s: Array, y: Array) -> None:
        raise NotImplementedError

    def _direction(self, gradient: Array) -> Array | None:
        """``-H grad``, or None before the first pair is learned."""
        raise NotImplementedError

    def _update(self, x: Array, gradient: Array, objective: Objective | None) -> Array:
        objective = require_objective(objective, type(self).__name__)
        if self._previous is not None:
            # s is the step just taken and y the change of the gradient along it; a quadratic
            # with Hessian A has y = A s exactly (the secant condition every update keeps).
            s, y = x - self._previous[0], gradient - self._previous[1]
            # The strong Wolfe curvature condition guarantees y.s > 0, the condition for the
            # updated H to stay positive definite; skip a pair that lost it to round-off.
            if y @ s > 1e-12 * np.linalg.norm(y) * np.linalg.norm(s):
                self._learn(s, y)
        self._previous = (x, gradient)
        direction = self._direction(gradient)
        if direction is not None and gradient @ direction < 0:
            try:
                found = self._search(objective, x, direction, 1.0)
            except LineSearchError:
                # The curvature estimate misled us; start again from steepest descent.
                self._forget()
            else:
                return found - x
        self._forget()
        # Steepest descent has no scale yet: a first trial step of length at most 1.
        first = min(1.0, 1.0 / float(np.linalg.norm(gradient)))
        return self._search(objective, x, -gradient, first) - x

    def _search(self, objective: Objective, x: Array, direction: Array, first: float) -> Array:
        found = wolfe_line_search(
            objective,
            x,
            direction,
            initial_step=first,
            sufficient_decrease=self.sufficient_decrease,
            curvature=self.curvature,
            max_evaluations=self.max_evaluations,
        )
        return found.x

    def _settings(self) -> dict[str, object]:
        return {
            "sufficient_decrease": self.sufficient_decrease,
            "curvature": self.curvature,
            "max_evaluations": self.max_evaluations,
        }


class BFGS(_QuasiNewton):
    """BFGS: a quasi-Newton method that learns the inverse Hessian from gradient differences.

    Each step goes along ``-H grad``, where ``H`` approximates the inverse Hessian, as far as a
    line search meeting the strong Wolfe conditions says. After the step ``s = x_new - x``,
    with gradient change ``y = grad_new - grad``, ``H`` is updated so that ``H y = s``.

    Parameters
    ----------
    sufficient_decrease : float, default 1e-4
        ``c1`` of the Wolfe conditions: the share of the predicted decrease a step must achieve.
    curvature : float, default 0.9
        ``c2``: how much the slope along the direction must flatten, ``c1 < c2 < 1``.
    max_evaluations : int, default 30
        Trial points per line search.

    Notes
    -----
    The update (Nocedal and Wright, 2006, eq. 6.17), with ``rho = 1 / (y . s)``::

        H <- (I - rho s y^T) H (I - rho y s^T) + rho s s^T

    It is the matrix closest to ``H`` (in a weighted norm) that is symmetric and meets the
    secant condition ``H y = s``; when ``y . s > 0``, which the Wolfe curvature condition
    guarantees, it is positive definite whenever ``H`` is, so ``-H grad`` always points
    downhill. ``H`` starts as the identity, rescaled to ``(y . s) / (y . y)`` before the first
    update (eq. 6.20) so that the first steps have the right length. The matrix costs
    ``n^2`` numbers; for many parameters use :class:`LBFGS`.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> objective = Objective(lambda x: x @ A @ x / 2, lambda x: A @ x)
    >>> optimizer, x = BFGS(), np.array([5.0, -7.0])
    >>> for _ in range(5):
    ...     x = optimizer.step(x, A @ x, objective)
    >>> bool(np.linalg.norm(x) < 1e-12)
    True
    """

    name = "BFGS"

    def _forget(self) -> None:
        self.inverse_hessian: Array | None = None

    def _learn(self, s: Array, y: Array) -> None:
        rho = 1.0 / (y @ s)
        if self.inverse_hessian is None:
            self.inverse_hessian = (y @ s) / (y @ y) * np.eye(s.size)
        H = self.inverse_hessian
        # The update above, multiplied out so that it costs n^2 instead of n^3 operations:
        # H - rho (s (Hy)^T + (Hy) s^T) + (rho^2 y^T H y + rho) s s^T.
        Hy = H @ y
        self.inverse_hessian = (
            H
            - rho * (np.outer(s, Hy) + np.outer(Hy, s))
            + (rho**2 * (y @ Hy) + rho) * np.outer(s, s)
        )

    def _direction(self, gradient: Array) -> Array | None:
        if self.inverse_hessian is None:
            return None
        direction: Array = -self.inverse_hessian @ gradient
        return direction


class LBFGS(_QuasiNewton):
    """L-BFGS: BFGS that keeps only the last ``memory`` pairs ``(s, y)`` instead of a matrix.

    Parameters
    ----------
    memory : int, default 10
        Pairs kept; each step costs about ``4 n memory`` operations and ``2 n memory`` numbers
        instead of BFGS's ``n^2``.
    sufficient_decrease, curvature, max_evaluations
        As :class:`BFGS`.

    Notes
    -----
    ``H grad`` is computed from the pairs by the two-loop recursion (Nocedal and Wright, 2006,
    Algorithm 7.4): the same product BFGS's matrix would give if it had started, ``memory``
    steps ago, from ``gamma I`` with ``gamma = (y . s) / (y . y)`` of the newest pair.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.diag([1.0, 10.0, 100.0])
    >>> objective = Objective(lambda x: x @ A @ x / 2, lambda x: A @ x)
    >>> optimizer, x = LBFGS(memory=3), np.ones(3)
    >>> steps = 0
    >>> while np.linalg.norm(A @ x) > 1e-8:
    ...     x = optimizer.step(x, A @ x, objective)
    ...     steps += 1
    >>> steps < 30
    True
    """

    name = "L-BFGS"

    def __init__(
        self,
        memory: int = 10,
        sufficient_decrease: float = 1e-4,
        curvature: float = 0.9,
        max_evaluations: int = 30,
    ) -> None:
        self.memory = _require_count(memory, "memory")
        super().__init__(sufficient_decrease, curvature, max_evaluations)

    def _forget(self) -> None:
        self.pairs: deque[tuple[Array, Array]] = deque(maxlen=self.memory)

    def _learn(self, s: Array, y: Array) -> None:
        self.pairs.append((s, y))

    def _direction(self, gradient: Array) -> Array | None:
        if not self.pairs:
            return None
        q = gradient.copy()
        alphas = []
        for s, y in reversed(self.pairs):
            alpha = (s @ q) / (y @ s)
            q -= alpha * y
            alphas.append(alpha)
        s, y = self.pairs[-1]
        r = (y @ s) / (y @ y) * q
        for (s, y), alpha in zip(self.pairs, reversed(alphas), strict=True):
            beta = (y @ r) / (y @ s)
            r += (alpha - beta) * s
        return -r

    def _settings(self) -> dict[str, object]:
        return {"memory": self.memory, **super()._settings()}
