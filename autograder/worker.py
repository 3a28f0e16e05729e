"""The worker: runs a submission's code and the chapters' probes, writes plain data.

Started by :mod:`autograder.grading` inside the sandbox as
``python -m autograder.worker JOBS.json``, where the file lists one job per chapter
(``{"chapter": "ch04", "inputs": DIR, "out": DIR}``). The process imports TensorFlow once,
then **forks one child per chapter**: the child runs the chapter's code cells in one namespace
(a failing cell is recorded and the next one still runs, as in a notebook), then each check's
probe, and writes every observation as soon as it has it (``out/checks/<grade_id>/``, through
:mod:`autograder.transport`) along with a journal of what it began and ended.

A fault costs only its own checks. Every cell and every probe has ``per_check_seconds``: past it
the step is interrupted; a step that ignores the interruption (an ``except BaseException`` loop,
native code) or kills its process is ended by this supervisor a few seconds later, recorded against
its cell or check, and a fresh child takes over from the next step. A stub that hung is not called
again by the chapter's other checks: they are recorded as not finished, with the check where it
hung. A step that ends the whole worker (a fork loop the sandbox stops, a kill of this supervisor) is
recorded by the next worker the grader starts (``stopped`` in the job), and its function is not
called again. Nothing the worker writes is trusted, the journal included (student code can write to
it): the grader re-validates every value and computes the expected answers itself.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from .quiet import quiet, quiet_environment

quiet_environment()

from . import transport  # noqa: E402  (after the environment is set for TensorFlow)
from .chapters import get_chapter, probing  # noqa: E402
from .core import Observation, ProbeTimeout, Status, observe  # noqa: E402

GRACE_SECONDS = 5.0      # after a step's limit, before the supervisor ends its process
JOURNAL = "journal.jsonl"
CHECKS = "checks"
DONE = "done"


@contextlib.contextmanager
def time_limit(seconds: int):
    def expire(signum, frame):
        raise ProbeTimeout(f"ran past {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- the journal -------------------------------------------------------------------------------------

def _log(out: Path, **entry) -> None:
    try:
        with open(out / JOURNAL, "a", encoding="utf-8") as journal:
            journal.write(json.dumps(entry) + "\n")
    except OSError:  # full (the file size limit): student code can write to the journal too
        _rewrite_journal(out)
        with open(out / JOURNAL, "a", encoding="utf-8") as journal:
            journal.write(json.dumps(entry) + "\n")


def _rewrite_journal(out: Path) -> None:
    """Replace the journal with the few entries its state holds, dropping whatever else was written to it."""
    state = read_journal(out)
    entries = [*({"end": "cell", "index": index, "problem": problem} for index, problem in state["cells"].items()),
               *({"end": "check", "id": grade_id} for grade_id in state["checks"]),
               *({"hung": function, "id": grade_id} for function, grade_id in state["hung"].items()),
               *({"stopped": function, "id": grade_id} for function, grade_id in state["stopped"].items()),
               *([state["current"]] if state["current"] is not None else [])]
    partial = out / f".{JOURNAL}.partial"
    partial.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    partial.replace(out / JOURNAL)


JOURNAL_LINE_BYTES = 1 << 16   # the worker's own lines are short; longer ones were written by student code
JOURNAL_ENTRIES = 4096         # of each kind at most: a chapter has a few dozen steps


def _journal_lines(path: Path):
    """The journal's lines, read one at a time; a line longer than JOURNAL_LINE_BYTES is skipped whole.
    Student code can write to this file (it runs where the worker does): never read it all at once."""
    with open(path, "rb") as handle:
        while line := handle.readline(JOURNAL_LINE_BYTES):
            if len(line) == JOURNAL_LINE_BYTES and not line.endswith(b"\n"):
                while (line := handle.readline(JOURNAL_LINE_BYTES)) and not line.endswith(b"\n"):
                    pass
                continue
            yield line.decode("utf-8", errors="replace")


def read_journal(out: Path) -> dict:
    """What a chapter's journal says: cells and checks ended, stubs that hung, the step in progress.
    Lines that are not the worker's (not JSON, fields of another type) are skipped."""
    state = {"cells": {}, "checks": set(), "hung": {}, "stopped": {}, "current": None}
    path = Path(out) / JOURNAL
    for line in _journal_lines(path) if path.exists() else ():
        try:
            entry = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(entry, dict):
            continue
        if "begin" in entry:
            state["current"] = entry
        elif entry.get("end") == "cell":
            index, problem = entry.get("index", -1), entry.get("problem")
            if type(index) is not int or not -1 <= index < JOURNAL_ENTRIES:
                continue
            state["cells"][index] = None if problem is None else str(problem)[:400]
            state["current"] = None
        elif entry.get("end") == "check":
            if len(state["checks"]) < JOURNAL_ENTRIES:
                state["checks"].add(str(entry.get("id"))[:200])
            state["current"] = None
        elif "hung" in entry or "stopped" in entry:
            kind = "hung" if "hung" in entry else "stopped"
            if len(state[kind]) < JOURNAL_ENTRIES:
                state[kind][str(entry[kind])[:200]] = str(entry.get("id"))[:200]
    return state


def write_observation(out: Path, grade_id: str, observation: Observation) -> None:
    """One check's observation, in a folder of its own, replaced whole (never half-written)."""
    folder = out / CHECKS / grade_id
    partial = out / CHECKS / f".{grade_id}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    transport.write(partial, transport.plain_or_error(observation.plain()))
    if (partial / transport.JSON_NAME).stat().st_size > transport.MAX_JSON_BYTES:
        size = (partial / transport.JSON_NAME).stat().st_size
        transport.write(partial, Observation(Status.UNREADABLE, error=f"it returned {size / 2**20:.1f} MiB of data, "
                                             f"more than the {transport.MAX_JSON_BYTES >> 20} MiB a check accepts").plain())
    if folder.exists():
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()
    partial.rename(folder)


# --- the student's figures: pictures for the feedback page, never read by a check -------------------

FIGURES = "figures"          # out/figures/<cell index>-<figure number>.png
FIGURE_DPI = 80
FIGURE_MAX_PIXELS = 1600     # the longer side of a saved figure, in pixels (a huge figsize gets a lower dpi)
FIGURE_MAX_BYTES = 1 << 20   # per figure; the grader drops a larger file
FIGURE_LIMIT = 12            # per chapter; the grader reads no more
FIGURE_SECONDS = 10          # per cell, for saving every figure open after it


def figure_name(index: int, number: int) -> str:
    return f"{index:03d}-{number}.png"


def check_figure_name(index: int) -> str:
    """The picture of what the student's plotting function drew for the chapter's check ``index``."""
    return f"check-{index:02d}.png"


def save_check_figure(out: Path, index: int, figure) -> None:
    """``probing.picture_sink`` for a visible check: its figure as ``out/figures/check-<index>.png``.
    Only visible checks get one (their inputs are the visible ones); every failure is ignored."""
    try:
        folder = out / FIGURES
        name = check_figure_name(index)
        if (folder / name).exists() or (folder.is_dir() and sum(1 for _ in folder.glob("*.png")) >= FIGURE_LIMIT):
            return
        png = _png_of(figure)
        if png is None:
            return
        folder.mkdir(exist_ok=True)
        partial = folder / f".{name}.partial"
        partial.write_bytes(png)
        partial.replace(folder / name)
    except Exception:  # noqa: BLE001 - a figure that cannot be saved is left out of the feedback, nothing more
        return


def _png_of(figure) -> bytes | None:
    """The figure as PNG bytes at FIGURE_DPI (less for a large figure or a large file); None when it
    cannot be saved within FIGURE_MAX_BYTES."""
    import io
    import math

    width, height = (float(size) for size in figure.get_size_inches())
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        return None
    dpi = min(FIGURE_DPI, FIGURE_MAX_PIXELS / max(width, height))
    for _ in range(2):  # a second try at a resolution that should fit, when the first file is too large
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi)
        png = buffer.getvalue()
        if len(png) <= FIGURE_MAX_BYTES:
            return png
        dpi *= 0.8 * math.sqrt(FIGURE_MAX_BYTES / len(png))
    return None


def capture_figures(out: Path, index: int, captured: dict, seconds: int) -> None:
    """Save each figure open after cell ``index`` as ``out/figures/<index>-<number>.png``.

    Only the student's cells call this (probes run after every cell and close their own figures).
    Figures stay open, as the cells left them: a later cell may draw into one again. A figure already
    saved is saved again only when its picture changed (``captured``: number -> digest). Nothing here
    may change a check's result: the folder is the chapter's own, and every failure is ignored."""
    import hashlib

    folder = out / FIGURES
    try:
        from matplotlib._pylab_helpers import Gcf

        with time_limit(seconds), quiet():
            for manager in Gcf.get_all_fig_managers():  # reads the open figures without changing the current one
                number, figure = manager.num, manager.canvas.figure
                png = _png_of(figure)
                digest = png and hashlib.sha256(png).hexdigest()
                if png is None or captured.get(number) == digest:
                    continue
                captured[number] = digest
                folder.mkdir(exist_ok=True)
                name = figure_name(index, int(number))
                if not (folder / name).exists() and sum(1 for _ in folder.glob("*.png")) >= FIGURE_LIMIT:
                    return
                partial = folder / f".{name}.partial"
                partial.write_bytes(png)
                partial.replace(folder / name)  # a child killed mid-write leaves no half picture
    except BaseException:  # noqa: BLE001 - ProbeTimeout included: a figure that cannot be saved in time, or whose
        return             # drawing raises (a student's draw callback), is left out of the feedback, nothing more


# --- the child: one chapter's code -------------------------------------------------------------------

def run_chapter(chapter, cells: list[dict], inputs: Path, out: Path, state: dict, seconds: int) -> None:
    """Run the cells, then every check not yet observed, each within ``seconds``; journal each step."""
    namespace: dict = {"__name__": "__submission__"}
    supervisor = os.getppid()
    captured: dict = {}  # figure number -> digest of the PNG last saved for it (capture_figures)
    for index, cell in enumerate(cells):
        if index in state["cells"] and state["cells"][index] and state["cells"][index].startswith("skipped"):
            continue
        _log(out, begin="cell", index=index, label=cell["label"])
        problem = None
        try:
            code = compile(cell["source"], f"<{cell['label']}>", "exec")
            with time_limit(seconds), quiet():
                exec(code, namespace)
        except ProbeTimeout:
            problem = f"did not finish within {seconds} s"
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit from a cell must not end the worker
            problem = f"{type(error).__name__}: {str(error)[:300]}"
        _stop_if_killed(supervisor)
        _log(out, figures="cell", index=index)  # moves the journal: the supervisor sees the step alive
        capture_figures(out, index, captured, min(seconds, FIGURE_SECONDS))
        _stop_if_killed(supervisor)
        _log(out, end="cell", index=index, problem=problem)
    hung, stopped = dict(state["hung"]), state["stopped"]
    for number, check in enumerate(chapter.checks):
        if check.grade_id in state["checks"]:
            continue
        _log(out, begin="check", id=check.grade_id, function=check.function)
        if check.function in hung:
            observation = Observation(Status.TIMEOUT, function=check.function, seconds=seconds,
                                      earlier=hung[check.function])
        elif check.function in stopped:
            observation = Observation(Status.CRASHED, function=check.function,
                                      error=f"was not called again: it ended the grader's worker in the check "
                                            f"{stopped[check.function]}")
        else:
            probing.picture_sink = (lambda figure, number=number: save_check_figure(out, number, figure)) \
                if check.visible else None
            try:
                with time_limit(seconds), quiet():
                    observation = observe(check, namespace, inputs)
            except ProbeTimeout:  # raised between observe's own handlers
                observation = Observation(Status.TIMEOUT)
            finally:
                probing.picture_sink = None
            if observation.status is Status.TIMEOUT:
                observation = Observation(Status.TIMEOUT, function=check.function, seconds=seconds)
                hung[check.function] = check.grade_id
                _log(out, hung=check.function, id=check.grade_id)
        _stop_if_killed(supervisor)
        write_observation(out, check.grade_id, observation)
        _log(out, end="check", id=check.grade_id)


# --- the supervisor: one child per chapter, replaced when a step kills or hangs it -------------------

def _stop_if_killed(supervisor: int) -> None:
    """End this child, leaving its step in progress, when the step just run killed the supervisor (a kill
    of the parent, of every process): the supervisor may take a while to die, and a next worker blames the
    step in progress, which must still be this one."""
    if os.getppid() != supervisor:  # it is gone already
        os._exit(1)
    try:
        with open(f"/proc/{supervisor}/status", encoding="ascii") as status:
            pending = [int(line.split()[1], 16) for line in status if line.startswith(("SigPnd:", "ShdPnd:"))]
    except (OSError, ValueError, IndexError):
        return  # no /proc to ask
    if any(mask & (1 << (signal.SIGKILL - 1)) for mask in pending):  # a SIGKILL it has not died of yet
        os._exit(1)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent ends (prctl PR_SET_PDEATHSIG), where it can."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


def _describe_end(status: int | None, killed: bool, seconds: int) -> str:
    if killed:
        return f"did not finish within {seconds} s"
    if status is not None and os.WIFSIGNALED(status):
        return f"ended the process (signal {os.WTERMSIG(status)})"
    code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else status
    return f"ended the process (exit status {code})"


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(OSError):
            target()


def _wait(pid: int, journal: Path, stall_seconds: float) -> tuple[int | None, bool]:
    """Wait for the child; kill it when its journal has not moved for ``stall_seconds``."""
    last_size, last_change = -1, time.monotonic()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, False
        size = journal.stat().st_size if journal.exists() else 0
        if size != last_size:
            last_size, last_change = size, time.monotonic()
        elif time.monotonic() - last_change > stall_seconds:
            _kill_group(pid)
            _, status = os.waitpid(pid, 0)
            return status, True
        time.sleep(0.05)


def _end_step(out: Path, current: dict, how: str, seconds: int, killed: bool = False, worker: bool = False) -> None:
    """Record the step in progress (``current``, from the journal) as ended by ``how``."""
    if current.get("begin") == "cell":
        _log(out, end="cell", index=current.get("index"), problem=f"skipped after it {how}")
    elif current.get("begin") == "check":
        grade_id, function = str(current.get("id")), str(current.get("function"))
        write_observation(out, grade_id, Observation(Status.TIMEOUT if killed else Status.CRASHED, function=function,
                                                     seconds=seconds, error=how))
        if killed:  # a stub that hung is not called again; one that crashed is, by the next check
            _log(out, hung=function, id=grade_id)
        elif worker:  # nor is one that ended the whole worker (a fork loop, a kill of its supervisor)
            _log(out, stopped=function, id=grade_id)
        _log(out, end="check", id=grade_id)


def supervise_chapter(chapter, inputs: Path, out: Path, seconds: int | None = None,
                      stopped: str | None = None) -> None:
    """Run the chapter's steps in children, one after the other. ``stopped``: why the previous worker
    ended before finishing this chapter (the grader starts a new one): the step it was in is recorded as
    having ended it, so that the new worker goes on from the next step."""
    out.mkdir(parents=True, exist_ok=True)
    cells = json.loads((inputs / "cells.json").read_text())
    seconds = int(seconds or chapter.per_check_seconds)
    current = read_journal(out)["current"]
    if stopped and current is not None:
        _end_step(out, current, f"ended the grader's worker ({stopped})", seconds, worker=True)
    for _ in range(len(cells) + len(chapter.checks) + 2):  # each round ends at least one step
        state = read_journal(out)
        if all(check.grade_id in state["checks"] for check in chapter.checks):
            break
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the child: the student's code runs here, never in the supervisor
            try:
                os.setpgid(0, 0)
                _die_with_parent()  # a child that kills its supervisor ends there, not steps later
                run_chapter(chapter, cells, inputs, out, state, seconds)
            finally:
                os._exit(0)
        status, killed = _wait(pid, out / JOURNAL, seconds + GRACE_SECONDS)
        _kill_group(pid)  # anything the chapter's code left running
        state = read_journal(out)
        current = state["current"]
        if current is None:
            if all(check.grade_id in state["checks"] for check in chapter.checks):
                break
            continue  # ended between steps: a fresh child takes over where it stopped
        _end_step(out, current, _describe_end(status, killed, seconds), seconds, killed)
    (out / DONE).write_text("done")


def _preload(tensorflow: bool, environment_legacy: bool) -> None:
    """Import what the chapters need once, before forking: each child starts warm."""
    with quiet():
        import numpy  # noqa: F401
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
        if not tensorflow:
            return
        import tensorflow as tf

        if not environment_legacy:
            import keras  # noqa: F401
        else:
            tf.keras.layers  # noqa: B018  (tf-keras, imported through TensorFlow)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.worker")
    parser.add_argument("jobs", type=Path, help="JSON list of {chapter, inputs, out[, seconds]}")
    args = parser.parse_args(argv)
    jobs = json.loads(args.jobs.read_text())
    _preload(any(get_chapter(job["chapter"]).tensorflow for job in jobs), os.environ.get("TF_USE_LEGACY_KERAS") == "1")
    for job in jobs:
        supervise_chapter(get_chapter(job["chapter"]), Path(job["inputs"]), Path(job["out"]), job.get("seconds"),
                          job.get("stopped"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
