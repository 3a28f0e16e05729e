"""Chapter 3, the data quality audit: the answer key passes every check, one wrong submission
per check fails it with that check's message, the judges work on plain data, and the planted
defects are what the lesson says they are. Two visible checks read the real photos: those
tests are skipped where no photo folder can be found."""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder import data, grading
from autograder.chapters import get_chapter
from autograder.chapters.ch03 import cases, judges
from autograder.chapters.ch03 import hidden as hidden_cases
from autograder.chapters.ch03 import reference as audit

from .conftest import FIXTURES, REPO, namespace_of, photos_or_skip

CHAPTER = get_chapter("ch03")
ASSIGNMENT = "ch03_data_quality"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REAL_PHOTO_CHECKS = {"check_count_photos", "check_find_duplicates"}


# Skips without the photos, fails instead under .ci/run (FLOWERS_REQUIRE_PHOTOS): conftest.photos.
needs_photos = pytest.mark.usefixtures("photos")

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_count_photos": ("check_count_photos", "the dict's keys are", []),
    "wrong_hidden_count_photos": ("hidden_count_photos", "counts differ (sunflowers: found 10, expected 11",
                                  ["check_count_photos"]),
    "wrong_hidden_count_photos_other_folders": (
        "hidden_count_photos", "the dict's keys include '.ipynb_checkpoints' and 'extra_photos': folders of data_dir "
        "but not classes", ["check_count_photos"]),
    "wrong_check_balance_ratio": ("check_balance_ratio", "expected 0.6885", []),
    "wrong_hidden_balance_ratio": ("hidden_balance_ratio", "raised ZeroDivisionError", ["check_balance_ratio"]),
    "wrong_check_find_duplicates": ("check_find_duplicates", "missing 2 group(s)", []),
    "wrong_hidden_find_duplicates": ("hidden_find_duplicates", "that are not copies of each other",
                                     ["check_find_duplicates"]),
    "wrong_hidden_find_duplicates_other_folders": (
        "hidden_find_duplicates", "1 group(s) hold files from 'extra_photos', which is not a class folder",
        ["check_find_duplicates"]),
    "wrong_check_classify_duplicates": ("check_classify_duplicates", "'across_splits' holds nothing", []),
    "wrong_hidden_classify_duplicates": ("hidden_classify_duplicates", "'within_class' holds",
                                         ["check_classify_duplicates"]),
    "wrong_check_find_unreadable": ("check_find_unreadable", "instead of 'class/file.jpg'", []),
    "wrong_hidden_find_unreadable": ("hidden_find_unreadable", "missed ['sunflowers/half_downloaded.jpg']",
                                     ["check_find_unreadable"]),
    "wrong_check_checklist": ("check_checklist", "'enough_photos' is 'yes', not True or False", []),
    "wrong_hidden_checklist": ("hidden_checklist", "'enough_photos' is False, expected True", ["check_checklist"]),
    "wrong_check_plot_class_counts": ("check_plot_class_counts", "bar heights are", []),
    "wrong_hidden_plot_class_counts": ("hidden_plot_class_counts", "the x tick labels are",
                                       ["check_plot_class_counts"]),
}


def _skip_without_photos(grade_ids):
    if REAL_PHOTO_CHECKS & set(grade_ids):
        photos_or_skip()


@pytest.fixture(scope="module")
def answer_key() -> dict:
    return namespace_of(REPO / "solutions" / ASSIGNMENT / NOTEBOOK)


# --- the trusted audit and the planted defects ------------------------------------------------

@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ch03-inputs")
    cases.prepare(folder)
    hidden_cases.prepare(folder)
    return folder


def test_planted_defects_are_what_the_lesson_says(inputs):
    hidden = inputs / hidden_cases.HIDDEN_FOLDER
    counts = audit.audit_counts(hidden, data.CLASS_NAMES)
    assert counts["dandelion"] == 0 and counts["roses"] == 1            # empty and near-empty classes
    assert audit.audit_unreadable(hidden, data.CLASS_NAMES) == [
        "daisy/empty.jpg", "sunflowers/half_downloaded.jpg", "tulips/not_a_photo.jpg"]
    from PIL import Image
    with Image.open(hidden / "sunflowers" / "half_downloaded.jpg") as image:  # the header alone is fine
        assert image.size == (44, 36)
    groups = audit.audit_duplicates(hidden, data.CLASS_NAMES)
    flat = {path for group in groups for path in group}
    assert "daisy/same_name.jpg" not in flat and "tulips/almost_the_same.jpg" not in flat  # look-alikes
    assert (hidden / "tulips" / "almost_the_same.jpg").stat().st_size == \
        (hidden / "tulips" / "syn32_tulips_0001.jpg").stat().st_size
    kinds = audit.audit_classify(groups)
    assert len(kinds["within_class"]) == 1 and len(kinds["across_classes"]) == 3
    assert audit.audit_duplicates(inputs / cases.VISIBLE_FOLDER, data.CLASS_NAMES) == [
        ["daisy/daisy_copy.jpg", "daisy/syn31_daisy_0001.jpg"], ["daisy/syn31_daisy_0003.jpg", "tulips/mislabelled.jpg"]]


def test_planted_folders_that_are_not_classes(inputs):
    """The hidden folder holds sub-folders that are not classes; the kit's audit never looks into them."""
    hidden = inputs / hidden_cases.HIDDEN_FOLDER
    assert audit.other_folders(hidden, data.CLASS_NAMES) == sorted(hidden_cases.OTHER_FOLDERS)
    assert audit.other_folders(inputs / cases.VISIBLE_FOLDER, data.CLASS_NAMES) == []
    spare = (hidden / "extra_photos" / "daisy_spare.jpg").read_bytes()
    assert spare == (hidden / "daisy" / "syn32_daisy_0004.jpg").read_bytes()      # a copy, outside the classes
    flat = {path for group in audit.audit_duplicates(hidden, data.CLASS_NAMES) for path in group}
    assert "daisy/syn32_daisy_0004.jpg" not in flat
    assert not any(path.startswith("extra_photos/") for path in audit.audit_unreadable(hidden, data.CLASS_NAMES))
    expected = audit.count_photos(hidden_cases.HIDDEN_COUNT, inputs)
    assert expected["names"] == list(data.CLASS_NAMES) and expected["other_folders"] == sorted(hidden_cases.OTHER_FOLDERS)


def test_judges_name_a_folder_that_is_not_a_class():
    want = {"names": list(data.CLASS_NAMES), "counts": [1, 0, 1, 1, 1], "other_folders": ["extra_photos"]}
    verdict = judges.count_photos({"names": ["daisy", "dandelion", "extra_photos", "roses", "sunflowers", "tulips"],
                                   "counts": [1, 0, 2, 1, 1, 1]}, want)
    assert not verdict.ok and "'extra_photos': a folder of data_dir but not a class" in verdict.message
    assert "CLASS_NAMES" in verdict.hint and "skip every other folder" in verdict.hint
    verdict = judges.find_unreadable({"paths": ["daisy/a.jpg", "extra_photos/b.jpg"]},
                                     {"paths": ["daisy/a.jpg"], "classes": list(data.CLASS_NAMES)})
    assert not verdict.ok and "'extra_photos', which is not a class folder" in verdict.message
    assert "CLASS_NAMES" in verdict.hint


def test_hidden_groups_cover_every_kind():
    kinds = audit.audit_classify(hidden_cases.HIDDEN_CLASSIFY.groups)
    assert [len(kinds[key]) for key in ("within_class", "across_classes", "across_splits")] == [2, 2, 2]
    assert {tuple(group) for group in kinds["across_splits"]} & {tuple(group) for group in kinds["within_class"]}
    assert {tuple(group) for group in kinds["across_splits"]} & {tuple(group) for group in kinds["across_classes"]}


@needs_photos
def test_real_photos_hold_the_known_quirks():
    assert [tuple(group) for group in audit.audit_duplicates(photos_or_skip(), data.CLASS_NAMES)] == list(cases.REAL_DUPLICATES)
    assert audit.audit_counts(photos_or_skip(), data.CLASS_NAMES) == cases.REAL_COUNTS
    leaks = audit.audit_classify(cases.REAL_DUPLICATES)["across_splits"]
    assert [sorted(data.split_of(path) for path in group) for group in leaks] == [["test", "train"]]


# --- judges on plain data ---------------------------------------------------------------------

def test_judge_duplicates_hints():
    want = {"groups": [["daisy/a.jpg", "daisy/b.jpg"]]}
    verdict = judges.find_duplicates({"groups": [["daisy/b.jpg", "daisy/a.jpg"]]}, want)
    assert not verdict.ok and "not sorted" in verdict.message
    verdict = judges.find_duplicates({"groups": [["daisy/x.jpg", "roses/x.jpg"]]}, want)
    assert not verdict.ok and "same name" in verdict.hint
    verdict = judges.find_duplicates({"groups": [["daisy/a.jpg"]]}, want)
    assert not verdict.ok and "single file" in verdict.message
    assert judges.find_duplicates({"groups": []}, {"groups": []}).ok


def test_judge_ratio_and_plot_on_plain_data():
    expected = [{"counts": {"a": 1, "b": 2}, "ratio": 0.5}]
    assert judges.balance_ratio([{"value": 0.5}], expected).ok
    assert "largest / smallest" in judges.balance_ratio([{"value": 2.0}], expected).hint
    assert not judges.balance_ratio([{"value": float("nan")}], expected).ok
    axes = {"bars": [2.0, 1.0], "xticklabels": ["a", "b"], "title": "t", "ylabel": "photos"}
    want = {"names": ["a", "b"], "heights": [2.0, 1.0]}
    assert judges.plot_class_counts({"axes": [axes]}, want).ok
    assert "y label" in judges.plot_class_counts({"axes": [{**axes, "ylabel": ""}]}, want).message
    assert "do not sort" in judges.plot_class_counts({"axes": [{**axes, "bars": [1.0, 2.0]}]}, want).hint


# --- the batch grader (sandbox) ---------------------------------------------------------------

def by_name(report):
    return {result.name: result for result in report.results}


@pytest.mark.slow
@needs_photos
def test_batch_grader_answer_key_full_marks_blank_not_attempted():
    solved = grading.grade(REPO / "solutions" / ASSIGNMENT / NOTEBOOK)
    assert solved.score == solved.max_score == CHAPTER.max_points, [r.message for r in solved.results if not r.passed]
    blank = grading.grade(REPO / "release" / ASSIGNMENT / NOTEBOOK)
    assert blank.score == 0 and blank.status == "not attempted"


@pytest.mark.slow
@needs_photos
def test_wrong_fixtures_fail_in_the_batch_grader_too():
    for fixture in ("wrong_hidden_find_unreadable", "wrong_check_find_duplicates", "wrong_hidden_checklist"):
        report = grading.grade(FIXTURES / "ch03" / f"{fixture}.py", chapter=CHAPTER)
        target, words, still_passing = WRONG[fixture]
        results = by_name(report)
        assert results[target].status == "failed" and words in results[target].message, (fixture, results[target])
        assert all(results[grade_id].passed for grade_id in still_passing), fixture
