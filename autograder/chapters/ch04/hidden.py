"""Chapter 4 on the grader side: the hidden checks, their cases and inputs, and the table's order.
Never shipped to students (see ``student/``)."""
from __future__ import annotations

from pathlib import Path

from ...core import Chapter, Rooms
from ..full import full_chapter
from ... import synthetic
from . import judges, probes, reference
from .cases import Count, FirstExamples, LoadSplit, PlotExamples

HIDDEN_FOLDER = "hidden_photos"
# An empty class and stray non-photo files: a loader must cope with both.
HIDDEN_COUNTS = {"daisy": 9, "dandelion": 0, "roses": 8, "sunflowers": 10, "tulips": 9}
# A folder that is not a class, as Jupyter leaves one: it sorts before "daisy", so a loader that takes
# every sub-folder for a class makes it class 0 and shifts every label by one.
OTHER_FOLDER = ".ipynb_checkpoints"

HIDDEN_LOAD_VAL = LoadSplit(HIDDEN_FOLDER, "val", (24, 24))
HIDDEN_LOAD_TEST = LoadSplit(HIDDEN_FOLDER, "test", (30, 20))
HIDDEN_COUNT = Count((0, 4, 4, 2, 0, 3, 4, 0, 2), as_list=True)  # class 1 never occurs: its count is 0
HIDDEN_FIRST = FirstExamples(5, 40, 41, ("tulips", "roses", "daisy", "sunflowers", "dandelion"))
HIDDEN_PLOT = PlotExamples(4, 9, 43)   # more asked for than there are


def prepare(inputs_dir: Path) -> None:
    hidden = synthetic.make_photo_folder(Path(inputs_dir) / HIDDEN_FOLDER, HIDDEN_COUNTS,
                                         image_size=(60, 40), seed=5)
    (hidden / "README.txt").write_text("Not a photo: loaders must skip it.\n")
    (hidden / "daisy" / "notes.txt").write_text("Not a photo either.\n")
    (hidden / OTHER_FOLDER).mkdir()
    (hidden / OTHER_FOLDER / "ch04_loading-checkpoint.ipynb").write_text("{}\n")


_check = Rooms(probes, reference, judges).check


def extend(visible: Chapter) -> Chapter:
    return full_chapter(visible, reference, (
        "check_load_split",
        _check("hidden_load_split_val", "load_split", 1, False,
               "load_split on a folder with an empty class and stray files (val split)", HIDDEN_LOAD_VAL),
        _check("hidden_load_split_test", "load_split", 1, False,
               "load_split on a folder with an empty class and stray files (test split)", HIDDEN_LOAD_TEST),
        "check_count_per_class",
        _check("hidden_count_per_class", "count_per_class", 1, False,
               "count_per_class with a class that never occurs, labels given as a list", HIDDEN_COUNT),
        "check_first_examples",
        _check("hidden_first_examples", "first_examples", 2, False,
               "first_examples with another class order and a longer dataset (n=5)", HIDDEN_FIRST),
        "check_plot_examples",
        _check("hidden_plot_examples", "plot_examples", 2, False, "plot_examples asked for more images than there are",
               HIDDEN_PLOT),
    ), prepare_hidden=prepare)
