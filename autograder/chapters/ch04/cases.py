"""Chapter 4's visible cases: each visible check's inputs, written once. Everything here is seeded and
made in memory or in the inputs folder by :func:`prepare`; probes and references both read it. The
hidden checks' cases are the grader's (``hidden.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ... import data, synthetic

# A generated folder with the course layout.
VISIBLE_FOLDER = "visible_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 7, "roses": 5, "sunflowers": 6, "tulips": 6}


def prepare(inputs_dir: Path) -> None:
    synthetic.make_photo_folder(Path(inputs_dir) / VISIBLE_FOLDER, VISIBLE_COUNTS, image_size=(48, 64), seed=4)


@dataclass(frozen=True)
class LoadSplit:
    folder: str
    split: str
    image_size: tuple[int, int]


@dataclass(frozen=True)
class Count:
    labels: tuple[int, ...]
    as_list: bool              # hand the labels over as a Python list instead of an array

    def array(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.int64)


@dataclass(frozen=True)
class FirstExamples:
    n: int
    total: int
    seed: int
    tfds_names: tuple[str, ...]

    def examples(self) -> list[tuple[np.ndarray, int]]:
        """Seeded (image, label) pairs like tfds's tf_flowers: uint8 images of varying size."""
        rng = np.random.default_rng(self.seed)
        return [(rng.integers(0, 256, size=(int(rng.integers(20, 33)), int(rng.integers(20, 33)), 3), dtype=np.uint8),
                 int(rng.integers(0, len(self.tfds_names)))) for _ in range(self.total)]


@dataclass(frozen=True)
class PlotExamples:
    count: int
    n: int
    seed: int

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        images = rng.integers(0, 256, size=(self.count, 24, 24, 3), dtype=np.uint8)
        labels = rng.integers(0, len(data.CLASS_NAMES), size=self.count).astype(np.int32)
        return images, labels


VISIBLE_LOAD = LoadSplit(VISIBLE_FOLDER, "train", (32, 40))
VISIBLE_COUNT = Count(tuple(int(v) for v in np.random.default_rng(4).integers(0, 5, size=40)), as_list=False)
VISIBLE_FIRST = FirstExamples(3, 12, 40, data.TFDS_CLASS_NAMES)
VISIBLE_PLOT = PlotExamples(9, 6, 42)
