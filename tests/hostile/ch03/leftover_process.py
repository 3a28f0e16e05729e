# Starts a process in a session of its own, which outlives the function (its command line names the
# folder it was started in, so that the test knows whose it is), then answers right.
import os
import subprocess
import sys

_count_photos = count_photos


def count_photos(data_dir, class_names):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "HOSTILE-LEFTOVER-PROCESS", os.getcwd()],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    return _count_photos(data_dir, class_names)
