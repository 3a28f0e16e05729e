"""Feedback a student reads: one self-contained HTML page per student, and a class summary.

A page holds, per chapter, the score, then every check (passed, failed or not attempted, its points,
its message, and its hint when it did not pass; hidden checks are marked hidden), then the figures the
student's own cells drew (as the batch grader saved them, :attr:`ChapterReport.figures`), then the
grader's notes. It is built from the reports alone: they hold messages and plain results, never a
hidden test's code or the held-out data, and nothing else is added here.

Messages, notes, cell labels and paths can come from student code (an error message quotes it), so
every string is HTML-escaped. Pages are self-contained: inline CSS, figures as ``data:`` URIs, no
scripts and no links outside the page, with a Content-Security-Policy that forbids both anyway.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from .files import write_atomically
from .report import ChapterReport

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Nothing may load or run: styles are inline, pictures are data URIs.
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.45; color: #222; background: #fafafa; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
section.chapter { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 1.25rem 1rem;
                  margin: 1.25rem 0; }
h2 .score { float: right; font-weight: normal; }
.check { border-left: 5px solid #999; padding: 0.25rem 0.75rem; margin: 0.6rem 0; background: #f6f6f6; }
.check.passed { border-color: #2e7d32; }
.check.failed { border-color: #c62828; }
.check.not-attempted { border-color: #9e9e9e; }
.check h4 { margin: 0.2rem 0; font-size: 1rem; }
.status { font-weight: bold; text-transform: uppercase; font-size: 0.8rem; margin-right: 0.4rem; }
.passed .status { color: #2e7d32; } .failed .status { color: #c62828; } .not-attempted .status { color: #616161; }
.points { float: right; font-weight: normal; }
.tag { font-size: 0.75rem; border: 1px solid #888; border-radius: 3px; padding: 0 0.3rem; margin-left: 0.4rem;
       font-weight: normal; }
.message, .hint { white-space: pre-wrap; margin: 0.3rem 0; }
.hint { color: #5d4037; }
.submission, .muted { color: #666; font-size: 0.9rem; }
figure { margin: 0.75rem 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; } th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
td.full { background: #e8f5e9; } td.none { background: #f5f5f5; }
"""
STATUS_WORDS = {"passed": "passed", "failed": "failed", "not attempted": "not attempted"}


def _escape(value) -> str:
    return html.escape(str(value), quote=True)


def _points(value: float) -> str:
    return f"{value:g}"


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body><main>",
        *body,
        "</main></body>",
        "</html>",
        "",
    ])


# --- one student's page ------------------------------------------------------------------------------

def _check_html(result) -> list[str]:
    css = result.status.replace(" ", "-") if result.status in STATUS_WORDS else "failed"
    word = STATUS_WORDS.get(result.status, result.status)
    hidden = "" if result.visible else '<span class="tag">hidden check</span>'
    lines = [f'<div class="check {css}">',
             f'<h4><span class="status">{_escape(word)}</span>{_escape(result.name)}{hidden}'
             f'<span class="points">{_points(result.points)} / {_points(result.max_points)} points</span></h4>',
             f'<p class="message">{_escape(result.message)}</p>']
    if result.hint and not result.passed:
        lines.append(f'<p class="hint"><strong>Hint:</strong> {_escape(result.hint)}</p>')
    lines.append("</div>")
    return lines


def _figures_html(figures: list[dict]) -> list[str]:
    shown = [figure for figure in figures
             if isinstance(figure.get("png"), bytes) and figure["png"].startswith(PNG_SIGNATURE)]
    if not shown:
        return []
    lines = ["<h3>Your figures</h3>",
             '<p class="muted">What your code drew as the grader ran it: your own cells, and your plotting '
             "functions on each visible check's inputs. No check reads these pictures: plots are judged by "
             "what their axes hold.</p>"]
    for figure in shown:
        label = _escape(figure.get("cell", ""))
        data = base64.b64encode(figure["png"]).decode("ascii")
        lines += ["<figure>",
                  f'<img src="data:image/png;base64,{data}" alt="a figure drawn by {label}">',
                  f"<figcaption>Drawn by <code>{label}</code></figcaption>",
                  "</figure>"]
    return lines


def _chapter_html(report: ChapterReport) -> list[str]:
    lines = [f'<section class="chapter" id="{_anchor(report)}">',
             f'<h2>{_escape(report.chapter)} &middot; {_escape(report.title)}'
             f'<span class="score">{_points(report.score)} / {_points(report.max_score)} points '
             f'({_escape(report.status)})</span></h2>',
             f'<p class="submission">Submission: <code>{_escape(report.submission)}</code></p>']
    if report.status == "full marks":
        lines.append("<p>Every check passed. Well done!</p>")
    elif report.status == "not attempted":
        lines.append("<p>This chapter is not attempted yet: each function still raises "
                     "<code>NotImplementedError</code>.</p>")
    lines.append("<h3>Checks</h3>")
    for result in report.results:
        lines += _check_html(result)
    lines += _figures_html(report.figures)
    if report.notes:
        lines += ["<h3>Notes from the grader</h3>", "<ul>",
                  *(f'<li class="message">{_escape(note)}</li>' for note in report.notes), "</ul>"]
    lines.append("</section>")
    return lines


def _anchor(report: ChapterReport) -> str:
    return "chapter-" + re.sub(r"[^A-Za-z0-9_-]", "_", report.chapter)


def render_student_page(student: str, reports: list[ChapterReport]) -> str:
    """One student's feedback page: a short summary, then each chapter's checks, figures and notes."""
    score = sum(report.score for report in reports)
    max_score = sum(report.max_score for report in reports)
    body = [f"<h1>Feedback for {_escape(student)}</h1>",
            f"<p>{_points(score)} / {_points(max_score)} points over {len(reports)} "
            f"chapter{'s' if len(reports) != 1 else ''}. Each check below says what it tried, what it found "
            "and, when it did not pass, one hint for what to try next.</p>"]
    if len(reports) > 1:
        body += ["<ul>", *(f'<li><a href="#{_anchor(report)}">{_escape(report.chapter)} {_escape(report.title)}'
                           f"</a>: {_points(report.score)} / {_points(report.max_score)}</li>" for report in reports),
                 "</ul>"]
    for report in reports:
        body += _chapter_html(report)
    return _page(f"Feedback for {student}", body)


# --- students and their pages -----------------------------------------------------------------------

def by_student(reports: list[ChapterReport], students: dict[str, str] | None = None) -> dict[str, list[ChapterReport]]:
    """Reports grouped by student, students sorted by name, each one's chapters in order. Students are
    named as in the per-check CSV (:func:`exports.student_ids`: nbgrader's layout, or the notebook's path),
    or by ``students`` (submission -> student), as the class run names them."""
    from .exports import student_ids

    grouped: dict[str, list[ChapterReport]] = {}
    for student, report in zip(student_ids(reports, students), reports):
        grouped.setdefault(student, []).append(report)
    return {student: sorted(grouped[student], key=lambda report: report.chapter) for student in sorted(grouped)}


def page_names(students) -> dict[str, str]:
    """A safe, distinct file name per student (``alice.html``): letters, digits, ``.``, ``_`` and ``-``
    only, never starting with a dot; two names that read the same once cleaned get ``-2``, ``-3``."""
    names, taken = {}, set()
    for student in sorted(students):
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", student).lstrip(".")[:100] or "student"
        name, number = f"{stem}.html", 2
        while name.lower() in taken:
            name, number = f"{stem}-{number}.html", number + 1
        taken.add(name.lower())
        names[student] = name
    return names


def write_feedback_pages(reports: list[ChapterReport], out_dir: Path, students: dict[str, str] | None = None) -> list[Path]:
    """Write ``out_dir/<student>.html`` for every student in ``reports``; return the paths written."""
    out_dir = Path(out_dir)
    grouped = by_student(reports, students)
    names = page_names(grouped)
    written = []
    for student, own in grouped.items():
        path = out_dir / names[student]
        write_atomically(path, render_student_page(student, own))
        written.append(path)
    return written


# --- the class summary -------------------------------------------------------------------------------

def render_class_summary(reports: list[ChapterReport], pages: str = "", students: dict[str, str] | None = None) -> str:
    """A table, one row per student and one column per chapter (score / max and status), each student
    linked to their page: ``pages`` is the pages' folder relative to the summary ("" for the same one)."""
    grouped = by_student(reports, students)
    names = page_names(grouped)
    chapters = sorted({report.chapter for report in reports})
    header = "".join(f"<th>{_escape(chapter)}</th>" for chapter in chapters)
    rows = []
    for student, own in grouped.items():
        cells = []
        for chapter in chapters:
            mine = [report for report in own if report.chapter == chapter]
            if not mine:
                cells.append('<td class="none">&mdash;</td>')
                continue
            css = "full" if all(report.status == "full marks" for report in mine) else ""
            text = "<br>".join(f"{_points(report.score)} / {_points(report.max_score)} ({_escape(report.status)})"
                               for report in mine)
            cells.append(f'<td class="{css}">{text}</td>')
        total = f"{_points(sum(report.score for report in own))} / {_points(sum(report.max_score for report in own))}"
        rows.append(f'<tr><td><a href="{_escape(pages + names[student])}">{_escape(student)}</a></td>'
                    f"{''.join(cells)}<td>{total}</td></tr>")
    body = ["<h1>Class summary</h1>",
            f"<p>{len(grouped)} student{'s' if len(grouped) != 1 else ''}; each name links to that student's "
            "feedback page.</p>",
            f"<table><thead><tr><th>student</th>{header}<th>total</th></tr></thead>",
            "<tbody>", *rows, "</tbody></table>"]
    return _page("Class summary", body)


def write_class_summary(reports: list[ChapterReport], path: Path, pages: str = "",
                        students: dict[str, str] | None = None) -> Path:
    """Write :func:`render_class_summary` to ``path`` (atomically) and return it."""
    path = Path(path)
    write_atomically(path, render_class_summary(reports, pages, students))
    return path
