"""Chapter 5, preprocessing and augmentation: the table of checks.

Stubs the student completes (see ``source/ch05_preprocessing``):

* ``resize_image(image, label, image_size)`` -> ``(float32 image (H, W, 3) 0-255, label)``, the val/test path
* ``preprocess_image(image, label, image_size)`` -> the same plus a random left-right flip, the training path
* ``build_augmentation(rotation_degrees, zoom, contrast)`` -> a ``keras.Sequential`` of random layers
* ``prepare_dataset(dataset, training, batch_size, image_size, augmentation=None)`` -> a batched,
  cached, prefetched ``tf.data.Dataset``; shuffled and augmented only when ``training``

Inputs are seeded images made in memory (no files, no photos). The rooms: ``cases`` (inputs,
written once), ``probes`` (the only code that calls student functions), ``judges`` (pure), and on the
grader side only ``reference`` (the kit's answers) and ``hidden`` (the hidden checks).
``prepare_dataset`` is probed in more than one way (a validation split, a training split): those rows
name their step.
"""
from __future__ import annotations

from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch05"), judges).check


VISIBLE = Chapter(
    key="ch05",
    assignment="ch05_preprocessing",
    title="Preprocessing and augmentation",
    prepare=cases.prepare,
    per_check_seconds=30,
    checks=(
        _check("check_resize_image", "resize_image", 1, True,
               "resize_image on 6 seeded images of varying size, to (24, 32)", cases.VISIBLE_RESIZE),
        _check("check_preprocess_image", "preprocess_image", 2, True,
               "preprocess_image called 12 times on each of 8 seeded images, size (24, 32)", cases.VISIBLE_PREPROCESS),
        _check("check_build_augmentation", "build_augmentation", 2, True, "build_augmentation(20, 0.2, 0.2)",
               cases.VISIBLE_AUGMENTATION),
        _check("check_prepare_dataset_eval", "prepare_dataset", 2, True,
               "prepare_dataset on a 10-image validation split (training=False, batch 4, size (24, 32))",
               cases.VISIBLE_EVAL, step="prepare_dataset_eval"),
        _check("check_prepare_dataset_train", "prepare_dataset", 2, True,
               "prepare_dataset on a 24-image training split (training=True, batch 5, size (24, 32)), two epochs",
               cases.VISIBLE_TRAIN, step="prepare_dataset_train"),
    ),
)
CHAPTER = extend(VISIBLE)
