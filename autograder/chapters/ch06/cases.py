"""Chapter 6's visible cases: each visible check's inputs, written once. The student's process never
sees a photo of this chapter: the build checks pass shapes, the compile and training checks hand the
student's function a small model made here (kit code, not the student's ``build_model``), so a fault
in one function costs only that function's checks. The hidden checks' cases are the grader's
(``hidden.py``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import data, training
from ..earned import INPUT_SHAPE

SOFTMAX, LOGITS = "softmax", "logits"   # the two kinds of output a classifier's last layer gives


@dataclass(frozen=True)
class Build:
    num_classes: int
    input_shape: tuple[int, int, int]


@dataclass(frozen=True)
class Compile:
    learning_rate: float
    heads: tuple[str, ...]     # one kit model per kind of output, compiled by the student's function in turn

    def model(self, head: str):
        """A tiny uncompiled kit model ending in Dense(5, activation="softmax") (probabilities) or
        Dense(5) (logits)."""
        import keras

        keras.utils.set_random_seed(0)
        return keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                                 keras.layers.Dense(len(data.CLASS_NAMES),
                                                    activation="softmax" if head == SOFTMAX else None)],
                                name=f"kit_{head}_model")


@dataclass(frozen=True)
class Train:
    epochs: int
    seed: int

    def splits(self) -> dict[str, dict[str, np.ndarray]]:
        """The kit's tiny training and validation sets, from the seed: 32 and 16 images of 12 x 12 x 3
        (float32, 0-255) with labels 0-4 (int32)."""
        rng = np.random.default_rng(self.seed)
        found = {}
        for name, count in (("train", 32), ("val", 16)):
            images = rng.integers(0, 256, size=(count, 12, 12, 3)).astype("float32")
            found[name] = {"images": images,
                           "labels": rng.integers(0, len(data.CLASS_NAMES), size=count).astype("int32")}
        return found

    def model(self):
        """The kit's tiny compiled model, its weights drawn from the seed: Rescaling(1/255), Conv2D(4, 3,
        relu), Flatten, Dense(5) logits; Adam(0.01) and sparse categorical cross-entropy from logits.
        ``judges.kit_loss`` computes its loss with NumPy alone."""
        import keras

        keras.utils.set_random_seed(self.seed)
        model = keras.Sequential([keras.Input((12, 12, 3)), keras.layers.Rescaling(1 / 255),
                                  keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.Flatten(),
                                  keras.layers.Dense(len(data.CLASS_NAMES))])
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return model

    def model_and_data(self):
        """The compiled kit model and its datasets (batches of 8), small enough to train in a second."""
        import tensorflow as tf

        model, splits = self.model(), self.splits()
        return model, *(tf.data.Dataset.from_tensor_slices((splits[name]["images"], splits[name]["labels"])).batch(8)
                        for name in ("train", "val"))


@dataclass(frozen=True)
class Accuracy:
    split: str                 # "val" or "test": the held-out split the grader scores on
    threshold: float


VISIBLE_BUILD = Build(5, INPUT_SHAPE)
VISIBLE_COMPILE = Compile(0.001, (SOFTMAX, LOGITS))
VISIBLE_TRAIN = Train(2, 6)
VISIBLE_ACCURACY = Accuracy("val", training.THRESHOLDS["build_model"].val)
