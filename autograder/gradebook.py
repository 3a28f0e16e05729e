"""The batch grader's scores in nbgrader's gradebook (``grade PATH --gradebook [URL]``).

What ``nbgrader autograde`` writes, written through nbgrader's own API (:class:`nbgrader.api.Gradebook`),
never with SQL of our own, so that ``nbgrader export``, formgrader and ``generate_feedback``'s totals read
the batch grader's scores as they read autograde's:

* the student, from the path: nbgrader's layout ``submitted/<student>/<assignment>/<notebook>.ipynb``;
* the submission, with the time ``nbgrader collect`` wrote in ``timestamp.txt`` beside the notebook
  (so nbgrader knows how late it was);
* each test cell's ``auto_score``, found by its ``grade_id`` (a check's name is its cell's grade id). A
  manual score a grader gave in formgrader is kept, and the cell is marked for review, as autograde does;
* the late-submission penalty of the course's ``AssignLatePenalties`` plugin (``LateSubmissionPlugin``:
  ``penalty_method = 'none'`` or ``'zero'``, or your own class), as autograde assigns it.

The assignment and its notebooks must already be in the gradebook, as ``nbgrader generate_assignment``
records them; a notebook whose test cells (names or points) differ from the batch grader's checks is
not recorded at all (its release is out of date), and said so. Grading again updates the same rows.

Settings come from the course's ``nbgrader_config.py`` in the current folder, where nbgrader itself
reads them: ``CourseDirectory.course_id``, ``CourseDirectory.db_url`` (used when ``--gradebook`` is
given without a URL) and ``AssignLatePenalties.plugin_class`` with its plugin's settings.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .report import ChapterReport

CONFIG_FILE = "nbgrader_config.py"


@dataclass
class Recorded:
    """One notebook's scores as the gradebook now holds them."""
    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    late_penalty: float | None = None


@dataclass
class Outcome:
    recorded: list[Recorded] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def nbgrader_config(config_dir: Path | None = None):
    """The course's nbgrader settings (a traitlets ``Config``; empty without ``nbgrader_config.py``).
    The file is run as nbgrader runs it; what it changes in ``os.environ`` is undone."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    folder = Path(config_dir or Path.cwd())
    if not (folder / CONFIG_FILE).is_file():
        return Config()
    saved = dict(os.environ)
    try:
        return PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def course_settings(config=None) -> tuple[str, str]:
    """``(db_url, course_id)`` from the course's settings, with nbgrader's defaults."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config if config is not None else nbgrader_config())
    return coursedir.db_url, coursedir.course_id


def database_url(text: str) -> str:
    """A SQLAlchemy URL as nbgrader takes it; a plain file path means a SQLite gradebook there."""
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def shown_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL fails later with SQLAlchemy's own message
        return url


def _missing_sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL when it does not exist (opening it would create an empty gradebook)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy says what is wrong with it when it opens it
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return None if Path(database).exists() else database


def submission_ids(report: ChapterReport) -> tuple[str, str, str] | None:
    """``(student, assignment, notebook)`` from nbgrader's layout, or None when the path is not in it."""
    from .chapters import get_chapter

    path = Path(report.submission)
    try:
        chapter = get_chapter(report.chapter)
    except KeyError:
        return None
    if path.suffix != ".ipynb" or path.parent.name not in (chapter.assignment, chapter.key) \
            or not path.parent.parent.name or path.parent.parent == path.parent:
        return None
    return path.parent.parent.name, path.parent.name, path.stem


def _timestamp(report: ChapterReport):
    """The time ``nbgrader collect`` wrote beside the notebook (``timestamp.txt``), or None."""
    from nbgrader.utils import parse_utc

    stamp = Path(report.submission).parent / "timestamp.txt"
    if not stamp.is_file():
        return None
    text = stamp.read_text().strip()
    try:
        return parse_utc(text) if text else None
    except ValueError:
        return None


def _late_plugin(config):
    from nbgrader.preprocessors import AssignLatePenalties

    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    return assigner


def record(reports: list[ChapterReport], db_url: str, course_id: str = "default_course",
           config=None) -> Outcome:
    """Write every report that sits in nbgrader's layout into the gradebook at ``db_url``."""
    from nbgrader.api import Gradebook, MissingEntry

    outcome = Outcome()
    assigner = _late_plugin(config if config is not None else nbgrader_config())
    with warnings.catch_warnings(), Gradebook(db_url, course_id) as gradebook:
        # nbgrader's add_submission builds its rows before adding them to the session, which SQLAlchemy
        # warns about on every new submission; nothing an instructor can act on
        warnings.filterwarnings("ignore", message=".*not in session, add operation along")
        for report in reports:
            ids = submission_ids(report)
            if ids is None:
                outcome.problems.append(
                    f"{report.submission}: not recorded: not in nbgrader's layout "
                    "submitted/<student>/<assignment>/<notebook>.ipynb (the student id comes from the path)")
                continue
            student, assignment, notebook = ids
            try:
                cells = {cell.name: cell.max_score for cell in gradebook.find_notebook(notebook, assignment).grade_cells
                         if cell.cell_type == "code"}
            except MissingEntry:
                outcome.problems.append(
                    f"{report.submission}: not recorded: the gradebook has no notebook {notebook!r} in assignment "
                    f"{assignment!r} (run `nbgrader generate_assignment {assignment}` with this gradebook first)")
                continue
            checks = {result.name: result.max_points for result in report.results}
            if cells != checks:
                differ = sorted(name for name in set(cells) | set(checks) if cells.get(name) != checks.get(name))
                outcome.problems.append(
                    f"{report.submission}: not recorded: the gradebook's test cells of {assignment}/{notebook} differ "
                    f"from the grader's checks ({', '.join(differ)}); regenerate the assignment from source/")
                continue
            try:
                outcome.recorded.append(_record_one(gradebook, assigner, report, student, assignment, notebook))
            except Exception as error:  # noqa: BLE001 - a database error costs this notebook, not the others
                gradebook.db.rollback()
                outcome.problems.append(f"{report.submission}: not recorded: {type(error).__name__}: {error}")
                continue
            problem = place_autograded(report, student, assignment, config)
            if problem:
                outcome.problems.append(problem)
    return outcome


BATCH_MARK = ".flowers-batch-graded"   # in an autograded/ folder this grader wrote (and may write again)


def place_autograded(report: ChapterReport, student: str, assignment: str, config=None) -> str | None:
    """Copy the graded submission to ``autograded/<student>/<assignment>/``, as ``nbgrader autograde`` leaves it.

    formgrader lists a submission as graded (Manual Grading, Manage Submissions) and ``nbgrader
    generate_feedback`` finds it only when that folder exists. The copy is the submitted folder (notebooks,
    ``timestamp.txt``) with a mark file; the notebook is not executed, the batch grader ran it in its
    sandbox. A folder that ``nbgrader autograde`` wrote (no mark) is left alone. Returns a problem, or None."""
    import shutil

    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config if config is not None else nbgrader_config())
    folder = Path(report.submission).parent
    submitted = folder.parent.parent
    if submitted.name != coursedir.submitted_directory:
        return None  # a class folder outside a course: nothing for formgrader to show
    target = submitted.parent / coursedir.autograded_directory / student / assignment
    if target.exists() and not (target / BATCH_MARK).exists():
        return (f"{report.submission}: recorded, but {target} was left as it is: `nbgrader autograde` wrote it; "
                f"remove it for formgrader to show the batch grader's copy")
    try:
        staging = target.with_name(f".{assignment}.staging")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder, staging, ignore=shutil.ignore_patterns(".ipynb_checkpoints"), symlinks=True)
        (staging / BATCH_MARK).write_text("copied here by the Flowers course kit's batch grader\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    except OSError as error:
        return f"{report.submission}: recorded, but not copied to {target}: {error}"
    return None


def _record_one(gradebook, assigner, report: ChapterReport, student: str, assignment: str,
                notebook: str) -> Recorded:
    """What ``nbgrader autograde`` writes for one notebook: its init_assignment (student, submission with
    its timestamp), SaveAutoGrades (each test cell's auto_score) and AssignLatePenalties."""
    gradebook.update_or_create_student(student)
    timestamp = _timestamp(report)
    if timestamp is not None:
        submission = gradebook.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        submission = gradebook.update_or_create_submission(assignment, student)
    for result in report.results:
        grade = gradebook.find_grade(result.name, notebook, assignment, student)
        grade.auto_score = float(result.points)
        grade.needs_manual_grade = grade.manual_score is not None
    gradebook.db.commit()
    submitted = gradebook.find_submission_notebook(notebook, assignment, student)
    submitted.late_submission_penalty = None
    if submission.total_seconds_late > 0:
        penalty = assigner.plugin_inst.late_submission_penalty(student, submitted.score, submission.total_seconds_late)
        if penalty is not None:
            submitted.late_submission_penalty = assigner._check_late_penalty(submitted, penalty)
    gradebook.db.commit()
    return Recorded(student, assignment, notebook, float(submitted.score), float(submitted.max_score),
                    submitted.late_submission_penalty)


def record_command(reports: list[ChapterReport], url: str | None) -> int:
    """The CLI's step after grading: record, print what was written, return 0 or 2 (something not recorded)."""
    import sys

    config = nbgrader_config()
    default_url, course_id = course_settings(config)
    db_url = database_url(url) if url else default_url
    missing = _missing_sqlite_file(db_url)
    if missing:
        print(f"error: no gradebook at {missing}: `nbgrader generate_assignment` creates it and records the assignment",
              file=sys.stderr)
        return 2
    try:
        outcome = record(reports, db_url, course_id, config)
    except Exception as error:  # noqa: BLE001 - a gradebook that cannot be opened: say which and why
        print(f"error: could not record grades in {shown_url(db_url)}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    students = {item.student for item in outcome.recorded}
    print(f"\nrecorded {len(outcome.recorded)} notebook(s) of {len(students)} student(s) in the gradebook "
          f"{shown_url(db_url)} (course {course_id})" + ("; `nbgrader export` lists them" if outcome.recorded else ""))
    for item in outcome.recorded:
        late = f", late penalty {item.late_penalty:g}" if item.late_penalty else ""
        print(f"  {item.student}  {item.assignment}/{item.notebook}  {item.score:g} / {item.max_score:g}{late}")
    for problem in outcome.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2 if outcome.problems else 0
