"""Chapter 7: every check passes the answer key, one wrong submission per check fails it with
that check's message and a hint, the tutorial's own error-analysis loop (E7, E9) is caught, and
the judges name the usual slips when fed plain data. The slow tests run the answer key, the
blank release and some wrong fixtures through the sandboxed batch grader."""
from __future__ import annotations

import numpy as np
import pytest

from autograder import grading, nbcheck
from autograder.chapters.common import softmax
from autograder.chapters import get_chapter
from autograder.chapters.ch07 import cases, hidden, judges, reference

from .conftest import FIXTURES, REPO, namespace_of, wrong_notebook, wrong_submission

CHAPTER = get_chapter("ch07")
SOLUTION = REPO / "solutions" / "ch07_evaluation" / "ch07_evaluation.ipynb"
RELEASE = REPO / "release" / "ch07_evaluation" / "ch07_evaluation.ipynb"

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_plot_history": ("check_plot_history", "x values are [0.0, 1.0", []),
    "wrong_hidden_plot_history": ("hidden_plot_history", "raised ValueError", ["check_plot_history"]),
    "wrong_check_build_improved_model": ("check_build_improved_model",
                                         "ends in a softmax, yet its loss is compiled with from_logits=True", []),
    "wrong_hidden_build_improved_model": ("hidden_build_improved_model", "output shape is (None, 5), expected (None, 3)",
                                          ["check_build_improved_model"]),
    "wrong_check_make_early_stopping": ("check_make_early_stopping", "restore_best_weights is False", []),
    "wrong_hidden_make_early_stopping": ("hidden_make_early_stopping", "patience is 4, expected 2",
                                         ["check_make_early_stopping"]),
    "wrong_check_collect_predictions": ("check_collect_predictions", "not 1 (they are the raw logits)", []),
    "wrong_hidden_collect_predictions": ("hidden_collect_predictions", "(softmax of the model's logits)",
                                         ["check_collect_predictions"]),
    "wrong_check_confusion_matrix": ("check_confusion_matrix", "it is transposed", []),
    "wrong_hidden_confusion_matrix": ("hidden_confusion_matrix", "expected shape (4, 4)", ["check_confusion_matrix"]),
    "wrong_check_plot_confusion_matrix": ("check_plot_confusion_matrix", "heat map's matrix: it is transposed", []),
    "wrong_hidden_plot_confusion_matrix": ("hidden_plot_confusion_matrix", "it shows counts, but normalize=True",
                                           ["check_plot_confusion_matrix"]),
    "wrong_check_worst_k": ("check_worst_k", "are not in descending order", []),
    "wrong_hidden_worst_k": ("hidden_worst_k", "raised IndexError", ["check_worst_k"]),
    "wrong_check_plot_predictions": ("check_plot_predictions", "confidence is", []),
    "wrong_hidden_plot_predictions": ("hidden_plot_predictions", "raised TypeError", ["check_plot_predictions"]),
    "wrong_check_to_display": ("check_to_display", "stretched", []),
    "wrong_hidden_to_display": ("hidden_to_display", "outside [0, 1]", ["check_to_display"]),
    "wrong_check_improved_val_accuracy": ("check_improved_val_accuracy", "needed (per class", []),
    "wrong_hidden_improved_accuracy": ("hidden_improved_accuracy", "needed (per class", ["check_build_improved_model"]),
}
ACCURACY_CHECKS = ("check_improved_val_accuracy", "hidden_improved_accuracy")  # slow: the grader trains

# The tutorial's own mistakes, written as a student would: fixture -> (check, words, words in the hint)
TUTORIAL_MISTAKES = {
    "tutorial_collect_predictions": ("check_collect_predictions", "model.predict was called 3 times", "once per batch"),
    "two_passes_collect_predictions": ("check_collect_predictions", "read the dataset's 20 images 3.0 times",
                                       "another order on every pass"),
    "logits_with_from_logits_false": ("check_build_improved_model", "has from_logits=False", "the harmful pair"),
}


def wrong(fixture: str) -> dict:
    return wrong_submission("ch07_evaluation", FIXTURES / "ch07" / f"{fixture}.py")


@pytest.fixture(scope="module")
def answer_key() -> dict:
    return namespace_of(SOLUTION)


@pytest.mark.parametrize("fixture", sorted(TUTORIAL_MISTAKES))
def test_the_tutorials_error_analysis_loop_is_caught(fixture):
    target, words, hint_words = TUTORIAL_MISTAKES[fixture]
    namespace = wrong(fixture)
    result = nbcheck.evaluate("ch07", target, namespace[CHAPTER.check(target).function])
    assert result.status == "failed" and words in result.message, result.message
    assert hint_words in result.hint, result.hint


def test_the_accuracy_rows_share_one_training_and_the_kits_cap():
    """Both accuracy rows observe the same architecture (one training in the grader), and the
    improved model's cap is the one the grader trains under (training.PARAMETER_CAP)."""
    from autograder import training

    visible, test = CHAPTER.check("check_improved_val_accuracy"), CHAPTER.check("hidden_improved_accuracy")
    assert visible.probe.shared_by == test.probe.shared_by is not None
    assert reference.build_improved_model(hidden.HIDDEN_IMPROVED, None)["cap"] == training.PARAMETER_CAP
    for check, split in ((visible, "val"), (test, "test")):
        expected = reference.improved_accuracy(check.case, None)
        assert expected["threshold"] == getattr(training.THRESHOLDS["build_improved_model"], split)
        assert expected["cap"] == training.PARAMETER_CAP


# --- judges on plain data --------------------------------------------------------------------

GOOD_MODEL = {"output_shape": [None, 5], "softmax_output": False, "compiled": True, "parameters": 1_204_005,
              "dropout_rates": [0.3, 0.3], "l2_factors": [1e-4] * 4, "rescaling": [1 / 255], "foreign_layers": [],
              "loss": {"name": "SparseCategoricalCrossentropy", "from_logits": True}, "optimizer": "Adam",
              "learning_rate": 5e-4, "metrics": ["accuracy"]}
MODEL_EXPECTED = reference.build_improved_model(cases.VISIBLE_IMPROVED, None)


@pytest.mark.parametrize("change, words, hint", [
    ({}, "logits output (None, 5)", ""),
    ({"softmax_output": True, "loss": {"name": "SparseCategoricalCrossentropy", "from_logits": True}},
     "yet its loss is compiled with from_logits=True", "Keras 3 notices"),
    ({"loss": {"name": "sparse_categorical_crossentropy", "from_logits": False}}, "has from_logits=False",
     "the harmful pair"),
    ({"dropout_rates": [0.8]}, "lie outside 0.1-0.5", "fraction of units DROPPED"),
    ({"dropout_rates": []}, "no Dropout layer", "Dropout"),
    ({"l2_factors": []}, "no layer has an L2", "L2"),
    ({"learning_rate": 1e-3}, "learning rate is 0.001, expected 0.0005", "learning_rate"),
    ({"optimizer": "SGD"}, "optimizer is SGD", "Adam"),
    ({"metrics": []}, "expected accuracy", "metrics"),
    ({"rescaling": []}, "no Rescaling(1/255)", "0-255"),
    ({"parameters": 11_000_000}, "more than 10,000,000", "Conv2D"),  # training.PARAMETER_CAP, as the grader
    ({"foreign_layers": ["MyLayer"]}, "not standard Keras layers", "rebuilds"),
    ({"compiled": False}, "not compiled", "compile"),
])
def test_judge_improved_names_the_problem(change, words, hint):
    verdict = judges.build_improved_model({**GOOD_MODEL, **change}, MODEL_EXPECTED)
    assert verdict.ok == (not change)
    assert words in verdict.message and hint in verdict.hint, verdict


@pytest.mark.parametrize("change, words", [
    ({"monitor": "loss"}, "measured on the training split"),
    ({"monitor": "val_accuracy", "mode": "min"}, "would keep the worst epoch"),
    ({"monitor": "val_loss", "mode": "max"}, "would keep the worst epoch"),
    ({"type": "ModelCheckpoint"}, "returned a ModelCheckpoint"),
])
def test_judge_early_stopping(change, words):
    good = {"type": "EarlyStopping", "monitor": "val_loss", "mode": "auto", "patience": 3.0, "restore_best_weights": True}
    assert judges.make_early_stopping(good, {"patience": 3}).ok
    assert judges.make_early_stopping({**good, "monitor": "val_accuracy", "mode": "max"}, {"patience": 3}).ok
    verdict = judges.make_early_stopping({**good, **change}, {"patience": 3})
    assert not verdict.ok and words in verdict.message


def test_judge_collect_catches_np_max_of_logits_as_confidence():
    expected = reference.collect_predictions(cases.Collect(6, 3, 2, 5, shuffle=False, dropout=False), None)
    logits = expected["logits"]
    found = {"labels": expected["labels"], "predicted": logits.argmax(axis=1), "probabilities": logits.max(axis=1),
             "images": expected["images"], "produced": 6, "predict_calls": 1}
    verdict = judges.collect_predictions(found, expected)
    assert not verdict.ok and "shape (6,)" in verdict.message and "never np.max of the logits" in verdict.hint
    good = {**found, "probabilities": softmax(logits)}
    assert judges.collect_predictions(good, expected).ok
    shuffled = {**good, "labels": np.roll(expected["labels"], 1)}
    assert "label" in judges.collect_predictions(shuffled, expected).message


def test_compare_matrix_names_each_slip():
    counts = reference.counts_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 0, 2, 2], 3)
    rows = counts / counts.sum(axis=1, keepdims=True)
    assert judges.compare_matrix(counts, counts, normalized=False).ok
    assert judges.compare_matrix(rows, counts, normalized=True).ok
    assert "transposed" in judges.compare_matrix(counts.T, counts, normalized=False).message
    assert "transposed" in judges.compare_matrix(rows.T, counts, normalized=True).message
    assert "shows counts" in judges.compare_matrix(counts, counts, normalized=True).message
    assert "shows fractions" in judges.compare_matrix(rows, counts, normalized=False).message
    columns = counts / counts.sum(axis=0, keepdims=True)
    assert "the wrong way" in judges.compare_matrix(columns, counts, normalized=True).message


def test_judge_history_on_plain_data():
    expected = reference.plot_history(cases.History(3, 5, real=False), None)
    values, epochs = expected["values"], np.arange(1, 4)

    def panel(metric, ylabel, train_label="Training", x=epochs):
        return {"lines": [{"x": x, "y": np.array(values[metric]), "label": f"{train_label} {metric}"},
                          {"x": epochs, "y": np.array(values[f"val_{metric}"]), "label": f"Validation {metric}"}],
                "legend": [f"{train_label} {metric}", f"Validation {metric}"], "xlabel": "Epoch", "ylabel": ylabel}

    good = {"axes": [panel("accuracy", "Accuracy"), panel("loss", "Loss")]}
    assert judges.plot_history(good, expected).ok
    swapped = {"axes": [panel("loss", "Loss"), panel("accuracy", "Accuracy")]}
    assert "loss is in the first panel" in judges.plot_history(swapped, expected).message
    unlabeled = {"axes": [panel("accuracy", "Accuracy", train_label="_child"), panel("loss", "Loss")]}
    assert "training curve is labelled" in judges.plot_history(unlabeled, expected).message
    assert "expected 2" in judges.plot_history({"axes": good["axes"][:1]}, expected).message


# --- the sandboxed batch grader --------------------------------------------------------------

# The answer key earning its accuracy is checked in both graders by tests/test_nbgrader.py
# (its hidden accuracy test must pass for full marks).


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["wrong_check_improved_val_accuracy", "wrong_hidden_improved_accuracy"])
def test_models_that_cannot_learn_fail_the_accuracy_checks(fixture, photos):
    target, words, still_passing = WRONG[fixture]
    namespace = wrong(fixture)
    for grade_id in ACCURACY_CHECKS:
        result = nbcheck.evaluate("ch07", grade_id, namespace["build_improved_model"])
        assert result.status == "failed" and words in result.message, result.message
    assert all(nbcheck.evaluate("ch07", grade_id, namespace["build_improved_model"]).passed for grade_id in still_passing)


@pytest.mark.slow
def test_batch_grader_gives_the_release_zero(photos):
    """The answer key's full marks through the batch grader are checked by test_nbgrader.py,
    which grades the solved copy with both graders."""
    blank = grading.grade(RELEASE)
    assert blank.status == "not attempted" and sum(result.points for result in blank.results) == 0


@pytest.mark.slow
def test_batch_grader_fails_a_wrong_fixture_with_its_message(photos, tmp_path):
    """E7 as a student writes it, through the sandbox, in an otherwise blank notebook (so that the
    grader has no model to train): that function fails with its message, the rest is not attempted."""
    target, words, _ = WRONG["wrong_check_collect_predictions"]
    fixture = FIXTURES / "ch07" / "wrong_check_collect_predictions.py"
    report = grading.grade(wrong_notebook("ch07_evaluation", fixture, tmp_path, base="release"), CHAPTER)
    results = {result.name: result for result in report.results}
    assert results[target].status == "failed" and words in results[target].message, results[target]
    assert results["hidden_collect_predictions"].status == "failed"
    assert {result.status for name, result in results.items() if "collect_predictions" not in name} == {"not attempted"}
