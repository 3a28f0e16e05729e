"""Grading a whole class into a folder: ``grade submitted/ --jobs N --out DIR [--resume]``.

The steps, in this order:

1. **plan**: find the notebooks under PATH and group them into sessions with
   :func:`grading.sessions` (one student's chapters share a worker). Each notebook gets a student
   and a result file. In nbgrader's layout ``submitted/<student>/<assignment>/<notebook>.ipynb`` the
   student is the folder's name; a lone notebook outside that layout is named after its path
   relative to PATH, with ``/`` written ``__`` (``late/ch03_data_quality.ipynb`` is student
   ``late__ch03_data_quality.ipynb``), so the same file always gets the same name. The result file is
   ``DIR/students/<student>/<assignment>.json`` (``<assignment>__<notebook>.json`` when the notebook is
   not named after its assignment). Then :func:`preflight`: a class that cannot be graded at all (no
   sandbox where one is required, no photos) stops here, before anything is written.
2. **resume** (``--resume`` only): a notebook is skipped when its result file reads back whole and
   holds the same ``content_sha256`` (the SHA-256 of the notebook's bytes) and the same grader
   (chapter, kit version, ``--test-dir``). A notebook that changed, or a kit that was upgraded, is
   graded again. Without ``--resume`` a DIR that already holds results is refused: two runs mixed in
   one folder by accident (another class, another version of the kit) would give a summary nobody can
   trust, and nothing is ever overwritten without being asked.
3. **grade**: ``--jobs`` sessions at a time through :func:`grading.grade_many`. As soon as a session
   ends its results are written, each atomically (a temporary file in the same folder, flushed to
   disk, then renamed over the result): a run that is killed leaves whole results or none, never half
   of one. Progress goes to stderr: one plain line per finished session, always (logs show how far a
   run got), and a tqdm bar under them when stderr is a terminal (``--progress bar`` forces it,
   ``--progress lines`` turns it off).
4. **class outputs** (:func:`_write_class_outputs`), over every result, those of earlier runs
   included: ``DIR/results.json`` (Gradescope's format), ``DIR/summary.txt`` (the table printed at
   the end), ``DIR/feedback/<student>.html`` (each student's page, :mod:`feedback_html`),
   ``DIR/summary.html`` (the class summary, linking the pages) and ``DIR/checks.csv`` (students ×
   checks, :mod:`exports`).
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import secrets
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import exports, feedback_html, grading, report, sandbox
from .core import NO_RESULT, Chapter
from .files import TEMPORARY_SUFFIX, write_atomically
from .report import ChapterReport

RESULT_FORMAT = "flowers-course-kit student result 1"
STUDENTS = "students"
FEEDBACK = "feedback"
WORK = ".work"        # the students' work folders while they are graded
LOCK = ".lock"        # held by the run writing the folder
EXIT_OK, EXIT_GRADER_FAILED = 0, 2


@dataclass
class Submission:
    """One notebook of one student, and where its result lives."""
    path: Path
    chapter: Chapter | None          # None: its chapter cannot be told from its name
    student: str
    assignment: str                  # the result file's name, without .json
    relative: str                    # the notebook's path relative to PATH
    content_sha256: str = ""
    report: ChapterReport | None = None
    resumed: bool = False
    problem: str | None = None       # the grader itself failed on it (no result file is written)
    settings: dict = field(default_factory=dict)   # grader_settings(): with the hash, what resume compares


@dataclass
class Session:
    """What one worker grades together: one student's chapters."""
    student: str
    submissions: list[Submission] = field(default_factory=list)

    @property
    def to_grade(self) -> list[Submission]:
        return [submission for submission in self.submissions if submission.report is None]


# --- plan ----------------------------------------------------------------------------------------------

def kit_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("flowers-course-kit")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _relative(path: Path, root: Path) -> Path:
    return Path(path.name) if path == root else path.relative_to(root)


def _flat(relative: Path) -> str:
    return relative.as_posix().replace("/", "__")


def _submission(path: Path, chapter: Chapter | None, root: Path) -> Submission:
    relative = _relative(path, root)
    if chapter is None:  # graded as "chapter not found": a result of its own, named after the file
        return Submission(path, None, _flat(relative), f"unknown__{path.stem}", relative.as_posix())
    folder, student = path.parent, path.parent.parent
    in_layout = folder.name in (chapter.assignment, chapter.key) and (student == root or root in student.parents)
    if in_layout:  # nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb
        name = root.resolve().name if student == root else _flat(student.relative_to(root))
        own_name = path.stem in (chapter.assignment, chapter.key)
        return Submission(path, chapter, name, chapter.assignment if own_name else f"{chapter.assignment}__{path.stem}",
                          relative.as_posix())
    return Submission(path, chapter, _flat(relative), chapter.assignment, relative.as_posix())


def plan(root: Path, chapter_name: str | None = None) -> list[Session]:
    """The class under ``root`` as sessions, in the order :func:`grading.sessions` gives them."""
    from .chapters import get_chapter

    root = Path(root)
    chapter = get_chapter(chapter_name) if chapter_name else None
    paths = grading.find_submissions(root)
    planned: list[Session] = []
    seen = set()
    for group in grading.sessions(paths, chapter):
        submissions = [_submission(path, found, root) for path, found in group]
        planned.append(Session(submissions[0].student, submissions))
        seen.update(str(path) for path, _ in group)
    for path in paths:
        if str(path) not in seen:
            unknown = _submission(path, None, root)
            planned.append(Session(unknown.student, [unknown]))
    keys: dict[tuple[str, str], str] = {}
    for session in planned:
        for submission in session.submissions:
            key = (submission.student, submission.assignment)
            if key in keys:
                raise ValueError(f"{submission.relative} and {keys[key]} would share the result file "
                                 f"{STUDENTS}/{key[0]}/{key[1]}.json: rename one of them")
            keys[key] = submission.relative
    return planned


def result_path(out_dir: Path, submission: Submission) -> Path:
    return Path(out_dir) / STUDENTS / submission.student / f"{submission.assignment}.json"


# --- result files --------------------------------------------------------------------------------------

def grader_settings(submission: Submission, test_dir: Path | None) -> dict:
    """What, besides the notebook, decides its grade: a result made under other settings is stale."""
    return {"chapter": submission.chapter.key if submission.chapter else None, "kit_version": kit_version(),
            "test_dir": str(Path(test_dir).resolve()) if test_dir else None}


def result_document(submission: Submission, run_id: str, seconds: float) -> dict:
    return {"format": RESULT_FORMAT, "student": submission.student, "assignment": submission.assignment,
            "notebook": submission.relative, "content_sha256": submission.content_sha256, "grader": submission.settings,
            "run_id": run_id, "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "grading_seconds": round(seconds, 2), "report": submission.report.as_dict()}


def read_result(path: Path) -> dict | None:
    """A result file's document, or None when it is missing or not a whole result."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != RESULT_FORMAT or "report" not in document:
        return None
    return document


def _resume(submission: Submission, out_dir: Path) -> None:
    """Take the earlier result when it is of this very notebook, graded the same way."""
    document = read_result(result_path(out_dir, submission))
    if document is None or document.get("content_sha256") != submission.content_sha256 \
            or document.get("grader") != submission.settings:
        return
    try:
        submission.report = ChapterReport.from_dict(document["report"])
    except (KeyError, TypeError, ValueError):
        return
    submission.report.submission = str(submission.path)  # where it is now: the gradebook reads timestamp.txt there
    submission.resumed = True


def existing_results(out_dir: Path) -> list[Path]:
    folder = Path(out_dir) / STUDENTS
    return sorted(folder.glob("*/*.json")) if folder.is_dir() else []


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary files of a run that was killed while writing (never read as results)."""
    folder = Path(out_dir) / STUDENTS
    if folder.is_dir():
        for leftover in folder.glob(f"*/.*{TEMPORARY_SUFFIX}"):
            leftover.unlink(missing_ok=True)


# --- progress and summary ------------------------------------------------------------------------------

def failed_to_grade(chapter_report: ChapterReport, problem: str | None = None) -> bool:
    """Nothing of the notebook ran: unreadable, unknown chapter, or the grader itself failed."""
    return problem is not None or chapter_report.chapter == "unknown" or (
        bool(chapter_report.results) and all(NO_RESULT in result.message for result in chapter_report.results))


def status_of(submission: Submission) -> str:
    return "failed to grade" if failed_to_grade(submission.report, submission.problem) else submission.report.status


def _progress_line(done: int, total: int, session: Session, seconds: float) -> str:
    parts = [f"{item.assignment} {item.report.score:g}/{item.report.max_score:g} {status_of(item)}"
             for item in session.submissions]
    return f"[{done}/{total}] {session.student}: {', '.join(parts)} ({seconds:.1f} s)"


def format_summary(submissions: list[Submission], wall_seconds: float) -> str:
    """Per student and assignment: score, status and whether this run graded it; then the counts."""
    rows = [("student", "assignment", "score", "status", "graded")]
    for item in submissions:
        rows.append((item.student, item.assignment, f"{item.report.score:g} / {item.report.max_score:g}",
                     status_of(item), "earlier run" if item.resumed else "this run"))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    statuses = [status_of(item) for item in submissions]
    resumed = sum(item.resumed for item in submissions)
    lines += ["", f"{len(submissions)} submissions of {len({item.student for item in submissions})} students: "
                  f"{len(submissions) - resumed} graded, {resumed} skipped by resume, "
                  f"{statuses.count('full marks')} full marks, {statuses.count('not attempted')} not attempted, "
                  f"{statuses.count('failed to grade')} failed to grade",
              f"wall time {wall_seconds:.1f} s"]
    return "\n".join(lines)


def _write_class_outputs(reports: list[ChapterReport], out_dir: Path, summary: str | None = None,
                         students: dict[str, str] | None = None) -> list[Path]:
    """The class-wide files, over every result of the class (earlier runs' included), each written
    atomically; returns the paths written. Another class-wide export belongs here, after these."""
    out_dir = Path(out_dir)
    results = out_dir / "results.json"
    write_atomically(results, report.results_text(reports))  # Gradescope's format, as `grade --results` writes it
    written = [results]
    if summary is not None:
        write_atomically(out_dir / "summary.txt", summary + "\n")
        written.append(out_dir / "summary.txt")
    # Each student's feedback page (their checks, hints and own figures), and the class summary linking them.
    # ``students`` (submission -> student) gives every file the class run's names, lone notebooks included.
    written += feedback_html.write_feedback_pages(reports, out_dir / FEEDBACK, students)
    written.append(feedback_html.write_class_summary(reports, out_dir / "summary.html", f"{FEEDBACK}/", students))
    try:  # one row per student, one column per check: for a spreadsheet
        exports.write_check_csv(reports, out_dir / "checks.csv", students)
        written.append(out_dir / "checks.csv")
    except ValueError as error:  # two notebooks of one chapter for one student, say: the other files stand
        print(f"warning: checks.csv not written: {error}", file=sys.stderr)
    return written


# --- the command ---------------------------------------------------------------------------------------

def _new_run_id() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _grade_session(session: Session, test_dir: Path | None,
                   work_root: Path | None = None) -> tuple[list[ChapterReport] | None, str | None, float]:
    started = time.monotonic()
    todo = session.to_grade
    graded = [item for item in todo if item.chapter is not None]
    try:
        reports = grading.grade_many([(item.path, item.chapter) for item in graded], test_dir, work_root=work_root)
    except Exception as error:  # noqa: BLE001 - the sandbox or the photos missing: this session, said why
        reason = str(error.args[0] if error.args else error)
        return None, f"the grader could not run: {reason}", time.monotonic() - started
    by_path = {report_.submission: report_ for report_ in reports}
    found = []
    for item in todo:
        if item.chapter is None:
            found.append(grading.unknown_chapter_report(item.path, grading.why_unknown(item.path)))
        else:
            found.append(by_path[str(item.path)])
    return found, None, time.monotonic() - started


def _progress_bar(total: int, initial: int, mode: str):
    from tqdm import tqdm

    show = mode == "bar" or (mode == "auto" and sys.stderr.isatty())
    return tqdm(total=total, initial=initial, unit="student", file=sys.stderr, disable=not show,
                dynamic_ncols=True)


def preflight(sessions: list[Session]) -> str | None:
    """Why no notebook of the class could be graded (no sandbox where one is required, no photos for a
    chapter graded on them), or None. Checked before any grading, so that such a run writes nothing
    rather than a "failed to grade" result for every student that --resume would then keep."""
    from . import data

    reason = sandbox.unavailable_reason() if sandbox.sandbox_mode() == "require" else None
    if reason is not None:
        return (f"bubblewrap is required (AUTOGRADER_SANDBOX=require) but cannot be used: {reason}. "
                f"{sandbox.INSTALL_HINT}")
    chapters = {item.chapter for session in sessions for item in session.submissions if item.chapter is not None}
    if any(chapter.photos or chapter.prepare_private is not None for chapter in chapters):
        try:
            data.resolve_data_dir()
        except data.FlowersDataUnavailable as error:
            return str(error.args[0] if error.args else error)
    return None


def run(args) -> int:
    """``grade PATH --out DIR``: grade, write each result at once, then the class files; 0 or 2."""
    out_dir, test_dir = Path(args.out), args.test_dir
    if args.shard is not None:
        print("error: --out grades the whole class on one machine; with --shard use --results and `gather`",
              file=sys.stderr)
        return EXIT_GRADER_FAILED
    if out_dir.exists() and not out_dir.is_dir():
        print(f"error: --out {out_dir} is a file, not a folder", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if existing_results(out_dir) and not args.resume:
        print(f"error: {out_dir} already holds the results of an earlier run: add --resume to grade only what is "
              "new or changed, or choose another --out folder", file=sys.stderr)
        return EXIT_GRADER_FAILED
    try:
        sessions = plan(args.path, args.chapter)
    except (KeyError, ValueError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if not sessions:
        print(f"error: no .ipynb or .py submission found under {args.path}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    problem = preflight(sessions)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    out_dir.mkdir(parents=True, exist_ok=True)
    with _only_run(out_dir) as busy:
        if busy:
            print(f"error: another grading run is writing to {out_dir} now: wait for it to end, or choose another "
                  "--out folder", file=sys.stderr)
            return EXIT_GRADER_FAILED
        return _run_locked(args, out_dir, test_dir, sessions)


@contextlib.contextmanager
def _only_run(out_dir: Path):
    """Yields True when another run holds ``DIR/.lock`` (two runs writing one folder would mix their results).
    The lock is the kernel's (flock): a run that is killed lets go of it."""
    import fcntl

    with open(out_dir / LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield True
            return
        yield False


def _run_locked(args, out_dir: Path, test_dir: Path | None, sessions: list[Session]) -> int:
    _remove_leftovers(out_dir)
    # The students' work folders (inputs, the held-out photos, the workers' outputs) live in DIR/.work while
    # they are graded: a run that is killed leaves them there, and the next run clears them.
    work_root = out_dir / WORK
    shutil.rmtree(work_root, ignore_errors=True)
    work_root.mkdir()
    try:
        return _grade_class(args, out_dir, test_dir, sessions, work_root)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)


def _grade_class(args, out_dir: Path, test_dir: Path | None, sessions: list[Session], work_root: Path) -> int:
    run_id, started = _new_run_id(), time.monotonic()
    everyone = [item for session in sessions for item in session.submissions]
    for item in everyone:
        item.content_sha256, item.settings = sha256_of(item.path), grader_settings(item, test_dir)
        if args.resume:
            _resume(item, out_dir)
    waiting = [session for session in sessions if session.to_grade]
    skipped = len(sessions) - len(waiting)
    print(f"grading {len(waiting)} of {len(sessions)} sessions into {out_dir} (run {run_id}, {args.jobs} at a time)"
          + (f"; {skipped} already graded there, skipped" if skipped else ""), file=sys.stderr)
    failures = 0
    with _progress_bar(len(sessions), skipped, args.progress) as bar, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(_grade_session, session, test_dir, work_root): session for session in waiting}
        for done, future in enumerate(as_completed(futures), start=skipped + 1):
            session = futures[future]
            reports, problem, seconds = future.result()
            for index, item in enumerate(session.to_grade):
                if problem is None:
                    item.report = reports[index]
                    write_atomically(result_path(out_dir, item), json.dumps(
                        result_document(item, run_id, seconds), indent=1) + "\n")
                else:  # no result file: the next --resume tries again
                    item.problem = problem
                    item.report = grading.unknown_chapter_report(item.path, problem)
            failures += problem is not None
            bar.write(_progress_line(done, len(sessions), session, seconds), file=sys.stderr)
            if problem is not None:
                bar.write(f"error: {session.student}: {problem}", file=sys.stderr)
            bar.set_postfix_str(session.student)
            bar.update(1)
    everyone.sort(key=lambda item: (item.student, item.assignment))
    reports = [item.report for item in everyone]
    summary = format_summary(everyone, time.monotonic() - started)
    written = _write_class_outputs(reports, out_dir, summary, {item.report.submission: item.student for item in everyone})
    print(summary)
    print("\nwrote " + ", ".join(str(path) for path in [out_dir / STUDENTS, *written]))
    if args.results:
        report.write_results(reports, args.results)
        print(f"wrote {args.results}")
    status = EXIT_GRADER_FAILED if failures else EXIT_OK
    if args.gradebook is not None:  # nbgrader's gradebook, every result of the class (autograder/gradebook.py)
        from . import gradebook

        recorded = gradebook.record_command([item.report for item in everyone if item.problem is None],
                                            args.gradebook or None)
        status = max(status, recorded)
    return status
