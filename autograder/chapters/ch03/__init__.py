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
read-only into the sandbox). Every other probe reads small generated folders that :func:`cases.prepare`
writes, with planted defects: corrupt files, an empty class, a near-empty class, copies under other
names, look-alikes that are *not* copies, and sub-folders that are not classes. The rooms: ``cases``
(inputs, written once), ``probes`` (the only code that calls student functions), ``reference`` (the
kit's own audit), ``judges`` (pure).
"""
from __future__ import annotations

from ...core import Chapter, Rooms
from . import cases, judges, probes, reference


# One row per check: the probe, reference and judge of a step share its name in every room.
_check = Rooms(probes, reference, judges).check


CHAPTER = Chapter(
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
        _check("hidden_count_photos", "count_photos", 2, False,
               "count_photos on a folder with an empty class, other suffixes and files that are not photos",
               cases.HIDDEN_COUNT),
        _check("check_balance_ratio", "balance_ratio", 1, True, "balance_ratio on the real counts",
               cases.VISIBLE_RATIO),
        _check("hidden_balance_ratio", "balance_ratio", 1, False,
               "balance_ratio with an empty class, one class, and no photos at all", cases.HIDDEN_RATIO),
        _check("check_find_duplicates", "find_duplicates", 2, True, "find_duplicates on the real course photos",
               cases.VISIBLE_DUPLICATES),
        _check("hidden_find_duplicates", "find_duplicates", 2, False,
               "find_duplicates on a folder with planted copies and look-alikes", cases.HIDDEN_DUPLICATES),
        _check("check_classify_duplicates", "classify_duplicates", 1, True,
               "classify_duplicates on the real photos' three groups", cases.VISIBLE_CLASSIFY),
        _check("hidden_classify_duplicates", "classify_duplicates", 1, False,
               "classify_duplicates on four other groups", cases.HIDDEN_CLASSIFY),
        _check("check_find_unreadable", "find_unreadable", 1, True,
               "find_unreadable on a generated folder with a corrupt file", cases.VISIBLE_UNREADABLE),
        _check("hidden_find_unreadable", "find_unreadable", 2, False,
               "find_unreadable on a folder with empty, fake and half-downloaded photos", cases.HIDDEN_UNREADABLE),
        _check("check_checklist", "checklist", 1, True, "checklist on the real counts and a clean data set",
               cases.VISIBLE_CHECKLIST),
        _check("hidden_checklist", "checklist", 2, False,
               "checklist at the thresholds, with an empty class and with other thresholds", cases.HIDDEN_CHECKLIST),
        _check("check_plot_class_counts", "plot_class_counts", 2, True, "plot_class_counts on the real counts",
               cases.VISIBLE_PLOT),
        _check("hidden_plot_class_counts", "plot_class_counts", 1, False,
               "plot_class_counts with classes out of alphabetical order and an empty class", cases.HIDDEN_PLOT),
    ),
)
