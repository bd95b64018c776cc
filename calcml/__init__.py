"""calcml: the calculus behind training models, written to be read.

The companion package of the book *Calculus for Machine Learning*. Every public
name is re-exported here; the modules each hold one idea:

- :mod:`calcml.differentiate`: numerical derivatives, gradients, Jacobians, Hessians;
- :mod:`calcml.autodiff`: reverse- and forward-mode automatic differentiation;
- :mod:`calcml.optimize`: gradient descent and its family, Newton, BFGS and the driver;
- :mod:`calcml.functions`: test functions, losses and activations;
- :mod:`calcml.datasets`: seeded toy data sets;
- :mod:`calcml.models`: linear and logistic regression, a multilayer perceptron;
- :mod:`calcml.plotting`: the book's figures.
"""

from calcml import datasets, functions, models
from calcml.autodiff import (
    Tensor,
    UnsupportedOperationError,
    draw_graph,
    grad,
    jacfwd,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)
from calcml.differentiate import (
    DerivativeEstimate,
    GradientCheck,
    Method,
    StepSweep,
    check_gradient,
    default_step,
    derivative,
    directional_derivative,
    estimate_derivative,
    gradient,
    hessian,
    jacobian,
    partial,
    step_error_sweep,
)
from calcml.optimize import (
    BFGS,
    LBFGS,
    AdaGrad,
    Adam,
    BacktrackingLineSearch,
    DivergenceError,
    GradientDescent,
    Momentum,
    Nesterov,
    Newton,
    Optimizer,
    OptimizeResult,
    RMSProp,
    constant,
    cosine_decay,
    exponential_decay,
    minimize,
    step_decay,
)

__version__ = "0.1.0"

__all__ = [
    "BFGS",
    "LBFGS",
    "AdaGrad",
    "Adam",
    "BacktrackingLineSearch",
    "DerivativeEstimate",
    "DivergenceError",
    "GradientCheck",
    "GradientDescent",
    "Method",
    "Momentum",
    "Nesterov",
    "Newton",
    "OptimizeResult",
    "Optimizer",
    "RMSProp",
    "StepSweep",
    "Tensor",
    "UnsupportedOperationError",
    "__version__",
    "check_gradient",
    "constant",
    "cosine_decay",
    "datasets",
    "default_step",
    "derivative",
    "directional_derivative",
    "draw_graph",
    "estimate_derivative",
    "exponential_decay",
    "functions",
    "grad",
    "gradient",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "minimize",
    "models",
    "partial",
    "step_decay",
    "step_error_sweep",
    "value_and_grad",
    "vjp",
]
