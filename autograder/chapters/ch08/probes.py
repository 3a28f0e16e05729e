"""Chapter 8's probes: the only code that calls the student's functions. Each returns plain data.

The tf-explain probes explain the corner model (:func:`cases.corner_model`, trained from its seeds in
this process) and return only what the student's functions returned, with the classes they were asked
for. The kit's answers that need that model (its argmax, the kit's heat maps and overlays) are never
computed here, where student code could patch TensorFlow, Keras or NumPy: on the grader side the
checks' trusted ``measure`` steps compute them from the kit's own copy of the model, in a process that
holds no student code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from ..common import describe, predicted_classes
from ..probing import as_array, figure_of
from . import cases


def _indices(value, what: str) -> list[int]:
    array = as_array(value, what)
    if array.ndim != 1:
        raise TypeError(f"{what} must be a 1-D sequence of ints, got {describe(array)}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.equal(np.mod(array, 1), 0)):
            raise TypeError(f"{what} must hold whole numbers, got dtype {array.dtype}")
    return [int(item) for item in array]


def _numeric(value, what: str) -> np.ndarray:
    array = as_array(value, what)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numbers, got dtype {array.dtype}")
    return array


def choose_examples(choose_examples, case: cases.Choose, inputs_dir: Path) -> dict:
    found = []
    for num_images, n, seed in case.calls:
        first = _indices(choose_examples(num_images, n, seed), "choose_examples' result")
        again = _indices(choose_examples(num_images, n, seed), "choose_examples' result") if case.repeat else first
        found.append({"indices": first, "again": again})
    return {"cases": found}


def _tiny_model(case: cases.TinyCNN):
    """The tiny CNN of ``case``, built with tf.keras and given its seeded weights."""
    import tensorflow as tf

    layers = tf.keras.layers
    stack = [layers.Input((case.height, case.width, 3))]
    if case.first_channels:
        stack.append(layers.Conv2D(case.first_channels, 3, padding="same", activation="relu", name="first_conv"))
    stack += [layers.Conv2D(case.channels, 3, padding="same", activation="relu", name=case.layer_name),
              layers.Flatten(), layers.Dense(case.classes, activation="softmax")]
    model = tf.keras.Sequential(stack, name="tiny_cnn")
    model.set_weights(case.weights())
    return model


def gradcam_heatmap(gradcam_heatmap, case: cases.TinyCNN, inputs_dir: Path) -> dict:
    model = _tiny_model(case)
    heatmaps = [_numeric(gradcam_heatmap(model, case.image(), int(class_index), case.layer_name), "the heat map")
                for class_index in case.class_indices]
    return {"heatmaps": heatmaps}


def gradcam_heatmaps(gradcam_heatmaps, case: cases.Heatmaps, inputs_dir: Path) -> dict:
    model = cases.corner_model()
    images, _ = case.images()
    classes = predicted_classes(model, images)  # the classes asked for (the trusted measure recomputes them)
    heatmaps = _numeric(gradcam_heatmaps(model, images.copy(), classes.copy(), cases.LAYER_NAME), "the heat maps")
    return {"heatmaps": heatmaps, "classes": classes}


def explain_examples(explain_examples, case: cases.Explain, inputs_dir: Path) -> dict:
    model = cases.corner_model()
    images = case.images()
    result = explain_examples(model, images.copy(), case.n, case.seed, cases.LAYER_NAME)
    again = explain_examples(model, images.copy(), case.n, case.seed, cases.LAYER_NAME)
    other = explain_examples(model, images.copy(), case.n, case.other_seed, cases.LAYER_NAME)
    if not all(isinstance(value, dict) for value in (result, again, other)):
        raise TypeError(f"explain_examples must return a dict, got {type(result).__name__}")
    missing = [key for key in ("indices", "classes", "heatmaps", "overlays") if key not in result]
    if missing:
        raise KeyError(f"the dict explain_examples returns has no key(s) {missing}")
    indices = _indices(result["indices"], "indices")
    named = _indices(result["classes"], "classes")
    return {"indices": indices, "again": _indices(again.get("indices", []), "indices"),
            "other": _indices(other.get("indices", []), "indices"),
            "classes": named,
            "heatmaps": _numeric(result["heatmaps"], "the heat maps"),
            "overlays": _numeric(result["overlays"], "the overlays")}


def plot_explanations(plot_explanations, case: cases.Plot, inputs_dir: Path) -> dict:
    explanation = {key: value.copy() for key, value in case.inputs().items()}
    return figure_of(plot_explanations, explanation, list(data.CLASS_NAMES), colorbars=True)
