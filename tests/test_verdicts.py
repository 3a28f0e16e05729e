"""Every fixture's verdicts are what they were before grading moved (issue 8: training on the
trusted side, one worker per submission, a child per chapter): ``tests/golden/verdicts.json`` was
written by ``tests/verdicts.py`` from the code before that change. Each chapter is evaluated in a
fresh process (chapter 8 needs tf-keras from the start)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO, once, shared_folder

GOLDEN = json.loads((REPO / "tests" / "golden" / "verdicts.json").read_text())
# Verdicts changed on purpose since the snapshot, one file per chapter (tests/golden/changed/chNN.json:
# [{"submission", "grade_id", "why", and "status" and "points" when those changed too}, ...]).
CHANGED_ON_PURPOSE = {(path.stem, entry["submission"], entry["grade_id"]): entry
                      for path in sorted((REPO / "tests" / "golden" / "changed").glob("ch*.json"))
                      for entry in json.loads(path.read_text())}
# The student side cannot compare these with the kit's Grad-CAM (it is computed where no student code
# runs, and only the grader side has it): it judges their form, so a wrong heat map may pass there.
# What the answer key passes, it must still pass.
PREVIEW_ONLY = {"check_gradcam_heatmaps", "check_explain_examples"}


@pytest.fixture(scope="session")
def grader_snapshot(tmp_path_factory):
    """The grader route's verdicts of a chapter, computed once per run: both tests below compare with them."""
    folder = shared_folder(tmp_path_factory, "grader-verdicts")

    def snapshot(chapter: str) -> dict:
        (folder / chapter).mkdir(exist_ok=True)
        with once(folder / chapter):   # one lock per chapter: two workers can take two chapters at once
            saved = folder / chapter / "saved.json"
            if not saved.exists():
                saved.write_text(json.dumps(_snapshot(chapter, folder / chapter, "grader")))
            return json.loads(saved.read_text())
    return snapshot


def _snapshot(chapter, tmp_path, route) -> dict:
    out = tmp_path / "verdicts.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    if chapter == "ch08":
        env["TF_USE_LEGACY_KERAS"] = "1"
    run = subprocess.run([sys.executable, "-m", "tests.verdicts", chapter, str(out), route], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.slow
@pytest.mark.parametrize("chapter", sorted(GOLDEN))
def test_every_fixture_gets_the_verdict_it_got_before(chapter, grader_snapshot, photos):
    found, golden = grader_snapshot(chapter), GOLDEN[chapter]
    # Fixtures and checks may be added since the snapshot; none of those in it may go or change.
    assert set(golden) <= set(found), f"fixtures gone: {sorted(set(golden) - set(found))}"
    for submission, verdicts in golden.items():
        assert set(verdicts) <= set(found[submission]), submission
        for grade_id, (status, points, message) in verdicts.items():
            now = found[submission][grade_id]
            entry = CHANGED_ON_PURPOSE.get((chapter, submission, grade_id), {})
            assert now[:2] == [entry.get("status", status), entry.get("points", points)], (submission, grade_id, now)
            if not entry:  # byte for byte: no message may depend on chance or on a temporary folder
                assert now[2] == message, (submission, grade_id)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", sorted(GOLDEN))
def test_the_student_side_gives_the_grader_verdict_on_every_visible_check(chapter, tmp_path, grader_snapshot, photos):
    """Answers shipped as data judge exactly as the reference does: same status, points and message."""
    student, grader = _snapshot(chapter, tmp_path, "student"), grader_snapshot(chapter)
    assert set(student) == set(grader)
    for submission, verdicts in student.items():
        assert verdicts, submission
        assert all(grade_id.startswith("check_") for grade_id in verdicts), "a hidden check reached the student side"
        for grade_id, now in verdicts.items():
            want = grader[submission][grade_id]
            if grade_id in PREVIEW_ONLY:
                assert want[0] != "passed" or now[0] == "passed", (submission, grade_id, now)
                continue
            assert now == want, (submission, grade_id)
