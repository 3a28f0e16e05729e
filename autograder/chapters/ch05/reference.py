"""Chapter 5's expected answers, computed by the kit's own code. Trusted: never imports probes."""
from __future__ import annotations

from pathlib import Path

from . import cases


def _per_image(case: cases.PerImage) -> dict:
    examples = case.examples()
    return {"images": cases.resized(examples, case.image_size), "labels": [label for _, label in examples],
            "repeats": case.repeats}


def resize_image(case: cases.PerImage, inputs_dir: Path) -> dict:
    return _per_image(case)


def preprocess_image(case: cases.PerImage, inputs_dir: Path) -> dict:
    return _per_image(case)


def build_augmentation(case: cases.Augmentation, inputs_dir: Path) -> dict:
    return {"degrees": case.degrees, "rotation": case.degrees / 360.0, "zoom": case.zoom, "contrast": case.contrast}


def _pipeline(case: cases.Pipeline) -> dict:
    examples = case.examples()
    return {"images": cases.resized(examples, case.image_size), "labels": [label for _, label in examples],
            "sizes": case.sizes(), "batch_size": case.batch_size, "training": case.training, "marked": case.marked}


def prepare_dataset_eval(case: cases.Pipeline, inputs_dir: Path) -> dict:
    return _pipeline(case)


def prepare_dataset_train(case: cases.Pipeline, inputs_dir: Path) -> dict:
    return _pipeline(case)


def prepare_dataset_augmented(case: cases.AugmentedPipelines, inputs_dir: Path) -> dict:
    return {"train": _pipeline(case.train), "val": _pipeline(case.val)}
