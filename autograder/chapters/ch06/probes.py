"""Chapter 6's probes: the only code that calls the student's functions. Each returns plain data.
No probe trains on photos: the accuracy probe sends back the architecture alone, and the grader
trains it where no student code runs (:mod:`autograder.training`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import training
from ..probing import architecture_of, compile_facts, shares_architecture
from . import cases


def build_model(build_model, case: cases.Build, inputs_dir: Path) -> dict:
    return training.describe_model(training.build_fresh(build_model, case.num_classes, case.input_shape))


def compile_model(compile_model, case: cases.Compile, inputs_dir: Path) -> dict:
    """compile_model on each of the kit's models in turn (never on the student's build_model)."""
    models = []
    for head in case.heads:
        model = case.model(head)
        returned = compile_model(model, case.learning_rate)
        models.append({"head": head, "compile": compile_facts(model), "returned_model": returned is model})
    return {"models": models}


def train_model(train_model, case: cases.Train, inputs_dir: Path) -> dict:
    import keras

    model, train_dataset, val_dataset = case.model_and_data()
    before = [w.copy() for w in model.get_weights()]
    history = train_model(model, train_dataset, val_dataset, case.epochs)
    changed = any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    if not isinstance(history, keras.callbacks.History):
        return {"history": False, "type": type(history).__name__, "changed": changed}
    logs = {str(key): [float(value) for value in values] for key, values in history.history.items()}
    return {"history": True, "logs": logs, "epoch": [int(e) for e in history.epoch], "changed": changed,
            "same_model": history.model is model}


def accuracy(build_model, case: cases.Accuracy, inputs_dir: Path) -> dict:
    """A fresh model's architecture; it never trains (the grader does, elsewhere)."""
    return architecture_of(build_model)


# The validation and test checks of one architecture share one training (see autograder/nbcheck.py).
shares_architecture(accuracy)
