"""Tests of autograder.synthetic.make_photo_folder."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
from PIL import Image

from autograder import data
from autograder.synthetic import make_photo_folder

ALL_FIVE = {name: 6 for name in data.CLASS_NAMES}


def read(path):
    with Image.open(path) as image:
        assert image.format == "JPEG"
        return np.asarray(image.convert("RGB"), dtype=np.float64)


def test_layout_names_and_sizes(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"roses": 3, "daisy": 0}, image_size=(20, 30), seed=7, prefix="t")
    assert root == tmp_path / "p"
    assert sorted(p.name for p in root.iterdir()) == ["daisy", "roses"]
    assert list((root / "daisy").iterdir()) == []
    assert sorted(p.name for p in (root / "roses").iterdir()) == [f"t7_roses_{i:04d}.jpg" for i in range(3)]
    assert read(root / "roses" / "t7_roses_0000.jpg").shape == (20, 30, 3)
    photos = data.list_photos(root)
    assert [p.label for p in photos] == [2, 2, 2]


def test_same_arguments_give_identical_bytes(tmp_path):
    a = make_photo_folder(tmp_path / "a", ALL_FIVE, seed=3)
    b = make_photo_folder(tmp_path / "b", ALL_FIVE, seed=3)
    files = sorted(p.relative_to(a) for p in a.rglob("*.jpg"))
    assert len(files) == 30
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_different_seeds_and_indices_differ(tmp_path):
    a = make_photo_folder(tmp_path / "a", {"tulips": 4}, seed=0)
    b = make_photo_folder(tmp_path / "b", {"tulips": 4}, seed=1)
    assert read(a / "tulips" / "syn0_tulips_0000.jpg").shape == read(b / "tulips" / "syn1_tulips_0000.jpg").shape
    assert not np.array_equal(read(a / "tulips" / "syn0_tulips_0000.jpg"), read(b / "tulips" / "syn1_tulips_0000.jpg"))
    pictures = [read(p).tobytes() for p in sorted((a / "tulips").iterdir())]
    assert len(set(pictures)) == 4


def test_classes_are_distinguishable(tmp_path):
    """Nearest mean colour classifies every photo right, so a label mix-up is visible."""
    train = make_photo_folder(tmp_path / "train", {name: 10 for name in data.CLASS_NAMES}, seed=0)
    test = make_photo_folder(tmp_path / "test", {name: 10 for name in data.CLASS_NAMES}, seed=1)

    def features(root):
        photos = data.list_photos(root)
        x = np.stack([read(p.path).mean(axis=(0, 1)) for p in photos])
        return x, np.array([p.label for p in photos])

    x_train, y_train = features(train)
    x_test, y_test = features(test)
    centres = np.stack([x_train[y_train == k].mean(axis=0) for k in range(5)])
    predicted = np.argmin(((x_test[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert (predicted == y_test).all()


def test_unknown_class_names_work(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"cat": 2, "dog": 2})
    cat, dog = read(root / "cat" / "syn0_cat_0000.jpg"), read(root / "dog" / "syn0_dog_0000.jpg")
    assert np.abs(cat.mean(axis=(0, 1)) - dog.mean(axis=(0, 1))).max() > 20


def test_does_not_import_tensorflow():
    code = "import sys, autograder.synthetic; sys.exit(int('tensorflow' in sys.modules))"
    repo_root = pathlib.Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=repo_root).returncode == 0
