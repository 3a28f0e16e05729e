"""Every fixture's verdict on every check, as plain data: the snapshot that proves a change to
how grading runs (where, in which process, how fast) changes no verdict.

``python -m tests.verdicts CHAPTER OUT.json [student]`` writes ``{submission: {grade_id: [status, points,
message]}}`` for the chapter's answer key, its blank release and each wrong fixture, evaluated in this
process through the nbgrader front end; with ``student``, through the student side's route (visible
checks only, answers shipped as data). Checks that train (accuracy earned in the grader) are left out:
their verdicts are pinned by their own tests. Chapter 8 must be run with ``TF_USE_LEGACY_KERAS=1``.
"""
from __future__ import annotations

import json
import sys

from .conftest import FIXTURES, REPO, answer_key_path, namespace_of

PATCHED = {"ch05", "ch06", "ch07"}    # fixtures are patches over the answer key
TRAINING = {"check_val_accuracy", "hidden_test_accuracy", "check_improved_val_accuracy", "hidden_improved_accuracy"}


def snapshot(key: str, route: str | None = None) -> dict:
    from autograder import nbcheck
    from autograder.chapters import get_chapter, student_chapter

    chapter = student_chapter(key) if route == "student" else get_chapter(key)
    submissions = {"answer_key": lambda: namespace_of(answer_key_path(chapter.assignment)),
                   "blank": lambda: namespace_of(REPO / "release" / chapter.assignment / f"{chapter.assignment}.ipynb")}
    for fixture in sorted((FIXTURES / key).glob("*.py")):
        if key in PATCHED:
            submissions[fixture.stem] = (lambda f=fixture: namespace_of(f, namespace_of(answer_key_path(chapter.assignment))))
        else:
            submissions[fixture.stem] = (lambda f=fixture: namespace_of(f))
    found = {}
    for name, make in submissions.items():
        namespace = make()
        verdicts = {}
        for check in chapter.checks:
            if check.grade_id in TRAINING:
                continue
            functions = [namespace.get(n) for n in (check.function, *check.also)]
            if any(f is None for f in functions):
                verdicts[check.grade_id] = ["missing", 0, ""]
                continue
            try:
                result = nbcheck.evaluate(key, check.grade_id, *functions, route=route)
            except nbcheck.CheckUnavailable as why:
                verdicts[check.grade_id] = ["unavailable", 0, str(why)]
                continue
            verdicts[check.grade_id] = [result.status, result.points, result.message]
        found[name] = verdicts
    return found


if __name__ == "__main__":
    found = snapshot(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None)
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(found, out, indent=1, sort_keys=True)
