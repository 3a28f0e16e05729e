"""The contract every chapter keeps, tested once for all of them (chapters 3 to 7 here; chapter 8's
checks need tf-keras from the start, so tests/test_ch08_checks.py runs the same contract in a child
process):

* every check has a wrong fixture, and every fixture targets a check;
* the answer key passes every check, for its full points;
* each wrong fixture fails its check with its message and a hint, and still passes the checks listed;
* an untouched stub is "not attempted", never a crash;
* hostile return values (objects that raise on ==, len or iteration, None, NaN, tuples) fail
  cleanly, for 0 points.

Each chapter's table of wrong fixtures lives in its own test module (``WRONG``). The accuracy checks,
which train, are left to their own slow tests (tests/test_ch06_checks.py, test_ch07_checks.py).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from autograder import nbcheck
from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, namespace_of, photos_or_skip, wrong_submission


@dataclass(frozen=True)
class Spec:
    patched: bool                      # fixtures are patches over the answer key (else whole submissions)
    training: frozenset = frozenset()  # checks that train: tested elsewhere
    photos: frozenset = frozenset()    # checks that read the real photos


SPECS = {"ch03": Spec(False, photos=frozenset({"check_count_photos", "check_find_duplicates"})),
         "ch04": Spec(False),
         "ch05": Spec(True),
         "ch06": Spec(True, training=frozenset({"check_val_accuracy", "hidden_test_accuracy"})),
         "ch07": Spec(True, training=frozenset({"check_improved_val_accuracy", "hidden_improved_accuracy"}))}


def wrong_table(key: str) -> dict:
    return importlib.import_module(f"tests.test_{key}_checks").WRONG


def evaluate(key: str, grade_id: str, namespace: dict):
    check = get_chapter(key).check(grade_id)
    return nbcheck.evaluate(key, grade_id, namespace[check.function], *(namespace[name] for name in check.also))


def _needs_photos(key: str, grade_ids) -> None:
    if SPECS[key].photos & set(grade_ids):
        photos_or_skip()


_answer_keys: dict = {}


def answer_key(key: str) -> dict:
    if key not in _answer_keys:
        assignment = get_chapter(key).assignment
        _answer_keys[key] = namespace_of(REPO / "solutions" / assignment / f"{assignment}.ipynb")
    return _answer_keys[key]


def _graded(key: str):
    return [check for check in get_chapter(key).checks if check.grade_id not in SPECS[key].training]


@pytest.mark.parametrize("key", sorted(SPECS))
def test_every_check_has_a_wrong_fixture(key):
    table = wrong_table(key)
    assert {target for target, _, _ in table.values()} == {check.grade_id for check in get_chapter(key).checks}
    assert set(table) <= {path.stem for path in (FIXTURES / key).glob("*.py")}


@pytest.mark.parametrize("key, grade_id", [(key, check.grade_id) for key in sorted(SPECS) for check in _graded(key)])
def test_answer_key_passes(key, grade_id):
    _needs_photos(key, [grade_id])
    result = evaluate(key, grade_id, answer_key(key))
    assert result.passed, result.message
    assert result.points == get_chapter(key).check(grade_id).points


@pytest.mark.parametrize("key, fixture", [(key, fixture) for key in sorted(SPECS)
                                          for fixture, (target, _, _) in sorted(wrong_table(key).items())
                                          if target not in SPECS[key].training])
def test_wrong_submission_fails_its_check_with_its_message(key, fixture):
    target, words, still_passing = wrong_table(key)[fixture]
    _needs_photos(key, [target, *still_passing])
    path = FIXTURES / key / f"{fixture}.py"
    namespace = wrong_submission(get_chapter(key).assignment, path) if SPECS[key].patched else namespace_of(path)
    result = evaluate(key, target, namespace)
    assert result.status == "failed" and result.points == 0, result
    assert words in result.message, result.message
    assert result.hint, "a failed check gives a hint"
    for grade_id in still_passing:  # hidden tests add cases; the visible contract still holds
        assert evaluate(key, grade_id, namespace).passed, grade_id


def _not_started(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("key", sorted(SPECS))
def test_an_untouched_stub_is_not_attempted(key):
    for check in get_chapter(key).checks:  # the accuracy checks too: the builder is called before training
        _needs_photos(key, [check.grade_id])
        result = nbcheck.evaluate(key, check.grade_id, _not_started, *([_not_started] * len(check.also)))
        assert result.status == "not attempted", (check.grade_id, result)


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


@pytest.mark.parametrize("key", sorted(SPECS))
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_return_values_are_reported_not_crashed(key, name):
    function = HOSTILE[name]
    for check in _graded(key):
        _needs_photos(key, [check.grade_id])
        result = nbcheck.evaluate(key, check.grade_id, function, *([function] * len(check.also)))
        assert result.status == "failed" and result.points == 0, (check.grade_id, result)
