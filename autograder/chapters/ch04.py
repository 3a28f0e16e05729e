"""Chapter 4, loading the data: the checks.

Stubs the student completes (see ``source/ch04_loading``):

* ``load_split(data_dir, split, image_size)`` -> ``(images, labels)``
* ``count_per_class(labels, class_names)`` -> ``{class name: count}``
* ``first_examples(dataset, n, tfds_class_names)`` -> ``[(image, course label), ...]``
* ``plot_examples(images, labels, class_names, n)`` -> matplotlib Figure

Every probe reads inputs made by :func:`prepare` (small generated photo folders),
so grading never needs the real photos or the network.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import data, synthetic
from ..core import Chapter, Check, Verdict
from .common import as_array, describe, first_difference, pair

# Inputs written by prepare(): two generated folders with the course layout.
VISIBLE_FOLDER = "visible_photos"
HIDDEN_FOLDER = "hidden_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 7, "roses": 5, "sunflowers": 6, "tulips": 6}
# An empty class and stray non-photo files: a loader must cope with both.
HIDDEN_COUNTS = {"daisy": 9, "dandelion": 0, "roses": 8, "sunflowers": 10, "tulips": 9}

# A loaded photo may differ a little from the kit's (another resize method), never a lot.
PIXEL_TOLERANCE = 12.0  # mean absolute difference on the 0-255 scale


def prepare(inputs_dir: Path) -> None:
    inputs_dir = Path(inputs_dir)
    synthetic.make_photo_folder(inputs_dir / VISIBLE_FOLDER, VISIBLE_COUNTS, image_size=(48, 64), seed=4)
    hidden = synthetic.make_photo_folder(inputs_dir / HIDDEN_FOLDER, HIDDEN_COUNTS, image_size=(60, 40), seed=5)
    (hidden / "README.txt").write_text("Not a photo: loaders must skip it.\n")
    (hidden / "daisy" / "notes.txt").write_text("Not a photo either.\n")


# --- load_split ------------------------------------------------------------------------------

def _probe_load_split(folder: str, split: str, image_size: tuple[int, int]):
    def probe(load_split, inputs_dir: Path) -> dict:
        images, labels = pair(load_split(str(inputs_dir / folder), split, image_size), "load_split")
        return {"images": as_array(images, "images"), "labels": as_array(labels, "labels")}
    return probe


def _expected_load_split(folder: str, split: str, image_size: tuple[int, int]):
    def expected(inputs_dir: Path) -> dict:
        images, labels, _ = data.load_split(split, image_size, data_dir=inputs_dir / folder, cache=False)
        return {"images": images, "labels": labels}
    return expected


def judge_load_split(found: dict, expected: dict) -> Verdict:
    images, labels = np.asarray(found["images"]), np.asarray(found["labels"])
    want_images, want_labels = expected["images"], expected["labels"]
    height, width = want_images.shape[1:3]
    if images.ndim != 4 or images.shape[1:] != want_images.shape[1:]:
        hint = "Return one array of shape (N, height, width, 3) for the whole split."
        if images.ndim == 4 and images.shape[1:3] == (width, height):
            hint = "image_size is (height, width): the first number is the number of rows."
        return Verdict(False, f"images have {describe(images)}, expected shape (N, {height}, {width}, 3).", hint)
    if len(images) != len(want_images) or labels.shape != want_labels.shape:
        return Verdict(False, f"found {len(images)} images and {labels.shape[0] if labels.ndim else 'no'} labels, "
                       f"expected {len(want_images)} of each.",
                       "Keep only the photos whose `split_of(file name)` equals `split`, and skip files that are not photos.")
    if images.dtype != np.uint8:
        return Verdict(False, f"images have dtype {images.dtype}, expected uint8.",
                       "tf.image.resize returns float32: cast back with tf.cast(image, tf.uint8) or .astype('uint8').")
    if not np.issubdtype(labels.dtype, np.integer):
        return Verdict(False, f"labels have dtype {labels.dtype}, expected an integer type.",
                       "A label is the index of the class name in CLASS_NAMES.")
    if not np.array_equal(labels, want_labels):
        return Verdict(False, f"labels differ from the expected ones at {first_difference(labels, want_labels)}.",
                       "Sort photos by class (in CLASS_NAMES order), then by file name; label = CLASS_NAMES.index(folder name).")
    differences = np.abs(images.astype(np.float32) - want_images.astype(np.float32)).mean(axis=(1, 2, 3))
    worst = int(np.argmax(differences)) if len(differences) else 0
    if len(differences) and differences[worst] > PIXEL_TOLERANCE:
        return Verdict(False, f"image {worst} differs from the expected photo (mean difference "
                       f"{differences[worst]:.1f} on the 0-255 scale, at most {PIXEL_TOLERANCE:.0f} allowed).",
                       "Keep the images in the same order as the labels, in RGB, resized to (height, width), pixels 0-255.")
    return Verdict(True, f"{len(images)} images of shape {images.shape[1:]} with the right labels.")


# --- count_per_class -------------------------------------------------------------------------

VISIBLE_LABELS = np.random.default_rng(4).integers(0, 5, size=40).astype(np.int32)
# Class 1 never occurs: its count must still be there, as 0.
HIDDEN_LABELS = np.array([0, 4, 4, 2, 0, 3, 4, 0, 2], dtype=np.int64)


def _probe_count(labels: np.ndarray, as_list: bool):
    def probe(count_per_class, inputs_dir: Path) -> dict:
        given = labels.tolist() if as_list else labels.copy()
        counts = count_per_class(given, list(data.CLASS_NAMES))
        if not isinstance(counts, dict):
            raise TypeError(f"count_per_class must return a dict, got {type(counts).__name__}")
        return {"names": [str(name) for name in counts], "counts": [int(count) for count in counts.values()]}
    return probe


def _expected_count(labels: np.ndarray):
    def expected(inputs_dir: Path) -> dict:
        return {"names": list(data.CLASS_NAMES),
                "counts": np.bincount(labels, minlength=len(data.CLASS_NAMES)).tolist()}
    return expected


def judge_count(found: dict, expected: dict) -> Verdict:
    names, counts = list(found["names"]), list(found["counts"])
    if names != expected["names"]:
        return Verdict(False, f"the dict's keys are {names}, expected {expected['names']} in that order.",
                       "Start from every class name, so a class with no photo still appears with 0.")
    if counts != expected["counts"]:
        return Verdict(False, f"counts are {counts}, expected {expected['counts']}.",
                       "Count how many labels equal each class index (np.bincount with minlength helps).")
    return Verdict(True, f"counts {dict(zip(names, counts))} are right.")


# --- first_examples (the tfds path) -----------------------------------------------------------

def _tfds_style_examples(total: int, seed: int, class_count: int) -> list[tuple[np.ndarray, int]]:
    """Seeded (image, label) pairs like tfds's tf_flowers: uint8 images of varying size."""
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 256, size=(int(rng.integers(20, 33)), int(rng.integers(20, 33)), 3), dtype=np.uint8),
             int(rng.integers(0, class_count))) for _ in range(total)]


def _probe_first_examples(n: int, total: int, seed: int, tfds_names: tuple[str, ...]):
    """A tf.data dataset shaped like tfds's tf_flowers (as_supervised): uint8 images of
    varying size, labels in ``tfds_names`` order. It counts the elements it hands out,
    so reading the whole dataset to pick a few (list(dataset)) is seen."""

    def probe(first_examples, inputs_dir: Path) -> dict:
        import tensorflow as tf

        examples = _tfds_style_examples(total, seed, len(tfds_names))
        produced = [0]

        def generate():
            for image, label in examples:
                produced[0] += 1
                yield image, label

        dataset = tf.data.Dataset.from_generator(generate, output_signature=(
            tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8), tf.TensorSpec(shape=(), dtype=tf.int64)))
        result = first_examples(dataset, n, list(tfds_names))
        if not isinstance(result, (list, tuple)):
            raise TypeError(f"first_examples must return a list of (image, label) pairs, got {type(result).__name__}")
        found = [pair(item, "each item of first_examples") for item in result]
        return {"images": [as_array(image, "image") for image, _ in found],
                "labels": [int(as_array(label, "label")) for _, label in found],
                "produced": produced[0]}
    return probe


def _expected_first_examples(n: int, total: int, seed: int, tfds_names: tuple[str, ...]):
    def expected(inputs_dir: Path) -> dict:
        examples = _tfds_style_examples(total, seed, len(tfds_names))[:n]
        return {"images": [image for image, _ in examples],
                "labels": [data.CLASS_NAMES.index(tfds_names[label]) for _, label in examples], "total": total}
    return expected


def judge_first_examples(found: dict, expected: dict) -> Verdict:
    n = len(expected["labels"])
    if len(found["images"]) != n:
        return Verdict(False, f"returned {len(found['images'])} examples, expected {n}.",
                       "Take exactly the first n elements: dataset.take(n).")
    if found["produced"] > n + 2:
        return Verdict(False, f"read {found['produced']} elements of the dataset to return {n}.",
                       "list(dataset) loads the whole split into memory: use dataset.take(n) (or skip(i).take(1)).")
    for index, (image, want) in enumerate(zip(found["images"], expected["images"])):
        image = np.asarray(image)
        if image.shape != want.shape or not np.array_equal(image, want):
            return Verdict(False, f"image {index} has {describe(image)} but is not the dataset's image {index} "
                           f"(shape {want.shape}).", "Return each image unchanged, as a numpy array (tensor.numpy()).")
    if list(found["labels"]) != list(expected["labels"]):
        return Verdict(False, f"labels are {list(found['labels'])}, expected {list(expected['labels'])} in course order.",
                       "tfds numbers the classes in another order: map each label through its class name, "
                       "CLASS_NAMES.index(tfds_class_names[label]).")
    return Verdict(True, f"the first {n} examples, labels converted to course order, reading only what was needed.")


# --- plot_examples ---------------------------------------------------------------------------

def _plot_inputs(count: int, seed: int):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 24, 24, 3), dtype=np.uint8)
    labels = rng.integers(0, len(data.CLASS_NAMES), size=count).astype(np.int32)
    return images, labels


def _probe_plot(count: int, n: int, seed: int):
    def probe(plot_examples, inputs_dir: Path) -> dict:
        import matplotlib.pyplot as plt

        from ..plotdata import figure_data

        images, labels = _plot_inputs(count, seed)
        figure = plot_examples(images.copy(), labels.copy(), list(data.CLASS_NAMES), n)
        try:
            return figure_data(figure)
        finally:
            plt.close("all")
    return probe


def _expected_plot(count: int, n: int, seed: int):
    def expected(inputs_dir: Path) -> dict:
        images, labels = _plot_inputs(count, seed)
        shown = min(n, count)
        return {"images": images[:shown], "titles": [data.CLASS_NAMES[label] for label in labels[:shown]]}
    return expected


def _as_display_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    if image.size and image.max() <= 1.0:  # shown as floats in [0, 1]
        image = image * 255.0
    return image


def judge_plot(found: dict, expected: dict) -> Verdict:
    drawn = [axes for axes in found["axes"] if len(axes["images"])]
    want = len(expected["titles"])
    if len(drawn) != want:
        hint = "Draw one image per subplot, n of them (or all images when there are fewer than n)."
        return Verdict(False, f"the figure shows {len(drawn)} images, expected {want}.", hint)
    for index, (axes, want_image, want_title) in enumerate(zip(drawn, expected["images"], expected["titles"])):
        image = _as_display_uint8(axes["images"][0])
        if image.shape[:2] != want_image.shape[:2] or np.abs(image[..., :3] - want_image).mean() > 1.0:
            return Verdict(False, f"subplot {index} does not show image {index} of the input.",
                           "Show images[i] in the i-th subplot, unchanged (cast to uint8 if needed).")
        if axes["title"].strip() != want_title:
            return Verdict(False, f"subplot {index} is titled {axes['title']!r}, expected {want_title!r}.",
                           "Title each subplot with class_names[labels[i]], the class name, not the number.")
    return Verdict(True, f"{want} images, each titled with its class name.")


CHAPTER = Chapter(
    key="ch04",
    assignment="ch04_loading",
    title="Loading the data",
    prepare=prepare,
    per_check_seconds=20,
    checks=(
        Check("check_load_split", "load_split", 2, True, "load_split on a small generated folder (train split)",
              _probe_load_split(VISIBLE_FOLDER, "train", (32, 40)),
              _expected_load_split(VISIBLE_FOLDER, "train", (32, 40)), judge_load_split),
        Check("hidden_load_split_val", "load_split", 1, False,
              "load_split on a folder with an empty class and stray files (val split)",
              _probe_load_split(HIDDEN_FOLDER, "val", (24, 24)),
              _expected_load_split(HIDDEN_FOLDER, "val", (24, 24)), judge_load_split),
        Check("hidden_load_split_test", "load_split", 1, False,
              "load_split on a folder with an empty class and stray files (test split)",
              _probe_load_split(HIDDEN_FOLDER, "test", (30, 20)),
              _expected_load_split(HIDDEN_FOLDER, "test", (30, 20)), judge_load_split),
        Check("check_count_per_class", "count_per_class", 1, True, "count_per_class on 40 seeded labels",
              _probe_count(VISIBLE_LABELS, as_list=False), _expected_count(VISIBLE_LABELS), judge_count),
        Check("hidden_count_per_class", "count_per_class", 1, False,
              "count_per_class with a class that never occurs, labels given as a list",
              _probe_count(HIDDEN_LABELS, as_list=True), _expected_count(HIDDEN_LABELS), judge_count),
        Check("check_first_examples", "first_examples", 1, True, "first_examples on a tfds-style dataset (n=3)",
              _probe_first_examples(3, 12, 40, data.TFDS_CLASS_NAMES),
              _expected_first_examples(3, 12, 40, data.TFDS_CLASS_NAMES), judge_first_examples),
        Check("hidden_first_examples", "first_examples", 2, False,
              "first_examples with another class order and a longer dataset (n=5)",
              _probe_first_examples(5, 40, 41, ("tulips", "roses", "daisy", "sunflowers", "dandelion")),
              _expected_first_examples(5, 40, 41, ("tulips", "roses", "daisy", "sunflowers", "dandelion")),
              judge_first_examples),
        Check("check_plot_examples", "plot_examples", 2, True, "plot_examples with 9 images and n=6",
              _probe_plot(9, 6, 42), _expected_plot(9, 6, 42), judge_plot),
        Check("hidden_plot_examples", "plot_examples", 2, False, "plot_examples asked for more images than there are",
              _probe_plot(4, 9, 43), _expected_plot(4, 9, 43), judge_plot),
    ),
)
