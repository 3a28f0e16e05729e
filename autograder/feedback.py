"""nbgrader feedback without a test cell's code: an error in a test cell shows as its name and message.

A failed check already prints only its message and hint (``nbcheck.CheckFailed``). But a test cell can
fail before its check runs (the student renamed the function: ``NameError``; a timeout:
``KeyboardInterrupt``), and IPython's traceback then quotes the cell's lines, hidden test markers and
grade ids included. :class:`ShortTestTracebacks` runs in ``generate_feedback`` (``nbgrader_config.py``)
before nbgrader's ``ClearHiddenTests``, and keeps of each test cell's error its first line.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from traitlets import Bool


class ShortTestTracebacks(Preprocessor):
    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"\x1b[31m{output.get('ename', 'Error')}\x1b[0m: {output.get('evalue', '')}"]
        return cell, resources
