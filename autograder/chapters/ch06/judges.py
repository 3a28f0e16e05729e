"""Chapter 6's judges: pure functions from (found, expected) plain data to a Verdict."""
from __future__ import annotations

import math

import numpy as np

from ...core import Verdict
from .. import earned

# What Keras 3 does with each mismatched pair (measured with Keras 3.15, see the chapter's notebook).
SOFTMAX_WITH_FROM_LOGITS_HINT = (
    "The two settings contradict each other. Keras notices that the output comes from a softmax, warns "
    "(\"received from_logits=True, but the output argument was produced by a Softmax activation ... Was this "
    "intended?\") and computes the loss from the scores before the softmax, so the numbers come out as with "
    "from_logits=False; only probabilities that no Keras softmax produced (an array of saved outputs, say) would "
    "go through softmax a second time. Say what the model gives: from_logits=False for a softmax output.")
LOGITS_WITHOUT_FROM_LOGITS_HINT = (
    "This is the harmful mismatch, and Keras does not warn: with from_logits=False the loss reads the raw scores "
    "as probabilities (clipped and rescaled to sum to 1), so the loss is wrong and training learns much less. "
    "For a last layer without softmax, use SparseCategoricalCrossentropy(from_logits=True).")
OUTPUT_WORDS = {"softmax": "softmax probabilities", "logits": "logits"}


def build_model(found: dict, expected: dict) -> Verdict:
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


def _compiled_one(facts, returned_model: bool, want: dict, learning_rate: float) -> Verdict:
    """How compile_model treated one kit model whose output kind is ``want['head']``."""
    if not facts:
        return Verdict(False, "the model is not compiled after compile_model(model, learning_rate).",
                       "Call model.compile(optimizer=..., loss=..., metrics=[...]) on the model you were given.")
    if not returned_model:
        return Verdict(False, "compile_model compiled the model but did not return it.",
                       "End with `return model`, the same object you compiled.")
    optimizer = str(facts["optimizer"])
    if optimizer.lower() != "adam":
        return Verdict(False, f"the optimizer is {optimizer or 'missing'}, expected Adam.",
                       "Pass keras.optimizers.Adam(learning_rate=learning_rate) as the optimizer.")
    rate = facts["learning_rate"]
    if not isinstance(rate, (int, float)) or not math.isclose(rate, learning_rate, rel_tol=1e-3):
        return Verdict(False, f"Adam's learning rate is {rate}, expected {learning_rate} (the argument).",
                       "Use the learning_rate argument: keras.optimizers.Adam(learning_rate=learning_rate); the string "
                       "'adam' always means 0.001.")
    loss, from_logits = str(facts["loss"]).lower(), bool(facts["from_logits"])
    if loss != "sparse_categorical_crossentropy":
        hint = ("categorical_crossentropy wants one-hot labels; the labels here are class indices."
                if "categorical" in loss else "Labels are class indices 0..4: use SparseCategoricalCrossentropy.")
        return Verdict(False, f"the loss is {loss or 'missing'}, expected sparse categorical cross-entropy.", hint)
    if from_logits != want["from_logits"]:
        if want["head"] == "softmax":
            return Verdict(False, "the model ends in softmax (probabilities) but the loss has from_logits=True.",
                           SOFTMAX_WITH_FROM_LOGITS_HINT)
        return Verdict(False, "the model outputs logits (no softmax) but the loss has from_logits=False.",
                       LOGITS_WITHOUT_FROM_LOGITS_HINT)
    metrics = [str(metric).lower() for metric in facts["metrics"]]
    if not any("accuracy" in metric for metric in metrics):
        return Verdict(False, f"the metrics are {metrics}, expected accuracy among them.",
                       "Add metrics=['accuracy'] so fit reports it for both splits.")
    return Verdict(True, "")


def compile_model(found: dict, expected: dict) -> Verdict:
    models, wanted = list(found["models"]), expected["models"]
    if [model["head"] for model in models] != [want["head"] for want in wanted]:
        return Verdict(False, "the kit's models were not all compiled.",
                       "compile_model is called once per model: compile the model you are given and return it.")
    for model, want in zip(models, wanted):
        verdict = _compiled_one(model["compile"], bool(model["returned_model"]), want, expected["learning_rate"])
        if not verdict.ok:
            return verdict
    pairs = " and ".join(f"from_logits={want['from_logits']} for the model that outputs {OUTPUT_WORDS[want['head']]}"
                         for want in wanted)
    return Verdict(True, f"Adam at {expected['learning_rate']:g}, sparse categorical cross-entropy with {pairs}, "
                   "accuracy tracked.")


def kit_loss(weights: list, split: dict) -> float:
    """The kit model's mean loss on ``split`` (sparse categorical cross-entropy from logits), with NumPy
    alone: Rescaling(1/255), Conv2D(4, 3, relu, no padding), Flatten, Dense(5) (``cases.Train.model``)."""
    kernel, bias, dense, dense_bias = (np.asarray(weight, dtype="float64") for weight in weights)
    images = np.asarray(split["images"], dtype="float64") / 255.0                    # (N, 12, 12, 3)
    windows = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(1, 2))  # (N, 10, 10, 3, 3, 3)
    features = np.maximum(np.einsum("nhwcij,ijck->nhwk", windows, kernel) + bias, 0.0)
    logits = features.reshape(len(images), -1) @ dense + dense_bias                   # (N, 5)
    logits -= logits.max(axis=1, keepdims=True)
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    labels = np.asarray(split["labels"], dtype=int)
    return float(-log_probabilities[np.arange(len(labels)), labels].mean())


def _weights_problem(weights, initial) -> str | None:
    if not isinstance(weights, list) or len(weights) != len(initial) or any(
            np.shape(weight) != np.shape(start) for weight, start in zip(weights, initial)):
        return "the kit model's weights could not be read back after train_model"
    if not all(np.all(np.isfinite(weight)) for weight in weights):
        return "the kit model's weights are not finite numbers after train_model"
    return None


def train_model(found: dict, expected: dict) -> Verdict:
    """Trained is read from the weights the model was left with: their loss on the kit's training batches,
    computed here, must fall below the loss of the weights it started from, and the History's last val_loss
    must be the loss those weights give on the validation batches (a History written by hand is not)."""
    if not found["history"]:
        return Verdict(False, f"train_model returned a {found['type']}, expected the History that fit returns.",
                       "Return what model.fit(...) returns: `history = model.fit(...)`, then `return history`.")
    not_trained = "Call fit on the model you were given, not on a new one, and return the History fit returns."
    if not found.get("same_model", True):
        return Verdict(False, "the model given to train_model was not trained (the History belongs to another "
                              "model).", not_trained)
    problem = _weights_problem(found.get("weights"), expected["initial"])
    if problem:
        return Verdict(False, f"the model given to train_model was not trained: {problem}.", not_trained)
    before, after = (kit_loss(weights, expected["train"]) for weights in (expected["initial"], found["weights"]))
    if not after < before - 1e-3:
        return Verdict(False, f"the model given to train_model was not trained (its loss on the training batches "
                              f"is {after:.4f}, and was {before:.4f} before).", not_trained)
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
    reported, actual = logs["val_loss"][-1], kit_loss(found["weights"], expected["val"])
    if not math.isclose(reported, actual, rel_tol=1e-3, abs_tol=1e-3):
        return Verdict(False, f"the model given to train_model was not trained as its History says: the History "
                              f"ends with val_loss {reported:.4f}, but the weights the model was left with give "
                              f"{actual:.4f} on the validation batches.", not_trained)
    return Verdict(True, f"{epochs} epochs trained, with loss and accuracy for both splits in the History.")


def accuracy(found: dict, expected: dict) -> Verdict:
    """Accuracy earned in the grader: the judge chapters 6 and 7 share."""
    return earned.judge_accuracy(found, expected)
