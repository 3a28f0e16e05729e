"""Benchmark: how long grading takes and how much memory the worker uses, per chapter.

Targets live here and in benchmarks/REPORT.md, never in timed tests. Run with `make benchmark`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import course, grading  # noqa: E402


def worker_peak_mib(notebook: Path) -> float:
    """Peak RSS of the worker (or the evaluator, whichever is larger), measured in a child process that grades without the sandbox:
    bubblewrap's pid namespace hides the worker's own rusage from us."""
    code = ("import resource, sys; from autograder import grading; grading.grade(sys.argv[1]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {**os.environ, "AUTOGRADER_SANDBOX": "off", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], env=env, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # KiB on Linux


def notebook_seconds(notebook: Path) -> float:
    """Run a notebook top to bottom in a fresh kernel, as a student (or nbgrader) would."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=600", "--output-dir", out, str(notebook)],
                       env=course.tool_environment(), check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    grading_only = "--grading-only" in sys.argv
    only = [arg for arg in sys.argv[1:] if not arg.startswith("--")]  # chapter keys or assignment names
    names = [name for name in course.assignments() if not only or any(name.startswith(key) for key in only)]
    print(f"{os.cpu_count()} cores")
    if not grading_only:
        print("| solution notebook | top to bottom s |\n| --- | ---: |")
        for name in names:
            print(f"| {name} | {notebook_seconds(REPO / 'solutions' / name / f'{name}.ipynb'):.0f} |", flush=True)
    print(f"\nbubblewrap sandbox on for the wall times")
    print("| submission | wall s (sandboxed) | score | worker peak RSS MiB |")
    print("| --- | ---: | ---: | ---: |")
    for name in names:
        for folder in ("solutions", "release"):
            notebook = REPO / folder / name / f"{name}.ipynb"
            start = time.perf_counter()
            report = grading.grade(notebook)
            wall = time.perf_counter() - start
            print(f"| {folder}/{name} | {wall:.1f} | {report.score:g} / {report.max_score:g} "
                  f"| {worker_peak_mib(notebook):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
