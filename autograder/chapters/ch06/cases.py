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

    def model_and_data(self):
        """A compiled kit model and datasets small enough to train in a second."""
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(self.seed)
        model = keras.Sequential([keras.Input((12, 12, 3)), keras.layers.Rescaling(1 / 255),
                                  keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.Flatten(),
                                  keras.layers.Dense(len(data.CLASS_NAMES))])
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        rng = np.random.default_rng(self.seed)

        def split(count):
            images = rng.integers(0, 256, size=(count, 12, 12, 3)).astype("float32")
            labels = rng.integers(0, len(data.CLASS_NAMES), size=count).astype("int32")
            return tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
        return model, split(32), split(16)


@dataclass(frozen=True)
class Accuracy:
    split: str                 # "val" or "test": the held-out split the grader scores on
    threshold: float


VISIBLE_BUILD = Build(5, INPUT_SHAPE)
VISIBLE_COMPILE = Compile(0.001, (SOFTMAX, LOGITS))
VISIBLE_TRAIN = Train(2, 6)
VISIBLE_ACCURACY = Accuracy("val", training.THRESHOLDS["build_model"].val)
