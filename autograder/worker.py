"""The worker: runs a submission's code and the chapter's probes, writes plain data.

Started by :mod:`autograder.grading` inside the sandbox as
``python -m autograder.worker --chapter ch04 --inputs DIR --out DIR``. It reads
``cells.json`` from the inputs folder, runs every code cell in one namespace
(a failing cell is recorded and the next one still runs, as in a notebook),
then calls each check's probe and writes the observations through
:mod:`autograder.transport`. Nothing it writes is trusted: the grader
re-validates every value and computes the expected answers itself.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from pathlib import Path

from .quiet import quiet, quiet_environment

quiet_environment()

from . import transport  # noqa: E402  (after the environment is set for TensorFlow)
from .chapters import get_chapter  # noqa: E402
from .core import ProbeTimeout, observe  # noqa: E402


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


def run_cells(cells: list[dict], namespace: dict, seconds: int) -> list[dict]:
    problems = []
    for cell in cells:
        try:
            code = compile(cell["source"], f"<{cell['label']}>", "exec")
            with time_limit(seconds), quiet():
                exec(code, namespace)
        except ProbeTimeout:
            problems.append({"cell": cell["label"], "error": f"did not finish within {seconds} s"})
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # SystemExit from a cell must not end the worker
            problems.append({"cell": cell["label"], "error": f"{type(error).__name__}: {str(error)[:300]}"})
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.worker")
    parser.add_argument("--chapter", required=True)
    parser.add_argument("--inputs", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    chapter = get_chapter(args.chapter)
    cells = json.loads((args.inputs / "cells.json").read_text())
    namespace: dict = {"__name__": "__submission__"}
    problems = run_cells(cells, namespace, chapter.per_check_seconds)
    observations = {}
    for check in chapter.checks:
        with time_limit(chapter.per_check_seconds), quiet():
            observations[check.grade_id] = transport.plain_or_error(observe(check, namespace, args.inputs))
    transport.write(args.out, {"cell_problems": problems, "observations": observations})
    return 0


if __name__ == "__main__":
    sys.exit(main())
