"""Chapter 7's plot checks: training curves, the confusion heat map, the worst predictions.

Each probe calls the student's function on seeded inputs and reads the figure through
:func:`autograder.plotdata.figure_data` (lines, heat-map arrays, images, titles, labels,
tick labels, legend); the judges compare that with what the same seeds give here.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .. import data
from ..core import Verdict

METRICS = ("accuracy", "loss")


def _figure(figure) -> dict:
    import matplotlib.pyplot as plt

    from ..plotdata import figure_data

    try:
        return figure_data(figure)
    finally:
        plt.close("all")


def _close(a, b, atol: float = 1e-6) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol))


# --- plot_history ----------------------------------------------------------------------------

def history_values(epochs: int, seed: int) -> dict[str, list[float]]:
    """Seeded curves of an overfitting run: training improves steadily, validation wanders."""
    rng = np.random.default_rng(seed)
    curves = {"accuracy": np.sort(rng.uniform(0.35, 0.95, epochs)),
              "val_accuracy": rng.uniform(0.3, 0.7, epochs),
              "loss": np.sort(rng.uniform(0.2, 1.5, epochs))[::-1],
              "val_loss": rng.uniform(0.8, 1.4, epochs)}
    return {key: [round(float(value), 4) for value in values] for key, values in curves.items()}


class FakeHistory:
    """What ``model.fit`` returns, as far as plotting goes: ``.history`` and ``.epoch``."""

    def __init__(self, history: dict, epoch: list[int]):
        self.history, self.epoch = history, epoch


def probe_history(epochs: int, seed: int, real: bool):
    def probe(plot_history, inputs_dir: Path) -> dict:
        values = history_values(epochs, seed)
        if real:  # a keras History as fit leaves it, with the key a learning-rate schedule adds
            import keras

            history = keras.callbacks.History()
            history.history = {**values, "learning_rate": [0.001] * epochs}
            history.epoch = list(range(epochs))
        else:
            history = FakeHistory(values, list(range(epochs)))
        return _figure(plot_history(history))
    return probe


def expected_history(epochs: int, seed: int, real: bool):
    def expected(inputs_dir: Path) -> dict:
        return {"values": history_values(epochs, seed), "epochs": list(range(1, epochs + 1))}
    return expected


def _find_line(lines: list[dict], values: list[float]) -> dict | None:
    return next((line for line in lines if _close(line["y"], values)), None)


def _judge_panel(axes: dict, metric: str, expected: dict) -> Verdict:
    values, epochs = expected["values"], expected["epochs"]
    where = f"the {metric} panel"
    train, validation = _find_line(axes["lines"], values[metric]), _find_line(axes["lines"], values[f"val_{metric}"])
    if train is None or validation is None:
        missing = f"history.history['{metric}']" if train is None else f"history.history['val_{metric}']"
        return Verdict(False, f"{where} has no line whose y values are {missing}.",
                       f"Plot history.history['{metric}'] and history.history['val_{metric}'] on the "
                       f"{'first' if metric == 'accuracy' else 'second'} axes, unchanged.")
    for line in (train, validation):
        if not _close(line["x"], epochs):
            hint = "Use the epoch numbers 1..E as x: plt.plot(epochs, values) with epochs = range(1, E + 1)."
            if _close(line["x"], [e - 1 for e in epochs]):
                hint = "plot(values) numbers the points from 0; people count epochs from 1: pass x = range(1, E + 1)."
            return Verdict(False, f"{where}: x values are {np.asarray(line['x']).tolist()}, expected {epochs}.", hint)
    if "val" in train["label"].lower() or "train" not in train["label"].lower():
        return Verdict(False, f"{where}: the training curve is labelled {train['label']!r}.",
                       "Label the training curve with a name containing 'Training' (label='Training accuracy').")
    if "val" not in validation["label"].lower():
        return Verdict(False, f"{where}: the validation curve is labelled {validation['label']!r}.",
                       "Label the validation curve with a name containing 'Validation'.")
    if not {train["label"], validation["label"]} <= set(axes["legend"]):
        return Verdict(False, f"{where} has legend entries {axes['legend']}.",
                       "Call ax.legend() after plotting with label=..., so the reader knows which curve is which.")
    if "epoch" not in axes["xlabel"].lower():
        return Verdict(False, f"{where}: the x axis is labelled {axes['xlabel']!r}.", "ax.set_xlabel('Epoch').")
    if metric not in axes["ylabel"].lower():
        return Verdict(False, f"{where}: the y axis is labelled {axes['ylabel']!r}.",
                       f"ax.set_ylabel('{metric.capitalize()}').")
    return Verdict(True, "")


def judge_history(found: dict, expected: dict) -> Verdict:
    panels = [axes for axes in found["axes"] if axes["lines"]]
    if len(panels) != 2:
        return Verdict(False, f"the figure has {len(panels)} axes with curves, expected 2 (accuracy, then loss).",
                       "fig, (accuracy_axes, loss_axes) = plt.subplots(1, 2): one panel per quantity, "
                       "other keys of history.history are not plotted.")
    if (_find_line(panels[0]["lines"], expected["values"]["loss"]) is not None
            and _find_line(panels[1]["lines"], expected["values"]["accuracy"]) is not None):
        return Verdict(False, "the loss is in the first panel and the accuracy in the second.",
                       "Put accuracy first (left) and loss second (right).")
    for axes, metric in zip(panels, METRICS):
        verdict = _judge_panel(axes, metric, expected)
        if not verdict.ok:
            return verdict
    return Verdict(True, f"accuracy and loss panels, training and validation curves over epochs 1-"
                   f"{expected['epochs'][-1]}, labelled axes and legends.")


# --- confusion matrices ----------------------------------------------------------------------

def confusion_case(count: int, classes: int, seed: int, unused: int | None = None):
    """Seeded labels and predictions, right about 60 % of the time; class ``unused`` never occurs."""
    rng = np.random.default_rng(seed)
    present = [c for c in range(classes) if c != unused]
    labels = rng.choice(present, size=count).astype(np.int32)
    predicted = np.where(rng.random(count) < 0.6, labels, rng.choice(present, size=count)).astype(np.int32)
    return labels, predicted


def counts_matrix(labels, predicted, classes: int) -> np.ndarray:
    """matrix[true, predicted] = how many photos of class ``true`` were predicted as ``predicted``."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def _divide(matrix: np.ndarray, axis: int | None) -> np.ndarray:
    totals = matrix.sum(axis=axis, keepdims=axis is not None).astype(np.float64)
    return matrix / np.where(totals == 0, 1, totals)


def compare_matrix(matrix: np.ndarray, counts: np.ndarray, normalized: bool) -> Verdict:
    """Compare a matrix with the grader's counts (or their row-normalised form), naming the usual slips."""
    rows = _divide(counts, 1)
    want = rows if normalized else counts
    if _close(matrix, want, 1e-4):
        return Verdict(True, "")
    if _close(matrix, want.T, 1e-4):
        return Verdict(False, "it is transposed: its rows are the predicted classes.",
                       "Rows are the TRUE classes and columns the PREDICTED ones: matrix[true, predicted]. "
                       "tf.math.confusion_matrix(labels, predictions) already has that layout.")
    if normalized and _close(matrix, counts, 1e-4):
        return Verdict(False, "it shows counts, but normalize=True asks for fractions.",
                       "Divide each row by its sum, so each row shows how the photos of one true class were predicted.")
    if not normalized and (_close(matrix, rows, 1e-4) or _close(matrix, rows.T, 1e-4)):
        return Verdict(False, "it shows fractions, but counts were asked for (normalize=False).",
                       "Normalise only when normalize is True; otherwise show how many photos fall in each cell.")
    if normalized and (_close(matrix, _divide(counts, 0), 1e-4) or _close(matrix, _divide(counts, None), 1e-4)):
        return Verdict(False, "it is normalised the wrong way: its rows do not each sum to 1.",
                       "Divide each row by its own sum (the number of photos of that true class): "
                       "matrix / matrix.sum(axis=1, keepdims=True).")
    difference = np.abs(np.asarray(matrix, dtype=np.float64) - want)
    row, column = np.unravel_index(int(difference.argmax()), difference.shape)
    return Verdict(False, f"cell [{row}, {column}] is {np.asarray(matrix)[row, column]:g}, expected "
                   f"{want[row, column]:g} (the grader's matrix from the same labels and predictions).",
                   "Count photos with true class i and predicted class j in cell [i, j].")


def probe_heatmap(count: int, seed: int, class_names: tuple[str, ...], normalize: bool):
    def probe(plot_confusion_matrix, inputs_dir: Path) -> dict:
        labels, predicted = confusion_case(count, len(class_names), seed)
        return _figure(plot_confusion_matrix(labels.copy(), predicted.copy(), list(class_names), normalize=normalize))
    return probe


def expected_heatmap(count: int, seed: int, class_names: tuple[str, ...], normalize: bool):
    def expected(inputs_dir: Path) -> dict:
        labels, predicted = confusion_case(count, len(class_names), seed)
        return {"counts": counts_matrix(labels, predicted, len(class_names)), "normalize": normalize,
                "class_names": list(class_names)}
    return expected


def judge_heatmap(found: dict, expected: dict) -> Verdict:
    heatmaps = [(axes, mesh) for axes in found["axes"] for mesh in axes["meshes"]]
    if len(heatmaps) != 1:
        return Verdict(False, f"the figure holds {len(heatmaps)} heat maps, expected 1.",
                       "Draw the matrix once with sns.heatmap(matrix, ax=ax, ...).")
    axes, mesh = heatmaps[0]
    counts, names = expected["counts"], expected["class_names"]
    matrix = np.asarray(mesh, dtype=np.float64)
    if matrix.ndim == 1 and matrix.size == counts.size:
        matrix = matrix.reshape(counts.shape)
    if matrix.shape != counts.shape:
        return Verdict(False, f"the heat map is {matrix.shape}, expected {counts.shape}.",
                       "Show one row and one column per class name.")
    verdict = compare_matrix(matrix, counts, expected["normalize"])
    if not verdict.ok:
        return Verdict(False, f"the heat map's matrix: {verdict.message}", verdict.hint)
    for axis in ("x", "y"):
        ticks = [text.strip() for text in axes[f"{axis}ticklabels"]]
        if ticks != names:
            return Verdict(False, f"the {axis} tick labels are {ticks}, expected {names}.",
                           "Pass xticklabels=class_names and yticklabels=class_names to sns.heatmap.")
    xlabel, ylabel = axes["xlabel"].lower(), axes["ylabel"].lower()
    if "pred" in ylabel and "true" in xlabel:
        return Verdict(False, f"the axis labels are swapped (x: {axes['xlabel']!r}, y: {axes['ylabel']!r}).",
                       "Rows (the y axis) are the true classes, columns (the x axis) the predicted ones.")
    if "pred" not in xlabel or "true" not in ylabel:
        return Verdict(False, f"the axes are labelled x: {axes['xlabel']!r}, y: {axes['ylabel']!r}.",
                       "ax.set_xlabel('Predicted class') and ax.set_ylabel('True class').")
    kind = "fractions per true class" if expected["normalize"] else "counts"
    return Verdict(True, f"a heat map of the grader's {counts.shape[0]} x {counts.shape[0]} matrix ({kind}), "
                   "class names on both axes, axes labelled.")


# --- plot_predictions ------------------------------------------------------------------------

def predictions_case(count: int, seed: int) -> dict[str, np.ndarray]:
    """Seeded results as collect_predictions returns them; every prediction is a mistake."""
    rng = np.random.default_rng(seed)
    classes = len(data.CLASS_NAMES)
    logits = rng.normal(0.0, 1.5, size=(count, classes))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    predicted = probabilities.argmax(axis=1)
    return {"labels": ((predicted + rng.integers(1, classes, size=count)) % classes).astype(np.int32),
            "predicted": predicted.astype(np.int64),
            "probabilities": probabilities.astype(np.float32),
            "images": rng.integers(20, 221, size=(count, 10, 12, 3)).astype(np.float32)}  # a dim 0-255 scale


def probe_predictions(count: int, seed: int, indices: tuple[int, ...]):
    def probe(plot_predictions, inputs_dir: Path) -> dict:
        results = {key: value.copy() for key, value in predictions_case(count, seed).items()}
        return _figure(plot_predictions(results, np.asarray(indices), list(data.CLASS_NAMES)))
    return probe


def expected_predictions(count: int, seed: int, indices: tuple[int, ...]):
    def expected(inputs_dir: Path) -> dict:
        return {**predictions_case(count, seed), "indices": list(indices)}
    return expected


def _title_parts(title: str) -> tuple[str | None, str | None, float | None]:
    true = re.search(r"true\W*([a-z]+)", title, re.IGNORECASE)
    predicted = re.search(r"pred\w*\W*([a-z]+)", title, re.IGNORECASE)
    confidence = re.search(r"conf\w*\W*(-?\d*\.?\d+)", title, re.IGNORECASE)
    return (true.group(1).lower() if true else None, predicted.group(1).lower() if predicted else None,
            float(confidence.group(1)) if confidence else None)


def _judge_shown_image(shown: np.ndarray, image: np.ndarray, position: int) -> Verdict:
    shown = np.asarray(shown)
    if shown.ndim != 3 or shown.shape[:2] != image.shape[:2]:
        return Verdict(False, f"subplot {position} shows an image of shape {shown.shape}, expected {image.shape}.",
                       "Show results['images'][index] for each index, in order.")
    scaled = shown[..., :3].astype(np.float64)
    if shown.dtype.kind == "f" and scaled.max() > 1.0 + 1e-6:
        return Verdict(False, f"subplot {position} shows a float image with values up to {scaled.max():.0f}.",
                       "imshow expects floats in [0, 1] and clips the rest, so the photo turns white: "
                       "show to_display(image).")
    if shown.dtype.kind in "ui":
        scaled = scaled / 255.0
    if np.abs(scaled - np.clip(image / 255.0, 0, 1)).mean() > 0.01:
        return Verdict(False, f"subplot {position} does not show image {position} divided by 255.",
                       "Show to_display(results['images'][index]): pixels / 255, without stretching.")
    return Verdict(True, "")


def judge_predictions(found: dict, expected: dict) -> Verdict:
    indices, names = expected["indices"], list(data.CLASS_NAMES)
    drawn = [axes for axes in found["axes"] if axes["images"]]
    if len(drawn) != len(indices):
        return Verdict(False, f"the figure shows {len(drawn)} images, expected {len(indices)} (one per index).",
                       "Draw one subplot per index; with a single index plt.subplots returns one Axes, not an "
                       "array (squeeze=False keeps it a grid).")
    for position, (axes, index) in enumerate(zip(drawn, indices)):
        verdict = _judge_shown_image(axes["images"][0], expected["images"][index], position)
        if not verdict.ok:
            return verdict
        true, predicted, confidence = _title_parts(axes["title"])
        want_true, want_predicted = names[expected["labels"][index]], names[expected["predicted"][index]]
        if true is None or predicted is None or confidence is None:
            return Verdict(False, f"subplot {position}'s title {axes['title']!r} lacks a true class, a predicted "
                           "class or a confidence.",
                           "Title each image 'True: <name>\\nPredicted: <name>\\nConfidence: <0.00>'.")
        if (true, predicted) != (want_true, want_predicted):
            return Verdict(False, f"subplot {position} says true {true!r}, predicted {predicted!r}; expected true "
                           f"{want_true!r}, predicted {want_predicted!r} (index {index}).",
                           "Look the names up with class_names[results['labels'][index]] and "
                           "class_names[results['predicted'][index]].")
        row = expected["probabilities"][index].astype(np.float64)
        if abs(confidence - row.max()) > 0.006:
            hint = "The confidence is the probability of the predicted class, the row's largest, with 2 decimals."
            if abs(confidence - row[expected["labels"][index]]) <= 0.006:
                hint = "That is the probability of the TRUE class; the confidence is that of the PREDICTED class."
            elif confidence > 1:
                hint = "Show a probability between 0 and 1 (2 decimals), not a percentage or a logit."
            return Verdict(False, f"subplot {position}'s confidence is {confidence:g}, expected {row.max():.2f}.", hint)
    return Verdict(True, f"{len(indices)} images shown for display, titled with true and predicted class and "
                   "the confidence.")
