"""The batch grader: submissions in, one ChapterReport per chapter notebook out.

The order of the steps is the point:
1. prepare each chapter's inputs in a fresh folder, and its held-out photos in a private one
   (trusted code);
2. read the submissions' code cells (no code runs yet);
3. run the cells and the probes in sandboxed workers, which see only the Python install, the
   ``autograder`` package, the inputs (read-only) and their output folders. The chapters of one
   student's submission share a worker (TensorFlow is imported once; each chapter runs in a child
   of its own) when they need the same Keras and the same access to the real photos; a hung or
   crashed step costs only its own checks (:mod:`autograder.worker`);
4. as soon as the chapters that need it are observed, a second sandboxed process holding no
   student code (one per chapter environment: chapter 8's needs tf-keras) measures what must not be
   measured where student code runs: it trains the architectures the builders described and scores
   them on held-out photos, and computes chapter 8's Grad-CAM answers on the kit's own model
   (:mod:`autograder.evaluator`), while the workers go on with the other chapters;
5. read back plain data, compute the expected answers and score here, in the trusted process.
   No exit status decides anything.
"""
from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import data, evaluator, sandbox, transport, worker
from .chapters import all_chapters, get_chapter
from .core import Chapter, Observation, Status, expected_answer, score
from .notebook import SubmissionError, read_submission
from .report import ChapterReport

PACKAGE_DIR = Path(__file__).resolve().parent
SUBMISSION_SUFFIXES = (".ipynb", ".py")
STARTUP_SECONDS = 60.0      # a worker importing TensorFlow on a loaded machine
WORKER_LAUNCHES = 3         # a worker that dies is started again for the chapters it left


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


def worst_case_seconds(chapter: Chapter, cells: int, step_seconds: int | None = None) -> float:
    """The longest a chapter can keep a worker: every cell and every check running to its limit
    (a stub that hangs is called once, so the real worst case is lower; see docs/performance.md)."""
    step = (step_seconds or chapter.per_check_seconds) + worker.GRACE_SECONDS
    return STARTUP_SECONDS + (cells + len(chapter.checks)) * step


@dataclass
class _Item:
    """One chapter notebook of one submission, and where its data lives while it is graded."""
    path: Path
    chapter: Chapter
    inputs: Path
    out: Path
    private: Path | None = None
    cells: list = field(default_factory=list)
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    sandboxed: bool = False
    worker_run: sandbox.WorkerRun | None = None
    measured: dict = field(default_factory=dict)
    step_seconds: int | None = None     # overrides the chapter's per_check_seconds (tests)

    @property
    def done(self) -> bool:
        return (self.out / worker.DONE).exists()

    @property
    def needs_measure(self) -> bool:
        return any(check.measure is not None for check in self.chapter.checks)


# The kit's answers are withheld from the worker: each reference.py reads there as autograder/withheld.py.
WITHHELD = tuple((path, PACKAGE_DIR / "withheld.py") for path in sorted(PACKAGE_DIR.glob("chapters/ch*/reference.py")))


def _environment(chapter: Chapter, photo_dir: Path | None) -> dict:
    env = {**dict(chapter.environment), "PYTHONPATH": str(PACKAGE_DIR.parent), "FLOWERS_OFFLINE": "1",
           "CUDA_VISIBLE_DEVICES": ""}  # the student's worker never gets an accelerator
    if photo_dir is not None:
        env["FLOWERS_DIR"] = str(photo_dir)
    return env


def _worker_problem(run: sandbox.WorkerRun | None) -> str:
    if run is None:
        return "the notebook's worker did not run"
    if run.timed_out:
        return "the notebook did not finish within the time allowed"
    tail = run.stderr.strip().splitlines()[-1:] or ["no error message"]
    return f"the notebook's worker stopped early (exit status {run.returncode}: {tail[0][:300]})"


def _run_group(items: list[_Item], work: Path, key: str) -> None:
    """One sandboxed worker for these chapters (same Keras flavour), started again for the chapters
    it left unfinished if it died, at most WORKER_LAUNCHES times."""
    chapter = items[0].chapter
    photo_dir = data.resolve_data_dir() if any(item.chapter.photos for item in items) else None
    read_only = [PACKAGE_DIR, *(item.inputs for item in items), *([photo_dir] if photo_dir else [])]
    budget = sum(worst_case_seconds(item.chapter, len(item.cells), item.step_seconds) for item in items)
    memory = max(item.chapter.memory_bytes for item in items)
    deadline, stopped = time.monotonic() + budget, None
    for launch in range(WORKER_LAUNCHES):
        left = [item for item in items if not item.done]
        if not left or deadline - time.monotonic() < 10:
            break
        jobs = work / f"jobs-{key}-{launch}.json"
        jobs.write_text(json.dumps([{"chapter": item.chapter.key, "inputs": str(item.inputs), "out": str(item.out),
                                     "seconds": item.step_seconds, "stopped": stopped} for item in left]))
        run = sandbox.run_worker([sys.executable, "-m", "autograder.worker", str(jobs)],
                                 read_only=[*read_only, jobs], writable=[item.out for item in left], covered=WITHHELD,
                                 limits=sandbox.Limits(wall_seconds=deadline - time.monotonic(), memory_bytes=memory),
                                 env=_environment(chapter, photo_dir))
        for item in left:
            item.worker_run, item.sandboxed = run, run.sandboxed
            if run.warning and run.warning not in item.notes:
                item.notes.append(run.warning)
        if run.timed_out:
            break
        stopped = _why_stopped(run)


def _why_stopped(run: sandbox.WorkerRun) -> str:
    """Why a worker ended before finishing its chapters, in a few words (the sandbox's note when it has one)."""
    tail = (run.stderr.strip().splitlines() or [""])[-1].strip()
    if tail.startswith("sandbox: "):
        return tail.removeprefix("sandbox: ").rstrip(".")[:200]
    return "it was killed" if run.returncode in (-9, 128 + 9) else f"exit status {run.returncode}"


def _measure(items: list[_Item], work: Path) -> None:
    """Step 4: the trusted evaluator, one process per chapter environment (chapters 6 and 7 in one,
    chapter 8, which needs tf-keras from the start, in another)."""
    by_environment: dict[tuple, list[tuple[dict, _Item, dict]]] = {}
    for item in items:
        wanted = {}
        for check in item.chapter.checks:
            if check.measure is None:
                continue
            observation = _read_observation(item, check.grade_id)
            if observation is not None and observation.status is Status.OK:
                wanted[check.grade_id] = observation.plain()
        if wanted:
            job = {"chapter": item.chapter.key, "observations": wanted, "private": item.private}
            by_environment.setdefault(item.chapter.environment, []).append((job, item, wanted))
    for number, (environment, owned) in enumerate(by_environment.items()):
        trainings = sum(1 for _, _, wanted in owned for grade_id in wanted if "accuracy" in grade_id)
        results, run = evaluator.run([job for job, _, _ in owned], work / f"evaluator-{number}",
                                     trainings=max(1, trainings), env=dict(environment))
        for index, (_, item, wanted) in enumerate(owned):
            measured = results.get(index)
            if measured is None:
                item.notes.append(f"the grader could not measure the models ({_worker_problem(run)})")
                measured = {}
            for grade_id in wanted:
                item.measured[grade_id] = Observation.from_plain(measured[grade_id]) if grade_id in measured else \
                    Observation(Status.UNMEASURABLE, error="too large for the evaluator's memory or time")


def _read_observation(item: _Item, grade_id: str) -> Observation | None:
    folder = item.out / worker.CHECKS / grade_id
    if not folder.is_dir():
        return None
    try:
        return Observation.from_plain(transport.read(folder))
    except transport.TransportError as error:
        return Observation(Status.UNREADABLE, error=str(error))
    except Exception as error:  # noqa: BLE001 - files forged or cut short by student code: numpy, zipfile
        # and json raise kinds of their own (EOFError, BadZipFile, RecursionError), and none may stop grading
        return Observation(Status.UNREADABLE, error=f"results could not be read ({type(error).__name__})")


def _report(item: _Item) -> ChapterReport:
    chapter = item.chapter
    journal = worker.read_journal(item.out) if item.out.exists() else {"cells": {}}
    for index, problem in sorted(journal["cells"].items()):
        if problem and len(item.notes) < 12 and 0 <= index < len(item.cells):
            item.notes.append(f"{item.cells[index].label}: {problem}")
    problem = item.problem or _worker_problem(item.worker_run)
    results, devices, observed = [], set(), False
    for check in chapter.checks:
        observation = item.measured.get(check.grade_id) or _read_observation(item, check.grade_id)
        observed = observed or observation is not None
        if observation is None:
            observation = Observation(Status.NO_RESULT, error=problem)
        if isinstance(observation.value, dict) and isinstance(observation.value.get("device"), str):
            devices.add(observation.value["device"])
        results.append(score(check, observation, expected_answer(check, item.inputs)))
    item.notes.extend(f"models trained by the grader on {device}" for device in sorted(devices))
    if not observed:
        item.notes.append(problem)
    figures = _read_figures(item) if item.out.exists() else []
    return ChapterReport(chapter.key, chapter.title, str(item.path), results, item.notes, item.sandboxed, figures)


def _read_figures(item: _Item) -> list[dict]:
    """The student's figures from ``out/figures`` (:func:`worker.capture_figures`), for the feedback page.

    Two kinds: what the student's cells drew (``<cell>-<figure>.png``) and what the student's plotting
    function drew when a visible check called it (``check-<index>.png``; never a hidden check's, whose
    inputs are the grader's). Student code can write to that folder, so every file is hostile until shown
    otherwise: it is kept only when its name is one the worker gives (a cell that ran, a visible check),
    it is a plain file (not a link, not a
    pipe), at most ``worker.FIGURE_MAX_BYTES``, starts with the PNG signature and Pillow reads it as a
    PNG of at most 4000 pixels a side; ``worker.FIGURE_LIMIT`` figures at most. Each file left out
    gets a note (three at most, then a count); nothing here stops grading."""
    import io
    import os
    import re
    import stat

    from PIL import Image

    signature = b"\x89PNG\r\n\x1a\n"
    names_looked_at = 256  # directory entries, at most: student code can fill the folder
    figures, dropped = [], []
    try:
        folder = os.open(item.out / worker.FIGURES, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return []
    except OSError:
        item.notes.append("your figures could not be shown: their folder was replaced by something else")
        return []
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for _, entry in zip(range(names_looked_at), entries)]
        found, checks = [], item.chapter.checks
        for name in names:
            match = re.fullmatch(r"(\d{3,4})-(\d{1,10})\.png", name)
            by_check = re.fullmatch(r"check-(\d{2})\.png", name)
            if match and int(match[1]) < len(item.cells):
                found.append((0, int(match[1]), int(match[2]), name, item.cells[int(match[1])].label))
            elif by_check and int(by_check[1]) < len(checks) and checks[int(by_check[1])].visible:
                check = checks[int(by_check[1])]  # the label is the grader's own, never the file's
                found.append((1, int(by_check[1]), 0, name, f"{check.function}, called by the check {check.grade_id}"))
            elif not name.startswith("."):  # the worker's own half-written files start with a dot
                dropped.append(f"{name[:60]!r} is not a figure the grader saved")
        for _, _, _, name, label in sorted(found):
            if len(figures) >= worker.FIGURE_LIMIT:
                dropped.append(f"{name} is one figure more than the {worker.FIGURE_LIMIT} shown")
                continue
            try:
                handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
            except OSError:
                dropped.append(f"{name} could not be opened")
                continue
            with os.fdopen(handle, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    dropped.append(f"{name} is not a plain file")
                    continue
                png = file.read(worker.FIGURE_MAX_BYTES + 1)
            if len(png) > worker.FIGURE_MAX_BYTES:
                dropped.append(f"{name} is larger than {worker.FIGURE_MAX_BYTES >> 20} MiB")
                continue
            try:
                if not png.startswith(signature):
                    raise ValueError("no PNG signature")
                with Image.open(io.BytesIO(png)) as picture:
                    if picture.format != "PNG" or max(picture.size) > 4000:
                        raise ValueError("not a PNG of a reasonable size")
                    picture.verify()
            except Exception:  # noqa: BLE001 - Pillow raises many kinds (SyntaxError, struct.error, ...)
                dropped.append(f"{name} is not a PNG picture")
                continue
            figures.append({"cell": label, "png": png})
    except OSError as error:
        dropped.append(f"the folder could not be read ({type(error).__name__})")
    finally:
        os.close(folder)
    item.notes.extend(f"a file was left out of your figures: {why}" for why in dropped[:3])
    if len(dropped) > 3:
        item.notes.append(f"{len(dropped) - 3} more files in the figures folder were left out")
    return figures


def grade_many(submissions: list[tuple[Path, Chapter]], test_dir: Path | None = None,
               step_seconds: int | None = None, work_root: Path | None = None) -> list[ChapterReport]:
    """Grade the chapter notebooks of **one** student's submission together (one worker per Keras
    flavour, one trusted evaluator). Never mix students here: they would share a sandbox.
    ``step_seconds`` replaces each chapter's limit per cell and per check (tests use a short one);
    ``work_root`` holds the temporary work folder (default: the system's temporary folder)."""
    if not submissions:
        return []
    for _, chapter in submissions:
        if chapter.photos or chapter.prepare_private is not None:
            data.resolve_data_dir()  # FlowersDataUnavailable: this chapter cannot be graded without the photos
    with tempfile.TemporaryDirectory(prefix="autograder-", dir=work_root) as work_dir:
        work = Path(work_dir)
        items = []
        for index, (path, chapter) in enumerate(submissions):
            item = _Item(Path(path), chapter, work / f"inputs-{index}", work / f"out-{index}", step_seconds=step_seconds)
            item.inputs.mkdir()
            item.out.mkdir()
            if test_dir is not None:
                item.notes.append(f"test photos from {test_dir}")
            chapter.prepare(item.inputs)
            if chapter.prepare_private is not None:  # never bound where student code runs
                item.private = work / f"private-{index}"
                item.private.mkdir()
                chapter.prepare_private(item.private, test_dir)
            try:
                item.cells = read_submission(item.path)
            except SubmissionError as error:
                item.problem = str(error)
            else:
                (item.inputs / "cells.json").write_text(json.dumps([cell.__dict__ for cell in item.cells]))
            items.append(item)
        runnable = [item for item in items if item.problem is None]
        # Chapters that need the evaluator go first, so that it trains while the rest are graded.
        runnable.sort(key=lambda item: not item.needs_measure)
        # One worker per Keras flavour, and the chapters that read the real photos apart from the
        # others: chapters 6 and 7's code must never see the photos the grader scores on.
        groups: dict[tuple, list[_Item]] = {}
        for item in runnable:
            groups.setdefault((item.chapter.environment, item.chapter.photos), []).append(item)
        threads = []
        for number, group in enumerate(groups.values()):
            thread = threading.Thread(target=_run_group, args=(group, work, str(number)), daemon=True)
            thread.start()
            threads.append((thread, group))
        to_measure = [item for item in runnable if item.needs_measure]
        while to_measure and not all(item.done or not _alive(item, threads) for item in to_measure):
            time.sleep(0.1)
        _measure(to_measure, work)
        for thread, _ in threads:
            thread.join()
        return [_report(item) for item in items]


def _alive(item: _Item, threads) -> bool:
    return any(thread.is_alive() for thread, group in threads if item in group)


def grade(path: Path, chapter: Chapter | None = None, test_dir: Path | None = None,
          step_seconds: int | None = None) -> ChapterReport:
    """Grade one chapter notebook (or percent-format script)."""
    path = Path(path)
    return grade_many([(path, chapter or chapter_for(path))], test_dir, step_seconds)[0]


def unknown_chapter_report(path: Path, reason: str) -> ChapterReport:
    """What a submission whose chapter cannot be told gets: a result saying why, never no result
    (Gradescope shows a missing results.json as a broken autograder)."""
    from .result import failed

    names = ", ".join(chapter.assignment for chapter in all_chapters())
    result = failed("chapter", 0.0, f"this submission was not graded: {reason}",
                    f"Name the notebook (or its folder) after its assignment ({names}).")
    return ChapterReport("unknown", "chapter not found", str(path), [result], [reason])


def sessions(paths: list[Path], chapter: Chapter | None = None) -> list[list[tuple[Path, Chapter]]]:
    """Group submissions by student: notebooks that sit in folders named after their chapter
    (``alice/ch06_training/ch06_training.ipynb``, nbgrader's ``submitted/alice/ch06_training/``)
    belong to the student folder above; each holds one notebook per chapter. Anything else is
    graded on its own."""
    grouped: dict[Path, list[list[tuple[Path, Chapter]]]] = {}
    alone = []
    for path in paths:
        try:
            found = chapter or chapter_for(path)
        except KeyError:
            continue  # graded by grade_path as an unknown chapter
        if chapter is None and path.parent.name in (found.assignment, found.key):
            student = grouped.setdefault(path.parent.parent, [])
            for session in student:
                if all(other.key != found.key for _, other in session):
                    session.append((path, found))
                    break
            else:
                student.append([(path, found)])
        else:
            alone.append([(path, found)])
    return [session for student in grouped.values() for session in student] + alone


def grade_path(path: Path, chapter_name: str | None = None, test_dir: Path | None = None,
               jobs: int = 1) -> list[ChapterReport]:
    """Grade a notebook, a script, or every submission under a folder (``jobs`` students at a time)."""
    chapter = get_chapter(chapter_name) if chapter_name else None
    paths = find_submissions(Path(path))
    groups = sessions(paths, chapter)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda session: grade_many(session, test_dir), groups))
    by_path = {str(report.submission): report for reports in graded for report in reports}
    for unknown in (path for path in paths if str(path) not in by_path):
        by_path[str(unknown)] = unknown_chapter_report(unknown, why_unknown(unknown))
    return [by_path[str(path)] for path in paths]


def why_unknown(path: Path) -> str:
    """Why the chapter of ``path`` cannot be told from its name."""
    try:
        chapter_for(path)
    except KeyError as error:
        return str(error.args[0] if error.args else error)
    return "its chapter could not be told"
