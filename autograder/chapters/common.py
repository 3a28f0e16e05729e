"""Small helpers shared by the chapter modules: converting what student code
returns into plain numpy data (in the probe) and describing arrays (in judges)."""
from __future__ import annotations

import numpy as np


def as_array(value, what: str) -> np.ndarray:
    """A numpy array from an array, a tensor or a list; TypeError naming ``what`` otherwise."""
    if hasattr(value, "numpy") and callable(value.numpy):  # a TensorFlow tensor
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"{what} could not be turned into a numeric array (got {type(value).__name__})")
    return array


def pair(result, function: str) -> tuple:
    """Unpack the ``(a, b)`` a function must return, with a clear error when it does not."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{function} must return a pair (images, labels), got {type(result).__name__}")
    return result[0], result[1]


def describe(array) -> str:
    array = np.asarray(array)
    return f"shape {tuple(array.shape)} and dtype {array.dtype}"


def first_difference(found, expected) -> str:
    """Say where two 1-D sequences first differ, for messages."""
    found, expected = list(found), list(expected)
    for index, (a, b) in enumerate(zip(found, expected)):
        if a != b:
            return f"position {index}: found {a!r}, expected {b!r}"
    return f"lengths: found {len(found)}, expected {len(expected)}"
