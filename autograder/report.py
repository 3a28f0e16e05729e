"""Grading reports: the per-chapter table and Gradescope's results.json."""
from __future__ import annotations

import base64
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
    # The student's own figures, as the worker drew them: {"cell": label, "png": PNG bytes}. Plain data,
    # shown in the student's feedback page (never read as numbers by any check).
    figures: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain JSON-ready data (figures as base64), read back by :meth:`from_dict`."""
        return {"chapter": self.chapter, "title": self.title, "submission": self.submission,
                "results": [result.as_dict() for result in self.results], "notes": list(self.notes),
                "sandboxed": self.sandboxed,
                "figures": [{"cell": figure["cell"], "png": base64.b64encode(figure["png"]).decode("ascii")}
                            for figure in self.figures]}

    @classmethod
    def from_dict(cls, data: dict) -> "ChapterReport":
        return cls(data["chapter"], data["title"], data["submission"],
                   [CheckResult(**result) for result in data["results"]], list(data.get("notes", [])),
                   bool(data.get("sandboxed", False)),
                   [{"cell": figure["cell"], "png": base64.b64decode(figure["png"])}
                    for figure in data.get("figures", [])])

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


def results_text(reports: list[ChapterReport]) -> str:
    return json.dumps(gradescope_results(reports), indent=2) + "\n"


def write_results(reports: list[ChapterReport], path: Path) -> None:
    Path(path).write_text(results_text(reports))
