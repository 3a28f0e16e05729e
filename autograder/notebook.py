"""Read a submission (an .ipynb notebook or a percent-format .py script) into
the list of code cells the worker runs.

Test cells (nbgrader grade cells that are not solution cells, or ``# %%`` cells
tagged ``[check]``) are left out: the batch grader runs its own checks. So are
cells tagged ``demo``: they only show the student's functions at work on the
real photos, which the sandbox does not hold. IPython
syntax (``%magic``, ``!shell``) is commented out so plain Python can run it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


class SubmissionError(ValueError):
    """The file is not a notebook or script the grader can read."""


@dataclass(frozen=True)
class CodeCell:
    label: str      # the cell's grade_id or position, for messages
    source: str


def _is_test_cell(cell: dict) -> bool:
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def _is_demo_cell(cell: dict) -> bool:
    return "demo" in ((cell.get("metadata") or {}).get("tags") or [])


def _plain_python(source: str) -> str:
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "pass  # IPython only: " + stripped
        lines.append(line)
    return "\n".join(lines)


def _source_text(source) -> str:
    if isinstance(source, list):
        return "".join(str(part) for part in source)
    if isinstance(source, str):
        return source
    raise SubmissionError("a cell's source is neither text nor a list of lines")


def cells_from_notebook(path: Path) -> list[CodeCell]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError(f"{Path(path).name} is not a readable notebook ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise SubmissionError(f"{Path(path).name} is not a Jupyter notebook: it has no list of cells")
    cells = []
    for position, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or _is_test_cell(cell) or _is_demo_cell(cell):
            continue
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        label = meta.get("grade_id") or f"cell {position + 1}"
        cells.append(CodeCell(str(label), _plain_python(_source_text(cell.get("source", "")))))
    return cells


CELL_MARKER = re.compile(r"^# %%(.*)$")


def cells_from_script(path: Path) -> list[CodeCell]:
    """Percent-format script, as in ``assignments/``: cells start with ``# %%``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SubmissionError(f"{Path(path).name} could not be read ({error})") from error
    cells, header, lines = [], "", []

    def flush():
        if lines and not any(tag in header for tag in ("[markdown]", "[check]", "[demo]")):
            cells.append(CodeCell(header.strip() or f"cell {len(cells) + 1}", _plain_python("\n".join(lines))))

    for line in text.splitlines():
        match = CELL_MARKER.match(line)
        if match:
            flush()
            header, lines = match.group(1), []
        else:
            lines.append(line)
    flush()
    return cells


def read_submission(path: Path) -> list[CodeCell]:
    path = Path(path)
    if path.suffix == ".ipynb":
        return cells_from_notebook(path)
    if path.suffix == ".py":
        return cells_from_script(path)
    raise SubmissionError(f"{path.name}: expected a .ipynb notebook or a .py script")
