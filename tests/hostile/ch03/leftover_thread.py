# Leaves two threads behind: one that never ends and is not a daemon, one that wakes every millisecond.
import threading
import time


def _linger():
    while True:
        time.sleep(0.05)


def _fidget():
    while True:
        time.sleep(0.001)


threading.Thread(target=_linger, name="hostile-linger").start()
threading.Thread(target=_fidget, name="hostile-fidget", daemon=True).start()
