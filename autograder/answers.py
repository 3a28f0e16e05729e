"""The visible checks' expected answers, shipped as data.

What a student installs holds no answer key: a visible check judges against the answer the kit's
reference computed for the check's fixed, seeded inputs when the kit was built
(``python -m autograder generate`` writes ``answers/chNN.json`` and ``answers/chNN.npz``), never
against reference code, which stays with the grader. A test recomputes every shipped answer and
compares (``tests/test_student_side.py``).

A few visible checks read the real photos (chapter 3 counts them and looks for copies). Their answers
hold only for the photo set the kit was built with; each such answer carries that set's
fingerprint (:func:`photo_fingerprint`), and on another set the check says it cannot be judged here
instead of judging against the wrong answer.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import transport

FOLDER = Path(__file__).resolve().parent / "answers"


class AnswerUnavailable(LookupError):
    """No shipped answer fits this check here (another photo set, or a kit built without answers)."""


def photo_fingerprint(folder) -> str:
    """A short hash of every file under ``folder``: relative path and size (contents are not read)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            digest.update(f"{path.relative_to(folder).as_posix()}\0{path.stat().st_size}\n".encode())
    return digest.hexdigest()[:16]


def reads_real_photos(case) -> bool:
    """Whether a check's inputs are the real photo folder (a case says so with ``real_photos = True``)."""
    return bool(getattr(case, "real_photos", False))


def _scalars(value):
    """0-d arrays back to NumPy scalars, as the reference returned them."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    if isinstance(value, dict):
        return {key: _scalars(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scalars(item) for item in value]
    return value


def write(folder: Path, key: str, answers: dict[str, dict]) -> None:
    """Write one chapter's answers: ``{grade_id: {"answer": value, "photos": fingerprint or None}}``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    document = transport.flatten(answers, arrays)
    # An .npz that np.load reads, written with fixed dates so that the same answers give the same bytes.
    with zipfile.ZipFile(folder / f"{key}.npz", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in sorted(arrays.items()):
            with archive.open(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), "w") as f:
                np.lib.format.write_array(f, np.asarray(array), allow_pickle=False)
    (folder / f"{key}.json").write_text(json.dumps(document, indent=1) + "\n")  # in the order the reference gave


def read(folder: Path, key: str) -> dict[str, dict]:
    folder = Path(folder)
    json_path, arrays_path = folder / f"{key}.json", folder / f"{key}.npz"
    if not json_path.is_file() or not arrays_path.is_file():
        raise AnswerUnavailable(f"this copy of the kit has no answers for {key} ({json_path} is missing); "
                                f"`python -m autograder generate` writes them")
    with np.load(arrays_path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return _scalars(transport.restore(json.loads(json_path.read_text()), arrays))


@functools.lru_cache(maxsize=None)
def _chapter_answers(key: str) -> dict[str, dict]:
    return read(FOLDER, key)


class Shipped:
    """A chapter's shipped answers, in the place of its ``reference`` room (see :class:`.core.Rooms`)."""

    def __init__(self, key: str):
        self.key = key

    def answer(self, grade_id: str) -> Callable[[Any, Path], Any]:
        def expected(case, inputs_dir: Path):
            entry = _chapter_answers(self.key).get(grade_id)
            if entry is None:
                raise AnswerUnavailable(f"this copy of the kit ships no answer for {grade_id}")
            if entry.get("photos") is not None:
                from .data import resolve_data_dir
                found = photo_fingerprint(resolve_data_dir())
                if found != entry["photos"]:
                    raise AnswerUnavailable(
                        f"this check reads the real photos, and the photos here (fingerprint {found}) are not "
                        f"the set the kit's answers were computed on ({entry['photos']}); it is judged when your "
                        f"work is graded")
            return entry["answer"]
        expected.__qualname__ = f"shipped answer of {grade_id}"
        expected.grade_id = grade_id
        return expected
