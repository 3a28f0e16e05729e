"""Accuracy earned in the grader (chapters 6 and 7).

A student's notebook may print any accuracy it likes; the grade never reads it.
Instead the grader:

1. builds a **fresh** model from the student's builder, in the student's process
   (the sandboxed worker, or the kernel under nbgrader), and trains it on the
   train split with the kit's own preprocessing, seed, image size and epoch
   budget (:func:`train_fresh`); only the architecture (``model.to_json()``) and
   the trained weights come back, as plain data;
2. rebuilds that architecture from its JSON in trusted code, standard Keras
   classes only (:func:`rebuild`), loads the weights and measures accuracy on a
   split the student's code never saw (:func:`measure_accuracy`). In the batch
   grader this runs in a second sandboxed process that holds no student code.

Thresholds come from ``benchmarks/CALIBRATION.md`` (``python benchmarks/calibrate.py``).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import data


@dataclass(frozen=True)
class Budget:
    image_size: tuple[int, int] = (96, 96)
    epochs: int = 10
    batch_size: int = 32
    seed: int = 20261124
    learning_rate: float = 1e-3


BUDGET = Budget(image_size=(48, 48), epochs=8)
# More parameters than this is a mistake at this image size (a forgotten pooling layer, a
# Dense layer on raw pixels): the model is refused before any training.
PARAMETER_CAP = 10_000_000
TRAIN_FILE = "train_split.npz"          # in the inputs folder: student code may read it
HELD_OUT_FILES = {"val": "val_split.npz", "test": "test_split.npz"}  # private folder only

# What a rebuilt architecture may contain: Keras's own classes, nothing that carries code.
ALLOWED_MODULES = {"keras", "keras.layers", "keras.initializers", "keras.regularizers", "keras.constraints",
                   "keras.activations"}
KERAS_TOP_LEVEL = {"Sequential", "Functional", "Model", "DTypePolicy", "FloatDTypePolicy"}
REFUSED_CLASSES = {"Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer", "Layer"}


class ArchitectureRefused(ValueError):
    """The architecture cannot be rebuilt by the grader; the message says why."""


# --- inputs --------------------------------------------------------------------------------------

def _write_split(path: Path, split: str, budget: Budget, test_dir=None) -> None:
    images, labels, _ = data.load_split(split, budget.image_size, test_dir=test_dir)
    np.savez(path, images=images, labels=labels)


def prepare_train_split(inputs_dir: Path, budget: Budget = BUDGET) -> None:
    """The train split at the budget's size, for the worker (student code may read it)."""
    _write_split(Path(inputs_dir) / TRAIN_FILE, "train", budget)


def prepare_held_out(private_dir: Path, test_dir: Path | None = None, budget: Budget = BUDGET) -> None:
    """Validation and test splits, for trusted code only (never bound where student code runs).
    ``test_dir`` (or env FLOWERS_TEST_DIR) replaces the test split with an instructor's photos."""
    private_dir = Path(private_dir)
    _write_split(private_dir / HELD_OUT_FILES["val"], "val", budget)
    _write_split(private_dir / HELD_OUT_FILES["test"], "test", budget, test_dir=test_dir)


def _load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]


# --- in the student's process ----------------------------------------------------------------------

def _keras():
    import keras

    return keras


def outputs_probabilities(model, input_shape) -> bool:
    """True when the model's outputs look like probabilities (non-negative rows summing to 1)."""
    sample = np.random.default_rng(0).uniform(0, 255, size=(4, *input_shape)).astype("float32")
    outputs = np.asarray(model(sample, training=False))
    return bool(outputs.min() >= 0 and np.allclose(outputs.sum(axis=-1), 1.0, atol=1e-3))


def build_fresh(build_model: Callable, num_classes: int, input_shape: tuple[int, int, int], *args):
    """Call the student's builder (with any further ``args``) and check it returned a built Keras model."""
    keras = _keras()
    model = build_model(num_classes, input_shape, *args)
    if not isinstance(model, keras.Model):
        raise TypeError(f"build_model must return a keras Model, got {type(model).__name__}")
    if not model.built:
        model.build((None, *input_shape))
    return model


def describe_model(model) -> dict:
    """What the worker sends back about an untrained model: its architecture as JSON."""
    return {"architecture": model.to_json(), "claimed_parameters": int(model.count_params())}


_trained: dict = {}


def train_fresh(build_model: Callable, inputs_dir: Path, budget: Budget = BUDGET, args: tuple = ()) -> dict:
    """Build a fresh model with the student's builder and train it with the kit's budget.

    Returns plain data: the architecture JSON, the trained weights, how the kit compiled
    it and how long training took. Models over :data:`PARAMETER_CAP` are not trained.
    One training serves every check of the same builder in this process (the visible
    validation check and the hidden test check). ``args`` follow (num_classes, input_shape)
    in the call to the builder (chapter 7 passes a learning rate)."""
    key = (id(build_model), getattr(build_model, "__code__", None), budget, str(inputs_dir), args)
    if key not in _trained:
        _trained[key] = _train(build_model, Path(inputs_dir), budget, args)
    return _trained[key]


def _limit_threads(tf) -> None:
    """One inter-op thread: on a busy 2-core machine, competing thread pools slow training
    several times over (measured). Only possible before TensorFlow starts its runtime."""
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass


def _train(build_model: Callable, inputs_dir: Path, budget: Budget, args: tuple = ()) -> dict:
    import tensorflow as tf

    keras = _keras()
    images, labels = _load(inputs_dir / TRAIN_FILE)
    # Seeded: on one machine the same submission earns the same accuracy (measured: identical
    # weights run to run). tf.config.experimental.enable_op_determinism() would also pin the
    # kernels, at 1.5 times the training time on this CPU (measured); the threshold's margin
    # covers what other machines change.
    keras.utils.set_random_seed(budget.seed)
    _limit_threads(tf)  # the same submission earns the same accuracy
    input_shape = (*budget.image_size, 3)
    model = build_fresh(build_model, len(data.CLASS_NAMES), input_shape, *args)
    found = describe_model(model)
    if found["claimed_parameters"] > PARAMETER_CAP:
        return {**found, "trained": False}
    probabilities = outputs_probabilities(model, input_shape)
    # The kit compiles: accuracy measures the architecture, not the student's compile settings.
    model.compile(optimizer=keras.optimizers.Adam(budget.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=not probabilities),
                  metrics=["accuracy"])
    dataset = (tf.data.Dataset.from_tensor_slices((images, labels))
               .shuffle(len(labels), seed=budget.seed)
               .batch(budget.batch_size)
               .map(lambda x, y: (tf.cast(x, tf.float32), y)))
    start = time.perf_counter()
    model.fit(dataset, epochs=budget.epochs, verbose=0, shuffle=False)  # the dataset shuffles itself
    return {**describe_model(model), "trained": True, "weights": [np.asarray(w) for w in model.get_weights()],
            "from_logits": not probabilities, "train_seconds": round(time.perf_counter() - start, 1)}


# --- trusted side -------------------------------------------------------------------------------------

def check_architecture(tree, path: str = "model") -> None:
    """Refuse anything but Keras's own layers, initializers and regularizers (no code objects)."""
    if isinstance(tree, list):
        for index, item in enumerate(tree):
            check_architecture(item, f"{path}[{index}]")
        return
    if not isinstance(tree, dict):
        return
    if "class_name" in tree and tree.get("class_name") != "__keras_tensor__":
        name, module = tree.get("class_name"), tree.get("module")
        keras = _keras()
        if tree.get("registered_name") not in (None, name) or name in REFUSED_CLASSES:
            raise ArchitectureRefused(f"{path} uses {name}, which the grader cannot rebuild")
        if module not in ALLOWED_MODULES:
            raise ArchitectureRefused(f"{path} uses {name} from {module!r}; only Keras's own layers are allowed")
        if module == "keras" and name not in KERAS_TOP_LEVEL:
            raise ArchitectureRefused(f"{path} uses keras.{name}, which the grader does not rebuild")
        if module == "keras.layers" and not hasattr(keras.layers, str(name)):
            raise ArchitectureRefused(f"{path} uses a layer {name!r} that is not a standard Keras layer")
    for key, value in tree.items():
        check_architecture(value, f"{path}.{key}" if key not in ("config",) else path)


def rebuild(architecture: str, weights=None):
    """A Keras model from an architecture JSON string, built by trusted code only."""
    keras = _keras()
    if not isinstance(architecture, str) or len(architecture) > 4_000_000:
        raise ArchitectureRefused("the architecture did not come back as a JSON string")
    tree = json.loads(architecture)
    if isinstance(tree, dict):  # only the layers matter for predictions: how it was compiled does not
        tree.pop("compile_config", None)
    check_architecture(tree)
    model = keras.saving.deserialize_keras_object(tree, safe_mode=True)
    if weights is not None:
        model.set_weights([np.asarray(w) for w in weights])
    return model


def measure_architecture(found: dict, private_dir: Path, input_shape=None) -> dict:
    """Trusted facts about an untrained architecture: shapes, parameters, output kind."""
    claimed = int(found.get("claimed_parameters", 0))
    if claimed > PARAMETER_CAP:  # not rebuilt: building it is the cost the cap avoids
        return {"parameters": claimed, "refused": f"{claimed:,} parameters"}
    try:
        model = rebuild(found["architecture"])
    except ArchitectureRefused as error:
        return {"refused": str(error)}
    parameters = int(model.count_params())
    if parameters > PARAMETER_CAP:
        return {"parameters": parameters, "refused": f"{parameters:,} parameters"}
    input_shape = tuple(model.input_shape[1:])
    return {"parameters": parameters, "input_shape": list(model.input_shape), "output_shape": list(model.output_shape),
            "probabilities": outputs_probabilities(model, input_shape),
            "layers": [type(layer).__name__ for layer in model.layers]}


def predict_classes(model, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    outputs = model.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
    return np.asarray(outputs).argmax(axis=-1)


def measure_accuracy(split: str):
    """A ``measure`` step: rebuild the trained model and score it on a held-out split."""
    def measure(found: dict, private_dir: Path) -> dict:
        if not found.get("trained"):
            return {"trained": False, "parameters": int(found.get("claimed_parameters", 0))}
        try:
            model = rebuild(found["architecture"], found["weights"])
        except ArchitectureRefused as error:
            return {"trained": True, "refused": str(error)}
        images, labels = _load(Path(private_dir) / HELD_OUT_FILES[split])
        predicted = predict_classes(model, images)
        return {"trained": True, "split": split, "count": int(len(labels)),
                "accuracy": float(np.mean(predicted == labels)) if len(labels) else 0.0,
                "per_class": [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else None
                              for c in range(len(data.CLASS_NAMES))],
                "train_seconds": found.get("train_seconds")}
    return measure
