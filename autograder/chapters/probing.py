"""Helpers shared by the chapters' probes: the only code, with the probes, that touches what a
student's function returned. Each turns live objects (figures, datasets, models, tensors) into
plain data, so that judges stay pure and nothing but data crosses the sandbox.

* :func:`figure_of` calls a plotting function and reads its figure through the ``Axes``;
* :func:`counting_dataset` is a generator-backed ``tf.data`` dataset that counts what it hands out;
* :func:`compile_facts` reads how a model was compiled (optimizer, rate, loss, from_logits, metrics);
* :func:`architecture_of` builds a fresh model with the student's builder and returns its architecture
  alone (the accuracy checks: the grader trains it elsewhere);
* :func:`as_array` and :func:`pair` accept what a student may return (tensors, lists, tuples).
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .. import data, training


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


# Where the figure a visible check's plotting function drew goes, as a picture for the student's feedback
# page: set by the batch grader's worker around each visible check (autograder/worker.py), None elsewhere.
# Never read by a check.
picture_sink: Callable | None = None


def figure_of(draw: Callable, *args, colorbars: bool = False, **kwargs) -> dict:
    """Call ``draw(*args, **kwargs)``, read the figure it returns through its ``Axes``
    (:func:`autograder.plotdata.figure_data`) and close every figure, whatever happens."""
    import matplotlib.pyplot as plt

    from ..plotdata import figure_data

    try:
        figure = draw(*args, **kwargs)
        found = figure_data(figure)
        if colorbars:
            found["colorbars"] = sum(1 for axes in figure.get_axes() if getattr(axes, "_colorbar", None))
        if picture_sink is not None:
            picture_sink(figure)
        return found
    finally:
        plt.close("all")


def counting_dataset(examples: Iterable[tuple], signature: tuple, produced: list):
    """A ``tf.data`` dataset of ``examples`` that adds one to ``produced[0]`` per element handed
    out: reading it twice without a cache, or ``list(dataset)`` to take a few, shows."""
    import tensorflow as tf

    examples = list(examples)

    def generate():
        for example in examples:
            produced[0] += 1
            yield example

    return tf.data.Dataset.from_generator(generate, output_signature=signature)


def _name(entry) -> str:
    if isinstance(entry, dict):
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        return str(entry.get("class_name") or config.get("name") or "")
    return "" if entry is None else str(entry)


def compile_facts(model) -> dict | None:
    """How ``model`` was compiled, as plain data (None when it is not compiled): the optimizer's
    class and learning rate, the loss's name and ``from_logits``, and the metrics' names."""
    if not getattr(model, "compiled", False):
        return None
    config = model.get_compile_config() or {}
    optimizer, loss = config.get("optimizer"), config.get("loss")
    rate = (optimizer.get("config") or {}).get("learning_rate") if isinstance(optimizer, dict) else None
    loss_config = loss.get("config") if isinstance(loss, dict) and isinstance(loss.get("config"), dict) else {}
    return {"optimizer": _name(optimizer),
            "learning_rate": float(rate) if isinstance(rate, (int, float)) else None,
            "loss": str(loss_config.get("name") or _name(loss)),
            "from_logits": bool(loss_config.get("from_logits", False)),
            "metrics": [_name(metric) for metric in (config.get("metrics") or [])]}


# The accuracy checks build the model for the images the grader trains on (the training budget's).
ACCURACY_INPUT_SHAPE = training.INPUT_SHAPE


def architecture_of(build_model, *args) -> dict:
    """A fresh model's architecture from the student's builder, called as
    ``build_model(num_classes, ACCURACY_INPUT_SHAPE, *args)``. Never trains: the trusted evaluator does."""
    return training.describe_architecture(build_model, len(data.CLASS_NAMES), ACCURACY_INPUT_SHAPE, *args)


def shares_architecture(probe, *args):
    """Mark ``probe`` as observing :func:`architecture_of` with these ``args``: probes with the same
    ``shared_by`` observe the same thing, so run_check measures them together and the validation and
    test checks of one architecture share one training (see autograder/nbcheck.py)."""
    probe.shared_by = ("architecture", ACCURACY_INPUT_SHAPE, args)
    return probe
