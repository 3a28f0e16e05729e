"""Make the README's pictures from a real grading run: a student's feedback page and the class summary.

    .venv/bin/python scripts/readme_pictures.py [--keep DIR]      # `make pictures`

1. generate a class of ten in nbgrader's layout (``tests/sample_class.py``: good, partial, blank, broken
   and hostile notebooks) for chapters 3 and 7 (chapter 7 draws training curves and a confusion matrix);
2. grade it with the batch grader's class run, ``grade submitted/ --out DIR`` (the photos are needed);
3. open the feedback page of one student and the class summary in headless Chromium and save screenshots
   in ``docs/images/``.

Nothing in the pictures is drawn for them: they are the pages a student and an instructor get.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IMAGES = REPO / "docs" / "images"
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
ASSIGNMENTS = ("ch03_data_quality", "ch07_evaluation")


def chromium() -> str:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("error: no Chromium found (Debian/Ubuntu: apt-get install chromium; scripts/setup.sh does it)")


def screenshot(page: Path, picture: Path, width: int, height: int) -> None:
    """Chromium's own headless screenshot of a local page (no script runs in the kit's pages)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={picture}", page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"wrote {picture.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="grade in this folder and keep it (default: a temporary one)")
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from tests.sample_class import make_class

    work = Path(args.keep or tempfile.mkdtemp(prefix="pictures-"))
    root = work / "course"
    if root.exists():
        shutil.rmtree(root)
    kinds = make_class(root / "submitted", students=args.students, assignments=ASSIGNMENTS)
    graded = root / "graded"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out", str(graded),
                    "--jobs", "2"], check=True, env=env, cwd=REPO)
    IMAGES.mkdir(parents=True, exist_ok=True)
    # A partial submission: its page shows passed and failed checks, hints, and the student's figures.
    student = next(name for name, kind in sorted(kinds.items()) if kind == "partial")
    screenshot(graded / "feedback" / f"{student}.html", IMAGES / "feedback-page.png", 1000, 2400)
    screenshot(graded / "summary.html", IMAGES / "class-summary.png", 1000, 130 + 42 * len(kinds) + 120)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
