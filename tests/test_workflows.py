"""The deployment files lint clean: every GitHub Actions workflow (this repository's and the Classroom
one the kit generates) with actionlint, the grading image's Dockerfile with hadolint, the Kubernetes
manifest with kubernetes-validate. The three tools come pinned in requirements.txt as wheels that ship
their binaries (no download at install time)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder import bundles

from .conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
DOCKERFILE = REPO / "docker" / "Dockerfile"
MANIFEST = REPO / "docker" / "k8s-grade-shards.yaml"


def _tool(name: str) -> str:
    """The linter's binary from this environment; a skip saying how to get it, a failure in CI."""
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        reason = (f"`{name}` is not installed: `.venv/bin/python -m pip install -r requirements.txt` installs it "
                  f"offline from its wheel")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=REPO)


def test_the_workflows_are_there():
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "autograde.yml"}


def test_every_workflow_passes_actionlint(tmp_path):
    classroom = []
    for name, chapters in (("one", ["ch04"]), ("all", None)):   # one chapter; every chapter
        dest = tmp_path / name
        wheel = tmp_path / "flowers_course_student-0.1.0-py3-none-any.whl"
        wheel.write_bytes(b"")   # only copied; the workflow is what is linted here
        bundles.classroom(dest, chapters, wheel=wheel)
        classroom.append(dest / ".github" / "workflows" / "classroom.yml")
    run = _run([_tool("actionlint"), "-no-color", *map(str, WORKFLOWS + classroom)])
    assert run.returncode == 0, run.stdout + run.stderr


def test_ci_runs_the_readme_test_command_with_the_photos_beside_the_clone():
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    runs = [step.get("run", "") for step in ci["jobs"]["test"]["steps"]]
    assert "bash .ci/run" in runs
    assert any("../shared" in run for run in runs)
    assert any("apparmor_restrict_unprivileged_userns" in run for run in runs)
    assert ci["permissions"] == {"contents": "read"}


def test_the_grading_jobs_hold_no_secret_and_have_time_limits():
    autograde = yaml.safe_load((REPO / ".github" / "workflows" / "autograde.yml").read_text())
    assert autograde["permissions"] == {}
    jobs = autograde["jobs"]
    assert set(jobs) == {"fetch", "grade-gpu", "grade-cpu"}
    for name, job in jobs.items():
        assert job["timeout-minutes"] > 0 and job["permissions"] == {"contents": "read"}, name
    for name in ("grade-gpu", "grade-cpu"):
        assert "secrets." not in yaml.safe_dump(jobs[name]), f"{name} runs student code: no secret may reach it"
    action = (REPO / ".github" / "actions" / "grade" / "action.yml").read_text()
    assert "secrets." not in action
    assert "tensorflow[and-cuda]==2.21.0" in action and "apparmor_restrict_unprivileged_userns" in action
    assert "fromJSON(inputs.gpu_runner)" in jobs["grade-gpu"]["runs-on"]
    assert "needs.grade-gpu.result == 'failure'" in jobs["grade-cpu"]["if"]


def test_the_dockerfile_passes_hadolint():
    run = _run([_tool("hadolint"), str(DOCKERFILE)])
    assert run.returncode == 0, run.stdout + run.stderr
    text = DOCKERFILE.read_text()
    assert "bubblewrap" in text and "requirements.txt" in text and 'ENTRYPOINT ["python", "-m", "autograder"]' in text
    assert "ARG GPU=0" in text and "tensorflow[and-cuda]==2.21.0" in text


@pytest.mark.slow   # the schemas take seconds to load
@pytest.mark.parametrize("version", ["1.33.0", "1.37.0"])
def test_the_kubernetes_manifest_validates(version):
    run = _run([_tool("kubernetes-validate"), "--strict", "--kubernetes-version", version, str(MANIFEST)])
    assert run.returncode == 0 and "ERROR" not in run.stdout, run.stdout + run.stderr


def test_the_indexed_job_grades_one_shard_per_index():
    job = next(doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc["kind"] == "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container["args"])
    assert '--shard "$((JOB_COMPLETION_INDEX + 1))/$SHARDS"' in command and "grade /submissions" in command
    env = {item["name"]: item["value"] for item in container["env"]}
    assert int(env["SHARDS"]) == spec["completions"]
    assert spec["template"]["spec"]["automountServiceAccountToken"] is False
