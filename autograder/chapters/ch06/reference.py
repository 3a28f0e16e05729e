"""Chapter 6's expected answers, computed by the kit's own code. Trusted: never imports probes."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import training
from .. import earned
from . import cases


def build_model(case: cases.Build, inputs_dir: Path) -> dict:
    return {"input_shape": [None, *case.input_shape], "output_shape": [None, case.num_classes],
            "cap": training.PARAMETER_CAP}


def compile_model(case: cases.Compile, inputs_dir: Path) -> dict:
    """The right loss follows from the kit model's last layer: from_logits=True for logits only."""
    return {"learning_rate": case.learning_rate,
            "models": [{"head": head, "from_logits": head == cases.LOGITS} for head in case.heads]}


def train_model(case: cases.Train, inputs_dir: Path) -> dict:
    """The epochs and History keys wanted, the kit model's weights before training (drawn here, in the
    grader, from the case's seed) and the two tiny splits, for the judge's own loss."""
    return {"epochs": case.epochs, "keys": ["accuracy", "loss", "val_accuracy", "val_loss"],
            "initial": [np.asarray(weight, dtype="float32") for weight in case.model().get_weights()],
            **case.splits()}


def accuracy(case: cases.Accuracy, inputs_dir: Path) -> dict:
    return earned.expected_accuracy(case.split, case.threshold)(inputs_dir)
