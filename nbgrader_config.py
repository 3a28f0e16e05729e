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

# Student notebooks run in a sandboxed kernel (no network, read-only system, throwaway HOME; the batch
# grader's bubblewrap sandbox), reached over IPC sockets in a folder of their own. README: "What the
# grader guarantees". FLOWERS_NBGRADER_SANDBOX=off runs them in a plain kernel instead.
if os.environ.get("FLOWERS_NBGRADER_SANDBOX", "on").lower() != "off":
    from autograder import kernel as _kernel

    c.Execute.kernel_name = _kernel.KERNEL_NAME
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = _kernel.ipc_prefix()
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [_kernel.KERNELS_ROOT, *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))])

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Feedback shows each test's outcome and message but never a hidden test's source, not even quoted in
# the traceback of a test cell that failed before its check ran (autograder/nbgrader_steps.py).
from autograder.nbgrader_steps import ShortTestTracebacks  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ShortTestTracebacks, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# A cell copied in Jupyter (a duplicated grade id) costs its copy the grade metadata, not the whole class's
# autograde run; a grade id or flag the course never gave costs only that cell, not the whole notebook
# (autograder/nbgrader_steps.py: DropDuplicateIds and OverwriteKnownCells in place of nbgrader's own steps).
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, OverwriteKernelspec  # noqa: E402

from autograder.nbgrader_steps import DropDuplicateIds, OverwriteKnownCells  # noqa: E402

c.Autograde.sanitize_preprocessors = [ClearOutput, DropDuplicateIds, OverwriteKernelspec, OverwriteKnownCells,
                                      CheckCellMetadata]
