"""calcml: the calculus behind training models, written to be read.

The companion package of the book *Calculus for Machine Learning*. Every public
name is re-exported here; the modules each hold one idea:

- :mod:`calcml.differentiate`: numerical derivatives, gradients, Jacobians, Hessians;
- :mod:`calcml.autodiff`: reverse- and forward-mode automatic differentiation;
- :mod:`calcml.optimize`: gradient descent and its family;
- :mod:`calcml.functions`: test functions, losses and activations;
- :mod:`calcml.datasets`: seeded toy data sets;
- :mod:`calcml.models`: linear and logistic regression, a multilayer perceptron;
- :mod:`calcml.plotting`: the book's figures.
"""

from calcml.differentiate import derivative

__version__ = "0.1.0"

__all__ = ["__version__", "derivative"]
