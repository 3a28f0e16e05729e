"""Stands in for each chapter's ``reference.py`` inside the batch grader's worker.

The worker runs student code and needs each chapter's table (probes, cases, hidden cases), never
its answers: the grader binds this file over every ``chapters/chNN/reference.py`` there
(``grading.WITHHELD``), so a submission that imports a reference finds nothing to call. Any name
read from it is an inert stand-in: calling it gives another, so a table can still be built; using
one as an answer raises.
"""
from __future__ import annotations


class Withheld:
    def __init__(self, name: str):
        self.__name__ = self.__qualname__ = name
        self.__module__ = __name__

    def __call__(self, *args, **kwargs) -> "Withheld":
        return Withheld(self.__name__)

    def __getattr__(self, name: str):
        raise AttributeError(f"the kit's reference is withheld from the worker where student code runs ({name})")

    def __repr__(self) -> str:
        return f"<withheld {self.__name__}>"


def __getattr__(name: str) -> Withheld:
    if name.startswith("__"):
        raise AttributeError(name)
    return Withheld(name)
