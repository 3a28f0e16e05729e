"""A made-up class in nbgrader's layout, for tests, demos and the benchmark.

``make_class(root, students=20)`` writes ``root/<student>/<assignment>/<assignment>.ipynb`` with a
``timestamp.txt`` beside each notebook, as ``nbgrader collect`` leaves ``submitted/``, and returns
``{student: kind}``. Every notebook is built from what the repository already holds, so none of its
code is written twice:

* ``good``: the release with the answer key filled in (``filled_release``): full marks;
* ``blank``: the release as handed out: 0, every check "not attempted";
* ``partial``: the good notebook plus a last cell with one wrong function from
  ``tests/fixtures/<chapter>/wrong_check_*.py``: some checks lost;
* ``broken``: a notebook cut off half-way (not JSON), or the good notebook with a SyntaxError in
  its first solution cell;
* ``hostile``: the good notebook with a quick hostile snippet of ``tests/hostile/<chapter>/``
  appended to the solution cell it attacks (none of the snippets that hang, sleep or fork: each would
  cost a whole time limit).

Students take their kinds in a fixed cycle of ten, so a class of 20 has 6 good, 2 blank, 4 partial,
4 broken and 4 hostile notebooks, and the same arguments always give the same class.

From the command line::

    python -m tests.sample_class DEST [--students N] [--assignments ch03_data_quality ch04_loading]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .conftest import FIXTURES, REPO, filled_release, load_notebook, nbgrader_meta, write_notebook

HOSTILE = Path(__file__).resolve().parent / "hostile"
# One cycle of ten students: the kind of each, in order.
CYCLE = ("good", "partial", "good", "blank", "broken", "hostile", "partial", "broken", "hostile", "good")
# Hostile snippets that finish in seconds: (file in tests/hostile/<chapter>/, the solution cell it joins).
QUICK_HOSTILE = {
    "ch03": (("nan", "balance_ratio"), ("sys_exit", "balance_ratio"), ("patch_numpy", "balance_ratio"),
             ("always_equal", "checklist"), ("wrong_signature", "balance_ratio"),
             ("not_a_function", "find_unreadable")),
}
# A chapter without snippets of its own gets this cell: the interpreter asked to leave mid-notebook.
GENERIC_HOSTILE = "import sys\nsys.exit('the notebook asks the grader to stop')\n"
TIMESTAMP = "2029-12-31 12:00:00.000000 UTC"   # nbgrader collect's format


def _chapter(assignment: str):
    from autograder.chapters import get_chapter

    return get_chapter(assignment)


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _code_cell(source: str, cell_id: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {}, "outputs": [],
            "source": source}


def _solution_cell(notebook: dict, grade_id: str | None = None) -> dict:
    """The solution cell with this grade id (None: the first solution cell)."""
    for cell in notebook["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and (grade_id is None or meta.get("grade_id") == grade_id):
            return cell
    raise KeyError(grade_id)


def _partial(assignment: str, turn: int) -> dict:
    chapter = _chapter(assignment)
    wrong = sorted((FIXTURES / chapter.key).glob("wrong_check_*.py"))
    notebook = filled_release(assignment)
    notebook["cells"].append(_code_cell(wrong[turn % len(wrong)].read_text(encoding="utf-8"), "wrong-fixture"))
    return notebook


def _hostile(assignment: str, turn: int) -> dict:
    chapter = _chapter(assignment)
    notebook = filled_release(assignment)
    snippets = QUICK_HOSTILE.get(chapter.key)
    if not snippets:
        notebook["cells"].append(_code_cell(GENERIC_HOSTILE, "hostile"))
        return notebook
    name, grade_id = snippets[turn % len(snippets)]
    cell = _solution_cell(notebook, grade_id)
    cell["source"] = f"{_source(cell)}\n\n{(HOSTILE / chapter.key / f'{name}.py').read_text(encoding='utf-8')}"
    return notebook


def _write_broken(assignment: str, turn: int, path: Path) -> None:
    notebook = filled_release(assignment)
    if turn % 2 == 0:  # an upload cut off half-way: not JSON at all
        text = json.dumps(notebook, indent=1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        return
    cell = _solution_cell(notebook)  # a colon left out: the whole cell fails to compile
    cell["source"] = "def half_written(counts)\n    return counts\n\n" + _source(cell)
    write_notebook(notebook, path)


def write_submission(kind: str, assignment: str, turn: int, path: Path) -> None:
    """One notebook of this kind at ``path``; ``turn`` picks among the variants of the kind."""
    if kind == "broken":
        _write_broken(assignment, turn, path)
        return
    builders = {"good": lambda: filled_release(assignment),
                "blank": lambda: load_notebook(REPO / "release" / assignment / f"{assignment}.ipynb"),
                "partial": lambda: _partial(assignment, turn),
                "hostile": lambda: _hostile(assignment, turn)}
    write_notebook(builders[kind](), path)


def make_class(root: Path, students: int = 20, assignments=("ch03_data_quality",)) -> dict[str, str]:
    """Write a class of ``students`` in nbgrader's layout under ``root``; return ``{student: kind}``.

    ``assignments`` are assignment names or chapter keys (``ch03`` or ``ch03_data_quality``); each
    student hands in every one, all of the same kind."""
    root = Path(root)
    names = [_chapter(name).assignment for name in assignments]
    kinds = {}
    for index in range(students):
        kind = CYCLE[index % len(CYCLE)]
        student = f"s{index + 1:02d}-{kind}"
        turn = index // len(CYCLE) * CYCLE.count(kind) + CYCLE[: index % len(CYCLE)].count(kind)  # n-th of this kind
        for assignment in names:
            path = root / student / assignment / f"{assignment}.ipynb"
            write_submission(kind, assignment, turn, path)
            (path.parent / "timestamp.txt").write_text(TIMESTAMP + "\n")
        kinds[student] = kind
    return kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sample_class", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="the folder to write the class in (nbgrader's submitted/)")
    parser.add_argument("--students", type=int, default=20, help="how many students (default 20)")
    parser.add_argument("--assignments", nargs="+", default=["ch03_data_quality"],
                        help="assignments each student hands in (default ch03_data_quality)")
    args = parser.parse_args(argv)
    kinds = make_class(args.dest, args.students, args.assignments)
    counts = {kind: list(kinds.values()).count(kind) for kind in dict.fromkeys(CYCLE)}
    print(f"wrote {len(kinds)} students in {args.dest}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
