"""Chapter 6, build, compile and train a CNN: the checks.

Stubs the student completes (see ``source/ch06_training``):

* ``build_model(num_classes, input_shape)`` -> an uncompiled Keras model
* ``compile_model(model, learning_rate)`` -> the same model, compiled
* ``train_model(model, train_dataset, val_dataset, epochs)`` -> the History of ``fit``

Architecture checks rebuild the model from its JSON in trusted code (shapes, parameter
count, whether it outputs probabilities). Accuracy checks never read the student's own
numbers: :mod:`autograder.training` trains a fresh model from ``build_model`` with the
kit's budget and scores it on photos the student's code never sees.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .. import data, training
from ..core import Chapter, Check, Verdict
from . import earned
from .earned import INPUT_SHAPE, judge_accuracy

VAL_THRESHOLD = training.THRESHOLDS["build_model"].val
TEST_THRESHOLD = training.THRESHOLDS["build_model"].test


# --- build_model ----------------------------------------------------------------------------------

def _probe_build(num_classes: int, input_shape: tuple[int, int, int]):
    def probe(build_model, inputs_dir: Path) -> dict:
        model = training.build_fresh(build_model, num_classes, input_shape)
        return training.describe_model(model)
    return probe


def _measure_architecture(found: dict, private_dir: Path) -> dict:
    return training.measure_architecture(found, private_dir)


def _expected_build(num_classes: int, input_shape: tuple[int, int, int]):
    def expected(inputs_dir: Path) -> dict:
        return {"input_shape": [None, *input_shape], "output_shape": [None, num_classes],
                "cap": training.PARAMETER_CAP}
    return expected


def judge_build(found: dict, expected: dict) -> Verdict:
    refused = earned.refused(found, expected["cap"])
    if refused:
        return refused
    output_shape, want = list(found["output_shape"]), expected["output_shape"]
    if list(found["input_shape"]) != expected["input_shape"]:
        return Verdict(False, f"the model takes inputs of shape {tuple(found['input_shape'])}, expected "
                       f"{tuple(expected['input_shape'])}.", "Start with keras.Input(shape=input_shape).")
    if output_shape != want:
        return Verdict(False, f"the model's output has shape {tuple(output_shape)}, expected {tuple(want)}.",
                       "The last layer is Dense(num_classes): one output per class, from the argument.")
    return Verdict(True, f"input {tuple(found['input_shape'])}, output {tuple(output_shape)}, "
                   f"{found['parameters']:,} parameters (cap {expected['cap']:,}).")


# --- compile_model --------------------------------------------------------------------------------

def _probe_compile(learning_rate: float):
    def probe(compile_model, inputs_dir: Path, build_model) -> dict:
        model = training.build_fresh(build_model, len(data.CLASS_NAMES), INPUT_SHAPE)
        returned = compile_model(model, learning_rate)
        config = model.get_compile_config() if getattr(model, "compiled", False) else None
        return {**training.describe_model(model), "compile": json.dumps(config, default=str),
                "returned_model": returned is model}
    return probe


def _measure_compile(found: dict, private_dir: Path) -> dict:
    return {**training.measure_architecture(found, private_dir), "compile": found["compile"],
            "returned_model": bool(found.get("returned_model"))}


def _expected_compile(learning_rate: float):
    def expected(inputs_dir: Path) -> dict:
        return {"learning_rate": learning_rate, "cap": training.PARAMETER_CAP}
    return expected


def _name(entry) -> str:
    if isinstance(entry, dict):
        return str(entry.get("class_name", ""))
    return str(entry)


def _loss_facts(loss) -> tuple[str, bool]:
    """(loss name in snake case, from_logits) from a serialized loss."""
    if isinstance(loss, dict):
        config = loss.get("config") if isinstance(loss.get("config"), dict) else {}
        name = str(config.get("name") or loss.get("class_name", ""))
        return name.lower(), bool(config.get("from_logits", False))
    return str(loss).lower(), False


def judge_compile(found: dict, expected: dict) -> Verdict:
    refused = earned.refused(found, expected["cap"])
    if refused:
        return refused
    config = json.loads(found["compile"]) if found["compile"] not in (None, "null") else None
    if not config:
        return Verdict(False, "the model is not compiled after compile_model(model, learning_rate).",
                       "Call model.compile(optimizer=..., loss=..., metrics=[...]) on the model you were given.")
    if not found["returned_model"]:
        return Verdict(False, "compile_model compiled the model but did not return it.",
                       "End with `return model`, the same object you compiled.")
    optimizer = config.get("optimizer")
    if _name(optimizer).lower() != "adam":
        return Verdict(False, f"the optimizer is {_name(optimizer) or 'missing'}, expected Adam.",
                       "Pass keras.optimizers.Adam(learning_rate=learning_rate) as the optimizer.")
    rate = (optimizer.get("config") or {}).get("learning_rate") if isinstance(optimizer, dict) else None
    if not isinstance(rate, (int, float)) or not math.isclose(rate, expected["learning_rate"], rel_tol=1e-3):
        return Verdict(False, f"Adam's learning rate is {rate}, expected {expected['learning_rate']} (the argument).",
                       "Use the learning_rate argument: keras.optimizers.Adam(learning_rate=learning_rate); the string "
                       "'adam' always means 0.001.")
    loss, from_logits = _loss_facts(config.get("loss"))
    if loss != "sparse_categorical_crossentropy":
        hint = ("categorical_crossentropy wants one-hot labels; the labels here are class indices."
                if "categorical" in loss else "Labels are class indices 0..4: use SparseCategoricalCrossentropy.")
        return Verdict(False, f"the loss is {loss or 'missing'}, expected sparse categorical cross-entropy.", hint)
    if found["probabilities"] and from_logits:
        return Verdict(False, "the model ends in softmax (probabilities) but the loss has from_logits=True.",
                       "from_logits=True applies softmax again inside the loss. Either keep the softmax and use "
                       "from_logits=False, or drop the softmax (a linear last layer, logits) and keep from_logits=True.")
    if not found["probabilities"] and not from_logits:
        return Verdict(False, "the model outputs logits (no softmax) but the loss has from_logits=False.",
                       "With a linear last layer, tell the loss: SparseCategoricalCrossentropy(from_logits=True). "
                       "Or end the model with activation='softmax'.")
    metrics = [_name(metric).lower() for metric in (config.get("metrics") or [])]
    if not any("accuracy" in metric for metric in metrics):
        return Verdict(False, f"the metrics are {metrics}, expected accuracy among them.",
                       "Add metrics=['accuracy'] so fit reports it for both splits.")
    output = "softmax probabilities" if found["probabilities"] else "logits"
    return Verdict(True, f"Adam at {rate:g}, sparse categorical cross-entropy with from_logits={from_logits} "
                   f"for a model that outputs {output}, accuracy tracked.")


# --- train_model -----------------------------------------------------------------------------------

def _tiny_model_and_data(seed: int):
    """A kit model and datasets small enough to train in a second (kit code, not student code)."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((12, 12, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.Flatten(),
                              keras.layers.Dense(len(data.CLASS_NAMES))])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    rng = np.random.default_rng(seed)

    def split(count):
        images = rng.integers(0, 256, size=(count, 12, 12, 3)).astype("float32")
        labels = rng.integers(0, len(data.CLASS_NAMES), size=count).astype("int32")
        return tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
    return model, split(32), split(16)


def _probe_train(epochs: int, seed: int):
    def probe(train_model, inputs_dir: Path) -> dict:
        import keras

        model, train_dataset, val_dataset = _tiny_model_and_data(seed)
        before = [w.copy() for w in model.get_weights()]
        history = train_model(model, train_dataset, val_dataset, epochs)
        changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
        if not isinstance(history, keras.callbacks.History):
            return {"history": False, "type": type(history).__name__, "changed": changed}
        logs = {str(key): [float(value) for value in values] for key, values in history.history.items()}
        return {"history": True, "logs": logs, "epoch": [int(e) for e in history.epoch], "changed": changed,
                "same_model": history.model is model}
    return probe


def _expected_train(epochs: int):
    def expected(inputs_dir: Path) -> dict:
        return {"epochs": epochs, "keys": ["accuracy", "loss", "val_accuracy", "val_loss"]}
    return expected


def judge_train(found: dict, expected: dict) -> Verdict:
    if not found["history"]:
        return Verdict(False, f"train_model returned a {found['type']}, expected the History that fit returns.",
                       "Return what model.fit(...) returns: `history = model.fit(...)`, then `return history`.")
    if not found["changed"] or not found.get("same_model", True):
        return Verdict(False, "the model given to train_model was not trained (its weights did not change).",
                       "Call fit on the model you were given, not on a new one.")
    logs, epochs = found["logs"], expected["epochs"]
    missing = [key for key in expected["keys"] if key not in logs]
    if any(key.startswith("val_") for key in missing):
        return Verdict(False, f"the History has no {', '.join(missing)}: the validation split was not used.",
                       "Pass validation_data=val_dataset to fit, so every epoch is also scored on unseen photos.")
    if missing:
        return Verdict(False, f"the History lacks {', '.join(missing)}.", "Compile with metrics=['accuracy'].")
    lengths = {len(logs[key]) for key in expected["keys"]}
    if lengths != {epochs}:
        return Verdict(False, f"the History covers {sorted(lengths)} epochs, expected {epochs}.",
                       "Pass epochs=epochs to fit (not a number written in the code).")
    return Verdict(True, f"{epochs} epochs trained, with loss and accuracy for both splits in the History.")


def _check(grade_id, function, points, visible, description, probe, expected, judge, measure=None, also=()):
    return Check(grade_id, function, points, visible, description, probe, expected, judge, measure, also)


CHAPTER = Chapter(
    key="ch06",
    assignment="ch06_training",
    title="Build, compile and train a CNN",
    prepare=earned.prepare,
    prepare_private=earned.prepare_private,
    per_check_seconds=20,
    memory_bytes=6 << 30,
    checks=(
        _check("check_build_model", "build_model", 2, True, f"build_model(5, {INPUT_SHAPE})",
               _probe_build(5, INPUT_SHAPE), _expected_build(5, INPUT_SHAPE), judge_build, _measure_architecture),
        _check("hidden_build_model", "build_model", 1, False, "build_model with 3 classes and 80 x 72 images",
               _probe_build(3, (80, 72, 3)), _expected_build(3, (80, 72, 3)), judge_build, _measure_architecture),
        _check("check_compile_model", "compile_model", 2, True, "compile_model(build_model(...), 0.001)",
               _probe_compile(0.001), _expected_compile(0.001), judge_compile, _measure_compile, ("build_model",)),
        _check("hidden_compile_model", "compile_model", 1, False, "compile_model with learning rate 0.0003",
               _probe_compile(0.0003), _expected_compile(0.0003), judge_compile, _measure_compile, ("build_model",)),
        _check("check_train_model", "train_model", 2, True, "train_model on a tiny model and dataset, 2 epochs",
               _probe_train(2, 6), _expected_train(2), judge_train),
        _check("hidden_train_model", "train_model", 1, False, "train_model for 3 epochs",
               _probe_train(3, 7), _expected_train(3), judge_train),
        _check("check_val_accuracy", "build_model", 2, True, "accuracy earned in the grader (validation split)",
               earned.probe_accuracy(), earned.expected_accuracy("val", VAL_THRESHOLD), judge_accuracy,
               earned.measure_accuracy("val")),
        _check("hidden_test_accuracy", "build_model", 4, False, "accuracy earned in the grader (test split)",
               earned.probe_accuracy(), earned.expected_accuracy("test", TEST_THRESHOLD), judge_accuracy,
               earned.measure_accuracy("test")),
    ),
)
