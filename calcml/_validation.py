"""Input validation shared by every module, so that errors read the same everywhere."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

# --------------------------------------------------------------------------------------------
# Scalars, choices and sequences (validation helper). Every helper refuses a wrong *type* with
# TypeError and a wrong *value* with ValueError, and its message names the argument, shows what
# was given, says what is expected and what to do. Other helpers add theirs at the end of file.
# --------------------------------------------------------------------------------------------

#: The most characters of a received value quoted in a message.
_MAX_SHOWN = 60

#: The most points per side of a grid of a function of two variables (for contours, surfaces,
#: decision boundaries): 2000 x 2000 points take 64 MB per array.
MAX_GRID = 2000


def shown(value: Any) -> str:
    """A short description of ``value`` for an error message: its repr, cut, and its type.

    Examples
    --------
    >>> shown("10")
    "'10' (a str)"
    >>> shown(list(range(100)))[:24]
    '[0, 1, 2, 3, 4, 5, 6, 7,'
    """
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    kind = type(value).__name__
    return f"{text} ({'an' if kind[0] in 'aeiou' else 'a'} {kind})"


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def require_integer(
    value: Any, name: str, *, minimum: int, maximum: int | None = None, advice: str = ""
) -> int:
    """Return ``value`` as an ``int`` in ``[minimum, maximum]``, or raise naming ``name``.

    ``advice`` ends the message of a value above ``maximum`` (what to do instead).

    Raises
    ------
    TypeError
        If ``value`` is not an integer (a bool, a float such as ``5.0``, a string, None).
    ValueError
        If it lies outside the range.

    Examples
    --------
    >>> require_integer(3, "n", minimum=1)
    3
    >>> require_integer(0, "n", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 0 (an int)
    """
    expected = f"an integer >= {minimum}" + (f" and <= {maximum:,}" if maximum is not None else "")
    if not _is_integer(value):
        whole = isinstance(value, float | np.floating) and float(value).is_integer()
        hint = f"; pass int({value!r})" if whole else ""
        raise TypeError(f"{name} must be {expected}, got {shown(value)}{hint}")
    if value < minimum:
        raise ValueError(f"{name} must be {expected}, got {shown(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name} must be {expected}, got {shown(value)}" + (f"; {advice}" if advice else "")
        )
    return int(value)


def require_seed(seed: Any, name: str = "seed") -> int:
    """Return ``seed`` if it is an integer >= 0, the seeds numpy's generators accept.

    Examples
    --------
    >>> require_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an integer >= 0, got -1 (an int); any fixed integer such as 0 \
draws the same data on every run, and another integer other data
    """
    if _is_integer(seed) and seed < 0:
        raise ValueError(
            f"{name} must be an integer >= 0, got {shown(seed)}; any fixed integer such as 0 "
            "draws the same data on every run, and another integer other data"
        )
    return require_integer(seed, name, minimum=0)


def real_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    inclusive: tuple[bool, bool] = (True, True),
) -> float:
    """Return ``value`` as a finite ``float`` inside the given range, or raise naming ``name``.

    ``low`` and ``high`` bound the range (None: unbounded); ``inclusive`` says whether each end
    belongs to it.

    Raises
    ------
    TypeError
        If ``value`` is not one real number: None, a string, a bool, a list or an array with
        more than one element, a complex number.
    ValueError
        If it is NaN, infinite or outside the range.

    Examples
    --------
    >>> real_number(0.25, "test_fraction", low=0, high=1, inclusive=(False, False))
    0.25
    >>> real_number("0.25", "test_fraction")
    Traceback (most recent call last):
    ...
    TypeError: test_fraction must be a real number, got '0.25' (a str); pass float('0.25')
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
            value = value.item()
        else:
            hint = f"; pass float({value!r})" if _reads_as_number(value) else ""
            raise TypeError(f"{name} must be a real number, got {shown(value)}{hint}")
    number = float(value)
    low_open, high_open = not inclusive[0], not inclusive[1]
    too_low = low is not None and (number < low or (low_open and number == low))
    too_high = high is not None and (number > high or (high_open and number == high))
    if not np.isfinite(number) or too_low or too_high:
        raise ValueError(f"{name} must be {_range_text(low, high, inclusive)}, got {shown(value)}")
    return number


def _reads_as_number(text: Any) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return isinstance(text, str)


def _range_text(low: float | None, high: float | None, inclusive: tuple[bool, bool]) -> str:
    if low is not None and high is not None:
        left, right = "[" if inclusive[0] else "(", "]" if inclusive[1] else ")"
        return f"a finite number in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"a finite number {'>=' if inclusive[0] else '>'} {low:g}"
    if high is not None:
        return f"a finite number {'<=' if inclusive[1] else '<'} {high:g}"
    return "a finite number"


def require_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is True or False; refuse the truthy strings and None.

    Examples
    --------
    >>> require_bool("no", "log")
    Traceback (most recent call last):
    ...
    TypeError: log must be True or False, got 'no' (a str)
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def require_string(value: Any, name: str) -> str:
    """Return ``value`` if it is a ``str`` (a label, a name), else raise ``TypeError``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {shown(value)}; pass e.g. str(value)")
    return value


def one_of(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of the strings ``choices``, else raise naming them all.

    Examples
    --------
    >>> one_of("centre", "method", ("forward", "central"))
    Traceback (most recent call last):
    ...
    ValueError: method must be one of 'forward', 'central', got 'centre' (a str)
    """
    options = tuple(choices)
    listed = ", ".join(repr(option) for option in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {shown(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {listed}, got {shown(value)}")
    return value


def string_sequence(
    value: Any, name: str, choices: Iterable[str] | None = None, *, minimum: int = 1
) -> tuple[str, ...]:
    """Return ``value`` as a tuple of strings (each one of ``choices``, if given).

    A bare string is refused rather than read as its characters: ``methods="central"`` would
    otherwise mean the seven methods ``"c"``, ``"e"``, ...

    Examples
    --------
    >>> string_sequence(["forward", "central"], "methods")
    ('forward', 'central')
    >>> string_sequence("central", "methods")
    Traceback (most recent call last):
    ...
    TypeError: methods must be a list of strings, got the bare string 'central'; pass \
['central'] for a single one
    """
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be a list of strings, got the bare string {value!r}; pass "
            f"[{value!r}] for a single one"
        )
    if not isinstance(value, Sequence | np.ndarray | set | frozenset | tuple):
        raise TypeError(f"{name} must be a list of strings, got {shown(value)}")
    items = tuple(value)
    if len(items) < minimum:
        raise ValueError(f"{name} must hold at least {minimum} string(s), got {shown(value)}")
    options = None if choices is None else tuple(choices)
    for index, item in enumerate(items):
        if options is None:
            require_string(item, f"{name}[{index}]")
        else:
            one_of(item, f"{name}[{index}]", options)
    return items


def integer_sequence(value: Any, name: str, *, minimum: int) -> tuple[int, ...]:
    """Return ``value`` as a tuple of integers >= ``minimum``; a bare number or string is refused.

    Examples
    --------
    >>> integer_sequence((1, 2), "orders", minimum=1)
    (1, 2)
    """
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise TypeError(
            f"{name} must be a list of integers >= {minimum}, got {shown(value)}"
            + (f"; pass [{value!r}] for a single one" if _is_integer(value) else "")
        )
    return tuple(
        require_integer(item, f"{name}[{index}]", minimum=minimum)
        for index, item in enumerate(value)
    )


def require_callable(value: Any, name: str, expected: str) -> Callable[..., Any]:
    """Return ``value`` if it can be called, else raise ``TypeError`` saying what it should be.

    ``expected`` describes the function, e.g. ``"a function of x returning a number"``.
    """
    if not callable(value):
        raise TypeError(f"{name} must be {expected}, got {shown(value)}")
    function: Callable[..., Any] = value
    return function


def interval(value: Any, name: str) -> tuple[float, float]:
    """Return ``value`` as a pair ``(low, high)`` of finite floats with ``low < high``.

    The width ``high - low`` must be finite too (``(-1e308, 1e308)`` is not), and more than a
    few ulp, so that points spread across it are distinct.

    Examples
    --------
    >>> interval((0, 2), "x_range")
    (0.0, 2.0)
    >>> interval((2, 0), "x_range")
    Traceback (most recent call last):
    ...
    ValueError: x_range must be a pair (low, high) of finite numbers with low < high, got (2, 0) \
(a tuple); swap them
    """
    if not _is_sequence(value):
        raise TypeError(
            f"{name} must be a pair (low, high) of finite numbers, e.g. (0.0, 1.0), "
            f"got {shown(value)}"
        )
    pair = as_float_array(value, name)
    if pair.ndim != 1 or pair.shape != (2,):
        raise ValueError(
            f"{name} must be a pair (low, high) of finite numbers, e.g. (0.0, 1.0), "
            f"got {pair.size} numbers: {shown(value)}"
        )
    low, high = float(pair[0]), float(pair[1])
    if not low < high:
        raise ValueError(
            f"{name} must be a pair (low, high) of finite numbers with low < high, got "
            f"{shown(value)}" + ("; swap them" if low > high else "; widen it")
        )
    width = high - low
    if not np.isfinite(width) or width <= 64 * np.spacing(max(abs(low), abs(high))):
        raise ValueError(
            f"{name} = {shown(value)} is too "
            + ("wide: its width overflows" if not np.isfinite(width) else "narrow to resolve")
            + "; choose an interval whose width is a finite number well above the spacing of "
            "floats at its ends"
        )
    return low, high


def bounds_2d(value: Any, name: str = "bounds") -> tuple[tuple[float, float], tuple[float, float]]:
    """Return ``value`` as ``((x_low, x_high), (y_low, y_high))``, each checked by
    :func:`interval`, or raise naming ``name``.
    """
    expected = f"{name} must be ((x_low, x_high), (y_low, y_high)), e.g. ((-1, 1), (-1, 1))"
    if not _is_sequence(value):
        raise TypeError(f"{expected}, got {shown(value)}")
    if len(value) != 2:
        raise ValueError(f"{expected}, got {len(value)} pair(s): {shown(value)}")
    first, second = value
    return interval(first, f"{name}[0]"), interval(second, f"{name}[1]")


def _is_sequence(value: Any) -> bool:
    """A list, tuple or array of at least one dimension; not a string, a number or None."""
    if isinstance(value, np.ndarray):
        return value.ndim > 0
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


# --------------------------------------------------------------------------------------------
# Arrays (shared by every module)
# --------------------------------------------------------------------------------------------


#: What to do with complex input, where a caller has nothing better to say.
REAL_PART = "pass the real part explicitly, e.g. np.real(x)"


def as_float_array(
    value: ArrayLike, name: str, *, booleans: bool = True, complex_advice: str = REAL_PART
) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, or raise naming ``name``.

    ``booleans=False`` refuses True/False instead of reading them as 1.0/0.0;
    ``complex_advice`` ends the message that refuses complex values (what to do instead).

    Raises
    ------
    TypeError
        If ``value`` cannot be read as real numbers (None, text, a ragged list, complex
        values), or holds booleans and ``booleans`` is False.
    ValueError
        If ``value`` holds NaN or infinity.

    Examples
    --------
    >>> as_float_array([True, False], "x", booleans=False)
    Traceback (most recent call last):
    ...
    TypeError: x must be a real number or an array of real numbers, got booleans: \
[True, False] (a list); pass numbers, e.g. np.asarray(x, dtype=float) for 1.0 and 0.0
    """
    if value is None or isinstance(value, str | bytes):
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {shown(value)}"
            + ("; convert the text with float() first" if value is not None else "")
        )
    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "c":
            raise TypeError("complex values")
        array = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError) as error:
        _reraise_detached(error)
        reason = (
            f"its values are complex; {complex_advice}"
            if "complex" in str(error)
            else "its rows have different lengths"
            if "inhomogeneous" in str(error)
            else "it holds something other than numbers"
        )
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got {shown(value)}: "
            f"{reason}"
        ) from error
    if raw.dtype.kind == "b" and not booleans:
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got booleans: "
            f"{shown(value)}; pass numbers, e.g. np.asarray({name}, dtype=float) for 1.0 and 0.0"
        )
    if raw.dtype.kind in "US":
        raise TypeError(
            f"{name} must be a real number or an array of real numbers, got strings: "
            f"{shown(value)}; convert them with float() first"
        )
    if raw.dtype.kind == "O" and not np.isfinite(array).all():
        _refuse_none_inside(raw, name)
    require_finite(array, name)
    return array


def _reraise_detached(error: Exception) -> None:
    """Let the engine's own error through: converting a traced value is not a type mistake."""
    # Imported here: calcml.autodiff imports this module.
    from calcml.autodiff import UnsupportedOperationError

    if isinstance(error, UnsupportedOperationError):
        raise error


def _refuse_none_inside(raw: NDArray[Any], name: str) -> None:
    """NumPy reads a ``None`` element as NaN; say ``None``, not "holds nan"."""
    missing = np.argwhere(np.vectorize(lambda item: item is None, otypes=[bool])(raw))
    if missing.size:
        first = tuple(int(i) for i in missing[0])
        raise TypeError(
            f"{name} must hold real numbers, but it holds None"
            + (f" at index {first}" if first else "")
            + "; fill in the missing values"
        )


def require_finite(array: NDArray[Any], name: str) -> None:
    """Raise ``ValueError`` naming ``name`` when ``array`` holds NaN or infinity."""
    finite = np.isfinite(array)
    # The method, not np.all: this runs on every argument of every call, and the function's
    # dispatch costs more than the check on a small array.
    if not finite.all():
        where = np.argwhere(~finite)
        first = tuple(int(i) for i in where[0]) if array.ndim else ()
        raise ValueError(
            f"{name} must be finite, but it holds {array[first].item()!r}"
            + (f" at index {first}" if first else "")
            + f" ({int(where.shape[0]) if array.ndim else 1} non-finite value(s) in all)"
        )


def require_positive(value: float, name: str) -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise naming ``name``."""
    return real_number(value, name, low=0.0, inclusive=(False, True))
