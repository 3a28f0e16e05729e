"""Grading a class into a folder (`grade submitted/ --jobs N --out DIR [--resume]`, autograder/classrun.py).

A class of 20 made by tests/sample_class.py (chapter 3, whose worker does not import TensorFlow: good,
blank, partial, broken and hostile notebooks) is graded once, by the command line in a subprocess, and
shared by the module (test workers share it through a lock, as `student_wheel` does). The kill test
grades the same class again into its own folder: it kills the run half-way with SIGKILL and resumes it.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import classrun, cli, exports, grading, report

from .conftest import REPO, filled_release, once, photos_or_skip, shared_folder, write_notebook
from .sample_class import make_class

pytestmark = pytest.mark.slow
ASSIGNMENT = "ch03_data_quality"
STUDENTS = 20


def grade_command(*args) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", *map(str, args)]


def run_grade(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(grade_command(*args), cwd=REPO, capture_output=True, text=True, timeout=timeout)


def results_in(out: Path) -> dict[str, dict]:
    """{student: result document} for every result file in ``out``; each must read back whole."""
    found = {}
    for path in classrun.existing_results(out):
        document = classrun.read_result(path)
        assert document is not None, f"{path} is not a whole result: {path.read_bytes()[:200]!r}"
        assert path.name == f"{ASSIGNMENT}.json"
        found[path.parent.name] = document
    return found


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """(class folder, {student: kind}, out folder, the finished command) for the class of 20."""
    photos_or_skip()
    folder = shared_folder(tmp_path_factory, "classrun-graded")
    submitted, out = folder / "submitted", folder / "out"
    with once(folder):  # the first test worker grades; any other reads its outputs
        if not (folder / "done.json").exists():
            shutil.rmtree(submitted, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            kinds = make_class(submitted, STUDENTS)
            done = run_grade(submitted, "--jobs", 2, "--out", out)
            (folder / "done.json").write_text(json.dumps(
                {"kinds": kinds, "returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}))
        saved = json.loads((folder / "done.json").read_text())
    return submitted, saved["kinds"], out, saved


def test_class_writes_every_output(graded_class):
    submitted, kinds, out, run = graded_class
    assert run["returncode"] == 0, run["stderr"][-3000:]
    results = results_in(out)
    assert sorted(results) == sorted(kinds), "one result per submission"
    assert len({document["run_id"] for document in results.values()}) == 1
    for student, document in results.items():
        notebook = submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert document["notebook"] == f"{student}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        assert document["content_sha256"] == classrun.sha256_of(notebook)
        assert document["grader"]["chapter"] == "ch03"
    assert not list((out / "students").rglob("*.tmp")), "a temporary file was left behind"
    gradescope = json.loads((out / "results.json").read_text())
    reports = [report.ChapterReport.from_dict(document["report"]) for document in results.values()]
    assert gradescope["score"] == pytest.approx(sum(item.score for item in reports))
    assert len(gradescope["tests"]) == sum(len(item.results) for item in reports)
    summary = (out / "summary.txt").read_text()
    assert summary.strip() in run["stdout"], "the summary printed is the one written"
    # Each student's feedback page, the class summary linking them all, the students × checks CSV.
    assert sorted(page.stem for page in (out / "feedback").glob("*.html")) == sorted(kinds)
    page = (out / "feedback" / f"{sorted(kinds)[0]}.html").read_text()
    assert "<script" not in page and all(result.name in page for result in reports[0].results)
    overview = (out / "summary.html").read_text()
    assert all(f'href="feedback/{student}.html"' in overview for student in kinds)
    table = exports.read_check_csv(out / "checks.csv")
    assert sorted(table.scores) == sorted(kinds)
    by_student = {student: report.ChapterReport.from_dict(document["report"]) for student, document in results.items()}
    for student, graded in by_student.items():
        assert table.scores[student]["total"] == pytest.approx(graded.score), student


def test_class_scores_by_kind(graded_class):
    _, kinds, out, _ = graded_class
    results = {student: report.ChapterReport.from_dict(document["report"])
               for student, document in results_in(out).items()}
    for student, kind in kinds.items():
        graded = results[student]
        if kind == "good":
            assert graded.status == "full marks", (student, report.format_details(graded))
        elif kind == "blank":
            assert graded.score == 0 and graded.status == "not attempted", student
        elif kind in ("partial", "hostile"):
            assert 0 < graded.score < graded.max_score, (student, report.format_details(graded))
        else:  # broken: an upload cut off (nothing runs) or a SyntaxError (that cell's functions missing)
            assert graded.score < graded.max_score
            said = " ".join(graded.notes)
            assert "not a readable notebook" in said or "SyntaxError" in said, (student, said)
    cut_off = [student for student, kind in kinds.items()
               if kind == "broken" and "not a readable notebook" in " ".join(results[student].notes)]
    assert cut_off and all(classrun.failed_to_grade(results[student]) for student in cut_off)


def test_class_progress_and_summary(graded_class):
    _, kinds, _, run = graded_class
    lines = [line for line in run["stderr"].splitlines() if line.startswith("[")]
    assert len(lines) == STUDENTS, run["stderr"][-3000:]   # stderr is a pipe: plain lines, no bar
    assert lines[-1].startswith(f"[{STUDENTS}/{STUDENTS}] ")
    assert {line.split("] ", 1)[1].split(":", 1)[0] for line in lines} == set(kinds)
    kind_counts = {kind: list(kinds.values()).count(kind) for kind in set(kinds.values())}
    failed = kind_counts["broken"] // 2   # every other broken notebook is cut off: nothing of it runs
    assert (f"{STUDENTS} submissions of {STUDENTS} students: {STUDENTS} graded, 0 skipped by resume, "
            f"{kind_counts['good']} full marks, {kind_counts['blank']} not attempted, {failed} failed to grade"
            ) in run["stdout"]
    assert "wall time" in run["stdout"]
    for student in kinds:
        assert any(line.startswith(student + " ") for line in run["stdout"].splitlines()), student


def _descendants(pid: int) -> list:
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).children(recursive=True)
    return []


def _still_running(processes, marker: str) -> list[str]:
    """Those of ``processes`` still alive, and any process whose command line holds ``marker``."""
    import psutil

    left = [f"{process.pid} {process.name()}" for process in processes
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE]
    for process in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if marker in " ".join(process.info["cmdline"] or []) and process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{process.pid} {' '.join(process.info['cmdline'])[:200]}")
    return left


def test_killed_run_resumes_each_submission_once(graded_class, tmp_path):
    submitted, kinds, _, _ = graded_class
    out = tmp_path / "out"
    first = subprocess.Popen(grade_command(submitted, "--jobs", 2, "--out", out), cwd=REPO, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers, deadline = [], time.monotonic() + 240
    try:
        # Half-way: some results written, and a student's worker running right now.
        while time.monotonic() < deadline and first.poll() is None:
            done = len(classrun.existing_results(out))
            workers = _descendants(first.pid)
            if 3 <= done < STUDENTS - 3 and workers:
                break
            time.sleep(0.02)
        assert first.poll() is None, "the run ended before it could be killed"
        assert workers and 3 <= done < STUDENTS - 3, (done, workers)
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # No student's worker outlives the grader (bubblewrap's --die-with-parent).
    left = _still_running(workers, str(submitted))
    for _ in range(50):
        if not left:
            break
        time.sleep(0.1)
        left = _still_running(workers, str(submitted))
    assert not left, f"left running after the grader was killed: {left}"
    before = results_in(out)  # every file named like a result is a whole one
    assert 0 < len(before) < STUDENTS
    assert list((out / classrun.WORK).iterdir()), "the killed run's work folders stay in DIR/.work, not in /tmp"
    saved = {student: (out / "students" / student / f"{ASSIGNMENT}.json").read_bytes() for student in before}
    (first_run,) = {document["run_id"] for document in before.values()}

    again = run_grade(submitted, "--jobs", 2, "--out", out, "--resume")
    assert again.returncode == 0, again.stderr[-3000:]
    after = results_in(out)
    assert sorted(after) == sorted(kinds)
    assert not list((out / "students").rglob("*.tmp")), "the killed run's temporary files were not cleared"
    for student in before:  # untouched: same bytes, same run
        assert (out / "students" / student / f"{ASSIGNMENT}.json").read_bytes() == saved[student], student
    rest = {student: document for student, document in after.items() if student not in before}
    (second_run,) = {document["run_id"] for document in rest.values()}
    assert second_run != first_run
    assert f"{len(rest)} graded, {len(before)} skipped by resume" in again.stdout
    progress = [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == len(rest), "each submission graded exactly once over the two runs"
    assert not (out / classrun.WORK).exists(), "the work folders are cleared"


def test_two_runs_never_write_one_folder_at_once(graded_class, tmp_path):
    """While a run holds DIR/.lock, a second run into DIR is refused and writes nothing."""
    import fcntl

    submitted, _, _, _ = graded_class
    out = tmp_path / "out"
    out.mkdir()
    with open(out / classrun.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        second = run_grade(submitted, "--jobs", 2, "--out", out)
    assert second.returncode == 2 and "another grading run is writing to" in second.stderr
    assert sorted(path.name for path in out.iterdir()) == [classrun.LOCK]


def test_resume_grades_a_changed_notebook_again(tmp_path):
    photos_or_skip()
    submitted, out = tmp_path / "submitted", tmp_path / "out"
    kinds = make_class(submitted, students=2)   # s01-good, s02-partial
    assert run_grade(submitted, "--out", out).returncode == 0
    refused = run_grade(submitted, "--out", out)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    partial = next(student for student, kind in kinds.items() if kind == "partial")
    first = results_in(out)
    write_notebook(filled_release(ASSIGNMENT), submitted / partial / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")  # fixed
    again = run_grade(submitted, "--out", out, "--resume")
    assert again.returncode == 0, again.stderr[-3000:]
    second = results_in(out)
    assert "1 graded, 1 skipped by resume" in again.stdout
    unchanged = next(student for student in kinds if student != partial)
    assert second[unchanged] == first[unchanged]
    assert second[partial]["run_id"] != first[partial]["run_id"]
    assert second[partial]["content_sha256"] != first[partial]["content_sha256"]
    assert report.ChapterReport.from_dict(second[partial]["report"]).status == "full marks"


def test_a_class_that_cannot_be_graded_writes_nothing(tmp_path):
    make_class(tmp_path / "submitted", students=1)
    env = {**os.environ, "AUTOGRADER_SANDBOX": "require", "AUTOGRADER_BWRAP": "/bin/false"}
    refused = subprocess.run(grade_command(tmp_path / "submitted", "--out", tmp_path / "out"), cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "bubblewrap is required" in refused.stderr
    assert not (tmp_path / "out").exists()


def test_without_out_the_output_is_unchanged(tmp_path, capsys):
    photos_or_skip()
    notebook = write_notebook(filled_release(ASSIGNMENT), tmp_path / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert cli.main(["grade", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    (expected,) = grading.grade_path(tmp_path)
    assert printed == f"{report.format_details(expected)}\n\n{report.format_table([expected])}\n"
    assert str(notebook) in printed and not (tmp_path / "students").exists()


def test_lone_notebooks_get_names_from_their_paths(tmp_path):
    """Outside nbgrader's layout the student is the path relative to PATH, `/` written `__`."""
    write_notebook(filled_release(ASSIGNMENT), tmp_path / "extra" / f"{ASSIGNMENT}.ipynb")
    write_notebook(filled_release(ASSIGNMENT), tmp_path / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (tmp_path / "notes.ipynb").write_text("{}")
    planned = {(item.student, item.assignment) for session in classrun.plan(tmp_path)
               for item in session.submissions}
    assert planned == {("extra__ch03_data_quality.ipynb", ASSIGNMENT), ("bob", ASSIGNMENT),
                       ("notes.ipynb", "unknown__notes")}


def test_every_class_output_names_a_student_as_the_class_run_does(tmp_path):
    """A lone notebook is one student under one name in the result files, the feedback pages, the class
    summary and the CSV (the class run passes its names to each writer)."""
    from autograder.result import passed

    lone = str(tmp_path / "late" / f"{ASSIGNMENT}.ipynb")
    layout = str(tmp_path / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    reports = [report.ChapterReport("ch03", "t", submission, [passed("check_count_photos", 1, "right")])
               for submission in (lone, layout)]
    students = {lone: "late__ch03_data_quality.ipynb", layout: "bob"}
    (tmp_path / "out").mkdir()
    written = classrun._write_class_outputs(reports, tmp_path / "out", "summary", students)
    assert sorted(path.name for path in written) == sorted(
        ["results.json", "summary.txt", "bob.html", "late__ch03_data_quality.ipynb.html", "summary.html", "checks.csv"])
    overview = (tmp_path / "out" / "summary.html").read_text()
    assert 'href="feedback/late__ch03_data_quality.ipynb.html"' in overview and 'href="feedback/bob.html"' in overview
    assert sorted(exports.read_check_csv(tmp_path / "out" / "checks.csv").scores) == sorted(students.values())
