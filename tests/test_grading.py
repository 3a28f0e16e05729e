"""The batch grader end to end: sandboxed worker, bad input, hostile code, the CLI."""
from __future__ import annotations

import json

import pytest

from autograder import cli, grading
from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, filled_release, replace_solution, write_notebook
from .test_ch04_checks import WRONG

pytestmark = pytest.mark.slow
CHAPTER = get_chapter("ch04")
NOTEBOOK = "ch04_loading.ipynb"


def grade_notebook(notebook: dict, tmp_path, name=NOTEBOOK):
    return grading.grade(write_notebook(notebook, tmp_path / "ch04_loading" / name), step_seconds=5)


def by_name(report):
    return {result.name: result for result in report.results}


def test_answer_key_full_marks_and_blank_not_attempted():
    solved = grading.grade(REPO / "solutions" / "ch04_loading" / NOTEBOOK)
    assert solved.score == solved.max_score == CHAPTER.max_points and solved.status == "full marks"
    assert solved.sandboxed, "bubblewrap is installed by `make setup`: the worker must run sandboxed"
    blank = grading.grade(REPO / "release" / "ch04_loading" / NOTEBOOK)
    assert blank.score == 0 and blank.status == "not attempted"
    script = grading.grade(REPO / "assignments" / "ch04_loading" / "ch04_loading.py")
    assert script.score == 0 and script.status == "not attempted"


def test_wrong_fixtures_fail_their_check_in_the_batch_grader_too():
    reports = grading.grade_path(FIXTURES / "ch04", chapter_name="ch04")
    assert len(reports) == len(WRONG)
    for report in reports:
        fixture = report.submission.rsplit("/", 1)[-1].removesuffix(".py")
        target, words, still_passing = WRONG[fixture]
        results = by_name(report)
        assert results[target].status == "failed" and words in results[target].message, (fixture, results[target])
        assert all(results[grade_id].passed for grade_id in still_passing), fixture


def test_unreadable_notebook_scores_zero_with_a_message(tmp_path):
    broken = tmp_path / "ch04_loading" / NOTEBOOK
    broken.parent.mkdir()
    broken.write_text('{"cells": [ this is not json')
    report = grading.grade(broken)
    assert report.score == 0 and len(report.results) == len(CHAPTER.checks)
    assert all("not a readable notebook" in result.message for result in report.results)


def test_a_broken_cell_costs_only_what_depends_on_it(tmp_path):
    notebook = filled_release("ch04_loading")
    replace_solution(notebook, "load_split", "def load_split(data_dir, split, image_size=(128, 128):\n    pass\n")
    replace_solution(notebook, "plot_examples", "import sys\nsys.exit('a student calling exit')\n")
    report = grade_notebook(notebook, tmp_path)
    results = by_name(report)
    assert "no function named `load_split`" in results["check_load_split"].message
    assert "no function named `plot_examples`" in results["check_plot_examples"].message
    assert results["check_count_per_class"].passed and results["hidden_first_examples"].passed
    assert any("SyntaxError" in note for note in report.notes)
    assert report.score == CHAPTER.max_points - 8


def test_hostile_code_is_contained_and_reported(tmp_path):
    marker = REPO / "autograder" / "PWNED"
    notebook = filled_release("ch04_loading")
    replace_solution(notebook, "count_per_class", f"""
import socket, pathlib
def count_per_class(labels, class_names):
    outcomes = []
    try:
        socket.create_connection(("1.1.1.1", 80), timeout=2)
        outcomes.append("network")
    except OSError:
        pass
    try:
        pathlib.Path({str(marker)!r}).write_text("x")
        outcomes.append("wrote")
    except OSError:
        pass
    if outcomes:
        raise RuntimeError("escaped: " + ",".join(outcomes))
    while True:  # then hang: the per-check time limit must stop it
        pass
""")
    report = grade_notebook(notebook, tmp_path)
    assert not marker.exists()
    message = by_name(report)["check_count_per_class"].message
    assert "`count_per_class` did not return within" in message, message
    assert by_name(report)["check_load_split"].passed  # the other functions are still graded


def test_a_cell_that_kills_its_process_loses_only_what_it_defines(tmp_path):
    """Before, one os._exit in a cell cost every check; now the cell is skipped and a fresh process
    grades the rest (more in tests/test_isolation.py)."""
    notebook = filled_release("ch04_loading")
    replace_solution(notebook, "plot_examples", "import os\nos._exit(0)\n")
    report = grade_notebook(notebook, tmp_path)
    results = by_name(report)
    for check in CHAPTER.checks:
        assert results[check.grade_id].passed == (check.function != "plot_examples"), results[check.grade_id]
    assert "no function named `plot_examples`" in results["check_plot_examples"].message
    assert any("skipped after it ended the process" in note for note in report.notes), report.notes


def test_cli_grades_writes_results_json_and_exits_zero(tmp_path, capsys):
    results = tmp_path / "results.json"
    code = cli.main(["grade", str(REPO / "release" / "ch04_loading" / NOTEBOOK), "--results", str(results)])
    assert code == cli.EXIT_OK
    document = json.loads(results.read_text())
    assert document["score"] == 0 and len(document["tests"]) == len(CHAPTER.checks)
    for test in document["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in ("visible", "after_published")
    assert "not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["grade", "/no/such/notebook.ipynb"], ["grade", "."],
                                  ["grade", str(REPO / "README.md"), "--chapter", "ch99"]])
def test_cli_exits_non_zero_only_when_it_cannot_grade(args, capsys, tmp_path, monkeypatch):
    if args[1] == ".":
        monkeypatch.chdir(tmp_path)  # an empty folder: nothing to grade
    assert cli.main(args) == cli.EXIT_GRADER_FAILED
    assert capsys.readouterr().err.startswith("error:")


def test_a_submission_whose_chapter_cannot_be_told_still_gets_a_complete_result(tmp_path):
    """Gradescope shows a missing results.json as a broken autograder: a notebook named after no
    chapter gets a result saying why, and the others beside it are graded as usual."""
    folder = tmp_path / "class"
    write_notebook(filled_release("ch04_loading"), folder / "mystery.ipynb")
    write_notebook(filled_release("ch04_loading"), folder / "ch04_loading" / NOTEBOOK)
    results = tmp_path / "results.json"
    assert cli.main(["grade", str(folder), "--results", str(results)]) == cli.EXIT_OK
    document = json.loads(results.read_text())
    unknown = [test for test in document["tests"] if test["name"].startswith("unknown")]
    assert len(unknown) == 1 and unknown[0]["score"] == 0 and "cannot tell which chapter" in unknown[0]["output"]
    assert document["score"] == CHAPTER.max_points


def test_results_json_is_written_even_when_the_grader_cannot_run(tmp_path):
    results = tmp_path / "results.json"
    code = cli.main(["grade", str(REPO / "README.md"), "--chapter", "ch99", "--results", str(results)])
    assert code == cli.EXIT_GRADER_FAILED
    document = json.loads(results.read_text())
    assert document["score"] == 0 and "no chapter called 'ch99'" in document["tests"][0]["output"]
