"""The instructor's path with real nbgrader and a real SQLite gradebook, and the batch
grader agreeing with it: full marks for a solved copy, 0 for the blank release."""
from __future__ import annotations

import csv
import getpass
import shutil

import pytest

from autograder import course, grading
from autograder.chapters import all_chapters

from .conftest import REPO, filled_release, load_notebook, photos_or_skip, write_notebook

pytestmark = pytest.mark.slow
CHAPTERS = all_chapters()
# The solved copy travels the real exchange, so it is filed under the login name nbgrader submits as.
SOLVED = getpass.getuser()


def instructor_round(chapter, tmp_path_factory):
    """A course directory that went through the instructor's whole round for one chapter:
    generate, release to an exchange, a student fetches, fills in the answer key and submits,
    collect, autograde, feedback, export. A second student, `blank`, hands in the release as is."""
    if chapter.photos or chapter.prepare_private is not None:
        photos_or_skip()
    root = tmp_path_factory.mktemp(f"course-{chapter.key}")
    home = tmp_path_factory.mktemp("student")
    exchange = [f"--Exchange.root={tmp_path_factory.mktemp('exchange')}"]
    shutil.copytree(REPO / "source" / chapter.assignment, root / "source" / chapter.assignment)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    common = [f"--CourseDirectory.root={root}"]
    name = chapter.assignment
    course.run_nbgrader(["generate_assignment", name, "--force", *common], root)
    course.run_nbgrader(["release_assignment", name, "--force", *common, *exchange], root)
    course.run_nbgrader(["fetch_assignment", name, "--course", "flowers", *exchange], home)
    # Demo cells are not graded and train on the real photos for minutes in chapters 6-8; the
    # solved copy leaves them out (benchmarks/run.py runs every solution notebook top to bottom).
    solved = filled_release(name)
    solved["cells"] = [cell for cell in solved["cells"] if "demo" not in cell.get("metadata", {}).get("tags", [])]
    write_notebook(solved, home / name / f"{name}.ipynb")
    course.run_nbgrader(["submit", name, "--course", "flowers", *exchange], home)
    course.run_nbgrader(["collect", name, *common, *exchange], root)
    released = load_notebook(root / "release" / name / f"{name}.ipynb")
    write_notebook(released, root / "submitted" / "blank" / name / f"{name}.ipynb")
    course.run_nbgrader(["autograde", name, "--force", *common], root)
    course.run_nbgrader(["generate_feedback", name, "--force", *common], root)
    course.run_nbgrader(["export", *common], root)
    return root


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.key)
def test_instructor_round(chapter, tmp_path_factory):
    """One test per chapter (so that `pytest -n 2` spreads the chapters over workers and `-k ch05`
    runs one round alone); each step's assertions are below."""
    root = instructor_round(chapter, tmp_path_factory)
    for step in (release_matches_the_committed_one, solved_copy_gets_full_marks_and_blank_gets_zero,
                 export_lists_both_students_with_their_scores, batch_grader_agrees_with_nbgrader_check_by_check,
                 feedback_shows_results_but_no_hidden_test_source):
        step(chapter, root)


def _scores(root, chapter, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(chapter.assignment, chapter.assignment, student)
        return {grade.name: grade.score for grade in submission.grades if grade.cell_type == "code"}


def release_matches_the_committed_one(chapter, graded_course):
    name = chapter.assignment
    fresh = load_notebook(graded_course / "release" / name / f"{name}.ipynb")
    assert fresh == load_notebook(REPO / "release" / name / f"{name}.ipynb")


def solved_copy_gets_full_marks_and_blank_gets_zero(chapter, graded_course):
    solved, blank = _scores(graded_course, chapter, SOLVED), _scores(graded_course, chapter, "blank")
    expected = {check.grade_id: check.points for check in chapter.checks}
    assert solved == expected
    assert sum(blank.values()) == 0 and set(blank) == set(expected)


def export_lists_both_students_with_their_scores(chapter, graded_course):
    with open(graded_course / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = {row["student_id"]: float(row["score"]) for row in rows if row["assignment"] == chapter.assignment}
    assert scores == {SOLVED: chapter.max_points, "blank": 0.0}


def batch_grader_agrees_with_nbgrader_check_by_check(chapter, graded_course):
    for student in (SOLVED, "blank"):
        notebook = graded_course / "submitted" / student / chapter.assignment / f"{chapter.assignment}.ipynb"
        report = grading.grade(notebook)
        assert report.sandboxed or report.notes, "an unsandboxed run must say so"
        batch = {result.name: result.points for result in report.results}
        assert batch == _scores(graded_course, chapter, student), student
    assert report.status == "not attempted"  # the blank one, graded last


def feedback_shows_results_but_no_hidden_test_source(chapter, graded_course):
    for student in (SOLVED, "blank"):
        html = (graded_course / "feedback" / student / chapter.assignment / f"{chapter.assignment}.html").read_text()
        assert "HIDDEN TESTS" not in html
        # Test code shows up as highlighted source with quoted strings: visible checks do, hidden ones must not.
        for check in chapter.checks:
            assert (f"<span class=\"s2\">\"{check.grade_id}\"</span>" in html) == check.visible, check.grade_id
    blank_html = (graded_course / "feedback" / "blank" / chapter.assignment / f"{chapter.assignment}.html").read_text()
    assert "not attempted yet" in blank_html  # the student still reads why a test failed
