"""Where the flower photos come from, how they are split, and how they are decoded.

The course uses the tf_flowers photos laid out as one folder per class
(``daisy/``, ``dandelion/``, ``roses/``, ``sunflowers/``, ``tulips/``).  The
split into train / val / test depends only on each photo's file name (see
:func:`split_of`), so the same photo lands in the same split in the full
tf_flowers archive (3,670 photos) and in the course copy (3,124 photos).

Measured on the course copy /work/shared/data/tf_flowers (3,124 photos):

    class        total  train   val  test
    daisy          537    425    61    51
    dandelion      780    630    80    70
    roses          539    431    55    53
    sunflowers     596    475    59    62
    tulips         672    552    46    74
    all          3,124  2,513   301   310

The photo filed under both roses/ and tulips/ (15922772266_1167a06620.jpg)
is in train in both places.  Of the two sunflower duplicate pairs, one pair
is split across train and test (14889392928_9742aed45b_m.jpg is test, its copy
15066430311_fb57fa92b0_m.jpg is train); the other pair (15069459615_7e0fd61914_n,
15072973261_73e2912ef2_n) is all train.

Decoding all 3,124 photos at 128 x 128 with :func:`load_split` (2 CPU cores,
no GPU, PIL decode and bilinear resize): 2.5-3.7 s cold (train about 3.0 s,
val and test about 0.3 s each); about 0.3 s from the .npz cache (147 MB for
the three splits).

Environment variables:

``FLOWERS_DIR``       folder with one sub-folder per class (wins over everything)
``FLOWERS_TEST_DIR``  instructor's private test folder of the same layout
``FLOWERS_CACHE``     cache folder (default ``~/.cache/flowers-kit``)
``FLOWERS_OFFLINE``   ``1`` forbids any network access
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import socket
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from . import data_cache

CLASS_NAMES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")
TFDS_CLASS_NAMES = ("dandelion", "daisy", "tulips", "sunflowers", "roses")
SPLITS = ("train", "val", "test")
SPLIT_PERCENT = {"train": 80, "val": 10, "test": 10}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

#: The official archive, the same one ``tfds.load('tf_flowers')`` downloads.
FLOWERS_URL = "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
PROBE_HOST = "storage.googleapis.com"
PROBE_PORT = 443
PROBE_TIMEOUT_S = 3.0

FIX = ("To fix it, set the environment variable FLOWERS_DIR to a folder with one "
       "sub-folder per class (" + ", ".join(CLASS_NAMES) + "), for example "
       "FLOWERS_DIR=/path/to/flower_photos, or go online so the kit can download "
       "the photos (and unset FLOWERS_OFFLINE).")


class FlowersDataUnavailable(RuntimeError):
    """The flower photos cannot be found or downloaded; the message says how to fix it."""


@dataclass(frozen=True)
class Photo:
    """One photo on disk."""

    path: pathlib.Path      # absolute path of the file
    class_name: str         # name of its class folder
    label: int              # index of class_name in the class names (CLASS_NAMES by default)
    file_name: str          # basename, e.g. "5547758_eea9edfd54_n.jpg"


def split_of(file_name: str) -> str:
    """The split ("train", "val" or "test") of a photo, from its file name alone.

    Only the basename counts (any folder part is dropped), so the answer does
    not depend on the class, the folder or the other files:
    ``bucket = int(sha256(basename).hexdigest(), 16) % 100``; buckets 0-79 are
    train, 80-89 val and 90-99 test.
    """
    basename = str(file_name).replace("\\", "/").rsplit("/", 1)[-1]
    bucket = int(hashlib.sha256(basename.encode("utf-8")).hexdigest(), 16) % 100
    if bucket < SPLIT_PERCENT["train"]:
        return "train"
    if bucket < SPLIT_PERCENT["train"] + SPLIT_PERCENT["val"]:
        return "val"
    return "test"


def list_photos(folder, class_names=CLASS_NAMES) -> list[Photo]:
    """All photos in ``folder``, which holds one sub-folder per class.

    Returns the photos sorted by (label, file_name).  Files directly in
    ``folder`` (README, LICENSE, ...), files whose suffix is not in
    IMAGE_SUFFIXES, nested folders and hidden entries (names starting with
    ".", e.g. ``.ipynb_checkpoints``) are ignored.  A missing class folder
    simply gives no photos of that class.

    Raises FlowersDataUnavailable if ``folder`` does not exist, and ValueError
    if it holds a sub-folder that is not a class.
    """
    root = pathlib.Path(folder).expanduser()
    if not root.is_dir():
        raise FlowersDataUnavailable(f"The photo folder {root} does not exist or is not a folder. {FIX}")
    root = root.resolve()
    class_names = tuple(class_names)
    subfolders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    unknown = [name for name in subfolders if name not in class_names]
    if unknown:
        raise ValueError(
            f"{root} holds sub-folder(s) {', '.join(map(repr, unknown))} that are not classes; "
            f"expected only sub-folders named {', '.join(class_names)}.")
    photos = []
    for label, class_name in enumerate(class_names):
        class_dir = root / class_name
        if not os.path.isdir(class_dir):
            continue
        for path in class_dir.iterdir():
            if (path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")
                    and path.is_file()):
                photos.append(Photo(path, class_name, label, path.name))
    photos.sort(key=lambda p: (p.label, p.file_name))
    return photos


def photos_in_split(folder, split: str, test_dir=None) -> list[Photo]:
    """The photos of one split of ``folder``, sorted by (label, file_name).

    If ``test_dir`` is given, the "test" split is every photo in ``test_dir``
    (a private test set of the same layout); "train" and "val" are unchanged.
    """
    if split not in SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected one of {', '.join(SPLITS)}.")
    if split == "test" and test_dir is not None:
        return list_photos(test_dir)
    return [p for p in list_photos(folder) if split_of(p.file_name) == split]


def cache_dir() -> pathlib.Path:
    """The kit's cache folder: env FLOWERS_CACHE, else ~/.cache/flowers-kit (may not exist yet)."""
    return pathlib.Path(os.environ.get("FLOWERS_CACHE") or "~/.cache/flowers-kit").expanduser()


def test_dir_setting() -> pathlib.Path | None:
    """The private test folder named by env FLOWERS_TEST_DIR, or None."""
    value = os.environ.get("FLOWERS_TEST_DIR")
    return pathlib.Path(value).expanduser() if value else None


def _offline_setting() -> bool:
    return os.environ.get("FLOWERS_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _looks_like_photo_folder(path: pathlib.Path) -> bool:
    return path.is_dir() and all((path / name).is_dir() for name in CLASS_NAMES)


def find_cached_copy(cache=None) -> pathlib.Path | None:
    """An already-downloaded photo folder in the cache, or None.  Never touches the network."""
    cache = pathlib.Path(cache) if cache is not None else cache_dir()
    candidates = [cache / "flower_photos"]
    candidates += sorted((cache / "downloads" / "extracted").glob("*/flower_photos"))
    for candidate in candidates:
        if _looks_like_photo_folder(candidate):
            return candidate.resolve()
    return None


def network_available(host=None, port=None, timeout=None) -> bool:
    """True if a TCP connection to the download host opens within ``timeout`` seconds.

    The connection attempt (name look-up included) runs in a daemon thread, so
    this returns after at most about ``timeout`` seconds even if DNS hangs.
    """
    host = host or PROBE_HOST
    port = port or PROBE_PORT
    timeout = PROBE_TIMEOUT_S if timeout is None else timeout
    outcome = []

    def attempt():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    worker = threading.Thread(target=attempt, name="flowers-network-probe", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    return bool(outcome and outcome[0])


def _download(cache: pathlib.Path) -> pathlib.Path:
    """Download and extract FLOWERS_URL into ``cache`` with tfds' download manager."""
    try:
        import tensorflow_datasets as tfds

        manager = tfds.download.DownloadManager(download_dir=str(cache / "downloads"))
        extracted = pathlib.Path(str(manager.download_and_extract(FLOWERS_URL)))
    except Exception as error:  # network, disk or tfds trouble: all mean "no data"
        raise FlowersDataUnavailable(
            f"Downloading {FLOWERS_URL} into {cache} failed ({type(error).__name__}: {error}). {FIX}"
        ) from error
    for candidate in (extracted / "flower_photos", extracted):
        if _looks_like_photo_folder(candidate):
            return candidate.resolve()
    raise FlowersDataUnavailable(
        f"The archive from {FLOWERS_URL} was extracted to {extracted}, but no folder with the "
        f"class sub-folders was found there. {FIX}")


def resolve_data_dir(download=None) -> pathlib.Path:
    """The folder of flower photos to use (one sub-folder per class).

    In order: env FLOWERS_DIR (must exist); an already-downloaded copy in the
    cache; a download of the official archive into the cache, tried only if
    ``download`` is not False, env FLOWERS_OFFLINE is not set and a quick
    network probe (at most PROBE_TIMEOUT_S seconds) succeeds.  Otherwise
    FlowersDataUnavailable is raised, within a few seconds, saying how to fix it.
    """
    setting = os.environ.get("FLOWERS_DIR")
    if setting:
        path = pathlib.Path(setting).expanduser()
        if not path.is_dir():
            raise FlowersDataUnavailable(
                f"FLOWERS_DIR is set to {setting!r}, but {path} does not exist or is not a folder. {FIX}")
        return path.resolve()
    cache = cache_dir()
    cached = find_cached_copy(cache)
    if cached is not None:
        return cached
    if download is False:
        reason = "downloading is switched off (download=False)"
    elif _offline_setting():
        reason = "FLOWERS_OFFLINE is set"
    elif not network_available():
        reason = f"{PROBE_HOST}:{PROBE_PORT} cannot be reached (offline?)"
    else:
        return _download(cache)
    raise FlowersDataUnavailable(
        f"No flower photos found: FLOWERS_DIR is not set, there is no downloaded copy in {cache}, "
        f"and {reason}. {FIX}")


def decode_photo(path, image_size=(128, 128)) -> np.ndarray:
    """Decode one photo file to a uint8 array of shape (height, width, 3), RGB.

    ``image_size`` is (height, width).  Grayscale, palette, CMYK and RGBA
    images are converted to RGB (alpha is dropped); the photo is resized with
    PIL's bilinear filter, ignoring its aspect ratio.
    """
    height, width = int(image_size[0]), int(image_size[1])
    with Image.open(path) as photo:
        rgb = photo.convert("RGB")
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.uint8)


def load_split(split: str, image_size=(128, 128), data_dir=None, test_dir=None, cache=True):
    """Decoded photos of one split, as ``(images, labels, file_names)``.

    ``images`` is uint8 of shape (N, height, width, 3), RGB; ``labels`` is
    int32 of shape (N,), indices into CLASS_NAMES; ``file_names`` is a list of
    N basenames.  The order is that of :func:`photos_in_split`.

    ``data_dir`` None means :func:`resolve_data_dir`; ``test_dir`` None means
    :func:`test_dir_setting`.  With ``cache`` the decoded arrays are kept as
    an .npz file under the cache folder, keyed by the photo files (paths,
    sizes, modification times), ``image_size`` and ``split``; a later call
    with unchanged files reads it instead of decoding.  A cache that cannot be
    written (read-only folder, full disk) is skipped silently.
    """
    image_size = (int(image_size[0]), int(image_size[1]))
    data_dir = resolve_data_dir() if data_dir is None else pathlib.Path(data_dir).expanduser()
    test_dir = test_dir_setting() if test_dir is None else pathlib.Path(test_dir).expanduser()
    photos = photos_in_split(data_dir, split, test_dir)
    root = test_dir if (split == "test" and test_dir is not None) else data_dir
    file_names = [p.file_name for p in photos]
    labels = np.asarray([p.label for p in photos], dtype=np.int32)
    cache_file = None
    if cache:
        key = data_cache.cache_key(root, [p.path for p in photos], image_size, split)
        cache_file = cache_dir() / "arrays" / f"{split}_{image_size[0]}x{image_size[1]}_{key}.npz"
        hit = data_cache.read(cache_file, file_names, labels)
        if hit is not None:
            return hit, labels, file_names
    images = np.empty((len(photos), image_size[0], image_size[1], 3), dtype=np.uint8)
    for i, photo in enumerate(photos):
        images[i] = decode_photo(photo.path, image_size)
    if cache_file is not None:
        data_cache.write(cache_file, images, labels, file_names)
    return images, labels, file_names


def tfds_to_course_labels(labels) -> np.ndarray:
    """Map tfds tf_flowers label ints to course label ints (int32, same shape).

    tfds numbers the classes as TFDS_CLASS_NAMES (dandelion=0, daisy=1, ...);
    the course uses CLASS_NAMES (daisy=0, dandelion=1, ...).  Accepts any
    integer array-like (a NumPy array, a list, an eager tf.Tensor).
    """
    table = np.asarray([CLASS_NAMES.index(name) for name in TFDS_CLASS_NAMES], dtype=np.int32)
    values = np.asarray(labels)
    if values.size and (not np.issubdtype(values.dtype, np.integer)
                        or values.min() < 0 or values.max() >= len(table)):
        raise ValueError(f"tfds tf_flowers labels must be integers 0-{len(table) - 1}; got {values!r}.")
    return table[values.astype(np.int64)].astype(np.int32)
