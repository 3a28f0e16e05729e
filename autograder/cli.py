"""Command line: ``python -m autograder grade|gather|generate|demo|publish-solutions``. Thin by design:
the work is in :mod:`grading`, :mod:`course`, :mod:`report` and :mod:`publish`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_GRADER_FAILED = 0, 2


def _grade(args) -> int:
    from . import data, grading, report, sandbox

    if not args.path.exists():
        print(f"error: {args.path} does not exist", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if args.test_dir is not None and not args.test_dir.is_dir():
        print(f"error: --test-dir {args.test_dir} is not a folder", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if args.out is not None:  # a class into a folder: a result per student at once, resumable (autograder/classrun.py)
        from . import classrun

        return classrun.run(args)
    if args.resume:
        print("error: --resume continues an earlier --out DIR: give the same --out", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if args.gradebook is not None and args.shard is not None:
        print("error: --gradebook records one whole class: grade without --shard", file=sys.stderr)
        return EXIT_GRADER_FAILED
    if args.shard is not None:  # this machine's share of the class (autograder/shards.py)
        from . import shards

        return shards.grade_command(args)
    try:
        reports = grading.grade_path(args.path, args.chapter, args.test_dir, jobs=args.jobs)
    except (KeyError, sandbox.SandboxUnavailable, data.FlowersDataUnavailable) as error:
        reason = str(error.args[0] if error.args else error)
        print(f"error: {reason}", file=sys.stderr)
        if args.results:  # a complete results.json all the same: every run that read a submission writes one
            report.write_results([grading.unknown_chapter_report(args.path, f"the grader could not run: {reason}")],
                                 args.results)
        return EXIT_GRADER_FAILED
    if not reports:
        print(f"error: no .ipynb or .py submission found under {args.path}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    for chapter_report in reports:
        print(report.format_details(chapter_report), end="\n\n")
    print(report.format_table(reports))
    if args.results:
        report.write_results(reports, args.results)
        print(f"\nwrote {args.results}")
    if args.gradebook is not None:  # nbgrader's gradebook, through nbgrader's API (autograder/gradebook.py)
        from . import gradebook

        return gradebook.record_command(reports, args.gradebook or None)
    return EXIT_OK


def _shard(text: str) -> tuple[int, int]:
    from . import shards

    try:
        return shards.parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _gather(args) -> int:
    from . import shards

    return shards.gather_command(args)


def _generate(args) -> int:
    from . import course

    from .chapters import full

    try:
        written = course.generate(only=args.assignments or None)
        answers = full.write_answers(args.assignments or None)
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    print(f"generated {len(written)} files in {', '.join(course.GENERATED)} from source/, "
          f"and {len(answers)} files of the visible checks' answers in autograder/answers/")
    return EXIT_OK


def _demo(args) -> int:
    """Grade the answer key and the blank release of every chapter; print one table."""
    from . import course, data, grading, report

    from .data import FlowersDataUnavailable

    reports, skipped = [], []
    for folder in ("solutions", "release"):
        session = []
        for name in course.assignments():
            for notebook in sorted((course.REPO / folder / name).glob("*.ipynb")):
                chapter = grading.chapter_for(notebook)
                if chapter.photos or chapter.prepare_private is not None:
                    try:
                        data.resolve_data_dir(download=False)
                    except FlowersDataUnavailable as error:  # chapters 3, 6, 7 grade on the real photos
                        skipped.append(f"{folder}/{name}: not graded, it needs the photos. {error}")
                        continue
                session.append((notebook, chapter))
        for chapter_report in grading.grade_many(session):  # one student's course: one worker
            notebook = Path(chapter_report.submission)
            chapter_report.submission = f"{folder}/{notebook.parent.name}/{notebook.name}"
            reports.append(chapter_report)
    if args.verbose:
        for chapter_report in reports:
            print(report.format_details(chapter_report), end="\n\n")
    print(report.format_table(reports))
    for line in skipped:
        print(line, file=sys.stderr)
    return EXIT_GRADER_FAILED if skipped else EXIT_OK


def _publish_solutions(args) -> int:
    """Execute the answer keys and write each as a notebook with outputs and an HTML page."""
    from . import publish

    targets = list(args.targets)
    out = publish.DEFAULT_OUT
    if targets and not publish.looks_like_chapter(targets[0]):
        out = Path(targets.pop(0))
    try:
        publish.select_chapters(targets)   # an unknown name stops here, before any kernel starts
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    results = publish.publish(out, targets or None, timeout=args.timeout)
    print(f"\nwrote {out / 'index.html'}")
    problems = [item for item in results if item.status in ("failed", "skipped")]
    for item in problems:
        print(f"{item.key} {item.status}: {item.message}", file=sys.stderr)
    return EXIT_GRADER_FAILED if problems else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Flowers course kit grader.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade a notebook, a .py script or a folder of them")
    grade.add_argument("path", type=Path)
    grade.add_argument("--results", type=Path, help="also write Gradescope's results.json here")
    grade.add_argument("--test-dir", type=Path, help="a private test set (one folder per class) replacing the test split")
    grade.add_argument("--chapter", help="the chapter (ch04 or ch04_loading) when the file name does not say")
    grade.add_argument("--jobs", type=int, default=1, help="students graded at the same time (default 1)")
    grade.add_argument("--shard", type=_shard, metavar="i/N",
                       help="grade only shard i of N (i from 1 to N) of the submissions under PATH, for N machines: "
                            "a submission (a student's folder, or a lone notebook) falls in a shard by a stable hash "
                            "of its path relative to PATH, never by order; needs --results, which `gather` merges")
    grade.add_argument("--gradebook", nargs="?", const="", metavar="URL",
                       help="also record the scores in nbgrader's gradebook (a SQLAlchemy URL: sqlite:///gradebook.db, "
                            "postgresql+psycopg://...; alone: the course's CourseDirectory.db_url), for notebooks in "
                            "nbgrader's layout submitted/<student>/<assignment>/<notebook>.ipynb")
    grade.add_argument("--out", type=Path, metavar="DIR",
                       help="grade a class into DIR: each student's result in DIR/students/<student>/<assignment>.json "
                            "as soon as it is graded, then DIR/results.json (Gradescope's format) and DIR/summary.txt; "
                            "prints the summary instead of every check's details. A DIR that already holds results "
                            "needs --resume")
    grade.add_argument("--resume", action="store_true",
                       help="with --out: keep the results already in DIR for notebooks whose bytes (SHA-256), chapter, "
                            "kit version and --test-dir are unchanged, and grade only the others")
    grade.add_argument("--progress", choices=("auto", "bar", "lines"), default="auto",
                       help="with --out: a line on stderr per graded student, always; a progress bar above them "
                            "when stderr is a terminal (auto, the default), always (bar) or never (lines)")
    grade.set_defaults(run=_grade)
    gather = commands.add_parser("gather", help="merge the results of `grade --shard` into one CSV and one results set")
    gather.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="writes grades.csv and results.json here")
    gather.add_argument("shard_results", type=Path, nargs="+", metavar="SHARD_RESULT",
                        help="the --results file of each shard; missing or duplicated submissions are reported "
                             "(exit status 1; 2 when a file is not a shard result)")
    gather.set_defaults(run=_gather)
    generate = commands.add_parser("generate", help="regenerate release/, solutions/, assignments/ from source/")
    generate.add_argument("assignments", nargs="*", help="only these assignments (ch05 or ch05_preprocessing); default all")
    generate.set_defaults(run=_generate)
    demo = commands.add_parser("demo", help="grade the answer key and the blank release of every chapter")
    demo.add_argument("--verbose", action="store_true")
    demo.set_defaults(run=_demo)
    publish_solutions = commands.add_parser(
        "publish-solutions", help="execute the answer keys; write each as an executed notebook and an HTML page")
    publish_solutions.add_argument("targets", nargs="*", metavar="[OUT] [CHAPTER ...]",
                                   help="output folder (default build/solutions), then chapters (ch04 or ch04_loading; default all)")
    publish_solutions.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run (default 1800)")
    publish_solutions.set_defaults(run=_publish_solutions)
    from . import bundles  # classroom, gradescope: where courses grade (standard library only at import)

    bundles.register(commands)
    args = parser.parse_args(argv)
    return args.run(args)
