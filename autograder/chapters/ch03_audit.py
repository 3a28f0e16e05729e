"""Chapter 3's trusted side: the kit's own audit of a photo folder (what the checks expect)
and the generated folders with planted defects that the probes read.

Nothing here runs student code. Paths are reported as ``"class/file.jpg"`` relative to the
folder audited, as the students' functions must report them.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from PIL import Image

from .. import data, synthetic

# --- the kit's trusted audit ------------------------------------------------------------------


def photo_files(root: Path, class_names) -> list[tuple[str, Path]]:
    """(``"class/file"``, path) of every photo file, by class (given order) then file name.

    A photo file is a plain file directly in a class folder whose suffix, in any case, is in
    IMAGE_SUFFIXES. It is not opened: a corrupt ``.jpg`` is still a photo file.
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


# --- inputs -----------------------------------------------------------------------------------

VISIBLE_FOLDER = "visible_photos"
HIDDEN_FOLDER = "hidden_photos"
VISIBLE_COUNTS = {"daisy": 6, "dandelion": 5, "roses": 6, "sunflowers": 4, "tulips": 5}
# An empty class (dandelion) and a near-empty one (roses, a single photo).
HIDDEN_COUNTS = {"daisy": 7, "dandelion": 0, "roses": 1, "sunflowers": 8, "tulips": 6}


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
