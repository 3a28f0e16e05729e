"""The grading package of the Flowers course kit.

One grading core, two front ends: the checks in :mod:`autograder.chapters` are
pure functions over plain data; nbgrader test cells reach them through
:mod:`autograder.nbcheck`, and the batch grader (``python -m autograder``)
through :mod:`autograder.grading`, which runs student code in a sandboxed worker.
"""
