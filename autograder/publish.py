"""Publish the answer key with its figures: ``python -m autograder publish-solutions``.

Each chapter's ``solutions/<assignment>/<assignment>.ipynb`` is executed top to bottom in a
fresh Jupyter kernel (nbclient, the engine behind nbconvert's ``ExecutePreprocessor``), started
with :func:`course.tool_environment` so the venv's ``python`` and the photos (``FLOWERS_DIR``)
are the ones this process sees. For every chapter the output folder gets

* ``<assignment>.ipynb``: the executed notebook, outputs included;
* ``<assignment>.html``: a self-contained export (nbconvert's ``HTMLExporter``), the figures
  embedded as ``data:image/png;base64`` images;
* ``kernel.log``: what the kernel process itself printed (TensorFlow's start-up lines, a crash);

and ``index.html`` lists them. ``solutions/`` carries no hidden tests (``course.solution_notebook``
removes them); the cells are stripped once more before they run, and the written files are read
back: a file holding an nbgrader hidden-test marker is deleted and the chapter counts as failed.
"""
from __future__ import annotations

import html
import importlib
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import course

DEFAULT_OUT = course.REPO / "build" / "solutions"
CELL_TIMEOUT_SECONDS = 1800     # a cell may train a model, or wait for the grader's evaluator to train one
HIDDEN_MARKERS = (course.HIDDEN_BEGIN, course.HIDDEN_END, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# A cell that reads the real photos: it asks the kit where they are, or loads a split of them.
_READS_PHOTOS = re.compile(r"\bresolve_data_dir\s*\(|from\s+autograder\.data\s+import\s+[^\n]*\b(load_split|photos_in_split)\b")


@dataclass
class Published:
    """What happened to one chapter: ``status`` is ``published``, ``failed`` or ``skipped``."""
    key: str
    assignment: str
    title: str
    points: float
    status: str
    seconds: float = 0.0
    message: str = ""
    files: list[Path] = field(default_factory=list)


def _assignment_names() -> dict[str, str]:
    """Chapter key -> assignment name, from the folders of ``solutions/`` (``ch04`` -> ``ch04_loading``)."""
    from .chapters import CHAPTER_MODULES

    folders = sorted(path.name for path in (course.REPO / "solutions").iterdir() if path.is_dir())
    return {key: next((name for name in folders if name.startswith(f"{key}_")), key) for key in CHAPTER_MODULES}


def select_chapters(names: list[str] | None = None) -> list[str]:
    """The chapter keys to publish, in course order; ``KeyError`` (with the known names) for an unknown one.

    Only the chapters asked for are imported later, so one chapter publishes even while another's
    module is broken."""
    assignments = _assignment_names()
    if not names:
        return list(assignments)
    wanted = set()
    for name in names:
        key = next((key for key, assignment in assignments.items() if name in (key, assignment)), None)
        if key is None:
            known = ", ".join(f"{key} ({assignment})" for key, assignment in assignments.items())
            raise KeyError(f"no chapter called {name!r}; known chapters: {known}")
        wanted.add(key)
    return [key for key in assignments if key in wanted]


def load_chapter(key: str):
    return importlib.import_module(f"{__package__}.chapters.{key}").CHAPTER


def looks_like_chapter(text: str) -> bool:
    """``ch04`` or ``ch04_loading``: a chapter name, not an output folder."""
    return re.fullmatch(r"ch\d\d(_\w+)?", text) is not None


def solution_path(chapter) -> Path:
    return course.REPO / "solutions" / chapter.assignment / f"{chapter.assignment}.ipynb"


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def needs_photos(chapter, notebook: dict) -> bool:
    """True when the chapter's checks or any of its notebook's code cells read the real photos."""
    return (chapter.photos or chapter.prepare_private is not None
            or any(_READS_PHOTOS.search(_source(cell)) for cell in notebook["cells"] if cell["cell_type"] == "code"))


def photos_missing() -> str | None:
    """``None`` when the real photos are at hand, else the kit's message saying how to get them."""
    from .data import FlowersDataUnavailable, resolve_data_dir

    try:
        resolve_data_dir(download=False)
    except FlowersDataUnavailable as error:
        return str(error.args[0] if error.args else error)
    return None


def kernel_environment(chapter) -> dict:
    env = course.tool_environment()
    env.update(dict(chapter.environment))   # chapter 8: TF_USE_LEGACY_KERAS=1, as in the batch grader's worker
    # Figures must reach the notebook as PNG outputs: the kernel's inline backend, whatever this process uses.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


def carries_hidden_tests(text: str) -> bool:
    return any(marker in text for marker in HIDDEN_MARKERS)


def execute(notebook_node, chapter, timeout: int, kernel_log: Path) -> None:
    """Run every cell in a fresh kernel, in a scratch working folder; raises nbclient's
    ``CellExecutionError`` at the first failing cell (the cells before it keep their outputs).
    The kernel process's own stdout and stderr (TensorFlow's C++ start-up lines) go to ``kernel_log``."""
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix=f"publish-{chapter.key}-") as workdir, \
            kernel_log.open("w", encoding="utf-8") as log_file:
        # Output written below Python (TensorFlow's C++ start-up lines) goes to the log, not into the cells.
        client = NotebookClient(notebook_node, timeout=timeout, kernel_name="python3",
                                extra_arguments=["--IPKernelApp.capture_fd_output=False"],
                                resources={"metadata": {"path": workdir}})
        client.execute(env=kernel_environment(chapter), cwd=workdir, stdout=log_file, stderr=log_file)


def _failure(error, notebook) -> str:
    """Which cell failed and how, in one line."""
    for position, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                evalue = " ".join(str(output.get("evalue", "")).split())
                return f"cell {position}: {output.get('ename')}: {evalue[:300]}"
    return " ".join(str(error).split())[:300] or type(error).__name__


# nbconvert's lab template, less the scripts it fetches from a CDN (require.js, MathJax, Mermaid): the answer
# keys hold no maths, widgets or diagrams, so the page needs nothing from the network. Its CSS is inline.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(notebook_node, title: str) -> str:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(embed_images=True, extra_loaders=[DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
                            template_file="offline.html.j2")
    body, _ = exporter.from_notebook_node(notebook_node, resources={"metadata": {"name": title}})
    return body


def publish_chapter(chapter, out: Path, timeout: int = CELL_TIMEOUT_SECONDS, log=print) -> Published:
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    result = Published(chapter.key, chapter.assignment, chapter.title, chapter.max_points, "failed")
    source = solution_path(chapter)
    if not source.is_file():
        result.message = f"no answer key at {source.relative_to(course.REPO)}: run `make generate`"
        return result
    raw = json.loads(source.read_text(encoding="utf-8"))
    if needs_photos(chapter, raw):
        missing = photos_missing()
        if missing:
            result.status = "skipped"
            result.message = f"not published: its notebook needs the real photos. {missing}"
            return result
    for cell in raw["cells"]:   # solutions/ has none; this keeps it so if one ever slips in
        cell["source"] = course.strip_for_solutions(cell["source"])
    notebook = nbformat.from_dict(raw)
    log(f"{chapter.key}: executing {source.relative_to(course.REPO)} ...", flush=True)
    folder = out / chapter.assignment
    folder.mkdir(parents=True, exist_ok=True)
    kernel_log = folder / "kernel.log"
    started = time.monotonic()
    try:
        execute(notebook, chapter, timeout, kernel_log)
        result.status = "published"
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        result.message = f"a cell failed, the notebook is written up to it: {_failure(error, notebook)}"
    except Exception as error:  # the kernel did not start, or similar: nothing worth writing
        result.seconds = time.monotonic() - started
        result.message = f"could not execute: {type(error).__name__}: {error} (see {kernel_log})"
        return result
    result.seconds = time.monotonic() - started
    executed = folder / f"{chapter.assignment}.ipynb"
    page = folder / f"{chapter.assignment}.html"
    executed.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    page.write_text(export_html(notebook, f"{chapter.key} {chapter.title} (solution)"), encoding="utf-8")
    result.files = [executed, page]
    leaked = [path for path in result.files if carries_hidden_tests(path.read_text(encoding="utf-8"))]
    if leaked:
        for path in result.files:
            path.unlink()
        result.files, result.status = [], "failed"
        result.message = f"removed its output: {', '.join(path.name for path in leaked)} held a hidden-test marker"
    return result


def write_index(results: list[Published], out: Path) -> Path:
    rows = []
    for item in results:
        if item.files:
            page, executed = (f"{item.assignment}/{item.assignment}.html", f"{item.assignment}/{item.assignment}.ipynb")
            links = f'<a href="{html.escape(page)}">HTML</a> · <a href="{html.escape(executed)}">notebook</a>'
        else:
            links = "—"
        points = f"{item.points:g}"
        note = html.escape(item.message) if item.message else ""
        seconds = f"{item.seconds:.0f} s" if item.seconds else ""
        rows.append(f"<tr><td>{html.escape(item.key)}</td><td>{html.escape(item.title)}</td>"
                    f"<td><code>{html.escape(item.assignment)}</code></td><td class=n>{points}</td>"
                    f"<td>{links}</td><td>{item.status}</td><td class=n>{seconds}</td><td>{note}</td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Flowers course: solutions</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; }}
table {{ border-collapse: collapse; }} th, td {{ border-bottom: 1px solid #ccc; padding: .4em .8em; text-align: left; }}
td.n {{ text-align: right; }}
</style></head>
<body>
<h1>Flowers course: the answer key, executed</h1>
<p>Each chapter's solution notebook was run top to bottom in a fresh kernel on the course photos
({time.strftime('%Y-%m-%d %H:%M')}). Each page holds the code, its printed output and its figures;
no hidden tests.</p>
<table>
<tr><th>chapter</th><th>title</th><th>assignment</th><th>points</th><th>files</th><th>status</th><th>run time</th><th>note</th></tr>
{chr(10).join(rows)}
</table>
</body></html>
"""
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def publish(out: Path = DEFAULT_OUT, names: list[str] | None = None, timeout: int = CELL_TIMEOUT_SECONDS,
            log=print) -> list[Published]:
    """Publish the named chapters (all by default) into ``out``; ``KeyError`` for an unknown name."""
    assignments = _assignment_names()
    results = []
    for key in select_chapters(names):
        try:
            chapter = load_chapter(key)
        except Exception as error:  # a chapter module being rewritten: the others still publish
            item = Published(key, assignments[key], "", 0, "failed",
                             message=f"its module does not load: {type(error).__name__}: {error}")
        else:
            item = publish_chapter(chapter, out, timeout, log)
        log(f"{key}: {item.status}" + (f" in {item.seconds:.0f} s" if item.seconds else "")
            + (f" ({item.message})" if item.message else ""), flush=True)
        results.append(item)
    write_index(_merge_earlier(results, out, assignments), out)
    return results


def _merge_earlier(results: list[Published], out: Path, assignments: dict[str, str]) -> list[Published]:
    """Chapters not asked for this time but published earlier into ``out`` stay listed."""
    done = {item.key for item in results}
    merged = list(results)
    for key, assignment in assignments.items():
        files = [out / assignment / f"{assignment}.ipynb", out / assignment / f"{assignment}.html"]
        if key in done or not all(path.is_file() for path in files):
            continue
        try:
            chapter = load_chapter(key)
            title, points = chapter.title, chapter.max_points
        except Exception:
            title, points = "", 0
        merged.append(Published(key, assignment, title, points, "published", message="from an earlier run",
                                files=files))
    order = list(assignments)
    return sorted(merged, key=lambda item: order.index(item.key) if item.key in order else len(order))
