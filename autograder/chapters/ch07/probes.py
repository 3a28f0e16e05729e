"""Chapter 7's probes: the only code that calls the student's functions. Each returns plain data.

Nothing here trains. ``build_improved_model`` is built and inspected (compile settings, layers, one
forward pass on two random images); ``collect_predictions`` gets a tiny kit model with fixed weights
and a dataset that counts how often it is read. The accuracy rows hand the builder's architecture
to the grader's evaluator (:mod:`..earned`), which trains it where no student code runs.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from ..probing import architecture_of, as_array, compile_facts, counting_dataset, figure_of, shares_architecture
from . import cases

RESULT_KEYS = ("labels", "predicted", "probabilities", "images")


class FakeHistory:
    """What ``model.fit`` returns, as far as plotting goes: ``.history`` and ``.epoch``."""

    def __init__(self, history: dict, epoch: list[int]):
        self.history, self.epoch = history, epoch


def plot_history(plot_history, case: cases.History, inputs_dir: Path) -> dict:
    values = case.values()
    if case.real:  # a keras History as fit leaves it, with the key a learning-rate schedule adds
        import keras

        history = keras.callbacks.History()
        history.history = {**values, "learning_rate": [0.001] * case.epochs}
        history.epoch = list(range(case.epochs))
    else:
        history = FakeHistory(values, list(range(case.epochs)))
    return figure_of(plot_history, history)


def _loss_name(model, facts: dict) -> str:
    """The loss's class name when it is a Loss object (SparseCategoricalCrossentropy), else its name."""
    import keras

    loss = getattr(model, "loss", None)
    return type(loss).__name__ if isinstance(loss, keras.losses.Loss) else facts["loss"]


def build_improved_model(build_improved_model, case: cases.Improved, inputs_dir: Path) -> dict:
    import keras

    model = build_improved_model(case.num_classes, case.input_shape, learning_rate=case.learning_rate)
    if not isinstance(model, keras.Model):
        raise TypeError(f"build_improved_model must return a keras Model, got {type(model).__name__}")
    pixels = np.random.default_rng(7).uniform(0, 255, size=(2, *case.input_shape)).astype(np.float32)
    outputs = as_array(model(pixels, training=False), "the model's output").astype(np.float64)
    facts = compile_facts(model)
    found = {"output_shape": [None if size is None else int(size) for size in model.output_shape],
             "softmax_output": bool(outputs.ndim == 2 and outputs.min() >= 0
                                    and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4)),
             "compiled": facts is not None,
             "parameters": int(model.count_params()),
             "dropout_rates": [], "l2_factors": [], "rescaling": [], "foreign_layers": []}
    flatten = getattr(model, "_flatten_layers", None)  # nested models' layers too, where Keras offers it
    every_layer = list(flatten(include_self=False, recursive=True)) if flatten else list(model.layers)
    for layer in every_layer:
        kind = type(layer)
        if not kind.__module__.startswith("keras"):
            found["foreign_layers"].append(kind.__name__)
        if isinstance(layer, keras.layers.Dropout):
            found["dropout_rates"].append(float(layer.rate))
        if isinstance(layer, keras.layers.Rescaling):
            found["rescaling"].append(float(np.asarray(layer.scale).mean()))
        regularizer = getattr(layer, "kernel_regularizer", None)
        factor = float(getattr(regularizer, "l2", 0.0) or 0.0) if regularizer is not None else 0.0
        if factor > 0:
            found["l2_factors"].append(factor)
    if facts is not None:
        found["loss"] = {"name": _loss_name(model, facts), "from_logits": facts["from_logits"]}
        found["optimizer"] = facts["optimizer"]
        found["learning_rate"] = facts["learning_rate"]
        found["metrics"] = facts["metrics"]
    return found


def improved_accuracy(build_improved_model, case: cases.Accuracy, inputs_dir: Path) -> dict:
    """The architecture of a fresh model, and nothing else; the grader trains it elsewhere."""
    return architecture_of(build_improved_model, cases.GRADER_LEARNING_RATE)


# Both accuracy rows observe the same architecture: the grader trains it once for the two.
shares_architecture(improved_accuracy, cases.GRADER_LEARNING_RATE)


def make_early_stopping(make_early_stopping, case: cases.EarlyStopping, inputs_dir: Path) -> dict:
    import keras

    callback = make_early_stopping(case.patience)
    if not isinstance(callback, keras.callbacks.EarlyStopping):
        return {"type": type(callback).__name__}
    return {"type": "EarlyStopping", "monitor": str(callback.monitor), "mode": str(callback.mode),
            "patience": float(callback.patience), "restore_best_weights": bool(callback.restore_best_weights)}


def _kit_model(weights: np.ndarray, bias: np.ndarray, dropout: bool):
    """A tiny logits model (Rescaling, Flatten, [Dropout], Dense) with fixed weights."""
    import keras

    stack = [keras.Input(shape=cases.KIT_IMAGE_SHAPE), keras.layers.Rescaling(1 / 255), keras.layers.Flatten()]
    if dropout:  # off in inference mode; scrambles the outputs of a model called with training=True
        stack.append(keras.layers.Dropout(0.5, seed=3))
    stack.append(keras.layers.Dense(weights.shape[1]))
    model = keras.Sequential(stack)
    model.layers[-1].set_weights([weights, bias])
    return model


def collect_predictions(collect_predictions, case: cases.Collect, inputs_dir: Path) -> dict:
    """A dataset that counts the elements it hands out (one pass = count), and a kit model whose
    predict counts its calls. Shuffled, the dataset gives another order on every pass."""
    import tensorflow as tf

    images, labels, weights, bias = case.inputs()
    produced, calls = [0], [0]
    dataset = counting_dataset(zip(images, labels), (tf.TensorSpec(shape=cases.KIT_IMAGE_SHAPE, dtype=tf.float32),
                                                     tf.TensorSpec(shape=(), dtype=tf.int32)), produced)
    if case.shuffle:
        dataset = dataset.shuffle(case.count, seed=case.seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(case.batch)
    model = _kit_model(weights, bias, case.dropout)
    predict = model.predict

    def counting_predict(*args, **kwargs):
        calls[0] += 1
        return predict(*args, **kwargs)

    model.predict = counting_predict
    result = collect_predictions(model, dataset)
    if not isinstance(result, dict) or any(key not in result for key in RESULT_KEYS):
        have = sorted(map(str, result)) if isinstance(result, dict) else type(result).__name__
        raise TypeError(f"collect_predictions must return a dict with keys {list(RESULT_KEYS)}, got {have}")
    found = {key: as_array(result[key], key) for key in RESULT_KEYS}
    return {**found, "produced": produced[0], "predict_calls": calls[0]}


def confusion_matrix(confusion_matrix, case: cases.Confusion, inputs_dir: Path) -> dict:
    labels, predicted = case.inputs()
    given = (labels.tolist(), predicted.tolist()) if case.as_list else (labels.copy(), predicted.copy())
    return {"matrix": as_array(confusion_matrix(*given, case.classes), "the confusion matrix")}


def plot_confusion_matrix(plot_confusion_matrix, case: cases.Heatmap, inputs_dir: Path) -> dict:
    labels, predicted = case.inputs()
    return figure_of(plot_confusion_matrix, labels.copy(), predicted.copy(), list(case.class_names),
                     normalize=case.normalize)


def worst_k(worst_k, case: cases.Worst, inputs_dir: Path) -> dict:
    probabilities, labels = case.inputs()
    given_labels = labels.tolist() if case.as_list else labels.copy()
    return {"indices": as_array(worst_k(probabilities.copy(), given_labels, case.class_index, case.k), "indices")}


def to_display(to_display, case: cases.Display, inputs_dir: Path) -> dict:
    outputs, unchanged = [], True
    for image in case.images():
        given = image.copy()
        outputs.append(as_array(to_display(given), "the display image"))
        unchanged = unchanged and np.array_equal(given, image)
    return {"outputs": outputs, "unchanged": unchanged}


def plot_predictions(plot_predictions, case: cases.Predictions, inputs_dir: Path) -> dict:
    results = {key: value.copy() for key, value in case.results().items()}
    return figure_of(plot_predictions, results, np.asarray(case.indices), list(data.CLASS_NAMES))
