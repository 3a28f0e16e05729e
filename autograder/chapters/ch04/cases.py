"""Chapter 4's cases: each check's inputs, written once. Everything here is seeded and made
in memory or in the inputs folder by :func:`prepare`; probes and references both read it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ... import data, synthetic

# Two generated folders with the course layout.
VISIBLE_FOLDER = "visible_photos"
HIDDEN_FOLDER = "hidden_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 7, "roses": 5, "sunflowers": 6, "tulips": 6}
# An empty class and stray non-photo files: a loader must cope with both.
HIDDEN_COUNTS = {"daisy": 9, "dandelion": 0, "roses": 8, "sunflowers": 10, "tulips": 9}
# A folder that is not a class, as Jupyter leaves one: it sorts before "daisy", so a loader that takes
# every sub-folder for a class makes it class 0 and shifts every label by one.
OTHER_FOLDER = ".ipynb_checkpoints"


def prepare(inputs_dir: Path) -> None:
    inputs_dir = Path(inputs_dir)
    synthetic.make_photo_folder(inputs_dir / VISIBLE_FOLDER, VISIBLE_COUNTS, image_size=(48, 64), seed=4)
    hidden = synthetic.make_photo_folder(inputs_dir / HIDDEN_FOLDER, HIDDEN_COUNTS, image_size=(60, 40), seed=5)
    (hidden / "README.txt").write_text("Not a photo: loaders must skip it.\n")
    (hidden / "daisy" / "notes.txt").write_text("Not a photo either.\n")
    (hidden / OTHER_FOLDER).mkdir()
    (hidden / OTHER_FOLDER / "ch04_loading-checkpoint.ipynb").write_text("{}\n")


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
HIDDEN_LOAD_VAL = LoadSplit(HIDDEN_FOLDER, "val", (24, 24))
HIDDEN_LOAD_TEST = LoadSplit(HIDDEN_FOLDER, "test", (30, 20))
VISIBLE_COUNT = Count(tuple(int(v) for v in np.random.default_rng(4).integers(0, 5, size=40)), as_list=False)
HIDDEN_COUNT = Count((0, 4, 4, 2, 0, 3, 4, 0, 2), as_list=True)  # class 1 never occurs: its count is 0
VISIBLE_FIRST = FirstExamples(3, 12, 40, data.TFDS_CLASS_NAMES)
HIDDEN_FIRST = FirstExamples(5, 40, 41, ("tulips", "roses", "daisy", "sunflowers", "dandelion"))
VISIBLE_PLOT = PlotExamples(9, 6, 42)
HIDDEN_PLOT = PlotExamples(4, 9, 43)   # more asked for than there are
