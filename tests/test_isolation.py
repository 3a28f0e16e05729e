"""A fault costs only its own checks: endless loops (interruptible or not), a stub that ends its
process, a cell that never returns, an oversized result. Each is graded through the sandboxed batch
grader with a short limit per step (3 s) so that the worst cases stay quick to test."""
from __future__ import annotations

import time

import pytest

from autograder import grading, worker
from autograder.chapters import get_chapter

from .conftest import FIXTURES, filled_release, replace_solution, wrong_notebook, write_notebook

pytestmark = pytest.mark.slow
CH04 = get_chapter("ch04")
STEP = 3  # seconds per cell and per check in these tests

# A loop that swallows the grader's interruption: only the supervisor can end it.
STUBBORN = """
def count_per_class(labels, class_names):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
"""


def grade_ch04(tmp_path, **solutions):
    notebook = filled_release("ch04_loading")
    for grade_id, source in solutions.items():
        replace_solution(notebook, grade_id, source)
    path = write_notebook(notebook, tmp_path / "ch04_loading" / "ch04_loading.ipynb")
    report = grading.grade(path, step_seconds=STEP)
    return report, {result.name: result for result in report.results}


def checks_of(chapter, function):
    return [check.grade_id for check in chapter.checks if check.function == function]


def test_a_stub_that_swallows_the_interruption_costs_only_its_checks(tmp_path):
    start = time.perf_counter()
    report, results = grade_ch04(tmp_path, count_per_class=STUBBORN)
    first, *others = checks_of(CH04, "count_per_class")
    assert f"`count_per_class` did not return within {STEP} s" in results[first].message, results[first]
    for grade_id in others:  # not called again: the hang is reported where it happened
        assert f"because `count_per_class` did not return within {STEP} s in the check {first}" in \
            results[grade_id].message, results[grade_id]
    for check in CH04.checks:
        if check.function != "count_per_class":
            assert results[check.grade_id].passed, results[check.grade_id]
    # Bounded: one hang costs one step and the grace before the supervisor ends it, plus a fresh child.
    assert time.perf_counter() - start < 60


def test_every_stub_an_endless_loop_is_bounded_and_each_check_says_why(tmp_path):
    loops = {check.function: f"def {check.function}(*args, **kwargs):\n    while True:\n        pass\n"
             for check in CH04.checks}
    report, results = grade_ch04(tmp_path, **loops)
    assert report.score == 0
    for check in CH04.checks:
        assert f"`{check.function}` did not return within {STEP} s" in results[check.grade_id].message


def test_a_stub_that_ends_its_process_costs_only_its_checks(tmp_path):
    report, results = grade_ch04(tmp_path, first_examples="import os\n\ndef first_examples(*args):\n    os._exit(3)\n")
    for grade_id in checks_of(CH04, "first_examples"):
        assert "`first_examples` ended the process (exit status 3)" in results[grade_id].message, results[grade_id]
    assert report.score == CH04.max_points - sum(c.points for c in CH04.checks if c.function == "first_examples")


def test_a_cell_that_never_returns_or_exits_is_skipped_and_the_rest_is_graded(tmp_path):
    report, results = grade_ch04(
        tmp_path, plot_examples="import os\nos._exit(0)\n",
        count_per_class="while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        continue\n")
    lost = set(checks_of(CH04, "plot_examples")) | set(checks_of(CH04, "count_per_class"))
    for check in CH04.checks:
        result = results[check.grade_id]
        assert result.passed == (check.grade_id not in lost), result
    assert any("skipped after it ended the process" in note for note in report.notes), report.notes
    assert any(f"skipped after it did not finish within {STEP} s" in note for note in report.notes), report.notes


def test_an_oversized_result_costs_only_its_checks(tmp_path, photos):
    """A model whose configuration is over the 8 MiB a check may return: the build, compile and
    accuracy checks say so; train_model is still graded."""
    fixture = tmp_path / "oversized.py"
    fixture.write_text("def build_model(num_classes, input_shape):\n"
                       "    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),\n"
                       "                             keras.layers.Dense(num_classes, name='x' * 9_000_000)])\n")
    chapter = get_chapter("ch06")
    report = grading.grade(wrong_notebook("ch06_training", fixture, tmp_path), chapter)
    results = {result.name: result for result in report.results}
    for grade_id in ("check_build_model", "check_val_accuracy", "hidden_test_accuracy"):
        assert "could not be sent back" in results[grade_id].message and "MiB" in results[grade_id].message, \
            results[grade_id]
    assert results["check_train_model"].passed and results["hidden_train_model"].passed


def test_the_journal_names_the_step_in_progress(tmp_path):
    out = tmp_path
    (out / worker.JOURNAL).write_text('{"begin": "cell", "index": 0, "label": "a"}\n'
                                      '{"end": "cell", "index": 0, "problem": null}\n'
                                      '{"begin": "check", "id": "check_x", "function": "f"}\nnot json\n')
    state = worker.read_journal(out)
    assert state["cells"] == {0: None} and state["current"]["id"] == "check_x" and not state["checks"]


def test_fixture_folder_grades_each_submission_alone():
    """Files whose chapter is named by the file alone are separate submissions, never one session."""
    paths = sorted((FIXTURES / "ch04").glob("*.py"))
    assert [len(session) for session in grading.sessions(paths, CH04)] == [1] * len(paths)
