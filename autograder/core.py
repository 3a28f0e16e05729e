"""Checks and chapters: the grading core shared by both front ends.

A check has a case (its inputs, a frozen dataclass) and three parts, kept apart so that each runs
where it belongs (a chapter package keeps them in rooms of those names):

* ``probe(function, case, inputs_dir)`` calls the student's function on the case's inputs and
  turns what comes back into plain data (an :class:`Observation`). It runs where student code
  runs: the student's kernel (nbgrader) or the sandboxed worker (batch grader).
* ``expected(case, inputs_dir)`` computes the right answer with the kit's own trusted code
  (a chapter's ``reference``). It never runs student code.
* ``judge(found, expected)`` is a pure function over plain data that returns a
  ``Verdict``. :func:`score` wraps it into a :class:`CheckResult` and turns every
  way a probe can go wrong (not attempted, missing function, exception, data of
  the wrong form) into a message instead of a crash.
"""
from __future__ import annotations

import enum
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

from .result import CheckResult, failed, not_attempted, passed


class Status(str, enum.Enum):
    """What became of one probe: the one spelling of each outcome, on both sides of the sandbox."""
    OK = "ok"                        # the probe returned plain data: the judge decides
    NOT_ATTEMPTED = "not_attempted"  # the stub still raises NotImplementedError
    MISSING = "missing"              # no function of that name in the submission
    ERROR = "error"                  # the student's function raised, or returned something unusable
    TIMEOUT = "timeout"              # it did not return within the step's limit
    CRASHED = "crashed"              # it ended its process
    UNREADABLE = "unreadable"        # what came back could not be read as plain data of its size
    UNMEASURABLE = "unmeasurable"    # the trusted measure step could not measure what came back
    NO_RESULT = "no result"          # nothing came back (the notebook could not be read or run)


@dataclass(frozen=True)
class Observation:
    """What a probe saw, typed; it crosses the sandbox as a plain dict (:meth:`plain`)."""
    status: Status
    value: Any = None
    error: str | None = None
    function: str | None = None      # the stub concerned, when it is not the check's own
    seconds: int | None = None       # the limit a timed-out step ran into
    earlier: str | None = None       # the check in which that stub hung before
    traceback: str | None = None

    def plain(self) -> dict:
        found = {"status": self.status.value}
        for name in ("value", "error", "function", "seconds", "earlier", "traceback"):
            if getattr(self, name) is not None:
                found[name] = getattr(self, name)
        return found

    @classmethod
    def from_plain(cls, found) -> "Observation":
        """Read what came back from an untrusted process: anything malformed is UNREADABLE."""
        if isinstance(found, Observation):
            return found
        if not isinstance(found, dict):
            return cls(Status.UNREADABLE, error="not a JSON object")
        try:
            status = Status(found.get("status"))
        except ValueError:
            return cls(Status.UNREADABLE, error=f"unknown status {str(found.get('status'))[:40]!r}")

        def text(name):
            value = found.get(name)
            return str(value)[:2000] if value is not None else None
        seconds = found.get("seconds")
        return cls(status, found.get("value"), text("error"), text("function"),
                   int(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None,
                   text("earlier"), text("traceback"))


class Verdict(NamedTuple):
    ok: bool
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Check:
    grade_id: str            # the nbgrader test cell that runs this check
    function: str            # the student's function it calls
    points: float
    visible: bool
    description: str         # what is checked, in a student's words
    probe: Callable[[Callable, Path], Any]
    expected: Callable[[Path], Any]
    judge: Callable[[Any, Any], Verdict]
    # Optional trusted step between probe and judge, for what must not be measured where
    # student code runs: ``measure(found, private_dir) -> plain data`` (chapter 6 rebuilds the
    # student's architecture from its config and weights and scores it on held-out photos).
    measure: Callable[[Any, Path], Any] | None = None
    # Other student functions the probe needs, passed after ``function`` in this order
    # (chapter 6's compile check calls the student's build_model, then compile_model).
    also: tuple[str, ...] = ()
    # The check's inputs, written once (a frozen dataclass of the chapter's ``cases`` module):
    # ``probe(function, case, inputs_dir, *also)`` and ``expected(case, inputs_dir)``.
    case: Any = None
    # The name its probe, judge and reference share in the chapter's rooms.
    step: str = ""


@dataclass(frozen=True)
class Rooms:
    """A chapter package's ``probes``, ``reference`` and ``judges`` modules. A row of its table names a
    step (the student's function's name unless ``step`` says otherwise) found under that name in each.

    On the student side ``reference`` is the chapter's shipped answers (:class:`.answers.Shipped`),
    which are looked up by the check's grade id; on the grader side it is the ``reference`` module."""
    probes: Any
    reference: Any
    judges: Any

    def check(self, grade_id: str, function: str, points: float, visible: bool, description: str, case: Any,
              measure: Callable | None = None, step: str | None = None, also: tuple[str, ...] = ()) -> Check:
        step = step or function
        lookup = getattr(self.reference, "answer", None)
        expected = lookup(grade_id) if callable(lookup) else getattr(self.reference, step)
        return Check(grade_id, function, points, visible, description, probe=getattr(self.probes, step),
                     expected=expected, judge=getattr(self.judges, step), measure=measure,
                     also=also, case=case, step=step)


@dataclass(frozen=True)
class Chapter:
    key: str                 # "ch04"
    assignment: str          # nbgrader assignment and notebook name
    title: str
    checks: tuple[Check, ...]
    prepare: Callable[[Path], None]     # writes the inputs every probe reads
    # Every cell and every probe runs within this limit; a worker's wall time is bounded by it
    # (``grading.worst_case_seconds``).
    per_check_seconds: int = 60
    notes: tuple[str, ...] = field(default=())
    # Environment the student's code needs before TensorFlow is imported, e.g.
    # (("TF_USE_LEGACY_KERAS", "1"),) for tf-explain; set in the batch grader's worker.
    environment: tuple[tuple[str, str], ...] = field(default=())
    memory_bytes: int = 4 << 30         # the worker's address-space limit (RLIMIT_AS)
    # Writes what only trusted code may read (the photos the grader trains and scores on) into a
    # folder that is never bound where student code runs: ``prepare_private(private_dir, test_dir)``.
    prepare_private: Callable[[Path, Path | None], None] | None = None
    # True when probes read the real photo folder (``data.resolve_data_dir()``): the batch
    # grader then binds it read-only into the sandbox and sets FLOWERS_DIR there.
    photos: bool = False
    # False when neither the chapter's notebook nor its probes use TensorFlow: its worker then
    # does not import it ahead of the student's code (half a gigabyte less while grading).
    tensorflow: bool = True

    def check(self, grade_id: str) -> Check:
        for check in self.checks:
            if check.grade_id == grade_id:
                return check
        raise KeyError(f"{self.key} has no check {grade_id!r}")

    @property
    def max_points(self) -> float:
        return sum(check.points for check in self.checks)


def observe(check: Check, namespace: dict, inputs_dir: Path) -> Observation:
    """Run one probe against the student's namespace; never raises."""
    functions = []
    for name in (check.function, *check.also):
        function = namespace.get(name)
        if function is None:
            return Observation(Status.MISSING, function=name, value=similar_name(name, namespace))
        if not callable(function):
            return Observation(Status.ERROR, error=f"`{name}` is a {type(function).__name__}, not a function")
        functions.append(function)
    folders = _folder_names(inputs_dir)
    try:
        return Observation(Status.OK, _relative(check.probe(functions[0], check.case, Path(inputs_dir), *functions[1:]),
                                                folders))
    except NotImplementedError:
        return Observation(Status.NOT_ATTEMPTED)
    except ProbeTimeout:
        return Observation(Status.TIMEOUT)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the student's code may raise anything, SystemExit included
        frames = traceback.format_exception(type(error), error, error.__traceback__)
        return Observation(Status.ERROR, error=_relative(_one_line(error), folders),
                           traceback=_relative("".join(frames[-3:])[-1500:], folders))


def similar_name(name: str, namespace: dict) -> str | None:
    """The function in ``namespace`` whose name is closest to ``name`` (a stub renamed by a typo or a
    change of case: ``count_photo``, ``Count_Photos``), or None. Only shown in a message."""
    import difflib

    candidates = {str(key).lower(): str(key) for key, value in list(namespace.items())[:5000]
                  if isinstance(key, str) and not key.startswith("_") and callable(value)}
    found = difflib.get_close_matches(name.lower(), sorted(candidates), n=1, cutoff=0.8)
    return candidates[found[0]][:80] if found else None


def _folder_names(inputs_dir: Path) -> tuple[str, ...]:
    folder = Path(inputs_dir)
    return tuple(dict.fromkeys(f"{path}/" for path in (folder, folder.resolve())))


def _relative(value, folders: tuple[str, ...]):
    """``value`` with the inputs folder's path dropped from its strings: it is a fresh temporary folder
    each time, and the same submission must get the same message every time."""
    if isinstance(value, str):
        for folder in folders:
            value = value.replace(folder, "")
        return value
    if isinstance(value, dict):
        return {key: _relative(item, folders) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_relative(item, folders) for item in value) if isinstance(value, list) or \
            type(value) is tuple else value
    return value


def expected_answer(check: Check, inputs_dir: Path):
    """The check's expected answer, computed by the kit's own (trusted) code."""
    return check.expected(check.case, Path(inputs_dir))


def measure(check: Check, observation, private_dir: Path) -> Observation:
    """Apply the check's trusted ``measure`` step to an ``ok`` observation; never raises.
    Runs where no student code runs (the batch grader's evaluator process)."""
    observation = Observation.from_plain(observation)
    if check.measure is None or observation.status is not Status.OK:
        return observation
    try:
        return Observation(Status.OK, check.measure(observation.value, Path(private_dir)))
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return Observation(Status.UNMEASURABLE, error=_one_line(error))


class ProbeTimeout(KeyboardInterrupt):
    """Raised inside a probe that ran past its time; a KeyboardInterrupt so broad
    ``except Exception`` blocks in student code do not swallow it."""


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


# What every check of a notebook that never ran says (the class run counts those as "failed to grade").
NO_RESULT = "no result came back from your code"


def score(check: Check, observation, expected: Any) -> CheckResult:
    """Turn one observation into a result. Pure: plain data in, result out."""
    found = Observation.from_plain(observation)
    name = check.grade_id
    args = (name, check.points)
    status = found.status
    if status is Status.NOT_ATTEMPTED:
        return not_attempted(name, check.points, check.function, check.visible)
    if status is Status.MISSING:
        missing = found.function or check.function
        similar = f" Did you mean `{found.value}`? A function of that name was found." \
            if isinstance(found.value, str) and found.value else ""
        return failed(*args, f"{check.description}: no function named `{missing}` was found.{similar}",
                      f"Keep the name and signature of `{missing}` exactly as given, and run its cell.",
                      check.visible)
    if status is Status.TIMEOUT:
        function = found.function or check.function
        within = f" within {found.seconds} s" if found.seconds is not None else " in time"
        if found.earlier and found.earlier != check.grade_id:
            return failed(*args, f"{check.description}: not run, because `{function}` did not return{within} in "
                          f"the check {found.earlier}.",
                          "Look for a loop that never ends, or one that waits for something that never comes.",
                          check.visible)
        return failed(*args, f"{check.description}: `{function}` did not return{within}.",
                      "Look for a loop that never ends or work repeated inside a loop.", check.visible)
    if status is Status.CRASHED:
        function = found.function or check.function
        return failed(*args, f"{check.description}: `{function}` {found.error or 'ended the process'}.",
                      "Don't call sys.exit, os._exit or os.kill in your functions; a crash inside a native library "
                      "(NumPy, TensorFlow) can also end the process: check the shapes and types you pass it.",
                      check.visible)
    if status is Status.UNREADABLE:
        return failed(*args, f"{check.description}: what `{check.function}` returned could not be sent back to the "
                      f"grader: {found.error or 'it is not plain data'}.",
                      "Return what the docstring asks for: numbers, arrays, lists or the object named, of the size "
                      "described.", check.visible)
    if status is Status.UNMEASURABLE:
        return failed(*args, f"{check.description}: the grader could not measure what `{check.function}` returned "
                      f"({found.error or 'no reason given'}).",
                      "Compare what you return with the docstring; for a model: Keras's own layers, the input shape "
                      "and number of classes passed in.", check.visible)
    if status is Status.ERROR:
        return failed(*args, f"{check.description}: calling `{check.function}` raised {found.error or 'an error'}.",
                      "Run the visible check in your notebook and read the traceback.", check.visible)
    if status is not Status.OK:
        return failed(*args, f"{check.description}: {NO_RESULT} "
                      f"({found.error or 'the notebook could not be run'}).",
                      "Make sure the notebook runs from top to bottom without errors.", check.visible)
    try:
        verdict = check.judge(found.value, expected)
    except Exception as error:  # data from the worker is untrusted: any shape can arrive
        verdict = Verdict(False, f"`{check.function}` returned something of an unexpected form ({_one_line(error)}).",
                          "Compare what you return with the docstring: types, shapes and dtypes.")
    message = f"{check.description}: {verdict.message}"
    if verdict.ok:
        return passed(name, check.points, message, check.visible)
    return failed(name, check.points, message, verdict.hint, check.visible)
