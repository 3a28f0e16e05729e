"""The batch grader: one submission in, one ChapterReport out.

The order of the steps is the point:
1. prepare the chapter's inputs in a fresh folder (trusted code);
2. read the submission's code cells (no code runs yet);
3. run the cells and the probes in the sandboxed worker, which sees only the
   Python install, the ``autograder`` package, the inputs (read-only) and an
   output folder;
4. read back plain data, then compute the expected answers and score here,
   in the trusted process. The worker's exit status decides nothing.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from . import data, sandbox, transport
from .chapters import all_chapters, get_chapter
from .core import Chapter, score
from .notebook import SubmissionError, read_submission
from .report import ChapterReport

PACKAGE_DIR = Path(__file__).resolve().parent
SUBMISSION_SUFFIXES = (".ipynb", ".py")


def chapter_for(path: Path) -> Chapter:
    """The chapter a submission belongs to, from its file or folder names."""
    names = {path.stem, *(parent.name for parent in path.parents)}
    for chapter in all_chapters():
        if chapter.assignment in names or chapter.key in names:
            return chapter
    raise KeyError(f"cannot tell which chapter {path} belongs to: name the file or its folder after the "
                   f"assignment ({', '.join(c.assignment for c in all_chapters())}) or pass --chapter")


def find_submissions(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = [candidate for candidate in sorted(path.rglob("*"))
             if candidate.suffix in SUBMISSION_SUFFIXES and candidate.is_file()
             and ".ipynb_checkpoints" not in candidate.parts and not candidate.name.startswith(".")]
    return found


def _worker_problem(run: sandbox.WorkerRun) -> str:
    if run.timed_out:
        return "the notebook did not finish within the time allowed"
    tail = run.stderr.strip().splitlines()[-1:] or ["no error message"]
    return f"the notebook's worker stopped early (exit status {run.returncode}: {tail[0][:300]})"


EVALUATOR_LIMITS = sandbox.Limits(wall_seconds=180.0, memory_bytes=6 << 30)


def _measure(chapter: Chapter, observations: dict, private: Path, out: Path, notes: list[str]) -> dict:
    """Step 5 for checks with a ``measure``: a second sandboxed process, holding no student
    code, rebuilds what the worker described and measures it on the private data."""
    wanted = {check.grade_id: observations[check.grade_id] for check in chapter.checks
              if check.measure is not None and isinstance(observations.get(check.grade_id), dict)
              and observations[check.grade_id].get("status") == "ok"}
    if not wanted:
        return observations
    found, measured = out / "measure-in", out / "measure-out"
    found.mkdir()
    measured.mkdir()
    transport.write(found, {"observations": wanted})
    run = sandbox.run_worker(
        [sys.executable, "-m", "autograder.evaluator", "--chapter", chapter.key, "--found", str(found),
         "--private", str(private), "--out", str(measured)],
        read_only=[PACKAGE_DIR, found, private], writable=[measured], limits=EVALUATOR_LIMITS,
        env={**dict(chapter.environment), "PYTHONPATH": str(PACKAGE_DIR.parent), "FLOWERS_OFFLINE": "1"})
    try:
        results = transport.read(measured).get("observations", {})
    except transport.TransportError as error:
        results = {}
        notes.append(f"the grader could not measure the trained models ({_worker_problem(run)}; {error})")
    merged = dict(observations)
    for grade_id in wanted:
        merged[grade_id] = results.get(grade_id) or {
            "status": "error", "error": "the grader could not rebuild or measure it (too large for its memory or time)"}
    return merged


def grade(path: Path, chapter: Chapter | None = None, test_dir: Path | None = None) -> ChapterReport:
    path = Path(path)
    chapter = chapter or chapter_for(path)
    notes: list[str] = []
    if chapter.photos or chapter.prepare_private is not None:
        data.resolve_data_dir()  # FlowersDataUnavailable: this chapter cannot be graded without the photos
    if test_dir is not None:
        notes.append(f"test photos from {test_dir}")
    with tempfile.TemporaryDirectory(prefix="autograder-") as work:
        inputs, out, private = Path(work) / "inputs", Path(work) / "out", Path(work) / "private"
        for folder in (inputs, out, private):
            folder.mkdir()
        chapter.prepare(inputs)
        if chapter.prepare_private is not None:  # never bound where student code runs
            chapter.prepare_private(private, test_dir)
        observations: dict = {}
        sandboxed = False
        try:
            cells = read_submission(path)
        except SubmissionError as error:
            problem = str(error)
        else:
            (inputs / "cells.json").write_text(json.dumps([cell.__dict__ for cell in cells]))
            read_only = [PACKAGE_DIR, inputs]
            env = {**dict(chapter.environment), "PYTHONPATH": str(PACKAGE_DIR.parent), "FLOWERS_OFFLINE": "1"}
            if chapter.photos:  # the real photos, read-only; FlowersDataUnavailable means the grader can't run
                photo_dir = data.resolve_data_dir()
                read_only.append(photo_dir)
                env["FLOWERS_DIR"] = str(photo_dir)
            run = sandbox.run_worker(
                [sys.executable, "-m", "autograder.worker", "--chapter", chapter.key,
                 "--inputs", str(inputs), "--out", str(out)],
                read_only=read_only, writable=[out],
                limits=sandbox.Limits(wall_seconds=chapter.wall_seconds, memory_bytes=chapter.memory_bytes),
                env=env)
            sandboxed = run.sandboxed
            if run.warning:
                notes.append(run.warning)
            try:
                payload = transport.read(out)
                observations = payload.get("observations", {}) if isinstance(payload, dict) else {}
                problem = _worker_problem(run)
                for item in payload.get("cell_problems", [])[:10]:
                    notes.append(f"{item.get('cell')}: {item.get('error')}")
            except transport.TransportError as error:
                problem = f"{_worker_problem(run)}; {error}"
            observations = _measure(chapter, observations, private, Path(work), notes)
        results = []
        for check in chapter.checks:
            observation = observations.get(check.grade_id)
            if not isinstance(observation, dict):
                observation = {"status": "no result", "error": problem}
            results.append(score(check, observation, check.expected(inputs)))
    if not observations:
        notes.append(problem)
    return ChapterReport(chapter.key, chapter.title, str(path), results, notes, sandboxed)


def grade_path(path: Path, chapter_name: str | None = None, test_dir: Path | None = None) -> list[ChapterReport]:
    """Grade a notebook, a script, or every submission under a folder."""
    chapter = get_chapter(chapter_name) if chapter_name else None
    return [grade(submission, chapter, test_dir) for submission in find_submissions(Path(path))]
