"""Chapter 6: architecture, compile and training checks in-process; accuracy earned in the
grader (slow: real training on the real photos); the baselines that must fail; the sandbox."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from autograder import grading, nbcheck, training
from autograder.chapters import earned, get_chapter
from autograder.chapters.ch06 import cases, hidden, judges

from .conftest import FIXTURES, REPO, namespace_of, wrong_notebook, wrong_submission

CHAPTER = get_chapter("ch06")
SOLUTION = REPO / "solutions" / "ch06_training" / "ch06_training.ipynb"
ACCURACY_CHECKS = ("check_val_accuracy", "hidden_test_accuracy")

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_build_model": ("check_build_model", "over the cap of 10,000,000", []),
    "wrong_hidden_build_model": ("hidden_build_model", "output has shape (None, 5), expected (None, 3)",
                                 ["check_build_model"]),
    "wrong_check_compile_model": ("check_compile_model", "ends in softmax (probabilities) but the loss has from_logits=True", []),
    "wrong_hidden_compile_model": ("hidden_compile_model", "learning rate is 0.0010000000474974513, expected 0.0003",
                                   ["check_compile_model"]),
    "wrong_check_train_model": ("check_train_model", "the validation split was not used", []),
    "wrong_hidden_train_model": ("hidden_train_model", "covers [2] epochs, expected 3", ["check_train_model"]),
    "wrong_check_val_accuracy": ("check_val_accuracy", "at least 0.45 is needed", ["check_build_model"]),
    "wrong_hidden_test_accuracy": ("hidden_test_accuracy", "at least 0.45 is needed", ["check_build_model"]),
}


def evaluate(grade_id: str, namespace: dict):
    check = CHAPTER.check(grade_id)
    return nbcheck.evaluate("ch06", grade_id, namespace[check.function], *(namespace[name] for name in check.also))


@pytest.fixture(scope="module")
def answer_key() -> dict:
    return namespace_of(SOLUTION)


def _compile_with(from_logits):
    import keras

    def compile_model(model, learning_rate=0.001):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits), metrics=["accuracy"])
        return model
    return compile_model


def test_each_from_logits_mismatch_gets_its_own_accurate_hint():
    """The kit's models of both kinds reach compile_model: a fixed from_logits fails on one of them.
    Logits read as probabilities is the harmful pair; softmax with from_logits=True is one Keras warns about
    and repairs (the hints say what Keras 3 really does, as measured in the notebook)."""
    logits_as_probabilities = nbcheck.evaluate("ch06", "check_compile_model", _compile_with(False))
    assert "outputs logits (no softmax) but the loss has from_logits=False" in logits_as_probabilities.message
    assert "harmful" in logits_as_probabilities.hint and "does not warn" in logits_as_probabilities.hint
    softmax_as_logits = nbcheck.evaluate("ch06", "check_compile_model", _compile_with(True))
    assert "ends in softmax (probabilities) but the loss has from_logits=True" in softmax_as_logits.message
    assert "warns" in softmax_as_logits.hint and "scores before the softmax" in softmax_as_logits.hint
    assert "again inside the loss" not in softmax_as_logits.hint  # the old, wrong consequence


def test_compile_checks_run_on_kit_models_of_both_kinds(answer_key):
    for check in (CHAPTER.check("check_compile_model"), CHAPTER.check("hidden_compile_model")):
        assert check.also == () and set(check.case.heads) == {cases.SOFTMAX, cases.LOGITS}
    result = evaluate("check_compile_model", answer_key)
    assert "from_logits=False for the model that outputs softmax probabilities" in result.message
    assert "from_logits=True for the model that outputs logits" in result.message


WRONG_HEAD = """\
# A binary head: one sigmoid unit where five classes need Dense(num_classes).
# %%
def build_model(num_classes, input_shape):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape), layers.Rescaling(1.0 / 255),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dense(1, activation="sigmoid")])
"""


def test_the_judges_own_loss_is_the_kit_models_loss_in_keras():
    """judges.kit_loss (NumPy) gives what Keras computes for the kit model, before and after training."""
    import keras

    case = cases.VISIBLE_TRAIN
    model, train_dataset, val_dataset = case.model_and_data()
    splits = case.splits()
    for _ in range(2):
        for name, dataset in (("train", train_dataset), ("val", val_dataset)):
            keras_loss = model.evaluate(dataset, verbose=0, return_dict=True)["loss"]
            assert judges.kit_loss(model.get_weights(), splits[name]) == pytest.approx(keras_loss, rel=1e-4, abs=1e-5)
        model.fit(train_dataset, epochs=1, verbose=0)


def _train_model_verdict(train_model, case=cases.VISIBLE_TRAIN):
    from autograder.chapters.ch06 import probes, reference

    return judges.train_model(probes.train_model(train_model, case, REPO), reference.train_model(case, REPO))


def test_train_model_is_judged_by_the_weights_it_leaves_not_by_what_the_model_says():
    """A History written by hand, fit and get_weights replaced, or weights nudged without training: each fails,
    because the judge computes the loss of the weights read from the model's own variables."""
    import keras

    def honest(model, train_dataset, val_dataset, epochs=10):
        return model.fit(train_dataset, validation_data=val_dataset, epochs=epochs, verbose=0)

    def nudged(model, train_dataset, val_dataset, epochs=10):
        """Moves every weight a little and claims the validation loss the weights really give."""
        model.set_weights([weight + 0.01 for weight in model.get_weights()])
        history = keras.callbacks.History()
        history.set_model(model)
        history.epoch = list(range(epochs))
        loss = model.evaluate(val_dataset, verbose=0, return_dict=True)
        history.history = {"loss": [1.0] * epochs, "accuracy": [0.9] * epochs,
                           "val_loss": [loss["loss"]] * epochs, "val_accuracy": [loss["accuracy"]] * epochs}
        return history

    def trained_twice_as_long(model, train_dataset, val_dataset, epochs=10):
        """Really trains; the History of the second fit is the one returned: consistent with the weights."""
        model.fit(train_dataset, epochs=epochs, verbose=0)
        return model.fit(train_dataset, validation_data=val_dataset, epochs=epochs, verbose=0)

    verdict = _train_model_verdict(honest)
    assert verdict.ok and verdict.message == "2 epochs trained, with loss and accuracy for both splits in the History."
    assert _train_model_verdict(trained_twice_as_long).ok
    verdict = _train_model_verdict(nudged)
    assert not verdict.ok and "was not trained" in verdict.message, verdict.message


def test_a_wrong_head_in_build_model_costs_only_the_checks_that_read_it(tmp_path):
    """A fault costs only its own checks: the compile and training checks hand compile_model and
    train_model the kit's models, so a wrong head in build_model fails the build checks alone (and the
    accuracy checks, below, in the slow test), never compile_model."""
    fixture = tmp_path / "wrong_head.py"
    fixture.write_text(WRONG_HEAD)
    namespace = wrong_submission("ch06_training", fixture)
    for grade_id in ("check_build_model", "hidden_build_model"):
        result = evaluate(grade_id, namespace)
        assert result.status == "failed" and "output has shape (None, 1)" in result.message, result.message
    for grade_id in ("check_compile_model", "hidden_compile_model", "check_train_model", "hidden_train_model"):
        result = evaluate(grade_id, namespace)
        assert result.passed, result.message
        assert "from_logits" not in result.hint


def test_compile_model_is_graded_even_when_build_model_fails(answer_key):
    def build_model(num_classes, input_shape):
        raise RuntimeError("broken on purpose")

    namespace = {**answer_key, "build_model": build_model}
    assert evaluate("check_build_model", namespace).status == "failed"
    assert evaluate("check_compile_model", namespace).passed and evaluate("hidden_compile_model", namespace).passed


# --- the trusted rebuild ----------------------------------------------------------------------------

def _architecture(model) -> str:
    return model.to_json()


def test_rebuild_refuses_code_carrying_layers():
    import keras

    lambda_model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(2)])
    with pytest.raises(training.ArchitectureRefused, match="Lambda"):
        training.rebuild(_architecture(lambda_model))
    tree = json.loads(_architecture(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])))
    tree["config"]["layers"][1]["module"] = "os"
    with pytest.raises(training.ArchitectureRefused, match="class of your own, from 'os'"):
        training.rebuild(json.dumps(tree))
    tree["config"]["layers"][1].update(module="keras.layers", class_name="NotALayer")
    with pytest.raises(training.ArchitectureRefused, match="not a standard Keras layer"):
        training.rebuild(json.dumps(tree))


def test_rebuild_keeps_weights_and_predictions(answer_key):
    model = answer_key["build_model"](5, (16, 16, 3))
    images = np.random.default_rng(0).uniform(0, 255, size=(3, 16, 16, 3)).astype("float32")
    rebuilt = training.rebuild(model.to_json(), model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-5)


def test_judge_accuracy_on_plain_data():
    expected = earned.expected_accuracy("test", 0.45)(None)
    passing = {"trained": True, "accuracy": 0.6, "count": 310, "per_class": [0.6] * 5}
    assert judges.accuracy(passing, expected).ok
    majority = {"trained": True, "accuracy": 70 / 310, "count": 310, "per_class": [0, 1, 0, 0, 0]}
    verdict = judges.accuracy(majority, expected)
    assert not verdict.ok and "0.226" in verdict.message and "dandelion 1.00" in verdict.message
    assert "over the cap" in judges.accuracy({"trained": False, "parameters": 500_000_000}, expected).message


def test_the_accuracy_probe_keeps_its_shared_training_and_its_measure_runs_elsewhere():
    visible, hidden = CHAPTER.check("check_val_accuracy"), CHAPTER.check("hidden_test_accuracy")
    assert visible.probe is hidden.probe and visible.probe.shared_by[0] == "architecture"
    assert visible.measure.elsewhere and hidden.measure.elsewhere
    assert (visible.case.split, hidden.case.split) == ("val", "test")


# --- accuracy earned in the grader (slow: the grader trains) -----------------------------------------

# The answer key earning its accuracy is checked in both graders by tests/test_nbgrader.py
# (its hidden accuracy test must pass for full marks).


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["wrong_check_val_accuracy", "wrong_hidden_test_accuracy"])
def test_baseline_models_fail_the_threshold(fixture, photos):
    """A model that ignores its input (Rescaling(1 // 255)) and one that drops 90 % of its units
    (Dropout(0.9) read as "keep 90 %") both earn about what guessing earns, and fail both accuracy checks."""
    target, words, still_passing = WRONG[fixture]
    namespace = wrong_submission("ch06_training", FIXTURES / "ch06" / f"{fixture}.py")
    for grade_id in ACCURACY_CHECKS:
        result = evaluate(grade_id, namespace)
        assert result.status == "failed" and words in result.message, result.message
    assert all(evaluate(grade_id, namespace).passed for grade_id in still_passing)


@pytest.mark.slow
def test_untrained_network_and_majority_class_fail_the_threshold(answer_key, photos, tmp_path):
    """Baselines measured without training: the reference architecture as the kit's seed initialises
    it, and always answering the largest class of the train split."""
    training.prepare_private(tmp_path)
    model = answer_key["build_model"](5, earned.INPUT_SHAPE)
    untrained = training.score_split(training.rebuild(model.to_json(), seed=training.BUDGET.seed), tmp_path, "test")
    assert untrained["accuracy"] < hidden.THRESHOLD.test - 0.1
    with np.load(tmp_path / training.SPLIT_FILES["train"]) as archive:
        train_labels = archive["labels"]
    with np.load(tmp_path / training.SPLIT_FILES["test"]) as archive:
        test_labels = archive["labels"]
    majority = np.mean(test_labels == np.bincount(train_labels).argmax())
    assert majority < hidden.THRESHOLD.test - 0.1


@pytest.mark.slow
def test_a_wrong_head_fails_the_accuracy_checks(photos, tmp_path):
    fixture = tmp_path / "wrong_head.py"
    fixture.write_text(WRONG_HEAD)
    namespace = wrong_submission("ch06_training", fixture)
    for grade_id in ACCURACY_CHECKS:
        result = evaluate(grade_id, namespace)
        assert result.status == "failed" and result.points == 0, result.message


@pytest.mark.slow
def test_a_500_million_parameter_model_gets_nothing_and_is_not_trained(photos):
    import keras

    def build_model(num_classes, input_shape):  # Flatten straight into a Dense layer wide enough for 500 M
        width = -(-500_000_000 // int(np.prod(input_shape)))
        return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                                 keras.layers.Dense(width), keras.layers.Dense(num_classes)])

    result = nbcheck.evaluate("ch06", "hidden_test_accuracy", build_model)
    assert result.status == "failed" and "did not train it" in result.message, result.message
    parameters = int(re.search(r"has ([\d,]+) parameters", result.message).group(1).replace(",", ""))
    assert parameters > 500_000_000, result.message


# --- the batch grader ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_batch_grader_blank_release_and_an_oversized_model(photos, tmp_path):
    """Through the sandbox: the blank release is "not attempted"; a model over the parameter cap
    fails its architecture check and both accuracy checks without being trained or rebuilt.
    (The answer key's full marks through the batch grader are checked by test_nbgrader.py.)"""
    blank = grading.grade(REPO / "release" / "ch06_training" / "ch06_training.ipynb")
    assert blank.score == 0 and blank.status == "not attempted"
    fixture = "wrong_check_build_model"
    report = grading.grade(wrong_notebook("ch06_training", FIXTURES / "ch06" / f"{fixture}.py", tmp_path), CHAPTER)
    results = {result.name: result for result in report.results}
    assert WRONG[fixture][1] in results["check_build_model"].message, results["check_build_model"]
    for grade_id in ACCURACY_CHECKS:
        assert "did not train it" in results[grade_id].message, results[grade_id]
    assert results["check_train_model"].passed and results["hidden_train_model"].passed
