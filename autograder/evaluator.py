"""The evaluator: trusted measurements on what the worker sent back, in a process of its own.

Started as ``python -m autograder.evaluator JOBS.json`` (one job per chapter:
``{"chapter": "ch06", "found": DIR, "private": DIR, "out": DIR}``) by the batch grader, once
every chapter that needs it has been observed, and by ``run_check`` under nbgrader. It holds no
student code: it reads the worker's plain observations, applies each check's ``measure`` step
(chapters 6 and 7 vet the described architecture, rebuild it with the kit's seed, train it with
the kit's budget and score it on held-out photos, :mod:`autograder.training`) and writes the
measured observations back. Both chapters' models are trained in this one process, and a
validation and a test check of the same architecture share one training. Chapter 8's ``measure``
computes the kit's Grad-CAM answers on its own corner model, which needs tf-keras: chapters with
another ``environment`` get an evaluator of their own (:func:`run`'s ``env``).

It runs sandboxed too (what it rebuilds was described by student code), and it is the only
process that may get an accelerator: :func:`gpu_devices` are bound into its sandbox, never into
the worker's.
"""
from __future__ import annotations

import glob
import json
import os
import sys
from pathlib import Path

from .quiet import quiet, quiet_environment

quiet_environment()

from . import sandbox, transport  # noqa: E402
from .chapters import get_chapter  # noqa: E402
from .core import measure  # noqa: E402

PACKAGE_DIR = Path(__file__).resolve().parent
SECONDS_PER_TRAINING = 240.0   # the budget takes 15 s here; a loaded machine or a large model more
BASE_SECONDS = 120.0
MEMORY_BYTES = 8 << 30         # address space; TensorFlow reserves much more than it touches


def gpu_devices() -> list[str]:
    """NVIDIA device nodes to bind into the trainer's sandbox (none when AUTOGRADER_GPU=off)."""
    if os.environ.get("AUTOGRADER_GPU", "auto").lower() == "off":
        return []
    return sorted(path for path in glob.glob("/dev/nvidia*") if not os.path.isdir(path))


def _gpu_paths() -> list[Path]:
    """Driver libraries outside /usr that a GPU container may keep (read-only)."""
    return [Path(p) for p in ("/usr/local/nvidia", "/usr/local/cuda") if os.path.isdir(p)]


def limits_for(trainings: int) -> sandbox.Limits:
    return sandbox.Limits(wall_seconds=BASE_SECONDS + SECONDS_PER_TRAINING * trainings, memory_bytes=MEMORY_BYTES)


def run(jobs: list[dict], work: Path, trainings: int = 1, env: dict | None = None) -> tuple[dict, sandbox.WorkerRun]:
    """Measure ``jobs`` (``{"chapter", "observations", "private"}``) in a sandboxed evaluator.
    ``env`` is the jobs' chapters' ``environment`` (all the same: chapter 8 needs tf-keras from the
    start, chapters 6 and 7 Keras 3), so that the evaluator imports the Keras they need.

    Returns ``{index: {grade_id: observation}}`` for the jobs it could measure, and the run."""
    work = Path(work)
    spec, read_only, writable = [], [PACKAGE_DIR], []
    for index, job in enumerate(jobs):
        found, out = work / f"found-{index}", work / f"measured-{index}"
        found.mkdir(parents=True, exist_ok=True)
        out.mkdir(parents=True, exist_ok=True)
        transport.write(found, {"observations": job["observations"]})
        private = job.get("private")
        if private is None:  # a chapter with nothing held out (chapter 8 rebuilds its model from seeds)
            private = work / f"private-{index}"
            private.mkdir(parents=True, exist_ok=True)
        spec.append({"chapter": job["chapter"], "found": str(found), "private": str(private), "out": str(out)})
        read_only += [found, Path(private)]
        writable.append(out)
    jobs_file = work / "evaluator-jobs.json"
    jobs_file.write_text(json.dumps(spec))
    devices = gpu_devices()
    extra = {"AUTOGRADER_GPU_MEMORY_MB": os.environ["AUTOGRADER_GPU_MEMORY_MB"]} \
        if "AUTOGRADER_GPU_MEMORY_MB" in os.environ else {}
    if devices and os.environ.get("LD_LIBRARY_PATH"):
        extra["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    run_ = sandbox.run_worker(
        [sys.executable, "-m", "autograder.evaluator", str(jobs_file)],
        read_only=[*read_only, jobs_file, *(_gpu_paths() if devices else [])], writable=writable,
        limits=limits_for(trainings), devices=devices,
        env={**(env or {}), **extra, "PYTHONPATH": str(PACKAGE_DIR.parent), "FLOWERS_OFFLINE": "1"})
    results = {}
    for index, job in enumerate(spec):
        try:
            results[index] = transport.read(Path(job["out"])).get("observations", {})
        except transport.TransportError:
            continue
    return results, run_


def main(argv: list[str] | None = None) -> int:
    from . import training

    argv = sys.argv[1:] if argv is None else argv
    jobs = json.loads(Path(argv[0]).read_text())
    with quiet():
        training.configure_device()  # before any TensorFlow operation: the GPU's memory cap
    for job in jobs:
        chapter = get_chapter(job["chapter"])
        observations = transport.read(Path(job["found"])).get("observations", {})
        measured = {}
        for check in chapter.checks:
            if check.measure is not None and check.grade_id in observations:
                with quiet():
                    measured[check.grade_id] = transport.plain_or_error(
                        measure(check, observations[check.grade_id], Path(job["private"])).plain())
        transport.write(Path(job["out"]), {"observations": measured})
    return 0


if __name__ == "__main__":
    sys.exit(main())
