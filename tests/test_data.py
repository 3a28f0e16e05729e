"""Tests of autograder.data: split rule, folder listing, decoding, cache, data location.

Nothing here touches the network or ~/.cache: every test gets its own
FLOWERS_CACHE under tmp_path and FLOWERS_OFFLINE=1 unless it says otherwise.
Tests on the real course photos run only when FLOWERS_DIR is set.
"""
from __future__ import annotations

import collections
import functools
import hashlib
import http.server
import os
import pathlib
import tarfile
import threading
import time

import numpy as np
import pytest
from PIL import Image

from autograder import data
from autograder.synthetic import make_photo_folder

REAL_DIR = os.environ.get("FLOWERS_DIR")   # read before the fixture below clears it
needs_real = pytest.mark.skipif(not REAL_DIR, reason="set FLOWERS_DIR to the course copy of tf_flowers to run")

# Measured on the course copy (see the docstring of autograder/data.py).
REAL_COUNTS = {"daisy": 537, "dandelion": 780, "roses": 539, "sunflowers": 596, "tulips": 672}
REAL_SPLITS = {  # class: (train, val, test)
    "daisy": (425, 61, 51), "dandelion": (630, 80, 70), "roses": (431, 55, 53),
    "sunflowers": (475, 59, 62), "tulips": (552, 46, 74),
}


@pytest.fixture(autouse=True)
def clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FLOWERS_OFFLINE", "1")
    monkeypatch.delenv("FLOWERS_DIR", raising=False)
    monkeypatch.delenv("FLOWERS_TEST_DIR", raising=False)


@pytest.fixture
def folder(tmp_path):
    """A small synthetic photo folder with 12 photos per class."""
    return make_photo_folder(tmp_path / "photos", {name: 12 for name in data.CLASS_NAMES}, image_size=(24, 32))


def counting_decoder(monkeypatch):
    """Wrap data.decode_photo so the test can count the calls."""
    calls = []
    real = data.decode_photo

    def wrapper(path, image_size=(128, 128)):
        calls.append(pathlib.Path(path).name)
        return real(path, image_size)

    monkeypatch.setattr(data, "decode_photo", wrapper)
    return calls


# ---------------------------------------------------------------- split_of

def test_split_of_follows_the_documented_rule():
    for i in range(300):
        name = f"{i * 7919}_abc{i}_n.jpg"
        bucket = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 100
        expected = "train" if bucket < 80 else "val" if bucket < 90 else "test"
        assert data.split_of(name) == expected
    # pinned values: a change of the rule would move photos between splits
    assert data.split_of("5547758_eea9edfd54_n.jpg") == "val"
    assert data.split_of("f.jpg") == "test"
    assert data.split_of("100080576_f52e8ee070_n.jpg") == "train"


def test_split_of_is_deterministic_and_balanced():
    names = [f"{1000000 + 37 * i}_{i:05x}_m.jpg" for i in range(10_000)]
    first = [data.split_of(n) for n in names]
    assert first == [data.split_of(n) for n in names]
    counts = collections.Counter(first)
    assert set(counts) == set(data.SPLITS)
    for split, percent in data.SPLIT_PERCENT.items():
        assert abs(counts[split] / len(names) - percent / 100) <= 0.02, (split, counts)


def test_split_of_ignores_folder_and_class():
    for name in ("15922772266_1167a06620.jpg", "f.jpg", "g.jpg", "5547758_eea9edfd54_n.jpg"):
        expected = data.split_of(name)
        for prefix in ("roses/", "tulips/", "/abs/path/daisy/", "C:\\photos\\tulips\\"):
            assert data.split_of(prefix + name) == expected


def test_split_does_not_depend_on_other_files(tmp_path):
    big = make_photo_folder(tmp_path / "big", {"daisy": 30, "roses": 30})
    small = tmp_path / "small"
    (small / "tulips").mkdir(parents=True)
    for path in sorted((big / "daisy").iterdir())[::3]:       # a subset, filed under another class
        (small / "tulips" / path.name).write_bytes(path.read_bytes())
    big_split = {p.file_name: s for s in data.SPLITS for p in data.photos_in_split(big, s)}
    small_split = {p.file_name: s for s in data.SPLITS for p in data.photos_in_split(small, s)}
    assert small_split and all(big_split[name] == s for name, s in small_split.items())


# ---------------------------------------------------------------- list_photos

def test_list_photos_order_labels_and_ignored_files(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"tulips": 2, "daisy": 3, "roses": 0})
    (root / "README.md").write_text("not a photo")
    (root / "LICENSE.txt").write_text("not a photo")
    (root / "daisy" / "notes.txt").write_text("not a photo")
    (root / "daisy" / ".hidden.jpg").write_bytes((root / "daisy" / "syn0_daisy_0000.jpg").read_bytes())
    (root / "daisy" / "nested").mkdir()
    (root / "daisy" / "nested" / "deep.jpg").write_bytes(b"x")
    (root / ".ipynb_checkpoints").mkdir()
    Image.new("RGB", (8, 8)).save(root / "tulips" / "A_upper.PNG")

    photos = data.list_photos(root)

    assert [(p.class_name, p.file_name) for p in photos] == [
        ("daisy", "syn0_daisy_0000.jpg"), ("daisy", "syn0_daisy_0001.jpg"), ("daisy", "syn0_daisy_0002.jpg"),
        ("tulips", "A_upper.PNG"), ("tulips", "syn0_tulips_0000.jpg"), ("tulips", "syn0_tulips_0001.jpg"),
    ]
    assert [p.label for p in photos] == [0, 0, 0, 4, 4, 4]
    for p in photos:
        assert p.path.is_absolute() and p.path.is_file()
        assert p.path.name == p.file_name and p.path.parent.name == p.class_name
        assert data.CLASS_NAMES[p.label] == p.class_name


def test_list_photos_custom_class_names(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"cat": 1, "dog": 2})
    photos = data.list_photos(root, class_names=("dog", "cat"))
    assert [(p.label, p.class_name) for p in photos] == [(0, "dog"), (0, "dog"), (1, "cat")]


def test_list_photos_rejects_unknown_class_folder(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"daisy": 1})
    (root / "Roses").mkdir()
    with pytest.raises(ValueError) as info:
        data.list_photos(root)
    message = str(info.value)
    assert "'Roses'" in message
    assert all(name in message for name in data.CLASS_NAMES)


def test_list_photos_missing_folder(tmp_path):
    with pytest.raises(data.FlowersDataUnavailable) as info:
        data.list_photos(tmp_path / "nowhere")
    assert "nowhere" in str(info.value) and "FLOWERS_DIR" in str(info.value)


# ---------------------------------------------------------------- photos_in_split

def test_photos_in_split_partitions_the_folder(folder):
    everything = data.list_photos(folder)
    parts = {s: data.photos_in_split(folder, s) for s in data.SPLITS}
    assert all(parts.values()), "60 photos should give photos in every split"
    assert sorted(p.path for s in data.SPLITS for p in parts[s]) == sorted(p.path for p in everything)
    for split, photos in parts.items():
        assert all(data.split_of(p.file_name) == split for p in photos)
        assert photos == sorted(photos, key=lambda p: (p.label, p.file_name))
    with pytest.raises(ValueError, match="validation"):
        data.photos_in_split(folder, "validation")


def test_photos_in_split_with_test_dir(folder, tmp_path):
    private = make_photo_folder(tmp_path / "private", {"roses": 3, "daisy": 2}, prefix="private")
    assert data.photos_in_split(folder, "test", test_dir=private) == data.list_photos(private)
    for split in ("train", "val"):
        assert data.photos_in_split(folder, split, test_dir=private) == data.photos_in_split(folder, split)


# ---------------------------------------------------------------- decode_photo and load_split

def test_decode_photo_converts_modes_and_resizes(tmp_path):
    Image.new("L", (40, 30), 200).save(tmp_path / "grey.png")
    Image.new("RGBA", (40, 30), (10, 20, 30, 0)).save(tmp_path / "rgba.png")
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")
    Image.new("P", (40, 30), 3).save(tmp_path / "palette.png")
    for name in ("grey.png", "rgba.png", "cmyk.jpg", "palette.png"):
        pixels = data.decode_photo(tmp_path / name, image_size=(16, 24))
        assert pixels.shape == (16, 24, 3) and pixels.dtype == np.uint8, name
    assert (data.decode_photo(tmp_path / "grey.png", (5, 5)) == 200).all()
    assert tuple(data.decode_photo(tmp_path / "rgba.png", (5, 5))[2, 2]) == (10, 20, 30)
    red = data.decode_photo(tmp_path / "cmyk.jpg", (5, 5))[2, 2].astype(int)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60


def test_load_split_shapes_dtypes_and_labels(folder):
    for split in data.SPLITS:
        images, labels, names = data.load_split(split, image_size=(20, 30), data_dir=folder, cache=False)
        photos = data.photos_in_split(folder, split)
        assert images.shape == (len(photos), 20, 30, 3) and images.dtype == np.uint8
        assert labels.shape == (len(photos),) and labels.dtype == np.int32
        assert names == [p.file_name for p in photos]
        assert labels.tolist() == [p.label for p in photos]
        assert np.array_equal(images[-1], data.decode_photo(photos[-1].path, (20, 30)))
    # the pictures match their labels: roses (red) are redder than sunflowers (green)
    images, labels, _ = data.load_split("train", data_dir=folder, cache=False)
    redness = images[..., 0].mean(axis=(1, 2)) - images[..., 1].mean(axis=(1, 2))
    assert redness[labels == 2].min() > redness[labels == 3].max()


def test_load_split_empty_split(tmp_path):
    root = make_photo_folder(tmp_path / "p", {"daisy": 0})
    images, labels, names = data.load_split("val", image_size=(8, 9), data_dir=root)
    assert images.shape == (0, 8, 9, 3) and images.dtype == np.uint8
    assert labels.shape == (0,) and labels.dtype == np.int32 and names == []


def test_load_split_uses_environment(folder, tmp_path, monkeypatch):
    private = make_photo_folder(tmp_path / "private", {"tulips": 4}, prefix="private")
    monkeypatch.setenv("FLOWERS_DIR", str(folder))
    monkeypatch.setenv("FLOWERS_TEST_DIR", str(private))
    assert data.test_dir_setting() == private
    _, labels, names = data.load_split("test", image_size=(8, 8))
    assert names == [f"private0_tulips_{i:04d}.jpg" for i in range(4)] and labels.tolist() == [4] * 4
    _, _, names = data.load_split("val", image_size=(8, 8))
    assert names == [p.file_name for p in data.photos_in_split(folder, "val")]
    monkeypatch.delenv("FLOWERS_TEST_DIR")
    assert data.test_dir_setting() is None


def test_cache_hit_on_second_call(folder, tmp_path, monkeypatch):
    first = data.load_split("train", image_size=(16, 16), data_dir=folder)
    cached = list((tmp_path / "cache").rglob("*"))
    assert [p.suffix for p in cached if p.is_file()] == [".npz"], "exactly one cache file, no temporaries"
    with np.load(next(p for p in cached if p.is_file()), allow_pickle=False) as stored:
        assert stored["images"].shape == first[0].shape

    def must_not_decode(*args, **kwargs):
        raise AssertionError("decoded although the cache should have been used")

    monkeypatch.setattr(data, "decode_photo", must_not_decode)
    second = data.load_split("train", image_size=(16, 16), data_dir=folder)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert second[1].dtype == np.int32 and first[2] == second[2]
    with pytest.raises(AssertionError):   # another size or split is another cache entry
        data.load_split("train", image_size=(16, 17), data_dir=folder)
    with pytest.raises(AssertionError):
        data.load_split("val", image_size=(16, 16), data_dir=folder)


def test_cache_invalidated_when_a_file_changes(folder, monkeypatch):
    train = data.photos_in_split(folder, "train")
    before = data.load_split("train", image_size=(16, 16), data_dir=folder)
    target = train[0].path
    stat = target.stat()
    Image.new("RGB", (32, 24), (0, 0, 255)).save(target, quality=95)          # blue now
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    calls = counting_decoder(monkeypatch)
    after = data.load_split("train", image_size=(16, 16), data_dir=folder)
    assert len(calls) == len(train)
    assert not np.array_equal(before[0][0], after[0][0])
    assert after[0][0, ..., 2].mean() > 200 and np.array_equal(before[0][1:], after[0][1:])
    calls.clear()
    data.load_split("train", image_size=(16, 16), data_dir=folder)
    assert calls == []
    # same bytes, newer modification time: decoded again
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 9_000_000_000))
    data.load_split("train", image_size=(16, 16), data_dir=folder)
    assert len(calls) == len(train)


def test_cache_invalidated_when_a_file_is_added(folder, monkeypatch):
    data.load_split("val", image_size=(16, 16), data_dir=folder)
    make_photo_folder(folder, {"daisy": 40}, image_size=(24, 32), prefix="more")
    calls = counting_decoder(monkeypatch)
    _, _, names = data.load_split("val", image_size=(16, 16), data_dir=folder)
    assert any(n.startswith("more") for n in names) and len(calls) == len(names)


def test_unwritable_cache_does_not_fail_the_load(folder, tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("FLOWERS_CACHE", str(blocker / "cache"))
    images, labels, names = data.load_split("val", image_size=(16, 16), data_dir=folder)
    assert images.shape == (len(names), 16, 16, 3) and len(labels) == len(names) > 0
    assert blocker.read_text().startswith("a file")


def test_corrupt_cache_file_is_ignored(folder, tmp_path, monkeypatch):
    first = data.load_split("val", image_size=(16, 16), data_dir=folder)
    (cache_file,) = (tmp_path / "cache").rglob("*.npz")
    cache_file.write_bytes(b"garbage")
    calls = counting_decoder(monkeypatch)
    second = data.load_split("val", image_size=(16, 16), data_dir=folder)
    assert len(calls) == len(first[2]) and np.array_equal(first[0], second[0])


def test_cache_false_writes_nothing(folder, tmp_path):
    data.load_split("val", image_size=(16, 16), data_dir=folder, cache=False)
    assert not (tmp_path / "cache").exists()


# ---------------------------------------------------------------- resolve_data_dir

def test_resolve_data_dir_from_flowers_dir(folder, monkeypatch):
    monkeypatch.setenv("FLOWERS_DIR", str(folder))
    assert data.resolve_data_dir() == folder.resolve()


def test_resolve_data_dir_bad_flowers_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWERS_DIR", str(tmp_path / "typo"))
    with pytest.raises(data.FlowersDataUnavailable) as info:
        data.resolve_data_dir()
    assert str(tmp_path / "typo") in str(info.value) and "FLOWERS_DIR=" in str(info.value)


def test_resolve_data_dir_offline_without_cache_fails_fast(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("FLOWERS_OFFLINE=1 must not probe the network")

    monkeypatch.setattr(data, "network_available", no_network)
    start = time.monotonic()
    with pytest.raises(data.FlowersDataUnavailable) as info:
        data.resolve_data_dir()
    assert time.monotonic() - start < 5
    assert "FLOWERS_DIR" in str(info.value) and "FLOWERS_OFFLINE" in str(info.value)


def test_resolve_data_dir_failed_probe(monkeypatch):
    monkeypatch.delenv("FLOWERS_OFFLINE")
    monkeypatch.setattr(data, "network_available", lambda *a, **k: False)
    monkeypatch.setattr(data, "_download", lambda cache: pytest.fail("must not download when offline"))
    start = time.monotonic()
    with pytest.raises(data.FlowersDataUnavailable, match="FLOWERS_DIR"):
        data.resolve_data_dir()
    assert time.monotonic() - start < 5


def test_resolve_data_dir_download_false(monkeypatch):
    monkeypatch.delenv("FLOWERS_OFFLINE")
    monkeypatch.setattr(data, "network_available", lambda *a, **k: pytest.fail("download=False must not probe"))
    with pytest.raises(data.FlowersDataUnavailable, match="download=False"):
        data.resolve_data_dir(download=False)


def test_network_probe_gives_up_after_its_timeout(monkeypatch):
    release = threading.Event()

    def hang(*args, **kwargs):  # a look-up that hangs until the test is over
        release.wait(30)
        raise OSError("released by the test")

    monkeypatch.setattr(data.socket, "create_connection", hang)
    monkeypatch.setattr(data, "PROBE_TIMEOUT_S", 1.0)
    start = time.monotonic()
    try:
        assert data.network_available() is False
        assert time.monotonic() - start < 3
    finally:
        release.set()


def test_network_probe_refused_connection():
    start = time.monotonic()
    assert data.network_available("127.0.0.1", 9, timeout=2.0) is False   # discard port: nothing listens
    assert time.monotonic() - start < 3


def test_resolve_data_dir_finds_downloaded_copy(tmp_path, monkeypatch):
    extracted = tmp_path / "cache" / "downloads" / "extracted" / "TAR_GZ.flower_photos.tgz" / "flower_photos"
    make_photo_folder(extracted, {name: 1 for name in data.CLASS_NAMES})
    monkeypatch.delenv("FLOWERS_OFFLINE")
    monkeypatch.setattr(data, "network_available", lambda *a, **k: pytest.fail("a cached copy needs no network"))
    assert data.resolve_data_dir() == extracted.resolve()


def test_flowers_dir_wins_over_cached_copy(folder, tmp_path, monkeypatch):
    make_photo_folder(tmp_path / "cache" / "flower_photos", {name: 1 for name in data.CLASS_NAMES})
    monkeypatch.setenv("FLOWERS_DIR", str(folder))
    assert data.resolve_data_dir() == folder.resolve()


@pytest.mark.slow
def test_download_through_tfds_download_manager(tmp_path, monkeypatch):
    """End to end with tfds' real download manager, served from a local HTTP server."""
    pytest.importorskip("tensorflow_datasets")
    source = make_photo_folder(tmp_path / "src" / "flower_photos", {name: 2 for name in data.CLASS_NAMES})
    (source / "LICENSE.txt").write_text("credits")
    with tarfile.open(tmp_path / "src" / "flower_photos.tgz", "w:gz") as archive:
        archive.add(source, arcname="flower_photos")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "src"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.delenv("FLOWERS_OFFLINE")
        monkeypatch.setattr(data, "FLOWERS_URL", f"http://127.0.0.1:{server.server_port}/flower_photos.tgz")
        monkeypatch.setattr(data, "network_available", lambda *a, **k: True)
        found = data.resolve_data_dir()
    finally:
        server.shutdown()
        server.server_close()
    assert found.name == "flower_photos" and str(found).startswith(str((tmp_path / "cache").resolve()))
    assert len(data.list_photos(found)) == 10
    assert data.resolve_data_dir(download=False) == found    # now found in the cache, offline


# ---------------------------------------------------------------- labels

def test_tfds_to_course_labels():
    out = data.tfds_to_course_labels([0, 1, 2, 3, 4])
    assert out.dtype == np.int32 and out.tolist() == [1, 0, 4, 3, 2]
    for tfds_label, course_label in enumerate(out):
        assert data.CLASS_NAMES[course_label] == data.TFDS_CLASS_NAMES[tfds_label]
    grid = data.tfds_to_course_labels(np.array([[4, 4], [0, 2]], dtype=np.int64))
    assert grid.shape == (2, 2) and grid.tolist() == [[2, 2], [1, 4]]
    assert data.tfds_to_course_labels([]).shape == (0,)
    for bad in ([5], [-1], [0.5]):
        with pytest.raises(ValueError):
            data.tfds_to_course_labels(bad)


def test_class_constants():
    assert data.CLASS_NAMES == tuple(sorted(data.CLASS_NAMES))
    assert sorted(data.TFDS_CLASS_NAMES) == list(data.CLASS_NAMES)
    assert sum(data.SPLIT_PERCENT.values()) == 100 and tuple(data.SPLIT_PERCENT) == data.SPLITS


@pytest.mark.slow
def test_tfds_label_order_offline(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    builder = tfds.builder("tf_flowers", data_dir=str(tmp_path / "tfds"))
    assert tuple(builder.info.features["label"].names) == data.TFDS_CLASS_NAMES


@pytest.mark.slow
def test_tfds_mock_data_offline(tmp_path):
    """The offline tfds.load snippet other checks rely on, mapped to course labels."""
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=8, data_dir=str(tmp_path / "tfds")):
        ds = tfds.load("tf_flowers", split="train", as_supervised=True)
        pairs = [(image.numpy(), int(label)) for image, label in ds]
    assert len(pairs) == 8
    assert all(image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8 for image, _ in pairs)
    course = data.tfds_to_course_labels([label for _, label in pairs])
    assert ((course >= 0) & (course < 5)).all()


# ---------------------------------------------------------------- the real course photos

@needs_real
def test_real_folder_counts():
    photos = data.list_photos(REAL_DIR)
    assert len(photos) == 3124
    assert collections.Counter(p.class_name for p in photos) == REAL_COUNTS


@needs_real
def test_real_folder_split_sizes():
    for split_index, split in enumerate(data.SPLITS):
        counts = collections.Counter(p.class_name for p in data.photos_in_split(REAL_DIR, split))
        assert counts == {name: sizes[split_index] for name, sizes in REAL_SPLITS.items()}, split
    totals = [sum(sizes[i] for sizes in REAL_SPLITS.values()) for i in range(3)]
    assert totals == [2513, 301, 310]


@needs_real
def test_real_folder_shared_file_name_same_split():
    name = "15922772266_1167a06620.jpg"
    found = {p.class_name: s for s in data.SPLITS for p in data.photos_in_split(REAL_DIR, s) if p.file_name == name}
    assert set(found) == {"roses", "tulips"} and found["roses"] == found["tulips"]


@needs_real
def test_real_folder_load_val():
    images, labels, names = data.load_split("val", data_dir=REAL_DIR, test_dir=None)
    assert images.shape == (301, 128, 128, 3) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=5).tolist() == [s[1] for s in REAL_SPLITS.values()]
