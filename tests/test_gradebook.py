"""The batch grader's scores in nbgrader's gradebook (`grade PATH --gradebook [URL]`, autograder/gradebook.py).

A class of three in nbgrader's layout (`submitted/<student>/ch03_data_quality/ch03_data_quality.ipynb`): the
answer key, the blank release and one wrong submission. The class is graded once by the batch grader (the
expensive part, shared by the module); each gradebook, SQLite and a throwaway PostgreSQL server, then gets
the course's assignment from `nbgrader generate_assignment` and the scores through the `grade` command, and
`nbgrader export` must show the batch grader's totals. Recording again updates the same rows."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from autograder import cli, course, grading
from autograder import gradebook as kit_gradebook
from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, filled_release, load_notebook, photos_or_skip, write_notebook

pytestmark = pytest.mark.slow
CHAPTER = get_chapter("ch03")   # its worker does not import TensorFlow
NAME = CHAPTER.assignment
WRONG_FIXTURE = FIXTURES / "ch03" / "wrong_check_balance_ratio.py"
PG_INSTALL = "apt-get install -y postgresql && .venv/bin/pip install psycopg==3.3.9 psycopg-binary==3.3.9"


def _notebook_path(root: Path, student: str) -> Path:
    return root / "submitted" / student / NAME / f"{NAME}.ipynb"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The course folder (source/ and the kit's nbgrader settings, late work scored 0), the class in
    nbgrader's layout, and the batch grader's reports of it."""
    photos_or_skip()
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "source" / NAME, root / "source" / NAME)
    config = (REPO / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config + '\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    write_notebook(filled_release(NAME), _notebook_path(root, "key"))
    write_notebook(load_notebook(REPO / "release" / NAME / f"{NAME}.ipynb"), _notebook_path(root, "blank"))
    wrong = filled_release(NAME)
    wrong["cells"].append({"cell_type": "code", "execution_count": None, "id": "wrong-fixture", "metadata": {},
                           "outputs": [], "source": WRONG_FIXTURE.read_text()})
    write_notebook(wrong, _notebook_path(root, "wrong"))
    # As `nbgrader collect` leaves it: the submission time beside the notebook. "wrong" handed in late.
    for student in ("key", "blank", "wrong"):
        stamp = "2030-01-02 00:00:00.000000 UTC" if student == "wrong" else "2029-12-31 12:00:00.000000 UTC"
        (_notebook_path(root, student).parent / "timestamp.txt").write_text(stamp + "\n")
    reports = grading.grade_path(root / "submitted", jobs=2)
    return root, reports


def _start_postgres():
    """A throwaway PostgreSQL server in a temp folder, reached on a Unix socket there (no TCP port).
    Returns (url, stop) or skips with the install command."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    pg_ctl = shutil.which("pg_ctl") or (str(binaries[-1]) if binaries else None)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pg_ctl = None
    if pg_ctl is None:
        pytest.skip(f"needs PostgreSQL's pg_ctl/initdb and psycopg: {PG_INSTALL}")
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL refuses to run as root and there is no `postgres` account to run it: "
                        "`apt-get install -y postgresql` creates one")
    initdb = str(Path(pg_ctl).with_name("initdb"))
    folder = Path(tempfile.mkdtemp(prefix="flowers-pg-"))
    data, run_as = folder / "data", []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: its own account runs it
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, pg_ctl, "-D", str(data), "-w", "-l", str(folder / "log"), "-o",
                    f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c fsync=off", "start"],
                   check=True, capture_output=True)

    def stop():
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql+psycopg://postgres@/postgres?host={folder}", stop


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebook_url(request, graded_class):
    root, _ = graded_class
    if request.param == "sqlite":
        (root / "gradebook.db").unlink(missing_ok=True)
        yield None   # `--gradebook` alone: the course's CourseDirectory.db_url, sqlite:///<root>/gradebook.db
        return
    url, stop = _start_postgres()
    try:
        yield url
    finally:
        stop()


def _course_args(root: Path, url: str | None) -> list[str]:
    return [f"--CourseDirectory.root={root}", *([f"--CourseDirectory.db_url={url}"] if url else [])]


def _export(root: Path, url: str | None) -> dict[str, dict]:
    (root / "grades.csv").unlink(missing_ok=True)
    course.run_nbgrader(["export", *_course_args(root, url)], root)
    with open(root / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == NAME}


def test_batch_scores_land_in_nbgraders_gradebook(graded_class, gradebook_url, monkeypatch, capsys):
    from nbgrader.api import Gradebook

    root, reports = graded_class
    url = gradebook_url
    by_student = {Path(report.submission).parent.parent.name: report for report in reports}
    assert by_student["key"].score == CHAPTER.max_points and by_student["blank"].score == 0
    assert 0 < by_student["wrong"].score < CHAPTER.max_points

    course.run_nbgrader(["generate_assignment", NAME, "--force", *_course_args(root, url)], root)
    db_url = url or f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db_url, "flowers") as gradebook:   # the deadline, as `nbgrader db assignment add --duedate` sets it
        gradebook.update_or_create_assignment(NAME, duedate="2030-01-01 00:00:00 UTC")

    # The grade command, run from the course folder as nbgrader is; the class was graded once above.
    monkeypatch.chdir(root)
    monkeypatch.setattr(grading, "grade_path", lambda *args, **kwargs: reports)
    assert cli.main(["grade", str(root / "submitted"), *(["--gradebook", url] if url else ["--gradebook"])]) == 0
    assert "recorded 3 notebook(s) of 3 student(s)" in capsys.readouterr().out

    exported = _export(root, url)
    assert set(exported) == set(by_student)
    for student, report in by_student.items():
        row = exported[student]
        assert float(row["raw_score"]) == report.score, student
        assert float(row["max_score"]) == report.max_score == CHAPTER.max_points
        late = student == "wrong"   # a day after the deadline, under penalty_method = "zero"
        assert float(row["late_submission_penalty"]) == (report.score if late else 0.0), student
        assert float(row["score"]) == (0.0 if late else report.score), student
    with Gradebook(db_url, "flowers") as gradebook:
        for student, report in by_student.items():
            submitted = gradebook.find_submission_notebook(NAME, NAME, student)
            assert {grade.name: grade.auto_score for grade in submitted.grades if grade.cell_type == "code"} == \
                {result.name: result.points for result in report.results}

    # Grading again updates the same rows: "blank" now hands in the answer key.
    regraded = [replace(report, results=by_student["key"].results) if report is by_student["blank"] else report
                for report in reports]
    outcome = kit_gradebook.record(regraded, db_url, "flowers", kit_gradebook.nbgrader_config(root))
    assert not outcome.problems and len(outcome.recorded) == 3
    exported = _export(root, url)
    assert sorted(exported) == ["blank", "key", "wrong"]
    assert float(exported["blank"]["raw_score"]) == CHAPTER.max_points
    with Gradebook(db_url, "flowers") as gradebook:
        assert len(gradebook.students) == 3
        assert len(gradebook.find_assignment(NAME).submissions) == 3
        assert len(gradebook.find_submission_notebook(NAME, NAME, "blank").grades) == \
            len(gradebook.find_notebook(NAME, NAME).grade_cells) + len(gradebook.find_notebook(NAME, NAME).task_cells)


def test_what_cannot_be_recorded_is_said(graded_class, tmp_path):
    """A notebook outside nbgrader's layout, or one whose assignment the gradebook lacks, is not
    recorded, with the reason; the others still are."""
    root, reports = graded_class
    lone = replace(reports[0], submission=str(tmp_path / f"{NAME}.ipynb"))
    outcome = kit_gradebook.record([lone, reports[0]], f"sqlite:///{tmp_path / 'empty.db'}")
    assert outcome.recorded == []
    assert "nbgrader's layout" in outcome.problems[0]
    assert "nbgrader generate_assignment ch03_data_quality" in outcome.problems[1]


def test_a_missing_sqlite_gradebook_is_not_created(graded_class, tmp_path, monkeypatch, capsys):
    _, reports = graded_class
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(grading, "grade_path", lambda *args, **kwargs: reports)
    assert cli.main(["grade", str(tmp_path), "--gradebook", "sqlite:///gradebook.db"]) == 2
    assert "`nbgrader generate_assignment` creates it" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.db").exists()


def test_the_autograded_copy_is_written_refreshed_and_never_over_nbgraders_own(graded_class, tmp_path):
    """formgrader and `generate_feedback` need autograded/<student>/<assignment>/: the batch grader writes it
    (and rewrites its own copy on a regrade), but a folder `nbgrader autograde` wrote is left as it is."""
    root, reports = graded_class
    course_root = tmp_path / "course"
    shutil.copytree(root / "submitted", course_root / "submitted")
    moved = {Path(report.submission).parent.parent.name:
             replace(report, submission=str(course_root / "submitted" / Path(report.submission).relative_to(root / "submitted")))
             for report in reports}
    config = kit_gradebook.nbgrader_config(root)

    assert kit_gradebook.place_autograded(moved["key"], "key", NAME, config) is None
    copied = course_root / "autograded" / "key" / NAME
    assert (copied / f"{NAME}.ipynb").read_bytes() == Path(moved["key"].submission).read_bytes()
    assert (copied / "timestamp.txt").is_file() and (copied / kit_gradebook.BATCH_MARK).is_file()
    # A regrade after a resubmission refreshes the batch grader's own copy.
    Path(moved["key"].submission).write_text(Path(moved["key"].submission).read_text() + " ")
    assert kit_gradebook.place_autograded(moved["key"], "key", NAME, config) is None
    assert (copied / f"{NAME}.ipynb").read_bytes() == Path(moved["key"].submission).read_bytes()

    nbgraders = course_root / "autograded" / "wrong" / NAME
    nbgraders.mkdir(parents=True)
    (nbgraders / f"{NAME}.ipynb").write_text("executed by nbgrader autograde")
    problem = kit_gradebook.place_autograded(moved["wrong"], "wrong", NAME, config)
    assert "`nbgrader autograde` wrote it" in problem
    assert (nbgraders / f"{NAME}.ipynb").read_text() == "executed by nbgrader autograde"
    # Outside a course's submitted/ folder there is nothing to copy.
    lone = replace(reports[0], submission=str(tmp_path / "elsewhere" / "key" / NAME / f"{NAME}.ipynb"))
    assert kit_gradebook.place_autograded(lone, "key", NAME, config) is None
    assert not (tmp_path / "elsewhere").exists()
