"""Chapter 7 on the grader side: the hidden checks, their cases, and the table's order.
Never shipped to students. Nothing to write for them: every hidden input is made in memory from a seed."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import Chapter, Rooms
from .. import earned
from ..full import full_chapter
from . import cases, judges, probes, reference
from .cases import (CLASSES, Accuracy, Collect, Confusion, EarlyStopping, Heatmap, History, Improved, Predictions,
                    Worst)


@dataclass(frozen=True)
class Display(cases.Display):
    """The hidden to_display case's images: a uint8 photo, and an augmented float image a little
    outside 0-255. (Same name and fields as :class:`cases.Display`, so the case reads the same.)"""

    def images(self) -> list[np.ndarray]:
        rng = np.random.default_rng(self.seed)
        return [rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8),
                rng.uniform(-8.0, 263.0, size=(4, 6, 3)).astype(np.float32)]  # augmented: a little out of range


HIDDEN_HISTORY = History(3, 71, real=True)     # stopped early, with an extra learning_rate key
HIDDEN_IMPROVED = Improved(3, (64, 64, 3), 2e-3)
TEST_ACCURACY = Accuracy("test")
HIDDEN_EARLY_STOPPING = EarlyStopping(2)
HIDDEN_COLLECT = Collect(23, 3, 5, 12, shuffle=True, dropout=True)
HIDDEN_CONFUSION = Confusion(30, 4, 22, unused=3, as_list=True)
HIDDEN_HEATMAP = Heatmap(45, 24, ("roses", "tulips", "daisy"), normalize=True)
HIDDEN_WORST = Worst(40, CLASSES, 32, class_index=4, wrong=2, k=5, as_list=True)  # fewer mistakes than k
HIDDEN_PREDICTIONS = Predictions(9, 42, (5,))
HIDDEN_DISPLAY = Display(52, hidden=True)


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_plot_history",
        _check("hidden_plot_history", "plot_history", 1, False,
               "plot_history on a run stopped early after 3 epochs, with an extra learning_rate key", HIDDEN_HISTORY),
        "check_build_improved_model",
        _check("hidden_build_improved_model", "build_improved_model", 1, False,
               "build_improved_model(3, (64, 64, 3), learning_rate=0.002)", HIDDEN_IMPROVED),
        "check_improved_val_accuracy",
        _check("hidden_improved_accuracy", "build_improved_model", 3, False,
               "accuracy earned in the grader by the improved model (test split)",
               TEST_ACCURACY, step="improved_accuracy", measure=earned.measure_accuracy("test")),
        "check_make_early_stopping",
        _check("hidden_make_early_stopping", "make_early_stopping", 1, False, "make_early_stopping(patience=2)",
               HIDDEN_EARLY_STOPPING),
        "check_collect_predictions",
        _check("hidden_collect_predictions", "collect_predictions", 2, False,
               "collect_predictions on a dataset that reshuffles on every pass, model with dropout", HIDDEN_COLLECT),
        "check_confusion_matrix",
        _check("hidden_confusion_matrix", "confusion_matrix", 1, False,
               "confusion_matrix with a class that never occurs, inputs as lists", HIDDEN_CONFUSION),
        "check_plot_confusion_matrix",
        _check("hidden_plot_confusion_matrix", "plot_confusion_matrix", 1, False,
               "plot_confusion_matrix with normalize=True and three classes", HIDDEN_HEATMAP),
        "check_worst_k",
        _check("hidden_worst_k", "worst_k", 1, False, "worst_k asked for more mistakes than the class has",
               HIDDEN_WORST),
        "check_plot_predictions",
        _check("hidden_plot_predictions", "plot_predictions", 1, False, "plot_predictions with a single index",
               HIDDEN_PREDICTIONS),
        "check_to_display",
        _check("hidden_to_display", "to_display", 1, False,
               "to_display on a uint8 image and on an augmented image slightly outside 0-255", HIDDEN_DISPLAY),
    ))
