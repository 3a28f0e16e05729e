"""Where courses grade: the GitHub Classroom starter repository and the Gradescope bundle
(``autograder/bundles.py``), generated into temporary folders and graded the way each platform would.

* Classroom: the starter holds nothing of the grader side; the workflow's grading step, run here as
  Actions runs it (bash -eo pipefail, ``$GITHUB_OUTPUT``, ``$RUNNER_TEMP``) with the grader side from this
  clone, gives the reporter a payload that decodes to full points for the answer key and 0 for the blank.
* Gradescope: ``run_autograder`` run in a folder laid out like ``/autograder`` writes ``results.json``
  with full marks for the answer key (under whatever name the student uploaded it) and 0 for the blank.

Chapter 3 is the one graded: its worker does not import TensorFlow, so each grading takes seconds.
It reads the real photos (skipped without them, a failure under ``.ci/run``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import bundles, sandbox
from autograder.chapters import get_chapter

from .conftest import REPO, photos_or_skip

pytestmark = pytest.mark.slow

CHAPTER = get_chapter("ch03")
NOTEBOOK = f"{CHAPTER.assignment}.ipynb"
GRADER_SIDE_NAMES = {"reference.py", "hidden.py", "full.py", "grading.py", "worker.py", "evaluator.py",
                     "sandbox.py", "bundles.py"}


def test_the_graded_chapter_does_not_import_tensorflow():
    assert CHAPTER.tensorflow is False, "pick a chapter whose worker does not import TensorFlow (fast to grade)"


@pytest.fixture(scope="session")
def wheel(student_wheel) -> Path:
    return student_wheel


@pytest.fixture(scope="module")
def starter(tmp_path_factory, wheel) -> Path:
    dest = tmp_path_factory.mktemp("classroom") / "starter"
    bundles.classroom(dest, [CHAPTER.key], wheel=wheel)
    return dest


def _workflow(repo: Path) -> dict:
    return yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text())


def _steps(repo: Path) -> list[dict]:
    return _workflow(repo)["jobs"]["run-autograding-tests"]["steps"]


# --------------------------------------------------------------------------------------------------
# The Classroom starter repository


def test_the_starter_holds_nothing_of_the_grader_side(starter, wheel):
    files = sorted(path.relative_to(starter).as_posix() for path in starter.rglob("*") if path.is_file())
    assert files == [".github/workflows/classroom.yml", ".gitignore", "README.md", f"{CHAPTER.assignment}/{NOTEBOOK}",
                     "requirements.txt", f"wheels/{wheel.name}"]
    assert not any(part in ("solutions", "autograder", "source") for path in files for part in Path(path).parts)
    assert not GRADER_SIDE_NAMES & {Path(path).name for path in files}
    with zipfile.ZipFile(starter / "wheels" / wheel.name) as archive:
        assert not GRADER_SIDE_NAMES & {Path(name).name for name in archive.namelist()}
    notebook = (starter / CHAPTER.assignment / NOTEBOOK).read_text()
    assert notebook == (REPO / "release" / CHAPTER.assignment / NOTEBOOK).read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):   # nbgrader keeps the emptied hidden cells
        assert marker not in notebook


def test_the_starter_installs_the_wheel_and_the_grader_pins(starter, wheel):
    lines = (starter / "requirements.txt").read_text().splitlines()
    assert f"./wheels/{wheel.name}" in lines
    pins = {line.split("==")[0] for line in lines if "==" in line}
    assert {"tensorflow", "tf_keras", "tf-explain", "numpy", "matplotlib", "pillow", "jupyterlab"} <= pins
    kit = set((REPO / "requirements.txt").read_text().splitlines())
    assert all(line in kit for line in lines if "==" in line), "the student's pins are the grader's"
    readme = (starter / "README.md").read_text()
    for words in ("git push", "requirements.txt", f"{CHAPTER.assignment}/{NOTEBOOK}", "NotImplementedError",
                  "Actions", "hidden"):
        assert words in readme


def test_the_workflow_is_the_one_classroom_reads(starter):
    workflow = _workflow(starter)
    assert workflow["name"] == "Autograding Tests"
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    steps = _steps(starter)
    install = next(step for step in steps if step["name"].startswith("Install the grader side"))
    assert "secrets.FLOWERS_GRADER_URL" in install["env"]["GRADER_URL"]
    assert bundles.PLACEHOLDER_GRADER_URL in install["env"]["GRADER_URL"]
    assert 'rm -rf "$RUNNER_TEMP/grader/.git"' in install["run"]
    grade = next(step for step in steps if step.get("id") == "grade")
    assert not any("secrets" in str(value) for value in grade.get("env", {}).values())
    assert grade["env"]["AUTOGRADER_SANDBOX"] == "require"
    assert any("apparmor_restrict_unprivileged_userns" in step.get("run", "") for step in steps)


def test_a_bad_grader_url_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError):
        bundles.classroom(tmp_path / "x", ["ch03"], grader_url="https://x'; echo pwned", wheel=tmp_path / "w.whl")
    assert not (tmp_path / "x").exists()


def _run_grade_step(repo: Path, scratch: Path) -> dict[str, str]:
    """The workflow's grading step, run as Actions runs a `run:` step; returns its step outputs."""
    grade = next(step for step in _steps(repo) if step.get("id") == "grade")
    step_env = {key: str(value) for key, value in grade.get("env", {}).items()}
    assert not any("${{" in value for value in step_env.values())
    scratch.mkdir(parents=True, exist_ok=True)
    outputs, script = scratch / "github_output", scratch / "step.sh"
    outputs.write_text("")
    script.write_text(grade["run"])
    env = {**os.environ, **step_env, "GITHUB_OUTPUT": str(outputs), "RUNNER_TEMP": str(scratch),
           "GRADER_PYTHON": sys.executable}   # what "Install the grader side" sets, here this clone's
    if not sandbox.bubblewrap_usable():      # a laptop without bubblewrap: the grader says so in its report
        env["AUTOGRADER_SANDBOX"] = "auto"
    run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)


def _reporter_payloads(repo: Path, outputs: dict[str, str]) -> dict[str, dict]:
    """What autograding-grading-reporter reads: for each runner id, env <ID>_RESULTS, base64 JSON."""
    reporter = next(step for step in _steps(repo) if step.get("uses", "").startswith(
        "classroom-resources/autograding-grading-reporter@"))
    payloads = {}
    for runner in filter(None, re.split(r"[\s,]", reporter["with"]["runners"])):
        expression = reporter["env"][f"{runner.upper()}_RESULTS"]
        output = re.fullmatch(r"\$\{\{\s*steps\.grade\.outputs\.(\w+)\s*\}\}", expression).group(1)
        payloads[runner] = bundles.decode_payload(outputs[output])
    return payloads


@pytest.mark.parametrize("folder, full", [("solutions", True), ("release", False)], ids=["answer-key", "blank"])
def test_the_workflow_grading_command_reports_each_checks_points(starter, tmp_path, folder, full):
    photos_or_skip()
    repo = tmp_path / "repo"
    shutil.copytree(starter, repo)
    shutil.copy2(REPO / folder / CHAPTER.assignment / NOTEBOOK, repo / CHAPTER.assignment / NOTEBOOK)
    payloads = _reporter_payloads(repo, _run_grade_step(repo, tmp_path / "runner"))
    assert list(payloads) == [CHAPTER.key]
    payload = payloads[CHAPTER.key]
    assert payload["version"] == 1 and payload["max_score"] == CHAPTER.max_points == 20
    total = sum(test["score"] for test in payload["tests"])          # what the reporter sends Classroom
    assert len(payload["tests"]) == len(CHAPTER.checks)
    if full:
        assert total == 20 and payload["status"] == "pass"
        assert all(test["status"] == "pass" for test in payload["tests"])
    else:
        assert total == 0 and payload["status"] == "fail"
        assert all(test["status"] == "fail" for test in payload["tests"])
    hidden = [test for test in payload["tests"] if test["name"].startswith("hidden_")]
    assert hidden and all(test["message"] == bundles.HIDDEN_MESSAGE[full] for test in hidden)
    visible = [test for test in payload["tests"] if test["name"].startswith("check_")]
    assert visible and all(test["message"] not in bundles.HIDDEN_MESSAGE.values() for test in visible)


def test_a_chapter_the_grader_could_not_grade_is_reported_as_an_error_worth_zero():
    payloads = bundles.classroom_payloads({"output": "the grader could not run: no photos", "tests": []}, ["ch03"])
    payload = payloads["ch03"]
    assert payload["status"] == "error" and payload["max_score"] == 20
    assert sum(test["score"] for test in payload["tests"]) == 0
    assert "no photos" in payload["tests"][0]["message"]
    assert bundles.decode_payload(bundles.encode_payload(payload)) == payload


# --------------------------------------------------------------------------------------------------
# The Gradescope bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("gradescope") / "bundle"
    return bundles.gradescope(dest, [CHAPTER.key])


def _unzip(archive: Path, into: Path) -> None:
    """Unzip as Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            target = into / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bundle.read(info))
            mode = info.external_attr >> 16
            if mode:
                target.chmod(stat.S_IMODE(mode))


def test_the_bundle_has_setup_and_run_autograder_at_its_root(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert "setup.sh" in names and "run_autograder" in names
    assert all(modes[name] & stat.S_IXUSR for name in ("setup.sh", "run_autograder"))
    assert f"blank/{CHAPTER.assignment}/{NOTEBOOK}" in names
    assert "kit/requirements.txt" in names and "kit/autograder/chapters/ch03/hidden.py" in names
    assert not any("__pycache__" in name for name in names)
    for script in ("setup.sh", "run_autograder"):
        assert (bundle.parent / script).read_text().startswith("#!/usr/bin/env bash")
        syntax = subprocess.run(["bash", "-n", str(bundle.parent / script)], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr


def _gradescope(bundle: Path, root: Path, submission: dict[str, Path]) -> tuple[dict, str]:
    """Lay ``root`` out like Gradescope's /autograder, run run_autograder; return results.json and stdout."""
    _unzip(bundle, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, path in submission.items():
        shutil.copy2(path, root / "submission" / name)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    if not sandbox.bubblewrap_usable():
        env["AUTOGRADER_SANDBOX"] = "auto"
    run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"grader: {root / 'source' / 'kit' / 'autograder'}" in run.stdout, "graded with the bundle's own copy"
    return json.loads((root / "results" / "results.json").read_text()), run.stdout


@pytest.mark.parametrize("folder, score", [("solutions", 20), ("release", 0)], ids=["answer-key", "blank"])
def test_run_autograder_writes_gradescope_results(bundle, tmp_path, folder, score):
    photos_or_skip()
    uploaded = f"{CHAPTER.key} final (2).ipynb"   # Gradescope keeps whatever name the student uploaded
    results, stdout = _gradescope(bundle, tmp_path / "autograder",
                                  {uploaded: REPO / folder / CHAPTER.assignment / NOTEBOOK})
    assert results["score"] == score
    assert sum(test["max_score"] for test in results["tests"]) == 20
    assert len(results["tests"]) == len(CHAPTER.checks)
    assert {test["visibility"] for test in results["tests"]} == {"visible", "after_published"}
    assert f"graded {uploaded}" in stdout


def test_run_autograder_without_a_notebook_grades_the_blank(bundle, tmp_path):
    photos_or_skip()
    results, stdout = _gradescope(bundle, tmp_path / "autograder", {"notes.txt": REPO / "README.md"})
    assert results["score"] == 0 and sum(test["max_score"] for test in results["tests"]) == 20
    assert "no notebook was submitted" in stdout
