"""Chapter 6's judges: pure functions from (found, expected) plain data to a Verdict."""
from __future__ import annotations

import math

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


def train_model(found: dict, expected: dict) -> Verdict:
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


def accuracy(found: dict, expected: dict) -> Verdict:
    """Accuracy earned in the grader: the judge chapters 6 and 7 share."""
    return earned.judge_accuracy(found, expected)
