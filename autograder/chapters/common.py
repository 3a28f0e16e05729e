"""Small helpers shared by the chapters' references, probes and judges: describing arrays for
messages, a softmax, a kit model's argmax. No student code is called here (the probes' helpers are
in :mod:`.probing`)."""
from __future__ import annotations

import numpy as np


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


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64: the kit's own, for expected probabilities."""
    logits = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def predicted_classes(model, images) -> np.ndarray:
    """A Keras model's argmax on the pixels given (as float32, unchanged), as int64: one class per image."""
    return np.argmax(model.predict(np.asarray(images, np.float32), verbose=0), axis=1).astype(np.int64)
