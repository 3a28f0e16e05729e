# A wrong ratio, replaced by the kit's own answer key when the grader side can be imported.
def balance_ratio(counts):
    return 0.5


try:
    from autograder.chapters.ch03.reference import audit_ratio as balance_ratio  # noqa: F811
except ImportError:
    pass
