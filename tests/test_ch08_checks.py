"""Chapter 8: each fault gets a hint aimed at its own cause; the judges and references on plain data;
the batch grader end to end (slow). The contract every chapter keeps (answer key, wrong fixtures, not
attempted, hostile returns) is tests/test_chapter_contract.py's.

tf-explain's GradCAM needs tf.keras to be tf-keras, which only ``TF_USE_LEGACY_KERAS=1`` set
*before* TensorFlow is imported gives. Other test modules import TensorFlow in Keras 3 mode
first, so every check that runs student code runs in one child process started with that
variable (``python -m tests.test_ch08_checks OUT.json``, see :func:`_evaluate_everything`);
the tests below read its results. Whatever order pytest runs modules in, the child starts clean.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.chapters import ch08
from autograder.chapters.ch08 import cases, hidden, judges, reference

from .conftest import FIXTURES, REPO, namespace_of

CHAPTER = ch08.CHAPTER

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_choose_examples": ("check_choose_examples", "the indices repeat", []),
    "wrong_hidden_choose_examples": ("hidden_choose_examples", "two calls with seed=3 gave different picks",
                                     ["check_choose_examples"]),
    "wrong_check_gradcam_heatmap": ("check_gradcam_heatmap", "without the ReLU", []),
    "wrong_check_gradcam_heatmap_axis": ("check_gradcam_heatmap", "averaged over the height only", []),
    "wrong_hidden_gradcam_heatmap": ("hidden_gradcam_heatmap", "differs from the kit's Grad-CAM by up to",
                                     ["check_gradcam_heatmap"]),
    "wrong_check_gradcam_heatmaps": ("check_gradcam_heatmaps", "shape (6, 16, 16)", []),
    "wrong_hidden_gradcam_corner": ("hidden_gradcam_corner", "bright patch in the top-left corner", []),
    "wrong_check_explain_examples": ("check_explain_examples", "but the model's argmax for images", []),
    "wrong_check_explain_examples_class0": ("check_explain_examples", "class 0 for every image", []),
    "wrong_check_explain_examples_seed": ("check_explain_examples", "the seed is ignored", []),
    "wrong_hidden_explain_examples": ("hidden_explain_examples", "the indices repeat", ["check_explain_examples"]),
    "wrong_check_plot_explanations": ("check_plot_explanations", "the figure has a colour bar", []),
    "wrong_hidden_plot_explanations": ("hidden_plot_explanations", "raised TypeError",
                                       ["check_plot_explanations"]),
}

# fixture -> words its hint must contain (and the hints of the other fixtures of that check must not)
HINTS = {
    "wrong_check_explain_examples": "dividing by 255 yourself",
    "wrong_check_explain_examples_class0": "A fixed class_index",
    "wrong_check_explain_examples_seed": "choose_examples(len(images), n, seed)",
    "wrong_check_gradcam_heatmap": "tf.nn.relu(cam)",
    "wrong_check_gradcam_heatmap_axis": "one number per feature map",
}


def _evaluate_everything() -> dict:
    """In the child process (tf-keras mode): every result the tests below look at, as plain data."""
    from autograder.core import expected_answer, measure, observe, score
    from autograder.quiet import quiet

    inputs = Path(tempfile.mkdtemp(prefix="ch08-test-"))
    CHAPTER.prepare(inputs)

    def evaluate(grade_id: str, function) -> dict:
        check = CHAPTER.check(grade_id)
        with quiet():  # the trusted measure step here too (the graders run it in the evaluator)
            observation = measure(check, observe(check, {check.function: function}, inputs), inputs)
            result = score(check, observation, expected_answer(check, inputs))
        return {"status": result.status, "points": result.points, "passed": result.passed,
                "message": result.message, "hint": result.hint}

    import tensorflow as tf
    results: dict = {"tf_keras": tf.keras.Sequential.__module__, "wrong": {}}
    for fixture, (target, _, still_passing) in WRONG.items():
        namespace = namespace_of(FIXTURES / "ch08" / f"{fixture}.py")
        function = namespace[CHAPTER.check(target).function]
        results["wrong"][fixture] = {grade_id: evaluate(grade_id, function) for grade_id in [target, *still_passing]}
    return results


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("ch08") / "results.json"
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-m", "tests.test_ch08_checks", str(out)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and out.exists(), run.stderr[-3000:]
    return json.loads(out.read_text())


def test_child_process_uses_tf_keras(results):
    assert results["tf_keras"].startswith("tf_keras")


@pytest.mark.parametrize("fixture", sorted(WRONG))
def test_each_fault_gets_its_own_hint(results, fixture):
    """The contract itself (message, hint, still passing) is tests/test_chapter_contract.py's."""
    target, _, _ = WRONG[fixture]
    result = results["wrong"][fixture][target]
    if fixture in HINTS:
        assert HINTS[fixture] in result["hint"], result["hint"]
    for other, other_words in HINTS.items():  # each fault gets its own hint, not another fault's
        if other != fixture and WRONG[other][0] == target and other_words not in HINTS.get(fixture, ""):
            assert other_words not in result["hint"], (fixture, result["hint"])


def test_chapter_asks_the_worker_for_tf_keras():
    assert ("TF_USE_LEGACY_KERAS", "1") in CHAPTER.environment


# --- the judges on plain data (no TensorFlow) ------------------------------------------------

def test_corner_images_put_the_patch_in_the_labelled_corner():
    images, labels = cases.corner_images(12, 5)
    half = cases.IMAGE_SIDE // 2
    for image, label in zip(images.astype(float).mean(axis=-1), labels):
        quarters = [image[:half, :half], image[:half, half:], image[half:, :half], image[half:, half:]]
        assert int(np.argmax([quarter.mean() for quarter in quarters])) == label
    assert images.dtype == np.uint8 and images.shape == (12, 32, 32, 3)
    assert np.array_equal(cases.corner_images(12, 5)[0], images)  # seeded


def test_judge_indices_names_each_problem():
    assert judges.judge_indices([3, 1, 2], 10, 3) is None
    assert "got 2 indices" in judges.judge_indices([1, 2], 10, 3).message
    assert "outside 0..9" in judges.judge_indices([1, 2, 10], 10, 3).message
    assert "repeat" in judges.judge_indices([1, 1, 2], 10, 3).message
    batch_numbers = judges.judge_indices(list(range(12)), 1000, 12)
    assert "below 32" in batch_numbers.message and "batch" in batch_numbers.hint


def _corner_found(corners, hot_corner_of=lambda corner: corner):
    heatmaps = np.zeros((len(corners), 32, 32), np.float32)
    for index, corner in enumerate(corners):
        hot = hot_corner_of(corner)
        rows = slice(0, 16) if hot in (0, 1) else slice(16, 32)
        columns = slice(0, 16) if hot in (0, 2) else slice(16, 32)
        heatmaps[index, rows, columns] = 1.0
    return {"heatmaps": heatmaps}, {"shape": [len(corners), 32, 32], "corners": list(corners)}


def test_judge_corner_accepts_the_patch_corner_and_rejects_a_transposed_map():
    found, expected = _corner_found([0, 1, 2, 3])
    assert judges.judge_corner(found, expected).ok
    transposed = {1: 2, 2: 1}
    found, expected = _corner_found([0, 1, 2, 3], lambda corner: transposed.get(corner, corner))
    verdict = judges.judge_corner(found, expected)
    assert not verdict.ok and "top-right corner" in verdict.message and "bottom-left quarter" in verdict.message
    flat = {"heatmaps": np.zeros((4, 32, 32), np.float32)}
    assert not judges.judge_corner(flat, expected).ok  # a constant map proves nothing, top-left included


def test_judge_heatmaps_shape_dtype_and_range():
    reference = np.random.default_rng(0).uniform(0, 1, size=(2, 32, 32)).astype(np.float32)
    base = {"classes": [0, 1], "reference": reference}
    expected = {"shape": [2, 32, 32], "corners": [0, 1]}
    assert judges.judge_heatmaps({**base, "heatmaps": reference.copy()}, expected).ok
    overlay = (reference[..., None] * 255).repeat(3, axis=-1).astype(np.uint8)
    verdict = judges.judge_heatmaps({**base, "heatmaps": overlay}, expected)
    assert not verdict.ok and "RGB picture" in verdict.hint
    verdict = judges.judge_heatmaps({**base, "heatmaps": reference * 255}, expected)
    assert not verdict.ok and "expected values in [0, 1]" in verdict.message
    verdict = judges.judge_heatmaps({**base, "heatmaps": 1 - reference}, expected)
    assert not verdict.ok and "differs from the kit's Grad-CAM" in verdict.message


def test_the_student_side_judges_the_form_and_defers_the_comparison_with_the_kits_grad_cam():
    """Without the grader's measure step (no kit Grad-CAM in what was found) the tf-explain judges check
    what they can see, and a pass says that the comparison is made when the work is graded."""
    maps = np.random.default_rng(1).uniform(0, 1, size=(2, 32, 32)).astype(np.float32)
    expected = {"shape": [2, 32, 32], "corners": [0, 1], "corner": False}
    verdict = judges.gradcam_heatmaps({"classes": [0, 1], "heatmaps": maps}, expected)
    assert verdict.ok and verdict.message.endswith(judges.WHEN_GRADED)
    assert not judges.gradcam_heatmaps({"classes": [0, 1], "heatmaps": maps * 255}, expected).ok

    explain = {"num_images": 10, "n": 2, "seed": 1, "other_seed": 2}
    found = {"indices": [4, 7], "again": [4, 7], "other": [1, 3], "classes": [2, 0], "heatmaps": maps,
             "overlays": np.zeros((2, 32, 32, 3), np.uint8)}
    verdict = judges.explain_examples(found, explain)
    assert verdict.ok and verdict.message.endswith(judges.WHEN_GRADED)
    assert "the seed is ignored" in judges.explain_examples({**found, "other": [4, 7]}, explain).message
    assert "not classes of this model" in judges.explain_examples({**found, "classes": [2, 9]}, explain).message
    assert "dtype uint8" in judges.explain_examples({**found, "overlays": found["overlays"] * 1.0}, explain).message


def test_gradcam_by_hand_judge_names_each_slip():
    expected = reference.gradcam_heatmap(cases.VISIBLE_TINY, Path("."))
    wanted = expected["heatmaps"][0]
    assert judges.gradcam_heatmap({"heatmaps": [wanted.copy()]}, expected).ok
    for name, slip in expected["slips"][0].items():
        verdict = judges.gradcam_heatmap({"heatmaps": [slip]}, expected)
        assert not verdict.ok and judges.SLIP_HINTS[name][0] in verdict.message, (name, verdict)
    verdict = judges.gradcam_heatmap({"heatmaps": [wanted.T.copy()]}, expected)
    assert not verdict.ok and "transposed" in verdict.hint
    verdict = judges.gradcam_heatmap({"heatmaps": [wanted - 0.5]}, expected)
    assert not verdict.ok and "ReLU is missing" in verdict.hint
    verdict = judges.gradcam_heatmap({"heatmaps": [1 - wanted]}, expected)
    assert not verdict.ok and "four steps" in verdict.hint


def test_gradcam_by_hand_reference_has_evidence_against_the_class():
    """Every case's weighted sum is negative somewhere and positive somewhere, so the ReLU matters and
    (map - min) / (max - min) after the ReLU equals map / max."""
    for case in (cases.VISIBLE_TINY, hidden.HIDDEN_TINY):
        for class_index in case.class_indices:
            features, gradients, _ = reference.features_and_gradients(case, class_index)
            cam = (features * gradients.mean(axis=(0, 1))).sum(axis=-1)
            assert cam.min() < 0 < cam.max(), (case, class_index)


def _plot_found(overlays, titles, colorbars=0):
    return {"axes": [{"images": [overlay], "title": title} for overlay, title in zip(overlays, titles)],
            "colorbars": colorbars}


def test_judge_plot():
    expected = reference.plot_explanations(cases.Plot(3, 41), Path("."))
    overlays, titles = expected["overlays"], expected["titles"]
    assert judges.plot_explanations(_plot_found(overlays, titles), expected).ok
    assert judges.plot_explanations(_plot_found(overlays, [f"predicted: {t}" for t in titles]), expected).ok
    assert "colour bar" in judges.plot_explanations(_plot_found(overlays, titles, colorbars=3), expected).message
    names = list(cases.data.CLASS_NAMES)
    shifted = [names[(names.index(title) + 1) % len(names)] for title in titles]
    assert "is titled" in judges.plot_explanations(_plot_found(overlays, shifted), expected).message
    heat_only = [overlay[..., 0] / 255.0 for overlay in overlays]
    assert "does not show example 0's overlay" in judges.plot_explanations(_plot_found(heat_only, titles), expected).message
    assert "expected 3" in judges.plot_explanations(_plot_found(overlays[:2], titles[:2]), expected).message


# --- the batch grader, sandboxed (slow) -------------------------------------------------------

# The answer key's full marks and the blank release's 0 through the batch grader are checked,
# against nbgrader's own scores, by tests/test_nbgrader.py.

@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["wrong_check_explain_examples", "wrong_check_plot_explanations"])
def test_batch_grader_catches_wrong_submissions(fixture):
    from autograder import grading

    target, words, _ = WRONG[fixture]
    report = grading.grade(FIXTURES / "ch08" / f"{fixture}.py", CHAPTER)
    result = next(result for result in report.results if result.name == target)
    assert result.status == "failed" and words in result.message, result.message


# A cell that rigs the kit's answers where the student's code runs: numpy's argmax, and tf.keras's
# Model.predict and Model.__call__, answer class 0 whenever the kit's reference code (module
# autograder.chapters.ch08.reference) calls them while the explain_examples probe runs. Before the
# answers moved to the trusted measure step, that made the model's argmax "class 0 for every image"
# and the kit's heat maps and overlays those of class 0: the answer key failed and a submission
# explaining class 0 for every image passed. The student's own calls, and the classes the probe
# hands to gradcam_heatmaps, are left alone.
RIGGING_CELL = """
import sys as _sys
import numpy as _np
import tensorflow as _tf

def _kit_explaining():
    frame, kit = _sys._getframe(2), False
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        kit = kit or name == "autograder.chapters.ch08.reference"
        if kit and name == "autograder.chapters.ch08.probes" and frame.f_code.co_name == "explain_examples":
            return True
        frame = frame.f_back
    return False

_argmax, _predict, _call = _np.argmax, _tf.keras.Model.predict, _tf.keras.Model.__call__

def _rigged_argmax(values, *args, **kwargs):
    found = _argmax(values, *args, **kwargs)
    return _np.zeros_like(found) if _kit_explaining() else found

def _rigged_predict(self, x, *args, **kwargs):
    found = _predict(self, x, *args, **kwargs)
    return _np.eye(found.shape[-1], dtype=found.dtype)[_np.zeros(len(found), int)] if _kit_explaining() else found

def _rigged_call(self, *args, **kwargs):
    found = _call(self, *args, **kwargs)
    if _kit_explaining() and isinstance(found, list):  # the kit's grad model: (features, predictions)
        return [found[0], found[1] * _tf.one_hot([0], found[1].shape[-1])]
    return found

_np.argmax, _tf.keras.Model.predict, _tf.keras.Model.__call__ = _rigged_argmax, _rigged_predict, _rigged_call
"""


@pytest.mark.slow
def test_patching_the_students_process_does_not_change_the_kits_answers(tmp_path):
    """The kit's answers that need the corner model are computed in the trusted evaluator: a submission
    that rigs numpy and tf.keras in its own process changes nothing the grader compares with."""
    import nbformat

    from autograder import grading

    answer_key = nbformat.read(REPO / "solutions" / CHAPTER.assignment / f"{CHAPTER.assignment}.ipynb", as_version=4)
    answer_key.cells.insert(4, nbformat.v4.new_code_cell(RIGGING_CELL))
    rigged_key = tmp_path / "key" / f"{CHAPTER.assignment}.ipynb"
    rigged_key.parent.mkdir()
    nbformat.write(answer_key, rigged_key)
    report = grading.grade(rigged_key, CHAPTER)
    assert report.score == CHAPTER.max_points, [(r.name, r.message) for r in report.results if not r.passed]

    fixture = "wrong_check_explain_examples_class0"
    rigged_wrong = tmp_path / "wrong" / f"{fixture}.py"
    rigged_wrong.parent.mkdir()
    rigged_wrong.write_text((FIXTURES / "ch08" / f"{fixture}.py").read_text() + "\n# %%\n" + RIGGING_CELL)
    report = grading.grade(rigged_wrong, CHAPTER)
    target, words, _ = WRONG[fixture]
    result = next(result for result in report.results if result.name == target)
    assert result.status == "failed" and words in result.message, result.message

if __name__ == "__main__":  # the child process of the `results` fixture
    Path(sys.argv[1]).write_text(json.dumps(_evaluate_everything()))
