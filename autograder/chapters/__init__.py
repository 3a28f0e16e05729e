"""The chapters the kit grades, by key ("ch04") or nbgrader assignment name.

Every package ``chNN`` here defines ``VISIBLE`` (the student side's table: visible checks, shipped
answers) and ``CHAPTER`` (``extend(VISIBLE)``: the whole table when the grader side is installed).
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re

from ..core import Chapter

CHAPTER_MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)
                               if re.fullmatch(r"ch\d\d", info.name)))


def extend(visible: Chapter) -> Chapter:
    """The chapter as the grader sees it: its hidden checks added and its visible checks judged by the
    kit's reference, when the grader side (``chNN/hidden.py``, ``chNN/reference.py``) is installed;
    else ``visible`` itself, the student side's table, whose answers are shipped data."""
    name = f"{__name__}.{visible.key}.hidden"
    if importlib.util.find_spec(name) is None:
        return visible
    return importlib.import_module(name).extend(visible)


def student_chapter(name: str) -> Chapter:
    """The student side's table of a chapter: its visible checks only, judged against shipped answers."""
    return importlib.import_module(f"{__name__}.{get_chapter(name).key}").VISIBLE


def grader_side(name: str) -> bool:
    """Whether the grader side of this chapter is installed here (hidden checks, references)."""
    return get_chapter(name) is not student_chapter(name)


def all_chapters() -> list[Chapter]:
    return [importlib.import_module(f"{__name__}.{key}").CHAPTER for key in CHAPTER_MODULES]


def get_chapter(name: str) -> Chapter:
    """Find a chapter by key or assignment name (``ch04`` or ``ch04_loading``)."""
    for chapter in all_chapters():
        if name in (chapter.key, chapter.assignment):
            return chapter
    known = ", ".join(f"{c.key} ({c.assignment})" for c in all_chapters())
    raise KeyError(f"no chapter called {name!r}; known chapters: {known}")
