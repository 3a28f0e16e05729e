"""Keep library chatter (TensorFlow logs, warnings) off stderr.

nbgrader gives no points to a test cell that writes anything to stderr, and the
worker's stderr is for real errors; both run checks inside :func:`quiet`.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings

QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3",
                     "PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg"}


def quiet_environment() -> None:
    """Set before TensorFlow is imported; harmless afterwards."""
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


@contextlib.contextmanager
def quiet():
    """Silence Python warnings and anything written to stderr, file descriptor 2 included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                sys.__stderr__.flush()
                saved = os.dup(2)
            except (OSError, ValueError, AttributeError):  # no real descriptor 2 (some embedders)
                yield
                return
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                os.close(devnull)
