"""Feedback never quotes a test cell's code: an error in a test cell keeps its name and message only."""
from __future__ import annotations

import nbformat

from autograder.nbgrader_steps import ShortTestTracebacks

HIDDEN = '### BEGIN HIDDEN TESTS\nrun_check("ch03", "hidden_count_photos", count_photos)\n### END HIDDEN TESTS'
LONG = ["NameError Traceback (most recent call last)", 'Cell In[12], line 2\n      1 ### BEGIN HIDDEN TESTS\n'
        '----> 2 run_check("ch03", "hidden_count_photos", count_photos)', "NameError: name 'count_photos' is not defined"]


def _cell(source, grade, solution):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": grade, "solution": solution, "grade_id": "x", "points": 1, "locked": not solution,
                                 "schema_version": 3}
    cell.outputs = [nbformat.v4.new_output("error", ename="NameError", evalue="name 'count_photos' is not defined",
                                           traceback=list(LONG))]
    return cell


def test_a_test_cell_s_error_keeps_its_name_and_message_only():
    notebook = nbformat.v4.new_notebook(cells=[_cell(HIDDEN, True, False), _cell("def f(): ...", False, True)])
    notebook, _ = ShortTestTracebacks()(notebook, {})   # as nbconvert calls it
    test, solution = (cell.outputs[0]["traceback"] for cell in notebook.cells)
    assert test == ["\x1b[31mNameError\x1b[0m: name 'count_photos' is not defined"]
    assert "hidden_count_photos" not in "".join(test) and "HIDDEN TESTS" not in "".join(test)
    assert solution == LONG   # the student's own cells keep their whole traceback
