"""Grading reports: the per-chapter table and Gradescope's results.json."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .result import CheckResult


@dataclass
class ChapterReport:
    chapter: str             # "ch04"
    title: str
    submission: str
    results: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False

    @property
    def score(self) -> float:
        return sum(result.points for result in self.results)

    @property
    def max_score(self) -> float:
        return sum(result.max_points for result in self.results)

    @property
    def status(self) -> str:
        if self.results and all(result.status == "not attempted" for result in self.results):
            return "not attempted"
        if self.results and all(result.passed for result in self.results):
            return "full marks"
        return "graded"


def format_table(reports: list[ChapterReport]) -> str:
    rows = [("chapter", "submission", "score", "status")]
    for report in reports:
        rows.append((f"{report.chapter} {report.title}", report.submission,
                     f"{report.score:g} / {report.max_score:g}", report.status))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_details(report: ChapterReport) -> str:
    lines = [f"{report.chapter} {report.title}: {report.submission} "
             f"({report.score:g} / {report.max_score:g}, {report.status})"]
    for result in report.results:
        kind = "visible" if result.visible else "hidden"
        lines.append(f"  [{result.status:^13}] {result.points:g}/{result.max_points:g}  {result.name} ({kind})")
        lines.append(f"      {result.message}")
        if result.hint and not result.passed:
            lines.append(f"      Hint: {result.hint}")
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines)


def gradescope_results(reports: list[ChapterReport]) -> dict:
    """Gradescope's results.json: total score and one test per check.

    Hidden checks are published with the grades ("after_published"), so a
    student sees their message, never their code.
    """
    tests = []
    for report in reports:
        for result in report.results:
            output = result.message + (f"\nHint: {result.hint}" if result.hint and not result.passed else "")
            tests.append({
                "name": f"{report.chapter} {result.name}",
                "score": result.points,
                "max_score": result.max_points,
                "status": "passed" if result.passed else "failed",
                "output": output,
                "visibility": "visible" if result.visible else "after_published",
            })
    notes = [f"{report.chapter}: {note}" for report in reports for note in report.notes]
    return {
        "score": sum(report.score for report in reports),
        "output": "\n".join(notes) if notes else "Graded by the Flowers course kit.",
        "tests": tests,
    }


def write_results(reports: list[ChapterReport], path: Path) -> None:
    Path(path).write_text(json.dumps(gradescope_results(reports), indent=2) + "\n")
