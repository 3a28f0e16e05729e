"""The grader side's view of a chapter: hidden checks added, every answer from the kit's reference.

Grader side only (never in the student wheel). A chapter's ``hidden.py`` calls :func:`full_chapter`
with its reference module and its table's rows in order: a visible check by grade id, a hidden
check as a row of its own.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from ..core import Chapter, Check


def _prepare_both(first: Callable[[Path], None], second: Callable[[Path], None], inputs_dir: Path) -> None:
    first(inputs_dir)
    second(inputs_dir)


def full_chapter(visible: Chapter, reference, rows: Iterable[str | Check], prepare_hidden=None,
                 measures: dict | None = None, **changes) -> Chapter:
    """``visible`` with each of its checks judged against ``reference`` (its step's function there) and
    measured by ``measures[grade_id]`` where given, and the hidden rows put in place."""
    by_id = {check.grade_id: check for check in visible.checks}
    checks = []
    for row in rows:
        if isinstance(row, str):
            check = by_id.pop(row)
            row = replace(check, expected=getattr(reference, check.step),
                          measure=(measures or {}).get(row, check.measure))
        checks.append(row)
    if by_id:
        raise ValueError(f"{visible.key}: visible checks missing from the grader's table: {sorted(by_id)}")
    prepare = (visible.prepare if prepare_hidden is None
               else functools.partial(_prepare_both, visible.prepare, prepare_hidden))
    return replace(visible, checks=tuple(checks), prepare=prepare, **changes)


def compute_answers(key: str) -> dict[str, dict]:
    """The answers the student side ships for a chapter: each visible check's expected answer, computed
    by the reference on the check's inputs. An answer that depends on the real photos carries their
    fingerprint; where no photos can be found it is left out (that check then says so)."""
    import tempfile

    from .. import answers
    from ..core import expected_answer
    from ..data import FlowersDataUnavailable, resolve_data_dir
    from . import get_chapter

    chapter = get_chapter(key)
    found: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=f"flowers-{key}-answers-") as folder:
        chapter.prepare(Path(folder))
        for check in chapter.checks:
            if not check.visible:
                continue
            photos = None
            if answers.reads_real_photos(check.case):
                try:
                    photos = answers.photo_fingerprint(resolve_data_dir(download=False))
                except FlowersDataUnavailable:
                    continue
            value = expected_answer(check, Path(folder))
            if folder in repr(value) or str(Path(folder).resolve()) in repr(value):
                raise ValueError(f"{check.grade_id}: the reference's answer names the inputs folder, so it cannot "
                                 f"be shipped; return paths relative to it")
            found[check.grade_id] = {"answer": value, "photos": photos}
    return found


def write_answers(only: Iterable[str] | None = None, folder: Path | None = None) -> list[Path]:
    """Write the shipped answers of every chapter (or ``only`` these keys); return the files written."""
    from .. import answers
    from . import CHAPTER_MODULES, get_chapter

    folder = answers.FOLDER if folder is None else Path(folder)
    keys = [get_chapter(name).key for name in only] if only else list(CHAPTER_MODULES)
    for key in keys:
        answers.write(folder, key, compute_answers(key))
    return [folder / f"{key}.{suffix}" for key in keys for suffix in ("json", "npz")]
