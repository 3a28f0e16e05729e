"""The generated folders match source/, and nothing a student receives leaks an answer."""
from __future__ import annotations

import filecmp
import re

import pytest

from autograder import course
from autograder.chapters import all_chapters, get_chapter

from .conftest import REPO, load_notebook, nbgrader_meta


def _files(root):
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


@pytest.mark.slow
def test_generated_folders_are_in_sync_with_source(tmp_path):
    course.generate(out_root=tmp_path)
    for folder in course.GENERATED:
        committed, fresh = REPO / folder, tmp_path / folder
        assert _files(committed) == _files(fresh), f"{folder}/ has other files than `make generate` makes"
        for relative in _files(fresh):
            assert filecmp.cmp(committed / relative, fresh / relative, shallow=False), \
                f"{folder}/{relative} differs from what source/ generates: run `make generate` and commit"


def _source_notebooks():
    return sorted((REPO / "source").glob("*/*.ipynb"))


def _region_lines(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip().startswith(begin):
            inside = True
        elif line.strip().startswith(end):
            inside = False
        elif inside and len(line.strip()) > 12:  # short lines ("continue", "else:") prove nothing
            lines.append(line.strip())
    return lines


def _outside_solutions(source: str) -> str:
    kept, inside = [], False
    for line in source.splitlines():
        if line.strip().startswith("### BEGIN SOLUTION"):
            inside = True
        elif line.strip().startswith("### END SOLUTION"):
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


@pytest.mark.parametrize("source_path", _source_notebooks(), ids=lambda p: p.parent.name)
def test_release_and_assignments_leak_no_solution_or_hidden_test(source_path):
    secrets, public = [], []
    for cell in load_notebook(source_path)["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        secrets += _region_lines(text, "### BEGIN SOLUTION", "### END SOLUTION")
        secrets += _region_lines(text, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
        public.append(course.strip_for_solutions(text) if "HIDDEN" in text else _outside_solutions(text))
    # A line the lesson also shows in the open (a tool named in the text) is no secret.
    secrets = [line for line in secrets if line not in "\n".join(public)]
    assert secrets, "the source notebook should have solution and hidden-test regions"
    name = source_path.parent.name
    for student_file in [*(REPO / "release" / name).rglob("*"), *(REPO / "assignments" / name).rglob("*")]:
        if not student_file.is_file():
            continue
        text = student_file.read_text(encoding="utf-8")
        assert not re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)", text)
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{student_file.relative_to(REPO)} contains answer or hidden-test lines: {leaked[:3]}"


@pytest.mark.parametrize("chapter", all_chapters(), ids=lambda c: c.key)
def test_notebook_test_cells_match_the_chapter_checks(chapter):
    """One nbgrader test cell per check, same grade_id, same points: both graders total alike."""
    cells = load_notebook(REPO / "source" / chapter.assignment / f"{chapter.assignment}.ipynb")["cells"]
    test_cells = {nbgrader_meta(cell)["grade_id"]: cell for cell in cells
                  if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution")}
    assert set(test_cells) == {check.grade_id for check in chapter.checks}
    for check in chapter.checks:
        cell = test_cells[check.grade_id]
        assert nbgrader_meta(cell)["points"] == check.points, check.grade_id
        source = "".join(cell["source"])
        arguments = ", ".join((check.function, *check.also))
        assert f'run_check("{chapter.key}", "{check.grade_id}", {arguments})' in source, check.grade_id
        assert ("### BEGIN HIDDEN TESTS" in source) == (not check.visible), check.grade_id
    solution_ids = {nbgrader_meta(cell)["grade_id"] for cell in cells if nbgrader_meta(cell).get("solution")}
    assert {check.function for check in chapter.checks} <= solution_ids


@pytest.mark.parametrize("chapter", all_chapters(), ids=lambda c: c.key)
def test_stubs_keep_signature_docstring_and_return(chapter):
    released = load_notebook(REPO / "release" / chapter.assignment / f"{chapter.assignment}.ipynb")
    stubs = {nbgrader_meta(cell)["grade_id"]: "".join(cell["source"]) for cell in released["cells"]
             if nbgrader_meta(cell).get("solution")}
    for function in {check.function for check in chapter.checks}:
        stub = stubs[function]
        assert stub.startswith(f"def {function}("), function
        assert '"""' in stub and "Returns" in stub, f"{function} lost its docstring"
        assert "raise NotImplementedError()" in stub
        assert "\n    return " in stub, f"{function} lost its return line"


def test_chapter_lookup_by_key_or_assignment():
    assert get_chapter("ch04") is get_chapter("ch04_loading")
    with pytest.raises(KeyError, match="known chapters"):
        get_chapter("ch99")


def test_percent_script_marks_cells():
    script = (REPO / "assignments" / "ch04_loading" / "ch04_loading.py").read_text()
    assert "# %% [solution] load_split" in script
    assert "# %% [check] check_load_split" in script
    assert "# %% [demo]" in script
