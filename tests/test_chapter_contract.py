"""The contract every chapter keeps, tested once for all of them:

* every check has a wrong fixture, and every fixture targets a check;
* the answer key passes every check, for its full points;
* each wrong fixture fails its check with its message and a hint, and still passes the checks listed;
* an untouched stub is "not attempted", never a crash;
* hostile return values (objects that raise on ==, len or iteration, None, NaN, tuples) fail
  cleanly, for 0 points.

Each chapter's table of wrong fixtures lives in its own test module (``WRONG``). The accuracy checks,
which train, are left to their own slow tests (tests/test_ch06_checks.py, test_ch07_checks.py).
Chapter 8's checks need tf-keras, which only ``TF_USE_LEGACY_KERAS=1`` set before TensorFlow is imported
gives: its verdicts are computed by this module in a child process started with that variable
(``python -m tests.test_chapter_contract ch08 OUT.json``) and read back as plain data.
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import nbcheck
from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, namespace_of, photos_or_skip, wrong_submission


@dataclass(frozen=True)
class Spec:
    patched: bool                      # fixtures are patches over the answer key (else whole submissions)
    training: frozenset = frozenset()  # checks that train: tested elsewhere
    photos: frozenset = frozenset()    # checks that read the real photos
    child: bool = False                # evaluated in a child process with tf-keras


SPECS = {"ch03": Spec(False, photos=frozenset({"check_count_photos", "check_find_duplicates"})),
         "ch04": Spec(False),
         "ch05": Spec(True),
         "ch06": Spec(True, training=frozenset({"check_val_accuracy", "hidden_test_accuracy"})),
         "ch07": Spec(True, training=frozenset({"check_improved_val_accuracy", "hidden_improved_accuracy"})),
         "ch08": Spec(False, child=True)}


def wrong_table(key: str) -> dict:
    return importlib.import_module(f"tests.test_{key}_checks").WRONG


def _evaluate(key: str, grade_id: str, functions: dict) -> dict:
    check = get_chapter(key).check(grade_id)
    result = nbcheck.evaluate(key, grade_id, functions[check.function], *(functions[name] for name in check.also))
    return {"status": result.status, "points": result.points, "passed": result.passed, "message": result.message,
            "hint": result.hint}


def _graded(key: str):
    return [check for check in get_chapter(key).checks if check.grade_id not in SPECS[key].training]


def _not_started(*args, **kwargs):
    raise NotImplementedError()


class Weird:
    """A return value that raises on every question a judge may ask of it."""

    def __eq__(self, other):
        raise RuntimeError("boom")

    __hash__ = None

    def __len__(self):
        raise RuntimeError("boom")

    def __iter__(self):
        raise RuntimeError("no iterating me")

    def __getattr__(self, name):
        raise RuntimeError("boom")


HOSTILE = {"weird": lambda *a, **k: Weird(), "none": lambda *a, **k: None, "pair": lambda *a, **k: ("a", "b"),
           "number": lambda *a, **k: 42, "nan": lambda *a, **k: float("nan"),
           "dict_of_weird": lambda *a, **k: {"x": Weird(), "labels": "x", "images": 3},
           "nested": lambda *a, **k: [[Weird()]]}


def _namespace(key: str, submission: str) -> dict:
    assignment = get_chapter(key).assignment
    if submission == "answer_key":
        return namespace_of(REPO / "solutions" / assignment / f"{assignment}.ipynb")
    path = FIXTURES / key / f"{submission}.py"
    return wrong_submission(assignment, path) if SPECS[key].patched else namespace_of(path)


def _verdicts(key: str, submission: str) -> dict:
    """{grade_id: result} for one submission of the contract: the answer key, a wrong fixture, a hostile
    function returned by every stub, or every stub untouched."""
    if submission in HOSTILE or submission == "not_started":
        function = HOSTILE.get(submission, _not_started)
        checks = get_chapter(key).checks if submission == "not_started" else _graded(key)
        return {check.grade_id: _evaluate(key, check.grade_id, {name: function for name in (check.function, *check.also)})
                for check in checks}
    namespace = _namespace(key, submission)
    if submission == "answer_key":
        wanted = [check.grade_id for check in _graded(key)]
    else:
        target, _, still_passing = wrong_table(key)[submission]
        wanted = [target, *still_passing]
    return {grade_id: _evaluate(key, grade_id, namespace) for grade_id in wanted}


def _submissions(key: str) -> list[str]:
    fixtures = [name for name, (target, _, _) in wrong_table(key).items() if target not in SPECS[key].training]
    return ["answer_key", *sorted(fixtures), *HOSTILE, "not_started"]


_results: dict = {}


def verdicts(key: str, submission: str) -> dict:
    """The contract's verdicts, computed here or (chapter 8) in a child process with tf-keras."""
    if (key, submission) not in _results:
        if SPECS[key].child:
            out = Path(tempfile.mkdtemp(prefix=f"contract-{key}-")) / "verdicts.json"
            env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
            run = subprocess.run([sys.executable, "-m", "tests.test_chapter_contract", key, str(out)], cwd=REPO,
                                 env=env, capture_output=True, text=True, timeout=900)
            assert run.returncode == 0 and out.exists(), run.stderr[-3000:]
            for submission_name, found in json.loads(out.read_text()).items():
                _results[(key, submission_name)] = found
        else:
            _results[(key, submission)] = _verdicts(key, submission)
    return _results[(key, submission)]


def _needs_photos(key: str, grade_ids) -> None:
    if SPECS[key].photos & set(grade_ids):
        photos_or_skip()


@pytest.mark.parametrize("key", sorted(SPECS))
def test_every_check_has_a_wrong_fixture(key):
    table = wrong_table(key)
    assert {target for target, _, _ in table.values()} == {check.grade_id for check in get_chapter(key).checks}
    assert set(table) <= {path.stem for path in (FIXTURES / key).glob("*.py")}


@pytest.mark.parametrize("key, grade_id", [(key, check.grade_id) for key in sorted(SPECS) for check in _graded(key)])
def test_answer_key_passes(key, grade_id):
    _needs_photos(key, [grade_id])
    result = verdicts(key, "answer_key")[grade_id]
    assert result["passed"], result["message"]
    assert result["points"] == get_chapter(key).check(grade_id).points


@pytest.mark.parametrize("key, fixture", [(key, fixture) for key in sorted(SPECS)
                                          for fixture, (target, _, _) in sorted(wrong_table(key).items())
                                          if target not in SPECS[key].training])
def test_wrong_submission_fails_its_check_with_its_message(key, fixture):
    target, words, still_passing = wrong_table(key)[fixture]
    _needs_photos(key, [target, *still_passing])
    found = verdicts(key, fixture)
    result = found[target]
    assert result["status"] == "failed" and result["points"] == 0, result
    assert words in result["message"], result["message"]
    assert result["hint"], "a failed check gives a hint"
    for grade_id in still_passing:  # hidden tests add cases; the visible contract still holds
        assert found[grade_id]["passed"], (grade_id, found[grade_id]["message"])


@pytest.mark.parametrize("key", sorted(SPECS))
def test_an_untouched_stub_is_not_attempted(key):
    _needs_photos(key, [check.grade_id for check in get_chapter(key).checks])
    for grade_id, result in verdicts(key, "not_started").items():  # accuracy too: the builder runs first
        assert result["status"] == "not attempted", (grade_id, result)


@pytest.mark.parametrize("key", sorted(SPECS))
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_return_values_are_reported_not_crashed(key, name):
    _needs_photos(key, [check.grade_id for check in _graded(key)])
    for grade_id, result in verdicts(key, name).items():
        assert result["status"] == "failed" and result["points"] == 0, (grade_id, result)


if __name__ == "__main__":  # the child process: every verdict of the contract for one chapter, as JSON
    from autograder.quiet import quiet

    chapter_key, target_file = sys.argv[1], sys.argv[2]
    with quiet():
        everything = {submission: _verdicts(chapter_key, submission) for submission in _submissions(chapter_key)}
    Path(target_file).write_text(json.dumps(everything))
