"""Chapter 5, preprocessing and augmentation: the checks.

Stubs the student completes (see ``source/ch05_preprocessing``):

* ``resize_image(image, label, image_size)`` -> ``(float32 image (H, W, 3) 0-255, label)``, the val/test path
* ``preprocess_image(image, label, image_size)`` -> the same plus a random left-right flip, the training path
* ``build_augmentation(rotation_degrees, zoom, contrast)`` -> a ``keras.Sequential`` of random layers
* ``prepare_dataset(dataset, training, batch_size, image_size, augmentation=None)`` -> a batched,
  cached, prefetched ``tf.data.Dataset``; shuffled and augmented only when ``training``

Inputs are seeded images made in memory (no files, no photos): see ``ch05_images``. The
``prepare_dataset`` probes and judges live in ``ch05_pipeline``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import Chapter, Check, Verdict
from .ch05_images import (PIXEL_TOLERANCE, fair_coin, make_examples, match, resized,
                          shape_problem, tfds_style_dataset)
from .ch05_pipeline import (both, expected_pipeline, judge_augmented_pipelines, judge_eval_pipeline,
                            judge_train_pipeline, probe_pipeline)
from .common import as_array, pair

LAYER_NAMES = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast")


def prepare(inputs_dir: Path) -> None:
    """Nothing to write: every input is generated in memory from a seed."""


# --- resize_image and preprocess_image, called directly (eager) -------------------------------

def _probe_per_image(count: int, seed: int, image_size, repeats: int):
    def probe(function, inputs_dir: Path) -> dict:
        import tensorflow as tf

        outputs, labels = [], []
        for image, label in make_examples(count, seed):
            for _ in range(repeats):
                new_image, new_label = pair(function(tf.constant(image), tf.constant(label, tf.int64),
                                                     tuple(image_size)), "the function")
                outputs.append(as_array(new_image, "image"))
                labels.append(as_array(new_label, "label"))
        if len({output.shape for output in outputs}) != 1:
            raise ValueError(f"images of different shapes came back: {sorted({o.shape for o in outputs})[:3]}")
        return {"images": np.stack(outputs), "labels": [int(label) if label.size == 1 else -1 for label in labels],
                "label_kinds": sorted({label.dtype.kind for label in labels}), "repeats": repeats}
    return probe


def _probe_mapped(count: int, seed: int, image_size, passes: int = 2):
    """The function mapped over a tfds-style dataset: traced by tf.data, as in real use."""
    def probe(function, inputs_dir: Path) -> dict:
        dataset = tfds_style_dataset(make_examples(count, seed), [0])
        try:  # tf.data traces the function with symbolic tensors: .numpy() and NumPy fail here
            mapped = dataset.map(lambda image, label: function(image, label, tuple(image_size)))
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - reported with its own hint
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            text = lines[-1][:200] if lines else ""  # tf.data's last line names the real error
            if not text.startswith(type(error).__name__):
                text = f"{type(error).__name__}: {text}".rstrip(": ")
            return {"traced_error": text}
        images, labels = [], []
        for _ in range(passes):
            for image, label in mapped:
                images.append(as_array(image, "image"))
                labels.append(int(as_array(label, "label")))
        return {"images": np.stack(images), "labels": labels, "label_kinds": ["i"], "repeats": 1}
    return probe


def _expected_per_image(count: int, seed: int, image_size, repeats: int):
    def expected(inputs_dir: Path) -> dict:
        examples = make_examples(count, seed)
        return {"images": resized(examples, image_size), "labels": [label for _, label in examples],
                "repeats": repeats}
    return expected


def _forms(found: dict, expected: dict) -> tuple[Verdict | None, list]:
    """Check shape, dtype, range and labels of per-image outputs; the form of each output."""
    if "traced_error" in found:
        return Verdict(False, f"mapped over a tf.data.Dataset, the function raised {found['traced_error']}.",
                       "dataset.map traces your function with symbolic tensors: use TensorFlow ops only "
                       "(tf.image, tf.cast), no .numpy() and no NumPy calls."), []
    images, want = np.asarray(found["images"]), expected["images"]
    height, width = want.shape[1:3]
    problem = shape_problem(images, height, width, "the images")
    if problem:
        return problem, []
    copies = len(images) // len(want)
    want_labels = [label for label in expected["labels"] for _ in range(expected["repeats"])]
    want_labels = (want_labels * copies)[:len(images)] if expected["repeats"] == 1 else want_labels
    if len(images) != len(want_labels):
        return Verdict(False, f"{len(images)} images came back, expected {len(want_labels)}.",
                       "Return exactly one (image, label) pair per call."), []
    if [kind for kind in found["label_kinds"] if kind not in "iu"] or list(found["labels"]) != want_labels:
        return Verdict(False, "the labels came back changed (or not as integers).",
                       "Return the label exactly as it came in: only the image is preprocessed."), []
    forms = []
    for position, image in enumerate(images):
        index = position // expected["repeats"] if expected["repeats"] > 1 else position % len(want)
        form = match(image, want[index:index + 1])
        if form is None:
            distance = float(np.abs(image.astype(np.float64) - want[index]).mean())
            return Verdict(False, f"output {position} is neither input {index} resized nor its mirror (mean "
                           f"difference {distance:.1f} on the 0-255 scale, at most {PIXEL_TOLERANCE:g} allowed).",
                           "Resize the whole image with tf.image.resize (no crop, no padding, no other change)."), []
        forms.append(form[1])
    return None, forms


def judge_resize(found: dict, expected: dict) -> Verdict:
    problem, forms = _forms(found, expected)
    if problem:
        return problem
    changed = [position for position, form in enumerate(forms) if form != "plain"]
    if changed:
        return Verdict(False, f"output {changed[0]} came back {forms[changed[0]]}.",
                       "resize_image is the validation/test path: resize only, never augment. Evaluating on "
                       "flipped photos would measure something other than the photos as they are.")
    height, width = expected["images"].shape[1:3]
    return Verdict(True, f"{len(forms)} images resized to ({height}, {width}, 3), float32 0-255, labels untouched.")


def judge_preprocess(found: dict, expected: dict) -> Verdict:
    problem, forms = _forms(found, expected)
    if problem:
        return problem
    if "upside down" in forms:
        return Verdict(False, f"output {forms.index('upside down')} came back upside down.",
                       "A horizontal flip swaps left and right: tf.image.random_flip_left_right, not up_down.")
    mirrored = forms.count("mirrored") / len(forms)
    traced_hint = ("Use tf.image.random_flip_left_right: Python's random (or an if on a random number) runs only "
                   "once, when tf.data traces your function, so every photo gets the same decision.")
    traced = expected["repeats"] == 1
    if mirrored == 0.0:
        return Verdict(False, f"none of {len(forms)} outputs was mirrored.", traced_hint if traced
                       else "Add a random left-right flip: tf.image.random_flip_left_right(image).")
    if mirrored == 1.0:
        return Verdict(False, f"all {len(forms)} outputs were mirrored: the flip is not random.", traced_hint if traced
                       else "tf.image.flip_left_right always flips; random_flip_left_right flips half the time.")
    if not fair_coin(mirrored, len(forms)):
        return Verdict(False, f"{mirrored:.0%} of the outputs were mirrored, expected about half.",
                       "Flip with probability 0.5: tf.image.random_flip_left_right(image).")
    return Verdict(True, f"{len(forms)} outputs, each the resized input or its mirror ({mirrored:.0%} mirrored), "
                   "float32 0-255, labels untouched.")


# --- build_augmentation ------------------------------------------------------------------------

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


def _probe_augmentation(arguments: tuple, seed: int):
    def probe(build_augmentation, inputs_dir: Path) -> dict:
        try:
            model = build_augmentation(*arguments)
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
        batch = resized(make_examples(6, seed), (32, 32))
        return {"layers": layers, "batch": batch,
                "training": as_array(model(batch.copy(), training=True), "the augmented batch"),
                "inference": as_array(model(batch.copy(), training=False), "the batch with training=False")}
    return probe


def _expected_augmentation(arguments: tuple):
    degrees, zoom, contrast = arguments

    def expected(inputs_dir: Path) -> dict:
        return {"degrees": degrees, "rotation": degrees / 360.0, "zoom": zoom, "contrast": contrast}
    return expected


def _find(layers: list, name: str) -> dict | None:
    return next((layer for layer in layers if layer["name"] == name and layer["keras"]), None)


def judge_augmentation(found: dict, expected: dict) -> Verdict:
    tf_image_hint = ("tf.image has no random_rotation or random_zoom (the tutorial's mistake): use the Keras "
                     "layers keras.layers.RandomRotation and keras.layers.RandomZoom inside a keras.Sequential.")
    if "missing_tf_image" in found:
        return Verdict(False, f"build_augmentation raised AttributeError ({found['missing_tf_image']}).", tf_image_hint)
    if "factor_error" in found:
        return Verdict(False, f"building a layer raised ValueError ({found['factor_error']}).",
                       f"RandomRotation's factor is a fraction of a full turn, not degrees (Keras refuses factors "
                       f"above 1): {expected['degrees']:g} degrees is {expected['degrees']:g} / 360 = "
                       f"{expected['rotation']:.4f}.")
    layers = found["layers"]
    missing = [name for name in LAYER_NAMES if _find(layers, name) is None]
    if missing:
        return Verdict(False, f"found the layers {[layer['name'] for layer in layers]}; missing {missing}.",
                       tf_image_hint if {"RandomRotation", "RandomZoom"} & set(missing)
                       else f"Add keras.layers.{missing[0]} to the Sequential.")
    flip, rotation = _find(layers, "RandomFlip"), _find(layers, "RandomRotation")
    zoom, contrast = _find(layers, "RandomZoom"), _find(layers, "RandomContrast")
    if flip["mode"] != "horizontal":
        return Verdict(False, f"RandomFlip has mode {flip['mode']!r}, expected 'horizontal'.",
                       "Flowers are photographed upright: RandomFlip('horizontal') mirrors left and right only.")
    want = expected["rotation"]
    if rotation["factor"] is None or abs(rotation["factor"] - want) > 1e-3:
        found_factor = rotation["factor"]
        hint = f"factor = degrees / 360: {expected['degrees']:g} degrees is {want:.4f} of a turn."
        if found_factor is not None and abs(found_factor - expected["degrees"]) < 1e-6:
            hint = (f"RandomRotation's factor is a fraction of a full turn, not degrees: factor {found_factor:g} "
                    f"allows any angle. {expected['degrees']:g} degrees is {expected['degrees']:g} / 360 = {want:.4f}.")
        elif found_factor is not None and abs(found_factor - np.radians(expected["degrees"])) < 1e-3:
            hint = f"The factor is a fraction of a full turn, not radians: {expected['degrees']:g} / 360 = {want:.4f}."
        return Verdict(False, f"RandomRotation has factor {found_factor}, expected {want:.4f}.", hint)
    zoom_factor = zoom["height_factor"]
    if zoom_factor is None or abs(zoom_factor - expected["zoom"]) > 1e-3 or (
            zoom["width_factor"] is not None and abs(zoom["width_factor"] - expected["zoom"]) > 1e-3):
        hint = f"RandomZoom({expected['zoom']:g}) zooms by up to {expected['zoom']:.0%} either way."
        if zoom_factor is not None and zoom_factor > 1:
            hint = "RandomZoom takes a fraction (0.2 for +-20 %), not a scale range such as (0.7, 1.3). " + hint
        return Verdict(False, f"RandomZoom has height_factor {zoom_factor}, expected {expected['zoom']:g}.", hint)
    if contrast["factor"] is None or abs(contrast["factor"] - expected["contrast"]) > 1e-3:
        return Verdict(False, f"RandomContrast has factor {contrast['factor']}, expected {expected['contrast']:g}.",
                       "Pass the contrast argument to keras.layers.RandomContrast.")
    batch, training, inference = (np.asarray(found[key], dtype=np.float64)
                                  for key in ("batch", "training", "inference"))
    if training.shape != batch.shape or inference.shape != batch.shape:
        return Verdict(False, f"a batch of shape {batch.shape} came back with shape {training.shape}.",
                       "Augmentation layers keep the shape: no Resizing or cropping layer in the stack.")
    if np.abs(inference - batch).max() > 1e-3:
        return Verdict(False, "with training=False the stack changed the images.",
                       "Use only random layers, which pass images through unchanged at inference (no Rescaling here).")
    if np.abs(training - batch).mean() < 1.0:
        return Verdict(False, "with training=True the stack left the images unchanged.",
                       "Build the stack from the random layers themselves, with non-zero factors.")
    return Verdict(True, f"{[layer['name'] for layer in layers]}, rotation factor {rotation['factor']:.4f} of a turn; "
                   "random with training=True, unchanged with training=False.")


CHAPTER = Chapter(
    key="ch05",
    assignment="ch05_preprocessing",
    title="Preprocessing and augmentation",
    prepare=prepare,
    per_check_seconds=30,
    checks=(
        Check("check_resize_image", "resize_image", 1, True,
              "resize_image on 6 seeded images of varying size, to (24, 32)",
              _probe_per_image(6, 50, (24, 32), 2), _expected_per_image(6, 50, (24, 32), 2), judge_resize),
        Check("hidden_resize_image", "resize_image", 1, False, "resize_image mapped over a dataset, to (36, 20)",
              _probe_mapped(8, 51, (36, 20)), _expected_per_image(8, 51, (36, 20), 1), judge_resize),
        Check("check_preprocess_image", "preprocess_image", 2, True,
              "preprocess_image called 12 times on each of 8 seeded images, size (24, 32)",
              _probe_per_image(8, 52, (24, 32), 12), _expected_per_image(8, 52, (24, 32), 12), judge_preprocess),
        Check("hidden_preprocess_image", "preprocess_image", 1, False,
              "preprocess_image mapped over a 16-image dataset, read twice, size (28, 28)",
              _probe_mapped(16, 53, (28, 28)), _expected_per_image(16, 53, (28, 28), 1), judge_preprocess),
        Check("check_build_augmentation", "build_augmentation", 2, True, "build_augmentation(20, 0.2, 0.2)",
              _probe_augmentation((20.0, 0.2, 0.2), 54), _expected_augmentation((20.0, 0.2, 0.2)), judge_augmentation),
        Check("hidden_build_augmentation", "build_augmentation", 1, False, "build_augmentation(45, 0.1, 0.3)",
              _probe_augmentation((45.0, 0.1, 0.3), 55), _expected_augmentation((45.0, 0.1, 0.3)), judge_augmentation),
        Check("check_prepare_dataset_eval", "prepare_dataset", 2, True,
              "prepare_dataset on a 10-image validation split (training=False, batch 4, size (24, 32))",
              probe_pipeline(10, 56, (24, 32), 4, False), expected_pipeline(10, 56, (24, 32), 4, False),
              judge_eval_pipeline),
        Check("check_prepare_dataset_train", "prepare_dataset", 2, True,
              "prepare_dataset on a 24-image training split (training=True, batch 5, size (24, 32)), two epochs",
              probe_pipeline(24, 57, (24, 32), 5, True), expected_pipeline(24, 57, (24, 32), 5, True),
              judge_train_pipeline),
        Check("hidden_prepare_dataset_augmentation", "prepare_dataset", 2, False,
              "prepare_dataset given an augmentation, for a training and a test split (size (20, 28))",
              both(probe_pipeline(20, 58, (20, 28), 6, True, marked=True),
                    probe_pipeline(7, 59, (20, 28), 3, False, marked=True)),
              both(expected_pipeline(20, 58, (20, 28), 6, True, marked=True),
                    expected_pipeline(7, 59, (20, 28), 3, False, marked=True)),
              judge_augmented_pipelines),
    ),
)
