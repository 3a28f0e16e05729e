"""The same submission graded three times gets the same scores and the same messages: nothing a
check reports depends on chance (an unseeded flip in the student's code) or on the temporary folder
the inputs were written to."""
from __future__ import annotations

import pytest

from autograder import grading
from autograder.chapters import get_chapter

from .conftest import FIXTURES, REPO, wrong_notebook

pytestmark = pytest.mark.slow


def graded_three_times(path, chapter) -> list[list[tuple]]:
    return [[(result.name, result.status, result.points, result.message, result.hint)
             for result in grading.grade(path, chapter).results] for _ in range(3)]


def test_random_augmentation_gets_the_same_messages_every_time(tmp_path):
    """Chapter 5's answer key flips at random, and a wrong fixture augments the validation split at random."""
    chapter = get_chapter("ch05")
    for path in (REPO / "solutions" / "ch05_preprocessing" / "ch05_preprocessing.ipynb",
                 wrong_notebook("ch05_preprocessing", FIXTURES / "ch05" / "wrong_check_prepare_dataset_eval.py", tmp_path)):
        first, *others = graded_three_times(path, chapter)
        assert all(other == first for other in others), path.name


def test_messages_name_no_temporary_folder():
    """A loader that trips over a stray file says which, relative to the inputs, the same every time."""
    chapter = get_chapter("ch04")
    first, *others = graded_three_times(FIXTURES / "ch04" / "wrong_hidden_load_split_val.py", chapter)
    assert all(other == first for other in others)
    message = dict((name, message) for name, _, _, message, _ in first)["hidden_load_split_val"]
    assert "'hidden_photos/README.txt'" in message and "/tmp" not in message, message
