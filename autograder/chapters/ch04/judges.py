"""Chapter 4's judges: pure functions from (found, expected) plain data to a Verdict."""
from __future__ import annotations

import numpy as np

from ...core import Verdict
from ..common import describe, first_difference

# A loaded photo may differ a little from the kit's (another resize method), never a lot.
PIXEL_TOLERANCE = 12.0  # mean absolute difference on the 0-255 scale


def load_split(found: dict, expected: dict) -> Verdict:
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
    other = expected.get("other_folders") or []
    if other and len(labels) and (labels.max() >= 5 or any(np.array_equal(labels, want_labels + shift)
                                                           for shift in range(1, len(other) + 1))):
        return Verdict(False, f"labels are shifted: {', '.join(map(repr, other))}, a folder that is not a class, was "
                       f"taken for a class (labels {sorted(set(labels.tolist()))}, expected "
                       f"{sorted(set(want_labels.tolist()))}).",
                       "The classes are the five CLASS_NAMES: read data_dir/<name> for each of them and skip every "
                       "other folder. sorted(os.listdir(data_dir)) and image_dataset_from_directory take every "
                       "sub-folder for a class.")
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


def count_per_class(found: dict, expected: dict) -> Verdict:
    names, counts = list(found["names"]), list(found["counts"])
    if names != expected["names"]:
        return Verdict(False, f"the dict's keys are {names}, expected {expected['names']} in that order.",
                       "Start from every class name, so a class with no photo still appears with 0.")
    if counts != expected["counts"]:
        return Verdict(False, f"counts are {counts}, expected {expected['counts']}.",
                       "Count how many labels equal each class index (np.bincount with minlength helps).")
    return Verdict(True, f"counts {dict(zip(names, counts))} are right.")


def first_examples(found: dict, expected: dict) -> Verdict:
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


def _as_display_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    if image.size and image.max() <= 1.0:  # shown as floats in [0, 1]
        image = image * 255.0
    return image


def plot_examples(found: dict, expected: dict) -> Verdict:
    if "too_many" in found:
        return Verdict(False, f"asked for n={expected['n']} images of {expected['count']}, plot_examples raised "
                       f"{found['too_many']}.",
                       "Show min(n, len(images)) images: never index or sample past the end of the array (the "
                       "tutorial's index 42 into a batch of 32 fails the same way).")
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
