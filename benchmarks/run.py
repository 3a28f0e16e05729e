"""Benchmark: grading speed and memory, side by side in one run. Figures go to docs/performance.md;
targets live there, never in timed tests.

    python benchmarks/run.py [--quick] [--skip-notebooks]        (make benchmark)

1. the whole course of one reference submission (``solutions/``, every chapter, training checks
   included) through the sandboxed batch grader: wall time and the peak memory of the grader and
   everything it starts, summed over processes alive at the same moment;
2. the nbgrader way: the chapters' source notebooks (solutions and hidden tests) executed top to
   bottom in a kernel, as ``nbgrader autograde`` executes a submission;
3. the trusted training step against a bare ``model.fit`` over the same cached tensors (images/s),
   each in a fresh process;
4. ten submissions graded with ``--jobs 1`` and ``--jobs 2``;
5. the device the trusted trainer used;
6. a generated class of 20 (good, partial, blank, broken and hostile notebooks in nbgrader's layout,
   ``tests/sample_class.py``) for every chapter, graded by the class run (``grade --out``) with 1 and 2
   jobs (``--class-only`` runs this section alone).
Needs the photos (FLOWERS_DIR).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from autograder import course, grading  # noqa: E402


class PeakMemory:
    """Samples the summed resident memory of this process and all its descendants (bubblewrap's
    sandboxes included: their processes are ordinary processes seen from outside)."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(root: int) -> int:
        from autograder.sandbox import _process_tree

        total = 0
        for pid in _process_tree(root):
            try:
                with open(f"/proc/{pid}/statm") as f:
                    total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss(os.getpid()))
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def whole_course() -> tuple[float, float, list]:
    start = time.perf_counter()
    with PeakMemory() as memory:
        reports = grading.grade_path(REPO / "solutions")
    return time.perf_counter() - start, memory.peak / 2**30, reports


def notebooks_the_nbgrader_way() -> dict[str, float]:
    """Each source notebook top to bottom in a fresh kernel (nbconvert's executor, as nbgrader's)."""
    times = {}
    for name in course.assignments():
        notebook = REPO / "source" / name / f"{name}.ipynb"
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                            "--ExecutePreprocessor.timeout=600", "--output-dir", out, str(notebook)],
                           env=course.tool_environment(), check=True, capture_output=True)
        times[name] = time.perf_counter() - start
    return times


TRAINING_PROBE = r"""
import json, os, sys, time
sys.path.insert(0, {repo!r})
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
from autograder import training
from autograder.notebook import read_submission
import keras
namespace = {{"__name__": "__bench__"}}
for cell in read_submission({notebook!r}):
    exec(compile(cell.source, "answer", "exec"), namespace)
budget = training.BUDGET
with np.load({split!r}) as archive:
    images, labels = archive["images"], archive["labels"]
model = namespace["build_model"](5, (*budget.image_size, 3))
if {trusted!r}:
    device = training.configure_device()
    model = training.rebuild(model.to_json(), seed=budget.seed)
    found = training.fit_budget(model, images, labels, budget)
    print(json.dumps({{"images_per_second": found["images_per_second"], "device": device}}))
else:
    keras.utils.set_random_seed(budget.seed)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = images.astype("float32")
    start = time.perf_counter()
    model.fit(x, labels, batch_size=budget.batch_size, epochs=budget.epochs, shuffle=True, verbose=0)
    print(json.dumps({{"images_per_second": round(len(labels) * budget.epochs / (time.perf_counter() - start))}}))
"""


def training_speed() -> dict:
    import json

    from autograder import training

    with tempfile.TemporaryDirectory() as private:
        training.prepare_private(Path(private))
        split = str(Path(private) / training.SPLIT_FILES["train"])
        notebook = str(REPO / "solutions" / "ch06_training" / "ch06_training.ipynb")
        found = {}
        for label, trusted in (("bare model.fit", False), ("trusted trainer", True)):
            code = TRAINING_PROBE.format(repo=str(REPO), notebook=notebook, split=split, trusted=trusted)
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            found[label] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def throughput(count: int = 10, assignment: str = "ch05_preprocessing") -> dict[int, float]:
    """``count`` students' copies of one answer key, graded with 1 and with 2 jobs."""
    times = {}
    with tempfile.TemporaryDirectory() as class_dir:
        for index in range(count):
            folder = Path(class_dir) / f"student{index:02d}" / assignment
            folder.mkdir(parents=True)
            shutil.copy(REPO / "solutions" / assignment / f"{assignment}.ipynb", folder)
        for jobs in (1, 2):
            start = time.perf_counter()
            reports = grading.grade_path(Path(class_dir), jobs=jobs)
            assert len(reports) == count and all(r.status == "full marks" for r in reports)
            times[jobs] = time.perf_counter() - start
    return times


def class_of_20(students: int = 20) -> dict[int, dict]:
    """A generated class, every chapter, graded with ``grade submitted/ --out`` with 1 and with 2 jobs."""
    from tests.sample_class import make_class

    found = {}
    with tempfile.TemporaryDirectory() as folder:
        submitted = Path(folder) / "submitted"
        kinds = make_class(submitted, students, assignments=tuple(course.assignments()))
        for jobs in (1, 2):
            out = Path(folder) / f"graded-{jobs}"
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--jobs", str(jobs),
                                   "--out", str(out), "--progress", "lines"], cwd=REPO, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            counts = next((line for line in done.stdout.splitlines() if " submissions of " in line), done.stderr[-500:])
            found[jobs] = {"seconds": seconds, "returncode": done.returncode, "summary": counts,
                           "kinds": {kind: list(kinds.values()).count(kind) for kind in sorted(set(kinds.values()))}}
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--class-only", action="store_true", help="only section 6, the class of 20")
    parser.add_argument("--skip-notebooks", action="store_true", help="leave out the nbgrader-way notebook runs")
    parser.add_argument("--quick", action="store_true", help="whole course and training speed only")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    if args.class_only:
        return print_class_of_20()
    wall, peak, reports = whole_course()
    print("## 1. The whole course of one reference submission (`grade solutions/`)\n")
    print("| chapter | score |\n| --- | ---: |")
    for report in reports:
        print(f"| {report.chapter} | {report.score:g} / {report.max_score:g} |")
    devices = sorted({note for report in reports for note in report.notes if "trained by the grader" in note})
    print(f"\nwall {wall:.1f} s, peak memory {peak:.2f} GiB (all processes), {'; '.join(devices)}\n", flush=True)
    if not (args.skip_notebooks or args.quick):
        times = notebooks_the_nbgrader_way()
        print("## 2. The nbgrader way: source notebooks top to bottom\n")
        print("| notebook | s |\n| --- | ---: |")
        for name, seconds in times.items():
            print(f"| {name} | {seconds:.0f} |")
        total = sum(times.values())
        print(f"| **all** | **{total:.0f}** |\n\nbatch grader is {total / wall:.1f}x faster\n", flush=True)
    speed = training_speed()
    print("## 3. Training step, images per second\n")
    print("| route | images/s | device |\n| --- | ---: | --- |")
    for label, found in speed.items():
        print(f"| {label} | {found['images_per_second']} | {found.get('device', '')} |")
    ratio = speed["trusted trainer"]["images_per_second"] / speed["bare model.fit"]["images_per_second"]
    print(f"\ntrusted / bare = {ratio:.0%}\n", flush=True)
    if not args.quick:
        times = throughput()
        print("## 4. Ten submissions (chapter 5 answer keys), 1 and 2 jobs\n")
        print(f"| jobs | wall s |\n| --- | ---: |\n| 1 | {times[1]:.1f} |\n| 2 | {times[2]:.1f} |")
        print(f"\nthroughput ratio 2 jobs / 1 job = {times[1] / times[2]:.2f}x\n", flush=True)
        return print_class_of_20()
    return 0


def print_class_of_20() -> int:
    found = class_of_20()
    print("## 6. A class of 20, every chapter (`grade submitted/ --out`), 1 and 2 jobs\n")
    print(f"kinds: {found[1]['kinds']}\n")
    print("| jobs | wall s | per student s | summary |\n| --- | ---: | ---: | --- |")
    for jobs, row in found.items():
        print(f"| {jobs} | {row['seconds']:.0f} | {row['seconds'] / 20:.1f} | {row['summary']} (exit {row['returncode']}) |")
    print(f"\nthroughput ratio 2 jobs / 1 job = {found[1]['seconds'] / found[2]['seconds']:.2f}x")
    return 0 if all(row["returncode"] == 0 for row in found.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
