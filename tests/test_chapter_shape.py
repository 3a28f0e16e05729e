"""Every chapter has the same rooms, and the trust rule is an import rule.

A chapter is a package ``autograder/chapters/chNN/``: ``__init__.py`` (the table of visible checks),
``cases.py`` (each visible check's inputs, frozen dataclasses written once), ``probes.py`` (the only
code that calls student functions), ``judges.py`` (pure), and on the grader side only ``reference.py``
(the kit's answers) and ``hidden.py`` (the hidden checks, their cases and the whole table).
References and judges never import probes or the probes' helpers, so nothing a student's code
touches can reach an expected answer or a verdict.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from autograder.chapters import CHAPTER_MODULES, get_chapter, student_chapter

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "autograder" / "chapters"
ROOMS = ("__init__.py", "cases.py", "probes.py", "reference.py", "judges.py", "hidden.py")
PROBE_MODULES = {"probes", "probing"}
SPLIT = sorted(CHAPTER_MODULES)


def imported_names(path: Path) -> set[str]:
    """Every module name a file imports, relative ones included (``from . import probes`` gives probes)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[-1] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update((node.module or "").split("."))
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("key", SPLIT)
def test_every_chapter_has_the_same_rooms(key):
    assert (CHAPTERS_DIR / key).is_dir(), f"{key} is not a package"
    assert sorted(path.name for path in (CHAPTERS_DIR / key).glob("*.py")) == sorted(ROOMS)


def test_nothing_but_chapters_and_shared_helpers_beside_them():
    shared = {"__init__.py", "common.py", "probing.py", "earned.py", "full.py"}
    assert {path.name for path in CHAPTERS_DIR.glob("*.py")} == shared


@pytest.mark.parametrize("key", SPLIT)
@pytest.mark.parametrize("room", ["reference.py", "judges.py", "cases.py"])
def test_references_judges_and_cases_never_import_probes(key, room):
    assert not imported_names(CHAPTERS_DIR / key / room) & PROBE_MODULES


@pytest.mark.parametrize("key", SPLIT)
def test_each_check_has_a_frozen_case_and_its_function_in_every_room(key):
    chapter = get_chapter(key)
    for check in chapter.checks:
        assert dataclasses.is_dataclass(check.case) and type(check.case).__dataclass_params__.frozen, check.grade_id
        for room, step in (("probes", check.probe), ("reference", check.expected), ("judges", check.judge)):
            assert step.__module__ == f"autograder.chapters.{key}.{room}", (check.grade_id, room)


@pytest.mark.parametrize("key", SPLIT)
def test_the_student_table_is_the_visible_part_of_the_grader_table(key):
    """Same rows, same order, same probes and judges; only the answers differ in where they come from."""
    full, visible = get_chapter(key), student_chapter(key)
    assert [c.grade_id for c in visible.checks] == [c.grade_id for c in full.checks if c.visible]
    assert all(c.visible for c in visible.checks)
    for check in visible.checks:
        graded = full.check(check.grade_id)
        assert (check.function, check.points, check.description, check.case, check.probe, check.judge, check.also) == \
            (graded.function, graded.points, graded.description, graded.case, graded.probe, graded.judge, graded.also)
        assert check.expected.__module__ == "autograder.answers", check.grade_id


def test_no_probe_helper_is_copied_between_chapters():
    """Figure capture, counting datasets and compile facts live in probing.py only."""
    for path in CHAPTERS_DIR.rglob("*.py"):
        if path.name == "probing.py":
            continue
        text = path.read_text()
        assert "from_generator(" not in text, path
        if path.parent.name in SPLIT:
            assert "figure_data(" not in text and "get_compile_config(" not in text, path
