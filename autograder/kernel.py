"""A Jupyter kernel inside the sandbox: where ``nbgrader autograde`` runs a student's notebook.

The kit's ``nbgrader_config.py`` points nbgrader's ``Execute`` step at the kernel ``flowers-sandboxed``
(``autograder/jupyter/kernels/``), whose command is ``python -m autograder.kernel -f CONNECTION_FILE``.
This launcher starts ipykernel under the same bubblewrap sandbox as the batch grader's worker: no
network, the system read-only, a throwaway HOME and /tmp, no other process visible, no accelerator.
With no network, nbgrader reaches the kernel over IPC (Unix) sockets: the configuration sets
``KernelManager.transport = "ipc"`` and puts the sockets in a folder of their own
(:func:`ipc_prefix`), which alone is bound writable besides the notebook's folder (a copy nbgrader
made of the submission). Turn it off with ``FLOWERS_NBGRADER_SANDBOX=off`` (README).

Where bubblewrap cannot be used the kernel starts without it, saying so on the kernel's log, unless
``AUTOGRADER_SANDBOX=require``, which stops it instead: the same rule as the batch grader's.
"""
from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import sandbox

KERNEL_NAME = "flowers-sandboxed"
KERNELS_ROOT = str(Path(__file__).resolve().parent / "jupyter")   # a JUPYTER_PATH entry: kernels/NAME/kernel.json
PACKAGE_DIR = Path(__file__).resolve().parent
IPC_FOLDER_PREFIX = "flowers-kernel-ipc-"
# What the kernel may read besides the system and Python: the settings below, passed through when set.
PASSED_ON = ("FLOWERS_OFFLINE", "TF_CPP_MIN_LOG_LEVEL", "TF_USE_LEGACY_KERAS", "MPLBACKEND", "AUTOGRADER_GPU",
             "AUTOGRADER_SANDBOX")
LIMITS = sandbox.Limits(wall_seconds=4 * 3600, cpu_seconds=4 * 3600, memory_bytes=12 << 30, extra_processes=512)


def ipc_prefix() -> str:
    """A fresh folder for the kernels' sockets, one per nbgrader run (removed at its end): a kernel sees
    only its own run's."""
    folder = tempfile.mkdtemp(prefix=IPC_FOLDER_PREFIX)
    atexit.register(shutil.rmtree, folder, True)
    return os.path.join(folder, "kernel")


def _shared_paths() -> tuple[list[Path], dict[str, str]]:
    """Read-only folders the course needs (the package, the photos, their cache, held-out test photos)
    and the settings that name them."""
    from .data import FlowersDataUnavailable, cache_dir, resolve_data_dir, test_dir_setting

    paths, env = [PACKAGE_DIR], {"PYTHONPATH": str(PACKAGE_DIR.parent)}
    try:
        photos = resolve_data_dir(download=False)
        paths.append(photos)
        env["FLOWERS_DIR"] = str(photos)
    except FlowersDataUnavailable:
        pass
    cache = cache_dir()
    if cache.is_dir():
        paths.append(cache)
        env["FLOWERS_CACHE"] = str(cache)
    test_dir = test_dir_setting()
    if test_dir is not None and test_dir.is_dir():
        # nbgrader runs the hidden accuracy check from the kernel: the held-out photos must be readable
        # there (README, "What the grader guarantees": the batch grader keeps them from student code).
        paths.append(test_dir)
        env["FLOWERS_TEST_DIR"] = str(test_dir)
    return paths, env


def command(connection_file: str, extra: list[str], cwd: Path) -> tuple[list[str], str | None]:
    """The command that starts the kernel, and a warning when it runs without the sandbox.
    Raises SystemExit with the reason when it must not start."""
    info = json.loads(Path(connection_file).read_text())
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file, *extra]
    mode, reason = sandbox.sandbox_mode(), sandbox.unavailable_reason()
    if reason is not None:
        if mode == "require":
            raise SystemExit(f"flowers-sandboxed: bubblewrap is required (AUTOGRADER_SANDBOX=require) but "
                             f"cannot be used: {reason}. {sandbox.INSTALL_HINT}")
        return kernel, (f"flowers-sandboxed: WARNING: running the kernel WITHOUT the sandbox ({reason}); "
                        f"{sandbox.INSTALL_HINT}")
    if info.get("transport") != "ipc":
        raise SystemExit("flowers-sandboxed: the sandboxed kernel has no network, so nbgrader must reach it over "
                         "IPC sockets: set c.KernelManager.transport = 'ipc' (the kit's nbgrader_config.py does)")
    sockets = Path(info["ip"]).parent
    if not sockets.name.startswith(IPC_FOLDER_PREFIX):
        raise SystemExit(f"flowers-sandboxed: the kernel's sockets must be in a folder of their own, made by "
                         f"autograder.kernel.ipc_prefix() (c.KernelManager.ip in nbgrader_config.py), not {sockets}")
    shared, env = _shared_paths()
    env.update({name: os.environ[name] for name in PASSED_ON if name in os.environ})
    env.update({"CUDA_VISIBLE_DEVICES": "", "FLOWERS_OFFLINE": "1"})
    writable = [sockets, cwd]
    read_only = [p for p in [*shared, Path(connection_file)] if not any(_inside(p, w) for w in writable)]
    full_env = {"PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
                "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/mpl", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
                **env}
    return sandbox.bwrap_command(kernel, [str(p) for p in read_only], [str(p) for p in writable],
                                 full_env, str(cwd), LIMITS.file_bytes), None


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autograder.kernel", description=__doc__.splitlines()[0])
    parser.add_argument("-f", dest="connection_file", required=True)
    args, extra = parser.parse_known_args(argv)
    cmd, warning = command(args.connection_file, extra, Path.cwd())
    if warning:
        print(warning, file=sys.stderr, flush=True)   # the kernel's log, not a cell's output
    sandbox._rlimit_setter(LIMITS, sandbox._tasks_of_uid(os.getuid()) + LIMITS.extra_processes)()
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
