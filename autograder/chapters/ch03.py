"""Chapter 3, a data quality audit: the checks.

Stubs the student completes (see ``source/ch03_data_quality``):

* ``count_photos(data_dir, class_names)`` -> ``{class name: number of photo files}``
* ``balance_ratio(counts)`` -> ``smallest count / largest count`` (a float in [0, 1])
* ``find_duplicates(data_dir, class_names)`` -> groups of ``"class/file"`` paths with identical bytes
* ``classify_duplicates(groups)`` -> ``{"within_class": [...], "across_classes": [...], "across_splits": [...]}``
* ``find_unreadable(data_dir, class_names)`` -> sorted ``"class/file"`` paths PIL cannot decode
* ``checklist(counts, duplicate_groups, min_per_class, min_ratio)`` -> three verdicts
* ``plot_class_counts(counts)`` -> a matplotlib Figure, one bar per class

Two visible checks read the real photos (``data.resolve_data_dir()``; the batch grader binds
them read-only into the sandbox). Every other probe reads small generated folders that
``ch03_audit.prepare`` writes, with planted defects: corrupt files, an empty class, a near-empty
class, copies under other names, and look-alikes that are *not* copies.
"""
from __future__ import annotations

import math
from pathlib import Path

from .. import data
from ..core import Chapter, Check, Verdict
from .ch03_audit import (HIDDEN_FOLDER, VISIBLE_FOLDER, audit_checklist, audit_classify, audit_counts,
                         audit_duplicates, audit_ratio, audit_unreadable, prepare)


def _folder(inputs_dir: Path, folder: str | None) -> Path:
    """A generated folder by name, or the real photos (``None``)."""
    return data.resolve_data_dir() if folder is None else Path(inputs_dir) / folder


def _relative_paths(value, what: str) -> list[str]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a list of paths, got {type(value).__name__}")
    paths = []
    for item in value:
        if not isinstance(item, (str, Path)):
            raise TypeError(f"{what} must hold paths as strings, got a {type(item).__name__}")
        paths.append(str(item).replace("\\", "/"))
    return paths


def _path_hint(paths) -> str:
    if any(path.startswith("/") or path.count("/") != 1 for path in paths):
        return "Give each path relative to data_dir, as 'class/file.jpg' with a forward slash."
    return ""


# --- count_photos -----------------------------------------------------------------------------

def _probe_count(folder: str | None, as_path: bool):
    def probe(count_photos, inputs_dir: Path) -> dict:
        root = _folder(inputs_dir, folder)
        counts = count_photos(root if as_path else str(root), list(data.CLASS_NAMES))
        if not isinstance(counts, dict):
            raise TypeError(f"count_photos must return a dict, got {type(counts).__name__}")
        return {"names": [str(name) for name in counts], "counts": [int(count) for count in counts.values()]}
    return probe


def _expected_count(folder: str | None):
    def expected(inputs_dir: Path) -> dict:
        counts = audit_counts(_folder(inputs_dir, folder), data.CLASS_NAMES)
        return {"names": list(counts), "counts": list(counts.values())}
    return expected


def judge_count(found: dict, expected: dict) -> Verdict:
    names, counts = list(found["names"]), list(found["counts"])
    want_names, want_counts = list(expected["names"]), list(expected["counts"])
    if names != want_names:
        hint = ("Keep the keys in class_names order; do not sort the dict." if sorted(names) == sorted(want_names)
                else "Start from every name in class_names, so an empty class still appears with 0.")
        return Verdict(False, f"the dict's keys are {names}, expected {want_names} in that order.", hint)
    if counts != want_counts:
        wrong = [f"{name}: found {count}, expected {want}"
                 for name, count, want in zip(names, counts, want_counts) if count != want]
        return Verdict(False, f"counts differ ({'; '.join(wrong[:3])}).",
                       "Count only files whose suffix, lower-cased, is in IMAGE_SUFFIXES (.JPG and .png count, "
                       "notes.txt does not); do not open them, a damaged .jpg is still a file to count.")
    return Verdict(True, f"counts {dict(zip(names, counts))} are right.")


# --- balance_ratio ----------------------------------------------------------------------------

VISIBLE_RATIO_CASES = ({"daisy": 537, "dandelion": 780, "roses": 539, "sunflowers": 596, "tulips": 672},)
HIDDEN_RATIO_CASES = (
    {"daisy": 12, "dandelion": 0, "roses": 30},      # an empty class
    {"tulips": 40, "roses": 10, "daisy": 20},        # the smallest is not first
    {"daisy": 7},                                    # one class
    {"daisy": 0, "roses": 0},                        # nothing at all: 0.0, not ZeroDivisionError
)


def _call_each(function, cases, call) -> list[dict]:
    """Call ``function`` on each case; an error in one case is recorded, not raised (a stub that
    still raises NotImplementedError is reported as not attempted)."""
    outcomes = []
    for case in cases:
        try:
            outcomes.append({"value": call(function, case)})
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything
            outcomes.append({"error": f"{type(error).__name__}: {str(error)[:200]}"})
    return outcomes


def _probe_ratio(cases):
    def probe(balance_ratio, inputs_dir: Path) -> list[dict]:
        return _call_each(balance_ratio, cases, lambda function, case: float(function(dict(case))))
    return probe


def _expected_ratio(cases):
    def expected(inputs_dir: Path) -> list[dict]:
        return [{"counts": dict(case), "ratio": audit_ratio(case)} for case in cases]
    return expected


def judge_ratio(found: list, expected: list) -> Verdict:
    if len(found) != len(expected):
        return Verdict(False, f"{len(found)} results for {len(expected)} cases.", "Return one float per call.")
    for outcome, want in zip(found, expected):
        if "error" in outcome:
            hint = ("When the largest count is 0 there is nothing to compare: return 0.0."
                    if "ZeroDivision" in outcome["error"] else "Use min(counts.values()) / max(counts.values()).")
            return Verdict(False, f"for counts {want['counts']} it raised {outcome['error']}.", hint)
        value = float(outcome["value"])
        if not math.isfinite(value) or abs(value - want["ratio"]) > 1e-9:
            hint = "Divide the smallest count by the largest, so the result lies between 0 and 1."
            if want["ratio"] and abs(value * want["ratio"] - 1) < 1e-9:
                hint = "That is largest / smallest: divide the smallest count by the largest instead."
            return Verdict(False, f"for counts {want['counts']} it returned {value:.4g}, expected {want['ratio']:.4g}.",
                           hint)
    return Verdict(True, f"right on {len(expected)} set(s) of counts.")


# --- find_duplicates --------------------------------------------------------------------------

def _probe_duplicates(folder: str | None):
    def probe(find_duplicates, inputs_dir: Path) -> dict:
        groups = find_duplicates(str(_folder(inputs_dir, folder)), list(data.CLASS_NAMES))
        if isinstance(groups, (str, bytes, dict)) or not hasattr(groups, "__iter__"):
            raise TypeError(f"find_duplicates must return a list of groups, got {type(groups).__name__}")
        return {"groups": [_relative_paths(group, "each group") for group in groups]}
    return probe


def _expected_duplicates(folder: str | None):
    def expected(inputs_dir: Path) -> dict:
        return {"groups": audit_duplicates(_folder(inputs_dir, folder), data.CLASS_NAMES)}
    return expected


def _show(groups) -> str:
    return "; ".join("[" + ", ".join(group) + "]" for group in groups[:2]) + (" ..." if len(groups) > 2 else "")


def judge_duplicates(found: dict, expected: dict) -> Verdict:
    groups = [list(group) for group in found["groups"]]
    want = [list(group) for group in expected["groups"]]
    hint = _path_hint([path for group in groups for path in group])
    if hint:
        return Verdict(False, f"paths look like {groups[0][0]!r} instead of 'class/file.jpg'.", hint)
    small = [group for group in groups if len(group) < 2]
    if small:
        return Verdict(False, f"{len(small)} group(s) hold a single file, e.g. {small[0]}.",
                       "A group lists two or more files with identical bytes; leave out files that have no copy.")
    found_set = {frozenset(group) for group in groups}
    want_set = {frozenset(group) for group in want}
    if found_set != want_set:
        missing = [sorted(group) for group in want if frozenset(group) not in found_set]
        extra = [sorted(group) for group in groups if frozenset(group) not in want_set]
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} group(s): {_show(missing)}")
        if extra:
            parts.append(f"{len(extra)} group(s) that are not copies of each other: {_show(extra)}")
        names = lambda group: {path.rsplit('/', 1)[-1] for path in group}  # noqa: E731
        if extra and any(len(names(group)) == 1 for group in extra):
            hint = "Files with the same name can hold different photos: group by content (sha256 of the bytes)."
        elif missing and any(len(names(group)) > 1 for group in missing):
            hint = "A copy can have any name, in any class folder: hash each file's bytes and group by the hash."
        else:
            hint = "Group by hashlib.sha256(path.read_bytes()).hexdigest(); the same size or name is not enough."
        return Verdict(False, f"found {len(groups)} group(s), expected {len(want)}: " + "; ".join(parts) + ".", hint)
    if groups != want:
        return Verdict(False, "the right groups, but not sorted: each group's paths and the list of groups "
                       "must be sorted.", "sorted(sorted(group) for group in groups)")
    return Verdict(True, f"{len(want)} group(s) of identical files: {_show(want)}.")


# --- classify_duplicates ----------------------------------------------------------------------

# What the real photos hold (the test module checks this against audit_duplicates on the real folder).
REAL_DUPLICATES = (
    ("roses/15922772266_1167a06620.jpg", "tulips/15922772266_1167a06620.jpg"),
    ("sunflowers/14889392928_9742aed45b_m.jpg", "sunflowers/15066430311_fb57fa92b0_m.jpg"),
    ("sunflowers/15069459615_7e0fd61914_n.jpg", "sunflowers/15072973261_73e2912ef2_n.jpg"),
)
# Split of each name (data.split_of): a1 b7 h q r s train, g val, p test.
HIDDEN_GROUPS = (
    ("daisy/a1.jpg", "tulips/b7.jpg"),                             # across classes, other names, one split
    ("sunflowers/g.jpg", "sunflowers/h.jpg", "tulips/g.jpg"),      # across classes and splits (val, train)
    ("roses/p.jpg", "roses/q.jpg"),                                # one class, across splits (test, train)
    ("dandelion/r.jpg", "dandelion/s.jpg"),                        # one class, one split
)


def _probe_classify(groups):
    def probe(classify_duplicates, inputs_dir: Path) -> dict:
        result = classify_duplicates([list(group) for group in groups])
        if not isinstance(result, dict):
            raise TypeError(f"classify_duplicates must return a dict, got {type(result).__name__}")
        return {str(key): [_relative_paths(group, "each group") for group in value] for key, value in result.items()}
    return probe


def _expected_classify(groups):
    def expected(inputs_dir: Path) -> dict:
        return audit_classify([list(group) for group in groups])
    return expected


_BY_FOLDER = ("Compare class folders (path.split('/')[0]), not file names: one folder means within_class, "
              "two or more mean across_classes.")
CLASSIFY_HINTS = {
    "within_class": _BY_FOLDER,
    "across_classes": _BY_FOLDER,
    "across_splits": "Look up every file's split with split_of(path): a group is across splits when they are not "
                     "all the same.",
}


def judge_classify(found: dict, expected: dict) -> Verdict:
    if sorted(found) != sorted(expected):
        return Verdict(False, f"the dict's keys are {sorted(found)}, expected {sorted(expected)}.",
                       "Return a dict with exactly the keys 'within_class', 'across_classes' and 'across_splits'.")
    for key in expected:
        got = sorted(sorted(group) for group in found[key])
        want = sorted(sorted(group) for group in expected[key])
        if got != want:
            return Verdict(False, f"{key!r} holds {_show(got) or 'nothing'}, expected {_show(want) or 'nothing'}.",
                           CLASSIFY_HINTS[key])
    return Verdict(True, ", ".join(f"{len(value)} {key}" for key, value in expected.items()) + ".")


# --- find_unreadable --------------------------------------------------------------------------

def _probe_unreadable(folder: str):
    def probe(find_unreadable, inputs_dir: Path) -> dict:
        broken = find_unreadable(Path(inputs_dir) / folder, list(data.CLASS_NAMES))
        if isinstance(broken, (str, bytes, dict)) or not hasattr(broken, "__iter__"):
            raise TypeError(f"find_unreadable must return a list of paths, got {type(broken).__name__}")
        return {"paths": _relative_paths(broken, "find_unreadable's result")}
    return probe


def _expected_unreadable(folder: str):
    def expected(inputs_dir: Path) -> dict:
        return {"paths": audit_unreadable(Path(inputs_dir) / folder, data.CLASS_NAMES)}
    return expected


def judge_unreadable(found: dict, expected: dict) -> Verdict:
    paths, want = list(found["paths"]), list(expected["paths"])
    hint = _path_hint(paths)
    if hint:
        return Verdict(False, f"paths look like {paths[0]!r} instead of 'class/file.jpg'.", hint)
    if sorted(paths) != sorted(want):
        missing = sorted(set(want) - set(paths))
        extra = sorted(set(paths) - set(want))
        parts = ([f"missed {missing}"] if missing else []) + ([f"wrongly listed {extra}"] if extra else [])
        if any(not path.lower().endswith(data.IMAGE_SUFFIXES) for path in extra):
            hint = "Only files with a photo suffix (IMAGE_SUFFIXES, any case) are checked; skip notes.txt."
        elif extra:
            hint = "List only files PIL cannot decode: a .png or a .JPG that opens fine is a good photo."
        else:
            hint = ("Image.open reads only the header, so a half-downloaded JPEG opens fine: call image.load() "
                    "to decode every pixel, and catch the exception it raises.")
        return Verdict(False, f"found {paths}, expected {want}: " + "; ".join(parts) + ".", hint)
    if paths != want:
        return Verdict(False, f"the right files, but not sorted: {paths}.", "Return sorted(paths).")
    return Verdict(True, f"found the {len(want)} unreadable file(s): {want}.")


# --- checklist --------------------------------------------------------------------------------

_REAL_COUNTS = VISIBLE_RATIO_CASES[0]
_CLEAN = {"daisy": 120, "dandelion": 95, "roses": 101, "sunflowers": 88, "tulips": 110}
# (counts, duplicate groups, keyword arguments or None for the defaults)
VISIBLE_CHECKLIST_CASES = (
    (_REAL_COUNTS, REAL_DUPLICATES, None),
    (_CLEAN, (), None),
)
HIDDEN_CHECKLIST_CASES = (
    ({"daisy": 50, "roses": 100, "tulips": 70}, (), None),                        # both exactly at the line
    ({"daisy": 49, "roses": 60, "tulips": 70}, (), None),                         # one short of 50
    ({"daisy": 80, "dandelion": 0, "roses": 90}, (), None),                       # an empty class
    ({"daisy": 60, "roses": 130}, (("roses/a.jpg", "roses/b.jpg"),), None),       # unbalanced, a copy
    ({"daisy": 12, "roses": 14}, (), {"min_per_class": 10, "min_ratio": 0.9}),    # other thresholds
    ({"daisy": 300, "roses": 320}, (), {"min_per_class": 400, "min_ratio": 0.95}),
)
VERDICTS = ("enough_photos", "balanced", "unique")


def _probe_checklist(cases):
    def call(checklist, case):
        counts, groups, options = case
        verdicts = checklist(dict(counts), [list(group) for group in groups], **(options or {}))
        if not isinstance(verdicts, dict):
            raise TypeError(f"checklist must return a dict, got {type(verdicts).__name__}")
        # Only real booleans count: bool, or numpy's bool_ (its type name is "bool_" or "bool").
        return {str(key): (bool(value) if type(value).__name__ in ("bool", "bool_") else repr(value)[:40])
                for key, value in verdicts.items()}

    def probe(checklist, inputs_dir: Path) -> list[dict]:
        return _call_each(checklist, cases, call)
    return probe


def _expected_checklist(cases):
    def expected(inputs_dir: Path) -> list[dict]:
        return [{"counts": dict(counts), "groups": len(groups), "options": options or {},
                 "verdicts": audit_checklist(counts, groups, **(options or {}))}
                for counts, groups, options in cases]
    return expected


CHECKLIST_HINTS = {
    "enough_photos": "Every class needs at least min_per_class photos: min(counts.values()) >= min_per_class "
                     "(use the argument, not a fixed 50).",
    "balanced": "Balanced means balance_ratio(counts) >= min_ratio; an empty class makes the ratio 0.",
    "unique": "Unique means the list of duplicate groups is empty.",
}


def judge_checklist(found: list, expected: list) -> Verdict:
    if len(found) != len(expected):
        return Verdict(False, f"{len(found)} results for {len(expected)} cases.", "Return one dict per call.")
    for outcome, want in zip(found, expected):
        case = f"counts {want['counts']}, {want['groups']} duplicate group(s)" + (
            f", {want['options']}" if want["options"] else "")
        if "error" in outcome:
            return Verdict(False, f"for {case} it raised {outcome['error']}.",
                           "The function gets plain data (a dict and a list); it needs no files.")
        verdicts = outcome["value"]
        if sorted(verdicts) != sorted(VERDICTS):
            return Verdict(False, f"the dict's keys are {sorted(verdicts)}, expected {list(VERDICTS)}.",
                           "Return exactly the keys 'enough_photos', 'balanced' and 'unique'.")
        for key in VERDICTS:
            if not isinstance(verdicts[key], bool):
                return Verdict(False, f"{key!r} is {verdicts[key]}, not True or False.",
                               "Each verdict is a bool: the result of a comparison.")
            if verdicts[key] != want["verdicts"][key]:
                return Verdict(False, f"for {case}, {key!r} is {verdicts[key]}, expected {want['verdicts'][key]}.",
                               CHECKLIST_HINTS[key])
    return Verdict(True, f"right verdicts for {len(expected)} case(s).")


# --- plot_class_counts ------------------------------------------------------------------------

VISIBLE_PLOT_COUNTS = _REAL_COUNTS
HIDDEN_PLOT_COUNTS = {"tulips": 12, "daisy": 0, "roses": 30}   # not alphabetical, one empty class


def _probe_plot(counts):
    def probe(plot_class_counts, inputs_dir: Path) -> dict:
        import matplotlib.pyplot as plt

        from ..plotdata import figure_data

        figure = plot_class_counts(dict(counts))
        try:
            return figure_data(figure)
        finally:
            plt.close("all")
    return probe


def _expected_plot(counts):
    def expected(inputs_dir: Path) -> dict:
        return {"names": list(counts), "heights": [float(value) for value in counts.values()]}
    return expected


def judge_plot(found: dict, expected: dict) -> Verdict:
    with_bars = [axes for axes in found["axes"] if len(axes["bars"])]
    if len(with_bars) != 1:
        return Verdict(False, f"the figure has {len(with_bars)} axes with bars, expected 1.",
                       "Draw all classes into one Axes: fig, ax = plt.subplots(); ax.bar(names, counts).")
    axes = with_bars[0]
    heights = [float(height) for height in axes["bars"]]
    names, want = expected["names"], expected["heights"]
    if len(heights) != len(want):
        return Verdict(False, f"the chart has {len(heights)} bars, expected {len(want)} (one per class).",
                       "One bar per class, an empty class included (its bar has height 0).")
    if heights != want:
        hint = "Bar i's height is the count of the i-th class, in the dict's order (do not sort)."
        if sorted(heights) == sorted(want):
            hint = "Keep the classes in the dict's order; do not sort the bars."
        return Verdict(False, f"bar heights are {heights}, expected {want}.", hint)
    labels = [label.strip() for label in axes["xticklabels"] if label.strip()]
    if labels != names:
        return Verdict(False, f"the x tick labels are {labels}, expected the class names {names}.",
                       "ax.bar(list(counts), list(counts.values())) labels each bar with its class name.")
    if not axes["title"].strip() or not axes["ylabel"].strip():
        return Verdict(False, f"title {axes['title']!r} and y label {axes['ylabel']!r}: both must say something.",
                       "ax.set_title('Photos per class'); ax.set_ylabel('photos').")
    return Verdict(True, f"{len(want)} bars with the right heights, labelled with the class names, titled.")


CHAPTER = Chapter(
    key="ch03",
    assignment="ch03_data_quality",
    title="A data quality audit",
    prepare=prepare,
    photos=True,
    tensorflow=False,
    per_check_seconds=20,
    checks=(
        Check("check_count_photos", "count_photos", 1, True, "count_photos on the real course photos",
              _probe_count(None, as_path=False), _expected_count(None), judge_count),
        Check("hidden_count_photos", "count_photos", 2, False,
              "count_photos on a folder with an empty class, other suffixes and files that are not photos",
              _probe_count(HIDDEN_FOLDER, as_path=True), _expected_count(HIDDEN_FOLDER), judge_count),
        Check("check_balance_ratio", "balance_ratio", 1, True, "balance_ratio on the real counts",
              _probe_ratio(VISIBLE_RATIO_CASES), _expected_ratio(VISIBLE_RATIO_CASES), judge_ratio),
        Check("hidden_balance_ratio", "balance_ratio", 1, False,
              "balance_ratio with an empty class, one class, and no photos at all",
              _probe_ratio(HIDDEN_RATIO_CASES), _expected_ratio(HIDDEN_RATIO_CASES), judge_ratio),
        Check("check_find_duplicates", "find_duplicates", 2, True, "find_duplicates on the real course photos",
              _probe_duplicates(None), _expected_duplicates(None), judge_duplicates),
        Check("hidden_find_duplicates", "find_duplicates", 2, False,
              "find_duplicates on a folder with planted copies and look-alikes",
              _probe_duplicates(HIDDEN_FOLDER), _expected_duplicates(HIDDEN_FOLDER), judge_duplicates),
        Check("check_classify_duplicates", "classify_duplicates", 1, True,
              "classify_duplicates on the real photos' three groups",
              _probe_classify(REAL_DUPLICATES), _expected_classify(REAL_DUPLICATES), judge_classify),
        Check("hidden_classify_duplicates", "classify_duplicates", 1, False,
              "classify_duplicates on four other groups",
              _probe_classify(HIDDEN_GROUPS), _expected_classify(HIDDEN_GROUPS), judge_classify),
        Check("check_find_unreadable", "find_unreadable", 1, True,
              "find_unreadable on a generated folder with a corrupt file",
              _probe_unreadable(VISIBLE_FOLDER), _expected_unreadable(VISIBLE_FOLDER), judge_unreadable),
        Check("hidden_find_unreadable", "find_unreadable", 2, False,
              "find_unreadable on a folder with empty, fake and half-downloaded photos",
              _probe_unreadable(HIDDEN_FOLDER), _expected_unreadable(HIDDEN_FOLDER), judge_unreadable),
        Check("check_checklist", "checklist", 1, True, "checklist on the real counts and a clean data set",
              _probe_checklist(VISIBLE_CHECKLIST_CASES), _expected_checklist(VISIBLE_CHECKLIST_CASES),
              judge_checklist),
        Check("hidden_checklist", "checklist", 2, False,
              "checklist at the thresholds, with an empty class and with other thresholds",
              _probe_checklist(HIDDEN_CHECKLIST_CASES), _expected_checklist(HIDDEN_CHECKLIST_CASES),
              judge_checklist),
        Check("check_plot_class_counts", "plot_class_counts", 2, True, "plot_class_counts on the real counts",
              _probe_plot(VISIBLE_PLOT_COUNTS), _expected_plot(VISIBLE_PLOT_COUNTS), judge_plot),
        Check("hidden_plot_class_counts", "plot_class_counts", 1, False,
              "plot_class_counts with classes out of alphabetical order and an empty class",
              _probe_plot(HIDDEN_PLOT_COUNTS), _expected_plot(HIDDEN_PLOT_COUNTS), judge_plot),
    ),
)
