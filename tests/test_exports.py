"""Exports of the batch grader's reports (autograder/exports.py, autograder/report.py): the per-check CSV
and Gradescope's results.json, checked against a JSON Schema written from Gradescope's specification
(tests/gradescope_results.schema.json). Hand-made reports only: nothing is graded here."""
from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path

import jsonschema
import pytest

from autograder import exports, report
from autograder.report import ChapterReport
from autograder.result import CheckResult, failed, not_attempted, passed

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


def _submission(student: str, assignment: str) -> str:
    return f"/course/submitted/{student}/{assignment}/{assignment}.ipynb"


def _ch03(student: str, results: list[CheckResult]) -> ChapterReport:
    return ChapterReport("ch03", "Data quality", _submission(student, "ch03_data_quality"), results)


def _ch04(student: str, results: list[CheckResult]) -> ChapterReport:
    return ChapterReport("ch04", "Loading", _submission(student, "ch04_loading"), results)


def _class_reports() -> list[ChapterReport]:
    """bob solved everything; alice solved part of ch03 and did not hand in ch04; carol handed in a
    blank ch03 (not attempted) and a half-right ch04."""
    return [
        _ch03("bob", [passed("check_count", 1, "ok"), passed("check_ratio", 2, "ok"),
                      passed("check_hidden", 1.5, "ok", visible=False)]),
        _ch04("bob", [passed("check_load", 2, "ok"), passed("check_batch", 3, "ok")]),
        _ch03("alice", [passed("check_count", 1, "ok"), failed("check_ratio", 2, "ratio 0.4, expected 0.5", "Divide."),
                        failed("check_hidden", 1.5, "wrong", visible=False)]),
        _ch03("carol", [not_attempted("check_count", 1, "count_photos"), not_attempted("check_ratio", 2, "ratio"),
                        not_attempted("check_hidden", 1.5, "hidden", visible=False)]),
        _ch04("carol", [passed("check_load", 2, "ok"), failed("check_batch", 3, "batches of 16, expected 32")]),
    ]


# ---- the per-check CSV -------------------------------------------------------------------------------------

def test_one_row_per_student_one_column_per_check(tmp_path):
    path = tmp_path / "checks.csv"
    exports.write_check_csv(_class_reports(), path)
    assert path.read_text().splitlines() == [
        "student,ch03:check_count,ch03:check_ratio,ch03:check_hidden,ch03:total,ch04:check_load,ch04:check_batch,"
        "ch04:total,total",
        "max points,1,2,1.5,4.5,2,3,5,9.5",
        "alice,1,0,0,1,,,,1",      # no ch04 handed in: empty cells, not 0
        "bob,1,2,1.5,4.5,2,3,5,9.5",
        "carol,0,0,0,0,2,0,2,2",   # a blank ch03 handed in: 0
    ]
    table = exports.read_check_csv(path)
    assert table.max_points["total"] == 9.5
    assert table.scores["alice"]["ch04:total"] is None and table.scores["carol"]["ch03:total"] == 0
    assert table.scores["bob"] == table.max_points


def test_the_csv_does_not_depend_on_the_reports_order(tmp_path):
    reports = _class_reports()
    exports.write_check_csv(reports, tmp_path / "first.csv")
    random.Random(3).shuffle(reports)
    exports.write_check_csv(reports, tmp_path / "second.csv")
    assert (tmp_path / "first.csv").read_bytes() == (tmp_path / "second.csv").read_bytes()


def test_a_notebook_outside_nbgraders_layout_is_named_by_its_path(tmp_path):
    reports = [ChapterReport("ch03", "Data quality", "/inbox/week1/dana.ipynb", [passed("check_count", 1, "ok")]),
               ChapterReport("ch03", "Data quality", "/inbox/week2/dana.ipynb", [failed("check_count", 1, "no")]),
               _ch03("erin", [passed("check_count", 1, "ok")])]
    assert exports.student_ids(reports) == ["week1/dana", "week2/dana", "erin"]
    assert exports.student_ids(reports[:1]) == ["dana"]
    exports.write_check_csv(reports, tmp_path / "checks.csv")
    assert sorted(exports.read_check_csv(tmp_path / "checks.csv").scores) == ["erin", "week1/dana", "week2/dana"]


def test_one_student_with_the_same_chapter_twice_is_refused(tmp_path):
    twice = [_ch03("bob", [passed("check_count", 1, "ok")]),
             ChapterReport("ch03", "Data quality", "/elsewhere/bob/ch03/ch03_data_quality.ipynb",
                           [passed("check_count", 1, "ok")])]
    with pytest.raises(ValueError, match="'bob' has chapter ch03 twice"):
        exports.write_check_csv(twice, tmp_path / "checks.csv")
    assert not (tmp_path / "checks.csv").exists()


def test_a_check_worth_different_points_in_two_reports_is_refused(tmp_path):
    mixed = [_ch03("bob", [passed("check_count", 1, "ok")]), _ch03("alice", [passed("check_count", 2, "ok")])]
    with pytest.raises(ValueError, match="ch03:check_count is worth 2 in one report and 1 in .*bob"):
        exports.write_check_csv(mixed, tmp_path / "checks.csv")


def test_the_csv_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "checks.csv"
    path.write_text("the previous export\n")

    def interrupted(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError, match="disk full"):
        exports.write_check_csv(_class_reports(), path)
    assert path.read_text() == "the previous export\n"
    assert list(tmp_path.iterdir()) == [path]   # no temporary file left behind


def test_sums_are_rounded_for_a_spreadsheet(tmp_path):
    tenths = [passed(f"check_{index}", 0.1, "ok") for index in range(3)]
    exports.write_check_csv([_ch03("bob", tenths)], tmp_path / "checks.csv")
    assert (tmp_path / "checks.csv").read_text().splitlines()[2] == "bob,0.1,0.1,0.1,0.3,0.3"


# ---- Gradescope's results.json -----------------------------------------------------------------------------

def _validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def _kit_results(tmp_path) -> dict:
    """What the kit writes for one student's two chapters: passed, failed with a hint, not attempted,
    hidden checks, and a chapter note."""
    chapters = [_ch03("carol", _class_reports()[2].results), _class_reports()[4]]
    chapters[0].notes.append("ran without a sandbox")
    report.write_results(chapters, tmp_path / "results.json")
    return json.loads((tmp_path / "results.json").read_text())


def test_the_kits_results_json_follows_gradescopes_specification(tmp_path):
    results = _kit_results(tmp_path)
    _validator().validate(results)
    statuses = {test["status"] for test in results["tests"]}
    visibilities = {test["visibility"] for test in results["tests"]}
    assert statuses == {"passed", "failed"} and visibilities == {"visible", "after_published"}
    assert results["score"] == sum(test["score"] for test in results["tests"]) == 3


def test_a_not_attempted_check_is_a_failed_test_with_its_hint(tmp_path):
    blank = report.gradescope_results([_class_reports()[3]])
    _validator().validate(blank)
    assert [test["status"] for test in blank["tests"]] == ["failed"] * 3
    assert "not attempted" in blank["tests"][0]["output"] and "Hint: Replace" in blank["tests"][0]["output"]
    assert blank["score"] == 0


def test_the_schema_takes_every_field_the_specification_lists():
    example = {
        "score": 44.0, "execution_time": 136, "output": "About the whole submission", "output_format": "md",
        "test_output_format": "text", "test_name_format": "html", "visibility": "after_due_date",
        "stdout_visibility": "visible", "extra_data": {"anything": [1, 2]},
        "tests": [{"score": 2.0, "max_score": 2.0, "status": "passed", "name": "First", "name_format": "ansi",
                   "number": "1.1", "output": "long text", "output_format": "simple_format", "tags": ["a", "b"],
                   "visibility": "hidden", "extra_data": {}}],
        "leaderboard": [{"name": "Accuracy", "value": 0.926}, {"name": "Time", "value": 15.1, "order": "asc"},
                        {"name": "Stars", "value": "*****"}],
    }
    _validator().validate(example)
    without_top_score = copy.deepcopy(example)
    del without_top_score["score"]   # allowed: every test carries its own
    _validator().validate(without_top_score)


def _status_error(results):
    results["tests"][0]["status"] = "error"


def _no_score_anywhere(results):
    del results["score"]
    del results["tests"][1]["score"]


def _unknown_visibility(results):
    results["tests"][0]["visibility"] = "students_only"


def _unknown_top_level_field(results):
    results["grade"] = results["score"]


def _unknown_test_field(results):
    results["tests"][0]["points"] = results["tests"][0]["score"]


def _score_as_text(results):
    results["score"] = "3"


@pytest.mark.parametrize("spoil", [_status_error, _no_score_anywhere, _unknown_visibility, _unknown_top_level_field,
                                   _unknown_test_field, _score_as_text])
def test_the_schema_refuses_what_gradescope_would_not_read(tmp_path, spoil):
    results = _kit_results(tmp_path)
    spoil(results)
    assert not _validator().is_valid(results), spoil.__name__
