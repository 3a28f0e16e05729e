"""The pytest front end of the batch grader: ``pytest --submission PATH [--chapter chNN] [--test-dir DIR]``.

Registered as a pytest plugin (``[project.entry-points.pytest11]`` in ``pyproject.toml``), so any pytest
run in the kit's environment has these options. Without ``--submission`` it does nothing at all.

With it, pytest collects nothing of its own: one test item per check of each submission's chapter
(for a folder, per submission and check), named by the check's grade id, so ``-k`` selects checks
and ``--junitxml`` carries each check's ``points`` and ``max_points`` as properties. The items only
report: the batch grader (:func:`grading.grade_path`, the sandboxed worker and the trusted evaluator)
runs once per session, when the first item runs, and no student code ever runs in pytest's process.
A failing check fails with its message and hint, never a traceback of the kit; when the grader itself
cannot run (no photos, a sandbox required but missing) every item fails saying so. ``--results`` also
writes the batch grader's ``results.json`` from the same grading.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from _pytest._code.code import TerminalRepr

_STATE = pytest.StashKey["_Grading"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flowers", "Flowers course kit: grade a submission (the batch grader, as tests)")
    group.addoption("--submission", metavar="PATH", type=str, default=None,
                    help="grade this notebook, .py script or folder of them: one test per check "
                         "(per submission and check for a folder); without it this plugin does nothing")
    group.addoption("--chapter", metavar="chNN", default=None,
                    help="the chapter (ch04 or ch04_loading) when the file or folder name does not say")
    group.addoption("--test-dir", metavar="DIR", default=None,
                    help="a private test set (one folder per class) replacing the test split")
    group.addoption("--results", metavar="PATH", default=None,
                    help="also write the batch grader's results.json (Gradescope's format) from the same grading")


class _Grading:
    """The session's one run of the batch grader, started by the first item that needs it."""

    def __init__(self, path: Path, chapter: str | None, test_dir: Path | None):
        self.path, self.chapter, self.test_dir = path, chapter, test_dir
        self.reports: dict | None = None
        self.ordered: list = []
        self.problem: str | None = None

    def result(self, submission: str, grade_id: str):
        if self.reports is None and self.problem is None:
            self._grade()
        if self.problem is not None:
            raise GraderUnavailable(f"the grader could not run: {self.problem}")
        report = self.reports.get(submission)
        found = report and next((result for result in report.results if result.name == grade_id), None)
        if found is None:
            raise GraderUnavailable(f"the grader returned no result for {grade_id} of {submission}")
        return report, found

    def _grade(self) -> None:
        from . import data, grading, sandbox

        try:
            self.ordered = grading.grade_path(self.path, self.chapter, self.test_dir)
        except (KeyError, sandbox.SandboxUnavailable, data.FlowersDataUnavailable) as error:
            self.problem = str(error.args[0] if error.args else error)
            return
        self.reports = {str(report.submission): report for report in self.ordered}


class GraderUnavailable(Exception):
    """The batch grader could not run (no photos, no sandbox where one is required): an error, not a grade."""


class CheckFailed(Exception):
    """A check the submission did not pass; shown as its message and hint."""


def pytest_configure(config: pytest.Config) -> None:
    submission = config.getoption("submission", None)
    if submission is None:
        return
    if getattr(config.option, "numprocesses", None) or getattr(config.option, "dist", "no") != "no":
        raise pytest.UsageError("--submission grades each submission once in a sandbox of its own: run it "
                                "without -n/--dist (for a class, python -m autograder grade PATH --jobs N)")
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        raise pytest.UsageError(f"--submission collects the checks of the submission only: give no test paths "
                                f"(got {' '.join(config.args)})")
    base = config.invocation_params.dir
    path = (base / submission).resolve()
    if not path.exists():
        raise pytest.UsageError(f"--submission {submission} does not exist")
    test_dir = config.getoption("test_dir")
    if test_dir is not None:
        test_dir = (base / test_dir).resolve()
        if not test_dir.is_dir():
            raise pytest.UsageError(f"--test-dir {test_dir} is not a folder")
    chapter = config.getoption("chapter")
    if chapter is not None:
        from .chapters import get_chapter

        try:
            get_chapter(chapter)
        except KeyError as error:
            raise pytest.UsageError(str(error.args[0])) from None
    _refuse_code_from(path, config)
    from .grading import find_submissions

    if not find_submissions(path):
        raise pytest.UsageError(f"no .ipynb or .py submission found under {path}")
    config.stash[_STATE] = _Grading(path, chapter, test_dir)


def _refuse_code_from(path: Path, config: pytest.Config) -> None:
    """pytest reads a configuration file and ``conftest.py`` files of the folders it starts in and of
    its arguments' folders, before any plugin can stop it: one found among the submissions is student
    code or settings in pytest's own process. Stop before grading, and say how to run it instead."""
    root = path if path.is_dir() else path.parent
    found = [config.inipath] if config.inipath is not None else []
    found += [Path(plugin.__file__) for plugin in config.pluginmanager.get_plugins()
              if isinstance(getattr(plugin, "__file__", None), str)]
    inside = sorted({str(item) for item in found if item.resolve() == root or root in item.resolve().parents})
    if inside:
        raise pytest.UsageError(f"pytest read {', '.join(inside)} from the submissions: run it from outside "
                                f"the submissions' folder, as --submission=PATH (one word), with no test paths")


def pytest_report_header(config: pytest.Config):
    state = config.stash.get(_STATE, None)
    if state is not None:
        return [f"flowers autograder: grading {state.path} (the batch grader, sandboxed; one test per check)"]
    return None


class Submission(pytest.Collector):
    """One submission file. Deliberately not a file-system collector: pytest must never look for a
    ``conftest.py`` (student code) beside the submission."""

    def __init__(self, *, submission: Path, chapter, **kwargs):
        super().__init__(**kwargs)
        self.submission, self.chapter = submission, chapter

    def collect(self):
        if self.chapter is None:  # the batch grader's own result for a submission it cannot place
            return [CheckItem.from_parent(self, name="chapter", max_points=0.0, visible=True, chapter_key="unknown")]
        return [CheckItem.from_parent(self, name=check.grade_id, max_points=float(check.points),
                                      visible=check.visible, chapter_key=self.chapter.key)
                for check in self.chapter.checks]


class CheckItem(pytest.Item):
    """One check of one submission: reports what the batch grader found."""

    def __init__(self, *, max_points: float, visible: bool, chapter_key: str, **kwargs):
        super().__init__(**kwargs)
        self.max_points, self.visible, self.chapter_key = max_points, visible, chapter_key

    def runtest(self) -> None:
        try:
            _, result = self.config.stash[_STATE].result(str(self.parent.submission), self.name)
        except GraderUnavailable:
            self.user_properties.extend([("points", "0"), ("max_points", f"{self.max_points:g}"),
                                         ("status", "not graded"), ("submission", self.parent.name)])
            raise
        self.user_properties.extend([("points", f"{result.points:g}"), ("max_points", f"{result.max_points:g}"),
                                     ("status", result.status), ("chapter", self.chapter_key),
                                     ("visibility", "visible" if result.visible else "hidden"),
                                     ("submission", self.parent.name)])
        if not result.passed:
            raise CheckFailed(result.message + (f"\nHint: {result.hint}" if result.hint else ""))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (CheckFailed, GraderUnavailable)):
            return _Message(str(excinfo.value))
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.parent.submission, None, f"{self.name} ({self.parent.name})"


class _Message(TerminalRepr):
    """A check's message and hint as the failure's whole text; its first line is what the short test
    summary and the JUnit ``message`` attribute show."""

    def __init__(self, text: str):
        self.text = text
        self.reprcrash = SimpleNamespace(message=text.splitlines()[0] if text else "")

    def toterminal(self, tw) -> None:
        for line in self.text.splitlines():
            tw.line(line)


def _relative(path: Path, root: Path) -> str:
    """A submission's name: its path under the ``--submission`` folder (a single file: its name), as the
    batch grader's shards name it; ``-k`` matches it too."""
    return path.name if path == root else path.relative_to(root).as_posix()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session):
    state = session.config.stash.get(_STATE, None)
    if state is None:
        return None
    from _pytest.pathlib import bestrelpath
    from _pytest.runner import collect_one_node

    from . import grading
    from .chapters import get_chapter

    hook = session.config.hook
    items = []
    try:
        for path in grading.find_submissions(state.path):
            try:
                chapter = get_chapter(state.chapter) if state.chapter else grading.chapter_for(path)
            except KeyError:
                chapter = None
            # Node ids are relative to the rootdir, as pytest's own are (it rebases them for display).
            nodeid = bestrelpath(session.config.rootpath, path)
            collector = Submission.from_parent(session, name=_relative(path, state.path), nodeid=nodeid,
                                               submission=path, chapter=chapter)
            report = collect_one_node(collector)
            hook.pytest_collectreport(report=report)
            for item in report.result:
                hook.pytest_itemcollected(item=item)
                items.append(item)
        session.items = items
        hook.pytest_collection_modifyitems(session=session, config=session.config, items=items)
    finally:
        hook.pytest_collection_finish(session=session)
    session.testscollected = len(items)
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE, None)
    results = session.config.getoption("results", None)
    if state is None or not results or (not state.ordered and state.problem is None):
        return  # nothing was graded (--collect-only, or -k selected no check)
    from . import grading, report

    reports = state.ordered or [grading.unknown_chapter_report(state.path,
                                                               f"the grader could not run: {state.problem}")]
    report.write_results(reports, session.config.invocation_params.dir / results)  # complete, as `grade --results`


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or not state.ordered:
        return
    from _pytest.pathlib import bestrelpath

    from . import report

    terminalreporter.section("flowers grades")
    shown = []
    for chapter_report in state.ordered:
        path = Path(chapter_report.submission)
        copy = report.ChapterReport(chapter_report.chapter, chapter_report.title,
                                    bestrelpath(config.invocation_params.dir, path),
                                    chapter_report.results, chapter_report.notes, chapter_report.sandboxed)
        shown.append(copy)
    terminalreporter.write_line(report.format_table(shown))
    for chapter_report in shown:
        for note in chapter_report.notes:
            terminalreporter.write_line(f"note: {chapter_report.submission}: {note}")
    total = sum(item.score for item in shown)
    possible = sum(item.max_score for item in shown)
    terminalreporter.write_line(f"total: {total:g} / {possible:g} points")
