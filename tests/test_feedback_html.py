"""The student's feedback: figures captured by the worker, read back with suspicion, and the HTML pages."""
from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from PIL import Image

from autograder import feedback_html, grading, worker
from autograder.chapters import get_chapter
from autograder.notebook import CodeCell
from autograder.report import ChapterReport
from autograder.result import CheckResult

from .conftest import REPO, filled_release, photos_or_skip, write_notebook

SCRIPT = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_bytes(colour="red", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def data_uris(page: str) -> list[bytes]:
    return [base64.b64decode(found) for found in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def report(chapter="ch03", submission="submitted/alice/ch03_data_quality/ch03_data_quality.ipynb", **fields):
    results = fields.pop("results", [
        CheckResult("check_count_photos", 1, 1, "passed", "count_photos found the right counts."),
        CheckResult("check_balance_ratio", 0, 1, "failed", "balance_ratio returned 2.0, expected 0.6.",
                    "Divide the smallest count by the largest."),
        CheckResult("check_hidden_ratio", 0, 2, "failed", "on three more counts it was wrong.", "Try ties.",
                    visible=False),
        CheckResult("check_checklist", 0, 1, "not attempted", "`checklist` still raises NotImplementedError.",
                    "Replace the raise line."),
    ])
    return ChapterReport(chapter, fields.pop("title", "A data quality audit"), submission, results, **fields)


# --- the page, from reports made by hand (fast) ------------------------------------------------------

def test_page_shows_each_check_its_status_points_message_and_a_hint_only_when_not_passed():
    page = feedback_html.render_student_page("alice", [report(notes=["models trained by the grader on CPU"])])
    for name, status, points in [("check_count_photos", "passed", "1 / 1 points"),
                                 ("check_balance_ratio", "failed", "0 / 1 points"),
                                 ("check_hidden_ratio", "failed", "0 / 2 points"),
                                 ("check_checklist", "not attempted", "0 / 1 points")]:
        block = re.search(rf'<div class="check [^"]+">\s*<h4><span class="status">{status}</span>{name}.*?</div>',
                          page, re.S)
        assert block and points in block[0], name
    assert "balance_ratio returned 2.0, expected 0.6." in page and "Divide the smallest count by the largest." in page
    assert page.count("hidden check") == 1 and "on three more counts it was wrong." in page
    assert "1 / 5 points" in page and "models trained by the grader on CPU" in page
    passed_only = report(results=[CheckResult("check_a", 1, 1, "passed", "fine.", "a hint nobody needs")])
    assert "a hint nobody needs" not in feedback_html.render_student_page("alice", [passed_only])


def test_every_string_from_student_code_is_escaped_and_nothing_loads_or_runs():
    hostile = report(submission=f"submitted/{SCRIPT}/ch03_data_quality/{SCRIPT}.ipynb",
                     results=[CheckResult(SCRIPT, 0, 1, "failed", f"found {SCRIPT}", f'hint "{SCRIPT}"', False)],
                     notes=[f"{SCRIPT}: ValueError: {SCRIPT}"], title=SCRIPT,
                     figures=[{"cell": f'{SCRIPT}" onerror="alert(1)', "png": png_bytes()}])
    page, summary = feedback_html.render_student_page(SCRIPT, [hostile]), feedback_html.render_class_summary([hostile])
    # the name (heading and title), the chapter title, the path (twice), the check, its message and hint, the
    # note (twice), the figure label (alt text and caption): all shown, all escaped
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 12
    assert "script&gt;</a>" in summary  # the student: the last part of the folder name "<script>alert(1)</script>"
    for page in (page, summary):
        assert "<script" not in page.lower() and '" onerror="' not in page
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), "nothing may load from outside the page"
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_figures_are_inline_pictures_with_their_cell_and_forged_ones_are_not_shown():
    first, second = png_bytes("red"), png_bytes("blue", (20, 20))
    page = feedback_html.render_student_page("alice", [report(figures=[
        {"cell": "plot_cell", "png": first}, {"cell": "cell 12", "png": second},
        {"cell": "forged", "png": b"GIF89a not a png"}])])
    assert data_uris(page) == [first, second]
    assert "Drawn by <code>plot_cell</code>" in page and "Drawn by <code>cell 12</code>" in page
    assert "forged" not in page
    assert "Your figures" not in feedback_html.render_student_page("alice", [report()])


def test_students_are_told_apart_by_nbgrader_folder_or_by_file_name():
    """The pages name students as the per-check CSV does (exports.student_ids)."""
    grouped = feedback_html.by_student([report(), report(submission="/hand-ins/bob.ipynb")])
    assert sorted(grouped) == ["alice", "bob"]
    names = feedback_html.page_names(["alice", "../../etc/passwd", "a b", "a_b", ".hidden", ""])
    assert names["alice"] == "alice.html" and len(set(names.values())) == 6
    assert all(re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.html", name) for name in names.values()), names


def test_write_feedback_pages_writes_one_page_per_student_and_a_linked_summary(tmp_path):
    reports = [report(), report(chapter="ch04", title="Loading", results=[CheckResult("check_a", 2, 2, "passed", "ok")],
                                submission="submitted/alice/ch04_loading/ch04_loading.ipynb"),
               report(submission="submitted/bob/ch03_data_quality/ch03_data_quality.ipynb")]
    written = feedback_html.write_feedback_pages(reports, tmp_path / "feedback")
    assert sorted(path.name for path in written) == ["alice.html", "bob.html"]
    assert sorted(os.listdir(tmp_path / "feedback")) == ["alice.html", "bob.html"], "no partial file is left behind"
    alice = (tmp_path / "feedback" / "alice.html").read_text(encoding="utf-8")
    assert "ch03" in alice and "ch04" in alice and "3 / 7 points over 2 chapters" in alice
    summary_path = feedback_html.write_class_summary(reports, tmp_path / "feedback" / "index.html")
    summary = Path(summary_path).read_text(encoding="utf-8")
    assert '<a href="alice.html">alice</a>' in summary and '<a href="bob.html">bob</a>' in summary
    bob_row = re.search(r"<tr><td><a href=\"bob.html\">.*?</tr>", summary)[0]
    assert "1 / 5 (graded)" in bob_row and "&mdash;" in bob_row, "bob has no ch04 report"


# --- the worker saves the student's figures, the grader reads them back with suspicion (fast) --------

def test_the_worker_saves_each_open_figure_once_and_again_only_when_it_changed(tmp_path):
    captured = {}
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.plot([1, 2, 3])
    worker.capture_figures(tmp_path, 0, captured, 10)
    worker.capture_figures(tmp_path, 1, captured, 10)  # unchanged: not saved again
    axes.set_title("changed")
    worker.capture_figures(tmp_path, 2, captured, 10)
    saved = sorted(os.listdir(tmp_path / worker.FIGURES))
    assert saved == [worker.figure_name(0, figure.number), worker.figure_name(2, figure.number)]
    assert plt.fignum_exists(figure.number), "capture leaves the figure open for the cells after it"
    with Image.open(tmp_path / worker.FIGURES / saved[0]) as picture:
        assert picture.format == "PNG" and picture.size == (4 * worker.FIGURE_DPI, 3 * worker.FIGURE_DPI)
    huge = plt.figure(figsize=(200, 100))
    worker.capture_figures(tmp_path, 3, captured, 10)
    with Image.open(tmp_path / worker.FIGURES / worker.figure_name(3, huge.number)) as picture:
        assert max(picture.size) <= worker.FIGURE_MAX_PIXELS
    for extra in range(worker.FIGURE_LIMIT + 3):
        plt.figure().gca().plot([extra, 0])
    worker.capture_figures(tmp_path, 4, captured, 10)
    assert len(list((tmp_path / worker.FIGURES).glob("*.png"))) == worker.FIGURE_LIMIT


def item_with_figures(tmp_path, cells=3) -> grading._Item:
    item = grading._Item(tmp_path / "alice.ipynb", get_chapter("ch03"), tmp_path / "inputs", tmp_path / "out",
                         cells=[CodeCell(f"cell {number}", "") for number in range(cells)])
    (item.out / worker.FIGURES).mkdir(parents=True)
    return item


def test_the_grader_keeps_only_real_small_pngs_of_cells_that_ran(tmp_path):
    item = item_with_figures(tmp_path)
    folder = item.out / worker.FIGURES
    good = png_bytes()
    (folder / "000-1.png").write_bytes(good)
    (folder / "001-1.png").write_bytes(PNG_SIGNATURE + b"forged: the signature and nothing else")
    (folder / "001-2.png").write_bytes(good + b"\0" * worker.FIGURE_MAX_BYTES)  # over the size cap
    (folder / "002-1.png").symlink_to(folder / "000-1.png")  # a link could point at the grader's private files
    os.mkfifo(folder / "002-2.png")  # a pipe would block a plain open()
    (folder / "009-1.png").write_bytes(good)  # no such cell
    (folder / "<img src=x onerror=alert(1)>.png").write_bytes(good)
    figures = grading._read_figures(item)
    assert figures == [{"cell": "cell 0", "png": good}]
    assert len(item.notes) == 4, "three notes, then a count: six files were left out"
    assert item.notes[-1] == "3 more files in the figures folder were left out"
    assert all(note.startswith("a file was left out of your figures") for note in item.notes[:3])


def test_the_grader_reads_at_most_the_figure_limit_and_never_fails(tmp_path):
    item = item_with_figures(tmp_path, cells=1)
    for number in range(worker.FIGURE_LIMIT + 2):
        (item.out / worker.FIGURES / worker.figure_name(0, number)).write_bytes(png_bytes((number * 10, 0, 0)))
    assert len(grading._read_figures(item)) == worker.FIGURE_LIMIT
    assert any(f"more than the {worker.FIGURE_LIMIT} shown" in note for note in item.notes)
    replaced = item_with_figures(tmp_path / "replaced")
    (replaced.out / worker.FIGURES).rmdir()
    (replaced.out / worker.FIGURES).symlink_to(tmp_path)
    assert grading._read_figures(replaced) == [] and "folder was replaced" in replaced.notes[0]
    empty = item_with_figures(tmp_path / "none")
    (empty.out / worker.FIGURES).rmdir()
    assert grading._read_figures(empty) == [] and empty.notes == []


# --- one real notebook through the batch grader (slow) -----------------------------------------------

# A student who solved chapter 3, then drew their own figure in a cell of their own, and a hostile cell
# (its grade_id and its error are markup) that draws too and forges a "PNG" in the worker's out folder.
HOSTILE_CELL = f"""
import json, os, sys
out = json.load(open(sys.argv[-1]))[0]["out"]  # the worker's job file names the chapter's out folder
os.makedirs(os.path.join(out, "figures"), exist_ok=True)
with open(os.path.join(out, "figures", "000-77.png"), "wb") as forged:
    forged.write(b"\\x89PNG\\r\\n\\x1a\\n" + b"not a picture")
plt.figure(figsize=(3, 2))
plt.plot([1, 2, 3])
raise ValueError("{SCRIPT}")
"""


def code_cell(source: str, grade_id: str | None = None) -> dict:
    metadata = {"nbgrader": {"grade_id": grade_id}} if grade_id else {}
    return {"cell_type": "code", "execution_count": None, "id": f"extra-{abs(hash(source)) % 10**8}",
            "metadata": metadata, "outputs": [], "source": source}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    photos_or_skip()
    notebook = filled_release("ch03_data_quality")
    notebook["cells"] += [code_cell("figure = plot_class_counts({'daisy': 3, 'roses': 5, 'tulips': 4})\nplt.show()\n",
                                    "my_class_counts"),
                          code_cell(HOSTILE_CELL, SCRIPT)]
    folder = tmp_path_factory.mktemp("submitted")
    path = write_notebook(notebook, folder / "alice" / "ch03_data_quality" / "ch03_data_quality.ipynb")
    result = grading.grade(path)
    pages = feedback_html.write_feedback_pages([result], folder / "feedback")
    return result, pages[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_graded_notebook_brings_back_the_students_own_figures(graded):
    result, _ = graded
    assert result.status == "full marks", "the extra cells change no check"
    assert [figure["cell"] for figure in result.figures] == [
        "my_class_counts", SCRIPT, "plot_class_counts, called by the check check_plot_class_counts"], \
        "the student's two figures, once each, then what plot_class_counts drew for the visible check " \
        "(and nothing for the hidden one, whose inputs are the grader's)"
    for figure in result.figures:
        assert 2_000 < len(figure["png"]) <= worker.FIGURE_MAX_BYTES
        with Image.open(io.BytesIO(figure["png"])) as picture:
            assert picture.format == "PNG"
    with Image.open(io.BytesIO(result.figures[0]["png"])) as picture:
        assert picture.size == (7 * worker.FIGURE_DPI, 4 * worker.FIGURE_DPI)  # plot_class_counts' figsize
    assert "a file was left out of your figures: 000-77.png is not a PNG picture" in result.notes
    assert f"{SCRIPT}: ValueError: {SCRIPT}" in result.notes


@pytest.mark.slow
def test_its_page_shows_every_check_the_figures_and_no_markup_from_the_student(graded):
    result, page = graded
    for check in result.results:
        assert feedback_html._escape(check.name) in page and feedback_html._escape(check.message) in page
    assert data_uris(page) == [figure["png"] for figure in result.figures]
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.slow
def test_its_page_holds_nothing_of_the_hidden_tests_or_the_kits_answers(graded):
    _, page = graded
    secret_files = sorted(REPO.glob("autograder/chapters/*/hidden.py")) + sorted(REPO.glob("autograder/chapters/*/reference.py"))
    assert secret_files
    for path in secret_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 20:
                assert line not in page and feedback_html._escape(line) not in page, (path.name, line)
