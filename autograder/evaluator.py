"""The evaluator: trusted measurements on what the worker sent back, in a process of its own.

Started by :mod:`autograder.grading` as
``python -m autograder.evaluator --chapter ch06 --found DIR --private DIR --out DIR``
after the worker has finished. It holds no student code: it reads the worker's plain
observations, applies each check's ``measure`` step (chapter 6 rebuilds the trained
architecture from JSON, standard Keras classes only, and scores it on held-out photos) and
writes the measured observations back. It runs sandboxed too, with its own memory and time
limits, because what it rebuilds was described by student code.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .quiet import quiet, quiet_environment

quiet_environment()

from . import transport  # noqa: E402
from .chapters import get_chapter  # noqa: E402
from .core import measure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.evaluator")
    parser.add_argument("--chapter", required=True)
    parser.add_argument("--found", required=True, type=Path)
    parser.add_argument("--private", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    chapter = get_chapter(args.chapter)
    observations = transport.read(args.found).get("observations", {})
    measured = {}
    for check in chapter.checks:
        if check.measure is not None and check.grade_id in observations:
            with quiet():
                measured[check.grade_id] = transport.plain_or_error(
                    measure(check, observations[check.grade_id], args.private))
    transport.write(args.out, {"observations": measured})
    return 0


if __name__ == "__main__":
    sys.exit(main())
