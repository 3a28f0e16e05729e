"""Chapter 7's expected answers, computed by the kit's own code from the cases' seeds, never from
what the student's code returned. Trusted: never imports probes or their helpers."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import training
from .. import earned
from . import cases


def plot_history(case: cases.History, inputs_dir: Path) -> dict:
    return {"values": case.values(), "epochs": list(range(1, case.epochs + 1))}


def build_improved_model(case: cases.Improved, inputs_dir: Path) -> dict:
    return {"num_classes": case.num_classes, "input_shape": list(case.input_shape),
            "learning_rate": case.learning_rate, "cap": training.PARAMETER_CAP}


def improved_accuracy(case: cases.Accuracy, inputs_dir: Path) -> dict:
    """The split, its calibrated threshold, the parameter cap and the budget, as earned reports them."""
    threshold = getattr(training.THRESHOLDS["build_improved_model"], case.split)
    return earned.expected_accuracy(case.split, threshold, "build_improved_model")(inputs_dir)


def make_early_stopping(case: cases.EarlyStopping, inputs_dir: Path) -> dict:
    return {"patience": case.patience}


def kit_logits(images: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """What the kit model computes: logits = images / 255 @ W + b, in float64."""
    flat = np.asarray(images, dtype=np.float64).reshape(len(images), -1) / 255.0
    return flat @ weights.astype(np.float64) + bias.astype(np.float64)


def collect_predictions(case: cases.Collect, inputs_dir: Path) -> dict:
    images, labels, weights, bias = case.inputs()
    return {"images": images, "labels": labels, "logits": kit_logits(images, weights, bias)}


def counts_matrix(labels, predicted, classes: int) -> np.ndarray:
    """matrix[true, predicted] = how many photos of class ``true`` were predicted as ``predicted``."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def confusion_matrix(case: cases.Confusion, inputs_dir: Path) -> dict:
    return {"matrix": counts_matrix(*case.inputs(), case.classes)}


def plot_confusion_matrix(case: cases.Heatmap, inputs_dir: Path) -> dict:
    return {"counts": counts_matrix(*case.inputs(), len(case.class_names)), "normalize": case.normalize,
            "class_names": list(case.class_names)}


def worst_indices(probabilities, labels, class_index: int, k: int) -> np.ndarray:
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    predicted = probabilities.argmax(axis=1)
    candidates = np.flatnonzero((labels == class_index) & (predicted != labels))
    order = np.argsort(-probabilities[candidates].max(axis=1), kind="stable")
    return candidates[order][:k]


def worst_k(case: cases.Worst, inputs_dir: Path) -> dict:
    probabilities, labels = case.inputs()
    return {"probabilities": probabilities, "labels": labels, "class_index": case.class_index, "k": case.k,
            "indices": worst_indices(probabilities, labels, case.class_index, case.k)}


def to_display(case: cases.Display, inputs_dir: Path) -> dict:
    images = case.images()
    return {"inputs": images, "outputs": [np.clip(image.astype(np.float32) / 255.0, 0.0, 1.0) for image in images]}


def plot_predictions(case: cases.Predictions, inputs_dir: Path) -> dict:
    return {**case.results(), "indices": list(case.indices)}
