"""Chapter 4, loading the data: the table of checks.

Stubs the student completes (see ``source/ch04_loading``):

* ``load_split(data_dir, split, image_size)`` -> ``(images, labels)``
* ``count_per_class(labels, class_names)`` -> ``{class name: count}``
* ``first_examples(dataset, n, tfds_class_names)`` -> ``[(image, course label), ...]``
* ``plot_examples(images, labels, class_names, n)`` -> matplotlib Figure

Every probe reads inputs made by :func:`cases.prepare` (small generated photo folders), so grading
never needs the real photos or the network. The rooms: ``cases`` (inputs, written once), ``probes``
(the only code that calls student functions), ``judges`` (pure), and on the grader side only
``reference`` (the kit's answers) and ``hidden`` (the hidden checks).
"""
from __future__ import annotations

from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch04"), judges).check


VISIBLE = Chapter(
    key="ch04",
    assignment="ch04_loading",
    title="Loading the data",
    prepare=cases.prepare,
    per_check_seconds=20,
    checks=(
        _check("check_load_split", "load_split", 2, True, "load_split on a small generated folder (train split)",
               cases.VISIBLE_LOAD),
        _check("check_count_per_class", "count_per_class", 1, True, "count_per_class on 40 seeded labels",
               cases.VISIBLE_COUNT),
        _check("check_first_examples", "first_examples", 1, True, "first_examples on a tfds-style dataset (n=3)",
               cases.VISIBLE_FIRST),
        _check("check_plot_examples", "plot_examples", 2, True, "plot_examples with 9 images and n=6",
               cases.VISIBLE_PLOT),
    ),
)
CHAPTER = extend(VISIBLE)
