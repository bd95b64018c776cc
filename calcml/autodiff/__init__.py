"""Automatic differentiation: reverse mode (:class:`Tensor`) and forward mode (:class:`Dual`).

- :mod:`calcml.autodiff.engine`: the reverse-mode :class:`Tensor`, the chapter
  :doc:`/backpropagation`'s code;
- :mod:`calcml.autodiff.forward`: the forward-mode :class:`Dual`;
- :mod:`calcml.autodiff.functional`: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
  ``jacrev``, ``jacfwd`` for plain numpy functions;
- :mod:`calcml.autodiff.activations`: ``sigmoid``, ``relu``, ``softmax``, ``logsumexp``,
  ``log_softmax`` for traced values and numpy arrays alike;
- :mod:`calcml.autodiff.draw`: :func:`draw_graph`, a picture of the graph.
"""

from calcml.autodiff._protocol import UnsupportedOperationError
from calcml.autodiff.activations import log_softmax, logsumexp, relu, sigmoid, softmax
from calcml.autodiff.draw import draw_graph
from calcml.autodiff.engine import Tensor
from calcml.autodiff.forward import Dual
from calcml.autodiff.functional import grad, jacfwd, jacrev, jvp, value_and_grad, vjp

__all__ = [
    "Dual",
    "Tensor",
    "UnsupportedOperationError",
    "draw_graph",
    "grad",
    "jacfwd",
    "jacrev",
    "jvp",
    "log_softmax",
    "logsumexp",
    "relu",
    "sigmoid",
    "softmax",
    "value_and_grad",
    "vjp",
]
