"""The notebook front end: what nbgrader test cells call.

``run_check("ch04", "check_load_split", load_split)`` prepares the chapter's inputs, calls the
student's function through the check's probe (in this kernel: nbgrader runs student code here
anyway), and raises :class:`CheckFailed` (an ``AssertionError``) with the message and hint when the
check fails. Everything runs inside :func:`quiet`, because nbgrader gives no points to a test cell
that writes to stderr.

Two routes, one verdict:

* **grader side installed** (nbgrader autograde, the instructor, a self-study learner who installed it):
  the expected answer comes from the kit's reference, and a check whose ``measure`` step trains
  (accuracy earned in the grader) sends the probe's plain data to the sandboxed evaluator, a process
  holding no student code; the same architecture earns the same number in both graders.
* **student side only** (the student wheel): a visible check judges against the answer shipped as
  data (:mod:`.answers`); a training ``measure`` runs here, in this kernel, as a preview, and says so.
  Hidden checks are not in the student side at all.
"""
from __future__ import annotations

import atexit
import dataclasses
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from .quiet import quiet, quiet_environment

quiet_environment()

from .answers import AnswerUnavailable  # noqa: E402
from .chapters import get_chapter, student_chapter  # noqa: E402
from .core import Observation, Status, expected_answer, measure, observe, score  # noqa: E402
from .result import CheckResult  # noqa: E402

_prepared: dict[tuple[str, bool], Path] = {}
_private: dict[str, Path] = {}
PREVIEW_NOTE = ("measured in this kernel, as a preview: when your work is graded, the grader trains the same "
                "architecture where no notebook code runs")


class CheckUnavailable(LookupError):
    """The check cannot be run here: a hidden check without the grader side, or no shipped answer fits."""


class CheckFailed(AssertionError):
    """A failed check. In Jupyter it prints as its message alone: no traceback, so neither
    the kit's internals nor the source of a hidden test cell show up in outputs or feedback."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for custom tracebacks
        return [f"\x1b[31mCheck failed\x1b[0m: {line}" if index == 0 else line
                for index, line in enumerate(str(self).splitlines())]


def _inputs(chapter, grader: bool) -> Path:
    """Each chapter's inputs are made once per kernel (the student side makes the visible ones only)."""
    if (chapter.key, grader) not in _prepared:
        folder = Path(tempfile.mkdtemp(prefix=f"flowers-{chapter.key}-"))
        atexit.register(shutil.rmtree, folder, True)
        chapter.prepare(folder)
        _prepared[(chapter.key, grader)] = folder
    return _prepared[(chapter.key, grader)]


def _private_inputs(chapter) -> Path:
    """Held-out data for trusted measurements, made once per kernel (FLOWERS_TEST_DIR is honoured)."""
    if chapter.key not in _private:
        from .data import test_dir_setting

        folder = Path(tempfile.mkdtemp(prefix=f"flowers-{chapter.key}-private-"))
        atexit.register(shutil.rmtree, folder, True)
        if chapter.prepare_private is not None:
            chapter.prepare_private(folder, test_dir_setting())
        _private[chapter.key] = folder
    return _private[chapter.key]


_measured: dict[tuple[str, str, str], dict] = {}


def _fingerprint(observation: Observation) -> str:
    """Equal for two observations of one architecture, whatever names Keras gave its layers."""
    from . import training, transport

    value = observation.value
    if isinstance(value, dict) and "architecture" in value:
        return training.architecture_key(value["architecture"], value.get("claimed_parameters"))
    try:
        text = json.dumps(transport.plain_or_error(observation.plain()), sort_keys=True, default=repr)
    except (TypeError, ValueError):
        text = repr(observation)
    return hashlib.sha256(text.encode()).hexdigest()


def measure_elsewhere(chapter, check, observation: Observation) -> Observation:
    """The check's ``measure`` step, run by the sandboxed evaluator (no student code there).
    Checks whose probes observe the same thing (``probe.shared_by``) are measured in the same
    run, so that the hidden test check reuses the visible check's training."""
    from . import evaluator, transport

    if observation.status is not Status.OK:
        return observation
    key = (chapter.key, check.grade_id, _fingerprint(observation))
    if key not in _measured:
        shared = getattr(check.probe, "shared_by", None)
        together = [other for other in chapter.checks if other.measure is not None and (
            other is check or (shared is not None and getattr(other.probe, "shared_by", None) == shared))]
        plain = transport.plain_or_error(observation.plain())
        with tempfile.TemporaryDirectory(prefix=f"flowers-{chapter.key}-measure-") as work:
            results, run = evaluator.run([{"chapter": chapter.key, "private": _private_inputs(chapter),
                                           "observations": {other.grade_id: plain for other in together}}],
                                         Path(work), trainings=1, env=dict(chapter.environment))
        measured = results.get(0, {})
        for other in together:
            if other.grade_id in measured:
                _measured[(chapter.key, other.grade_id, key[2])] = Observation.from_plain(measured[other.grade_id])
        if key not in _measured:
            tail = (run.stderr.strip().splitlines() or ["no message"])[-1][:300]
            return Observation(Status.UNMEASURABLE, error="its time limit" if run.timed_out else tail)
    return _measured[key]


def evaluate(chapter_key: str, grade_id: str, function, *also, route: str | None = None) -> CheckResult:
    """Run one check against ``function`` (and the other functions it needs, ``also``) and return its
    result (never raises for student errors). ``route`` "student" takes the student side's route even
    where the grader side is installed (the tests compare the two); by default the grader side is used
    when it is there. Raises :class:`CheckUnavailable` when the check cannot be run here."""
    full = get_chapter(chapter_key)
    visible = student_chapter(chapter_key)
    grader = route != "student" and full is not visible
    chapter = full if grader else visible
    try:
        check = chapter.check(grade_id)
    except KeyError:
        hidden = grade_id in {c.grade_id for c in full.checks}
        raise CheckUnavailable(f"{grade_id} is a hidden check: it runs when your work is graded"
                               if hidden or grade_id.startswith("hidden") else
                               f"{chapter.key} has no check {grade_id!r}") from None
    with quiet():
        inputs = _inputs(chapter, grader)
        observation = observe(check, {check.function: function, **dict(zip(check.also, also))}, inputs)
        if getattr(check.measure, "elsewhere", False):  # training: in the sandboxed evaluator
            observation = (measure_elsewhere(chapter, check, observation) if grader else
                           measure(check, observation, _private_inputs(chapter)))
        elif check.measure is not None:  # facts about an architecture: cheap, and nothing held out
            observation = measure(check, observation, inputs)
        try:
            expected = expected_answer(check, inputs) if observation.status is Status.OK else None
        except AnswerUnavailable as error:
            raise CheckUnavailable(str(error)) from None
        result = score(check, observation, expected)
    if not grader and getattr(check.measure, "elsewhere", False) and observation.status is Status.OK:
        result = dataclasses.replace(result, message=f"{result.message} ({PREVIEW_NOTE})")
    return result


def run_check(chapter_key: str, grade_id: str, function, *also) -> None:
    """Run one check; print what passed, or raise CheckFailed saying what failed and why.
    Returns nothing, so that a notebook cell shows the printed line alone (``evaluate`` returns the result)."""
    from .data import FlowersDataUnavailable

    try:
        result = evaluate(chapter_key, grade_id, function, *also)
    except FlowersDataUnavailable as error:  # the check needs the photos: say how to get them
        raise CheckFailed(f"this check needs the flower photos. {error}") from None
    except CheckUnavailable as why:
        print(f"Not checked here: {why}.")
        return
    if not result.passed:
        hint = f"\nHint: {result.hint}" if result.hint else ""
        raise CheckFailed(f"{result.message}{hint}")
    print(f"Passed ({result.points:g} point{'s' if result.points != 1 else ''}): {result.message}")
