"""Seeded toy data sets the book trains on, generated with numpy alone.

Every generator takes a ``seed`` keyword, so a page that executes at build time draws the
same data every time. The point-cloud generators return ``(X, y)`` as float arrays, ``X`` of
shape ``(n, d)`` and ``y`` of shape ``(n,)``; :func:`make_sequence_task` returns integer token
sequences and their targets, both of shape ``(n, length)``. :func:`load_digits` reads the 8x8
handwritten digits that ship inside scikit-learn (nothing is downloaded).

Examples
--------
>>> X, y = make_moons(100, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((100, 2), (100,), [0.0, 1.0])
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from calcml._validation import (
    as_float_array,
    one_of,
    real_number,
    require_integer,
    require_seed,
)

__all__ = [
    "load_digits",
    "make_circles",
    "make_line",
    "make_moons",
    "make_sequence_task",
    "make_spirals",
    "train_test_split",
]

Array = NDArray[np.float64]
Tokens = NDArray[np.int64]


#: The most points a generator draws: ten million two-dimensional points take 160 MB.
MAX_POINTS = 10_000_000


def _require_size(n: int, name: str, minimum: int = 1) -> int:
    return require_integer(
        n,
        name,
        minimum=minimum,
        maximum=MAX_POINTS,
        advice="a toy data set needs a few hundred points; train on a real data set beyond that",
    )


def _require_noise(noise: float) -> float:
    return real_number(noise, "noise", low=0.0)


def _generator(seed: int) -> np.random.Generator:
    return np.random.default_rng(require_seed(seed))


def _shuffled(rng: np.random.Generator, X: Array, y: Array) -> tuple[Array, Array]:
    """Shuffle rows so that the classes are interleaved, as a real data set would be."""
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_line(
    n: int = 50,
    *,
    slope: float = 2.0,
    intercept: float = 1.0,
    noise: float = 0.5,
    seed: int = 0,
) -> tuple[Array, Array]:
    """Points ``y = slope x + intercept + noise``, ``x`` uniform on [-3, 3].

    Parameters
    ----------
    n : int, default 50
        Number of points.
    slope, intercept : float
        The true line.
    noise : float, default 0.5
        Standard deviation of the Gaussian noise added to ``y``.
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 1)``.
    y : numpy.ndarray
        Shape ``(n,)``.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``slope``, ``intercept`` or ``noise`` is
        not a real number.
    ValueError
        If ``n`` is not positive, ``noise`` is negative, ``seed`` is negative, or a number is
        not finite or so large that ``y`` overflows.

    Notes
    -----
    The chapter *Gradient descent* fits this line both in closed form and by descent.

    Examples
    --------
    >>> X, y = make_line(3, slope=2.0, intercept=1.0, noise=0.0)
    >>> bool(np.allclose(y, 2 * X[:, 0] + 1))
    True
    """
    size = _require_size(n, "n")
    line = real_number(slope, "slope"), real_number(intercept, "intercept")
    level = _require_noise(noise)
    rng = _generator(seed)
    x = rng.uniform(-3.0, 3.0, size)
    with np.errstate(over="ignore", invalid="ignore"):
        y = line[0] * x + line[1] + level * rng.standard_normal(size)
    if not np.isfinite(y).all():
        raise ValueError(
            f"slope = {slope!r}, intercept = {intercept!r} and noise = {noise!r} make y overflow "
            "the largest float; choose numbers below about 1e300"
        )
    return x[:, np.newaxis], y


def make_moons(n: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaving half circles, labels 0 (upper) and 1 (lower).

    Parameters
    ----------
    n : int, default 200
        Number of points; the classes differ in size by at most one.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to both coordinates.
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``.
    y : numpy.ndarray
        Shape ``(n,)``, values 0.0 and 1.0.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer or ``noise`` not a real number.
    ValueError
        If ``n < 2``, or ``noise`` or ``seed`` is negative.

    Notes
    -----
    The same geometry as scikit-learn's ``make_moons``: the upper moon is the unit half circle,
    the lower one is it flipped and shifted by (1, 0.5). No straight line separates them, which
    is why logistic regression fails here and a multilayer perceptron succeeds.

    Examples
    --------
    >>> X, y = make_moons(4, noise=0.0)
    >>> bool(np.allclose(np.linalg.norm(X[y == 0], axis=1), 1.0))
    True
    """
    size = _require_size(n, "n", minimum=2)
    level = _require_noise(noise)
    rng = _generator(seed)
    n_upper = size // 2
    upper = np.linspace(0, np.pi, n_upper)
    lower = np.linspace(0, np.pi, size - n_upper)
    X = np.concatenate(
        [
            np.column_stack([np.cos(upper), np.sin(upper)]),
            np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)]),
        ]
    )
    y = np.repeat([0.0, 1.0], [n_upper, size - n_upper])
    X += level * rng.standard_normal(X.shape)
    return _shuffled(rng, X, y)


def make_circles(
    n: int = 200, *, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[Array, Array]:
    """Two concentric circles: label 0 on the unit circle, label 1 on radius ``factor``.

    Parameters
    ----------
    n : int, default 200
        Number of points.
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to both coordinates.
    factor : float, default 0.5
        Radius of the inner circle, in (0, 1).
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``.
    y : numpy.ndarray
        Shape ``(n,)``, values 0.0 and 1.0.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an integer, or ``noise`` or ``factor`` not a real number.
    ValueError
        If ``n < 2``, ``noise`` or ``seed`` is negative or ``factor`` is outside (0, 1).

    Examples
    --------
    >>> X, y = make_circles(6, noise=0.0, factor=0.5)
    >>> np.linalg.norm(X, axis=1)[np.argsort(y)].round(6).tolist()
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    """
    size = _require_size(n, "n", minimum=2)
    radius = real_number(factor, "factor", low=0.0, high=1.0, inclusive=(False, False))
    level = _require_noise(noise)
    rng = _generator(seed)
    n_outer = size // 2
    # endpoint=False: 0 and 2 pi are the same point, which would be drawn twice.
    outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, size - n_outer, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            radius * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
    )
    y = np.repeat([0.0, 1.0], [n_outer, size - n_outer])
    X += level * rng.standard_normal(X.shape)
    return _shuffled(rng, X, y)


def make_spirals(
    n: int = 300, *, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[Array, Array]:
    """Interleaved spiral arms, one per class (the CS231n toy problem).

    Parameters
    ----------
    n : int, default 300
        Total number of points, split as evenly as possible between the classes.
    n_classes : int, default 3
        Number of arms (and labels ``0, ..., n_classes - 1``).
    noise : float, default 0.2
        Standard deviation, in radians, of the noise added to each point's angle.
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``, inside the unit disc.
    y : numpy.ndarray
        Shape ``(n,)``, values ``0.0, ..., n_classes - 1``.

    Raises
    ------
    TypeError
        If ``n``, ``n_classes`` or ``seed`` is not an integer or ``noise`` not a real number.
    ValueError
        If ``n < n_classes``, ``n_classes < 2``, or ``noise`` or ``seed`` is negative.

    Notes
    -----
    Arm ``j`` goes from the centre outwards through angles ``4 j`` to ``4 (j + 1)`` radians:
    each arm winds about two thirds of a turn, so every pair of arms interleaves.

    Examples
    --------
    >>> X, y = make_spirals(30, n_classes=3)
    >>> np.bincount(y.astype(int)).tolist(), bool(np.all(np.linalg.norm(X, axis=1) <= 1))
    ([10, 10, 10], True)
    """
    classes = _require_size(n_classes, "n_classes", minimum=2)
    size = _require_size(n, "n", minimum=classes)
    level = _require_noise(noise)
    rng = _generator(seed)
    y = np.arange(size) % classes
    # Position along the arm, 0 at the centre and 1 at the tip, evenly spaced within a class.
    rank = np.arange(size) // classes
    counts = np.bincount(y, minlength=classes)
    radius = rank / np.maximum(counts[y] - 1, 1)
    angle = 4.0 * (y + radius) + level * rng.standard_normal(size)
    X = radius[:, np.newaxis] * np.column_stack([np.sin(angle), np.cos(angle)])
    return _shuffled(rng, X, y.astype(np.float64))


#: The sequence-to-sequence tasks :func:`make_sequence_task` knows, and what each target is.
SEQUENCE_TASKS = {
    "reverse": "the sequence read backwards",
    "sort": "the same symbols in increasing order",
}
#: The longest sequence :func:`make_sequence_task` draws: a toy task, not a corpus.
MAX_LENGTH = 1000


def make_sequence_task(
    n: int = 1000,
    *,
    length: int = 8,
    n_symbols: int = 10,
    task: str = "reverse",
    seed: int = 0,
) -> tuple[Tokens, Tokens]:
    """Random sequences of symbols (tokens) and their targets for a small sequence model.

    Parameters
    ----------
    n : int, default 1000
        Number of sequences.
    length : int, default 8
        Number of symbols in each sequence.
    n_symbols : int, default 10
        Size of the vocabulary: every symbol is an integer ``0, ..., n_symbols - 1``, drawn
        uniformly and independently (with 10, the sequences are strings of digits).
    task : {"reverse", "sort"}, default "reverse"
        What the target is: the sequence read backwards, or its symbols in increasing order.
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, length)``, dtype ``int64``: the input sequences, one per row.
    Y : numpy.ndarray
        Shape ``(n, length)``, dtype ``int64``: the target for every position of every
        sequence.

    Raises
    ------
    TypeError
        If ``n``, ``length``, ``n_symbols`` or ``seed`` is not an integer, or ``task`` not a
        string.
    ValueError
        If ``n`` or ``length`` is not positive, ``n_symbols < 2``, ``seed`` is negative, or
        ``task`` is not one of the tasks above.

    Notes
    -----
    The arrays are integers, not floats: they index an embedding table. Position ``i`` of a
    reversed sequence holds input position ``length - 1 - i`` (counting from 0), so a model
    must look across the sequence to produce it. The chapter :doc:`/transformer` trains a
    transformer block on the reversal task.

    Examples
    --------
    >>> X, Y = make_sequence_task(2, length=5, seed=0)
    >>> X.shape, Y.shape, X.dtype.name
    ((2, 5), (2, 5), 'int64')
    >>> bool(np.array_equal(Y, X[:, ::-1]))
    True
    >>> X, Y = make_sequence_task(3, length=4, task="sort")
    >>> bool(np.all(np.diff(Y, axis=1) >= 0))
    True
    """
    size = _require_size(n, "n")
    steps = require_integer(
        length,
        "length",
        minimum=1,
        maximum=MAX_LENGTH,
        advice="a toy sequence task needs a handful of symbols per sequence",
    )
    symbols = require_integer(
        n_symbols,
        "n_symbols",
        minimum=2,
        maximum=MAX_LENGTH,
        advice="a toy vocabulary has a few symbols, such as the 10 digits",
    )
    if size * steps > MAX_POINTS:
        raise ValueError(
            f"n * length must be at most {MAX_POINTS:,} symbols, got {n!r} * {length!r}; "
            "a toy sequence task needs a few thousand sequences of a few symbols"
        )
    chosen = one_of(task, "task", SEQUENCE_TASKS)
    rng = _generator(seed)
    X = rng.integers(0, symbols, size=(size, steps), dtype=np.int64)
    Y = X[:, ::-1].copy() if chosen == "reverse" else np.sort(X, axis=1)
    return X, Y


def load_digits() -> tuple[Array, Array]:
    """The 1797 8x8 handwritten digits bundled with scikit-learn, pixels scaled to [0, 1].

    Returns
    -------
    X : numpy.ndarray
        Shape ``(1797, 64)``: each row an image, raw intensities 0 to 16 divided by 16.
    y : numpy.ndarray
        Shape ``(1797,)``, the digits ``0.0, ..., 9.0``.

    Raises
    ------
    ImportError
        If scikit-learn is not installed (it is part of the ``docs`` extra).

    Notes
    -----
    A copy of the UCI optical digits test set; scikit-learn ships it inside its wheel, so
    nothing is downloaded.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, float(X.max())
    ((1797, 64), 1.0)
    """
    table = _bundled_digits()
    if table is not None:
        return table[:, :-1] / 16.0, table[:, -1]
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError(
            "load_digits reads the digits that ship with scikit-learn, which is not installed; "
            "install the docs extra: pip install 'calcml[docs]' (or pip install scikit-learn)"
        ) from error
    digits = sklearn_load_digits()
    return np.asarray(digits.data, dtype=np.float64) / 16.0, np.asarray(
        digits.target, dtype=np.float64
    )


def _bundled_digits() -> Array | None:
    """scikit-learn's digits file read directly, shape ``(1797, 65)`` (64 pixels, then the
    label), or None when it is not where scikit-learn keeps it or not of that shape.

    Importing scikit-learn costs 1 to 2 seconds, nearly all of loading the digits; the file
    is read here as scikit-learn's own ``load_digits`` reads it. Where the file is missing or
    changed, :func:`load_digits` falls back to scikit-learn's function.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        return None
    table = np.loadtxt(path, delimiter=",")
    return table if table.shape == (1797, 65) else None


def train_test_split(
    X: ArrayLike, y: ArrayLike, *, test_fraction: float = 0.25, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """Split rows at random into a training and a test set.

    Parameters
    ----------
    X : array_like
        Features, shape ``(n, ...)``.
    y : array_like
        Targets, shape ``(n,)``.
    test_fraction : float, default 0.25
        Share of the rows held out, in (0, 1); rounded so both sets are non-empty.
    seed : int, default 0
        Seed of the random generator, an integer >= 0: the same seed, the same data.

    Returns
    -------
    X_train, X_test, y_train, y_test : numpy.ndarray
        In scikit-learn's order.

    Raises
    ------
    TypeError
        If ``X`` or ``y`` does not hold real numbers, ``test_fraction`` is not a real number or
        ``seed`` not an integer.
    ValueError
        If ``X`` and ``y`` disagree on the number of rows, there are fewer than 2 rows, a value
        is not finite, ``test_fraction`` is outside (0, 1) or ``seed`` is negative.

    Examples
    --------
    >>> X, y = make_line(8)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25)
    >>> X_train.shape, X_test.shape
    ((6, 1), (2, 1))
    """
    features = as_float_array(X, "X")
    targets = as_float_array(y, "y")
    if features.ndim == 0 or targets.ndim != 1 or features.shape[0] != targets.shape[0]:
        raise ValueError(
            f"X must have one row per entry of the 1-D y, got shapes {features.shape} and "
            f"{targets.shape}"
            + ("; flatten y with y.ravel()" if targets.ndim == 2 and 1 in targets.shape else "")
        )
    fraction = real_number(
        test_fraction, "test_fraction", low=0.0, high=1.0, inclusive=(False, False)
    )
    rng = _generator(seed)
    n = len(targets)
    if n < 2:
        raise ValueError(
            f"X and y must have at least 2 rows to split into a training and a test set, got {n}"
        )
    n_test = min(max(round(fraction * n), 1), n - 1)
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    return features[train], features[test], targets[train], targets[test]
