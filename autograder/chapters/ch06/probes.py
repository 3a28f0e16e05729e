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
    """The History, and the weights the model was left with, read from its variables as they were before
    train_model saw the model. Whether it trained is decided by the judge, from those weights alone (their
    loss, computed with NumPy), never from what the History or the model's own methods report."""
    import keras

    model, train_dataset, val_dataset = case.model_and_data()
    variables = list(model.weights)   # the model's own variables, before any student code holds the model
    history = train_model(model, train_dataset, val_dataset, case.epochs)
    weights = [np.array(keras.ops.convert_to_numpy(variable.value), dtype="float32") for variable in variables]
    if not isinstance(history, keras.callbacks.History):
        return {"history": False, "type": type(history).__name__, "weights": weights}
    logs = {str(key): [float(value) for value in values] for key, values in history.history.items()}
    return {"history": True, "logs": logs, "epoch": [int(e) for e in history.epoch], "weights": weights,
            "same_model": history.model is model}


def accuracy(build_model, case: cases.Accuracy, inputs_dir: Path) -> dict:
    """A fresh model's architecture; it never trains (the grader does, elsewhere)."""
    return architecture_of(build_model)


# The validation and test checks of one architecture share one training (see autograder/nbcheck.py).
shares_architecture(accuracy)
