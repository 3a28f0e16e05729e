"""Chapter 6, build, compile and train a CNN: the table of checks.

Stubs the student completes (see ``source/ch06_training``):

* ``build_model(num_classes, input_shape)`` -> an uncompiled Keras model
* ``compile_model(model, learning_rate)`` -> the same model, compiled with the loss that matches its output
* ``train_model(model, train_dataset, val_dataset, epochs)`` -> the History of ``fit``

Each function is checked on its own: the compile and training checks hand the student's function a
small model made by the kit (``cases``), never the student's ``build_model``, so a fault costs only its
own checks. Architecture checks rebuild the model from its JSON in trusted code
(``training.measure_architecture``). Accuracy checks never read the student's own numbers:
:mod:`autograder.training` trains a fresh model from ``build_model`` with the kit's budget and scores it
on photos the student's code never sees (``earned.measure_accuracy``, run in the sandboxed evaluator).
The rooms: ``cases`` (inputs, written once), ``probes`` (the only code that calls student functions),
``reference`` (the kit's answers), ``judges`` (pure).
"""
from __future__ import annotations

from ... import training
from ...core import Chapter, Rooms
from .. import earned
from . import cases, judges, probes, reference


# One row per check: the probe, reference and judge of a step share its name in every room.
_check = Rooms(probes, reference, judges).check


CHAPTER = Chapter(
    key="ch06",
    assignment="ch06_training",
    title="Build, compile and train a CNN",
    prepare=earned.prepare,
    prepare_private=earned.prepare_private,
    per_check_seconds=20,
    memory_bytes=6 << 30,
    checks=(
        _check("check_build_model", "build_model", 2, True, f"build_model(5, {earned.INPUT_SHAPE})",
               cases.VISIBLE_BUILD, training.measure_architecture),
        _check("hidden_build_model", "build_model", 1, False, "build_model with 3 classes and 80 x 72 images",
               cases.HIDDEN_BUILD, training.measure_architecture),
        _check("check_compile_model", "compile_model", 2, True,
               "compile_model on two kit models (softmax, logits), learning rate 0.001", cases.VISIBLE_COMPILE),
        _check("hidden_compile_model", "compile_model", 1, False, "compile_model with learning rate 0.0003",
               cases.HIDDEN_COMPILE),
        _check("check_train_model", "train_model", 2, True, "train_model on a tiny model and dataset, 2 epochs",
               cases.VISIBLE_TRAIN),
        _check("hidden_train_model", "train_model", 1, False, "train_model for 3 epochs", cases.HIDDEN_TRAIN),
        _check("check_val_accuracy", "build_model", 2, True, "accuracy earned in the grader (validation split)",
               cases.VISIBLE_ACCURACY, earned.measure_accuracy("val"), step="accuracy"),
        _check("hidden_test_accuracy", "build_model", 4, False, "accuracy earned in the grader (test split)",
               cases.HIDDEN_ACCURACY, earned.measure_accuracy("test"), step="accuracy"),
    ),
)
