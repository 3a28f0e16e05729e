"""Chapter 3's visible cases: each visible check's inputs, written once.

Two kinds of input: the real course photos (``data.resolve_data_dir()``; the batch grader binds
them read-only into the sandbox) and a small generated folder that :func:`prepare` writes, with a
corrupt file and copies under other names. Everything is seeded; probes and references both read
it. The hidden checks' cases are the grader's (``hidden.py``).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ... import data, synthetic

VISIBLE_FOLDER = "visible_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 5, "roses": 6, "sunflowers": 4, "tulips": 5}


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


@dataclass(frozen=True)
class Folder:
    """A photo folder to audit: a generated one by name, or the real photos (``folder=None``)."""
    folder: str | None
    as_path: bool = False      # hand data_dir over as a Path rather than a str

    @property
    def real_photos(self) -> bool:
        """Whether this case reads the real photos (``answers.reads_real_photos``): only ``folder=None``
        does, so a generated folder's answer carries no photo-set fingerprint."""
        return self.folder is None

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
VISIBLE_RATIO = Ratios((_frozen(REAL_COUNTS),))
VISIBLE_DUPLICATES = Folder(None)
VISIBLE_CLASSIFY = Groups(REAL_DUPLICATES)
# find_unreadable is called with data_dir as a Path.
VISIBLE_UNREADABLE = Folder(VISIBLE_FOLDER, as_path=True)
VISIBLE_CHECKLIST = Checklist((
    ChecklistCall(_frozen(REAL_COUNTS), REAL_DUPLICATES),
    ChecklistCall(_frozen(_CLEAN)),
))
VISIBLE_PLOT = PlotCounts(_frozen(REAL_COUNTS))
