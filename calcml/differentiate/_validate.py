"""Checks on the arguments of the public functions, so each bad input gets a message that names
the argument, what was given and what is expected."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from calcml._validation import as_float_array, require_callable


def real_array(value: Any, name: str) -> NDArray[np.float64]:
    """``value`` as a finite float64 array, refusing what numpy would quietly convert.

    :func:`calcml._validation.as_float_array`, which refuses None, text, ragged lists and
    complex values, here also refuses booleans, and its advice for complex values says that the
    complex step is a method of this module, not an input.
    """
    return as_float_array(
        value,
        name,
        booleans=False,
        complex_advice="derivative(..., method='complex') puts the complex step in itself",
    )


def point(value: Any, name: str = "x") -> NDArray[np.float64]:
    """A point of a function of several variables: a non-empty real array."""
    array = real_array(value, name)
    if array.size == 0:
        raise ValueError(
            f"{name} must hold at least one coordinate, got an empty array of shape "
            f"{array.shape}; pass the point at which to differentiate, e.g. {name}=[1.0, 2.0]"
        )
    return array


def function(f: Any, name: str = "f") -> Callable[[Any], Any]:
    """``f`` itself, if it can be called."""
    return require_callable(f, name, "a function (a callable such as np.sin or lambda x: x**2)")


_PACKAGE = os.path.dirname(__file__)


def stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside this package."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level
