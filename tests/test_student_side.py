"""What a student installs holds no answers (the student wheel, built from ``student/``).

The student side is the part of the ``autograder`` package that a release notebook imports:
``run_check``, the data loader, the visible checks' cases, probes and judges, and the visible checks'
answers as data. References, hidden checks, the batch grader and the sandbox are the grader side.
These tests read the wheel as a student would, and run the release notebooks with nothing else.
"""
from __future__ import annotations

import ast
import dataclasses
import fnmatch
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import answers
from autograder.chapters import CHAPTER_MODULES, get_chapter

from .conftest import REPO

PATTERNS = [line.strip() for line in (REPO / "student" / "files.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
GRADER_SIDE = ["autograder/__main__.py", "autograder/cli.py", "autograder/course.py", "autograder/evaluator.py",
               "autograder/grading.py", "autograder/notebook.py", "autograder/publish.py", "autograder/report.py",
               "autograder/sandbox.py", "autograder/worker.py", "autograder/chapters/full.py", "autograder/kernel.py",
               "autograder/bundles.py", "autograder/pytest_plugin.py", "autograder/shards.py", "autograder/withheld.py",
               "autograder/gradebook.py", "autograder/nbgrader_steps.py", "autograder/classrun.py", "autograder/exports.py", "autograder/files.py",
               "autograder/feedback_html.py",
               "autograder/chapters/ch*/reference.py", "autograder/chapters/ch*/hidden.py"]
# Grader modules a student module may import inside a function, on the grader route only.
LAZY_GRADER_IMPORTS = {("autograder/nbcheck.py", "autograder.evaluator")}


def _matches(relative: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)


def student_files() -> list[str]:
    return sorted(path.relative_to(REPO).as_posix() for path in (REPO / "autograder").rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts and _matches(path.relative_to(REPO).as_posix(),
                                                                                     PATTERNS))


def test_every_module_is_on_one_side():
    for path in sorted((REPO / "autograder").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        sides = [_matches(relative, PATTERNS), _matches(relative, GRADER_SIDE)]
        assert sides.count(True) == 1, f"{relative}: list it in student/files.txt or in this test's GRADER_SIDE"


def _imports(path: Path) -> list[tuple[str, bool]]:
    """``(module, at module level)`` for every import of an autograder module in ``path``."""
    package = ".".join(path.relative_to(REPO).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + ".__init__"
    tree = ast.parse(path.read_text())
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:-node.level]
                base = ".".join(parent + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
            for name in [base, *names]:
                if name.startswith("autograder"):
                    found.append((name, id(node) in top))
        elif isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names if alias.name.startswith("autograder")]
    return found


def _module_file(name: str) -> str | None:
    path = REPO / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate.relative_to(REPO).as_posix()
    return None  # a name imported from a module, not a module


def test_student_modules_never_import_the_grader_side():
    for relative in student_files():
        if not relative.endswith(".py"):
            continue
        for name, top_level in _imports(REPO / relative):
            target = _module_file(name)
            if target is None or _matches(target, PATTERNS):
                continue
            assert not top_level and (relative, name) in LAZY_GRADER_IMPORTS, f"{relative} imports {name}"


@pytest.fixture(scope="session")
def wheel(student_wheel) -> Path:
    return student_wheel


def _wheel_texts(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
                if not name.endswith(".npz")}


def test_the_wheel_holds_the_student_files_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = sorted(name for name in archive.namelist() if ".dist-info/" not in name)
    assert names == student_files()
    assert not [name for name in names if name.endswith(("reference.py", "hidden.py", "grading.py", "sandbox.py"))]


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def solution_lines() -> dict[str, list[str]]:
    """Every non-trivial line between the solution markers of source/, by chapter: 20 characters or more
    (spaces aside), not a comment, and not shown to students anywhere in the release notebooks (a line of
    given code or of the text, such as `metrics=["accuracy"])`, gives nothing away)."""
    shown = " ".join(_spaced(cell.source) for path in (REPO / "release").glob("*/*.ipynb")
                     for cell in nbformat.read(path, as_version=4).cells)
    found = {}
    for path in sorted((REPO / "source").glob("*/*.ipynb")):
        lines, inside = [], False
        for cell in nbformat.read(path, as_version=4).cells:
            for line in cell.source.splitlines():
                text = line.strip()
                if text.startswith("### BEGIN SOLUTION"):
                    inside = True
                elif text.startswith("### END SOLUTION"):
                    inside = False
                elif (inside and len(re.sub(r"\s", "", text)) >= 20 and not text.startswith("#")
                      and _spaced(text) not in shown):
                    lines.append(text)
        found[path.stem] = lines
    return found


def test_no_solution_line_is_in_the_wheel(wheel):
    texts = {name: _spaced(text) for name, text in _wheel_texts(wheel).items()}
    lines = solution_lines()
    assert sum(map(len, lines.values())) > 100, "the solution markers were not found"
    for chapter, chapter_lines in lines.items():
        for line in chapter_lines:
            wanted = _spaced(line)
            holders = [name for name, text in texts.items() if wanted in text]
            assert not holders, f"{chapter}'s solution line {line!r} is in {holders}"


def _hidden_checks():
    return [(key, check) for key in CHAPTER_MODULES for check in get_chapter(key).checks if not check.visible]


def test_no_hidden_check_is_in_the_wheel(wheel):
    hidden = _hidden_checks()
    assert len(hidden) > 20
    for name, text in _wheel_texts(wheel).items():
        assert "HIDDEN_" not in text, name
        for key, check in hidden:
            assert check.grade_id not in text, f"{name} names the hidden check {check.grade_id}"


def test_no_student_module_holds_a_hidden_case():
    hidden = [(key, check) for key, check in _hidden_checks() if check.case is not None]
    visible_cases = [check.case for key in CHAPTER_MODULES for check in get_chapter(key).checks if check.visible]
    for relative in student_files():
        if not relative.endswith(".py") or relative.endswith("__main__.py"):
            continue
        module = importlib.import_module(relative[:-3].replace("/", ".").removesuffix(".__init__"))
        for value in vars(module).values():
            if not dataclasses.is_dataclass(value) or isinstance(value, type):
                continue
            for key, check in hidden:
                if value == check.case and value not in visible_cases:
                    pytest.fail(f"{relative} holds the case of {key}'s hidden check {check.grade_id}")


def test_the_shipped_answers_are_the_visible_checks_and_only_those():
    for key in CHAPTER_MODULES:
        shipped = answers.read(answers.FOLDER, key)
        visible = {check.grade_id for check in get_chapter(key).checks if check.visible}
        assert set(shipped) == visible, key


def _same(a, b, where: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), where
        for name in a:
            _same(a[name], b[name], f"{where}.{name}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, np.generic, float)) and not isinstance(a, (bool, np.bool_)):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape and a.dtype.kind == b.dtype.kind, where
        assert np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True), where
    else:
        assert a == b, where


COMPARE = """
import json, sys
from autograder import answers
from autograder.chapters import full
from tests.test_student_side import _same
key = sys.argv[1]
_same(full.compute_answers(key), answers.read(answers.FOLDER, key), key)
print("same")
"""


@pytest.mark.slow
@pytest.mark.parametrize("key", CHAPTER_MODULES)
def test_the_shipped_answers_are_what_the_reference_computes_now(key, photos):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    if key == "ch08":
        env["TF_USE_LEGACY_KERAS"] = "1"
    run = subprocess.run([sys.executable, "-c", COMPARE, key], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0 and "same" in run.stdout, \
        f"{run.stderr[-2500:]}\nthe answers of {key} are stale: run `make generate` and commit autograder/answers/"


def stubs() -> dict[str, dict[str, list[str]]]:
    """``{assignment: {stub name: parameter names}}`` from the functions of source/ that hold a solution."""
    found = {}
    for path in sorted((REPO / "source").glob("*/*.ipynb")):
        functions = {}
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "### BEGIN SOLUTION" not in cell.source:
                continue
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            for node in ast.parse(source).body:
                if isinstance(node, ast.FunctionDef):
                    functions[node.name] = [arg.arg for arg in node.args.args]
        found[path.stem] = functions
    return found


def _public_functions():
    for relative in student_files():
        if not relative.endswith(".py"):
            continue
        module = importlib.import_module(relative[:-3].replace("/", ".").removesuffix(".__init__"))
        for name, value in vars(module).items():
            if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", value


@pytest.mark.parametrize("key", [k for k in CHAPTER_MODULES if k != "ch08"])
def test_no_function_of_the_student_side_answers_a_hidden_check(key, tmp_path):
    """Called with a stub's arguments by name, no public function of the student side passes a hidden check
    of that stub. (Chapter 8's checks need tf-keras in a process of their own: see the next test.)"""
    from autograder.core import Status, expected_answer, observe, score

    chapter = get_chapter(key)
    chapter.prepare(tmp_path)
    tried = 0
    for stub, parameters in stubs()[chapter.assignment].items():
        for name, function in _public_functions():
            accepted = inspect.signature(function).parameters
            if not set(parameters) <= set(accepted) or any(
                    p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in accepted.values()):
                continue
            tried += 1

            def by_name(*args, _function=function, _parameters=parameters):
                return _function(**dict(zip(_parameters, args)))
            for check in chapter.checks:
                if check.visible or check.function != stub or check.also:
                    continue
                observation = observe(check, {stub: by_name}, tmp_path)
                if observation.status is Status.OK:
                    result = score(check, observation, expected_answer(check, tmp_path))
                    assert not result.passed, f"{name} passes {check.grade_id}"
    if key == "ch04":  # the kit's photo loader takes load_split's arguments by name: it must have been tried
        assert tried, "no candidate was tried"


def test_no_function_of_the_student_side_takes_a_chapter_8_stub_s_arguments():
    parameters = stubs()["ch08_explainability"]
    assert parameters
    for stub, names in parameters.items():
        for name, function in _public_functions():
            accepted = inspect.signature(function).parameters
            assert not set(names) <= set(accepted), f"{name} takes the arguments of {stub}"


STUDENT_ONLY = """\
import importlib.util, autograder
assert "site-packages" in autograder.__file__, autograder.__file__
assert importlib.util.find_spec("autograder.grading") is None, "the grader side is importable"
assert importlib.util.find_spec("autograder.chapters.ch04.reference") is None
"""


@pytest.fixture(scope="module")
def student_venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the student wheel and the course's libraries, nothing of this clone:
    the libraries come from this environment's site-packages through a path entry (whose .pth files,
    among them the editable install of this repository, are not read)."""
    venv = tmp_path_factory.mktemp("student-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    import sysconfig
    (purelib / "course-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                          "--disable-pip-version-check", "--target", str(purelib), str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    kernel = venv / "share" / "jupyter" / "kernels" / "flowers-student"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Flowers (student wheel)", "language": "python"}))
    return venv


def _run_notebook(path: Path, venv: Path, workdir: Path) -> list[dict]:
    """Execute ``path`` in the student venv's kernel; return one entry per visible check cell."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(STUDENT_ONLY))
    env = {**os.environ, "JUPYTER_PATH": str(venv / "share" / "jupyter"), "MPLBACKEND": "Agg",
           "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    old = dict(os.environ)
    os.environ.update(env)
    try:
        NotebookClient(notebook, kernel_name="flowers-student", timeout=900, allow_errors=True,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    first = notebook.cells[0]
    assert not [o for o in first.get("outputs", []) if o.get("output_type") == "error"], first.outputs
    checks = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and "run_check(" in cell.source:
            text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                           if o.get("output_type") == "stream" and o.get("name") == "stdout")
            errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", [])
                      if o.get("output_type") == "error"]
            checks.append({"source": cell.source, "text": text, "errors": errors})
    return checks


@pytest.mark.slow
@pytest.mark.parametrize("assignment", [get_chapter(key).assignment for key in CHAPTER_MODULES])
def test_release_notebooks_run_their_visible_checks_with_the_student_wheel_alone(assignment, student_venv,
                                                                               tmp_path, photos):
    """The answer key passes every visible check; the blank release gets "not attempted" on every one."""
    answer_key = _run_notebook(REPO / "solutions" / assignment / f"{assignment}.ipynb", student_venv, tmp_path)
    assert answer_key, "no visible check cell ran"
    for check in answer_key:
        assert "Passed (" in check["text"] and "Not checked here" not in check["text"] and not check["errors"], check
    blank = _run_notebook(REPO / "release" / assignment / f"{assignment}.ipynb", student_venv, tmp_path)
    assert len(blank) == len(answer_key)
    for check in blank:
        assert any("not attempted" in error for error in check["errors"]), check
