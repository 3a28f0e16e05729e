"""Chapter 4's probes: the only code that calls the student's functions. Each returns plain data."""
from __future__ import annotations

from pathlib import Path

from ... import data
from ..probing import as_array, counting_dataset, figure_of, pair
from . import cases


def load_split(load_split, case: cases.LoadSplit, inputs_dir: Path) -> dict:
    images, labels = pair(load_split(str(Path(inputs_dir) / case.folder), case.split, case.image_size), "load_split")
    return {"images": as_array(images, "images"), "labels": as_array(labels, "labels")}


def count_per_class(count_per_class, case: cases.Count, inputs_dir: Path) -> dict:
    labels = case.array()
    counts = count_per_class(labels.tolist() if case.as_list else labels, list(data.CLASS_NAMES))
    if not isinstance(counts, dict):
        raise TypeError(f"count_per_class must return a dict, got {type(counts).__name__}")
    return {"names": [str(name) for name in counts], "counts": [int(count) for count in counts.values()]}


def first_examples(first_examples, case: cases.FirstExamples, inputs_dir: Path) -> dict:
    """A dataset shaped like tfds's tf_flowers (as_supervised) that counts the elements it hands
    out, so reading the whole dataset to pick a few (list(dataset)) is seen."""
    import tensorflow as tf

    produced = [0]
    dataset = counting_dataset(case.examples(), (tf.TensorSpec(shape=(None, None, 3), dtype=tf.uint8),
                                                 tf.TensorSpec(shape=(), dtype=tf.int64)), produced)
    result = first_examples(dataset, case.n, list(case.tfds_names))
    if not isinstance(result, (list, tuple)):
        raise TypeError(f"first_examples must return a list of (image, label) pairs, got {type(result).__name__}")
    found = [pair(item, "each item of first_examples") for item in result]
    return {"images": [as_array(image, "image") for image, _ in found],
            "labels": [int(as_array(label, "label")) for _, label in found], "produced": produced[0]}


def plot_examples(plot_examples, case: cases.PlotExamples, inputs_dir: Path) -> dict:
    images, labels = case.inputs()
    try:
        return figure_of(plot_examples, images.copy(), labels.copy(), list(data.CLASS_NAMES), case.n)
    except (IndexError, ValueError) as error:
        if case.n <= case.count:
            raise
        # Asked for more than there are: indexing or sampling past the end (the tutorial's E4).
        text = str(error).strip().splitlines()
        return {"too_many": f"{type(error).__name__}: {text[0][:200] if text else ''}".rstrip(": ")}
