"""Generate the student-side and teacher-side folders from ``source/``.

``source/`` is the one place content is written. From it:
* ``release/``     nbgrader's own ``generate_assignment`` (solutions and hidden
                   tests removed, cells locked, checksums written);
* ``solutions/``   the answer key: source with the solution markers dropped and
                   the hidden tests removed, so it can be handed out after a deadline;
* ``assignments/`` each released notebook as a percent-format ``.py`` script
                   (``# %%`` cells), for students who work in an IDE; the batch
                   grader grades these scripts as it grades notebooks.
All three are committed; ``tests/test_course.py`` proves they match ``source/``.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATED = ("release", "solutions", "assignments")
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def assignments(root: Path = REPO) -> list[str]:
    return sorted(path.name for path in (root / "source").iterdir() if path.is_dir() and not path.name.startswith("."))


def tool_environment() -> dict:
    """nbgrader runs ``alembic`` and Jupyter kernels: the venv's bin must be on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def run_nbgrader(args: list[str], course_root: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=tool_environment(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _lines(source) -> list[str]:
    return ("".join(source) if isinstance(source, list) else source).splitlines()


def strip_for_solutions(source: str) -> str:
    kept, hidden = [], False
    for line in _lines(source):
        marker = line.strip()
        if marker.startswith(HIDDEN_BEGIN):
            hidden = True
        elif marker.startswith(HIDDEN_END):
            hidden = False
        elif not hidden and not marker.startswith(SOLUTION_MARKERS):
            kept.append(line)
    return "\n".join(kept)


def _write_notebook(notebook: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def solution_notebook(source_path: Path) -> dict:
    notebook = json.loads(source_path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell["source"] = strip_for_solutions(cell["source"])
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def percent_script(notebook: dict, origin: str) -> str:
    """A released notebook as a ``# %%`` script: markdown as comments, test cells tagged [check]."""
    parts = [f"# Generated from {origin} by `make generate`; edit the notebook in source/, not this file.\n"
             "# Work on the cells marked [solution]; run the [check] cells to test them.\n"
             "# [demo] cells need the real photos (FLOWERS_DIR) and are not graded.\n"
             "# Grade it with: python -m autograder grade THIS_FILE.py\n"]
    for cell in notebook["cells"]:
        text = "\n".join(_lines(cell["source"]))
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell["cell_type"] == "markdown":
            body = "\n".join(f"# {line}".rstrip() for line in text.splitlines())
            parts.append(f"# %% [markdown]\n{body}\n")
        elif cell["cell_type"] == "code":
            tag = ("[check]" if meta.get("grade") and not meta.get("solution") else "[solution]" if meta.get("solution")
                   else "[demo]" if "demo" in (cell.get("metadata") or {}).get("tags", []) else "")
            header = " ".join(part for part in (tag, meta.get("grade_id", "")) if part)
            parts.append(f"# %% {header}".rstrip() + f"\n{text}\n")
    return "\n".join(parts)


def generate(out_root: Path = REPO, source_root: Path = REPO, only: list[str] | None = None) -> list[Path]:
    """Regenerate release/, solutions/ and assignments/ under ``out_root``; return the files written.

    ``only`` limits the work to some assignments (by name or chapter key, ``ch05``); the
    others' generated files are left as they are."""
    written = []
    names = assignments(source_root)
    if only:
        unknown = [name for name in only if not any(a == name or a.startswith(f"{name}_") for a in names)]
        if unknown:
            raise KeyError(f"no assignment called {', '.join(unknown)} in source/ (known: {', '.join(names)})")
        names = [a for a in names if any(a == name or a.startswith(f"{name}_") for name in only)]
    with tempfile.TemporaryDirectory(prefix="flowers-course-") as course:
        course = Path(course)
        shutil.copytree(source_root / "source", course / "source")
        shutil.copy(source_root / "nbgrader_config.py", course / "nbgrader_config.py")
        for folder in GENERATED:
            if only:
                for name in names:
                    shutil.rmtree(out_root / folder / name, ignore_errors=True)
            else:
                shutil.rmtree(out_root / folder, ignore_errors=True)
        for name in names:
            run_nbgrader(["generate_assignment", name, "--force", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url=sqlite:///{course / 'gradebook.db'}"], course)
            for released in sorted((course / "release" / name).glob("*.ipynb")):
                notebook = json.loads(released.read_text(encoding="utf-8"))
                target = out_root / "release" / name / released.name
                _write_notebook(notebook, target)
                script = out_root / "assignments" / name / f"{released.stem}.py"
                script.parent.mkdir(parents=True, exist_ok=True)
                script.write_text(percent_script(notebook, f"source/{name}/{released.name}"), encoding="utf-8")
                written += [target, script]
            for source_path in sorted((source_root / "source" / name).glob("*.ipynb")):
                target = out_root / "solutions" / name / source_path.name
                _write_notebook(solution_notebook(source_path), target)
                written.append(target)
    return written
