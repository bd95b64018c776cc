"""Automatic differentiation: reverse mode (:class:`Tensor`) and forward mode (:class:`Dual`).

- :mod:`calcml.autodiff.rules`: the rule table, every operation's value and, beside it, its
  local derivative; both modes read it;
- :mod:`calcml.autodiff.engine`: the reverse-mode :class:`Tensor`, the chapter
  :doc:`/backpropagation`'s code;
- :mod:`calcml.autodiff.forward`: the forward-mode :class:`Dual`;
- :mod:`calcml.autodiff.functional`: ``grad``, ``value_and_grad``, ``vjp``, ``jvp``,
  ``jacrev``, ``jacfwd`` for plain numpy functions of arrays or parameter trees, and
  ``hessian`` and ``hvp`` by forward over reverse mode. They nest to any order and in any
  mix of modes (``grad(grad(grad(f)))``, ``jacrev(jacfwd(f))``): each traces ``f`` one
  *level* deeper, and an operation is recorded by the innermost level among its operands
  (:mod:`calcml.autodiff._protocol`), so the inner derivative's own arithmetic is recorded
  by the outer one and the variables of different levels never mix up;
- :mod:`calcml.autodiff.activations`: ``sigmoid``, ``relu``, ``softmax``, ``logsumexp``,
  ``log_softmax`` for traced values and numpy arrays alike;
- :mod:`calcml.autodiff.draw`: :func:`draw_graph`, a picture of the graph.

Leaving the graph raises: converting a traced value to a Python number or a plain array
(``float``, ``int``, ``complex``, ``math.*``, ``np.asarray``, ``.item()``) raises
:class:`UnsupportedOperationError` naming the numpy function to use, or ``.value`` for an
intentional constant. Branching on a value (``if x > 0``) is allowed: the function is then
piecewise, and the derivative is that of the branch taken. Integer-valued functions
(``argmax``, ``floor``, ``round``, ``sign``, comparisons) give plain arrays: their derivative is
0 wherever it exists.

Adding an operation (a checklist):

1. Write its rule in :mod:`calcml.autodiff.rules`, named as numpy names it: compute the value,
   then return it with its local derivative. Elementwise: ``slopes(value, lambda: f'(x))``,
   one slope per operand. Linear: ``linear(value, operation, adjoint)``, or ``rearrange`` if
   it only moves entries. Anything else: a :class:`~calcml.autodiff.rules.Local` with, per
   operand, the map ``dx -> dy`` and its adjoint ``g -> g^T dy/dx``.
2. Make numpy reach it: a ufunc goes in ``rules.UFUNCS``; a numpy function goes in
   ``_numpy.FUNCTIONS`` (its implementation calls the rule, or composes supported
   operations); an ``ndarray`` method goes on ``_protocol.Traced``. Both modes then pick it
   up (``Tensor._apply`` pulls gradients back through the adjoints, ``Dual._apply`` pushes
   tangents through the maps): there is nothing to write per mode. Derivatives of
   derivatives come free as long as the maps are numpy code a traced value answers
   (``g * slope``, ``g @ W.T``); a map that numpy cannot hand to a traced value
   (``np.add.at``, ``np.bincount``) is wrapped in ``rules.recordable`` with its adjoint.
3. Add one row to ``OPS`` in ``tests/test_autodiff_rules.py``: the function, its argument
   shapes (make them broadcast) and the domain to draw points from. That row checks both
   modes against finite differences at random points, and against autograd, and
   ``tests/test_autodiff_higher.py`` checks its second derivatives in every nesting of the
   modes; a supported name without a row fails ``test_every_rule_and_numpy_function_has_a_row``.
"""

from calcml.autodiff._rules import UnsupportedOperationError
from calcml.autodiff.activations import log_softmax, logsumexp, relu, sigmoid, softmax
from calcml.autodiff.draw import draw_graph
from calcml.autodiff.engine import Tensor
from calcml.autodiff.forward import Dual
from calcml.autodiff.functional import (
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)

__all__ = [
    "Dual",
    "Tensor",
    "UnsupportedOperationError",
    "draw_graph",
    "grad",
    "hessian",
    "hvp",
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
