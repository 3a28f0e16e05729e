"""The kit's references are withheld from the batch grader's worker: a submission that imports one finds
an inert stand-in, never the answer key; the trusted side still has it."""
from __future__ import annotations

import pytest

from autograder import grading, withheld
from autograder.chapters import CHAPTER_MODULES

from .conftest import wrong_notebook

PEEK = '''
def count_per_class(labels, class_names):
    import inspect
    import autograder.chapters.ch04.reference as reference
    try:
        source = inspect.getsource(reference)
    except Exception as error:
        source = repr(error)
    found = "answer key" if "def count_per_class" in source else "withheld"
    raise ValueError(f"PEEK {found} {reference.count_per_class!r}")
'''


@pytest.mark.slow
def test_a_submission_that_imports_a_reference_finds_it_withheld(tmp_path):
    fixture = tmp_path / "peek_reference.py"
    fixture.write_text(PEEK)
    report = grading.grade(wrong_notebook("ch04_loading", fixture, tmp_path / "submission"))
    results = {result.name: result for result in report.results}
    message = results["check_count_per_class"].message
    assert "PEEK withheld <withheld count_per_class>" in message, message
    # Only the peeking stub's checks are lost; the answer key's other functions keep their points.
    assert results["check_load_split"].passed and results["hidden_first_examples"].passed


def test_the_stand_in_builds_a_table_but_answers_nothing():
    stand_in = withheld.measure_heatmaps("any case")
    assert repr(stand_in) == "<withheld measure_heatmaps>"
    with pytest.raises(AttributeError, match="withheld"):
        stand_in.elsewhere  # noqa: B018
    assert all(path.name == "reference.py" for path, _ in grading.WITHHELD)
    assert {path.parent.name for path, _ in grading.WITHHELD} == set(CHAPTER_MODULES)
