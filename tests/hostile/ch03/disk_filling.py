# Fills the temporary folder, the working folder and the home folder until they refuse (at most 2
# files of 512 MiB each: the sandbox's file size limit), and the grader's journal in its results
# folder up to that limit with lines that are not JSON; leaves it all there and returns nothing.
import json
import os
import sys
import tempfile

def _fill(path, chunk, count=32):
    try:
        with open(path, "ab") as handle:
            for _ in range(count):
                handle.write(chunk)
    except OSError:
        return False
    return True


def find_unreadable(data_dir, class_names):
    chunk = b"\0" * (16 << 20)
    for folder in dict.fromkeys((tempfile.gettempdir(), os.getcwd(), os.path.expanduser("~"))):
        for number in range(2):
            if not _fill(os.path.join(folder, f"hostile-fill-{number}.bin"), chunk):
                break
    try:
        jobs = json.load(open(sys.argv[1]))
    except Exception:
        jobs = []
    for job in jobs:
        _fill(os.path.join(job["out"], "journal.jsonl"), (b"not json " * 1000 + b"\n") * 1800)
