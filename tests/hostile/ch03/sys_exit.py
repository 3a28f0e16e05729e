# Asks the interpreter to leave.
import sys


def balance_ratio(counts):
    sys.exit("the student asked to leave")
