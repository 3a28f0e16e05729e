"""The batch grader's scores as a spreadsheet: one row per student, one column per check.

Layout of the CSV that :func:`write_check_csv` writes (every number is points; ``chNN`` is a chapter key)::

    student,    ch03:check_a, ch03:check_b, ch03:total, ch04:check_c, ch04:total, total
    max points, 2,            3,            5,          4,            4,          9
    alice,      2,            0,            2,          4,            4,          6
    bob,        2,            3,            5,          ,             ,           5

* Row 1 names the columns: ``student``, then each chapter's checks (``<chapter>:<check name>``, in the
  order the chapter grades them) followed by that chapter's ``<chapter>:total``, chapters in key order,
  and last the grand ``total``.
* Row 2 is always the maximum points of each column; its first cell reads ``max points`` (a label, not a
  student: readers take the second row as the maxima whatever it says).
* Then one row per student, sorted by student id.
* A chapter a student did not hand in leaves its cells empty, never 0, so that "not handed in" and
  "scored nothing" stay apart (a not-attempted notebook that was handed in scores 0). The grand total
  adds the chapters the student handed in; its maximum is that of the whole course.

The student comes from nbgrader's layout ``<student>/<assignment>/<notebook>.ipynb`` (the folder two levels
above the notebook, as the gradebook reads it). A notebook outside that layout is its own row, named by
its path without the ``.ipynb``, relative to the folder the outside-layout notebooks share
(``alice.ipynb``, or ``week1/alice`` beside ``week2/alice``).

Pure over the reports: nothing is graded or read here; the file is written whole or not at all.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from .files import write_atomically
from .gradebook import submission_ids
from .report import ChapterReport

STUDENT_COLUMN = "student"
MAX_LABEL = "max points"
GRAND_TOTAL = "total"


@dataclass(frozen=True)
class CheckTable:
    """A per-check CSV read back: its columns (without ``student``), their maxima and each student's
    points (``None`` for an empty cell: a chapter not handed in)."""
    columns: list[str]
    max_points: dict[str, float]
    scores: dict[str, dict[str, float | None]]


def check_column(chapter: str, check: str) -> str:
    return f"{chapter}:{check}"


def total_column(chapter: str) -> str:
    return f"{chapter}:{GRAND_TOTAL}"


def student_ids(reports: list[ChapterReport], students: dict[str, str] | None = None) -> list[str]:
    """The student of each report, in the reports' order (see the module's docstring); ``students``
    (submission -> student) names them instead, as the class run does (``autograder/classrun.py``)."""
    if students is not None:
        return [students[report.submission] for report in reports]
    ids = [submission_ids(report) for report in reports]
    outside = [PurePath(report.submission) for report, found in zip(reports, ids) if found is None]
    try:
        base = PurePath(os.path.commonpath([str(path.parent) for path in outside])) if outside else None
    except ValueError:  # absolute and relative paths mixed: each keeps its path as given
        base = None
    students = []
    for report, found in zip(reports, ids):
        if found is not None:
            students.append(found[0])
        else:
            path = PurePath(report.submission)
            relative = path.relative_to(base) if base is not None else path
            students.append(relative.with_suffix("").as_posix() if relative.suffix == ".ipynb" else relative.as_posix())
    return students


def _number(value: float) -> str:
    """Points as a spreadsheet reads them: ``2``, ``1.5``; sums rounded to 6 decimals (no 0.30000000000000004)."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def check_table(reports: list[ChapterReport], students: dict[str, str] | None = None
                ) -> tuple[list[str], dict[str, float], dict[str, dict[str, float]]]:
    """The table the CSV holds: ``(columns, max_points, scores)``; a student's missing chapter is absent
    from their scores. Raises ValueError when one student has the same chapter twice, or when the same
    check has different maxima in two reports (an out-of-date release graded beside a current one)."""
    names = student_ids(reports, students)
    by_chapter: dict[str, list[tuple[str, ChapterReport]]] = {}
    for student, report in zip(names, reports):
        by_chapter.setdefault(report.chapter, []).append((student, report))

    columns: list[str] = []
    max_points: dict[str, float] = {}
    scores: dict[str, dict[str, float]] = {student: {} for student in names}
    for chapter in sorted(by_chapter):
        # the students in order, so that the checks' order (first seen) does not depend on the reports' order
        entries = sorted(by_chapter[chapter], key=lambda entry: (entry[0], entry[1].submission))
        seen: dict[str, str] = {}
        chapter_columns: list[str] = []
        for student, report in entries:
            if student in seen:
                raise ValueError(f"student {student!r} has chapter {chapter} twice: {seen[student]} and "
                                 f"{report.submission}; grade one of them")
            seen[student] = report.submission
            for result in report.results:
                column = check_column(chapter, result.name)
                if column not in max_points:
                    chapter_columns.append(column)
                    max_points[column] = float(result.max_points)
                elif max_points[column] != float(result.max_points):
                    raise ValueError(f"{column} is worth {max_points[column]:g} in one report and "
                                     f"{result.max_points:g} in {report.submission}; regrade with one release")
                scores[student][column] = float(result.points)
            scores[student][total_column(chapter)] = float(report.score)
        columns.extend(chapter_columns)
        columns.append(total_column(chapter))
        max_points[total_column(chapter)] = sum(max_points[column] for column in chapter_columns)
    columns.append(GRAND_TOTAL)
    max_points[GRAND_TOTAL] = sum(max_points[total_column(chapter)] for chapter in by_chapter)
    for student, row in scores.items():
        row[GRAND_TOTAL] = sum(row[total_column(chapter)] for chapter in by_chapter if total_column(chapter) in row)
    return columns, max_points, scores


def write_check_csv(reports: list[ChapterReport], path: Path, students: dict[str, str] | None = None) -> None:
    """Write the per-check CSV (layout in the module's docstring) to ``path``, atomically: a reader sees
    the old file or the new one, never half of it. ``students``: see :func:`student_ids`."""
    columns, max_points, scores = check_table(reports, students)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([STUDENT_COLUMN, *columns])
    writer.writerow([MAX_LABEL, *(_number(max_points[column]) for column in columns)])
    for student in sorted(scores):
        row = scores[student]
        writer.writerow([student, *(_number(row[column]) if column in row else "" for column in columns)])
    write_atomically(Path(path), buffer.getvalue())


def read_check_csv(path: Path) -> CheckTable:
    """A CSV of :func:`write_check_csv` read back (row 2 taken as the maxima, whatever its label)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2 or not rows[0] or rows[0][0] != STUDENT_COLUMN:
        raise ValueError(f"{path}: not a per-check CSV (its first row must start with {STUDENT_COLUMN!r} "
                         "and its second hold the maxima)")
    columns = rows[0][1:]
    max_points = {column: float(cell) for column, cell in zip(columns, rows[1][1:])}
    scores = {row[0]: {column: float(cell) if cell != "" else None for column, cell in zip(columns, row[1:])}
              for row in rows[2:] if row}
    return CheckTable(columns, max_points, scores)
