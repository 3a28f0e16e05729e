"""Chapter 5's judges: pure functions from (found, expected) plain data to a Verdict.

An output image is matched against the kit's own resized image, its mirror, the image upside down
and (for the augmentation hook) their inverses 255 - x. Per-image functions: shape, scale, dtype,
labels, then which form each output took. Pipelines: element spec, batches, cache, prefetch, then
every image matched to an input (resized only and in order for val/test; resized or mirrored with
its own label for training, flips drawn anew and a new order in the second epoch)."""
from __future__ import annotations

import math

import numpy as np

from ...core import Verdict

# An output "is" an expected image when the mean absolute difference is at most this
# (0-255 scale): bilinear, bicubic or area resizing all stay well inside it; a mirror does not.
PIXEL_TOLERANCE = 6.0
LAYER_NAMES = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast")


# --- matching outputs to inputs -----------------------------------------------------------------

def variants(expected: np.ndarray, inverted: bool = False) -> dict[str, np.ndarray]:
    """The forms an output image may take: as resized, mirrored, upside down (inverted: 255 - x)."""
    forms = {"plain": expected, "mirrored": expected[:, ::-1], "upside down": expected[::-1]}
    if inverted:
        forms.update({f"inverted {name}": 255.0 - image for name, image in list(forms.items())})
    return forms


def match(image, expected_images, inverted: bool = False) -> tuple[int, str] | None:
    """(index of the input, form) of the expected image the output is, or None."""
    image = np.asarray(image, dtype=np.float64)
    best = None
    for index, expected in enumerate(expected_images):
        if image.shape != expected.shape:
            return None
        for form, candidate in variants(expected, inverted).items():
            distance = float(np.abs(image - candidate).mean())
            if distance <= PIXEL_TOLERANCE and (best is None or distance < best[0]):
                best = (distance, index, form)
    return None if best is None else (best[1], best[2])


SWAPPED_HINT = ("image_size is (height, width): the first number is the number of rows. Pass image_size on "
                "unchanged (tf.image.resize(image, image_size)); never unpack it as width, height.")
WRITTEN_IN_HINT = ("Use the image_size argument, never a size written into the function: the size is set once, "
                   "in IMAGE_SIZE, and passed down (the tutorial resized twice to two sizes).")
SCALE_HINT = ("Keep the pixels on the 0-255 scale, not 0-1: do not divide by 255 (nor use "
              "tf.image.convert_image_dtype, which scales to 0-1). The chapter 6 model starts with "
              "Rescaling(1/255), so scaling twice would squash every photo to almost black.")


def dtype_hint(dtype: str) -> str:
    """What usually produced a dtype other than float32, and the fix."""
    if dtype == "uint8":
        return ("tf.image.resize already returns float32: do not cast back to uint8 (a uint8 batch also breaks "
                "the augmentation layers, which compute in float32).")
    if dtype == "float64":
        return ("float64 usually comes from NumPy arithmetic or a cast to tf.float64: keep the float32 that "
                "tf.image.resize returns (tf.cast(image, tf.float32) if you start from another type).")
    return "Return float32 images: tf.cast(image, tf.float32) (tf.image.resize already returns float32)."


def size_hint(found: tuple, height: int, width: int) -> str:
    """The likely cause of images of size ``found`` (height, width) where (height, width) was asked for."""
    if tuple(found) == (width, height):
        return SWAPPED_HINT
    if tuple(found) in ((128, 128), (96, 96), (256, 256)):
        return WRITTEN_IN_HINT
    return "Resize with tf.image.resize(image, image_size): image_size is (height, width)."


def scale_problem(images: np.ndarray, what: str) -> Verdict | None:
    """Pixels on the 0-1 scale instead of 0-255."""
    if images.size and images.max() <= 1.0:
        return Verdict(False, f"{what} have values from {images.min():.2f} to {images.max():.2f}, expected 0-255.",
                       SCALE_HINT)
    return None


def shape_problem(images: np.ndarray, height: int, width: int, what: str) -> Verdict | None:
    """Shape, scale, dtype and value range of a stack of images (N, H, W, 3); None when all is right.
    Each fault has its own message and hint: the order of height and width, pixels on 0-1, the dtype."""
    if images.ndim != 4 or images.shape[1:] != (height, width, 3):
        shape = images.shape[1:] if images.ndim == 4 else images.shape
        return Verdict(False, f"{what} have shape {tuple(shape)}, expected ({height}, {width}, 3).",
                       size_hint(tuple(shape[:2]), height, width))
    problem = scale_problem(images, what)  # before the dtype: a division may change both
    if problem:
        return problem
    if images.dtype != np.float32:
        return Verdict(False, f"{what} have dtype {images.dtype}, expected float32.", dtype_hint(images.dtype.name))
    if images.size and (images.min() < -0.5 or images.max() > 255.5):
        return Verdict(False, f"{what} have values from {images.min():.1f} to {images.max():.1f}, expected 0-255.",
                       "Keep the pixels on the 0-255 scale.")
    return None


def fair_coin(fraction: float, draws: int) -> bool:
    """Whether a share of heads is within 5 standard deviations of a fair coin's (false alarm < 1e-6)."""
    return abs(fraction - 0.5) <= 5 * 0.5 / math.sqrt(max(draws, 1))


# --- resize_image and preprocess_image -----------------------------------------------------------

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


def resize_image(found: dict, expected: dict) -> Verdict:
    problem, forms = _forms(found, expected)
    if problem:
        return problem
    changed = [position for position, form in enumerate(forms) if form != "plain"]
    if changed:
        # Which output a random change hit is the draw's: name only what came back.
        return Verdict(False, f"outputs came back {' or '.join(sorted({forms[i] for i in changed}))}.",
                       "resize_image is the validation/test path: resize only, never augment. Evaluating on "
                       "flipped photos would measure something other than the photos as they are.")
    height, width = expected["images"].shape[1:3]
    return Verdict(True, f"{len(forms)} images resized to ({height}, {width}, 3), float32 0-255, labels untouched.")


def preprocess_image(found: dict, expected: dict) -> Verdict:
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
    if traced and mirrored in (0.0, 1.0):  # all or none: which of the two is the draw's, the fault is not
        return Verdict(False, f"all {len(forms)} outputs came out alike (every one mirrored, or none): the flip is "
                       "not random for each photo.", traced_hint + " tf.image.flip_left_right, for its part, always flips.")
    if mirrored == 0.0:
        return Verdict(False, f"none of {len(forms)} outputs was mirrored.",
                       "Add a random left-right flip: tf.image.random_flip_left_right(image).")
    if mirrored == 1.0:
        return Verdict(False, f"all {len(forms)} outputs were mirrored: the flip is not random.",
                       "tf.image.flip_left_right always flips; random_flip_left_right flips half the time.")
    if not fair_coin(mirrored, len(forms)):
        return Verdict(False, f"{mirrored:.0%} of the outputs were mirrored, expected about half.",
                       "Flip with probability 0.5: tf.image.random_flip_left_right(image).")
    # The share mirrored is the draw's: the message says only what holds for every draw.
    return Verdict(True, f"{len(forms)} outputs, each the resized input or its mirror (about half mirrored), "
                   "float32 0-255, labels untouched.")


# --- build_augmentation --------------------------------------------------------------------------

def _find(layers: list, name: str) -> dict | None:
    return next((layer for layer in layers if layer["name"] == name and layer["keras"]), None)


def build_augmentation(found: dict, expected: dict) -> Verdict:
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


# --- prepare_dataset -----------------------------------------------------------------------------

def _pipeline_form(found: dict, expected: dict) -> Verdict | None:
    """What every prepared split shares: element spec, batches, cache, prefetch."""
    height, width = expected["images"].shape[1:3]
    image_spec, label_spec = found["spec"]
    shown = tuple(None if dim == -1 else dim for dim in image_spec)  # as element_spec prints it
    if len(image_spec) != 4:
        return Verdict(False, f"elements have image shape {shown}: not batched.",
                       "Group the examples with dataset.batch(batch_size).")
    if tuple(image_spec[1:]) != (height, width, 3):
        spec = tuple(image_spec[1:3])
        if -1 in spec or image_spec[3] != 3:
            hint = ("Map the resize (to the image_size argument) before batching, so every batch has one static "
                    "shape.")
        else:
            hint = size_hint(spec, height, width)
        swapped = " (height and width swapped)" if spec == (width, height) and height != width else ""
        return Verdict(False, f"element_spec says images of shape {shown}, expected "
                       f"(None, {height}, {width}, 3){swapped}.", hint)
    if found["dtypes"][0] != "float32":
        for one_pass in found["passes"]:  # a pipeline that divides may change the dtype too: the scale comes first
            problem = scale_problem(np.asarray(one_pass["images"]), "the batched images")
            if problem:
                return problem
        return Verdict(False, f"element_spec says images of dtype {found['dtypes'][0]}, expected float32.",
                       dtype_hint(found["dtypes"][0]))
    if not found["dtypes"][1].startswith(("int", "uint")):
        return Verdict(False, f"labels have dtype {found['dtypes'][1]}, expected the integer labels unchanged.",
                       "Pass labels through untouched: no one-hot encoding, no cast to float.")
    for number, one_pass in enumerate(found["passes"], start=1):
        if one_pass["sizes"] != expected["sizes"]:
            return Verdict(False, f"pass {number} gave batches of sizes {one_pass['sizes']}, "
                           f"expected {expected['sizes']}.",
                           "dataset.batch(batch_size), keeping the last smaller batch, once per epoch (no repeat()).")
        problem = shape_problem(np.asarray(one_pass["images"]), height, width, "the batched images")
        if problem:
            return problem
    count = len(expected["labels"])
    if found["produced"] > count + 2:
        return Verdict(False, f"two passes read {found['produced']} elements from a source of {count}: not cached.",
                       "Add .cache() after the resize, so the second epoch reads memory, not the photos again.")
    if found["ops"] is not None and "PrefetchDataset" not in found["ops"]:
        return Verdict(False, "the pipeline has no prefetch step.",
                       "End with .prefetch(tf.data.AUTOTUNE), so the next batch is ready while the model trains.")
    return None


def _matches(images, expected: dict) -> list:
    return [match(image, expected["images"], inverted=expected["marked"]) for image in images]


def prepare_dataset_eval(found: dict, expected: dict) -> Verdict:
    problem = _pipeline_form(found, expected)
    if problem:
        return problem
    augmented_hint = ("Augment only the training split: when training is False map resize_image, never "
                      "preprocess_image or the augmentation stack. Augmented validation photos make the "
                      "validation score noisy and no longer measure the photos as they are.")
    for number, one_pass in enumerate(found["passes"], start=1):
        for position, form in enumerate(_matches(one_pass["images"], expected)):
            if form is None:
                return Verdict(False, f"image {position} (pass {number}) is not one of the resized inputs.",
                               "For val/test, only resize: map resize_image, batch, cache, prefetch.")
            if form[1] != "plain":  # which image is the draw's: name only what came back
                changed = sorted({form[1] for one in found["passes"] for form in _matches(one["images"], expected)
                                  if form is not None and form[1] != "plain"})
                return Verdict(False, f"the validation/test split is augmented: images came back "
                               f"{' or '.join(changed)}.", augmented_hint)
            if form[0] != position:
                return Verdict(False, f"image {position} (pass {number}) is input {form[0]}: the order changed.",
                               "Do not shuffle the validation or test split: its order must stay that of the input.")
        if one_pass["labels"] != expected["labels"]:
            return Verdict(False, f"labels of pass {number} are {one_pass['labels']}, expected {expected['labels']}.",
                           "Pass labels through untouched.")
    first, second = (np.asarray(one_pass["images"]) for one_pass in found["passes"])
    if not np.array_equal(first, second):
        return Verdict(False, "two passes over the validation/test split gave different images.", augmented_hint)
    if found["ops"] is not None and any(op.startswith("Shuffle") for op in found["ops"]):
        return Verdict(False, "the validation/test pipeline contains a shuffle.", "Shuffle only when training is True.")
    return Verdict(True, f"{len(first)} images resized only, in order, identical in two passes "
                   f"(batches {expected['sizes']}, cached, prefetched).")


def prepare_dataset_train(found: dict, expected: dict) -> Verdict:
    problem = _pipeline_form(found, expected)
    if problem:
        return problem
    count, epochs = len(expected["labels"]), []
    for number, one_pass in enumerate(found["passes"], start=1):
        forms = _matches(one_pass["images"], expected)
        if None in forms:
            position = forms.index(None)
            return Verdict(False, f"training image {position} (epoch {number}) is neither a resized input nor its "
                           "mirror" + (" (nor their inverses)." if expected["marked"] else "."),
                           "For training, map preprocess_image (resize + random flip) and nothing else.")
        order = [index for index, _ in forms]
        if sorted(order) != list(range(count)):
            return Verdict(False, f"epoch {number} does not hold every input exactly once.",
                           "Shuffle and batch the split once per epoch: no repeat(), no take().")
        if [expected["labels"][index] for index in order] != one_pass["labels"]:
            return Verdict(False, f"in epoch {number} some labels no longer belong to their images.",
                           "Map functions over (image, label) pairs; never shuffle images and labels separately.")
        epochs.append({index: form for index, form in forms})
    if expected["marked"]:
        plain = [index for index, form in epochs[0].items() if not form.startswith("inverted")]
        if plain:
            return Verdict(False, f"the augmentation passed in was not applied to training image {plain[0]}.",
                           "When training is True and augmentation is given, map "
                           "lambda images, labels: (augmentation(images, training=True), labels) after batching.")
        return Verdict(True, f"the augmentation passed in is applied to every training batch ({count} images, "
                       f"batches {expected['sizes']}).")
    if any("upside" in form for epoch in epochs for form in epoch.values()):
        return Verdict(False, "some training images came back upside down.", "Flip left-right only.")
    mirrored = sum(form == "mirrored" for epoch in epochs for form in epoch.values()) / (2 * count)
    if mirrored in (0.0, 1.0):  # all or none: which of the two may be the draw's, the fault is not
        return Verdict(False, "every training image came out alike in both epochs (all mirrored, or none): the "
                       "flip is not random for each photo.",
                       "Use tf.image.random_flip_left_right inside preprocess_image: flip_left_right always flips, "
                       "no flip never does, and Python's random runs only once, when tf.data traces the function.")
    if not fair_coin(mirrored, 2 * count):
        return Verdict(False, f"{mirrored:.0%} of the training images were mirrored, expected about half.",
                       "For training, map preprocess_image (with its random flip) over the split.")
    if epochs[0] == epochs[1]:
        return Verdict(False, "every image was flipped the same way in both epochs: the augmentation is frozen.",
                       "cache() stores what comes before it: cache after resize_image, before the random flip "
                       "(map(resize_image).cache(), then shuffle and map(preprocess_image)).")
    orders = [[index for index, _ in _matches(one_pass["images"], expected)] for one_pass in found["passes"]]
    if orders[0] == orders[1]:
        return Verdict(False, "both epochs came in the same order: the training split is not reshuffled.",
                       "Shuffle after cache() (a cache stores the first order), leaving reshuffle_each_iteration on.")
    return Verdict(True, f"{count} images per epoch, reshuffled, about half mirrored, labels kept, "
                   f"batches {expected['sizes']}, cached, prefetched.")


def prepare_dataset_augmented(found: dict, expected: dict) -> Verdict:
    """Both splits prepared with an augmentation given: train uses it, val/test never does."""
    verdict = prepare_dataset_train(found["train"], expected["train"])
    if not verdict.ok:
        return verdict
    verdict = prepare_dataset_eval(found["val"], expected["val"])
    if not verdict.ok:
        return Verdict(False, f"with an augmentation given, {verdict.message}", verdict.hint)
    return Verdict(True, "the augmentation is applied to the training split and never to the validation split.")
