"""The kit's own steps in nbgrader's pipelines (``nbgrader_config.py``).

1. Feedback without a test cell's code: an error in a test cell shows as its name and message.

A failed check already prints only its message and hint (``nbcheck.CheckFailed``). But a test cell can
fail before its check runs (the student renamed the function: ``NameError``; a timeout:
``KeyboardInterrupt``), and IPython's traceback then quotes the cell's lines, hidden test markers and
grade ids included. :class:`ShortTestTracebacks` runs in ``generate_feedback`` (``nbgrader_config.py``)
before nbgrader's ``ClearHiddenTests``, and keeps of each test cell's error its first line.

2. A cell copied in Jupyter costs no one else their grade. A copy carries its original's grade id;
nbgrader's ``DeduplicateIds`` then empties the copy's ``nbgrader`` metadata, and ``CheckCellMetadata`` reads
the empty dict as metadata of an old format: ``SchemaTooOldError`` stops ``nbgrader autograde`` for that
student and every student after. :class:`DropDuplicateIds` takes its place in ``autograde``'s sanitizing
steps and removes the copy's ``nbgrader`` metadata altogether: the copy is an ordinary cell, and the last
cell with the id keeps it, as with ``DeduplicateIds``.

3. Metadata the course never gave costs only its own cell. nbgrader's ``OverwriteCells`` drops an unknown
grade id but leaves the cell flagged (a validation error), and stops at a solution cell flagged as a grade
cell (``MissingEntry``): either way the whole notebook goes ungraded. :class:`OverwriteKnownCells` first
makes a cell with an unknown id an ordinary cell, and unflags a "grade" the gradebook does not know; the
gradebook's own test cells are then graded as always (one renamed or deleted scores 0).
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import DeduplicateIds, OverwriteCells
from traitlets import Bool


class ShortTestTracebacks(Preprocessor):
    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"\x1b[31m{output.get('ename', 'Error')}\x1b[0m: {output.get('evalue', '')}"]
        return cell, resources


class DropDuplicateIds(DeduplicateIds):
    """nbgrader's ``DeduplicateIds``, but a duplicate loses its ``nbgrader`` metadata altogether."""

    def preprocess_cell(self, cell, resources, cell_index):
        if not (utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)):
            return cell, resources
        grade_id = cell.metadata.nbgrader.get("grade_id")
        if grade_id in self.grade_ids:
            self.log.warning("Cell with id '%s' exists multiple times: the copy is graded as an ordinary cell",
                             grade_id)
            del cell.metadata["nbgrader"]
        else:
            self.grade_ids.add(grade_id)
        return cell, resources


class OverwriteKnownCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, after setting aside what the gradebook does not know."""

    def preprocess_cell(self, cell, resources, cell_index):
        metadata = cell.metadata.get("nbgrader") or {}
        grade_id = metadata.get("grade_id")
        if grade_id is None:
            return super().preprocess_cell(cell, resources, cell_index)
        try:
            self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        except MissingEntry:
            self.log.warning("Cell '%s' is not one of the assignment's: graded as an ordinary cell", grade_id)
            del cell.metadata["nbgrader"]
            return cell, resources
        if utils.is_grade(cell):
            try:
                self.gradebook.find_graded_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                self.log.warning("Cell '%s' is flagged as graded, but the assignment does not grade it", grade_id)
                metadata["grade"] = False
                metadata.pop("points", None)
        return super().preprocess_cell(cell, resources, cell_index)
