"""Benchmark: how long grading takes and how much memory the worker uses, per chapter.

Targets live here and in benchmarks/REPORT.md, never in timed tests. Run with `make benchmark`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import course, grading  # noqa: E402


def worker_peak_mib(notebook: Path) -> float:
    """Peak RSS of the worker, measured in a child process that grades without the sandbox:
    bubblewrap's pid namespace hides the worker's own rusage from us."""
    code = ("import resource, sys; from autograder import grading; grading.grade(sys.argv[1]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {**os.environ, "AUTOGRADER_SANDBOX": "off", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], env=env, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # KiB on Linux


def main() -> int:
    print(f"{os.cpu_count()} cores; bubblewrap sandbox on for the wall times")
    print("| submission | wall s (sandboxed) | score | worker peak RSS MiB |")
    print("| --- | ---: | ---: | ---: |")
    for name in course.assignments():
        for folder in ("solutions", "release"):
            notebook = REPO / folder / name / f"{name}.ipynb"
            start = time.perf_counter()
            report = grading.grade(notebook)
            wall = time.perf_counter() - start
            print(f"| {folder}/{name} | {wall:.1f} | {report.score:g} / {report.max_score:g} "
                  f"| {worker_peak_mib(notebook):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
