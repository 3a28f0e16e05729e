"""Chapter 4's expected answers, computed by the kit's own code. Trusted: never imports probes."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from . import cases


def load_split(case: cases.LoadSplit, inputs_dir: Path) -> dict:
    folder = Path(inputs_dir) / case.folder
    images, labels, _ = data.load_split(case.split, case.image_size, data_dir=folder, cache=False)
    other = sorted(path.name for path in folder.iterdir() if path.is_dir() and path.name not in data.CLASS_NAMES)
    return {"images": images, "labels": labels, "other_folders": other}


def count_per_class(case: cases.Count, inputs_dir: Path) -> dict:
    return {"names": list(data.CLASS_NAMES),
            "counts": np.bincount(case.array(), minlength=len(data.CLASS_NAMES)).tolist()}


def first_examples(case: cases.FirstExamples, inputs_dir: Path) -> dict:
    examples = case.examples()[:case.n]
    return {"images": [image for image, _ in examples],
            "labels": [data.CLASS_NAMES.index(case.tfds_names[label]) for _, label in examples], "total": case.total}


def plot_examples(case: cases.PlotExamples, inputs_dir: Path) -> dict:
    images, labels = case.inputs()
    shown = min(case.n, case.count)
    return {"images": images[:shown], "titles": [data.CLASS_NAMES[label] for label in labels[:shown]],
            "n": case.n, "count": case.count}
