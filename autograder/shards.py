"""Grading past one machine: ``grade PATH --shard i/N --results SHARD.json`` on each of N machines, then
``gather OUT_DIR SHARD.json ...`` on one.

**A submission** is what the batch grader grades together (:func:`grading.sessions`): a student's folder
when their notebooks sit in folders named after their chapter (``alice/ch04_loading/ch04_loading.ipynb``,
nbgrader's ``submitted/alice/ch04_loading/``), else one notebook or script. Its name is its path relative
to ``PATH`` (``alice``, ``extra/ch03_data_quality.py``), and its shard is ``sha256(name) mod N`` (shards
numbered from 1): the same submission falls in the same shard on every machine, whatever else is in the
class and in whatever order the files are listed, and a student's chapters stay on one machine.

**A shard's result** is the batch grader's ``results.json`` (Gradescope's format, as ``grade --results``
writes it) with Gradescope's ``extra_data`` filled in: each test says which submission, file, chapter and
check it is, and the document says which shard it is, every submission of the class and those of this
share. ``gather`` checks the shards against each other (the same class, each shard once, each submission
once), then writes ``grades.csv`` (student, chapter, check, points) and one merged ``results.json``.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FORMAT = "flowers-course-kit shard result 1"
EXIT_OK, EXIT_INCOMPLETE, EXIT_FAILED = 0, 1, 2


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``: shard i of N, i from 1 to N."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard takes i/N (shard i of N, from 1), not {text!r}") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text}: i must be between 1 and N")
    return index, count


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) of a submission, from a stable hash of its name alone."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def _name(path: Path, root: Path) -> str:
    if path == root:  # PATH is the submission itself (a student's folder, or one notebook)
        return Path(root).resolve().name
    return path.relative_to(root).as_posix()


def submissions(root: Path, chapter_name: str | None = None) -> dict[str, list[Path]]:
    """The class under ``root``: {submission name: its files, in the grader's order}."""
    from . import grading
    from .chapters import get_chapter

    root = Path(root)
    chapter = get_chapter(chapter_name) if chapter_name else None
    found: dict[str, list[Path]] = {}
    for path in grading.find_submissions(root):
        unit = path
        if chapter is None:  # the grouping of grading.sessions: a student folder above a chapter folder
            try:
                own = grading.chapter_for(path)
            except KeyError:
                own = None
            student = path.parent.parent
            if own is not None and path.parent.name in (own.assignment, own.key) and \
                    (student == root or root in student.parents):
                unit = student
        found.setdefault(_name(unit, root), []).append(path)
    return found


def share(names, index: int, count: int) -> list[str]:
    return sorted(name for name in names if shard_of(name, count) == index)


def grade_files(paths: list[Path], chapter_name: str | None = None, test_dir: Path | None = None,
                jobs: int = 1) -> list:
    """:func:`grading.grade_path` over a list of files instead of a folder: the same sessions, the same
    reports (an unknown chapter included), in the order given."""
    from . import grading
    from .chapters import get_chapter

    chapter = get_chapter(chapter_name) if chapter_name else None
    groups = grading.sessions(list(paths), chapter)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda session: grading.grade_many(session, test_dir), groups))
    by_path = {str(report.submission): report for reports in graded for report in reports}
    for path in paths:
        if str(path) not in by_path:
            try:
                grading.chapter_for(path)
                reason = "its chapter could not be told"
            except KeyError as error:
                reason = str(error.args[0] if error.args else error)
            by_path[str(path)] = grading.unknown_chapter_report(path, reason)
    return [by_path[str(path)] for path in paths]


def shard_document(reports: list, root: Path, index: int, count: int, everyone: dict[str, list[Path]],
                   mine: list[str], error: str | None = None) -> dict:
    """results.json for one shard: Gradescope's document, each test and the whole marked for ``gather``."""
    from . import report

    document = report.gradescope_results(reports)
    unit_of = {str(path): name for name in mine for path in everyone[name]}
    tests = iter(document["tests"])
    for chapter_report in reports:
        for result in chapter_report.results:
            test = next(tests)
            test["extra_data"] = {"submission": unit_of.get(str(chapter_report.submission), "?"),
                                  "file": _name(Path(chapter_report.submission), root),
                                  "chapter": chapter_report.chapter, "check": result.name}
    document["extra_data"] = {"format": FORMAT, "shard": f"{index}/{count}", "class": sorted(everyone),
                              "submissions": mine, "error": error}
    return document


def grade_command(args) -> int:
    """``grade PATH --shard i/N --results SHARD.json`` (called by the CLI once PATH and --test-dir are known good)."""
    from . import data, report, sandbox

    index, count = args.shard
    if not args.results:
        print("error: --shard needs --results SHARD.json: that file is what `gather` merges", file=sys.stderr)
        return EXIT_FAILED
    root = Path(args.path)
    try:
        everyone = submissions(root, args.chapter)
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return EXIT_FAILED
    if not everyone:
        print(f"error: no .ipynb or .py submission found under {root}", file=sys.stderr)
        return EXIT_FAILED
    mine = share(everyone, index, count)
    paths = [path for name in mine for path in everyone[name]]
    try:
        reports = grade_files(paths, args.chapter, args.test_dir, jobs=args.jobs)
    except (KeyError, sandbox.SandboxUnavailable, data.FlowersDataUnavailable) as error:
        reason = str(error.args[0] if error.args else error)
        print(f"error: {reason}", file=sys.stderr)
        # A result all the same, graded nothing: gather then names this share's submissions as missing.
        document = shard_document([], root, index, count, everyone, [], error=reason)
        Path(args.results).write_text(json.dumps(document, indent=2) + "\n")
        return EXIT_FAILED
    for chapter_report in reports:
        print(report.format_details(chapter_report), end="\n\n")
    if reports:
        print(report.format_table(reports))
    print(f"\nshard {index}/{count}: {len(mine)} of the {len(everyone)} submissions under {root}")
    Path(args.results).write_text(json.dumps(shard_document(reports, root, index, count, everyone, mine),
                                             indent=2) + "\n")
    print(f"wrote {args.results}")
    return EXIT_OK


class GatherError(ValueError):
    """A shard result that cannot be read or does not belong with the others."""


def _read(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GatherError(f"{path}: not a readable results file ({error})") from None
    extra = document.get("extra_data") if isinstance(document, dict) else None
    if not isinstance(extra, dict) or extra.get("format") != FORMAT:
        raise GatherError(f"{path}: not a shard result (write one with `grade PATH --shard i/N --results FILE`)")
    try:
        extra["index"], extra["count"] = parse_shard(extra["shard"])
    except (KeyError, ValueError) as error:
        raise GatherError(f"{path}: {error}") from None
    return document


def gather(out_dir: Path, shard_files: list[Path]) -> dict:
    """Merge shard results into ``OUT_DIR/grades.csv`` and ``OUT_DIR/results.json``; returns what was
    found wrong: ``missing`` and ``duplicated`` submissions, ``missing_shards``, ``duplicated_shards``,
    ``errors`` (shards that could not grade), ``other_class`` (submissions some shard did not list)."""
    documents = [(Path(path), _read(path)) for path in shard_files]
    if not documents:
        raise GatherError("no shard results given")
    counts = {document["extra_data"]["count"] for _, document in documents}
    if len(counts) > 1:
        raise GatherError(f"the shard results were cut in different numbers of shards: {sorted(counts)}")
    count = counts.pop()
    classes = [set(document["extra_data"]["class"]) for _, document in documents]
    everyone = set().union(*classes)
    seen_shards: dict[int, list[str]] = {}
    graded: dict[str, Path] = {}
    duplicated: dict[str, list[str]] = {}
    tests, outputs, errors = [], [], []
    for path, document in documents:
        extra = document["extra_data"]
        seen_shards.setdefault(extra["index"], []).append(str(path))
        if extra.get("error"):
            errors.append(f"shard {extra['shard']} ({path}) could not grade: {extra['error']}")
        fresh = []
        for name in extra["submissions"]:
            if name in graded:
                duplicated.setdefault(name, [str(graded[name])]).append(str(path))
            else:
                graded[name] = path
                fresh.append(name)
        tests.extend(test for test in document.get("tests", [])
                     if (test.get("extra_data") or {}).get("submission") in fresh)
        if document.get("output") and document["output"] != "Graded by the Flowers course kit.":
            outputs.append(f"shard {extra['shard']}: {document['output']}")
    found = {
        "missing": sorted(everyone - set(graded)),
        "duplicated": {name: paths for name, paths in sorted(duplicated.items())},
        "missing_shards": [index for index in range(1, count + 1) if index not in seen_shards],
        "duplicated_shards": {index: paths for index, paths in sorted(seen_shards.items()) if len(paths) > 1},
        "errors": errors,
        "other_class": sorted(everyone - set.intersection(*classes)),
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tests.sort(key=lambda test: test["extra_data"]["submission"])  # stable: each submission's order is kept
    with open(out_dir / "grades.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", "chapter", "check", "points"])
        for test in tests:
            extra = test["extra_data"]
            writer.writerow([extra["submission"], extra["chapter"], extra["check"], f"{test['score']:g}"])
    merged = {
        "score": sum(test["score"] for test in tests),
        "output": "\n".join(outputs) if outputs else "Graded by the Flowers course kit.",
        "tests": tests,
        "extra_data": {"format": FORMAT, "shards": count, "class": sorted(everyone),
                       "submissions": sorted(graded), **found},
    }
    (out_dir / "results.json").write_text(json.dumps(merged, indent=2) + "\n")
    found["graded"], found["everyone"], found["score"] = sorted(graded), sorted(everyone), merged["score"]
    found["max_score"] = sum(test["max_score"] for test in tests)
    return found


def gather_command(args) -> int:
    try:
        found = gather(args.out_dir, args.shard_results)
    except GatherError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"gathered {len(args.shard_results)} shard result(s): {len(found['graded'])} of {len(found['everyone'])} "
          f"submissions, {found['score']:g} / {found['max_score']:g} points")
    print(f"wrote {Path(args.out_dir) / 'grades.csv'} and {Path(args.out_dir) / 'results.json'}")
    problems = []
    problems += [f"shard {index} missing: no result for it" for index in found["missing_shards"]]
    problems += [f"shard {index} given {len(paths)} times: {', '.join(paths)}"
                 for index, paths in found["duplicated_shards"].items()]
    problems += found["errors"]
    problems += [f"missing submission: {name}" for name in found["missing"]]
    problems += [f"duplicated submission: {name} (in {', '.join(paths)}; the first is kept)"
                 for name, paths in found["duplicated"].items()]
    problems += [f"not in every shard's class (graded from different folders?): {name}"
                 for name in found["other_class"]]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_INCOMPLETE if problems else EXIT_OK
