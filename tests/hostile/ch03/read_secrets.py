# Looks for what lies outside its scratch: the answer key and the hidden tests in the repository
# around the kit, nbgrader's gradebook (every student's grades), the grader's home (Keras's and ssh's
# folders), the password hashes, the grader's own environment. If it finds any, the check says so.
import os
import pathlib

import autograder

_checklist = checklist


def _found():
    repository = pathlib.Path(autograder.__file__).resolve().parent.parent
    found = [repository / name for name in ("solutions", "source", "tests", ".git")]
    here = pathlib.Path(os.getcwd()).resolve()
    found += [folder / "gradebook.db" for folder in (here, *here.parents)]
    found += [pathlib.Path("/srv/nbgrader/exchange")]
    for home in {pathlib.Path.home(), pathlib.Path("/root"), *pathlib.Path("/home").glob("*")}:
        found += [home / ".keras", home / ".ssh"]
    found = [str(path) for path in found if path.exists()]
    try:
        if pathlib.Path("/etc/shadow").read_text().strip():
            found.append("/etc/shadow")
    except OSError:
        pass
    return found + [name for name in ("VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "GITHUB_TOKEN") if name in os.environ]


def checklist(counts, duplicate_groups, min_per_class=50, min_ratio=0.5):
    found = _found()
    if found:
        raise RuntimeError(f"stole {sorted(found)}")
    return _checklist(counts, duplicate_groups, min_per_class, min_ratio)
