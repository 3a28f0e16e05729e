"""Chapter 8's probes: the only code that calls the student's functions. Each returns plain data.

The tf-explain probes explain the corner model (:func:`cases.corner_model`), which exists only
here, where the student's code runs: they also compute, with the kit's code in ``reference``, what
needs that model (its argmax, the kit's heat maps and overlays), before calling the student's
function or on the images it chose.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from ..common import describe
from ..probing import as_array, figure_of
from . import cases
from .reference import predicted_classes, reference_heatmaps, reference_overlays


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
    classes = predicted_classes(model, images)
    reference = reference_heatmaps(model, images, classes, cases.LAYER_NAME)
    heatmaps = _numeric(gradcam_heatmaps(model, images.copy(), classes.copy(), cases.LAYER_NAME), "the heat maps")
    return {"heatmaps": heatmaps, "classes": classes, "reference": reference}


def explain_examples(explain_examples, case: cases.Explain, inputs_dir: Path) -> dict:
    model = cases.corner_model()
    images = case.images()
    classes = predicted_classes(model, images)
    result = explain_examples(model, images.copy(), case.n, case.seed, cases.LAYER_NAME)
    again = explain_examples(model, images.copy(), case.n, case.seed, cases.LAYER_NAME)
    other = explain_examples(model, images.copy(), case.n, case.other_seed, cases.LAYER_NAME)
    if not all(isinstance(value, dict) for value in (result, again, other)):
        raise TypeError(f"explain_examples must return a dict, got {type(result).__name__}")
    missing = [key for key in ("indices", "classes", "heatmaps", "overlays") if key not in result]
    if missing:
        raise KeyError(f"the dict explain_examples returns has no key(s) {missing}")
    indices = _indices(result["indices"], "indices")
    chosen = [index for index in indices if 0 <= index < case.count]
    named = [int(value) for value in _indices(result["classes"], "classes")]
    reference = reference_heatmaps(model, images[chosen], classes[chosen], cases.LAYER_NAME)
    overlays = reference_overlays(model, images[chosen], classes[chosen], cases.LAYER_NAME) if chosen else \
        np.zeros((0, cases.IMAGE_SIDE, cases.IMAGE_SIDE, 3), np.uint8)
    # What the classes the student named give on the pixels as they are, and what the model answers
    # on pixels divided by 255: which of the two the student's heat maps match tells the fault apart.
    named_ok = len(named) == len(chosen) and all(0 <= value < len(cases.CORNERS) for value in named)
    for_named = reference_heatmaps(model, images[chosen], named, cases.LAYER_NAME) if named_ok and chosen else \
        np.zeros((0, cases.IMAGE_SIDE, cases.IMAGE_SIDE), np.float32)
    scaled_classes = predicted_classes(model, images.astype(np.float32) / 255.0)
    return {"indices": indices, "again": _indices(again.get("indices", []), "indices"),
            "other": _indices(other.get("indices", []), "indices"),
            "classes": named,
            "heatmaps": _numeric(result["heatmaps"], "the heat maps"),
            "overlays": _numeric(result["overlays"], "the overlays"),
            "model_classes": classes, "scaled_classes": scaled_classes, "reference_overlays": overlays,
            "reference": reference, "reference_for_named": for_named}


def plot_explanations(plot_explanations, case: cases.Plot, inputs_dir: Path) -> dict:
    explanation = {key: value.copy() for key, value in case.inputs().items()}
    return figure_of(plot_explanations, explanation, list(data.CLASS_NAMES), colorbars=True)
