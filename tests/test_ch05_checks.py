"""Chapter 5: the answer key passes every check, one wrong submission per check fails it with
that check's message, other classic mistakes get their own message, hostile returns score 0,
and (slow) the sandboxed batch grader agrees."""
from __future__ import annotations

import numpy as np
import pytest

from autograder import grading, nbcheck
from autograder.chapters import get_chapter
from autograder.chapters.ch05 import cases, judges

from .conftest import FIXTURES, REPO, namespace_of, wrong_notebook, wrong_submission

CHAPTER = get_chapter("ch05")
NOTEBOOK = REPO / "solutions" / "ch05_preprocessing" / "ch05_preprocessing.ipynb"

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_resize_image": ("check_resize_image", "expected 0-255", []),
    "wrong_hidden_resize_image": ("hidden_resize_image", "no attribute 'numpy'", ["check_resize_image"]),
    "wrong_check_preprocess_image": ("check_preprocess_image", "the flip is not random", []),
    "wrong_hidden_preprocess_image": ("hidden_preprocess_image", "outputs", ["check_preprocess_image"]),
    "wrong_check_build_augmentation": ("check_build_augmentation", "factor=20", []),
    "wrong_hidden_build_augmentation": ("hidden_build_augmentation", "RandomRotation has factor 0.056, expected 0.1250",
                                        ["check_build_augmentation"]),
    "wrong_check_prepare_dataset_eval": ("check_prepare_dataset_eval", "the validation/test split is augmented", []),
    "wrong_check_prepare_dataset_train": ("check_prepare_dataset_train", "the augmentation is frozen",
                                          ["check_prepare_dataset_eval"]),
    "wrong_hidden_prepare_dataset_augmentation": (
        "hidden_prepare_dataset_augmentation", "with an augmentation given, the validation/test split is augmented",
        ["check_prepare_dataset_eval", "check_prepare_dataset_train"]),
    # One fault, one message: the dtype, the scale and the order of height and width are told apart.
    "wrong_check_prepare_dataset_eval_dtype": ("check_prepare_dataset_eval", "dtype uint8, expected float32", []),
    "wrong_check_prepare_dataset_train_scale": ("check_prepare_dataset_train", "expected 0-255",
                                                ["check_resize_image", "check_preprocess_image"]),
    "wrong_check_prepare_dataset_eval_swapped": ("check_prepare_dataset_eval", "height and width swapped",
                                                 ["check_resize_image", "check_preprocess_image"]),
}
# fixture -> words its hint must contain (the cause, never "one static shape" when the shape is static)
HINTS = {
    "wrong_check_prepare_dataset_eval_dtype": "do not cast back to uint8",
    "wrong_check_prepare_dataset_train_scale": "0-255 scale, not 0-1",
    "wrong_check_prepare_dataset_eval_swapped": "image_size is (height, width)",
    "wrong_check_resize_image": "0-255 scale, not 0-1",
}


def wrong(fixture: str) -> dict:
    return wrong_submission("ch05_preprocessing", FIXTURES / "ch05" / f"{fixture}.py")


@pytest.fixture(scope="module")
def answer_key() -> dict:
    return namespace_of(NOTEBOOK)


def evaluate(grade_id: str, function):
    return nbcheck.evaluate("ch05", grade_id, function)


@pytest.mark.parametrize("fixture", sorted(HINTS))
def test_each_fault_gets_a_hint_aimed_at_its_cause(fixture):
    target = WRONG[fixture][0]
    result = evaluate(target, wrong(fixture)[CHAPTER.check(target).function])
    assert HINTS[fixture] in result.hint and "static shape" not in result.hint, result.hint


def test_answer_key_shuffle_buffer_covers_the_training_split(answer_key):
    """The training split arrives sorted by class (2,513 photos): a smaller buffer only mixes its first part."""
    assert answer_key["SHUFFLE_BUFFER"] >= 2513


def test_errata_get_their_hints():
    """E1 (degrees, tf.image.random_rotation), E2 (augmented validation), E6 (size written in)."""
    assert "fraction of a full turn" in evaluate("check_build_augmentation",
                                                 wrong("wrong_check_build_augmentation")
                                                 ["build_augmentation"]).hint
    assert "Augment only the training split" in evaluate(
        "check_prepare_dataset_eval",
        wrong("wrong_check_prepare_dataset_eval")["prepare_dataset"]).hint


def test_other_mistakes_get_their_own_message(answer_key):
    import keras
    import tensorflow as tf

    resize, preprocess = answer_key["resize_image"], answer_key["preprocess_image"]
    image_size = (128, 128)

    def written_in_size(image, label, image_size=image_size):  # E6: the size typed into the function
        return tf.image.resize(image, (128, 128)), label
    result = evaluate("check_resize_image", written_in_size)
    assert "expected (24, 32, 3)" in result.message and "IMAGE_SIZE" in result.hint

    def as_uint8(image, label, image_size=image_size):
        return tf.cast(tf.image.resize(image, image_size), tf.uint8), label
    assert "dtype uint8, expected float32" in evaluate("check_resize_image", as_uint8).message

    def swapped(image, label, image_size=image_size):
        return tf.image.resize(image, image_size[::-1]), label
    assert "(height, width)" in evaluate("check_resize_image", swapped).hint

    def flips(image, label, image_size=image_size):
        return preprocess(image, label, image_size)
    assert "came back mirrored" in evaluate("check_resize_image", flips).message

    def upside_down(image, label, image_size=image_size):
        image, label = resize(image, label, image_size)
        return tf.image.random_flip_up_down(image), label
    assert "upside down" in evaluate("check_preprocess_image", upside_down).message

    def one_hot(image, label, image_size=image_size):
        return resize(image, label, image_size)[0], tf.one_hot(label, 5)
    assert "labels came back changed" in evaluate("check_resize_image", one_hot).message

    def tf_image_rotation(rotation_degrees=20.0, zoom=0.2, contrast=0.2):  # the tutorial's E1
        return tf.image.random_rotation
    result = evaluate("check_build_augmentation", tf_image_rotation)
    assert "random_rotation" in result.message and "keras.layers.RandomRotation" in result.hint

    def vertical(rotation_degrees=20.0, zoom=0.2, contrast=0.2):
        return keras.Sequential([keras.layers.RandomFlip("horizontal_and_vertical"),
                                 keras.layers.RandomRotation(rotation_degrees / 360), keras.layers.RandomZoom(zoom),
                                 keras.layers.RandomContrast(contrast)])
    assert "mode 'horizontal_and_vertical'" in evaluate("check_build_augmentation", vertical).message

    def with_rescaling(rotation_degrees=20.0, zoom=0.2, contrast=0.2):
        model = answer_key["build_augmentation"](rotation_degrees, zoom, contrast)
        model.add(keras.layers.Rescaling(1 / 255))
        return model
    assert "training=False the stack changed" in evaluate("check_build_augmentation", with_rescaling).message

    def pipeline(cache=True, prefetch=True, shuffle_eval=False, shuffle_train=True, drop=False, repeat=False):
        def prepare_dataset(dataset, training, batch_size=32, image_size=image_size, augmentation=None):
            dataset = dataset.map(lambda image, label: resize(image, label, image_size))
            if cache:
                dataset = dataset.cache()
            if (training and shuffle_train) or (not training and shuffle_eval):
                dataset = dataset.shuffle(100)
            if training:
                dataset = dataset.map(lambda image, label: preprocess(image, label, image_size))
            dataset = dataset.batch(batch_size, drop_remainder=drop)
            dataset = dataset.repeat() if repeat else dataset
            return dataset.prefetch(2) if prefetch else dataset
        return prepare_dataset
    assert "not cached" in evaluate("check_prepare_dataset_eval", pipeline(cache=False)).message
    assert "no prefetch" in evaluate("check_prepare_dataset_train", pipeline(prefetch=False)).message
    assert "the order changed" in evaluate("check_prepare_dataset_eval", pipeline(shuffle_eval=True)).message
    assert "same order" in evaluate("check_prepare_dataset_train", pipeline(shuffle_train=False)).message
    assert "batches of sizes [4, 4]" in evaluate("check_prepare_dataset_eval", pipeline(drop=True)).message
    assert "no repeat()" in evaluate("check_prepare_dataset_train", pipeline(repeat=True)).hint  # ends, too

    def dynamic_size(dataset, training, batch_size=32, image_size=image_size, augmentation=None):
        def resize(image, label):  # a size computed at run time: the batches lose their static shape
            size = tf.stack([image_size[0] + 0 * tf.shape(image)[0], image_size[1] + 0 * tf.shape(image)[1]])
            return tf.image.resize(image, size), label
        return dataset.map(resize).cache().batch(batch_size).prefetch(2)
    result = evaluate("check_prepare_dataset_eval", dynamic_size)  # no static shape: that hint, and only then
    assert "element_spec says images of shape (None, None, None, 3)" in result.message and "static shape" in result.hint

    def float64(image, label, image_size=image_size):
        return tf.cast(tf.image.resize(image, image_size), tf.float64), label
    result = evaluate("check_resize_image", float64)
    assert "dtype float64, expected float32" in result.message and "float64" in result.hint


def test_match_tells_plain_mirror_and_inverse_apart():
    examples = cases.make_examples(4, 1)
    expected = cases.resized(examples, (20, 24))
    assert judges.match(expected[2], expected) == (2, "plain")
    assert judges.match(expected[3][:, ::-1], expected) == (3, "mirrored")
    assert judges.match(255.0 - expected[1], expected, inverted=True) == (1, "inverted plain")
    assert judges.match(255.0 - expected[1], expected) is None
    assert judges.match(np.zeros((20, 24, 3)), expected) is None


def test_judge_augmentation_on_plain_data():
    expected = {"degrees": 20.0, "rotation": 20 / 360, "zoom": 0.2, "contrast": 0.2}
    batch = np.full((2, 4, 4, 3), 100.0)
    layers = [{"name": name, "keras": True, "mode": "horizontal", "factor": 0.2, "height_factor": 0.2,
               "width_factor": None} for name in judges.LAYER_NAMES]
    layers[1]["factor"] = 20 / 360
    found = {"layers": layers, "batch": batch, "training": batch + 10, "inference": batch}
    assert judges.build_augmentation(found, expected).ok
    layers[2]["height_factor"] = 1.3  # the tutorial's zoom range (0.7, 1.3)
    assert "not a scale range" in judges.build_augmentation(found, expected).hint
    layers[2]["height_factor"], layers[1]["factor"] = 0.2, np.radians(20)
    assert "not radians" in judges.build_augmentation(found, expected).hint


def test_run_check_prints_passed(answer_key, capsys):
    nbcheck.run_check("ch05", "check_resize_image", answer_key["resize_image"])
    assert capsys.readouterr().out.startswith("Passed (1 point)")


@pytest.mark.slow
def test_batch_grader_fails_the_augmented_validation_split(tmp_path):
    # The answer key and the blank release go through the batch grader in tests/test_nbgrader.py.
    for fixture in ("wrong_check_prepare_dataset_eval",):  # the tutorial's E2, through the sandbox
        report = grading.grade(wrong_notebook("ch05_preprocessing", FIXTURES / "ch05" / f"{fixture}.py", tmp_path), CHAPTER)
        target, words, _ = WRONG[fixture]
        results = {result.name: result for result in report.results}
        assert results[target].status == "failed" and words in results[target].message, results[target]
