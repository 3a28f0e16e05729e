"""Chapter 5 on the grader side: the hidden checks, their cases, and the table's order.
Never shipped to students (see ``student/``). Every input is made in memory: nothing to prepare."""
from __future__ import annotations

from ...core import Chapter, Rooms
from ..full import full_chapter
from . import judges, probes, reference
from .cases import Augmentation, AugmentedPipelines, PerImage, Pipeline

HIDDEN_RESIZE = PerImage(8, 51, (36, 20), mapped=True)
HIDDEN_PREPROCESS = PerImage(16, 53, (28, 28), mapped=True)
HIDDEN_AUGMENTATION = Augmentation(45.0, 0.1, 0.3, 55)
HIDDEN_AUGMENTED = AugmentedPipelines(Pipeline(20, 58, (20, 28), 6, training=True, marked=True),
                                      Pipeline(7, 59, (20, 28), 3, training=False, marked=True))


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_resize_image",
        _check("hidden_resize_image", "resize_image", 1, False, "resize_image mapped over a dataset, to (36, 20)",
               HIDDEN_RESIZE),
        "check_preprocess_image",
        _check("hidden_preprocess_image", "preprocess_image", 1, False,
               "preprocess_image mapped over a 16-image dataset, read twice, size (28, 28)", HIDDEN_PREPROCESS),
        "check_build_augmentation",
        _check("hidden_build_augmentation", "build_augmentation", 1, False, "build_augmentation(45, 0.1, 0.3)",
               HIDDEN_AUGMENTATION),
        "check_prepare_dataset_eval",
        "check_prepare_dataset_train",
        _check("hidden_prepare_dataset_augmentation", "prepare_dataset", 2, False,
               "prepare_dataset given an augmentation, for a training and a test split (size (20, 28))",
               HIDDEN_AUGMENTED, step="prepare_dataset_augmented"),
    ))
