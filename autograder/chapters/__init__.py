"""The chapters the kit grades, by key ("ch04") or nbgrader assignment name.

Every module ``chNN.py`` in this package defines one ``CHAPTER``; adding a chapter
means adding its module (and its notebook under ``source/``), nothing else.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

from ..core import Chapter

CHAPTER_MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)
                               if re.fullmatch(r"ch\d\d", info.name)))


def all_chapters() -> list[Chapter]:
    return [importlib.import_module(f"{__name__}.{key}").CHAPTER for key in CHAPTER_MODULES]


def get_chapter(name: str) -> Chapter:
    """Find a chapter by key or assignment name (``ch04`` or ``ch04_loading``)."""
    for chapter in all_chapters():
        if name in (chapter.key, chapter.assignment):
            return chapter
    known = ", ".join(f"{c.key} ({c.assignment})" for c in all_chapters())
    raise KeyError(f"no chapter called {name!r}; known chapters: {known}")
