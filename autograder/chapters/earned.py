"""Checks of accuracy earned in the grader, shared by chapters 6 and 7.

The probe, in the student's process, only calls the builder for a fresh model and returns its
architecture (:func:`autograder.training.describe_architecture`). ``measure``, in a process that
holds no student code, vets and rebuilds that architecture with the kit's seed, trains it with the
kit's budget and scores it on a held-out split (:func:`autograder.training.earn`); the judge
compares with a calibrated threshold (``benchmarks/CALIBRATION.md``).
"""
from __future__ import annotations

from pathlib import Path

from .. import data, training
from ..core import Verdict

INPUT_SHAPE = training.INPUT_SHAPE


def prepare(inputs_dir: Path) -> None:
    """Nothing: the student's process builds models, it never sees a photo of chapters 6 and 7."""


def prepare_private(private_dir: Path, test_dir: Path | None) -> None:
    """Train, validation and test splits for the trusted trainer. Without photos only the accuracy
    checks cannot run, and they say why."""
    try:
        training.prepare_private(private_dir, test_dir)
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
    reason = str(found["refused"])
    if "the grader trains" in reason:  # rebuilt, but of the wrong shape for the photos or the classes
        return Verdict(False, f"the grader cannot train this model: {reason}.",
                       "Start with keras.Input(shape=input_shape) and end with Dense(num_classes), both from the "
                       "arguments, never fixed numbers.")
    hint = ("Build the layers and let Keras initialise them: no arrays passed to layers or initializers, no "
            "loaded weights (the grader would start from its own seed anyway)." if "carries" in reason else
            "Use Keras's own layers (keras.layers, keras.applications with weights=None) in keras.Sequential or "
            "keras.Model(inputs, outputs): no Lambda, no custom layer or model classes.")
    return Verdict(False, f"the grader cannot rebuild this model: {reason}.", hint)


def measure_accuracy(split: str):
    scorer = training.measure_accuracy(split)

    def measure(found: dict, private_dir: Path) -> dict:
        missing = Path(private_dir) / "no_photos.txt"
        if missing.exists():
            raise data.FlowersDataUnavailable(missing.read_text())
        return scorer(found, private_dir)
    # Trains: under nbgrader too it runs in the sandboxed evaluator, never in the student's kernel.
    measure.elsewhere = True
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
    told = (f"your {expected.get('function', 'build_model')}'s architecture, initialised and trained by the grader "
            f"({expected['budget']}), scored {accuracy:.3f} on {found['count']} {where} photos")
    if accuracy < threshold:
        per_class = ", ".join(f"{name} {score:.2f}" for name, score in zip(data.CLASS_NAMES, found["per_class"])
                              if score is not None)
        return Verdict(False, f"{told}; at least {threshold:.2f} is needed (per class: {per_class}).",
                       "Guessing one class scores about 0.23. Check that the model sees the pixels (Rescaling(1/255), "
                       "not 1//255, which is 0), that no constraint or regularizer pins the weights, and that the "
                       "last layer is Dense(num_classes) with softmax or no activation.")
    return Verdict(True, f"{told} (at least {threshold:.2f} needed).")


