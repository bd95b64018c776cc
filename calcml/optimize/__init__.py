"""Optimizers, learning-rate schedules, line searches and the :func:`minimize` driver.

The chapters *Gradient descent*, *Optimization in practice* and *Taylor series, curvature and
Newton's method* watch these optimizers work. Every optimizer is a small stateful object, in
the style of PyTorch's ``torch.optim`` (not a pure function in the style of optax): it holds
its hyper-parameters and a little state (a velocity, running averages, a curvature estimate,
a step counter), and

- ``optimizer.step(params, grads)`` returns the new parameters, for one array or a tree of
  them (nested dicts, lists and tuples), with the state kept per parameter;
- ``optimizer.reset()`` forgets the state, so one object can start a new run.

:func:`minimize` drives an optimizer from a starting point (an array or a tree) and returns an
:class:`OptimizeResult` that keeps every iterate, loss and gradient norm, says whether the run
converged, diverged, stalled or ran out of steps (and, if so, how far it got), counts every
evaluation it spent (``nfev``, ``njev``, ``nhev``, scipy's names) and says where the gradient
came from. Its default method is :class:`BFGS` with a line search meeting the Wolfe conditions,
which needs no learning rate.

With its default settings, each optimizer brings Rosenbrock's function from the classic start
(-1.2, 1) to within 0.01 of the minimum (1, 1), and keeps it there, within these many steps
(checked by the tests): Newton 10, BFGS 50, L-BFGS 50, Momentum 1500, Nesterov 1500,
backtracking line search 3500, RMSProp 6000, Adam 11000, gradient descent 12000,
AdaGrad 16000.

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

Parameters in a dict, minimized by the default BFGS:

>>> result = minimize(lambda p: np.sum((p["w"] - 2.0) ** 2) + (p["b"] + 1.0) ** 2,
...                   {"w": np.zeros(2), "b": 0.0})
>>> {name: np.round(value, 6) for name, value in result.x.items()}
{'w': array([2., 2.]), 'b': np.float64(-1.0)}
"""

from calcml.optimize.base import LineSearchError, Objective, Optimizer
from calcml.optimize.curvature import BFGS, LBFGS, Newton
from calcml.optimize.driver import DivergenceError, OptimizeResult, minimize
from calcml.optimize.first_order import (
    AdaGrad,
    Adam,
    GradientDescent,
    Momentum,
    Nesterov,
    RMSProp,
)
from calcml.optimize.line_search import (
    BacktrackingLineSearch,
    LineSearchResult,
    wolfe_line_search,
)
from calcml.optimize.schedules import (
    Schedule,
    constant,
    cosine_decay,
    exponential_decay,
    step_decay,
)

__all__ = [
    "BFGS",
    "LBFGS",
    "AdaGrad",
    "Adam",
    "BacktrackingLineSearch",
    "DivergenceError",
    "GradientDescent",
    "LineSearchError",
    "LineSearchResult",
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
    "wolfe_line_search",
]
