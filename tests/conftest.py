"""Shared fixtures: paths, the Agg backend, and notebooks built from the committed folders."""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _no_network_for_data(monkeypatch, tmp_path_factory):
    """No test may reach tfds or the internet, and none writes to ~/.cache."""
    monkeypatch.setenv("FLOWERS_OFFLINE", "1")
    if "FLOWERS_CACHE" not in os.environ:
        monkeypatch.setenv("FLOWERS_CACHE", str(tmp_path_factory.getbasetemp() / "flowers-cache"))


def load_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def nbgrader_meta(cell: dict) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def filled_release(assignment: str) -> dict:
    """The released notebook with each solution cell replaced by the answer key's: what a
    student who solved everything hands in (same cell ids, checksums of locked cells intact)."""
    notebook_name = f"{assignment}.ipynb"
    released = load_notebook(REPO / "release" / assignment / notebook_name)
    answers = {nbgrader_meta(cell).get("grade_id"): cell["source"]
               for cell in load_notebook(REPO / "solutions" / assignment / notebook_name)["cells"]
               if nbgrader_meta(cell).get("solution")}
    for cell in released["cells"]:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution"):
            cell["source"] = answers[grade_id]
    return released


def write_notebook(notebook: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def replace_solution(notebook: dict, grade_id: str, source: str) -> dict:
    for cell in notebook["cells"]:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            cell["source"] = source
            return notebook
    raise KeyError(grade_id)


def photos_or_skip():
    """The real photo folder (FLOWERS_DIR). Without it the test is skipped, unless
    FLOWERS_REQUIRE_PHOTOS is set (as `.ci/run` does): then a missing folder fails the test."""
    from autograder.data import FlowersDataUnavailable, resolve_data_dir

    try:
        return resolve_data_dir(download=False)
    except FlowersDataUnavailable as error:
        if os.environ.get("FLOWERS_REQUIRE_PHOTOS"):
            pytest.fail(f"the real photos are required here: {error}")
        pytest.skip(f"needs the real photos (set FLOWERS_DIR): {error}")


@pytest.fixture
def photos():
    return photos_or_skip()


def namespace_of(path, namespace: dict | None = None) -> dict:
    """Run a submission's cells in this process (in ``namespace`` when given). Only for the kit's
    own fixtures and answer keys."""
    from autograder.notebook import read_submission

    namespace = {"__name__": "__submission__"} if namespace is None else namespace
    for cell in read_submission(path):
        exec(compile(cell.source, str(path), "exec"), namespace)
    return namespace


# Wrong submissions of chapters 5-7 are patches: a fixture file holds only the function it gets
# wrong, and the submission is the answer key with that function replaced, as a student who got
# everything else right would hand in. (Chapter 4's fixtures are whole, minimal submissions.)

def answer_key_path(assignment: str) -> Path:
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"


def wrong_submission(assignment: str, fixture: Path) -> dict:
    """The answer key's namespace with the fixture's definitions run over it."""
    return namespace_of(fixture, namespace_of(answer_key_path(assignment)))


def wrong_notebook(assignment: str, fixture: Path, folder: Path, base: str = "solutions") -> Path:
    """The same wrong submission as a notebook for the batch grader: the answer key (or, with
    ``base="release"``, the blank release) plus a last cell with the fixture's code, which
    replaces the definitions before it."""
    notebook = load_notebook(REPO / base / assignment / f"{assignment}.ipynb")
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "wrong-fixture", "metadata": {},
                              "outputs": [], "source": Path(fixture).read_text(encoding="utf-8")})
    return write_notebook(notebook, Path(folder) / assignment / f"{Path(fixture).stem}.ipynb")


def shared_folder(tmp_path_factory, name: str) -> Path:
    """A folder every test worker of this run sees (xdist workers share the parent of their temporary
    folders): for what is made once per run. Hold ``once(folder)`` while making or reading it."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def once(folder: Path):
    """A lock on ``folder``, across test workers."""
    import fcntl

    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def student_wheel(tmp_path_factory) -> Path:
    """The student wheel (``student/``), built once for the whole run: test workers share the parent of
    their temporary folders, and a lock keeps two builds from sharing ``student/build`` at once."""
    from autograder import bundles

    folder = shared_folder(tmp_path_factory, "student-wheel")
    with once(folder):
        built = sorted(folder.glob("*.whl")) or [bundles.build_student_wheel(folder)]
    assert len(built) == 1, built
    return built[0]
