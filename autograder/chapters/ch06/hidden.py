"""Chapter 6 on the grader side: the hidden checks, their cases, and the table's order.
Never shipped to students (see ``student/``). The student's process reads no inputs here: nothing to
prepare (the trusted trainer's photos come from ``earned.prepare_private``)."""
from __future__ import annotations

from ... import training
from ...core import Chapter, Rooms
from .. import earned
from ..full import full_chapter
from . import judges, probes, reference
from .cases import LOGITS, SOFTMAX, Accuracy, Build, Compile, Train

THRESHOLD = training.THRESHOLDS["build_model"]

HIDDEN_BUILD = Build(3, (80, 72, 3))
HIDDEN_COMPILE = Compile(0.0003, (SOFTMAX, LOGITS))
HIDDEN_TRAIN = Train(3, 7)
HIDDEN_ACCURACY = Accuracy("test", THRESHOLD.test)


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_build_model",
        _check("hidden_build_model", "build_model", 1, False, "build_model with 3 classes and 80 x 72 images",
               HIDDEN_BUILD, training.measure_architecture),
        "check_compile_model",
        _check("hidden_compile_model", "compile_model", 1, False, "compile_model with learning rate 0.0003",
               HIDDEN_COMPILE),
        "check_train_model",
        _check("hidden_train_model", "train_model", 1, False, "train_model for 3 epochs", HIDDEN_TRAIN),
        "check_val_accuracy",
        _check("hidden_test_accuracy", "build_model", 4, False, "accuracy earned in the grader (test split)",
               HIDDEN_ACCURACY, earned.measure_accuracy("test"), step="accuracy"),
    ))
