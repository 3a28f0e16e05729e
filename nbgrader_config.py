"""nbgrader settings for the Flowers course kit.

The course directory is this repository: nbgrader's source/ and release/
folders are the kit's own. Instructors run nbgrader from here.
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "flowers"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# TensorFlow takes seconds to import and a demo cell decodes photos: 30 s per cell is too short.
c.Execute.timeout = 300

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Feedback shows each test's outcome and message but never a hidden test's source.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
