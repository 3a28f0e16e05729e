"""Formgrader, in a real browser, shows the batch grader's scores recorded with `grade --gradebook`.

tests/test_gradebook.py proves the scores land in nbgrader's gradebook and `nbgrader export` reads them;
here nbgrader's own web interface reads them. Its class of three (the answer key, the blank release, one
wrong submission of ch03) is graded once by the batch grader; for each gradebook (SQLite, and a throwaway
PostgreSQL server) the assignment is generated, the scores recorded through the `grade` command, and a
Jupyter server with nbgrader's formgrader extension is started on the course. Headless Chromium then
loads two formgrader pages, which draw their tables with JavaScript from formgrader's REST API:
`--virtual-time-budget` lets the page's scripts and requests run to the end before `--dump-dom` prints
the DOM as it then stands, so the rows read here are the rendered ones.

Needs Chromium (`scripts/setup.sh` installs Debian's `chromium`); skipped, saying so, without it."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder import cli, course, grading
from autograder import gradebook as kit_gradebook

from . import test_gradebook
from .test_gradebook import NAME, _course_args

# The class, its grading and the two gradebooks are test_gradebook.py's fixtures, run here once more.
graded_class = test_gradebook.graded_class
gradebook_url = test_gradebook.gradebook_url

CHROMIUM = next((found for found in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if found),
                None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium for formgrader's pages: `apt-get install -y "
                       "chromium` (scripts/setup.sh installs it when it can)"),
]
SERVER_START_SECONDS = 90      # a cold Jupyter server with JupyterLab and nbgrader's extensions
PAGE_SECONDS = 120             # one headless Chromium run, start to DOM
RENDER_BUDGET_MS = 15000       # virtual time the page's scripts get before the DOM is printed


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def formgrader(graded_class, gradebook_url, tmp_path, monkeypatch):
    """The course's gradebook with the batch grader's scores, served by Jupyter with formgrader: yields
    ``(base_url, token, course_root, reports)``; the server is stopped (SIGTERM, then SIGKILL) at teardown."""
    root, reports = graded_class
    url = gradebook_url
    shutil.rmtree(root / "autograded", ignore_errors=True)   # left by the other gradebook's run
    course.run_nbgrader(["generate_assignment", NAME, "--force", *_course_args(root, url)], root)
    # The batch grader's scores, recorded by the `grade` command from the course folder (graded once above).
    monkeypatch.chdir(root)
    monkeypatch.setattr(grading, "grade_path", lambda *args, **kwargs: reports)
    assert cli.main(["grade", str(root / "submitted"), *(["--gradebook", url] if url else ["--gradebook"])]) == 0
    monkeypatch.undo()

    port, token = _free_port(), secrets.token_hex(16)
    runtime = tmp_path / "jupyter"
    # A runtime, config and data folder of its own (no cookie secret or user settings shared with anyone);
    # the venv's bin first on PATH, where nbgrader finds alembic.
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime / "runtime"), "JUPYTER_CONFIG_DIR": str(runtime / "config"),
           "JUPYTER_DATA_DIR": str(runtime / "data"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               *_course_args(root, url)]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed at teardown, after the server
    # From the course folder, where formgrader (like nbgrader) reads nbgrader_config.py; a session of its
    # own, so that teardown reaches the server and anything it started.
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    server_log = tmp_path / "server.log"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"the Jupyter server exited ({server.returncode}):\n{server_log.read_text()}")
            try:
                if _get(f"{base}/api/status?token={token}") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no Jupyter server on {base} after {SERVER_START_SECONDS} s:\n{server_log.read_text()}")
            time.sleep(0.3)
        yield base, token, root, reports
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        log.close()


class _Rows(HTMLParser):
    """The rows of formgrader's ``#main-table`` as rendered: each a dict of every class of a cell (``name``,
    ``score``, ``id``...; DataTables adds its own) to the cell's text, plus ``student``: the text of the
    link that shows the student's id on the gradebook's pages."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._in_table = 0          # depth of open tags inside #main-table
        self._cell: list[str] = []
        self._in_student_link = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._in_table:
            self._in_table += 1
            if tag == "tr":
                self.rows.append({})
            elif tag == "td" and self.rows:
                self._cell = classes
                for name in classes:
                    self.rows[-1].setdefault(name, "")
            elif tag == "a" and "name-shown" in classes:
                self._in_student_link = True
        elif attributes.get("id") == "main-table":
            self._in_table = 1

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        self._in_table -= 1
        if tag == "td":
            self._cell = []
        elif tag == "a":
            self._in_student_link = False

    def handle_data(self, data):
        if self._cell and self.rows:
            for name in self._cell:
                self.rows[-1][name] += data
            if self._in_student_link:
                self.rows[-1]["student"] = self.rows[-1].get("student", "") + data


def _rendered_rows(base: str, page: str, token: str, profile: Path) -> list[dict[str, str]]:
    """Formgrader's table on ``page`` (a path) after its JavaScript ran, read by headless Chromium.

    The page is reached through ``/login?next=`` with the token, as a person who logs in does: the
    login cookie is then set for the whole server, so the page's own requests to formgrader's API
    carry it (a cookie set by a deeper page is not sent to ``/formgrader/api/``, and the table would
    stay at "Loading, please wait...")."""
    address = f"{base}/login?{urllib.parse.urlencode({'next': page, 'token': token})}"
    command = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
               f"--virtual-time-budget={RENDER_BUDGET_MS}", "--dump-dom", address]
    done = subprocess.run(command, capture_output=True, text=True, timeout=PAGE_SECONDS)
    assert done.returncode == 0, f"chromium failed on {page}:\n{done.stderr[-3000:]}"
    parser = _Rows()
    parser.feed(done.stdout)
    assert parser.rows, f"no table rows on {page}; the DOM Chromium printed:\n{done.stdout[-3000:]}"
    assert "Loading, please wait" not in done.stdout, f"{page} was read before its table was drawn"
    return parser.rows


def _shown(points: float) -> str:
    """A score as formgrader prints it (JavaScript, rounded to 2 decimals): 7, 2.5."""
    return f"{round(points, 2):g}"


def test_formgrader_lists_the_batch_graders_scores(formgrader, tmp_path):
    base, token, root, reports = formgrader
    expected = {Path(report.submission).parent.parent.name: f"{_shown(report.score)} / {_shown(report.max_score)}"
                for report in reports}
    assert set(expected) == {"key", "blank", "wrong"}
    assert expected["blank"].startswith("0 / ") and expected["key"] != expected["wrong"]

    # Manage Students: each student's total over the course (here the one assignment), read from the
    # gradebook alone: what `grade --gradebook` wrote is all it needs.
    rows = _rendered_rows(base, "/formgrader/manage_students", token, tmp_path / "chromium")
    assert {row["id"].strip(): row["score"].strip() for row in rows} == expected

    # Manual Grading > assignment > notebook lists only the submissions that have a folder in
    # autograded/ (nbgrader's api._filter_existing_notebooks). `nbgrader autograde` writes those folders,
    # and `grade --gradebook` writes them too (the submitted notebook and its timestamp.txt, marked as the
    # batch grader's copy): the page shows the batch grader's score of each submission.
    for student in expected:
        copied = root / "autograded" / student / NAME
        assert (copied / f"{NAME}.ipynb").read_bytes() == (root / "submitted" / student / NAME / f"{NAME}.ipynb").read_bytes()
        assert (copied / "timestamp.txt").is_file() and (copied / kit_gradebook.BATCH_MARK).is_file()
    rows = _rendered_rows(base, f"/formgrader/gradebook/{NAME}/{NAME}", token, tmp_path / "chromium")
    assert {row["student"]: row["score"].strip() for row in rows} == expected
