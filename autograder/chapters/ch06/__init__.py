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
``judges`` (pure), and on the grader side only ``reference`` (the kit's answers) and ``hidden`` (the
hidden checks).
"""
from __future__ import annotations

from ... import training
from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import earned, extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch06"), judges).check


VISIBLE = Chapter(
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
        _check("check_compile_model", "compile_model", 2, True,
               "compile_model on two kit models (softmax, logits), learning rate 0.001", cases.VISIBLE_COMPILE),
        _check("check_train_model", "train_model", 2, True, "train_model on a tiny model and dataset, 2 epochs",
               cases.VISIBLE_TRAIN),
        _check("check_val_accuracy", "build_model", 2, True, "accuracy earned in the grader (validation split)",
               cases.VISIBLE_ACCURACY, earned.measure_accuracy("val"), step="accuracy"),
    ),
)
CHAPTER = extend(VISIBLE)
