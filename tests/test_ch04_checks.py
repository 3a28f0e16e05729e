"""Chapter 4: every check passes the answer key, and one wrong submission per check fails
it with that check's message. Checks run in-process here (fast); test_grading.py runs the
same fixtures through the sandboxed batch grader."""
from __future__ import annotations

import numpy as np
import pytest

from autograder import nbcheck
from autograder.chapters import get_chapter

from .conftest import REPO, namespace_of

CHAPTER = get_chapter("ch04")

# fixture -> (the check it targets, words its message must contain, checks it must still pass)
WRONG = {
    "wrong_check_load_split": ("check_load_split", "dtype float32, expected uint8", []),
    "wrong_hidden_load_split_val": ("hidden_load_split_val", "raised NotADirectoryError", ["check_load_split"]),
    "wrong_hidden_load_split_test": ("hidden_load_split_test", "labels differ", ["check_load_split"]),
    "wrong_hidden_load_split_other_folders": ("hidden_load_split_test", "'.ipynb_checkpoints', a folder that is not "
                                              "a class, was taken for a class", ["check_load_split"]),
    "wrong_check_count_per_class": ("check_count_per_class", "keys are", []),
    "wrong_hidden_count_per_class": ("hidden_count_per_class", "keys are", ["check_count_per_class"]),
    "wrong_check_first_examples": ("check_first_examples", "read 12 elements of the dataset to return 3", []),
    "wrong_hidden_first_examples": ("hidden_first_examples", "in course order", ["check_first_examples"]),
    "wrong_check_plot_examples": ("check_plot_examples", "is titled '", []),
    "wrong_hidden_plot_examples": ("hidden_plot_examples", "raised IndexError", ["check_plot_examples"]),
}


@pytest.fixture(scope="module")
def answer_key() -> dict:
    return namespace_of(REPO / "solutions" / "ch04_loading" / "ch04_loading.ipynb")


def test_run_check_raises_check_failed_with_message_and_hint(capsys):
    def not_started(labels, class_names):
        raise NotImplementedError()

    with pytest.raises(nbcheck.CheckFailed, match="not attempted yet") as failure:
        nbcheck.run_check("ch04", "check_count_per_class", not_started)
    rendered = failure.value._render_traceback_()
    assert rendered[0].endswith("not attempted yet.") and rendered[1].startswith("Hint:")
    assert "run_check" not in "\n".join(rendered)  # no source lines in what Jupyter shows


def test_run_check_prints_passed(answer_key, capsys):
    nbcheck.run_check("ch04", "check_count_per_class", answer_key["count_per_class"])
    assert capsys.readouterr().out.startswith("Passed (1 point)")


@pytest.mark.slow
def test_answer_key_first_examples_on_tfds_mock_data(answer_key):
    """The tfds path offline: tfds.testing.mock_data stands in for the real download."""
    import tensorflow_datasets as tfds

    from autograder.data import TFDS_CLASS_NAMES, tfds_to_course_labels

    with tfds.testing.mock_data(num_examples=6):
        dataset = tfds.load("tf_flowers", split="train", as_supervised=True)
        raw = [(image.numpy(), int(label)) for image, label in dataset.take(4)]
        examples = answer_key["first_examples"](dataset, 4, list(TFDS_CLASS_NAMES))
    assert [label for _, label in examples] == tfds_to_course_labels([label for _, label in raw]).tolist()
    assert all(np.array_equal(image, want) for (image, _), (want, _) in zip(examples, raw))
