"""The pytest front end (``pytest --submission PATH``, autograder/pytest_plugin.py) agrees with the other
two: the batch grader and the nbgrader route (the golden verdicts of tests/verdicts.py).

Every chapter's answer key, blank release and one wrong fixture sit in a folder as three students, graded
by ``python -m pytest --submission FOLDER --junitxml --results`` (two runs: the chapters that train, and
the others), started outside the repository so that only the installed entry point brings the plugin in.
Its items must carry, per submission and check, the status, points, message and hint the batch grader
gives, and the status and points the golden verdicts record (the training checks are not in the golden
file: pytest and the batch grader are compared on them). The rest is cheap: options, collection, -k and
usage errors grade nothing."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, photos_or_skip, wrong_notebook
from .test_verdicts import CHANGED_ON_PURPOSE, GOLDEN
from .verdicts import PATCHED

# One wrong fixture per chapter (chapter 6's is refused before any training).
WRONG = {"ch03": "wrong_hidden_count_photos", "ch04": "wrong_hidden_load_split_val",
         "ch05": "wrong_check_prepare_dataset_train", "ch06": "wrong_check_build_model",
         "ch07": "wrong_hidden_build_improved_model", "ch08": "wrong_check_choose_examples"}
# Two runs, one per worker of `make test`: the chapters with a trusted evaluator (training, Grad-CAM), and
# the rest (the lighter, beside tests/test_shards.py).
GROUPS = {"evaluated": ("ch06", "ch07", "ch08"), "others": ("ch03", "ch04", "ch05")}
STUDENTS = ("answer_key", "blank", "wrong")


def _pytest(*args, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    for name in [name for name in env if name.startswith(("PYTEST_", "XDIST_"))]:
        del env[name]  # a fresh pytest, not one more worker of this suite
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def _class_of_three(keys, folder: Path) -> Path:
    """Three students, each with one notebook per chapter in nbgrader's layout (student/assignment/...):
    answer_key/ (the answer keys), blank/ (the releases) and wrong/ (one wrong fixture per chapter). A
    student's chapters are graded together, so the whole run costs three gradings, not three per chapter."""
    for key in keys:
        assignment = get_chapter(key).assignment
        notebook = f"{assignment}.ipynb"
        for student, base in (("answer_key", "solutions"), ("blank", "release")):
            (folder / student / assignment).mkdir(parents=True)
            shutil.copy(REPO / base / assignment / notebook, folder / student / assignment / notebook)
        fixture = FIXTURES / key / f"{WRONG[key]}.py"
        if key in PATCHED:
            wrong_notebook(assignment, fixture, folder / "wrong")
        else:
            (folder / "wrong" / assignment).mkdir(parents=True)
            shutil.copy(fixture, folder / "wrong" / assignment / fixture.name)
    return folder


def _junit(path: Path) -> list[tuple[str, str, str, dict]]:
    """[(submission, grade_id, outcome, properties)] from pytest's JUnit XML, in the order run."""
    found = []
    for case in ElementTree.parse(path).iter("testcase"):
        properties = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        failure = case.find("failure")
        properties["text"] = (failure.text or "") if failure is not None else ""
        outcome = "failed" if failure is not None else \
            "error" if case.find("error") is not None else "skipped" if case.find("skipped") is not None else "passed"
        found.append((properties["submission"], case.get("name"), outcome, properties))
    return found


def _golden(key: str, student: str) -> dict:
    """{grade_id: (status, points)} of the golden nbgrader-route verdicts, changes on purpose applied."""
    name = WRONG[key] if student == "wrong" else student
    verdicts = {}
    for grade_id, (status, points, _) in GOLDEN[key][name].items():
        entry = CHANGED_ON_PURPOSE.get((key, name, grade_id), {})
        status, points = entry.get("status", status), entry.get("points", points)
        verdicts[grade_id] = ("failed" if status == "missing" else status, float(points))  # missing: no such function
    return verdicts


def _chapters(group: str) -> list[str]:
    """The group's chapters this machine can grade: those that need the real photos only where they are."""
    keys = GROUPS[group]
    needs = {key for key in keys if get_chapter(key).photos or get_chapter(key).prepare_private is not None}
    if needs == set(keys) or os.environ.get("FLOWERS_REQUIRE_PHOTOS"):
        photos_or_skip()
    elif needs:
        from autograder.data import FlowersDataUnavailable, resolve_data_dir

        try:
            resolve_data_dir(download=False)
        except FlowersDataUnavailable:
            return [key for key in keys if key not in needs]
    return list(keys)


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(GROUPS))
def test_pytest_the_batch_grader_and_nbgrader_agree_on_every_check(group, tmp_path):
    """One grading per student: the plugin runs the batch grader once and writes, beside pytest's JUnit
    XML, the batch grader's own results.json from the same reports (``--results``, as ``grade --results``
    does). Item by item they must agree (status, points, message and hint), and with the golden
    nbgrader-route verdicts (status and points) on every check those hold."""
    keys = _chapters(group)
    folder = _class_of_three(keys, tmp_path / "class")
    run = _pytest(f"--submission={folder}", "--junitxml", tmp_path / "junit.xml",
                  "--results", tmp_path / "results.json", cwd=tmp_path)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]   # the blank and the fixture fail checks
    assert "Traceback" not in run.stdout and "autograder/" not in run.stdout, run.stdout[-3000:]
    found = _junit(tmp_path / "junit.xml")
    assert sorted((submission.split("/")[0], properties["chapter"], grade_id)
                  for submission, grade_id, _, properties in found) == \
        sorted((student, key, check.grade_id) for student in STUDENTS for key in keys
               for check in get_chapter(key).checks)

    # The batch grader's results.json: one test per check, in the order pytest ran them.
    batch = json.loads((tmp_path / "results.json").read_text())["tests"]
    assert [test["name"] for test in batch] == [f"{properties['chapter']} {grade_id}"
                                                for _, grade_id, _, properties in found]
    compared = set()
    for test, (submission, grade_id, outcome, properties) in zip(batch, found):
        where = (submission, grade_id, properties)
        assert outcome == test["status"], where
        assert (float(properties["points"]), float(properties["max_points"])) == \
            (test["score"], test["max_score"]), where
        assert properties["text"] == ("" if outcome == "passed" else test["output"]), where   # message and hint
        student, key = submission.split("/")[0], properties["chapter"]
        golden = _golden(key, student)
        if grade_id in golden:   # not the training checks, nor a check added since the snapshot
            assert (properties["status"], float(properties["points"])) == golden[grade_id], where
            compared.add((student, key, grade_id))
    for key in keys:   # every golden verdict of these submissions was compared
        for student in STUDENTS:
            assert {(student, key, grade_id) for grade_id in _golden(key, student)} <= compared, (student, key)
    status = {student: {properties["status"] for submission, _, _, properties in found
                        if submission.startswith(f"{student}/")} for student in STUDENTS}
    assert status["answer_key"] == {"passed"} and status["blank"] == {"not attempted"} and "failed" in status["wrong"]
    for key in keys:
        assert any(outcome == "failed" and properties["chapter"] == key
                   for submission, _, outcome, properties in found if submission.startswith("wrong/")), key
    # A failure reads as the check's message and hint, under the check's name: no traceback of the kit.
    for submission, grade_id, outcome, properties in found:
        if outcome == "failed" and submission.startswith("wrong/"):
            section = re.split(r"\n[_=-]", run.stdout.split(f" {grade_id} ({submission}) ", 1)[1], maxsplit=1)[0]
            assert section.strip("_ \n") == properties["text"].strip() and "\nHint: " in section, section


def test_without_submission_the_plugin_adds_options_and_nothing_else(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    run = _pytest("-q", cwd=tmp_path)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
    assert "flowers" not in run.stdout
    run = _pytest("--help", cwd=tmp_path)
    assert "--submission=PATH" in run.stdout and "--test-dir=DIR" in run.stdout, run.stdout[-2000:]


def test_one_item_per_check_named_by_grade_id_and_k_selects_checks(tmp_path):
    """Collecting grades nothing; -k picks checks by name."""
    notebook = REPO / "release" / "ch04_loading" / "ch04_loading.ipynb"
    run = _pytest("--collect-only", "-q", "--submission", notebook, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    names = [line.rsplit("::", 1)[1] for line in run.stdout.splitlines() if "::" in line]
    assert names == [check.grade_id for check in get_chapter("ch04").checks]
    run = _pytest("--collect-only", "-q", "--submission", notebook, "-k", "count_per_class", cwd=tmp_path)
    assert [line.rsplit("::", 1)[1] for line in run.stdout.splitlines() if "::" in line] == \
        ["check_count_per_class", "hidden_count_per_class"], run.stdout


def test_a_folder_gets_an_item_per_submission_and_check_and_an_unknown_chapter_one_item(tmp_path):
    folder = tmp_path / "class"
    for student in ("alice", "bob"):
        (folder / student / "ch04_loading").mkdir(parents=True)
        shutil.copy(REPO / "release" / "ch04_loading" / "ch04_loading.ipynb", folder / student / "ch04_loading")
    shutil.copy(REPO / "release" / "ch04_loading" / "ch04_loading.ipynb", folder / "mystery.ipynb")
    run = _pytest("--collect-only", "-q", "--submission", "class", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    checks = len(get_chapter("ch04").checks)
    assert len(ids) == 2 * checks + 1 and "class/mystery.ipynb::chapter" in ids, ids
    assert sum(line.startswith("class/alice/ch04_loading/ch04_loading.ipynb::") for line in ids) == checks


@pytest.mark.parametrize("args, words", [
    (["--submission", "/no/such/notebook.ipynb"], "does not exist"),
    (["--submission", ".", "--chapter", "ch99"], "no chapter called 'ch99'"),
    (["--submission", ".", "-n", "2"], "without -n"),
    (["--submission", ".", "test_x.py"], "give no test paths"),
])
def test_usage_errors(args, words, tmp_path):
    run = _pytest(*args, cwd=tmp_path)
    assert run.returncode == 4 and words in run.stderr, run.stdout + run.stderr


def test_a_pytest_file_among_the_submissions_stops_the_run(tmp_path):
    """pytest reads conftest.py and ini files where it starts, before any plugin runs: one among the
    submissions is refused (the README says to start from outside, with --submission=PATH)."""
    folder = tmp_path / "ch04_loading"
    folder.mkdir()
    shutil.copy(REPO / "release" / "ch04_loading" / "ch04_loading.ipynb", folder)
    (folder / "pytest.ini").write_text("[pytest]\n")
    run = _pytest("--collect-only", "--submission", folder, cwd=tmp_path)
    assert run.returncode == 4 and "pytest.ini from the submissions" in run.stderr, run.stdout + run.stderr
    run = _pytest("--collect-only", "-q", f"--submission={folder}", cwd=tmp_path)
    assert run.returncode == 0 and "9 tests collected" in run.stdout, run.stdout + run.stderr


def test_when_the_grader_cannot_run_every_item_fails_saying_why(tmp_path, monkeypatch):
    """As `grade --results`: no photos for chapter 3 is no grade, said on every check, and results.json
    is written all the same."""
    monkeypatch.delenv("FLOWERS_DIR", raising=False)
    monkeypatch.setenv("FLOWERS_CACHE", str(tmp_path / "no-cache"))
    notebook = REPO / "release" / "ch03_data_quality" / "ch03_data_quality.ipynb"
    run = _pytest(f"--submission={notebook}", "--results", tmp_path / "results.json", "-k", "count_photos",
                  cwd=tmp_path)
    assert run.returncode == 1 and "2 failed" in run.stdout, run.stdout + run.stderr
    # Once in each item's failure section (the short summary may repeat it: pytest does not cut its lines in CI).
    failures = run.stdout.split("short test summary info")[0]
    assert failures.count("the grader could not run: No flower photos found") == 2 and "Traceback" not in run.stdout
    document = json.loads((tmp_path / "results.json").read_text())
    assert document["score"] == 0 and "the grader could not run" in document["tests"][0]["output"]
