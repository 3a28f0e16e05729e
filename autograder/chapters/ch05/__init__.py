"""Chapter 5, preprocessing and augmentation: the table of checks.

Stubs the student completes (see ``source/ch05_preprocessing``):

* ``resize_image(image, label, image_size)`` -> ``(float32 image (H, W, 3) 0-255, label)``, the val/test path
* ``preprocess_image(image, label, image_size)`` -> the same plus a random left-right flip, the training path
* ``build_augmentation(rotation_degrees, zoom, contrast)`` -> a ``keras.Sequential`` of random layers
* ``prepare_dataset(dataset, training, batch_size, image_size, augmentation=None)`` -> a batched,
  cached, prefetched ``tf.data.Dataset``; shuffled and augmented only when ``training``

Inputs are seeded images made in memory (no files, no photos). The rooms: ``cases`` (inputs,
written once), ``probes`` (the only code that calls student functions), ``reference`` (the kit's
answers), ``judges`` (pure). ``prepare_dataset`` is probed three ways (a validation split, a
training split, both with an augmentation given): those rows name their probe, reference and judge.
"""
from __future__ import annotations

from ...core import Chapter, Rooms
from . import cases, judges, probes, reference


# One row per check: the probe, reference and judge of a step share its name in every room.
_check = Rooms(probes, reference, judges).check


CHAPTER = Chapter(
    key="ch05",
    assignment="ch05_preprocessing",
    title="Preprocessing and augmentation",
    prepare=cases.prepare,
    per_check_seconds=30,
    checks=(
        _check("check_resize_image", "resize_image", 1, True,
               "resize_image on 6 seeded images of varying size, to (24, 32)", cases.VISIBLE_RESIZE),
        _check("hidden_resize_image", "resize_image", 1, False, "resize_image mapped over a dataset, to (36, 20)",
               cases.HIDDEN_RESIZE),
        _check("check_preprocess_image", "preprocess_image", 2, True,
               "preprocess_image called 12 times on each of 8 seeded images, size (24, 32)", cases.VISIBLE_PREPROCESS),
        _check("hidden_preprocess_image", "preprocess_image", 1, False,
               "preprocess_image mapped over a 16-image dataset, read twice, size (28, 28)", cases.HIDDEN_PREPROCESS),
        _check("check_build_augmentation", "build_augmentation", 2, True, "build_augmentation(20, 0.2, 0.2)",
               cases.VISIBLE_AUGMENTATION),
        _check("hidden_build_augmentation", "build_augmentation", 1, False, "build_augmentation(45, 0.1, 0.3)",
               cases.HIDDEN_AUGMENTATION),
        _check("check_prepare_dataset_eval", "prepare_dataset", 2, True,
               "prepare_dataset on a 10-image validation split (training=False, batch 4, size (24, 32))",
               cases.VISIBLE_EVAL, step="prepare_dataset_eval"),
        _check("check_prepare_dataset_train", "prepare_dataset", 2, True,
               "prepare_dataset on a 24-image training split (training=True, batch 5, size (24, 32)), two epochs",
               cases.VISIBLE_TRAIN, step="prepare_dataset_train"),
        _check("hidden_prepare_dataset_augmentation", "prepare_dataset", 2, False,
               "prepare_dataset given an augmentation, for a training and a test split (size (20, 28))",
               cases.HIDDEN_AUGMENTED, step="prepare_dataset_augmented"),
    ),
)
