"""Unit tests for the small pieces: transport, submission reading, plot data, scoring, reports."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from autograder import report, transport
from autograder.core import Check, Verdict, score
from autograder.notebook import SubmissionError, cells_from_script, read_submission
from autograder.plotdata import figure_data
from autograder.result import passed

# --- transport ----------------------------------------------------------------------------


def test_transport_round_trip(tmp_path):
    payload = {"observations": {"a": {"status": "ok", "value": {"images": np.arange(6, dtype=np.uint8).reshape(2, 3),
                                                                "labels": [1, 2], "nan": float("nan")}}}}
    transport.write(tmp_path, payload)
    back = transport.read(tmp_path)
    value = back["observations"]["a"]["value"]
    assert value["images"].dtype == np.uint8 and value["images"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert value["labels"] == [1, 2] and np.isnan(value["nan"])


@pytest.mark.parametrize("bad", [np.array(["text"]), object(), np.array([{}], dtype=object)])
def test_transport_refuses_anything_but_plain_data(tmp_path, bad):
    with pytest.raises(transport.TransportError):
        transport.write(tmp_path, {"value": bad})
    assert transport.plain_or_error({"status": "ok", "value": bad})["status"] == "error"


def test_transport_read_refuses_pickles_and_missing_results(tmp_path):
    with pytest.raises(transport.TransportError, match="wrote no results"):
        transport.read(tmp_path)
    np.save(tmp_path / "x.npy", np.array([1]))
    (tmp_path / transport.JSON_NAME).write_text("{}")
    np.savez(tmp_path / transport.ARRAYS_NAME, a0=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(transport.TransportError):
        transport.read(tmp_path)


# --- reading submissions --------------------------------------------------------------------


def test_notebook_cells_skip_tests_and_demos_and_comment_magics(tmp_path):
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "# Title", "metadata": {}},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "x = 1"], "metadata": {}},
        {"cell_type": "code", "source": "run_check()", "metadata": {"nbgrader": {"grade": True, "solution": False,
                                                                                  "grade_id": "t"}}},
        {"cell_type": "code", "source": "def f(): pass", "metadata": {"nbgrader": {"grade": False, "solution": True,
                                                                                    "grade_id": "f"}}},
        {"cell_type": "code", "source": "show()", "metadata": {"tags": ["demo"]}},
    ]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(notebook))
    cells = read_submission(path)
    assert [cell.label for cell in cells] == ["cell 2", "f"]
    assert cells[0].source.splitlines()[0].lstrip().startswith("pass  # IPython only")
    compile(cells[0].source, "x", "exec")


def test_script_cells(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("# %%\nimport os\n# %% [markdown]\n# text\n# %% [solution] f\ndef f(): pass\n"
                    "# %% [check] t\nrun_check()\n# %% [demo]\nshow()\n")
    assert [cell.label for cell in cells_from_script(path)] == ["cell 1", "[solution] f"]


@pytest.mark.parametrize("content, words", [("not json", "not a readable notebook"),
                                            ('{"cells": 3}', "has no list of cells"),
                                            ('[1, 2]', "has no list of cells")])
def test_bad_notebooks_raise_submission_error(tmp_path, content, words):
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    with pytest.raises(SubmissionError, match=words):
        read_submission(path)
    with pytest.raises(SubmissionError, match="expected a .ipynb"):
        read_submission(tmp_path / "bad.txt")


# --- plot data ------------------------------------------------------------------------------


def test_figure_data_reads_images_lines_titles_and_legend():
    figure, (left, right) = plt.subplots(1, 2)
    left.imshow(np.zeros((4, 5, 3), dtype=np.uint8))
    left.set_title("daisy")
    right.plot([0, 1, 2], [0.5, 0.6, 0.7], label="val accuracy")
    right.set_xlabel("epoch")
    right.legend()
    found = figure_data(figure)["axes"]
    assert found[0]["title"] == "daisy" and found[0]["images"][0].shape == (4, 5, 3)
    assert found[1]["lines"][0]["y"].tolist() == [0.5, 0.6, 0.7]
    assert found[1]["xlabel"] == "epoch" and found[1]["legend"] == ["val accuracy"]
    with pytest.raises(TypeError, match="expected a matplotlib Figure"):
        figure_data(left)


# --- scoring --------------------------------------------------------------------------------

CHECK = Check("check_x", "f", 2, True, "f on one input", probe=None, expected=None,
              judge=lambda found, expected: Verdict(found == expected, f"found {found}", "a hint"))


@pytest.mark.parametrize("observation, status, words", [
    ({"status": "ok", "value": 3}, "passed", "found 3"),
    ({"status": "ok", "value": 4}, "failed", "found 4"),
    ({"status": "not_attempted"}, "not attempted", "not attempted yet"),
    ({"status": "missing"}, "failed", "no function named `f`"),
    ({"status": "error", "error": "ValueError: no"}, "failed", "raised ValueError: no"),
    ({"status": "timeout"}, "failed", "did not return in time"),
    ({"status": "no result", "error": "worker died"}, "failed", "worker died"),
    ({"status": "crashed", "error": "ended the process (exit status 3)"}, "failed", "`f` ended the process (exit status 3)"),
    ({"status": "timeout", "function": "g", "seconds": 20, "earlier": "check_y"}, "failed",
     "not run, because `g` did not return within 20 s in the check check_y"),
    ({"status": "unreadable", "error": "it returned 9.0 MiB"}, "failed", "could not be sent back to the grader: it returned 9.0 MiB"),
    ({"status": "passed, trust me"}, "failed", "unknown status"),
    ("garbage", "failed", "could not be sent back to the grader: not a JSON object"),
])
def test_score_turns_every_observation_into_a_result(observation, status, words):
    result = score(CHECK, observation, 3)
    assert result.status == status and words in result.message
    assert result.points == (2 if status == "passed" else 0)


def test_score_survives_a_judge_that_trips_over_odd_data():
    check = Check("c", "f", 1, False, "f", None, None, judge=lambda found, expected: Verdict(found["x"] > 0, ""))
    result = score(check, {"status": "ok", "value": [1]}, None)
    assert result.status == "failed" and "unexpected form" in result.message and not result.visible


# --- reports --------------------------------------------------------------------------------


def test_table_and_gradescope_results():
    results = [passed("a", 2, "fine"), score(CHECK, {"status": "not_attempted"}, 3)]
    chapter = report.ChapterReport("ch04", "Loading the data", "x.ipynb", results, ["a note"])
    assert chapter.score == 2 and chapter.max_score == 4 and chapter.status == "graded"
    table = report.format_table([chapter])
    assert "2 / 4" in table and table.splitlines()[0].startswith("chapter")
    document = report.gradescope_results([chapter])
    assert document["score"] == 2 and [test["score"] for test in document["tests"]] == [2, 0]
    assert "Hint:" in document["tests"][1]["output"] and "a note" in document["output"]


def test_a_missing_function_names_the_closest_one_the_notebook_defines():
    """A stub renamed by a typo or a change of case gets a "did you mean"; nothing close, no guess."""
    from autograder.chapters import get_chapter
    from autograder.core import Observation, Status, observe, score, similar_name

    def count_photo(folder):
        return {}

    assert similar_name("count_photos", {"count_photo": count_photo}) == "count_photo"
    assert similar_name("count_photos", {"Count_Photos": count_photo}) == "Count_Photos"
    assert similar_name("count_photos", {"count_photo": 3, "_count_photos": count_photo}) is None
    assert similar_name("count_photos", {"balance_ratio": count_photo}) is None
    check = get_chapter("ch03").check("check_count_photos")
    found = observe(check, {"count_photo": count_photo}, Path("."))
    assert found.status is Status.MISSING and found.value == "count_photo"
    result = score(check, Observation.from_plain(found.plain()), None)
    assert result.points == 0 and result.message.endswith(
        "no function named `count_photos` was found. Did you mean `count_photo`? A function of that name was found.")
    result = score(check, Observation(Status.MISSING, function="count_photos"), None)
    assert result.message.endswith("no function named `count_photos` was found.")
