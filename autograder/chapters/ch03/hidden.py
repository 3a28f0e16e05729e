"""Chapter 3 on the grader side: the hidden checks, their cases and inputs, and the table's order.
Never shipped to students.

The hidden checks read a small generated folder that :func:`prepare` writes, with planted defects:
corrupt files, an empty class, a near-empty class, copies under other names, look-alikes that are
*not* copies, and sub-folders that are not classes.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from ...core import Chapter, Rooms
from ..full import full_chapter
from ... import synthetic
from . import judges, probes, reference
from .cases import Checklist, ChecklistCall, Folder, Groups, PlotCounts, Ratios, _frozen, _generated_name

HIDDEN_FOLDER = "hidden_photos"
# An empty class (dandelion) and a near-empty one (roses, a single photo).
HIDDEN_COUNTS = {"daisy": 7, "dandelion": 0, "roses": 1, "sunflowers": 8, "tulips": 6}
# Sub-folders of the hidden folder that are not classes: what Jupyter leaves behind when a notebook
# is opened there, and a folder of photos someone put aside. Only the class folders hold the data set.
OTHER_FOLDERS = (".ipynb_checkpoints", "extra_photos")


def prepare(inputs_dir: Path) -> None:
    hidden = synthetic.make_photo_folder(Path(inputs_dir) / HIDDEN_FOLDER, HIDDEN_COUNTS, image_size=(36, 44),
                                         seed=32)
    _plant_hidden_defects(hidden, seed=32)


def _plant_hidden_defects(root: Path, seed: int) -> None:
    def name(class_name, index):
        return root / class_name / _generated_name(class_name, index, seed)

    # Not photos: must be neither counted nor opened.
    (root / "README.txt").write_text("About these photos.\n")
    (root / "daisy" / "notes.txt").write_text("Not a photo.\n")
    # Photos with other suffixes: an upper-case .JPG and a real PNG.
    name("sunflowers", 7).rename(root / "sunflowers" / "SUNNY_DAY.JPG")
    Image.fromarray(synthetic.make_image("tulips", 40, (36, 44), seed)).save(root / "tulips" / "field.png")
    # Corrupt files: empty, text under a .jpg name, and a JPEG cut in half (its header is fine,
    # so Image.open succeeds; only decoding the pixels fails).
    (root / "daisy" / "empty.jpg").write_bytes(b"")
    (root / "tulips" / "not_a_photo.jpg").write_text("This is not a JPEG.\n")
    whole = name("sunflowers", 0).read_bytes()
    (root / "sunflowers" / "half_downloaded.jpg").write_bytes(whole[: len(whole) // 2])
    # Exact copies under other names: within a class, across classes with a new name, a group of
    # three over two classes, and the near-empty class's only photo filed under tulips as well.
    shutil.copyfile(name("daisy", 2), root / "daisy" / "IMG_0042.jpg")
    shutil.copyfile(name("sunflowers", 3), root / "tulips" / "yellow_tulip.jpg")
    shutil.copyfile(name("sunflowers", 5), root / "sunflowers" / "sunflower_again.jpg")
    shutil.copyfile(name("sunflowers", 5), root / "daisy" / "not_a_daisy.jpg")
    shutil.copyfile(name("roses", 0), root / "tulips" / _generated_name("roses", 0, seed))
    # Look-alikes that are NOT copies: the same file name in two classes with other pixels, and a
    # file of exactly the same size as another with one byte changed.
    Image.fromarray(synthetic.make_image("daisy", 50, (36, 44), seed)).save(root / "daisy" / "same_name.jpg",
                                                                            quality=95)
    Image.fromarray(synthetic.make_image("sunflowers", 50, (36, 44), seed)).save(
        root / "sunflowers" / "same_name.jpg", quality=95)
    original = bytearray(name("tulips", 1).read_bytes())
    original[-40] ^= 0x01  # inside the compressed pixels, before the end marker
    (root / "tulips" / "almost_the_same.jpg").write_bytes(bytes(original))
    # Folders that are not classes. Whoever takes every sub-folder of data_dir for a class counts
    # them, finds a "copy" of a daisy photo in extra_photos and a damaged file there too.
    checkpoints, extra = (root / folder for folder in OTHER_FOLDERS)
    checkpoints.mkdir()
    (checkpoints / "audit-checkpoint.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4}\n')
    extra.mkdir()
    shutil.copyfile(name("daisy", 4), extra / "daisy_spare.jpg")
    Image.fromarray(synthetic.make_image("daisy", 60, (36, 44), seed)).save(extra / "another_daisy.jpg", quality=95)
    cut = name("tulips", 2).read_bytes()
    (extra / "cut_short.jpg").write_bytes(cut[: len(cut) // 3])


HIDDEN_COUNT = Folder(HIDDEN_FOLDER, as_path=True)
HIDDEN_RATIO = Ratios((
    _frozen({"daisy": 12, "dandelion": 0, "roses": 30}),      # an empty class
    _frozen({"tulips": 40, "roses": 10, "daisy": 20}),        # the smallest is not first
    _frozen({"daisy": 7}),                                    # one class
    _frozen({"daisy": 0, "roses": 0}),                        # nothing at all: 0.0, not ZeroDivisionError
))
HIDDEN_DUPLICATES = Folder(HIDDEN_FOLDER)
# Split of each name (data.split_of): a1 b7 h q r s train, g val, p test.
HIDDEN_CLASSIFY = Groups((
    ("daisy/a1.jpg", "tulips/b7.jpg"),                             # across classes, other names, one split
    ("sunflowers/g.jpg", "sunflowers/h.jpg", "tulips/g.jpg"),      # across classes and splits (val, train)
    ("roses/p.jpg", "roses/q.jpg"),                                # one class, across splits (test, train)
    ("dandelion/r.jpg", "dandelion/s.jpg"),                        # one class, one split
))
# find_unreadable is called with data_dir as a Path.
HIDDEN_UNREADABLE = Folder(HIDDEN_FOLDER, as_path=True)
HIDDEN_CHECKLIST = Checklist((
    ChecklistCall(_frozen({"daisy": 50, "roses": 100, "tulips": 70})),                  # both exactly at the line
    ChecklistCall(_frozen({"daisy": 49, "roses": 60, "tulips": 70})),                   # one short of 50
    ChecklistCall(_frozen({"daisy": 80, "dandelion": 0, "roses": 90})),                 # an empty class
    ChecklistCall(_frozen({"daisy": 60, "roses": 130}), (("roses/a.jpg", "roses/b.jpg"),)),  # unbalanced, a copy
    ChecklistCall(_frozen({"daisy": 12, "roses": 14}), (), (("min_per_class", 10), ("min_ratio", 0.9))),
    ChecklistCall(_frozen({"daisy": 300, "roses": 320}), (), (("min_per_class", 400), ("min_ratio", 0.95))),
))
HIDDEN_PLOT = PlotCounts(_frozen({"tulips": 12, "daisy": 0, "roses": 30}))   # not alphabetical, one empty class


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_count_photos",
        _check("hidden_count_photos", "count_photos", 2, False,
               "count_photos on a folder with an empty class, other suffixes and files that are not photos",
               HIDDEN_COUNT),
        "check_balance_ratio",
        _check("hidden_balance_ratio", "balance_ratio", 1, False,
               "balance_ratio with an empty class, one class, and no photos at all", HIDDEN_RATIO),
        "check_find_duplicates",
        _check("hidden_find_duplicates", "find_duplicates", 2, False,
               "find_duplicates on a folder with planted copies and look-alikes", HIDDEN_DUPLICATES),
        "check_classify_duplicates",
        _check("hidden_classify_duplicates", "classify_duplicates", 1, False,
               "classify_duplicates on four other groups", HIDDEN_CLASSIFY),
        "check_find_unreadable",
        _check("hidden_find_unreadable", "find_unreadable", 2, False,
               "find_unreadable on a folder with empty, fake and half-downloaded photos", HIDDEN_UNREADABLE),
        "check_checklist",
        _check("hidden_checklist", "checklist", 2, False,
               "checklist at the thresholds, with an empty class and with other thresholds", HIDDEN_CHECKLIST),
        "check_plot_class_counts",
        _check("hidden_plot_class_counts", "plot_class_counts", 1, False,
               "plot_class_counts with classes out of alphabetical order and an empty class", HIDDEN_PLOT),
    ), prepare_hidden=prepare)
