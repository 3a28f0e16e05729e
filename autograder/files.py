"""Writing a file so that a reader, or a run killed half-way, sees the old file or the whole new one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"   # a leftover of a killed write: ".<name>.<random>.tmp" beside the file


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path``: a temporary file in the same folder, flushed to
    disk, made readable (0644: results and pages are meant to be read), renamed over ``path``; then the
    folder is flushed, so that the rename itself reaches the disk. On any failure nothing is left behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
