"""`python -m autograder publish-solutions`: the answer key executed, exported with its figures."""
from __future__ import annotations

import json

import pytest

from autograder import publish
from autograder.cli import main


def test_an_unknown_chapter_stops_before_any_kernel_starts(tmp_path, capsys):
    assert main(["publish-solutions", str(tmp_path / "out"), "ch04", "ch99"]) == 2
    error = capsys.readouterr().err
    assert "no chapter called 'ch99'" in error and "ch04 (ch04_loading)" in error
    assert not (tmp_path / "out").exists()


def test_a_chapter_name_first_is_a_chapter_not_an_output_folder():
    assert publish.looks_like_chapter("ch04") and publish.looks_like_chapter("ch04_loading")
    assert not publish.looks_like_chapter("build/solutions") and not publish.looks_like_chapter("ch4")


def test_chapters_that_read_the_photos_are_skipped_without_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FLOWERS_DIR", str(tmp_path / "no-photos-here"))
    monkeypatch.setenv("FLOWERS_CACHE", str(tmp_path / "empty-cache"))
    assert main(["publish-solutions", str(tmp_path / "out"), "ch04"]) == 2
    error = capsys.readouterr().err
    assert "ch04 skipped" in error and "needs the real photos" in error
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "ch04_loading" in index and "skipped" in index
    assert not (tmp_path / "out" / "ch04_loading" / "ch04_loading.ipynb").exists()


@pytest.mark.slow
def test_chapter_4_is_published_with_its_figures_and_no_hidden_tests(tmp_path, photos):
    out = tmp_path / "published"
    assert main(["publish-solutions", str(out), "ch04"]) == 0
    executed = out / "ch04_loading" / "ch04_loading.ipynb"
    page = out / "ch04_loading" / "ch04_loading.html"
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] for cell in code if "".join(cell["source"]).strip())
    assert sum(1 for cell in code if cell["outputs"]) >= 5
    assert not [o for cell in code for o in cell["outputs"] if o["output_type"] == "error"]
    assert any("image/png" in output.get("data", {}) for cell in code for output in cell["outputs"])
    html = page.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="ch04_loading/ch04_loading.html"' in index and 'href="ch04_loading/ch04_loading.ipynb"' in index
    for text in (executed.read_text(encoding="utf-8"), html, index):
        assert "BEGIN HIDDEN TESTS" not in text and "END HIDDEN TESTS" not in text
    assert not (out / "ch05_preprocessing").exists()
