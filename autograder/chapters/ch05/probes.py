"""Chapter 5's probes: the only code that calls the student's functions. Each returns plain data.

The per-image functions are called directly (eager) or mapped over a tfds-style dataset (traced by
tf.data, as in real use). ``prepare_dataset`` gets a generator-backed dataset that counts what it
hands out (read twice without a cache, it counts twice); its pipeline is read twice and its tf.data
ops are listed (for the prefetch and a shuffle on val/test)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..probing import as_array, counting_dataset, pair
from . import cases


def _tfds_style(examples, produced: list):
    """uint8 images of varying size with int64 labels, like tfds's tf_flowers (as_supervised)."""
    import tensorflow as tf

    return counting_dataset(examples, (tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8),
                                       tf.TensorSpec(shape=(), dtype=tf.int64)), produced)


# --- resize_image and preprocess_image ----------------------------------------------------------

def _called(function, case: cases.PerImage) -> dict:
    """Each image handed to the function ``case.repeats`` times, eagerly."""
    import tensorflow as tf

    outputs, labels = [], []
    for image, label in case.examples():
        for _ in range(case.repeats):
            new_image, new_label = pair(function(tf.constant(image), tf.constant(label, tf.int64),
                                                 tuple(case.image_size)), "the function")
            outputs.append(as_array(new_image, "image"))
            labels.append(as_array(new_label, "label"))
    if len({output.shape for output in outputs}) != 1:
        raise ValueError(f"images of different shapes came back: {sorted({o.shape for o in outputs})[:3]}")
    return {"images": np.stack(outputs), "labels": [int(label) if label.size == 1 else -1 for label in labels],
            "label_kinds": sorted({label.dtype.kind for label in labels}), "repeats": case.repeats}


def _mapped(function, case: cases.PerImage) -> dict:
    """The function mapped over a tfds-style dataset, read ``case.passes`` times."""
    dataset = _tfds_style(case.examples(), [0])
    try:  # tf.data traces the function with symbolic tensors: .numpy() and NumPy fail here
        mapped = dataset.map(lambda image, label: function(image, label, tuple(case.image_size)))
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - reported with its own hint
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        text = lines[-1][:200] if lines else ""  # tf.data's last line names the real error
        if not text.startswith(type(error).__name__):
            text = f"{type(error).__name__}: {text}".rstrip(": ")
        return {"traced_error": text}
    images, labels = [], []
    for _ in range(case.passes):
        for image, label in mapped:
            images.append(as_array(image, "image"))
            labels.append(int(as_array(label, "label")))
    return {"images": np.stack(images), "labels": labels, "label_kinds": ["i"], "repeats": 1}


def resize_image(resize_image, case: cases.PerImage, inputs_dir: Path) -> dict:
    return _mapped(resize_image, case) if case.mapped else _called(resize_image, case)


def preprocess_image(preprocess_image, case: cases.PerImage, inputs_dir: Path) -> dict:
    return _mapped(preprocess_image, case) if case.mapped else _called(preprocess_image, case)


# --- build_augmentation -------------------------------------------------------------------------

def _factor(value) -> float | None:
    """A Keras factor (a number or a (low, high) pair) as its largest magnitude."""
    if value is None:
        return None
    values = value if isinstance(value, (tuple, list)) else [value]
    return float(max(abs(float(item)) for item in values))


def _layers_of(model) -> list:
    layers = getattr(model, "layers", None)
    if layers is None:
        return [model]
    flat = []
    for layer in layers:
        flat.extend(_layers_of(layer) if hasattr(layer, "layers") else [layer])
    return flat


def build_augmentation(build_augmentation, case: cases.Augmentation, inputs_dir: Path) -> dict:
    try:
        model = build_augmentation(*case.arguments)
    except (AttributeError, ValueError) as error:  # the two classic mistakes get their own hint
        text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        if "random_rotation" in text or "random_zoom" in text:
            return {"missing_tf_image": text}
        if isinstance(error, ValueError) and "factor" in text:
            return {"factor_error": text}
        raise
    layers = []
    for layer in _layers_of(model):
        config = layer.get_config() if hasattr(layer, "get_config") else {}
        from_keras = type(layer).__module__.startswith(("keras", "tf_keras"))
        layers.append({"name": type(layer).__name__, "keras": from_keras,
                       "mode": str(config.get("mode", "")), "factor": _factor(config.get("factor")),
                       "height_factor": _factor(config.get("height_factor")),
                       "width_factor": _factor(config.get("width_factor"))})
    batch = case.batch()
    return {"layers": layers, "batch": batch,
            "training": as_array(model(batch.copy(), training=True), "the augmented batch"),
            "inference": as_array(model(batch.copy(), training=False), "the batch with training=False")}


# --- prepare_dataset ----------------------------------------------------------------------------

def _graph_ops(dataset) -> list[str] | None:
    """The tf.data ops of the returned pipeline (PrefetchDataset, CacheDatasetV2, ...), or None."""
    import tensorflow as tf

    try:
        serialized = tf.raw_ops.DatasetToGraphV2(input_dataset=dataset._variant_tensor, external_state_policy=1)
        graph = tf.compat.v1.GraphDef()
        graph.ParseFromString(serialized.numpy())
        return [node.op for node in graph.node if "Dataset" in node.op]
    except Exception:  # noqa: BLE001 - a pipeline the kit cannot serialise is judged on behaviour alone
        return None


def _invert_layer():
    """A stand-in augmentation: with training on it inverts the image (255 - x), which the judge can see."""
    import keras

    class Invert(keras.layers.Layer):
        def call(self, inputs, training=True):
            return 255.0 - inputs if training else inputs

    return Invert()


def _pipeline(prepare_dataset, case: cases.Pipeline) -> dict:
    import tensorflow as tf

    produced = [0]
    source = _tfds_style(case.examples(), produced)
    extra = {"augmentation": _invert_layer()} if case.marked else {}
    dataset = prepare_dataset(source, case.training, case.batch_size, tuple(case.image_size), **extra)
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(f"prepare_dataset must return a tf.data.Dataset, got {type(dataset).__name__}")
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise TypeError("each element of the returned dataset must be an (images, labels) pair")
    passes = []
    for _ in range(2):
        images, labels, sizes = [], [], []
        for batch_images, batch_labels in iter(dataset):
            if len(images) > 3 * case.count:  # a repeat() would never end: three epochs' worth is enough to tell
                break
            batch_images = as_array(batch_images, "a batch of images")
            images.extend(batch_images if batch_images.ndim == 4 else [batch_images])
            labels.extend(np.atleast_1d(as_array(batch_labels, "a batch of labels")).tolist())
            sizes.append(len(batch_images) if batch_images.ndim == 4 else 1)
        passes.append({"images": np.stack(images).astype(np.float32) if images else np.zeros((0,)), "labels": [int(label) for label in labels], "sizes": sizes})
    return {"spec": [[-1 if dim is None else int(dim) for dim in item.shape] for item in spec],
            "dtypes": [item.dtype.name for item in spec], "passes": passes, "produced": produced[0],
            "ops": _graph_ops(dataset)}


def prepare_dataset_eval(prepare_dataset, case: cases.Pipeline, inputs_dir: Path) -> dict:
    """A validation/test split (training=False), read twice."""
    return _pipeline(prepare_dataset, case)


def prepare_dataset_train(prepare_dataset, case: cases.Pipeline, inputs_dir: Path) -> dict:
    """A training split (training=True), read twice: two epochs."""
    return _pipeline(prepare_dataset, case)


def prepare_dataset_augmented(prepare_dataset, case: cases.AugmentedPipelines, inputs_dir: Path) -> dict:
    """A training and a validation split, each prepared with a recognisable augmentation given."""
    return {"train": _pipeline(prepare_dataset, case.train), "val": _pipeline(prepare_dataset, case.val)}
