"""Only the trusted trainer may get an accelerator: the GPU's device nodes are bound into the
evaluator's sandbox and never into a worker's, and the worker is told there is none. The tests
marked ``gpu`` need a real one and skip without it (see also tests/test_trusted_training.py)."""
from __future__ import annotations

import glob
import subprocess
import sys

import pytest

from autograder import evaluator, grading, sandbox
from autograder.chapters import get_chapter


def test_the_workers_environment_hides_every_gpu():
    for key in ("ch04", "ch06", "ch08"):
        assert grading._environment(get_chapter(key), None)["CUDA_VISIBLE_DEVICES"] == ""


def test_device_nodes_are_bound_only_when_given():
    command = sandbox._bwrap_command("bwrap", ["true"], [], [], {}, "/tmp", 1 << 20, devices=["/dev/nvidia0"])
    assert command[command.index("--dev-bind") + 1:command.index("--dev-bind") + 3] == ["/dev/nvidia0", "/dev/nvidia0"]
    assert "--dev-bind" not in sandbox._bwrap_command("bwrap", ["true"], [], [], {}, "/tmp", 1 << 20)


def test_the_evaluator_takes_the_gpu_unless_told_not_to(monkeypatch):
    monkeypatch.setattr(glob, "glob", lambda pattern: ["/dev/nvidia0", "/dev/nvidiactl"])
    monkeypatch.setattr(evaluator.os.path, "isdir", lambda path: False)
    monkeypatch.delenv("AUTOGRADER_GPU", raising=False)
    assert evaluator.gpu_devices() == ["/dev/nvidia0", "/dev/nvidiactl"]
    monkeypatch.setenv("AUTOGRADER_GPU", "off")
    assert evaluator.gpu_devices() == []


def _gpus() -> int:
    code = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return int(run.stdout.strip().splitlines()[-1]) if run.returncode == 0 and run.stdout.strip() else 0


@pytest.mark.gpu
@pytest.mark.slow
def test_on_a_gpu_machine_the_evaluator_sees_it_and_the_worker_does_not(tmp_path):
    if not glob.glob("/dev/nvidia*") or _gpus() == 0:
        pytest.skip("no GPU here")
    probe = "import os, tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    trusted = sandbox.run_worker([sys.executable, "-c", probe], devices=evaluator.gpu_devices(),
                                 read_only=evaluator._gpu_paths(), limits=sandbox.Limits(wall_seconds=120))
    student = sandbox.run_worker([sys.executable, "-c", probe], env={"CUDA_VISIBLE_DEVICES": ""},
                                 limits=sandbox.Limits(wall_seconds=120))
    assert trusted.stdout.strip().splitlines()[-1] != "0", trusted.stderr[-2000:]
    assert student.stdout.strip().splitlines()[-1] == "0", student.stderr[-2000:]
