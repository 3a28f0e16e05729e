"""Chapter 3, a data quality audit: the table of checks.

Stubs the student completes (see ``source/ch03_data_quality``):

* ``count_photos(data_dir, class_names)`` -> ``{class name: number of photo files}``
* ``balance_ratio(counts)`` -> ``smallest count / largest count`` (a float in [0, 1])
* ``find_duplicates(data_dir, class_names)`` -> groups of ``"class/file"`` paths with identical bytes
* ``classify_duplicates(groups)`` -> ``{"within_class": [...], "across_classes": [...], "across_splits": [...]}``
* ``find_unreadable(data_dir, class_names)`` -> sorted ``"class/file"`` paths PIL cannot decode
* ``checklist(counts, duplicate_groups, min_per_class, min_ratio)`` -> three verdicts
* ``plot_class_counts(counts)`` -> a matplotlib Figure, one bar per class

Two visible checks read the real photos (``data.resolve_data_dir()``; the batch grader binds them
read-only into the sandbox); their shipped answers hold for the photo set the kit was built with.
The others read plain data or a small generated folder that :func:`cases.prepare` writes. The
rooms: ``cases`` (inputs, written once), ``probes`` (the only code that calls student functions),
``judges`` (pure), and on the grader side only ``reference`` (the kit's own audit) and ``hidden``
(the hidden checks).
"""
from __future__ import annotations

from ...answers import Shipped
from ...core import Chapter, Rooms
from .. import extend
from . import cases, judges, probes


# One row per visible check: its probe and judge share the step's name; its answer is shipped data.
_check = Rooms(probes, Shipped("ch03"), judges).check


VISIBLE = Chapter(
    key="ch03",
    assignment="ch03_data_quality",
    title="A data quality audit",
    prepare=cases.prepare,
    photos=True,
    tensorflow=False,
    per_check_seconds=20,
    checks=(
        _check("check_count_photos", "count_photos", 1, True, "count_photos on the real course photos",
               cases.VISIBLE_COUNT),
        _check("check_balance_ratio", "balance_ratio", 1, True, "balance_ratio on the real counts",
               cases.VISIBLE_RATIO),
        _check("check_find_duplicates", "find_duplicates", 2, True, "find_duplicates on the real course photos",
               cases.VISIBLE_DUPLICATES),
        _check("check_classify_duplicates", "classify_duplicates", 1, True,
               "classify_duplicates on the real photos' three groups", cases.VISIBLE_CLASSIFY),
        _check("check_find_unreadable", "find_unreadable", 1, True,
               "find_unreadable on a generated folder with a corrupt file", cases.VISIBLE_UNREADABLE),
        _check("check_checklist", "checklist", 1, True, "checklist on the real counts and a clean data set",
               cases.VISIBLE_CHECKLIST),
        _check("check_plot_class_counts", "plot_class_counts", 2, True, "plot_class_counts on the real counts",
               cases.VISIBLE_PLOT),
    ),
)
CHAPTER = extend(VISIBLE)
