"""Checks of accuracy earned in the grader, shared by chapters 6 and 7.

The probe trains a fresh model from the student's builder with the kit's budget
(:func:`autograder.training.train_fresh`, in the student's process); ``measure`` rebuilds it
from JSON and weights where no student code runs and scores it on a held-out split; the
judge compares with a calibrated threshold (``benchmarks/CALIBRATION.md``).
"""
from __future__ import annotations

from pathlib import Path

from .. import data, training
from ..core import Verdict

INPUT_SHAPE = (*training.BUDGET.image_size, 3)


def prepare(inputs_dir: Path) -> None:
    """The train split for the worker. Without photos only the accuracy checks cannot run,
    and they say why; the others need nothing prepared."""
    try:
        training.prepare_train_split(inputs_dir)
    except data.FlowersDataUnavailable as error:
        (Path(inputs_dir) / "no_photos.txt").write_text(str(error))


def prepare_private(private_dir: Path, test_dir: Path | None) -> None:
    try:
        training.prepare_held_out(private_dir, test_dir)
    except data.FlowersDataUnavailable as error:
        (Path(private_dir) / "no_photos.txt").write_text(str(error))


def refused(found: dict, cap: int) -> Verdict | None:
    if "refused" not in found:
        return None
    if "parameters" in found:
        return Verdict(False, f"the model has {found['parameters']:,} parameters, over the cap of {cap:,}; "
                       "it is not trained.",
                       "Such a count usually means a Dense layer sees a huge input: keep the MaxPooling2D after "
                       "each convolution and Flatten only at the end.")
    return Verdict(False, f"the grader cannot rebuild this model: {found['refused']}.",
                   "Use Keras's own layers only (no Lambda or custom layer classes).")


def probe_accuracy(*args):
    """A probe that trains a fresh model; ``args`` follow (num_classes, input_shape) in the builder's call."""
    def probe(build_model, inputs_dir: Path) -> dict:
        training.build_fresh(build_model, len(data.CLASS_NAMES), INPUT_SHAPE, *args)  # a stub says so first
        missing = Path(inputs_dir) / "no_photos.txt"
        if missing.exists():
            raise data.FlowersDataUnavailable(missing.read_text())
        return training.train_fresh(build_model, inputs_dir, args=tuple(args))
    return probe


def measure_accuracy(split: str):
    scorer = training.measure_accuracy(split)

    def measure(found: dict, private_dir: Path) -> dict:
        missing = Path(private_dir) / "no_photos.txt"
        if missing.exists():
            raise data.FlowersDataUnavailable(missing.read_text())
        return scorer(found, private_dir)
    return measure


def expected_accuracy(split: str, threshold: float, function: str = "build_model"):
    def expected(inputs_dir: Path) -> dict:
        budget = training.BUDGET
        return {"split": split, "threshold": threshold, "cap": training.PARAMETER_CAP, "function": function,
                "budget": f"{budget.epochs} epochs at {budget.image_size[0]} x {budget.image_size[1]} px, seed {budget.seed}"}
    return expected


def judge_accuracy(found: dict, expected: dict) -> Verdict:
    if not found.get("trained"):
        cap = expected["cap"]
        return Verdict(False, f"the model has {found.get('parameters', 0):,} parameters, over the cap of {cap:,}, "
                       "so the grader did not train it.",
                       "Keep a MaxPooling2D after each convolution and Flatten only at the end.")
    if "refused" in found:
        return refused(found, expected["cap"])
    accuracy, threshold, split = float(found["accuracy"]), expected["threshold"], expected["split"]
    where = "validation" if split == "val" else "test"
    told = (f"a fresh model from your {expected.get('function', 'build_model')}, trained by the grader ({expected['budget']}), "
            f"scored {accuracy:.3f} on {found['count']} {where} photos")
    if accuracy < threshold:
        per_class = ", ".join(f"{name} {score:.2f}" for name, score in zip(data.CLASS_NAMES, found["per_class"])
                              if score is not None)
        return Verdict(False, f"{told}; at least {threshold:.2f} is needed (per class: {per_class}).",
                       "Guessing one class scores about 0.23. Check that the model sees the pixels (Rescaling(1/255), "
                       "not 1//255, which is 0), that every layer is trainable, and that the last layer is "
                       "Dense(num_classes) with softmax or no activation.")
    return Verdict(True, f"{told} (at least {threshold:.2f} needed).")


