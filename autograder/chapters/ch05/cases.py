"""Chapter 5's visible cases: each visible check's inputs, written once. Nothing is written to disk:
every input is a seeded uint8 image of varying size made in memory, like tfds's tf_flowers, so probes
and references materialise the same examples from the same case. The hidden checks' cases are the
grader's (``hidden.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CLASS_COUNT = 5


def prepare(inputs_dir: Path) -> None:
    """Nothing to write: every input is generated in memory from a seed."""


def make_examples(count: int, seed: int) -> list[tuple[np.ndarray, int]]:
    """Seeded (uint8 image, label) pairs of varying size: smooth random colour fields, so that other
    resize methods agree within a tolerance while an image and its mirror are far apart."""
    rng = np.random.default_rng(seed)
    examples = []
    for _ in range(count):
        height, width = (int(side) for side in rng.integers(18, 41, size=2))
        coarse = rng.uniform(0, 255, size=(4, 5, 3))
        rows = np.linspace(0, 3, height)[:, None]
        columns = np.linspace(0, 4, width)[None, :]
        top, left = np.minimum(rows.astype(int), 2), np.minimum(columns.astype(int), 3)
        dy, dx = (rows - top)[..., None], (columns - left)[..., None]
        image = ((1 - dy) * (1 - dx) * coarse[top, left] + (1 - dy) * dx * coarse[top, left + 1]
                 + dy * (1 - dx) * coarse[top + 1, left] + dy * dx * coarse[top + 1, left + 1])
        examples.append((np.round(image).astype(np.uint8), int(rng.integers(0, CLASS_COUNT))))
    return examples


def resized(examples, image_size) -> np.ndarray:
    """Every image resized (bilinear) to image_size, float32, 0-255: the kit's answer, and the
    batch an augmentation stack is called on."""
    import tensorflow as tf

    return np.stack([tf.image.resize(image, image_size).numpy() for image, _ in examples]).astype(np.float32)


@dataclass(frozen=True)
class PerImage:
    """resize_image or preprocess_image on ``count`` seeded images: called ``repeats`` times on each
    image, or (``mapped``) mapped over a tfds-style dataset that is read ``passes`` times."""
    count: int
    seed: int
    image_size: tuple[int, int]
    repeats: int = 1
    mapped: bool = False
    passes: int = 2

    def examples(self) -> list[tuple[np.ndarray, int]]:
        return make_examples(self.count, self.seed)


@dataclass(frozen=True)
class Augmentation:
    """build_augmentation(degrees, zoom, contrast), then called on a seeded batch of 6 images."""
    degrees: float
    zoom: float
    contrast: float
    seed: int
    batch_size: tuple[int, int] = (32, 32)

    @property
    def arguments(self) -> tuple[float, float, float]:
        return self.degrees, self.zoom, self.contrast

    def batch(self) -> np.ndarray:
        return resized(make_examples(6, self.seed), self.batch_size)


@dataclass(frozen=True)
class Pipeline:
    """prepare_dataset on a split of ``count`` seeded examples, read twice; ``marked``: an augmentation
    the judge can recognise (it inverts the image) is passed in."""
    count: int
    seed: int
    image_size: tuple[int, int]
    batch_size: int
    training: bool
    marked: bool = False

    def examples(self) -> list[tuple[np.ndarray, int]]:
        return make_examples(self.count, self.seed)

    def sizes(self) -> list[int]:
        """The batch sizes of one pass: full batches, then the smaller last one."""
        full, rest = divmod(self.count, self.batch_size)
        return [self.batch_size] * full + ([rest] if rest else [])


@dataclass(frozen=True)
class AugmentedPipelines:
    """Both splits prepared with an augmentation given: train must use it, val/test never."""
    train: Pipeline
    val: Pipeline


VISIBLE_RESIZE = PerImage(6, 50, (24, 32), repeats=2)
VISIBLE_PREPROCESS = PerImage(8, 52, (24, 32), repeats=12)
VISIBLE_AUGMENTATION = Augmentation(20.0, 0.2, 0.2, 54)
VISIBLE_EVAL = Pipeline(10, 56, (24, 32), 4, training=False)
VISIBLE_TRAIN = Pipeline(24, 57, (24, 32), 5, training=True)
