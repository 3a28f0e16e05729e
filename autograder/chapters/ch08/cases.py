"""Chapter 8's visible cases: each visible check's inputs, written once, all made from seeds (the hidden
checks' cases are the grader's, ``hidden.py``).

* the generated corner-patch images (NumPy only) and the small Sequential CNN trained on them,
  the model every tf-explain probe explains (trained from its seeds once per process, on the CPU,
  about two seconds, and kept in :data:`_MODELS`): the worker trains it for the student's
  functions, and on the grader side the trusted evaluator trains its own copy, the same model, for
  the kit's answers (the checks' ``measure`` steps);
* the tiny untrained CNN of ``gradcam_heatmap``, whose weights are seeded NumPy arrays, so the
  kit's reference can compute its Grad-CAM in NumPy alone, with no model in the grader's process;
* the random explanations ``plot_explanations`` draws.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ... import data

# --- the generated corner-patch images ---------------------------------------------------------

IMAGE_SIDE = 32        # generated images are IMAGE_SIDE x IMAGE_SIDE x 3
PATCH_SIDE = 8         # the bright square that decides the class
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")  # class i = patch in CORNERS[i]
LAYER_NAME = "last_conv"  # the probe model's last convolution (a 16 x 16 grid)
TRAIN_SEED, TRAIN_COUNT = 11, 320


def prepare(inputs_dir: Path) -> None:
    """Nothing to write: every input is generated from a seed where it is used."""


def corner_images(count: int, seed: int, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded uint8 images (count, 32, 32, 3), 0-255, with a bright 8 x 8 patch near one corner.

    The label is the corner's index in CORNERS; the background is grey noise. ``labels``
    fixes the classes (else they are drawn with the seed). NumPy only: the trusted side can
    make the same images.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CORNERS), size=count) if labels is None else np.asarray(labels)
    images = rng.normal(95.0, 25.0, size=(count, IMAGE_SIDE, IMAGE_SIDE, 3))
    far = IMAGE_SIDE - PATCH_SIDE
    for index, label in enumerate(labels):
        row_shift, column_shift = rng.integers(0, 4, size=2)
        row = int(row_shift) if label in (0, 1) else far - int(row_shift)
        column = int(column_shift) if label in (0, 2) else far - int(column_shift)
        images[index, row:row + PATCH_SIDE, column:column + PATCH_SIDE] = rng.normal(
            235.0, 10.0, size=(PATCH_SIDE, PATCH_SIDE, 3))
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int32)


_MODELS: dict = {}


def tensorflow_with_tf_keras():
    """TensorFlow, after making sure tf.keras is tf-keras (tf-explain's GradCAM needs it)."""
    import tensorflow as tf

    if not tf.keras.Sequential.__module__.startswith("tf_keras"):
        raise RuntimeError(
            "tf.keras is Keras 3 here, and tf-explain's GradCAM needs tf-keras: set "
            "os.environ['TF_USE_LEGACY_KERAS'] = '1' before TensorFlow is imported "
            "(restart the kernel and run the first cell first)")
    return tf


def corner_model():
    """The tf-explain checks' model: a small Sequential CNN (Rescaling(1/255) first, two convolutions,
    one dense softmax layer) trained on corner images from fixed seeds, on the CPU; cached per process.
    Built from seeds alone, so the trusted side rebuilds it rather than reading anything student code wrote."""
    if "corner" in _MODELS:
        return _MODELS["corner"]
    tf = tensorflow_with_tf_keras()
    with tf.device("/CPU:0"):  # the same model in the worker and the trusted evaluator, GPU or none
        model = _trained_corner_model(tf)
    _MODELS["corner"] = model
    return model


def _trained_corner_model(tf):
    layers = tf.keras.layers

    def init(seed):
        return tf.keras.initializers.GlorotUniform(seed=seed)

    model = tf.keras.Sequential([
        layers.Input((IMAGE_SIDE, IMAGE_SIDE, 3)),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer=init(1)),
        layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu", kernel_initializer=init(2), name=LAYER_NAME),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(len(CORNERS), activation="softmax", kernel_initializer=init(3)),
    ], name="corner_cnn")
    model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy")
    images, labels = corner_images(TRAIN_COUNT, TRAIN_SEED)
    model.fit(images, labels, epochs=5, batch_size=32, shuffle=False, verbose=0)
    return model


# --- the cases -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choose:
    calls: tuple[tuple[int, int, int], ...]   # (num_images, n, seed) per call
    repeat: bool                               # call twice with each seed: the picks must not change


@dataclass(frozen=True)
class Heatmaps:
    count: int
    seed: int
    labels: tuple[int, ...] | None = None      # the patches' corners (else drawn with the seed)
    corner: bool = False                       # judge where the map is strongest, not the values

    def images(self) -> tuple[np.ndarray, np.ndarray]:
        return corner_images(self.count, self.seed, self.labels)


@dataclass(frozen=True)
class Explain:
    count: int
    image_seed: int
    n: int
    seed: int
    other_seed: int    # a second seed: with n < count it must pick other images

    def images(self) -> np.ndarray:
        return corner_images(self.count, self.image_seed)[0]


@dataclass(frozen=True)
class Plot:
    n: int
    seed: int

    def inputs(self) -> dict:
        rng = np.random.default_rng(self.seed)
        return {"indices": rng.choice(200, size=self.n, replace=False).astype(np.int64),
                "classes": rng.integers(0, len(data.CLASS_NAMES), size=self.n).astype(np.int64),
                "heatmaps": rng.uniform(0, 1, size=(self.n, 20, 24)).astype(np.float32),
                "overlays": rng.integers(0, 256, size=(self.n, 20, 24, 3), dtype=np.uint8)}


@dataclass(frozen=True)
class TinyCNN:
    """A tiny CNN with seeded NumPy weights, never trained: input (height, width, 3) in [0, 1] ->
    3 x 3 'same' convolutions with ReLU (the last one named ``layer_name``, ``channels`` maps) ->
    Flatten -> Dense(classes, softmax). ``first_channels`` > 0 puts one more convolution in front,
    so the layer to explain is not the first one. Each image is explained for each class in
    ``class_indices``."""
    seed: int
    height: int
    width: int
    channels: int
    classes: int
    class_indices: tuple[int, ...]
    first_channels: int = 0
    layer_name: str = "features"

    def weights(self) -> list[np.ndarray]:
        """The weights in Keras's order: [kernel, bias] per convolution, then [kernel, bias] of the dense layer."""
        rng = np.random.default_rng(self.seed)
        found, depth = [], 3
        for channels in ([self.first_channels] if self.first_channels else []) + [self.channels]:
            found += [rng.normal(0.0, 0.6, size=(3, 3, depth, channels)).astype(np.float32),
                      rng.normal(0.0, 0.1, size=channels).astype(np.float32)]
            depth = channels
        inputs = self.height * self.width * self.channels
        found += [rng.normal(0.0, 0.5 / np.sqrt(inputs), size=(inputs, self.classes)).astype(np.float32),
                  rng.normal(0.0, 0.1, size=self.classes).astype(np.float32)]
        return found

    def image(self) -> np.ndarray:
        """One float32 image (height, width, 3) in [0, 1], seeded."""
        return np.random.default_rng(self.seed + 1000).uniform(0, 1, size=(self.height, self.width, 3)).astype(
            np.float32)


VISIBLE_CHOOSE = Choose(((100, 6, 7),), repeat=False)
VISIBLE_TINY = TinyCNN(seed=5, height=12, width=10, channels=6, classes=3, class_indices=(1,))
VISIBLE_HEATMAPS = Heatmaps(6, 21)
VISIBLE_EXPLAIN = Explain(40, 31, 5, 2, other_seed=3)
VISIBLE_PLOT = Plot(4, 41)
