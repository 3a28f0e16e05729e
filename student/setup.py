"""Builds the student wheel from ../autograder, taking only the files listed in files.txt."""
from __future__ import annotations

import fnmatch
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PATTERNS = [line.strip() for line in (HERE / "files.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def student_file(relative: str) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in PATTERNS)


def packages() -> list[str]:
    found = []
    for init in sorted((ROOT / "autograder").rglob("__init__.py")):
        relative = init.relative_to(ROOT).as_posix()
        if student_file(relative):
            found.append(init.parent.relative_to(ROOT).as_posix().replace("/", "."))
    return found


class StudentFilesOnly(build_py):
    """Keep the modules and data files of files.txt; drop every other file of the package."""

    def find_package_modules(self, package, package_dir):
        return [(pkg, module, path) for pkg, module, path in super().find_package_modules(package, package_dir)
                if student_file(Path(path).resolve().relative_to(ROOT).as_posix())]

    def find_data_files(self, package, src_dir):
        return [path for path in super().find_data_files(package, src_dir)
                if student_file(Path(path).resolve().relative_to(ROOT).as_posix())]


setup(
    packages=packages(),
    package_dir={package: f"../{package.replace('.', '/')}" for package in packages()},
    package_data={"autograder": ["answers/*.json", "answers/*.npz"]},
    include_package_data=False,
    cmdclass={"build_py": StudentFilesOnly},
)
