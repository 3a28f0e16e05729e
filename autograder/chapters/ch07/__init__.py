"""Chapter 7, evaluating and improving the model: the table of checks.

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

No probe trains a model or reads a photo: every input is made from a seed (``cases``), and every
model handed to student code is a tiny kit model with fixed weights. The two accuracy rows are
earned in the grader (:mod:`..earned`): the probe returns the architecture of a fresh
``build_improved_model``, and the evaluator trains and scores it where no student code runs (on the
student side, in the student's kernel, as a preview). The rooms: ``cases`` (inputs, written once),
``probes`` (the only code that calls student functions), ``judges`` (pure), and on the grader side
only ``reference`` (the kit's answers) and ``hidden`` (the hidden checks).
"""
from __future__ import annotations

from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import earned, extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch07"), judges).check


VISIBLE = Chapter(
    key="ch07",
    assignment="ch07_evaluation",
    title="Evaluating and improving the model",
    prepare=earned.prepare,
    prepare_private=earned.prepare_private,
    per_check_seconds=20,
    memory_bytes=6 << 30,
    checks=(
        _check("check_plot_history", "plot_history", 2, True, "plot_history on a 6-epoch History",
               cases.VISIBLE_HISTORY),
        _check("check_build_improved_model", "build_improved_model", 2, True,
               "build_improved_model(5, (96, 96, 3), learning_rate=0.0005)", cases.VISIBLE_IMPROVED),
        _check("check_improved_val_accuracy", "build_improved_model", 2, True,
               "accuracy earned in the grader by the improved model (validation split)",
               cases.VALIDATION_ACCURACY, step="improved_accuracy", measure=earned.measure_accuracy("val")),
        _check("check_make_early_stopping", "make_early_stopping", 1, True, "make_early_stopping(patience=4)",
               cases.VISIBLE_EARLY_STOPPING),
        _check("check_collect_predictions", "collect_predictions", 2, True,
               "collect_predictions on 20 images in batches of 8 with a tiny logits model", cases.VISIBLE_COLLECT),
        _check("check_confusion_matrix", "confusion_matrix", 1, True, "confusion_matrix on 60 seeded predictions",
               cases.VISIBLE_CONFUSION),
        _check("check_plot_confusion_matrix", "plot_confusion_matrix", 2, True,
               "plot_confusion_matrix (counts) on 60 seeded predictions", cases.VISIBLE_HEATMAP),
        _check("check_worst_k", "worst_k", 2, True, "worst_k(class_index=2, k=4) on 50 seeded predictions",
               cases.VISIBLE_WORST),
        _check("check_plot_predictions", "plot_predictions", 2, True, "plot_predictions with 4 indices",
               cases.VISIBLE_PREDICTIONS),
        _check("check_to_display", "to_display", 1, True, "to_display on a dim float32 image", cases.VISIBLE_DISPLAY),
    ),
)
CHAPTER = extend(VISIBLE)
