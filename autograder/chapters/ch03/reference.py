"""Chapter 3's expected answers: the kit's own audit of a photo folder. Trusted: never imports probes.

Paths are reported as ``"class/file.jpg"`` relative to the folder audited, as the students'
functions must report them.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image

from ... import data
from . import cases

# --- the kit's audit --------------------------------------------------------------------------


def photo_files(root: Path, class_names) -> list[tuple[str, Path]]:
    """(``"class/file"``, path) of every photo file, by class (given order) then file name.

    A photo file is a plain file directly in a class folder whose suffix, in any case, is in
    IMAGE_SUFFIXES. It is not opened: a corrupt ``.jpg`` is still a photo file. Folders that are
    not classes are never looked into.
    """
    found = []
    for class_name in class_names:
        folder = Path(root) / class_name
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in data.IMAGE_SUFFIXES:
                found.append((f"{class_name}/{path.name}", path))
    return found


def other_folders(root: Path, class_names) -> list[str]:
    """The sub-folders of ``root`` that are not classes (``.ipynb_checkpoints``, ``extra_photos``)."""
    return sorted(path.name for path in Path(root).iterdir() if path.is_dir() and path.name not in class_names)


def audit_counts(root: Path, class_names) -> dict[str, int]:
    counts = {name: 0 for name in class_names}
    for relative, _ in photo_files(root, class_names):
        counts[relative.split("/", 1)[0]] += 1
    return counts


def audit_ratio(counts: dict) -> float:
    values = list(counts.values())
    return min(values) / max(values) if values and max(values) > 0 else 0.0


def audit_duplicates(root: Path, class_names) -> list[list[str]]:
    by_digest: dict[str, list[str]] = {}
    for relative, path in photo_files(root, class_names):
        by_digest.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(relative)
    return sorted(sorted(group) for group in by_digest.values() if len(group) > 1)


def audit_classify(groups) -> dict[str, list[list[str]]]:
    result = {"within_class": [], "across_classes": [], "across_splits": []}
    for group in groups:
        classes = {path.split("/", 1)[0] for path in group}
        splits = {data.split_of(path) for path in group}
        result["across_classes" if len(classes) > 1 else "within_class"].append(list(group))
        if len(splits) > 1:
            result["across_splits"].append(list(group))
    return result


def audit_unreadable(root: Path, class_names) -> list[str]:
    broken = []
    for relative, path in photo_files(root, class_names):
        try:
            with Image.open(path) as image:
                image.load()
        except Exception:  # PIL raises several kinds (UnidentifiedImageError, OSError, SyntaxError)
            broken.append(relative)
    return sorted(broken)


def audit_checklist(counts: dict, groups, min_per_class: int = 50, min_ratio: float = 0.5) -> dict[str, bool]:
    values = list(counts.values())
    return {"enough_photos": bool(values) and min(values) >= min_per_class,
            "balanced": audit_ratio(counts) >= min_ratio,
            "unique": len(groups) == 0}


# --- one expected answer per check ------------------------------------------------------------


def count_photos(case: cases.Folder, inputs_dir: Path) -> dict:
    root = case.root(inputs_dir)
    counts = audit_counts(root, data.CLASS_NAMES)
    return {"names": list(counts), "counts": list(counts.values()),
            "other_folders": other_folders(root, data.CLASS_NAMES)}


def balance_ratio(case: cases.Ratios, inputs_dir: Path) -> list[dict]:
    return [{"counts": counts, "ratio": audit_ratio(counts)} for counts in case.dicts()]


def find_duplicates(case: cases.Folder, inputs_dir: Path) -> dict:
    root = case.root(inputs_dir)
    return {"groups": audit_duplicates(root, data.CLASS_NAMES), "classes": list(data.CLASS_NAMES)}


def classify_duplicates(case: cases.Groups, inputs_dir: Path) -> dict:
    return audit_classify(case.lists())


def find_unreadable(case: cases.Folder, inputs_dir: Path) -> dict:
    root = case.root(inputs_dir)
    return {"paths": audit_unreadable(root, data.CLASS_NAMES), "classes": list(data.CLASS_NAMES)}


def checklist(case: cases.Checklist, inputs_dir: Path) -> list[dict]:
    expected = []
    for call in case.calls:
        counts, groups, options = call.arguments()
        expected.append({"counts": counts, "groups": len(groups), "options": options,
                         "verdicts": audit_checklist(counts, groups, **options)})
    return expected


def plot_class_counts(case: cases.PlotCounts, inputs_dir: Path) -> dict:
    counts = case.dict()
    return {"names": list(counts), "heights": [float(value) for value in counts.values()]}
