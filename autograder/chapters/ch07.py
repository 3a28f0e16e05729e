"""Chapter 7, evaluating and improving the model: the checks.

Stubs the student completes (see ``source/ch07_evaluation``):

* ``plot_history(history)`` -> Figure: accuracy and loss, training and validation
* ``build_improved_model(num_classes, input_shape, learning_rate)`` -> compiled Keras model
  (dropout, L2, logits output, ``from_logits=True``)
* ``make_early_stopping(patience)`` -> ``keras.callbacks.EarlyStopping``
* ``collect_predictions(model, dataset)`` -> dict of labels, predicted, probabilities, images
* ``confusion_matrix(labels, predicted, num_classes)`` -> counts, rows = true class
* ``plot_confusion_matrix(labels, predicted, class_names, normalize)`` -> Figure (seaborn heat map)
* ``worst_k(probabilities, labels, class_index, k)`` -> indices of the most confident mistakes
* ``plot_predictions(results, indices, class_names)`` -> Figure: image, true, predicted, confidence
* ``to_display(image)`` -> float image in [0, 1] for imshow

No check trains a model or reads photos: every input is made here from a seed, and
every model a probe hands to student code is a tiny kit model with fixed weights. The
expected answers are computed from the same seeds with NumPy, never from what the
student's code returned. The model checks (improved model, early stopping, predictions)
live in :mod:`.ch07_models`, the plot checks in :mod:`.ch07_plots`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import data, training
from ..core import Chapter, Check, Verdict
from . import ch07_models as models
from . import earned
from . import ch07_plots as plots
from .common import as_array, describe


# --- confusion_matrix ------------------------------------------------------------------------

def _probe_confusion(count: int, classes: int, seed: int, unused: int | None, as_list: bool):
    def probe(confusion_matrix, inputs_dir: Path) -> dict:
        labels, predicted = plots.confusion_case(count, classes, seed, unused)
        given = (labels.tolist(), predicted.tolist()) if as_list else (labels.copy(), predicted.copy())
        return {"matrix": as_array(confusion_matrix(*given, classes), "the confusion matrix")}
    return probe


def _expected_confusion(count: int, classes: int, seed: int, unused: int | None):
    def expected(inputs_dir: Path) -> dict:
        return {"matrix": plots.counts_matrix(*plots.confusion_case(count, classes, seed, unused), classes)}
    return expected


def judge_confusion(found: dict, expected: dict) -> Verdict:
    matrix, want = np.asarray(found["matrix"]), expected["matrix"]
    if matrix.shape != want.shape:
        return Verdict(False, f"the matrix has {describe(matrix)}, expected shape {want.shape}.",
                       "Pass num_classes on (tf.math.confusion_matrix(..., num_classes=num_classes)): a class "
                       "that never occurs still gets its row and column.")
    verdict = plots.compare_matrix(matrix.astype(np.float64), want, normalized=False)
    if not verdict.ok:
        return verdict
    if not np.issubdtype(matrix.dtype, np.integer):
        return Verdict(False, f"the matrix has dtype {matrix.dtype}, expected an integer type (counts).",
                       "Counts are whole numbers: .astype(int) or tf.math.confusion_matrix's default int32.")
    return Verdict(True, f"{want.shape[0]} x {want.shape[0]} counts, rows = true class, columns = predicted.")


# --- worst_k ---------------------------------------------------------------------------------

def _worst_case(count: int, classes: int, seed: int, class_index: int, wrong: int):
    """Seeded probabilities and labels with exactly ``wrong`` mistakes among the photos of
    ``class_index``, plus distractors: mistakes of other classes, photos wrongly predicted AS
    ``class_index``, and correct predictions of it."""
    rng = np.random.default_rng(seed)
    probabilities = models.softmax(rng.normal(0.0, 1.5, size=(count, classes)))
    predicted = probabilities.argmax(axis=1)
    labels = predicted.copy()                                  # start with every prediction right
    elsewhere = np.flatnonzero(predicted != class_index)
    chosen = rng.choice(elsewhere, size=wrong, replace=False)  # the mistakes of class_index
    labels[chosen] = class_index
    for row in np.setdiff1d(elsewhere, chosen)[: count // 4]:  # mistakes of other classes
        label = (predicted[row] + 1) % classes
        labels[row] = label if label != class_index else (label + 1) % classes
    for row in np.flatnonzero(predicted == class_index)[:2]:   # predicted as class_index, but not of it
        labels[row] = (class_index + 1) % classes
    return probabilities.astype(np.float32), labels.astype(np.int32)


def worst_indices(probabilities, labels, class_index: int, k: int) -> np.ndarray:
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    predicted = probabilities.argmax(axis=1)
    candidates = np.flatnonzero((labels == class_index) & (predicted != labels))
    order = np.argsort(-probabilities[candidates].max(axis=1), kind="stable")
    return candidates[order][:k]


def _probe_worst(count: int, classes: int, seed: int, class_index: int, wrong: int, k: int, as_list: bool):
    def probe(worst_k, inputs_dir: Path) -> dict:
        probabilities, labels = _worst_case(count, classes, seed, class_index, wrong)
        given_labels = labels.tolist() if as_list else labels.copy()
        return {"indices": as_array(worst_k(probabilities.copy(), given_labels, class_index, k), "indices")}
    return probe


def _expected_worst(count: int, classes: int, seed: int, class_index: int, wrong: int, k: int):
    def expected(inputs_dir: Path) -> dict:
        probabilities, labels = _worst_case(count, classes, seed, class_index, wrong)
        return {"probabilities": probabilities, "labels": labels, "class_index": class_index, "k": k,
                "indices": worst_indices(probabilities, labels, class_index, k)}
    return expected


def judge_worst(found: dict, expected: dict) -> Verdict:
    indices = np.asarray(found["indices"]).reshape(-1)
    want = expected["indices"]
    probabilities, labels, target = expected["probabilities"], expected["labels"], expected["class_index"]
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        return Verdict(False, f"indices have dtype {indices.dtype}, expected integers.",
                       "Return positions into the arrays (np.flatnonzero / np.where give integers).")
    indices = indices.astype(np.int64)
    if np.any((indices < 0) | (indices >= len(labels))):
        return Verdict(False, f"indices {indices.tolist()} include positions outside 0..{len(labels) - 1}.",
                       "Return positions into probabilities and labels.")
    predicted = probabilities.argmax(axis=1)
    for index in indices:
        if labels[index] != target:
            return Verdict(False, f"index {index} is a photo of class {labels[index]}, not of class {target}.",
                           "Keep only photos whose TRUE label is class_index.")
        if predicted[index] == labels[index]:
            return Verdict(False, f"index {index} is a correct prediction, not a mistake.",
                           "Keep only photos whose predicted class (argmax of the probabilities) differs from the label.")
    if len(set(indices.tolist())) != len(indices):
        return Verdict(False, f"indices {indices.tolist()} repeat a photo.", "Each mistake appears once.")
    if len(indices) != len(want):
        mistakes = int(np.sum((labels == target) & (predicted != target)))
        return Verdict(False, f"returned {len(indices)} indices, expected {len(want)} "
                       f"(k={expected['k']}; class {target} has {mistakes} mistakes).",
                       "Return the k most confident mistakes, or all of them when there are fewer than k.")
    confidence = probabilities[indices].max(axis=1)
    if np.any(np.diff(confidence) > 0):
        return Verdict(False, f"the confidences of your indices, {[round(float(c), 3) for c in confidence]}, are not in "
                       "descending order.",
                       "Sort by the confidence, the largest probability of each row, most confident first "
                       "(np.argsort(-confidence)).")
    if not np.array_equal(indices, want):
        return Verdict(False, f"indices are {indices.tolist()}, expected {want.tolist()}.",
                       "Rank the mistakes by the probability of the PREDICTED class (the row's maximum), "
                       "not by the probability of the true class.")
    return Verdict(True, f"the {len(want)} most confident mistakes of class {target}, most confident first.")


# --- to_display ------------------------------------------------------------------------------

def _display_images(seed: int, hidden: bool) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    if not hidden:  # a dim photo: values 30-200, so stretching min-max to 0-1 is visible
        return [rng.integers(30, 201, size=(6, 5, 3)).astype(np.float32)]
    return [rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8),
            rng.uniform(-8.0, 263.0, size=(4, 6, 3)).astype(np.float32)]  # augmented: a little out of range


def _probe_display(seed: int, hidden: bool):
    def probe(to_display, inputs_dir: Path) -> dict:
        outputs, unchanged = [], True
        for image in _display_images(seed, hidden):
            given = image.copy()
            outputs.append(as_array(to_display(given), "the display image"))
            unchanged = unchanged and np.array_equal(given, image)
        return {"outputs": outputs, "unchanged": unchanged}
    return probe


def _expected_display(seed: int, hidden: bool):
    def expected(inputs_dir: Path) -> dict:
        images = _display_images(seed, hidden)
        return {"inputs": images, "outputs": [np.clip(image.astype(np.float32) / 255.0, 0.0, 1.0) for image in images]}
    return expected


def judge_display(found: dict, expected: dict) -> Verdict:
    if len(found["outputs"]) != len(expected["outputs"]):
        return Verdict(False, "not every image came back.", "Return one image for each call.")
    for image, given, want in zip(found["outputs"], expected["inputs"], expected["outputs"]):
        image = np.asarray(image)
        if image.shape != want.shape:
            return Verdict(False, f"the result has {describe(image)}, expected shape {want.shape}.",
                           "Keep the image's shape: (H, W, 3).")
        if image.dtype.kind != "f":
            return Verdict(False, f"the result has dtype {image.dtype} (input {given.dtype}), expected float32.",
                           "Return floats in [0, 1]: image / 255.")
        stretched = (given - given.min()) / max(float(given.max() - given.min()), 1e-9)
        if not np.allclose(image, want, atol=2e-3):
            if np.allclose(image, stretched, atol=2e-3):
                return Verdict(False, "the image was stretched so that its darkest pixel is 0 and its brightest 1.",
                               "Min-max stretching changes how bright a photo looks (a dim photo turns bright). "
                               "Divide by 255 instead: the model's pixels are on the 0-255 scale.")
            if image.min() < 0 or image.max() > 1:
                return Verdict(False, f"values range from {image.min():.3f} to {image.max():.3f}, outside [0, 1].",
                               "After augmentation a pixel can fall a little outside 0-255: clip to [0, 1] "
                               "(np.clip) after dividing by 255.")
            return Verdict(False, f"values differ from image / 255 (largest difference "
                           f"{np.abs(image - want).max():.3f}).", "Return np.clip(image / 255, 0, 1) as float32.")
    if not found["unchanged"]:
        return Verdict(False, "the input image was modified in place.",
                       "Work on a copy (image / 255 makes a new array); the caller still needs the original pixels.")
    return Verdict(True, "pixels divided by 255 and clipped to [0, 1]; the input is untouched.")


# --- the chapter -----------------------------------------------------------------------------

CLASSES = len(data.CLASS_NAMES)

IMPROVED_VAL_THRESHOLD = training.THRESHOLDS["build_improved_model"].val
IMPROVED_TEST_THRESHOLD = training.THRESHOLDS["build_improved_model"].test
GRADER_LEARNING_RATE = 0.001  # passed to build_improved_model; the grader compiles with its own budget anyway

CHAPTER = Chapter(
    key="ch07",
    assignment="ch07_evaluation",
    title="Evaluating and improving the model",
    prepare=earned.prepare,
    prepare_private=earned.prepare_private,
    per_check_seconds=20,
    memory_bytes=6 << 30,
    checks=(
        Check("check_plot_history", "plot_history", 2, True, "plot_history on a 6-epoch History",
              plots.probe_history(6, 70, real=False), plots.expected_history(6, 70, real=False),
              plots.judge_history),
        Check("hidden_plot_history", "plot_history", 1, False,
              "plot_history on a run stopped early after 3 epochs, with an extra learning_rate key",
              plots.probe_history(3, 71, real=True), plots.expected_history(3, 71, real=True),
              plots.judge_history),
        Check("check_build_improved_model", "build_improved_model", 2, True,
              "build_improved_model(5, (96, 96, 3), learning_rate=0.0005)",
              models.probe_improved(5, (96, 96, 3), 5e-4), models.expected_improved(5, (96, 96, 3), 5e-4),
              models.judge_improved),
        Check("hidden_build_improved_model", "build_improved_model", 1, False,
              "build_improved_model(3, (64, 64, 3), learning_rate=0.002)",
              models.probe_improved(3, (64, 64, 3), 2e-3), models.expected_improved(3, (64, 64, 3), 2e-3),
              models.judge_improved),
        Check("check_improved_val_accuracy", "build_improved_model", 2, True,
              "accuracy earned in the grader by the improved model (validation split)",
              earned.probe_accuracy(GRADER_LEARNING_RATE),
              earned.expected_accuracy("val", IMPROVED_VAL_THRESHOLD, "build_improved_model"),
              earned.judge_accuracy, earned.measure_accuracy("val")),
        Check("hidden_improved_accuracy", "build_improved_model", 3, False,
              "accuracy earned in the grader by the improved model (test split)",
              earned.probe_accuracy(GRADER_LEARNING_RATE),
              earned.expected_accuracy("test", IMPROVED_TEST_THRESHOLD, "build_improved_model"),
              earned.judge_accuracy, earned.measure_accuracy("test")),
        Check("check_make_early_stopping", "make_early_stopping", 1, True, "make_early_stopping(patience=4)",
              models.probe_early_stopping(4), models.expected_early_stopping(4), models.judge_early_stopping),
        Check("hidden_make_early_stopping", "make_early_stopping", 1, False, "make_early_stopping(patience=2)",
              models.probe_early_stopping(2), models.expected_early_stopping(2), models.judge_early_stopping),
        Check("check_collect_predictions", "collect_predictions", 2, True,
              "collect_predictions on 20 images in batches of 8 with a tiny logits model",
              models.probe_collect(20, CLASSES, 8, 11, shuffle=False, dropout=False),
              models.expected_collect(20, CLASSES, 11), models.judge_collect),
        Check("hidden_collect_predictions", "collect_predictions", 2, False,
              "collect_predictions on a dataset that reshuffles on every pass, model with dropout",
              models.probe_collect(23, 3, 5, 12, shuffle=True, dropout=True), models.expected_collect(23, 3, 12),
              models.judge_collect),
        Check("check_confusion_matrix", "confusion_matrix", 1, True, "confusion_matrix on 60 seeded predictions",
              _probe_confusion(60, CLASSES, 21, None, as_list=False), _expected_confusion(60, CLASSES, 21, None),
              judge_confusion),
        Check("hidden_confusion_matrix", "confusion_matrix", 1, False,
              "confusion_matrix with a class that never occurs, inputs as lists",
              _probe_confusion(30, 4, 22, 3, as_list=True), _expected_confusion(30, 4, 22, 3), judge_confusion),
        Check("check_plot_confusion_matrix", "plot_confusion_matrix", 2, True,
              "plot_confusion_matrix (counts) on 60 seeded predictions",
              plots.probe_heatmap(60, 23, data.CLASS_NAMES, False),
              plots.expected_heatmap(60, 23, data.CLASS_NAMES, False), plots.judge_heatmap),
        Check("hidden_plot_confusion_matrix", "plot_confusion_matrix", 1, False,
              "plot_confusion_matrix with normalize=True and three classes",
              plots.probe_heatmap(45, 24, ("roses", "tulips", "daisy"), True),
              plots.expected_heatmap(45, 24, ("roses", "tulips", "daisy"), True), plots.judge_heatmap),
        Check("check_worst_k", "worst_k", 2, True, "worst_k(class_index=2, k=4) on 50 seeded predictions",
              _probe_worst(50, CLASSES, 31, 2, 6, 4, as_list=False), _expected_worst(50, CLASSES, 31, 2, 6, 4),
              judge_worst),
        Check("hidden_worst_k", "worst_k", 1, False, "worst_k asked for more mistakes than the class has",
              _probe_worst(40, CLASSES, 32, 4, 2, 5, as_list=True), _expected_worst(40, CLASSES, 32, 4, 2, 5),
              judge_worst),
        Check("check_plot_predictions", "plot_predictions", 2, True, "plot_predictions with 4 indices",
              plots.probe_predictions(12, 41, (3, 7, 1, 10)), plots.expected_predictions(12, 41, (3, 7, 1, 10)),
              plots.judge_predictions),
        Check("hidden_plot_predictions", "plot_predictions", 1, False, "plot_predictions with a single index",
              plots.probe_predictions(9, 42, (5,)), plots.expected_predictions(9, 42, (5,)), plots.judge_predictions),
        Check("check_to_display", "to_display", 1, True, "to_display on a dim float32 image",
              _probe_display(51, hidden=False), _expected_display(51, hidden=False), judge_display),
        Check("hidden_to_display", "to_display", 1, False,
              "to_display on a uint8 image and on an augmented image slightly outside 0-255",
              _probe_display(52, hidden=True), _expected_display(52, hidden=True), judge_display),
    ),
)
