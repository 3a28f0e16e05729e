# A nap of eleven days.
import time


def classify_duplicates(groups):
    time.sleep(10 ** 6)
