"""Accuracy earned in the grader (chapters 6 and 7): a submission earns it with its architecture alone.

A notebook may print any accuracy it likes; the grade never reads it, and nothing the
student's process computes reaches the number:

1. **In the student's process** (the sandboxed worker, or the kernel under nbgrader) the
   student's builder is called once for a fresh model, and only its architecture comes back:
   ``model.to_json()`` and the parameter count it claims (:func:`describe_architecture`).
   No weights, no training, no flags.
2. **In a trusted process that holds no student code** (the evaluator, sandboxed as well)
   the architecture is vetted (:func:`vet`: Keras's own classes only, no configuration that
   carries data, every ``trainable`` flag set back to true, every initializer's seed dropped),
   rebuilt with every weight initialised from the kit's seed, trained with the kit's budget on
   the train split and scored on the validation and test splits (:func:`earn`). One training
   serves every split and every check of the same architecture in that process.

Refusals (custom code, data carried in the configuration, too many parameters) happen in
:func:`vet` and :func:`rebuild`, in seconds, before any training.
Thresholds come from ``benchmarks/CALIBRATION.md`` (``python benchmarks/calibrate.py``).
"""
from __future__ import annotations

import hashlib
import json
import os
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
INPUT_SHAPE = (*BUDGET.image_size, 3)   # one image as the grader trains on it
# More parameters than this is a mistake at this image size (a forgotten pooling layer, a
# Dense layer on raw pixels): the model is refused before any training. Every chapter uses it.
PARAMETER_CAP = 10_000_000


@dataclass(frozen=True)
class Threshold:
    """The accuracy a builder's architecture must earn under :data:`BUDGET`, per split."""
    val: float
    test: float


# The one table of accuracy thresholds, by the student's builder. From benchmarks/CALIBRATION.md:
# the reference's lowest score over the calibration seeds minus a wide margin; every baseline
# (majority class, untrained network, a model that ignores its input) scores far below.
THRESHOLDS = {"build_model": Threshold(val=0.45, test=0.45),            # chapter 6
              "build_improved_model": Threshold(val=0.45, test=0.45)}   # chapter 7
SPLIT_FILES = {"train": "train_split.npz", "val": "val_split.npz", "test": "test_split.npz"}
MAX_ARCHITECTURE_CHARS = 4_000_000
# A configuration value holding more numbers than this is data, not a setting: a shape or a
# kernel size holds a handful, EfficientNet's Normalization 3 means and 3 variances.
MAX_NUMBERS_IN_A_SETTING = 64
# GPU memory the trusted trainer may take (MiB); AUTOGRADER_GPU_MEMORY_MB overrides it.
GPU_MEMORY_MB = 8192

# What a rebuilt architecture may contain: Keras's own classes, nothing that carries code.
ALLOWED_MODULES = {"keras", "keras.layers", "keras.initializers", "keras.regularizers", "keras.constraints",
                   "keras.activations", "keras.src.models.functional", "keras.src.models.sequential"}
# Operations that the functional API records when a model applies keras.ops to a KerasTensor.
OPS_MODULES = {"keras.src.ops.numpy", "keras.src.ops.nn", "keras.src.ops.math", "keras.src.ops.core",
               "keras.src.ops.image"}
KERAS_TOP_LEVEL = {"Sequential", "Functional", "Model", "DTypePolicy", "FloatDTypePolicy"}
MODEL_CLASSES = {"Sequential", "Functional", "Model"}
REFUSED_CLASSES = {"Lambda": "a Lambda layer, which carries Python code",
                   "TFSMLayer": "a TFSMLayer, which loads a saved model from disk",
                   "TorchModuleWrapper": "a TorchModuleWrapper, which wraps foreign code",
                   "JaxLayer": "a JaxLayer, which wraps foreign code",
                   "FlaxLayer": "a FlaxLayer, which wraps foreign code",
                   "Layer": "a bare keras.layers.Layer"}


class ArchitectureRefused(ValueError):
    """The architecture cannot be rebuilt by the grader; the message says why."""


# --- inputs --------------------------------------------------------------------------------------

def _write_split(path: Path, split: str, budget: Budget, test_dir=None) -> None:
    images, labels, _ = data.load_split(split, budget.image_size, test_dir=test_dir)
    np.savez(path, images=images, labels=labels)


def prepare_private(private_dir: Path, test_dir: Path | None = None, budget: Budget = BUDGET) -> None:
    """Train, validation and test splits at the budget's size, for trusted code only: this folder
    is never bound where student code runs. ``test_dir`` (or env FLOWERS_TEST_DIR) replaces the
    test split with an instructor's photos."""
    private_dir = Path(private_dir)
    _write_split(private_dir / SPLIT_FILES["train"], "train", budget)
    _write_split(private_dir / SPLIT_FILES["val"], "val", budget)
    _write_split(private_dir / SPLIT_FILES["test"], "test", budget, test_dir=test_dir)


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
    """What the student's process sends back about a model: its architecture, nothing else."""
    return {"architecture": model.to_json(), "claimed_parameters": int(model.count_params())}


def describe_architecture(build_model: Callable, num_classes: int, input_shape, *args) -> dict:
    """The architecture of a fresh model from the student's builder (the accuracy checks' probe)."""
    return describe_model(build_fresh(build_model, num_classes, input_shape, *args))


# --- trusted side: vetting ----------------------------------------------------------------------------

def _numbers_in(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return 1
    if isinstance(value, list):
        return sum(_numbers_in(item) for item in value)
    if isinstance(value, dict) and value.get("class_name") in DATA_OBJECTS:
        config = value.get("config") if isinstance(value.get("config"), dict) else {}
        return _numbers_in(config.get("value"))
    return 0


def _where(path: str, tree: dict) -> str:
    name = (tree.get("config") or {}).get("name") if isinstance(tree.get("config"), dict) else None
    return f"{path} ({tree.get('class_name')}{f' {name!r}' if name else ''})"


def _check_class(tree: dict, path: str) -> None:
    name, module, registered = tree.get("class_name"), tree.get("module"), tree.get("registered_name")
    where = _where(path, tree)
    if name in REFUSED_CLASSES:
        raise ArchitectureRefused(f"{where} is {REFUSED_CLASSES[name]}; the grader rebuilds models from Keras's "
                                  f"own layers only")
    if registered not in (None, name):
        raise ArchitectureRefused(f"{where} is a registered custom object ({registered!r}), code of your own")
    if module in OPS_MODULES:
        import importlib

        if not isinstance(getattr(importlib.import_module(module), str(name), None), type):
            raise ArchitectureRefused(f"{where} is not one of Keras's own operations")
        return
    if module not in ALLOWED_MODULES:
        what = "a model class of your own (a subclass of keras.Model)" if path == "model" else "a class of your own"
        raise ArchitectureRefused(f"{where} is {what}, from {module!r}; the grader rebuilds only Keras's own "
                                  f"layers, in keras.Sequential or keras.Model(inputs, outputs)")
    keras = _keras()
    if module in ("keras", "keras.src.models.functional", "keras.src.models.sequential") and name not in KERAS_TOP_LEVEL:
        raise ArchitectureRefused(f"{where} is keras.{name}, which the grader does not rebuild")
    if module == "keras.layers" and not isinstance(getattr(keras.layers, str(name), None), type):
        raise ArchitectureRefused(f"{where} is not a standard Keras layer")
    if module == "keras.initializers" and not isinstance(getattr(keras.initializers, str(name), None), type):
        raise ArchitectureRefused(f"{where} is not a standard Keras initializer")


DATA_OBJECTS = {"__numpy__", "__tensor__"}         # arrays inside a configuration
HARMLESS_OBJECTS = {"__keras_tensor__", "__slice__", "__ellipsis__", "__none__"}
# Numbers that operations applied in a functional graph may carry between them (``x * 2.0``,
# ``keras.ops.add(x, [1, 2, 3])``): constants that multiply and add across features could
# encode a trained network that the grader never trains, however small each one is.
MAX_NUMBERS_IN_OPERATIONS = 64
WEIGHTS_MESSAGE = ("The grader initialises every weight itself from the kit's seed, so a model may not bring "
                   "values of its own: use a standard initializer (the default is fine)")


class _Vetting:
    """One walk over a configuration: refuse code and data; reset seeds and trainable flags."""

    def __init__(self):
        self.in_operations = 0     # numbers met so far in the arguments of functional-graph nodes

    def refuse_data(self, count: int, owner: str, setting: str | None) -> None:
        where = f"{owner}, in its {setting!r} setting," if setting else owner
        raise ArchitectureRefused(f"{where} carries {count:,} numbers. {WEIGHTS_MESSAGE}")

    def walk(self, tree, path: str, owner: str, setting: str | None = None, node: bool = False) -> None:
        if isinstance(tree, list):
            count = _numbers_in(tree)
            if count > MAX_NUMBERS_IN_A_SETTING:
                self.refuse_data(count, owner, setting)
            for index, item in enumerate(tree):
                self.walk(item, f"{path}[{index}]", owner, setting, node)
            return
        if not isinstance(tree, dict):
            if node and isinstance(tree, (int, float)) and not isinstance(tree, bool):
                self.count_in_operations(1, owner)
            return
        name = tree.get("class_name")
        if isinstance(name, str) and name.startswith("__") and name.endswith("__"):
            if name in DATA_OBJECTS:
                count = _numbers_in(tree)
                if count > MAX_NUMBERS_IN_A_SETTING:
                    self.refuse_data(count, owner, setting)
                if node:
                    self.count_in_operations(count, owner)
                return
            if name not in HARMLESS_OBJECTS:
                raise ArchitectureRefused(f"{path} holds a serialized {name.strip('_')} object, which the grader does "
                                          f"not rebuild (Python code or raw bytes)")
            return  # a KerasTensor's shape and history, a slice: no data
        is_object = "class_name" in tree
        if is_object:
            _check_class(tree, path)
            owner = _where(path, tree)
            config = tree.get("config")
            if isinstance(config, dict):
                if tree.get("module") == "keras.initializers":
                    if "seed" in config:
                        config["seed"] = None  # every weight comes from the kit's seed
                    for key, value in config.items():
                        if isinstance(value, (list, dict)):  # Constant(array), or any array: planted weights
                            raise ArchitectureRefused(f"{owner} carries values in its {key!r} setting. {WEIGHTS_MESSAGE}")
                if "trainable" in config:
                    config["trainable"] = True  # the grader trains every layer
                for key, value in config.items():
                    self.walk(value, f"{path}.{key}", owner, key)
        for key, value in tree.items():
            if key in ("class_name", "module", "registered_name") or (key == "config" and is_object):
                continue
            if key == "inbound_nodes":
                self.walk(value, f"{path}.{key}", owner, "arguments", node=True)
            elif key not in ("keras_history",):
                inner = setting if node else (None if is_object else key)
                self.walk(value, f"{path}.{key}", owner, inner, node)

    def count_in_operations(self, count: int, owner: str) -> None:
        self.in_operations += count
        if self.in_operations > MAX_NUMBERS_IN_OPERATIONS:
            raise ArchitectureRefused(
                f"the operations of the functional graph carry more than {MAX_NUMBERS_IN_OPERATIONS} constant numbers "
                f"in all (the last at {owner}). Constants that combine features act as weights the grader never "
                f"trains: put such values in layers (Dense, Conv2D) and let the grader initialise and train them")


def vet(architecture) -> dict:
    """The architecture as a configuration the grader may rebuild, or ArchitectureRefused saying why.

    Returned with every initializer's seed removed (weights come from the kit's seed), every
    ``trainable`` flag true and the compile settings dropped (the grader compiles itself)."""
    if not isinstance(architecture, str):
        raise ArchitectureRefused("the architecture did not come back as a JSON string")
    if len(architecture) > MAX_ARCHITECTURE_CHARS:
        raise ArchitectureRefused(f"its configuration is {len(architecture):,} characters long (at most "
                                  f"{MAX_ARCHITECTURE_CHARS:,}); a model that size carries data, not layers")
    try:
        tree = json.loads(architecture)
    except ValueError as error:
        raise ArchitectureRefused(f"the architecture is not valid JSON ({error})") from None
    if not isinstance(tree, dict):
        raise ArchitectureRefused("the architecture is not a Keras model")
    tree.pop("compile_config", None)  # only the layers matter: the grader compiles with its budget
    _Vetting().walk(tree, "model", "model")
    if tree.get("class_name") not in MODEL_CLASSES:
        raise ArchitectureRefused(f"the model is a {tree.get('class_name')}, not a keras.Sequential or "
                                  f"keras.Model(inputs, outputs)")
    return tree


def canonical(tree) -> str:
    """The vetted configuration with its layer names replaced by their order of appearance: two calls
    of one builder (``conv2d`` the first time, ``conv2d_3`` the next) describe the same architecture."""
    names: dict[str, str] = {}

    def rename(value):
        if isinstance(value, str):
            return names.setdefault(value, f"n{len(names)}")
        return value

    def walk(value, key=None):
        if isinstance(value, list):
            if key in ("input_layers", "output_layers", "keras_history") and value and isinstance(value[0], str):
                return [rename(value[0]), *value[1:]]
            return [walk(item, key) for item in value]
        if isinstance(value, dict):
            return {k: (rename(v) if k == "name" else walk(v, k)) for k, v in value.items()}
        return value
    return json.dumps(walk(tree), sort_keys=True)


def architecture_key(architecture, *extra) -> str:
    """A key under which one architecture's training is remembered (names do not count)."""
    try:
        text = canonical(vet(architecture))
    except ArchitectureRefused:
        text = str(architecture)
    return hashlib.sha256(json.dumps([text, *map(repr, extra)]).encode()).hexdigest()


def rebuild(architecture: str, weights=None, seed: int | None = None):
    """A Keras model from an architecture JSON string, built by trusted code only. Every weight is
    initialised afresh (from ``seed`` when given); ``weights`` replaces them (tests and baselines)."""
    keras = _keras()
    tree = vet(architecture)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    try:
        model = keras.saving.deserialize_keras_object(tree, safe_mode=True)
    except ArchitectureRefused:
        raise
    except Exception as error:  # a configuration Keras itself cannot rebuild
        text = str(error).strip().splitlines()
        raise ArchitectureRefused(f"Keras could not rebuild it ({type(error).__name__}: {text[0][:200] if text else ''})") from None
    if not isinstance(model, keras.Model):
        raise ArchitectureRefused(f"it rebuilt as a {type(model).__name__}, not a keras Model")
    for layer in model._flatten_layers(include_self=True, recursive=True):
        layer.trainable = True
    if weights is not None:
        model.set_weights([np.asarray(w) for w in weights])
    return model


def measure_architecture(found: dict, private_dir: Path | None = None) -> dict:
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


# --- trusted side: the accelerator --------------------------------------------------------------------

_device: str | None = None


def configure_device() -> str:
    """Set TensorFlow up for the trusted trainer and name the device it trains on.

    With a GPU visible, the first one is used under a memory cap (AUTOGRADER_GPU_MEMORY_MB, default
    :data:`GPU_MEMORY_MB`); else the CPU, with one inter-op thread: on a busy 2-core machine competing
    thread pools slow training several times over (measured). Only the trusted trainer calls this:
    the student's worker never sees a GPU."""
    global _device
    if _device is not None:
        return _device
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    try:
        if gpus:
            cap = int(os.environ.get("AUTOGRADER_GPU_MEMORY_MB", GPU_MEMORY_MB))
            tf.config.set_visible_devices(gpus[:1], "GPU")
            tf.config.set_logical_device_configuration(gpus[0], [tf.config.LogicalDeviceConfiguration(memory_limit=cap)])
        else:
            tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # the runtime already started: keep what it has
        pass
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        _device = f"GPU {details.get('device_name', gpus[0].name)} (memory cap {os.environ.get('AUTOGRADER_GPU_MEMORY_MB', GPU_MEMORY_MB)} MiB)"
    else:
        _device = f"CPU ({os.cpu_count()} cores)"
    return _device


# --- trusted side: training and scoring ---------------------------------------------------------------

def _dataset(images: np.ndarray, labels: np.ndarray, budget: Budget):
    import tensorflow as tf

    return (tf.data.Dataset.from_tensor_slices((images, labels))
            .shuffle(len(labels), seed=budget.seed)
            .batch(budget.batch_size)
            .map(lambda x, y: (tf.cast(x, tf.float32), y))
            .prefetch(2))


def fit_budget(model, images: np.ndarray, labels: np.ndarray, budget: Budget = BUDGET) -> dict:
    """Compile ``model`` the kit's way and train it with ``budget``; returns how it went."""
    keras = _keras()
    probabilities = outputs_probabilities(model, tuple(model.input_shape[1:]))
    # The kit compiles: accuracy measures the architecture, not the student's compile settings.
    model.compile(optimizer=keras.optimizers.Adam(budget.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=not probabilities),
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(_dataset(images, labels, budget), epochs=budget.epochs, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    return {"from_logits": not probabilities, "train_seconds": round(seconds, 1),
            "images_per_second": round(len(labels) * budget.epochs / max(seconds, 1e-9))}


def predict_classes(model, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    outputs = model.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
    return np.asarray(outputs).argmax(axis=-1)


def score_split(model, private_dir: Path, split: str) -> dict:
    images, labels = _load(Path(private_dir) / SPLIT_FILES[split])
    predicted = predict_classes(model, images)
    return {"split": split, "count": int(len(labels)),
            "accuracy": float(np.mean(predicted == labels)) if len(labels) else 0.0,
            "per_class": [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else None
                          for c in range(len(data.CLASS_NAMES))]}


_earned: dict[str, dict] = {}


def earn(found: dict, private_dir: Path, budget: Budget = BUDGET) -> dict:
    """Rebuild the architecture the student's builder described, train it with ``budget`` on the
    train split and score it on the validation and test splits. Trusted code only.

    Memoised by architecture: the visible (validation) and hidden (test) checks share one training."""
    claimed = int(found.get("claimed_parameters", 0)) if isinstance(found, dict) else 0
    if claimed > PARAMETER_CAP:
        return {"trained": False, "parameters": claimed}
    architecture = found.get("architecture") if isinstance(found, dict) else None
    key = architecture_key(architecture, budget, str(private_dir))
    if key not in _earned:
        _earned[key] = _earn(architecture, Path(private_dir), budget)
    return _earned[key]


def _earn(architecture: str, private_dir: Path, budget: Budget) -> dict:
    import keras

    device = configure_device()
    try:
        keras.backend.clear_session()
        model = rebuild(architecture, seed=budget.seed)
    except ArchitectureRefused as error:
        return {"trained": True, "refused": str(error)}
    parameters = int(model.count_params())
    if parameters > PARAMETER_CAP:
        return {"trained": False, "parameters": parameters}
    images, labels = _load(private_dir / SPLIT_FILES["train"])
    shape_problem = _shape_problem(model, images.shape[1:], len(data.CLASS_NAMES))
    if shape_problem:
        return {"trained": True, "refused": shape_problem}
    keras.utils.set_random_seed(budget.seed)  # the same architecture earns the same accuracy
    fitted = fit_budget(model, images, labels, budget)
    scores = {split: score_split(model, private_dir, split) for split in ("val", "test")}
    return {"trained": True, "parameters": parameters, "device": device, **fitted, "scores": scores}


def _shape_problem(model, image_shape, classes: int) -> str | None:
    """Why the model cannot be trained on these photos, checked before any training (or None)."""
    inputs, outputs = tuple(model.input_shape[1:]), tuple(model.output_shape[1:])
    if inputs != tuple(image_shape):
        return (f"it takes inputs of shape {inputs}, but the grader trains on photos of shape {tuple(image_shape)}: "
                f"build the Input from the input_shape argument")
    if outputs != (classes,):
        return (f"its output has shape {outputs}, but the grader trains it on {classes} classes: the last layer "
                f"must be Dense(num_classes)")
    return None


def measure_accuracy(split: str, budget: Budget = BUDGET):
    """A ``measure`` step: train the described architecture (once) and report one split's score."""
    def measure(found: dict, private_dir: Path) -> dict:
        earned = earn(found, private_dir, budget)
        if not earned.get("trained") or "refused" in earned:
            return earned
        return {"trained": True, **earned["scores"][split], "train_seconds": earned["train_seconds"],
                "device": earned["device"], "parameters": earned["parameters"]}
    return measure
