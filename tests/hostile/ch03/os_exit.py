# Ends the process at once, with no clean-up.
import os


def classify_duplicates(groups):
    os._exit(3)
