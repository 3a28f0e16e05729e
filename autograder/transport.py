"""Plain data across the sandbox wall: JSON for structure, one .npz for arrays.

The worker writes ``observations.json`` and ``arrays.npz``; the trusted side
reads them back with ``allow_pickle=False`` and size caps, so nothing but
numbers, strings, lists and dicts can come back from student code.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

JSON_NAME = "observations.json"
ARRAYS_NAME = "arrays.npz"
MAX_JSON_BYTES = 8 << 20
MAX_ARRAY_BYTES = 256 << 20
ARRAY_KEY = "__array__"
ALLOWED_KINDS = "biuf"  # bool, int, unsigned, float: no objects, no strings in arrays


class TransportError(ValueError):
    """What came back from the worker is not plain data of the agreed form."""


def flatten(value, arrays: dict):
    """``value`` as JSON-ready structure, its arrays moved into ``arrays`` (key -> array)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in ALLOWED_KINDS:
            raise TransportError(f"array of dtype {array.dtype} cannot be sent back")
        key = f"a{len(arrays)}"
        arrays[key] = array
        return {ARRAY_KEY: key}
    if isinstance(value, dict):
        return {str(key): flatten(item, arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [flatten(item, arrays) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TransportError(f"a {type(value).__name__} cannot be sent back as plain data")


def plain_or_error(observation: dict) -> dict:
    """The observation itself if it can be sent back, else an error observation saying why."""
    try:
        flatten(observation, {})
    except TransportError as error:
        return {"status": "error", "error": f"the function returned data that is not plain numbers ({error})"}
    return observation


def write(out_dir: Path, payload: dict) -> None:
    arrays: dict[str, np.ndarray] = {}
    document = flatten(payload, arrays)
    out_dir = Path(out_dir)
    np.savez(out_dir / ARRAYS_NAME, **arrays)
    (out_dir / JSON_NAME).write_text(json.dumps(document))


def restore(value, arrays):
    """The inverse of :func:`flatten`."""
    if isinstance(value, dict):
        if set(value) == {ARRAY_KEY}:
            key = value[ARRAY_KEY]
            if key not in arrays:
                raise TransportError(f"missing array {key!r}")
            return arrays[key]
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {key: restore(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [restore(item, arrays) for item in value]
    return value


def read(out_dir: Path) -> dict:
    """Read what the worker wrote; TransportError when it is missing or malformed."""
    out_dir = Path(out_dir)
    json_path, arrays_path = out_dir / JSON_NAME, out_dir / ARRAYS_NAME
    if not json_path.is_file() or not arrays_path.is_file():
        raise TransportError("the worker wrote no results")
    for path, cap in ((json_path, MAX_JSON_BYTES), (arrays_path, MAX_ARRAY_BYTES)):
        if path.stat().st_size > cap:
            raise TransportError(f"{path.name} is larger than {cap >> 20} MiB")
    try:
        document = json.loads(json_path.read_text())
        with np.load(arrays_path, allow_pickle=False) as archive:
            arrays = {}
            for key in archive.files:
                array = archive[key]
                if array.dtype.kind not in ALLOWED_KINDS:
                    raise TransportError(f"array {key} has dtype {array.dtype}")
                arrays[key] = array
    except (ValueError, OSError) as error:
        raise TransportError(f"results could not be read: {error}") from error
    if not isinstance(document, dict):
        raise TransportError("results are not a JSON object")
    return restore(document, arrays)
