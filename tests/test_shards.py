"""Grading past one machine (autograder/shards.py): ``grade PATH --shard i/N --results`` grades a share of
the class chosen by a stable hash of each submission's path, and ``gather`` merges the shards' results,
reporting what is missing or graded twice.

The real run grades a generated class of 20 submissions (answer keys, blank releases and wrong fixtures
of the chapters whose worker does not import TensorFlow, so it stays fast) in 3 shards, run at once as 3
machines would, and once unsharded; the rest works on names and on the shards' JSON alone."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from itertools import cycle
from pathlib import Path

import pytest

from autograder import cli, grading, shards
from autograder.chapters import all_chapters

from .conftest import FIXTURES, REPO, photos_or_skip

LIGHT = [chapter for chapter in all_chapters() if not chapter.tensorflow]


def _nbgrader_layout(root: Path, students: int, lone: int = 0) -> Path:
    """submitted/<student>/<assignment>/<assignment>.ipynb for every chapter, plus lone notebooks."""
    for number in range(students):
        for chapter in all_chapters():
            path = root / f"student{number:03d}" / chapter.assignment / f"{chapter.assignment}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
    for number in range(lone):
        (root / "late" / f"{number}").mkdir(parents=True)
        (root / "late" / f"{number}" / "ch04_loading.py").write_text("# %%\n")
    return root


def test_the_shares_are_disjoint_cover_the_class_and_keep_a_students_chapters_together(tmp_path):
    root = _nbgrader_layout(tmp_path / "submitted", students=40, lone=3)
    everyone = shards.submissions(root)
    assert len(everyone) == 43 and len(everyone["student007"]) == len(all_chapters())
    assert "late/1/ch04_loading.py" in everyone
    for count in (1, 2, 3, 7):
        parts = [shards.share(everyone, index, count) for index in range(1, count + 1)]
        assert sorted(name for part in parts for name in part) == sorted(everyone), count   # disjoint, and cover
    assert all(parts), "7 shards of 43 submissions: none empty"


def test_a_submissions_shard_depends_on_its_path_alone(tmp_path):
    """Not on the order of the files, nor on who else is in the class: the same on every machine."""
    small = shards.submissions(_nbgrader_layout(tmp_path / "a", students=5))
    large = shards.submissions(_nbgrader_layout(tmp_path / "b", students=50))
    for name in small:
        assert shards.shard_of(name, 3) == shards.shard_of(name, 3) and name in large
        assert (name in shards.share(small, 2, 3)) == (name in shards.share(large, 2, 3))
    assert shards.share(reversed(list(small)), 1, 3) == shards.share(small, 1, 3)
    # sha256 of the name, not Python's hash() (salted per process): pinned, so a change of the rule shows
    assert [shards.shard_of(name, 3) for name in ("alice", "bob", "late/ch04_loading.py")] == [
        int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % 3 + 1
        for name in ("alice", "bob", "late/ch04_loading.py")]


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(text, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["grade", str(REPO / "release"), "--shard", text])
    assert stop.value.code == 2 and "--shard" in capsys.readouterr().err


def test_a_shard_needs_results(capsys):
    assert cli.main(["grade", str(REPO / "release"), "--shard", "1/2"]) == cli.EXIT_GRADER_FAILED
    assert "--shard needs --results" in capsys.readouterr().err


def test_gather_refuses_what_is_not_a_shard_result(tmp_path, capsys):
    plain = tmp_path / "results.json"
    plain.write_text(json.dumps({"score": 0, "tests": []}))
    assert cli.main(["gather", str(tmp_path / "out"), str(plain)]) == shards.EXIT_FAILED
    assert "not a shard result" in capsys.readouterr().err


def test_a_shard_with_nothing_to_grade_still_writes_its_result(tmp_path, capsys):
    root = tmp_path / "class"
    (root / "alice" / "ch04_loading").mkdir(parents=True)
    shutil.copy(REPO / "release" / "ch04_loading" / "ch04_loading.ipynb", root / "alice" / "ch04_loading")
    empty = next(index for index in (1, 2) if shards.shard_of("alice", 2) != index)
    out = tmp_path / "shard.json"
    assert cli.main(["grade", str(root), "--shard", f"{empty}/2", "--results", str(out)]) == cli.EXIT_OK
    extra = json.loads(out.read_text())["extra_data"]
    assert extra["class"] == ["alice"] and extra["submissions"] == [] and extra["shard"] == f"{empty}/2"
    assert "0 of the 1 submissions" in capsys.readouterr().out


def _fake_shard(path: Path, index: int, count: int, everyone: dict, names: list[str]) -> Path:
    """A shard's result as `grade --shard` writes it, from made-up reports (nothing graded)."""
    from autograder.report import ChapterReport
    from autograder.result import failed, passed

    reports = [ChapterReport("ch04", "Loading the data", str(file), [passed("check_load_split", 2, "ok"),
                                                                      failed("check_plot_examples", 2, "no")])
               for name in names for file in everyone[name]]
    path.write_text(json.dumps(shards.shard_document(reports, Path("/class"), index, count, everyone, names)))
    return path


def test_gather_reports_a_missing_shard_and_a_submission_graded_twice(tmp_path, capsys):
    everyone = {name: [Path(f"/class/{name}/ch04_loading/ch04_loading.ipynb")] for name in ("ann", "ben", "cy", "dee")}
    parts = [shards.share(everyone, index, 2) for index in (1, 2)]
    files = [_fake_shard(tmp_path / f"shard-{index}.json", index, 2, everyone, part)
             for index, part in zip((1, 2), parts)]
    assert cli.main(["gather", str(tmp_path / "all"), *map(str, files)]) == shards.EXIT_OK
    with open(tmp_path / "all" / "grades.csv", newline="") as table:
        rows = list(csv.reader(table))
    assert rows[0] == ["student", "chapter", "check", "points"] and len(rows) == 1 + 2 * 4
    assert ["ann", "ch04", "check_load_split", "2"] in rows and ["ann", "ch04", "check_plot_examples", "0"] in rows
    assert json.loads((tmp_path / "all" / "results.json").read_text())["score"] == 2 * 4
    capsys.readouterr()

    assert cli.main(["gather", str(tmp_path / "one"), str(files[0])]) == shards.EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert "shard 2 missing" in err and all(f"missing submission: {name}" in err for name in parts[1])

    again = _fake_shard(tmp_path / "again.json", 2, 2, everyone, parts[1] + parts[0][:1])   # overlapping runs
    assert cli.main(["gather", str(tmp_path / "twice"), str(files[0]), str(again)]) == shards.EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert f"duplicated submission: {parts[0][0]}" in err and "missing submission" not in err, err
    assert json.loads((tmp_path / "twice" / "results.json").read_text())["score"] == 2 * 4

    other = _fake_shard(tmp_path / "other.json", 1, 3, everyone, [])
    assert cli.main(["gather", str(tmp_path / "mixed"), str(files[0]), str(other)]) == shards.EXIT_FAILED
    assert "different numbers of shards" in capsys.readouterr().err


def _class_of_twenty(root: Path) -> Path:
    """20 submissions of the light chapters: answer keys, blanks and wrong fixtures, most in nbgrader's
    layout (student/assignment/notebook), two as lone scripts named after their chapter."""
    makers = []
    for chapter in LIGHT:
        name = chapter.assignment
        makers.append(lambda folder, n=name: shutil.copy(REPO / "solutions" / n / f"{n}.ipynb", folder / f"{n}.ipynb"))
        makers.append(lambda folder, n=name: shutil.copy(REPO / "release" / n / f"{n}.ipynb", folder / f"{n}.ipynb"))
        for fixture in sorted((FIXTURES / chapter.key).glob("*.py")):
            makers.append(lambda folder, f=fixture, n=name: shutil.copy(f, folder / f"{n}.py"))
    for number, make in zip(range(20), cycle(makers)):
        if number < 18:
            folder = root / f"student{number:02d}" / LIGHT[number % len(LIGHT)].assignment
        else:
            folder = root / "late" / f"student{number:02d}"
        folder.mkdir(parents=True)
        make(folder)
    return root


def _grade_shard(root: Path, index: int, out: Path) -> subprocess.Popen:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(root), "--shard", f"{index}/3",
                             "--results", str(out)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_three_shards_gathered_equal_one_unsharded_run(tmp_path, capsys):
    assert LIGHT, "no chapter grades without TensorFlow any more: pick light chapters for this test"
    if any(chapter.photos for chapter in LIGHT):
        photos_or_skip()
    root = _class_of_twenty(tmp_path / "class")
    everyone = shards.submissions(root)
    assert len(everyone) == 20

    results = [tmp_path / f"shard-{index}.json" for index in (1, 2, 3)]
    runs = [_grade_shard(root, index, out) for index, out in zip((1, 2, 3), results)]   # three machines
    unsharded = grading.grade_path(root, jobs=2)                                        # and one, meanwhile
    for run in runs:
        output = run.communicate(timeout=600)[0]
        assert run.returncode == 0, output[-3000:]
    documents = [json.loads(path.read_text()) for path in results]
    shares = [document["extra_data"]["submissions"] for document in documents]
    assert sorted(name for share in shares for name in share) == sorted(everyone)          # disjoint and cover
    assert all(len(share) < 20 for share in shares)

    code = cli.main(["gather", str(tmp_path / "out"), *map(str, results)])
    assert code == cli.EXIT_OK, capsys.readouterr()
    with open(tmp_path / "out" / "grades.csv", newline="") as table:
        rows = list(csv.DictReader(table))
    merged = json.loads((tmp_path / "out" / "results.json").read_text())

    expected = {}
    for report in unsharded:
        path = Path(report.submission).relative_to(root)
        student = path.as_posix() if path.parts[0] == "late" else path.parts[0]
        for result in report.results:
            expected[(student, report.chapter, result.name)] = result.points
    assert {(row["student"], row["chapter"], row["check"]): float(row["points"]) for row in rows} == expected
    assert len(rows) == len(expected) == len(merged["tests"])
    assert merged["score"] == sum(report.score for report in unsharded) == sum(expected.values())
    per_student = Counter()
    for row in rows:
        per_student[row["student"]] += float(row["points"])
    assert 0 < len([score for score in per_student.values() if score == 0]) < 20   # blanks and full marks both there

    # A machine that never reported: its share is named, and the exit status says so.
    capsys.readouterr()
    assert cli.main(["gather", str(tmp_path / "partial"), str(results[0]), str(results[1])]) == shards.EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert "shard 3 missing" in err
    assert all(f"missing submission: {name}" in err for name in shares[2]), err

    # A submission graded twice (two overlapping runs): reported, counted once.
    overlap = json.loads(results[2].read_text())
    twice = shares[0][0]
    overlap["extra_data"]["submissions"].append(twice)
    overlap["tests"] += [test for test in documents[0]["tests"] if test["extra_data"]["submission"] == twice]
    results[2].write_text(json.dumps(overlap))
    assert cli.main(["gather", str(tmp_path / "twice"), *map(str, results)]) == shards.EXIT_INCOMPLETE
    err = capsys.readouterr().err
    assert f"duplicated submission: {twice}" in err, err
    assert "missing submission" not in err and "shard 3 missing" not in err, err
    assert json.loads((tmp_path / "twice" / "results.json").read_text())["score"] == merged["score"]
