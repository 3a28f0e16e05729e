"""Where courses grade: a GitHub Classroom starter repository and a Gradescope autograder bundle.

``python -m autograder classroom DEST [CHAPTER ...]`` writes a starter repository for GitHub Classroom:
the release notebooks, the student wheel (``student/``), a README for the student and
``.github/workflows/classroom.yml``, which grades on push with the batch grader and reports each
check's points the way ``classroom-resources/autograding-grading-reporter`` reads them. The grader side
(references, hidden checks) is never written there: the workflow fetches it from where the instructor
says (the secret or variable ``FLOWERS_GRADER_URL``).

``python -m autograder gradescope DEST [CHAPTER ...]`` writes Gradescope's autograder bundle:
``setup.sh`` and ``run_autograder`` at the root, the grader side in ``kit/``, and ``autograder.zip``
holding all of it, for upload. Gradescope keeps that zip from students.

Two steps that the generated scripts call, not meant to be typed (``python -m autograder.bundles ...``):

* ``classroom-report RESULTS CHAPTER ...`` turns the batch grader's ``results.json`` into one
  ``CHAPTER=<base64 JSON>`` line per chapter for ``$GITHUB_OUTPUT``;
* ``gradescope-collect SUBMISSION WORK ASSIGNMENT ...`` copies the submitted notebooks into ``WORK``,
  one folder per assignment, whatever the student named them.

Only the standard library is imported at module level: ``python -m autograder`` registers these
commands on every start.
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
EXIT_OK, EXIT_FAILED = 0, 2

# Where the Classroom workflow fetches the grader side when the instructor configured nothing.
PLACEHOLDER_GRADER_URL = "https://github.com/YOUR-ORG/flowers-course-kit.git"
DEFAULT_GRADER_REF = "main"
# The student's libraries, pinned as the grader pins them (requirements.txt): what the notebooks import.
STUDENT_LIBRARIES = ("numpy", "pillow", "matplotlib", "seaborn", "tensorflow", "tf-keras", "tf-explain",
                     "tensorflow-datasets", "jupyterlab", "ipykernel")
# The reporter's runner ids must match ^[a-zA-Z0-9]+$; chapter keys (ch04) do.
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
HIDDEN_MESSAGE = {True: "A hidden check: passed.",
                  False: "A hidden check: failed. Its cases are not shown here; the other checks' hints help."}


# --------------------------------------------------------------------------------------------------
# Shared pieces


def _chapters(names: list[str] | None):
    """The chapters asked for, in course order (all when none); ``KeyError`` names the known ones."""
    from .chapters import all_chapters, get_chapter

    if not names:
        return all_chapters()
    wanted = {get_chapter(name).key for name in names}
    return [chapter for chapter in all_chapters() if chapter.key in wanted]


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(f"@@{key}@@", value)
    leftover = re.findall(r"@@[A-Z_]+@@", template)
    assert not leftover, leftover
    return template


def _fresh_folder(dest: Path, force: bool) -> None:
    if dest.exists() and any(dest.iterdir()):
        if not force:
            raise FileExistsError(f"{dest} exists and is not empty (pass --force to replace it)")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(libraries=STUDENT_LIBRARIES, requirements: Path = REPO / "requirements.txt") -> list[str]:
    """``name==version`` lines of requirements.txt for ``libraries``, in that order."""
    pins = {}
    for line in requirements.read_text().splitlines():
        name, _, version = line.strip().partition("==")
        if version:
            pins[_normal(name)] = line.strip()
    return [pins[_normal(name)] for name in libraries if _normal(name) in pins]


def build_student_wheel(out: Path) -> Path:
    """Build the student wheel (``student/``, the student side only) into ``out``; return its path."""
    out.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                          "--disable-pip-version-check", "./student", "-w", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    built = sorted(out.glob("flowers_course_student-*.whl"))
    if run.returncode or len(built) != 1:
        raise RuntimeError(f"building the student wheel failed: {run.stderr[-2000:] or built}")
    return built[0]


# --------------------------------------------------------------------------------------------------
# GitHub Classroom


CLASSROOM_WORKFLOW = r"""# Grades this repository's notebooks on every push and reports each check's points to GitHub Classroom.
# Written by `python -m autograder classroom` (the Flowers course kit).
#
# The grader side (the kit's answers and hidden checks) is NOT in this repository. The step
# "Install the grader side" clones it from where the instructor says, read in this order:
#   secret   FLOWERS_GRADER_URL   a git URL of the kit; for a private one put a read-only token in it:
#                                 https://x-access-token:TOKEN@github.com/ORG/flowers-course-kit.git
#   variable FLOWERS_GRADER_URL   the same, when the kit's repository is public
#   default  @@GRADER_URL@@
# and the variable FLOWERS_GRADER_REF: the branch or tag to grade with (default @@GRADER_REF@@).
# Set them on the classroom's organization (Settings > Secrets and variables > Actions) for every
# student repository at once. The secret is handed to that one step only, and the clone's .git folder,
# which would keep the URL, is deleted before any notebook runs.
#
# GitHub Classroom takes the points from a workflow named "Autograding Tests" whose one job is named
# run-autograding-tests; keep both names. Each chapter is one runner for the reporter: one test per
# check, with its points; hidden checks count, without showing their cases.
name: Autograding Tests

on:
  push:
  workflow_dispatch:
  repository_dispatch:

permissions:
  checks: write
  actions: read
  contents: read

jobs:
  run-autograding-tests:
    runs-on: ubuntu-24.04
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: @@TIMEOUT@@
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
        with:
          persist-credentials: false

      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"

      - name: Install the grader side (not in this repository)
        env:
          GRADER_URL: ${{ secrets.FLOWERS_GRADER_URL || vars.FLOWERS_GRADER_URL || '@@GRADER_URL@@' }}
          GRADER_REF: ${{ vars.FLOWERS_GRADER_REF || '@@GRADER_REF@@' }}
        run: |
          if [ "$GRADER_URL" = "@@PLACEHOLDER@@" ]; then
            echo "::error::The instructor has not said where the grader is: set the secret or variable FLOWERS_GRADER_URL (a git URL of the Flowers course kit)."
            exit 1
          fi
          git clone --quiet --depth 1 --branch "$GRADER_REF" "$GRADER_URL" "$RUNNER_TEMP/grader"
          rm -rf "$RUNNER_TEMP/grader/.git"
          bash "$RUNNER_TEMP/grader/scripts/setup.sh"
          echo "GRADER_PYTHON=$RUNNER_TEMP/grader/.venv/bin/python" >> "$GITHUB_ENV"

      - name: Let the sandbox start (user namespaces)
        run: |
          # GitHub's Ubuntu 24.04 runners restrict unprivileged user namespaces through AppArmor;
          # bubblewrap, the sandbox student code runs in, needs them. Lift it on this throwaway VM.
          if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = 1 ]; then
            sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0
          fi
          if ! bwrap --unshare-all --die-with-parent --ro-bind / / true; then
            echo "::error::bubblewrap cannot start here. Install it (sudo apt-get install bubblewrap) and allow user namespaces: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
            exit 1
          fi

      - name: Keep the photos between runs
        uses: actions/cache@v4
        with:
          path: ~/.cache/flowers-kit
          key: flowers-photos-v1

      - name: Grade
        id: grade
        env:
          AUTOGRADER_SANDBOX: require
          TF_CPP_MIN_LOG_LEVEL: "3"
        run: |
          submission="$RUNNER_TEMP/submission"
          rm -rf "$submission"
          for assignment in @@ASSIGNMENTS@@; do
            mkdir -p "$submission/$assignment"
            if [ -f "$assignment/$assignment.ipynb" ]; then
              cp "$assignment/$assignment.ipynb" "$submission/$assignment/"
            else
              echo "::warning::$assignment/$assignment.ipynb is missing: that chapter scores 0."
            fi
          done
          status=0
          "$GRADER_PYTHON" -m autograder grade "$submission" --results "$RUNNER_TEMP/results.json" || status=$?
          "$GRADER_PYTHON" -m autograder.bundles classroom-report "$RUNNER_TEMP/results.json" @@KEYS@@ >> "$GITHUB_OUTPUT"
          exit "$status"

      - name: Report the points to GitHub Classroom
        if: ${{ !cancelled() }}
        uses: @@REPORTER@@
        env:
@@REPORTER_ENV@@
        with:
          runners: @@RUNNERS@@
"""


STUDENT_README = r"""# @@TITLE@@

This repository is your copy of the assignment. You complete the notebook(s), check your work as you go,
and push: every push is graded automatically and the points show up in GitHub Classroom.

| folder | chapter | points |
| --- | --- | ---: |
@@TABLE@@

## 1. Get it onto your machine

```bash
git clone <this repository's URL>
cd <this repository>
python3 -m venv .venv                       # Python 3.11, 3.12 or 3.13
.venv/bin/python -m pip install -r requirements.txt
```

`requirements.txt` installs the course's libraries at the versions the grader uses, and the course's
checking package from `wheels/` (the visible checks only: there are no answers in it). On Windows use
`.venv\Scripts\python` instead of `.venv/bin/python`.

## 2. Open a notebook

```bash
.venv/bin/jupyter lab @@FIRST@@
```

VS Code works too: open the folder, pick `.venv` as the kernel. The notebooks load the flower photos
themselves: the first time, online, they download them (about 220 MB) into `~/.cache/flowers-kit`.
Offline, point `FLOWERS_DIR` at a folder holding one sub-folder per class before starting Jupyter.

## 3. Complete it

Each function you write says `raise NotImplementedError()`. Replace that line with your code; keep the
function's name, its arguments and its `return`. Do not rename the notebook or move it out of its
folder: the grader finds it by its name.

## 4. Check it

Run the check cell under each function. It tells you whether that function does what the check asks,
with a hint when it does not. These are the visible checks. When you push, the grader runs them again,
plus hidden checks on other cases: passing every visible check is a good sign, not a guarantee. In
chapters that train a model, the accuracy shown in your notebook is a preview; the grade comes from the
grader training your architecture itself.

## 5. Push

```bash
git add -A
git commit -m "Complete the functions"
git push
```

Open the **Actions** tab of this repository on GitHub: the run called *Autograding Tests* lists each
check with its points (a hidden check shows only whether it passed). You can push as often as you
like; the last push before the deadline is the one that counts. Do not edit the files under
`.github/`: they are how your work is graded, and your instructor sees changes to them.
"""


def classroom_workflow(chapters, grader_url: str = PLACEHOLDER_GRADER_URL,
                       grader_ref: str = DEFAULT_GRADER_REF) -> str:
    keys = [chapter.key for chapter in chapters]
    for value, what in ((grader_url, "grader URL"), (grader_ref, "grader ref")):
        if not value or any(character in value for character in "'\n\"$`{}"):
            raise ValueError(f"the {what} {value!r} cannot be written into the workflow")
    reporter_env = "\n".join(f"          {key.upper()}_RESULTS: ${{{{ steps.grade.outputs.{key} }}}}" for key in keys)
    # Training chapters take minutes on a runner's CPU: about 5 minutes of set-up, then each chapter's budget.
    minutes = 15 + sum(20 if chapter.prepare_private is not None else 5 for chapter in chapters)
    return _fill(CLASSROOM_WORKFLOW, GRADER_URL=grader_url, GRADER_REF=grader_ref,
                 PLACEHOLDER=PLACEHOLDER_GRADER_URL, TIMEOUT=str(minutes),
                 ASSIGNMENTS=" ".join(chapter.assignment for chapter in chapters), KEYS=" ".join(keys),
                 REPORTER=REPORTER, REPORTER_ENV=reporter_env, RUNNERS=",".join(keys))


def classroom(dest: Path, chapter_names: list[str] | None = None, *, grader_url: str = PLACEHOLDER_GRADER_URL,
              grader_ref: str = DEFAULT_GRADER_REF, wheel: Path | None = None, force: bool = False) -> list[Path]:
    """Write a GitHub Classroom starter repository into ``dest``; return the files written."""
    chapters = _chapters(chapter_names)
    workflow = classroom_workflow(chapters, grader_url, grader_ref)   # refuses a bad URL before writing
    dest = Path(dest)
    _fresh_folder(dest, force)
    for chapter in chapters:
        notebook = REPO / "release" / chapter.assignment / f"{chapter.assignment}.ipynb"
        (dest / chapter.assignment).mkdir()
        shutil.copy2(notebook, dest / chapter.assignment / notebook.name)
    (dest / "wheels").mkdir()
    if wheel is None:
        with tempfile.TemporaryDirectory() as scratch:
            built = build_student_wheel(Path(scratch))
            shutil.copy2(built, dest / "wheels" / built.name)
            wheel_name = built.name
    else:
        shutil.copy2(wheel, dest / "wheels" / Path(wheel).name)
        wheel_name = Path(wheel).name
    (dest / "requirements.txt").write_text(
        "# The course's libraries, pinned as the grader pins them, and its checking package (no answers in it).\n"
        + "".join(f"{line}\n" for line in pinned()) + f"./wheels/{wheel_name}\n")
    table = "\n".join(f"| `{chapter.assignment}/` | {chapter.key[2:].lstrip('0')} {chapter.title} | "
                      f"{chapter.max_points:g} |" for chapter in chapters)
    title = chapters[0].title if len(chapters) == 1 else "Flowers course: image classification with TensorFlow"
    (dest / "README.md").write_text(_fill(STUDENT_README, TITLE=title, TABLE=table,
                                          FIRST=f"{chapters[0].assignment}/{chapters[0].assignment}.ipynb"))
    (dest / ".gitignore").write_text(".venv/\n__pycache__/\n.ipynb_checkpoints/\n")
    (dest / ".github" / "workflows").mkdir(parents=True)
    (dest / ".github" / "workflows" / "classroom.yml").write_text(workflow)
    return sorted(path for path in dest.rglob("*") if path.is_file())


def classroom_payloads(results: dict, chapter_keys: list[str]) -> dict[str, dict]:
    """One reporter payload per chapter from a ``results.json``: the shape that
    ``autograding-grading-reporter`` decodes (``version``, ``status``, ``max_score``, and ``tests`` with
    each check's ``score``). A chapter missing from the results scores 0 with status ``error``."""
    from .chapters import get_chapter

    payloads = {}
    for key in chapter_keys:
        tests = []
        for test in results.get("tests", []):
            chapter, _, name = test.get("name", "").partition(" ")
            if chapter != key:
                continue
            passed = test.get("status") == "passed"
            hidden = test.get("visibility", "visible") != "visible"
            tests.append({"name": name, "status": "pass" if passed else "fail",
                          "score": test.get("score", 0), "message": HIDDEN_MESSAGE[passed] if hidden else
                          test.get("output", ""), "test_code": "", "filename": "", "line_no": 0, "duration": 0})
        if tests:
            max_score = sum(test.get("max_score", 0) for test in results["tests"]
                            if test.get("name", "").partition(" ")[0] == key)
            status = "pass" if all(test["status"] == "pass" for test in tests) else "fail"
        else:
            max_score = get_chapter(key).max_points
            reason = results.get("output") or "the grader wrote no result for this chapter"
            tests = [{"name": f"{key} notebook", "status": "fail", "score": 0, "message": reason, "test_code": "",
                      "filename": "", "line_no": 0, "duration": 0}]
            status = "error"
        payloads[key] = {"version": 1, "status": status, "max_score": max_score, "tests": tests}
    return payloads


def encode_payload(payload: dict) -> str:
    return base64.b64encode(json.dumps(payload).encode("utf-8")).decode("ascii")


def decode_payload(encoded: str) -> dict:
    """What the reporter does with ``<RUNNER>_RESULTS``: base64, then JSON."""
    return json.loads(base64.b64decode(encoded).decode("utf-8"))


def _classroom_report(results_path: Path, chapter_keys: list[str]) -> int:
    try:
        results = json.loads(Path(results_path).read_text())
    except (OSError, ValueError) as error:
        results = {"output": f"the grader wrote no readable results ({error})", "tests": []}
    for key, payload in classroom_payloads(results, chapter_keys).items():
        print(f"{key}={encode_payload(payload)}")
        points = sum(test["score"] for test in payload["tests"])
        print(f"{key}: {points:g} / {payload['max_score']:g} ({payload['status']})", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------------------------------
# Gradescope


GRADESCOPE_SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (Ubuntu 22.04 or 24.04;
# 24.04 ships Python 3.12). It installs bubblewrap (the sandbox student code runs in), a Python 3.11-3.13
# virtual environment at /autograder/venv with the kit's pinned requirements, and the photos.
# Written by `python -m autograder gradescope` (the Flowers course kit).
set -euo pipefail
SOURCE=/autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q bubblewrap

PYTHON=""
for candidate in python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
done
if [ -z "$PYTHON" ]; then            # Ubuntu 22.04: its own python3 is 3.10
  apt-get install -y -q python3.11 python3.11-venv
  PYTHON=python3.11
fi
apt-get install -y -q "$PYTHON-venv" || true
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q --disable-pip-version-check -r "$SOURCE/kit/requirements.txt"

# The photos chapters 3, 6 and 7 are graded on: the copy in this bundle when it has one (--photos),
# else the official archive, downloaded once here so that grading never needs the network.
if [ ! -d "$SOURCE/photos/tf_flowers" ]; then
  FLOWERS_CACHE=/autograder/flowers-cache PYTHONPATH="$SOURCE/kit" /autograder/venv/bin/python -c \
    "from autograder import data; print('photos:', data.resolve_data_dir())" \
    || echo "setup.sh: WARNING: the photos could not be fetched; chapters 3, 6 and 7 will not be graded" >&2
fi
"""


GRADESCOPE_RUN = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission, from /autograder. It grades the notebooks in submission/
# with the Flowers kit's batch grader (student code runs under bubblewrap) and writes
# results/results.json in Gradescope's format: one test per check, hidden checks shown once grades
# are published. Written by `python -m autograder gradescope` (the Flowers course kit).
#
# To try it elsewhere, point the paths at a folder laid out like /autograder:
#   AUTOGRADER_ROOT  (default /autograder): holds submission/ and results/
#   AUTOGRADER_SOURCE (default $AUTOGRADER_ROOT/source): this bundle, unzipped
#   GRADER_PYTHON    (default $AUTOGRADER_ROOT/venv/bin/python): a Python with the kit's requirements
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="${AUTOGRADER_SOURCE:-$ROOT/source}"
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
export PYTHONPATH="$SOURCE/kit"
export FLOWERS_CACHE="${FLOWERS_CACHE:-$ROOT/flowers-cache}" FLOWERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=3
if [ -z "${FLOWERS_DIR:-}" ] && [ -d "$SOURCE/photos/tf_flowers" ]; then
  export FLOWERS_DIR="$SOURCE/photos/tf_flowers"
fi
results="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$ROOT" || exit 1
echo "grader: $("$PYTHON" -c 'import autograder; print(autograder.__file__)')"
"$PYTHON" -m autograder.bundles gradescope-collect "$ROOT/submission" "$work" --blanks "$SOURCE/blank" @@ASSIGNMENTS@@
"$PYTHON" -m autograder grade "$work" --results "$results"
status=$?
if [ ! -s "$results" ]; then
  printf '{"score": 0, "output": "The autograder could not run (exit status %s). Your instructor can see why in its log."}\n' \
    "$status" > "$results"
fi
exit 0
"""


def gradescope(dest: Path, chapter_names: list[str] | None = None, *, photos: Path | None = None,
               force: bool = False) -> Path:
    """Write Gradescope's autograder bundle into ``dest`` and ``dest/autograder.zip``; return the zip."""
    chapters = _chapters(chapter_names)
    dest = Path(dest)
    if photos is not None and not Path(photos).is_dir():
        raise FileNotFoundError(f"--photos {photos} is not a folder")
    _fresh_folder(dest, force)
    (dest / "setup.sh").write_text(GRADESCOPE_SETUP)
    (dest / "run_autograder").write_text(_fill(GRADESCOPE_RUN, ASSIGNMENTS=" ".join(c.assignment for c in chapters)))
    for script in ("setup.sh", "run_autograder"):
        (dest / script).chmod(0o755)
    kit = dest / "kit"
    shutil.copytree(PACKAGE_DIR, kit / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, kit / name)
    for chapter in chapters:  # graded in place of a notebook the student did not hand in: 0, "not attempted"
        blank = REPO / "release" / chapter.assignment / f"{chapter.assignment}.ipynb"
        (dest / "blank" / chapter.assignment).mkdir(parents=True)
        shutil.copy2(blank, dest / "blank" / chapter.assignment / blank.name)
    if photos is not None:
        shutil.copytree(photos, dest / "photos" / "tf_flowers")
    archive = dest / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(dest.rglob("*")):
            if path.is_file() and path != archive:
                info = zipfile.ZipInfo.from_file(path, path.relative_to(dest).as_posix())
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, path.read_bytes())   # keeps the scripts' executable bits
    return archive


def collect_submission(submission: Path, work: Path, assignments: list[str], blanks: Path | None = None) -> list[str]:
    """Copy the submitted notebook of each assignment to ``work/<assignment>/<assignment>.ipynb``.

    Gradescope keeps the names students upload (``ch04_loading (2).ipynb``, ``Untitled.ipynb``): a
    notebook counts for an assignment when its name or its folder's starts with the assignment's name or
    key; for a one-chapter bundle a single notebook counts whatever its name. A missing one is replaced
    by the blank release (``blanks``), so the chapter scores 0 and its checks still show. Returns notes."""
    submission, work = Path(submission), Path(work)
    found = sorted((path for path in submission.rglob("*") if path.is_file() and path.suffix in (".ipynb", ".py")
                    and ".ipynb_checkpoints" not in path.parts and not path.name.startswith(".")),
                   key=lambda path: (path.suffix != ".ipynb", len(path.parts), path.name))
    notes, used = [], set()
    for assignment in assignments:
        key = assignment.split("_", 1)[0]
        named = [path for path in found if path not in used and any(
            name.startswith((assignment, key)) for name in (path.stem, path.parent.name))]
        named.sort(key=lambda path: path.stem != assignment)
        notebooks = [path for path in found if path.suffix == ".ipynb"]
        if not named and len(assignments) == 1 and len(notebooks) == 1:
            named = notebooks
        target = work / assignment
        target.mkdir(parents=True, exist_ok=True)
        if named:
            used.add(named[0])
            shutil.copy2(named[0], target / f"{assignment}{named[0].suffix}")
            notes.append(f"{assignment}: graded {named[0].relative_to(submission)}")
        elif blanks is not None and (Path(blanks) / assignment / f"{assignment}.ipynb").is_file():
            shutil.copy2(Path(blanks) / assignment / f"{assignment}.ipynb", target / f"{assignment}.ipynb")
            notes.append(f"{assignment}: no notebook was submitted; graded the blank release (0 points)")
        else:
            notes.append(f"{assignment}: no notebook was submitted")
    notes += [f"not graded (not part of this assignment): {path.relative_to(submission)}"
              for path in found if path not in used]
    return notes


# --------------------------------------------------------------------------------------------------
# Command line: the two generators (registered by autograder/cli.py) and the generated scripts' steps


def _run_classroom(args) -> int:
    try:
        written = classroom(args.dest, args.chapters, grader_url=args.grader_url, grader_ref=args.grader_ref,
                            wheel=args.wheel, force=args.force)
    except (KeyError, ValueError, FileExistsError, RuntimeError, OSError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote a GitHub Classroom starter repository in {args.dest} ({len(written)} files)")
    if args.grader_url == PLACEHOLDER_GRADER_URL:
        print("next: set the secret or variable FLOWERS_GRADER_URL (a git URL of this kit) on the classroom's "
              "organization, or pass --grader-url", file=sys.stderr)
    return EXIT_OK


def _run_gradescope(args) -> int:
    try:
        archive = gradescope(args.dest, args.chapters, photos=args.photos, force=args.force)
    except (KeyError, FileExistsError, FileNotFoundError, OSError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"wrote Gradescope's autograder bundle in {args.dest}; upload {archive}")
    return EXIT_OK


def register(commands) -> None:
    """Add ``classroom`` and ``gradescope`` to ``python -m autograder``."""
    room = commands.add_parser("classroom", help="write a GitHub Classroom starter repository (notebooks, student "
                                                 "wheel, README, grading workflow)")
    room.add_argument("dest", type=Path, help="folder to write (empty or new)")
    room.add_argument("chapters", nargs="*", help="chapters (ch04 or ch04_loading); default all")
    room.add_argument("--grader-url", default=PLACEHOLDER_GRADER_URL,
                      help="git URL the workflow fetches the grader side from when no FLOWERS_GRADER_URL is set")
    room.add_argument("--grader-ref", default=DEFAULT_GRADER_REF, help="its branch or tag (default main)")
    room.add_argument("--wheel", type=Path, help="a student wheel already built (default: build it from student/)")
    room.add_argument("--force", action="store_true", help="replace DEST when it is not empty")
    room.set_defaults(run=_run_classroom)
    scope = commands.add_parser("gradescope", help="write Gradescope's autograder bundle (setup.sh, run_autograder, "
                                                   "autograder.zip)")
    scope.add_argument("dest", type=Path, help="folder to write (empty or new)")
    scope.add_argument("chapters", nargs="*", help="chapters (ch04 or ch04_loading); default all")
    scope.add_argument("--photos", type=Path, help="a tf_flowers folder to ship in the bundle (else setup.sh "
                                                   "downloads the official archive)")
    scope.add_argument("--force", action="store_true", help="replace DEST when it is not empty")
    scope.set_defaults(run=_run_gradescope)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.bundles",
                                     description="Steps the generated Classroom workflow and Gradescope script run.")
    steps = parser.add_subparsers(dest="step", required=True)
    report = steps.add_parser("classroom-report", help="results.json -> CHAPTER=<base64 JSON> lines for $GITHUB_OUTPUT")
    report.add_argument("results", type=Path)
    report.add_argument("chapters", nargs="+", help="chapter keys: the reporter's runner ids")
    collect = steps.add_parser("gradescope-collect", help="copy the submitted notebooks into WORK/<assignment>/")
    collect.add_argument("submission", type=Path)
    collect.add_argument("work", type=Path)
    collect.add_argument("assignments", nargs="+")
    collect.add_argument("--blanks", type=Path)
    args = parser.parse_args(argv)
    if args.step == "classroom-report":
        return _classroom_report(args.results, args.chapters)
    for note in collect_submission(args.submission, args.work, args.assignments, args.blanks):
        print(note)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
