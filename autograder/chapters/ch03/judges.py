"""Chapter 3's judges: pure functions from (found, expected) plain data to a Verdict."""
from __future__ import annotations

import math

from ... import data
from ...core import Verdict

VERDICTS = ("enough_photos", "balanced", "unique")

# Aimed at a loop over the sub-folders of data_dir instead of over class_names.
ONLY_CLASSES = ("The classes are the five CLASS_NAMES, passed in as class_names: look only in data_dir/<name> "
                "for each name in class_names and skip every other folder (.ipynb_checkpoints, a folder of spare "
                "photos); never take the sub-folders of data_dir for the classes.")


def _quoted(names) -> str:
    names = [repr(name) for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _outside(paths, classes) -> list[str]:
    """The folders, other than the classes, that paths "folder/file.jpg" lie in."""
    return sorted({path.split("/", 1)[0] for path in paths} - set(classes))


def _path_hint(paths) -> str:
    if any(path.startswith("/") or path.count("/") != 1 for path in paths):
        return "Give each path relative to data_dir, as 'class/file.jpg' with a forward slash."
    return ""


def _show(groups) -> str:
    return "; ".join("[" + ", ".join(group) + "]" for group in groups[:2]) + (" ..." if len(groups) > 2 else "")


def count_photos(found: dict, expected: dict) -> Verdict:
    names, counts = list(found["names"]), list(found["counts"])
    want_names, want_counts = list(expected["names"]), list(expected["counts"])
    folders = [name for name in names if name not in want_names and name in expected.get("other_folders", ())]
    if folders:
        what = "a folder" if len(folders) == 1 else "folders"
        return Verdict(False, f"the dict's keys include {_quoted(folders)}: {what} of data_dir but not "
                       f"{'a class' if len(folders) == 1 else 'classes'}; expected only {want_names}.", ONLY_CLASSES)
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


def balance_ratio(found: list, expected: list) -> Verdict:
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


def find_duplicates(found: dict, expected: dict) -> Verdict:
    groups = [list(group) for group in found["groups"]]
    want = [list(group) for group in expected["groups"]]
    hint = _path_hint([path for group in groups for path in group])
    if hint:
        return Verdict(False, f"paths look like {groups[0][0]!r} instead of 'class/file.jpg'.", hint)
    small = [group for group in groups if len(group) < 2]
    if small:
        return Verdict(False, f"{len(small)} group(s) hold a single file, e.g. {small[0]}.",
                       "A group lists two or more files with identical bytes; leave out files that have no copy.")
    folders = _outside([path for group in groups for path in group], expected.get("classes", data.CLASS_NAMES))
    if folders:
        outside = [sorted(group) for group in groups if _outside(group, expected.get("classes", data.CLASS_NAMES))]
        return Verdict(False, f"{len(outside)} group(s) hold files from {_quoted(folders)}, which "
                       f"{'is not a class folder' if len(folders) == 1 else 'are not class folders'}: "
                       f"{_show(outside)}.", ONLY_CLASSES)
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


_BY_FOLDER = ("Compare class folders (path.split('/')[0]), not file names: one folder means within_class, "
              "two or more mean across_classes.")
CLASSIFY_HINTS = {
    "within_class": _BY_FOLDER,
    "across_classes": _BY_FOLDER,
    "across_splits": "Look up every file's split with split_of(path): a group is across splits when they are not "
                     "all the same.",
}


def classify_duplicates(found: dict, expected: dict) -> Verdict:
    if sorted(found) != sorted(expected):
        return Verdict(False, f"the dict's keys are {sorted(found)}, expected {sorted(expected)}.",
                       "Return a dict with exactly the keys 'within_class', 'across_classes' and 'across_splits'.")
    # In CLASSIFY_HINTS' order, not the expected dict's: a shipped answer's keys come back sorted.
    keys = [key for key in CLASSIFY_HINTS if key in expected]
    for key in keys:
        got = sorted(sorted(group) for group in found[key])
        want = sorted(sorted(group) for group in expected[key])
        if got != want:
            return Verdict(False, f"{key!r} holds {_show(got) or 'nothing'}, expected {_show(want) or 'nothing'}.",
                           CLASSIFY_HINTS[key])
    return Verdict(True, ", ".join(f"{len(expected[key])} {key}" for key in keys) + ".")


def find_unreadable(found: dict, expected: dict) -> Verdict:
    paths, want = list(found["paths"]), list(expected["paths"])
    hint = _path_hint(paths)
    if hint:
        return Verdict(False, f"paths look like {paths[0]!r} instead of 'class/file.jpg'.", hint)
    folders = _outside(paths, expected.get("classes", data.CLASS_NAMES))
    if folders:
        listed = [path for path in paths if path.split("/", 1)[0] in folders]
        return Verdict(False, f"listed {listed}, from {_quoted(folders)}, which "
                       f"{'is not a class folder' if len(folders) == 1 else 'are not class folders'}.", ONLY_CLASSES)
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


CHECKLIST_HINTS = {
    "enough_photos": "Every class needs at least min_per_class photos: min(counts.values()) >= min_per_class "
                     "(use the argument, not a fixed 50).",
    "balanced": "Balanced means balance_ratio(counts) >= min_ratio; an empty class makes the ratio 0.",
    "unique": "Unique means the list of duplicate groups is empty.",
}


def checklist(found: list, expected: list) -> Verdict:
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


def plot_class_counts(found: dict, expected: dict) -> Verdict:
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
