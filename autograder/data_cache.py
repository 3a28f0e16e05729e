"""The .npz cache of decoded photos used by :func:`autograder.data.load_split`.

Arrays are stored with ``np.savez`` and read with ``allow_pickle=False``; a
cache file is written to a temporary name and moved into place with
``os.replace``, so a reader never sees half a file.  Any failure to read or
write the cache is treated as "no cache": it never fails a load.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import tempfile

import numpy as np

FORMAT_VERSION = 1
_log = logging.getLogger(__name__)


def cache_key(root, paths, image_size, split: str) -> str:
    """A hex digest of the folder, each photo's relative path, size and mtime_ns, the size and the split."""
    root = pathlib.Path(root).resolve()
    entries = []
    for path in paths:
        path = pathlib.Path(path)
        stat = path.stat()
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            relative = path.resolve().as_posix()
        entries.append([relative, stat.st_size, stat.st_mtime_ns])
    text = json.dumps({"version": FORMAT_VERSION, "root": root.as_posix(), "photos": entries,
                       "image_size": list(image_size), "split": split}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read(cache_file: pathlib.Path, file_names, labels) -> np.ndarray | None:
    """The cached uint8 images (N, H, W, 3), or None if absent, unreadable or not matching."""
    try:
        with np.load(cache_file, allow_pickle=False) as stored:
            images = stored["images"]
            ok = (stored["file_names"].tolist() == list(file_names)
                  and np.array_equal(stored["labels"], labels)
                  and images.dtype == np.uint8 and images.shape[0] == len(file_names))
    except FileNotFoundError:
        return None
    except Exception as error:  # corrupt or foreign file: decode again
        _log.info("Ignoring unreadable cache file %s: %s", cache_file, error)
        return None
    return images if ok else None


def write(cache_file: pathlib.Path, images, labels, file_names) -> bool:
    """Write the arrays atomically; return False (and keep going) if that fails."""
    tmp_name = None
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=cache_file.stem, suffix=".tmp", dir=cache_file.parent)
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, images=images, labels=labels,
                     file_names=np.asarray(list(file_names), dtype=str))
        os.replace(tmp_name, cache_file)
        return True
    except Exception as error:  # read-only folder, full disk, ...
        _log.info("Could not write cache file %s: %s", cache_file, error)
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
        return False
