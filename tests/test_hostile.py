"""Hostile or broken submissions (issue 10, item 4): the survival contract, table-driven, in both graders.

Each row of ``TABLE`` is one submission: the answer key with one thing made hostile or broken, either
code from ``tests/hostile/<chapter>/<row>.py`` appended to one solution cell, a file handed in as it is
(``tests/hostile/<chapter>/<row>.ipynb`` or ``.py``), or the notebook changed by the function of the
row's name in ``TRANSFORMS``. Every row holds the survival contract:

* the grader finishes and records a complete result: every check of the chapter, in the batch
  grader's ``results.json`` and in nbgrader's gradebook, with the kit's points;
* only the checks of the functions the row names score 0, each with a clear message (a fragment is
  asserted) that shows no hidden test's source and no path of the grader's own folders; every other
  check keeps its points;
* nothing outside the grader's scratch changes: the photo folder, ``~/.keras``, the repository (its
  tracked files, the kit's package and ``source/``, the names at its root), site-packages, the course's
  ``source/`` and ``release/`` and another student's gradebook rows; no process a submission started
  outlives the grading;
* the next submission is unaffected: an answer key graded in the same run after the hostile ones gets
  full marks.

Cost: the batch grader grades each worker kind's rows in ONE ``grade_path`` call (2 students at a time,
4 s per cell and per check); nbgrader grades each course's rows in ONE ``nbgrader autograde`` (12 s per
cell), split over two courses so that two xdist workers share them (a row that stops the whole
autograde run it is in gets a second run, with an answer key after it). Chapter 3 carries most rows
(its worker does not import TensorFlow); chapter 6 the machine-learning ones, none of which reaches the
grader's training (refused, or ``build_model`` left out), so its run's witness is chapter 4's answer key.
Elsewhere already: tests/test_isolation.py (hangs and exits in cells), tests/test_trusted_training.py
(planted weights, a disabled fit), tests/test_ch06_checks.py (a 500-million-parameter model),
tests/test_ch08_checks.py (numpy and tf.keras rigged in the student's process), tests/test_withheld.py.

Known holes are rows marked ``gap`` (batch grader) or ``nb_gap`` (nbgrader), and ``nb_plain`` where only a
kernel without the sandbox lets the attack through: when the contract fails there, the test warns
(``HostileGap``, with the reason) instead of failing; a row that starts to hold passes. Rows marked
``nb_sandbox`` run under nbgrader only in the sandboxed kernel (``flowers-sandboxed``): in a plain one
they would fork, fill or rewrite the grader's own machine.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from autograder import course, grading, sandbox, worker
from autograder.chapters import get_chapter
from autograder.core import Status, score
from autograder.report import gradescope_results

from .conftest import REPO, filled_release, nbgrader_meta, photos_or_skip, write_notebook

HOSTILE = Path(__file__).resolve().parent / "hostile"
STEP = 4                        # batch grader: seconds per cell and per check
NB_TIMEOUT = 12                 # nbgrader: seconds per cell
LISTENER_PORT = 47611           # tests/hostile/ch03/network.py knocks here
MARKER = "HOSTILE-LEFTOVER"     # in the command line of tests/hostile/ch03/leftover_process.py's process
ANSWER_KEY = "zz_answer_key"    # sorted after every hostile submission: graded last
OTHER_STUDENT = "aa_other"      # nbgrader: graded by hand before the run; its gradebook rows must not change


class HostileGap(UserWarning):
    """A known hole: a row whose contract does not hold yet, for the reason its table entry gives."""


@dataclass(frozen=True)
class Row:
    name: str                    # the submission: tests/hostile/<chapter>/<name>.*, or TRANSFORMS[name]
    kind: str                    # the class of attack
    chapter: str
    cell: str | None             # the solution cell the .py file's code is appended to (None: file or transform)
    lost: tuple[str, ...] = ()   # functions (or "*": all) whose checks score 0; every other check keeps its points
    words: str = ""              # regular expression found in each lost check's message (batch grader)
    nb: str | None = None        # the same under nbgrader ("": no message to find); None: not run under nbgrader
    nb_lost: tuple[str, ...] | None = None   # what nbgrader loses, when it differs
    course: str = ""             # the nbgrader course ("a", "b") that grades the row
    second: bool = False         # nbgrader: graded by a second autograde (the row stops the run it is in)
    batch: bool = True           # graded by the batch grader
    nb_sandbox: str = ""         # nbgrader: run only in the sandboxed kernel, because it would ...
    gap: str = ""                # known hole in the batch grader: warned, not failed
    nb_gap: str = ""             # known hole under nbgrader
    nb_plain: str = ""           # known hole under nbgrader in a kernel without the sandbox


ALL = ("*",)
MALFORMED, NAMES, RESOURCES, PROCESS, TAMPERING, THEFT, ML = (
    "malformed notebook", "missing, renamed, wrong signature or type", "resource abuse", "process control",
    "tampering", "data theft", "machine-learning cheating")
SAME_KERNEL = ("nbgrader runs the test cells in the student's own kernel, so code there can rewrite what they "
               "call (run_check, the kit's checks) or how IPython runs them")
GRADER_SIDE = ("the grader side is importable where student code runs: the nbgrader kernel has each chapter's "
               "reference.py (the batch grader's worker reads autograder/withheld.py in its place)")
NOTEBOOK_DROPPED = ("nbgrader grades none of the notebook when {}: every check gets 0 and no message, not only the "
                    "affected ones")
KERNEL_DEATH = NOTEBOOK_DROPPED.format("its kernel dies or stops answering (nbclient DeadKernelError, "
                                       "CellTimeoutError on IOPub)")
PLAIN_KERNEL = "the kernel is not sandboxed: "
KILLED = r"ended the grader's worker \(it was killed\)|it ended the grader's worker in the check"

TABLE = [
    # --- malformed notebooks -------------------------------------------------------------------------------
    Row("invalid_json", MALFORMED, "ch03", None, ALL, "not a readable notebook", "not appear to be JSON", course="a"),
    Row("not_utf8", MALFORMED, "ch03", None, ALL, "could not be read"),
    Row("wrong_nbformat", MALFORMED, "ch03", None, (), "", "Unsupported nbformat version 5", ALL, "a"),
    Row("huge_outputs", MALFORMED, "ch03", None, (), "", "", course="a"),
    Row("deleted_test_cells", MALFORMED, "ch03", None, (), "", "", ("count_photos",), "a", batch=False),
    # A cell copied in Jupyter: the kit's DropDuplicateIds (nbgrader_config.py) keeps nbgrader's autograde going.
    Row("duplicated_cells", MALFORMED, "ch03", None, (), "", "", course="a", second=True),
    Row("poisoned_metadata", MALFORMED, "ch03", None, ("checklist",), "the dict's keys are", "the dict's keys are",
        course="a"),
    # Grade ids and flags the course never gave: the kit's OverwriteKnownCells (nbgrader_config.py) makes such a
    # cell an ordinary one, so only it is lost (a renamed hidden test scores 0), never the whole notebook.
    Row("poisoned_grade_ids", MALFORMED, "ch03", None, (), "", "", ("hidden_balance_ratio",), "a", batch=False),
    Row("flagged_solution", MALFORMED, "ch03", None, ("classify_duplicates",),
        "no function named `classify_duplicates`", "", (), "a"),
    # --- missing, renamed, wrong signature, types, NaN ---------------------------------------------------------
    # The batch grader names the closest function the notebook defines; under nbgrader the test cell's own
    # NameError is what the student sees.
    Row("renamed_function", NAMES, "ch03", "count_photos", ("count_photos",),
        r"no function named `count_photos` was found\. Did you mean `count_photo`\?",
        "NameError", course="a"),  # the feedback keeps "NameError: ..." only (autograder/nbgrader_steps.py)
    Row("wrong_signature", NAMES, "ch03", "balance_ratio", ("balance_ratio",),
        "missing 1 required positional argument"),
    Row("nan", NAMES, "ch03", "balance_ratio", ("balance_ratio",), "returned nan, expected"),
    Row("not_a_function", NAMES, "ch03", "find_unreadable", ("find_unreadable",), "is a list, not a function"),
    # --- resource abuse ----------------------------------------------------------------------------------------
    Row("endless_loop", RESOURCES, "ch03", "find_unreadable", ("find_unreadable",), f"did not return within {STEP} s",
        "CellTimeoutError|NoneType", course="b"),
    Row("sleep", RESOURCES, "ch03", "classify_duplicates", ("classify_duplicates",), f"did not return within {STEP} s"),
    Row("memory_bomb", RESOURCES, "ch03", "find_duplicates", ("find_duplicates",), "MemoryError", "MemoryError",
        course="b", nb_sandbox="take all the address space the grader's machine has"),
    Row("fork_bomb", RESOURCES, "ch03", "balance_ratio", ("balance_ratio",),
        "ended the grader's worker|did not return within", "", course="b", nb_gap=KERNEL_DEATH,
        nb_sandbox="fork the grader's machine to a halt"),
    Row("giant_model", RESOURCES, "ch06", "build_model", ("build_model",),  # TensorFlow retries for 10 s first
        "did not return within|ResourceExhausted|MemoryError"),
    Row("output_flood", RESOURCES, "ch03", "count_photos", (), "", "", course="b"),
    Row("disk_filling", RESOURCES, "ch03", "find_unreadable", ("find_unreadable",),
        "did not return within|got NoneType|ended the", "NoneType|CellTimeoutError", course="b",
        nb_sandbox="fill the grader's disk",
        nb_gap="the notebook's own folder (autograded/<student>/, on the grader's disk) is writable without a cap: "
               "a notebook leaves a gigabyte there (2 files at the 512 MiB file size limit; more files, more)"),
    Row("leftover_process", RESOURCES, "ch03", "count_photos", (), "", "", course="b",
        nb_plain=PLAIN_KERNEL + "a process in a session of its own outlives the kernel"),
    Row("leftover_thread", RESOURCES, "ch03", "classify_duplicates", (), "", "", course="b"),
    # --- process control ---------------------------------------------------------------------------------------
    Row("sys_exit", PROCESS, "ch03", "balance_ratio", ("balance_ratio",), "raised SystemExit", "raised SystemExit",
        course="b"),
    Row("os_exit", PROCESS, "ch03", "classify_duplicates", ("classify_duplicates",),
        r"ended the process \(exit status 3\)", "", course="b", nb_gap=KERNEL_DEATH),
    Row("kill_parent", PROCESS, "ch03", "find_unreadable", ("find_unreadable",), KILLED, "NoneType", course="b",
        nb_sandbox="kill nbgrader itself"),
    Row("kill_everything", PROCESS, "ch03", "checklist", ("checklist",), KILLED),
    Row("swallow_interrupt", PROCESS, "ch03", "checklist", ("checklist",), f"did not return within {STEP} s"),
    # --- tampering ---------------------------------------------------------------------------------------------
    Row("patch_judges", TAMPERING, "ch03", "plot_class_counts", ("plot_class_counts",), "0 axes with bars"),
    Row("patch_run_check", TAMPERING, "ch03", "count_photos", ("count_photos",), "", "", course="a", batch=False,
        nb_gap=SAME_KERNEL),
    Row("patch_observe", TAMPERING, "ch03", "find_duplicates", ("find_duplicates",), "found 0 group|Withheld"),
    Row("patch_numpy", TAMPERING, "ch03", "balance_ratio", ("balance_ratio",), "returned 0.5", "returned 0.5",
        course="a"),
    Row("ipython_hooks", TAMPERING, "ch03", "count_photos", ("count_photos",), "", "", course="a", batch=False,
        nb_gap=SAME_KERNEL),
    Row("shadow_modules", TAMPERING, "ch03", "checklist", (), "", "", course="b",
        nb_sandbox="write into the repository and site-packages"),
    Row("forged_results", TAMPERING, "ch03", "count_photos", ("count_photos",), "could not be sent back|keys are"),
    Row("always_equal", TAMPERING, "ch03", "checklist", ("checklist",), "not True or False"),
    # --- data theft (a theft that works raises "stole ...": the check then fails) ------------------------------
    Row("read_secrets", THEFT, "ch03", "checklist", (), "", "", course="b",
        nb_plain=PLAIN_KERNEL + "the notebook reads the repository, the gradebook and the grader's home"),
    Row("network", THEFT, "ch03", "find_duplicates", (), "", "", course="b",
        nb_plain=PLAIN_KERNEL + "the notebook reaches the network"),
    Row("import_reference", THEFT, "ch03", "balance_ratio", ("balance_ratio",), "returned 0.5|Withheld",
        "returned 0.5", course="a", nb_gap=GRADER_SIDE),
    # --- machine-learning cheating -----------------------------------------------------------------------------
    Row("train_on_test_photos", ML, "ch06", "build_model", ("build_model",), "carries values"),
    Row("fake_history", ML, "ch06", "train_model", ("train_model", "build_model"),
        "was not trained|no function named `build_model`"),
    Row("overridden_fit", ML, "ch06", "train_model", ("train_model", "build_model"),
        "was not trained|no function named `build_model`"),
    Row("fake_figure_picture", ML, "ch03", "plot_class_counts", ("plot_class_counts",), "0 axes with bars"),
]


# --- notebooks broken as notebooks ------------------------------------------------------------------------

def _at(notebook: dict, grade_id: str) -> int:
    for index, cell in enumerate(notebook["cells"]):
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def wrong_nbformat(notebook):
    """A notebook from the future: nbformat 5."""
    notebook["nbformat"], notebook["nbformat_minor"] = 5, 0
    return notebook


def huge_outputs(notebook):
    """30 MB of saved output in the first code cell."""
    cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["x" * 999 + "\n"] * 30_000}]
    cell["execution_count"] = 1
    return notebook


def deleted_test_cells(notebook):
    """count_photos's two test cells deleted."""
    for grade_id in ("check_count_photos", "hidden_count_photos"):
        del notebook["cells"][_at(notebook, grade_id)]
    return notebook


def duplicated_cells(notebook):
    """balance_ratio's solution cell and its two test cells each pasted twice (same ids, same metadata)."""
    for grade_id in ("balance_ratio", "check_balance_ratio", "hidden_balance_ratio"):
        index = _at(notebook, grade_id)
        notebook["cells"].insert(index + 1, copy.deepcopy(notebook["cells"][index]))
    return notebook


def poisoned_metadata(notebook):
    """A test cell worth 1000 points, checklist's test cells unlocked and replaced by `pass`, and a checklist
    that is wrong."""
    nbgrader_meta(notebook["cells"][_at(notebook, "check_count_photos")])["points"] = 1000
    for grade_id in ("check_checklist", "hidden_checklist"):
        cell = notebook["cells"][_at(notebook, grade_id)]
        nbgrader_meta(cell)["locked"] = False
        cell["metadata"]["editable"] = True
        cell["source"] = "pass"
    notebook["cells"][_at(notebook, "checklist")]["source"] = (
        "def checklist(counts, duplicate_groups, min_per_class=50, min_ratio=0.5):\n    return {}\n")
    return notebook


def poisoned_grade_ids(notebook):
    """A grade cell of the student's own making worth 1000 points, and a hidden test's grade id renamed."""
    forged = copy.deepcopy(notebook["cells"][_at(notebook, "check_count_photos")])
    forged["id"], forged["source"] = "free_points", "print('1000 free points')"
    nbgrader_meta(forged).update(grade_id="free_points", points=1000, locked=False)
    notebook["cells"].insert(_at(notebook, "check_count_photos"), forged)
    nbgrader_meta(notebook["cells"][_at(notebook, "hidden_balance_ratio")])["grade_id"] = "hidden_renamed"
    return notebook


def flagged_solution(notebook):
    """classify_duplicates's solution cell flagged as a grade cell worth 5 points."""
    nbgrader_meta(notebook["cells"][_at(notebook, "classify_duplicates")]).update(grade=True, solution=False, points=5)
    return notebook


TRANSFORMS = {function.__name__: function for function in (
    wrong_nbformat, huge_outputs, deleted_test_cells, duplicated_cells, poisoned_metadata, poisoned_grade_ids,
    flagged_solution)}


def answer_key(assignment: str) -> dict:
    """The answer key as a student hands it in: the release filled in, demo cells left out (they read the
    real photos for minutes in some chapters, and no grader runs them)."""
    notebook = filled_release(assignment)
    notebook["cells"] = [cell for cell in notebook["cells"] if "demo" not in cell.get("metadata", {}).get("tags", [])]
    return notebook


def write_submission(row: Row, student: Path) -> Path:
    """Row ``row`` as ``student/<assignment>/<assignment>.<suffix>``, the layout nbgrader collects into."""
    assignment = get_chapter(row.chapter).assignment
    if row.cell is None and row.name not in TRANSFORMS:  # a file handed in as it is
        (handed_in,) = (HOSTILE / row.chapter).glob(f"{row.name}.*")
        path = student / assignment / f"{assignment}{handed_in.suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(handed_in.read_bytes())
        return path
    notebook = answer_key(assignment)
    if row.cell is None:
        notebook = TRANSFORMS[row.name](notebook)
    else:
        cell = notebook["cells"][_at(notebook, row.cell)]
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = f"{source}\n\n{(HOSTILE / row.chapter / f'{row.name}.py').read_text()}"
    return write_notebook(notebook, student / assignment / f"{assignment}.ipynb")


def lost_checks(functions: tuple[str, ...], chapter) -> set[str]:
    return {check.grade_id for check in chapter.checks
            if functions == ALL or check.grade_id in functions or {check.function, *check.also} & set(functions)}


# --- the contract's common parts ---------------------------------------------------------------------------

FOLDER_BYTES = 64 << 20         # nbgrader: the most a notebook may leave in its own autograded folder
LEAKS = [re.compile(pattern) for pattern in (r"BEGIN HIDDEN TESTS", r"run_check\(\s*\"ch\d\d\",\s*\"hidden_",
                                             r"/autograder-\w+/", r"private-\d", r"/flowers-ch\d\d-\w+/")]


def leaks(text: str) -> list[str]:
    """What a student-facing message must not show: a hidden test's source, the grader's own folders."""
    return [pattern.pattern for pattern in LEAKS if pattern.search(text)]


def _tree(root: Path, contents: bool) -> dict[str, str]:
    """``{path: what it is}`` for every file under ``root`` (bytecode caches aside): its size and time, or
    with ``contents`` its size and bytes' digest."""
    found = {}
    if root.is_file():
        return {str(root): hashlib.sha256(root.read_bytes()).hexdigest()}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name != "__pycache__"]
        for name in files:
            path = Path(folder, name)
            stat = path.lstat()
            found[str(path)] = (f"{stat.st_size} {hashlib.sha256(path.read_bytes()).hexdigest()}"
                                if contents and path.is_file() else f"{stat.st_size} {stat.st_mtime_ns}")
    return found


def protected_state(*folders: Path) -> dict:
    """What no submission may change: the photos (names, sizes, times), ~/.keras, the repository (the tracked
    files' names, the kit's package and source/ byte for byte, the names at its root), site-packages' names,
    and ``folders`` (a course's own) byte for byte."""
    from autograder.data import resolve_data_dir

    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    keras = {path: what for path, what in _tree(Path.home() / ".keras", contents=True).items()
             if not _keras_default(Path(path))}
    root = sorted(name for name in os.listdir(REPO) if name not in BUILT_AT_ROOT and not name.endswith(".egg-info"))
    state = {**_tree(resolve_data_dir(download=False), contents=False), **keras,
             "tracked files": hashlib.sha256(tracked).hexdigest(), **_tree(REPO / "autograder", contents=True),
             **_tree(REPO / "source", contents=True), "repository root": " ".join(root),
             "site-packages": " ".join(sorted(os.listdir(sysconfig.get_paths()["purelib"])))}
    for folder in folders:
        state.update(_tree(folder, contents=True))
    return state


BUILT_AT_ROOT = {".pytest_cache", "build", "dist"}   # what the kit's own tasks create at the repository's root


def _keras_default(path: Path) -> bool:
    """~/.keras/keras.json as Keras writes it when it is first imported (by any test of the suite)."""
    try:
        return path.name == "keras.json" and set(json.loads(path.read_text())) <= {
            "floatx", "epsilon", "backend", "image_data_format"}
    except (OSError, ValueError, TypeError):
        return False


def changed(before: dict, after: dict) -> list[str]:
    """What changed outside the grader's scratch (a file added, removed or rewritten; a listing)."""
    return sorted(name for name in {*before, *after} if before.get(name) != after.get(name))


def leftover_processes(course: Path | None = None) -> list[int]:
    """Processes tests/hostile/ch03/leftover_process.py started: those of ``course`` (their command line names
    the folder they started in), or with None those of no nbgrader course (the batch grader's)."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{name}/cmdline").read_bytes().decode(errors="replace")
            if MARKER in command and (str(course) in command if course else "hostile-course-" not in command):
                found.append(int(name))
    return found


@contextlib.contextmanager
def listener():
    """A TCP listener on this machine for tests/hostile/ch03/network.py to knock at (shared by the runs
    of both xdist workers: SO_REUSEPORT)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with contextlib.suppress(AttributeError, OSError):
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        server.bind(("127.0.0.1", LISTENER_PORT))
        server.listen()
    except OSError:
        pass  # the other worker's listener answers
    try:
        yield
    finally:
        server.close()


def judge(problems: dict[Row, list[str]], gap_of) -> None:
    """Fail for the rows whose contract broke, warn for the known holes among them."""
    failures = []
    for row, found in problems.items():
        if not found:
            continue
        reason = gap_of(row)
        if reason:
            warnings.warn(HostileGap(f"{row.name} ({row.kind}): {reason} -- {'; '.join(found)[:600]}"), stacklevel=2)
        else:
            failures.append(f"{row.name} ({row.kind}): {'; '.join(found)}")
    assert not failures, "the survival contract broke:\n" + "\n".join(failures)


# --- the batch grader --------------------------------------------------------------------------------------

def batch_problems(row: Row, report, path: Path) -> list[str]:
    chapter = get_chapter(row.chapter)
    document = json.loads(json.dumps(gradescope_results([report])))  # as results.json holds it
    found = []
    if report.submission != str(path):
        found.append(f"graded {report.submission}, not {path}")
    tests = document["tests"]
    if [test["name"] for test in tests] != [f"{chapter.key} {check.grade_id}" for check in chapter.checks]:
        return found + [f"incomplete results: {[test['name'] for test in tests]}"]
    lost = lost_checks(row.lost, chapter)
    for test, check in zip(tests, chapter.checks):
        if test["max_score"] != check.points:
            found.append(f"{check.grade_id} is worth {test['max_score']}, not {check.points}")
        if leaks(test["output"]):
            found.append(f"{check.grade_id}'s message shows {leaks(test['output'])}: {test['output']!r}")
        if check.grade_id not in lost:
            if test["score"] != check.points:
                found.append(f"{check.grade_id} lost its points: {test['output'][:300]!r}")
        elif test["score"] != 0:
            found.append(f"{check.grade_id} kept {test['score']} points")
        elif not re.search(row.words, test["output"]):
            found.append(f"{check.grade_id}'s message {test['output'][:300]!r} does not say {row.words!r}")
    if leaks(document["output"]):
        found.append(f"the notes show {leaks(document['output'])}: {document['output'][:300]!r}")
    return found


def grade_in_batch(rows: list[Row], witness: str, tmp_path, monkeypatch) -> None:
    if not sandbox.bubblewrap_usable():
        pytest.skip("hostile submissions are graded only inside the sandbox (bubblewrap)")
    photos_or_skip()
    folder = tmp_path / "submissions"
    paths = {row: write_submission(row, folder / row.name) for row in rows}
    witness_path = write_notebook(answer_key(witness), folder / ANSWER_KEY / witness / f"{witness}.ipynb")
    monkeypatch.setattr(grading, "grade_many", partial(grading.grade_many, step_seconds=STEP))
    before = protected_state()
    with listener():
        reports = grading.grade_path(folder, jobs=2)
    outside, leftovers = changed(before, protected_state()), leftover_processes()
    by_path = {report.submission: report for report in reports}
    assert len(reports) == len(rows) + 1 and set(by_path) == {str(path) for path in [*paths.values(), witness_path]}
    judge({row: batch_problems(row, by_path[str(path)], path) for row, path in paths.items()}, lambda row: row.gap)
    assert not outside, f"changed outside the grader's scratch: {outside}"
    assert not leftovers, f"processes started by a submission outlived the grading: {leftovers}"
    key = by_path[str(witness_path)]
    assert key.status == "full marks" and key.sandboxed, (key.score, [r.message for r in key.results if not r.passed])


# --- nbgrader ----------------------------------------------------------------------------------------------

def _nbgrader_kernel() -> str:
    """The kernel ``nbgrader_config.py`` runs student notebooks in ("" for the notebook's own)."""
    from traitlets.config.loader import PyFileConfigLoader

    saved = dict(os.environ)  # the configuration sets JUPYTER_PATH for nbgrader's process: not for this one
    try:
        config = PyFileConfigLoader("nbgrader_config.py", str(REPO)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return str(config.Execute.get("kernel_name", "") or "")


def _nbgrader(args: list[str], root: Path) -> subprocess.CompletedProcess:
    """nbgrader as `course.run_nbgrader` runs it, without raising: autograde exits 1 when any notebook failed."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={root}"], cwd=root,
                          env=course.tool_environment(), capture_output=True, text=True)


def _outputs(cell: dict) -> str:
    text = []
    for output in cell.get("outputs", []):
        text += [output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])]
        text.append("".join(output["text"]) if isinstance(output.get("text"), list) else output.get("text", ""))
        text.append(json.dumps(output.get("data", {})))
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(text))


def _gradebook_rows(root: Path, assignment: str, student: str):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return None
        return {grade.name: (grade.score, grade.max_score, grade.auto_score, grade.manual_score)
                for grade in notebook.grades}


def _other_student(root: Path, assignment: str):
    """A student graded earlier, by hand: half the points of every check."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy's, about nbgrader's own session handling
        gradebook.add_student(OTHER_STUDENT)
        gradebook.add_submission(assignment, OTHER_STUDENT)
        for grade in gradebook.find_submission_notebook(assignment, assignment, OTHER_STUDENT).grades:
            grade.manual_score = grade.max_score / 2
        gradebook.db.commit()
    return _gradebook_rows(root, assignment, OTHER_STUDENT)


def nbgrader_problems(row: Row, root: Path, chapter, log: str, key_after: str | None = None) -> list[str]:
    assignment = chapter.assignment
    grades = _gradebook_rows(root, assignment, row.name)
    if grades is None:
        return ["no result in the gradebook"]
    found = []
    if set(grades) != {check.grade_id for check in chapter.checks}:
        found.append(f"the gradebook holds {sorted(grades)}")
    lost = lost_checks(row.nb_lost if row.nb_lost is not None else row.lost, chapter)
    autograded = root / "autograded" / row.name / assignment / f"{assignment}.ipynb"
    cells = {}
    if autograded.exists():
        cells = {nbgrader_meta(cell).get("grade_id"): cell for cell in json.loads(autograded.read_text())["cells"]}
    for check in chapter.checks:
        score, max_score, *_ = grades.get(check.grade_id, (None, None))
        if max_score != check.points:
            found.append(f"{check.grade_id} is worth {max_score}, not {check.points}")
        if check.grade_id not in lost:
            if score != check.points:
                found.append(f"{check.grade_id} lost its points ({score}): "
                             f"{_outputs(cells.get(check.grade_id, {}))[-300:]!r}")
        elif score != 0:
            found.append(f"{check.grade_id} kept {score} points")
        elif row.nb and check.grade_id in cells and not re.search(row.nb, _outputs(cells[check.grade_id])):
            found.append(f"{check.grade_id}'s output {_outputs(cells[check.grade_id])[-300:]!r} "
                         f"does not say {row.nb!r}")
    if row.nb and not autograded.exists() and not re.search(row.nb, log):
        found.append(f"nbgrader's log does not say {row.nb!r}")
    left = sum(path.stat().st_size for path in autograded.parent.rglob("*") if path.is_file()) \
        if autograded.exists() else 0
    if left > FOLDER_BYTES:
        found.append(f"it left {left >> 20} MiB in its autograded folder")
    feedback = root / "feedback" / row.name / assignment / f"{assignment}.html"
    if feedback.exists():
        text = html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text()))
        if leaks(text):
            found.append(f"the feedback shows {leaks(text)}")
    if key_after is not None:
        key = _gradebook_rows(root, assignment, key_after)
        if key is None or any(score != max_score for score, max_score, *_ in key.values()):
            found.append(f"the answer key graded after it got {key}")
    return found


def grade_with_nbgrader(course_name: str, tmp_path_factory) -> None:
    chapter = get_chapter("ch03")
    photos_or_skip()
    sandboxed = _nbgrader_kernel() == "flowers-sandboxed" and sandbox.bubblewrap_usable()
    rows = [row for row in TABLE if row.course == course_name and row.nb is not None]
    left_out = [row for row in rows if row.nb_sandbox and not sandboxed]
    rows = [row for row in rows if row not in left_out]
    assignment = chapter.assignment
    root = tmp_path_factory.mktemp(f"hostile-course-{course_name}")
    shutil.copytree(REPO / "source" / assignment, root / "source" / assignment)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    course.run_nbgrader(["generate_assignment", assignment, "--force", f"--CourseDirectory.root={root}"], root)
    other = _other_student(root, assignment)
    first, second = [row for row in rows if not row.second], [row for row in rows if row.second]
    for row in first:
        write_submission(row, root / "submitted" / row.name)
    write_notebook(answer_key(assignment), root / "submitted" / ANSWER_KEY / assignment / f"{assignment}.ipynb")
    course_files = [root / "source", root / "release", root / "nbgrader_config.py"]
    before = protected_state(*course_files)
    autograde = ["autograde", assignment, f"--Execute.timeout={NB_TIMEOUT}"]
    with listener():
        log = _nbgrader(autograde, root)
        key_after = None
        if second:  # rows that stop the run they are in: a run of their own, the first run's students set aside
            aside = root / "submitted-first"
            (root / "submitted").rename(aside)
            for row in second:
                write_submission(row, root / "submitted" / row.name)
            key_after = f"{ANSWER_KEY}_after"
            write_notebook(answer_key(assignment), root / "submitted" / key_after / assignment / f"{assignment}.ipynb")
            log2 = _nbgrader(autograde, root)
            for student in aside.iterdir():
                student.rename(root / "submitted" / student.name)
            aside.rmdir()
        else:
            log2 = None
    feedback = _nbgrader(["generate_feedback", assignment, "--force"], root)
    try:
        _check_nbgrader_run(rows, root, chapter, sandboxed, before, course_files, other, key_after,
                            "\n".join(run.stdout + run.stderr for run in (log, *([log2] if log2 else []), feedback)))
    finally:  # pytest keeps its temporary folders: not the gigabytes a notebook left there
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_size > (16 << 20):
                path.unlink()
    if left_out:
        warnings.warn(HostileGap(f"not run under nbgrader in a kernel without the sandbox: "
                                 f"{', '.join(f'{row.name} (would {row.nb_sandbox})' for row in left_out)}"))


def _check_nbgrader_run(rows, root, chapter, sandboxed, before, course_files, other, key_after, text) -> None:
    assignment = chapter.assignment
    leftovers = leftover_processes(root)
    for pid in leftovers:  # a submission's process that outlived its kernel: ours to end
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    outside = changed(before, protected_state(*course_files))
    problems = {row: nbgrader_problems(row, root, chapter, text, key_after if row.second else None) for row in rows}
    if leftovers:
        leaving = next(row for row in rows if row.name == "leftover_process")
        problems[leaving].append(f"processes {leftovers} outlived the grading")

    def gap_of(row):
        return row.nb_gap or ("" if sandboxed else row.nb_plain)
    judge(problems, gap_of)
    assert not outside, f"changed outside the grader's scratch: {outside}"
    assert _gradebook_rows(root, assignment, OTHER_STUDENT) == other, "another student's grades changed"
    key = _gradebook_rows(root, assignment, ANSWER_KEY)
    assert key and all(score == max_score for score, max_score, *_ in key.values()), (key, text[-3000:])


# --- the four runs, longest first (so that two xdist workers finish together) -------------------------

@pytest.mark.slow
def test_nbgrader_survives_resource_abuse_process_control_and_theft(tmp_path_factory):
    """Course b: loops, bombs, floods, leftovers, exits, kills, shadow modules, secrets and the network."""
    grade_with_nbgrader("b", tmp_path_factory)


@pytest.mark.slow
def test_nbgrader_survives_broken_notebooks_and_tampering(tmp_path_factory):
    """Course a: malformed notebooks, poisoned metadata, names, tampering with the kit and IPython, theft of
    the answer key; each row a student of one `nbgrader autograde`, then the answer key."""
    grade_with_nbgrader("a", tmp_path_factory)


@pytest.mark.slow
def test_batch_grader_survives_hostile_submissions_without_tensorflow(tmp_path, monkeypatch):
    """Chapter 3's rows (its worker does not import TensorFlow) in one grade_path call, then the answer key."""
    grade_in_batch([row for row in TABLE if row.batch and row.chapter == "ch03"], "ch03_data_quality", tmp_path,
                   monkeypatch)


@pytest.mark.slow
def test_batch_grader_survives_hostile_submissions_with_tensorflow(tmp_path, monkeypatch):
    """Chapter 6's rows in one grade_path call; none reaches the grader's training, so the witness graded
    after them is chapter 4's answer key (a TensorFlow worker too, without a training)."""
    grade_in_batch([row for row in TABLE if row.batch and row.chapter == "ch06"], "ch04_loading", tmp_path,
                   monkeypatch)


# --- the fixes these rows called for, in small --------------------------------------------------------------

def test_a_forged_journal_is_read_without_a_crash_and_a_full_one_is_rewritten(tmp_path):
    """Student code can write to the worker's journal (tests/hostile/ch03/forged_results.py,
    disk_filling.py): lines of another shape are skipped, never raised on, and a journal at the file size
    limit is rewritten from its state before the worker writes to it again."""
    journal = tmp_path / worker.JOURNAL
    lines = [{"end": "cell", "index": 0, "problem": None}, {"end": "cell", "index": "every one"},
             {"end": "cell", "index": 10 ** 12}, {"hung": ["x"], "id": {}}, {"end": "check", "id": "check_a"},
             {"begin": "check", "id": "check_b", "function": "f"}]
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines) + "x" * (3 * worker.JOURNAL_LINE_BYTES)
                       + "\n" + "[" * 100_000 + "]" * 100_000 + "\nnot json\n")
    state = worker.read_journal(tmp_path)
    assert state["cells"] == {0: None} and state["checks"] == {"check_a"} and state["hung"] == {"['x']": "{}"}
    assert state["current"]["id"] == "check_b"
    worker._rewrite_journal(tmp_path)
    assert journal.stat().st_size < 1000 and worker.read_journal(tmp_path) == state


def test_a_step_that_ended_the_worker_is_blamed_and_its_function_not_called_again(tmp_path):
    """A fork loop or a kill of the supervisor ends the whole worker (tests/hostile/ch03/fork_bomb.py,
    kill_parent.py): the next worker records the step it was in as having ended it, and the function's other
    checks say so without calling it again, instead of every later check losing its result."""
    chapter, out = get_chapter("ch03"), tmp_path / "out"
    out.mkdir()
    worker._log(out, begin="check", id="check_balance_ratio", function="balance_ratio")
    worker._end_step(out, worker.read_journal(out)["current"], "ended the grader's worker (stopped for starting "
                     "more than 256 processes or threads)", STEP, worker=True)
    state = worker.read_journal(out)
    assert state["stopped"] == {"balance_ratio": "check_balance_ratio"} and state["current"] is None
    worker.run_chapter(chapter, [], tmp_path / "inputs", out, state, STEP)
    item = grading._Item(tmp_path / "x.ipynb", chapter, tmp_path / "inputs", out)
    results = {check.grade_id: score(check, grading._read_observation(item, check.grade_id), None)
               for check in chapter.checks}
    assert "`balance_ratio` ended the grader's worker (stopped for starting" in results["check_balance_ratio"].message
    assert "`balance_ratio` was not called again: it ended the grader's worker in the check check_balance_ratio" in \
        results["hidden_balance_ratio"].message
    assert "no function named `count_photos`" in results["check_count_photos"].message  # the others still ran


def test_results_that_cannot_be_read_are_reported_not_raised(tmp_path):
    """A results folder forged or cut short by student code (an archive cut in the middle, JSON nested past
    the parser's depth) gives an unreadable observation, never an exception that stops grading."""
    item = grading._Item(tmp_path / "x.ipynb", get_chapter("ch04"), tmp_path / "inputs", tmp_path / "out")
    for grade_id, document in (("cut", "{}"), ("deep", "[" * 100_000 + "]" * 100_000)):
        folder = item.out / worker.CHECKS / grade_id
        folder.mkdir(parents=True)
        (folder / "observations.json").write_text(document)
        (folder / "arrays.npz").write_bytes(b"PK\x03\x04" if grade_id == "cut" else b"")
        observation = grading._read_observation(item, grade_id)
        assert observation.status is Status.UNREADABLE and observation.error, observation
