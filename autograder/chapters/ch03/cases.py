"""Chapter 3's cases: each check's inputs, written once.

Two kinds of input: the real course photos (``data.resolve_data_dir()``; the batch grader binds
them read-only into the sandbox) and two small generated folders that :func:`prepare` writes, with
planted defects: corrupt files, an empty class, a near-empty class, copies under other names,
look-alikes that are *not* copies, and folders that are not classes. Everything is seeded; probes
and references both read it.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ... import data, synthetic

VISIBLE_FOLDER = "visible_photos"
HIDDEN_FOLDER = "hidden_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 5, "roses": 6, "sunflowers": 4, "tulips": 5}
# An empty class (dandelion) and a near-empty one (roses, a single photo).
HIDDEN_COUNTS = {"daisy": 7, "dandelion": 0, "roses": 1, "sunflowers": 8, "tulips": 6}
# Sub-folders of the hidden folder that are not classes: what Jupyter leaves behind when a notebook
# is opened there, and a folder of photos someone put aside. Only the class folders hold the data set.
OTHER_FOLDERS = (".ipynb_checkpoints", "extra_photos")


def _generated_name(class_name: str, index: int, seed: int) -> str:
    return f"syn{seed}_{class_name}_{index:04d}.jpg"


def prepare(inputs_dir: Path) -> None:
    inputs_dir = Path(inputs_dir)
    visible = synthetic.make_photo_folder(inputs_dir / VISIBLE_FOLDER, VISIBLE_COUNTS, image_size=(40, 48), seed=31)
    # One corrupt "photo": text saved under a .jpg name.
    (visible / "roses" / "broken_download.jpg").write_bytes(b"<html>404 Not Found</html>\n")
    # Copies under other names: one within daisy, one daisy photo also filed under tulips.
    shutil.copyfile(visible / "daisy" / _generated_name("daisy", 1, 31), visible / "daisy" / "daisy_copy.jpg")
    shutil.copyfile(visible / "daisy" / _generated_name("daisy", 3, 31), visible / "tulips" / "mislabelled.jpg")

    hidden = synthetic.make_photo_folder(inputs_dir / HIDDEN_FOLDER, HIDDEN_COUNTS, image_size=(36, 44), seed=32)
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


@dataclass(frozen=True)
class Folder:
    """A photo folder to audit: a generated one by name, or the real photos (``folder=None``)."""
    folder: str | None
    as_path: bool = False      # hand data_dir over as a Path rather than a str

    def root(self, inputs_dir: Path) -> Path:
        return data.resolve_data_dir() if self.folder is None else Path(inputs_dir) / self.folder

    def data_dir(self, inputs_dir: Path):
        """data_dir as the student's function gets it."""
        root = self.root(inputs_dir)
        return root if self.as_path else str(root)


Counts = tuple[tuple[str, int], ...]     # a dict {class name: count}, frozen as (name, count) pairs


def _frozen(counts: dict) -> Counts:
    return tuple((str(name), int(count)) for name, count in counts.items())


@dataclass(frozen=True)
class Ratios:
    """balance_ratio on several sets of counts, one call each."""
    counts: tuple[Counts, ...]

    def dicts(self) -> list[dict[str, int]]:
        return [dict(pairs) for pairs in self.counts]


@dataclass(frozen=True)
class Groups:
    """classify_duplicates on given groups of "class/file.jpg" paths."""
    groups: tuple[tuple[str, ...], ...]

    def lists(self) -> list[list[str]]:
        return [list(group) for group in self.groups]


@dataclass(frozen=True)
class ChecklistCall:
    counts: Counts
    groups: tuple[tuple[str, ...], ...] = ()
    options: tuple[tuple[str, float], ...] = ()   # keyword arguments; () for the defaults

    def arguments(self) -> tuple[dict, list, dict]:
        return dict(self.counts), [list(group) for group in self.groups], dict(self.options)


@dataclass(frozen=True)
class Checklist:
    calls: tuple[ChecklistCall, ...]


@dataclass(frozen=True)
class PlotCounts:
    counts: Counts

    def dict(self) -> dict[str, int]:
        return dict(self.counts)


# What the real photos hold (the test module checks these against the kit's audit of the real folder).
REAL_COUNTS = {"daisy": 537, "dandelion": 780, "roses": 539, "sunflowers": 596, "tulips": 672}
REAL_DUPLICATES = (
    ("roses/15922772266_1167a06620.jpg", "tulips/15922772266_1167a06620.jpg"),
    ("sunflowers/14889392928_9742aed45b_m.jpg", "sunflowers/15066430311_fb57fa92b0_m.jpg"),
    ("sunflowers/15069459615_7e0fd61914_n.jpg", "sunflowers/15072973261_73e2912ef2_n.jpg"),
)
_CLEAN = {"daisy": 120, "dandelion": 95, "roses": 101, "sunflowers": 88, "tulips": 110}

VISIBLE_COUNT = Folder(None)
HIDDEN_COUNT = Folder(HIDDEN_FOLDER, as_path=True)

VISIBLE_RATIO = Ratios((_frozen(REAL_COUNTS),))
HIDDEN_RATIO = Ratios((
    _frozen({"daisy": 12, "dandelion": 0, "roses": 30}),      # an empty class
    _frozen({"tulips": 40, "roses": 10, "daisy": 20}),        # the smallest is not first
    _frozen({"daisy": 7}),                                    # one class
    _frozen({"daisy": 0, "roses": 0}),                        # nothing at all: 0.0, not ZeroDivisionError
))

VISIBLE_DUPLICATES = Folder(None)
HIDDEN_DUPLICATES = Folder(HIDDEN_FOLDER)

VISIBLE_CLASSIFY = Groups(REAL_DUPLICATES)
# Split of each name (data.split_of): a1 b7 h q r s train, g val, p test.
HIDDEN_CLASSIFY = Groups((
    ("daisy/a1.jpg", "tulips/b7.jpg"),                             # across classes, other names, one split
    ("sunflowers/g.jpg", "sunflowers/h.jpg", "tulips/g.jpg"),      # across classes and splits (val, train)
    ("roses/p.jpg", "roses/q.jpg"),                                # one class, across splits (test, train)
    ("dandelion/r.jpg", "dandelion/s.jpg"),                        # one class, one split
))

# find_unreadable is called with data_dir as a Path.
VISIBLE_UNREADABLE = Folder(VISIBLE_FOLDER, as_path=True)
HIDDEN_UNREADABLE = Folder(HIDDEN_FOLDER, as_path=True)

VISIBLE_CHECKLIST = Checklist((
    ChecklistCall(_frozen(REAL_COUNTS), REAL_DUPLICATES),
    ChecklistCall(_frozen(_CLEAN)),
))
HIDDEN_CHECKLIST = Checklist((
    ChecklistCall(_frozen({"daisy": 50, "roses": 100, "tulips": 70})),                  # both exactly at the line
    ChecklistCall(_frozen({"daisy": 49, "roses": 60, "tulips": 70})),                   # one short of 50
    ChecklistCall(_frozen({"daisy": 80, "dandelion": 0, "roses": 90})),                 # an empty class
    ChecklistCall(_frozen({"daisy": 60, "roses": 130}), (("roses/a.jpg", "roses/b.jpg"),)),  # unbalanced, a copy
    ChecklistCall(_frozen({"daisy": 12, "roses": 14}), (), (("min_per_class", 10), ("min_ratio", 0.9))),
    ChecklistCall(_frozen({"daisy": 300, "roses": 320}), (), (("min_per_class", 400), ("min_ratio", 0.95))),
))

VISIBLE_PLOT = PlotCounts(_frozen(REAL_COUNTS))
HIDDEN_PLOT = PlotCounts(_frozen({"tulips": 12, "daisy": 0, "roses": 30}))   # not alphabetical, one empty class
