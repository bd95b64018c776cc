"""The models the book trains: linear and logistic regression, and a multilayer perceptron.

They follow scikit-learn's conventions so that a reader who knows it recognises them:
hyper-parameters go to ``__init__``, ``fit(X, y)`` learns and returns the model, learned state
ends with an underscore (``coef_``, ``intercept_``, ``loss_curve_``), and ``predict`` /
``predict_proba`` / ``score`` use it. Underneath, each is a loss and its gradient handed to
:mod:`calcml.optimize`: the gradients of the linear models are written by hand with the chain
rule (chapter *Gradient descent*), the perceptron's come from :mod:`calcml.autodiff`
(chapter *Backpropagation*).

Examples
--------
>>> from calcml.datasets import make_line
>>> X, y = make_line(100, slope=2.0, intercept=1.0, noise=0.0)
>>> model = LinearRegression().fit(X, y)
>>> round(float(model.coef_[0]), 6), round(model.intercept_, 6)
(2.0, 1.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, Literal, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import as_float_array
from calcml.autodiff import relu, value_and_grad
from calcml.functions import (
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy_from_logits,
    mean_squared_error,
    mean_squared_error_gradient,
    sigmoid,
    softmax,
)
from calcml.optimize import Adam, GradientDescent, Optimizer, OptimizeResult, minimize

__all__ = ["MLP", "LinearRegression", "LogisticRegression"]

Array = NDArray[np.float64]


def _features(X: ArrayLike, n_features: int | None = None) -> Array:
    features = as_float_array(X, "X")
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(
            f"X must be a 2-D array of shape (n_samples, n_features), got shape "
            f"{features.shape}; reshape a single feature with X.reshape(-1, 1)"
        )
    if n_features is not None and features.shape[1] != n_features:
        raise ValueError(
            f"X has {features.shape[1]} features but the model was fitted with {n_features}"
        )
    return features


def _targets(X: Array, y: ArrayLike) -> Array:
    targets = as_float_array(y, "y")
    if targets.shape != (X.shape[0],):
        raise ValueError(
            f"y must have one entry per row of X, shape ({X.shape[0]},), got shape {targets.shape}"
        )
    return targets


def _require_fitted(model: object, attribute: str) -> None:
    if not hasattr(model, attribute):
        raise RuntimeError(f"this {type(model).__name__} is not fitted yet: call fit(X, y) first")


class _LinearModel:
    """What linear and logistic regression share: ``z = X w + b`` and its gradient."""

    coef_: Array
    intercept_: float

    def __init__(
        self, optimizer: Optimizer | None, max_steps: int, tol: float, default: Optimizer
    ) -> None:
        self.optimizer = optimizer
        self.max_steps = max_steps
        self.tol = tol
        self._default_optimizer = default

    def _decision(self, X: ArrayLike) -> Array:
        _require_fitted(self, "coef_")
        return _features(X, self.coef_.size) @ self.coef_ + self.intercept_

    def _descend(
        self,
        X: Array,
        loss: Callable[[Array], float],
        loss_gradient: Callable[[Array], Array],
    ) -> None:
        """Minimize ``loss(z)`` over ``theta = (w, b)`` where ``z = X w + b``.

        The chain rule through ``z = X w + b``: ``dL/dw = X^T dL/dz`` and ``dL/db = sum dL/dz``.
        """

        def split(theta: Array) -> Array:
            z: Array = X @ theta[:-1] + theta[-1]
            return z

        def gradient(theta: Array) -> Array:
            slope = loss_gradient(split(theta))
            return np.append(X.T @ slope, np.sum(slope))

        result = minimize(
            lambda theta: loss(split(theta)),
            np.zeros(X.shape[1] + 1),
            grad=gradient,
            optimizer=self.optimizer or self._default_optimizer,
            max_steps=self.max_steps,
            tol=self.tol,
            raise_on_divergence=True,
        )
        self._store(result.x, result)

    def _store(self, theta: Array, result: OptimizeResult | None) -> None:
        self.coef_ = theta[:-1]
        self.intercept_ = float(theta[-1])
        if result is not None:
            self.optimize_result_ = result
            self.loss_curve_ = result.losses


class LinearRegression(_LinearModel):
    """Least-squares linear regression, solved in closed form or by gradient descent.

    Parameters
    ----------
    method : {"closed_form", "gradient_descent"}, default "closed_form"
        Solve the normal equations, or minimize the mean squared error step by step.
    optimizer : Optimizer, optional
        For ``"gradient_descent"``; default ``GradientDescent(learning_rate=0.1)``.
    max_steps : int, default 1000
        For ``"gradient_descent"``.
    tol : float, default 1e-8
        Gradient-norm tolerance for ``"gradient_descent"``.

    Attributes
    ----------
    coef_ : numpy.ndarray
        The weights ``w``, shape ``(n_features,)``.
    intercept_ : float
        The bias ``b``.
    loss_curve_ : numpy.ndarray
        The mean squared error at every step (``"gradient_descent"`` only).
    optimize_result_ : OptimizeResult
        The whole run (``"gradient_descent"`` only).

    Notes
    -----
    Both minimize ``mean((X w + b - y)^2)``. The closed form solves ``A^T A theta = A^T y``
    with ``A = [X, 1]`` by least squares (:func:`numpy.linalg.lstsq`, which does not form
    ``A^T A`` and so does not square its condition number). Gradient descent reaches the same
    answer, and the chapter *Gradient descent* puts the two side by side.

    Examples
    --------
    >>> from calcml.datasets import make_line
    >>> X, y = make_line(50, noise=0.3)
    >>> exact = LinearRegression().fit(X, y)
    >>> descent = LinearRegression(method="gradient_descent").fit(X, y)
    >>> bool(np.allclose(exact.coef_, descent.coef_, atol=1e-6))
    True
    """

    def __init__(
        self,
        method: Literal["closed_form", "gradient_descent"] = "closed_form",
        *,
        optimizer: Optimizer | None = None,
        max_steps: int = 1000,
        tol: float = 1e-8,
    ) -> None:
        if method not in ("closed_form", "gradient_descent"):
            raise ValueError(f"method must be 'closed_form' or 'gradient_descent', got {method!r}")
        self.method = method
        super().__init__(optimizer, max_steps, tol, GradientDescent(learning_rate=0.1))

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Learn ``coef_`` and ``intercept_`` from ``X`` (n, d) and ``y`` (n,); return self."""
        features = _features(X)
        targets = _targets(features, y)
        if self.method == "closed_form":
            design = np.column_stack([features, np.ones(len(targets))])
            theta = np.linalg.lstsq(design, targets, rcond=None)[0].astype(np.float64, copy=False)
            self._store(theta, None)
        else:
            self._descend(
                features,
                lambda z: mean_squared_error(targets, z),
                lambda z: mean_squared_error_gradient(targets, z),
            )
        return self

    def predict(self, X: ArrayLike) -> Array:
        """Return ``X w + b``."""
        return self._decision(X)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """The coefficient of determination ``R^2 = 1 - SS_res / SS_tot`` on ``(X, y)``."""
        features = _features(X)
        targets = _targets(features, y)
        residual = np.sum((targets - self.predict(features)) ** 2)
        return float(1 - residual / np.sum((targets - targets.mean()) ** 2))


def _accuracy(model: Any, X: ArrayLike, y: ArrayLike) -> float:
    features = _features(X)
    return float(np.mean(model.predict(features) == _targets(features, y)))


class LogisticRegression(_LinearModel):
    """Binary logistic regression, ``P(y = 1 | x) = sigmoid(x . w + b)``, by gradient descent.

    Parameters
    ----------
    optimizer : Optimizer, optional
        Default ``GradientDescent(learning_rate=1.0)``.
    max_steps : int, default 1000
        Steps of the optimizer.
    tol : float, default 1e-6
        Gradient-norm tolerance.

    Attributes
    ----------
    coef_, intercept_, loss_curve_, optimize_result_
        As in :class:`LinearRegression`.

    Notes
    -----
    The loss is the mean binary cross-entropy of the logits ``z = X w + b``; its gradient with
    respect to ``z`` is ``(sigmoid(z) - y) / n`` (:func:`calcml.functions.binary_cross_entropy`).
    On separable data the loss keeps falling as ``|w|`` grows, so the run ends at ``max_steps``.

    Examples
    --------
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> model = LogisticRegression().fit(X, [0.0, 0.0, 1.0, 1.0])
    >>> model.predict([[-3.0], [3.0]])
    array([0., 1.])
    """

    def __init__(
        self, *, optimizer: Optimizer | None = None, max_steps: int = 1000, tol: float = 1e-6
    ) -> None:
        super().__init__(optimizer, max_steps, tol, GradientDescent(learning_rate=1.0))

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Learn ``coef_`` and ``intercept_`` from ``X`` (n, d) and labels ``y`` in {0, 1}."""
        features = _features(X)
        targets = _targets(features, y)
        labels = np.unique(targets)
        if not np.isin(labels, (0.0, 1.0)).all():
            raise ValueError(
                f"LogisticRegression is binary, with labels 0 and 1, but y holds the labels "
                f"{labels[:10].tolist()}{' ...' if labels.size > 10 else ''}: map two classes to "
                "0 and 1 (e.g. (y + 1) / 2 for -1/+1, or y == positive_label), or use MLP, "
                "which learns any number of classes"
            )
        self._descend(
            features,
            lambda z: binary_cross_entropy(targets, z),
            lambda z: binary_cross_entropy_gradient(targets, z),
        )
        return self

    def predict_proba(self, X: ArrayLike) -> Array:
        """Return ``[P(y = 0), P(y = 1)]`` per row, shape ``(n, 2)``."""
        probability = sigmoid(self._decision(X))
        return np.column_stack([1 - probability, probability])

    def predict(self, X: ArrayLike) -> Array:
        """Return the more probable label, 0.0 or 1.0, per row."""
        return (self._decision(X) > 0).astype(np.float64)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """The accuracy on ``(X, y)``."""
        return _accuracy(self, X, y)


#: ReLU is calcml.autodiff's own rule: its slope at 0 is 0, the book's one convention (through
#: np.maximum, a tie would split the slope 1/2-1/2).
_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {"tanh": np.tanh, "relu": relu}


def _remember_last(
    function: Callable[[Array], tuple[Any, Any]],
) -> Callable[[Array], tuple[Any, Any]]:
    """Wrap a ``value_and_grad`` function so that asking for the value and then the gradient
    at the same point runs the forward and backward pass once, not twice."""
    last: list[Any] = []

    def remembered(x: Array) -> tuple[Any, Any]:
        if not last or not np.array_equal(last[0], x):
            last[:] = [np.array(x, copy=True), function(x)]
        result: tuple[Any, Any] = last[1]
        return result

    return remembered


class MLP:
    """A multilayer perceptron classifier trained with reverse-mode automatic differentiation.

    Parameters
    ----------
    hidden_sizes : tuple of int, default (16, 16)
        The width of each hidden layer.
    activation : {"tanh", "relu"}, default "tanh"
        The hidden layers' nonlinearity.
    optimizer : Optimizer, optional
        Default ``Adam(learning_rate=0.01)``.
    max_steps : int, default 500
        Full-batch training steps.
    tol : float, default 1e-5
        Stop when the gradient norm falls below it.
    seed : int, default 0
        Seed of the weight initialisation.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The distinct labels seen in ``fit``, sorted.
    coefs_ : list of numpy.ndarray
        The weight matrix ``W`` of each layer, shape ``(n_out, n_in)`` (outputs by inputs,
        as in the book: one example ``x`` gives ``W x + b``).
    intercepts_ : list of numpy.ndarray
        The bias vector of each layer.
    loss_curve_ : numpy.ndarray
        The training loss (mean softmax cross-entropy) at every step.

    Notes
    -----
    Layers compute ``h <- activation(h W^T + b)`` on a batch ``h`` with one example per row
    (``W x + b`` for each example ``x``, a column); the last one gives logits and
    ``softmax`` turns them into class probabilities. All parameters live in one flat vector
    ``theta``, which is what the optimizer steps; the loss as a function of ``theta`` is
    differentiated by :func:`calcml.autodiff.value_and_grad` (chapter *Backpropagation*).
    Weights start Gaussian with variance ``1 / n_in`` (tanh, Glorot/LeCun) or ``2 / n_in``
    (ReLU, He), so activations neither vanish nor saturate at the start.

    Examples
    --------
    >>> from calcml.datasets import make_moons
    >>> X, y = make_moons(200, noise=0.1, seed=0)
    >>> model = MLP(hidden_sizes=(16,), max_steps=300).fit(X, y)
    >>> model.score(X, y) > 0.95
    True
    """

    def __init__(
        self,
        hidden_sizes: tuple[int, ...] = (16, 16),
        activation: Literal["tanh", "relu"] = "tanh",
        *,
        optimizer: Optimizer | None = None,
        max_steps: int = 500,
        tol: float = 1e-5,
        seed: int = 0,
    ) -> None:
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
            )
        if any(isinstance(size, bool) or int(size) != size or size < 1 for size in hidden_sizes):
            raise ValueError(
                f"hidden_sizes must be a tuple of positive integers, got {hidden_sizes!r}"
            )
        self.hidden_sizes = tuple(int(size) for size in hidden_sizes)
        self.activation = activation
        self.optimizer = optimizer
        self.max_steps = max_steps
        self.tol = tol
        self.seed = seed

    def _shapes(self, n_features: int, n_classes: int) -> list[tuple[int, int]]:
        sizes = [n_features, *self.hidden_sizes, n_classes]
        return list(itertools.pairwise(sizes))

    def _unpack(self, theta: Any) -> list[tuple[Any, Any]]:
        """Slice the flat parameter vector into ``(W, b)`` per layer (works on Tensors too)."""
        layers, start = [], 0
        for n_in, n_out in self._layer_shapes:
            weights = theta[start : start + n_in * n_out].reshape(n_out, n_in)
            start += n_in * n_out
            layers.append((weights, theta[start : start + n_out]))
            start += n_out
        return layers

    def _logits(self, layers: list[tuple[Any, Any]], X: Array) -> Any:
        activation = _ACTIVATIONS[self.activation]
        *hidden, (weights, bias) = layers
        h: Any = X
        for hidden_weights, hidden_bias in hidden:
            h = activation(h @ hidden_weights.T + hidden_bias)
        return h @ weights.T + bias

    def fit(self, X: ArrayLike, y: ArrayLike) -> Self:
        """Train on ``X`` (n, d) and labels ``y`` (n,); return self.

        Raises
        ------
        DivergenceError
            If training diverges (try a smaller learning rate).
        """
        features = _features(X)
        targets = _targets(features, y)
        self.classes_, labels = np.unique(targets, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"y must hold at least two classes, got only {self.classes_}")
        one_hot = (labels[:, np.newaxis] == np.arange(self.classes_.size)).astype(np.float64)
        self._layer_shapes = self._shapes(features.shape[1], self.classes_.size)

        def loss(theta: Any) -> Any:
            return cross_entropy_from_logits(one_hot, self._logits(self._unpack(theta), features))

        loss_and_gradient = _remember_last(value_and_grad(loss))
        result = minimize(
            lambda theta: loss_and_gradient(theta)[0],
            self._initial_parameters(),
            grad=lambda theta: loss_and_gradient(theta)[1],
            optimizer=self.optimizer or Adam(learning_rate=0.01),
            max_steps=self.max_steps,
            tol=self.tol,
            raise_on_divergence=True,
        )
        layers = self._unpack(result.x)
        self.coefs_ = [weights for weights, _ in layers]
        self.intercepts_ = [bias for _, bias in layers]
        self.loss_curve_ = result.losses
        self.optimize_result_ = result
        return self

    def _initial_parameters(self) -> Array:
        rng = np.random.default_rng(self.seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        parts = []
        for n_in, n_out in self._layer_shapes:
            parts += [rng.normal(0.0, np.sqrt(gain / n_in), n_in * n_out), np.zeros(n_out)]
        return np.concatenate(parts)

    def predict_proba(self, X: ArrayLike) -> Array:
        """Return the class probabilities, shape ``(n, n_classes)``, columns in ``classes_``."""
        _require_fitted(self, "coefs_")
        features = _features(X, self.coefs_[0].shape[1])
        layers = list(zip(self.coefs_, self.intercepts_, strict=True))
        probabilities: Array = softmax(self._logits(layers, features))
        return probabilities

    def predict(self, X: ArrayLike) -> Array:
        """Return the most probable label per row."""
        probabilities = self.predict_proba(X)
        return np.asarray(self.classes_[np.argmax(probabilities, axis=1)], np.float64)

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """The accuracy on ``(X, y)``."""
        return _accuracy(self, X, y)
