"""Chapter 3's probes: the only code that calls the student's functions. Each returns plain data."""
from __future__ import annotations

from pathlib import Path

from ... import data
from ..probing import figure_of
from . import cases


def _relative_paths(value, what: str) -> list[str]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a list of paths, got {type(value).__name__}")
    paths = []
    for item in value:
        if not isinstance(item, (str, Path)):
            raise TypeError(f"{what} must hold paths as strings, got a {type(item).__name__}")
        paths.append(str(item).replace("\\", "/"))
    return paths


def _call_each(function, calls, call) -> list[dict]:
    """Call ``function`` once per set of arguments; an error in one call is recorded, not raised
    (a stub that still raises NotImplementedError is reported as not attempted)."""
    outcomes = []
    for arguments in calls:
        try:
            outcomes.append({"value": call(function, arguments)})
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the student's code may raise anything
            outcomes.append({"error": f"{type(error).__name__}: {str(error)[:200]}"})
    return outcomes


def count_photos(count_photos, case: cases.Folder, inputs_dir: Path) -> dict:
    counts = count_photos(case.data_dir(inputs_dir), list(data.CLASS_NAMES))
    if not isinstance(counts, dict):
        raise TypeError(f"count_photos must return a dict, got {type(counts).__name__}")
    return {"names": [str(name) for name in counts], "counts": [int(count) for count in counts.values()]}


def balance_ratio(balance_ratio, case: cases.Ratios, inputs_dir: Path) -> list[dict]:
    return _call_each(balance_ratio, case.dicts(), lambda function, counts: float(function(counts)))


def find_duplicates(find_duplicates, case: cases.Folder, inputs_dir: Path) -> dict:
    groups = find_duplicates(case.data_dir(inputs_dir), list(data.CLASS_NAMES))
    if isinstance(groups, (str, bytes, dict)) or not hasattr(groups, "__iter__"):
        raise TypeError(f"find_duplicates must return a list of groups, got {type(groups).__name__}")
    return {"groups": [_relative_paths(group, "each group") for group in groups]}


def classify_duplicates(classify_duplicates, case: cases.Groups, inputs_dir: Path) -> dict:
    result = classify_duplicates(case.lists())
    if not isinstance(result, dict):
        raise TypeError(f"classify_duplicates must return a dict, got {type(result).__name__}")
    return {str(key): [_relative_paths(group, "each group") for group in value] for key, value in result.items()}


def find_unreadable(find_unreadable, case: cases.Folder, inputs_dir: Path) -> dict:
    broken = find_unreadable(case.data_dir(inputs_dir), list(data.CLASS_NAMES))
    if isinstance(broken, (str, bytes, dict)) or not hasattr(broken, "__iter__"):
        raise TypeError(f"find_unreadable must return a list of paths, got {type(broken).__name__}")
    return {"paths": _relative_paths(broken, "find_unreadable's result")}


def _verdicts(checklist, call: cases.ChecklistCall) -> dict:
    counts, groups, options = call.arguments()
    verdicts = checklist(counts, groups, **options)
    if not isinstance(verdicts, dict):
        raise TypeError(f"checklist must return a dict, got {type(verdicts).__name__}")
    # Only real booleans count: bool, or numpy's bool_ (its type name is "bool_" or "bool").
    return {str(key): (bool(value) if type(value).__name__ in ("bool", "bool_") else repr(value)[:40])
            for key, value in verdicts.items()}


def checklist(checklist, case: cases.Checklist, inputs_dir: Path) -> list[dict]:
    return _call_each(checklist, case.calls, _verdicts)


def plot_class_counts(plot_class_counts, case: cases.PlotCounts, inputs_dir: Path) -> dict:
    return figure_of(plot_class_counts, case.dict())
