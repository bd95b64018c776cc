"""Numerical differentiation: slopes, gradients, Jacobians and Hessians from values of ``f``.

Every function here reduces to one idea, the derivative of a function of one variable along a
line, ``d/dt f(x + t v)`` at ``t = 0``, estimated from a few values of ``f`` combined with the
weights of a finite-difference stencil (or with the complex step, or with Richardson
extrapolation). The chapters :doc:`/derivatives` and :doc:`/numerical-differentiation` explain the
error analysis behind the default steps; :doc:`/gradient` and :doc:`/matrix-calculus` use the
vector versions. What the results promise, and what raises instead, is on
:doc:`/api/promises`.

Layout convention (numerator layout, used throughout the book): ``gradient(f, x)`` has ``x``'s
shape; ``jacobian(f, x)`` has shape ``f(x).shape + x.shape``, so ``J[i, j] = ∂f_i/∂x_j`` and an
``R^n -> R^m`` function gives an ``(m, n)`` matrix; ``hessian(f, x)`` has shape
``x.shape + x.shape``, ``(n, n)`` for a vector.

The modules, one job each: ``_stencil`` (the weights of a difference formula), ``_step`` (the
default step and checks on a chosen one), ``_sample`` (calling ``f``), ``_estimate`` (the one
estimator, which shrinks the step until the estimate settles), ``_verdict`` (return, warn or
raise), then the public functions: ``_scalar`` (``derivative``, ``estimate_derivative``),
``_vector`` (``gradient``, ``jacobian``, ``partial``, ``directional_derivative``,
``hessian``), ``_check`` (``check_gradient``) and ``_sweep`` (``step_error_sweep``).
"""

from calcml.differentiate._check import GradientCheck, check_gradient
from calcml.differentiate._scalar import DerivativeEstimate, derivative, estimate_derivative
from calcml.differentiate._stencil import Method
from calcml.differentiate._step import default_step
from calcml.differentiate._sweep import StepSweep, step_error_sweep
from calcml.differentiate._vector import (
    directional_derivative,
    gradient,
    hessian,
    jacobian,
    partial,
)

__all__ = [
    "DerivativeEstimate",
    "GradientCheck",
    "Method",
    "StepSweep",
    "check_gradient",
    "default_step",
    "derivative",
    "directional_derivative",
    "estimate_derivative",
    "gradient",
    "hessian",
    "jacobian",
    "partial",
    "step_error_sweep",
]
