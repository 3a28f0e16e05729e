"""Chapter 5, ``prepare_dataset``: probes and judges for the tf.data pipelines.

The probe feeds a generator-backed, tfds-style dataset that counts what it hands out (read
twice without a cache, it counts twice), reads the returned pipeline twice, and lists the
pipeline's tf.data ops (for the prefetch and a shuffle on val/test). The judges match every
output image to an input: resized only and in order for val/test, resized or mirrored with
its own label for training, flips drawn anew and a new order in the second epoch.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core import Verdict
from .ch05_images import fair_coin, make_examples, match, resized, shape_problem, tfds_style_dataset
from .common import as_array


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


def probe_pipeline(count: int, seed: int, image_size, batch_size: int, training: bool, marked: bool = False):
    def probe(prepare_dataset, inputs_dir: Path) -> dict:
        import tensorflow as tf

        produced = [0]
        source = tfds_style_dataset(make_examples(count, seed), produced)
        extra = {"augmentation": _invert_layer()} if marked else {}
        dataset = prepare_dataset(source, training, batch_size, tuple(image_size), **extra)
        if not isinstance(dataset, tf.data.Dataset):
            raise TypeError(f"prepare_dataset must return a tf.data.Dataset, got {type(dataset).__name__}")
        spec = dataset.element_spec
        if not isinstance(spec, tuple) or len(spec) != 2:
            raise TypeError("each element of the returned dataset must be an (images, labels) pair")
        passes = []
        for _ in range(2):
            images, labels, sizes = [], [], []
            for batch_images, batch_labels in dataset:
                if len(images) > 3 * count:  # a repeat() would never end: three epochs' worth is enough to tell
                    break
                batch_images = as_array(batch_images, "a batch of images")
                images.extend(batch_images if batch_images.ndim == 4 else [batch_images])
                labels.extend(np.atleast_1d(as_array(batch_labels, "a batch of labels")).tolist())
                sizes.append(len(batch_images) if batch_images.ndim == 4 else 1)
            passes.append({"images": np.stack(images).astype(np.float32) if images else np.zeros((0,)),
                           "labels": [int(label) for label in labels], "sizes": sizes})
        return {"spec": [[-1 if dim is None else int(dim) for dim in item.shape] for item in spec],
                "dtypes": [item.dtype.name for item in spec], "passes": passes, "produced": produced[0],
                "ops": _graph_ops(dataset)}
    return probe


def expected_pipeline(count: int, seed: int, image_size, batch_size: int, training: bool, marked: bool = False):
    def expected(inputs_dir: Path) -> dict:
        examples = make_examples(count, seed)
        sizes = [batch_size] * (count // batch_size) + ([count % batch_size] if count % batch_size else [])
        return {"images": resized(examples, image_size), "labels": [label for _, label in examples],
                "sizes": sizes, "batch_size": batch_size, "training": training, "marked": marked}
    return expected


def _pipeline_form(found: dict, expected: dict) -> Verdict | None:
    """What every prepared split shares: element spec, batches, cache, prefetch."""
    height, width = expected["images"].shape[1:3]
    image_spec, label_spec = found["spec"]
    if len(image_spec) != 4:
        return Verdict(False, f"elements have image shape {tuple(image_spec)}: not batched.",
                       "Group the examples with dataset.batch(batch_size).")
    if tuple(image_spec[1:]) != (height, width, 3) or found["dtypes"][0] != "float32":
        return Verdict(False, f"element_spec says images of shape {tuple(image_spec)} and dtype {found['dtypes'][0]}, "
                       f"expected (None, {height}, {width}, 3) float32.",
                       "Map the resize (to the image_size argument) before batching, so every batch has one "
                       "static shape.")
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


def judge_eval_pipeline(found: dict, expected: dict) -> Verdict:
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
            if form[1] != "plain":
                return Verdict(False, f"the validation/test split is augmented: image {position} (pass {number}) came "
                               f"back {form[1]}.", augmented_hint)
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


def judge_train_pipeline(found: dict, expected: dict) -> Verdict:
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
    return Verdict(True, f"{count} images per epoch, reshuffled, {mirrored:.0%} mirrored, labels kept, "
                   f"batches {expected['sizes']}, cached, prefetched.")


def judge_augmented_pipelines(found: dict, expected: dict) -> Verdict:
    """Both splits prepared with an augmentation given: train uses it, val/test never does."""
    verdict = judge_train_pipeline(found["train"], expected["train"])
    if not verdict.ok:
        return verdict
    verdict = judge_eval_pipeline(found["val"], expected["val"])
    if not verdict.ok:
        return Verdict(False, f"with an augmentation given, {verdict.message}", verdict.hint)
    return Verdict(True, "the augmentation is applied to the training split and never to the validation split.")


def both(train_part, val_part):
    def combined(*args):
        return {"train": train_part(*args), "val": val_part(*args)}
    return combined


