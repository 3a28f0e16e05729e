"""Chapter 4's expected answers, computed by the kit's own code. Trusted: never imports probes."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import data
from . import cases


def load_split(case: cases.LoadSplit, inputs_dir: Path) -> dict:
    images, labels, _ = data.load_split(case.split, case.image_size, data_dir=Path(inputs_dir) / case.folder,
                                        cache=False)
    return {"images": images, "labels": labels}


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
    return {"images": images[:shown], "titles": [data.CLASS_NAMES[label] for label in labels[:shown]]}
